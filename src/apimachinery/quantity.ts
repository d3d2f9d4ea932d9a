// resource.Quantity (k8s.io/apimachinery/pkg/api/resource) with exact decimal arithmetic.
// kube keeps the text a client sent when it is already canonical (its int64 fast path) and prints
// everything else in canonical form; canonicalQuantity reproduces what a typed kube object would
// store and return for a quantity string, quirks included ("+1" stays "+1", "1000E" becomes "1").

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface Quantity {
  /** The value is unscaled × 10^exponent. */
  unscaled: bigint;
  exponent: number;
  format: QuantityFormat;
  /** The client's text, kept by kube when it was already canonical. */
  cached?: string;
}

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_MESSAGE = `quantities must match the regular expression '${SPLIT_RE}'`;
export const QUANTITY_NUMERIC_MESSAGE = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_MESSAGE = "unable to parse quantity's suffix";

/** A quantity that does not parse; `message` is kube's text (ErrFormatWrong, ErrNumeric, ErrSuffix). */
export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

interface Split { positive: boolean; value: string; num: string; denom: string; suffix: string }

/** parseQuantityString: sign, digits without leading zeros, fraction digits, suffix. */
function splitQuantity(str: string): Split {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
    denom = str.slice(pos, i);
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(s: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  if (Object.prototype.hasOwnProperty.call(decimalSuffixes, s)) return { base: 10, exponent: decimalSuffixes[s]!, format: 'DecimalSI' };
  if (Object.prototype.hasOwnProperty.call(binarySuffixes, s)) return { base: 2, exponent: binarySuffixes[s]!, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    if (!/^[+-]?[0-9]+$/.test(s.slice(1))) return undefined;
    const n = BigInt(s.slice(1));
    if (n > MAX_INT64 || n < MIN_INT64) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, n)), format: 'DecimalExponent' }; // Go truncates to int32
  }
  return undefined;
}

/** value × 10^exponent → the same value rounded away from zero to 9 decimal places (inf.RoundUp). */
function roundToNano(unscaled: bigint, exponent: number): [bigint, number] {
  if (exponent >= -9) return [unscaled, exponent];
  const neg = unscaled < 0n;
  const abs = neg ? -unscaled : unscaled;
  const shift = -9 - exponent;
  // Below a nano everything non-zero rounds up to one nano; skip the huge powers of ten.
  if (shift >= abs.toString().length) return [abs === 0n ? 0n : neg ? -1n : 1n, -9];
  const div = 10n ** BigInt(shift);
  let q = abs / div;
  if (abs % div !== 0n) q += 1n;
  return [neg ? -q : q, -9];
}

/** resource.ParseQuantity. Throws QuantityError with kube's message. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  if (str === '0') return { unscaled: 0n, exponent: 0, format: 'DecimalSI', cached: '0' };
  const { positive, value, num, denom, suffix } = splitQuantity(str);
  const suf = interpretSuffix(suffix);
  if (!suf) throw new QuantityError(QUANTITY_SUFFIX_MESSAGE);
  const { base, exponent } = suf;
  let { format } = suf;

  // kube's int64 fast path: the only place where the client's text is kept.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = num + denom;
      const v = BigInt(shifted);
      let result = v * mantissa;
      if (result <= MAX_INT64) {
        if (!positive) result = -result;
        const keep = format === 'BinarySI'
          ? exponent % 10 === 0 && (v & 7n) !== 0n
          : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        const q: Quantity = { unscaled: result, exponent: scale, format };
        if (keep) q.cached = str;
        return q;
      }
    }
  }

  // Arbitrary precision path (inf.Dec): needs at least one digit.
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  if (!m || (m[2]! + (m[3] ?? '')).length === 0) throw new QuantityError(QUANTITY_NUMERIC_MESSAGE);
  let unscaled = BigInt((m[2]! + (m[3] ?? '')) || '0');
  let exp = -(m[3] ?? '').length;
  if (base === 10) exp += exponent;
  else unscaled *= 1n << BigInt(exponent);
  if (unscaled !== 0n) [unscaled, exp] = roundToNano(unscaled, exp);
  if (format === 'BinarySI') {
    if (cmpParts(unscaled, exp, MAX_INT64, 0) > 0) [unscaled, exp] = [MAX_INT64, 0];
    if (unscaled > 0n && cmpParts(unscaled, exp, 1n, 0) < 0) format = 'DecimalSI';
  }
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, exponent: exp, format };
}

function cmpParts(a: bigint, ae: number, b: bigint, be: number): number {
  const sa = a === 0n ? 0 : a < 0n ? -1 : 1;
  const sb = b === 0n ? 0 : b < 0n ? -1 : 1;
  if (sa !== sb || sa === 0) return sa === sb ? 0 : sa < sb ? -1 : 1;
  // Same sign: compare magnitudes by order first so that huge exponents cost nothing.
  const ma = (a < 0n ? -a : a).toString().length + ae;
  const mb = (b < 0n ? -b : b).toString().length + be;
  if (ma !== mb) return (ma < mb ? -1 : 1) * sa;
  const e = Math.min(ae, be);
  const x = a * 10n ** BigInt(ae - e);
  const y = b * 10n ** BigInt(be - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Quantity.Cmp: -1, 0 or 1. Strings are parsed first. */
export function cmpQuantity(a: Quantity | string, b: Quantity | string): number {
  const x = typeof a === 'string' ? parseQuantity(a) : a;
  const y = typeof b === 'string' ? parseQuantity(b) : b;
  return cmpParts(x.unscaled, x.exponent, y.unscaled, y.exponent);
}

export function isNegative(q: Quantity | string): boolean {
  return (typeof q === 'string' ? parseQuantity(q) : q).unscaled < 0n;
}

export function isZero(q: Quantity | string): boolean {
  return (typeof q === 'string' ? parseQuantity(q) : q).unscaled === 0n;
}

/** An approximate float (AsApproximateFloat64). */
export function toNumber(q: Quantity | string): number {
  const x = typeof q === 'string' ? parseQuantity(q) : q;
  return Number(`${x.unscaled}e${x.exponent}`);
}

/** Quantity.ScaledValue: the value in units of 10^scale, rounded away from zero (Value(): 0, MilliValue(): -3). */
export function scaledValue(q: Quantity | string, scale = 0): bigint {
  const x = typeof q === 'string' ? parseQuantity(q) : q;
  if (x.exponent >= scale) return x.unscaled * 10n ** BigInt(x.exponent - scale);
  const div = 10n ** BigInt(scale - x.exponent);
  const abs = x.unscaled < 0n ? -x.unscaled : x.unscaled;
  const r = abs / div + (abs % div === 0n ? 0n : 1n);
  return x.unscaled < 0n ? -r : r;
}

/** Strips factors of `base` from a non-zero integer: [rest, how many]. */
function removeFactors(v: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (v !== 0n && v % base === 0n) { v /= base; times++; }
  return [v, times];
}

/** Quantity.String() / MarshalJSON: the client's text when kube kept it, else the canonical form. */
export function quantityString(q: Quantity): string {
  if (q.cached !== undefined) return q.cached;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = cmpParts(q.unscaled, q.exponent, -1024n, 0) > 0 && cmpParts(q.unscaled, q.exponent, 1024n, 0) < 0;
    const integral = q.exponent >= 0 || q.unscaled % 10n ** BigInt(-q.exponent) === 0n;
    if (small || !integral) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const int = q.exponent >= 0 ? q.unscaled * 10n ** BigInt(q.exponent) : q.unscaled / 10n ** BigInt(-q.exponent);
    const [amount, times] = removeFactors(int, 1024n);
    // No suffix for an exponent kube has no name for: it prints the bare number.
    return `${amount}${binaryByExponent.get(times * 10) ?? ''}`;
  }
  let [amount, times] = removeFactors(q.unscaled, 10n);
  let exponent = q.exponent + times;
  while (exponent % 3 !== 0) { amount *= 10n; exponent--; }
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  return `${amount}${decimalByExponent.get(exponent) ?? ''}`;
}

/**
 * The string kube stores and returns for a quantity sent as `s` (UnmarshalJSON trims spaces, then
 * MarshalJSON). Numbers are taken as the JSON text they would have been.
 */
export function canonicalQuantity(s: string | number): string {
  return quantityString(parseQuantity(typeof s === 'number' ? String(s) : s.trim()));
}
