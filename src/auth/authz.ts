// Authorization: may this user do this in this logical cluster? The interface the server, the
// review APIs and admission use; kplane's implementation is RBAC per logical cluster behind each
// cluster's door (src/auth/rbac/authorizer.ts).

import type { UserInfo } from '../registry/types.js';
import type { RequestInfo } from '../apiserver/requestinfo.js';

export interface Decision {
  allowed: boolean;
  reason?: string;
  /** Denied at the cluster's door (the caller may not address the cluster at all). */
  door?: boolean;
}

/** authorization.k8s.io/v1 ResourceRule / NonResourceRule, as SelfSubjectRulesReview answers them. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}
/** What a user may do in one namespace of a cluster (kube's RuleResolver.RulesFor). */
export interface SubjectRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface Authorizer {
  /** Async: a decision may read a logical cluster's record (who administers it). */
  authorize(user: UserInfo, info: RequestInfo): Promise<Decision>;
  /** The rules that apply to user in namespace ('' = cluster-wide only) of cluster. */
  rulesFor(user: UserInfo, cluster: string, namespace: string): Promise<SubjectRules>;
}
