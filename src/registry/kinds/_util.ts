// Helpers shared by the built-in kinds: JSON shape access, field paths, Go-compatible equality and
// value rendering, and the decode-time checks kube's JSON decoder performs (base64 []byte fields,
// metav1.Time / MicroTime parsing) that kplane runs from Strategy.applyDefaults.

import { goJsonSyntaxError } from '../../apimachinery/strict.js';
import { badRequest, field, type FieldError, type StatusError } from '../../apimachinery/errors.js';
import { deepCopy, isPlainObject, type KubeObject } from '../../apimachinery/object.js';
import { goStringCompare } from '../../apimachinery/validation.js';

export type Obj = Record<string, unknown>;

export const isObj = isPlainObject;

/** obj[key] as an object, or undefined. */
export function objAt(o: unknown, key: string): Obj | undefined {
  if (!isObj(o)) return undefined;
  const v = o[key];
  return isObj(v) ? v : undefined;
}

/** obj[key] as an array, or undefined. */
export function arrAt(o: unknown, key: string): unknown[] | undefined {
  if (!isObj(o)) return undefined;
  const v = o[key];
  return Array.isArray(v) ? v : undefined;
}

/** obj[key] as a string, '' when absent or not a string (Go's zero value). */
export function strAt(o: unknown, key: string): string {
  if (!isObj(o)) return '';
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

/** obj[key] as a number, 0 when absent. */
export function numAt(o: unknown, key: string): number {
  if (!isObj(o)) return 0;
  const v = o[key];
  return typeof v === 'number' ? v : 0;
}

/** A map[string]string / ResourceList style object, {} when absent. */
export function mapAt(o: unknown, key: string): Obj {
  return objAt(o, key) ?? {};
}

/** Go's len() of a map or slice value. */
export function lenOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (isObj(v)) return Object.keys(v).length;
  return 0;
}

// ---- field paths (k8s.io/apimachinery/pkg/util/validation/field.Path) ----

export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
export const key = (path: string, k: string): string => `${path}[${k}]`;
export const index = (path: string, i: number): string => `${path}[${i}]`;

// ---- equality ----

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Whether a value is "empty" the way Go's omitempty / apiequality.Semantic sees it. */
export function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * apiequality.Semantic.DeepEqual on JSON forms: nil and empty slices/maps are equal, and a field
 * absent on one side equals its zero value on the other.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyValue(a) && isEmptyValue(b)) {
    // 0 vs '' etc. cannot happen for same-typed fields; treat all empties alike.
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/**
 * reflect.DeepEqual on map fields as kube sees them: an absent (nil) map differs from a present empty
 * one (`{}` decoded from a request is a non-nil map, an empty map read back from storage is nil).
 */
export function mapFieldEqual(a: unknown, b: unknown): boolean {
  const na = a === undefined || a === null;
  const nb = b === undefined || b === null;
  if (na || nb) return na && nb;
  return jsonEqual(a, b);
}

export const FIELD_IMMUTABLE = 'field is immutable';

/** ValidateImmutableField: Invalid(path, newValue, "field is immutable") when they differ semantically. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string, shown: unknown = newVal): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [field.invalid(path, shown, FIELD_IMMUTABLE)];
}

// ---- shaping objects the way kube serialises them ----

/** Deletes `key` when its value is empty (Go omitempty on a map, slice, string or number). */
export function omitEmpty(o: Obj, ...keys: string[]): void {
  for (const k of keys) if (k in o && isEmptyValue(o[k])) delete o[k];
}

/** Sets `key` to null when it is empty (a slice without omitempty comes back from storage as null). */
export function nullIfEmpty(o: Obj, ...keys: string[]): void {
  for (const k of keys) if (isEmptyValue(o[k])) o[k] = null;
}

/** Ensures `key` holds an object (a struct field without a pointer is always serialised). */
export function ensureObj(o: Obj, k: string): Obj {
  const v = o[k];
  if (isObj(v)) return v;
  const n: Obj = {};
  o[k] = n;
  return n;
}

/** Rebuilds `o` with its keys in the given order (others after, in their order). */
export function orderKeys(o: Obj, order: string[]): void {
  const entries = Object.entries(o);
  for (const k of Object.keys(o)) delete o[k];
  for (const k of order) {
    const e = entries.find(([ek]) => ek === k);
    if (e) o[k] = e[1];
  }
  for (const [k, v] of entries) if (!(k in o)) o[k] = v;
}

/** Go's encoding/json writes map keys sorted: reorders the map-typed fields `keys` of `o` the same way. */
export function sortMapKeys(o: Obj | undefined, ...keys: string[]): void {
  if (!o) return;
  for (const k of keys) {
    const m = o[k];
    if (!isObj(m)) continue;
    const entries = Object.entries(m).sort(([a], [b]) => goStringCompare(a, b));
    for (const [ek] of entries) delete m[ek];
    for (const [ek, ev] of entries) m[ek] = ev;
  }
}

// ---- decode-time errors ----

/** The 400 kube's create/update handlers answer when the body cannot be decoded into the kind. */
export function decodeError(kind: string, version: string, msg: string): StatusError {
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${msg}`);
}

// ---- base64 ([]byte fields) as Go's encoding/json decodes them (base64.StdEncoding) ----

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64MAP = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64MAP[B64.charCodeAt(i)] = i;

/**
 * Validates a base64 string the way base64.StdEncoding.Decode does; returns the byte offset Go
 * reports in "illegal base64 data at input byte N", or -1 when the input is valid.
 */
export function goBase64ErrorOffset(s: string): number {
  const src = Buffer.from(s, 'utf8');
  let si = 0;
  const isNL = (c: number): boolean => c === 0x0a || c === 0x0d;
  for (;;) {
    // one decodeQuantum
    let j = 0;
    let done = false;
    for (j = 0; j < 4; j++) {
      if (src.length === si) {
        if (j === 0) return -1;
        return si - j; // padding required (StdEncoding), or a single trailing char
      }
      const c = src[si]!;
      si++;
      if (B64MAP[c]! >= 0) continue;
      if (isNL(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d /* = */) return si - 1;
      // padding
      if (j === 0 || j === 1) return si - 1;
      if (j === 2) {
        while (si < src.length && isNL(src[si]!)) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && isNL(src[si]!)) si++;
      if (si < src.length) return si;
      done = true;
      break;
    }
    if (done) return -1;
  }
}

/** Decoded length of a (valid) base64 value. */
export function base64ByteLength(s: string): number {
  return Buffer.from(s.replace(/[\r\n]/g, ''), 'base64').length;
}

/** Re-encodes a valid base64 value in canonical form (what kube echoes back). */
export function canonicalBase64(s: string): string {
  return Buffer.from(s.replace(/[\r\n]/g, ''), 'base64').toString('base64');
}

/**
 * Checks every value of a map[string][]byte field; throws kube's decode error for the first bad one.
 * Non-string values are left to schema validation.
 */
export function checkBase64Map(obj: KubeObject, fieldName: string, kind: string): void {
  const m = obj[fieldName];
  if (!isObj(m)) return;
  for (const [k, v] of Object.entries(m)) {
    if (v === null) continue;
    if (typeof v !== 'string') continue;
    const off = goBase64ErrorOffset(v);
    if (off >= 0) throw decodeError(kind, 'v1', `illegal base64 data at input byte ${off}`);
    m[k] = canonicalBase64(v);
  }
}

// ---- metav1.Time / metav1.MicroTime ----

export const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';
export const RFC3339_MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

interface ParsedTime {
  /** Milliseconds since the epoch (UTC). */
  ms: number;
  /** Sub-millisecond microseconds (0-999), kept for MicroTime. */
  micros: number;
}

function parseErr(value: string, layout: string, rest: string, chunk: string): string {
  return `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(chunk)}`;
}

function rangeErr(value: string, what: string): string {
  return `parsing time ${JSON.stringify(value)}: ${what} out of range`;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * time.Parse for the two layouts kube uses (RFC3339 and RFC3339Micro), with Go's error messages for
 * the common failures. Returns the instant or an error message.
 */
export function goParseTime(value: string, micro: boolean): ParsedTime | string {
  const layout = micro ? RFC3339_MICRO_LAYOUT : RFC3339_LAYOUT;
  let v = value;
  const num = (n: number, chunk: string, restLayout: string): number | string => {
    void restLayout;
    const s = v.slice(0, n);
    if (s.length < n || ![...s].every(isDigit)) return parseErr(value, layout, v, chunk);
    v = v.slice(n);
    return Number(s);
  };
  const lit = (l: string): string | undefined => {
    if (!v.startsWith(l)) return parseErr(value, layout, v, l);
    v = v.slice(l.length);
    return undefined;
  };
  const year = num(4, '2006', '');
  if (typeof year === 'string') return year;
  let e = lit('-');
  if (e) return e;
  const month = num(2, '01', '');
  if (typeof month === 'string') return month;
  if (month < 1 || month > 12) return rangeErr(value, 'month');
  e = lit('-');
  if (e) return e;
  const day = num(2, '02', '');
  if (typeof day === 'string') return day;
  e = lit('T');
  if (e) return e;
  // "15" accepts one or two digits.
  let hour: number;
  if (isDigit(v[0]) && isDigit(v[1])) {
    hour = Number(v.slice(0, 2));
    v = v.slice(2);
  } else if (isDigit(v[0])) {
    hour = Number(v[0]);
    v = v.slice(1);
  } else {
    return parseErr(value, layout, v, '15');
  }
  if (hour > 23) return rangeErr(value, 'hour');
  e = lit(':');
  if (e) return e;
  const minute = num(2, '04', '');
  if (typeof minute === 'string') return minute;
  if (minute > 59) return rangeErr(value, 'minute');
  e = lit(':');
  if (e) return e;
  const second = num(2, '05', '');
  if (typeof second === 'string') return second;
  if (second > 59) return rangeErr(value, 'second');
  let nanos = 0;
  if (micro) {
    if (v.length < 7 || (v[0] !== '.' && v[0] !== ',') || ![...v.slice(1, 7)].every(isDigit)) {
      return parseErr(value, layout, v, '.000000');
    }
    nanos = Number(v.slice(1, 7)) * 1000;
    v = v.slice(7);
  } else if (v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigit(v[1])) {
    let n = 1;
    while (n < v.length && isDigit(v[n])) n++;
    // Go reads any number of fraction digits and keeps nanoseconds.
    nanos = Number(v.slice(1, n).slice(0, 9).padEnd(9, '0'));
    v = v.slice(n);
  }
  // Z07:00
  let offsetMin = 0;
  if (v.startsWith('Z')) {
    v = v.slice(1);
  } else if ((v[0] === '+' || v[0] === '-') && v.length >= 6 && isDigit(v[1]) && isDigit(v[2]) && v[3] === ':'
    && isDigit(v[4]) && isDigit(v[5])) {
    const hh = Number(v.slice(1, 3));
    const mm = Number(v.slice(4, 6));
    if (hh > 24) return rangeErr(value, 'time zone offset hour');
    if (mm > 60) return rangeErr(value, 'time zone offset minute');
    offsetMin = (hh * 60 + mm) * (v[0] === '-' ? -1 : 1);
    v = v.slice(6);
  } else {
    return parseErr(value, layout, v, 'Z07:00');
  }
  if (v.length > 0) return `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(v)}`;
  const daysIn = [31, (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (day < 1 || day > daysIn[month - 1]!) return rangeErr(value, 'day');
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, Math.floor(nanos / 1e6));
  return { ms: d.getTime() - offsetMin * 60000, micros: Math.floor(nanos / 1000) % 1000 };
}

function formatUTC(ms: number, micros: number | undefined): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (micros === undefined) return `${base}Z`;
  return `${base}.${pad(d.getUTCMilliseconds(), 3)}${pad(micros, 3)}Z`;
}

const GO_ZERO_MS = Date.parse('0001-01-01T00:00:00Z');

/**
 * Normalises a metav1.Time (micro=false) or MicroTime (micro=true) field of `o` as kube's decoder and
 * encoder do: UTC, second (or microsecond) precision; Go's zero time becomes null. Returns an error
 * message for a value kube cannot decode.
 */
export function normalizeTimeField(o: Obj, k: string, micro: boolean): string | undefined {
  if (!(k in o)) return undefined;
  const v = o[k];
  if (v === null || v === undefined) {
    o[k] = null;
    return undefined;
  }
  if (typeof v !== 'string') return undefined; // left to schema validation
  const p = goParseTime(v, micro);
  if (typeof p === 'string') return p;
  if (p.ms === GO_ZERO_MS && p.micros === 0) {
    o[k] = null;
    return undefined;
  }
  o[k] = micro ? formatUTC(p.ms, p.micros) : formatUTC(Math.floor(p.ms / 1000) * 1000, undefined);
  return undefined;
}

/** Whether a (normalised) time field is unset: absent, null or Go's zero time. */
export function isZeroTime(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? false : ms === GO_ZERO_MS;
  }
  return false;
}

/** Truncates a MicroTime string to microseconds for comparisons. */
export function microTimeKey(v: unknown): string {
  if (isZeroTime(v)) return '';
  if (typeof v !== 'string') return JSON.stringify(v);
  const p = goParseTime(v, true);
  if (typeof p !== 'string') return `${p.ms}.${p.micros}`;
  const t = goParseTime(v, false);
  if (typeof t !== 'string') return `${t.ms}.${t.micros}`;
  return v;
}

// ---- Go's encoding/json errors (for Secret .dockercfg / .dockerconfigjson contents) ----

/**
 * json.Unmarshal(data, &map[string]interface{}{}) error message, or undefined when it succeeds:
 * Go's syntax errors, or a top-level value that is not an object.
 */
export function goJSONUnmarshalMapError(data: Buffer): string | undefined {
  const syntax = goJsonSyntaxError(data);
  if (syntax !== undefined) return syntax;
  const v: unknown = JSON.parse(data.toString('utf8'));
  if (isObj(v) || v === null) return undefined;
  const kind = Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool';
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

/**
 * A status subresource's update of a custom resource-like kind (kube's CR statusStrategy): the
 * stored object with the new status (and managedFields); the client changes nothing else.
 */
export function keepAllButStatus(obj: KubeObject, old: KubeObject): void {
  const status = obj.status;
  const { resourceVersion, managedFields } = obj.metadata ?? {};
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, deepCopy(old));
  if (resourceVersion !== undefined) obj.metadata.resourceVersion = resourceVersion;
  if (managedFields !== undefined) obj.metadata.managedFields = managedFields;
  else delete obj.metadata.managedFields;
  if (status === undefined) delete obj.status;
  else obj.status = status;
}
