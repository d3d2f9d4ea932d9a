// Writing responses: serialisation (JSON, YAML, Kubernetes protobuf), the meta.k8s.io conversions
// (Table, PartialObjectMetadata and its List), Status errors and Warning headers.

import type { FastifyReply } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { internalError, isStatusError, largeInvalidOf, StatusError, type Status } from '../apimachinery/errors.js';
import type { KubeList, KubeObject } from '../apimachinery/object.js';
import { encodeObject, encodeStatus } from '../protobuf/index.js';
import { defaultTableConvertor } from '../registry/table.js';
import type { ResourceType } from '../registry/types.js';
import { contentTypeOf, negotiateOutput, parseMediaRanges, type Format, type Output } from './negotiate.js';
import { largeStatusStream, renderedStatusOf } from './large-status.js';
import { recordWarnings } from './warnings.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function serialize(body: unknown, format: Format, pretty: boolean): Buffer {
  if (format === 'protobuf') {
    const obj = body as Record<string, unknown>;
    return obj.kind === 'Status' ? encodeStatus(obj) : encodeObject(obj);
  }
  // no anchors: a value shared by two fields of a reply is written out twice, as Go does
  if (format === 'yaml') return Buffer.from(toYaml(body, { lineWidth: 0, aliasDuplicateObjects: false }));
  return Buffer.from((pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body)) + '\n');
}

/** kube's `Warning: 299 - "text"` header values, as its recorder limits them, in wire form (warnings.ts). */
export function warningHeaders(warnings: string[]): string[] {
  return recordWarnings(warnings);
}

function partialMetadata(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function tableFor(type: ResourceType, objects: KubeObject[], include: IncludeObject, version: string,
  listMeta: KubeList['metadata'] | undefined, now: Date, withColumns = true): KubeObject {
  const table = type.strategy.table ?? defaultTableConvertor;
  const rows = objects.map((o) => ({
    cells: table.cells(o, now),
    object: include === 'Object' ? withTypeMeta(type, o) : include === 'Metadata' ? partialMetadata(o, version) : null,
  }));
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: (listMeta ?? {}) as KubeObject['metadata'],
    ...(withColumns ? { columnDefinitions: table.columns } : {}),
    rows,
  };
}

/** An object as a standalone document: with kind and apiVersion (list items drop them). */
function withTypeMeta(type: ResourceType, o: KubeObject): KubeObject {
  if (o.kind && o.apiVersion) return o;
  return { kind: type.kind, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, ...o };
}

/** Converts a single object for the negotiated output. */
export function convertObject(type: ResourceType, obj: KubeObject, output: Output, include: IncludeObject, now: Date): unknown {
  if (!output.as) return obj;
  if (output.as === 'Table') return tableFor(type, [obj], include, output.version!, { resourceVersion: obj.metadata.resourceVersion }, now);
  return partialMetadata(obj, output.version!);
}

/** Converts a list for the negotiated output. */
export function convertList(type: ResourceType, list: KubeList, output: Output, include: IncludeObject, now: Date): unknown {
  if (!output.as) return list;
  // (an unstructured list's empty continue is its own: the typed ListMeta omits it)
  const { continue: token, ...rest } = list.metadata;
  const metadata = token ? list.metadata : rest;
  if (output.as === 'Table') return tableFor(type, list.items, include, output.version!, metadata, now);
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${output.version}`,
    metadata,
    items: list.items.map((o) => partialMetadata(o, output.version!)),
  };
}

/**
 * Writes a reply. Everything is computed before the reply is touched, and Warning values are in
 * wire form (the other headers are ASCII constants), so nothing can fail in Node's writeHead after
 * a write was committed; a body that cannot be serialised (which a stored object never should be)
 * is logged before it becomes a 500.
 */
export function send(reply: FastifyReply, code: number, body: unknown, output: Output, pretty: boolean, warnings: string[] = []): FastifyReply {
  let bytes: Buffer;
  try {
    bytes = serialize(body, output.format, pretty);
  } catch (e) {
    reply.log.error({ err: e, code }, 'serialising a reply failed');
    throw e;
  }
  if (warnings.length) reply.header('Warning', warningHeaders(warnings));
  return reply
    .code(code)
    .header('Content-Type', contentTypeOf(output.format))
    .header('Cache-Control', 'no-cache, private')
    // a Buffer: fastify would append "; charset=utf-8" to a string body's type, kube does not
    .send(bytes);
}

/** Any thrown value as the Status kube-apiserver would send. */
export function toStatus(err: unknown): Status {
  if (isStatusError(err)) return err.status;
  return internalError(err).status;
}

/** The format an error is written in: protobuf when the client prefers it, else JSON. */
export function errorFormat(accept: string | undefined): Format {
  const first = parseMediaRanges(accept)[0];
  return first && first.type === 'application' && first.subtype === 'vnd.kubernetes.protobuf' ? 'protobuf' : 'json';
}

const requestWarnings = new WeakMap<object, string[]>();

/**
 * The warnings a request collects (its RequestContext's): an error answer carries them too, as
 * kube's warning recorder writes them on any reply (e.g. unknown fields pruned before a 422).
 */
export function trackWarnings(req: object, warnings: string[]): void {
  requestWarnings.set(req, warnings);
}

export function warningsOf(req: object): string[] {
  return requestWarnings.get(req) ?? [];
}

export function sendError(reply: FastifyReply, err: unknown, warnings: string[] = [], accept?: string): FastifyReply {
  const status = toStatus(err);
  const format = errorFormat(accept);
  // thousands of field errors: the JSON is written in slices, between other requests
  const large = format === 'json' ? largeInvalidOf(status) : undefined;
  // (or a worker rendered them: see write-offload.ts, which only hands over JSON)
  const rendered = format === 'json' ? renderedStatusOf(status) : undefined;
  const bytes = rendered ?? (large ? largeStatusStream(status, large) : serialize(status, format, false));
  if (warnings.length) reply.header('Warning', warningHeaders(warnings));
  if (status.details?.retryAfterSeconds) reply.header('Retry-After', String(status.details.retryAfterSeconds));
  return reply
    .code(status.code)
    .header('Content-Type', contentTypeOf(format))
    .header('Cache-Control', 'no-cache, private')
    .send(bytes);
}

export { StatusError, negotiateOutput };
