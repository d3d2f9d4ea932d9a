// The internal (hub) form kube validates a v1 CustomResourceDefinition in. The v1 -> internal
// conversion (pkg/apis/apiextensions/v1 conversion.go) moves per-version schema, subresources,
// printer columns and selectable fields that are identical in every version to the spec's top
// level, names `version` after the first version and flattens conversion.webhook; kube's error
// paths follow that form (`spec.validation.openAPIV3Schema...` for a single-version CRD,
// `spec.conversion.webhookClientConfig.url`), and so do ours.
// goValue renders internal values the way Go's encoding/json writes the tagless internal structs
// when a field error prints them (`spec.versions: Invalid value: [{"Name":"v1",...}]`).

import { isObj, jsonEqual, type Obj } from '../registry/kinds/_util.js';

export interface InternalVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  /** undefined is Go's nil. */
  deprecationWarning?: string;
  schema?: Obj;
  subresources?: Obj;
  additionalPrinterColumns?: Obj[];
  selectableFields?: Obj[];
}

export interface InternalConversion {
  strategy: string;
  webhookClientConfig?: Obj;
  conversionReviewVersions?: unknown[];
}

export interface InternalSpec {
  group: string;
  version: string;
  names: Obj;
  scope: string;
  validation?: Obj;
  subresources?: Obj;
  versions: InternalVersion[];
  /** spec.versions was absent (Go's nil slice, printed as null), not empty. */
  versionsNil: boolean;
  additionalPrinterColumns?: Obj[];
  selectableFields?: Obj[];
  conversion?: InternalConversion;
  preserveUnknownFields?: boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const objOrUndef = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);
const listOrUndef = (v: unknown): Obj[] | undefined => (Array.isArray(v) && v.length > 0 ? v.filter(isObj) : undefined);

const PER_VERSION = ['schema', 'subresources', 'additionalPrinterColumns', 'selectableFields'] as const;
const TOP_LEVEL = { schema: 'validation', subresources: 'subresources', additionalPrinterColumns: 'additionalPrinterColumns', selectableFields: 'selectableFields' } as const;

/** Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_CustomResourceDefinitionSpec on shaped JSON. */
export function toInternalSpec(spec: Obj): InternalSpec {
  const versions: InternalVersion[] = (Array.isArray(spec.versions) ? spec.versions : []).map((v) => {
    const o = isObj(v) ? v : {};
    return {
      name: str(o.name), served: o.served === true, storage: o.storage === true, deprecated: o.deprecated === true,
      deprecationWarning: typeof o.deprecationWarning === 'string' ? o.deprecationWarning : undefined,
      schema: objOrUndef(o.schema), subresources: objOrUndef(o.subresources),
      additionalPrinterColumns: listOrUndef(o.additionalPrinterColumns), selectableFields: listOrUndef(o.selectableFields),
    };
  });
  const out: InternalSpec = {
    group: str(spec.group), version: '', names: isObj(spec.names) ? spec.names : {}, scope: str(spec.scope), versions,
    versionsNil: !Array.isArray(spec.versions),
    conversion: toInternalConversion(spec.conversion),
    preserveUnknownFields: typeof spec.preserveUnknownFields === 'boolean' ? spec.preserveUnknownFields : undefined,
  };
  if (versions.length === 0) return out;
  out.version = versions[0]!.name;
  for (const f of PER_VERSION) {
    const first = versions[0]![f];
    // apiequality.Semantic.DeepEqual on typed values = JSON equality of shaped values
    if (!versions.every((v) => jsonEqual(v[f], first))) continue;
    (out as unknown as Record<string, unknown>)[TOP_LEVEL[f]] = first;
    for (const v of versions) delete v[f];
  }
  return out;
}

function toInternalConversion(c: unknown): InternalConversion | undefined {
  if (!isObj(c)) return undefined;
  const out: InternalConversion = { strategy: str(c.strategy) };
  if (isObj(c.webhook)) {
    if (Array.isArray(c.webhook.conversionReviewVersions)) out.conversionReviewVersions = c.webhook.conversionReviewVersions;
    if (isObj(c.webhook.clientConfig)) out.webhookClientConfig = c.webhook.clientConfig;
  }
  return out;
}

// ---- Go's JSON of the internal structs ----

const ptr = (v: unknown): unknown => (v === undefined ? null : v);
const slice = (v: unknown): unknown => (Array.isArray(v) ? v : null);

/** spec.versions as a field error prints it. */
export function goVersions(spec: InternalSpec): unknown[] | null {
  if (spec.versionsNil) return null;
  return spec.versions.map((v) => ({
    Name: v.name, Served: v.served, Storage: v.storage, Deprecated: v.deprecated, DeprecationWarning: ptr(v.deprecationWarning),
    Schema: v.schema ? goValidation(v.schema) : null,
    Subresources: v.subresources ? goSubresources(v.subresources) : null,
    AdditionalPrinterColumns: v.additionalPrinterColumns ? v.additionalPrinterColumns.map(goColumn) : null,
    SelectableFields: v.selectableFields ? v.selectableFields.map((f) => ({ JSONPath: str(f.jsonPath) })) : null,
  }));
}

function goValidation(v: Obj): unknown {
  return { OpenAPIV3Schema: isObj(v.openAPIV3Schema) ? goSchema(v.openAPIV3Schema) : null };
}

function goSubresources(s: Obj): unknown {
  const scale = isObj(s.scale) ? {
    SpecReplicasPath: str(s.scale.specReplicasPath), StatusReplicasPath: str(s.scale.statusReplicasPath),
    LabelSelectorPath: ptr(s.scale.labelSelectorPath),
  } : null;
  return { Status: isObj(s.status) ? {} : null, Scale: scale };
}

function goColumn(c: Obj): unknown {
  return {
    Name: str(c.name), Type: str(c.type), Format: str(c.format), Description: str(c.description),
    Priority: typeof c.priority === 'number' ? c.priority : 0, JSONPath: str(c.jsonPath),
  };
}

const bool = (v: unknown): boolean => v === true;

function goSchemaMap(m: unknown): unknown {
  if (!isObj(m)) return null;
  const out: Obj = {};
  for (const k of Object.keys(m).sort()) out[k] = isObj(m[k]) ? goSchema(m[k]) : goSchema({});
  return out;
}

function goSchemaList(l: unknown): unknown {
  return Array.isArray(l) ? l.map((s) => goSchema(isObj(s) ? s : {})) : null;
}

function goOrBool(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return { Allows: v, Schema: null };
  return { Allows: true, Schema: goSchema(isObj(v) ? v : {}) };
}

/** JSONSchemaProps (internal) as Go's encoding/json writes it: every field, Go names and order. */
export function goSchema(s: Obj): unknown {
  const items = s.items === undefined || s.items === null ? null
    : Array.isArray(s.items) ? { Schema: null, JSONSchemas: goSchemaList(s.items) } : { Schema: goSchema(isObj(s.items) ? s.items : {}), JSONSchemas: null };
  let deps: unknown = null;
  if (isObj(s.dependencies)) {
    const d: Obj = {};
    for (const k of Object.keys(s.dependencies).sort()) {
      const v = s.dependencies[k];
      d[k] = Array.isArray(v) ? { Schema: null, Property: v } : { Schema: goSchema(isObj(v) ? v : {}), Property: null };
    }
    deps = d;
  }
  const docs = isObj(s.externalDocs) ? { Description: str(s.externalDocs.description), URL: str(s.externalDocs.url) } : null;
  const rules = Array.isArray(s['x-kubernetes-validations']) ? s['x-kubernetes-validations'].map((r) => {
    const o = isObj(r) ? r : {};
    return {
      Rule: str(o.rule), Message: str(o.message), MessageExpression: str(o.messageExpression), Reason: ptr(o.reason),
      FieldPath: str(o.fieldPath), OptionalOldSelf: ptr(o.optionalOldSelf),
    };
  }) : null;
  return {
    ID: str(s.id), Schema: str(s.$schema), Ref: ptr(s.$ref), Description: str(s.description), Type: str(s.type),
    Nullable: bool(s.nullable), Format: str(s.format), Title: str(s.title), Default: ptr(s.default),
    Maximum: ptr(s.maximum), ExclusiveMaximum: bool(s.exclusiveMaximum), Minimum: ptr(s.minimum),
    ExclusiveMinimum: bool(s.exclusiveMinimum), MaxLength: ptr(s.maxLength), MinLength: ptr(s.minLength),
    Pattern: str(s.pattern), MaxItems: ptr(s.maxItems), MinItems: ptr(s.minItems), UniqueItems: bool(s.uniqueItems),
    MultipleOf: ptr(s.multipleOf), Enum: slice(s.enum), MaxProperties: ptr(s.maxProperties), MinProperties: ptr(s.minProperties),
    Required: slice(s.required), Items: items, AllOf: goSchemaList(s.allOf), OneOf: goSchemaList(s.oneOf),
    AnyOf: goSchemaList(s.anyOf), Not: isObj(s.not) ? goSchema(s.not) : null, Properties: goSchemaMap(s.properties),
    AdditionalProperties: goOrBool(s.additionalProperties), PatternProperties: goSchemaMap(s.patternProperties),
    Dependencies: deps, AdditionalItems: goOrBool(s.additionalItems), Definitions: goSchemaMap(s.definitions),
    ExternalDocs: docs, Example: ptr(s.example), XPreserveUnknownFields: ptr(s['x-kubernetes-preserve-unknown-fields']),
    XEmbeddedResource: bool(s['x-kubernetes-embedded-resource']), XIntOrString: bool(s['x-kubernetes-int-or-string']),
    XListMapKeys: slice(s['x-kubernetes-list-map-keys']), XListType: ptr(s['x-kubernetes-list-type']),
    XMapType: ptr(s['x-kubernetes-map-type']), XValidations: rules,
  };
}
