// Content negotiation of the discovery endpoints (/api, /apis), as kube-apiserver's
// WrapAggregatedDiscoveryToHandler does it: the first Accept clause (by q) asking for
// `g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList` selects aggregated discovery, otherwise the
// legacy document is negotiated without transforms; nothing acceptable is 406.
//
// kplane serves discovery as JSON or YAML (no protobuf). v2beta1 is not offered by default:
// kube-apiserver 1.34 has AggregatedDiscoveryRemoveBetaType on, so clients asking only for v2beta1
// (kubectl <= 1.29) fall back to legacy discovery, exactly as against kube.

import type { AggregatedDiscoveryVersion } from './documents.js';

export type DiscoveryMediaType = 'application/json' | 'application/yaml';

export type DiscoveryNegotiation =
  | { kind: 'aggregated'; version: AggregatedDiscoveryVersion; mediaType: DiscoveryMediaType; contentType: string }
  | { kind: 'legacy'; mediaType: DiscoveryMediaType; contentType: DiscoveryMediaType }
  | { kind: 'notAcceptable'; supported: string[] };

export interface NegotiateOptions {
  /** Serve apidiscovery.k8s.io/v2beta1 too (kube with AggregatedDiscoveryRemoveBetaType=false). */
  allowV2Beta1?: boolean;
}

interface Clause {
  type: string;
  subType: string;
  q: number;
  params: Record<string, string>;
}

/** github.com/munnerz/goautoneg ParseAccept: clauses ordered by q, then specificity. */
export function parseAccept(header: string): Clause[] {
  const out: Clause[] = [];
  for (const part of header.split(',')) {
    const [mt, ...rest] = part.split(';');
    const mediaRange = (mt ?? '').trim();
    if (!mediaRange) continue;
    const slash = mediaRange.indexOf('/');
    let type: string;
    let subType: string;
    if (slash < 0) {
      if (mediaRange !== '*') continue;
      type = '*';
      subType = '*';
    } else {
      type = mediaRange.slice(0, slash).trim();
      subType = mediaRange.slice(slash + 1).trim();
    }
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim();
      const v = p.slice(eq + 1).trim();
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? n : 0;
      } else if (k) {
        params[k] = v;
      }
    }
    out.push({ type, subType, q, params });
  }
  // Stable: equal clauses keep their order (Go's insertion sort for short lists does the same).
  return out
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const x = a.c;
      const y = b.c;
      if (x.q !== y.q) return y.q - x.q;
      if ((x.type === '*') !== (y.type === '*')) return x.type === '*' ? 1 : -1;
      if ((x.subType === '*') !== (y.subType === '*')) return x.subType === '*' ? 1 : -1;
      return a.i - b.i;
    })
    .map((e) => e.c);
}

const SERVED: { type: string; subType: string; mediaType: DiscoveryMediaType }[] = [
  { type: 'application', subType: 'json', mediaType: 'application/json' },
  { type: 'application', subType: 'yaml', mediaType: 'application/yaml' },
];

function matches(c: Clause, s: { type: string; subType: string }): boolean {
  return (c.type === s.type && (c.subType === s.subType || c.subType === '*')) || (c.type === '*' && c.subType === '*');
}

const AGGREGATED_GROUP = 'apidiscovery.k8s.io';
const AGGREGATED_KIND = 'APIGroupDiscoveryList';

function aggregatedVersion(params: Record<string, string>, opts: NegotiateOptions): AggregatedDiscoveryVersion | undefined {
  if (params.g !== AGGREGATED_GROUP || params.as !== AGGREGATED_KIND) return undefined;
  if (params.v === 'v2') return 'v2';
  if (params.v === 'v2beta1' && opts.allowV2Beta1) return 'v2beta1';
  return undefined;
}

function hasTransform(params: Record<string, string>): boolean {
  return 'as' in params || 'g' in params || 'v' in params;
}

/** Response Content-Type of aggregated discovery, e.g. application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList. */
export function aggregatedContentType(mediaType: DiscoveryMediaType, version: AggregatedDiscoveryVersion): string {
  return `${mediaType};g=${AGGREGATED_GROUP};v=${version};as=${AGGREGATED_KIND}`;
}

/** Decides how to answer GET /api or /apis for an Accept header. */
export function negotiateDiscovery(accept: string | undefined, opts: NegotiateOptions = {}): DiscoveryNegotiation {
  const header = (accept ?? '').trim();
  if (!header) return { kind: 'legacy', mediaType: 'application/json', contentType: 'application/json' };
  const clauses = parseAccept(header);
  // 1. aggregated discovery, if any clause asks for it
  for (const c of clauses) {
    for (const s of SERVED) {
      if (!matches(c, s)) continue;
      const v = aggregatedVersion(c.params, opts);
      if (v) return { kind: 'aggregated', version: v, mediaType: s.mediaType, contentType: aggregatedContentType(s.mediaType, v) };
    }
  }
  // 2. the legacy document
  const plain = plainMediaType(clauses);
  if (plain) return { kind: 'legacy', mediaType: plain, contentType: plain };
  return { kind: 'notAcceptable', supported: SERVED.map((s) => s.mediaType) };
}

/** Clauses without transformation parameters (as/g/v) nor stream: kube's DefaultEndpointRestrictions. */
function plainMediaType(clauses: Clause[]): DiscoveryMediaType | undefined {
  for (const c of clauses) {
    if (hasTransform(c.params)) continue;
    if (c.params.stream) continue;
    for (const s of SERVED) {
      if (matches(c, s)) return s.mediaType;
    }
  }
  return undefined;
}

/**
 * Negotiation of the other discovery documents (/api/v1, /apis/<g>, /apis/<g>/<v>) and of anything
 * served as plain JSON/YAML: undefined means 406.
 */
export function negotiatePlain(accept: string | undefined): DiscoveryMediaType | undefined {
  const header = (accept ?? '').trim();
  if (!header) return 'application/json';
  return plainMediaType(parseAccept(header));
}

/** Media types plain discovery documents are served in (for 406 messages). */
export const DISCOVERY_MEDIA_TYPES: readonly string[] = SERVED.map((s) => s.mediaType);
