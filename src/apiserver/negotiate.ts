// Content negotiation: which representation a client asked for (Accept) and what it sent
// (Content-Type). kplane speaks JSON and YAML, plus the meta.k8s.io conversions Table and
// PartialObjectMetadata(List) that kubectl and client-go request through Accept parameters.

import { notAcceptable } from '../apimachinery/errors.js';

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

export type Output =
  | { format: 'json' | 'yaml'; as?: undefined }
  | { format: 'json' | 'yaml'; as: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList'; version: string };

export const SUPPORTED_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

export function parseMediaRanges(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [typePart, ...paramParts] = part.split(';');
    const [type, subtype] = (typePart ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const i = p.indexOf('=');
      if (i < 0) continue;
      params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    out.push({ type, subtype, params });
  }
  return out;
}

function formatOf(r: MediaRange): 'json' | 'yaml' | undefined {
  if (r.type === '*' && r.subtype === '*') return 'json';
  if (r.type !== 'application') return undefined;
  if (r.subtype === 'json' || r.subtype === '*') return 'json';
  if (r.subtype === 'yaml') return 'yaml';
  return undefined;
}

/**
 * Picks the first acceptable representation in the client's order. `allowed` lists the conversions
 * the endpoint can produce (Table and metadata conversions exist for resource GET/LIST/WATCH).
 */
export function negotiateOutput(accept: string | undefined, allowed: { table: boolean; metadata: boolean }): Output {
  const ranges = parseMediaRanges(accept);
  if (ranges.length === 0) return { format: 'json' };
  for (const r of ranges) {
    const format = formatOf(r);
    if (!format) continue;
    const as = r.params['as'];
    if (!as) return { format };
    const g = r.params['g'];
    const v = r.params['v'];
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table' && allowed.table) return { format, as, version: v };
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && allowed.metadata) return { format, as, version: v };
  }
  throw notAcceptable(SUPPORTED_MEDIA_TYPES);
}

export type BodyFormat = 'json' | 'yaml' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

/** The format of a request body from its Content-Type, or undefined when unsupported. */
export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const [r] = parseMediaRanges(contentType);
  if (!r || r.type !== 'application') return undefined;
  switch (r.subtype) {
    case 'json': return 'json';
    case 'yaml': return 'yaml';
    case 'json-patch+json': return 'json-patch';
    case 'merge-patch+json': return 'merge-patch';
    case 'strategic-merge-patch+json': return 'strategic-merge-patch';
    case 'apply-patch+yaml': return 'apply-patch';
    default: return undefined;
  }
}
