import { describe, expect, it } from 'vitest';
import { generateName, MAX_GENERATED_NAME_LENGTH, NAME_ALPHABET, randomSuffix } from '../../../src/apimachinery/names.js';

describe('generateName', () => {
  it.each([
    ['foo-', 'foo-'], ['', ''], ['a'.repeat(58), 'a'.repeat(58)], ['b'.repeat(80), 'b'.repeat(58)],
  ])('appends five characters of kube alphabet to %j', (base, kept) => {
    const name = generateName(base);
    expect(name.startsWith(kept)).toBe(true);
    expect(name).toHaveLength(kept.length + 5);
    expect(name.slice(kept.length)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('never exceeds a DNS label', () => {
    expect(generateName('x'.repeat(200)).length).toBe(63);
    expect(MAX_GENERATED_NAME_LENGTH).toBe(58);
  });

  it('cuts the base by bytes like Go', () => {
    const name = generateName('é'.repeat(40)); // 80 bytes
    expect(Buffer.byteLength(name.slice(0, -5))).toBeLessThanOrEqual(58);
  });

  it('uses the whole alphabet and varies', () => {
    const seen = new Set<string>();
    const names = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = randomSuffix();
      names.add(s);
      for (const c of s) seen.add(c);
    }
    expect([...seen].sort().join('')).toBe([...NAME_ALPHABET].sort().join(''));
    expect(names.size).toBeGreaterThan(1990);
    expect(randomSuffix(12)).toHaveLength(12);
  });
});
