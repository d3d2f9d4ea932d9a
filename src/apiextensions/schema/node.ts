// The compiled form of a structural schema: one frozen Node per JSONSchemaProps, with everything the
// validator, pruner and defaulter look up per value resolved once (property maps, sorted names,
// formats as kube keeps them, compiled patterns, int-or-string expanded to kube's type list).
// A Node is a pure function of its schema; it never refers to the input objects.

import type { JSONSchemaProps } from '../types.js';
import { formatChecker, isSupportedFormat, type FormatChecker } from './formats.js';
import { compilePattern, patternError, type CompiledPattern } from './pattern.js';
import { goStringCompare } from '../../apimachinery/validation.js';

export interface Node {
  /** The declared type ('' if none). */
  readonly type: string;
  /** kube-openapi's type list: [type], ['integer', 'string'] for int-or-string, or []. */
  readonly types: readonly string[];
  readonly nullable: boolean;
  /** The string format kube checks ('' if none or stripped), as written in the schema. */
  readonly format: string;
  readonly formatCheck: FormatChecker | undefined;

  readonly maximum: number | undefined;
  readonly exclusiveMaximum: boolean;
  readonly minimum: number | undefined;
  readonly exclusiveMinimum: boolean;
  readonly multipleOf: number | undefined;
  readonly maxLength: number | undefined;
  readonly minLength: number | undefined;
  readonly pattern: string | undefined;
  readonly patternTest: CompiledPattern | undefined;
  /** Go's compile error of an invalid pattern (then every string fails it). */
  readonly patternInvalid: string | undefined;
  readonly maxItems: number | undefined;
  readonly minItems: number | undefined;
  readonly uniqueItems: boolean;
  readonly maxProperties: number | undefined;
  readonly minProperties: number | undefined;
  readonly required: readonly string[] | undefined;
  readonly enum: readonly unknown[] | undefined;
  readonly allOf: readonly Node[] | undefined;
  readonly anyOf: readonly Node[] | undefined;
  readonly oneOf: readonly Node[] | undefined;
  readonly not: Node | undefined;

  readonly properties: ReadonlyMap<string, Node> | undefined;
  /** Property names in Go's sorted order (kube walks a Go map; sorted is the stable choice). */
  readonly propertyNames: readonly string[];
  /** additionalProperties: a schema, true/false, or undefined when not given. */
  readonly additionalProperties: Node | boolean | undefined;
  readonly items: Node | undefined;

  readonly hasDefault: boolean;
  readonly default: unknown;
  /** Properties with a default, in sorted order (the defaulter's loop). */
  readonly defaulted: readonly string[];
  /** Whether this node or anything below has a default (the defaulter skips the rest). */
  readonly defaultsBelow: boolean;

  readonly preserveUnknownFields: boolean;
  readonly embeddedResource: boolean;
  readonly intOrString: boolean;
  readonly listType: string | undefined;
  readonly listMapKeys: readonly string[] | undefined;
  readonly mapType: string | undefined;
  /** Whether anything below needs the embedded-resource or list-type checks (they walk only where needed). */
  readonly needsObjectWalk: boolean;
  /** The schema this node was compiled from (frozen copy; never the caller's object). */
  readonly source: JSONSchemaProps;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function list(v: JSONSchemaProps[] | undefined): Node[] | undefined {
  return v && v.length ? v.map(compileNode) : undefined;
}

/** Compiles a (frozen) JSONSchemaProps tree. */
function compileNode(s: JSONSchemaProps): Node {
  const type = s.type ?? '';
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  // kube checks string formats only; numeric formats (int32, double...) do not reach the type check
  const format = s.format && (type === '' || type === 'string') && isSupportedFormat(type, s.format) ? s.format : '';
  let patternTest: CompiledPattern | undefined;
  let patternInvalid: string | undefined;
  if (s.pattern) {
    patternInvalid = patternError(s.pattern);
    if (patternInvalid === undefined) patternTest = compilePattern(s.pattern);
  }
  let properties: Map<string, Node> | undefined;
  let propertyNames: string[] = [];
  if (s.properties && typeof s.properties === 'object') {
    properties = new Map();
    propertyNames = Object.keys(s.properties).sort(goStringCompare);
    for (const k of propertyNames) properties.set(k, compileNode(s.properties[k]!));
  }
  const ap = s.additionalProperties;
  const additionalProperties = ap === undefined || ap === null ? undefined : typeof ap === 'boolean' ? ap : compileNode(ap);
  const items = s.items && !Array.isArray(s.items) ? compileNode(s.items) : undefined;
  const defaulted = properties ? propertyNames.filter((k) => properties.get(k)!.hasDefault) : [];
  const embeddedResource = s['x-kubernetes-embedded-resource'] === true;
  const listType = s['x-kubernetes-list-type'];
  const children: Node[] = [...(properties?.values() ?? [])];
  if (items) children.push(items);
  if (additionalProperties && typeof additionalProperties === 'object') children.push(additionalProperties);
  const node: Node = {
    type,
    types: intOrString ? ['integer', 'string'] : type ? [type] : [],
    nullable: s.nullable === true,
    format,
    formatCheck: format ? formatChecker(format) : undefined,
    maximum: num(s.maximum),
    exclusiveMaximum: s.exclusiveMaximum === true,
    minimum: num(s.minimum),
    exclusiveMinimum: s.exclusiveMinimum === true,
    multipleOf: num(s.multipleOf),
    maxLength: num(s.maxLength),
    minLength: num(s.minLength),
    pattern: s.pattern || undefined,
    patternTest,
    patternInvalid,
    maxItems: num(s.maxItems),
    minItems: num(s.minItems),
    uniqueItems: s.uniqueItems === true,
    maxProperties: num(s.maxProperties),
    minProperties: num(s.minProperties),
    required: s.required?.length ? s.required : undefined,
    enum: s.enum?.length ? s.enum : undefined,
    allOf: list(s.allOf),
    anyOf: list(s.anyOf),
    oneOf: list(s.oneOf),
    not: s.not ? compileNode(s.not) : undefined,
    properties,
    propertyNames,
    additionalProperties,
    items,
    hasDefault: s.default !== undefined && s.default !== null,
    default: s.default,
    defaulted,
    defaultsBelow: (s.default !== undefined && s.default !== null) || children.some((c) => c.defaultsBelow),
    preserveUnknownFields: s['x-kubernetes-preserve-unknown-fields'] === true,
    embeddedResource,
    intOrString,
    listType,
    listMapKeys: s['x-kubernetes-list-map-keys'],
    mapType: s['x-kubernetes-map-type'],
    needsObjectWalk: embeddedResource || listType === 'set' || listType === 'map' || children.some((c) => c.needsObjectWalk),
    source: s,
  };
  return Object.freeze(node);
}

/**
 * Compiles the schema. A frozen schema is taken as deep-frozen and kept as it is (no second copy of
 * a CRD's schema next to the one its compiled form already holds); any other is copied and frozen,
 * so the caller's object is neither kept nor changed.
 */
export function compileTree(schema: JSONSchemaProps): Node {
  return compileNode(Object.isFrozen(schema) ? schema : deepFreeze(structuredClone(schema)));
}
