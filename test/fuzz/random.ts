// A seeded random source for the fuzz tests: a failing run prints its seed, and the same seed
// replays the same requests (KPLANE_FUZZ_SEED=<n>).

export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: small, fast and good enough to pick test inputs. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

/** Strings that have broken parsers and validators elsewhere: encodings, limits, look-alikes. */
export const NASTY_STRINGS: readonly string[] = [
  '', ' ', 'a', 'A', '-', '.', '..', '/', '%', '%ZZ', '%00', '\u0000', '\n', '\r\n', '\t', '"', "'", '\\',
  '{}', '[]', 'null', 'true', '0', '-1', '1e309', 'NaN', '0x10', '١٢٣', '中', '😀', '\ud800', 'é',
  'a'.repeat(64), 'a'.repeat(254), 'a'.repeat(300), 'x'.repeat(70_000), 'kube-system', 'default',
  'Ünïcödé', '<script>', '${jndi:x}', '*', '?', '#', '&', '=', 'a,b', 'a=b', 'a!=b', 'in (x)', '()',
  '2006-01-02T15:04:05Z', '2006-13-45T99:99:99Z', '1.5', '1Gi', '-0', '+1', ' 1', '1 ', 'true ', 'TRUE',
];

export const NASTY_NUMBERS: readonly number[] = [
  0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 63), 2 ** 64, 1e308, 0.5, -0.5, 1e-300,
];
