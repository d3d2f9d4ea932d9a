// Field paths and sets as sigs.k8s.io/structured-merge-diff/v6's fieldpath package defines them
// (its element, path, set and serialization tests as the specification), and managedFields'
// fieldsV1 as k8s.io/apimachinery's managedfields reads and writes it.

import { describe, expect, it } from 'vitest';
import {
  FieldSet, compareElements, elementString, fieldElement, parseElement, pathString, type PathElement,
} from '../../../src/fieldmanager/fieldpath.js';
import { I, K, P, S, V, paths } from './helpers.js';

/** SerializePathElement: the element's fieldsV1 key. */
const serialize = (pe: PathElement) => pe.id;

describe('path elements', () => {
  it.each([
    'i:0', 'i:1234', 'f:', 'f:spec', 'f:more-complicated-string',
    'k:{"name":"my-container"}', 'k:{"port":"8080","protocol":"TCP"}', 'k:{"optionalField":null}',
    'k:{"jsonField":{"A":1,"B":null,"C":"D","E":{"F":"G"}}}', 'k:{"listField":["1","2","3"]}',
    'v:null', 'v:"some-string"', 'v:1234', 'v:{"some":"json"}',
  ])('%s round-trips', (s) => {
    expect(serialize(parseElement(s)!)).toBe(s);
  });

  it('serializes keys sorted by field name and values as Go encodes them', () => {
    expect(serialize(K({ protocol: 'TCP', port: 80 }))).toBe('k:{"port":80,"protocol":"TCP"}');
    expect(serialize(K({ name: '<a&b>' }))).toBe('k:{"name":"\\u003ca\\u0026b\\u003e"}');
    expect(serialize(V(3.5))).toBe('v:3.5');
    expect(serialize(V(true))).toBe('v:true');
    // a map value is encoded with its keys sorted (encoding/json), whatever order it was read in
    expect(serialize(parseElement('k:{"k":{"b":1,"a":2}}')!)).toBe('k:{"k":{"a":2,"b":1}}');
    expect(serialize(parseElement('v:{"b":1,"a":[{"d":1,"c":2}]}')!)).toBe('v:{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('elements with equal values are the same element, whatever the order of a map value', () => {
    expect(S(P('x', parseElement('k:{"k":{"b":1,"a":2}}')!)).has(P('x', parseElement('k:{"k":{"a":2,"b":1}}')!))).toBe(true);
  });

  it.each(['', 'no-colon', 'i:index is not a number', 'i:1.23', 'i:', 'v:invalid json', 'v:', 'k:invalid json', 'k:{"name":invalid}'])(
    '%j is not an element', (s) => {
      expect(() => parseElement(s)).toThrow();
    },
  );

  it('an unknown element type is no element (it is skipped, not an error)', () => {
    expect(parseElement('r:Hello')).toBeUndefined();
  });

  // TestPathElementLess: a < b (and not b < a) unless equal
  it.each<[string, PathElement, PathElement, boolean]>([
    ['FieldName-1', fieldElement('anteater'), fieldElement('zebra'), false],
    ['FieldName-2', fieldElement('bee'), fieldElement('bee'), true],
    ['FieldName-3', fieldElement('capybara'), K({ dog: 3 }), false],
    ['FieldName-4', fieldElement('elephant'), V(4), false],
    ['FieldName-5', fieldElement('falcon'), I(5), false],
    ['Key-1', K({ goat: 1 }), K({ goat: 1 }), true],
    ['Key-2', K({ horse: 1 }), K({ horse: 2 }), false],
    ['Key-3', K({ ibex: 1 }), K({ jay: 1 }), false],
    ['Key-4', K({ kite: 1 }), K({ kite: 1, 'kite-2': 1 }), false],
    ['Key-5', K({ kite: 1 }), V(1), false],
    ['Key-6', K({ kite: 1 }), I(5), false],
    ['Value-1', V(1), V(2), false],
    ['Value-2', V(1), V(1), true],
    ['Value-3', V(1), I(1), false],
    ['Index-1', I(1), I(2), false],
    ['Index-2', I(1), I(1), true],
  ])('%s', (_name, a, b, eq) => {
    if (eq) {
      expect(compareElements(a, b)).toBe(0);
    } else {
      expect(compareElements(a, b)).toBeLessThan(0);
      expect(compareElements(b, a)).toBeGreaterThan(0);
    }
  });

  it('orders values numbers, strings, booleans (value.Compare), strings by their UTF-8 bytes', () => {
    const els = [V(true), V('b'), V(2), V('a'), V(false), V(1.5)];
    expect(els.sort(compareElements).map(serialize)).toEqual(['v:1.5', 'v:2', 'v:"a"', 'v:"b"', 'v:false', 'v:true']);
    // U+FF5E sorts after U+10000 in UTF-8 (EF BD.. < F0 90..? no: EF < F0), U+E000 before both
    const s = [fieldElement('\u{10000}'), fieldElement('\uff5e'), fieldElement('\ue000')].sort(compareElements);
    expect(s.map((e) => (e as { f: string }).f)).toEqual(['\ue000', '\uff5e', '\u{10000}']);
  });
});

describe('paths', () => {
  // TestPathString
  it.each([
    [P('foo', I(1)), '.foo[1]'],
    [P('foo', 'bar', I(1), 'baz'), '.foo.bar[1].baz'],
    [P('foo', K({ a: 'b', c: 1, d: 1.5, e: true })), '.foo[a="b",c=1,d=1.5,e=true]'],
    [P('foo', V('b'), V(5), V(false), V(3.14159)), '.foo[="b"][=5][=false][=3.14159]'],
    [P('spec', 'ports', K({ protocol: 'TCP', port: 443 }), 'targetPort'), '.spec.ports[port=443,protocol="TCP"].targetPort'],
    [P('data', 'a"b'), '.data.a"b'],
    [P('list', V('a\nb')), '.list[="a\\nb"]'],
  ])('%#', (p, want) => {
    expect(pathString(p)).toBe(want);
  });

  it('prints floats as Go prints a float64 (%v)', () => {
    expect(elementString(V(1e21))).toBe('[=1e+21]');
    expect(elementString(V(1e-7))).toBe('[=1e-07]');
    expect(elementString(V(0.5))).toBe('[=0.5]');
  });
});

describe('sets', () => {
  // TestSetInsertHas
  const s1 = S(
    P('foo', I(0), 'bar', 'baz'),
    P('foo', I(0), 'bar'),
    P('foo', I(0)),
    P('foo', I(1), 'bar', 'baz'),
    P('foo', I(1), 'bar'),
    P('qux', K({ name: 'first' })),
    P('qux', K({ name: 'first' }), 'bar'),
    P('qux', K({ name: 'second' }), 'bar'),
    P('canonicalOrder', K({ a: 'a', b: 'a', c: 'a', d: 'a', e: 'a', f: 'a' })),
  );
  it.each([
    [P('qux', K({ name: 'second' })), false],
    [P('qux', K({ name: 'second' }), 'bar'), true],
    [P('qux', K({ name: 'first' })), true],
    [P('xuq', K({ name: 'first' })), false],
    [P('foo', I(0)), true],
    [P('foo', I(0), 'bar'), true],
    [P('foo', I(0), 'bar', 'baz'), true],
    [P('foo', I(1)), false],
    [P('foo', I(1), 'bar'), true],
    [P('foo', I(1), 'bar', 'baz'), true],
    [P('canonicalOrder', K({ f: 'a', e: 'a', d: 'a', c: 'a', b: 'a', a: 'a' })), true],
  ])('has %j: %s', (p, want) => {
    expect(s1.has(p)).toBe(want);
  });

  it('never holds the empty path', () => {
    expect(S().has([])).toBe(false);
    expect(S([]).has([])).toBe(false);
    expect(S([]).empty).toBe(true);
  });

  it('iterates a level\'s members before its subtrees, each sorted (Set.Iterate)', () => {
    expect(paths(s1)).toEqual([
      '.canonicalOrder[a="a",b="a",c="a",d="a",e="a",f="a"]',
      '.foo[0]',
      '.foo[0].bar',
      '.foo[0].bar.baz',
      '.foo[1].bar',
      '.foo[1].bar.baz',
      '.qux[name="first"]',
      '.qux[name="first"].bar',
      '.qux[name="second"].bar',
    ]);
    expect(S(...s1.paths()).equals(s1)).toBe(true);
  });

  // TestSetEquals
  it.each([
    [S(P('foo')), S(P('bar')), false],
    [S(P('foo')), S(P('foo')), true],
    [S(), S(P(I(0), 'foo')), false],
    [S(P(I(1), 'foo')), S(P(I(0), 'foo')), false],
    [S(P(I(1), 'foo')), S(P(I(1), 'foo', 'bar')), false],
    [S(P(I(0)), P(I(1))), S(P(I(1)), P(I(0))), true],
    [S(P('foo', I(0)), P('foo', I(1))), S(P('foo', I(1)), P('foo', I(0))), true],
    [S(P('foo', I(0)), P('foo'), P('bar', 'baz'), P('qux', K({ name: 'first' }))),
      S(P('foo', I(1)), P('bar', 'baz'), P('bar'), P('qux', K({ name: 'second' }))), false],
  ])('equals %#', (a, b, want) => {
    expect(a.equals(b)).toBe(want);
  });

  it('union', () => {
    const a = S(P('a'), P('b', 'c'), P('l', K({ name: 'x' })));
    const b = S(P('b'), P('b', 'd'), P('l', K({ name: 'x' }), 'name'));
    expect(paths(a.union(b))).toEqual(['.a', '.b', '.b.c', '.b.d', '.l[name="x"]', '.l[name="x"].name']);
    // the operands are not changed
    expect(paths(a)).toEqual(['.a', '.b.c', '.l[name="x"]']);
  });

  // TestSetIntersectionDifference
  describe('intersection and difference', () => {
    const first = K({ name: 'first' });
    const a = S(P('a0'), P('a1'), P('foo', I(0)), P('foo', I(1)), P('b0', first), P('b1', first), P('bar', 'c0'), P('cp', first, 'child'));
    const b = S(P('a1'), P('a2'), P('foo', I(1)), P('foo', I(2)), P('b1', first), P('b2', first), P('bar', 'c2'), P('cp', first));
    const inter = S(P('a1'), P('foo', I(1)), P('b1', first));
    it('intersection', () => {
      expect(a.intersection(b).equals(inter)).toBe(true);
    });
    it('s1 - s2', () => {
      expect(a.difference(b).equals(S(P('a0'), P('foo', I(0)), P('b0', first), P('bar', 'c0'), P('cp', first, 'child')))).toBe(true);
    });
    it('s2 - s1', () => {
      expect(b.difference(a).equals(S(P('a2'), P('foo', I(2)), P('b2', first), P('bar', 'c2'), P('cp', first)))).toBe(true);
    });
    it('intersection the hard way (two unions and three differences)', () => {
      const u = a.union(b);
      const not = b.difference(a).union(a.difference(b));
      expect(u.difference(not).equals(inter)).toBe(true);
    });
  });

  // TestSetLeaves
  it.each([
    ['empty set', S(), S()],
    ['all leaves', S(P('path1'), P('path2'), P('path3')), S(P('path1'), P('path2'), P('path3'))],
    ['only one leaf', S(P('root'), P('root', 'l1'), P('root', 'l1', 'l2'), P('root', 'l1', 'l2', 'l3')), S(P('root', 'l1', 'l2', 'l3'))],
    ['multiple values, check for overwrite',
      S(P('root', K({ name: 'a' })), P('root', K({ name: 'a' }), 'name'), P('root', K({ name: 'a' }), 'value', 'b'), P('root', K({ name: 'a' }), 'value', 'c')),
      S(P('root', K({ name: 'a' }), 'name'), P('root', K({ name: 'a' }), 'value', 'b'), P('root', K({ name: 'a' }), 'value', 'c'))],
    ['multiple values and nested',
      S(P('root', K({ name: 'a' })), P('root', K({ name: 'a' }), 'name'), P('root', K({ name: 'a' }), 'value', 'b'),
        P('root', K({ name: 'a' }), 'value', 'b', 'd'), P('root', K({ name: 'a' }), 'value', 'c')),
      S(P('root', K({ name: 'a' }), 'name'), P('root', K({ name: 'a' }), 'value', 'b', 'd'), P('root', K({ name: 'a' }), 'value', 'c'))],
    ['all-in-one',
      S(P('root'), P('root', K({ name: 'a' })), P('root', K({ name: 'a' }), 'name'), P('root', K({ name: 'a' }), 'value', 'b'),
        P('root', K({ name: 'a' }), 'value', 'b', 'c'), P('root', K({ name: 'a' }), 'value', 'd'), P('root', K({ name: 'a' }), 'value', 'e'),
        P('root', 'x'), P('root', 'x', 'y'), P('root', 'x', 'z'), P('root', K({ name: 'p' })), P('root', K({ name: 'p' }), 'name'),
        P('root', K({ name: 'p' }), 'value', 'q')),
      S(P('root', K({ name: 'a' }), 'name'), P('root', K({ name: 'a' }), 'value', 'b', 'c'), P('root', K({ name: 'a' }), 'value', 'd'),
        P('root', K({ name: 'a' }), 'value', 'e'), P('root', 'x', 'y'), P('root', 'x', 'z'), P('root', K({ name: 'p' }), 'name'),
        P('root', K({ name: 'p' }), 'value', 'q'))],
  ])('leaves: %s', (_name, input, want) => {
    expect(paths(input.leaves())).toEqual(paths(want));
  });

  // TestSetDifference
  it.each([
    ['removes simple path', S(P('a')), S(P('a')), S(), S()],
    ['removes direct path', S(P('a', 'b', 'c')), S(P('a', 'b', 'c')), S(), S()],
    ['only removes matching child', S(P('a', 'b', 'c'), P('b', 'b', 'c')), S(P('a', 'b', 'c')), S(P('b', 'b', 'c')), S(P('b', 'b', 'c'))],
    ['does not remove parent of specific path', S(P('a')), S(P('a', 'aa')), S(P('a')), S(P('a'))],
    ['RecursiveDifference removes nested path', S(P('a', 'b', 'c')), S(P('a')), S(P('a', 'b', 'c')), S()],
    ['RecursiveDifference only removes nested path for matching children',
      S(P('a', 'aa', 'aab'), P('a', 'ab', 'aba')), S(P('a', 'aa')), S(P('a', 'aa', 'aab'), P('a', 'ab', 'aba')), S(P('a', 'ab', 'aba'))],
    ['RecursiveDifference removes all matching children',
      S(P('a', 'aa', 'aab'), P('a', 'ab', 'aba')), S(P('a')), S(P('a', 'aa', 'aab'), P('a', 'ab', 'aba')), S()],
  ])('difference: %s', (_name, a, b, diff, rdiff) => {
    expect(paths(a.difference(b))).toEqual(paths(diff));
    expect(paths(a.recursiveDifference(b))).toEqual(paths(rdiff));
  });

  it('an emptied subtree leaves no member behind', () => {
    const d = S(P('a', 'b')).difference(S(P('a', 'b')));
    expect(d.empty).toBe(true);
    expect(d.toFieldsV1()).toEqual({});
    expect(d.elements()).toEqual([]);
  });
});

describe('fieldsV1', () => {
  // TestSerializeV1GoldenData
  it.each([
    `{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"name\\":\\"second\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\\"aa\\"":{},"v:\\"ab\\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}`,
    `{"f:aaa":{"k:{\\"name\\":\\"second\\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}}},"k:{\\"name\\":\\"first\\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\\"name\\":\\"second\\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\\"name\\":\\"first\\"}":{"k:{\\"name\\":\\"first\\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\\"name\\":\\"first\\"}":{"f:aad":{"f:aaf":{}}},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"f:aaa":{"f:aad":{}}},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"f:aac":{},"k:{\\"name\\":\\"first\\"}":{"i:3":{}},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\\"name\\":\\"first\\"}":{},"i:2":{}},"v:\\"aa\\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\\"name\\":\\"first\\"}":{"f:aad":{}},"i:2":{}},"v:\\"ab\\"":{"f:aaf":{"i:4":{}},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\\"name\\":\\"second\\"}":{"f:aaa":{}},"i:2":{"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\\"aa\\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\\"aa\\"":{"f:aab":{"k:{\\"name\\":\\"second\\"}":{}}}}}`,
  ])('golden data %# serializes byte for byte as it was read', (text) => {
    expect(FieldSet.fromFieldsV1(JSON.parse(text)).toFieldsV1String()).toBe(text);
  });

  it('writes "." for a member that also has children, never for a leaf or a mere prefix', () => {
    const s = S(P('metadata', 'labels'), P('metadata', 'labels', 'app'), P('metadata', 'name'), P('spec', 'ports', K({ port: 80, protocol: 'TCP' }), 'port'));
    expect(s.toFieldsV1String()).toBe(
      '{"f:metadata":{"f:labels":{".":{},"f:app":{}},"f:name":{}},"f:spec":{"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{"f:port":{}}}}}',
    );
  });

  it('reads "." as membership of the enclosing element, and an empty object as a member', () => {
    const s = FieldSet.fromFieldsV1({ 'f:metadata': { '.': {}, 'f:name': {} }, 'f:data': { 'f:a': {} }, 'f:x': { '.': {} } });
    expect(paths(s)).toEqual(['.metadata', '.x', '.data.a', '.metadata.name']);
    // TestFieldsRoundTrip
    expect(s.toFieldsV1String()).toBe('{"f:data":{"f:a":{}},"f:metadata":{".":{},"f:name":{}},"f:x":{}}');
    expect(FieldSet.fromFieldsV1({}).toFieldsV1String()).toBe('{}');
  });

  it('drops element types it does not know (TestDropUnknown)', () => {
    expect(FieldSet.fromFieldsV1({ 'f:aaa': {}, 'r:aab': {} }).toFieldsV1String()).toBe('{"f:aaa":{}}');
    // a known element whose only children are unknown is a member
    expect(FieldSet.fromFieldsV1({ 'f:a': { 'r:b': {} } }).toFieldsV1String()).toBe('{"f:a":{}}');
  });

  it('refuses keys that are not elements (TestFieldsToSetError)', () => {
    expect(() => FieldSet.fromFieldsV1({ 'k:{invalid json}': { 'f:name': {}, '.': {} } })).toThrow();
    expect(() => FieldSet.fromFieldsV1({ 'i:x': {} })).toThrow();
    expect(() => FieldSet.fromFieldsV1({ 'f:a': 'not an object' })).toThrow();
  });

  it('round-trips random sets (TestSerializeV1)', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const element = (): PathElement => {
      switch (rnd(4)) {
        case 0: return fieldElement(['aaa', 'aab', 'aac', 'aad', 'aae', 'aaf'][rnd(6)]!);
        case 1: return [K({ name: 'first' }), K({ name: 'second' }), K({ port: 443, protocol: 'tcp' }), K({ port: 443, protocol: 'udp' })][rnd(4)]!;
        case 2: return [V(1), V(2), V(3), V('aa'), V('ab'), V(true)][rnd(6)]!;
        default: return I(rnd(4) + 1);
      }
    };
    for (let i = 0; i < 100; i++) {
      const s = new FieldSet();
      for (let j = 0; j < 50; j++) s.insert(Array.from({ length: 2 + rnd(4) }, element));
      const text = s.toFieldsV1String();
      const back = FieldSet.fromFieldsV1(JSON.parse(text));
      expect(back.equals(s)).toBe(true);
      expect(back.toFieldsV1String()).toBe(text);
    }
  });
});
