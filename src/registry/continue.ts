// List continuation tokens, in kube's format: base64url(JSON {"v":"meta.k8s.io/v1","rv":N,"start":K})
// where K is the key to resume from, relative to the list's key prefix, plus "\0". Being relative,
// a token can only ever resume inside the scope (logical cluster, namespace) it was issued for.
// Tokens that do not decode are refused with kube's texts (storage.DecodeContinue, which uses Go's
// base64.RawURLEncoding and encoding/json), wrapped as "invalid continue token: ...".

import { badRequest } from '../apimachinery/errors.js';
import { parseRaw, type RawNode } from '../apimachinery/patch/json-patch.js';
import { goJsonSyntaxError } from '../apimachinery/strict.js';

interface Token {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(relativeKey: string, revision: number): string {
  const t: Token = { v: 'meta.k8s.io/v1', rv: revision, start: `${relativeKey}\u0000` };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

const INVALID_KEY = 'continue key is not valid';

const B64URL = (() => {
  const m = new Int16Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
})();

/** base64.RawURLEncoding.DecodeString: the bytes, or Go's CorruptInputError text. */
function decodeRawURLBase64(s: string): Buffer | string {
  const src = Buffer.from(s, 'utf8');
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const q: number[] = [];
    let j = 0;
    while (j < 4) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        if (j === 1) return `illegal base64 data at input byte ${si - j}`;
        break;
      }
      const c = src[si]!;
      si++;
      const v = B64URL[c]!;
      if (v >= 0) {
        q.push(v);
        j++;
        continue;
      }
      if (c === 0x0a || c === 0x0d) continue;
      return `illegal base64 data at input byte ${si - 1}`;
    }
    const val = ((q[0] ?? 0) << 18) | ((q[1] ?? 0) << 12) | ((q[2] ?? 0) << 6) | (q[3] ?? 0);
    out.push((val >> 16) & 0xff);
    if (q.length >= 3) out.push((val >> 8) & 0xff);
    if (q.length === 4) out.push(val & 0xff);
    if (q.length < 4) return Buffer.from(out);
  }
}

function kindOf(n: RawNode): string {
  if (n.t === 'obj') return 'object';
  if (n.t === 'arr') return 'array';
  const c = n.text[0];
  return c === '"' ? 'string' : c === 't' || c === 'f' ? 'bool' : c === 'n' ? 'null' : 'number';
}

/** encoding/json into storage.continueToken: the token, or the first type error's text. */
function unmarshalToken(root: RawNode): Partial<Token> | string {
  const kind = kindOf(root);
  if (kind === 'null') return {};
  if (root.t !== 'obj') return `json: cannot unmarshal ${kind} into Go value of type storage.continueToken`;
  const t: Partial<Token> = {};
  let err: string | undefined;
  for (const [key, n] of root.entries) {
    // encoding/json matches field names case-insensitively
    const name = key.toLowerCase();
    if (name !== 'v' && name !== 'rv' && name !== 'start') continue;
    const k = kindOf(n);
    if (k === 'null') continue;
    if (name === 'rv') {
      const text = n.t === 'raw' ? n.text : '';
      if (k !== 'number') {
        err ??= `json: cannot unmarshal ${k} into Go struct field continueToken.rv of type int64`;
      } else if (!/^-?[0-9]+$/.test(text) || BigInt(text) > 2n ** 63n - 1n || BigInt(text) < -(2n ** 63n)) {
        err ??= `json: cannot unmarshal number ${text} into Go struct field continueToken.rv of type int64`;
      } else {
        t.rv = Number(text);
      }
      continue;
    }
    if (k !== 'string') {
      err ??= `json: cannot unmarshal ${k} into Go struct field continueToken.${name} of type string`;
      continue;
    }
    const s = JSON.parse((n as { text: string }).text) as string;
    if (name === 'v') t.v = s;
    else t.start = s;
  }
  return err ?? t;
}

/** Go's path.Clean for rooted paths. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Returns the relative key to continue after, and the revision (-1: latest, an inconsistent continuation). */
export function decodeContinue(token: string): { after: string; revision: number } {
  const invalid = (detail: string) => badRequest(`invalid continue token: ${detail}`);
  const data = decodeRawURLBase64(token);
  if (typeof data === 'string') throw invalid(`${INVALID_KEY}: ${data}`);
  const syntax = goJsonSyntaxError(data);
  if (syntax !== undefined) throw invalid(`${INVALID_KEY}: ${syntax}`);
  const t = unmarshalToken(parseRaw(data.toString('utf8')));
  if (typeof t === 'string') throw invalid(`${INVALID_KEY}: ${t}`);
  if (t.v !== 'meta.k8s.io/v1') {
    throw invalid(`${INVALID_KEY}: server does not recognize this encoded version ${t.v ?? ''}`);
  }
  if (!t.rv) throw invalid(`${INVALID_KEY}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  const start = t.start ?? '';
  if (start.length === 0) throw invalid(`${INVALID_KEY}: encoded start key empty (version meta.k8s.io/v1)`);
  // defend against path traversal: the cleaned key must be the key
  const key = start.startsWith('/') ? start : `/${start}`;
  const cleaned = cleanPath(key);
  if (cleaned !== key) throw invalid(`${INVALID_KEY}: ${start}`);
  const rel = cleaned.slice(1);
  return { after: rel.endsWith('\u0000') ? rel.slice(0, -1) : rel, revision: t.rv };
}
