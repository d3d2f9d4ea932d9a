// The checks a v1 CustomResourceDefinition's openAPIV3Schema must pass (apiextensions validation:
// validateCustomResourceDefinitionValidation and ValidateCustomResourceDefinitionOpenAPISchema):
// status-subresource root keywords, structural errors, defaults, unsupported keywords, list and map
// types, x-kubernetes-validations' form. CEL compilation and costs are H2's (the CRD validator adds
// them after these); `validateDefault` lets it check defaults against their rules.

import { field, type FieldError } from '../../apimachinery/errors.js';
import { goStringCompare } from '../../apimachinery/validation.js';
import type { JSONSchemaProps } from '../types.js';
import { validateDefaults, type DefaultValidator } from './defaults-validation.js';
import { isSupportedFormat } from './formats.js';
import { compileTree } from './node.js';
import { newStructuralError, validateStructural } from './structural.js';

export interface CRDSchemaOptions {
  /** The version serves the status subresource (the root may then hold only some keywords). */
  statusEnabled?: boolean;
  /**
   * kube's ratchets for updates: each is true for a create and stays true on update unless the old
   * CRD already broke the rule (then it is false, so an old CRD stays updatable). Default true.
   */
  requireStructuralSchema?: boolean;
  requirePrunedDefaults?: boolean;
  requireAtomicSetType?: boolean;
  requireMapListKeysMapSetValidation?: boolean;
  requireValidPropertyType?: boolean;
  /** Defaults allowed at all (v1: yes). */
  allowDefaults?: boolean;
  /** The CEL check of a default (H2's validator), run where kube runs it. */
  validateDefault?: DefaultValidator;
}

const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const SUPPORTED_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/**
 * The internal JSONSchemaProps' fields in Go's struct order: JSON name, Go name, whether the root of a
 * schema with the status subresource may hold it, and how encoding/json writes the Go field.
 */
type GoKind = 'string' | 'bool' | 'ptr' | 'slice' | 'schemas' | 'map' | 'orArray' | 'orBool' | 'deps' | 'docs' | 'rules' | 'schema';
const ROOT_FIELDS: [string, string, boolean, GoKind][] = [
  ['id', 'ID', false, 'string'], ['$schema', 'Schema', false, 'string'], ['$ref', 'Ref', false, 'ptr'],
  ['description', 'Description', true, 'string'], ['type', 'Type', true, 'string'], ['nullable', 'Nullable', false, 'bool'],
  ['format', 'Format', true, 'string'], ['title', 'Title', true, 'string'], ['default', 'Default', false, 'ptr'],
  ['maximum', 'Maximum', true, 'ptr'], ['exclusiveMaximum', 'ExclusiveMaximum', true, 'bool'], ['minimum', 'Minimum', true, 'ptr'],
  ['exclusiveMinimum', 'ExclusiveMinimum', true, 'bool'], ['maxLength', 'MaxLength', true, 'ptr'], ['minLength', 'MinLength', true, 'ptr'],
  ['pattern', 'Pattern', true, 'string'], ['maxItems', 'MaxItems', true, 'ptr'], ['minItems', 'MinItems', true, 'ptr'],
  ['uniqueItems', 'UniqueItems', true, 'bool'], ['multipleOf', 'MultipleOf', true, 'ptr'], ['enum', 'Enum', false, 'slice'],
  ['maxProperties', 'MaxProperties', false, 'ptr'], ['minProperties', 'MinProperties', false, 'ptr'], ['required', 'Required', true, 'slice'],
  ['items', 'Items', true, 'orArray'], ['allOf', 'AllOf', false, 'schemas'], ['oneOf', 'OneOf', false, 'schemas'],
  ['anyOf', 'AnyOf', false, 'schemas'], ['not', 'Not', false, 'schema'], ['properties', 'Properties', true, 'map'],
  ['additionalProperties', 'AdditionalProperties', false, 'orBool'], ['patternProperties', 'PatternProperties', false, 'map'],
  ['dependencies', 'Dependencies', false, 'deps'], ['additionalItems', 'AdditionalItems', false, 'orBool'],
  ['definitions', 'Definitions', false, 'map'], ['externalDocs', 'ExternalDocs', true, 'docs'], ['example', 'Example', true, 'ptr'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields', true, 'ptr'],
  ['x-kubernetes-embedded-resource', 'XEmbeddedResource', false, 'bool'], ['x-kubernetes-int-or-string', 'XIntOrString', false, 'bool'],
  ['x-kubernetes-list-map-keys', 'XListMapKeys', false, 'slice'], ['x-kubernetes-list-type', 'XListType', false, 'ptr'],
  ['x-kubernetes-map-type', 'XMapType', false, 'ptr'], ['x-kubernetes-validations', 'XValidations', true, 'rules'],
];
const ALLOWED_AT_STATUS_ROOT = ROOT_FIELDS.filter(([, , ok]) => ok).map(([, g]) => g);

/** The schema as Go's encoding/json writes the internal JSONSchemaProps struct (kube prints it so). */
function goStruct(s: JSONSchemaProps | undefined): unknown {
  if (!s) return null;
  const out: Record<string, unknown> = {};
  const src = s as Record<string, unknown>;
  for (const [json, go, , kind] of ROOT_FIELDS) {
    const v = src[json];
    const given = v !== undefined && v !== null;
    switch (kind) {
      case 'string': out[go] = given ? v : ''; break;
      case 'bool': out[go] = given ? v : false; break;
      case 'ptr': case 'slice': out[go] = given ? v : null; break;
      case 'schema': out[go] = goStruct(v as JSONSchemaProps | undefined); break;
      case 'schemas': out[go] = given ? (v as JSONSchemaProps[]).map(goStruct) : null; break;
      case 'map': out[go] = given ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, goStruct((v as Record<string, JSONSchemaProps>)[k])])) : null; break;
      case 'orArray': out[go] = given ? (Array.isArray(v) ? { Schema: null, JSONSchemas: v.map(goStruct) } : { Schema: goStruct(v as JSONSchemaProps), JSONSchemas: null }) : null; break;
      case 'orBool': out[go] = given ? (typeof v === 'boolean' ? { Allows: v, Schema: null } : { Allows: true, Schema: goStruct(v as JSONSchemaProps) }) : null; break;
      case 'deps': out[go] = given ? Object.fromEntries(Object.keys(v as object).sort().map((k) => {
        const d = (v as Record<string, unknown>)[k];
        return [k, Array.isArray(d) ? { Schema: null, Property: d } : { Schema: goStruct(d as JSONSchemaProps), Property: null }];
      })) : null; break;
      case 'docs': out[go] = given ? { Description: (v as { description?: string }).description ?? '', URL: (v as { url?: string }).url ?? '' } : null; break;
      case 'rules': out[go] = given ? (v as Record<string, unknown>[]).map((r) => ({
        Rule: r.rule ?? '', Message: r.message ?? '', MessageExpression: r.messageExpression ?? '', Reason: r.reason ?? null,
        FieldPath: r.fieldPath ?? '', OptionalOldSelf: r.optionalOldSelf ?? null,
      })) : null; break;
    }
  }
  return out;
}

const isZero = (v: unknown) => v === undefined || v === null || v === false || v === '';

function statusRootErrors(s: JSONSchemaProps, path: string): FieldError[] {
  for (const [json, , allowed] of ROOT_FIELDS) {
    const v = (s as Record<string, unknown>)[json];
    if (isZero(v)) continue;
    if (json === 'type') {
      if (v !== 'object') {
        return [field.invalid(`${path}.type`, v, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      }
      continue;
    }
    if (!allowed) {
      return [field.invalid(path, goStruct(s), `only [${ALLOWED_AT_STATUS_ROOT.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

/** specStandardValidatorV3's state along the walk. */
interface Standard {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

const NEWLINES = /[\n\r]+/;

function validateRules(s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const p = `${path}.x-kubernetes-validations[${i}]`;
    const r = (rule.rule ?? '').trim();
    const msg = rule.message ?? '';
    const m = msg.trim();
    if (!r) errs.push(field.required(`${p}.rule`, 'rule is not specified'));
    else if (msg.length > 0 && !m) errs.push(field.invalid(`${p}.message`, msg, 'must be non-empty if specified'));
    else if (NEWLINES.test(m)) errs.push(field.invalid(`${p}.message`, msg, 'must not contain line breaks'));
    else if (NEWLINES.test(r) && !m) errs.push(field.required(`${p}.message`, 'message must be specified if rule contains line breaks'));
    if ((rule.messageExpression ?? '').length > 0 && !rule.messageExpression!.trim()) {
      errs.push(field.required(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
    }
    if (rule.reason !== undefined && rule.reason !== null && !SUPPORTED_REASONS.includes(rule.reason)) {
      errs.push(field.notSupported(`${p}.reason`, rule.reason, SUPPORTED_REASONS));
    }
    const fp = rule.fieldPath ?? '';
    if (fp.length > 0 && !fp.trim()) errs.push(field.invalid(`${p}.fieldPath`, fp, 'must be non-empty if specified'));
    if (NEWLINES.test(fp)) errs.push(field.invalid(`${p}.fieldPath`, fp, 'must not contain line breaks'));
  });
}

function validateMapListKeysMapSet(s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
  const lt = s['x-kubernetes-list-type'];
  if (!items || (lt !== 'set' && lt !== 'map')) return;
  if (items.nullable) errs.push(field.forbidden(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${lt}`));
  if (lt !== 'map') return;
  const required = new Set(items.required ?? []);
  for (const k of s['x-kubernetes-list-map-keys'] ?? []) {
    const p = items.properties && Object.prototype.hasOwnProperty.call(items.properties, k) ? items.properties[k] : undefined;
    if (!p) continue;
    if (!required.has(k) && (p.default === undefined || p.default === null)) {
      errs.push(field.required(`${path}.items.properties[${k}].default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
    }
    if (p.nullable) errs.push(field.forbidden(`${path}.items.properties[${k}].nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
  }
}

function validateStandard(s: JSONSchemaProps, path: string, v: Standard, opts: Required<Omit<CRDSchemaOptions, 'validateDefault'>>, errs: FieldError[]): void {
  if (opts.requireValidPropertyType && s.type && !OPENAPI_V3_TYPES.includes(s.type)) {
    errs.push(field.notSupported(`${path}.type`, s.type, OPENAPI_V3_TYPES));
  }
  if (s.default !== undefined && s.default !== null && !v.allowDefaults) {
    errs.push(field.forbidden(`${path}.default`, v.disallowDefaultsReason ? `must not be set ${v.disallowDefaultsReason}` : 'must not be set'));
  }
  if (s.id) errs.push(field.forbidden(`${path}.id`, 'id is not supported'));
  if (s.additionalItems !== undefined && s.additionalItems !== null) errs.push(field.forbidden(`${path}.additionalItems`, 'additionalItems is not supported'));
  if (s.patternProperties && Object.keys(s.patternProperties).length) errs.push(field.forbidden(`${path}.patternProperties`, 'patternProperties is not supported'));
  if (s.definitions && Object.keys(s.definitions).length) errs.push(field.forbidden(`${path}.definitions`, 'definitions is not supported'));
  if (s.dependencies !== undefined && s.dependencies !== null) errs.push(field.forbidden(`${path}.dependencies`, 'dependencies is not supported'));
  if (s.$ref !== undefined && s.$ref !== null) errs.push(field.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s.type === 'null') errs.push(field.forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length) errs.push(field.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (v.insideResourceMeta && s['x-kubernetes-embedded-resource']) {
    errs.push(field.forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'));
  }
}

type Opts = Required<Omit<CRDSchemaOptions, 'validateDefault'>>;

/** ValidateCustomResourceDefinitionOpenAPISchema's schema errors (not its CEL errors). */
function validateOpenAPISchema(s: JSONSchemaProps | undefined, path: string, v: Standard, isRoot: boolean, opts: Opts, errs: FieldError[]): void {
  if (!s) return;
  validateStandard(s, path, v, opts, errs);
  if (s.uniqueItems) errs.push(field.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const ap = s.additionalProperties;
  const props = Object.keys(s.properties ?? {}).sort(goStringCompare);
  if (ap !== undefined && ap !== null) {
    if (props.length && (ap === false || typeof ap === 'object')) {
      errs.push(field.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = v.insideResourceMeta ? { ...v, allowDefaults: false, disallowDefaultsReason: 'inside additionalProperties applying to object metadata' } : v;
    if (typeof ap === 'object') validateOpenAPISchema(ap, `${path}.additionalProperties`, sub, false, opts, errs);
  }
  for (const k of props) {
    let sub = v;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${k}` };
    }
    validateOpenAPISchema(s.properties![k], `${path}.properties[${k}]`, sub, false, opts, errs);
  }
  validateOpenAPISchema(s.not, `${path}.not`, v, false, opts, errs);
  s.allOf?.forEach((x, i) => validateOpenAPISchema(x, `${path}.allOf[${i}]`, v, false, opts, errs));
  s.oneOf?.forEach((x, i) => validateOpenAPISchema(x, `${path}.oneOf[${i}]`, v, false, opts, errs));
  s.anyOf?.forEach((x, i) => validateOpenAPISchema(x, `${path}.anyOf[${i}]`, v, false, opts, errs));
  for (const k of Object.keys(s.definitions ?? {}).sort(goStringCompare)) {
    validateOpenAPISchema(s.definitions![k], `${path}.definitions[${k}]`, v, false, opts, errs);
  }
  const items = s.items;
  if (Array.isArray(items)) items.forEach((x, i) => validateOpenAPISchema(x, `${path}.items[${i}]`, v, false, opts, errs));
  else validateOpenAPISchema(items, `${path}.items`, v, false, opts, errs);
  for (const k of Object.keys(s.dependencies ?? {}).sort(goStringCompare)) {
    const d = s.dependencies![k];
    if (d && !Array.isArray(d)) validateOpenAPISchema(d, `${path}.dependencies[${k}]`, v, false, opts, errs);
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(field.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  validateListAndMapTypes(s, path, opts, errs);
  if (opts.requireMapListKeysMapSetValidation) validateMapListKeysMapSet(s, path, errs);
  validateRules(s, path, errs);
}

function validateListAndMapTypes(s: JSONSchemaProps, path: string, opts: Opts, errs: FieldError[]): void {
  const type = s.type ?? '';
  const mapType = s['x-kubernetes-map-type'];
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  const items = s.items;
  const itemSchema = items && !Array.isArray(items) ? items : undefined;
  if (mapType !== undefined && mapType !== null && type !== 'object') {
    if (!type) errs.push(field.required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'));
    else errs.push(field.invalid(`${path}.type`, type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mapType !== undefined && mapType !== null && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(field.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
  if (listType !== undefined && listType !== null && type !== 'array') {
    if (!type) errs.push(field.required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'));
    else errs.push(field.invalid(`${path}.type`, type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (opts.requireAtomicSetType && listType === 'set' && itemSchema) {
    if (itemSchema.type === 'array') {
      const ilt = itemSchema['x-kubernetes-list-type'];
      if (ilt !== undefined && ilt !== null && ilt !== 'atomic') {
        errs.push(field.invalid(`${path}.items.x-kubernetes-list-type`, ilt, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
    } else if (itemSchema.type === 'object') {
      if (itemSchema['x-kubernetes-map-type'] !== 'atomic') {
        // (kube shows the items' list type here, not their map type)
        errs.push(field.invalid(`${path}.items.x-kubernetes-map-type`, itemSchema['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
    }
  }
  if (listType !== undefined && listType !== null && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(field.notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  }
  if (keys?.length) {
    if (listType === undefined || listType === null) errs.push(field.required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(field.invalid(`${path}.x-kubernetes-list-type`, listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType !== 'map') return;
  if (!keys?.length) errs.push(field.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  if (items === undefined || items === null) errs.push(field.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
  if (Array.isArray(items)) errs.push(field.invalid(`${path}.items`, items, 'must only have a single schema if x-kubernetes-list-type is map'));
  if (!itemSchema) return;
  if (itemSchema.type !== 'object') {
    errs.push(field.invalid(`${path}.items.type`, itemSchema.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    return;
  }
  const seen = new Set<string>();
  for (const k of keys ?? []) {
    const p = itemSchema.properties && Object.prototype.hasOwnProperty.call(itemSchema.properties, k) ? itemSchema.properties[k] : undefined;
    if (p) {
      if (p.type === 'array' || p.type === 'object') {
        errs.push(field.invalid(`${path}.items.properties[${k}].type`, itemSchema.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
      }
    } else {
      errs.push(field.invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'entries must all be names of item properties'));
    }
    if (seen.has(k)) errs.push(field.invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'));
    seen.add(k);
  }
}

/**
 * The errors of a v1 CRD version's openAPIV3Schema at `basePath`
 * (`spec.versions[0].schema.openAPIV3Schema`), in kube's order.
 */
export function validateCRDSchema(schema: JSONSchemaProps, basePath: string, options: CRDSchemaOptions = {}): FieldError[] {
  const opts: Opts = {
    statusEnabled: options.statusEnabled ?? false,
    requireStructuralSchema: options.requireStructuralSchema ?? true,
    requirePrunedDefaults: options.requirePrunedDefaults ?? true,
    requireAtomicSetType: options.requireAtomicSetType ?? true,
    requireMapListKeysMapSetValidation: options.requireMapListKeysMapSetValidation ?? true,
    requireValidPropertyType: options.requireValidPropertyType ?? true,
    allowDefaults: options.allowDefaults ?? true,
  };
  const errs: FieldError[] = [];
  if (opts.statusEnabled) errs.push(...statusRootErrors(schema, basePath));
  if (schema.nullable) errs.push(field.forbidden(`${basePath}.nullable`, 'nullable cannot be true at the root'));
  let initErr: FieldError | undefined;
  if (opts.requireStructuralSchema) {
    const e = newStructuralError(schema);
    if (e) initErr = field.invalid(basePath, '', e);
    else {
      const structural = validateStructural(schema, basePath);
      if (structural.length) errs.push(...structural);
      else errs.push(...validateDefaults(compileTree(schema), basePath, opts.requirePrunedDefaults, options.validateDefault));
    }
  }
  validateOpenAPISchema(schema, basePath, { allowDefaults: opts.allowDefaults, disallowDefaultsReason: '', insideResourceMeta: false }, true, opts, errs);
  if (errs.length === 0 && initErr) errs.push(initErr);
  return errs;
}

/** The `unrecognized format "x"` warnings kube gives when a CRD with this schema is created (kube's order is Go map order). */
export function unrecognizedFormatWarnings(schema: JSONSchemaProps): string[] {
  const out = new Set<string>();
  const walk = (s: JSONSchemaProps | undefined): void => {
    if (!s || typeof s !== 'object') return;
    // (kube 1.34 warns about string schemas only; later releases about every type)
    if (s.format && s.type === 'string' && !isSupportedFormat('string', s.format)) out.add(`unrecognized format ${JSON.stringify(s.format)}`);
    for (const k of Object.keys(s.properties ?? {}).sort(goStringCompare)) walk(s.properties![k]);
    if (s.items && !Array.isArray(s.items)) walk(s.items);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    for (const j of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(j);
    walk(s.not);
  };
  walk(schema);
  return [...out];
}
