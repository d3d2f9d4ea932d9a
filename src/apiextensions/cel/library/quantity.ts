// kube's quantity library: quantity(s), isQuantity(s), and Quantity's isInteger, asInteger,
// asApproximateFloat, sign, add, sub, isLessThan, isGreaterThan, compareTo, on the project's exact
// resource.Quantity arithmetic.

import { CelScalar } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { cmpQuantity, parseQuantity, scaledValue, toNumber, type Quantity } from '../../../apimachinery/quantity.js';
import { Opaque, expect, fn, method } from './opaque.js';

const { DYN, BOOL, INT, STRING, DOUBLE } = CelScalar;
const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);

export class QuantityValue extends Opaque {
  override readonly typeName = 'kubernetes.Quantity';
  /** int64Scale: the scale of resource.Quantity's int64 form, undefined when it is an inf.Dec. */
  constructor(readonly q: Quantity, readonly int64Scale: number | undefined) { super(); }
  equals(o: unknown): boolean { return o instanceof QuantityValue && cmpQuantity(this.q, o.q) === 0; }
}

const decimalExp: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * The scale resource.ParseQuantity gives the int64 form, or undefined when it keeps an inf.Dec
 * (whose AsInt64 always fails: quantity("1.5Gi").isInteger() is false in kube).
 */
function int64Scale(text: string): number | undefined {
  const m = /^[+-]?0*([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text);
  if (!m) return undefined;
  const [, num = '', denom = '', suffix = ''] = m;
  let scale: number;
  let precision: number;
  if (/^[KMGTPE]i$/.test(suffix)) {
    const exp = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }[suffix]!;
    if (denom.length) return undefined;
    scale = 0;
    precision = 15 - num.length - Math.trunc((exp * 3) / 10) - 1;
    if (precision >= 0 && 2n ** BigInt(exp) * BigInt(num || '0') > MAX_INT64) return undefined;
  } else {
    const e = suffix in decimalExp ? decimalExp[suffix]! : Number(suffix.slice(1));
    scale = e;
    precision = 18 - (num.length + denom.length);
  }
  return precision >= 0 && scale - denom.length >= -9 ? scale - denom.length : undefined;
}

const q = (v: unknown, fn: string) => expect(v, QuantityValue, fn).q;

/** An exact integer value, when the quantity is one within int64. */
function integer(x: Quantity): bigint | undefined {
  if (x.exponent >= 0) {
    const v = x.unscaled * 10n ** BigInt(x.exponent);
    return v > MAX_INT64 || v < MIN_INT64 ? undefined : v;
  }
  const d = 10n ** BigInt(-x.exponent);
  if (x.unscaled % d !== 0n) return undefined;
  const v = x.unscaled / d;
  return v > MAX_INT64 || v < MIN_INT64 ? undefined : v;
}

function plus(a: Quantity, b: Quantity, sign: 1n | -1n): Quantity {
  const e = Math.min(a.exponent, b.exponent);
  const ua = a.unscaled * 10n ** BigInt(a.exponent - e);
  const ub = b.unscaled * 10n ** BigInt(b.exponent - e);
  return { unscaled: ua + sign * ub, exponent: e, format: a.format };
}

const fromInt = (n: bigint): Quantity => ({ unscaled: n, exponent: 0, format: 'DecimalSI' });

function other(v: unknown, fn: string): Quantity {
  return typeof v === 'bigint' ? fromInt(v) : q(v, fn);
}

/** Quantity.Add/Sub stay in int64 form when both sides are (an int argument is), at the smaller scale. */
function bothInt64(a: unknown, b: unknown): number | undefined {
  const sa = (a as QuantityValue).int64Scale;
  const sb = typeof b === 'bigint' ? 0 : (b as QuantityValue).int64Scale;
  return sa === undefined || sb === undefined ? undefined : Math.min(sa, sb);
}

/** Quantity.AsInt64: only the int64 form at a scale of 0 or more answers (quantity("1000m").isInteger() is false). */
function asInt64(v: QuantityValue): bigint | undefined {
  return v.int64Scale !== undefined && v.int64Scale >= 0 ? integer(v.q) : undefined;
}

export const quantityFuncs: CelFunc[] = [
  fn('quantity', [STRING], DYN, (s: string) => new QuantityValue(parseQuantity(s), int64Scale(s))),
  fn('isQuantity', [STRING], BOOL, (s: string) => { try { parseQuantity(s); return true; } catch { return false; } }),
  method('isInteger', DYN, [], BOOL, function (this: unknown) {
    return asInt64(expect(this, QuantityValue, 'isInteger')) !== undefined;
  }),
  method('asInteger', DYN, [], INT, function (this: unknown) {
    const v = asInt64(expect(this, QuantityValue, 'asInteger'));
    if (v === undefined) throw new Error('cannot convert value to integer');
    return v;
  }),
  method('asApproximateFloat', DYN, [], DOUBLE, function (this: unknown) { return toNumber(q(this, 'asApproximateFloat')); }),
  fn('sign', [DYN], INT, function (v: unknown) {
    const u = q(v, 'sign').unscaled;
    return u > 0n ? 1n : u < 0n ? -1n : 0n;
  }),
  method('add', DYN, [DYN], DYN, function (this: unknown, o: unknown) { return new QuantityValue(plus(q(this, 'add'), other(o, 'add'), 1n), bothInt64(this, o)); }),
  method('sub', DYN, [DYN], DYN, function (this: unknown, o: unknown) { return new QuantityValue(plus(q(this, 'sub'), other(o, 'sub'), -1n), bothInt64(this, o)); }),
];

/** isLessThan / isGreaterThan / compareTo for Quantity (semver.ts adds Semver's). */
export function quantityCompare(a: unknown, b: unknown): number | undefined {
  if (!(a instanceof QuantityValue)) return undefined;
  return cmpQuantity(a.q, q(b, 'compareTo'));
}

export { scaledValue };
