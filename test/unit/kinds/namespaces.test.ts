import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { namespaceFinalizeStrategy, namespaces, subresourceStrategies } from '../../../src/registry/kinds/namespaces.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = namespaces.strategy;
const c = ctx('');

function created(o: KubeObject): KubeObject {
  s.applyDefaults!(o);
  s.prepareForCreate!(o, c);
  return o;
}

describe('namespaces: API metadata', () => {
  it('matches kube discovery', () => {
    expect(namespaces).toMatchObject({
      group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', listKind: 'NamespaceList',
      singularName: 'namespace', shortNames: ['ns'], categories: [], namespaced: false,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      schemaName: 'io.k8s.api.core.v1.Namespace',
    });
    expect([...namespaces.subresources].sort()).toEqual(['finalize', 'status']);
    expect(s.returnDeletedObject).toBe(true);
    expect(s.allowCreateOnUpdate).toBe(false);
    expect(s.allowUnconditionalUpdate).toBe(true);
    expect(subresourceStrategies.finalize).toBe(namespaceFinalizeStrategy);
  });
  it('names are DNS-1123 labels', () => {
    expect(s.validateName('abc-123', false)).toEqual([]);
    expect(s.validateName('a.b', false)).toHaveLength(1);
    expect(s.validateName('abc-', true)).toEqual([]);
  });
});

describe('namespaces: create', () => {
  it('sets phase Active, the kubernetes finalizer and the name label', () => {
    const ns = created({ metadata: { name: 'p1' }, spec: {} });
    s.canonicalize!(ns);
    expect(ns).toEqual({
      metadata: { name: 'p1', labels: { 'kubernetes.io/metadata.name': 'p1' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });
  it('keeps other finalizers and ignores a client-set status', () => {
    const ns = created({ metadata: { name: 'p1' }, spec: { finalizers: ['example.com/x'] }, status: { phase: 'Terminating' } });
    expect(ns.spec).toEqual({ finalizers: ['example.com/x', 'kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
  });
  it('overrides a wrong metadata.name label in canonicalize', () => {
    const ns: KubeObject = { metadata: { name: 'p1', labels: { 'kubernetes.io/metadata.name': 'other', a: 'b' } } };
    s.canonicalize!(ns);
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'p1', a: 'b' });
    expect(ns.spec).toEqual({});
    expect(ns.status).toEqual({});
  });
  it.each([
    [['example.com/something', 'example.com/other'], []],
    [['kubernetes'], []],
    [['Foo'], ['spec.finalizers: Invalid value: "Foo": name is neither a standard finalizer name nor is it fully qualified']],
    [['a/b/c'], ['spec.finalizers: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\') with an optional DNS subdomain prefix and \'/\' (e.g. \'example.com/MyName\')']],
  ])('validates spec.finalizers %j', (fins, want) => {
    expect(errs(s.validate({ metadata: { name: 'p1' }, spec: { finalizers: fins } }, c))).toEqual(want);
  });
  it('checks metadata.finalizers the way core validation does', () => {
    expect(errs(s.validate({ metadata: { name: 'p1', finalizers: ['foo', 'orphan', 'x.io/y'] } }, c))).toEqual([
      'metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

describe('namespaces: update', () => {
  const old: KubeObject = {
    metadata: { name: 'p1', resourceVersion: '5' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  };
  it('keeps spec.finalizers and status from the stored object', () => {
    const ns: KubeObject = { metadata: { name: 'p1', labels: { a: 'b' } }, spec: { finalizers: [] }, status: { phase: 'Terminating' } };
    s.prepareForUpdate!(ns, old, c);
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ a: 'b' });
  });
  it('status subresource keeps spec and checks the phase against deletionTimestamp', () => {
    const st = s.status!;
    const ns: KubeObject = { metadata: { name: 'p1' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } };
    st.prepareForUpdate(ns, old, c);
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(errs(st.validateUpdate(ns, old, c))).toEqual([
      'status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty',
    ]);
    expect(st.validateUpdate({ metadata: { name: 'p1' }, status: { phase: 'Active' } }, old, c)).toEqual([]);
    const deleting: KubeObject = { metadata: { name: 'p1', deletionTimestamp: ago(1) }, status: { phase: 'Active' } };
    expect(errs(st.validateUpdate(deleting, old, c))).toEqual([
      'status.Phase: Invalid value: "Active": may only be \'Terminating\' if `deletionTimestamp` is not empty',
    ]);
    deleting.status = { phase: 'Terminating' };
    expect(st.validateUpdate(deleting, old, c)).toEqual([]);
  });
  it('finalize subresource keeps status and validates finalizers with their index', () => {
    const ns: KubeObject = { metadata: { name: 'p1' }, spec: { finalizers: ['', 'foo.com/bar'] }, status: { phase: 'Terminating' } };
    namespaceFinalizeStrategy.prepareForUpdate(ns, old, c);
    expect(ns.status).toEqual({ phase: 'Active' });
    const e = errs(namespaceFinalizeStrategy.validateUpdate(ns, old, c));
    expect(e[0]).toBe('spec.finalizers[0]: Invalid value: "": name part must be non-empty');
    expect(e.at(-1)).toBe('spec.finalizers[0]: Invalid value: "": name is neither a standard finalizer name nor is it fully qualified');
    expect(namespaceFinalizeStrategy.validateUpdate({ metadata: {}, spec: { finalizers: ['foo.com/bar', 'what.com/bar'] } }, old, c)).toEqual([]);
  });
});

describe('namespaces: fields and table', () => {
  it('selects on status.phase', () => {
    expect(s.selectableFields!({ metadata: { name: 'p1' }, status: { phase: 'Terminating' } })).toEqual({ 'status.phase': 'Terminating' });
  });
  it('prints Name, Status, Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Status', 'Age']);
    expect(s.table!.columns[1]!.description).toBe('The status of the namespace');
    expect(s.table!.cells({ metadata: { name: 'p1', creationTimestamp: ago(3600 * 5 + 120) }, status: { phase: 'Active' } }, NOW))
      .toEqual(['p1', 'Active', '5h2m']);
  });
});
