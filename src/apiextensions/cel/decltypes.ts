// The declared CEL type of a schema node (k8s.io/apiserver/pkg/cel/common SchemaDeclType): objects
// with properties are object types of their escaped fields, additionalProperties are maps, items
// lists, int-or-string is dyn, formats byte/duration/date/date-time are bytes/duration/timestamp.
// A node CEL cannot type (no type, preserve-unknown-fields without one) yields undefined and is left
// out of its parent. Sizes follow kube's estimates from maxLength/maxItems/maxProperties, else
// from the 3 MiB request limit and the smallest serialized size of an element.

import type { JSONSchemaProps } from '../types.js';
import { escapeName } from './escape.js';
import type { CelT } from './types.js';
import { T } from './types.js';

export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
const MIN_STRING_SIZE = 2;

export interface Decl {
  type: CelT;
  /** The smallest JSON this node can serialize to (DeclType.MinSerializedSize). */
  minSize: number;
}

const nonNeg = (n: number) => (n < 0 ? 0 : n);
const perRequest = MAX_REQUEST_SIZE_BYTES - 2;

function itemsSchema(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return Array.isArray(s.items) ? undefined : s.items;
}

function additional(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** The root of a resource (or an embedded one) always has apiVersion, kind and metadata.name/generateName. */
export function withTypeAndObjectMeta(s: JSONSchemaProps): JSONSchemaProps {
  const p = s.properties ?? {};
  const meta = p.metadata?.properties;
  if (p.kind?.type === 'string' && p.apiVersion?.type === 'string' && p.metadata?.type === 'object'
    && meta?.name?.type === 'string' && meta?.generateName?.type === 'string') return s;
  const capped = (e: JSONSchemaProps | undefined, max: number): JSONSchemaProps =>
    ({ type: 'string', maxLength: e?.maxLength !== undefined && e.maxLength < max ? e.maxLength : max });
  return {
    ...s,
    properties: {
      ...p,
      kind: { type: 'string' },
      apiVersion: { type: 'string' },
      metadata: { type: 'object', properties: { name: capped(meta?.name, 253), generateName: capped(meta?.generateName, 252) } },
    },
  };
}

export function schemaDecl(s: JSONSchemaProps, isResourceRoot: boolean, name = 'object'): Decl | undefined {
  if (s['x-kubernetes-int-or-string']) {
    return { type: { kind: 'dyn', maxElements: s.maxLength !== undefined ? nonNeg(s.maxLength) * 4 : perRequest }, minSize: 1 };
  }
  if (isResourceRoot) s = withTypeAndObjectMeta(s);
  switch (s.type) {
    case 'array': {
      const items = itemsSchema(s);
      if (!items) return undefined;
      const it = schemaDecl(items, !!items['x-kubernetes-embedded-resource'], name);
      if (!it) return undefined;
      const max = s.maxItems !== undefined ? nonNeg(s.maxItems) : Math.floor(perRequest / (it.minSize + 1));
      // set and map lists compare regardless of order (kube's unstructured lists)
      const lt = s['x-kubernetes-list-type'];
      const type: CelT = lt === 'set' || lt === 'map'
        ? { kind: 'list', elem: it.type, maxElements: max, listType: lt, mapKeys: s['x-kubernetes-list-map-keys'] ?? [] }
        : T.list(it.type, max);
      return { type, minSize: 2 };
    }
    case 'object': {
      const ap = additional(s);
      if (ap) {
        const v = schemaDecl(ap, !!ap['x-kubernetes-embedded-resource'], name);
        if (!v) return undefined;
        const max = s.maxProperties !== undefined ? nonNeg(s.maxProperties) : Math.floor(perRequest / (v.minSize + 6));
        // keys are kube's shared StringType, which has no size of its own (MaxElements 0)
        return { type: T.map({ kind: 'string', maxElements: 0 }, v.type, max), minSize: 2 };
      }
      const fields = new Map<string, CelT>();
      const required = new Set(s.required ?? []);
      let minSize = 2;
      for (const [prop, ps] of Object.entries(s.properties ?? {})) {
        const escaped = escapeName(prop);
        const ft = schemaDecl(ps, !!ps['x-kubernetes-embedded-resource'], `${name}.${escaped ?? prop}`);
        if (!ft) continue;
        if (escaped !== undefined) fields.set(escaped, ft.type);
        if (required.has(prop) && ps.default === undefined) minSize += prop.length + ft.minSize + 4;
      }
      return { type: { kind: 'object', name, fields, maxElements: 0 }, minSize };
    }
    case 'string': {
      switch (s.format) {
        case 'byte':
          return { type: { kind: 'bytes', maxElements: s.maxLength !== undefined ? nonNeg(s.maxLength) : perRequest }, minSize: MIN_STRING_SIZE };
        case 'duration': return { type: { kind: 'google.protobuf.Duration', maxElements: 32 }, minSize: 3 };
        case 'date': return { type: { kind: 'google.protobuf.Timestamp', maxElements: 12 }, minSize: 12 };
        case 'date-time': return { type: { kind: 'google.protobuf.Timestamp', maxElements: 32 }, minSize: 21 };
      }
      let max: number;
      if (s.maxLength !== undefined) max = nonNeg(s.maxLength) * 4;
      else if (s.enum?.length) max = Math.max(0, ...s.enum.map((e) => (typeof e === 'string' ? e.length : 0)));
      else max = perRequest;
      return { type: { kind: 'string', maxElements: max }, minSize: MIN_STRING_SIZE };
    }
    // kube's size estimator gives scalars and objects reached from self no size (MaxElements 0)
    case 'boolean': return { type: { kind: 'bool', maxElements: 0 }, minSize: 4 };
    case 'number': return { type: { kind: 'double', maxElements: 0 }, minSize: 1 };
    case 'integer': return { type: { kind: 'int', maxElements: 0 }, minSize: 1 };
  }
  return undefined;
}
