// Validation ratcheting on update (CRDValidationRatcheting, on in 1.34): a value is correlated with
// its old self through the schema (common.CorrelatedObject: object fields by name, map-list items by
// their keys, nothing else), and schema errors of a correlated value that did not change are not
// reported, so objects stored before a schema got stricter stay updatable.

import type { Node } from './node.js';
import { hasOwn, isObject } from './paths.js';

export interface Correlation {
  readonly old: unknown;
}

/** The old value of field k of an object being validated with correlation `c` (undefined: none). */
export function correlateKey(c: Correlation | undefined, n: Node, value: Record<string, unknown>, k: string): Correlation | undefined {
  if (!c || !isObject(c.old) || !hasOwn(c.old, k) || !hasOwn(value, k)) return undefined;
  if (!n.properties?.has(k) && typeof n.additionalProperties !== 'object') return undefined;
  return { old: c.old[k] };
}

/** The map key of a list item (undefined: not an object). */
function mapKey(n: Node, item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  return JSON.stringify((n.listMapKeys ?? []).map((k) => (hasOwn(item, k) ? item[k] : null)));
}

/** The old value of item i: only items of map lists correlate (by their keys). */
export function correlateIndex(c: Correlation | undefined, n: Node, value: unknown[], i: number): Correlation | undefined {
  if (!c || !Array.isArray(c.old) || i >= value.length || n.listType !== 'map' || !n.items) return undefined;
  const key = mapKey(n, value[i]);
  if (key === undefined) return undefined;
  const old = c.old.find((x) => mapKey(n, x) === key);
  return old === undefined || old === null ? undefined : { old };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** CorrelatedObject.CachedDeepEqual: equal through the correlation (fields outside the schema never are). */
export function unchanged(n: Node, value: unknown, old: unknown): boolean {
  if ((value === null || value === undefined) && (old === null || old === undefined)) return true;
  if (value === null || value === undefined || old === null || old === undefined) return false;
  if (Array.isArray(old) !== Array.isArray(value) || isObject(old) !== isObject(value)) return false;
  if (Array.isArray(value)) {
    const o = old as unknown[];
    if (o.length !== value.length) return false;
    if (n.listType !== 'map' || !n.items) return deepEqual(o, value);
    for (let i = 0; i < value.length; i++) {
      const c = correlateIndex({ old: o }, n, value, i);
      if (!c || !unchanged(n.items, value[i], c.old)) return false;
    }
    return true;
  }
  if (isObject(value)) {
    const o = old as Record<string, unknown>;
    const keys = Object.keys(value);
    if (keys.length !== Object.keys(o).length) return false;
    for (const k of keys) {
      const c = correlateKey({ old: o }, n, value, k);
      const child = n.properties?.get(k) ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
      if (!c || !child || !unchanged(child, value[k], c.old)) return false;
    }
    return true;
  }
  return deepEqual(value, old);
}
