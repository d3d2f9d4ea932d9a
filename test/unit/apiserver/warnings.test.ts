import { validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import { newWarningHeader, recordWarnings, TRUNCATE_AT_TOTAL_RUNES, TRUNCATE_ITEM_RUNES, wireHeaderValue } from '../../../src/apiserver/warnings.js';

const bytes = (wire: string) => Buffer.from(wire, 'latin1').toString('utf8');

describe('net.NewWarningHeader', () => {
  it('escapes only quotes and backslashes and refuses control characters', () => {
    expect(newWarningHeader('unknown field "a\\b"')).toBe('299 - "unknown field \\"a\\\\b\\""');
    expect(newWarningHeader('中 😀')).toBe('299 - "中 😀"');
    for (const c of ['\n', '\r', '\t', '\u0000', '\u007f', '\u0085', '\u009f']) expect(newWarningHeader(`a${c}b`)).toBeUndefined();
    expect(newWarningHeader('\u00a0')).toBe('299 - "\u00a0"');
  });
});

describe('the warning recorder', () => {
  it('drops empty and repeated texts and sends UTF-8 bytes', () => {
    const h = recordWarnings(['', 'unknown field "中"', 'unknown field "中"', 'unknown field "😀"', 'x\ny']);
    expect(h.map(bytes)).toEqual(['299 - "unknown field \\"中\\""', '299 - "unknown field \\"😀\\""']);
    expect(h[0]).toBe('299 - "unknown field \\"\u00e4\u00b8\u00ad\\""');
  });

  it('keeps 4096 runes whole, then truncates everything to 256 runes and drops what no longer fits', () => {
    const long = (c: string, n: number) => c.repeat(n);
    // exactly the budget: kept whole
    const fits = recordWarnings([long('a', 3000), long('中', TRUNCATE_AT_TOTAL_RUNES - 3000)]);
    expect(fits.map(bytes)).toEqual([`299 - "${long('a', 3000)}"`, `299 - "${long('中', TRUNCATE_AT_TOTAL_RUNES - 3000)}"`]);
    // one rune more: everything replayed cut to 256 runes (on rune boundaries: 😀 is one rune)
    const over = recordWarnings([long('a', 3000), long('😀', TRUNCATE_AT_TOTAL_RUNES - 2999), 'short']);
    expect(over.map(bytes)).toEqual([
      `299 - "${long('a', TRUNCATE_ITEM_RUNES)}"`, `299 - "${long('😀', TRUNCATE_ITEM_RUNES)}"`, '299 - "short"',
    ]);
    // while truncating, warnings are added until the budget is spent, then dropped
    const many = Array.from({ length: 100 }, (_, i) => `${i} ${long('b', 1000)}`);
    const out = recordWarnings(many);
    expect(out).toHaveLength(Math.ceil(TRUNCATE_AT_TOTAL_RUNES / TRUNCATE_ITEM_RUNES));
    expect(out.every((h) => bytes(h).length === TRUNCATE_ITEM_RUNES + 8)).toBe(true);
  });

  it('never produces a value Node refuses, whatever the text', () => {
    const alphabet = ['a', '"', '\\', '\n', '\r', '\u0000', '\u007f', '\u0080', '\u00ff', '中', '😀', '\ud800', '\udc00', ' ', '\t'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      for (const h of recordWarnings([text])) expect(() => validateHeaderValue('Warning', h)).not.toThrow();
      expect(() => validateHeaderValue('X', wireHeaderValue(text))).not.toThrow();
    }
  });

  it('writes lone surrogates as U+FFFD, as Go decoded them', () => {
    expect(bytes(recordWarnings(['unknown field "\ud800"'])[0]!)).toBe('299 - "unknown field \\"\ufffd\\""');
  });
});

describe('header values on the wire', () => {
  it('turns CR and LF into spaces and trims, as net/http writes them', () => {
    expect(wireHeaderValue(' a\r\nb ')).toBe('a  b');
    expect(bytes(wireHeaderValue('é'))).toBe('é');
  });
});
