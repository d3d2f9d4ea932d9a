// Requests for the fuzz test, one per served OpenAPI v3 operation at a time: path parameters,
// query parameters, headers and bodies drawn from the operation's own description, well-formed
// often enough to reach deep into the handlers, malformed often enough to test every refusal.

import { stringify as toYaml } from 'yaml';
import type { Random } from './random.js';
import { NASTY_STRINGS } from './random.js';
import { anyValue, deepJSON, mutate, valueFor, type Components, type Schema } from './values.js';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

export interface Operation {
  method: string;
  /** The OpenAPI path below the cluster prefix, e.g. /api/v1/namespaces/{namespace}/configmaps/{name}. */
  path: string;
  parameters: Parameter[];
  bodySchema?: Schema;
  bodyTypes: string[];
  gvk?: { group: string; version: string; kind: string };
  action?: string;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The object a write would change: checked before and after a refused or dry-run write. */
  target?: string;
  dryRun: boolean;
  label: string;
}

interface OpenAPIDoc {
  paths: Record<string, Record<string, unknown> & { parameters?: Parameter[] }>;
  components?: { schemas?: Components };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function operationsOf(doc: OpenAPIDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as {
        parameters?: Parameter[]; 'x-kubernetes-action'?: string;
        'x-kubernetes-group-version-kind'?: Operation['gvk'];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      } | undefined;
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      const types = Object.keys(content);
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])],
        bodySchema: types.length ? content[types[0]!]!.schema : undefined,
        bodyTypes: types,
        gvk: op['x-kubernetes-group-version-kind'],
        action: op['x-kubernetes-action'],
      });
    }
  }
  return ops;
}

export const NAMES = ['fz-1', 'fz-2', 'fz-3'];
export const NAMESPACE = 'fuzz-a';

/** Percent-encoding that also takes lone surrogates (as their replacement character). */
function encode(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function pathValue(r: Random, param: string): string {
  if (param === 'namespace') {
    if (r.chance(0.85)) return NAMESPACE;
    return r.chance(0.5) ? r.pick(['default', 'nope', 'kube-system']) : encode(r.pick(NASTY_STRINGS).slice(0, 300));
  }
  if (r.chance(0.85)) return r.pick(NAMES);
  // sometimes sent raw: malformed percent-encoding and dot segments must be refused, not crash
  const s = r.pick(NASTY_STRINGS).slice(0, 300);
  return r.chance(0.7) ? encode(s) : r.pick(['%ZZ', '%', '..', '.', 'a%2Fb', '%E4%B8', '%00']);
}

const QUERY_POOLS: Record<string, readonly string[]> = {
  dryRun: ['All', 'All', 'all', 'Bogus', ''],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'strict', 'x', ''],
  propagationPolicy: ['Orphan', 'Background', 'Foreground', 'x', ''],
  labelSelector: ['a=b', 'a in (x,y)', '!a', 'a!=b,c', '(((', 'a=b=c', 'x/y/z=1', 'a notin ()', '='],
  fieldSelector: ['metadata.name=fz-1', 'metadata.namespace!=x', 'spec.x=y', 'metadata.name==x', 'a', '=', 'type=Opaque'],
  resourceVersion: ['0', '1', '', '18446744073709551616', '999999999999', 'abc', '-1', '1.5'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'x', ''],
  continue: ['', 'garbage', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ4In0', '%%%'],
  fieldManager: ['fuzzer', '', 'x'.repeat(200), '中'],
  pretty: ['true', 'false', 'x'],
};

function queryValue(r: Random, p: Parameter): string {
  const pool = QUERY_POOLS[p.name];
  if (pool && r.chance(0.9)) return r.pick(pool);
  switch (p.schema?.type) {
    case 'boolean': return r.pick(['true', 'false', '1', '0', 'yes', '', 'TRUE']);
    case 'integer': return r.pick(['0', '1', '-1', '10', '500', '99999999999999999999', 'abc', '1.5', '']);
    default: return r.pick(NASTY_STRINGS).slice(0, 200);
  }
}

const ACCEPTS = [
  'application/json', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf',
  'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io',
  '*/*', 'text/html', 'application/json;as=Bogus;v=v1;g=meta.k8s.io', 'application/json;stream=watch', ';;;', 'a/b/c',
];

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function jsonPatchOps(r: Random): unknown[] {
  return Array.from({ length: r.int(0, 4) }, () => ({
    op: r.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus']),
    path: r.pick(['/metadata/labels/x', '/metadata/labels', '/spec', '/', '', '/data/a~1b', '/metadata/finalizers/-', '/metadata/name', '/x/y/z', '/metadata/finalizers/99']),
    ...(r.chance(0.5) ? { from: r.pick(['/metadata/labels', '/metadata', '/nope']) } : {}),
    ...(r.chance(0.8) ? { value: anyValue(r, 0) } : {}),
  }));
}

function wellFormed(op: Operation, components: Components, r: Random, name: string): Record<string, unknown> {
  const obj = (op.bodySchema ? valueFor(op.bodySchema, components, r) : {}) as Record<string, unknown>;
  const base = obj && typeof obj === 'object' && !Array.isArray(obj) ? obj : {};
  if (op.gvk && r.chance(0.9)) {
    base.apiVersion = op.gvk.group ? `${op.gvk.group}/${op.gvk.version}` : op.gvk.version;
    base.kind = op.gvk.kind;
  }
  const meta = (base.metadata && typeof base.metadata === 'object' ? base.metadata : {}) as Record<string, unknown>;
  // no owner references: the garbage collector would delete such objects while the test watches them
  delete meta.ownerReferences;
  if (r.chance(0.9)) meta.name = name;
  if (r.chance(0.9)) delete meta.resourceVersion;
  base.metadata = meta;
  return base;
}

/** The body and its Content-Type, in one of many shapes. */
function body(op: Operation, components: Components, r: Random, name: string): { type: string; data: Buffer } {
  const good = () => wellFormed(op, components, r, name);
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const declared = op.method === 'PATCH' ? r.pick(PATCH_TYPES) : r.pick(['application/json', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  switch (r.int(0, 12)) {
    case 0: case 1: case 2: {
      if (declared === 'application/json-patch+json') return { type: declared, data: json(jsonPatchOps(r)) };
      if (declared === 'application/yaml' || declared === 'application/apply-patch+yaml') return { type: declared, data: Buffer.from(toYaml(good())) };
      if (declared === 'application/vnd.kubernetes.protobuf') return { type: declared, data: Buffer.concat([Buffer.from('k8s\0'), r.bytes(r.int(0, 64))]) };
      return { type: declared, data: json(good()) };
    }
    case 3: case 4: return { type: declared === 'application/json-patch+json' ? 'application/merge-patch+json' : 'application/json', data: json(good()) };
    case 5: return { type: declared, data: json(mutate(good(), r)) };
    case 6: return { type: declared, data: r.bytes(r.int(0, 256)) };
    case 7: { const t = JSON.stringify(good()); return { type: declared, data: Buffer.from(t.slice(0, r.int(0, t.length))) }; }
    case 8: return { type: declared, data: Buffer.from(r.pick(['[]', '"x"', '1', 'null', '', '{', '{"metadata":null}', '{"kind":1}', '---\n---\n', '- a\n- b\n'])) };
    case 9: return { type: declared, data: Buffer.from(r.chance(0.5) ? deepJSON(r.int(100, 20_000), '[', ']') : deepJSON(r.int(100, 20_000), '{"a":', '}').replace(/\{"a":\}/, '{"a":1}')) };
    case 10: return { type: r.pick(['text/plain', 'application/xml', 'bogus', 'application/json; charset=latin1', 'multipart/form-data']), data: json(good()) };
    case 11: return { type: 'application/yaml', data: Buffer.from(`${toYaml(good())}\n---\n${toYaml(mutate(good(), r))}`) };
    default: return { type: declared, data: json({ ...good(), [r.pick(['中', '\u0000', '😀', 'a'.repeat(100), 'status'])]: anyValue(r, 0) }) };
  }
}

/** The object path a request writes, without its subresource, e.g. .../configmaps/fz-1. */
function objectPath(op: Operation, path: string, bodyName: unknown): string | undefined {
  const hasName = op.path.endsWith('{name}') || /\{name\}\/[a-z]+$/.test(op.path);
  if (hasName) return op.path.endsWith('{name}') ? path : path.replace(/\/[a-z]+$/, '');
  if (op.method === 'POST' && typeof bodyName === 'string' && /^[a-z0-9]([-a-z0-9.]{0,60}[a-z0-9])?$/.test(bodyName)) return `${path}/${bodyName}`;
  return undefined;
}

export function buildRequest(op: Operation, components: Components, r: Random, clusterPrefix: string): FuzzRequest {
  let path = op.path;
  for (const m of op.path.matchAll(/\{([^}]+)\}/g)) path = path.replace(m[0], pathValue(r, m[1]!));
  const query = new URLSearchParams();
  let dryRun = false;
  for (const p of op.parameters) {
    if (p.in !== 'query' || !r.chance(0.3)) continue;
    const v = queryValue(r, p);
    if (p.name === 'dryRun' && v === 'All') dryRun = true;
    query.append(p.name, v);
  }
  if (r.chance(0.03)) query.append(r.pick(['bogus', 'watch', 'timeoutSeconds', 'limit']), r.pick(['1', 'true', 'x']));
  const headers: Record<string, string> = {};
  if (r.chance(0.8)) headers.Accept = r.pick(ACCEPTS);
  let data: Buffer | undefined;
  let bodyName: unknown;
  const writes = op.method !== 'GET';
  if (op.bodyTypes.length > 0 || (writes && r.chance(0.3))) {
    const name = path.endsWith('}') ? 'fz-1' : (/\/([^/]+)$/.exec(path)?.[1] ?? 'fz-1');
    const b = body(op, components, r, op.path.endsWith('{name}') && r.chance(0.9) ? safeDecode(name) : r.pick(NAMES));
    if (!(op.method === 'DELETE' && r.chance(0.5))) {
      headers['Content-Type'] = b.type;
      data = b.data;
      try {
        bodyName = (JSON.parse(b.data.toString('utf8')) as { metadata?: { name?: unknown } }).metadata?.name;
      } catch { /* not JSON: no name to check */ }
    }
  }
  if (op.method === 'DELETE' && data && data.length > 0) {
    // a DELETE with a body takes its options from the body and ignores the query, as kube does:
    // whether it is a dry run is what the body says
    dryRun = false;
    try {
      const opts = JSON.parse(data.toString('utf8')) as { dryRun?: unknown };
      dryRun = Array.isArray(opts?.dryRun) && opts.dryRun.includes('All');
    } catch { /* not JSON: kube refuses it or reads no dryRun from it */ }
  }
  const full = `${clusterPrefix}${path}${query.size ? `?${query}` : ''}`;
  const target = writes ? objectPath(op, path, bodyName) : undefined;
  return {
    method: op.method,
    path: full,
    headers,
    body: data,
    target: target && !/%|\.\./.test(target) ? `${clusterPrefix}${target}` : undefined,
    dryRun,
    label: `${op.method} ${op.path}`,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return 'fz-1';
  }
}
