// The parts of RBAC objects the authorizer reads (rbac.authorization.k8s.io/v1 Subject, RoleRef,
// bindings), and kube's rule for whether a binding's subject is the caller (appliesToUser in
// pkg/registry/rbac/validation/rule.go).

import type { KubeObject } from '../../apimachinery/object.js';
import type { UserInfo } from '../../registry/types.js';
import type { PolicyRule } from './rules.js';

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

/** A RoleBinding (namespace set) or ClusterRoleBinding (namespace ''). */
export interface Binding {
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

const SA_PREFIX = 'system:serviceaccount:';

export function subjectAppliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.username === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      // a subject without a namespace means the binding's own (RoleBindings only)
      const ns = s.namespace || bindingNamespace;
      if (!ns) return false;
      return user.username === `${SA_PREFIX}${ns}:${s.name}`;
    }
    default: return false;
  }
}

/** The index of the first subject of the binding that is the user, or -1. */
export function appliesTo(user: UserInfo, b: Binding): number {
  return b.subjects.findIndex((s) => subjectAppliesTo(user, s, b.namespace));
}

/** kube's describeSubject: how an allowing subject is named in a decision's reason. */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** The reason of an allowing decision, as kube's RBAC authorizer words it. */
export function describeBinding(b: Binding, s: Subject): string {
  const what = b.namespace ? `RoleBinding ${JSON.stringify(`${b.name}/${b.namespace}`)}` : `ClusterRoleBinding ${JSON.stringify(b.name)}`;
  return `${what} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** The rules of a stored Role or ClusterRole, reduced to what matching reads. */
export function rulesOf(obj: KubeObject): PolicyRule[] {
  const rules = Array.isArray(obj.rules) ? obj.rules : [];
  return rules.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object').map((r) => {
    const rule: PolicyRule = {};
    for (const k of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
      const v = strings(r[k]);
      if (v?.length) rule[k] = v;
    }
    return rule;
  });
}

/** A stored RoleBinding or ClusterRoleBinding, reduced to what matching reads. */
export function bindingOf(obj: KubeObject): Binding {
  const ref = (obj.roleRef ?? {}) as Record<string, unknown>;
  const subjects = Array.isArray(obj.subjects) ? obj.subjects : [];
  return {
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace ?? '',
    roleRef: { kind: String(ref.kind ?? ''), name: String(ref.name ?? ''), apiGroup: typeof ref.apiGroup === 'string' ? ref.apiGroup : undefined },
    subjects: subjects.filter((s): s is Record<string, unknown> => !!s && typeof s === 'object').map((s) => ({
      kind: String(s.kind ?? ''), name: String(s.name ?? ''),
      ...(typeof s.namespace === 'string' && s.namespace ? { namespace: s.namespace } : {}),
    })),
  };
}
