// Whether a schema is structural: structuralschema.NewStructural (keywords a structural schema
// cannot hold) and ValidateStructural (invariants of the structural part, value validations in
// allOf/anyOf/oneOf/not that only validate, completeness of the root's junctors). The errors are
// kube's: sorted by their text, paths like `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.

import { field, fieldErrorString, type FieldError } from '../../apimachinery/errors.js';
import { goStringCompare } from '../../apimachinery/validation.js';
import type { JSONSchemaProps } from '../types.js';
import { patternError } from './pattern.js';

const enum Level { Root, Item, Field }

const props = (s: JSONSchemaProps): [string, JSONSchemaProps][] =>
  Object.keys(s.properties ?? {}).sort(goStringCompare).map((k) => [k, s.properties![k]!]);

/**
 * The first error NewStructural returns, or undefined (the structural part and the junctors' value
 * validations refuse the same keywords).
 */
export function newStructuralError(s: JSONSchemaProps | undefined): string | undefined {
  if (!s) return undefined;
  const u = unsupported(s);
  if (u) return u;
  for (const j of [s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const e = newStructuralError(j);
    if (e) return e;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  if (Array.isArray(s.items)) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const e = newStructuralError(s.items);
  if (e) return e;
  for (const [, p] of props(s)) {
    const pe = newStructuralError(p);
    if (pe) return pe;
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return newStructuralError(s.additionalProperties);
  return undefined;
}

function unsupported(s: JSONSchemaProps): string | undefined {
  if (s.id) return "OpenAPIV3Schema 'id' is not supported";
  if (s.$schema) return "OpenAPIV3Schema 'schema' is not supported";
  if (s.$ref) return "OpenAPIV3Schema '$ref' is not supported";
  if (s.patternProperties && Object.keys(s.patternProperties).length) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (s.dependencies && Object.keys(s.dependencies).length) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems !== undefined && s.additionalItems !== null) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (s.definitions && Object.keys(s.definitions).length) return "OpenAPIV3Schema 'definitions' is not supported";
  return undefined;
}

/** anyOf: [{type: integer}, {type: string}] and nothing else: int-or-string's own junctor. */
function isIntOrStringPair(list: JSONSchemaProps[] | undefined): boolean {
  if (!list || list.length !== 2) return false;
  const only = (x: JSONSchemaProps, t: string) => Object.keys(x).length === 1 && x.type === t;
  return only(list[0]!, 'integer') && only(list[1]!, 'string');
}

function validateInvariants(s: JSONSchemaProps | undefined, lvl: Level, path: string, errs: FieldError[]): void {
  if (!s) return;
  const type = s.type ?? '';
  const items = Array.isArray(s.items) ? undefined : s.items;
  if (type === 'array' && !items) errs.push(field.required(`${path}.items`, 'must be specified'));
  validateInvariants(items, Level.Item, `${path}.items`, errs);
  for (const [k, p] of props(s)) validateInvariants(p, Level.Field, `${path}.properties[${k}]`, errs);
  const ap = s.additionalProperties;
  const hasAP = ap !== undefined && ap !== null;
  if (hasAP) {
    if (lvl === Level.Root) errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (typeof ap === 'object') validateInvariants(ap, Level.Field, `${path}.additionalProperties`, errs);
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) {
    errs.push(field.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (intOrString && embedded) {
    errs.push(field.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  const skipAnyOf = isIntOrStringPair(s.anyOf);
  const skipFirstAllOfAnyOf = !!s.allOf?.length && isIntOrStringPair(s.allOf[0]!.anyOf);
  validateValueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, path, errs);

  if (embedded && type !== 'object') {
    if (!type) errs.push(field.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(field.invalid(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !intOrString && !preserve) {
    const where = lvl === Level.Root ? 'at the root' : lvl === Level.Item ? 'for specified array items' : 'for specified object fields';
    errs.push(field.required(`${path}.type`, `must not be empty ${where}`));
  }
  if (embedded && hasAP) errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === Level.Root && type && type !== 'object') errs.push(field.invalid(`${path}.type`, type, 'must be object at the root'));

  const checkMetadata = lvl === Level.Root || embedded;
  const properties = s.properties ?? {};
  for (const k of ['kind', 'apiVersion']) {
    const p = Object.prototype.hasOwnProperty.call(properties, k) ? properties[k] : undefined;
    if (p && checkMetadata && p.type !== 'string') errs.push(field.invalid(`${path}.properties[${k}].type`, p.type ?? '', 'must be string'));
  }
  const meta = Object.prototype.hasOwnProperty.call(properties, 'metadata') ? properties.metadata : undefined;
  if (meta) validateMetadataInvariants(meta, checkMetadata, lvl, `${path}.properties[metadata]`, errs);
  if (embedded && !preserve && Object.keys(properties).length === 0) {
    errs.push(field.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

/** Fields that make a structural node differ from the empty one (all but default, type and properties). */
const METADATA_IGNORED = new Set(['type', 'default', 'properties']);

function validateMetadataInvariants(s: JSONSchemaProps, checkMetadata: boolean, lvl: Level, path: string, errs: FieldError[]): void {
  if (checkMetadata && s.type !== 'object') errs.push(field.invalid(`${path}.type`, s.type ?? '', 'must be object'));
  if (lvl !== Level.Root) return;
  const names = Object.keys(s.properties ?? {});
  const onlyNames = names.length > 0 && names.every((k) => k === 'name' || k === 'generateName');
  const other = Object.entries(s).some(([k, v]) => !METADATA_IGNORED.has(k) && isSet(v));
  if (other || (names.length > 0 && !onlyNames)) {
    errs.push(field.forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
}

/** Whether a keyword holds something a Go struct would not see as its zero value. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function validateValueValidation(s: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string, errs: FieldError[]): void {
  if (!skipAnyOf) s.anyOf?.forEach((x, i) => validateNested(x, false, lvl, `${path}.anyOf[${i}]`, errs));
  s.allOf?.forEach((x, i) => validateNested(x, skipFirstAllOfAnyOf && i === 0, lvl, `${path}.allOf[${i}]`, errs));
  s.oneOf?.forEach((x, i) => validateNested(x, false, lvl, `${path}.oneOf[${i}]`, errs));
  if (s.not) validateNested(s.not, false, lvl, `${path}.not`, errs);
  if (s.pattern) {
    const e = patternError(s.pattern);
    if (e) errs.push(field.invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${e}`));
  }
}

function validateNested(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, path: string, errs: FieldError[]): void {
  validateValueValidation(v, skipAnyOf, false, lvl, path, errs);
  if (v.items && !Array.isArray(v.items)) validateNested(v.items, false, lvl, `${path}.items`, errs);
  for (const [k, p] of props(v)) validateNested(p, false, Level.Field, `${path}.properties[${k}]`, errs);
  const forbid = (k: string, detail: string) => errs.push(field.forbidden(`${path}.${k}`, detail));
  if (v.type) forbid('type', 'must be empty to be structural');
  const ap = v.additionalProperties;
  if (ap !== undefined && ap !== null && ap !== false) forbid('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined && v.default !== null) forbid('default', 'must be undefined to be structural');
  if (v.title) forbid('title', 'must be empty to be structural');
  if (v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable) forbid('nullable', 'must be false to be structural');
  if (v['x-kubernetes-preserve-unknown-fields']) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (v['x-kubernetes-list-map-keys']?.length) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if (v['x-kubernetes-validations']?.length) forbid('x-kubernetes-validations', 'must be empty to be structural');
  if (v.properties && Object.prototype.hasOwnProperty.call(v.properties, 'metadata')) {
    forbid('properties[metadata]', 'must not be specified in a nested context');
  }
}

/** validateStructuralCompleteness: what the root's junctors name must exist in the structure. */
function validateCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string, errs: FieldError[]): void {
  const nested = (x: JSONSchemaProps | undefined, xs: JSONSchemaProps | undefined, xsPath: string, xvPath: string) => {
    if (!x) return;
    if (!xs) {
      errs.push(field.required(xsPath, `because it is defined in ${xvPath}`));
      return;
    }
    validateCompleteness(x, xs, xsPath, xvPath, errs);
    const xi = x.items && !Array.isArray(x.items) ? x.items : undefined;
    const si = xs.items && !Array.isArray(xs.items) ? xs.items : undefined;
    nested(xi, si, `${xsPath}.items`, `${xvPath}.items`);
    for (const [k, p] of props(x)) {
      const sp = xs.properties && Object.prototype.hasOwnProperty.call(xs.properties, k) ? xs.properties[k] : undefined;
      if (!sp) errs.push(field.required(`${xsPath}.properties[${k}]`, `because it is defined in ${xvPath}.properties[${k}]`));
      else nested(p, sp, `${xsPath}.properties[${k}]`, `${xvPath}.properties[${k}]`);
    }
  };
  nested(v.not, s, sPath, `${vPath}.not`);
  v.allOf?.forEach((x, i) => nested(x, s, sPath, `${vPath}.allOf[${i}]`));
  v.anyOf?.forEach((x, i) => nested(x, s, sPath, `${vPath}.anyOf[${i}]`));
  v.oneOf?.forEach((x, i) => nested(x, s, sPath, `${vPath}.oneOf[${i}]`));
}

/** ValidateStructural of a schema NewStructural accepted: sorted by text, as kube sorts them. */
export function validateStructural(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  validateInvariants(schema, Level.Root, path, errs);
  validateCompleteness(schema, schema, path, path, errs);
  const text = new Map(errs.map((e) => [e, fieldErrorString(e)]));
  return errs.sort((a, b) => goStringCompare(text.get(a)!, text.get(b)!));
}

/**
 * The reasons a schema is not structural: NewStructural's error (as an Invalid error at the schema's
 * path), else ValidateStructural's errors. Empty: structural.
 */
export function nonStructuralErrors(schema: JSONSchemaProps, basePath: string): FieldError[] {
  const e = newStructuralError(schema);
  if (e) return [field.invalid(basePath, '', e)];
  return validateStructural(schema, basePath);
}
