import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import {
  escapeFieldValue, everythingFields, fieldSelectorFromSet, parseFieldSelector, unescapeFieldValue,
} from '../../../src/apimachinery/fields.js';

describe('parseFieldSelector', () => {
  it.each([
    ['', '', true], ['a=b', 'a=b', false], ['a==b', 'a=b', false], ['a!=b', 'a!=b', false],
    ['c=d,a=b', 'a=b,c=d', false], ['b=1,a=2,a=1', 'a=1,a=2,b=1', false], ['a=b,,c=d', 'a=b,c=d', false],
    [',,a=b', 'a=b', false], ['a=b,', 'a=b', false], [',', '', true],
    ['a=', 'a=', false], ['=b', '=b', false], ['=', '', true], ['!=a', '!=a', false],
    ['a==', 'a=', false], [' a = b ', ' a = b ', false],
    ['a=b\\,c', 'a=b\\,c', false], ['a=b\\=c', 'a=b\\=c', false], ['a=b\\\\c', 'a=b\\\\c', false],
    ['metadata.name!=foo,status.phase=Running', 'metadata.name!=foo,status.phase=Running', false],
    ['x=é', 'x=é', false],
  ])('%j -> %j (empty %s)', (s, want, empty) => {
    const sel = parseFieldSelector(s);
    expect(sel.toString()).toBe(want);
    expect(sel.empty).toBe(empty);
  });

  it.each([
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a!b', "invalid selector: 'a!b'; can't understand 'a!b'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=!=b', 'invalid field selector: unescaped character in value: 61'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\c', 'invalid field selector: invalid escape sequence: \\c'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a\\=b=c', 'invalid field selector: unescaped character in value: 61'],
  ])('%j fails with %j', (s, message) => {
    try {
      parseFieldSelector(s);
      expect.unreachable();
    } catch (e) {
      expect(isStatusError(e, 'BadRequest')).toBe(true);
      expect((e as Error).message).toBe(message);
    }
  });

  it('unescapes values and exposes requirements', () => {
    const sel = parseFieldSelector('spec.x=a\\,b\\=c\\\\d,metadata.name!=n');
    expect(sel.requirements).toEqual([
      { field: 'metadata.name', op: '!=', value: 'n' },
      { field: 'spec.x', op: '=', value: 'a,b=c\\d' },
    ]);
  });
});

describe('matching', () => {
  const fields = { 'metadata.name': 'foo', 'status.phase': 'Running' };
  it.each([
    ['', true], ['metadata.name=foo', true], ['metadata.name==foo', true], ['metadata.name=bar', false],
    ['metadata.name!=bar', true], ['metadata.name!=foo', false],
    ['spec.nodeName=', true], ['spec.nodeName!=', false], ['spec.nodeName=x', false],
    ['metadata.name=foo,status.phase=Running', true], ['metadata.name=foo,status.phase=Pending', false],
  ])('%j matches: %s', (s, want) => expect(parseFieldSelector(s).matches(fields)).toBe(want));
});

describe('selector helpers', () => {
  it('finds exact matches', () => {
    const sel = parseFieldSelector('metadata.name=foo,metadata.namespace!=bar');
    expect(sel.requiresExactMatch('metadata.name')).toBe('foo');
    expect(sel.requiresExactMatch('metadata.namespace')).toBeUndefined();
    expect(sel.requiresExactMatch('spec.x')).toBeUndefined();
  });

  it('transforms terms, dropping emptied ones', () => {
    const sel = parseFieldSelector('a=1,b=2,c!=3').transform((f, v) => (f === 'b' ? ['', ''] : [`spec.${f}`, v]));
    expect(sel.toString()).toBe('spec.a=1,spec.c!=3');
    expect(() => parseFieldSelector('bad=1').transform((f) => { throw new Error(`field label not supported: ${f}`); }))
      .toThrow('field label not supported: bad');
  });

  it('escapes and unescapes values', () => {
    expect(escapeFieldValue('a,b=c\\')).toBe('a\\,b\\=c\\\\');
    expect(unescapeFieldValue('a\\,b\\=c\\\\')).toBe('a,b=c\\');
    expect(unescapeFieldValue('plain')).toBe('plain');
  });

  it('builds everything and set selectors', () => {
    expect(everythingFields().empty).toBe(true);
    expect(everythingFields().matches({})).toBe(true);
    const s = fieldSelectorFromSet({ 'metadata.name': 'x' });
    expect(s.toString()).toBe('metadata.name=x');
    expect(s.matches({ 'metadata.name': 'x' })).toBe(true);
  });
});
