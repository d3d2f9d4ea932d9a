// cel.OptionalTypes at runtime: optional.of/none/ofNonZeroValue, hasValue, value, orValue, or.

import { CelScalar, isCelList, isCelMap } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { OptionalValue, expect, fn, method } from './opaque.js';

const { DYN, BOOL } = CelScalar;

function isZero(v: unknown): boolean {
  if (v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (isCelList(v) || isCelMap(v)) return v.size === 0;
  return false;
}

export const optionalFuncs: CelFunc[] = [
  fn('optional.of', [DYN], DYN, (v) => new OptionalValue(true, v)),
  fn('optional.none', [], DYN, () => OptionalValue.none),
  fn('optional.ofNonZeroValue', [DYN], DYN, (v) => (isZero(v) ? OptionalValue.none : new OptionalValue(true, v))),
  method('hasValue', DYN, [], BOOL, function (this: unknown) { return expect(this, OptionalValue, 'hasValue').present; }),
  method('value', DYN, [], DYN, function (this: unknown) {
    const o = expect(this, OptionalValue, 'value');
    if (!o.present) throw new Error('optional.none() dereference');
    return o.value as never;
  }),
  method('orValue', DYN, [DYN], DYN, function (this: unknown, d: unknown) {
    const o = expect(this, OptionalValue, 'orValue');
    return (o.present ? o.value : d) as never;
  }),
  method('or', DYN, [DYN], DYN, function (this: unknown, d: unknown) {
    const o = expect(this, OptionalValue, 'or');
    return (o.present ? o : d) as never;
  }),
];

/** cel.OptionalTypes version 2: first, last, optional.unwrap, unwrapOpt. */
function items(l: unknown): unknown[] {
  if (!isCelList(l)) throw new Error('no such overload');
  return [...(l as Iterable<unknown>)];
}

const unwrap = (l: unknown) => items(l).filter((o) => (o as OptionalValue).present).map((o) => (o as OptionalValue).value);

export const optionalListFuncs: CelFunc[] = [
  method('first', DYN, [], DYN, function (this: unknown) { const xs = items(this); return xs.length ? new OptionalValue(true, xs[0]) : OptionalValue.none; }),
  method('last', DYN, [], DYN, function (this: unknown) { const xs = items(this); return xs.length ? new OptionalValue(true, xs[xs.length - 1]) : OptionalValue.none; }),
  fn('optional.unwrap', [DYN], DYN, (l: unknown) => unwrap(l)),
  method('unwrapOpt', DYN, [], DYN, function (this: unknown) { return unwrap(this); }),
];
