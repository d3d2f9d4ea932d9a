// OpenAPI definitions of CustomResourceDefinition-defined kinds, built the way
// apiextensions-apiserver publishes them (pkg/controller/openapi/builder): the version's
// openAPIV3Schema with apiVersion/kind/metadata added, x-kubernetes-group-version-kind, and a
// generated List kind. kplane's own kinds (tenancy.kplane.io Workspace) are CRDs shipped in
// <repo>/crds and loaded on first use.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments } from 'yaml';

import { crdDefinitionName } from './names.js';
import { deepFreeze, sortKeys, v3Ref, type JsonSchema } from './schemautil.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

export const API_VERSION_DESCRIPTION = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
export const KIND_DESCRIPTION = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const OBJECT_METADATA_DESCRIPTION = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DESCRIPTION = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }[];
  selectableFields?: { jsonPath: string }[];
}

/** The parts of an apiextensions.k8s.io/v1 CustomResourceDefinition the OpenAPI builder reads. */
export interface CRDLike {
  metadata?: { name?: string };
  spec: {
    group: string;
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: CRDVersion[];
    preserveUnknownFields?: boolean;
  };
}

export function crdListKind(crd: CRDLike): string {
  return crd.spec.names.listKind ?? `${crd.spec.names.kind}List`;
}

/** One served version of a CRD and the names of its kind and list definitions. */
function servedVersion(crd: CRDLike, version: string) {
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`CRD ${crd.metadata?.name ?? crd.spec.names.plural}: no version ${version}`);
  const { group, names } = crd.spec;
  const listKind = crdListKind(crd);
  return {
    v, group, names, listKind,
    kindName: crdDefinitionName(group, version, names.kind),
    listName: crdDefinitionName(group, version, listKind),
  };
}

/**
 * The kind and list definitions (OpenAPI v3 form) of one served version of a CRD, keyed by
 * definition name.
 */
export function crdDefinitions(crd: CRDLike, version: string): Record<string, JsonSchema> {
  const { v, group, names, listKind, kindName, listName } = servedVersion(crd, version);
  const selectable = v.selectableFields?.length
    ? v.selectableFields.map((f) => ({ fieldPath: f.jsonPath.replace(/^\./, '') }))
    : undefined;

  const raw = v.schema?.openAPIV3Schema;
  let kind: JsonSchema;
  if (!raw) {
    kind = { type: 'object' };
  } else {
    kind = unfold(structuredClone(raw)) as JsonSchema;
    const props = { ...((kind.properties as Record<string, JsonSchema> | undefined) ?? {}) };
    props.apiVersion = { description: API_VERSION_DESCRIPTION, type: 'string' };
    props.kind = { description: KIND_DESCRIPTION, type: 'string' };
    props.metadata = { allOf: [{ $ref: v3Ref(OBJECT_META) }], description: OBJECT_METADATA_DESCRIPTION };
    kind.properties = sortKeys(props);
  }
  kind['x-kubernetes-group-version-kind'] = [{ group, kind: names.kind, version }];
  if (selectable) kind['x-kubernetes-selectable-fields'] = selectable;

  const list: JsonSchema = {
    description: `${listKind} is a list of ${names.kind}`,
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      items: {
        description: `List of ${names.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: v3Ref(kindName) },
        type: 'array',
      },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { allOf: [{ $ref: v3Ref(LIST_META) }], description: LIST_METADATA_DESCRIPTION },
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group, kind: listKind, version }],
  };
  if (selectable) list['x-kubernetes-selectable-fields'] = selectable;
  return { [kindName]: kind, [listName]: list };
}

/**
 * Structural "unfold": x-kubernetes-int-or-string gets its anyOf [integer, string], and
 * x-kubernetes-embedded-resource objects get apiVersion/kind/metadata.
 */
function unfold(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(unfold);
  if (!s || typeof s !== 'object') return s;
  const o = s as JsonSchema;
  for (const k of ['properties', 'patternProperties', 'definitions']) {
    const p = o[k];
    if (p && typeof p === 'object') {
      for (const [name, sub] of Object.entries(p as Record<string, unknown>)) (p as Record<string, unknown>)[name] = unfold(sub);
    }
  }
  if (o.items && typeof o.items === 'object') o.items = unfold(o.items);
  if (o.additionalProperties && typeof o.additionalProperties === 'object') o.additionalProperties = unfold(o.additionalProperties);
  if (o['x-kubernetes-int-or-string'] === true && !isIntOrStringAnyOf(o.anyOf)) {
    const pair = [{ type: 'integer' }, { type: 'string' }];
    if (o.anyOf === undefined) o.anyOf = pair;
    else o.allOf = [{ anyOf: pair }, ...((o.allOf as unknown[] | undefined) ?? [])];
  }
  if (o['x-kubernetes-embedded-resource'] === true) {
    const props = { ...((o.properties as Record<string, JsonSchema> | undefined) ?? {}) };
    props.apiVersion = { description: 'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' };
    props.kind = { description: 'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' };
    props.metadata = { allOf: [{ $ref: v3Ref(OBJECT_META) }], description: OBJECT_METADATA_DESCRIPTION };
    o.properties = sortKeys(props);
    const req = new Set((o.required as string[] | undefined) ?? []);
    const required = [...((o.required as string[] | undefined) ?? [])];
    if (!req.has('kind')) required.push('kind');
    if (!req.has('apiVersion')) required.push('apiVersion');
    o.required = required;
  }
  return o;
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const t = anyOf.map((x) => (x as JsonSchema)?.type);
  return t[0] === 'integer' && t[1] === 'string';
}

/** Keys ToStructuralOpenAPIV2 drops (v2 has no anyOf/oneOf/not), plus defaults (PruneDefaults). */
const NOT_IN_V2 = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'nullable', 'default']);

/**
 * A CRD schema in the form kube publishes at /openapi/v2 (ToStructuralOpenAPIV2 + PruneDefaults):
 * no anyOf/allOf/oneOf/not, no defaults, nullable fields untyped and not required, the contents of
 * x-kubernetes-preserve-unknown-fields nodes dropped.
 */
function toV2Structural(s: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) {
    if (NOT_IN_V2.has(k)) continue;
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Record<string, JsonSchema> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, JsonSchema>)) props[pk] = toV2Structural(pv);
      out.properties = props;
    } else if (k === 'items' && v && typeof v === 'object' && !Array.isArray(v)) {
      out.items = toV2Structural(v as JsonSchema);
    } else if (k === 'additionalProperties' && v && typeof v === 'object') {
      out.additionalProperties = toV2Structural(v as JsonSchema);
    } else {
      out[k] = v;
    }
  }
  if (s.nullable === true) {
    delete out.type;
    delete out.items;
    delete out.properties;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out.items;
    delete out.properties;
    if (out.type === 'object') delete out.type;
  }
  if (out.type === 'array' && out.items === undefined) delete out.type;
  if (Array.isArray(out.required)) {
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    const addl = s.additionalProperties as JsonSchema | undefined;
    let req = (out.required as string[]).filter((r) => props[r]?.nullable !== true);
    if (addl && typeof addl === 'object' && addl.nullable === true) req = [];
    if (req.length) out.required = req;
    else delete out.required;
  }
  if (s['x-kubernetes-embedded-resource'] === true && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    const props = { ...((out.properties as Record<string, JsonSchema> | undefined) ?? {}) };
    props.apiVersion = { description: 'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' };
    props.kind = { description: 'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' };
    props.metadata = { $ref: V2_PREFIX + OBJECT_META, description: OBJECT_METADATA_DESCRIPTION };
    out.properties = sortKeys(props);
    const req = new Set((out.required as string[] | undefined) ?? []);
    const required = [...req];
    if (!req.has('kind')) required.push('kind');
    if (!req.has('apiVersion')) required.push('apiVersion');
    out.required = required;
  }
  return out;
}

const V2_PREFIX = '#/definitions/';

/** The kind and list definitions of one version of a CRD in OpenAPI v2 (swagger) form. */
export function crdDefinitionsV2(crd: CRDLike, version: string): Record<string, JsonSchema> {
  const { v, group, names, listKind, kindName, listName } = servedVersion(crd, version);
  const raw = v.schema?.openAPIV3Schema;
  let kind: JsonSchema;
  if (!raw || crd.spec.preserveUnknownFields || raw['x-kubernetes-preserve-unknown-fields'] === true) {
    kind = { type: 'object' };
  } else {
    kind = toV2Structural(raw);
    const props = { ...((kind.properties as Record<string, JsonSchema> | undefined) ?? {}) };
    props.apiVersion = { description: API_VERSION_DESCRIPTION, type: 'string' };
    props.kind = { description: KIND_DESCRIPTION, type: 'string' };
    props.metadata = { $ref: V2_PREFIX + OBJECT_META, description: OBJECT_METADATA_DESCRIPTION };
    kind.properties = sortKeys(props);
  }
  kind['x-kubernetes-group-version-kind'] = [{ group, kind: names.kind, version }];
  const list: JsonSchema = {
    description: `${listKind} is a list of ${names.kind}`,
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      items: {
        description: `List of ${names.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: V2_PREFIX + kindName },
        type: 'array',
      },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { $ref: V2_PREFIX + LIST_META, description: LIST_METADATA_DESCRIPTION },
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group, kind: listKind, version }],
  };
  return { [kindName]: kind, [listName]: list };
}

// ---------------------------------------------------------------------------------------------
// kplane's own CRDs

const BUILTIN_CRD_FILES = ['tenancy.kplane.io_workspaces.yaml'];

/** Parses a YAML file of CustomResourceDefinitions. */
export function loadCRDFile(file: string): CRDLike[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: CRDLike[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    const obj = d.toJSON() as { kind?: string } | null;
    if (obj && obj.kind === 'CustomResourceDefinition') out.push(obj as unknown as CRDLike);
  }
  return out;
}

let builtinCRDList: CRDLike[] | undefined;
let builtinCRDDefs: Map<string, JsonSchema> | undefined;
let builtinCRDDefsV2: Map<string, JsonSchema> | undefined;

/** kplane's own CRDs (from <repo>/crds), parsed once. */
export function builtinCRDs(): readonly CRDLike[] {
  if (!builtinCRDList) {
    const list: CRDLike[] = [];
    for (const f of BUILTIN_CRD_FILES) {
      list.push(...loadCRDFile(fileURLToPath(new URL(`../../crds/${f}`, import.meta.url))));
    }
    deepFreeze(list);
    builtinCRDList = list;
  }
  return builtinCRDList;
}

/** The v2 form of a definition built from kplane's own CRDs, or undefined. */
export function builtinCRDDefinitionV2(name: string): JsonSchema | undefined {
  if (!name.startsWith('io.kplane.')) return undefined;
  if (!builtinCRDDefsV2) {
    const defs = new Map<string, JsonSchema>();
    for (const crd of builtinCRDs()) {
      for (const v of crd.spec.versions) {
        if (!v.served) continue;
        for (const [n, d] of Object.entries(crdDefinitionsV2(crd, v.name))) defs.set(n, deepFreeze(d));
      }
    }
    builtinCRDDefsV2 = defs;
  }
  return builtinCRDDefsV2.get(name);
}

/** Built-in definition from kplane's own CRDs (io.kplane.*), or undefined. */
export function builtinCRDDefinition(name: string): JsonSchema | undefined {
  if (!name.startsWith('io.kplane.')) return undefined;
  if (!builtinCRDDefs) {
    const defs = new Map<string, JsonSchema>();
    for (const crd of builtinCRDs()) {
      for (const v of crd.spec.versions) {
        if (!v.served) continue;
        for (const [n, d] of Object.entries(crdDefinitions(crd, v.name))) defs.set(n, d);
      }
    }
    builtinCRDDefs = defs;
  }
  const d = builtinCRDDefs.get(name);
  return d ? structuredClone(d) : undefined;
}
