// The schema-level parts of CustomResourceDefinition validation that are not the schema checks
// themselves (./schema, ./cel): the root of a schema whose status subresource is enabled, the
// schema-tree predicate kube's validator uses, and the predicates of its update ratchets.

import { field, type FieldError } from '../apimachinery/errors.js';
import { isObj, type Obj } from '../registry/kinds/_util.js';
import { goSchema } from './internal.js';

// JSONSchemaProps fields (internal names, in Go's order) and the v1 keys they come from; those a
// root schema may have when the status subresource is enabled (status is cut out of it as
// properties["status"] and must not lose validation).
const ROOT_FIELDS: [string, string][] = [
  ['ID', 'id'], ['Schema', '$schema'], ['Ref', '$ref'], ['Description', 'description'], ['Type', 'type'], ['Nullable', 'nullable'],
  ['Format', 'format'], ['Title', 'title'], ['Default', 'default'], ['Maximum', 'maximum'], ['ExclusiveMaximum', 'exclusiveMaximum'],
  ['Minimum', 'minimum'], ['ExclusiveMinimum', 'exclusiveMinimum'], ['MaxLength', 'maxLength'], ['MinLength', 'minLength'],
  ['Pattern', 'pattern'], ['MaxItems', 'maxItems'], ['MinItems', 'minItems'], ['UniqueItems', 'uniqueItems'], ['MultipleOf', 'multipleOf'],
  ['Enum', 'enum'], ['MaxProperties', 'maxProperties'], ['MinProperties', 'minProperties'], ['Required', 'required'], ['Items', 'items'],
  ['AllOf', 'allOf'], ['OneOf', 'oneOf'], ['AnyOf', 'anyOf'], ['Not', 'not'], ['Properties', 'properties'],
  ['AdditionalProperties', 'additionalProperties'], ['PatternProperties', 'patternProperties'], ['Dependencies', 'dependencies'],
  ['AdditionalItems', 'additionalItems'], ['Definitions', 'definitions'], ['ExternalDocs', 'externalDocs'], ['Example', 'example'],
  ['XPreserveUnknownFields', 'x-kubernetes-preserve-unknown-fields'], ['XEmbeddedResource', 'x-kubernetes-embedded-resource'],
  ['XIntOrString', 'x-kubernetes-int-or-string'], ['XListMapKeys', 'x-kubernetes-list-map-keys'], ['XListType', 'x-kubernetes-list-type'],
  ['XMapType', 'x-kubernetes-map-type'], ['XValidations', 'x-kubernetes-validations'],
];
const ALLOWED_AT_ROOT = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength',
  'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties', 'ExternalDocs', 'Example',
  'XPreserveUnknownFields', 'XValidations'];
// non-pointer Go fields: their zero value is as good as absent
const VALUE_FIELDS = new Set(['id', '$schema', 'description', 'type', 'nullable', 'format', 'title', 'exclusiveMaximum', 'exclusiveMinimum',
  'pattern', 'uniqueItems', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string']);

function isSet(s: Obj, key: string): boolean {
  const v = s[key];
  if (v === undefined) return false;
  if (VALUE_FIELDS.has(key)) return v !== '' && v !== false && v !== null;
  return v !== null;
}

/** The root-schema restrictions of a version whose status subresource is enabled (at most one error). */
export function statusRootErrors(schema: Obj, path: string): FieldError[] {
  for (const [goName, key] of ROOT_FIELDS) {
    if (!isSet(schema, key)) continue;
    if (goName === 'Type') {
      if (schema.type !== 'object') {
        return [field.invalid(`${path}.openAPIV3Schema.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      }
      continue;
    }
    if (!ALLOWED_AT_ROOT.includes(goName)) {
      return [field.invalid(`${path}.openAPIV3Schema`, goSchema(schema),
        `only [${ALLOWED_AT_ROOT.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

/** SchemaHas: pred holds somewhere in the tree. */
export function schemaHas(s: Obj, pred: (s: Obj) => boolean): boolean {
  if (pred(s)) return true;
  const kids: unknown[] = [];
  const push = (v: unknown): void => {
    if (Array.isArray(v)) kids.push(...v);
    else kids.push(v);
  };
  push(s.items);
  push(s.allOf);
  push(s.anyOf);
  push(s.oneOf);
  push(s.not);
  push(s.additionalProperties);
  push(s.additionalItems);
  for (const m of [s.properties, s.patternProperties, s.definitions, s.dependencies]) if (isObj(m)) kids.push(...Object.values(m));
  return kids.some((k) => isObj(k) && schemaHas(k, pred));
}

// ---- update ratchets ----

export const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function listItems(s: Obj): Obj | undefined {
  return isObj(s.items) ? s.items : undefined;
}

/** hasNonAtomicSetType: a set list whose items are not atomic. */
export function hasNonAtomicSetItems(s: Obj): boolean {
  const items = listItems(s);
  if (s['x-kubernetes-list-type'] !== 'set' || !items) return false;
  if (items.type === 'array') return items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic';
  if (items.type === 'object') return items['x-kubernetes-map-type'] !== 'atomic';
  return false;
}

/** hasInvalidMapListKeysMapSet: validateMapListKeysMapSet would report something. */
export function hasInvalidMapListKeysMapSet(s: Obj): boolean {
  const items = listItems(s);
  const lt = s['x-kubernetes-list-type'];
  if (!items || (lt !== 'set' && lt !== 'map')) return false;
  if (items.nullable === true) return true;
  if (lt !== 'map') return false;
  const required = new Set(Array.isArray(items.required) ? items.required : []);
  const props = isObj(items.properties) ? items.properties : {};
  const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
  return keys.some((k) => {
    const p = props[k as string];
    if (!isObj(p)) return false;
    return (!required.has(k) && (p.default === undefined || p.default === null)) || p.nullable === true;
  });
}
