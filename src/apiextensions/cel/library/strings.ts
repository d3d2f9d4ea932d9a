// Where @bufbuild/cel's strings extension differs from cel-go's: split(sep, n) is Go's
// strings.SplitN (n > 0: at most n parts, the last one the rest; 0: none; < 0: all).

import { CelScalar, listType } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { method } from './opaque.js';

const { STRING, INT } = CelScalar;

export function splitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (n < 0) return sep === '' ? [...s] : s.split(sep);
  if (sep === '') {
    const chars = [...s];
    return chars.length <= n ? chars : [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

export const stringFuncs: CelFunc[] = [
  method('split', STRING, [STRING, INT], listType(STRING), function (this: string, sep: string, n: bigint) { return splitN(this, sep, Number(n)); }),
];
