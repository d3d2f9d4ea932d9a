import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { resourcequotas } from '../../../src/registry/kinds/resourcequotas.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = resourcequotas.strategy;
const c = ctx('p1');
const rq = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject =>
  ({ metadata: { name: 'q', namespace: 'p1', resourceVersion: '7' }, spec, ...extra });
function decoded(o: KubeObject): KubeObject {
  s.applyDefaults!(o);
  return o;
}
const check = (o: KubeObject): string[] => errs(s.validate(decoded(o), c));

describe('resourcequotas: API metadata', () => {
  it('matches kube discovery', () => {
    expect(resourcequotas).toMatchObject({
      group: '', version: 'v1', resource: 'resourcequotas', kind: 'ResourceQuota', listKind: 'ResourceQuotaList',
      singularName: 'resourcequota', shortNames: ['quota'], categories: [], namespaced: true, subresources: ['status'],
      schemaName: 'io.k8s.api.core.v1.ResourceQuota',
    });
    expect(s.allowCreateOnUpdate).toBe(false);
    expect(s.allowUnconditionalUpdate).toBe(true);
  });
});

describe('resourcequotas: create', () => {
  it('clears status, canonicalises quantities and serialises like kube', () => {
    const o = decoded(rq({ hard: { cpu: '100m', 'limits.memory': '1024Mi', pods: 10 } }, { status: { used: { cpu: '1' } } }));
    s.prepareForCreate!(o, c);
    s.canonicalize!(o);
    expect(o.spec).toEqual({ hard: { cpu: '100m', 'limits.memory': '1Gi', pods: '10' } });
    expect(o.status).toEqual({});
  });
  it('writes ResourceList keys sorted, keeps canonical client text (checked against v1.34)', () => {
    const o = decoded(rq({ hard: { 'requests.cpu': '1e3', memory: '1000000000', pods: '1k', 'services.nodeports': '0' } }));
    s.canonicalize!(o);
    expect(JSON.stringify(o.spec)).toBe('{"hard":{"memory":"1G","pods":"1k","requests.cpu":"1e3","services.nodeports":"0"}}');
  });
  it('rejects non-quantities like kube\'s decoder', () => {
    expect(() => decoded(rq({ hard: { cpu: '1x' } }))).toThrow(
      'ResourceQuota in version "v1" cannot be handled as a ResourceQuota: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'');
  });
  it('reports what kube-apiserver reports (checked against v1.34)', () => {
    expect(check(rq({ hard: { cpu: '0.0001', pods: '1.5', foo: '1' }, scopes: ['BestEffort', 'NotBestEffort'] }))).toEqual([
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
      'spec.hard[pods]: Invalid value: "1500m": must be an integer',
      'spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: unsupported scope applied to resource',
      'spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: conflicting scopes',
    ]);
  });
  it.each<[string, Record<string, unknown>, string[]]>([
    ['valid', { hard: { cpu: '100', memory: '10000', pods: '10', services: '0', 'requests.storage': '10Gi', 'example.com/dongle': '5' } }, []],
    ['negative', { hard: { cpu: '-1' } }, ['spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    ['extended resources are integers', { hard: { 'example.com/dongle': '500m' } }, ['spec.hard[example.com/dongle]: Invalid value: "500m": must be an integer']],
    ['hugepages are standard', { hard: { 'requests.hugepages-2Mi': '10Mi' } }, []],
    ['unsupported scope', { scopes: ['Foo'] }, ['spec.scopes: Invalid value: ["Foo"]: unsupported scope']],
    ['terminating scopes conflict', { scopes: ['Terminating', 'NotTerminating'] }, ['spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes']],
    ['scope not valid for the resource', { hard: { configmaps: '1' }, scopes: ['Terminating'] }, ['spec.scopes: Invalid value: ["Terminating"]: unsupported scope applied to resource']],
    ['scope selector operators', { scopeSelector: { matchExpressions: [
      { scopeName: 'BestEffort', operator: 'In', values: ['x'] },
      { scopeName: 'PriorityClass', operator: 'In' },
      { scopeName: 'PriorityClass', operator: 'Exists', values: ['x'] },
      { scopeName: 'Bogus', operator: 'Foo' },
    ] } }, [
      "spec.scopeSelector.matchExpressions.operator: Invalid value: \"In\": must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
      "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
      "spec.scopeSelector.matchExpressions.values: Invalid value: [\"x\"]: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
      'spec.scopeSelector.matchExpressions.scopeName: Invalid value: "Bogus": unsupported scope',
      'spec.scopeSelector.matchExpressions.operator: Invalid value: "Foo": not a valid selector operator',
    ]],
    ['scope selector not valid for the resource', { hard: { secrets: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'Terminating', operator: 'Exists' }] } }, [
      'spec.scopeSelector.matchExpressions: Invalid value: {"MatchExpressions":[{"ScopeName":"Terminating","Operator":"Exists","Values":null}]}: unsupported scope applied to resource',
    ]],
  ])('%s', (_n, spec, want) => expect(check(rq(spec))).toEqual(want));
});

describe('resourcequotas: update', () => {
  it('keeps status from the stored object', () => {
    const old = rq({ hard: { cpu: '1' } }, { status: { hard: { cpu: '1' } } });
    const o = rq({ hard: { cpu: '2' } }, { status: { hard: { cpu: '5' } } });
    s.prepareForUpdate!(o, old, c);
    expect(o.status).toEqual({ hard: { cpu: '1' } });
  });
  it('scopes are immutable', () => {
    const old = rq({ scopes: ['BestEffort'] });
    expect(errs(s.validateUpdate(rq({ scopes: ['NotBestEffort'] }), old, c))).toEqual([
      'spec.scopes: Invalid value: ["NotBestEffort"]: field is immutable',
    ]);
    expect(errs(s.validateUpdate(rq({}), old, c))).toEqual(['spec.scopes: Invalid value: null: field is immutable']);
    expect(s.validateUpdate(rq({ scopes: ['BestEffort'], hard: { pods: '3' } }), old, c)).toEqual([]);
  });
  it('status subresource keeps spec and validates status', () => {
    const st = s.status!;
    const old = rq({ hard: { cpu: '1' } });
    const o = decoded(rq({ hard: { cpu: '9' } }, { status: { hard: { cpu: '1' }, used: { pods: '0.5', foo: '1' } } }));
    st.prepareForUpdate(o, old, c);
    expect(o.spec).toEqual({ hard: { cpu: '1' } });
    expect(errs(st.validateUpdate(o, old, c))).toEqual([
      'status.used[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'status.used[foo]: Invalid value: "foo": must be a standard resource for quota',
      'status.used[pods]: Invalid value: "500m": must be an integer',
    ]);
    o.metadata.resourceVersion = '';
    expect(errs(st.validateUpdate(o, old, c))[0]).toBe('resourceVersion: Required value');
  });
});

describe('resourcequotas: table', () => {
  it('prints Name, Request, Limit, Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Request', 'Limit', 'Age']);
    const o = rq({}, { metadata: { name: 'q3', creationTimestamp: ago(30) },
      status: { hard: { cpu: '100m', 'limits.memory': '1Gi', pods: '10' }, used: { cpu: '50m' } } });
    expect(s.table!.cells(o, NOW)).toEqual(['q3', 'cpu: 50m/100m, pods: 0/10', 'limits.memory: 0/1Gi', '30s']);
    expect(s.table!.cells(rq({}, { metadata: { name: 'e' } }), NOW)).toEqual(['e', '', '', '<unknown>']);
  });
});
