// Custom resources through the compiled rules: kube's messages (failed rule, message,
// messageExpression, reason, fieldPath), evaluation errors, transition rules with oldSelf and
// optionalOldSelf, list-type=map correlation, ratcheting warnings, root and embedded resources,
// and the runtime cost limit. Expected texts are kube-apiserver v1.34's answers to the same
// creates and updates.

import { describe, expect, it } from 'vitest';
import { compileValidations } from '../../../src/apiextensions/cel/index.js';
import type { JSONSchemaProps } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';
import { cr, crdErrors, runtimeErrors, validatorOf, withSpec } from './cel-helpers.js';

describe('messages', () => {
  const v = validatorOf(withSpec({
    type: 'object',
    properties: {
      a: {
        type: 'string', maxLength: 10,
        'x-kubernetes-validations': [
          { rule: 'self.startsWith("x")' },
          { rule: 'self.size() < 5', message: 'too long' },
          { rule: 'self != "xbad"', messageExpression: '"bad value " + self', reason: 'FieldValueForbidden' },
        ],
      },
      n: { type: 'integer' },
      m: { type: 'object', additionalProperties: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(k, self[k] > 0)', fieldPath: '.foo' }] },
    },
  }, [
    { rule: 'self.n / 0 == 1' },
    { rule: 'has(self.n) && self.n > 3', reason: 'FieldValueRequired', message: 'n must be > 3' },
    { rule: 'self.m.zz == 1' },
  ]));

  it.each([
    [{ a: 'yes', n: 5 }, [
      'spec: Invalid value: "object": division by zero evaluating rule: self.n / 0 == 1',
      'spec: Invalid value: "object": no such key: m evaluating rule: self.m.zz == 1',
      'spec.a: Invalid value: "string": failed rule: self.startsWith("x")',
    ]],
    [{ a: 'xbad', n: 1, m: { q: -1 } }, [
      'spec: Invalid value: "object": division by zero evaluating rule: self.n / 0 == 1',
      'spec: Required value: n must be > 3',
      'spec: Invalid value: "object": no such key: zz evaluating rule: self.m.zz == 1',
      'spec.a: Forbidden: bad value xbad',
      'spec.m.[foo]: Invalid value: "object": failed rule: self.all(k, self[k] > 0)',
    ]],
    [{ a: 'xabcdef', n: 4, m: {} }, [
      'spec: Invalid value: "object": division by zero evaluating rule: self.n / 0 == 1',
      'spec: Invalid value: "object": no such key: zz evaluating rule: self.m.zz == 1',
      'spec.a: Invalid value: "string": too long',
    ]],
  ])('%j', (spec, want) => {
    expect(runtimeErrors(v, spec)).toEqual(want);
  });
});

describe('messageExpression', () => {
  it('falls back to message when empty, multi-line or failing; is trimmed; oldSelf is bound only where a rule uses it', () => {
    const v = validatorOf(withSpec({ type: 'object', properties: { a: { type: 'string', maxLength: 10 } } }, [
      { rule: 'self.a == "x"', messageExpression: '""', message: 'fallback msg' },
      { rule: 'self.a == "x"', messageExpression: '"line1\\nline2"' },
      { rule: 'self.a == "x"', messageExpression: 'string(1/0)' },
      { rule: 'self.a == "x"', messageExpression: '"  padded: " + self.a + "  "' },
      { rule: 'self.a == "x"', messageExpression: '"size " + self.a', reason: 'FieldValueDuplicate' },
    ]));
    expect(runtimeErrors(v, { a: 'y' })).toEqual([
      'spec: Invalid value: "object": fallback msg',
      'spec: Invalid value: "object": failed rule: self.a == "x"',
      'spec: Invalid value: "object": failed rule: self.a == "x"',
      'spec: Invalid value: "object": padded: y',
      'spec: Duplicate value: "object"',
    ]);
    const w = validatorOf(withSpec({
      type: 'object',
      properties: {
        a: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self == "x"', messageExpression: '"was " + oldSelf', message: 'plain' }] },
        b: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self == "x"', messageExpression: '"was " + oldSelf', message: 'plain' }, { rule: 'self == oldSelf || true' }] },
      },
    }));
    expect(runtimeErrors(w, { a: 'y', b: 'y' }, { a: 'x', b: 'x' })).toEqual(['spec.a: Invalid value: "string": plain', 'spec.b: Invalid value: "string": was x']);
  });
});

describe('evaluation errors', () => {
  const v = validatorOf(withSpec({ type: 'object', properties: { s: { type: 'string' }, n: { type: 'integer' }, l: { type: 'array', items: { type: 'integer' } } } }, [
    'quantity(self.s).isInteger()', 'url(self.s).getScheme() == "x"', 'ip(self.s).family() == 4', 'cidr(self.s).prefixLength() > 0',
    'self.l[5] == 1', 'self.n + 9223372036854775807 > 0', 'optional.none().value() == 1', 'semver(self.s).major() == 1', 'self.l.min() == 1',
    'int(self.s) == 1', 'duration(self.s) > duration("1s")', 'timestamp(self.s) > timestamp("2020-01-01T00:00:00Z")',
    'format.named(self.s).value().validate("x").hasValue()', 'self.s.charAt(100) == ""', 'self.s.substring(5) == ""',
  ].map((rule) => ({ rule }))));
  const E = (msg: string, rule: string) => `spec: Invalid value: "object": ${msg} evaluating rule: ${rule}`;

  it('a string that is nothing', () => {
    expect(runtimeErrors(v, { s: 'a(b', n: 1, l: [] })).toEqual([
      E("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", 'quantity(self.s).isInteger()'),
      E('URL parse error during conversion from string: parse "a(b": invalid URI for request', 'url(self.s).getScheme() == "x"'),
      E('IP Address "a(b" parse error during conversion from string: ParseAddr("a(b"): unable to parse IP', 'ip(self.s).family() == 4'),
      E('network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("a(b"): no \'/\'', 'cidr(self.s).prefixLength() > 0'),
      E('index out of bounds: 5', 'self.l[5] == 1'),
      E('integer overflow', 'self.n + 9223372036854775807 > 0'),
      E('optional.none() dereference', 'optional.none().value() == 1'),
      E('No Major.Minor.Patch elements found', 'semver(self.s).major() == 1'),
      E('min called on empty list', 'self.l.min() == 1'),
      E("type conversion error from 'string' to 'int'", 'int(self.s) == 1'),
      E("type conversion error from 'string' to 'google.protobuf.Duration'", 'duration(self.s) > duration("1s")'),
      E("type conversion error from 'string' to 'google.protobuf.Timestamp'", 'timestamp(self.s) > timestamp("2020-01-01T00:00:00Z")'),
      E('optional.none() dereference', 'format.named(self.s).value().validate("x").hasValue()'),
      E('index out of range: 100', 'self.s.charAt(100) == ""'),
      E('index out of range: 5', 'self.s.substring(5) == ""'),
    ]);
  });

  it('a quantity that is no integer in kube\'s int64 form, and an IPv4 parse error', () => {
    const errs = runtimeErrors(v, { s: '1.5Gi', n: -1, l: [3, 1] });
    expect(errs.slice(0, 3)).toEqual([
      'spec: Invalid value: "object": failed rule: quantity(self.s).isInteger()',
      E('URL parse error during conversion from string: parse "1.5Gi": invalid URI for request', 'url(self.s).getScheme() == "x"'),
      E('IP Address "1.5Gi" parse error during conversion from string: ParseAddr("1.5Gi"): unexpected character (at "Gi")', 'ip(self.s).family() == 4'),
    ]);
    expect(errs).toHaveLength(12);
  });
});

describe('transition rules', () => {
  const v = validatorOf(withSpec({
    type: 'object',
    properties: {
      a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'a is immutable' }, { rule: 'self.size() < 4' }] },
      b: { type: 'string', 'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() || oldSelf.value() <= self', optionalOldSelf: true, message: 'b must grow' }] },
      items: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'],
        items: {
          type: 'object', required: ['k'], properties: { k: { type: 'string' }, v: { type: 'integer' } },
          'x-kubernetes-validations': [{ rule: 'self.v >= oldSelf.v', message: 'v may not shrink' }],
        },
      },
    },
  }));

  it('are skipped on create, except optionalOldSelf ones', () => {
    expect(runtimeErrors(v, { a: 'x', b: 'b' })).toEqual([]);
    expect(v.validate(cr({ a: 'x', b: 'b' }), undefined)).toEqual([]);
  });

  it('compare with the old value on update', () => {
    expect(runtimeErrors(v, { a: 'y', b: 'a' }, { a: 'x', b: 'b' })).toEqual([
      'spec.a: Invalid value: "string": a is immutable',
      'spec.b: Invalid value: "string": b must grow',
    ]);
    expect(runtimeErrors(v, { a: 'xxxxx', b: 'c' }, { a: 'x', b: 'b' })).toEqual([
      'spec.a: Invalid value: "string": a is immutable',
      'spec.a: Invalid value: "string": failed rule: self.size() < 4',
    ]);
  });

  it('correlate list-type=map items by key (new items have no oldSelf)', () => {
    expect(runtimeErrors(v, { a: 'x', b: 'c', items: [{ k: '1', v: 4 }, { k: '2', v: 1 }] }, { a: 'x', b: 'c', items: [{ k: '1', v: 5 }] }))
      .toEqual(['spec.items[0]: Invalid value: "object": v may not shrink']);
  });

  it('ratchet: an unchanged invalid value only warns', () => {
    const r = v.validateWithWarnings(cr({ a: 'xxxxx' }), cr({ a: 'xxxxx' }));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(['spec.a: Invalid value: "string": failed rule: self.size() < 4']);
  });
});

describe('ratcheting', () => {
  const spec: JSONSchemaProps = {
    type: 'object',
    properties: {
      al: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 3' }] } },
      sl: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 3' }] } },
      o: { type: 'object', properties: { x: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 3' }] }, y: { type: 'string' } } },
    },
  };
  const v = validatorOf(withSpec(spec));
  const old = cr({ al: ['xxxx'], sl: ['yyyy'], o: { x: 'zzzz' } });
  const F = (p: string) => `spec.${p}: Invalid value: "string": failed rule: self.size() < 3`;

  it('items of atomic and set lists ratchet only when their list is unchanged; properties when they are', () => {
    // kube-apiserver's answers to updates of an object stored before the rules were added
    let r = v.validateWithWarnings(cr({ al: ['xxxx', 'b'], sl: ['yyyy', 'b'], o: { x: 'zzzz', y: 'new' } }), old);
    expect({ errors: r.errors.map(fieldErrorString), warnings: r.warnings }).toEqual({ errors: [F('al[0]'), F('sl[0]')], warnings: [F('o.x')] });
    r = v.validateWithWarnings(cr({ al: ['xxxx'], sl: ['yyyy', 'b'], o: { x: 'zzzz', y: 'new' } }), old);
    expect({ errors: r.errors.map(fieldErrorString), warnings: r.warnings }).toEqual({ errors: [F('sl[0]')], warnings: [F('al[0]'), F('o.x')] });
  });
});

describe('resources', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    'x-kubernetes-validations': [
      { rule: "self.metadata.name.startsWith('x')" },
      { rule: "self.kind == 'Root' && self.apiVersion == 'ex.com/v1'" },
      { rule: "!has(self.spec) || self.spec.a != 'bad'", message: 'spec.a is bad' },
    ],
    properties: {
      spec: {
        type: 'object',
        properties: {
          a: { type: 'string' },
          e: {
            type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true,
            'x-kubernetes-validations': [{ rule: "self.kind == 'ConfigMap'" }, { rule: "self.metadata.name == 'cm'" }],
          },
        },
      },
    },
  };

  it('see apiVersion, kind and metadata.name of the root and of embedded resources; root errors are at <nil>', () => {
    const v = validatorOf(schema);
    const obj = { apiVersion: 'ex.com/v1', kind: 'Root', metadata: { name: 'o1', namespace: 'default' }, spec: { a: 'bad', e: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } } };
    expect(v.validate(obj, undefined).map(fieldErrorString)).toEqual([
      '<nil>: Invalid value: "object": failed rule: self.metadata.name.startsWith(\'x\')',
      '<nil>: Invalid value: "object": spec.a is bad',
      'spec.e: Invalid value: "object": failed rule: self.kind == \'ConfigMap\'',
      'spec.e: Invalid value: "object": failed rule: self.metadata.name == \'cm\'',
    ]);
  });

  it('a schema without rules has no validator', () => {
    expect(compileValidations({ type: 'object', properties: { spec: { type: 'object' } } }, { basePath: 'x' })).toEqual({ errors: [] });
  });
});

describe('runtime cost', () => {
  const v = validatorOf(withSpec({ type: 'object', properties: { l: { type: 'array', maxItems: 1000, items: { type: 'integer' } } } }, [
    { rule: 'self.l.all(x, self.l.all(y, x != y || true))' },
    { rule: 'self.l.size() < 5' },
  ]));

  it('stops a rule at the per-call limit, and every rule after it', () => {
    const t0 = Date.now();
    expect(runtimeErrors(v, { l: [...Array(1000).keys()] })).toEqual([
      "spec: Invalid value: \"object\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.l.all(x, self.l.all(y, x != y || true))",
    ]);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('lets a cheaper evaluation of the same rule through', () => {
    expect(runtimeErrors(v, { l: [...Array(300).keys()] })).toEqual(['spec: Invalid value: "object": failed rule: self.l.size() < 5']);
  });

  it('never mutates the object and gives the same answer twice (no state between evaluations)', () => {
    const spec = { l: [1, 2, 3, 4, 5, 6] };
    const frozen = JSON.stringify(spec);
    expect(runtimeErrors(v, spec)).toEqual(runtimeErrors(v, spec));
    expect(JSON.stringify(spec)).toBe(frozen);
  });
});

describe('equality', () => {
  const v = validatorOf(withSpec({
    type: 'object',
    properties: {
      s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 's immutable' }] },
      ml: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'],
        items: { type: 'object', required: ['k'], properties: { k: { type: 'string' }, v: { type: 'integer' } } },
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'ml immutable' }],
      },
      al: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'al immutable' }] },
    },
  }, [
    '!(ip("1.1.1.1") == ip("2.2.2.2"))', 'quantity("1") == quantity("1000m")', '!(url("https://a") == url("https://b"))',
    'semver("1.0.0") == semver("1.0.0+b")', 'optional.of(1) == optional.of(1)', '!(cidr("10.0.0.0/8") == cidr("10.0.0.0/9"))',
    'format.dns1123Label() == format.dns1123Label()',
  ].map((rule) => ({ rule }))));
  const first = { s: ['a', 'b'], ml: [{ k: '1', v: 1 }, { k: '2', v: 2 }], al: ['a', 'b'] };

  it('set and map lists ignore order, atomic lists do not; library values compare by value', () => {
    expect(runtimeErrors(v, first)).toEqual([]);
    expect(runtimeErrors(v, { s: ['b', 'a'], ml: [{ k: '2', v: 2 }, { k: '1', v: 1 }], al: ['b', 'a'] }, first))
      .toEqual(['spec.al: Invalid value: "array": al immutable']);
    expect(runtimeErrors(v, { s: ['b', 'c'], ml: [{ k: '2', v: 3 }, { k: '1', v: 1 }], al: ['b', 'a'] }, first)).toEqual([
      'spec.al: Invalid value: "array": al immutable',
      'spec.ml: Invalid value: "array": ml immutable',
      'spec.s: Invalid value: "array": s immutable',
    ]);
  });
});

describe('declared types', () => {
  const spec: JSONSchemaProps = {
    type: 'object',
    properties: {
      t: { type: 'string', format: 'date-time' }, d: { type: 'string', format: 'duration' }, b: { type: 'string', format: 'byte' },
      dt: { type: 'string', format: 'date' }, ios: { 'x-kubernetes-int-or-string': true },
      pp: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
      'a-b': { type: 'string' }, namespace: { type: 'string' }, 'x.y': { type: 'integer' },
    },
  };
  const rules = [
    'self.t > timestamp("2020-01-01T00:00:00Z")', 'self.d < duration("1h")', 'size(self.b) == 3', 'self.dt.getFullYear() == 2024',
    'self.ios == 1 || self.ios == "a"', 'has(self.pp.known)', 'self.a__dash__b == "v"', 'self.__namespace__ == "ns"', 'self.x__dot__y == 3',
    'type(self.ios) == int',
  ];
  const v = validatorOf(withSpec(spec, rules.map((rule) => ({ rule }))));

  it('formats are timestamps, durations and bytes; int-or-string is dyn; names are escaped', () => {
    expect(runtimeErrors(v, { t: '2021-05-01T10:00:00Z', d: '30m', b: 'YWJj', dt: '2024-02-03', ios: 1, pp: { known: 'k' }, 'a-b': 'v', namespace: 'ns', 'x.y': 3 })).toEqual([]);
    expect(runtimeErrors(v, { t: '2019-05-01T10:00:00.5Z', d: '2h', b: 'YWI=', dt: '2023-02-03', ios: 'b', pp: {}, 'a-b': 'w', namespace: 'n', 'x.y': 4 }))
      .toEqual(rules.map((r) => `spec: Invalid value: "object": failed rule: ${r}`));
  });

  it('unknown fields, untyped nodes and an embedded resource\'s other metadata are not declared', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        p: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        u: { 'x-kubernetes-preserve-unknown-fields': true },
        e: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      },
    };
    const errs = crdErrors(withSpec(s, [{ rule: 'self.p.foo == 1' }, { rule: 'has(self.u)' }, { rule: 'self.e.metadata.labels.size() > 0' }, { rule: 'self.e.spec == 1' }]));
    expect(errs.map((e) => e.slice(e.indexOf('compilation failed: ')))).toEqual([
      "compilation failed: ERROR: <input>:1:7: undefined field 'foo'\n | self.p.foo == 1\n | ......^",
      "compilation failed: ERROR: <input>:1:4: undefined field 'u'\n | has(self.u)\n | ...^",
      "compilation failed: ERROR: <input>:1:16: undefined field 'labels'\n | self.e.metadata.labels.size() > 0\n | ...............^",
      "compilation failed: ERROR: <input>:1:7: undefined field 'spec'\n | self.e.spec == 1\n | ......^",
    ]);
  });
});

describe('two-variable comprehensions', () => {
  const spec: JSONSchemaProps = {
    type: 'object',
    properties: {
      l: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 5 } },
      m: { type: 'object', maxProperties: 5, additionalProperties: { type: 'string', maxLength: 5 } },
    },
  };
  const rules = [
    'self.m.all(k, v, v.size() > 0 && k != v)', 'self.l.exists(i, v, i == 1 && v == "b")', 'self.l.existsOne(i, v, v == "a")',
    'self.l.transformList(i, v, i) == [0, 1]', 'self.l.transformList(i, v, i > 0, v + "!") == ["b!"]',
    'self.m.transformMap(k, v, v + k) == {"x": "yx"}', 'self.m.transformMap(k, v, k == "q", v) == {}', 'self.m.exists_one(k, v, v == "y")',
  ];
  const v = validatorOf(withSpec(spec, rules.map((rule) => ({ rule }))));

  it('bind the index or key and the element or value', () => {
    expect(runtimeErrors(v, { l: ['a', 'b'], m: { x: 'y' } })).toEqual([]);
    expect(runtimeErrors(v, { l: ['b', 'a', 'a'], m: { x: 'x' } }))
      .toEqual(rules.filter((r) => !r.includes('k == "q"')).map((r) => `spec: Invalid value: "object": failed rule: ${r}`));
  });
});
