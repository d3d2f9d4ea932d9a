// One generic encoder and decoder walking the message tables of messages.ts.
//
// decodeMessage turns protobuf bytes into the JSON kube-apiserver would print for the Go object
// they unmarshal into (omitempty/omitzero, nil lists and maps as null, zero Times as null, map
// keys sorted); encodeMessage turns kplane's JSON into the bytes gogo-protobuf's generated
// marshallers would write for the Go object that JSON unmarshals into (zero values of non-pointer
// fields included, fields in number order, map entries sorted by key).

import { canonicalQuantity } from '../apimachinery/quantity.js';
import { ALL_MESSAGES, WELL_KNOWN, type FieldTuple, type WellKnown } from './messages.js';
import {
  Reader, varintToInt32, varintToInt64, WIRE_BYTES, WIRE_VARINT, WireError, Writer, type RawField,
} from './wire.js';

// ------------------------------------------------------------ compiled --

type FieldShape = 'single' | 'pointer' | 'repeated' | 'map';

interface Field {
  no: number;
  json: string;
  goName: string;
  type: string; // scalar, well-known or message name
  shape: FieldShape;
  omitEmpty: boolean;
  omitZero: boolean;
  listItems: boolean;
  /** Wire type of one value on the wire (a map entry and any message are length-delimited). */
  wireType: number;
}

interface Message {
  name: string;
  /** Go type name, for error texts ("proto: ObjectMeta: ..."). */
  goName: string;
  byJson: Field[];
  byNumber: Field[];
  byNo: Map<number, Field>;
}

const WELL_KNOWN_SET = new Set<string>(WELL_KNOWN);
const VARINT_TYPES = new Set(['bool', 'int32', 'int64']);
const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64']);

function compile(name: string, tuples: readonly FieldTuple[]): Message {
  const fields = tuples.map(([no, json, type, flags, goName]): Field => {
    if (!SCALARS.has(type) && !WELL_KNOWN_SET.has(type) && !ALL_MESSAGES[type]) {
      throw new Error(`protobuf tables: ${name}.${json} refers to unknown type ${type}`);
    }
    const shape: FieldShape = flags.includes('m') ? 'map' : flags.includes('r') ? 'repeated' : flags.includes('p') ? 'pointer' : 'single';
    return {
      no,
      json,
      goName: goName ?? json.charAt(0).toUpperCase() + json.slice(1),
      type,
      shape,
      omitEmpty: flags.includes('o'),
      omitZero: flags.includes('z'),
      listItems: flags.includes('l'),
      wireType: shape !== 'map' && VARINT_TYPES.has(type) ? WIRE_VARINT : WIRE_BYTES,
    };
  });
  return {
    name,
    goName: name.slice(name.indexOf('.') + 1),
    byJson: fields,
    byNumber: [...fields].sort((a, b) => a.no - b.no),
    byNo: new Map(fields.map((f) => [f.no, f])),
  };
}

const COMPILED = new Map<string, Message>();
function message(name: string): Message {
  let m = COMPILED.get(name);
  if (!m) {
    const tuples = ALL_MESSAGES[name];
    if (!tuples) throw new Error(`protobuf tables: no message ${name}`);
    m = compile(name, tuples);
    COMPILED.set(name, m);
  }
  return m;
}

/** Checks that every message reference in the tables resolves (for tests). */
export function validateTables(): void {
  for (const name of Object.keys(ALL_MESSAGES)) message(name);
}

// --------------------------------------------------------------- utils --

const utf8 = new TextDecoder('utf-8');

/** Go's sort.Strings order: byte-wise on UTF-8, i.e. by code point. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP code point in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function sortedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj).sort(compareGoStrings);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

const ZERO_TIME_SECONDS = -62135596800; // 0001-01-01T00:00:00Z, Go's zero time.

/** RFC 3339 in UTC, with `fracDigits` (0 or 6) digits of fraction. */
function formatRFC3339(seconds: number, micros: number, fracDigits: 0 | 6): string {
  const d = new Date(seconds * 1000);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ or ±YYYYYY-... out of range
  const base = iso.slice(0, iso.indexOf('.'));
  return fracDigits === 0 ? `${base}Z` : `${base}.${String(micros).padStart(6, '0')}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 time as Go's time.Parse(time.RFC3339) does: whole seconds and nanoseconds. */
export function parseRFC3339(s: string): { seconds: number; nanos: number } {
  const m = RFC3339.exec(s);
  if (!m) throw new Error(`invalid RFC 3339 time ${JSON.stringify(s)}`);
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let seconds = Math.floor(d.getTime() / 1000);
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds += m[9] === '+' ? -offset : offset;
  }
  const nanos = m[7] ? Number(m[7].slice(0, 9).padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

// -------------------------------------------------------------- decode --

/** Decoding options: how a nested `k8s\0` object in a RawExtension is decoded. */
export interface DecodeContext {
  decodeEmbedded(raw: Uint8Array): unknown;
}

interface Collected {
  field: Field;
  values: RawField[];
}

/** Reads one message's fields, keeping only known fields, checking their wire types. */
function collect(msg: Message, bytes: Uint8Array): Map<number, Collected> {
  const r = new Reader(bytes, msg.goName);
  const out = new Map<number, Collected>();
  while (!r.done) {
    const f = r.field();
    const def = msg.byNo.get(f.no);
    if (!def) continue; // unknown fields are skipped, as gogo does
    if (f.wireType !== def.wireType) throw new WireError(`proto: wrong wireType = ${f.wireType} for field ${def.goName}`);
    let c = out.get(f.no);
    if (!c) out.set(f.no, (c = { field: def, values: [] }));
    c.values.push(f);
  }
  return out;
}

function bytesOf(f: RawField): Uint8Array {
  return f.value as Uint8Array;
}

/** Decodes the bytes of message `name` into kube's JSON form (no kind/apiVersion). */
export function decodeMessage(name: string, bytes: Uint8Array, ctx: DecodeContext): Record<string, unknown> {
  const msg = message(name);
  const got = collect(msg, bytes);
  const out: Record<string, unknown> = {};
  for (const f of msg.byJson) {
    const values = got.get(f.no)?.values ?? [];
    switch (f.shape) {
      case 'map': {
        if (values.length === 0) {
          if (!f.omitEmpty) out[f.json] = null;
          break;
        }
        const entries: Record<string, unknown> = {};
        for (const v of values) {
          const [k, val] = decodeMapEntry(f, bytesOf(v), ctx);
          entries[k] = val;
        }
        const sorted: Record<string, unknown> = {};
        for (const k of sortedKeys(entries)) sorted[k] = entries[k];
        out[f.json] = sorted;
        break;
      }
      case 'repeated': {
        if (values.length === 0) {
          if (f.listItems) out[f.json] = [];
          else if (!f.omitEmpty) out[f.json] = null;
          break;
        }
        out[f.json] = values.map((v) => decodeValue(f.type, v, ctx));
        break;
      }
      case 'pointer': {
        if (values.length === 0) {
          if (!f.omitEmpty) out[f.json] = null;
          break;
        }
        out[f.json] = decodeValue(f.type, merged(f, values), ctx);
        break;
      }
      case 'single': {
        if (values.length === 0) {
          const zero = zeroJson(f.type, ctx);
          if (zero === undefined) break;
          if (f.omitZero && zero === null) break;
          if (f.omitEmpty && SCALARS.has(f.type) && isEmptyScalar(zero)) break;
          out[f.json] = zero;
          break;
        }
        const v = decodeValue(f.type, merged(f, values), ctx);
        if (f.omitZero && v === null) break;
        if (f.omitEmpty && SCALARS.has(f.type) && isEmptyScalar(v)) break;
        out[f.json] = v;
        break;
      }
    }
  }
  return out;
}

/** The last value of a scalar; for messages, all occurrences concatenated (protobuf's merge). */
function merged(f: Field, values: RawField[]): RawField {
  if (values.length === 1 || f.wireType === WIRE_VARINT || SCALARS.has(f.type)) return values[values.length - 1]!;
  return { no: f.no, wireType: WIRE_BYTES, value: concat(values.map(bytesOf)) };
}

function isEmptyScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === null;
}

/** What a field absent from the wire prints as (undefined: nothing). */
function zeroJson(type: string, ctx: DecodeContext): unknown {
  switch (type) {
    case 'string': return '';
    case 'bytes': return null;
    case 'bool': return false;
    case 'int32':
    case 'int64': return 0;
    case 'Time':
    case 'MicroTime': return null;
    case 'RawExtension': return null;
    case 'FieldsV1': return null;
    case 'Quantity': return '0';
    case 'IntOrString': return 0;
    case 'ExtraValue': return [];
    default: return decodeMessage(type, new Uint8Array(0), ctx);
  }
}

function decodeValue(type: string, v: RawField, ctx: DecodeContext): unknown {
  switch (type) {
    case 'string': return utf8.decode(bytesOf(v));
    case 'bytes': return Buffer.from(bytesOf(v)).toString('base64');
    case 'bool': {
      const x = v.value as { lo: number; hi: number };
      return x.lo !== 0 || x.hi !== 0;
    }
    case 'int32': return varintToInt32(v.value as { lo: number; hi: number });
    case 'int64': return varintToInt64(v.value as { lo: number; hi: number });
    default:
      if (WELL_KNOWN_SET.has(type)) return decodeWellKnown(type as WellKnown, bytesOf(v), ctx);
      return decodeMessage(type, bytesOf(v), ctx);
  }
}

function decodeMapEntry(f: Field, bytes: Uint8Array, ctx: DecodeContext): [string, unknown] {
  const r = new Reader(bytes, f.goName);
  let key = '';
  let value: RawField | undefined;
  while (!r.done) {
    const e = r.field();
    if (e.no === 1 && e.wireType === WIRE_BYTES) key = utf8.decode(e.value);
    else if (e.no === 2 && e.wireType === WIRE_BYTES) value = e;
  }
  if (!value) {
    // gogo starts each map value at its zero: "" for strings and bytes, 0 for quantities.
    return [key, f.type === 'Quantity' ? '0' : ''];
  }
  return [key, decodeValue(f.type, value, ctx)];
}

/** The fields of a small fixed message: number -> last value. */
function smallFields(bytes: Uint8Array, goName: string, varintFields: number[]): Map<number, RawField> {
  const r = new Reader(bytes, goName);
  const out = new Map<number, RawField>();
  while (!r.done) {
    const f = r.field();
    const wantVarint = varintFields.includes(f.no);
    if (f.wireType !== (wantVarint ? WIRE_VARINT : WIRE_BYTES)) {
      if (f.wireType === WIRE_VARINT || f.wireType === WIRE_BYTES) {
        throw new WireError(`proto: wrong wireType = ${f.wireType} for field ${smallFieldNames[goName]?.[f.no] ?? f.no}`);
      }
      continue;
    }
    out.set(f.no, f);
  }
  return out;
}

const smallFieldNames: Record<string, Record<number, string>> = {
  Timestamp: { 1: 'Seconds', 2: 'Nanos' },
  Quantity: { 1: 'String_' },
  IntOrString: { 1: 'Type', 2: 'IntVal', 3: 'StrVal' },
  FieldsV1: { 1: 'Raw' },
  RawExtension: { 1: 'Raw' },
};

export function decodeWellKnown(type: WellKnown, bytes: Uint8Array, ctx: DecodeContext): unknown {
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      if (bytes.length === 0) return null;
      const f = smallFields(bytes, 'Timestamp', [1, 2]);
      const s = f.get(1);
      const n = f.get(2);
      let seconds = s ? varintToInt64(s.value as { lo: number; hi: number }) : 0;
      let micros = type === 'MicroTime' && n ? Math.trunc(varintToInt32(n.value as { lo: number; hi: number }) / 1000) : 0;
      seconds += Math.floor(micros / 1e6);
      micros = ((micros % 1e6) + 1e6) % 1e6;
      if (seconds === ZERO_TIME_SECONDS && micros === 0) return null;
      return formatRFC3339(seconds, micros, type === 'Time' ? 0 : 6);
    }
    case 'Quantity': {
      const s = smallFields(bytes, 'Quantity', []).get(1);
      return s ? utf8.decode(bytesOf(s)) : '0';
    }
    case 'IntOrString': {
      const f = smallFields(bytes, 'IntOrString', [1, 2]);
      const t = f.get(1) ? varintToInt64(f.get(1)!.value as { lo: number; hi: number }) : 0;
      if (t === 0) return f.get(2) ? varintToInt32(f.get(2)!.value as { lo: number; hi: number }) : 0;
      if (t === 1) return f.get(3) ? utf8.decode(bytesOf(f.get(3)!)) : '';
      throw new WireError('impossible IntOrString.Type');
    }
    case 'FieldsV1': {
      const raw = smallFields(bytes, 'FieldsV1', []).get(1);
      if (!raw) return null;
      return parseEmbeddedJson(bytesOf(raw));
    }
    case 'ExtraValue': {
      const items: string[] = [];
      const r = new Reader(bytes, 'ExtraValue');
      while (!r.done) {
        const f = r.field();
        if (f.no === 1 && f.wireType === WIRE_BYTES) items.push(utf8.decode(bytesOf(f)));
      }
      return items;
    }
    case 'RawExtension': {
      const raw = smallFields(bytes, 'RawExtension', []).get(1);
      if (!raw) return null;
      const b = bytesOf(raw);
      if (b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00) return ctx.decodeEmbedded(b);
      return parseEmbeddedJson(b);
    }
  }
}

function parseEmbeddedJson(b: Uint8Array): unknown {
  if (b.length === 0) return null;
  try {
    return JSON.parse(utf8.decode(b)) as unknown;
  } catch (e) {
    throw new WireError(`invalid embedded JSON: ${(e as Error).message}`);
  }
}

// -------------------------------------------------------------- encode --

/** Thrown when kplane's JSON does not fit the message (a bug on our side: a 500). */
export class EncodeError extends Error {
  override name = 'EncodeError';
}

/** Hooks for encoding a RawExtension (JSON text by default). */
export interface EncodeContext {
  encodeEmbedded?(value: unknown): Uint8Array;
}

/** Encodes kplane's JSON for message `name` (kind/apiVersion and unknown members are ignored). */
export function encodeMessage(name: string, obj: unknown, ctx: EncodeContext = {}, path = ''): Buffer {
  const msg = message(name);
  const w = new Writer();
  const o = obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>) : undefined;
  if (obj !== undefined && obj !== null && !o) throw new EncodeError(`${path || name}: expected an object, got ${typeof obj}`);
  for (const f of msg.byNumber) {
    const v = o && Object.hasOwn(o, f.json) ? o[f.json] : undefined;
    const p = path ? `${path}.${f.json}` : f.json;
    switch (f.shape) {
      case 'map': {
        if (v === undefined || v === null) break;
        if (typeof v !== 'object' || Array.isArray(v)) throw new EncodeError(`${p}: expected an object`);
        const m = v as Record<string, unknown>;
        for (const k of sortedKeys(m)) {
          const e = new Writer();
          e.string(1, k);
          // gogo leaves out the value of a nil []byte (JSON null); every other value is written.
          if (!(f.type === 'bytes' && (m[k] === null || m[k] === undefined))) writeValue(e, 2, f.type, m[k], ctx, `${p}[${k}]`);
          w.bytes(f.no, e.finish());
        }
        break;
      }
      case 'repeated': {
        if (v === undefined || v === null) break;
        if (!Array.isArray(v)) throw new EncodeError(`${p}: expected an array`);
        v.forEach((item, i) => writeValue(w, f.no, f.type, item, ctx, `${p}[${i}]`));
        break;
      }
      case 'pointer':
        if (v === undefined || v === null) break;
        writeValue(w, f.no, f.type, v, ctx, p);
        break;
      case 'single':
        writeValue(w, f.no, f.type, v, ctx, p);
        break;
    }
  }
  return w.finish();
}

function writeValue(w: Writer, no: number, type: string, v: unknown, ctx: EncodeContext, path: string): void {
  const missing = v === undefined || v === null;
  switch (type) {
    case 'string':
      if (!missing && typeof v !== 'string') throw new EncodeError(`${path}: expected a string`);
      w.string(no, missing ? '' : (v as string));
      return;
    case 'bytes':
      if (!missing && typeof v !== 'string') throw new EncodeError(`${path}: expected a base64 string`);
      w.bytes(no, missing ? new Uint8Array(0) : Buffer.from(v as string, 'base64'));
      return;
    case 'bool':
      if (!missing && typeof v !== 'boolean') throw new EncodeError(`${path}: expected a boolean`);
      w.varintField(no, v === true ? 1 : 0);
      return;
    case 'int32':
    case 'int64': {
      if (missing) {
        w.varintField(no, 0);
        return;
      }
      if (typeof v === 'bigint') {
        w.varintField(no, type === 'int32' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v));
        return;
      }
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new EncodeError(`${path}: expected an integer`);
      w.varintField(no, type === 'int32' ? v | 0 : v);
      return;
    }
    default:
      if (WELL_KNOWN_SET.has(type)) {
        w.bytes(no, encodeWellKnown(type as WellKnown, v, ctx, path));
        return;
      }
      w.bytes(no, encodeMessage(type, v, ctx, path));
  }
}

function timestamp(seconds: number, nanos: number): Uint8Array {
  const w = new Writer();
  w.varintField(1, seconds);
  w.varintField(2, nanos);
  return w.finish();
}

export function encodeWellKnown(type: WellKnown, v: unknown, ctx: EncodeContext, path: string): Uint8Array {
  const missing = v === undefined || v === null;
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      if (missing) return new Uint8Array(0);
      if (typeof v !== 'string') throw new EncodeError(`${path}: expected an RFC 3339 time string`);
      let t: { seconds: number; nanos: number };
      try {
        t = parseRFC3339(v);
      } catch (e) {
        throw new EncodeError(`${path}: ${(e as Error).message}`);
      }
      if (t.seconds === ZERO_TIME_SECONDS && t.nanos === 0) return new Uint8Array(0);
      return type === 'Time' ? timestamp(t.seconds, 0) : timestamp(t.seconds, t.nanos - (t.nanos % 1000));
    }
    case 'Quantity': {
      if (!missing && typeof v !== 'string' && typeof v !== 'number') throw new EncodeError(`${path}: expected a quantity`);
      let s = missing ? '0' : String(v);
      try {
        s = canonicalQuantity(missing ? '0' : (v as string | number));
      } catch {
        /* not a quantity: kube would have refused it earlier; write it as given */
      }
      const w = new Writer();
      w.string(1, s);
      return w.finish();
    }
    case 'IntOrString': {
      const w = new Writer();
      if (typeof v === 'string') {
        w.varintField(1, 1);
        w.varintField(2, 0);
        w.string(3, v);
      } else {
        if (!missing && (typeof v !== 'number' || !Number.isInteger(v))) throw new EncodeError(`${path}: expected an integer or a string`);
        w.varintField(1, 0);
        w.varintField(2, missing ? 0 : (v as number) | 0);
        w.string(3, '');
      }
      return w.finish();
    }
    case 'FieldsV1': {
      if (missing) return new Uint8Array(0);
      const w = new Writer();
      w.string(1, JSON.stringify(v));
      return w.finish();
    }
    case 'ExtraValue': {
      if (!missing && !Array.isArray(v)) throw new EncodeError(`${path}: expected a list of strings`);
      const w = new Writer();
      for (const item of (v as unknown[] | null) ?? []) w.string(1, String(item));
      return w.finish();
    }
    case 'RawExtension': {
      if (missing) return new Uint8Array(0);
      const w = new Writer();
      w.bytes(1, ctx.encodeEmbedded ? ctx.encodeEmbedded(v) : Buffer.from(JSON.stringify(v), 'utf8'));
      return w.finish();
    }
  }
}
