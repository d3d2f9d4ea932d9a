// OpenAPI definitions of the kinds kplane serves, derived at runtime from @kubernetes/client-node's
// generated models (see clientnode.ts) plus the facts client-node lacks (facts.ts), in the shape
// kube-apiserver publishes them in OpenAPI v3 (`#/components/schemas/...` references, `allOf`
// wrappers for references with siblings, zero-value defaults, x-kubernetes-* extensions).
//
// Everything is built lazily, one definition at a time, and memoized for the life of the process:
// a definition (and its resolved SchemaNode) is shared by every logical cluster.
//
// Definition sources: built-in definitions are always available. Other definitions (CRD schemas,
// later per logical cluster) are added with registerDefinitions(source, defs) and looked up by
// passing the source keys to getDefinition/resolveSchema; a source can be replaced or dropped.

import { createHash } from 'node:crypto';

import type { SchemaNode } from '../apimachinery/schema.js';
import { loadModel, type ModelAttribute } from './clientnode.js';
import {
  builtinCRDDefinition, builtinCRDDefinitionV2, crdDefinitions, crdDefinitionsV2, type CRDLike,
} from './crd.js';
import {
  APIEXTENSIONS_JSON_TYPES, CUSTOM_DEFINITIONS, CUSTOM_DEFINITIONS_V2, DEFINITION_DESCRIPTIONS, ENUM_FACTS, FIELD_DEFAULTS, FIELDS_V1, PARAGRAPH_FIELDS, INT_OR_STRING, MICRO_TIME, PATCH_FACTS, PER_GROUP_VERSION_KINDS,
  POINTER_SCALAR_FIELDS, POINTER_STRUCT_FIELDS, PROPERTY_DESCRIPTIONS, PROPERTY_TYPE_OVERRIDES, QUANTITY, RAW_EXTENSION, REQUIRED_ORDER, TIME,
  UNVERSIONED_KINDS, ZERO_DEFAULT_FIELDS, type EnumFacts, type ListFacts,
} from './facts.js';
import { classForDefinition, definitionForClass, groupOfPackage, localName, packageOf } from './names.js';
import { V2_REF_PREFIX, deepFreeze, refName, sortKeys, stableStringify, v3Ref, type JsonSchema } from './schemautil.js';

export type { JsonSchema } from './schemautil.js';
export { V2_REF_PREFIX, V3_REF_PREFIX, refName, sortKeys, sortedDeep, stableStringify, v3Ref } from './schemautil.js';

// ---------------------------------------------------------------------------------------------
// Built-in definitions

const builtinCache = new Map<string, JsonSchema | null>();

function builtinDefinition(name: string): JsonSchema | undefined {
  const hit = builtinCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const def = buildBuiltin(name) ?? null;
  if (def) deepFreeze(def);
  builtinCache.set(name, def);
  return def ?? undefined;
}

function buildBuiltin(name: string): JsonSchema | undefined {
  const custom = CUSTOM_DEFINITIONS[name];
  if (custom) return structuredClone(custom);
  const crd = builtinCRDDefinition(name);
  if (crd) return crd;
  const cls = classForDefinition(name);
  if (!cls) return undefined;
  const model = loadModel(cls);
  if (!model) return undefined;
  return modelDefinition(name, DEFINITION_DESCRIPTIONS[name] ?? model.description, model.attributes);
}

const PRIMITIVES: Record<string, string> = { string: 'string', boolean: 'boolean' };

interface TypeInfo {
  schema: JsonSchema;
  /** The definition referenced when the (innermost) type is a reference. */
  ref?: string;
  /** A reference to a generated struct definition (gets `default: {}` when not a Go pointer). */
  isStruct: boolean;
  /** A scalar that gets a zero default when its field is required. */
  zero?: unknown;
}

function isCustom(name: string): boolean {
  return CUSTOM_DEFINITIONS[name] !== undefined;
}

function refSchema(name: string): TypeInfo {
  return { schema: { $ref: v3Ref(name) }, ref: name, isStruct: !isCustom(name) };
}

/** Schema of a client-node TS type. `override` is a definition name (or "map:<name>") from facts. */
function typeInfo(type: string, format: string, pkg: string, override?: string): TypeInfo {
  if (override) {
    if (override.startsWith('map:')) {
      const inner = refSchema(override.slice(4));
      return { schema: { additionalProperties: inner.schema, type: 'object' }, isStruct: false };
    }
    if (override.startsWith('list:')) {
      const inner = refSchema(override.slice(5));
      return { schema: { items: inner.schema, type: 'array' }, isStruct: false };
    }
    return refSchema(override);
  }
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    const inner = elementInfo(m[1]!, format, pkg);
    return { schema: { items: inner, type: 'array' }, isStruct: false };
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    const inner = elementInfo(m[1]!, format, pkg);
    return { schema: { additionalProperties: inner, type: 'object' }, isStruct: false };
  }
  switch (type) {
    case 'string': {
      const s: JsonSchema = { type: 'string' };
      if (format) s.format = format;
      const t: TypeInfo = { schema: s, isStruct: false };
      if (format !== 'byte') t.zero = '';
      return t;
    }
    case 'boolean':
      return { schema: { type: PRIMITIVES[type]! }, isStruct: false, zero: false };
    case 'number': {
      if (format === 'double' || format === 'float') {
        return { schema: { format, type: 'number' }, isStruct: false, zero: 0 };
      }
      const s: JsonSchema = { type: 'integer' };
      if (format) s.format = format;
      return { schema: s, isStruct: false, zero: 0 };
    }
    case 'Date':
      return refSchema(TIME);
    case 'V1MicroTime':
      return refSchema(MICRO_TIME);
    case 'IntOrString':
      return refSchema(INT_OR_STRING);
    case 'any':
    case 'object':
      return { schema: { type: 'object' }, isStruct: false };
    default: {
      const def = definitionForClass(type, pkg);
      if (!def) return { schema: { type: 'object' }, isStruct: false };
      return refSchema(def);
    }
  }
}

/** Array items and map values: struct references get `default: {}`, scalars their zero value. */
function elementInfo(type: string, format: string, pkg: string): JsonSchema {
  const t = typeInfo(type, format, pkg);
  if (t.ref) {
    return t.isStruct ? { allOf: [t.schema], default: {} } : t.schema;
  }
  if (t.zero !== undefined && t.schema.type !== 'object' && t.schema.type !== 'array') {
    return { default: t.zero, ...t.schema };
  }
  return t.schema;
}

function applyEnum(prop: JsonSchema, e: EnumFacts): void {
  if (e.items) {
    prop.items = sortKeys({ ...(prop.items as JsonSchema), enum: [...e.values] });
    return;
  }
  prop.enum = [...e.values];
  const lines = e.values.map((v) => ` - \`${JSON.stringify(v)}\`${e.docs?.[v] ? ` ${e.docs[v]}` : ''}`);
  prop.description = `${(prop.description as string | undefined) ?? ''}\n\nPossible enum values:\n${lines.join('\n')}`;
}

function applyListFacts(s: JsonSchema, f: ListFacts): void {
  if (f.listMapKeys) s['x-kubernetes-list-map-keys'] = [...f.listMapKeys];
  if (f.listType) s['x-kubernetes-list-type'] = f.listType;
  if (f.mapType) s['x-kubernetes-map-type'] = f.mapType;
  if (f.patchMergeKey) s['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
  if (f.patchStrategy) s['x-kubernetes-patch-strategy'] = f.patchStrategy;
}

/** Descriptions client-node copies onto properties from the referenced type: not the field's. */
const TYPE_DESCRIPTIONS = new Set(
  [MICRO_TIME, INT_OR_STRING, TIME, QUANTITY, ...APIEXTENSIONS_JSON_TYPES].map((n) => (CUSTOM_DEFINITIONS[n]!.description as string)),
);

function modelDefinition(name: string, description: string | undefined, attrs: ModelAttribute[]): JsonSchema {
  const pkg = packageOf(name);
  const overrides = PROPERTY_TYPE_OVERRIDES[name] ?? {};
  const facts = PATCH_FACTS[name] ?? {};
  const descs = PROPERTY_DESCRIPTIONS[name] ?? {};
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const sorted = [...attrs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const a of sorted) {
    const t = typeInfo(a.type, a.format, pkg, overrides[a.name]);
    let desc: string | undefined = descs[a.name] ?? a.description;
    if (desc && PARAGRAPH_FIELDS[name]?.includes(a.name)) desc = desc.replace(/\.  (?=\S)/g, '.\n\n');
    if (desc !== undefined && descs[a.name] === undefined && t.ref && TYPE_DESCRIPTIONS.has(desc)) desc = undefined;
    let prop: JsonSchema;
    if (t.ref) {
      const wrapper: JsonSchema = {};
      if (t.isStruct && !POINTER_STRUCT_FIELDS.has(`${name}.${a.name}`)) wrapper.default = {};
      if (desc) wrapper.description = desc;
      prop = Object.keys(wrapper).length ? { allOf: [t.schema], ...wrapper } : { ...t.schema };
    } else {
      prop = { ...t.schema };
      if ((a.required || ZERO_DEFAULT_FIELDS.has(`${name}.${a.name}`)) && t.zero !== undefined && !POINTER_SCALAR_FIELDS.has(`${name}.${a.name}`)) prop.default = t.zero;
      if (FIELD_DEFAULTS[`${name}.${a.name}`] !== undefined) prop.default = FIELD_DEFAULTS[`${name}.${a.name}`];
      if (desc) prop.description = desc;
    }
    const f = facts[a.name];
    if (f) applyListFacts(prop, f);
    const e = ENUM_FACTS[name]?.[a.name];
    if (e) applyEnum(prop, e);
    properties[a.name] = sortKeys(prop);
    if (a.required) required.push(a.name);
  }
  const def: JsonSchema = {};
  if (description) def.description = description;
  def.properties = properties;
  if (required.length) def.required = REQUIRED_ORDER[name] ?? required;
  def.type = 'object';
  const top = facts[''];
  if (top) applyListFacts(def, top);
  const gvk = builtinGVK(name, properties);
  if (gvk) def['x-kubernetes-group-version-kind'] = gvk;
  return def;
}

/**
 * x-kubernetes-group-version-kind of a built-in definition: kinds (types with apiVersion, kind and
 * metadata) of their package's group; meta kinds from the facts tables.
 */
function builtinGVK(name: string, properties: Record<string, JsonSchema>): JsonSchema[] | undefined {
  const unversioned = UNVERSIONED_KINDS[name];
  if (unversioned) return [{ group: '', kind: unversioned, version: 'v1' }];
  const perGV = PER_GROUP_VERSION_KINDS[name];
  if (perGV) return [{ group: '', kind: perGV, version: 'v1' }];
  const pkg = packageOf(name);
  const group = groupOfPackage(pkg);
  if (group === undefined) return undefined;
  if (!properties.apiVersion || !properties.kind || !properties.metadata) return undefined;
  return [{ group, kind: localName(name), version: localName(pkg) }];
}

// ---------------------------------------------------------------------------------------------
// Registered sources

interface Source {
  defs: Map<string, JsonSchema>;
  /** OpenAPI v2 forms given at registration (CRDs); others are converted from v3. */
  defsV2: Map<string, JsonSchema>;
  /** Content hash, part of cache keys of documents built from the source. */
  hash: string;
  resolved: Map<string, SchemaNode>;
  /** CRD schemas: structural, an object without properties knows no fields (see closeStructural). */
  structural: boolean;
}

const sources = new Map<string, Source>();
let sourcesGeneration = 0;

export interface RegisterOptions {
  /** The OpenAPI v2 (swagger) forms of some definitions, when not a plain conversion of the v3 ones. */
  v2?: Record<string, JsonSchema>;
  /** The definitions are CRDs' structural schemas (registerCRDDefinitions). */
  structural?: boolean;
}

/**
 * Adds (or replaces) a set of definitions (OpenAPI v3 component schemas) under a source key, e.g.
 * the CRD schemas served in one logical cluster. Definitions may reference built-in definitions
 * (ObjectMeta...) by name. Documents built with the source include its content hash in their cache
 * key, so replacing a source changes the OpenAPI hashes clients see.
 */
export function registerDefinitions(source: string, defs: Record<string, JsonSchema>, opts: RegisterOptions = {}): void {
  const copy = new Map<string, JsonSchema>();
  const copyV2 = new Map<string, JsonSchema>();
  const h = createHash('sha256');
  for (const name of Object.keys(defs).sort()) {
    const d = deepFreeze(structuredClone(defs[name]!));
    copy.set(name, d);
    h.update(name).update('\0').update(stableStringify(d)).update('\0');
  }
  for (const name of Object.keys(opts.v2 ?? {}).sort()) {
    const d = deepFreeze(structuredClone(opts.v2![name]!));
    copyV2.set(name, d);
    h.update('v2:').update(name).update('\0').update(stableStringify(d)).update('\0');
  }
  sources.set(source, { defs: copy, defsV2: copyV2, hash: h.digest('hex').slice(0, 16), resolved: new Map(), structural: !!opts.structural });
  sourcesGeneration++;
}

/**
 * Registers the kind and list definitions of every served version of some CRDs under a source key
 * (v3 and v2 forms as apiextensions-apiserver publishes them).
 */
export function registerCRDDefinitions(source: string, crds: readonly CRDLike[]): void {
  const defs: Record<string, JsonSchema> = {};
  const v2: Record<string, JsonSchema> = {};
  for (const crd of crds) {
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      Object.assign(defs, crdDefinitions(crd, v.name));
      Object.assign(v2, crdDefinitionsV2(crd, v.name));
    }
  }
  registerDefinitions(source, defs, { v2, structural: true });
}

export function unregisterDefinitions(source: string): boolean {
  const had = sources.delete(source);
  if (had) sourcesGeneration++;
  return had;
}

/** Content hash of a registered source (undefined when not registered). */
export function definitionSourceHash(source: string): string | undefined {
  return sources.get(source)?.hash;
}

/** Changes whenever a source is registered or removed. */
export function definitionsGeneration(): number {
  return sourcesGeneration;
}

function findDefinition(name: string, srcs: readonly string[]): { def: JsonSchema; source?: Source; structural: boolean } | undefined {
  for (const key of srcs) {
    const s = sources.get(key);
    const d = s?.defs.get(name);
    if (d && s) return { def: d, source: s, structural: s.structural };
  }
  const b = builtinDefinition(name);
  return b ? { def: b, structural: builtinCRDDefinitionV2(name) !== undefined } : undefined;
}

/**
 * An OpenAPI v3 component schema (frozen: copy before changing), from the given sources (in order)
 * or the built-in definitions.
 */
export function getDefinition(name: string, srcs: readonly string[] = []): JsonSchema | undefined {
  return findDefinition(name, srcs)?.def;
}

/** The OpenAPI v2 (swagger) form of a definition: `#/definitions/` references, no defaults. */
export function getDefinitionV2(name: string, srcs: readonly string[] = []): JsonSchema | undefined {
  for (const key of srcs) {
    const s = sources.get(key);
    if (!s) continue;
    const v2 = s.defsV2.get(name);
    if (v2) return v2;
    const d = s.defs.get(name);
    if (d) return v3ToV2(d);
  }
  const crd = builtinCRDDefinitionV2(name);
  if (crd) return crd;
  let hit = builtinV2Cache.get(name);
  if (hit === undefined) {
    const d = builtinDefinition(name);
    hit = d ? deepFreeze(v3ToV2(d, CUSTOM_DEFINITIONS_V2[name])) : null;
    builtinV2Cache.set(name, hit);
  }
  return hit ?? undefined;
}

const builtinV2Cache = new Map<string, JsonSchema | null>();

/** kube's v3 -> v2 schema form: allOf-wrapped references become $ref with siblings, defaults pruned. */
export function v3ToV2(s: JsonSchema, override?: JsonSchema): JsonSchema {
  const conv = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(conv);
    if (!v || typeof v !== 'object') return v;
    const o = v as JsonSchema;
    if (Array.isArray(o.allOf) && o.allOf.length === 1 && typeof (o.allOf[0] as JsonSchema)?.$ref === 'string') {
      const out: JsonSchema = { $ref: ((o.allOf[0] as JsonSchema).$ref as string).replace(V3_PREFIX, V2_REF_PREFIX) };
      for (const [k, x] of Object.entries(o)) if (k !== 'allOf' && k !== 'default') out[k] = conv(x);
      return out;
    }
    const out: JsonSchema = {};
    for (const [k, x] of Object.entries(o)) {
      if (k === 'default') continue;
      if (k === '$ref' && typeof x === 'string') out[k] = x.replace(V3_PREFIX, V2_REF_PREFIX);
      else if (k === 'enum' || k === 'example' || k === 'x-kubernetes-group-version-kind') out[k] = x;
      else if ((k === 'properties' || k === 'patternProperties') && x && typeof x === 'object') {
        const props: JsonSchema = {};
        for (const [pk, pv] of Object.entries(x as JsonSchema)) props[pk] = conv(pv);
        out[k] = props;
      } else out[k] = conv(x);
    }
    return out;
  };
  const out = conv(s) as JsonSchema;
  if (override) {
    delete out.oneOf;
    Object.assign(out, override);
  }
  return out;
}

const V3_PREFIX = '#/components/schemas/';

/** Names of all definitions reachable from `roots` (included), sorted. Unknown names are skipped. */
export function definitionClosure(roots: readonly string[], srcs: readonly string[] = []): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    const d = getDefinition(n, srcs);
    if (!d) continue;
    seen.add(n);
    collectRefs(d, stack);
  }
  return [...seen].sort();
}

function collectRefs(v: unknown, out: string[], isPropertyMap = false): void {
  if (Array.isArray(v)) {
    for (const x of v) collectRefs(x, out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (isPropertyMap) {
        collectRefs(x, out);
      } else if (k === '$ref') {
        const n = refName(x);
        if (n) out.push(n);
      } else if (k === 'properties' || k === 'patternProperties') {
        collectRefs(x, out, true);
      } else if (k !== 'x-kubernetes-group-version-kind' && k !== 'default' && k !== 'enum' && k !== 'example') {
        collectRefs(x, out);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Resolution into SchemaNode

const builtinResolved = new Map<string, SchemaNode>();

/** The definition each resolved node was made from (for Go type names in decoding errors). */
const nodeDefinitions = new WeakMap<SchemaNode, string>();

/**
 * The definition name a resolved node stands for ("io.k8s.api.coordination.v1.LeaseSpec"), or
 * undefined for inline schemas (maps, arrays, scalars). Field-specific copies of a referenced node
 * (a reference with its own description or default) name the same definition.
 */
export function definitionOfNode(node: SchemaNode): string | undefined {
  return nodeDefinitions.get(node);
}

/**
 * The definition as a SchemaNode with references followed. Nodes are memoized and shared (a
 * definition resolves to the same node object everywhere); recursive types give cyclic graphs.
 * Custom types: Time/MicroTime are date-time strings, IntOrString carries
 * x-kubernetes-int-or-string, Quantity has no type (string or number), RawExtension and FieldsV1
 * are objects with x-kubernetes-preserve-unknown-fields.
 */
export function resolveSchema(name: string, srcs: readonly string[] = []): SchemaNode | undefined {
  return resolveName(name, srcs);
}

function resolveName(name: string, srcs: readonly string[]): SchemaNode | undefined {
  const found = findDefinition(name, srcs);
  if (!found) return undefined;
  const memo = found.source ? found.source.resolved : builtinResolved;
  const hit = memo.get(name);
  if (hit) return hit;
  const node: SchemaNode = {};
  memo.set(name, node);
  nodeDefinitions.set(node, name);
  const building = new Set<SchemaNode>([node]);
  fillNode(node, found.def, srcs, building, found.structural);
  building.delete(node);
  customNode(name, node);
  return node;
}

function customNode(name: string, node: SchemaNode): void {
  switch (name) {
    case INT_OR_STRING:
      delete node.type;
      node['x-kubernetes-int-or-string'] = true;
      break;
    case QUANTITY:
      delete node.type;
      break;
    case RAW_EXTENSION:
    case FIELDS_V1:
      node['x-kubernetes-preserve-unknown-fields'] = true;
      break;
    default:
  }
}

const NODE_KEYS = new Set([
  'type', 'format', 'description', 'required', 'enum', 'default', 'nullable', 'maxLength', 'minLength', 'pattern',
  'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum', 'maxItems', 'minItems', 'uniqueItems',
  'maxProperties', 'minProperties', 'multipleOf', 'title',
]);

/**
 * In a CRD's structural schema an object without properties, additionalProperties or
 * x-kubernetes-preserve-unknown-fields has no fields: pruning drops, and strict field validation
 * reports, everything under it. Typed (built-in) decoding instead treats such a node as opaque, so
 * the resolved node says it explicitly with empty properties; the published schema is unchanged.
 */
function closeStructural(node: SchemaNode): void {
  if (node.type !== 'object' || node.properties || node.additionalProperties !== undefined) return;
  if (node['x-kubernetes-preserve-unknown-fields'] || node['x-kubernetes-embedded-resource']) return;
  node.properties = {};
}

function fillNode(node: SchemaNode, s: JsonSchema, srcs: readonly string[], building: Set<SchemaNode>, structural: boolean): void {
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(s)) {
    if (NODE_KEYS.has(k) || (k.startsWith('x-') && k !== 'x-kubernetes-group-version-kind')) {
      n[k] = Array.isArray(v) ? [...v] : v;
    }
  }
  if (s.properties && typeof s.properties === 'object') {
    const props: Record<string, SchemaNode> = {};
    for (const [k, v] of Object.entries(s.properties as Record<string, JsonSchema>)) props[k] = toNode(v, srcs, building, structural);
    node.properties = props;
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) node.items = toNode(s.items as JsonSchema, srcs, building, structural);
  if (s.additionalProperties !== undefined) {
    node.additionalProperties = typeof s.additionalProperties === 'boolean'
      ? s.additionalProperties : toNode(s.additionalProperties as JsonSchema, srcs, building, structural);
  }
  if (structural) closeStructural(node);
}

/** A property/items schema: a plain schema, a `$ref`, or an `allOf: [{$ref}]` wrapper with siblings. */
function toNode(s: JsonSchema, srcs: readonly string[], building: Set<SchemaNode>, structural: boolean): SchemaNode {
  let target: string | undefined = refName(s.$ref);
  let wrapper: JsonSchema | undefined;
  if (!target && Array.isArray(s.allOf) && s.allOf.length === 1) {
    const only = s.allOf[0] as JsonSchema;
    const t = refName(only?.$ref);
    if (t) {
      target = t;
      wrapper = s;
    }
  }
  if (target) {
    const resolved = resolveName(target, srcs) ?? {};
    const extra = wrapper ?? s;
    const overrides: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(extra)) {
      if (k === '$ref' || k === 'allOf') continue;
      if (NODE_KEYS.has(k) || k.startsWith('x-')) overrides[k] = v;
    }
    if (Object.keys(overrides).length === 0 || building.has(resolved)) return resolved;
    // Same node contents (children shared), field-specific description/default/extensions.
    const copy = { ...resolved, ...overrides } as SchemaNode;
    const def = nodeDefinitions.get(resolved);
    if (def) nodeDefinitions.set(copy, def);
    return copy;
  }
  const node: SchemaNode = {};
  fillNode(node, s, srcs, building, structural);
  return node;
}

