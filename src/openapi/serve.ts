// Handler-agnostic serving of /openapi/v3, /openapi/v3/<path> and /openapi/v2 for one logical
// cluster, with kube-apiserver's caching semantics (kube-openapi handler3/handler):
//
//  - every document has an ETag: the uppercase hex SHA-512 of its JSON; If-None-Match -> 304;
//  - /openapi/v3/<gv>?hash=<etag> is immutable: Cache-Control "public, immutable" and a one-year
//    Expires; a stale hash is redirected (301) to the current URL;
//  - /openapi/v2 is served as JSON or, for kubectl, as gnostic protobuf (see protobuf.ts); any
//    other Accept is 406 with an empty body, as kube does.

import { parseAccept } from '../discovery/negotiate.js';
import type { ResourceType } from '../registry/types.js';
import {
  openapiV2Document, openapiV3Document, openapiV3Index, openapiV3URL, type OpenAPIDocument, type OpenAPIOptions,
} from './documents.js';
import { encodeOpenAPIV2Protobuf } from './protobuf.js';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_PROTOBUF_SUBTYPES = ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'com.github.proto-openapi.spec.v2.v1.0+protobuf'];

export interface OpenAPIRequest {
  /** Path below the cluster prefix: /openapi/v2, /openapi/v3, /openapi/v3/api/v1, ... */
  path: string;
  /** The `hash` query parameter of /openapi/v3/<gv> requests. */
  hash?: string;
  accept?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

export interface OpenAPIServeOptions extends OpenAPIOptions {
  /** Path prefix of the logical cluster on this server, e.g. "/clusters/root" ("" at the root). */
  basePath: string;
  /** Clock (tests). */
  now?: () => Date;
}

export interface HTTPResult {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Is `etag` (unquoted) matched by an If-None-Match header ("*", lists, weak tags)? */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  for (const raw of ifNoneMatch.split(',')) {
    const t = raw.trim();
    if (t === '*') return true;
    const v = t.startsWith('W/') ? t.slice(2) : t;
    if (v === `"${etag}"`) return true;
  }
  return false;
}

function httpDate(d: Date): string {
  return d.toUTCString();
}

/** Go's time.RFC1123 in UTC ("Mon, 02 Jan 2006 15:04:05 UTC"), as kube writes Expires. */
function rfc1123UTC(d: Date): string {
  return d.toUTCString().replace(/GMT$/, 'UTC');
}

function notModifiedSince(req: OpenAPIRequest, doc: OpenAPIDocument): boolean {
  if (req.ifNoneMatch !== undefined || !req.ifModifiedSince) return false;
  const t = Date.parse(req.ifModifiedSince);
  return Number.isFinite(t) && Math.floor(doc.lastModified.getTime() / 1000) * 1000 <= t;
}

function respond(req: OpenAPIRequest, doc: OpenAPIDocument, headers: Record<string, string>, body: Buffer): HTTPResult {
  headers.ETag = `"${doc.etag}"`;
  headers['Last-Modified'] = httpDate(doc.lastModified);
  if (etagMatches(req.ifNoneMatch, doc.etag) || notModifiedSince(req, doc)) {
    delete headers['Content-Type'];
    return { status: 304, headers };
  }
  return { status: 200, headers, body };
}

type Match = 'json' | 'v2protobuf' | undefined;

function negotiate(accept: string | undefined, allowV2Protobuf: boolean): Match {
  const header = accept?.trim() ? accept : '*/*';
  for (const c of parseAccept(header)) {
    const typeOk = c.type === 'application' || c.type === '*';
    if (!typeOk) continue;
    if (c.subType === 'json' || c.subType === '*') return 'json';
    if (allowV2Protobuf && V2_PROTOBUF_SUBTYPES.includes(c.subType)) return 'v2protobuf';
  }
  return undefined;
}

const protobufCache = new WeakMap<OpenAPIDocument, Buffer>();

function v2Protobuf(doc: OpenAPIDocument): Buffer {
  let pb = protobufCache.get(doc);
  if (!pb) {
    pb = encodeOpenAPIV2Protobuf(JSON.parse(doc.body.toString('utf8')) as Record<string, unknown>);
    protobufCache.set(doc, pb);
  }
  return pb;
}

/**
 * Serves GET on /openapi/v2, /openapi/v3 and /openapi/v3/<path>; undefined for other paths.
 * Unknown v3 paths are 404 with an empty body (kube's handler3).
 */
export function serveOpenAPI(types: readonly ResourceType[], req: OpenAPIRequest, opts: OpenAPIServeOptions): HTTPResult | undefined {
  const q = req.path.indexOf('?');
  const path = (q < 0 ? req.path : req.path.slice(0, q)).replace(/\/+$/, '');
  if (path === '/openapi/v2') {
    const m = negotiate(req.accept, true);
    if (!m) return { status: 406, headers: { Vary: 'Accept' } };
    const doc = openapiV2Document(types, opts);
    const headers: Record<string, string> = { 'Cache-Control': 'no-cache, private', Vary: 'Accept' };
    if (m === 'v2protobuf') {
      headers['Content-Type'] = OPENAPI_V2_PROTOBUF;
      return respond(req, doc, headers, v2Protobuf(doc));
    }
    headers['Content-Type'] = 'application/json';
    return respond(req, doc, headers, doc.body);
  }
  if (path === '/openapi/v3') {
    // kube serves the index as text/plain, without validators
    const doc = openapiV3Index(types, opts.basePath, opts);
    return { status: 200, headers: { 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain; charset=utf-8' }, body: doc.body };
  }
  if (!path.startsWith('/openapi/v3/')) return undefined;
  const gv = decodeURIComponent(path.slice('/openapi/v3/'.length));
  const headers: Record<string, string> = { Vary: 'Accept' };
  const m = negotiate(req.accept, false);
  if (!m) return { status: 406, headers };
  const doc = openapiV3Document(types, gv, opts);
  if (!doc) return { status: 404, headers: {} };
  headers['Content-Type'] = 'application/json';
  if (req.hash) {
    if (req.hash !== doc.etag) {
      return {
        status: 301,
        headers: { ...headers, ETag: `"${doc.etag}"`, Location: openapiV3URL(opts.basePath, gv, doc.etag), 'Cache-Control': 'no-cache, private' },
      };
    }
    const now = opts.now ? opts.now() : new Date();
    const expires = new Date(now.getTime());
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    headers['Cache-Control'] = 'public, immutable';
    headers.Expires = rfc1123UTC(expires);
  } else {
    headers['Cache-Control'] = 'no-cache, private';
  }
  return respond(req, doc, headers, doc.body);
}
