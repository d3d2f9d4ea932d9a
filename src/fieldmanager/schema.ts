// The structured-merge-diff view of an OpenAPI schema (kube-openapi's schemaconv rules): every node
// is an atom — scalar, list (atomic, or associative: a set, or a map keyed by fields) or map
// (struct fields and/or map values; separable or atomic). Built lazily from the shared, frozen
// SchemaNodes and cached on them, so one compiled view serves every logical cluster.

import type { SchemaNode } from '../apimachinery/schema.js';
import { definitionOfNode } from '../openapi/definitions.js';
import { QUANTITY, RAW_EXTENSION } from '../openapi/facts.js';

export interface ListAtom {
  associative: boolean;
  keys: readonly string[];
  element: () => Atom;
  /** Defaults of key fields (an associative list's item may omit a key that has a default). */
  keyDefaults: ReadonlyMap<string, unknown>;
}

export interface MapAtom {
  atomic: boolean;
  /** Whether it declares struct fields (SMD's Fields is non-empty). */
  hasFields: boolean;
  /** Struct fields, or undefined for a plain map. */
  field(name: string): (() => Atom) | undefined;
  /** Values of keys that are not fields; undefined: none allowed ("field not declared in schema"). */
  element: (() => Atom) | undefined;
}

export type ScalarType = 'string' | 'numeric' | 'boolean' | 'untyped';

export interface Atom {
  scalar?: ScalarType;
  list?: ListAtom;
  map?: MapAtom;
}

/** schemaconv's untyped: any value; lists and maps of it are atomic. */
export const UNTYPED: Atom = {
  scalar: 'untyped',
  list: { associative: false, keys: [], element: () => UNTYPED, keyDefaults: new Map() },
  map: { atomic: true, hasFields: false, field: () => undefined, element: () => UNTYPED },
};

/** schemaconv's deduced: any value; maps are granular (their keys owned one by one), lists atomic. */
export const DEDUCED: Atom = {
  scalar: 'untyped',
  list: { associative: false, keys: [], element: () => UNTYPED, keyDefaults: new Map() },
  map: { atomic: false, hasFields: false, field: () => undefined, element: () => DEDUCED },
};

const cache = new WeakMap<SchemaNode, Atom>();
const preservingCache = new WeakMap<SchemaNode, Atom>();

/** The atom of a schema node (undefined: deduced, as kube treats a kind without a schema). */
export function atomOf(node: SchemaNode | undefined, preserveUnknown = false): Atom {
  if (!node) return DEDUCED;
  const c = preserveUnknown ? preservingCache : cache;
  let a = c.get(node);
  if (!a) {
    a = build(node, preserveUnknown || node['x-kubernetes-preserve-unknown-fields'] === true);
    c.set(node, a);
  }
  return a;
}

function build(n: SchemaNode, preserve: boolean): Atom {
  // ToSchemaFromOpenAPI's named exceptions: a Quantity is any scalar, a RawExtension untyped (atomic)
  const def = definitionOfNode(n);
  if (def === QUANTITY) return { scalar: 'untyped' };
  if (def === RAW_EXTENSION) return UNTYPED;
  switch (n.type) {
    case undefined: return { scalar: 'untyped', list: listOf(n, preserve), map: mapOf(n, preserve) };
    case 'object': return { map: mapOf(n, preserve) };
    case 'array': return { list: listOf(n, preserve) };
    // (a string of a format other than byte is untyped to schemaconv, as an int-or-string is)
    case 'string': return { scalar: !n.format || n.format === 'byte' ? 'string' : 'untyped' };
    case 'boolean': return { scalar: 'boolean' };
    default: return { scalar: 'numeric' };
  }
}

function lazy(n: SchemaNode, preserve: boolean): () => Atom {
  let a: Atom | undefined;
  return () => (a ??= atomOf(n, preserve));
}

function mapOf(n: SchemaNode, preserve: boolean): MapAtom {
  const props = n.properties;
  const fields = new Map<string, () => Atom>();
  if (props) for (const [k, v] of Object.entries(props)) fields.set(k, lazy(v, preserve));
  const ap = n.additionalProperties;
  let element: (() => Atom) | undefined;
  if (ap === undefined) element = preserve || fields.size === 0 ? () => DEDUCED : undefined;
  else if (typeof ap === 'object') element = lazy(ap, preserve);
  else if (ap === true) element = () => DEDUCED;
  return { atomic: n['x-kubernetes-map-type'] === 'atomic', hasFields: fields.size > 0, field: (k) => fields.get(k), element };
}

function listOf(n: SchemaNode, preserve: boolean): ListAtom {
  let associative = false;
  let keys: string[] = [];
  const listType = n['x-kubernetes-list-type'];
  if (listType !== undefined) {
    associative = listType === 'set' || listType === 'map';
    if (listType === 'map') keys = [...(n['x-kubernetes-list-map-keys'] ?? [])];
  } else {
    const strategy = n['x-kubernetes-patch-strategy'];
    if (strategy === 'merge' || strategy === 'merge,retainKeys') {
      associative = true;
      const key = n['x-kubernetes-patch-merge-key'];
      if (typeof key === 'string') keys = [key];
    }
  }
  const items = n.items;
  const keyDefaults = new Map<string, unknown>();
  if (items?.properties) for (const k of keys) if (items.properties[k]?.default !== undefined) keyDefaults.set(k, items.properties[k]!.default);
  return { associative, keys, element: items ? lazy(items, preserve) : () => UNTYPED, keyDefaults };
}
