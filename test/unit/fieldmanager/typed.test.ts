// Values walked with their schema, as structured-merge-diff/v6's typed package walks them: the
// field set of a value (toset_test), the comparison of two values (symdiff_test), the merge of a
// configuration into a live object with kube's list order (merge_test), the removal of paths
// (remove_test), validation and its messages (validate_test; the texts are SMD's, as kube returns
// them in "failed to create typed patch object" errors).

import { describe, expect, it } from 'vitest';
import type { SchemaNode } from '../../../src/apimachinery/schema.js';
import { FieldSet } from '../../../src/fieldmanager/fieldpath.js';
import { DEDUCED, UNTYPED, atomOf, type Atom } from '../../../src/fieldmanager/schema.js';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, validateTyped } from '../../../src/fieldmanager/typed.js';
import { resolveSchema } from '../../../src/openapi/definitions.js';
import {
  K, P, S, S_NUM, S_STR, V, grabBag, listMap, mapOf, myRoot, nestedTypes, obj, paths, stringPair, untypedAtomic,
} from './helpers.js';

const j = (s: string): unknown => JSON.parse(s);

const nestedMap = obj({ inner: mapOf(untypedAtomic) });
const nestedStruct = obj({ inner: obj({ value: untypedAtomic }) });
const nestedList = obj({ inner: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: untypedAtomic } });
const recursiveMap: SchemaNode = { type: 'object' };
recursiveMap.additionalProperties = recursiveMap;

/** __untyped_separable_: any value, lists sets of it, maps granular. */
const untypedSeparable: SchemaNode = { 'x-kubernetes-list-type': 'set' };
untypedSeparable.items = untypedSeparable;
untypedSeparable.additionalProperties = untypedSeparable;

describe('toFieldSet', () => {
  // toset_test.go fieldsetCases
  it.each<[string, SchemaNode, string, FieldSet]>([
    ['simple pair', stringPair, '{"key":"foo","value":1}', S(P('key'), P('value'))],
    ['simple pair', stringPair, '{"key":"foo","value":{"a": "b"}}', S(P('key'), P('value'))],
    ['simple pair', stringPair, '{"key":"foo","value":null}', S(P('key'), P('value'))],
    ['simple pair', stringPair, '{"key":"foo"}', S(P('key'))],
    ['simple pair', stringPair, '{"key":"foo","value":true}', S(P('key'), P('value'))],
    ['grab bag', grabBag, '{"numeric":1}', S(P('numeric'))],
    ['grab bag', grabBag, '{"numeric":3.14159}', S(P('numeric'))],
    ['grab bag', grabBag, '{"string":"aoeu"}', S(P('string'))],
    ['grab bag', grabBag, '{"bool":false}', S(P('bool'))],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', S(P('setStr', V('a')), P('setStr', V('b')), P('setStr', V('c')))],
    ['grab bag', grabBag, '{"setStr":["a","b","c","a","b","c","c"]}', S(P('setStr', V('a')), P('setStr', V('b')), P('setStr', V('c')))],
    ['grab bag', grabBag, '{"setBool":[true,false,true]}', S(P('setBool', V(true)), P('setBool', V(false)))],
    ['grab bag', grabBag, '{"setNumeric":[1,2,3,3.14159]}', S(P('setNumeric', V(1)), P('setNumeric', V(2)), P('setNumeric', V(3)), P('setNumeric', V(3.14159)))],
    ['grab bag', grabBag, '{"color":{}}', S(P('color'))],
    ['grab bag', grabBag, '{"color":null}', S(P('color'))],
    ['grab bag', grabBag, '{"color":{"R":255,"G":0,"B":0}}', S(P('color'))],
    ['grab bag', grabBag, '{"arbitraryWavelengthColor":{}}', S(P('arbitraryWavelengthColor'))],
    ['grab bag', grabBag, '{"arbitraryWavelengthColor":{"IR":255}}', S(P('arbitraryWavelengthColor'))],
    ['grab bag', grabBag, '{"args":[]}', S(P('args'))],
    ['grab bag', grabBag, '{"args":null}', S(P('args'))],
    ['grab bag', grabBag, '{"args":[null]}', S(P('args'))],
    ['grab bag', grabBag, '{"args":[{"key":"a","value":"b"},{"key":"c","value":"d"}]}', S(P('args'))],
    ['associative list', myRoot, '{"list":[]}', S()],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}', S(
      P('list', K({ key: 'a', id: 1 })), P('list', K({ key: 'a', id: 1 }), 'key'), P('list', K({ key: 'a', id: 1 }), 'id'),
      P('list', K({ key: 'a', id: 1 }), 'value', 'a'))],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"a","id":2},{"key":"b","id":1}]}', S(
      P('list', K({ key: 'a', id: 1 })), P('list', K({ key: 'a', id: 2 })), P('list', K({ key: 'b', id: 1 })),
      P('list', K({ key: 'a', id: 1 }), 'key'), P('list', K({ key: 'a', id: 1 }), 'id'),
      P('list', K({ key: 'a', id: 2 }), 'key'), P('list', K({ key: 'a', id: 2 }), 'id'),
      P('list', K({ key: 'b', id: 1 }), 'key'), P('list', K({ key: 'b', id: 1 }), 'id'))],
    // a duplicated item is owned as a whole, nothing below it
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"nv":2},{"key":"a","id":2,"nv":3},{"key":"b","id":1},{"key":"a","id":2,"bv":true}]}', S(
      P('list', K({ key: 'a', id: 1 })), P('list', K({ key: 'a', id: 1 }), 'key'), P('list', K({ key: 'a', id: 1 }), 'id'),
      P('list', K({ key: 'a', id: 1 }), 'nv'), P('list', K({ key: 'a', id: 2 })), P('list', K({ key: 'b', id: 1 })),
      P('list', K({ key: 'b', id: 1 }), 'key'), P('list', K({ key: 'b', id: 1 }), 'id'))],
    ['associative list', myRoot, '{"atomicList":["a","a","a"]}', S(P('atomicList'))],
  ])('%s %#', (_name, schema, value, want) => {
    expect(paths(toFieldSet(j(value), atomOf(schema)))).toEqual(paths(want));
  });

  it('owns the keys of a map that has no fields, and the empty maps and nulls it holds', () => {
    expect(paths(toFieldSet(j('{"a":{"b":{}},"c":null,"d":{"e":1}}'), DEDUCED))).toEqual(['.a', '.c', '.d', '.a.b', '.d.e']);
    expect(paths(toFieldSet(j('{"mapOfMapsRecursive":{"a":null,"c":{"d":null}}}'), atomOf(nestedTypes))))
      .toEqual(['.mapOfMapsRecursive.a', '.mapOfMapsRecursive.c', '.mapOfMapsRecursive.c.d']);
  });

  it('owns a ConfigMap field by field; its atomic maps and lists as a whole', () => {
    const cm = atomOf(resolveSchema('io.k8s.api.core.v1.ConfigMap'));
    const set = toFieldSet({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' }, finalizers: ['f'] }, data: { k: 'v' } }, cm);
    expect(set.toFieldsV1String()).toBe('{"f:apiVersion":{},"f:data":{"f:k":{}},"f:kind":{},"f:metadata":{"f:finalizers":{"v:\\"f\\"":{}},"f:labels":{"f:a":{}},"f:name":{}}}');
    const svc = atomOf(resolveSchema('io.k8s.api.core.v1.Service'));
    const s2 = toFieldSet({ spec: { selector: { app: 'x' }, clusterIPs: ['10.0.0.1'], ports: [{ port: 80, targetPort: 8080 }] } }, svc);
    // selector and clusterIPs are atomic; the port's protocol key takes its default
    expect(paths(s2)).toEqual([
      '.spec.clusterIPs', '.spec.selector', '.spec.ports[port=80,protocol="TCP"]',
      '.spec.ports[port=80,protocol="TCP"].port', '.spec.ports[port=80,protocol="TCP"].targetPort',
    ]);
  });
});

describe('named types (schemaconv\'s exceptions)', () => {
  it('a Quantity is any scalar, not a map or a list', () => {
    const rq = atomOf(resolveSchema('io.k8s.api.core.v1.ResourceQuota'));
    expect(validateTyped({ spec: { hard: { pods: '10', cpu: 2 } } }, rq)).toEqual([]);
    expect(validateTyped({ spec: { hard: { pods: { x: 1 } } } }, rq)).toEqual(['.spec.hard.pods: expected any scalar, got &{map[x:1]}']);
    expect(validateTyped({ spec: { hard: { pods: [1] } } }, rq)).toEqual(['.spec.hard.pods: expected any scalar, got &{[1]}']);
  });

  it('an IntOrString (no type in kube\'s OpenAPI v3) takes anything, a map granularly', () => {
    const svc = atomOf(resolveSchema('io.k8s.api.core.v1.Service'));
    expect(validateTyped({ spec: { ports: [{ port: 80, targetPort: { x: 1 } }] } }, svc)).toEqual([]);
  });

  it('a RawExtension is untyped and atomic', () => {
    const a = atomOf(obj({ data: resolveSchema('io.k8s.apimachinery.pkg.runtime.RawExtension')! }));
    expect(paths(toFieldSet({ data: { a: { b: 1 } } }, a))).toEqual(['.data']);
    expect(validateTyped({ data: [1, 'x'] }, a)).toEqual([]);
  });
});

describe('compare', () => {
  // symdiff_test.go: [lhs, rhs, removed, modified, added]; every case also holds reversed
  it.each<[string, SchemaNode | Atom, string, string, FieldSet, FieldSet, FieldSet]>([
    ['simple pair', stringPair, '{"key":"foo","value":1}', '{"key":"foo","value":1}', S(), S(), S()],
    ['simple pair', stringPair, '{"key":"foo","value":{}}', '{"key":"foo","value":1}', S(), S(P('value')), S()],
    ['simple pair', stringPair, '{"key":"foo","value":1}', '{"key":"foo","value":{"doesn\'t matter":"what\'s here","or":{"how":"nested"}}}', S(), S(P('value')), S()],
    ['simple pair', stringPair, '{"key":"foo","value":null}', '{"key":"foo","value":{}}', S(), S(P('value')), S()],
    ['simple pair', stringPair, '{"key":"foo"}', '{"value":true}', S(P('key')), S(), S(P('value'))],
    ['simple pair', stringPair, '{"key":"foot"}', '{"key":"foo","value":true}', S(), S(P('key')), S(P('value'))],
    ['null/empty map', nestedMap, '{}', '{"inner":{}}', S(), S(), S(P('inner'))],
    ['null/empty map', nestedMap, '{}', '{"inner":null}', S(), S(), S(P('inner'))],
    ['null/empty map', nestedMap, '{"inner":null}', '{"inner":{}}', S(), S(P('inner')), S()],
    ['null/empty map', nestedMap, '{"inner":{}}', '{"inner":{}}', S(), S(), S()],
    ['null/empty struct', nestedStruct, '{}', '{"inner":{}}', S(), S(), S(P('inner'))],
    ['null/empty struct', nestedStruct, '{"inner":null}', '{"inner":{}}', S(), S(P('inner')), S()],
    ['null/empty list', nestedList, '{}', '{"inner":[]}', S(), S(), S(P('inner'))],
    ['null/empty list', nestedList, '{"inner":null}', '{"inner":[]}', S(), S(P('inner')), S()],
    ['null/empty list', nestedList, '{"inner":[]}', '{"inner":[]}', S(), S(), S()],
    ['map merge', recursiveMap, '{"a":{},"b":{}}', '{"a":{},"b":{}}', S(), S(), S()],
    ['map merge', recursiveMap, '{"a":{}}', '{"b":{}}', S(P('a')), S(), S(P('b'))],
    ['map merge', recursiveMap, '{"a":{"b":{"c":{}}}}', '{"a":{"b":{}}}', S(P('a', 'b', 'c')), S(), S()],
    ['map merge', recursiveMap, '{"a":{}}', '{"a":{"b":{}}}', S(), S(), S(P('a', 'b'))],
    ['untyped deduced', DEDUCED, '{"a":{}}', '{"a":{"b":{}}}', S(), S(), S(P('a', 'b'))],
    ['untyped deduced', DEDUCED, '{"a":null}', '{"a":{"b":{}}}', S(), S(), S(P('a', 'b'))],
    ['untyped deduced', DEDUCED, '{"a":[]}', '{"a":["b"]}', S(), S(P('a')), S()],
    ['untyped deduced', DEDUCED, '{"a":null}', '{"a":["b"]}', S(), S(P('a')), S()],
    ['untyped deduced', DEDUCED, '{"a":null}', '{"a":"b"}', S(), S(P('a')), S()],
    ['untyped deduced', DEDUCED, '{"a":{"b":{}}}', '{"a":["b"]}', S(P('a', 'b')), S(P('a')), S()],
    ['untyped deduced', DEDUCED, '{"a":{"b":{}}}', '{"a":"b"}', S(P('a', 'b')), S(P('a')), S()],
    ['untyped deduced', DEDUCED, '{"a":["b"]}', '{"a":"b"}', S(), S(P('a')), S()],
    ['untyped separable', untypedSeparable, '{"a":[]}', '{"a":["b"]}', S(), S(), S(P('a', V('b')))],
    ['untyped separable', untypedSeparable, '{"a":null}', '{"a":["b"]}', S(), S(P('a')), S(P('a', V('b')))],
    ['untyped separable', untypedSeparable, '{"a":{"b":{}}}', '{"a":["b"]}', S(P('a', 'b')), S(), S(P('a', V('b')))],
    ['untyped separable', untypedSeparable, '{"a":{"b":{}}}', '{"a":"b"}', S(P('a', 'b')), S(P('a')), S()],
    ['untyped separable', untypedSeparable, '{"a":["b"]}', '{"a":"b"}', S(P('a', V('b'))), S(P('a')), S()],
    ['grab bag', grabBag, '{"numeric":1}', '{"numeric":3.14159}', S(), S(P('numeric')), S()],
    ['grab bag', grabBag, '{"string":"aoeu"}', '{"bool":true}', S(P('string')), S(), S(P('bool'))],
    ['grab bag', grabBag, '{"setStr":["a","b"]}', '{"setStr":["a","b","c"]}', S(), S(), S(P('setStr', V('c')))],
    ['grab bag', grabBag, '{"setStr":["a"]}', '{"setStr":["a","b","b"]}', S(), S(), S(P('setStr', V('b')))],
    ['grab bag', grabBag, '{"setStr":["a","b"]}', '{"setStr":["a","b","b"]}', S(P('setStr', V('b'))), S(), S(P('setStr', V('b')))],
    ['grab bag', grabBag, '{"setStr":["b","b"]}', '{"setStr":["a","b","b"]}', S(), S(), S(P('setStr', V('a')))],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', '{"setStr":[]}', S(P('setStr', V('a')), P('setStr', V('b')), P('setStr', V('c'))), S(), S()],
    ['grab bag', grabBag, '{"setBool":[true]}', '{"setBool":[false]}', S(P('setBool', V(true))), S(), S(P('setBool', V(false)))],
    ['grab bag', grabBag, '{"setNumeric":[1,2,3.14159]}', '{"setNumeric":[1,2,3]}', S(P('setNumeric', V(3.14159))), S(), S(P('setNumeric', V(3)))],
    ['grab bag', grabBag, '{"setStr":["a","b","b","c","a"]}', '{"setStr":[]}', S(P('setStr', V('a')), P('setStr', V('b')), P('setStr', V('c'))), S(), S()],
    ['grab bag', grabBag, '{"setNumeric":[1,2,2,3.14159,1]}', '{"setNumeric":[1,2,3]}',
      S(P('setNumeric', V(1)), P('setNumeric', V(2)), P('setNumeric', V(3.14159))), S(),
      S(P('setNumeric', V(1)), P('setNumeric', V(2)), P('setNumeric', V(3)))],
    ['associative list', myRoot, '{}', '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}', S(), S(), S(
      P('list'), P('list', K({ key: 'a', id: 1 })), P('list', K({ key: 'a', id: 1 }), 'key'), P('list', K({ key: 'a', id: 1 }), 'id'),
      P('list', K({ key: 'a', id: 1 }), 'value'), P('list', K({ key: 'a', id: 1 }), 'value', 'a'))],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}', '{"list":[{"key":"a","id":1,"value":{"a":"b"}}]}',
      S(), S(P('list', K({ key: 'a', id: 1 }), 'value', 'a')), S()],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"b","id":1}]}', '{"list":[{"key":"a","id":1},{"key":"a","id":2}]}',
      S(P('list', K({ key: 'b', id: 1 })), P('list', K({ key: 'b', id: 1 }), 'key'), P('list', K({ key: 'b', id: 1 }), 'id')), S(),
      S(P('list', K({ key: 'a', id: 2 })), P('list', K({ key: 'a', id: 2 }), 'key'), P('list', K({ key: 'a', id: 2 }), 'id'))],
    ['associative list', myRoot, '{"atomicList":["a","a","a"]}', '{"atomicList":null}', S(), S(P('atomicList')), S()],
    ['associative list', myRoot, '{"atomicList":["a","a","a"]}', '{"atomicList":["a","a"]}', S(), S(P('atomicList')), S()],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"nv":2},{"key":"b","id":1},{"key":"a","id":1,"bv":true}]}', '{"list":[{"key":"a","id":1},{"key":"a","id":2}]}',
      S(P('list', K({ key: 'b', id: 1 })), P('list', K({ key: 'b', id: 1 }), 'key'), P('list', K({ key: 'b', id: 1 }), 'id'), P('list', K({ key: 'a', id: 1 }))), S(),
      S(P('list', K({ key: 'a', id: 1 })), P('list', K({ key: 'a', id: 1 }), 'key'), P('list', K({ key: 'a', id: 1 }), 'id'),
        P('list', K({ key: 'a', id: 2 })), P('list', K({ key: 'a', id: 2 }), 'key'), P('list', K({ key: 'a', id: 2 }), 'id'))],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"b","id":1},{"key":"a","id":1,"bv":true}]}',
      '{"list":[{"key":"a","id":1},{"key":"b","id":1},{"key":"a","id":1,"bv":true,"nv":1}]}', S(), S(P('list', K({ key: 'a', id: 1 }))), S()],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"b","id":1},{"key":"a","id":1,"bv":true}]}',
      '{"list":[{"key":"a","id":1},{"key":"b","id":1,"bv":true},{"key":"a","id":1,"bv":true}]}', S(), S(), S(P('list', K({ key: 'b', id: 1 }), 'bv'))],
  ])('%s %#', (_name, schema, lhs, rhs, removed, modified, added) => {
    const a = 'type' in schema || 'properties' in schema || 'items' in schema || 'x-kubernetes-list-type' in schema
      ? atomOf(schema as SchemaNode) : schema as Atom;
    const c = compare(j(lhs), j(rhs), a);
    expect({ removed: paths(c.removed), modified: paths(c.modified), added: paths(c.added) })
      .toEqual({ removed: paths(removed), modified: paths(modified), added: paths(added) });
    const r = compare(j(rhs), j(lhs), a);
    expect({ removed: paths(r.removed), modified: paths(r.modified), added: paths(r.added) })
      .toEqual({ removed: paths(added), modified: paths(modified), added: paths(removed) });
  });
});

describe('merge', () => {
  // merge_test.go: [lhs, rhs, out]
  it.each<[string, SchemaNode, string, string, string]>([
    ['simple pair', stringPair, '{"key":"foo","value":{}}', '{"key":"foo","value":1}', '{"key":"foo","value":1}'],
    ['simple pair', stringPair, '{"key":"foo","value":1}', '{"key":"foo","value":{}}', '{"key":"foo","value":{}}'],
    ['simple pair', stringPair, '{"key":"foo","value":null}', '{"key":"foo","value":{}}', '{"key":"foo","value":{}}'],
    ['simple pair', stringPair, '{"key":"foo"}', '{"value":true}', '{"key":"foo","value":true}'],
    ['null/empty map', nestedMap, '{}', '{"inner":{}}', '{"inner":{}}'],
    ['null/empty map', nestedMap, '{}', '{"inner":null}', '{"inner":null}'],
    ['null/empty map', nestedMap, '{"inner":null}', '{"inner":{}}', '{"inner":{}}'],
    ['null/empty map', nestedMap, '{"inner":{}}', '{"inner":null}', '{"inner":null}'],
    ['null/empty map', nestedMap, '{"inner":{}}', '{"inner":{}}', '{"inner":{}}'],
    ['null/empty struct', nestedStruct, '{}', '{"inner":{}}', '{"inner":{}}'],
    ['null/empty struct', nestedStruct, '{}', '{"inner":null}', '{"inner":null}'],
    ['null/empty struct', nestedStruct, '{"inner":{}}', '{"inner":null}', '{"inner":null}'],
    ['null/empty list', nestedList, '{}', '{"inner":[]}', '{"inner":[]}'],
    ['null/empty list', nestedList, '{"inner":null}', '{"inner":[]}', '{"inner":[]}'],
    ['null/empty list', nestedList, '{"inner":[]}', '{"inner":null}', '{"inner":null}'],
    ['grab bag', grabBag, '{"numeric":1}', '{"numeric":3.14159}', '{"numeric":3.14159}'],
    ['grab bag', grabBag, '{"string":"aoeu"}', '{"bool":true}', '{"string":"aoeu","bool":true}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', '{"setStr":["a","b"]}', '{"setStr":["a","b","c"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b"]}', '{"setStr":["a","b","c"]}', '{"setStr":["a","b","c"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', '{"setStr":[]}', '{"setStr":["a","b","c"]}'],
    ['grab bag', grabBag, '{"setStr":[]}', '{"setStr":["a","b","c"]}', '{"setStr":["a","b","c"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b"]}', '{"setStr":["b","a"]}', '{"setStr":["b","a"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', '{"setStr":["d","e","f"]}', '{"setStr":["a","b","c","d","e","f"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', '{"setStr":["c","d","e","f"]}', '{"setStr":["a","b","c","d","e","f"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","g","f"]}', '{"setStr":["c","d","e","f"]}', '{"setStr":["a","b","c","g","d","e","f"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', '{"setStr":["d","e","f","x","y","z"]}', '{"setStr":["a","b","c","d","e","f","x","y","z"]}'],
    ['grab bag', grabBag, '{"setStr":["c","d","e","f"]}', '{"setStr":["a","c","e"]}', '{"setStr":["a","c","d","e","f"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","x","y","z"]}', '{"setStr":["d","e","f"]}', '{"setStr":["a","b","c","x","y","z","d","e","f"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","x","y","z"]}', '{"setStr":["d","e","f","x","y","z"]}', '{"setStr":["a","b","c","d","e","f","x","y","z"]}'],
    ['grab bag', grabBag, '{"setStr":["c","a","g","f"]}', '{"setStr":["c","f","a","g"]}', '{"setStr":["c","f","a","g"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","d"]}', '{"setStr":["d","e","f","a"]}', '{"setStr":["b","c","d","e","f","a"]}'],
    ['grab bag', grabBag, '{"setStr":["c","d","e","f","g","h","i","j"]}', '{"setStr":["2","h","3","e","4","k","l"]}',
      '{"setStr":["c","d","f","g","2","h","i","j","3","e","4","k","l"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","d","e","f","g","h","i","j"]}', '{"setStr":["1","b","2","h","3","e","4","k","l"]}',
      '{"setStr":["a","1","b","c","d","f","g","2","h","i","j","3","e","4","k","l"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","b"]}', '{"setStr":["c"]}', '{"setStr":["a","b","b","c"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","b"]}', '{"setStr":["b"]}', '{"setStr":["a","b"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","b"]}', '{"setStr":["a"]}', '{"setStr":["a","b","b"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","d","e","c"]}', '{"setStr":["1","b","2","e","d"]}', '{"setStr":["a","1","b","c","2","e","c","d"]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c","d","e","c"]}', '{"setStr":["1","b","2","c","e","d"]}', '{"setStr":["a","1","b","2","c","e","d"]}'],
    ['grab bag', grabBag, '{"setStr":["a","a","b","b"]}', '{"setStr":["b","c","d"]}', '{"setStr":["a","a","b","c","d"]}'],
    ['grab bag', grabBag, '{"setStr":["a","a","b","b"]}', '{"setStr":[]}', '{"setStr":["a","a","b","b"]}'],
    ['grab bag', grabBag, '{"setBool":[true]}', '{"setBool":[false]}', '{"setBool":[true, false]}'],
    ['grab bag', grabBag, '{"setNumeric":[1,2,3.14159]}', '{"setNumeric":[1,2,3]}', '{"setNumeric":[1,2,3.14159,3]}'],
    ['grab bag', grabBag, '{"setStr":["c","a","g","f","c","a"]}', '{"setStr":["c","f","a","g"]}', '{"setStr":["c","f","a","g"]}'],
    ['grab bag', grabBag, '{"setNumeric":[1,2,3.14159,1,2]}', '{"setNumeric":[1,2,3]}', '{"setNumeric":[1,2,3.14159,3]}'],
    ['grab bag', grabBag, '{"setBool":[true,false,true]}', '{"setBool":[false]}', '{"setBool":[true,false,true]}'],
    ['grab bag', grabBag, '{"setBool":[true,false,true]}', '{"setBool":[true]}', '{"setBool":[true, false]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}', '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}',
      '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}', '{"list":[{"key":"a","id":2,"value":{"a":"a"}}]}',
      '{"list":[{"key":"a","id":1,"value":{"a":"a"}},{"key":"a","id":2,"value":{"a":"a"}}]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"b","id":1}]}', '{"list":[{"key":"a","id":1},{"key":"a","id":2}]}',
      '{"list":[{"key":"a","id":1},{"key":"b","id":1},{"key":"a","id":2}]}'],
    ['associative list', myRoot, '{"list":[{"key":"b","id":2}]}', '{"list":[{"key":"a","id":1},{"key":"b","id":2},{"key":"c","id":3}]}',
      '{"list":[{"key":"a","id":1},{"key":"b","id":2},{"key":"c","id":3}]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"b","id":2},{"key":"c","id":3}]}', '{"list":[{"key":"c","id":3},{"key":"b","id":2}]}',
      '{"list":[{"key":"a","id":1},{"key":"c","id":3},{"key":"b","id":2}]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1},{"key":"b","id":2},{"key":"c","id":3}]}', '{"list":[{"key":"c","id":3},{"key":"a","id":1}]}',
      '{"list":[{"key":"b","id":2},{"key":"c","id":3},{"key":"a","id":1}]}'],
    ['associative list', myRoot, '{"atomicList":["a","a","a"]}', '{"atomicList":null}', '{"atomicList":null}'],
    ['associative list', myRoot, '{"atomicList":["a","b","c"]}', '{"atomicList":[]}', '{"atomicList":[]}'],
    ['associative list', myRoot, '{"atomicList":["a","a","a"]}', '{"atomicList":["a","a"]}', '{"atomicList":["a","a"]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"bv":true},{"key":"b","id":2},{"key":"a","id":1,"bv":false,"nv":2}]}',
      '{"list":[{"key":"a","id":1,"nv":3},{"key":"c","id":3},{"key":"b","id":2}]}', '{"list":[{"key":"a","id":1,"nv":3},{"key":"c","id":3},{"key":"b","id":2}]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"nv":1},{"key":"a","id":1,"nv":2}]}', '{"list":[]}',
      '{"list":[{"key":"a","id":1,"nv":1},{"key":"a","id":1,"nv":2}]}'],
    ['associative list', myRoot, '{"list":[{"key":"a","id":1,"nv":1},{"key":"a","id":1,"nv":2}]}', '{}',
      '{"list":[{"key":"a","id":1,"nv":1},{"key":"a","id":1,"nv":2}]}'],
  ])('%s %#', (_name, schema, lhs, rhs, out) => {
    expect(merge(j(lhs), j(rhs), atomOf(schema))).toEqual(j(out));
  });

  it('refuses a configuration with duplicate items', () => {
    expect(() => merge(j('{"setStr":["a"]}'), j('{"setStr":["b","b"]}'), atomOf(grabBag))).toThrow('duplicate entries for key [="b"]');
  });

  it('merges a Service\'s ports by port and protocol, the default protocol standing in for an omitted one', () => {
    const svc = atomOf(resolveSchema('io.k8s.api.core.v1.Service'));
    const live = { spec: { ports: [{ port: 80, protocol: 'TCP', name: 'http', targetPort: 8080 }, { port: 53, protocol: 'UDP' }] } };
    const cfg = { spec: { ports: [{ port: 443 }, { port: 80, targetPort: 9090 }] } };
    expect(merge(live, cfg, svc)).toEqual({
      spec: { ports: [{ port: 443 }, { port: 80, protocol: 'TCP', name: 'http', targetPort: 9090 }, { port: 53, protocol: 'UDP' }] },
    });
  });
});

describe('removeItems', () => {
  // remove_test.go removeOutput
  it.each<[string, SchemaNode, string, FieldSet, string]>([
    ['simple pair', stringPair, '{"key":"foo"}', S(P('key')), 'null'],
    ['simple pair', stringPair, '{"key":"foo"}', S(), '{"key":"foo"}'],
    ['simple pair', stringPair, '{"key":"foo","value":true}', S(P('key')), '{"value":true}'],
    ['simple pair', stringPair, '{"key":"foo","value":{"a": "b"}}', S(P('value')), '{"key":"foo"}'],
    ['grab bag', grabBag, '{"setBool":[false]}', S(P('setBool', V(false))), '{"setBool":null}'],
    ['grab bag', grabBag, '{"setBool":[false]}', S(P('setBool', V(true))), '{"setBool":[false]}'],
    ['grab bag', grabBag, '{"setBool":[true,false]}', S(P('setBool', V(true))), '{"setBool":[false]}'],
    ['grab bag', grabBag, '{"setBool":[true,false]}', S(P('setBool')), 'null'],
    ['grab bag', grabBag, '{"setNumeric":[1,2,3,4.5]}', S(P('setNumeric', V(1)), P('setNumeric', V(4.5))), '{"setNumeric":[2,3]}'],
    ['grab bag', grabBag, '{"setStr":["a","b","c"]}', S(P('setStr', V('a'))), '{"setStr":["b","c"]}'],
    ['associative', myRoot, '{"list":[{"key":"a","id":1},{"key":"a","id":2},{"key":"b","id":1}]}', S(P('list', K({ key: 'a', id: 1 }))),
      '{"list":[{"key":"a","id":2},{"key":"b","id":1}]}'],
    ['associative', myRoot, '{"atomicList":["a", "a", "a"]}', S(P('atomicList')), 'null'],
    ['associative', myRoot, '{"atomicMap":{"a": "c", "b": "d"}}', S(P('atomicMap')), 'null'],
    ['nested', nestedTypes, '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}', S(P('listOfLists')), 'null'],
    ['nested', nestedTypes, '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}', S(P('listOfLists', K({ name: 'd' }))),
      '{"listOfLists": [{"name": "a", "value": ["b", "c"]}]}'],
    ['nested', nestedTypes, '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}', S(P('listOfLists', K({ name: 'a' }), 'value', V('b'))),
      '{"listOfLists": [{"name":"a", "value": ["c"]}, {"name": "d"}]}'],
    ['nested', nestedTypes, '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}', S(P('listOfLists', K({ name: 'x' }))),
      '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}'],
    ['nested', nestedTypes, '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}', S(P(V('b'))),
      '{"listOfLists": [{"name": "a", "value": ["b", "c"]}, {"name": "d"}]}'],
    ['nested', nestedTypes, '{"listOfMaps": [{"name": "a", "value": {"b":"x", "c":"y"}}, {"name": "d", "value": {"e":"z"}}]}',
      S(P('listOfMaps', K({ name: 'a' }), 'value', 'b')), '{"listOfMaps": [{"name": "a", "value": {"c":"y"}}, {"name": "d", "value": {"e":"z"}}]}'],
    ['nested', nestedTypes, '{"mapOfLists": {"b":["a","c"], "d":["e", "f"]}}', S(P('mapOfLists', 'b')), '{"mapOfLists": {"d":["e", "f"]}}'],
    ['nested', nestedTypes, '{"mapOfLists": {"b":["a","c"], "d":["e", "f"]}}', S(P('mapOfLists', 'b', V('a'))), '{"mapOfLists":{"b":["c"],"d":["e", "f"]}}'],
    ['nested', nestedTypes, '{"mapOfLists": {"b":["a","c"], "d":["e", "f"]}}', S(P('mapOfLists', 'q')), '{"mapOfLists": {"b":["a","c"], "d":["e", "f"]}}'],
  ])('%s %#', (_name, schema, value, set, out) => {
    expect(removeItems(j(value), set, atomOf(schema))).toEqual(j(out));
  });
});

describe('ensureNamedFieldsAreMembers', () => {
  // fieldpath set_test.go TestEnsureNamedFieldsAreMembers
  const nested: SchemaNode = { type: 'object', properties: {} };
  Object.assign(nested.properties!, {
    keyAStr: S_STR, keyBInt: S_NUM, named: nested, list: listMap(['keyAStr', 'keyBInt'], nested), a: nested, value: S_NUM,
  });
  nested.additionalProperties = nested;
  const values = obj({ values: listMap(['keyAStr', 'keyBInt'], obj({ keyAStr: S_STR, keyBInt: S_NUM, value: S_NUM })) });
  it.each<[SchemaNode, string, FieldSet, FieldSet]>([
    [nested, '{"named": {"named": {"value": 0}}}', S(P('named', 'named', 'value')), S(P('named', 'named', 'value'), P('named', 'named'), P('named'))],
    [nested, '{"named": {"a": {"named": {"value": 42}}}, "a": {"named": {"value": 1}}}',
      S(P('named', 'a', 'named', 'value'), P('a', 'named', 'value')),
      S(P('named', 'a', 'named', 'value'), P('named', 'a', 'named'), P('named', 'a'), P('named'), P('a', 'named', 'value'), P('a', 'named'), P('a'))],
    [nested, '{"named": {"list": [{"keyAStr": "a", "keyBInt": 1, "named": {"value": 0}}]}}',
      S(P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'keyAStr'), P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'keyBInt'),
        P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'named', 'value'), P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }))),
      S(P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'keyAStr'), P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'keyBInt'),
        P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'named', 'value'), P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 }), 'named'),
        P('named', 'list', K({ keyAStr: 'a', keyBInt: 1 })), P('named', 'list'), P('named'))],
    // an item that lacks one of the keys keeps the key it has, and does not gain the other
    [values, '{"values": [{"keyAStr": "a", "value": 1}]}',
      S(P('values', K({ keyAStr: 'a' }), 'keyAStr'), P('values', K({ keyAStr: 'a' }), 'value'), P('values', K({ keyAStr: 'a' }))),
      S(P('values', K({ keyAStr: 'a' }), 'keyAStr'), P('values', K({ keyAStr: 'a' }), 'value'), P('values', K({ keyAStr: 'a' })), P('values'))],
  ])('%#', (schema, value, before, after) => {
    const a = atomOf(schema);
    const set = toFieldSet(j(value), a);
    expect(paths(set)).toEqual(paths(before));
    expect(paths(ensureNamedFieldsAreMembers(set, a))).toEqual(paths(after));
  });
});

describe('validation', () => {
  const v = (schema: SchemaNode, value: string, allowDuplicates = false) => validateTyped(j(value), atomOf(schema), { allowDuplicates });

  it.each<[SchemaNode, string]>([
    [stringPair, '{"key":"foo","value":1}'], [stringPair, '{"key":"foo","value":{}}'], [stringPair, '{"key":"foo","value":null}'],
    [stringPair, '{"key":"foo"}'], [stringPair, '{"key":"foo","value":true}'], [stringPair, '{"key":null}'],
    [stringPair, '{"value":{"a":[1,{"b":2}]}}'],
    [grabBag, '{"numeric":null}'], [grabBag, '{"numeric":1}'], [grabBag, '{"numeric":3.14159}'], [grabBag, '{"string":null}'],
    [grabBag, '{"string":"aoeu"}'], [grabBag, '{"bool":null}'], [grabBag, '{"bool":true}'], [grabBag, '{"bool":false}'],
    [grabBag, '{"setStr":["a","b","c"]}'], [grabBag, '{"setBool":[true,false]}'], [grabBag, '{"setNumeric":[1,2,3,3.14159]}'],
    [myRoot, '{"list":[]}'], [myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"}}]}'],
    [myRoot, '{"list":[{"key":"a","id":1},{"key":"a","id":2},{"key":"b","id":1}]}'], [myRoot, '{"atomicList":["a","a","a"]}'],
    // an item with some of its keys is keyed by those
    [myRoot, '{"list":[{"key":"x","value":{"a":"a"},"bv":true,"nv":3.14}]}'],
  ])('accepts %#', (schema, value) => {
    expect(v(schema, value)).toEqual([]);
  });

  // the texts kube returns (SMD prints values with Go's %#v, %v and %T of its value wrapper)
  it.each<[SchemaNode, string, string]>([
    [stringPair, '{"key":true,"value":1}', '.key: expected string, got &value.valueUnstructured{Value:true}'],
    [stringPair, '{"key":1,"value":{}}', '.key: expected string, got &value.valueUnstructured{Value:1}'],
    [stringPair, '{"key":[1, 2]}', '.key: expected string, got &value.valueUnstructured{Value:[]interface {}{1, 2}}'],
    [stringPair, '{"key":{"foo":true}}', '.key: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"foo":true}}'],
    [grabBag, '{"numeric":["foo"]}', '.numeric: expected numeric (int or float), got []interface {}'],
    [grabBag, '{"numeric":{"a":1}}', '.numeric: expected numeric (int or float), got map[string]interface {}'],
    [grabBag, '{"numeric":"foo"}', '.numeric: expected numeric (int or float), got string'],
    [grabBag, '{"numeric":true}', '.numeric: expected numeric (int or float), got bool'],
    [grabBag, '{"string":1}', '.string: expected string, got &value.valueUnstructured{Value:1}'],
    [grabBag, '{"string":3.5}', '.string: expected string, got &value.valueUnstructured{Value:3.5}'],
    [grabBag, '{"string":1e21}', '.string: expected string, got &value.valueUnstructured{Value:1e+21}'],
    [grabBag, '{"string":{"a":1}}', '.string: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"a":1}}'],
    [grabBag, '{"string":["foo"]}', '.string: expected string, got &value.valueUnstructured{Value:[]interface {}{"foo"}}'],
    [grabBag, '{"string":{"b":{"c":[1.5,null]},"a":"q\\"x"}}',
      '.string: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"a":"q\\"x", "b":map[string]interface {}{"c":[]interface {}{1.5, interface {}(nil)}}}}'],
    [grabBag, '{"bool":1}', '.bool: expected boolean, got &{1}'],
    [grabBag, '{"bool":3.5}', '.bool: expected boolean, got &{3.5}'],
    [grabBag, '{"bool":"aoeu"}', '.bool: expected boolean, got &{aoeu}'],
    [grabBag, '{"bool":{"a":1}}', '.bool: expected boolean, got &{map[a:1]}'],
    [grabBag, '{"bool":["foo"]}', '.bool: expected boolean, got &{[foo]}'],
    [grabBag, '{"setStr":[1]}', '.setStr[=1]: expected string, got &value.valueUnstructured{Value:1}'],
    [grabBag, '{"setStr":[true]}', '.setStr[=true]: expected string, got &value.valueUnstructured{Value:true}'],
    [grabBag, '{"setStr":[1.5]}', '.setStr[=1.5]: expected string, got &value.valueUnstructured{Value:1.5}'],
    [grabBag, '{"setStr":[null]}', ".setStr: element 0: associative list without keys has an element that's an explicit null"],
    [grabBag, '{"setStr":[{}]}', ".setStr: element 0: associative list without keys has an element that's a map type"],
    [grabBag, '{"setStr":[[]]}', '.setStr: element 0: not supported: associative list with lists as elements'],
    [grabBag, '{"setBool":[1]}', '.setBool[=1]: expected boolean, got &{1}'],
    [grabBag, '{"setBool":["a"]}', '.setBool[="a"]: expected boolean, got &{a}'],
    [grabBag, '{"setNumeric":[true]}', '.setNumeric[=true]: expected numeric (int or float), got bool'],
    [grabBag, '{"setNumeric":["a"]}', '.setNumeric[="a"]: expected numeric (int or float), got string'],
    [myRoot, '{"key":true,"value":1}', '.key: field not declared in schema'],
    [myRoot, '{"list":{"key":true,"value":1}}', '.list: expected list, got &{map[key:true value:1]}'],
    [myRoot, '{"list":true}', '.list: expected list, got &{true}'],
    [myRoot, 'true', 'expected map, got &{true}'],
    [myRoot, '{"list":[{"key":null,"value":1}]}', '.list[key=null].value: expected map, got &{1}'],
    [myRoot, '{"list":[{},{}]}', '.list: element 0: associative list with keys has an element that omits all key fields ["key" "id"] (and doesn\'t have default values for any key fields)'],
    [myRoot, '{"list":[[]]}', '.list: element 0: associative list with keys may not have non-map elements'],
    [myRoot, '{"list":[null]}', '.list: element 0: associative list with keys may not have a null element'],
    [myRoot, '{"list":[{"value":{"a":"a"},"bv":true,"nv":3.14}]}',
      '.list: element 0: associative list with keys has an element that omits all key fields ["key" "id"] (and doesn\'t have default values for any key fields)'],
    [myRoot, '{"list":[{"key":"a","id":1,"value":{"a":1}}]}', '.list[id=1,key="a"].value.a: expected string, got &value.valueUnstructured{Value:1}'],
    [myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"},"bv":"true","nv":3.14}]}', '.list[id=1,key="a"].bv: expected boolean, got &{true}'],
    [myRoot, '{"list":[{"key":"a","id":1,"value":{"a":"a"},"bv":true,"nv":false}]}', '.list[id=1,key="a"].nv: expected numeric (int or float), got bool'],
    [myRoot, '{"list":[{"key":"a","id":1,"zz":1}]}', '.list[id=1,key="a"].zz: field not declared in schema'],
    [obj({ q: { type: 'string', format: 'int-or-string' } }), '{"q":{"a":1}}', '.q: expected any scalar, got &{map[a:1]}'],
    [obj({ q: { type: 'string', format: 'date-time' } }), '{"q":[1,"x"]}', '.q: expected any scalar, got &{[1 x]}'],
  ])('refuses %#', (schema, value, want) => {
    expect(v(schema, value)).toEqual([want]);
  });

  it('reports every error of a value', () => {
    expect(v(myRoot, '{"list":[{"key":true,"value":1}]}').sort()).toEqual([
      '.list[key=true].key: expected string, got &value.valueUnstructured{Value:true}',
      '.list[key=true].value: expected map, got &{1}',
    ]);
    expect(v(obj({ l: { type: 'array', items: S_STR } }), '{"l":[1, {"a":2}]}')).toEqual([
      '.l[0]: expected string, got &value.valueUnstructured{Value:1}',
      '.l[1]: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"a":2}}',
    ]);
  });

  it.each<[SchemaNode, string, string[]]>([
    [grabBag, '{"setStr":["a","a"]}', ['.setStr: duplicate entries for key [="a"]']],
    [grabBag, '{"setBool":[true,false,true]}', ['.setBool: duplicate entries for key [=true]']],
    [grabBag, '{"setNumeric":[1,2,3,3.14159,1]}', ['.setNumeric: duplicate entries for key [=1]']],
    [grabBag, '{"setStr":["a","b","a","b"]}', ['.setStr: duplicate entries for key [="a"]', '.setStr: duplicate entries for key [="b"]']],
    [myRoot, '{"list":[{"key":"a","id":1},{"key":"a","id":1}]}', ['.list: duplicate entries for key [id=1,key="a"]']],
  ])('refuses duplicates %# unless they are allowed', (schema, value, want) => {
    expect(v(schema, value)).toEqual(want);
    expect(v(schema, value, true)).toEqual([]);
  });

  it('accepts anything as deduced or untyped', () => {
    expect(validateTyped(j('{"a":[1,{"b":null}],"c":"d","e":{"f":true}}'), DEDUCED)).toEqual([]);
    expect(validateTyped(j('[1,"x"]'), UNTYPED)).toEqual([]);
  });

  it('checks a ConfigMap against its schema', () => {
    const cm = atomOf(resolveSchema('io.k8s.api.core.v1.ConfigMap'));
    expect(validateTyped({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 1 }, spec: {} }, cm).sort()).toEqual([
      '.data.a: expected string, got &value.valueUnstructured{Value:1}',
      '.spec: field not declared in schema',
    ]);
  });
});
