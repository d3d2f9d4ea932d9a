// JSON values as structured-merge-diff orders, compares and prints them: the order decides how
// fieldsV1 keys and conflict paths are sorted, the printing how conflict messages read.

import { goQuote } from '../apimachinery/gofmt.js';

export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

export function isMap(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's strings.Compare: byte order of the UTF-8 encodings (JS compares UTF-16 code units). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // ASCII (the common case) orders the same in both encodings
  if (/^[\x00-\x7f]*$/.test(a) && /^[\x00-\x7f]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function rank(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? 1 : 0;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  if (isMap(v)) return 5;
  return 6; // null
}

/** value.Compare: floats and ints numerically, then strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra <= 1 && rb <= 1) {
    const x = a as number;
    const y = b as number;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 2: return compareStrings(a as string, b as string);
    case 3: return a === b ? 0 : a ? 1 : -1;
    case 4: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; ; i++) {
        if (i >= la.length && i >= lb.length) return 0;
        if (i >= la.length) return -1;
        if (i >= lb.length) return 1;
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
    }
    case 5: {
      const ma = a as Record<string, unknown>;
      const mb = b as Record<string, unknown>;
      const ka = Object.keys(ma);
      const kb = Object.keys(mb);
      if (ka.length === 0 && kb.length === 0) return 0;
      const keys = [...new Set([...ka, ...kb])].sort(compareStrings);
      let i = 0;
      for (const k of keys) {
        let c: number;
        if (i === ka.length) c = -1;
        else if (i === kb.length) c = 1;
        else if (!(k in ma)) c = 1;
        else if (!(k in mb)) c = -1;
        else c = compareValues(ma[k], mb[k]);
        i++;
        if (c !== 0) return c;
      }
      return 0;
    }
    default: return 0;
  }
}

/** value.Equals: deep equality of JSON values (numbers compare numerically). */
export function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalValues(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!(k in b) || !equalValues(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Go's %q of a string (strconv.Quote): what SMD prints for string values in paths. */
export function goQuoteString(s: string): string {
  return goQuote(s);
}

/**
 * Go's %v of a float64: strconv's shortest 'g', in exponent form when the exponent is below -4 or
 * at least 6 (Go's %v of 1234567.5 is 1.2345675e+06), the exponent with at least two digits.
 */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [m, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/**
 * A JSON number as Go holds it once decoded into an unstructured object: integers that fit an
 * int64 are int64 (printed in full), anything else a float64.
 */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

/** Go's %v (and %#v) of a decoded JSON number. */
export function goNumber(n: number): string {
  return isGoInt(n) ? String(n) : goFloat(n);
}

/** value.ToString: how a key's values read in a path (`[name="a",port=80]`). */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string') return goQuoteString(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${valueToString(x)}`).join('');
}

/** encoding/json's rendering of a value (HTML characters escaped as Go does). */
export function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
