// Authorization: may this user do this in this logical cluster? Until per-cluster RBAC lands
// (identity and access issue), members of system:masters may do everything, everyone may read
// the public health and version endpoints (kube's system:public-info-viewer), and a cluster's own
// identities (service accounts) its discovery and OpenAPI documents (kube's system:discovery).
//
// Above every rule stands the cluster's door: inside /clusters/<name>, only those who may enter
// the cluster (mayEnterCluster) are authorized for anything, its public paths included. The
// server decides that first, from the name alone, so that an absent cluster and a cluster that is
// not the caller's give the same answer on every path; nothing here depends on existence either.

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

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/** kube's system:discovery ClusterRole (bound to system:authenticated): discovery and OpenAPI documents. */
function isDiscoveryPath(path: string): boolean {
  return ['/api', '/apis', '/openapi'].some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Whether a caller may address a logical cluster at all: system:masters everywhere, an identity
 * of a logical cluster (a service account: user.cluster) in that cluster only. '*' (all clusters)
 * is for system:masters alone. Per-cluster RBAC (issue 9) will widen this to users bound in the cluster.
 */
export function mayEnterCluster(user: UserInfo, cluster: string): boolean {
  if (user.groups.includes('system:masters')) return true;
  return user.cluster !== undefined && user.cluster === cluster && cluster !== '*';
}

export class BootstrapAuthorizer implements Authorizer {
  async rulesFor(): Promise<SubjectRules> {
    return { resourceRules: [], nonResourceRules: [], incomplete: true };
  }

  async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
    if (user.groups.includes('system:masters')) return { allowed: true };
    if (info.cluster !== undefined && !mayEnterCluster(user, info.cluster)) return { allowed: false, reason: 'not a member of the logical cluster' };
    if (info.kind === 'nonresource' && info.verb === 'get') {
      const path = info.path.replace(/\/$/, '') || '/';
      if (PUBLIC_PATHS.has(path) || path.startsWith('/livez/') || path.startsWith('/readyz/') || path.startsWith('/healthz/')) {
        return { allowed: true };
      }
      // identities of a logical cluster (its service accounts) read its discovery, as kube's
      // bootstrap policy lets every authenticated user; others learn nothing of a cluster
      if (user.cluster !== undefined && user.cluster === info.cluster && isDiscoveryPath(info.path)) return { allowed: true };
    }
    return { allowed: false, reason: 'no RBAC policy matched' };
  }
}
