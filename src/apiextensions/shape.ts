// A CustomResourceDefinition in the form kube's v1 encoder writes it: Go struct field order,
// omitempty fields dropped when zero, maps (properties...) sorted. kube decodes a request into
// typed structs and re-encodes it, so what it stores and answers has this shape; comparisons
// that kube makes on typed values (apiequality.Semantic) hold between shaped JSON values.

import { isObj, orderKeys, type Obj } from '../registry/kinds/_util.js';

type Shaper = (o: Obj) => void;

/**
 * Field order and omitempty of one struct; `kids` shape nested values. A JSON null decodes to Go's
 * zero value: dropped from an omitempty field, the zero of `always` (fields without omitempty:
 * "", false, null for a slice, {} for a struct) otherwise.
 */
function struct(order: string[], omitEmpty: string[], kids: Record<string, Shaper> = {}, always: Record<string, unknown> = {}): Shaper {
  const omit = new Set(omitEmpty);
  const known = new Set(order);
  return (o) => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v === undefined) delete o[k];
      else if (v === null && known.has(k)) {
        if (k in always) o[k] = structuredClone(always[k]);
        else delete o[k];
      } else if (omit.has(k) && isZero(v, MAP_FIELDS.has(k))) delete o[k];
    }
    // (Go writes a field without omitempty even when the JSON had none)
    for (const [k, zero] of Object.entries(always)) if (!(k in o)) o[k] = structuredClone(zero);
    for (const [k, shape] of Object.entries(kids)) if (k in o) shape(o);
    orderKeys(o, order);
  };
}

/** Go map-typed fields: omitempty drops them when empty (a struct pointer is kept even if empty). */
const MAP_FIELDS = new Set(['properties', 'patternProperties', 'dependencies', 'definitions']);

/** Go's omitempty: false, 0, "", nil, and empty slices and maps. */
function isZero(v: unknown, isMap: boolean): boolean {
  if (v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return isMap && isObj(v) && Object.keys(v).length === 0;
}

// (a null element of a list of structs, or value of a map of structs, decodes to the zero struct)
function each(k: string, shape: (o: Obj) => void): Shaper {
  return (o) => {
    const v = o[k];
    if (!Array.isArray(v)) return;
    v.forEach((item, i) => {
      if (item === null) v[i] = item = {};
      if (isObj(item)) shape(item);
    });
  };
}

function one(k: string, shape: (o: Obj) => void): Shaper {
  return (o) => {
    if (isObj(o[k])) shape(o[k]);
  };
}

function sortedMap(k: string, shape: (o: Obj) => void, structValues = true): Shaper {
  return (o) => {
    const m = o[k];
    if (!isObj(m)) return;
    const sorted: Obj = {};
    for (const key of Object.keys(m).sort(byteOrder)) {
      const v = m[key] === null && structValues ? {} : m[key];
      if (isObj(v)) shape(v);
      sorted[key] = v;
    }
    o[k] = sorted;
  };
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const SCHEMA_ORDER = [
  'id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum',
  'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties',
  'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems', 'definitions', 'externalDocs', 'example',
  'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations',
];
// pointers (default, maximum, $ref, x-kubernetes-preserve-unknown-fields...) keep their zero values
const SCHEMA_OMIT_EMPTY = [
  'id', '$schema', 'description', 'type', 'format', 'title', 'exclusiveMaximum', 'exclusiveMinimum', 'pattern',
  'uniqueItems', 'enum', 'required', 'allOf', 'oneOf', 'anyOf', 'properties', 'patternProperties', 'dependencies',
  'definitions', 'nullable', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
];

const shapeRule = struct(['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf'],
  ['message', 'messageExpression', 'fieldPath'], {}, { rule: '' });
const shapeExternalDocs = struct(['description', 'url'], ['description', 'url']);

/** Shapes a JSONSchemaProps tree in place. */
export function shapeSchema(s: Obj): void {
  shapeSchemaNode(s);
}

function schemaList(k: string): Shaper {
  return each(k, shapeSchemaNode);
}

// JSONSchemaPropsOrArray / OrBool / OrStringArray: a schema, or an array / bool / string list
const orSchema = (k: string): Shaper => (o) => {
  const v = o[k];
  if (isObj(v)) shapeSchemaNode(v);
  else if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (item === null) v[i] = item = {};
      if (isObj(item)) shapeSchemaNode(item);
    });
  }
};

function shapeSchemaNode(s: Obj): void {
  schemaShaper(s);
}

const schemaShaper: Shaper = struct(SCHEMA_ORDER, SCHEMA_OMIT_EMPTY, {
  items: orSchema('items'),
  allOf: schemaList('allOf'),
  oneOf: schemaList('oneOf'),
  anyOf: schemaList('anyOf'),
  not: one('not', (o) => shapeSchemaNode(o)),
  properties: sortedMap('properties', (o) => shapeSchemaNode(o)),
  additionalProperties: orSchema('additionalProperties'),
  patternProperties: sortedMap('patternProperties', (o) => shapeSchemaNode(o)),
  // (a schema or a string list: null stays null)
  dependencies: sortedMap('dependencies', (o) => shapeSchemaNode(o), false),
  additionalItems: orSchema('additionalItems'),
  definitions: sortedMap('definitions', (o) => shapeSchemaNode(o)),
  externalDocs: one('externalDocs', shapeExternalDocs),
  'x-kubernetes-validations': each('x-kubernetes-validations', shapeRule),
});

const shapeNames = struct(['plural', 'singular', 'shortNames', 'kind', 'listKind', 'categories'],
  ['singular', 'shortNames', 'listKind', 'categories'], {}, { plural: '', kind: '' });

const shapeVersion = struct(
  ['name', 'served', 'storage', 'deprecated', 'deprecationWarning', 'schema', 'subresources', 'additionalPrinterColumns', 'selectableFields'],
  ['deprecated', 'additionalPrinterColumns', 'selectableFields'],
  {
    schema: one('schema', struct(['openAPIV3Schema'], [], { openAPIV3Schema: one('openAPIV3Schema', shapeSchemaNode) })),
    subresources: one('subresources', struct(['status', 'scale'], [], {
      scale: one('scale', struct(['specReplicasPath', 'statusReplicasPath', 'labelSelectorPath'], [], {},
        { specReplicasPath: '', statusReplicasPath: '' })),
    })),
    additionalPrinterColumns: each('additionalPrinterColumns',
      struct(['name', 'type', 'format', 'description', 'priority', 'jsonPath'], ['format', 'description', 'priority'], {},
        { name: '', type: '', jsonPath: '' })),
    selectableFields: each('selectableFields', struct(['jsonPath'], [], {}, { jsonPath: '' })),
  },
  { name: '', served: false, storage: false },
);

const shapeWebhookConversion = struct(['clientConfig', 'conversionReviewVersions'], [], {
  clientConfig: one('clientConfig', struct(['url', 'service', 'caBundle'], ['caBundle'], {
    service: one('service', struct(['namespace', 'name', 'path', 'port'], [], {}, { namespace: '', name: '' })),
  })),
}, { conversionReviewVersions: null });

const shapeConversion = struct(['strategy', 'webhook'], [], {
  webhook(c) {
    const w = c.webhook;
    if (!isObj(w)) return;
    shapeWebhookConversion(w);
    // kube keeps the webhook stanza only with a client config or review versions (internal ->
    // v1 conversion), and stores CRDs as v1beta1, whose conversionReviewVersions is omitempty
    const versions = w.conversionReviewVersions;
    if (!isObj(w.clientConfig) && !(Array.isArray(versions) && versions.length > 0)) delete c.webhook;
  },
}, { strategy: '' });

const shapeSpec = struct(['group', 'names', 'scope', 'versions', 'conversion', 'preserveUnknownFields'], ['preserveUnknownFields'], {
  names: one('names', shapeNames),
  versions: each('versions', shapeVersion),
  conversion: one('conversion', shapeConversion),
}, { group: '', names: {}, scope: '', versions: null });

const shapeCondition = struct(['type', 'status', 'lastTransitionTime', 'reason', 'message'], ['reason', 'message']);

/** Shapes a whole CRD in place (metadata is the generic machinery's). */
export function shapeCustomResourceDefinition(crd: Obj): void {
  if (!isObj(crd.spec)) crd.spec = {};
  shapeSpec(crd.spec as Obj);
  if (crd.status !== undefined && crd.status !== null) shapeStatus(crd);
  orderKeys(crd, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

/** The status as kube writes it: conditions and storedVersions null when empty, acceptedNames always. */
export function shapeStatus(crd: Obj): void {
  const status: Obj = isObj(crd.status) ? crd.status : {};
  crd.status = status;
  if (!Array.isArray(status.conditions) || status.conditions.length === 0) status.conditions = null;
  else for (const c of status.conditions) if (isObj(c)) shapeCondition(c);
  if (!isObj(status.acceptedNames)) status.acceptedNames = {};
  shapeNames(status.acceptedNames as Obj);
  if (!Array.isArray(status.storedVersions) || status.storedVersions.length === 0) status.storedVersions = null;
  orderKeys(status, ['conditions', 'acceptedNames', 'storedVersions']);
}
