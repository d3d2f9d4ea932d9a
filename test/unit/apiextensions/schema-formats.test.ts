// String formats and patterns as kube-apiserver v1.34 judged them: each value was sent (dry-run)
// in a custom resource whose field has the format (or pattern); `true` means kube accepted it.

import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../../src/apiextensions/schema/index.js';
import { goFormatFloat } from '../../../src/apiextensions/schema/gonum.js';
import type { JSONSchemaProps } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';

const fields: Record<string, JSONSchemaProps> = {
    "uri": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "hostname": {"type": "string", "format": "hostname"},
    "ipv4": {"type": "string", "format": "ipv4"},
    "ipv6": {"type": "string", "format": "ipv6"},
    "cidr": {"type": "string", "format": "cidr"},
    "mac": {"type": "string", "format": "mac"},
    "uuid": {"type": "string", "format": "uuid"},
    "uuid4": {"type": "string", "format": "uuid4"},
    "byte": {"type": "string", "format": "byte"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "duration": {"type": "string", "format": "duration"},
    "isbn": {"type": "string", "format": "isbn"},
    "creditcard": {"type": "string", "format": "creditcard"},
    "ssn": {"type": "string", "format": "ssn"},
    "hexcolor": {"type": "string", "format": "hexcolor"},
    "rgbcolor": {"type": "string", "format": "rgbcolor"},
    "bsonobjectid": {"type": "string", "format": "bsonobjectid"},
    "pat": {"type": "string", "pattern": "^a.b\\s?c$"},
    "pat2": {"type": "string", "pattern": "(?i)^ab$"},
};

const kube: Record<string, [string, boolean][]> = {
  "uri": [
    ["http://example.com/a?b#c", true],
    ["/abs/path", true],
    ["rel/path", false],
    ["mailto:x@y", true],
    ["http://ex ample.com", false],
    ["http://[::1]:80/x", true],
    ["http://h:port/", false],
    ["%zz", false],
    ["", false],
    ["*", true],
    ["http://a/%zz", false],
    ["ftp://u@h:21", true],
  ],
  "email": [
    ["a@b.c", true],
    ["A Name <a@b.c>", true],
    ["a@", false],
    ["@b", false],
    ["a b@c", false],
    ["\"q r\"@x.y", true],
    ["a@b", true],
    ["a..b@c.d", false],
    ["a@[1.2.3.4]", true],
  ],
  "hostname": [
    ["example.com", true],
    ["a", true],
    ["-a.com", false],
    ["a-.com", false],
    ["xn--bcher-kva.example", true],
    ["ex_ample.com", false],
    ["a.b.c1", false],
    ["m\u00fcnchen.de", true],
    ["a..b", false],
    ["1.2.3.4", false],
    ["localhost.", false],
    ["a.b.c.d.e.f.g.h", false],
  ],
  "ipv4": [
    ["1.2.3.4", true],
    ["001.002.003.004", true],
    ["256.1.1.1", false],
    ["1.2.3", false],
    ["::ffff:1.2.3.4", true],
    ["1.2.3.4 ", false],
  ],
  "ipv6": [
    ["::1", true],
    ["fe80::1%eth0", false],
    ["2001:db8::1", true],
    ["1.2.3.4", false],
    ["::ffff:1.2.3.4", true],
    ["::ffff:01.2.3.4", false],
    [":::", false],
  ],
  "cidr": [
    ["10.0.0.0/8", true],
    ["10.0.0.1/33", false],
    ["::/0", true],
    ["2001:db8::/129", false],
    ["010.0.0.0/8", true],
    ["10.0.0.0/08", true],
    ["10.0.0.0", false],
    ["10.0.0.0/+8", false],
  ],
  "mac": [
    ["00:00:5e:00:53:01", true],
    ["00-00-5e-00-53-01", true],
    ["0000.5e00.5301", true],
    ["00:00:5e:00:53", false],
    ["00:00:5e:00:53:01:02:03", true],
    ["00:00:5e:00:53:0g", false],
    ["00:00-5e:00:53:01", false],
  ],
  "uuid": [
    ["123e4567-e89b-12d3-a456-426614174000", true],
    ["123E4567E89B12D3A456426614174000", true],
    ["123e4567-e89b-12d3-a456-42661417400", false],
  ],
  "uuid4": [
    ["123e4567-e89b-42d3-a456-426614174000", true],
    ["123e4567-e89b-12d3-a456-426614174000", false],
  ],
  "byte": [
    ["aGVsbG8=", true],
    ["aGVsbG8", false],
    ["", false],
    ["aGVs bG8=", false],
    ["aGVsbA==", true],
  ],
  "date": [
    ["2024-02-29", true],
    ["2023-02-29", false],
    ["2024-13-01", false],
    ["2024-1-01", false],
    ["24-01-01", false],
    ["2024-04-31", false],
  ],
  "datetime": [
    ["2024-01-01T00:00:00Z", true],
    ["2024-01-01t00:00:00z", true],
    ["2024-01-01T24:00:00Z", false],
    ["2024-01-01T00:00:00.123+02:00", true],
    ["2024-01-01 00:00:00Z", false],
    ["2024-01-01T00:00:00", false],
    ["2024-01-01T00:00:60Z", false],
    ["2024-01-01T00:00:00+0200", false],
  ],
  "duration": [
    ["1h", true],
    ["1.5h", true],
    ["-3m", true],
    ["5 days", true],
    ["3 weeks", true],
    ["10", false],
    ["1x", false],
    ["1h30m", true],
    ["abc 5s def", true],
    ["0", true],
    ["", false],
    [".5s", true],
    ["5 secs", true],
  ],
  "isbn": [
    ["0321751043", true],
    ["978-0321751041", true],
    ["0321751044", false],
    ["978 0 321 75104 1", true],
  ],
  "creditcard": [
    ["4111111111111111", true],
    ["4111 1111 1111 1111", true],
    ["4111111111111112", false],
  ],
  "ssn": [
    ["123-45-6789", true],
    ["123 45 6789", true],
    ["123456789", false],
    ["12-345-6789", false],
  ],
  "hexcolor": [
    ["#fff", true],
    ["FFFFFF", true],
    ["#ffff", false],
    ["#ggg", false],
  ],
  "rgbcolor": [
    ["rgb(255,255,255)", true],
    ["rgb( 0 , 0 , 0 )", true],
    ["rgb(256,0,0)", false],
    ["rgb(1,2)", false],
  ],
  "bsonobjectid": [
    ["507f1f77bcf86cd799439011", true],
    ["507f1f77bcf86cd79943901", false],
    ["507F1F77BCF86CD799439011", true],
  ],
  "pat": [
    ["axbc", true],
    ["ax\nbc", false],
    ["axb c", true],
    ["axb\u00a0c", false],
    ["a\rbc", true],
  ],
  "pat2": [
    ["AB", true],
    ["ab", true],
    ["aB", true],
  ],
};

const compiled = compileSchema({ type: 'object', properties: { spec: { type: 'object', properties: fields } } });

describe('formats and patterns: kube-apiserver verdicts', () => {
  for (const [f, rows] of Object.entries(kube)) {
    it(`${f} (${fields[f]!.format ?? fields[f]!.pattern})`, () => {
      const got = rows.map(([v]) => [v, compiled.validate({ spec: { [f]: v } }).length === 0]);
      expect(got).toEqual(rows);
    });
  }

  it('words a format failure as kube does', () => {
    expect(compiled.validate({ spec: { uri: 'http://ex ample.com' } }).map(fieldErrorString))
      .toEqual(['spec.uri: Invalid value: "http://ex ample.com": spec.uri in body must be of type uri: "http://ex ample.com"']);
  });
});

describe('Go number formatting in messages', () => {
  it('prints float64 the way %v does', () => {
    expect([1e6, 2000000.5, 0.5, 123456.5, 1e-5, 1.5e-7, 1e21, -2.5e10, 100].map(goFormatFloat))
      .toEqual(['1e+06', '2.0000005e+06', '0.5', '123456.5', '1e-05', '1.5e-07', '1e+21', '-2.5e+10', '100']);
  });
});
