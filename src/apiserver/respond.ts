// Writing responses: serialisation (JSON or YAML), the meta.k8s.io conversions (Table,
// PartialObjectMetadata and its List), Status errors and Warning headers.

import type { FastifyReply } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { internalError, isStatusError, StatusError, type Status } from '../apimachinery/errors.js';
import type { KubeList, KubeObject } from '../apimachinery/object.js';
import { defaultTableConvertor } from '../registry/table.js';
import type { ResourceType } from '../registry/types.js';
import type { Output } from './negotiate.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function serialize(body: unknown, format: 'json' | 'yaml', pretty: boolean): string {
  if (format === 'yaml') return toYaml(body, { lineWidth: 0 });
  return (pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body)) + '\n';
}

function contentTypeFor(output: Output): string {
  const base = output.format === 'yaml' ? 'application/yaml' : 'application/json';
  return output.as ? `${base};as=${output.as};g=meta.k8s.io;v=${output.version}` : base;
}

/** kube's `Warning: 299 - "text"` header values. */
export function warningHeaders(warnings: string[]): string[] {
  return [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' '))}`);
}

function partialMetadata(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function tableFor(type: ResourceType, objects: KubeObject[], include: IncludeObject, version: string,
  listMeta: KubeList['metadata'] | undefined, now: Date, withColumns = true): KubeObject {
  const table = type.strategy.table ?? defaultTableConvertor;
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: table.cells(o, now) };
    if (include === 'Object') row.object = o;
    else if (include === 'Metadata') row.object = partialMetadata(o, version);
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: (listMeta ?? {}) as KubeObject['metadata'],
    ...(withColumns ? { columnDefinitions: table.columns } : {}),
    rows,
  };
}

/** Converts a single object for the negotiated output. */
export function convertObject(type: ResourceType, obj: KubeObject, output: Output, include: IncludeObject, now: Date): unknown {
  if (!output.as) return obj;
  if (output.as === 'Table') return tableFor(type, [obj], include, output.version, { resourceVersion: obj.metadata.resourceVersion }, now);
  if (output.as === 'PartialObjectMetadata') return partialMetadata(obj, output.version);
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${output.version}`, metadata: {}, items: [partialMetadata(obj, output.version)] };
}

/** Converts a list for the negotiated output. */
export function convertList(type: ResourceType, list: KubeList, output: Output, include: IncludeObject, now: Date): unknown {
  if (!output.as) return list;
  if (output.as === 'Table') return tableFor(type, list.items, include, output.version, list.metadata, now);
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${output.version}`,
    metadata: list.metadata,
    items: list.items.map((o) => partialMetadata(o, output.version)),
  };
}

export function send(reply: FastifyReply, code: number, body: unknown, output: Output, pretty: boolean, warnings: string[] = []): FastifyReply {
  if (warnings.length) reply.header('Warning', warningHeaders(warnings));
  return reply
    .code(code)
    .header('Content-Type', contentTypeFor(output))
    .header('Cache-Control', 'no-cache, private')
    .send(serialize(body, output.format, pretty));
}

/** Any thrown value as the Status kube-apiserver would send. */
export function toStatus(err: unknown): Status {
  if (isStatusError(err)) return err.status;
  return internalError(err).status;
}

export function sendError(reply: FastifyReply, err: unknown, warnings: string[] = []): FastifyReply {
  const status = toStatus(err);
  if (warnings.length) reply.header('Warning', warningHeaders(warnings));
  if (status.details?.retryAfterSeconds) reply.header('Retry-After', String(status.details.retryAfterSeconds));
  return reply
    .code(status.code)
    .header('Content-Type', 'application/json')
    .header('Cache-Control', 'no-cache, private')
    .send(JSON.stringify(status) + '\n');
}

export { StatusError };
