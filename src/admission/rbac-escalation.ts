// RBAC's protection against privilege escalation, as kube's policybased role and binding storages
// enforce it: a user may only write a Role or ClusterRole whose rules they hold themselves (or with
// the `escalate` verb on it), and only bind a role whose rules they hold (or with `bind` on it);
// an aggregationRule needs full authority. Checked in the cluster and namespace of the write, with
// the same rules the authorizer uses (the door's administrators hold everything).

import { forbidden, notFound } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { FULL_AUTHORITY, isPrivileged, resourceAttributes, type RBACAuthorizer } from '../auth/rbac/authorizer.js';
import { escalationError } from '../auth/rbac/covers.js';
import { bindingOf, rulesOf } from '../auth/rbac/policy.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROLES = new Set(['roles', 'clusterroles']);
const BINDINGS = new Set(['rolebindings', 'clusterrolebindings']);

/** kube's IsOnlyMutatingGCFields: an update that touches only ownerReferences and finalizers is not checked. */
function onlyGCFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, ...meta } = o.metadata;
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(obj) === strip(old);
}

export class RBACEscalationCheck implements AdmissionPlugin {
  readonly name = 'RBACEscalation';

  constructor(private readonly authorizer: RBACAuthorizer) {}

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.type.group !== RBAC_GROUP || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object) return;
    const isRole = ROLES.has(a.type.resource);
    if (!isRole && !BINDINGS.has(a.type.resource)) return;
    const { user, cluster } = a.ctx;
    if (isPrivileged(user)) return;
    if (a.operation === 'UPDATE' && a.oldObject && onlyGCFields(a.object, a.oldObject)) return;
    const name = a.object.metadata.name ?? a.name;
    const gr = { group: RBAC_GROUP, resource: a.type.resource };
    const namespace = a.namespace;
    const allowedTo = async (verb: string, resource: string, refName: string, group = RBAC_GROUP): Promise<boolean> =>
      (await this.authorizer.authorize(user, resourceAttributes(cluster, { verb, group, resource, namespace, name: refName }))).allowed;
    const owned = await this.authorizer.policyRulesFor(user, cluster, namespace);

    if (isRole) {
      if (await allowedTo('escalate', a.type.resource, name)) return;
      const err = escalationError(user, owned, rulesOf(a.object));
      if (err) throw forbidden(gr, name, err);
      if (a.type.resource === 'clusterroles' && a.object.aggregationRule && escalationError(user, owned, FULL_AUTHORITY)) {
        throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
      return;
    }
    const { roleRef } = bindingOf(a.object);
    const refResource = roleRef.kind === 'Role' ? 'roles' : roleRef.kind === 'ClusterRole' ? 'clusterroles' : '';
    if (refResource && await allowedTo('bind', refResource, roleRef.name, roleRef.apiGroup ?? RBAC_GROUP)) return;
    const rules = this.authorizer.roleRefRules(cluster, roleRef, namespace);
    if (!rules) {
      // kube answers the role it could not find as a NotFound of the binding's own resource
      if (!refResource) throw forbidden(gr, name, `unsupported role reference kind: ${JSON.stringify(roleRef.kind)}`);
      throw notFound(gr, roleRef.name);
    }
    const err = escalationError(user, owned, rules);
    if (err) throw forbidden(gr, name, err);
  }
}
