import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { clusterrolebindings } from '../../../src/registry/kinds/clusterrolebindings.js';
import { clusterroles } from '../../../src/registry/kinds/clusterroles.js';
import { rolebindings } from '../../../src/registry/kinds/rolebindings.js';
import { roles } from '../../../src/registry/kinds/roles.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const c = ctx('p1');
const RBAC = 'rbac.authorization.k8s.io';
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

describe('rbac: API metadata', () => {
  it.each([
    [roles, 'roles', 'Role', true], [clusterroles, 'clusterroles', 'ClusterRole', false],
    [rolebindings, 'rolebindings', 'RoleBinding', true], [clusterrolebindings, 'clusterrolebindings', 'ClusterRoleBinding', false],
  ] as const)('%#', (t, resource, kind, namespaced) => {
    expect(t).toMatchObject({
      group: RBAC, version: 'v1', resource, kind, listKind: `${kind}List`, singularName: kind.toLowerCase(), shortNames: [],
      categories: [], namespaced, verbs: VERBS, subresources: [], schemaName: `io.k8s.api.rbac.v1.${kind}`,
      storage: { group: RBAC, resource, apiVersion: `${RBAC}/v1`, kind },
    });
    expect(t.strategy.allowCreateOnUpdate).toBe(true);
    expect(t.strategy.allowUnconditionalUpdate).toBe(true);
  });
  it('names are path segments (prefix or not)', () => {
    for (const t of [roles, clusterroles, rolebindings, clusterrolebindings]) {
      expect(t.strategy.validateName('system:Foo_bar', false)).toEqual([]);
      expect(t.strategy.validateName('a/b', false)).toEqual(["may not contain '/'"]);
      expect(t.strategy.validateName('..', true)).toEqual(["may not be '..'"]);
    }
  });
  it('roles and cluster roles use the default table', () => {
    expect(roles.strategy.table).toBeUndefined();
    expect(clusterroles.strategy.table).toBeUndefined();
  });
});

describe('roles', () => {
  const role = (rules: unknown[]): KubeObject => ({ metadata: { name: 'r', namespace: 'p1' }, rules });
  it.each<[string, unknown[], string[]]>([
    ['valid', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], []],
    ['no verbs', [{ apiGroups: [''], resources: ['pods'] }], ['rules[0].verbs: Required value: verbs must contain at least one value']],
    ['no groups or resources', [{ verbs: ['get'] }], [
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource']],
    ['non-resource URLs', [{ verbs: ['get'], nonResourceURLs: ['/x'] }], [
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs']],
    ['mixed', [{ verbs: ['get'], nonResourceURLs: ['/x'], resources: ['pods'] }], [
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs',
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs']],
  ])('%s', (_n, rules, want) => expect(errs(roles.strategy.validate(role(rules), c))).toEqual(want));
  it('update reports every error twice, like kube (ValidateRole runs twice)', () => {
    expect(errs(roles.strategy.validateUpdate(role([{ verbs: ['get'], nonResourceURLs: ['/x'] }]), role([]), c))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs',
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs',
    ]);
  });
  it('serialises empty rules as null and rule fields like kube', () => {
    const r = role([]);
    roles.strategy.canonicalize!(r);
    expect(r).toEqual({ metadata: { name: 'r', namespace: 'p1' }, rules: null });
    const r2 = role([{ resources: ['pods'], verbs: [], apiGroups: [], resourceNames: [] }]);
    roles.strategy.canonicalize!(r2);
    expect(JSON.stringify(r2.rules)).toBe('[{"verbs":null,"resources":["pods"]}]');
  });
  it('checks finalizers like core validation', () => {
    expect(errs(roles.strategy.validate({ metadata: { name: 'r', finalizers: ['x'] }, rules: [] }, c))).toEqual([
      'metadata.finalizers[0]: Invalid value: "x": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

describe('clusterroles', () => {
  const cr = (extra: Record<string, unknown>): KubeObject => ({ metadata: { name: 'cr' }, rules: [], ...extra });
  it('allows non-resource URLs', () => {
    expect(clusterroles.strategy.validate(cr({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }), c)).toEqual([]);
  });
  it('reports what kube-apiserver reports (checked against v1.34)', () => {
    expect(errs(clusterroles.strategy.validate(cr({
      rules: [{ verbs: [], apiGroups: [''] }],
      aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Foo' }] }] },
    }), c))).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
      'aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Foo": not a valid selector operator',
      'aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.',
    ]);
  });
  it('requires a selector when aggregationRule is set', () => {
    expect(errs(clusterroles.strategy.validate(cr({ aggregationRule: {} }), c))).toEqual([
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
    expect(clusterroles.strategy.validate(cr({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/agg': 'true' } }] } }), c)).toEqual([]);
  });
  it('tolerates invalid label values on update when the stored role had them', () => {
    const bad = cr({ aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['a b'] }] }] } });
    expect(clusterroles.strategy.validate(bad, c).length).toBeGreaterThan(0);
    const e = errs(clusterroles.strategy.validateUpdate(bad, bad, c));
    expect(e).toEqual([
      'aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.',
      'aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.',
    ]);
    const good = cr({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } });
    expect(clusterroles.strategy.validateUpdate(bad, good, c).length).toBeGreaterThan(2);
  });
  it('canonical form keeps aggregationRule', () => {
    const o = cr({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' }, matchExpressions: [] }] } });
    clusterroles.strategy.canonicalize!(o);
    expect(o).toEqual({ metadata: { name: 'cr' }, rules: null, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } });
  });
});

describe('role bindings', () => {
  const rb = (roleRef: Record<string, unknown>, subjects?: unknown[]): KubeObject =>
    ({ metadata: { name: 'rb', namespace: 'p1' }, roleRef, ...(subjects && { subjects }) });
  function decoded(t: typeof rolebindings, o: KubeObject): KubeObject {
    t.strategy.applyDefaults!(o);
    return o;
  }
  it('defaults roleRef.apiGroup and User/Group subject apiGroups (checked against v1.34)', () => {
    const o = decoded(rolebindings, rb({ kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'p1' }]));
    rolebindings.strategy.canonicalize!(o);
    expect(JSON.stringify(o)).toBe(JSON.stringify({
      metadata: { name: 'rb', namespace: 'p1' },
      subjects: [{ kind: 'User', apiGroup: RBAC, name: 'u' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'p1' }],
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
    }));
  });
  it.each<[string, Record<string, unknown>, unknown[], string[]]>([
    ['valid', { apiGroup: RBAC, kind: 'Role', name: 'r' }, [{ kind: 'Group', apiGroup: RBAC, name: 'g' }], []],
    ['bad roleRef', { apiGroup: 'foo', kind: 'Pod', name: '' }, [], [
      `roleRef.apiGroup: Unsupported value: "foo": supported values: "${RBAC}"`,
      'roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"',
      'roleRef.name: Required value']],
    ['roleRef name with a slash', { apiGroup: RBAC, kind: 'Role', name: 'a/b' }, [], ["roleRef.name: Invalid value: \"a/b\": may not contain '/'"]],
    ['subjects', { apiGroup: RBAC, kind: 'Role', name: 'r' }, [
      { kind: 'Foo', name: '' },
      { kind: 'ServiceAccount', name: 'Bad_Name', apiGroup: 'x' },
      { kind: 'User', name: 'u', apiGroup: 'x' },
    ], [
      'subjects[0].name: Required value',
      'subjects[0].kind: Unsupported value: "Foo": supported values: "ServiceAccount", "User", "Group"',
      "subjects[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'subjects[1].apiGroup: Unsupported value: "x": supported values: ""',
      `subjects[2].apiGroup: Unsupported value: "x": supported values: "${RBAC}"`,
    ]],
  ])('%s', (_n, ref, subjects, want) => expect(errs(rolebindings.strategy.validate(rb(ref, subjects), c))).toEqual(want));
  it('roleRef is immutable; errors appear twice (checked against v1.34)', () => {
    const old = decoded(rolebindings, rb({ kind: 'ClusterRole', name: 'view' }));
    const n = decoded(rolebindings, rb({ kind: 'ClusterRole', name: 'edit' }, [{ kind: 'Foo', name: '' }]));
    expect(errs(rolebindings.strategy.validateUpdate(n, old, c))).toEqual([
      'subjects[0].name: Required value',
      'subjects[0].kind: Unsupported value: "Foo": supported values: "ServiceAccount", "User", "Group"',
      'subjects[0].name: Required value',
      'subjects[0].kind: Unsupported value: "Foo": supported values: "ServiceAccount", "User", "Group"',
      `roleRef: Invalid value: {"APIGroup":"${RBAC}","Kind":"ClusterRole","Name":"edit"}: cannot change roleRef`,
    ]);
  });
  it('cluster role bindings: only ClusterRole, service accounts need a namespace', () => {
    const crb: KubeObject = { metadata: { name: 'crb' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] };
    expect(errs(clusterrolebindings.strategy.validate(crb, c))).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
    ]);
  });
  it('prints Name, Role, Age and wide subject columns', () => {
    const t = rolebindings.strategy.table!;
    expect(t.columns.map((col) => [col.name, col.priority])).toEqual([
      ['Name', 0], ['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1],
    ]);
    expect(t.columns[3]!.description).toBe('Users in the roleBinding');
    expect(clusterrolebindings.strategy.table!.columns[3]!.description).toBe('Users in the clusterRoleBinding');
    const o = rb({ apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, [
      { kind: 'User', name: 'u' }, { kind: 'User', name: 'v' }, { kind: 'Group', name: 'g' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'p1' }, { kind: 'Other', name: 'x' },
    ]);
    o.metadata.creationTimestamp = ago(1);
    expect(t.cells(o, NOW)).toEqual(['rb', 'ClusterRole/view', '1s', 'u, v', 'g', 'p1/sa']);
  });
});
