import { describe, expect, it } from 'vitest';
import type { SchemaNode } from '../../../src/apimachinery/schema.js';
import {
  findDuplicateFields, findUnknownFields, goJsonSyntaxError, GoJsonSyntaxError, parseGoJson,
} from '../../../src/apimachinery/strict.js';

describe('goJsonSyntaxError: Go encoding/json texts', () => {
  it.each([
    ['', 'unexpected end of JSON input'],
    ['  ', 'unexpected end of JSON input'],
    ['{"a":"b', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['é', "invalid character 'Ã' looking for beginning of value"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['"a\\x"', "invalid character 'x' in string escape code"],
    ['"a\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['"\u0001"', "invalid character '\\x01' in string literal"],
    ['01', "invalid character '1' after top-level value"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.e3', "invalid character 'e' after decimal point in numeric literal"],
    ['1e+x', "invalid character 'x' in exponent of numeric literal"],
    ['.5', "invalid character '.' looking for beginning of value"],
    ['{}x', "invalid character 'x' after top-level value"],
    ['nulll', "invalid character 'l' after top-level value"],
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['falsy', "invalid character 'y' in literal false (expecting 'e')"],
    ['{"a":n}', "invalid character '}' in literal null (expecting 'u')"],
    ['\u00a0{}', "invalid character 'Â' looking for beginning of value"],
    ['['.repeat(10001), "invalid character '[' exceeded max depth"],
  ])('%j', (text, message) => {
    expect(goJsonSyntaxError(text)).toBe(message);
    expect(() => parseGoJson(text)).toThrow(GoJsonSyntaxError);
  });

  it.each(['{}', '[]', 'null', ' true ', '-0.5e+3', '"\\u00e9"', '{"a":[1,{"b":null}]}', '['.repeat(10000) + ']'.repeat(10000)])(
    'accepts %j', (text) => {
      expect(goJsonSyntaxError(text)).toBeUndefined();
    });

  it('parses valid JSON', () => {
    expect(parseGoJson('{"a":[1,"x",null,true]}')).toEqual({ a: [1, 'x', null, true] });
  });
});

describe('findDuplicateFields', () => {
  it.each([
    ['{"a":1}', []],
    ['{"a":1,"a":2}', ['duplicate field "a"']],
    ['{"a":1,"a":2,"a":3}', ['duplicate field "a"']],
    ['{"metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},"spec":{"containers":[{"name":"c"},{"name":"d","name":"e"}]}}',
      ['duplicate field "metadata.name"', 'duplicate field "metadata.labels.x"', 'duplicate field "spec.containers[1].name"']],
    ['[{"a":1,"a":2},{"b":{"c":[{"d":1,"d":1,"d":2}]}}]', ['duplicate field "[0].a"', 'duplicate field "[1].b.c[0].d"']],
    ['{"a":[[{"x":1,"x":2}]]}', ['duplicate field "a[0][0].x"']],
    ['{"a":{"b":1,"b":2},"a":3}', ['duplicate field "a.b"', 'duplicate field "a"']],
    ['{"a\\u0041":1,"aA":2}', ['duplicate field "aA"']],
    ['{"a\\"":1,"a\\"":2}', ['duplicate field "a\\""']],
    ['{"":1,"":2}', ['duplicate field ""']],
    ['\t\n\r {"a" : 1 , "a" : 2 } ', ['duplicate field "a"']],
    ['{"a":1,"a":', []],
  ])('%j', (text, want) => {
    expect(findDuplicateFields(text)).toEqual(want);
  });

  it('stops at 100 errors', () => {
    const body = `{${Array.from({ length: 150 }, (_, i) => `"k${i}":{"x":1,"x":2}`).join(',')}}`;
    expect(findDuplicateFields(body)).toHaveLength(100);
  });
});

const str: SchemaNode = { type: 'string' };
const podSchema: SchemaNode = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: {
      type: 'object',
      properties: {
        name: str,
        labels: { type: 'object', additionalProperties: str },
        managedFields: { type: 'array', items: { type: 'object', properties: { fieldsV1: { type: 'object' } } } },
      },
    },
    spec: {
      type: 'object',
      properties: {
        containers: {
          type: 'array',
          items: { type: 'object', properties: { name: str, port: { 'x-kubernetes-int-or-string': true } } },
        },
        volumes: { type: 'object', additionalProperties: { type: 'object', properties: { size: str } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: str } } } },
        free: { type: 'object', additionalProperties: true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: str } } } },
      },
    },
  },
};

describe('findUnknownFields (typed decoding)', () => {
  it('reports unknown fields with kube paths in document order', () => {
    const obj = {
      apiVersion: 'v1', kind: 'Pod', foo: 1,
      metadata: { name: 'x', bogus: true, labels: { any: 'thing' }, managedFields: [{ fieldsV1: { 'f:a': {} }, oops: 1 }] },
      spec: {
        containers: [{ name: 'a', port: 'http' }, { name: 'b', image: 'nginx' }],
        volumes: { data: { size: '1Gi', kind: 'x' } },
        extra: { anything: { goes: 1 }, known: { a: 'x', b: 'y' } },
        free: { whatever: [1] },
        template: { apiVersion: 'v1', kind: 'K', metadata: { name: 'n' }, spec: { x: 'y', z: 1 }, other: 1 },
      },
    };
    expect(findUnknownFields(obj, podSchema)).toEqual([
      'unknown field "foo"',
      'unknown field "metadata.bogus"',
      'unknown field "metadata.managedFields[0].oops"',
      'unknown field "spec.containers[1].image"',
      'unknown field "spec.volumes.data.kind"',
      'unknown field "spec.extra.known.b"',
      'unknown field "spec.template.spec.z"',
      'unknown field "spec.template.other"',
    ]);
  });

  it('ignores type mismatches and missing schemas', () => {
    expect(findUnknownFields({ spec: 'string' }, podSchema)).toEqual([]);
    expect(findUnknownFields({ spec: { containers: { name: 1 } } }, podSchema)).toEqual([]);
    expect(findUnknownFields({ a: 1 }, undefined)).toEqual([]);
  });

  it('quotes paths like Go', () => {
    expect(findUnknownFields({ 'a"b': 1 }, { type: 'object', properties: {} })).toEqual(['unknown field "a\\"b"']);
  });
});

describe('findUnknownFields (custom resources, structural pruning)', () => {
  const crd: SchemaNode = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          empty: { type: 'object' },
          list: { type: 'array', items: { type: 'object', properties: { a: str } } },
          raw: { type: 'array' },
        },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };

  it('prunes like the apiextensions pruner and sorts the paths', () => {
    const obj = {
      apiVersion: 'x/v1', kind: 'K', metadata: { name: 'n', whatever: 1 },
      zeta: 1,
      spec: { replicas: 1, empty: { a: 1, b: 2 }, list: [{ a: 'x', c: 1 }], raw: [{ q: 1 }], alpha: true },
      status: { free: 1 },
    };
    expect(findUnknownFields(obj, crd, { structural: true })).toEqual([
      'unknown field "spec.alpha"',
      'unknown field "spec.empty.a"',
      'unknown field "spec.empty.b"',
      'unknown field "spec.list[0].c"',
      'unknown field "spec.raw[0].q"',
      'unknown field "zeta"',
    ]);
  });

  it('prints paths with %s, not %q', () => {
    expect(findUnknownFields({ 'a"b': 1 }, { type: 'object' }, { structural: true })).toEqual(['unknown field "a"b"']);
  });
});
