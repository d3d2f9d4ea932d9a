// The CEL type of a resolved schema node, for type checking admission policies against the
// resources they match and their paramKind (kube's common.SchemaDeclType over the schema
// resolver's definitions): objects are object types of their escaped properties,
// additionalProperties maps, items lists, int-or-string dyn, byte/duration/date/date-time strings
// bytes/duration/timestamp, Quantity a string (as kube's built-in definitions type it). A node CEL
// cannot type (no type, an array or map of such) is left out of its parent; the root of a resource
// (and an embedded one) always has apiVersion, kind and metadata.name/generateName.
//
// Schema nodes are shared and may be cyclic (JSONSchemaProps): an object's type is memoized before
// its fields are filled, so a cycle ends at the type being built.

import type { SchemaNode } from '../../apimachinery/schema.js';
import { escapeName } from '../../apiextensions/cel/escape.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { definitionOfNode } from '../../openapi/definitions.js';
import { QUANTITY } from '../../openapi/facts.js';

type Fields = Map<string, CelT>;
const memo = new WeakMap<SchemaNode, CelT | null>();

/** The schema of a resource as CEL sees it; undefined when CEL cannot type it. */
export function resourceDeclType(root: SchemaNode, name: string): CelT | undefined {
  return declOf(withTypeAndObjectMeta(root), name, true);
}

function withTypeAndObjectMeta(s: SchemaNode): SchemaNode {
  const p = s.properties ?? {};
  const meta = p.metadata?.properties;
  if (p.kind?.type === 'string' && p.apiVersion?.type === 'string' && p.metadata?.type === 'object'
    && meta?.name?.type === 'string' && meta?.generateName?.type === 'string') return s;
  return {
    ...s,
    properties: {
      ...p,
      kind: { type: 'string' },
      apiVersion: { type: 'string' },
      metadata: { ...(p.metadata ?? {}), type: 'object', properties: { ...(meta ?? {}), name: { type: 'string' }, generateName: { type: 'string' } } },
    },
  };
}

function declOf(s: SchemaNode, name: string, fresh = false): CelT | undefined {
  if (!fresh) {
    const hit = memo.get(s);
    if (hit !== undefined) return hit ?? undefined;
  }
  const t = build(s, name);
  if (!fresh && (t === undefined || t.kind !== 'object')) memo.set(s, t ?? null);
  return t;
}

function build(s: SchemaNode, name: string): CelT | undefined {
  if (s['x-kubernetes-int-or-string']) return T.dyn;
  const child = (n: SchemaNode, path: string) => declOf(n['x-kubernetes-embedded-resource'] ? withTypeAndObjectMeta(n) : n, path, !!n['x-kubernetes-embedded-resource']);
  switch (s.type) {
    case 'array': {
      if (!s.items) return undefined;
      const it = child(s.items, name);
      return it ? T.list(it) : undefined;
    }
    case 'object': {
      const ap = s.additionalProperties;
      if (ap && typeof ap === 'object') {
        const v = child(ap, name);
        return v ? T.map(T.string, v) : undefined;
      }
      const fields: Fields = new Map();
      const t: CelT = { kind: 'object', name, fields };
      // a cycle back to this node finds the type being built
      memo.set(s, t);
      for (const [prop, ps] of Object.entries(s.properties ?? {})) {
        const escaped = escapeName(prop);
        if (escaped === undefined) continue;
        const ft = child(ps, `${name}.${escaped}`);
        if (ft) fields.set(escaped, ft);
      }
      return t;
    }
    case 'string':
      switch (s.format) {
        case 'byte': return T.bytes;
        case 'duration': return T.duration;
        case 'date': case 'date-time': return T.timestamp;
        case 'int-or-string': return T.dyn;
      }
      return T.string;
    case 'boolean': return T.bool;
    case 'number': return T.double;
    case 'integer': return T.int;
    case undefined:
      // resource.Quantity: a string in kube's built-in definitions
      return definitionOfNode(s) === QUANTITY ? T.string : undefined;
  }
  return undefined;
}
