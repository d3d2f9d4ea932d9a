import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import {
  everything, labelSelectorFromMeta, newRequirement, nothing, parseLabelSelector, selectorFromSet,
} from '../../../src/apimachinery/labels.js';

const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector: canonical strings', () => {
  it.each([
    ['', ''], ['x', 'x'], ['!x', '!x'], ['x=a', 'x=a'], ['x==a', 'x==a'], ['x!=a', 'x!=a'],
    [' x = a ', 'x=a'], ['x\t=\ta', 'x=a'], ['x=', 'x='], ['x= ', 'x='], ['x=,z= ', 'x=,z='], ['x==', 'x=='],
    ['x in (b,a,c)', 'x in (a,b,c)'], ['x notin (c,b,a,a)', 'x notin (a,b,c)'], ['x in(a)', 'x in (a)'],
    ['x in ()', 'x in ()'], ['x in (,)', 'x in ()'], ['x in (a,)', 'x in (,a)'], ['x in (,a)', 'x in (,a)'], ['x in (a,,b)', 'x in (,a,b)'],
    ['notin=in', 'notin=in'], ['in in (in)', 'in in (in)'], ['x in (in,notin)', 'x in (in,notin)'],
    ['x>1', 'x>1'], ['x<1', 'x<1'],
    ['y=b,x=a', 'x=a,y=b'], ['z,y,x', 'x,y,z'], ['!z,!y,a', 'a,!y,!z'],
    ['x in (a),x notin (b)', 'x in (a),x notin (b)'],
    ['k1=v1,!k2,k3 in (a),k4 notin (b),k5,k6!=x', 'k1=v1,!k2,k3 in (a),k4 notin (b),k5,k6!=x'],
    ['example.com/x=y', 'example.com/x=y'], ['x=a.b-c_d', 'x=a.b-c_d'],
  ])('%j -> %j', (s, want) => {
    expect(parseLabelSelector(s).toString()).toBe(want);
  });

  it('ends at a NUL like kube does', () => {
    expect(parseLabelSelector('x=a\u0000').toString()).toBe('x=a');
    expect(parseLabelSelector('\u0000x=a').toString()).toBe('');
  });
});

describe('parseLabelSelector: errors are 400s with kube text', () => {
  it.each([
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a,,)', "unable to parse requirement: found ')', expected: ',', or identifier"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['==a', "found '==', expected: !, identifier, or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['x exists', "unable to parse requirement: found 'exists', expected: in, notin, =, ==, !=, gt, lt"],
    ['x=a=b', "found '=', expected: ',' or 'end of string'"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x=(a)', "unable to parse requirement: found '(', expected: identifier"],
    ['x=a\u0000b', "found 'b', expected: ',' or 'end of string'"],
    ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>1.5', `unable to parse requirement: values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>99999999999999999999', `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${LABEL_VALUE}`],
    ['x=' + 'a'.repeat(66), `unable to parse requirement: values[0][x]: Invalid value: "${'a'.repeat(66)}": must be no more than 63 characters`],
    ['app:monolith', `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART}`],
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${LABEL_VALUE}`],
  ])('%j', (s, message) => {
    try {
      parseLabelSelector(s);
      expect.unreachable();
    } catch (e) {
      expect(isStatusError(e, 'BadRequest')).toBe(true);
      expect((e as Error).message).toBe(message);
      expect((e as { code: number }).code).toBe(400);
    }
  });

  it('joins several value errors like an aggregate', () => {
    expect(() => parseLabelSelector('x<' + '-'.repeat(64))).toThrow(
      `unable to parse requirement: [values[0]: Invalid value: "${'-'.repeat(64)}": for 'Gt', 'Lt' operators, the value must be an integer, `
      + `values[0][x]: Invalid value: "${'-'.repeat(64)}": must be no more than 63 characters; ${LABEL_VALUE}]`);
  });
});

describe('matching', () => {
  const set = { foo: 'bar', baz: 'blah', n: '5' };
  it.each([
    ['', true], ['foo=bar', true], ['foo==bar', true], ['foo=bar,baz=blah', true], ['foo=blah', false],
    ['foo!=blah', true], ['missing!=x', true], ['foo!=bar', false],
    ['foo in (a,bar)', true], ['foo in (a)', false], ['foo notin (bar)', false], ['missing notin (bar)', true], ['missing in (bar)', false],
    ['foo', true], ['missing', false], ['!missing', true], ['!foo', false],
    ['n>4', true], ['n>5', false], ['n<6', true], ['foo>1', false], ['missing<1', false],
    ['foo=bar,missing', false],
  ])('%j matches: %s', (s, want) => {
    expect(parseLabelSelector(s).matches(set)).toBe(want);
  });

  it('matches undefined labels as empty', () => {
    expect(parseLabelSelector('!x').matches(undefined)).toBe(true);
    expect(parseLabelSelector('x').matches(undefined)).toBe(false);
  });
});

describe('selector properties', () => {
  it('reports emptiness and exact matches', () => {
    expect(parseLabelSelector('').empty).toBe(true);
    expect(everything().empty).toBe(true);
    expect(everything().matches({ a: 'b' })).toBe(true);
    expect(nothing().empty).toBe(false);
    expect(nothing().nothing).toBe(true);
    expect(nothing().matches({})).toBe(false);
    const s = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5');
    expect(s.empty).toBe(false);
    expect(s.requiresExactMatch('a')).toBe('1');
    expect(s.requiresExactMatch('b')).toBe('2');
    expect(s.requiresExactMatch('c')).toBeUndefined();
    expect(s.requiresExactMatch('d')).toBeUndefined();
    expect(s.requiresExactMatch('z')).toBeUndefined();
    expect(s.requirements.map((r) => r.operator)).toEqual(['=', 'in', 'in', '!=']);
  });

  it('builds selectors from sets', () => {
    const s = selectorFromSet({ b: '2', a: '1' });
    expect(s.toString()).toBe('a=1,b=2');
    expect(s.matches({ a: '1', b: '2', c: '3' })).toBe(true);
    expect(selectorFromSet({}).empty).toBe(true);
  });

  it('validates requirements built directly', () => {
    expect(newRequirement('x', 'in', [])).toBe("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
    expect(newRequirement('x', '=', ['a', 'b'])).toBe('values: Invalid value: ["a","b"]: exact-match compatibility requires one single value');
    expect(newRequirement('x', 'exists', ['a'])).toBe('values: Invalid value: ["a"]: values set must be empty for exists and does not exist');
    expect(newRequirement('a'.repeat(254), 'exists', [])).toMatch(/^key: Invalid value: "a+": prefix part|^key: Invalid value/);
    expect(newRequirement('x', 'bogus' as never, [])).toBe('operator: Unsupported value: "bogus": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"');
  });
});

describe('labelSelectorFromMeta', () => {
  it('maps nil to nothing and empty to everything', () => {
    expect(labelSelectorFromMeta(undefined).nothing).toBe(true);
    expect(labelSelectorFromMeta(null).matches({})).toBe(false);
    expect(labelSelectorFromMeta({}).empty).toBe(true);
    expect(labelSelectorFromMeta({ matchLabels: {}, matchExpressions: [] }).matches({ x: 'y' })).toBe(true);
  });

  it('combines matchLabels and matchExpressions sorted by key', () => {
    const s = labelSelectorFromMeta({
      matchLabels: { z: '1', app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'app', operator: 'Exists' },
      ],
    });
    expect(s.toString()).toBe('app=web,app,!canary,env notin (prod),tier in (a,b),z=1');
    expect(s.matches({ app: 'web', z: '1', tier: 'a' })).toBe(true);
    expect(s.matches({ app: 'web', z: '1', tier: 'a', canary: '' })).toBe(false);
    expect(s.requirements.find((r) => r.key === 'tier')!.values).toEqual(['b', 'a']);
  });

  it('rejects unknown operators and invalid values', () => {
    expect(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }))
      .toThrow('"Gt" is not a valid label selector operator');
    expect(() => labelSelectorFromMeta({ matchLabels: { a: 'b c' } }))
      .toThrow(`values[0][a]: Invalid value: "b c": ${LABEL_VALUE}`);
    expect(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }))
      .toThrow("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
  });
});
