// metadata.managedFields <-> managers, as k8s.io/apimachinery's managedfields decodes and encodes
// them (managedfields_test.go, fields_test.go): what an entry must have, the manager identifiers,
// the order kube writes entries in, and round trips of the wire format.

import { describe, expect, it } from 'vitest';
import { parse as parseYAML } from 'yaml';
import {
  decodeManagedFields, encodeManagedFields, isReset, managerIdentifier, type ManagedFieldsEntry,
} from '../../../src/fieldmanager/managedfields.js';

const entry = (e: Partial<ManagedFieldsEntry>): ManagedFieldsEntry => ({ apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:field': {} }, ...e });

describe('decoding', () => {
  it('accepts an entry with operation, apiVersion and fieldsType FieldsV1', () => {
    const m = decodeManagedFields([entry({ manager: 'foo', operation: 'Apply' })]);
    expect([...m.fields.keys()]).toEqual(['{"manager":"foo","operation":"Apply"}']);
    const vs = m.fields.get('{"manager":"foo","operation":"Apply"}')!;
    expect({ apiVersion: vs.apiVersion, applied: vs.applied, fields: vs.set.toFieldsV1String() }).toEqual({ apiVersion: 'v1', applied: true, fields: '{"f:field":{}}' });
  });

  // TestHasFieldsType, TestHasAPIVersion, TestHasOperation: kube's messages
  it.each<[string, Partial<ManagedFieldsEntry>, string]>([
    ['fieldsType FieldsV2', { manager: 'foo', operation: 'Apply', fieldsType: 'FieldsV2' }, 'invalid fieldsType "FieldsV2" in managed fields entry 0'],
    ['no fieldsType', { manager: 'foo', operation: 'Apply', fieldsType: undefined }, 'missing fieldsType in managed fields entry 0'],
    ['no apiVersion', { manager: 'foo', operation: 'Apply', apiVersion: undefined }, 'apiVersion must not be empty'],
    ['operation Invalid', { manager: 'foo', operation: 'Invalid' }, 'operation must be `Apply` or `Update`'],
    ['no operation', { manager: 'foo' }, 'operation must be `Apply` or `Update`'],
  ])('refuses an entry with %s', (_name, e, message) => {
    expect(() => decodeManagedFields([entry(e)])).toThrow(message);
  });

  it('names the index of the entry without a fieldsType, and checks the operation first', () => {
    expect(() => decodeManagedFields([entry({ operation: 'Update' }), entry({ operation: 'Update', manager: 'b', fieldsType: '' })]))
      .toThrow('missing fieldsType in managed fields entry 1');
    expect(() => decodeManagedFields([{ fieldsType: 'FieldsV2' }])).toThrow('operation must be `Apply` or `Update`');
  });

  it('refuses fieldsV1 keys that are no path elements (TestFieldsToSetError)', () => {
    expect(() => decodeManagedFields([entry({ operation: 'Update', fieldsV1: { 'k:{invalid json}': { 'f:name': {}, '.': {} } } })])).toThrow();
  });

  it('reads no managedFields as no managers', () => {
    expect(decodeManagedFields(undefined).fields.size).toBe(0);
    expect(decodeManagedFields(null).fields.size).toBe(0);
    expect(decodeManagedFields([]).fields.size).toBe(0);
  });

  it('reads an entry without fieldsV1 as managing nothing', () => {
    const m = decodeManagedFields([{ manager: 'a', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1' }]);
    expect(m.fields.get('{"manager":"a","operation":"Update","apiVersion":"v1"}')!.set.empty).toBe(true);
  });
});

describe('manager identifiers (TestBuildManagerIdentifier)', () => {
  it.each([
    [{ manager: 'foo', operation: 'Update', apiVersion: 'v1' }, '{"manager":"foo","operation":"Update","apiVersion":"v1"}'],
    [{ manager: 'foo', operation: 'Apply', apiVersion: 'v1' }, '{"manager":"foo","operation":"Apply"}'],
    [{ manager: 'foo', operation: 'Apply', apiVersion: 'v1', subresource: 'scale' }, '{"manager":"foo","operation":"Apply","subresource":"scale"}'],
    [{ manager: 'foo', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status' }, '{"manager":"foo","operation":"Update","apiVersion":"apps/v1","subresource":"status"}'],
    [{ manager: '<x&y>', operation: 'Update', apiVersion: 'v1' }, '{"manager":"\\u003cx\\u0026y\\u003e","operation":"Update","apiVersion":"v1"}'],
    [{ operation: 'Update', apiVersion: 'v1' }, '{"operation":"Update","apiVersion":"v1"}'],
  ])('%j', (e, want) => {
    expect(managerIdentifier(e)).toBe(want);
  });
});

describe('encoding', () => {
  // TestRoundTripManagedFields: the wire format, decoded and encoded, is what it was
  it.each([
    `- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    v:3:
      f:alsoPi: {}
    v:3.1415:
      f:pi: {}
    v:false:
      f:notTrue: {}
  manager: foo
  operation: Update
  time: "2001-02-03T04:05:06Z"
- apiVersion: v1beta1
  fieldsType: FieldsV1
  fieldsV1:
    i:5:
      f:i: {}
  manager: foo
  operation: Update
  time: "2011-12-13T14:15:16Z"
`,
    `- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    f:spec:
      f:containers:
        k:{"name":"c"}:
          f:image: {}
          f:name: {}
  manager: foo
  operation: Apply
`,
    `- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    f:apiVersion: {}
    f:kind: {}
    f:metadata:
      f:labels:
        f:app: {}
      f:name: {}
    f:spec:
      f:replicas: {}
      f:selector:
        f:matchLabels:
          f:app: {}
      f:template:
        f:medatada:
          f:labels:
            f:app: {}
        f:spec:
          f:containers:
            k:{"name":"nginx"}:
              .: {}
              f:image: {}
              f:name: {}
              f:ports:
                i:0:
                  f:containerPort: {}
  manager: foo
  operation: Update
`,
    `- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    f:apiVersion: {}
    f:kind: {}
    f:metadata:
      f:name: {}
    f:spec:
      f:group: {}
      f:names:
        f:kind: {}
        f:plural: {}
        f:shortNames:
          i:0: {}
        f:singular: {}
      f:scope: {}
      f:versions:
        k:{"name":"v1"}:
          f:name: {}
          f:served: {}
          f:storage: {}
  manager: foo
  operation: Update
`,
    `- apiVersion: v1
  fieldsType: FieldsV1
  fieldsV1:
    f:spec:
      f:replicas: {}
  manager: foo
  operation: Update
  subresource: scale
`,
  ])('round-trips %#', (text) => {
    const entries = parseYAML(text) as ManagedFieldsEntry[];
    const out = encodeManagedFields(decodeManagedFields(entries))!;
    // the same entries in the same order, each fieldsV1 byte for byte
    expect(out).toEqual(entries);
    expect(out.map((e) => JSON.stringify(e.fieldsV1))).toEqual(entries.map((e) => JSON.stringify(e.fieldsV1)));
    // and each entry's fields in the order of Go's ManagedFieldsEntry
    const goOrder = ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource'];
    for (const e of out) expect(Object.keys(e)).toEqual(goOrder.filter((k) => k in e));
  });

  it('encodes no managers as no managedFields', () => {
    expect(encodeManagedFields(decodeManagedFields(null))).toBeUndefined();
  });

  // TestSortEncodedManagedFields: Apply before Update, then by time (to the second), manager, apiVersion, subresource
  const sorted = (entries: Array<Partial<ManagedFieldsEntry>>) =>
    encodeManagedFields(decodeManagedFields(entries.map((e) => entry(e))))!.map((e) => [e.manager, e.operation, e.time, e.subresource].filter((x) => x !== undefined).join(' '));

  it.each<[string, Array<Partial<ManagedFieldsEntry>>, string[]]>([
    ['remains untouched', [{ manager: 'a', operation: 'Apply' }, { manager: 'a', operation: 'Update', time: '2001-01-01T01:00:00Z' }],
      ['a Apply', 'a Update 2001-01-01T01:00:00Z']],
    ['manager without time first name last', [
      { manager: 'a', operation: 'Apply', time: '2001-01-01T01:00:00Z', subresource: 's' }, { manager: 'b', operation: 'Apply' }, { manager: 'a', operation: 'Apply' },
    ], ['a Apply', 'b Apply', 'a Apply 2001-01-01T01:00:00Z s']],
    ['apply first', [{ manager: 'a', operation: 'Update', time: '2001-01-01T01:00:00Z' }, { manager: 'a', operation: 'Apply' }],
      ['a Apply', 'a Update 2001-01-01T01:00:00Z']],
    ['newest last', [
      { manager: 'c', operation: 'Update', time: '2001-01-01T01:00:00Z' }, { manager: 'a', operation: 'Apply' },
      { manager: 'c', operation: 'Update', time: '2002-01-01T01:00:00Z', apiVersion: 'v2' }, { manager: 'b', operation: 'Apply' },
    ], ['a Apply', 'b Apply', 'c Update 2001-01-01T01:00:00Z', 'c Update 2002-01-01T01:00:00Z']],
    ['manager last', [
      { manager: 'c', operation: 'Update', time: '2001-01-01T01:00:00Z' }, { manager: 'a', operation: 'Apply' },
      { manager: 'd', operation: 'Update', time: '2001-01-01T01:00:00Z' }, { manager: 'b', operation: 'Apply' },
    ], ['a Apply', 'b Apply', 'c Update 2001-01-01T01:00:00Z', 'd Update 2001-01-01T01:00:00Z']],
    ['manager sorted', [
      { manager: 'c', operation: 'Update', time: '2001-01-01T01:00:00Z' }, { manager: 'a', operation: 'Apply' }, { manager: 'g', operation: 'Apply' },
      { manager: 'f', operation: 'Update', time: '2002-01-01T01:00:00Z' }, { manager: 'i', operation: 'Apply' },
      { manager: 'd', operation: 'Update', time: '2002-01-01T01:00:00Z' }, { manager: 'h', operation: 'Apply' },
      { manager: 'e', operation: 'Update', time: '2003-01-01T01:00:00Z' }, { manager: 'b', operation: 'Apply' },
    ], ['a Apply', 'b Apply', 'g Apply', 'h Apply', 'i Apply', 'c Update 2001-01-01T01:00:00Z', 'd Update 2002-01-01T01:00:00Z',
      'f Update 2002-01-01T01:00:00Z', 'e Update 2003-01-01T01:00:00Z']],
    ['sort drops nanoseconds', [
      { manager: 'c', operation: 'Update', time: '1999-12-31T00:00:00.000000001Z' },
      { manager: 'a', operation: 'Update', time: '1999-12-31T00:00:00.000000002Z' },
      { manager: 'b', operation: 'Update', time: '1999-12-31T00:00:00.000000003Z' },
    ], ['a Update 1999-12-31T00:00:00.000000002Z', 'b Update 1999-12-31T00:00:00.000000003Z', 'c Update 1999-12-31T00:00:00.000000001Z']],
    ['entries with subresource field', [
      { manager: 'a', operation: 'Apply', subresource: 'status' }, { manager: 'a', operation: 'Apply', subresource: 'scale' }, { manager: 'a', operation: 'Apply' },
    ], ['a Apply', 'a Apply scale', 'a Apply status']],
    ['apiVersion after manager', [
      { manager: 'a', operation: 'Update', apiVersion: 'v2' }, { manager: 'a', operation: 'Update', apiVersion: 'v1' },
    ], ['a Update', 'a Update']],
  ])('sorts: %s', (_name, entries, want) => {
    expect(sorted(entries)).toEqual(want);
  });

  it('sorts two updates of one manager by apiVersion', () => {
    const out = encodeManagedFields(decodeManagedFields([entry({ manager: 'a', operation: 'Update', apiVersion: 'v2' }), entry({ manager: 'a', operation: 'Update', apiVersion: 'v1' })]))!;
    expect(out.map((e) => e.apiVersion)).toEqual(['v1', 'v2']);
  });
});

describe('resetting (isResetManagedFields)', () => {
  it.each<[unknown, boolean]>([
    [[], true], [[{}], true], [undefined, false], [null, false], [[{}, {}], false], [[{ manager: 'a' }], false],
  ])('%j: %s', (v, want) => {
    expect(isReset(v)).toBe(want);
  });
});
