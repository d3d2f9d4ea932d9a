// kplane's authorizer: kube's RBAC, evaluated per logical cluster, behind each cluster's door.
//
// The door (who may address a cluster at all, before any rule of it applies):
// - system:masters, for identities not tied to a cluster (the provider's admin): every cluster;
// - an identity of a cluster (its service accounts, certificates and tokens issued for it): that cluster;
// - anyone a stored RoleBinding or ClusterRoleBinding of the cluster names (as a user, a service
//   account, or a group other than the groups everyone is in);
// - the creator of the cluster's Workspace and the users and groups its spec.admins names: they
//   administer the cluster (cluster-admin there);
// - anyone who may enter the parent cluster and whom RBAC there grants `admin` (administer) or
//   `access` (enter) on the `workspaces/content` of the child's Workspace (group
//   tenancy.kplane.io, resourceName = the workspace's name); cluster-admin of a parent therefore
//   administers every workspace below it.
// Everyone else gets the same 403 whether or not the cluster exists. Inside, RBAC decides as in
// kube-apiserver: ClusterRoleBindings, then RoleBindings of the request's namespace, the shared
// bootstrap policy included.

import type { NonResourceRequestInfo, RequestInfo, ResourceRequestInfo } from '../../apiserver/requestinfo.js';
import type { UserInfo } from '../../registry/types.js';
import { splitCluster, type ClusterName } from '../../tenancy/logicalcluster.js';
import type { Authorizer, Decision, NonResourceRule, ResourceRule, SubjectRules } from '../authz.js';
import type { RBACIndex } from './index.js';
import { appliesTo, describeBinding, subjectAppliesTo, type Binding, type RoleRef, type Subject } from './policy.js';
import { ruleAllows, type PolicyRule } from './rules.js';

export const TENANCY_GROUP = 'tenancy.kplane.io';
const MASTERS = 'system:masters';

/** Who administers a cluster through its Workspace. */
export interface WorkspaceAdmins {
  /** The creator (from the Workspace's owner annotation); cluster is set for a scoped identity. */
  owner?: { username: string; cluster?: string };
  admins: Subject[];
}

export interface WorkspaceAdminSource {
  /** The Workspace of a cluster in its parent, or undefined (root, or no such workspace). */
  adminsOf(cluster: ClusterName): Promise<WorkspaceAdmins | undefined>;
}

type Entry = { kind: 'none' } | { kind: 'member' } | { kind: 'admin'; reason: string };
const NONE: Entry = { kind: 'none' };
const MEMBER: Entry = { kind: 'member' };

export const FULL_AUTHORITY: readonly PolicyRule[] = Object.freeze([
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
]);

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

function isPublicPath(info: NonResourceRequestInfo): boolean {
  const p = info.path;
  return PUBLIC_PATHS.has(p) || /^\/(livez|readyz|healthz)\//.test(p);
}

function isIssuerDiscovery(info: RequestInfo): boolean {
  return info.kind === 'nonresource' && info.verb === 'get' && (info.path === '/.well-known/openid-configuration' || info.path === '/openid/v1/jwks');
}

/** system:masters, honoured only for identities that no single cluster issued. */
export function isPrivileged(user: UserInfo): boolean {
  return user.cluster === undefined && user.groups.includes(MASTERS);
}

/** A resource request to check a permission the server needs (not one a client sent). */
export function resourceAttributes(cluster: ClusterName, a: {
  verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string;
}): ResourceRequestInfo {
  return {
    kind: 'resource', cluster, prefix: a.group ? 'apis' : 'api', group: a.group, version: '*', namespace: a.namespace ?? '',
    resource: a.resource, name: a.name ?? '', subresource: a.subresource ?? '', verb: a.verb as ResourceRequestInfo['verb'], extra: [],
  };
}

export class RBACAuthorizer implements Authorizer {
  constructor(private readonly index: RBACIndex, private readonly workspaces: WorkspaceAdminSource) {}

  async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
    // kube's privileged-group authorizer before RBAC: allowed, with no reason
    if (isPrivileged(user)) return { allowed: true };
    const cluster = info.cluster;
    // outside /clusters/: the public health and version paths (kube's system:public-info-viewer)
    if (cluster === undefined) return { allowed: info.kind === 'nonresource' && info.verb === 'get' && isPublicPath(info) };
    if (cluster === '*') return { allowed: false, door: true };
    // service account issuer discovery is public in every cluster, also to anonymous callers (as kube
    // with system:service-account-issuer-discovery bound to system:unauthenticated, for federation);
    // its answer does not depend on the cluster existing (apiserver/issuer-discovery.ts)
    if (isIssuerDiscovery(info)) return { allowed: true, reason: 'kplane: service account issuer discovery is public' };
    if (this.isMember(user, cluster)) {
      // RBAC first: the Workspace is read only when RBAC alone does not allow
      const d = this.rbac(user, cluster, info);
      if (d.allowed) return d;
      const ws = await this.workspaceEntry(user, cluster, 0);
      return ws.kind === 'admin' ? { allowed: true, reason: ws.reason } : d;
    }
    const entry = await this.workspaceEntry(user, cluster, 0);
    if (entry.kind === 'none') return { allowed: false, door: true };
    if (entry.kind === 'admin') return { allowed: true, reason: entry.reason };
    return this.rbac(user, cluster, info);
  }

  async rulesFor(user: UserInfo, cluster: string, namespace: string): Promise<SubjectRules> {
    return toSubjectRules(await this.policyRulesFor(user, cluster as ClusterName, namespace));
  }

  /** Every rule that applies to the user in the namespace ('' = cluster-wide only) of the cluster. */
  async policyRulesFor(user: UserInfo, cluster: ClusterName, namespace: string): Promise<PolicyRule[]> {
    // system:masters: what RBAC binds (as kube lists it; its privileged-group authorizer lists nothing)
    const entry: Entry = isPrivileged(user) ? MEMBER : await this.enter(user, cluster);
    if (entry.kind === 'none') return [];
    const rules: PolicyRule[] = entry.kind === 'admin' ? [...FULL_AUTHORITY] : [];
    this.visit(user, cluster, namespace, (_b, rule) => {
      rules.push(rule);
      return true;
    });
    return rules;
  }

  /** The rules a binding's roleRef grants in the cluster (undefined: no such role). */
  roleRefRules(cluster: ClusterName, ref: RoleRef, bindingNamespace: string): PolicyRule[] | undefined {
    if (ref.kind === 'ClusterRole') return this.index.clusterRole(cluster, ref.name);
    if (ref.kind === 'Role') return this.index.role(cluster, bindingNamespace, ref.name);
    return undefined;
  }

  private rbac(user: UserInfo, cluster: ClusterName, info: RequestInfo): Decision {
    const request: RequestInfo = info.kind === 'resource' && info.verb === 'head' ? { ...info, verb: 'get' } : info;
    const namespace = request.kind === 'resource' ? request.namespace : '';
    let reason: string | undefined;
    this.visit(user, cluster, namespace, (b, rule, subject) => {
      if (!ruleAllows(request, rule)) return true;
      reason = `RBAC: allowed by ${describeBinding(b, subject)}`;
      return false;
    });
    return reason === undefined ? { allowed: false } : { allowed: true, reason };
  }

  /** kube's VisitRulesFor: cluster role bindings, then the namespace's role bindings; stops when visitor says false. */
  private visit(user: UserInfo, cluster: ClusterName, namespace: string, visitor: (b: Binding, rule: PolicyRule, s: Subject) => boolean): void {
    const each = (bindings: Iterable<Binding>): boolean => {
      for (const b of bindings) {
        const i = appliesTo(user, b);
        if (i < 0) continue;
        for (const rule of this.roleRefRules(cluster, b.roleRef, b.namespace) ?? []) if (!visitor(b, rule, b.subjects[i]!)) return false;
      }
      return true;
    };
    if (!each(this.index.clusterRoleBindingsFor(cluster, user))) return;
    if (namespace) each(this.index.roleBindingsFor(cluster, namespace, user));
  }

  /** Members by identity or binding (no read needed): the cluster's own identities, anyone a binding names. */
  private isMember(user: UserInfo, cluster: ClusterName): boolean {
    return user.cluster !== undefined ? user.cluster === cluster : this.index.names(cluster, user);
  }

  /** The door (see the top of this file): administrators first, then members. */
  private async enter(user: UserInfo, cluster: ClusterName): Promise<Entry> {
    const ws = await this.workspaceEntry(user, cluster, 0);
    if (ws.kind !== 'none') return ws;
    return this.isMember(user, cluster) ? MEMBER : NONE;
  }

  /** What the cluster's Workspace and the parent's grants make of the user. depth bounds the walk up. */
  private async workspaceEntry(user: UserInfo, cluster: ClusterName, depth: number): Promise<Entry> {
    // an identity of one cluster reaches only that cluster and the workspaces below it (as their
    // creator or through grants of its own cluster): for any other cluster nothing is read, so
    // another tenant's cluster and an absent one cost the same
    if (user.cluster !== undefined && cluster !== user.cluster && !cluster.startsWith(`${user.cluster}:`)) return NONE;
    const split = splitCluster(cluster);
    if (!split || depth > 64) return NONE;
    const ws = await this.workspaces.adminsOf(cluster);
    if (!ws) return NONE;
    if (ws.owner && ws.owner.username === user.username && ws.owner.cluster === user.cluster) {
      return { kind: 'admin', reason: `kplane: allowed as the creator of workspace ${JSON.stringify(cluster)}` };
    }
    // spec.admins names users of the provider's identity provider, or identities issued for this
    // very cluster; never another cluster's identities
    if (user.cluster === undefined || user.cluster === cluster) {
      const s = ws.admins.find((a) => subjectAppliesTo(user, a, ''));
      if (s) return { kind: 'admin', reason: `kplane: allowed by spec.admins of workspace ${JSON.stringify(cluster)} to ${s.kind} ${JSON.stringify(s.name)}` };
    }
    const parent = await this.workspaceEntry(user, split.parent, depth + 1);
    if (parent.kind === 'admin') return parent;
    if (parent.kind === 'none' && !this.isMember(user, split.parent)) return NONE;
    const content = (verb: string) => resourceAttributes(split.parent, { verb, group: TENANCY_GROUP, resource: 'workspaces', subresource: 'content', name: split.name });
    const admin = this.rbac(user, split.parent, content('admin'));
    if (admin.allowed) return { kind: 'admin', reason: `kplane: administers workspace ${JSON.stringify(cluster)}: ${admin.reason ?? ''} in ${split.parent}` };
    return this.rbac(user, split.parent, content('access')).allowed ? MEMBER : NONE;
  }
}

/** PolicyRules as SelfSubjectRulesReview lists them (kube's ConvertToResourceRules / NonResourceRules). */
export function toSubjectRules(rules: PolicyRule[]): SubjectRules {
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) {
      nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
    } else if (r.resources?.length || r.apiGroups?.length) {
      resourceRules.push({
        verbs: r.verbs ?? [],
        ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
        ...(r.resources ? { resources: r.resources } : {}),
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
      });
    }
  }
  return { resourceRules, nonResourceRules, incomplete: false };
}
