// Handler-agnostic serving of the discovery endpoints of one logical cluster: given the served
// resources and the request's path and headers, the status, headers and body to send. Bodies are
// cached process-wide by served set (see servedset.ts).

import { stringify as toYAML } from 'yaml';

import { notAcceptable } from '../apimachinery/errors.js';
import type { ResourceType } from '../registry/types.js';
import {
  aggregatedDiscovery, aggregatedDiscoveryETag, apiGroup, apiGroupList, apiResourceList, apiVersions,
  type AggregatedDiscoveryVersion,
} from './documents.js';
import {
  DISCOVERY_MEDIA_TYPES, negotiateDiscovery, negotiatePlain, type DiscoveryMediaType, type NegotiateOptions,
} from './negotiate.js';
import { servedSetKey } from './servedset.js';
import { Lru } from '../util/lru.js';

export interface DiscoveryRequest {
  /** Path below the cluster prefix: /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version> (a trailing / is ignored). */
  path: string;
  accept?: string;
  ifNoneMatch?: string;
}

export interface DiscoveryServeOptions extends NegotiateOptions {
  /** host:port published in /api serverAddressByClientCIDRs. */
  serverAddress: string;
}

export interface DiscoveryResponse {
  status: 200 | 304 | 404;
  headers: Record<string, string>;
  /** Absent on 304. */
  body?: string;
}

/**
 * kube-apiserver's answer for a group or version it does not serve (/apis/<unknown>,
 * /apis/<g>/<unknown>, /api/<unknown>): the plain-text 404 of its NotFound handler.
 */
export function discoveryNotFound(): DiscoveryResponse {
  return {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    body: '404 page not found\n',
  };
}

function discoveryNotFoundStatus(): DiscoveryResponse {
  return {
    status: 404,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404,
    }) + '\n',
  };
}

/** True for the paths serveDiscovery answers (given any served set). */
export function isDiscoveryPath(path: string): boolean {
  const p = trimPath(path);
  return p === '/api' || p === '/apis' || /^\/api\/[^/]+$/.test(p) || /^\/apis\/[^/]+(\/[^/]+)?$/.test(p);
}

function trimPath(path: string): string {
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

interface CachedBody {
  body: string;
  etag?: string;
}

const cache = new Lru<string, CachedBody>(256);

function encode(obj: unknown, mediaType: DiscoveryMediaType): string {
  // YAML as kube writes it (sigs.k8s.io/yaml: JSON converted to YAML, keys sorted, no anchors for a
  // value that appears twice, like a group's preferredVersion).
  return mediaType === 'application/json' ? JSON.stringify(obj) : toYAML(obj, { sortMapEntries: true, aliasDuplicateObjects: false });
}

function cached(key: string, build: () => CachedBody): CachedBody {
  let v = cache.get(key);
  if (!v) {
    v = build();
    cache.set(key, v);
  }
  return v;
}

/**
 * Serves GET on a discovery path: 200 (or 304 for a matching If-None-Match on aggregated
 * discovery), 404 for a group or version not served. Throws a StatusError 406 when no acceptable
 * media type is asked for; returns undefined for paths that are not discovery paths.
 */
export function serveDiscovery(
  types: readonly ResourceType[], req: DiscoveryRequest, opts: DiscoveryServeOptions,
): DiscoveryResponse | undefined {
  const path = trimPath(req.path);
  if (!isDiscoveryPath(path)) return undefined;
  const served = servedSetKey(types);
  const neg = negotiateDiscovery(req.accept, opts);
  const parts = path.split('/').slice(1);

  if (path === '/api' || path === '/apis') {
    const scope = path === '/api' ? 'api' : 'apis';
    if (neg.kind === 'aggregated') {
      const c = cached(`${served}|agg|${scope}|${neg.version}|${neg.mediaType}`, () => {
        const doc = aggregatedDiscovery(types, scope, neg.version as AggregatedDiscoveryVersion);
        return { body: encode(doc, neg.mediaType), etag: aggregatedDiscoveryETag(doc) };
      });
      const quoted = JSON.stringify(c.etag);
      const headers = { 'Content-Type': neg.contentType, ETag: quoted, Vary: 'Accept', 'Cache-Control': 'public' };
      if (req.ifNoneMatch !== undefined && req.ifNoneMatch === quoted) return { status: 304, headers };
      return { status: 200, headers, body: c.body };
    }
    // kube's message names protobuf too, which discovery documents are also served in
    if (neg.kind === 'notAcceptable') throw notAcceptable([...neg.supported, 'application/vnd.kubernetes.protobuf']);
    const key = scope === 'api' ? `${served}|api|${opts.serverAddress}|${neg.mediaType}` : `${served}|apis|${neg.mediaType}`;
    const c = cached(key, () => ({ body: encode(scope === 'api' ? apiVersions(opts) : apiGroupList(types), neg.mediaType) }));
    return { status: 200, headers: { 'Content-Type': neg.contentType }, body: c.body };
  }

  // /api/<v>, /apis/<g>, /apis/<g>/<v>: plain (non-aggregated) negotiation
  const mediaType = negotiatePlain(req.accept);
  if (!mediaType) throw notAcceptable([...DISCOVERY_MEDIA_TYPES, 'application/vnd.kubernetes.protobuf']);
  const key = `${served}|${path}|${mediaType}`;
  let c = cache.get(key);
  if (!c) {
    let doc: object | undefined;
    if (parts[0] === 'api') doc = apiResourceList(types, '', parts[1]!);
    else if (parts.length === 2) doc = apiGroup(types, parts[1]!);
    else doc = apiResourceList(types, parts[1]!, parts[2]!);
    // a version of a served group (or of the core API) that is not served: kube's Status; else plain 404
    // (a group of custom resources only is apiextensions' handler: its plain 404)
    const builtinGroup = parts.length === 3 && apiGroup(types, parts[1]!) && types.some((t) => t.group === parts[1] && !t.customResource);
    if (!doc) return parts[0] === 'api' || builtinGroup ? discoveryNotFoundStatus() : discoveryNotFound();
    c = { body: encode(doc, mediaType) };
    cache.set(key, c);
  }
  return { status: 200, headers: { 'Content-Type': mediaType }, body: c.body };
}
