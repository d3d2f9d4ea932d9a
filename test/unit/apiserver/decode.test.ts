import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { applyPatch } from '../../../src/apimachinery/patch/apply.js';
import {
  decodeObject, decodeOptionsBody, decodePatchResult, DecodeFailure, parseBody, summarizeData, type FieldValidation,
} from '../../../src/apiserver/decode.js';
import { definitionOfNode, resolveSchema } from '../../../src/openapi/definitions.js';
import { clusterroles } from '../../../src/registry/kinds/clusterroles.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import { leases } from '../../../src/registry/kinds/leases.js';
import { roles } from '../../../src/registry/kinds/roles.js';
import { eventsV1 } from '../../../src/registry/kinds/eventsv1.js';
import type { ResourceType } from '../../../src/registry/types.js';

function decode(type: ResourceType, body: unknown, fieldValidation: FieldValidation = 'Warn', format: 'json' | 'yaml' = 'json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return decodeObject({ type, schema: resolveSchema(type.schemaName), text, format, fieldValidation });
}

function failure(fn: () => unknown): { code: number; message: string; details?: unknown } {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, message: e.message, details: e.status.details };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('summarizeData', () => {
  it('prints JSON objects as text and anything else as hex, 30 bytes at most', () => {
    expect(summarizeData(Buffer.from(''))).toBe('<empty>');
    expect(summarizeData(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    expect(summarizeData(Buffer.from('[]'))).toBe('5b5d');
    expect(summarizeData(Buffer.from('not json at all'))).toBe('6e6f74206a736f6e20617420616c6c');
    expect(summarizeData(Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n'))).toBe('61706956657273696f6e3a2076310a6b696e643a20436f6e6669674d6170 ...');
    expect(summarizeData(Buffer.from(`{"a":"${'x'.repeat(40)}"}`))).toBe(`{"a":"${'x'.repeat(24)} ...`);
  });
});

describe('schema nodes know their Go struct', () => {
  it('marks resolved definitions, field-specific copies included', () => {
    const lease = resolveSchema('io.k8s.api.coordination.v1.Lease')!;
    expect(definitionOfNode(lease)).toBe('io.k8s.api.coordination.v1.Lease');
    expect(definitionOfNode(lease.properties!.spec!)).toBe('io.k8s.api.coordination.v1.LeaseSpec');
    expect(definitionOfNode(lease.properties!.metadata!)).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(definitionOfNode(lease.properties!.spec!.properties!.holderIdentity!)).toBeUndefined();
  });
});

describe('decodeObject: type errors as Go reports them', () => {
  it.each([
    [configmaps, { metadata: { name: 'x', labels: 'a' } }, 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
    [configmaps, { metadata: { name: 'x', labels: { a: 1 } } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    [configmaps, { metadata: 'x' }, 'json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta'],
    [configmaps, { metadata: { name: 'x', ownerReferences: [{ uid: 1 }] } }, 'json: cannot unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.uid of type types.UID'],
    [configmaps, { metadata: { name: true } }, 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of type string'],
    [configmaps, { metadata: { name: 'x' }, binaryData: { a: 1 } }, 'json: cannot unmarshal number into Go struct field ConfigMap.binaryData of type []uint8'],
    [leases, { metadata: { name: 'x' }, spec: { leaseDurationSeconds: 'thirty' } }, 'json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'],
    [leases, { metadata: { name: 'x' }, spec: { leaseDurationSeconds: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'],
    [leases, { metadata: { name: 'x' }, spec: { leaseDurationSeconds: 3000000000 } }, 'json: cannot unmarshal number 3000000000 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32'],
    [leases, { metadata: { name: 'x' }, spec: 'x' }, 'json: cannot unmarshal string into Go struct field Lease.spec of type v1.LeaseSpec'],
    [roles, { metadata: { name: 'x' }, rules: ['x'] }, 'json: cannot unmarshal string into Go struct field Role.rules of type v1.PolicyRule'],
    [roles, { metadata: { name: 'x' }, rules: [{ verbs: [1] }] }, 'json: cannot unmarshal number into Go struct field PolicyRule.rules.verbs of type string'],
  ])('%#', (type, body, message) => {
    const kind = type.kind;
    expect(failure(() => decode(type, { apiVersion: type.group ? `${type.group}/v1` : 'v1', kind, ...body as object }, 'Ignore')))
      .toEqual({ code: 400, message: `${kind} in version "v1" cannot be handled as a ${kind}: ${message}` });
  });
});

describe('decodeObject: kinds and versions', () => {
  it.each([
    [configmaps, { apiVersion: 'v2', kind: 'ConfigMap' }, 'ConfigMap in version "v2" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "v2" in scheme "pkg/runtime/scheme.go:110"'],
    [configmaps, { apiVersion: 'apps/v1', kind: 'ConfigMap' }, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "apps/v1" in scheme "pkg/runtime/scheme.go:110"'],
    [configmaps, { apiVersion: 'v1', kind: 'Widget' }, 'Widget in version "v1" cannot be handled as a ConfigMap: no kind "Widget" is registered for version "v1" in scheme "pkg/runtime/scheme.go:110"'],
    [configmaps, { apiVersion: 'v1', kind: 'Secret' }, 'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion'],
    [configmaps, { apiVersion: 'v1', kind: 'DeleteOptions' }, 'DeleteOptions in version "v1" cannot be handled as a ConfigMap: converting (v1.DeleteOptions) to (core.ConfigMap): unknown conversion'],
    [configmaps, { apiVersion: 'apps/v1', kind: 'Deployment' }, 'Deployment in version "v1" cannot be handled as a ConfigMap: converting (v1.Deployment) to (core.ConfigMap): unknown conversion'],
    [roles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' }, 'ClusterRole in version "v1" cannot be handled as a Role: converting (v1.ClusterRole) to (rbac.Role): unknown conversion'],
    [leases, { apiVersion: 'coordination.k8s.io/v1beta1', kind: 'Lease' }, 'the API version in the data (coordination.k8s.io/v1beta1) does not match the expected API version (coordination.k8s.io/v1)'],
    [eventsV1, { apiVersion: 'v1', kind: 'Event' }, 'the API version in the data (v1) does not match the expected API version (events.k8s.io/v1)'],
    [configmaps, { apiVersion: 'v1', kind: 1 }, 'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({"apiVersion":"v1","kind":1,"m ...)'],
    [configmaps, { apiVersion: 'a/b/c', kind: 'ConfigMap' }, 'the object provided is unrecognized (must be of type ConfigMap): unexpected GroupVersion string: a/b/c ({"apiVersion":"a/b/c","kind":" ...)'],
  ])('%#', (type, body, message) => {
    expect(failure(() => decode(type, { ...body, metadata: { name: 'x' } })).message).toBe(message);
  });

  it('defaults a missing kind or apiVersion from the endpoint', () => {
    expect(decode(configmaps, { metadata: { name: 'x' } }).object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(decode(clusterroles, { apiVersion: 'rbac.authorization.k8s.io/', kind: 'ClusterRole', metadata: { name: 'x' } }).object.kind).toBe('ClusterRole');
  });
});

describe('decodeObject: odd bodies', () => {
  it('summarises bodies that do not start with { in hex', () => {
    expect(failure(() => decode(configmaps, 'not json at all')).message).toBe(
      "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'o' in literal null (expecting 'u') (6e6f74206a736f6e20617420616c6c)");
    expect(failure(() => decode(configmaps, '[]')).message).toBe(
      'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (5b5d)');
  });

  it('decodes null as an empty object of the kind', () => {
    expect(decode(configmaps, 'null').object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
  });

  it('merges repeated struct and map fields as Go does, reporting each duplicate once', () => {
    const text = '{"metadata":{"name":"x"},"metadata":{"labels":{"a":"b"}},"data":{"a":"1","a":"2"},"x":1,"data":{"b":"3"},"x":2}';
    const r = decode(configmaps, text, 'Warn');
    expect(r.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' } }, data: { a: '2', b: '3' } });
    expect(r.warnings).toEqual(['duplicate field "metadata"', 'duplicate field "data.a"', 'unknown field "x"', 'duplicate field "data"']);
    expect(decode(configmaps, text, 'Ignore').warnings).toEqual([]);
    expect(failure(() => decode(configmaps, text, 'Strict')).message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata", duplicate field "data.a", unknown field "x", duplicate field "data"');
    // null clears a map, leaves a struct as it was
    expect(decode(configmaps, '{"metadata":{"name":"x"},"metadata":null,"data":{"a":"1"},"data":null}', 'Ignore').object)
      .toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  });
});

describe('decodeObject: YAML', () => {
  const yaml = (body: string, fv: FieldValidation = 'Warn') => decode(configmaps, body, fv, 'yaml');
  it.each([
    ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n', "yaml: line 4: did not find expected ',' or ']'"],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n', 'yaml: line 4: found character that cannot start any token'],
    ['a: b: c\n', 'yaml: mapping values are not allowed in this context'],
    ["a: 'x\n", 'yaml: line 2: found unexpected end of stream'],
    ['a:\n  b: 1\n c: 2\n', 'yaml: line 2: did not find expected key'],
    ['a: {x: 1\n', "yaml: line 1: did not find expected ',' or '}'"],
    ['- a\nb: 1\n', "yaml: line 1: did not find expected '-' indicator"],
    ['key: @x\n', 'yaml: found character that cannot start any token'],
    ['a: *x\n', "yaml: unknown anchor 'x' referenced"],
    ['a: [1, 2\nb: 3\n', "yaml: line 1: did not find expected ',' or ']'"],
    ['a:\n  - 1\n  b: 2\n', "yaml: line 2: did not find expected '-' indicator"],
    ['a: 1\n\tb: 2\n', 'yaml: line 2: found a tab character that violates indentation'],
    ['a: |\n x\n  y\nb', "yaml: line 5: could not find expected ':'"],
    ['[1, 2', "yaml: line 1: did not find expected ',' or ']'"],
    ['a:\n- b\n  c: 1\n', 'yaml: line 3: mapping values are not allowed in this context'],
  ])('%j', (body, message) => {
    expect(parseBody(body, 'yaml').error).toBe(message);
  });

  it('reads the first document only', () => {
    expect(parseBody('a: 1\n---\nb: [2\n', 'yaml')).toMatchObject({ value: { a: 1 } });
  });

  it('reports duplicate keys on the value line, before unknown fields in sorted order', () => {
    const body = 'apiVersion: v1\nkind: ConfigMap\nzzz: 1\nmetadata:\n  name: yy\n  labels:\n    a: b\n  labels:\n    c: d\naaa: 2\ndata:\n  x: "1"\n  x: "2"\n';
    const r = yaml(body);
    expect(r.warnings).toEqual(['line 9: key "labels" already set in map', 'line 13: key "x" already set in map', 'unknown field "aaa"', 'unknown field "zzz"']);
    expect(r.object.metadata.labels).toEqual({ c: 'd' });
    expect(r.object.data).toEqual({ x: '2' });
    expect(failure(() => yaml(body, 'Strict')).message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 9: key "labels" already set in map\n  line 13: key "x" already set in map, unknown field "aaa", unknown field "zzz"');
  });
});

describe('decodeOptionsBody', () => {
  const schema = resolveSchema('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  it('fails with the decoder texts', () => {
    const f = (text: string) => {
      try {
        decodeOptionsBody(text, 'json', schema, 'DeleteOptions');
      } catch (e) {
        if (e instanceof DecodeFailure) return e.message;
      }
      return undefined;
    };
    expect(f('{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":')).toBe("couldn't get version/kind; json parse error: unexpected end of JSON input");
    expect(f('{"gracePeriodSeconds":"x"}')).toBe('json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
    expect(f('{"propagationPolicy":1}')).toBe('json: cannot unmarshal number into Go struct field DeleteOptions.propagationPolicy of type v1.DeletionPropagation');
    expect(f('{"preconditions":{"uid":1}}')).toBe('json: cannot unmarshal number into Go struct field Preconditions.preconditions.uid of type types.UID');
    expect(f('{"dryRun":["All"],"x":1}')).toBeUndefined();
  });
});

describe('decodePatchResult', () => {
  const existing: KubeObject = {
    kind: 'ConfigMap', apiVersion: 'v1',
    metadata: { name: 'p', namespace: 'ns', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', labels: { z: '1' } },
    data: { k: 'v' },
  };
  const patch = (type: 'json' | 'merge' | 'strategic', body: unknown, fieldValidation: FieldValidation = 'Strict', target = existing, rt: ResourceType = configmaps) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const schema = resolveSchema(rt.schemaName);
    const patchStrictErrors: string[] = [];
    const patched = applyPatch(type, target, text, schema, { fieldValidation, strictErrors: patchStrictErrors });
    return decodePatchResult({ type: rt, schema, fieldValidation, patchType: type, patchText: text, existing: target, patchStrictErrors }, patched);
  };
  const q = (s: string) => JSON.stringify(s).slice(1, -1);

  it('answers 422 on "patch" with the patched JSON as evanphx/json-patch prints it', () => {
    const f = failure(() => patch('merge', { zz: 1, metadata: { bogus: { y: 1, x: 2 } } }));
    const value = '{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"bogus":{"x":2,"y":1},"creationTimestamp":"2026-01-01T00:00:00Z","labels":{"z":"1"},"name":"p","namespace":"ns","resourceVersion":"5","uid":"u1"},"zz":1}';
    expect(f.code).toBe(422);
    expect(f.message).toBe(` "" is invalid: patch: Invalid value: "${q(value)}": strict decoding error: unknown field "metadata.bogus", unknown field "zz"`);
    expect(f.details).toEqual({ causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: `Invalid value: "${q(value)}": strict decoding error: unknown field "metadata.bogus", unknown field "zz"` }] });
  });

  it('keeps the current object in Go field order where a JSON patch did not walk', () => {
    const f = failure(() => patch('json', [{ op: 'add', path: '/extra', value: { b: 1, a: 2 } }]));
    expect(f.message).toBe(` "" is invalid: patch: Invalid value: "${q('{"apiVersion":"v1","data":{"k":"v"},"extra":{"b":1,"a":2},"kind":"ConfigMap","metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":"5","creationTimestamp":"2026-01-01T00:00:00Z","labels":{"z":"1"}}}')}": strict decoding error: unknown field "extra"`);
  });

  it('reports type errors of the patched object under every directive', () => {
    const lease: KubeObject = { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'l', namespace: 'ns', uid: 'u', resourceVersion: '3' }, spec: { holderIdentity: 'a' } };
    const f = failure(() => patch('json', [{ op: 'add', path: '/spec/leaseDurationSeconds', value: 'thirty' }], 'Ignore', lease, leases));
    expect(f.message).toBe(` "" is invalid: patch: Invalid value: "${q('{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l","namespace":"ns","uid":"u","resourceVersion":"3"},"spec":{"holderIdentity":"a","leaseDurationSeconds":"thirty"}}')}": json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32`);
    // strategic merge converts the patched map: the unstructured converter's words, the patch map as the value
    expect(failure(() => patch('strategic', { spec: { leaseDurationSeconds: 'x' } }, 'Ignore', lease, leases)).message)
      .toBe(' "" is invalid: patch: Invalid value: "map[spec:map[leaseDurationSeconds:x]]": unrecognized type: int32');
    expect(failure(() => patch('strategic', { spec: { holderIdentity: 5 } }, 'Ignore', lease, leases)).message)
      .toBe(' "" is invalid: patch: Invalid value: "map[spec:map[holderIdentity:5]]": cannot convert int64 to string');
  });

  it('refuses a kind or version change made by a JSON or merge patch', () => {
    expect(failure(() => patch('merge', { kind: 'Secret' }, 'Ignore')).message).toContain('": converting (v1.Secret) to (core.ConfigMap): unknown conversion');
    expect(failure(() => patch('merge', { apiVersion: 'v2' }, 'Ignore')).message).toContain('": no kind "ConfigMap" is registered for version "v2" in scheme "pkg/runtime/scheme.go:110"');
  });

  it('puts the patch body strict errors first, strategic merge unknown fields sorted', () => {
    expect(patch('json', [{ op: 'add', path: '/zz', value: 1, extra: 1 }, { op: 'add', path: '/metadata/zz', value: 1 }], 'Warn').warnings)
      .toEqual(['json patch unknown field "[0].extra"', 'unknown field "metadata.zz"', 'unknown field "zz"']);
    expect(failure(() => patch('strategic', { zz: 1, metadata: { bogus: 1 }, aa: 2 })).message)
      .toBe(' "" is invalid: patch: Invalid value: "map[aa:2 metadata:map[bogus:1] zz:1]": strict decoding error: unknown field "aa", unknown field "metadata.bogus", unknown field "zz"');
    expect(failure(() => patch('merge', '{"data":{"a":"1"},"data":{"b":"2"}}')).message).toContain('": strict decoding error: duplicate field "data"');
  });
});
