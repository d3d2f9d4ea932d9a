// Expectations checked against Go (encoding/base64, encoding/json, time.Parse).
import { describe, expect, it } from 'vitest';
import { goBase64ErrorOffset, goJSONUnmarshalMapError, goParseTime, normalizeTimeField, semanticEqual, mapFieldEqual } from '../../../src/registry/kinds/_util.js';

describe('goBase64ErrorOffset (base64.StdEncoding)', () => {
  it.each([
    ['YQ=', 3], ['Y', 0], ['YQ', 0], ['YQ==x', 4], ['Y===', 1], ['!!!!', 0], ['YWJj!', 4], ['YQ=\n=', -1], ['YQ\n==', -1],
    ['YWJjZA', 4], ['=', 0], ['YQ==\n', -1], ['YQ==YQ==', 4], ['YWJj\nYQ', 5], ['', -1], ['YWJj', -1],
  ])('%j -> %d', (s, want) => expect(goBase64ErrorOffset(s)).toBe(want));
});

describe('goJSONUnmarshalMapError (json.Unmarshal into map[string]interface{})', () => {
  it.each([
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['', 'unexpected end of JSON input'],
    ['[1]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['null', undefined],
    ['{"a": {"b": [1, 2.5e3, "x", true, null]}}', undefined],
    ['"x"', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['1', 'json: cannot unmarshal number into Go value of type map[string]interface {}'],
    ['true', 'json: cannot unmarshal bool into Go value of type map[string]interface {}'],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', 'invalid character \'"\' after object key:value pair'],
    ['[1 2]', "invalid character '2' after array element"],
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['{"a":"\\x01"}', "invalid character 'x' in string escape code"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['{} x', "invalid character 'x' after top-level value"],
    [' ', 'unexpected end of JSON input'],
    ['{"a":[}', "invalid character '}' looking for beginning of value"],
    ['{"a":nul}', "invalid character '}' in literal null (expecting 'l')"],
    ['{,}', "invalid character ',' looking for beginning of object key string"],
    ['{"a":"\u0001"}', "invalid character '\\x01' in string literal"],
    ['{"a":"x', 'unexpected end of JSON input'],
  ])('%j', (s, want) => expect(goJSONUnmarshalMapError(Buffer.from(s))).toBe(want));
});

describe('goParseTime (time.Parse with RFC3339 / RFC3339Micro)', () => {
  const rfc = (s: string): string => {
    const o: Record<string, unknown> = { t: s };
    return normalizeTimeField(o, 't', false) ?? String(o.t);
  };
  const micro = (s: string): string => {
    const o: Record<string, unknown> = { t: s };
    return normalizeTimeField(o, 't', true) ?? String(o.t);
  };
  it.each([
    ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'],
    ['2020-01-01T00:00:00.5+02:00', '2019-12-31T22:00:00Z'],
    ['2020-13-01T00:00:00Z', 'parsing time "2020-13-01T00:00:00Z": month out of range'],
    ['2020-02-30T00:00:00Z', 'parsing time "2020-02-30T00:00:00Z": day out of range'],
    ['2020-01-01T24:00:00Z', 'parsing time "2020-01-01T24:00:00Z": hour out of range'],
    ['2020-01-01T1:00:00Z', '2020-01-01T01:00:00Z'],
    ['2020-01-01 00:00:00Z', 'parsing time "2020-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"'],
    ['2020-01-01T00:00:00', 'parsing time "2020-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    ['2020-01-01T00:00:00+0100', 'parsing time "2020-01-01T00:00:00+0100" as "2006-01-02T15:04:05Z07:00": cannot parse "+0100" as "Z07:00"'],
    ['foo', 'parsing time "foo" as "2006-01-02T15:04:05Z07:00": cannot parse "foo" as "2006"'],
    ['2020-01-01T00:60:00Z', 'parsing time "2020-01-01T00:60:00Z": minute out of range'],
    ['2020-01-01T00:00:00.123456789Z', '2020-01-01T00:00:00Z'],
    ['2020-01-01T00:00:00.1234567890Z', '2020-01-01T00:00:00Z'],
    ['2020-01-01T00:00:00Zjunk', 'parsing time "2020-01-01T00:00:00Zjunk": extra text: "junk"'],
  ])('Time %j', (s, want) => expect(rfc(s)).toBe(want));
  it.each([
    ['2020-01-01T00:00:00Z', 'parsing time "2020-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'],
    ['2020-01-01T00:00:00.123Z', 'parsing time "2020-01-01T00:00:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"'],
    ['2020-01-01T00:00:00.1234567Z', 'parsing time "2020-01-01T00:00:00.1234567Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "7Z" as "Z07:00"'],
    ['2020-01-01T00:00:00.123456+01:00', '2019-12-31T23:00:00.123456Z'],
    ['2020-01-01T00:00:00,123456Z', '2020-01-01T00:00:00.123456Z'],
  ])('MicroTime %j', (s, want) => expect(micro(s)).toBe(want));
  it('maps Go\'s zero time and null to null', () => {
    const o: Record<string, unknown> = { a: '0001-01-01T00:00:00Z', b: null };
    normalizeTimeField(o, 'a', false);
    normalizeTimeField(o, 'b', true);
    expect(o).toEqual({ a: null, b: null });
    expect(typeof goParseTime('2020-01-01T00:00:00Z', false)).toBe('object');
  });
});

describe('equality helpers', () => {
  it('semanticEqual treats missing and zero struct fields alike', () => {
    expect(semanticEqual({ a: '', b: [] }, {})).toBe(true);
    expect(semanticEqual({ a: 'x' }, {})).toBe(false);
  });
  it('mapFieldEqual tells nil from empty', () => {
    expect(mapFieldEqual(undefined, null)).toBe(true);
    expect(mapFieldEqual(undefined, {})).toBe(false);
    expect(mapFieldEqual({ a: '1' }, { a: '1' })).toBe(true);
  });
});
