// kube's regex library: string.find(re), string.findAll(re[, n]) on RE2 (linear time, as Go's
// regexp), the engine @bufbuild/cel's matches() uses. @bufbuild/re2 exports no match positions, so
// its machine input is loaded from the package's own files.

import { createRequire } from 'node:module';
import path from 'node:path';
import { RE2JS } from '@bufbuild/re2';
import { CelScalar, listType } from '@bufbuild/cel';
import { method } from './opaque.js';
import type { CelFunc } from '@bufbuild/cel';

const require = createRequire(import.meta.url);
const cjsDir = path.join(path.dirname(require.resolve('@bufbuild/re2')), '..', 'cjs');
const { fromUTF16 } = require(path.join(cjsDir, 'MachineInput.js')) as { fromUTF16: (s: string, start?: number, end?: number) => unknown };

const { STRING, INT } = CelScalar;

const cache = new Map<string, RE2JS>();
export function compileRE2(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

interface Machine { dfa: { match(input: unknown, pos: number, anchor: number): boolean | null }; _nfaFallback(input: unknown, pos: number, anchor: number): boolean }

const UNANCHORED = 0;
const ANCHOR_BOTH = 2;

function matchAt(m: Machine, input: unknown, pos: number, anchor: number): boolean {
  const r = m.dfa.match(input, pos, anchor);
  return r === null ? m._nfaFallback(input, pos, anchor) : r;
}

/**
 * Up to n (all if n < 0) non-overlapping matches. The engine only answers "is there a match", so
 * the leftmost start is found by bisection (a match exists from i on is monotone in i) and the end
 * is the longest match from there (leftmost-longest: Go's leftmost-first picks `a` where an
 * earlier alternative is a prefix of a later one, as in `a|ab` on "ab").
 */
export function findAll(s: string, pattern: string, n: number): string[] {
  const m = (compileRE2(pattern) as unknown as { re2Input: Machine }).re2Input;
  const whole = fromUTF16(s);
  const out: string[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length && matchAt(m, whole, pos, UNANCHORED)) {
    let lo = pos;
    let hi = s.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (matchAt(m, whole, mid, UNANCHORED)) lo = mid; else hi = mid - 1;
    }
    // lo is the last position a match can start at or after; find the first start that matches
    let start = pos;
    while (start < lo && !matchesFrom(m, s, start)) start++;
    let end = -1;
    for (let e = start; e <= s.length; e++) if (matchAt(m, fromUTF16(s, 0, e), start, ANCHOR_BOTH)) end = e;
    if (end < 0) break;
    if (!(end === start && start === prevEnd)) out.push(s.slice(start, end));
    prevEnd = end;
    pos = end > start ? end : end + 1;
  }
  return out;
}

function matchesFrom(m: Machine, s: string, start: number): boolean {
  for (let e = start; e <= s.length; e++) if (matchAt(m, fromUTF16(s, 0, e), start, ANCHOR_BOTH)) return true;
  return false;
}

export const regexFuncs: CelFunc[] = [
  method('find', STRING, [STRING], STRING, function (this: string, re: string) { return findAll(this, re, 1)[0] ?? ''; }),
  method('findAll', STRING, [STRING], listType(STRING), function (this: string, re: string) { return findAll(this, re, -1); }),
  method('findAll', STRING, [STRING, INT], listType(STRING), function (this: string, re: string, n: bigint) {
    return findAll(this, re, Number(n));
  }),
];
