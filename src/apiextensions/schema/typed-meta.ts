// metav1.ObjectMeta as Go's typed JSON decoding sees a custom resource's `metadata` (the root's and
// every x-kubernetes-embedded-resource's): which fields exist, their types, the first type error in
// Go's words (`json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string`),
// the unknown fields a strict decoder reports (`metadata.ownerReferences[0].bad`), and the object
// kube writes back (runtime.DefaultUnstructuredConverter.ToUnstructured: empty fields omitted,
// times in UTC seconds).

import { formatTime, parseRFC3339 } from './gotime.js';

type FieldType =
  | 'string' | 'int64' | 'bool' | 'time' | 'stringMap' | 'stringList' | 'raw'
  | { list: Struct } | { ptrStruct: Struct };

interface FieldSpec {
  type: FieldType;
  /** Go's omitempty (ObjectMeta's fields all have it; OwnerReference's identity fields do not). */
  omitEmpty: boolean;
}

interface Struct {
  name: string;
  fields: Record<string, FieldSpec>;
}

const f = (type: FieldType, omitEmpty = true): FieldSpec => ({ type, omitEmpty });

const OWNER_REFERENCE: Struct = {
  name: 'OwnerReference',
  fields: {
    apiVersion: f('string', false), kind: f('string', false), name: f('string', false), uid: f('string', false),
    controller: f('bool'), blockOwnerDeletion: f('bool'),
  },
};

const MANAGED_FIELDS_ENTRY: Struct = {
  name: 'ManagedFieldsEntry',
  fields: {
    manager: f('string'), operation: f('string'), apiVersion: f('string'), time: f('time'), fieldsType: f('string'),
    fieldsV1: f('raw'), subresource: f('string'),
  },
};

const OBJECT_META: Struct = {
  name: 'ObjectMeta',
  fields: {
    name: f('string'), generateName: f('string'), namespace: f('string'), selfLink: f('string'), uid: f('string'),
    resourceVersion: f('string'), generation: f('int64'), creationTimestamp: f('time'), deletionTimestamp: f('time'),
    deletionGracePeriodSeconds: f('int64'), labels: f('stringMap'), annotations: f('stringMap'),
    ownerReferences: f({ list: OWNER_REFERENCE }), finalizers: f('stringList'), managedFields: f({ list: MANAGED_FIELDS_ENTRY }),
  },
};

export interface TypedDecode {
  /** Go's first decoding error, if any. */
  error?: string;
  /** Unknown fields (relative: "foo", "ownerReferences[0].bad"). */
  unknown: string[];
  /** The value ToUnstructured writes back (undefined: nothing decodable). */
  value?: Record<string, unknown>;
}

/** Go's name for a JSON value in an UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** out[k] = v, also for a key named "__proto__" (a label key may be anything). */
function put(out: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
}

interface Ctx {
  error?: string;
  unknown: string[];
}

function typeError(ctx: Ctx, v: unknown, struct: string, fieldPath: string, goType: string): void {
  ctx.error ??= `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${struct}.${fieldPath} of type ${goType}`;
}

/** Decodes one field value; returns what ToUnstructured writes (undefined: omitted). */
function decodeField(ctx: Ctx, spec: FieldSpec, v: unknown, struct: string, fieldPath: string, path: string): unknown {
  if (v === null || v === undefined) return spec.omitEmpty ? undefined : zero(spec.type);
  const t = spec.type;
  switch (t) {
    case 'string':
      if (typeof v !== 'string') return typeError(ctx, v, struct, fieldPath, 'string');
      return v === '' && spec.omitEmpty ? undefined : v;
    case 'int64':
      if (typeof v !== 'number' || !Number.isInteger(v)) return typeError(ctx, v, struct, fieldPath, 'int64');
      return v === 0 ? undefined : v;
    case 'bool':
      if (typeof v !== 'boolean') return typeError(ctx, v, struct, fieldPath, 'bool');
      return v;
    case 'time': {
      if (typeof v !== 'string') return typeError(ctx, v, struct, fieldPath, 'string');
      const t = parseRFC3339(v);
      if ('error' in t) {
        ctx.error ??= t.error;
        return undefined;
      }
      return formatTime(t.ms);
    }
    case 'stringMap': {
      if (typeof v !== 'object' || Array.isArray(v)) return typeError(ctx, v, struct, fieldPath, 'map[string]string');
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === null) { put(out, k, ''); continue; }
        if (typeof x !== 'string') { typeError(ctx, x, struct, fieldPath, 'string'); continue; }
        put(out, k, x);
      }
      return Object.keys(out).length ? out : undefined;
    }
    case 'stringList': {
      if (!Array.isArray(v)) return typeError(ctx, v, struct, fieldPath, '[]string');
      const out = v.map((x) => {
        if (x === null) return '';
        if (typeof x !== 'string') typeError(ctx, x, struct, fieldPath, 'string');
        return x;
      });
      return out.length ? out : undefined;
    }
    case 'raw':
      return v;
    default: {
      if ('list' in t) {
        if (!Array.isArray(v)) return typeError(ctx, v, struct, fieldPath, `[]v1.${t.list.name}`);
        const out = v.map((x, i) => decodeStruct(ctx, t.list, x, struct, fieldPath, `${path}[${i}]`));
        return out.length ? out : undefined;
      }
      return decodeStruct(ctx, t.ptrStruct, v, struct, fieldPath, path);
    }
  }
}

function zero(t: FieldType): unknown {
  return t === 'string' ? '' : t === 'int64' ? 0 : t === 'bool' ? false : null;
}

function decodeStruct(ctx: Ctx, s: Struct, v: unknown, rootStruct: string, fieldPrefix: string, path: string): Record<string, unknown> | undefined {
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    if (fieldPrefix) typeError(ctx, v, rootStruct, fieldPrefix, `v1.${s.name}`);
    else ctx.error ??= `json: cannot unmarshal ${jsonKind(v)} into Go value of type v1.${s.name}`;
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  // Go marshals the map (sorted keys) before decoding it: the first error is the first in sorted order
  for (const k of Object.keys(o).sort()) {
    const spec = Object.prototype.hasOwnProperty.call(s.fields, k) ? s.fields[k] : undefined;
    if (!spec) {
      ctx.unknown.push(path ? `${path}.${k}` : k);
      continue;
    }
    const x = decodeField(ctx, spec, o[k], rootStruct, fieldPrefix ? `${fieldPrefix}.${k}` : k, path ? `${path}.${k}` : k);
    if (x !== undefined) out[k] = x;
  }
  // fields without omitempty are written even when absent
  for (const [k, spec] of Object.entries(s.fields)) if (!spec.omitEmpty && !(k in out)) out[k] = zero(spec.type);
  return out;
}

/** Decodes `metadata` as one ObjectMeta (kube's strict path: the first error fails it all). */
export function decodeObjectMeta(v: unknown): TypedDecode {
  const ctx: Ctx = { unknown: [] };
  const value = decodeStruct(ctx, OBJECT_META, v, 'ObjectMeta', '', '');
  return ctx.error ? { error: ctx.error, unknown: [] } : { value, unknown: ctx.unknown.sort() };
}

/**
 * GetObjectMetaWithOptions with DropMalformedFields: each field decoded on its own, the malformed
 * ones dropped (data read back from storage must stay readable).
 */
export function decodeObjectMetaDropping(v: unknown): TypedDecode {
  const whole = decodeObjectMeta(v);
  if (!whole.error) return whole;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { unknown: [] };
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const one = decodeObjectMeta({ [k]: x });
    if (one.error) continue;
    Object.assign(out, one.value);
    unknown.push(...one.unknown);
  }
  return { value: out, unknown: unknown.sort() };
}
