// kube's lists library (library.Lists, version 0): isSorted, sum, min, max, indexOf, lastIndexOf;
// and ext.Sets: sets.contains, sets.equivalent, sets.intersects.

import { CelScalar, isCelList } from '@bufbuild/cel';
import { fn, method } from './opaque.js';
import type { CelFunc, CelList, CelValue } from '@bufbuild/cel';
import { celEquals, celCompare } from './compare.js';

const { DYN, BOOL, INT } = CelScalar;

function items(l: unknown): CelValue[] {
  if (!isCelList(l)) throw new Error('no such overload');
  const out: CelValue[] = [];
  for (const v of l as CelList) out.push(v);
  return out;
}

export const listFuncs: CelFunc[] = [
  method('isSorted', DYN, [], BOOL, function (this: unknown) {
    const xs = items(this);
    for (let i = 1; i < xs.length; i++) if (celCompare(xs[i - 1], xs[i]) > 0) return false;
    return true;
  }),
  method('sum', DYN, [], DYN, function (this: unknown) {
    const xs = items(this);
    if (xs.length === 0) return 0n as never;
    let acc: unknown = xs[0];
    for (const x of xs.slice(1)) {
      if (typeof acc === 'bigint') {
        acc = (acc as bigint) + (x as bigint);
        if ((acc as bigint) > 9223372036854775807n || (acc as bigint) < -9223372036854775808n) throw new Error('integer overflow');
      } else if (typeof acc === 'number') acc = (acc as number) + (x as number);
      else throw new Error('no such overload: sum');
    }
    return acc as never;
  }),
  ...(['min', 'max'] as const).map((f) => method(f, DYN, [], DYN, function (this: unknown) {
    const xs = items(this);
    if (xs.length === 0) throw new Error(`${f} called on empty list`);
    let best = xs[0];
    for (const x of xs.slice(1)) if (f === 'min' ? celCompare(x, best) < 0 : celCompare(x, best) > 0) best = x;
    return best as never;
  })),
  method('indexOf', DYN, [DYN], INT, function (this: unknown, v: CelValue) {
    const xs = items(this);
    return BigInt(xs.findIndex((x) => celEquals(x, v)));
  }),
  method('lastIndexOf', DYN, [DYN], INT, function (this: unknown, v: CelValue) {
    const xs = items(this);
    for (let i = xs.length - 1; i >= 0; i--) if (celEquals(xs[i], v)) return BigInt(i);
    return -1n;
  }),
  fn('sets.contains', [DYN, DYN], BOOL, (a, b) => items(b).every((y) => items(a).some((x) => celEquals(x, y)))),
  fn('sets.equivalent', [DYN, DYN], BOOL, (a, b) =>
    items(b).every((y) => items(a).some((x) => celEquals(x, y))) && items(a).every((x) => items(b).some((y) => celEquals(x, y)))),
  fn('sets.intersects', [DYN, DYN], BOOL, (a, b) => items(a).some((x) => items(b).some((y) => celEquals(x, y)))),
];
