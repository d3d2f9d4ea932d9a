import { describe, expect, it } from 'vitest';

import { isStatusError } from '../../../src/apimachinery/errors.js';
import {
  compareGoStrings, decodeMessage, decodeWellKnown, encodeMessage, encodeWellKnown, parseRFC3339, validateTables,
} from '../../../src/protobuf/codec.js';
import {
  decodeObject, decodeWatchEvent, encodeList, encodeObject, encodeStatus, encodeWatchEvent, isProtobufMediaType,
  PROTOBUF_MAGIC, protobufKinds, splitFrames, supportsKind, WatchStreamDecoder,
} from '../../../src/protobuf/index.js';
import { ALL_MESSAGES } from '../../../src/protobuf/messages.js';
import { frame, Reader, varintToInt32, varintToInt64, Writer } from '../../../src/protobuf/wire.js';
import { GOLDEN } from './golden.js';

type Obj = Record<string, any>;
const ctx = { decodeEmbedded: (raw: Uint8Array): unknown => decodeObject(raw).object };
const roundTrip = (obj: Obj): Obj => decodeObject(encodeObject(obj)).object;
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** field number -> values, for asserting on encoded bytes. */
function fieldsOf(bytes: Uint8Array): Map<number, (number | Buffer)[]> {
  const r = new Reader(bytes);
  const out = new Map<number, (number | Buffer)[]>();
  while (!r.done) {
    const f = r.field();
    const v = f.wireType === 0 ? varintToInt64(f.value) : Buffer.from(f.value as Uint8Array);
    out.set(f.no, [...(out.get(f.no) ?? []), v]);
  }
  return out;
}

function statusOf(fn: () => unknown): Obj {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return e.status as unknown as Obj;
    throw e;
  }
  throw new Error('no error');
}

describe('protobuf tables', () => {
  it('resolve every message reference; field numbers and JSON names are unique per message', () => {
    validateTables();
    for (const [name, fields] of Object.entries(ALL_MESSAGES)) {
      expect(new Set(fields.map((f) => f[0])).size, name).toBe(fields.length);
      expect(new Set(fields.map((f) => f[1])).size, name).toBe(fields.length);
    }
  });

  it('cover every served kind and its list', () => {
    const kinds = protobufKinds().map((k) => `${k.apiVersion} ${k.kind}`);
    for (const k of [
      'v1 Namespace', 'v1 NamespaceList', 'v1 ConfigMap', 'v1 Secret', 'v1 ServiceAccount', 'v1 Event', 'v1 LimitRange',
      'v1 ResourceQuotaList', 'events.k8s.io/v1 Event', 'events.k8s.io/v1 EventList', 'coordination.k8s.io/v1 Lease',
      'rbac.authorization.k8s.io/v1 Role', 'rbac.authorization.k8s.io/v1 ClusterRole', 'rbac.authorization.k8s.io/v1 RoleBinding',
      'rbac.authorization.k8s.io/v1 ClusterRoleBindingList',
    ]) expect(kinds).toContain(k);
  });
});

describe('supportsKind / media types', () => {
  it.each([
    ['v1', 'ConfigMap', true], ['v1', 'ConfigMapList', true], ['v1', 'Status', true], ['v1', 'DeleteOptions', true],
    ['rbac.authorization.k8s.io/v1', 'DeleteOptions', true], ['meta.k8s.io/v1', 'DeleteOptions', true],
    ['meta.k8s.io/v1', 'PartialObjectMetadata', true], ['meta.k8s.io/v1', 'PartialObjectMetadataList', true],
    ['v1', 'PartialObjectMetadata', false], ['meta.k8s.io/v1', 'Table', false], ['v1', 'Lease', false],
    ['coordination.k8s.io/v1', 'Lease', true], ['events.k8s.io/v1', 'Event', true], ['apps/v1', 'Deployment', false],
    ['tenancy.kplane.io/v1alpha1', 'Workspace', false], ['v1', 'Pod', false], ['v1', 'List', false], ['v1', 'toString', false],
  ])('%s %s -> %s', (apiVersion, kind, want) => {
    expect(supportsKind(apiVersion, kind)).toBe(want);
  });

  it('recognises protobuf media types', () => {
    expect(isProtobufMediaType('application/vnd.kubernetes.protobuf')).toBe(true);
    expect(isProtobufMediaType('Application/Vnd.Kubernetes.Protobuf; charset=utf-8')).toBe(true);
    expect(isProtobufMediaType('application/vnd.kubernetes.protobuf;stream=watch')).toBe(true);
    expect(isProtobufMediaType('application/json')).toBe(false);
  });
});

describe('golden responses from kube-apiserver', () => {
  for (const [name, g] of Object.entries(GOLDEN)) {
    it(`${name}: decodes to kube's JSON and encodes back to kube's bytes`, () => {
      const bytes = hex(g.hex);
      const d = decodeObject(bytes);
      expect(d.object).toEqual(g.json);
      expect(JSON.stringify(d.object)).toBe(JSON.stringify(g.json));
      const again = g.json.kind === 'Status' ? encodeStatus(g.json) : encodeObject(g.json);
      expect(again.toString('hex')).toBe(g.hex);
    });
  }
});

describe('envelope', () => {
  it('is magic + Unknown{typeMeta, raw, "" , ""}', () => {
    const b = encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect([...b.subarray(0, 4)]).toEqual([...PROTOBUF_MAGIC]);
    const u = fieldsOf(b.subarray(4));
    const tm = fieldsOf(u.get(1)![0] as Buffer);
    expect(tm.get(1)![0]!.toString()).toBe('v1');
    expect(tm.get(2)![0]!.toString()).toBe('ConfigMap');
    expect(u.get(3)).toEqual([Buffer.alloc(0)]);
    expect(u.get(4)).toEqual([Buffer.alloc(0)]);
  });

  it('ignores contentEncoding/contentType and unknown envelope fields', () => {
    const raw = encodeMessage('core.ConfigMap', { metadata: { name: 'x' } });
    const w = new Writer();
    const tm = new Writer();
    tm.string(1, 'v1');
    tm.string(2, 'ConfigMap');
    w.bytes(1, tm.finish());
    w.bytes(2, raw);
    w.string(3, 'gzip');
    w.string(4, 'application/vnd.kubernetes.protobuf');
    w.varintField(9, 5);
    const d = decodeObject(Buffer.concat([PROTOBUF_MAGIC, w.finish()]));
    expect(d.object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x' } });
  });

  it('defaults a missing kind/apiVersion from the expected kind', () => {
    const w = new Writer();
    w.bytes(2, encodeMessage('core.Secret', { metadata: { name: 's' }, type: 'Opaque' }));
    const body = Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
    expect(decodeObject(body, { apiVersion: 'v1', kind: 'Secret' }).object).toEqual({
      kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, type: 'Opaque',
    });
    expect(statusOf(() => decodeObject(body)).message).toBe(
      `the object provided is unrecognized (must be of type ): Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:""}' (${body.subarray(0, 30).toString('hex')} ...)`,
    );
  });
});

describe('decode errors are 400s worded as kube words them', () => {
  const into = { apiVersion: 'v1', kind: 'ConfigMap' };
  const env = (apiVersion: string, kind: string, raw: Uint8Array): Buffer => {
    const tm = new Writer();
    tm.string(1, apiVersion);
    tm.string(2, kind);
    const w = new Writer();
    w.bytes(1, tm.finish());
    w.bytes(2, raw);
    return Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
  };
  it.each([
    ['empty', Buffer.alloc(0), 'the object provided is unrecognized (must be of type ConfigMap): empty data (<empty>)'],
    ['magic only', Buffer.from(PROTOBUF_MAGIC), 'the object provided is unrecognized (must be of type ConfigMap): empty body (6b387300)'],
    ['JSON', Buffer.from('{"kind":"ConfigMap"}'), 'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"ConfigMap"})'],
    ['unknown kind', env('v1', 'Gizmo', new Uint8Array(0)), 'Gizmo in version "v1" cannot be handled as a ConfigMap: no kind "Gizmo" is registered for version "v1" in scheme "pkg/runtime/scheme.go:110"'],
    ['group kind in core', env('v1', 'Role', new Uint8Array(0)), 'Role in version "v1" cannot be handled as a ConfigMap: no kind "Role" is registered for version "v1" in scheme "pkg/runtime/scheme.go:110"'],
    ['wrong wire type', env('v1', 'ConfigMap', hex('0801')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field ObjectMeta'],
    ['wrong wire type, nested', env('v1', 'ConfigMap', hex('0a02 1001')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field GenerateName'],
    ['wrong wire type, bool', env('v1', 'ConfigMap', hex('2200')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 2 for field Immutable'],
    ['truncated', env('v1', 'ConfigMap', hex('0a05 0a')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF'],
    ['end group', env('v1', 'ConfigMap', hex('0c')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: ConfigMap: wiretype end group for non-group'],
    ['field zero', env('v1', 'ConfigMap', hex('0200')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: ConfigMap: illegal tag 0 (wire type 2)'],
    ['overflow', env('v1', 'ConfigMap', hex('20 ffffffffffffffffffff01')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: integer overflow'],
    ['negative length', env('v1', 'ConfigMap', hex('0a ffffffffffffffffff01')), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: negative length found during unmarshaling'],
  ])('%s', (_t, body, message) => {
    expect(statusOf(() => decodeObject(body, into))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400,
    });
  });

  it('summarises long binary bodies as hex, 30 bytes', () => {
    const body = Buffer.concat([Buffer.from('nope'), Buffer.alloc(40, 1)]);
    expect(statusOf(() => decodeObject(body, into)).message).toBe(
      `the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6e6f7065${'01'.repeat(26)} ...)`,
    );
  });
});

describe('JSON shape of decoded objects (omitempty, null, zero values)', () => {
  it('drops empty maps and lists with omitempty, keeps null for the others, [] for list items', () => {
    expect(roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: {}, finalizers: [] }, data: {} }))
      .toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a' } });
    expect(roundTrip({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ verbs: [] }] }))
      .toEqual({ kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r' }, rules: [{ verbs: null }] });
    expect(roundTrip({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [] } }))
      .toEqual({ kind: 'LimitRange', apiVersion: 'v1', metadata: { name: 'l' }, spec: { limits: null } });
    expect(roundTrip({ apiVersion: 'v1', kind: 'SecretList', metadata: {}, items: [] }))
      .toEqual({ kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: [] });
  });

  it('prints non-omitempty strings and structs even when empty', () => {
    expect(roundTrip({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' } })).toEqual({
      kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'b' }, roleRef: { apiGroup: '', kind: '', name: '' },
    });
    expect(roundTrip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }))
      .toEqual({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n' }, spec: {}, status: {} });
  });

  it('zero Times: omitzero creationTimestamp dropped, other Times null, pointer Times only when set', () => {
    const ev = roundTrip({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', creationTimestamp: null }, involvedObject: {} });
    expect(ev).toEqual({
      kind: 'Event', apiVersion: 'v1', metadata: { name: 'e' }, involvedObject: {}, source: {},
      firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '',
    });
    const ev2 = roundTrip({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, series: { count: 0 } });
    expect(ev2).toEqual({
      kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name: 'e' }, eventTime: null, series: { count: 0, lastObservedTime: null },
      regarding: {}, deprecatedSource: {}, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null,
    });
    expect(roundTrip({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: {} }).spec).toEqual({});
  });

  it('pointer scalars keep zero values when set', () => {
    const lease = roundTrip({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', deletionGracePeriodSeconds: 0 },
      spec: { holderIdentity: '', leaseDurationSeconds: 0, leaseTransitions: 0 },
    });
    expect(lease.metadata).toEqual({ name: 'l', deletionGracePeriodSeconds: 0 });
    expect(lease.spec).toEqual({ holderIdentity: '', leaseDurationSeconds: 0, leaseTransitions: 0 });
    const cm = roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ownerReferences: [{ controller: false }] }, immutable: false });
    expect(cm.immutable).toBe(false);
    expect(cm.metadata.ownerReferences).toEqual([{ apiVersion: '', kind: '', name: '', uid: '', controller: false }]);
  });

  it('negative and large integers', () => {
    const cm = roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generation: 2 ** 53 - 1, deletionGracePeriodSeconds: -30 } });
    expect(cm.metadata.generation).toBe(2 ** 53 - 1);
    expect(cm.metadata.deletionGracePeriodSeconds).toBe(-30);
    const ev = roundTrip({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: {}, count: -2147483648 });
    expect(ev.count).toBe(-2147483648);
    // Go writes negative int32s as ten-byte sign-extended varints.
    const raw = encodeMessage('core.EventSeries', { count: -1 });
    expect(raw.subarray(0, 11).toString('hex')).toBe('08ffffffffffffffffff01');
    const list = roundTrip({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { remainingItemCount: 2 ** 40 + 3 }, items: [] });
    expect(list.metadata.remainingItemCount).toBe(2 ** 40 + 3);
    const st = roundTrip({ apiVersion: 'v1', kind: 'Status', metadata: {}, code: -1, details: { retryAfterSeconds: 2147483647 } });
    expect(st).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, code: -1, details: { retryAfterSeconds: 2147483647 } });
  });

  it('unicode strings, keys sorted in Go (UTF-8 byte) order', () => {
    const labels = { 'z': '1', 'a': '2', '\uffff': 'bmp', '😀': 'astral', 'é': 'latin', '日本': '語' };
    const cm = roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ü-🚀', annotations: labels }, data: labels });
    expect(cm.metadata.name).toBe('ü-🚀');
    expect(Object.keys(cm.data)).toEqual(['a', 'z', 'é', '日本', '\uffff', '😀']);
    expect(cm.data).toEqual(labels);
    expect(compareGoStrings('\uffff', '😀')).toBeLessThan(0);
    expect(compareGoStrings('ab', 'a')).toBeGreaterThan(0);
    // The encoder writes map entries in that order too.
    const raw = encodeMessage('core.ConfigMap', { data: { b: '1', a: '2' } });
    const entries = fieldsOf(raw).get(2)!.map((e) => fieldsOf(e as Buffer).get(1)![0]!.toString());
    expect(entries).toEqual(['a', 'b']);
  });

  it('bytes: base64 with padding, every byte value, empty values', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const s = roundTrip({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { all: all.toString('base64'), none: '', one: 'AA==' } });
    expect(s.data).toEqual({ all: all.toString('base64'), none: '', one: 'AA==' });
    const cm = roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, binaryData: { x: Buffer.from('hi').toString('base64') } });
    expect(cm.binaryData).toEqual({ x: 'aGk=' });
  });

  it('a null bytes map value is written without a value (nil []byte) and reads back as ""', () => {
    const raw = encodeMessage('core.Secret', { data: { k: null } });
    const entry = fieldsOf(raw).get(2)![0] as Buffer;
    expect([...fieldsOf(entry).keys()]).toEqual([1]);
    expect(decodeMessage('core.Secret', raw, ctx).data).toEqual({ k: '' });
  });

  it('map entries without a value decode to the zero value', () => {
    const entry = new Writer();
    entry.string(1, 'k');
    const w = new Writer();
    w.bytes(2, entry.finish());
    expect(decodeMessage('core.ConfigMap', w.finish(), ctx).data).toEqual({ k: '' });
    const q = new Writer();
    q.bytes(1, entry.finish());
    expect(decodeMessage('core.ResourceQuotaStatus', q.finish(), ctx)).toEqual({ hard: { k: '0' } });
  });

  it('skips unknown fields of every wire type', () => {
    const w = new Writer();
    w.string(1, 'n');
    w.varintField(99, 7);
    w.tag(98, 1); // fixed64
    const b1 = w.finish();
    const rest = Buffer.concat([b1, Buffer.alloc(8, 9), Buffer.from([0xa5, 0x06, 1, 2, 3, 4]) /* 100 fixed32 */,
      Buffer.from([0xa3, 0x06, 0x08, 0x01, 0xa4, 0x06]) /* group 100 { 1: 1 } */, Buffer.from([0x1a, 0x02, 0x6e, 0x73])]);
    expect(decodeMessage('meta.ObjectMeta', rest, ctx)).toEqual({ name: 'n', namespace: 'ns' });
  });

  it('merges repeated occurrences of a message field; the last scalar wins', () => {
    const a = encodeMessage('meta.ObjectMeta', { name: 'first', labels: { a: '1' } });
    const b = new Writer();
    b.string(3, 'ns');
    b.string(1, 'second');
    const w = new Writer();
    w.bytes(1, a);
    w.bytes(1, b.finish());
    expect(decodeMessage('core.ConfigMap', w.finish(), ctx).metadata).toEqual({ name: 'second', namespace: 'ns', labels: { a: '1' } });
  });
});

describe('well-known types', () => {
  it('Time: seconds only, UTC RFC 3339; nanos dropped; offsets converted; zero is empty', () => {
    const t = encodeWellKnown('Time', '2024-02-29T23:59:59+02:00', {}, 't');
    expect(decodeWellKnown('Time', t, ctx)).toBe('2024-02-29T21:59:59Z');
    expect(fieldsOf(t)).toEqual(new Map([[1, [1709243999]], [2, [0]]]));
    expect(decodeWellKnown('Time', encodeWellKnown('Time', '2024-01-01T00:00:00.999Z', {}, 't'), ctx)).toBe('2024-01-01T00:00:00Z');
    expect(decodeWellKnown('Time', encodeWellKnown('Time', '1969-07-20T20:17:40Z', {}, 't'), ctx)).toBe('1969-07-20T20:17:40Z');
    expect(encodeWellKnown('Time', null, {}, 't').length).toBe(0);
    expect(encodeWellKnown('Time', '0001-01-01T00:00:00Z', {}, 't').length).toBe(0);
    expect(decodeWellKnown('Time', new Uint8Array(0), ctx)).toBeNull();
    const w = new Writer();
    w.varintField(1, 10);
    w.varintField(2, 999_999_999);
    expect(decodeWellKnown('Time', w.finish(), ctx)).toBe('1970-01-01T00:00:10Z');
  });

  it('MicroTime: microseconds, nanos truncated', () => {
    const m = encodeWellKnown('MicroTime', '2024-05-06T07:08:09.123456789Z', {}, 'm');
    expect(fieldsOf(m).get(2)).toEqual([123456000]);
    expect(decodeWellKnown('MicroTime', m, ctx)).toBe('2024-05-06T07:08:09.123456Z');
    expect(decodeWellKnown('MicroTime', encodeWellKnown('MicroTime', '2024-05-06T07:08:09Z', {}, 'm'), ctx)).toBe('2024-05-06T07:08:09.000000Z');
    const w = new Writer();
    w.varintField(1, 0);
    w.varintField(2, 1999);
    expect(decodeWellKnown('MicroTime', w.finish(), ctx)).toBe('1970-01-01T00:00:00.000001Z');
  });

  it('parseRFC3339', () => {
    expect(parseRFC3339('2024-01-01T00:00:00Z')).toEqual({ seconds: 1704067200, nanos: 0 });
    expect(parseRFC3339('2024-01-01T00:00:00.5-01:30')).toEqual({ seconds: 1704067200 + 5400, nanos: 500_000_000 });
    expect(parseRFC3339('0001-01-01T00:00:00Z').seconds).toBe(-62135596800);
    expect(() => parseRFC3339('yesterday')).toThrow();
  });

  it('Quantity: canonical string on the wire, as kube writes q.String()', () => {
    const q = (v: unknown): unknown => decodeWellKnown('Quantity', encodeWellKnown('Quantity', v, {}, 'q'), ctx);
    expect(q('1000m')).toBe('1');
    expect(q('1.5Gi')).toBe('1536Mi');
    expect(q(2)).toBe('2');
    expect(q('not-a-quantity')).toBe('not-a-quantity');
    const rq = roundTrip({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { cpu: '1500m', memory: '1024Mi' } } });
    expect(rq.spec.hard).toEqual({ cpu: '1500m', memory: '1Gi' });
  });

  it('IntOrString: number or string', () => {
    const i = encodeWellKnown('IntOrString', 8080, {}, 'p');
    expect(fieldsOf(i)).toEqual(new Map<number, unknown>([[1, [0]], [2, [8080]], [3, [Buffer.alloc(0)]]]));
    expect(decodeWellKnown('IntOrString', i, ctx)).toBe(8080);
    expect(decodeWellKnown('IntOrString', encodeWellKnown('IntOrString', 'http', {}, 'p'), ctx)).toBe('http');
    expect(decodeWellKnown('IntOrString', encodeWellKnown('IntOrString', -5, {}, 'p'), ctx)).toBe(-5);
    expect(decodeWellKnown('IntOrString', encodeWellKnown('IntOrString', '', {}, 'p'), ctx)).toBe('');
  });

  it('FieldsV1: compact JSON text <-> the JSON value', () => {
    const fields = { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:data': { 'f:k': {} } };
    const b = encodeWellKnown('FieldsV1', fields, {}, 'f');
    expect(fieldsOf(b).get(1)![0]!.toString()).toBe(JSON.stringify(fields));
    expect(decodeWellKnown('FieldsV1', b, ctx)).toEqual(fields);
    const cm = roundTrip({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'c', managedFields: [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: fields, subresource: 'status' }] },
    });
    expect(cm.metadata.managedFields[0]).toEqual({ manager: 'm', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: fields, subresource: 'status' });
  });

  it('RawExtension: JSON raw or an embedded k8s protobuf object', () => {
    expect(decodeWellKnown('RawExtension', encodeWellKnown('RawExtension', { a: [1, 'x'] }, {}, 'r'), ctx)).toEqual({ a: [1, 'x'] });
    expect(decodeWellKnown('RawExtension', new Uint8Array(0), ctx)).toBeNull();
    const w = new Writer();
    w.bytes(1, encodeObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }));
    expect(decodeWellKnown('RawExtension', w.finish(), ctx)).toEqual({ kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa' } });
  });
});

describe('meta kinds', () => {
  it('DeleteOptions in any group version', () => {
    const opts = {
      gracePeriodSeconds: 0, preconditions: { uid: 'u', resourceVersion: '' }, orphanDependents: false,
      propagationPolicy: 'Foreground', dryRun: ['All'], ignoreStoreReadErrorWithClusterBreakingPotential: true,
    };
    for (const apiVersion of ['v1', 'meta.k8s.io/v1', 'rbac.authorization.k8s.io/v1']) {
      expect(roundTrip({ apiVersion, kind: 'DeleteOptions', ...opts })).toEqual({ kind: 'DeleteOptions', apiVersion, ...opts });
    }
    expect(roundTrip({ apiVersion: 'v1', kind: 'DeleteOptions' })).toEqual({ kind: 'DeleteOptions', apiVersion: 'v1' });
  });

  it('Create/Update/PatchOptions', () => {
    expect(roundTrip({ apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions', dryRun: ['All'], fieldManager: 'm', fieldValidation: 'Strict' }))
      .toEqual({ kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', dryRun: ['All'], fieldManager: 'm', fieldValidation: 'Strict' });
    expect(roundTrip({ apiVersion: 'v1', kind: 'UpdateOptions', fieldManager: 'm' })).toEqual({ kind: 'UpdateOptions', apiVersion: 'v1', fieldManager: 'm' });
    expect(roundTrip({ apiVersion: 'v1', kind: 'PatchOptions', force: false })).toEqual({ kind: 'PatchOptions', apiVersion: 'v1', force: false });
  });

  it('Status with causes', () => {
    const st = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'm', reason: 'Invalid',
      details: { name: 'x', group: 'g', kind: 'k', uid: 'u', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.name' }, {}], retryAfterSeconds: 1 },
      code: 422,
    };
    expect(decodeObject(encodeStatus(st)).object).toEqual(st);
    // encodeStatus always uses v1/Status, even for a Status without TypeMeta.
    const { kind: _k, apiVersion: _a, ...bare } = st;
    expect(decodeObject(encodeStatus(bare)).object).toEqual(st);
  });

  it('PartialObjectMetadataList items get their TypeMeta back', () => {
    const list = { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadataList', metadata: { resourceVersion: '5' }, items: [{ metadata: { name: 'a' } }] };
    expect(decodeObject(encodeList(list)).object).toEqual({
      kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '5' },
      items: [{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'a' } }],
    });
  });
});

describe('encode errors', () => {
  it('406 for kinds without a protobuf form', () => {
    const st = statusOf(() => encodeObject({ apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: 'w' } }));
    expect(st).toMatchObject({ code: 406, reason: 'NotAcceptable', message: 'object *unstructured.Unstructured does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message' });
    expect(statusOf(() => encodeObject({ apiVersion: 'meta.k8s.io/v1', kind: 'Table' })).message).toContain('*v1.Table');
  });

  it('500 for objects that do not fit their message', () => {
    const st = statusOf(() => encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 5 } }));
    expect(st).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(st.message).toContain('metadata.name: expected a string');
    expect(statusOf(() => encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generation: 1.5 } })).message).toContain('metadata.generation');
    expect(statusOf(() => encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', data: ['x'] })).message).toContain('data: expected an object');
  });

  it('ignores members that are not in the message', () => {
    expect(roundTrip({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', clusterName: 'x' }, extra: true }))
      .toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } });
  });
});

describe('watch framing', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', resourceVersion: '7' }, data: { a: 'b' } };

  it('one frame: 4-byte big-endian length + raw WatchEvent{type, {raw: envelope}}', () => {
    const f = encodeWatchEvent('ADDED', cm);
    expect(f.readUInt32BE(0)).toBe(f.length - 4);
    const ev = fieldsOf(f.subarray(4));
    expect(ev.get(1)![0]!.toString()).toBe('ADDED');
    const raw = fieldsOf(ev.get(2)![0] as Buffer).get(1)![0] as Buffer;
    expect(raw.equals(encodeObject(cm))).toBe(true);
    expect(decodeWatchEvent(f.subarray(4))).toEqual({ type: 'ADDED', object: cm });
  });

  it('ERROR events carry a v1 Status; BOOKMARKs a bare object', () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 };
    expect(decodeWatchEvent(encodeWatchEvent('ERROR', status).subarray(4))).toEqual({ type: 'ERROR', object: status });
    const bm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '9', annotations: { 'k8s.io/initial-events-end': 'true' } } };
    expect(decodeWatchEvent(encodeWatchEvent('BOOKMARK', bm).subarray(4)).object).toEqual(bm);
  });

  it('splitFrames and WatchStreamDecoder handle frames split across chunks', () => {
    const stream = Buffer.concat([encodeWatchEvent('ADDED', cm), encodeWatchEvent('MODIFIED', cm), encodeWatchEvent('DELETED', cm)]);
    const { frames, rest } = splitFrames(stream.subarray(0, stream.length - 3));
    expect(frames).toHaveLength(2);
    expect(rest.length).toBeGreaterThan(0);
    for (const step of [1, 3, 7, 64]) {
      const d = new WatchStreamDecoder();
      const types: string[] = [];
      for (let i = 0; i < stream.length; i += step) types.push(...d.push(stream.subarray(i, i + step)).map((e) => e.type));
      expect(types).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(d.pending).toBe(0);
    }
    expect(frame(Buffer.alloc(0))).toEqual(Buffer.from([0, 0, 0, 0]));
  });
});

describe('wire primitives', () => {
  it('varints round-trip through the reader', () => {
    for (const v of [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 31), -(2 ** 53 - 1)]) {
      const w = new Writer();
      w.varint(v);
      const r = new Reader(w.finish());
      const got = r.varint();
      expect(r.done).toBe(true);
      expect(varintToInt64(got)).toBe(v);
      if (v >= -(2 ** 31) && v < 2 ** 31) expect(varintToInt32(got)).toBe(v);
    }
    const w = new Writer();
    w.varint(-1);
    expect(w.finish().toString('hex')).toBe('ffffffffffffffffff01');
    const big = new Writer();
    big.varint(2n ** 63n);
    expect(varintToInt64(new Reader(big.finish()).varint())).toBe(-(2 ** 63));
  });
});
