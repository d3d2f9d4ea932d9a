// Content negotiation: which representation a client asked for (Accept) and what it sent
// (Content-Type). kplane speaks JSON, YAML and Kubernetes protobuf (built-in kinds), plus the
// meta.k8s.io conversions Table and PartialObjectMetadata(List) that kubectl and client-go request
// through Accept parameters. Media ranges are tried in order of their q weight (q=0: never).

import { notAcceptable as onlyAccepted, StatusError } from '../apimachinery/errors.js';

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
}

export type Format = 'json' | 'yaml' | 'protobuf';

export interface Output {
  format: Format;
  /** A meta.k8s.io conversion of the response. */
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  version?: string;
}

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

export function parseMediaRanges(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [typePart, ...paramParts] = part.split(';');
    const [type, subtype] = (typePart ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of paramParts) {
      const i = p.indexOf('=');
      if (i < 0) continue;
      const k = p.slice(0, i).trim().toLowerCase();
      const v = p.slice(i + 1).trim().replace(/^"|"$/g, '');
      if (k === 'q') q = Number.isFinite(Number(v)) ? Number(v) : 1;
      else params[k] = v;
    }
    out.push({ type, subtype, params, q });
  }
  // a stable sort: equal weights keep the client's order
  return out.map((r, i) => ({ r, i })).sort((a, b) => b.r.q - a.r.q || a.i - b.i).map(({ r }) => r).filter((r) => r.q > 0);
}

function formatOf(r: MediaRange, protobuf: boolean): Format | undefined {
  if (r.type === '*' && r.subtype === '*') return 'json';
  if (r.type !== 'application') return undefined;
  if (r.subtype === 'json' || r.subtype === '*') return 'json';
  if (r.subtype === 'yaml') return 'yaml';
  if (r.subtype === 'vnd.kubernetes.protobuf' && protobuf) return 'protobuf';
  return undefined;
}

export interface Offer {
  /** Table conversion is available (resource GET/LIST/WATCH, and writes). */
  table: boolean;
  /** Which metadata-only conversion fits: a single object, a list, or none. */
  metadata: 'object' | 'list' | false;
  /** The kind has a protobuf encoding. */
  protobuf: boolean;
  /** Streaming endpoint (lists can be watched): the 406 lists the stream types too. */
  stream?: boolean;
  /** The Go type kube names in PartialObjectMetadata mismatch errors, e.g. "*core.SecretList". */
  goType?: string;
}

/** kube's 406 for a resource endpoint. */
function notAcceptable(offer: Offer): StatusError {
  const types = ['application/json', 'application/yaml', PROTOBUF];
  if (offer.stream) types.push('application/json;stream=watch', `${PROTOBUF};stream=watch`);
  return new StatusError(406, 'NotAcceptable', `406: Not Acceptable\n\nAvailable representations: ${types.join(', ')}`, {});
}

/** Picks the first acceptable representation in the client's order of preference. */
export function negotiateOutput(accept: string | undefined, offer: Offer): Output {
  const ranges = parseMediaRanges(accept);
  if (!accept || !accept.trim()) return { format: 'json' };
  let mismatch: StatusError | undefined;
  let knownType = false;
  for (const r of ranges) {
    const format = formatOf(r, offer.protobuf);
    if (!format) continue;
    knownType = true;
    const as = r.params['as'];
    if (!as) return { format };
    const g = r.params['g'];
    const v = r.params['v'];
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table' && offer.table && format !== 'protobuf') return { format, as, version: v };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      if (!offer.metadata) continue;
      const wanted = offer.metadata === 'list' ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
      if (as === wanted) return { format, as, version: v };
      mismatch ??= new StatusError(406, 'NotAcceptable', offer.metadata === 'list'
        ? `you requested PartialObjectMetadata, but the requested object is a list (${offer.goType ?? ''})`
        : `you requested PartialObjectMetadataList, but the requested object is not a list (${offer.goType ?? ''})`);
    }
  }
  // a media type kube serves, but with a conversion it cannot do, gets the shorter message
  if (mismatch) throw mismatch;
  if (knownType) throw onlyAccepted(['application/json', 'application/yaml', PROTOBUF]);
  throw notAcceptable(offer);
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

/** The format of a request body from its Content-Type, or undefined when unsupported. */
export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const [r] = parseMediaRanges(contentType);
  if (!r || r.type !== 'application') return undefined;
  switch (r.subtype) {
    case 'json': return 'json';
    case 'yaml': return 'yaml';
    case 'vnd.kubernetes.protobuf': return 'protobuf';
    case 'json-patch+json': return 'json-patch';
    case 'merge-patch+json': return 'merge-patch';
    case 'strategic-merge-patch+json': return 'strategic-merge-patch';
    case 'apply-patch+yaml': return 'apply-patch';
    default: return undefined;
  }
}

/** The Content-Type of a response in a format (kube names the plain type even for conversions). */
export function contentTypeOf(format: Format): string {
  return format === 'yaml' ? 'application/yaml' : format === 'protobuf' ? PROTOBUF : 'application/json';
}
