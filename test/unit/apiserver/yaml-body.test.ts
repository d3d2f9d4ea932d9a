import { describe, expect, it } from 'vitest';
import { invalid, field } from '../../../src/apimachinery/errors.js';
import { parseBody } from '../../../src/apiserver/decode.js';
import { largeStatusStream } from '../../../src/apiserver/large-status.js';
import { largeInvalidOf } from '../../../src/apimachinery/errors.js';
import { jsonDepthExceeds } from '../../../src/apimachinery/strict.js';

describe('YAML bodies as sigs.k8s.io/yaml reads them', () => {
  it('reads the first document only, however many follow', () => {
    const start = performance.now();
    const r = parseBody(`a: 1\n${'---\nb: [\n'.repeat(200_000)}`, 'yaml');
    expect(r).toMatchObject({ value: { a: 1 } });
    // the later (broken) documents are never parsed
    expect(performance.now() - start).toBeLessThan(500);
    expect(parseBody('---\na: 2\n---\na: 3\n', 'yaml').value).toEqual({ a: 2 });
    expect(parseBody('', 'yaml').value).toBeNull();
  });

  it("refuses more than 10000 nested levels with go-yaml's text", () => {
    const over = 10_001;
    expect(parseBody('['.repeat(over), 'yaml').error).toBe('yaml: exceeded max depth of 10000');
    expect(parseBody(`x: ${'{'.repeat(over)}`, 'yaml').error).toBe('yaml: exceeded max depth of 10000');
    expect(parseBody('- '.repeat(over), 'yaml').error).toBe('yaml: exceeded max depth of 10000');
    expect(parseBody(`a: 1\nb: 2\nc: ${'['.repeat(100_000)}`, 'yaml').error).toBe('yaml: line 3: exceeded max depth of 10000');
    expect(parseBody(`a:\n  b:\n    ${'- '.repeat(over)}`, 'yaml').error).toBe('yaml: line 3: exceeded max depth of 10000');
  });

  it('accepts nesting within the limits', () => {
    // go-yaml's own limit tests: flow nesting and block indentation count separately
    const lines = `- ${'['.repeat(50)}${']'.repeat(50)}\n`.repeat(3);
    expect(parseBody(lines, 'yaml').error).toBeUndefined();
    const seqs = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}- `).join('\n');
    expect(parseBody(`${seqs}1\n`, 'yaml').error).toBeUndefined();
  });

  it('refuses excessive aliasing as go-yaml counts it, and expands moderate aliasing', () => {
    const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(parseBody(laughs.join('\n'), 'yaml').error).toBe('yaml: document contains excessive aliasing');
    const ok = parseBody('base: &b {x: 1, w: [1, 2]}\nuse: *b\nmerged:\n  <<: *b\n  z: 3\n', 'yaml');
    expect(ok.error).toBeUndefined();
    expect(ok.value).toEqual({ base: { x: 1, w: [1, 2] }, use: { x: 1, w: [1, 2] }, merged: { x: 1, w: [1, 2], z: 3 } });
    // more than 100 aliases among many real nodes stays within the ratio
    const many = `a: &a 1\nl: [${Array(500).fill('*a').join(',')}]\nm: [${Array(2000).fill('0').join(',')}]\n`;
    expect(parseBody(many, 'yaml').error).toBeUndefined();
  });
});

describe('JSON nesting', () => {
  it("refuses more than 10000 levels with Go's scanner text", () => {
    const deep = `{"a":${'['.repeat(10_001)}${']'.repeat(10_001)}}`;
    expect(jsonDepthExceeds(deep)).toBe(true);
    expect(parseBody(deep, 'json').error).toBe("invalid character '[' exceeded max depth");
    const fine = `{"a":${'['.repeat(9_999)}${']'.repeat(9_999)},"s":"${'['.repeat(20_000)}"}`;
    expect(jsonDepthExceeds(fine)).toBe(false);
    expect(parseBody(fine, 'json').error).toBeUndefined();
  });
});

describe('large Invalid Status', () => {
  it('streams the same bytes JSON.stringify gives, message and causes included', async () => {
    for (const n of [1200, 2500, 4001]) {
      const errs = Array.from({ length: n }, (_, i) => field.invalid(`metadata.finalizers[${i}]`, i % 3 ? 'a"\u00e9' : 'b', 'no'));
      const err = invalid({ group: 'g', kind: 'K' }, 'x', errs);
      const large = largeInvalidOf(err.status)!;
      expect(large).toBeDefined();
      const chunks: Buffer[] = [];
      for await (const c of largeStatusStream(err.status, large)) chunks.push(c as Buffer);
      const streamed = Buffer.concat(chunks).toString('utf8');
      // reading the message and causes builds them: the same text
      expect(streamed).toBe(`${JSON.stringify(err.status)}\n`);
      expect(err.message).toMatch(/^K\.g "x" is invalid: \[metadata\.finalizers\[0\]: Invalid value: "b": no, /);
      expect(err.status.details!.causes).toHaveLength(n);
    }
    // every error the same: the aggregate is that one error, without brackets
    const same = invalid({ group: '', kind: 'K' }, 'x', Array.from({ length: 1500 }, () => field.invalid('f', 'v', 'bad')));
    const chunks: Buffer[] = [];
    for await (const c of largeStatusStream(same.status, largeInvalidOf(same.status)!)) chunks.push(c as Buffer);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8')).message).toBe('K "x" is invalid: f: Invalid value: "v": bad');
  });

  it('is an ordinary Status once its message is replaced', () => {
    const err = invalid({ group: '', kind: 'K' }, 'x', Array.from({ length: 1500 }, (_, i) => field.invalid(`f${i}`, 'v', 'bad')));
    err.status.message = 'object is being deleted: ' + err.status.message;
    expect(largeInvalidOf(err.status)).toBeUndefined();
    expect(err.message.startsWith('object is being deleted: K "x" is invalid: [f0: ')).toBe(true);
  });
});

describe('plain scalars as go-yaml v2 resolves them', () => {
  it('reads numbers with base prefixes, underscores and its float syntax; dates, times and the rest stay text', () => {
    const value = (s: string) => (parseBody(`v: ${s}`, 'yaml') as { value: { v: unknown } }).value.v;
    expect(['e2', 'E5', '1:20', '2001-12-14', '1.2.3', '1e', '.', '.e5'].map(value)).toEqual(['e2', 'E5', '1:20', '2001-12-14', '1.2.3', '1e', '.', '.e5']);
    expect(['017', '08', '0o17', '0x1F', '-0x1F', '0b101', '1_000', '+1', '1.', '.5', '+.5', '1e2', '1.2e+3'].map(value))
      .toEqual([15, 8, 15, 31, -31, 5, 1000, 1, 1, 0.5, 0.5, 100, 1200]);
    expect(['y', 'on', 'No', 'OFF', '~', 'Null'].map(value)).toEqual([true, true, false, false, null, null]);
  });
});
