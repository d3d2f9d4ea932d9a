// OpenAPI v3 and v2 documents of a logical cluster's served resources, as kube-apiserver publishes
// them at /openapi/v3/<group-version> and /openapi/v2. Documents are serialized once per served set
// (and definition sources) and shared process-wide.

import { createHash } from 'node:crypto';

import { isBuiltinGroup, sortGroups, sortVersions } from '../discovery/priorities.js';
import { servedSetKey } from '../discovery/servedset.js';
import { Lru } from '../util/lru.js';
import type { ResourceType } from '../registry/types.js';
import { definitionClosure, definitionSourceHash, getDefinition, getDefinitionV2, v3ToV2 } from './definitions.js';
import { PER_GROUP_VERSION_KINDS } from './facts.js';
import {
  KUBE_MEDIA_TYPES, groupPath, resourceListPath, resourcePaths, rootPath, versionPath, type MediaTypeOptions, type PathSpec,
} from './paths.js';
import { operationSchemas, renderV2PathItem, renderV3PathItem } from './render.js';
import { sortedDeep, type JsonSchema } from './schemautil.js';

export interface OpenAPIOptions {
  /** Definition sources (registerDefinitions keys) searched before the built-ins, e.g. a cluster's CRDs. */
  definitionSources?: readonly string[];
  /** info.version of the documents; kube-apiserver publishes "<major>.<minor>". Default "1.34". */
  serverVersion?: string;
  /** Media types published for responses (default: kube's JSON, YAML, protobuf and their watch streams). */
  media?: MediaTypeOptions;
}

export interface OpenAPIDocument {
  body: Buffer;
  contentType: string;
  /** Unquoted ETag: uppercase hex SHA-512 of the JSON body (kube's hash). */
  etag: string;
  lastModified: Date;
}

const SECURITY_SCHEME = { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } };

function optionsKey(opts: OpenAPIOptions): string {
  return `${opts.serverVersion ?? ''}|${opts.media ? JSON.stringify(opts.media) : ''}`;
}

function sourcesKey(opts: OpenAPIOptions): string {
  return (opts.definitionSources ?? []).map((s) => `${s}=${definitionSourceHash(s) ?? '-'}`).join(',');
}

/** Built-in group versions served (they appear in the DeleteOptions/WatchEvent GVK lists). */
function builtinGVKey(types: readonly ResourceType[]): string {
  const gvs = new Set<string>();
  for (const t of types) if (isBuiltinGroup(t.group)) gvs.add(`${t.group}/${t.version}`);
  return [...gvs].sort().join(',');
}

/**
 * Cache key of one v3 document: only what its content depends on, so that clusters serving the
 * same group version share it even when they serve different CRDs elsewhere.
 */
function v3DocKey(types: readonly ResourceType[], path: string, opts: OpenAPIOptions): string {
  const parts = path.split('/');
  const base = `v3|${path}|${optionsKey(opts)}`;
  const isGroupVersion = (parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3);
  // api, apis, version and group documents do not depend on the served resources
  if (!isGroupVersion) return base;
  const group = parts[0] === 'api' ? '' : parts[1]!;
  const version = parts[0] === 'api' ? parts[1]! : parts[2]!;
  const gvTypes = types.filter((t) => t.group === group && t.version === version);
  const builtin = isBuiltinGroup(group);
  return `${base}|${servedSetKey(gvTypes)}|${builtinGVKey(types)}|${builtin ? '' : sourcesKey(opts)}`;
}

function v2DocKey(types: readonly ResourceType[], opts: OpenAPIOptions): string {
  return `v2|${servedSetKey(types)}|${sourcesKey(opts)}|${optionsKey(opts)}`;
}

function sha512Hex(b: Buffer): string {
  return createHash('sha512').update(b).digest('hex').toUpperCase();
}

function makeDoc(obj: unknown, contentType = 'application/json'): OpenAPIDocument {
  const body = Buffer.from(JSON.stringify(sortedDeep(obj)));
  return { body, contentType, etag: sha512Hex(body), lastModified: new Date() };
}

/** Group versions served, in discovery order, as "api/v1" / "apis/<g>/<v>". */
function servedGroupVersions(types: readonly ResourceType[]): { group: string; version: string; key: string }[] {
  const versions = new Map<string, Set<string>>();
  for (const t of types) {
    let s = versions.get(t.group);
    if (!s) versions.set(t.group, (s = new Set()));
    s.add(t.version);
  }
  const out: { group: string; version: string; key: string }[] = [];
  const groups = sortGroups(versions.keys(), (g) => [...versions.get(g)!]);
  for (const g of groups) {
    for (const v of sortVersions(g, versions.get(g)!)) out.push({ group: g, version: v, key: g ? `apis/${g}/${v}` : `api/${v}` });
  }
  return out;
}

/** The paths of the /openapi/v3 index: api, api/v1, apis, apis/<builtin group>, apis/<g>/<v>, version. */
export function openapiV3Paths(types: readonly ResourceType[]): string[] {
  const keys = new Set<string>(['api', 'apis', 'version']);
  for (const gv of servedGroupVersions(types)) {
    keys.add(gv.key);
    // kube publishes group documents for its own groups only (CRD groups have none)
    if (gv.group && isBuiltinGroup(gv.group)) keys.add(`apis/${gv.group}`);
  }
  return [...keys].sort();
}

/**
 * GVK lists of DeleteOptions/WatchEvent: every built-in group version served (sorted like kube);
 * a custom resource group's document (apiextensions-apiserver's builder) lists them without
 * apiextensions.k8s.io.
 */
function perGroupVersionGVKs(types: readonly ResourceType[], kind: string, customGroup: boolean): JsonSchema[] {
  const gvs = new Set<string>();
  for (const t of types) {
    if (isBuiltinGroup(t.group) && !(customGroup && t.group === 'apiextensions.k8s.io')) gvs.add(`${t.group}\0${t.version}`);
  }
  return [...gvs]
    .map((k) => k.split('\0') as [string, string])
    .sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([group, version]) => ({ group, kind, version }));
}

function components(
  types: readonly ResourceType[], roots: string[], opts: OpenAPIOptions, v2: boolean, customGroup = false,
): Record<string, JsonSchema> {
  const srcs = opts.definitionSources ?? [];
  const out: Record<string, JsonSchema> = {};
  for (const name of definitionClosure(roots, srcs)) {
    const d = v2 ? getDefinitionV2(name, srcs) : getDefinition(name, srcs);
    if (!d) continue;
    const perGV = PER_GROUP_VERSION_KINDS[name];
    out[name] = perGV ? { ...d, 'x-kubernetes-group-version-kind': perGroupVersionGVKs(types, perGV, customGroup) } : d;
  }
  return out;
}

function gvPathSpecs(types: readonly ResourceType[], group: string, version: string, media: MediaTypeOptions): PathSpec[] {
  const list = types.filter((t) => t.group === group && t.version === version)
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  const specs: PathSpec[] = [];
  if (isBuiltinGroup(group)) specs.push(resourceListPath(group, version, media));
  for (const t of list) specs.push(...resourcePaths(t, media));
  return specs;
}

/** The OpenAPI v3 document of one index path as a plain object, or undefined when not served. */
export function openapiV3Object(types: readonly ResourceType[], path: string, opts: OpenAPIOptions = {}): JsonSchema | undefined {
  const media = opts.media ?? KUBE_MEDIA_TYPES;
  const p = path.replace(/^\/+|\/+$/g, '');
  let specs: PathSpec[];
  let builtin = true;
  if (p === 'api') specs = [rootPath('api', media)];
  else if (p === 'apis') specs = [rootPath('apis', media)];
  else if (p === 'version') specs = [versionPath()];
  else {
    const parts = p.split('/');
    if (parts[0] === 'api' && parts.length === 2) {
      if (!types.some((t) => t.group === '' && t.version === parts[1])) return undefined;
      specs = gvPathSpecs(types, '', parts[1]!, media);
    } else if (parts[0] === 'apis' && parts.length === 2) {
      if (!isBuiltinGroup(parts[1]!) || !types.some((t) => t.group === parts[1])) return undefined;
      specs = [groupPath(parts[1]!, media)];
    } else if (parts[0] === 'apis' && parts.length === 3) {
      if (!types.some((t) => t.group === parts[1] && t.version === parts[2])) return undefined;
      specs = gvPathSpecs(types, parts[1]!, parts[2]!, media);
      builtin = isBuiltinGroup(parts[1]!);
    } else {
      return undefined;
    }
  }
  const paths: JsonSchema = {};
  for (const s of specs) paths[s.path] = renderV3PathItem(s);
  const comps: JsonSchema = { schemas: components(types, operationSchemas(specs), opts, false, !builtin) };
  if (builtin) comps.securitySchemes = SECURITY_SCHEME;
  return {
    components: comps,
    info: builtin ? { title: 'Kubernetes', version: opts.serverVersion ?? '1.34' } : { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    openapi: '3.0.0',
    paths,
  };
}

const v3Cache = new Lru<string, OpenAPIDocument>(128);

/**
 * The serialized OpenAPI v3 document of an index path ("api/v1", "apis/rbac.authorization.k8s.io/v1",
 * "apis/rbac.authorization.k8s.io", "api", "apis", "version"), or undefined when not served.
 */
export function openapiV3Document(types: readonly ResourceType[], groupVersion: string, opts: OpenAPIOptions = {}): OpenAPIDocument | undefined {
  const path = groupVersion.replace(/^\/+|\/+$/g, '');
  if (!openapiV3Paths(types).includes(path)) return undefined;
  const key = v3DocKey(types, path, opts);
  let d = v3Cache.get(key);
  if (!d) {
    const obj = openapiV3Object(types, path, opts);
    if (!obj) return undefined;
    d = makeDoc(obj);
    v3Cache.set(key, d);
  }
  return d;
}

/** URL of a document below the server base, as clients see it: "/clusters/root/openapi/v3/api/v1?hash=...". */
export function openapiV3URL(basePath: string, groupVersion: string, hash: string): string {
  const base = basePath.replace(/\/+$/, '');
  const gv = groupVersion.split('/').map(encodeURIComponent).join('/');
  return `${base}/openapi/v3/${gv}?hash=${hash}`;
}

/**
 * The /openapi/v3 discovery index. `basePath` is the path prefix of the logical cluster on the
 * server ("/clusters/root"): serverRelativeURLs must carry it, because kubectl 1.27+ strips the
 * client's own path prefix from them before re-adding it (client-go openapi.Client.Paths), while
 * older clients use them as absolute paths.
 */
export function openapiV3Index(types: readonly ResourceType[], basePath: string, opts: OpenAPIOptions = {}): OpenAPIDocument {
  // Not cached: every logical cluster has its own prefix, and rendering is cheap once the
  // (shared) documents are built.
  const paths: Record<string, { serverRelativeURL: string }> = {};
  let newest = 0;
  for (const p of openapiV3Paths(types)) {
    const doc = openapiV3Document(types, p, opts);
    if (!doc) continue;
    paths[p] = { serverRelativeURL: openapiV3URL(basePath, p, doc.etag) };
    newest = Math.max(newest, doc.lastModified.getTime());
  }
  const d = makeDoc({ paths });
  d.lastModified = new Date(newest || Date.now());
  return d;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v2

/** The swagger 2.0 document of everything the cluster serves, as a plain object. */
export function openapiV2Object(types: readonly ResourceType[], opts: OpenAPIOptions = {}): JsonSchema {
  const media = opts.media ?? KUBE_MEDIA_TYPES;
  const specs: PathSpec[] = [rootPath('api', media), rootPath('apis', media), versionPath()];
  for (const gv of servedGroupVersions(types)) {
    if (gv.group && isBuiltinGroup(gv.group) && !specs.some((s) => s.path === `/apis/${gv.group}/`)) specs.push(groupPath(gv.group, media));
    specs.push(...gvPathSpecs(types, gv.group, gv.version, media));
  }
  const paths: JsonSchema = {};
  for (const s of specs) paths[s.path] = renderV2PathItem(s);
  return {
    definitions: components(types, operationSchemas(specs), opts, true),
    info: { title: 'Kubernetes', version: opts.serverVersion ?? '1.34' },
    paths,
    security: [{ BearerToken: [] }],
    securityDefinitions: SECURITY_SCHEME,
    swagger: '2.0',
  };
}

const v2Cache = new Lru<string, OpenAPIDocument>(16);

/** The serialized /openapi/v2 document (JSON). */
export function openapiV2Document(types: readonly ResourceType[], opts: OpenAPIOptions = {}): OpenAPIDocument {
  const key = v2DocKey(types, opts);
  let d = v2Cache.get(key);
  if (!d) {
    d = makeDoc(openapiV2Object(types, opts));
    v2Cache.set(key, d);
  }
  return d;
}

/** Converts one v3 component schema to its v2 form (exported for callers building their own docs). */
export { v3ToV2 };
