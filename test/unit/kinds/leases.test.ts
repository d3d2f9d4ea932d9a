import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { leases } from '../../../src/registry/kinds/leases.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = leases.strategy;
const c = ctx('p1');
const lease = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'l', namespace: 'p1' }, spec });

describe('leases: API metadata', () => {
  it('matches kube discovery', () => {
    expect(leases).toMatchObject({
      group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', listKind: 'LeaseList',
      singularName: 'lease', shortNames: [], categories: [], namespaced: true, subresources: [],
      schemaName: 'io.k8s.api.coordination.v1.Lease',
      storage: { group: 'coordination.k8s.io', resource: 'leases', apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
    });
    expect(s.allowCreateOnUpdate).toBe(true);
    expect(s.allowUnconditionalUpdate).toBe(false);
  });
});

describe('leases: MicroTime fields', () => {
  it('normalises acquireTime/renewTime to UTC microseconds', () => {
    const o = lease({ renewTime: '2020-01-01T01:00:00.123456+01:00', acquireTime: null });
    s.applyDefaults!(o);
    s.canonicalize!(o);
    expect(o.spec).toEqual({ renewTime: '2020-01-01T00:00:00.123456Z' });
  });
  it.each([
    ['2020-01-01T00:00:00Z', 'cannot parse "Z" as ".000000"'],
    ['2020-01-01T00:00:00.123Z', 'cannot parse ".123Z" as ".000000"'],
  ])('rejects %s like kube (checked against v1.34)', (v, tail) => {
    expect(() => s.applyDefaults!(lease({ renewTime: v }))).toThrow(
      `Lease in version "v1" cannot be handled as a Lease: parsing time "${v}" as "2006-01-02T15:04:05.000000Z07:00": ${tail}`);
  });
});

describe('leases: validation', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['valid', { holderIdentity: 'h', leaseDurationSeconds: 15, leaseTransitions: 0 }, []],
    ['zero duration', { leaseDurationSeconds: 0 }, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']],
    ['negative transitions', { leaseTransitions: -1 }, ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0']],
    ['unknown strategy', { strategy: 'Foo' }, ['spec.strategy.strategy: Unsupported value: "Foo": supported values: "OldestEmulationVersion"']],
    ['preferredHolder without strategy', { preferredHolder: 'x' }, ['spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined']],
    ['custom strategy', { strategy: 'example.com/mine', preferredHolder: 'x' }, []],
  ])('%s', (_n, spec, want) => expect(errs(s.validate(lease(spec), c))).toEqual(want));

  it('drops strategy and preferredHolder on create (CoordinatedLeaderElection is off)', () => {
    const o = lease({ holderIdentity: 'h', leaseDurationSeconds: 15, strategy: 'OldestEmulationVersion', preferredHolder: 'x' });
    s.prepareForCreate!(o, c);
    expect(o.spec).toEqual({ holderIdentity: 'h', leaseDurationSeconds: 15 });
  });
  it('keeps them on update only when the stored lease has them', () => {
    const o = lease({ strategy: 'OldestEmulationVersion', preferredHolder: 'x' });
    s.prepareForUpdate!(o, lease({}), c);
    expect(o.spec).toEqual({});
    const o2 = lease({ strategy: 'OldestEmulationVersion', preferredHolder: 'x' });
    s.prepareForUpdate!(o2, lease({ strategy: 'OldestEmulationVersion', preferredHolder: 'y' }), c);
    expect(o2.spec).toEqual({ strategy: 'OldestEmulationVersion', preferredHolder: 'x' });
  });
  it('validates the spec on update', () => {
    expect(errs(s.validateUpdate(lease({ leaseDurationSeconds: -5 }), lease({}), c)))
      .toEqual(['spec.leaseDurationSeconds: Invalid value: -5: must be greater than 0']);
  });
});

describe('leases: canonical form and table', () => {
  it('always has a spec, in kube field order', () => {
    const o: KubeObject = { metadata: { name: 'l' } };
    s.canonicalize!(o);
    expect(o).toEqual({ metadata: { name: 'l' }, spec: {} });
    const o2 = lease({ renewTime: '2020-01-01T00:00:00.000000Z', holderIdentity: 'h', leaseTransitions: null });
    s.canonicalize!(o2);
    expect(Object.keys(o2.spec as object)).toEqual(['holderIdentity', 'renewTime']);
  });
  it('prints Name, Holder, Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Holder', 'Age']);
    expect(s.table!.cells({ ...lease({ holderIdentity: 'node-1' }), metadata: { name: 'l', creationTimestamp: ago(7200) } }, NOW))
      .toEqual(['l', 'node-1', '120m']);
    expect(s.table!.cells({ metadata: { name: 'l' } }, NOW)).toEqual(['l', '', '<unknown>']);
  });
});
