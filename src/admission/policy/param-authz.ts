// Who may point an admission policy at params (kube's registry authz.go of the policy kinds): a
// policy's paramKind needs "get" on every object of that kind (name and namespace "*"), a
// binding's paramRef "get" (by name) or "list" (by selector) on the objects it names, in the
// binding's own logical cluster; system:masters is not asked. Kube checks this in the strategies'
// Validate, once the object is well formed, and answers with an Invalid error whose cause is a
// Forbidden on spec.paramKind / spec.paramRef; kplane checks it first among the validating
// admission plugins (the authorizer is asynchronous), which comes to the same answer.

import { field, invalid } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Authorizer } from '../../auth/authz.js';
import { isPrivileged, resourceAttributes } from '../../auth/rbac/authorizer.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { ResourceType, UserInfo } from '../../registry/types.js';
import type { ClusterName } from '../../tenancy/logicalcluster.js';

const GROUP = 'admissionregistration.k8s.io';

/** One policy kind and its binding kind. */
export interface PolicyKinds {
  policies: ResourceType;
  bindings: ResourceType;
  /** kube's MutatingAdmissionPolicyBinding message has its two arguments swapped; kept as kube writes it. */
  swappedBindingMessage?: boolean;
}

export interface ParamAuthorizationDeps {
  authorizer: Authorizer;
  catalog: ResourceCatalog;
  getPolicy(type: ResourceType, cluster: ClusterName, name: string): Promise<KubeObject | undefined>;
  kinds: PolicyKinds[];
}

/** Go's %v of a *user.DefaultInfo: &{name uid [groups] map[extra]}. */
export function goUserString(u: UserInfo): string {
  const extra = Object.keys(u.extra ?? {}).sort().map((k) => `${k}:[${(u.extra![k] ?? []).join(' ')}]`).join(' ');
  return `&{${u.username} ${u.uid ?? ''} [${u.groups.join(' ')}] map[${extra}]}`;
}

/** schema.ParseGroupVersion. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return undefined;
}

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class PolicyParamAuthorization implements AdmissionPlugin {
  readonly name = 'PolicyParamAuthorization';

  constructor(private readonly deps: ParamAuthorizationDeps) {}

  async validate(a: AdmissionAttributes): Promise<void> {
    if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || a.type.group !== GROUP || !a.object) return;
    const kinds = this.deps.kinds.find((k) => k.policies.resource === a.type.resource || k.bindings.resource === a.type.resource);
    if (!kinds || isPrivileged(a.ctx.user)) return;
    const isPolicy = kinds.policies.resource === a.type.resource;
    const msg = isPolicy ? await this.policyMessage(a) : await this.bindingMessage(a, kinds);
    if (msg === undefined) return;
    throw invalid({ group: GROUP, kind: a.type.kind }, a.object.metadata.name ?? a.name,
      [field.forbidden(isPolicy ? 'spec.paramKind' : 'spec.paramRef', msg)]);
  }

  /** The cluster's resource of a kind: the resource name, or undefined when it is not served. */
  private resourceOf(cluster: ClusterName, group: string, version: string, kind: string): string | undefined {
    return this.deps.catalog.forCluster(cluster).all.find((t) => t.group === group && t.version === version && t.kind === kind && !t.createOnly)?.resource;
  }

  private async allowed(a: AdmissionAttributes, attrs: { verb: string; group: string; resource: string; namespace: string; name: string }): Promise<boolean> {
    const d = await this.deps.authorizer.authorize(a.ctx.user, resourceAttributes(a.ctx.cluster, attrs));
    return d.allowed;
  }

  private async policyMessage(a: AdmissionAttributes): Promise<string | undefined> {
    const pk = obj(obj(a.object!.spec)?.paramKind);
    if (!pk) return undefined;
    if (a.operation === 'UPDATE') {
      const old = obj(obj(a.oldObject?.spec)?.paramKind);
      if (old && str(old.apiVersion) === str(pk.apiVersion) && str(old.kind) === str(pk.kind)) return undefined;
    }
    let resource = '*';
    let group = '*';
    const gv = parseGroupVersion(str(pk.apiVersion));
    if (gv) {
      group = gv.group;
      resource = this.resourceOf(a.ctx.cluster, gv.group, gv.version, str(pk.kind)) ?? '*';
    }
    if (await this.allowed(a, { verb: 'get', group, resource, namespace: '*', name: '*' })) return undefined;
    return `user ${goUserString(a.ctx.user)} must have "get" permission on all objects of the referenced paramKind (kind=${str(pk.kind)}, apiVersion=${str(pk.apiVersion)})`;
  }

  private async bindingMessage(a: AdmissionAttributes, kinds: PolicyKinds): Promise<string | undefined> {
    const spec = obj(a.object!.spec) ?? {};
    const paramRef = obj(spec.paramRef);
    // (an update is always checked: kube compares paramRefs holding pointers, never equal)
    if (!paramRef) return undefined;
    let resource = '*';
    let group = '*';
    const policyName = str(spec.policyName);
    const policy = await this.deps.getPolicy(kinds.policies, a.ctx.cluster, policyName);
    const pk = obj(obj(policy?.spec)?.paramKind);
    let gvFailed = false;
    let unresolved = false;
    if (policy && pk) {
      const gv = parseGroupVersion(str(pk.apiVersion));
      if (!gv) gvFailed = true;
      else {
        group = gv.group;
        const r = this.resourceOf(a.ctx.cluster, gv.group, gv.version, str(pk.kind));
        if (r) resource = r;
        else unresolved = true;
      }
    }
    const name = str(paramRef.name);
    const verb = name ? 'get' : 'list';
    if (await this.allowed(a, { verb, group, resource, namespace: str(paramRef.namespace), name })) return undefined;
    const user = goUserString(a.ctx.user);
    // (Go's %v of the internal *ParamKind)
    const paramKind = pk ? `&{${str(pk.apiVersion)} ${str(pk.kind)}}` : '<nil>';
    if (!policy) return `unable to get policy ${policyName} to determine minimum required permissions and user ${user} does not have "${verb}" permission for all groups, versions and resources`;
    if (gvFailed) return `unable to parse paramKind ${paramKind} to determine minimum required permissions and user ${user} does not have "${verb}" permission for all groups, versions and resources`;
    if (unresolved) return `unable to resolve paramKind ${paramKind} to determine minimum required permissions and user ${user} does not have "${verb}" permission for all groups, versions and resources`;
    return kinds.swappedBindingMessage
      ? `user ${verb} does not have "${user}" permission on the object referenced by paramRef`
      : `user ${user} does not have "${verb}" permission on the object referenced by paramRef`;
  }
}
