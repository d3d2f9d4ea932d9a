// CRD-time errors of x-kubernetes-validations: compile errors in cel-go's display form, the bool /
// string output checks, optionalOldSelf and oldSelf where kube cannot correlate, fieldPath, and the
// estimated cost limits (per rule, times the rule's cardinality, and per schema). Every expected
// text is kube-apiserver v1.34's answer to creating the same CRD.

import { describe, expect, it } from 'vitest';
import { compileValidations } from '../../../src/apiextensions/cel/index.js';
import type { JSONSchemaProps, ValidationRule } from '../../../src/apiextensions/types.js';
import { BASE, COST_HINT, crdErrors, ruleInvalid, withSpec } from './cel-helpers.js';

const SPEC: JSONSchemaProps = {
  type: 'object',
  properties: {
    a: { type: 'string', maxLength: 10 },
    n: { type: 'integer' },
    l: { type: 'array', items: { type: 'string' } },
    m: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const P = `${BASE}.properties[spec].x-kubernetes-validations`;

describe('compile errors', () => {
  const cases: [ValidationRule, string][] = [
    [{ rule: 'self.foo == 1' }, "compilation failed: ERROR: <input>:1:5: undefined field 'foo'\n | self.foo == 1\n | ....^"],
    [{ rule: 'self.a.startsWith(1)' },
      "compilation failed: ERROR: <input>:1:18: found no matching overload for 'startsWith' applied to 'string.(int)'\n | self.a.startsWith(1)\n | .................^"],
    [{ rule: 'size(self.n) > 1' }, "compilation failed: ERROR: <input>:1:5: found no matching overload for 'size' applied to '(int)'\n | size(self.n) > 1\n | ....^"],
    [{ rule: 'self.a' }, 'cel expression must evaluate to a bool'],
    [{ rule: '[1, "a"].size() > 0' }, "compilation failed: ERROR: <input>:1:5: expected type 'int' but found 'string'\n | [1, \"a\"].size() > 0\n | ....^"],
    [{ rule: 'self.n == 1.0' }, "compilation failed: ERROR: <input>:1:8: found no matching overload for '_==_' applied to '(int, double)'\n | self.n == 1.0\n | .......^"],
    [{ rule: 'undefinedFn(self.a)' }, "compilation failed: ERROR: <input>:1:12: undeclared reference to 'undefinedFn' (in container '')\n | undefinedFn(self.a)\n | ...........^"],
    [{ rule: 'self.m.x == "a" && self.l[0] == 1' },
      "compilation failed: ERROR: <input>:1:30: found no matching overload for '_==_' applied to '(string, int)'\n | self.m.x == \"a\" && self.l[0] == 1\n | .............................^"],
    [{ rule: "quantity('-3').sign() == -1" },
      "compilation failed: ERROR: <input>:1:20: found no matching overload for 'sign' applied to 'kubernetes.Quantity.()'\n | quantity('-3').sign() == -1\n | ...................^"],
    [{ rule: 'self.a.matches("[")' }, 'compilation failed: ERROR: <input>:1:16: invalid matches argument\n | self.a.matches("[")\n | ...............^'],
    [{ rule: 'duration("bogus") > duration("1s")' }, 'compilation failed: ERROR: <input>:1:10: invalid duration argument\n | duration("bogus") > duration("1s")\n | .........^'],
    [{ rule: 'timestamp("x") > timestamp("2020-01-01T00:00:00Z")' },
      'compilation failed: ERROR: <input>:1:11: invalid timestamp argument\n | timestamp("x") > timestamp("2020-01-01T00:00:00Z")\n | ..........^'],
    [{ rule: 'self.a.find("(") == ""' }, 'program instantiation failed: error parsing regexp: missing closing ): `(`'],
  ];
  it.each(cases)('%j', (rule, detail) => {
    expect(crdErrors(withSpec(SPEC, [rule]))).toEqual([ruleInvalid(`${P}[0].rule`, rule, detail)]);
  });

  it('prints <, > and & as Go\'s json does', () => {
    const rule = { rule: 'self.n > 1 && self.x < 2' };
    expect(crdErrors(withSpec(SPEC, [rule]))[0]).toContain('{"Rule":"self.n \\u003e 1 \\u0026\\u0026 self.x \\u003c 2"');
  });

  it('reports a syntax error at its position (the parser\'s own words, not ANTLR\'s)', () => {
    const [e] = crdErrors(withSpec(SPEC, [{ rule: 'self.a +' }]));
    expect(e).toMatch(/^spec\.validation\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: .*: compilation failed: ERROR: <input>:1:\d+: Syntax error: /);
  });

  it('checks messageExpression, optionalOldSelf and kube\'s order of rules', () => {
    const rules: ValidationRule[] = [
      { rule: 'self.a == "x"', messageExpression: '1' },
      { rule: 'true', optionalOldSelf: true },
      { rule: 'self.a == "x"', messageExpression: 'self.nope' },
    ];
    expect(crdErrors(withSpec(SPEC, rules))).toEqual([
      ruleInvalid(`${P}[0].messageExpression`, rules[0]!, 'messageExpression must evaluate to a string'),
      `${P}[1].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
      ruleInvalid(`${P}[2].messageExpression`, rules[2]!,
        "messageExpression compilation failed: ERROR: <input>:1:5: undefined field 'nope'\n | self.nope\n | ....^"),
    ]);
  });

  it('accepts transition rules, optionalOldSelf with oldSelf, kube\'s libraries and macros', () => {
    const rules: ValidationRule[] = [
      { rule: 'self.a == oldSelf.a' },
      { rule: '!oldSelf.hasValue() || oldSelf.value().n <= self.n', optionalOldSelf: true },
      { rule: "self.l.all(x, x.matches('^[a-z]+$')) && self.m.exists(k, k == 'x')" },
      { rule: "isQuantity(self.a) && quantity(self.a).isLessThan(quantity('1Gi'))" },
      { rule: "has(self.a) ? self.a.lowerAscii().split('-').size() < 3 : true" },
      { rule: "format.dns1123Label().validate(self.a).hasValue() == false" },
      { rule: "url('https://x').getHost() == 'x' && ip('1.2.3.4').family() == 4 && cidr('10.0.0.0/8').containsIP('10.1.1.1')" },
      { rule: "semver('1.2.3').isLessThan(semver('1.10.0')) && sets.contains(['a'], ['a'])" },
      { rule: "type(self.n) == int && self.l.map(x, x.size()).sum() >= 0" },
    ];
    expect(crdErrors(withSpec({ ...SPEC, properties: { ...SPEC.properties, l: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 10 } } } }, rules))).toEqual([]);
  });

  it('refuses oldSelf under lists that are not list-type=map (kube cannot correlate their items)', () => {
    const spec: JSONSchemaProps = {
      type: 'object',
      properties: {
        sl: { type: 'array', maxItems: 10, items: { type: 'object', properties: { v: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.v == oldSelf.v' }] } },
        ml: {
          type: 'array', maxItems: 10, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'],
          items: { type: 'object', required: ['k'], properties: { k: { type: 'string' }, v: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.v >= oldSelf.v' }] },
        },
      },
    };
    expect(crdErrors(withSpec(spec))).toEqual([
      `${BASE}.properties[spec].properties[sl].items.x-kubernetes-validations[0].rule: Invalid value: "self.v == oldSelf.v": oldSelf cannot be used on the uncorrelatable portion of the schema within ${BASE}.properties[spec].properties[sl]`,
    ]);
  });

  it('requires fieldPath to name a declared field', () => {
    expect(crdErrors(withSpec(SPEC, [{ rule: 'true', fieldPath: '.zz' }, { rule: 'true', fieldPath: '.a' }, { rule: 'true', fieldPath: ".m['any.key']" }]))).toEqual([
      `${P}[0].fieldPath: Invalid value: ".zz": must be a valid path`,
    ]);
  });
});

describe('estimated cost', () => {
  const spec: JSONSchemaProps = {
    type: 'object',
    properties: {
      l: { type: 'array', items: { type: 'string', maxLength: 10 } },
      l2: { type: 'array', maxItems: 2000, items: { type: 'string', maxLength: 64 } },
      s: { type: 'string' },
      m: { type: 'object', additionalProperties: { type: 'string' } },
      o: { type: 'array', items: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } } },
    },
  };

  it('gives kube\'s factors and the most expensive rules of a schema over its total limit', () => {
    const rules: ValidationRule[] = [
      { rule: 'self.l.all(x, x.contains("abc"))' },
      { rule: 'self.l2.all(x, self.l2.exists(y, x == y))' },
      { rule: 'self.l2.all(x, self.l2.exists_one(y, x.startsWith(y)))' },
      { rule: 'self.s.matches("^[a-z]+$")' },
      { rule: 'self.m.all(k, self.m[k].size() < 3)' },
      { rule: 'self.o.all(x, self.o.exists_one(y, x.name == y.name))' },
      { rule: 'self.l2.map(x, x + "a").size() > 0' },
      { rule: 'self.s.find("[a-z]+") == "a"' },
      { rule: 'self.l2.filter(x, x in self.l2).size() > 1' },
    ];
    expect(crdErrors(withSpec(spec, rules))).toEqual([
      `${P}[1].rule: Forbidden: estimated rule cost exceeds budget by factor of 12.8x ${COST_HINT}`,
      `${P}[2].rule: Forbidden: estimated rule cost exceeds budget by factor of 12.0x ${COST_HINT}`,
      `${P}[5].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${COST_HINT}`,
      `${P}[5].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${P}[1].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${P}[2].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${P}[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${BASE}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${COST_HINT}`,
    ]);
  });

  it('multiplies a rule\'s cost by how often its node can occur (unbounded lists: by the request size)', () => {
    const rules = [{ rule: 'self.l.all(x, self.l.all(y, x == y))' }];
    expect(crdErrors(withSpec({ type: 'object', properties: { l: { type: 'array', items: { type: 'string' } } } }, rules))).toEqual([
      `${P}[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${COST_HINT}`,
      `${P}[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${BASE}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${COST_HINT}`,
    ]);
    // bounded lists of bounded strings are cheap enough
    const bounded: JSONSchemaProps = { type: 'object', properties: { l: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 63 } } } };
    expect(crdErrors(withSpec(bounded, rules))).toEqual([]);
  });

  it('charges kube\'s library costs (element-wise list functions on literals of unknown size)', () => {
    const p = (i: number) => `${P}[${i}].rule`;
    const rules = [
      { rule: "['a','b'].isSorted()" }, { rule: "['b','a'].min() == 'a'" }, { rule: "['a','b'].join('-') == 'a-b'" },
      { rule: '[1,2,3].isSorted() && [3,1].min() == 1' }, { rule: 'sets.contains([1,2,3], [1,2])' }, { rule: 'type(1) == int' },
    ];
    const errs = crdErrors(withSpec({ type: 'object', properties: { x: { type: 'string' } } }, rules));
    expect(errs.filter((e) => e.includes('exceeds budget by factor of more than 100x') && !e.startsWith(`${BASE}:`)))
      .toEqual([0, 1, 2].map((i) => `${p(i)}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${COST_HINT}`));
  });
});

describe('unchanged schemas on update', () => {
  it('suppressPerExpressionCost keeps only the schema total', () => {
    const schema = withSpec({ type: 'object', properties: { l: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 64 } } } },
      [{ rule: 'self.l.all(x, self.l.exists(y, x == y))' }]);
    expect(crdErrors(schema)).toEqual([`${P}[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 3.2x ${COST_HINT}`]);
    expect(compileValidations(schema, { basePath: BASE, suppressPerExpressionCost: true }).errors).toEqual([]);
  });
});

describe('type checking as cel-go does it (kube\'s answers to one CRD with all of these rules)', () => {
  const spec: JSONSchemaProps = {
    type: 'object',
    properties: {
      a: { type: 'string', maxLength: 10 }, n: { type: 'integer' }, d: { type: 'number' },
      o: { type: 'object', properties: { x: { type: 'string', maxLength: 5 } } },
      l: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 5 } },
      m: { type: 'object', maxProperties: 5, additionalProperties: { type: 'integer' } },
    },
  };
  const rules: ValidationRule[] = [
    { rule: "self.a == null" },
    { rule: "self.o == null || true" },
    { rule: "self.n < 1.5 && self.d > 1" },
    { rule: "self.a in self.l && \"k\" in self.m" },
    { rule: "self.m[\"k\"] + 1 > self.n" },
    { rule: "self.l[0].size() == self.o.x.size()" },
    { rule: "self.n + self.d > 0" },
    { rule: "self.l + [1] == []" },
    { rule: "self.m.map(k, self.m[k]).sum() > 0" },
    { rule: "[self.a, self.o.x].exists(s, s == \"\")" },
    { rule: "{\"a\": self.n, \"b\": 1}.size() == 2" },
    { rule: "dyn(self.a) == 1" },
    { rule: "self.o.x.startsWith(self.a) ? self.n : self.d" },
    { rule: "int(self.d) == self.n && double(self.n) == self.d && string(self.n) == self.a" },
    { rule: "self.l.filter(x, x.size() > 1).map(x, x + \"!\") == self.l" },
    { rule: "!has(self.o.x) || self.o.x != \"\"" },
    { rule: "has(self.m.k)" },
    { rule: "self.m.k == 1" },
    { rule: "self.l.all(x, x.matches(\"^a\")) == (self.n == 1)" },
    { rule: "type(self.o) == type(oldSelf.o)" },
  ];
  it('null, numbers across types, conditionals, list concatenation, identifiers\' sizes', () => {
    expect(crdErrors(withSpec(spec, rules))).toEqual([
      "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {\"Rule\":\"self.a == null\",\"Message\":\"\",\"MessageExpression\":\"\",\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: compilation failed: ERROR: <input>:1:8: found no matching overload for '_==_' applied to '(string, null)'\n | self.a == null\n | .......^",
      "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[6].rule: Invalid value: {\"Rule\":\"self.n + self.d \\u003e 0\",\"Message\":\"\",\"MessageExpression\":\"\",\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: compilation failed: ERROR: <input>:1:8: found no matching overload for '_+_' applied to '(int, double)'\n | self.n + self.d > 0\n | .......^",
      "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[7].rule: Invalid value: {\"Rule\":\"self.l + [1] == []\",\"Message\":\"\",\"MessageExpression\":\"\",\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: compilation failed: ERROR: <input>:1:8: found no matching overload for '_+_' applied to '(list(string), list(int))'\n | self.l + [1] == []\n | .......^",
      "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[12].rule: Invalid value: {\"Rule\":\"self.o.x.startsWith(self.a) ? self.n : self.d\",\"Message\":\"\",\"MessageExpression\":\"\",\"Reason\":null,\"FieldPath\":\"\",\"OptionalOldSelf\":null}: compilation failed: ERROR: <input>:1:29: found no matching overload for '_?_:_' applied to '(bool, int, double)'\n | self.o.x.startsWith(self.a) ? self.n : self.d\n | ............................^",
      "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[19].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)",
      "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[19].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema",
      "spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)",
    ]);
  });
});

describe('nodes CEL cannot type', () => {
  it('refuse rules on untyped values and on maps of them', () => {
    const spec: JSONSchemaProps = {
      type: 'object',
      properties: {
        u: { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'true' }] },
        i: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: 'self == 1 || self == "a"' }] },
        ap: { type: 'object', additionalProperties: { 'x-kubernetes-preserve-unknown-fields': true }, 'x-kubernetes-validations': [{ rule: 'self.size() > 0' }] },
      },
    };
    const msg = 'Internal error: internal error: failed to construct type information for x-kubernetes-validations rules: unable to convert structural schema to CEL declarations';
    expect(crdErrors(withSpec(spec))).toEqual([
      `${BASE}.properties[spec].properties[ap].x-kubernetes-validations: ${msg}`,
      `${BASE}.properties[spec].properties[u].x-kubernetes-validations: ${msg}`,
    ]);
  });
});

describe('parser limits', () => {
  const one = (rule: string) => crdErrors(withSpec({ type: 'object' }, [{ rule }])).map((e) => e.slice(e.indexOf(': compilation failed: ') + 2));
  it('nesting, depth and size as cel-go limits them (kube\'s answers), never the process\'s stack', () => {
    expect(one(`${'('.repeat(260)}true${')'.repeat(260)}`)).toEqual(['compilation failed: ERROR: <input>:-1:0: expression recursion limit exceeded: 250']);
    expect(one(`${Array(260).fill('1').join(' + ')} > 0`)).toEqual(['compilation failed: ERROR: <input>:-1:0: max recursion depth exceeded']);
    expect(one(`${Array(240).fill('1').join(' + ')} > 0`)).toEqual([]);
    expect(one(`${Array(20000).fill('1').join(' + ')} > 0`)).toEqual(['compilation failed: ERROR: <input>:-1:0: max recursion depth exceeded']);
    expect(one(`'${'a'.repeat(100000)}' == ''`)).toEqual(['compilation failed: ERROR: <input>:-1:0: expression code point size exceeds limit: size: 100008, limit 100000']);
  });

  it('shows wide characters under full-width dots and tabs as blanks (cel-go\'s snippet)', () => {
    expect(one("'é' == self.x")).toEqual(["compilation failed: ERROR: <input>:1:12: undefined field 'x'\n | 'é' == self.x\n | .\uff0e.........^"]);
    expect(one('self.x\t== 1')).toEqual(["compilation failed: ERROR: <input>:1:5: undefined field 'x'\n | self.x == 1\n | ....^"]);
  });
});
