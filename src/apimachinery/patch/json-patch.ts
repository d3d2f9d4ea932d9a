// JSON patch (RFC 6902) as kube-apiserver applies it: evanphx/json-patch v4.12 semantics
// (negative indices, "replace" of a missing object key adds it, "test" compares JSON text, copy
// size limit), with kube's answers: a body that does not decode is 400 BadRequest with the decoder's
// text, more than 10000 operations 413, and any failing operation 422 Invalid with a fixed message.

import { badRequest, requestEntityTooLarge, StatusError } from '../errors.js';
import { isPlainObject } from '../object.js';
import { setOwn } from './merge-patch.js';
import { goJsonSyntaxError, jsonDepthExceeds } from '../strict.js';
import { appendAll, goQuote } from '../validation.js';

export const MAX_JSON_PATCH_OPERATIONS = 10000;
/** kube-apiserver's default --json-patch-max-copy-bytes. */
export const JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

/** What kube answers for any operation that fails: the cause is not in the message. */
export function jsonPatchFailed(cause?: string): StatusError {
  const e = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  if (cause) (e as Error).cause = cause;
  return e;
}

// ---- a JSON tree that keeps each scalar's text and every key, duplicates included ----

export type RawNode =
  | { t: 'obj'; entries: [string, RawNode][] }
  | { t: 'arr'; items: RawNode[] }
  | { t: 'raw'; text: string };

/** Parses JSON already known to be valid (goJsonSyntaxError passed). */
export function parseRaw(text: string): RawNode {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++; };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return text.slice(start, i);
  };
  const value = (): RawNode => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, RawNode][] = [];
      ws();
      if (text[i] === '}') { i++; return { t: 'obj', entries }; }
      for (;;) {
        ws();
        const key = JSON.parse(str()) as string;
        ws();
        i++; // ':'
        entries.push([key, value()]);
        ws();
        if (text[i++] === '}') return { t: 'obj', entries };
      }
    }
    if (c === '[') {
      i++;
      const items: RawNode[] = [];
      ws();
      if (text[i] === ']') { i++; return { t: 'arr', items }; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i++] === ']') return { t: 'arr', items };
      }
    }
    if (c === '"') return { t: 'raw', text: str() };
    const start = i;
    while (i < text.length && !' \t\r\n,]}'.includes(text[i]!)) i++;
    return { t: 'raw', text: text.slice(start, i) };
  };
  return value();
}

/** The JS value of a raw node; the last of duplicate keys wins, as in Go maps. */
export function rawValue(n: RawNode): unknown {
  if (n.t === 'raw') return JSON.parse(n.text);
  if (n.t === 'arr') return n.items.map(rawValue);
  const o: Record<string, unknown> = {};
  for (const [k, v] of n.entries) setOwn(o, k, rawValue(v));
  return o;
}

function kindOf(n: RawNode): string {
  if (n.t === 'obj') return 'object';
  if (n.t === 'arr') return 'array';
  const c = n.text[0];
  return c === '"' ? 'string' : c === 't' || c === 'f' ? 'bool' : c === 'n' ? 'null' : 'number';
}

// ---- decoding the patch body ----

/** One operation: its members as raw JSON (evanphx keeps map[string]*json.RawMessage). */
export type JsonPatchOperation = Map<string, RawNode>;

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const opFields = new Set(['op', 'path', 'from', 'value']);

/**
 * The strict decode kube runs first under Warn/Strict (into []jsonPatchOp): the first type error,
 * or the strict errors ("json patch unknown field ..."), in document order.
 */
function strictDecode(root: RawNode): { typeError?: string; strict: string[] } {
  if (root.t !== 'arr') {
    const k = kindOf(root);
    return k === 'null' ? { strict: [] } : { typeError: `json: cannot unmarshal ${k} into Go value of type []handlers.jsonPatchOp`, strict: [] };
  }
  const strict: string[] = [];
  const add = (msg: string) => { if (!strict.includes(msg) && strict.length < 100) strict.push(msg); };
  const dupes = (n: RawNode, path: string) => {
    if (n.t === 'arr') n.items.forEach((it, i) => dupes(it, `${path}[${i}]`));
    if (n.t !== 'obj') return;
    const seen = new Set<string>();
    for (const [k, v] of n.entries) {
      if (seen.has(k)) add(`duplicate field ${goQuote(`${path}.${k}`)}`);
      seen.add(k);
      dupes(v, `${path}.${k}`);
    }
  };
  let typeError: string | undefined;
  root.items.forEach((item, i) => {
    if (item.t !== 'obj') {
      const k = kindOf(item);
      if (k !== 'null') typeError ??= `json: cannot unmarshal ${k} into Go value of type handlers.jsonPatchOp`;
      return;
    }
    const seen = new Set<string>();
    for (const [k, v] of item.entries) {
      if (!opFields.has(k)) { add(`unknown field ${goQuote(`[${i}].${k}`)}`); continue; }
      if (seen.has(k)) add(`duplicate field ${goQuote(`[${i}].${k}`)}`);
      seen.add(k);
      if (k === 'value') { dupes(v, `[${i}].value`); continue; }
      const kind = kindOf(v);
      if (kind !== 'string' && kind !== 'null') typeError ??= `json: cannot unmarshal ${kind} into Go struct field jsonPatchOp.${k} of type string`;
    }
  });
  return typeError ? { typeError, strict: [] } : { strict: strict.map((e) => `json patch ${e}`) };
}

/**
 * Decodes a JSON patch body the way kube-apiserver's patch handler does, throwing its 400s and
 * 413. Under Warn/Strict, strict decoding errors ("json patch duplicate field ...") are pushed to
 * `strictErrors` for the caller to warn about or reject.
 */
/** An element kube's decoders take as an operation without a type error: null, or op/path/from strings. */
function decodesAsOperation(item: unknown): boolean {
  if (item === null) return true;
  if (typeof item !== 'object' || Array.isArray(item)) return false;
  const o = item as Record<string, unknown>;
  return ['op', 'path', 'from'].every((k) => !Object.prototype.hasOwnProperty.call(o, k) || o[k] === null || typeof o[k] === 'string');
}

export function decodeJsonPatch(text: string, fieldValidation: FieldValidation = 'Warn', strictErrors?: string[]): JsonPatchOperation[] {
  // (Go's scanner in JS is slow: it only words the error of a text JSON.parse refuses or that nests too deep)
  let syntax: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    if (jsonDepthExceeds(text)) syntax = goJsonSyntaxError(text);
  } catch {
    syntax = goJsonSyntaxError(text) ?? 'unexpected end of JSON input';
  }
  // too many operations, none a decoder refuses first (its strict warnings are dropped with a 413):
  // answered without walking the whole patch
  if (syntax === undefined && Array.isArray(parsed) && parsed.length > MAX_JSON_PATCH_OPERATIONS && parsed.every(decodesAsOperation)) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${parsed.length}`);
  }
  const strictMode = fieldValidation === 'Warn' || fieldValidation === 'Strict';
  if (syntax !== undefined) throw badRequest(strictMode ? `error decoding patch: ${syntax}` : syntax);
  const root = parseRaw(text);
  if (strictMode) {
    const { typeError, strict } = strictDecode(root);
    if (typeError) throw badRequest(`error decoding patch: ${typeError}`);
    if (strictErrors) appendAll(strictErrors, strict);
  }
  // evanphx's own decode into []map[string]*json.RawMessage.
  if (root.t !== 'arr') {
    const k = kindOf(root);
    if (k === 'null') return [];
    throw badRequest(`json: cannot unmarshal ${k} into Go value of type jsonpatch.Patch`);
  }
  const ops: JsonPatchOperation[] = [];
  for (const item of root.items) {
    if (item.t === 'obj') ops.push(new Map(item.entries));
    else if (kindOf(item) === 'null') ops.push(new Map());
    else throw badRequest(`json: cannot unmarshal ${kindOf(item)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops;
}

// ---- applying ----

class OpError extends Error {}

/** A member as a Go string, or undefined when absent, null or not a string. */
function stringMember(op: JsonPatchOperation, name: string): string | undefined {
  const n = op.get(name);
  if (!n || n.t !== 'raw' || n.text[0] !== '"') return undefined;
  return JSON.parse(n.text) as string;
}

function requiredString(op: JsonPatchOperation, name: string): string {
  const s = stringMember(op, name);
  if (s === undefined) throw new OpError(`operation missing ${name} field`);
  return s;
}

type Container = Record<string, unknown> | unknown[];

/** strconv.Atoi. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new OpError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  return Number(s);
}

function decodeKey(k: string): string {
  return k.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** evanphx findObject: the container of the last path segment, and that segment. */
function findObject(doc: Container, path: string): [Container, string] | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: Container = doc;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(cur, decodeKey(part));
    } catch {
      return undefined;
    }
    if (!Array.isArray(next) && !isPlainObject(next)) return undefined;
    cur = next;
  }
  return [cur, decodeKey(split[split.length - 1]!)];
}

function arrayIndex(arr: unknown[], key: string, size: number): number {
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -size) throw new OpError(`Unable to access invalid index: ${idx}`);
    idx += size;
  }
  return idx;
}

/** get: a missing object key is undefined (not an error); arrays check the index. */
function get(c: Container, key: string): unknown {
  if (!Array.isArray(c)) return Object.prototype.hasOwnProperty.call(c, key) ? c[key] : undefined;
  const idx = arrayIndex(c, key, c.length);
  if (idx >= c.length) throw new OpError(`Unable to access invalid index: ${idx}`);
  return c[idx];
}

function set(c: Container, key: string, v: unknown): void {
  if (!Array.isArray(c)) { setOwn(c, key, v); return; }
  c[arrayIndex(c, key, c.length)] = v;
}

function add(c: Container, key: string, v: unknown): void {
  if (!Array.isArray(c)) { setOwn(c, key, v); return; }
  if (key === '-') { c.push(v); return; }
  const idx = atoi(key);
  if (idx >= c.length + 1) throw new OpError(`Unable to access invalid index: ${idx}`);
  c.splice(arrayIndex(c, key, c.length + 1), 0, v);
}

function remove(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!Object.prototype.hasOwnProperty.call(c, key)) throw new OpError(`Unable to remove nonexistent key: ${key}`);
    delete c[key];
    return;
  }
  const idx = atoi(key);
  if (idx >= c.length) throw new OpError(`Unable to access invalid index: ${idx}`);
  c.splice(arrayIndex(c, key, c.length), 1);
}

/** How Go's encoder writes a scalar of the document: test compares that text with the patch's. */
export function goJsonScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
    const a = Math.abs(v);
    // Go switches to exponent form at the same bounds as JS and also writes "1e-7", "1e+21".
    if (a !== 0 && (a < 1e-6 || a >= 1e21)) return v.toExponential();
    return String(v);
  }
  let out = '"';
  for (const ch of String(v)) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

/** evanphx lazyNode.equal: containers structurally, scalars by their JSON text. */
function equal(doc: unknown, patch: RawNode): boolean {
  if (Array.isArray(doc)) {
    return patch.t === 'arr' && patch.items.length === doc.length && doc.every((d, i) => equal(d, patch.items[i]!));
  }
  if (isPlainObject(doc)) {
    if (patch.t !== 'obj') return false;
    const p = new Map(patch.entries);
    const keys = Object.keys(doc);
    if (keys.length !== p.size) return false;
    return keys.every((k) => {
      const pv = p.get(k);
      if (pv === undefined) return false;
      const dNull = doc[k] === null;
      const pNull = pv.t === 'raw' && pv.text === 'null';
      if (dNull || pNull) return dNull === pNull;
      return equal(doc[k], pv);
    });
  }
  return patch.t === 'raw' && goJsonScalar(doc) === patch.text;
}

function jsonSize(v: unknown): number {
  return v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v ?? null), 'utf8');
}

/**
 * Applies decoded operations to a copy of `original`. Any failing operation throws kube's 422
 * (the evanphx error text is kept as the StatusError's `cause`).
 */
export function applyJsonPatch(original: unknown, ops: JsonPatchOperation[], maxCopyBytes = JSON_PATCH_MAX_COPY_BYTES): unknown {
  let doc = structuredClone(original) as Container;
  let copied = 0;
  for (const op of ops) {
    const kind = op.get('op') && kindOf(op.get('op')!) === 'string' ? stringMember(op, 'op')! : 'unknown';
    const valueNode = op.get('value');
    const value = () => (valueNode === undefined ? null : rawValue(valueNode));
    try {
      switch (kind) {
        case 'add': {
          const path = requiredString(op, 'path');
          const f = findObject(doc, path);
          if (!f) throw new OpError(`add operation does not apply: doc is missing path: "${path}"`);
          add(f[0], f[1], value());
          break;
        }
        case 'remove': {
          const path = requiredString(op, 'path');
          const f = findObject(doc, path);
          if (!f) throw new OpError(`remove operation does not apply: doc is missing path: "${path}"`);
          remove(f[0], f[1]);
          break;
        }
        case 'replace': {
          const path = requiredString(op, 'path');
          if (path === '') {
            if (!valueNode) throw new OpError('replace operation has no value');
            // evanphx wraps a nil error here, so a scalar value is silently ignored.
            if (valueNode.t === 'obj' || valueNode.t === 'arr') doc = rawValue(valueNode) as Container;
            break;
          }
          const f = findObject(doc, path);
          if (!f) throw new OpError(`replace operation does not apply: doc is missing path: ${path}`);
          get(f[0], f[1]);
          set(f[0], f[1], value());
          break;
        }
        case 'move': {
          const from = requiredString(op, 'from');
          const src = findObject(doc, from);
          if (!src) throw new OpError(`move operation does not apply: doc is missing from path: ${from}`);
          const v = get(src[0], src[1]);
          remove(src[0], src[1]);
          const path = requiredString(op, 'path');
          const dst = findObject(doc, path);
          if (!dst) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}`);
          add(dst[0], dst[1], v === undefined ? null : v);
          break;
        }
        case 'test': {
          const path = requiredString(op, 'path');
          if (path === '') {
            if (!valueNode || !equal(doc, valueNode)) throw new OpError(`testing value ${path} failed`);
            break;
          }
          const f = findObject(doc, path);
          if (!f) throw new OpError(`test operation does not apply: is missing path: ${path}`);
          const v = get(f[0], f[1]);
          if (v === undefined || v === null) {
            // A missing or null member passes only against an explicit null.
            if (valueNode && valueNode.t === 'raw' && valueNode.text === 'null') break;
            throw new OpError(`testing value ${path} failed`);
          }
          if (!valueNode || !equal(v, valueNode)) throw new OpError(`testing value ${path} failed`);
          break;
        }
        case 'copy': {
          const from = requiredString(op, 'from');
          const src = findObject(doc, from);
          if (!src) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}`);
          const v = get(src[0], src[1]);
          const path = requiredString(op, 'path');
          const dst = findObject(doc, path);
          if (!dst) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}`);
          copied += jsonSize(v);
          if (maxCopyBytes > 0 && copied > maxCopyBytes) {
            throw new OpError(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${maxCopyBytes}`);
          }
          add(dst[0], dst[1], v === undefined ? null : structuredClone(v));
          break;
        }
        default:
          throw new OpError(`Unexpected kind: ${kind}`);
      }
    } catch (e) {
      if (e instanceof OpError) throw jsonPatchFailed(e.message);
      throw e;
    }
  }
  return doc;
}

/** Decodes and applies a JSON patch body as kube-apiserver's patch handler does. */
export function applyJsonPatchText(original: unknown, text: string, fieldValidation: FieldValidation = 'Warn', strictErrors?: string[]): unknown {
  return applyJsonPatch(original, decodeJsonPatch(text, fieldValidation, strictErrors));
}
