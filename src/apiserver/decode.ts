// Request body decoding, as kube-apiserver's typed decoders behave: JSON or YAML is parsed, the
// group/version/kind is read and checked against what the scheme registers, the object is checked
// against its kind's schema the way Go's JSON decoder would (wrong types are errors, unknown fields
// are dropped, duplicate keys merge into structs and maps), and unknown/duplicate fields are
// reported according to the fieldValidation directive (Strict: an error, Warn: warnings, Ignore:
// silence). Error texts are the Go decoders' own; the handlers wrap them as kube's do.
//
// The fast path (a well-formed body without problems) is JSON.parse, one walk that copies the
// object against its schema, a native regex count that rules out duplicate keys, and (unless
// Ignore) one walk for unknown fields. Everything else runs only when something is wrong.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import { badRequest, field, invalid, StatusError } from '../apimachinery/errors.js';
import { goQuote } from '../apimachinery/gofmt.js';
import { isPlainObject, type KubeObject } from '../apimachinery/object.js';
import { applyPatch } from '../apimachinery/patch/apply.js';
import { goJsonScalar, parseRaw, rawValue, type RawNode } from '../apimachinery/patch/json-patch.js';
import { goSprintV } from '../apimachinery/patch/strategic-merge-patch.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { findUnknownFields, goJsonSyntaxError, jsonDepthExceeds, mayHaveDuplicates } from '../apimachinery/strict.js';
import { appendAll, goStringCompare } from '../apimachinery/validation.js';
import { definitionOfNode, getDefinition } from '../openapi/definitions.js';
import { classForDefinition } from '../openapi/names.js';
import { FIELDS_V1, INT_OR_STRING, MICRO_TIME, QUANTITY, RAW_EXTENSION, TIME } from '../openapi/facts.js';
import { ALL_MESSAGES, messageForKind } from '../protobuf/messages.js';
import { apiVersionOfType, type ResourceType } from '../registry/types.js';
import { convertedJsonDepthExceeded, excessiveAliasing, firstYamlDocument } from './yaml-body.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface Decoded {
  object: KubeObject;
  warnings: string[];
}

/** kube's summarizeData: the start of a body for error messages (hex unless it starts with '{'). */
export function summarizeData(data: Uint8Array, max = 30): string {
  if (data.length === 0) return '<empty>';
  const head = data.length > max ? data.subarray(0, max) : data;
  const more = data.length > max ? ' ...' : '';
  if (data[0] === 0x7b) return Buffer.from(head).toString('utf8') + more;
  return Buffer.from(head).toString('hex') + more;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ParsedBody {
  value?: unknown;
  /** The parser's error text (Go's JSON syntax error, or go-yaml's "yaml: line N: ..."). */
  error?: string;
  /** YAML only: the first document, for duplicate-key checks. */
  yaml?: { doc: Document; lines: LineCounter };
}

/**
 * Parses a body in the given format into a JSON value; syntax errors come back as Go would word them.
 * The work is bounded as in kube's decoders (yaml-body.ts): JSON and YAML nest at most 10000 deep,
 * YAML is read up to the end of its first document and aliases expand within go-yaml's ratio.
 */
export function parseBody(text: string, format: 'json' | 'yaml'): ParsedBody {
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { error: goJsonSyntaxError(text) ?? 'unexpected end of JSON input' };
    }
    // Go's scanner checks the whole text, depth included, before anything is decoded
    if (jsonDepthExceeds(text)) return { error: goJsonSyntaxError(text) ?? 'exceeded max depth' };
    return { value };
  }
  // sigs.k8s.io/yaml reads the first document only; later ones are never looked at.
  const { doc, lines, depthError } = firstYamlDocument(text);
  if (depthError) return { error: depthError.message };
  if (!doc) return { value: null };
  if (doc.errors.length) return { error: goYamlError(text, doc.errors[0]!) };
  if (excessiveAliasing(doc)) return { error: 'yaml: document contains excessive aliasing' };
  try {
    // (go-yaml's ratio above is the limit on aliases; the yaml library's own count would refuse
    // documents kube accepts)
    return { value: doc.toJS({ maxAliasCount: -1 }) as unknown, yaml: { doc, lines } };
  } catch (e) {
    const m = /(?:Aliased anchor not found|Unresolved alias \(the anchor must be set before the alias\)): (.*)$/.exec(e instanceof Error ? e.message : '');
    return { error: m ? `yaml: unknown anchor '${m[1]}' referenced` : `yaml: ${e instanceof Error ? e.message : String(e)}` };
  }
}

interface YamlErrorLike {
  code: string;
  message: string;
  pos: [number, number];
}

/** go-yaml (v2)'s text for the common syntax errors, with its line numbering quirks. */
function goYamlError(text: string, err: YamlErrorLike): string {
  const lineOf = (offset: number): number => {
    // go-yaml's marks are 0-based; at the end of input a missing final newline is added
    if (offset >= text.length) {
      let n = 0;
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
      return text.length && !text.endsWith('\n') ? n + 1 : n;
    }
    let n = 0;
    for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  };
  // parser errors print the 0-based line of the offending token, scanner errors the 1-based one;
  // nothing when the 0-based line is 0
  const at = (offset: number, scanner: boolean, msg: string) => {
    const l = lineOf(offset);
    return l === 0 ? `yaml: ${msg}` : `yaml: line ${scanner ? l + 1 : l}: ${msg}`;
  };
  const pos = err.pos[0];
  const lineText = (offset: number) => {
    const start = text.lastIndexOf('\n', offset - 1) + 1;
    const end = text.indexOf('\n', offset);
    return text.slice(start, end < 0 ? text.length : end);
  };
  const previousLine = (offset: number): string | undefined => {
    let end = text.lastIndexOf('\n', offset - 1);
    while (end > 0) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const l = text.slice(start, end);
      if (l.trim() !== '' && !l.trim().startsWith('#')) return l;
      end = start - 1;
    }
    return undefined;
  };
  const indentOf = (l: string) => l.length - l.trimStart().length;
  const expectedIndicator = () => {
    const prev = previousLine(pos);
    const cur = lineText(pos);
    if (prev !== undefined && /^\s*-(\s|$)/.test(prev) && indentOf(prev) === indentOf(cur)) return "did not find expected '-' indicator";
    return 'did not find expected key';
  };
  const msg = err.message;
  switch (err.code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      // a sequence still waiting for an item when the input ends: go-yaml wants node content
      if (/^Flow sequence/.test(msg) && /[[,]\s*$/.test(text)) return at(text.length, false, 'did not find expected node content');
      if (/^Flow sequence/.test(msg)) return at(pos, false, "did not find expected ',' or ']'");
      if (/^Flow map/.test(msg)) return at(pos, false, "did not find expected ',' or '}'");
      if (/^Missing closing/.test(msg)) return at(text.length, true, 'found unexpected end of stream');
      if (/^Implicit map keys need to be followed/.test(msg)) {
        const next = text.indexOf('\n', pos);
        return at(next < 0 ? text.length : next + 1, true, "could not find expected ':'");
      }
      return at(pos, false, expectedIndicator());
    case 'TAB_AS_INDENT': {
      const prev = previousLine(pos);
      if (prev !== undefined && !/:\s*$/.test(prev) && !/^\s*-\s*$/.test(prev)) {
        return at(pos, true, 'found a tab character that violates indentation');
      }
      return at(pos, true, 'found character that cannot start any token');
    }
    case 'BAD_SCALAR_START':
      return at(pos, true, 'found character that cannot start any token');
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      const colon = text.indexOf(':', pos);
      return at(colon < 0 ? pos : colon, true, 'mapping values are not allowed in this context');
    }
    case 'UNEXPECTED_TOKEN':
      return at(pos, false, expectedIndicator());
    default:
      return at(pos, false, msg.replace(/ at line \d+, column \d+:?[\s\S]*$/, ''));
  }
}

/** go-yaml's strict errors for duplicate mapping keys: "line N: key "a" already set in map". */
function yamlDuplicateKeys(doc: Document, lines: LineCounter): string[] {
  const out: string[] = [];
  const keyText = (k: unknown): string => {
    if (k === null || k === undefined) return '<nil>';
    if (typeof k === 'string') return goQuote(k);
    return String(k);
  };
  const walk = (n: unknown): void => {
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const k = isScalar(item.key) ? item.key.value : item.key;
        const id = `${typeof k}:${String(k)}`;
        if (seen.has(id)) {
          const v = item.value as YamlNode | null;
          const offset = v?.range ? v.range[0] : (item.key as YamlNode | null)?.range?.[0] ?? 0;
          out.push(`line ${lines.linePos(offset).line}: key ${keyText(k)} already set in map`);
        }
        seen.add(id);
        walk(item.value);
      }
    } else if (isSeq(n)) {
      // (aliases point at nodes walked where they are defined)
      for (const item of n.items) walk(item);
    }
  };
  walk(doc.contents);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Group, version and kind: what meta.Interpret reads and what the scheme registers

/** A decoder failure: the text kube's decoder returns, before the handler wraps it. */
export class DecodeFailure extends Error {
  constructor(message: string, readonly gvk?: { kind: string; version: string }) {
    super(message);
    this.name = 'DecodeFailure';
  }
}

const TYPE_META_STRUCT = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

interface Gvk { group: string; version: string; kind: string }

/** SimpleMetaFactory.Interpret: apiVersion and kind (matched case-insensitively, like encoding/json). */
function interpret(value: unknown): { apiVersion: string; kind: string } {
  if (value === null || value === undefined) return { apiVersion: '', kind: '' };
  if (!isPlainObject(value)) {
    throw new DecodeFailure(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(value)} into Go value of type ${TYPE_META_STRUCT}`);
  }
  let apiVersion = '';
  let kind = '';
  let typeError: string | undefined;
  for (const k in value) {
    const lower = k.length === 10 || k.length === 4 ? k.toLowerCase() : '';
    if (lower !== 'apiversion' && lower !== 'kind') continue;
    const v = value[k];
    const name = lower === 'kind' ? 'kind' : 'apiVersion';
    if (typeof v === 'string') {
      if (name === 'kind') kind = v;
      else apiVersion = v;
    } else if (v !== null) {
      typeError ??= `json: cannot unmarshal ${jsonKind(v)} into Go struct field .${name} of type string`;
    }
  }
  if (typeError) throw new DecodeFailure(`couldn't get version/kind; json parse error: ${typeError}`);
  return { apiVersion, kind };
}

/** schema.ParseGroupVersion. */
function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const parts = gv.split('/');
  if (parts.length === 1) return { group: '', version: gv };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  throw new DecodeFailure(`unexpected GroupVersion string: ${gv}`);
}

function gvString(g: { group: string; version: string }): string {
  return g.group ? `${g.group}/${g.version}` : g.version;
}

/** The Go package of a group's internal types ("rbac.authorization.k8s.io" -> "rbac"). */
function internalPackage(group: string): string {
  switch (group) {
    case '':
    case 'events.k8s.io':
      return 'core';
    case 'internal.apiserver.k8s.io':
      return 'apiserverinternal';
    default:
      return group.split('.')[0]!;
  }
}

/** The OpenAPI package of a group's external types, or undefined for groups without one here. */
function externalPackage(group: string): string | undefined {
  switch (group) {
    case '': return 'io.k8s.api.core';
    case 'rbac.authorization.k8s.io': return 'io.k8s.api.rbac';
    case 'flowcontrol.apiserver.k8s.io': return 'io.k8s.api.flowcontrol';
    case 'internal.apiserver.k8s.io': return 'io.k8s.api.apiserverinternal';
    default: {
      const m = /^([a-z0-9]+)(?:\.k8s\.io)?$/.exec(group);
      return m ? `io.k8s.api.${m[1]}` : undefined;
    }
  }
}

/** Older versions kube still registers (and converts) for the kinds kplane serves. */
const EXTRA_REGISTERED = new Set([
  'coordination.k8s.io/v1beta1/Lease', 'coordination.k8s.io/v1beta1/LeaseList',
  'events.k8s.io/v1beta1/Event', 'events.k8s.io/v1beta1/EventList',
  ...['v1alpha1', 'v1beta1'].flatMap((v) => ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']
    .flatMap((k) => [`rbac.authorization.k8s.io/${v}/${k}`, `rbac.authorization.k8s.io/${v}/${k}List`])),
]);

/** metav1.AddToGroupVersion's kinds, registered in every group version. */
const META_KINDS = new Set(['WatchEvent', 'ListOptions', 'GetOptions', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);
/** Unversioned kinds, registered in v1. */
const V1_META_KINDS = new Set(['Status', 'APIVersions', 'APIGroupList', 'APIGroup', 'APIResourceList']);

const VERSION_RE = /^v\d+(?:(?:alpha|beta)\d+)?$/;

/** Whether kube-apiserver's scheme knows the kind in that group version (client-node's models as the proxy). */
function isRegistered(g: Gvk, endpoint: Gvk): boolean {
  if (EXTRA_REGISTERED.has(`${g.group}/${g.version}/${g.kind}`)) return true;
  if (!VERSION_RE.test(g.version)) return false;
  if (META_KINDS.has(g.kind)) return (g.group === endpoint.group && g.version === endpoint.version) || (g.group === '' && g.version === 'v1');
  if (V1_META_KINDS.has(g.kind)) return g.group === '' && g.version === 'v1';
  const pkg = externalPackage(g.group);
  if (!pkg || !/^[A-Z][A-Za-z0-9]*$/.test(g.kind)) return false;
  const name = `${pkg}.${g.version}.${g.kind}`;
  const def = getDefinition(name);
  const gvks = def?.['x-kubernetes-group-version-kind'];
  const declared = Array.isArray(gvks) && gvks.some((x) => {
    const e = x as Gvk;
    return e.group === g.group && e.version === g.version && e.kind === g.kind;
  });
  if (!declared) return false;
  // client-node names most classes without their group: the group's API must use the class
  const cls = classForDefinition(name);
  return !!cls && apiClasses(g.group, g.version).has(cls);
}

const apiClassCache = new Map<string, Set<string>>();

/** The model classes client-node's API for a group version refers to (its kinds, lists, options). */
function apiClasses(group: string, version: string): Set<string> {
  const key = `${group}/${version}`;
  let hit = apiClassCache.get(key);
  if (hit) return hit;
  hit = new Set();
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const prefix = group === '' ? 'Core' : group.replace(/\.k8s\.io$/, '').split('.').map(cap).join('');
  try {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve('@kubernetes/client-node')), 'gen', 'apis');
    const src = readFileSync(path.join(dir, `${prefix}${cap(version)}Api.js`), 'utf8');
    for (const m of src.matchAll(/"([A-Z][A-Za-z0-9]*)"/g)) hit.add(m[1]!);
  } catch {
    // no API for that group version
  }
  apiClassCache.set(key, hit);
  return hit;
}

/** A kind kplane serves from Go types in kube (not a custom resource). */
function isBuiltin(type: ResourceType): boolean {
  return type.schemaName.startsWith('io.k8s.api.');
}

interface KindCheck {
  gvk: Gvk;
  /** The decoded object converts to the endpoint's type but comes from another version. */
  versionMismatch?: boolean;
  /** The object keeps the kind it was sent with (a custom resource: validation refuses it). */
  keepKind?: boolean;
}

/**
 * Resolves the body's group/version/kind the way kube's serializer defaults it, and fails as the
 * scheme would for kinds it does not register or cannot convert to the endpoint's type.
 */
function checkKind(type: ResourceType, apiVersion: string, kind: string, originalText: () => string): KindCheck {
  const endpoint: Gvk = { group: type.group, version: type.version, kind: type.kind };
  const gv = parseGroupVersion(apiVersion);
  const g: Gvk = { group: gv.group, version: gv.version, kind: kind || endpoint.kind };
  if (g.version === '' && g.group === '') {
    g.group = endpoint.group;
    g.version = endpoint.version;
  } else if (g.version === '' && g.group === endpoint.group) {
    g.version = endpoint.version;
  }
  const cannot = { kind: g.kind, version: g.version };
  if (g.group === endpoint.group && g.version === endpoint.version && g.kind === endpoint.kind) return { gvk: g };
  if (g.version === '') throw new DecodeFailure(`Object 'apiVersion' is missing in '${originalText()}'`, cannot);
  if (type.customResource && g.group === endpoint.group && g.version === endpoint.version) {
    // an unstructured object takes any kind: the strategy refuses another one (ValidateTypeMeta)
    return { gvk: g, keepKind: true };
  }
  if (!isBuiltin(type)) {
    // custom resources decode as unstructured: another version is refused after decoding
    if (g.kind !== endpoint.kind) {
      throw new DecodeFailure(`converting (${g.group ? `${g.group}.` : ''}${g.version}.${g.kind}) to (${endpoint.group}.${endpoint.kind}): unknown conversion`, cannot);
    }
    return { gvk: g, versionMismatch: true };
  }
  if (!isRegistered(g, endpoint)) {
    throw new DecodeFailure(`no kind ${goQuote(g.kind)} is registered for version ${goQuote(gvString(g))} in scheme "pkg/runtime/scheme.go:110"`, cannot);
  }
  const target = internalPackage(type.storage.group);
  if (internalPackage(g.group) === target && g.kind === endpoint.kind) return { gvk: g, versionMismatch: true };
  throw new DecodeFailure(`converting (${g.version}.${g.kind}) to (${target}.${endpoint.kind}): unknown conversion`, cannot);
}

// ---------------------------------------------------------------------------------------------
// Go type names

/** Named Go types of fields (by definition and JSON name) that the schema only knows as their underlying type. */
const NAMED_TYPES: Record<string, string> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.uid': 'types.UID',
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference.uid': 'types.UID',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry.operation': 'v1.ManagedFieldsOperationType',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions.propagationPolicy': 'v1.DeletionPropagation',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions.uid': 'types.UID',
  'io.k8s.api.core.v1.ObjectReference.uid': 'types.UID',
  'io.k8s.api.core.v1.Secret.type': 'v1.SecretType',
  'io.k8s.api.core.v1.NamespaceSpec.finalizers': '[]v1.FinalizerName',
  'io.k8s.api.core.v1.NamespaceStatus.phase': 'v1.NamespacePhase',
  'io.k8s.api.core.v1.NamespaceCondition.type': 'v1.NamespaceConditionType',
  'io.k8s.api.core.v1.NamespaceCondition.status': 'v1.ConditionStatus',
  'io.k8s.api.core.v1.LimitRangeItem.type': 'v1.LimitType',
  'io.k8s.api.core.v1.LimitRangeItem.max': 'v1.ResourceList',
  'io.k8s.api.core.v1.LimitRangeItem.min': 'v1.ResourceList',
  'io.k8s.api.core.v1.LimitRangeItem.default': 'v1.ResourceList',
  'io.k8s.api.core.v1.LimitRangeItem.defaultRequest': 'v1.ResourceList',
  'io.k8s.api.core.v1.LimitRangeItem.maxLimitRequestRatio': 'v1.ResourceList',
  'io.k8s.api.core.v1.ResourceQuotaSpec.hard': 'v1.ResourceList',
  'io.k8s.api.core.v1.ResourceQuotaSpec.scopes': '[]v1.ResourceQuotaScope',
  'io.k8s.api.core.v1.ResourceQuotaStatus.hard': 'v1.ResourceList',
  'io.k8s.api.core.v1.ResourceQuotaStatus.used': 'v1.ResourceList',
  'io.k8s.api.core.v1.ScopedResourceSelectorRequirement.scopeName': 'v1.ResourceQuotaScope',
  'io.k8s.api.core.v1.ScopedResourceSelectorRequirement.operator': 'v1.ScopeSelectorOperator',
  'io.k8s.api.coordination.v1.LeaseSpec.strategy': 'v1.CoordinatedLeaseStrategy',
};

function localName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** reflect.Type.String() of the Go type behind a schema node. */
function goTypeOf(s: SchemaNode | undefined, named?: string): string {
  if (named) return named;
  if (!s) return 'interface {}';
  const def = definitionOfNode(s);
  if (def) {
    switch (def) {
      case INT_OR_STRING: return 'int32';
      case QUANTITY: return 'resource.Quantity';
      case TIME:
      case MICRO_TIME: return 'string';
      case RAW_EXTENSION: return 'runtime.RawExtension';
      case FIELDS_V1: return 'v1.FieldsV1';
      default: {
        const pkg = def.slice(0, def.lastIndexOf('.'));
        return `${localName(pkg)}.${localName(def)}`;
      }
    }
  }
  switch (s.type) {
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    case 'boolean': return 'bool';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return 'float64';
    case 'array': return `[]${goTypeOf(s.items)}`;
    case 'object':
      if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object') {
        return `map[string]${goTypeOf(s.additionalProperties)}`;
      }
      return 'interface {}';
    default: return 'interface {}';
  }
}

/** The reflect.Kind name of a Go type's underlying type, for the unstructured converter's texts. */
function goKindOf(s: SchemaNode): string {
  switch (s.type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return 'float64';
    default: return 'struct';
  }
}

/** The dynamic Go type of a value from map[string]interface{} (ints as int64). */
function unstructuredType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

// ---------------------------------------------------------------------------------------------
// Typed decoding

type Mode = 'json' | 'unstructured';

class TypeFailure extends Error {}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

interface StructInfo {
  /** The Go struct's name, for the error context (undefined for inline object schemas). */
  name?: string;
  /** Named Go types of its fields. */
  named?: Record<string, string>;
}

const structInfos = new WeakMap<SchemaNode, StructInfo>();

function structInfo(s: SchemaNode): StructInfo {
  let info = structInfos.get(s);
  if (!info) {
    const def = definitionOfNode(s);
    info = { name: def ? localName(def) : undefined };
    if (def) {
      for (const k of Object.keys(s.properties ?? {})) {
        const n = NAMED_TYPES[`${def}.${k}`];
        if (n) (info.named ??= {})[k] = n;
      }
    }
    structInfos.set(s, info);
  }
  return info;
}

/** Where conform is: the decoding mode and the JSON names of the struct fields from the root. */
interface ConformContext {
  mode: Mode;
  path: string[];
}

/**
 * Walks a value against its schema like Go's decoder: JSON null leaves the zero value (dropped),
 * unknown object fields are dropped, type mismatches throw with the decoder's message. `struct` is
 * the innermost Go struct's name and ctx.path the JSON names of the struct fields from the root, as
 * encoding/json's error context keeps them (map keys and indices are not part of it). `named` is
 * the field's Go type when the schema only knows its underlying type.
 */
function conform(v: unknown, s: SchemaNode | undefined, ctx: ConformContext, struct: string, named?: string): unknown {
  if (v === null || v === undefined) return undefined;
  if (!s) return v;
  // the common cases first: values of the schema's type
  switch (s.type) {
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'integer':
      // an int64 beyond its range does not decode either (2^63 itself passes: a double cannot tell it from 2^63-1)
      if (typeof v === 'number' && Number.isInteger(v) && (s.format === 'int32' ? v >= INT32_MIN && v <= INT32_MAX : v >= -(2 ** 63) && v <= 2 ** 63)) return v;
      break;
    case 'number':
      if (typeof v === 'number') return v;
      break;
    case 'array': {
      if (!Array.isArray(v)) break;
      const items = s.items;
      const elemNamed = named !== undefined && named.startsWith('[]') ? named.slice(2) : undefined;
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        const c = conform(v[i], items, ctx, struct, elemNamed);
        out[i] = c === undefined ? zeroOf(items) : c;
      }
      return out;
    }
    case 'object': {
      if (s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource'] || !isPlainObject(v)) break;
      const out: Record<string, unknown> = {};
      const props = s.properties;
      const addl = s.additionalProperties;
      const addlNode = addl && typeof addl === 'object' ? addl : undefined;
      if (props) {
        const info = structInfo(s);
        const inner = info.name ?? struct;
        const path = ctx.path;
        for (const k in v) {
          const ps = props[k];
          const val = v[k];
          // (inherited members of the properties object are not fields)
          if (ps !== undefined && typeof ps === 'object' && ps !== (Object.prototype as unknown)) {
            path.push(k);
            const c = conform(val, ps, ctx, inner, info.named?.[k]);
            path.pop();
            if (c !== undefined) setOwn(out, k, c);
          } else if (addlNode) {
            const c = conform(val, addlNode, ctx, inner);
            if (c !== undefined) setOwn(out, k, c);
          } else if (addl === true) {
            setOwn(out, k, val);
          }
          // else: unknown field, dropped (reported separately by findUnknownFields)
        }
        return out;
      }
      if (addlNode) {
        const elemNamed = named === 'v1.ResourceList' ? 'resource.Quantity'
          : named !== undefined && named.startsWith('map[string]') ? named.slice(11) : undefined;
        for (const k in v) {
          const c = conform(v[k], addlNode, ctx, struct, elemNamed);
          setOwn(out, k, c === undefined ? zeroOf(addlNode) : c);
        }
        return out;
      }
      return v;
    }
    default:
      break;
  }
  return conformOther(v, s, ctx, struct, named);
}

/** The rest of conform: custom types (Quantity, IntOrString), kept-as-is schemas, and type errors. */
function conformOther(v: unknown, s: SchemaNode, ctx: ConformContext, struct: string, named?: string): unknown {
  if (s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource']) return v;
  const def = definitionOfNode(s);
  if (def === QUANTITY) {
    // resource.Quantity also accepts a bare number
    return typeof v === 'number' ? String(v) : v;
  }
  const mismatch = (what = jsonKind(v)): never => {
    if (ctx.mode === 'unstructured') throw new TypeFailure(unstructuredMismatch(v, s, named));
    const where = ctx.path.length ? `Go struct field ${struct}.${ctx.path.join('.')}` : 'Go value';
    throw new TypeFailure(`json: cannot unmarshal ${what} into ${where} of type ${goTypeOf(s, named)}`);
  };
  if (s['x-kubernetes-int-or-string'] || def === INT_OR_STRING) {
    if (typeof v === 'string') return v;
    if (typeof v !== 'number') mismatch();
    if (!Number.isInteger(v) || (v as number) < INT32_MIN || (v as number) > INT32_MAX) mismatch(`number ${v as number}`);
    return v;
  }
  switch (s.type) {
    case 'integer':
      if (typeof v !== 'number') mismatch();
      if (ctx.mode === 'unstructured') {
        // Go converts an integral float; a fraction fails, an int64 out of int32 range is truncated
        if (!Number.isInteger(v)) mismatch();
        return v;
      }
      return mismatch(`number ${v as number}`);
    case 'array':
      // a []byte field takes its base64 string as is from a map
      if (ctx.mode === 'unstructured' && typeof v === 'string' && s.items?.type === 'string' && s.items.format === 'byte') return v;
      return mismatch();
    case 'string':
    case 'boolean':
    case 'number':
    case 'object':
      return mismatch();
    default:
      return v;
  }
}

/** runtime.DefaultUnstructuredConverter's texts for a value that does not fit the field. */
function unstructuredMismatch(v: unknown, s: SchemaNode, named?: string): string {
  const st = unstructuredType(v);
  if (s.type === 'array') return `cannot restore slice from ${st}`;
  if (s.type === 'object' || s.properties) {
    if (!s.properties && s.additionalProperties) return `cannot restore map from ${st}`;
    return `cannot restore struct from: ${st}`;
  }
  const dk = goKindOf(s);
  // Go allows int -> string conversions, and float -> int ones with a fraction: both still fail here
  if ((st === 'int64' && dk === 'string') || (st === 'float64' && (dk === 'int32' || dk === 'int64'))) {
    return `cannot convert ${st} to ${goTypeOf(s, named)}`;
  }
  return `unrecognized type: ${dk}`;
}

/** Go's zero value for a map or slice element that was null. */
function zeroOf(s: SchemaNode | undefined): unknown {
  switch (s?.type) {
    case 'string': return '';
    case 'integer':
    case 'number': return 0;
    case 'boolean': return false;
    default: return null;
  }
}

/** Sets an own key, "__proto__" included. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys: Go merges them into structs and maps; strict decoding reports them

interface StrictCollector {
  errors: string[];
  seen: Set<string>;
}

function addStrict(c: StrictCollector, msg: string): void {
  if (c.errors.length >= 100 || c.seen.has(msg)) return;
  c.seen.add(msg);
  c.errors.push(msg);
}

/**
 * Builds the value Go's decoder ends up with for a document with duplicate keys (a repeated struct
 * or map field decodes into what is already there; map elements and everything else are replaced),
 * collecting the strict errors (unknown and duplicate fields) in document order, as
 * sigs.k8s.io/json reports them.
 */
/**
 * An unstructured object's duplicate keys, at any depth (a custom resource: kube's strict JSON
 * decoder into a map reports each, the last value wins).
 */
function rawDuplicates(n: RawNode, path: string, strict: StrictCollector): void {
  if (n.t === 'arr') {
    n.items.forEach((item, i) => rawDuplicates(item, `${path}[${i}]`, strict));
    return;
  }
  if (n.t !== 'obj') return;
  const seen = new Set<string>();
  for (const [k, child] of n.entries) {
    const here = path ? `${path}.${k}` : k;
    if (seen.has(k)) addStrict(strict, `duplicate field ${goQuote(here)}`);
    seen.add(k);
    rawDuplicates(child, here, strict);
  }
}

function decodeRaw(n: RawNode, s: SchemaNode | undefined, path: string, strict: StrictCollector | undefined): unknown {
  if (n.t === 'raw') return JSON.parse(n.text);
  if (!s || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource'] || definitionOfNode(s) === RAW_EXTENSION) {
    return rawValue(n);
  }
  const join = (k: string) => (path ? `${path}.${k}` : k);
  if (n.t === 'arr') {
    if (s.type !== 'array') return rawValue(n);
    return n.items.map((item, i) => decodeRaw(item, s.items, `${path}[${i}]`, strict));
  }
  const props = s.properties;
  const addl = s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (!props && !addl) return rawValue(n);
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [k, child] of n.entries) {
    const ps = props?.[k];
    if (props && !ps && !addl) {
      if (s.additionalProperties === true) setOwn(out, k, rawValue(child));
      else if (strict) addStrict(strict, `unknown field ${goQuote(join(k))}`);
      continue;
    }
    if (seen.has(k) && strict) addStrict(strict, `duplicate field ${goQuote(join(k))}`);
    const cs = ps ?? addl;
    const v = decodeRaw(child, cs, join(k), strict);
    if (ps && seen.has(k)) {
      setOwn(out, k, mergeInto(out[k], v, cs));
    } else {
      setOwn(out, k, v);
    }
    seen.add(k);
  }
  return out;
}

/** Decoding a repeated struct field's value into what the first one left. */
function mergeInto(prev: unknown, next: unknown, s: SchemaNode | undefined): unknown {
  if (next === null) {
    // null clears maps and slices; a struct (or scalar) keeps its value
    if (s?.type === 'array' || (s && !s.properties && s.additionalProperties)) return null;
    return prev;
  }
  if (!isPlainObject(prev) || !isPlainObject(next) || !s) return next;
  if (s.properties) {
    for (const [k, v] of Object.entries(next)) {
      const ps = s.properties[k];
      setOwn(prev, k, ps && k in prev ? mergeInto(prev[k], v, ps) : v);
    }
    return prev;
  }
  if (s.additionalProperties) {
    for (const [k, v] of Object.entries(next)) setOwn(prev, k, v);
    return prev;
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// Decoding bodies

export interface DecodeRequest {
  type: ResourceType;
  schema: SchemaNode | undefined;
  text: string;
  /** The body as received (for kube's summaries); defaults to the text's UTF-8 bytes. */
  bytes?: Uint8Array;
  format: 'json' | 'yaml';
  fieldValidation: FieldValidation;
}

interface TypedResult {
  object: KubeObject;
  /** Strict decoding errors, in the order kube reports them. */
  strict: string[];
  gvk: Gvk;
  versionMismatch: boolean;
}

/**
 * Decodes a parsed value into the endpoint's kind, as kube's codec does (Interpret, scheme lookup,
 * typed unmarshal, conversion). Throws DecodeFailure with the decoder's text.
 */
function decodeTyped(type: ResourceType, schema: SchemaNode | undefined, value: unknown, opts: {
  mode: Mode;
  strict: boolean;
  /** The JSON text, when the value came from one (for duplicate keys). */
  jsonText?: string;
  /** Walk object keys sorted, as in JSON converted from YAML (Go marshals maps sorted). */
  sortedKeys?: boolean;
  /** Ignore apiVersion/kind in the data (strategic merge patches decode into the typed object). */
  ignoreKind?: boolean;
  originalText?: () => string;
}): TypedResult {
  const { apiVersion, kind } = opts.ignoreKind ? { apiVersion: '', kind: '' } : interpret(value);
  const check = checkKind(type, apiVersion, kind, opts.originalText ?? (() => JSON.stringify(value)));
  const failAs = { kind: check.gvk.kind, version: check.gvk.version };
  const root = type.kind;
  let strictCollector: StrictCollector | undefined;
  let source = value;
  if (opts.jsonText !== undefined && mayHaveDuplicates(opts.jsonText, value)) {
    strictCollector = opts.strict ? { errors: [], seen: new Set() } : undefined;
    const raw = parseRaw(opts.jsonText);
    source = decodeRaw(raw, schema, '', strictCollector);
    // below the typed ObjectMeta a custom resource is a map: every duplicate counts
    if (type.customResource && strictCollector && raw.t === 'obj') {
      const typed = new Set(['apiVersion', 'kind', 'metadata']);
      rawDuplicates({ t: 'obj', entries: raw.entries.filter(([k]) => !typed.has(k)) }, '', strictCollector);
    }
  }
  let obj: KubeObject;
  try {
    obj = (conform(source, schema, { mode: opts.mode, path: [] }, root) ?? {}) as KubeObject;
  } catch (e) {
    if (e instanceof TypeFailure) throw new DecodeFailure(e.message, failAs);
    throw e;
  }
  let strict: string[] = [];
  if (opts.strict) {
    if (strictCollector) strict = strictCollector.errors;
    else if (schema) {
      strict = findUnknownFields(value, schema, { sortKeys: opts.sortedKeys, unstructured: opts.mode === 'unstructured' });
    }
  }
  // a custom resource is pruned by its structural schema: what it removes is an unknown field
  const pruned = type.customResource?.prune(obj);
  if (opts.strict && pruned?.length) appendAll(strict, pruned.map((p) => `unknown field ${goQuote(p)}`));
  obj.apiVersion = apiVersionOfType(type);
  obj.kind = check.keepKind ? check.gvk.kind : type.kind;
  if (!isPlainObject(obj.metadata)) obj.metadata = {};
  return { object: obj, strict, gvk: check.gvk, versionMismatch: !!check.versionMismatch };
}

/** parseYAMLWarnings: a go-yaml error becomes one warning per line, anything else stays whole. */
function strictWarnings(errors: string[]): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const m = /^(?:yaml: unmarshal errors:\n|error converting YAML to JSON: yaml: unmarshal errors:\n)/.exec(e);
    if (m) appendAll(out, e.slice(m[0].length).split('\n').map((l) => l.trim()));
    else out.push(e);
  }
  return out;
}

/** Decodes a create/update body into an object of the endpoint's kind, answering kube's 400s. */
export function decodeObject(req: DecodeRequest): Decoded {
  const { type, text } = req;
  const bytes = () => req.bytes ?? Buffer.from(text, 'utf8');
  const unrecognized = (msg: string) => badRequest(`the object provided is unrecognized (must be of type ${type.kind}): ${msg} (${summarizeData(bytes())})`);
  const parsed = parseBody(text, req.format);
  if (parsed.error !== undefined) {
    throw unrecognized(req.format === 'json' ? `couldn't get version/kind; json parse error: ${parsed.error}` : parsed.error);
  }
  // YAML reaches kube's JSON decoder as JSON, one level deeper than go-yaml counted its collections
  const tooDeep = req.format === 'yaml' ? convertedJsonDepthExceeded(parsed.value, goStringCompare) : undefined;
  if (tooDeep) throw unrecognized(`couldn't get version/kind; json parse error: invalid character '${tooDeep}' exceeded max depth`);
  const strictMode = req.fieldValidation !== 'Ignore';
  let result: TypedResult;
  try {
    result = decodeTyped(type, req.schema, parsed.value, {
      mode: 'json',
      strict: strictMode,
      jsonText: req.format === 'json' ? text : undefined,
      sortedKeys: req.format === 'yaml',
      originalText: () => (req.format === 'json' ? text : JSON.stringify(parsed.value)),
    });
  } catch (e) {
    if (e instanceof DecodeFailure) {
      if (!e.gvk) throw unrecognized(e.message);
      throw badRequest(`${e.gvk.kind} in version ${goQuote(e.gvk.version)} cannot be handled as a ${type.kind}: ${e.message}`);
    }
    throw e;
  }
  const problems: string[] = [];
  if (strictMode && parsed.yaml) {
    const dups = yamlDuplicateKeys(parsed.yaml.doc, parsed.yaml.lines);
    if (dups.length) problems.push(`yaml: unmarshal errors:\n  ${dups.join('\n  ')}`);
  }
  appendAll(problems, result.strict);
  const warnings: string[] = [];
  if (problems.length) {
    if (req.fieldValidation === 'Strict') {
      throw badRequest(`${result.gvk.kind} in version ${goQuote(result.gvk.version)} cannot be handled as a ${type.kind}: strict decoding error: ${problems.join(', ')}`);
    }
    appendAll(warnings, strictWarnings(problems));
  }
  if (result.versionMismatch) {
    throw badRequest(`the API version in the data (${gvString(result.gvk)}) does not match the expected API version (${apiVersionOfType(type)})`);
  }
  return { object: result.object, warnings };
}

/**
 * What a mutation's JSON patch result decodes to, as kube's strict JSON serializer decodes it into
 * the kind: the object and its strict decoding errors; a DecodeFailure's text otherwise.
 */
export function decodeMutated(type: ResourceType, schema: SchemaNode | undefined, value: unknown): { object: KubeObject; strict: string[] } {
  const r = decodeTyped(type, schema, value, { mode: 'json', strict: true });
  return { object: r.object, strict: r.strict };
}

/** Checks an already decoded value (a protobuf body) against the endpoint's kind, without field validation. */
export function conformObject(req: { type: ResourceType; schema: SchemaNode | undefined }, value: unknown): Decoded {
  try {
    return { object: decodeTyped(req.type, req.schema, value, { mode: 'json', strict: false }).object, warnings: [] };
  } catch (e) {
    if (e instanceof DecodeFailure) {
      if (!e.gvk) throw badRequest(`the object provided is unrecognized (must be of type ${req.type.kind}): ${e.message}`);
      throw badRequest(`${e.gvk.kind} in version ${goQuote(e.gvk.version)} cannot be handled as a ${req.type.kind}: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Decodes an options body (DeleteOptions) as kube's meta codecs do, leniently (unknown fields are
 * dropped); failures are DecodeFailures carrying the decoder's text.
 */
export function decodeOptionsBody(text: string, format: 'json' | 'yaml', schema: SchemaNode | undefined, struct: string,
  checkTypeMeta?: (typeMeta: { apiVersion: string; kind: string }) => void): Record<string, unknown> {
  const parsed = parseBody(text, format);
  if (parsed.error !== undefined) {
    throw new DecodeFailure(format === 'json' ? `couldn't get version/kind; json parse error: ${parsed.error}` : parsed.error);
  }
  // the kind is resolved (and refused) before any field is decoded
  checkTypeMeta?.(interpret(parsed.value));
  try {
    return (conform(parsed.value, schema, { mode: 'json', path: [] }, struct) ?? {}) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TypeFailure) throw new DecodeFailure(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Patch results

export interface PatchDecodeRequest {
  type: ResourceType;
  schema: SchemaNode | undefined;
  fieldValidation: FieldValidation;
  patchType: 'json' | 'merge' | 'strategic';
  patchText: string;
  /** The object the patch was applied to. */
  existing: KubeObject;
  /** Strict decoding errors of the patch body itself (applyPatch's strictErrors). */
  patchStrictErrors: string[];
}

/** kube's answer for a patch result that does not decode: 422 with the result (or patch) as the value. */
function invalidPatch(value: string, detail: string): StatusError {
  return invalid({ group: '', kind: '' }, '', [field.invalid('patch', value, detail)]);
}

/**
 * Decodes the result of a patch as kube's patch handler does: JSON and merge patches re-decode the
 * patched JSON, strategic merge patches convert the patched map. Problems are 422 Invalid errors on
 * the field "patch", whose value is the patched JSON (or, for strategic merge, the patch map).
 */
export function decodePatchResult(req: PatchDecodeRequest, patched: unknown): Decoded {
  const strictMode = req.fieldValidation !== 'Ignore';
  const mode: Mode = req.patchType === 'strategic' ? 'unstructured' : 'json';
  const decode = (value: unknown) => decodeTyped(req.type, req.schema, value, {
    mode, strict: strictMode, ignoreKind: mode === 'unstructured',
  });
  let value: string | undefined;
  const patchValue = (): string => {
    if (value !== undefined) return value;
    if (req.patchType === 'strategic') {
      let p: unknown = null;
      try { p = JSON.parse(req.patchText); } catch { /* the patch decoded before */ }
      value = goSprintV(isPlainObject(p) ? p : {});
    } else {
      value = renderPatchedObject(req);
    }
    return value;
  };
  let result: TypedResult;
  try {
    result = decode(patched);
  } catch (e) {
    if (!(e instanceof DecodeFailure)) throw e;
    let failure = e;
    if (mode === 'json') {
      // the first error in the patched JSON's own order
      try {
        decode(JSON.parse(patchValue()));
      } catch (e2) {
        if (e2 instanceof DecodeFailure) failure = e2;
      }
    }
    throw invalidPatch(patchValue(), failure.message);
  }
  let problems = result.strict;
  if (problems.length && mode === 'json') {
    try {
      problems = decode(JSON.parse(patchValue())).strict;
    } catch {
      // keep the first answer
    }
  }
  const all = [...req.patchStrictErrors, ...problems];
  const warnings: string[] = [];
  if (all.length) {
    if (req.fieldValidation === 'Warn') appendAll(warnings, strictWarnings(all));
    else throw invalidPatch(patchValue(), `strict decoding error: ${all.join(', ')}`);
  }
  return { object: result.object, warnings };
}

// ---------------------------------------------------------------------------------------------
// The patched JSON as kube prints it

/** An object in Go's JSON field order: the kind's struct order (protobuf field tables), maps sorted. */
function goOrdered(v: unknown, message: string | undefined, top = false): unknown {
  if (Array.isArray(v)) return v.map((x) => goOrdered(x, message));
  if (!isPlainObject(v) || !message) return v;
  const fields = ALL_MESSAGES[message];
  if (!fields) return v;
  const out: Record<string, unknown> = {};
  if (top) {
    if ('kind' in v) out.kind = v.kind;
    if ('apiVersion' in v) out.apiVersion = v.apiVersion;
  }
  for (const [, name, t, flags] of fields) {
    if (!(name in v)) continue;
    const x = v[name];
    if (flags.includes('m') && isPlainObject(x)) {
      const m: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort(goStringCompare)) setOwn(m, k, goOrdered(x[k], ALL_MESSAGES[t] ? t : undefined));
      out[name] = m;
    } else {
      out[name] = goOrdered(x, ALL_MESSAGES[t] ? t : undefined);
    }
  }
  for (const k of Object.keys(v)) if (!(k in out)) setOwn(out, k, v[k]);
  return out;
}

const SEP = '\u0000';

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort(goStringCompare)) setOwn(out, k, sortedKeys(v[k]));
  return out;
}

/**
 * The patched object's JSON as evanphx/json-patch produces it: the document and every container a
 * patch operation walked into are re-marshalled from Go maps (keys sorted); everything else keeps
 * the bytes it came with (the current object as Go encoded it, values as the patch spelled them).
 */
function renderPatchedObject(req: PatchDecodeRequest): string {
  const apiVersion = apiVersionOfType(req.type);
  let ordered = goOrdered(req.existing, messageForKind(apiVersion, req.type.kind), true) as KubeObject;
  // a custom resource is an unstructured object, Go maps all the way down: its keys print sorted
  if (req.type.customResource) ordered = sortedKeys(ordered) as KubeObject;
  let patched: unknown;
  try {
    patched = applyPatch(req.patchType, ordered, req.patchText, req.schema, { fieldValidation: 'Ignore' });
  } catch {
    return '{}';
  }
  const opened = new Set<string>(['']);
  const deep = new Set<string>();
  let patch: unknown;
  try { patch = JSON.parse(req.patchText); } catch { patch = undefined; }
  const decodeKey = (k: string) => k.replace(/~1/g, '/').replace(/~0/g, '~');
  if (req.patchType === 'json' && Array.isArray(patch)) {
    const walk = (p: unknown, whole: boolean) => {
      if (typeof p !== 'string') return;
      const parts = p.split('/').slice(1).map(decodeKey);
      const upto = whole ? parts.length : parts.length - 1;
      for (let i = 1; i <= upto; i++) (whole && i === upto ? deep : opened).add(parts.slice(0, i).join(SEP));
    };
    for (const op of patch) {
      if (!isPlainObject(op)) continue;
      walk(op.path, op.op === 'test');
      if (op.op === 'move' || op.op === 'copy') walk(op.from, false);
    }
  } else if (req.patchType === 'merge' && isPlainObject(patch)) {
    const walk = (p: Record<string, unknown>, doc: Record<string, unknown>, path: string) => {
      for (const [k, v] of Object.entries(p)) {
        if (v === null) continue;
        const here = path ? `${path}${SEP}${k}` : k;
        const cur = Object.prototype.hasOwnProperty.call(doc, k) ? doc[k] : undefined;
        if (isPlainObject(cur)) {
          // an object merges into the current one; anything else replaces it as the patch spelled it
          if (isPlainObject(v)) {
            opened.add(here);
            walk(v, cur, here);
          }
        } else {
          deep.add(here);
        }
      }
    };
    walk(patch, ordered as Record<string, unknown>, '');
  }
  const render = (v: unknown, path: string, open: boolean): string => {
    const isOpen = open || deep.has(path) || opened.has(path);
    const inDeep = open || deep.has(path);
    const child = (k: string) => (path ? `${path}${SEP}${k}` : k);
    if (Array.isArray(v)) {
      if (!isOpen) return `[${v.map((x) => render(x, '\u0001', false)).join(',')}]`;
      return `[${v.map((x, i) => render(x, child(String(i)), inDeep)).join(',')}]`;
    }
    if (isPlainObject(v)) {
      const keys = isOpen ? Object.keys(v).sort(goStringCompare) : Object.keys(v);
      return `{${keys.map((k) => `${goJsonScalar(k)}:${render(v[k], isOpen ? child(k) : '\u0001', inDeep)}`).join(',')}}`;
    }
    return goJsonScalar(v);
  };
  return render(patched, '', false);
}

export function isStatus(e: unknown): e is StatusError {
  return e instanceof StatusError;
}
