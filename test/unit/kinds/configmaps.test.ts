import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = configmaps.strategy;
const c = ctx('ns1');
const cm = (data?: Record<string, string>, binaryData?: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject =>
  ({ metadata: { name: 'validname', namespace: 'ns1' }, ...(data && { data }), ...(binaryData && { binaryData }), ...extra });
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('configmaps: API metadata', () => {
  it('matches kube discovery', () => {
    expect(configmaps).toMatchObject({
      group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', listKind: 'ConfigMapList', singularName: 'configmap',
      shortNames: ['cm'], categories: [], namespaced: true, subresources: [], schemaName: 'io.k8s.api.core.v1.ConfigMap',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
    expect(s.allowCreateOnUpdate).toBe(false);
    expect(s.allowUnconditionalUpdate).toBe(true);
    expect(s.selectableFields).toBeUndefined();
    expect(s.validateName('NoUppercase', false)).not.toEqual([]);
    expect(s.validateName('a.b-c', false)).toEqual([]);
  });
});

describe('configmaps: validate', () => {
  it.each<[string, KubeObject, string[]]>([
    ['valid', cm({ key: 'value' }, { bin: b64('value') }), []],
    ['max key length', cm({ ['a'.repeat(253)]: 'value' }), []],
    ['leading dot key', cm({ '.ab': 'value' }), []],
    ['binary data non utf-8 bytes', cm(undefined, { key: b64(Buffer.from([0, 0xfe, 0, 0xff])) }), []],
    ['invalid key', cm({ 'a*b': 'value' }), [`data[a*b]: Invalid value: "a*b": ${KEY_MSG}`]],
    ['dot key', cm({ '.': 'value' }), ['data[.]: Invalid value: ".": must not be \'.\'']],
    ['double dot key', cm({ '..': 'value' }), ['data[..]: Invalid value: "..": must not be \'..\'']],
    ['over max key length', cm({ ['a'.repeat(254)]: 'v' }), [`data[${'a'.repeat(254)}]: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`]],
    ['duplicated key', cm({ key: 'value1' }, { key: b64('value2') }), ['data[key]: Invalid value: "key": duplicate of key present in binaryData']],
    ['binary data invalid key', cm(undefined, { 'a*b': b64('v') }), [`binaryData[a*b]: Invalid value: "a*b": ${KEY_MSG}`]],
    ['binary data dot key', cm(undefined, { '.': b64('v') }), ['binaryData[.]: Invalid value: ".": must not be \'.\'']],
    ['over max size', cm({ key: 'a'.repeat(1024 * 1024 + 1) }), ['[]: Too long: may not be more than 1048576 bytes']],
    ['binary data over max size', cm(undefined, { bin: b64(Buffer.alloc(1024 * 1024 + 1)) }), ['[]: Too long: may not be more than 1048576 bytes']],
    ['data and binaryData add up', cm({ a: 'x'.repeat(1024 * 512) }, { b: b64(Buffer.alloc(1024 * 512 + 1)) }), ['[]: Too long: may not be more than 1048576 bytes']],
    ['exactly the max size', cm({ a: 'x'.repeat(1024 * 1024) }), []],
    ['non-standard finalizer', cm(undefined, undefined, { metadata: { name: 'x', finalizers: ['foo'] } }),
      ['metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified']],
  ])('%s', (_name, o, want) => {
    expect(errs(s.validate(o, c))).toEqual(want);
  });
  it('counts data sizes in UTF-8 bytes', () => {
    expect(errs(s.validate(cm({ a: 'é'.repeat(524289) }), c))).toEqual(['[]: Too long: may not be more than 1048576 bytes']);
  });
});

describe('configmaps: decoding and canonical form', () => {
  it('rejects binaryData that is not base64 with kube\'s decode error', () => {
    expect(() => s.applyDefaults!(cm(undefined, { a: 'YQ=' }))).toThrow(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 3');
  });
  it('re-encodes base64 with newlines canonically', () => {
    const o = cm(undefined, { a: 'YW\nJj' });
    s.applyDefaults!(o);
    expect(o.binaryData).toEqual({ a: 'YWJj' });
  });
  it('drops empty data and binaryData (kube serialises them with omitempty)', () => {
    const o = cm({}, {}, { kind: 'ConfigMap', apiVersion: 'v1' });
    s.canonicalize!(o);
    expect(o).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'validname', namespace: 'ns1' } });
  });
  it('orders fields as kube does', () => {
    const o: KubeObject = { data: { a: 'b' }, immutable: true, metadata: { name: 'x' }, apiVersion: 'v1', kind: 'ConfigMap' };
    s.canonicalize!(o);
    expect(Object.keys(o)).toEqual(['kind', 'apiVersion', 'metadata', 'immutable', 'data']);
  });
});

describe('configmaps: update', () => {
  const old = cm({ a: 'b' }, undefined, { immutable: true, metadata: { name: 'validname', namespace: 'ns1', resourceVersion: '1' } });
  const IMM = 'Forbidden: field is immutable when `immutable` is set';
  it('allows anything while not immutable', () => {
    const mutable = cm({ a: 'b' });
    expect(s.validateUpdate(cm({ c: 'd' }, { e: b64('f') }, { immutable: true }), mutable, c)).toEqual([]);
  });
  it('freezes immutable, data and binaryData', () => {
    expect(errs(s.validateUpdate(cm({ a: 'c' }, {}, { immutable: false }), old, c))).toEqual([
      `immutable: ${IMM}`, `data: ${IMM}`, `binaryData: ${IMM}`,
    ]);
    expect(errs(s.validateUpdate(cm({ a: 'b' }), old, c))).toEqual([`immutable: ${IMM}`]);
    expect(s.validateUpdate(cm({ a: 'b' }, undefined, { immutable: true, metadata: { name: 'x', labels: { l: 'v' } } }), old, c)).toEqual([]);
  });
  it('treats missing and empty data alike (data is defaulted)', () => {
    const o = cm(undefined, undefined, { immutable: true });
    const n = cm({}, undefined, { immutable: true });
    expect(s.validateUpdate(n, o, c)).toEqual([]);
  });
  it('still validates the new object', () => {
    const mutable = cm({ a: 'b' });
    expect(errs(s.validateUpdate(cm({ '..': 'x' }), mutable, c))).toEqual(['data[..]: Invalid value: "..": must not be \'..\'']);
  });
});

describe('configmaps: table', () => {
  it('prints Name, Data (data + binaryData entries), Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Data', 'Age']);
    expect(s.table!.cells(cm({ a: '1', b: '2' }, { c: b64('x') }, { metadata: { name: 'x', creationTimestamp: ago(75) } }), NOW))
      .toEqual(['x', 3, '75s']);
    expect(s.table!.cells({ metadata: { name: 'e', creationTimestamp: ago(600) } }, NOW)).toEqual(['e', 0, '10m']);
  });
});
