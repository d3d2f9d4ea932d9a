// The field manager of an endpoint as kube-apiserver stacks it (k8s.io/apimachinery@v0.34.10
// managedfields/internal: fieldmanager, versioncheck, lastappliedupdater, lastappliedmanager,
// skipnonapplied, capmanagers, buildmanagerinfo, managedfieldsupdater, stripmeta, structuredmerge)
// on kplane's real ConfigMap and Service schemas. Expected managedFields, errors and conflict texts
// are kube's: each scenario here was also run through apimachinery's own FieldManager.

import { describe, expect, it } from 'vitest';
import type { StatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { builtinResources } from '../../../src/registry/builtin.js';
import { fieldManagerFor } from '../../../src/fieldmanager/endpoint.js';
import { FieldManager, LAST_APPLIED, conflictError } from '../../../src/fieldmanager/fieldmanager.js';
import { fieldElement } from '../../../src/fieldmanager/fieldpath.js';
import type { ManagedFieldsEntry } from '../../../src/fieldmanager/managedfields.js';
import { atomOf } from '../../../src/fieldmanager/schema.js';
import { Conflicts } from '../../../src/fieldmanager/updater.js';
import { resolveSchema } from '../../../src/openapi/definitions.js';
import { K, P } from './helpers.js';

const typeOf = (group: string, resource: string) => builtinResources.find((t) => t.group === group && t.resource === resource)!;
const T0 = '2024-05-01T12:00:00Z';
const T1 = '2024-05-01T12:00:01Z';
const T2 = '2024-05-01T12:00:02Z';

/** One object and its writes, as kube's TestFieldManager keeps them (the live object is what a write returns). */
class Live {
  obj: KubeObject | undefined;
  constructor(readonly fm: FieldManager, obj?: KubeObject) {
    this.obj = obj && structuredClone(obj);
  }

  update(o: Record<string, unknown>, manager: string, now = T0): this {
    const obj = structuredClone(o) as KubeObject;
    this.fm.update(this.obj, obj, manager, now);
    this.obj = obj;
    return this;
  }

  apply(o: Record<string, unknown>, manager: string, force = false, now = T0): this {
    this.obj = this.fm.apply(this.obj, structuredClone(o) as KubeObject, manager, force, now);
    return this;
  }

  /** The error an apply fails with (the live object stays as it was). */
  applyError(o: Record<string, unknown>, manager: string, force = false): StatusError {
    const before = structuredClone(this.obj);
    let err: unknown;
    try {
      this.fm.apply(this.obj, structuredClone(o) as KubeObject, manager, force, T0);
    } catch (e) {
      err = e;
    }
    expect(this.obj).toEqual(before);
    expect(err, 'the apply should fail').toBeDefined();
    return err as StatusError;
  }

  get entries(): ManagedFieldsEntry[] {
    return (this.obj?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  }

  /** manager, operation, subresource and fieldsV1 of each entry, in order. */
  get summary(): string[] {
    return this.entries.map((e) => `${e.manager} ${e.operation}${e.subresource ? ` ${e.subresource}` : ''} ${JSON.stringify(e.fieldsV1)}`);
  }

  get object(): Record<string, unknown> {
    const o = structuredClone(this.obj) as KubeObject;
    if (o?.metadata) delete o.metadata.managedFields;
    return o as unknown as Record<string, unknown>;
  }
}

const cmFM = () => fieldManagerFor(typeOf('', 'configmaps'))!;
const svcFM = (sub = '') => fieldManagerFor(typeOf('', 'services'), sub)!;
const cm = (data: Record<string, unknown> | undefined, meta: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', ...meta }, ...(data ? { data } : {}) });
const svc = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'test', ...meta }, spec, ...extra });

describe('updates (managedfieldsupdater, buildmanagerinfo, stripmeta)', () => {
  it('a create records its writer as an Update manager of what it set, without the metadata nobody owns', () => {
    const l = new Live(cmFM()).update(cm({ a: '1', b: '2' }, { labels: { app: 'a' } }), 'kubectl-create');
    expect(l.entries).toEqual([{
      manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    }]);
    // Go's field order in each entry
    expect(Object.keys(l.entries[0]!)).toEqual(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  });

  it('a Service created with a port owns the list, the port by its port and defaulted protocol, not its status', () => {
    const l = new Live(svcFM()).update(svc({ ports: [{ port: 80, protocol: 'TCP' }] }, { labels: { a: 'b' } }, { status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } }), 'creator');
    expect(l.summary).toEqual([
      'creator Update {"f:metadata":{"f:labels":{".":{},"f:a":{}}},"f:spec":{"f:ports":{".":{},"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{},"f:protocol":{}}}}}',
    ]);
  });

  it('nobody owns apiVersion, kind, metadata itself, nor its name, namespace, uid, resourceVersion, generation, creationTimestamp, selfLink (stripmeta)', () => {
    const meta = { name: 'x', namespace: 'd', uid: 'u', resourceVersion: '3', generation: 2, creationTimestamp: '2024-01-01T00:00:00Z', selfLink: '/x', labels: { a: 'b' }, finalizers: ['f'], generateName: 'g' };
    const l = new Live(cmFM()).apply(cm({ k: 'v' }, meta), 'a');
    expect(l.summary).toEqual(['a Apply {"f:data":{"f:k":{}},"f:metadata":{"f:finalizers":{"v:\\"f\\"":{}},"f:generateName":{},"f:labels":{"f:a":{}}}}']);
    l.update(cm({ k: 'v' }, { ...meta, name: 'y', resourceVersion: '4', generation: 3, uid: 'v', annotations: { n: '1' } }), 'u');
    expect(l.summary[1]).toBe('u Update {"f:metadata":{"f:annotations":{".":{},"f:n":{}}}}');
  });

  it('an update that changes nothing changes no manager and no time', () => {
    const l = new Live(cmFM()).update(cm({ a: '1' }), 'm', T0);
    const before = structuredClone(l.entries);
    l.update(l.object, 'm', T1).update(l.object, 'other', T2);
    expect(l.entries).toEqual(before);
  });

  it('an update takes the fields it changes; the manager it took them from keeps its time and what it still owns', () => {
    const l = new Live(cmFM()).update(cm({ key_a: 'value', key_b: 'value' }), 'fieldmanager_a_test', T0)
      .update(cm({ key_a: 'value', key_b: 'new-value' }), 'fieldmanager_b_test', T1);
    expect(l.entries).toEqual([
      { manager: 'fieldmanager_a_test', operation: 'Update', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:key_a': {} } } },
      { manager: 'fieldmanager_b_test', operation: 'Update', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:key_b': {} } } },
    ]);
  });

  it('a manager that loses its last field is dropped; one that removes a field owns nothing of it', () => {
    const l = new Live(cmFM()).update(cm({ a: '1' }), 'first').update(cm({ a: '2' }), 'second').update(cm({}), 'third');
    // (first still owns the map it created)
    expect(l.summary).toEqual(['first Update {"f:data":{}}']);
  });

  it('an unnamed writer is "unknown"', () => {
    expect(new Live(cmFM()).update(cm({ a: '1' }), '').entries[0]!.manager).toBe('unknown');
  });

  it('an existing object nobody manages is not tracked by updates (skipnonapplied)', () => {
    const l = new Live(cmFM(), cm({ a: '1' }, { uid: 'u1' })).update(cm({ a: '1', b: '2' }, { uid: 'u1', labels: { x: 'y' } }), 'kubectl-edit');
    expect(l.obj!.metadata.managedFields).toBeUndefined();
  });

  it.each<[string, unknown]>([['[]', []], ['[{}]', [{}]]])('an update sending managedFields %s clears field management', (_name, mf) => {
    const l = new Live(cmFM()).update(cm({ a: '1' }, { uid: 'u1' }), 'creator');
    expect(l.entries.length).toBe(1);
    l.update({ ...cm({ a: '1', b: '2' }, { uid: 'u1', managedFields: mf }) }, 'resetter');
    expect(l.obj!.metadata.managedFields).toBeUndefined();
    // and a create that resets them is tracked from scratch
    const n = new Live(cmFM()).update(cm({ a: '1' }, { managedFields: mf }), 'creator');
    expect(n.summary).toEqual(['creator Update {"f:data":{".":{},"f:a":{}}}']);
  });

  it('managedFields an update sends replace the live ones; undecodable ones are ignored', () => {
    const l = new Live(cmFM()).update(cm({ a: '1' }), 'creator');
    const sent: ManagedFieldsEntry[] = [{ manager: 'other', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    l.update(cm({ a: '1', b: '2' }, { managedFields: sent }), 'writer');
    expect(l.summary).toEqual(['other Update {"f:data":{"f:a":{}}}', 'writer Update {"f:data":{"f:b":{}}}']);
    l.update(cm({ a: '1', b: '3' }, { managedFields: [{ manager: 'bogus', operation: 'Bad' }] }), 'writer');
    expect(l.summary).toEqual(['other Update {"f:data":{"f:a":{}}}', 'writer Update {"f:data":{"f:b":{}}}']);
  });

  it('a subresource write records the subresource, owns nothing its endpoint resets, and ignores managedFields sent to it', () => {
    const status = { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } };
    const l = new Live(svcFM()).update(svc({ ports: [{ port: 80, protocol: 'TCP' }] }, {}, { status }), 'creator');
    const sub = new Live(svcFM('status'), l.obj).update(svc({ ports: [{ port: 80, protocol: 'TCP' }], type: 'LoadBalancer' }, {}, {
      status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } },
    }), 'lb');
    expect(sub.summary).toEqual([
      'creator Update {"f:spec":{"f:ports":{".":{},"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{},"f:protocol":{}}}}}',
      'lb Update status {"f:status":{"f:loadBalancer":{"f:ingress":{}}}}',
    ]);
    sub.update(svc({ ports: [{ port: 80, protocol: 'TCP' }] }, { managedFields: [] }, { status: { loadBalancer: { ingress: [{ ip: '3.3.3.3' }] } } }), 'lb');
    expect(sub.summary.map((s) => s.split(' ')[0])).toEqual(['creator', 'lb']);
  });
});

describe('at most ten update managers (capmanagers)', () => {
  const e = (manager: string, apiVersion: string, hour: number, ...fields: string[]): ManagedFieldsEntry => ({
    manager, operation: 'Update', apiVersion, time: `2000-01-01T${String(hour).padStart(2, '0')}:00:00Z`, fieldsType: 'FieldsV1',
    fieldsV1: Object.fromEntries(fields.map((f) => [`f:${f}`, {}])),
  });
  const m = (i: number, v = 'v1') => e(`m${String(i).padStart(2, '0')}`, v, i, `f${String(i).padStart(2, '0')}`);
  const range = (a: number, b: number, v = 'v1') => Array.from({ length: b - a + 1 }, (_, i) => m(a + i, v));

  // TestCapUpdateManagers, with kube's limit of ten
  it.each<[string, ManagedFieldsEntry[], ManagedFieldsEntry[]]>([
    ['one version, no ancient changes', range(1, 11), [e('ancient-changes', 'v1', 2, 'f01', 'f02'), ...range(3, 11)]],
    ['one version, one ancient changes', [e('ancient-changes', 'v1', 2, 'f01', 'f02'), ...range(3, 12)],
      [e('ancient-changes', 'v1', 3, 'f01', 'f02', 'f03'), ...range(4, 12)]],
    ['two versions, no ancient changes', [e('m01', 'v1', 1, 'a'), e('m02', 'v2', 2, 'b'), ...range(3, 11)],
      [e('m02', 'v2', 2, 'b'), e('ancient-changes', 'v1', 3, 'a', 'f03'), ...range(4, 11)]],
    ['a version of its own each: nothing to merge', Array.from({ length: 11 }, (_, i) => m(i + 1, `v${i + 1}`)),
      Array.from({ length: 11 }, (_, i) => m(i + 1, `v${i + 1}`))],
  ])('%s', (_name, input, want) => {
    const o = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: 'u', managedFields: input } };
    const l = new Live(cmFM(), o).update(o, 'no-op-update');
    expect(l.entries).toEqual(want);
    // expectIdempotence
    l.update(l.obj as unknown as Record<string, unknown>, 'no-op-update');
    expect(l.entries).toEqual(want);
  });

  it('appliers do not count', () => {
    const applied = [1, 2, 3].map((i) => ({ ...e(`a${i}`, 'v1', i, `g${i}`), operation: 'Apply' }));
    const o = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: 'u', managedFields: [...applied, ...range(1, 10)] } };
    expect(new Live(cmFM(), o).update(o, 'no-op-update').entries.length).toBe(13);
  });

  it('TestCapManagersManagerMergesEntries: the oldest updaters merge into "ancient-changes"', () => {
    const l = new Live(cmFM());
    const labels: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) {
      labels[`l${String(i).padStart(2, '0')}`] = 'true';
      l.update(cm(undefined, { labels: { ...labels } }), `fieldmanager_test_update_${String(i).padStart(2, '0')}`, `2024-05-01T12:00:${String(i).padStart(2, '0')}Z`);
    }
    expect(l.entries.map((x) => x.manager)).toEqual(['ancient-changes', ...Array.from({ length: 9 }, (_, i) => `fieldmanager_test_update_${String(i + 4).padStart(2, '0')}`)]);
    expect(l.entries[0]).toMatchObject({ time: '2024-05-01T12:00:03Z', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:l01': {}, 'f:l02': {}, 'f:l03': {} } } } });
  });
});

describe('applies', () => {
  it('an apply that creates records only its applier (TestNoUpdateBeforeFirstApply)', () => {
    const l = new Live(cmFM()).apply(cm({ a: '1' }, { labels: { app: 'nginx' } }), 'fieldmanager_test_apply');
    expect(l.entries).toEqual([{
      manager: 'fieldmanager_test_apply', operation: 'Apply', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
    }]);
  });

  it('the first apply to an object nobody manages conflicts with "before-first-apply" (TestUpdateBeforeFirstApply)', () => {
    const l = new Live(cmFM(), cm({ a: '1' }, { uid: 'u1', labels: { app: 'a' } })).update(cm({ a: '1', b: '2' }, { uid: 'u1', labels: { app: 'b' } }), 'kubectl-edit');
    const applied = cm({ a: '1' }, { labels: { app: 'c' } });
    const err = l.applyError(applied, 'applier');
    expect(err.status).toMatchObject({
      code: 409, reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .metadata.labels.app',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "before-first-apply" using v1', field: '.metadata.labels.app' }] },
    });
    l.apply(applied, 'applier', true);
    expect(l.summary).toEqual([
      'applier Apply {"f:data":{"f:a":{}},"f:metadata":{"f:labels":{"f:app":{}}}}',
      'before-first-apply Update {"f:data":{".":{},"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{}}}',
    ]);
  });

  it('conflicts name every manager and field, in kube\'s texts', () => {
    const l = new Live(cmFM()).update(cm({ a: '1', b: '2' }, { labels: { app: 'a' } }), 'kubectl-create');
    expect(l.applyError(cm({ a: '3', c: '4' }), 'applier').status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using v1', field: '.data.a' }] },
    });
    const many = l.applyError(cm({ a: '3', b: '5' }, { labels: { app: 'b' } }), 'applier');
    expect(many.status.message).toBe('Apply failed with 3 conflicts: conflicts with "kubectl-create" using v1:\n- .data.a\n- .data.b\n- .metadata.labels.app');
    expect(many.status.details!.causes!.map((c) => c.field)).toEqual(['.data.a', '.data.b', '.metadata.labels.app']);
  });

  it('a forced apply takes the fields; their previous manager keeps the maps it created', () => {
    const l = new Live(cmFM()).update(cm({ a: '1', b: '2' }, { labels: { app: 'a' } }), 'kubectl-create')
      .apply(cm({ a: '3', b: '5' }, { labels: { app: 'b' } }), 'applier', true);
    expect(l.object).toEqual(cm({ a: '3', b: '5' }, { labels: { app: 'b' } }));
    expect(l.summary).toEqual([
      'applier Apply {"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}}}',
      'kubectl-create Update {"f:data":{},"f:metadata":{"f:labels":{}}}',
    ]);
  });

  it('conflicts with an applier, and with a subresource manager, read as kube prints them', () => {
    const l = new Live(svcFM()).apply(svc({ ports: [{ port: 443, targetPort: 1 }] }), 'kubectl');
    expect(l.applyError(svc({ ports: [{ port: 443, targetPort: 2 }] }), 'other').status.message)
      .toBe('Apply failed with 1 conflict: conflict with "kubectl": .spec.ports[port=443,protocol="TCP"].targetPort');
    const st = new Live(svcFM('status'), l.obj).update(svc({ ports: [{ port: 443, targetPort: 1 }] }, {}, { status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } } }), 'lb');
    expect(st.applyError(svc({}, {}, { status: { loadBalancer: { ingress: [{ ip: '3.3.3.3' }] } } }), 'lb-apply').status.message)
      .toBe('Apply failed with 1 conflict: conflict with "lb" with subresource "status" using v1: .status.loadBalancer.ingress');
  });

  it('an apply takes its applier\'s time only when it changes the object; taking fields over leaves the loser\'s time', () => {
    const l = new Live(cmFM()).apply(cm({ key_a: 'value', key_b: 'value' }), 'fieldmanager_a_test', true, T0);
    l.apply(cm({ key_a: 'value', key_b: 'value' }), 'fieldmanager_a_test', true, T1);
    expect(l.entries.map((e) => e.time)).toEqual([T0]);
    l.apply(cm({ key_b: 'new-value' }), 'fieldmanager_b_test', true, T2);
    expect(l.entries.map((e) => `${e.manager} ${e.time}`)).toEqual([`fieldmanager_a_test ${T0}`, `fieldmanager_b_test ${T2}`]);
    // a second applier of the same values shares them and gets no time
    l.apply(cm({ key_a: 'value' }), 'fieldmanager_c_test', false, T2);
    expect(l.entries.find((e) => e.manager === 'fieldmanager_c_test')!.time).toBeUndefined();
  });

  it('an apply that changes nothing returns a copy of the live object (TestNilNewObjectReplacedWithDeepCopyExcludingManagedFields)', () => {
    const l = new Live(cmFM()).apply(cm({ a: '1' }), 'm');
    const live = l.obj!;
    const out = cmFM().apply(live, structuredClone(cm({ a: '1' })) as KubeObject, 'm', false, T1);
    expect(out).not.toBe(live);
    expect(out).toEqual(live);
  });

  it('an applier that stops applying a field removes it unless someone else owns it', () => {
    const l = new Live(svcFM()).update(svc({ ports: [{ port: 80, protocol: 'TCP', name: 'a' }, { port: 80, protocol: 'TCP', name: 'b' }, { port: 81 }] }), 'creator');
    l.apply(svc({ type: 'ClusterIP' }), 'ap');
    // a duplicated item is owned as a whole: applying it conflicts, forcing replaces the duplicates
    expect(l.applyError(svc({ type: 'ClusterIP', ports: [{ port: 80, name: 'c' }] }), 'ap').status.message)
      .toBe('Apply failed with 1 conflict: conflict with "creator" using v1: .spec.ports[port=80,protocol="TCP"]');
    l.apply(svc({ type: 'ClusterIP', ports: [{ port: 80, name: 'c' }] }), 'ap', true);
    expect((l.object.spec as Record<string, unknown>).ports).toEqual([{ name: 'c', port: 80 }, { port: 81 }]);
    l.apply(svc({ ports: [{ port: 82 }] }), 'ap');
    expect(l.object.spec).toEqual({ ports: [{ port: 81 }, { port: 82 }] });
    expect(l.summary).toEqual([
      'ap Apply {"f:spec":{"f:ports":{"k:{\\"port\\":82,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}}}}}',
      'creator Update {"f:spec":{"f:ports":{".":{},"k:{\\"port\\":81,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}}}}}',
    ]);
  });

  it('what the endpoint resets is never owned and never conflicts', () => {
    const l = new Live(svcFM()).apply(svc({ type: 'NodePort' }, {}, { status: { loadBalancer: { ingress: [{ ip: '4.4.4.4' }] } } }), 'main');
    expect(l.summary).toEqual(['main Apply {"f:spec":{"f:type":{}}}']);
  });
});

describe('what an apply refuses', () => {
  const l = () => new Live(cmFM()).apply(cm({ k: 'v' }), 'a');

  it.each<[string, Record<string, unknown>, string]>([
    ['another version', { ...cm({ k: 'v' }), apiVersion: 'v2' }, 'invalid object type: /v2, Kind=ConfigMap'],
    ['another kind', { ...cm({ k: 'v' }), kind: 'Secret' }, 'invalid object type: /v1, Kind=Secret'],
    ['an apiVersion that does not parse', { ...cm({ k: 'v' }), apiVersion: 'a/b/c' }, 'invalid object type: /, Kind='],
    ['no apiVersion', { kind: 'ConfigMap', metadata: { name: 'x' } }, 'invalid object type: /, Kind=ConfigMap'],
  ])('%s: 400 (versioncheck)', (_name, o, message) => {
    expect(l().applyError(o, 'a').status).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it('accepts "/v1" as the core group\'s v1, as ParseGroupVersion reads it', () => {
    expect(l().apply({ ...cm({ k: 'v2' }), apiVersion: '/v1' }, 'a', true).object.data).toEqual({ k: 'v2' });
  });

  it.each<[string, unknown]>([['[]', []], ['[{}]', [{}]], ['an entry', [{ manager: 'm', operation: 'Apply' }]]])(
    'managedFields %s in the configuration: 400', (_name, mf) => {
      expect(l().applyError(cm({ k: 'v' }, { managedFields: mf }), 'a').status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'metadata.managedFields must be nil' });
    },
  );

  it('managedFields: null is no managedFields', () => {
    expect(l().apply(cm({ k: 'w' }, { managedFields: null }), 'a').object.data).toEqual({ k: 'w' });
  });

  it.each<[string, unknown, string]>([
    ['a string', 'x', '.metadata.managedFields: expected list, got &{x}'],
    ['a list of numbers', [1], '.metadata.managedFields[0]: expected map, got &{1}'],
    ['an entry of the wrong types', [{ manager: 5 }], '.metadata.managedFields[0].manager: expected string, got &value.valueUnstructured{Value:5}'],
  ])('managedFields that are not entries (%s) are a typed error', (_name, mf, detail) => {
    expect(l().applyError(cm({ k: 'v' }, { managedFields: mf }), 'a').status)
      .toMatchObject({ code: 500, message: `failed to create typed patch object (default/x; /v1, Kind=ConfigMap): ${detail}` });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a value of the wrong type', cm({ a: 1 }), 'failed to create typed patch object (default/x; /v1, Kind=ConfigMap): .data.a: expected string, got &value.valueUnstructured{Value:1}'],
    ['several errors', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 1, b: true }, spec: {} },
      'failed to create typed patch object (/x; /v1, Kind=ConfigMap): errors:\n  .data.a: expected string, got &value.valueUnstructured{Value:1}\n  .data.b: expected string, got &value.valueUnstructured{Value:true}\n  .spec: field not declared in schema'],
    ['duplicate finalizers', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', finalizers: ['a', 'a'] } },
      'failed to create typed patch object (/x; /v1, Kind=ConfigMap): .metadata.finalizers: duplicate entries for key [="a"]'],
    ['duplicate owner references', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: '1' }, { apiVersion: 'v1', kind: 'K', name: 'm', uid: '1' }] } },
      'failed to create typed patch object (/x; /v1, Kind=ConfigMap): .metadata.ownerReferences: duplicate entries for key [uid="1"]'],
  ])('%s: 500 with SMD\'s message', (_name, o, message) => {
    const err = l().applyError(o, 'a');
    expect(err.status).toMatchObject({ code: 500, message });
    expect(err.status.reason).toBeUndefined();
  });

  it('a live object whose managedFields do not decode: 500', () => {
    const live = new Live(cmFM(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: {} }] } });
    expect(live.applyError(cm({ k: 'v' }), 'a').status).toMatchObject({ code: 500, message: 'failed to decode managed fields: apiVersion must not be empty' });
  });
});

describe('kubectl\'s client-side apply upgrade (lastappliedmanager)', () => {
  const orig = svc({ ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 }], selector: { old: 'test' } });
  const withLastApplied = (o: Record<string, unknown>, lastApplied: unknown) => {
    const c = structuredClone(o) as { metadata: Record<string, unknown> };
    c.metadata.annotations = { ...(c.metadata.annotations as object), [LAST_APPLIED]: typeof lastApplied === 'string' ? lastApplied : JSON.stringify(lastApplied) };
    return c;
  };
  const created = (o = orig, lastApplied: unknown = orig) => new Live(svcFM()).update(withLastApplied(o, lastApplied), 'test_client_side_apply');
  const applied = svc({ ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8444 }], selector: { new: 'test' } });

  // TestServiceApply
  it.each([
    ['all accepted while using the same field manager', applied],
    ['allowed to remove selectors while using the same field manager', svc({ ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8444 }], selector: {} })],
  ])('kubectl: %s', (_name, o) => {
    const l = created().apply(o, 'kubectl');
    expect(l.object.spec).toEqual(o.spec);
  });

  it('another manager conflicts on everything the client-side applier set (the atomic selector as a whole)', () => {
    const err = created().applyError(applied, 'not_kubectl');
    expect(err.status.message).toBe('Apply failed with 2 conflicts: conflicts with "test_client_side_apply" using v1:\n- .spec.selector\n- .spec.ports[port=443,protocol="TCP"].targetPort');
    expect(err.status.details!.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "test_client_side_apply" using v1', field: '.spec.selector' },
      { reason: 'FieldManagerConflict', message: 'conflict with "test_client_side_apply" using v1', field: '.spec.ports[port=443,protocol="TCP"].targetPort' },
    ]);
  });

  it('kubectl still conflicts on fields that drifted from its last-applied configuration, or that it never applied', () => {
    const live = svc({ ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 9000 }], selector: { old: 'test' } }, { labels: { app: 'x' } });
    const l = created(live, orig);
    const want = svc({ ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8444 }], selector: { new: 'x' } }, { labels: { app: 'y' } });
    expect(l.applyError(want, 'kubectl').status.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "test_client_side_apply" using v1:\n- .metadata.labels.app\n- .spec.ports[port=443,protocol="TCP"].targetPort',
    );
    l.apply(want, 'kubectl', true);
    expect(l.object.spec).toEqual(want.spec);
  });

  it.each<[string, unknown]>([
    ['is not JSON', 'not json'],
    ['is of another version', { apiVersion: 'v2', kind: 'Service', spec: { selector: { old: 'test' } } }],
    ['does not fit the schema', { apiVersion: 'v1', kind: 'Service', spec: { selector: { old: 1 } } }],
  ])('no allowance when the last-applied configuration %s', (_name, lastApplied) => {
    expect(created(orig, lastApplied).applyError(applied, 'kubectl').status.details!.causes!.map((c) => c.field))
      .toEqual(['.spec.selector', '.spec.ports[port=443,protocol="TCP"].targetPort']);
  });
});

describe('the last-applied annotation of kubectl (lastappliedupdater)', () => {
  const base = (annotations: Record<string, string>) => cm({ a: '9' }, { annotations });

  it('only kubectl\'s applies rewrite it, with its configuration as sorted JSON and a newline, without the annotation itself (TestLastAppliedUpdater)', () => {
    const l = new Live(cmFM()).apply(base({ [LAST_APPLIED]: 'nonempty' }), 'NOT-KUBECTL');
    expect(l.obj!.metadata.annotations![LAST_APPLIED]).toBe('nonempty');
    l.apply(cm({ z: '1', '<&>': 'é\u2028' }, { annotations: { [LAST_APPLIED]: 'nonempty', other: 'o' }, labels: { z: '1', a: '2' } }), 'kubectl', true);
    expect(l.obj!.metadata.annotations![LAST_APPLIED]).toBe(
      '{"apiVersion":"v1","data":{"\\u003c\\u0026\\u003e":"é\\u2028","z":"1"},"kind":"ConfigMap","metadata":{"annotations":{"other":"o"},"labels":{"a":"2","z":"1"},"name":"x","namespace":"default"}}\n',
    );
  });

  it('kubectl does not add it to an object that has none', () => {
    expect(new Live(cmFM()).apply(cm({ a: '1' }), 'kubectl').obj!.metadata.annotations).toBeUndefined();
  });

  it('is dropped when the annotations would exceed 256 KiB, counted in bytes (TestLargeLastApplied)', () => {
    const l = new Live(cmFM()).apply(base({ [LAST_APPLIED]: 'x' }), 'kubectl');
    expect(l.obj!.metadata.annotations![LAST_APPLIED]).toMatch(/^\{"apiVersion"/);
    // 70000 two-byte characters, twice (the annotation and its copy in last-applied): over the limit in bytes only
    l.apply(base({ [LAST_APPLIED]: 'x', big: 'é'.repeat(70000) }), 'kubectl');
    expect(Object.keys(l.obj!.metadata.annotations!)).toEqual(['big']);
  });
});

describe('conflict errors (NewConflictError)', () => {
  it.each<[string, Array<[string, string[]]>, string, Array<[string, string]>]>([
    ['one conflict', [['{"manager":"foo","operation":"Update","apiVersion":"v1","time":"2001-02-03T04:05:06Z"}', ['spec', 'replicas']]],
      'Apply failed with 1 conflict: conflict with "foo" using v1 at 2001-02-03T04:05:06Z: .spec.replicas',
      [['conflict with "foo" using v1 at 2001-02-03T04:05:06Z', '.spec.replicas']]],
    ['two managers', [
      ['{"manager":"foo","operation":"Update","apiVersion":"v1","time":"2001-02-03T04:05:06Z"}', ['spec', 'replicas']],
      ['{"manager":"bar","operation":"Apply"}', ['metadata', 'labels', 'app']],
    ], 'Apply failed with 2 conflicts: conflicts with "bar":\n- .metadata.labels.app\nconflicts with "foo" using v1 at 2001-02-03T04:05:06Z:\n- .spec.replicas',
    [['conflict with "foo" using v1 at 2001-02-03T04:05:06Z', '.spec.replicas'], ['conflict with "bar"', '.metadata.labels.app']]],
    ['a subresource manager', [['{"manager":"foo","operation":"Update","subresource":"scale","apiVersion":"v1","time":"2001-02-03T04:05:06Z"}', ['spec', 'replicas']]],
      'Apply failed with 1 conflict: conflict with "foo" with subresource "scale" using v1 at 2001-02-03T04:05:06Z: .spec.replicas',
      [['conflict with "foo" with subresource "scale" using v1 at 2001-02-03T04:05:06Z', '.spec.replicas']]],
    ['a manager that is no identifier, and one with quotes', [['not json', ['a']], ['{"manager":"a\\"b\\u0001","operation":"Apply"}', ['b']]],
      'Apply failed with 2 conflicts: conflicts with "not json":\n- .a\nconflicts with "a\\"b\\x01":\n- .b',
      [['conflict with "not json"', '.a'], ['conflict with "a\\"b\\x01"', '.b']]],
  ])('%s', (_name, conflicts, message, causes) => {
    const err = conflictError(new Conflicts(conflicts.map(([manager, p]) => ({ manager, path: p.map((f) => fieldElement(f)) })))) as StatusError;
    expect(err.status.code).toBe(409);
    expect(err.status.reason).toBe('Conflict');
    expect(err.status.message).toBe(message);
    expect(err.status.details!.causes!.map((c) => [c.message, c.field])).toEqual(causes);
    expect(err.status.details!.causes!.every((c) => c.reason === 'FieldManagerConflict')).toBe(true);
  });

  it('prints keys of associative lists in paths', () => {
    const err = conflictError(new Conflicts([{ manager: '{"manager":"Bob","operation":"Apply"}', path: P('list', K({ key: 'a', id: 2 }), 'id') }])) as StatusError;
    expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "Bob": .list[id=2,key="a"].id');
  });

  it('passes other errors through', () => {
    const e = new Error('x');
    expect(conflictError(e)).toBe(e);
  });
});

describe('endpoints (GetResetFields, New())', () => {
  const reset = (group: string, resource: string, sub = '') => fieldManagerFor(typeOf(group, resource), sub)?.scope.resetFields?.toFieldsV1String();

  it.each<[string, string, string, string | undefined]>([
    ['', 'configmaps', '', undefined],
    ['', 'services', '', '{"f:status":{}}'],
    ['', 'services', 'status', '{"f:spec":{}}'],
    ['', 'namespaces', 'finalize', '{"f:status":{}}'],
    ['', 'resourcequotas', 'status', '{"f:spec":{}}'],
    ['certificates.k8s.io', 'certificatesigningrequests', '', '{"f:spec":{},"f:status":{}}'],
    ['certificates.k8s.io', 'certificatesigningrequests', 'status', '{"f:spec":{},"f:status":{"f:conditions":{}}}'],
    ['certificates.k8s.io', 'certificatesigningrequests', 'approval', '{"f:spec":{},"f:status":{"f:certificate":{}}}'],
    ['apiextensions.k8s.io', 'customresourcedefinitions', 'status', '{"f:metadata":{},"f:spec":{}}'],
    ['admissionregistration.k8s.io', 'validatingadmissionpolicies', 'status', '{"f:metadata":{},"f:spec":{}}'],
  ])('%s %s %s resets %s', (group, resource, sub, want) => {
    expect(reset(group, resource, sub)).toBe(want);
  });

  it('compares a create with the kind\'s empty object, whose struct fields are present (a Service\'s spec is not "added")', () => {
    expect(svcFM().scope.zero()).toEqual({ metadata: {}, spec: {}, status: { loadBalancer: {} } });
    expect(cmFM().scope.zero()).toEqual({ metadata: {} });
    const l = new Live(svcFM()).update(svc({ type: 'ClusterIP' }), 'creator');
    expect(l.summary).toEqual(['creator Update {"f:spec":{"f:type":{}}}']);
  });

  it('is built once per type and subresource', () => {
    expect(fieldManagerFor(typeOf('', 'services'), 'status')).toBe(fieldManagerFor(typeOf('', 'services'), 'status'));
    expect(fieldManagerFor(typeOf('', 'services'))).not.toBe(fieldManagerFor(typeOf('', 'services'), 'status'));
  });

  it('a ServiceAccount\'s secrets are keyed by name and owned whole (ObjectReference is atomic)', () => {
    const sa = new FieldManager({
      apiVersion: 'v1', kind: 'ServiceAccount', subresource: '', atom: atomOf(resolveSchema('io.k8s.api.core.v1.ServiceAccount')),
      zero: () => ({ metadata: {} }) as KubeObject,
    });
    const l = new Live(sa).apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 's1', namespace: 'n' }], imagePullSecrets: [{ name: 'p' }] }, 'a');
    expect(l.summary).toEqual(['a Apply {"f:imagePullSecrets":{},"f:secrets":{"k:{\\"name\\":\\"s1\\"}":{}}}']);
    expect(l.applyError({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 's1', namespace: 'm' }] }, 'b').status.message)
      .toBe('Apply failed with 1 conflict: conflict with "a": .secrets[name="s1"]');
  });
});
