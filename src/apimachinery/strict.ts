// Strict decoding checks as kube's decoders report them, and a JSON scanner that fails the way
// Go's encoding/json (and sigs.k8s.io/json) does, byte for byte: kube-apiserver puts those
// syntax error texts in its 400 answers. Paths are sigs.k8s.io/json's: keys joined with ".",
// array indices as "[i]" (spec.containers[0].name).

import type { SchemaNode } from './schema.js';
import { goQuote, goStringCompare } from './validation.js';

/** A JSON syntax error; `message` is Go's SyntaxError text. */
export class GoJsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'GoJsonSyntaxError';
  }
}

// Scanner states (encoding/json/scanner.go), one per step function.
const enum S {
  BeginValueOrEmpty, BeginValue, BeginStringOrEmpty, BeginString, EndValue, EndTop, InString, InStringEsc,
  EscU, EscU1, EscU12, EscU123, Neg, One, Zero, Dot, Dot0, E, ESign, E0, T, Tr, Tru, F, Fa, Fal, Fals, N, Nu, Nul, Error,
}

// What a byte did: the scanner's opcodes that the duplicate tracker cares about.
const enum Op { Continue, BeginLiteral, BeginObject, ObjectKey, ObjectValue, BeginArray, ArrayValue, EndArray, EndObject, Skip, End, Error }

const PARSE_OBJECT_KEY = 0;
const PARSE_OBJECT_VALUE = 1;
const PARSE_ARRAY_VALUE = 2;
const MAX_DEPTH = 10000;

/** Go's quoteChar: the offending byte, shown as the rune with that number. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const q = goQuote(String.fromCharCode(c));
  return `'${q.slice(1, -1)}'`;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

interface ScanEvents {
  /** Called for every opcode other than Continue/Skip, with the byte index. */
  op(op: Op, i: number): void;
  /** The closing quote of a string literal. */
  stringEnd(i: number): void;
}

/** Runs Go's scanner over the bytes; throws GoJsonSyntaxError exactly where Go fails. */
function scan(data: Uint8Array, events?: ScanEvents): void {
  let step: S = S.BeginValue;
  const parseState: number[] = [];
  let endTop = false;
  let err: string | undefined;
  let bytes = 0;

  const fail = (c: number, context: string): Op => {
    step = S.Error;
    err = `invalid character ${quoteChar(c)} ${context}`;
    return Op.Error;
  };
  const push = (c: number, state: number, success: Op): Op => {
    parseState.push(state);
    return parseState.length <= MAX_DEPTH ? success : fail(c, 'exceeded max depth');
  };
  const pop = () => {
    parseState.pop();
    if (parseState.length === 0) { step = S.EndTop; endTop = true; } else step = S.EndValue;
  };

  const endValue = (c: number): Op => {
    const n = parseState.length;
    if (n === 0) { step = S.EndTop; endTop = true; return endTopStep(c); }
    if (isSpace(c)) { step = S.EndValue; return Op.Skip; }
    switch (parseState[n - 1]) {
      case PARSE_OBJECT_KEY:
        if (c === 0x3a) { parseState[n - 1] = PARSE_OBJECT_VALUE; step = S.BeginValue; return Op.ObjectKey; }
        return fail(c, 'after object key');
      case PARSE_OBJECT_VALUE:
        if (c === 0x2c) { parseState[n - 1] = PARSE_OBJECT_KEY; step = S.BeginString; return Op.ObjectValue; }
        if (c === 0x7d) { pop(); return Op.EndObject; }
        return fail(c, 'after object key:value pair');
      case PARSE_ARRAY_VALUE:
        if (c === 0x2c) { step = S.BeginValue; return Op.ArrayValue; }
        if (c === 0x5d) { pop(); return Op.EndArray; }
        return fail(c, 'after array element');
    }
    return fail(c, '');
  };
  const endTopStep = (c: number): Op => {
    if (!isSpace(c)) fail(c, 'after top-level value');
    return Op.End;
  };
  const beginValue = (c: number): Op => {
    if (isSpace(c)) return Op.Skip;
    switch (c) {
      case 0x7b: step = S.BeginStringOrEmpty; return push(c, PARSE_OBJECT_KEY, Op.BeginObject);
      case 0x5b: step = S.BeginValueOrEmpty; return push(c, PARSE_ARRAY_VALUE, Op.BeginArray);
      case 0x22: step = S.InString; return Op.BeginLiteral;
      case 0x2d: step = S.Neg; return Op.BeginLiteral;
      case 0x30: step = S.Zero; return Op.BeginLiteral;
      case 0x74: step = S.T; return Op.BeginLiteral;
      case 0x66: step = S.F; return Op.BeginLiteral;
      case 0x6e: step = S.N; return Op.BeginLiteral;
    }
    if (c >= 0x31 && c <= 0x39) { step = S.One; return Op.BeginLiteral; }
    return fail(c, 'looking for beginning of value');
  };
  const beginString = (c: number): Op => {
    if (isSpace(c)) return Op.Skip;
    if (c === 0x22) { step = S.InString; return Op.BeginLiteral; }
    return fail(c, 'looking for beginning of object key string');
  };
  const literal = (c: number, want: number, next: S, context: string): Op => {
    if (c === want) { step = next; return Op.Continue; }
    return fail(c, context);
  };
  const zero = (c: number): Op => {
    if (c === 0x2e) { step = S.Dot; return Op.Continue; }
    if (c === 0x65 || c === 0x45) { step = S.E; return Op.Continue; }
    return endValue(c);
  };
  const eSign = (c: number): Op => {
    if (isDigit(c)) { step = S.E0; return Op.Continue; }
    return fail(c, 'in exponent of numeric literal');
  };
  const escU = (c: number, next: S): Op => {
    if (isHex(c)) { step = next; return Op.Continue; }
    return fail(c, 'in \\u hexadecimal character escape');
  };

  const stepOnce = (c: number, i: number): Op => {
    switch (step) {
      case S.BeginValueOrEmpty:
        if (isSpace(c)) return Op.Skip;
        if (c === 0x5d) return endValue(c);
        return beginValue(c);
      case S.BeginValue: return beginValue(c);
      case S.BeginStringOrEmpty:
        if (isSpace(c)) return Op.Skip;
        if (c === 0x7d) { parseState[parseState.length - 1] = PARSE_OBJECT_VALUE; return endValue(c); }
        return beginString(c);
      case S.BeginString: return beginString(c);
      case S.EndValue: return endValue(c);
      case S.EndTop: return endTopStep(c);
      case S.InString:
        if (c === 0x22) { step = S.EndValue; events?.stringEnd(i); return Op.Continue; }
        if (c === 0x5c) { step = S.InStringEsc; return Op.Continue; }
        if (c < 0x20) return fail(c, 'in string literal');
        return Op.Continue;
      case S.InStringEsc:
        if (c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74 || c === 0x5c || c === 0x2f || c === 0x22) {
          step = S.InString;
          return Op.Continue;
        }
        if (c === 0x75) { step = S.EscU; return Op.Continue; }
        return fail(c, 'in string escape code');
      case S.EscU: return escU(c, S.EscU1);
      case S.EscU1: return escU(c, S.EscU12);
      case S.EscU12: return escU(c, S.EscU123);
      case S.EscU123: return escU(c, S.InString);
      case S.Neg:
        if (c === 0x30) { step = S.Zero; return Op.Continue; }
        if (c >= 0x31 && c <= 0x39) { step = S.One; return Op.Continue; }
        return fail(c, 'in numeric literal');
      case S.One:
        if (isDigit(c)) return Op.Continue;
        return zero(c);
      case S.Zero: return zero(c);
      case S.Dot:
        if (isDigit(c)) { step = S.Dot0; return Op.Continue; }
        return fail(c, 'after decimal point in numeric literal');
      case S.Dot0:
        if (isDigit(c)) return Op.Continue;
        if (c === 0x65 || c === 0x45) { step = S.E; return Op.Continue; }
        return endValue(c);
      case S.E:
        if (c === 0x2b || c === 0x2d) { step = S.ESign; return Op.Continue; }
        return eSign(c);
      case S.ESign: return eSign(c);
      case S.E0:
        if (isDigit(c)) return Op.Continue;
        return endValue(c);
      case S.T: return literal(c, 0x72, S.Tr, "in literal true (expecting 'r')");
      case S.Tr: return literal(c, 0x75, S.Tru, "in literal true (expecting 'u')");
      case S.Tru: return literal(c, 0x65, S.EndValue, "in literal true (expecting 'e')");
      case S.F: return literal(c, 0x61, S.Fa, "in literal false (expecting 'a')");
      case S.Fa: return literal(c, 0x6c, S.Fal, "in literal false (expecting 'l')");
      case S.Fal: return literal(c, 0x73, S.Fals, "in literal false (expecting 's')");
      case S.Fals: return literal(c, 0x65, S.EndValue, "in literal false (expecting 'e')");
      case S.N: return literal(c, 0x75, S.Nu, "in literal null (expecting 'u')");
      case S.Nu: return literal(c, 0x6c, S.Nul, "in literal null (expecting 'l')");
      case S.Nul: return literal(c, 0x6c, S.EndValue, "in literal null (expecting 'l')");
      default: return Op.Error;
    }
  };

  for (let i = 0; i < data.length; i++) {
    bytes++;
    const op = stepOnce(data[i]!, i);
    if (op === Op.Error) throw new GoJsonSyntaxError(err!, bytes);
    if (events && op !== Op.Continue && op !== Op.Skip) events.op(op, i);
  }
  // eof: feed a space; anything still open is "unexpected end of JSON input"
  if (err !== undefined) throw new GoJsonSyntaxError(err, bytes);
  if (endTop) return;
  stepOnce(0x20, data.length);
  if (endTop && err === undefined) return;
  throw new GoJsonSyntaxError(err ?? 'unexpected end of JSON input', bytes);
}

/** Go's json syntax error text for `text`, or undefined when it is valid JSON. */
export function goJsonSyntaxError(text: string | Uint8Array): string | undefined {
  try {
    scan(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    return undefined;
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return e.message;
    throw e;
  }
}

/** Parses JSON, failing with Go's syntax error text (GoJsonSyntaxError) where Go would. */
export function parseGoJson(text: string): unknown {
  scan(Buffer.from(text, 'utf8'));
  return JSON.parse(text);
}

const MAX_STRICT_ERRORS = 100;

/** Object keys in a parsed value (an upper bound check against the text rules out duplicates). */
function countKeys(v: unknown): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object') continue;
    if (Array.isArray(x)) {
      for (const item of x) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    for (const k in x as Record<string, unknown>) {
      n++;
      const c = (x as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object') stack.push(c);
    }
  }
  return n;
}

/**
 * Whether the JSON text may hold a duplicate key: every key is a string followed by ':', so the
 * number of `"…:` sequences is at least the number of keys; equal to the parsed count, none repeat.
 */
export function mayHaveDuplicates(text: string, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const colons = text.match(/"[ \t\r\n]*:/g)?.length ?? 0;
  return colons !== countKeys(value);
}

/**
 * The duplicate keys of a JSON document as kube's strict decoder reports them, in document order:
 * `duplicate field "metadata.name"`. Invalid JSON reports nothing (the decoder fails on it first).
 */
export function findDuplicateFields(jsonText: string): string[] {
  // (the scanner below costs far more than parsing: most texts are ruled out first)
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined && !mayHaveDuplicates(jsonText, parsed)) return [];
  const data = Buffer.from(jsonText, 'utf8');
  interface Frame { obj: boolean; path: string; keys: Set<string>; index: number }
  const frames: Frame[] = [];
  let valuePath = '';
  let keyStart = -1;
  let expectKey = false;
  let lastStringEnd = -1;
  const seen = new Set<string>();
  const out: string[] = [];
  const join = (parent: string, key: string) => (parent ? `${parent}.${key}` : key);

  try {
    scan(data, {
      stringEnd(i) { lastStringEnd = i; },
      op(op, i) {
        const top = frames[frames.length - 1];
        switch (op) {
          case Op.BeginObject:
            frames.push({ obj: true, path: valuePath, keys: new Set(), index: 0 });
            expectKey = true;
            break;
          case Op.BeginArray:
            frames.push({ obj: false, path: valuePath, keys: new Set(), index: 0 });
            valuePath = `${valuePath}[0]`;
            break;
          case Op.BeginLiteral:
            if (expectKey) { keyStart = i; expectKey = false; }
            break;
          case Op.ObjectKey: {
            const key = JSON.parse(data.subarray(keyStart, lastStringEnd + 1).toString('utf8')) as string;
            if (top!.keys.has(key)) {
              const msg = `duplicate field ${goQuote(join(top!.path, key))}`;
              if (!seen.has(msg) && out.length < MAX_STRICT_ERRORS) { seen.add(msg); out.push(msg); }
            }
            top!.keys.add(key);
            valuePath = join(top!.path, key);
            break;
          }
          case Op.ObjectValue:
            expectKey = true;
            break;
          case Op.ArrayValue:
            top!.index++;
            valuePath = `${top!.path}[${top!.index}]`;
            break;
          case Op.EndObject:
          case Op.EndArray:
            frames.pop();
            expectKey = false;
            break;
        }
      },
    });
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return [];
    throw e;
  }
  return out;
}

export interface UnknownFieldOptions {
  /**
   * Custom resources: structural-schema pruning. An object schema without properties keeps no
   * fields, the root's apiVersion/kind/metadata are implied, paths come sorted and are printed with
   * %s. Without it: kube's typed decoding, where an object schema without properties (RawExtension,
   * FieldsV1) takes anything and paths come in document order, printed with %q.
   */
  structural?: boolean;
  /**
   * Walk each object's keys in Go's sorted order (JSON converted from YAML: Go marshals the
   * intermediate maps with sorted keys, so the typed decoder meets them in that order).
   */
  sortKeys?: boolean;
  /**
   * runtime.DefaultUnstructuredConverter's report (strategic merge patch results): `unknown field
   * "p"` printed with %s, sorted by message.
   */
  unstructured?: boolean;
}

const metaFields = new Set(['apiVersion', 'kind', 'metadata']);

/** The fields of `obj` that `schema` does not know, as `unknown field "spec.foo"` messages. */
export function findUnknownFields(obj: unknown, schema: SchemaNode | undefined, opts: UnknownFieldOptions = {}): string[] {
  const paths: string[] = [];
  const join = (parent: string, key: string) => (parent ? `${parent}.${key}` : key);
  const structural = !!opts.structural;

  const walk = (v: unknown, s: SchemaNode | undefined, path: string, root: boolean, preserve: boolean): void => {
    if (Array.isArray(v)) {
      if (!s && !structural) return;
      v.forEach((item, i) => walk(item, s?.items, `${path}[${i}]`, false, preserve && !s?.items));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (!s) {
      // Typed decoding has no schema to hold here; pruning drops everything under a missing schema.
      if (structural && !preserve) for (const k of Object.keys(o)) paths.push(join(path, k));
      return;
    }
    const keep = !!s['x-kubernetes-preserve-unknown-fields'];
    const embedded = !!s['x-kubernetes-embedded-resource'] || (root && structural);
    const addl = s.additionalProperties;
    const keys = opts.sortKeys ? Object.keys(o).sort(goStringCompare) : Object.keys(o);
    for (const k of keys) {
      const val = o[k];
      if (embedded && metaFields.has(k) && !s.properties?.[k]) continue;
      const prop = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      if (prop) { walk(val, prop, join(path, k), false, false); continue; }
      if (addl && typeof addl === 'object') { walk(val, addl, join(path, k), false, false); continue; }
      if (keep || addl === true) continue;
      if (!structural && !s.properties && addl === undefined) continue; // an opaque object (RawExtension...)
      if (structural && root && metaFields.has(k)) continue;
      paths.push(join(path, k));
    }
  };
  walk(obj, schema, '', true, false);

  const unique = [...new Set(paths)];
  if (structural) return unique.sort(goStringCompare).map((p) => `unknown field "${p}"`);
  if (opts.unstructured) return unique.map((p) => `unknown field "${p}"`).sort(goStringCompare);
  return unique.slice(0, MAX_STRICT_ERRORS).map((p) => `unknown field ${goQuote(p)}`);
}

/**
 * Whether a JSON text nests deeper than max (brackets outside strings). Go's scanner refuses such a
 * body before decoding; the caller asks the Go scanner for its exact text.
 */
export function jsonDepthExceeds(text: string, max = MAX_DEPTH): boolean {
  if (text.length <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip the string
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
