import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { limitranges } from '../../../src/registry/kinds/limitranges.js';
import { ctx, errs } from './helpers.js';

const s = limitranges.strategy;
const c = ctx('foo');
const lr = (...limits: Record<string, unknown>[]): KubeObject => ({ metadata: { name: 'abc', namespace: 'foo' }, spec: { limits } });
function decoded(o: KubeObject): KubeObject {
  s.applyDefaults!(o);
  return o;
}
const check = (o: KubeObject): string[] => errs(s.validate(decoded(o), c));

describe('limitranges: API metadata', () => {
  it('matches kube discovery; no printer', () => {
    expect(limitranges).toMatchObject({
      group: '', version: 'v1', resource: 'limitranges', kind: 'LimitRange', listKind: 'LimitRangeList',
      singularName: 'limitrange', shortNames: ['limits'], categories: [], namespaced: true, subresources: [],
      schemaName: 'io.k8s.api.core.v1.LimitRange',
    });
    expect(s.allowCreateOnUpdate).toBe(true);
    expect(s.allowUnconditionalUpdate).toBe(true);
    expect(s.table).toBeUndefined();
  });
});

describe('limitranges: defaults and canonical form', () => {
  it('container defaults come from max, default requests from default then min', () => {
    const o = decoded(lr({ type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' } }));
    s.canonicalize!(o);
    expect(o.spec).toEqual({ limits: [{ type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' }, default: { cpu: '1' }, defaultRequest: { cpu: '1', memory: '10Mi' } }] });
    expect(Object.keys((o.spec as { limits: object[] }).limits[0]!)).toEqual(['type', 'max', 'min', 'default', 'defaultRequest']);
  });
  it('only Container items are defaulted', () => {
    expect(decoded(lr({ type: 'Pod', max: { cpu: '1' } })).spec).toEqual({ limits: [{ type: 'Pod', max: { cpu: '1' } }] });
  });
  it('quantities are canonicalised and rounded up to milli units', () => {
    const o = decoded(lr({ type: 'Pod', max: { cpu: '0.0001', memory: '1024Mi', x: 2 }, min: { cpu: '1.5' } }));
    expect(o.spec).toEqual({ limits: [{ type: 'Pod', max: { cpu: '1m', memory: '1Gi', x: '2' }, min: { cpu: '1500m' } }] });
  });
  it('rejects non-quantities like kube\'s decoder', () => {
    expect(() => decoded(lr({ type: 'Pod', max: { cpu: '1x' } }))).toThrow(
      'LimitRange in version "v1" cannot be handled as a LimitRange: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'');
  });
  it('an empty spec serialises limits: null', () => {
    const o: KubeObject = { metadata: { name: 'x' }, spec: {} };
    s.canonicalize!(o);
    expect(o.spec).toEqual({ limits: null });
  });
  it('gives a nameless LimitRange a random name', () => {
    const o: KubeObject = { metadata: {}, spec: {} };
    s.prepareForCreate!(o, c);
    expect(o.metadata.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('limitranges: validation', () => {
  it('accepts kube\'s all-fields-valid example', () => {
    expect(check(lr(
      { type: 'Pod', max: { cpu: '100m', memory: '10000Mi' }, min: { cpu: '5m', memory: '100Mi' }, maxLimitRequestRatio: { cpu: '10' } },
      { type: 'Container', max: { cpu: '100m', memory: '10000Mi' }, min: { cpu: '5m', memory: '100Mi' }, default: { cpu: '50m', memory: '500Mi' },
        defaultRequest: { cpu: '10m', memory: '200Mi' }, maxLimitRequestRatio: { cpu: '10' } },
      { type: 'PersistentVolumeClaim', max: { storage: '10Gi' }, min: { storage: '5Gi' } },
    ))).toEqual([]);
  });
  it('reports what kube-apiserver reports (checked against v1.34)', () => {
    expect(check(lr(
      { type: 'Container', max: { cpu: '100m' }, min: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '3' } },
      { type: 'Pod', default: { cpu: '1' } },
      { type: 'PersistentVolumeClaim' },
      { type: 'foo' },
    ))).toEqual([
      'spec.limits[0].min[cpu]: Invalid value: "200m": min value 200m is greater than max value 100m',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "100m": min value 200m is greater than default request value 100m',
      'spec.limits[0].default[cpu]: Invalid value: "200m": min value 200m is greater than default value 100m',
      'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "3": ratio 3 is greater than max/min = 0.500000',
      "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'",
      'spec.limits[2].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
      'spec.limits[3].type: Invalid value: "foo": must be a standard limit type or fully qualified',
    ]);
  });
  it.each<[string, Record<string, unknown>, string[]]>([
    ['default outside range', { type: 'Container', max: { cpu: '1' }, default: { cpu: '2' }, defaultRequest: { cpu: '1' } },
      ['spec.limits[0].default[cpu]: Invalid value: "1": default value 2 is greater than max value 1']],
    ['default request outside range', { type: 'Container', max: { cpu: '1' }, default: { cpu: '1' }, defaultRequest: { cpu: '2' } },
      ['spec.limits[0].defaultRequest[cpu]: Invalid value: "2": default request value 2 is greater than max value 1',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: "2": default request value 2 is greater than default limit value 1']],
    ['ratio below 1', { type: 'Pod', maxLimitRequestRatio: { cpu: '800m' } },
      ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "800m": ratio 800m is less than 1']],
    ['ratio above max/min', { type: 'Container', max: { memory: '2Gi' }, min: { memory: '512Mi' }, maxLimitRequestRatio: { memory: '10' } },
      ['spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: "10": ratio 10 is greater than max/min = 4.000000']],
    ['duplicate type', { type: 'Pod' }, []],
    ['bad resource names', { type: 'Pod', max: { foo: '1', 'example.com/gpu': '1', 'kubernetes.io/x': '1' } }, [
      'spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource for containers',
    ]],
    ['hugepages may not overcommit', { type: 'Container', default: { 'hugepages-2Mi': '4Mi' }, defaultRequest: { 'hugepages-2Mi': '2Mi' } },
      ['spec.limits[0].defaultRequest[hugepages-2Mi]: Invalid value: "2Mi": default value 4Mi must equal to defaultRequest value 2Mi in hugepages-2Mi']],
    ['PVC type may use other names', { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '1Gi', 'example.com/x': '1' } }, []],
  ])('%s', (_n, item, want) => {
    expect(check(lr(item))).toEqual(want);
  });
  it('reports duplicate types', () => {
    expect(check(lr({ type: 'Pod' }, { type: 'Pod' }))).toEqual(['spec.limits[1].type: Duplicate value: "Pod"']);
  });
  it('validates the same on update', () => {
    expect(errs(s.validateUpdate(decoded(lr({ type: 'foo' })), lr(), c))).toEqual([
      'spec.limits[0].type: Invalid value: "foo": must be a standard limit type or fully qualified',
    ]);
  });
});
