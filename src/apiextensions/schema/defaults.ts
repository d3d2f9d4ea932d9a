// Structural defaulting (defaulting.Default) and the null pruning that precedes it on decode
// (PruneNonNullableNullsWithoutDefaults): a missing field, or a null one that is not nullable,
// takes its schema's default; a non-nullable null without a default is dropped.

import type { Node } from './node.js';
import { isObject } from './paths.js';

function copy(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

const nonNullableNull = (x: unknown, n: Node | undefined): boolean => x === null && !!n && !n.nullable;

function schemaFor(n: Node | undefined, k: string): Node | undefined {
  if (!n) return undefined;
  const p = n.properties?.get(k);
  if (p) return p;
  return typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
}

/** defaulting.PruneNonNullableNullsWithoutDefaults, in place. */
export function pruneNulls(x: unknown, n: Node | undefined): void {
  if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, n?.items);
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    const s = schemaFor(n, k);
    if (x[k] === null && s && !s.nullable && !s.hasDefault) delete x[k];
    else pruneNulls(x[k], s);
  }
}

/** defaulting.Default, in place. */
export function applyDefaultsTo(x: unknown, n: Node | undefined): void {
  if (!n || !n.defaultsBelow) return;
  if (Array.isArray(x)) {
    const items = n.items;
    if (!items) return;
    for (let i = 0; i < x.length; i++) {
      if (nonNullableNull(x[i], items)) x[i] = copy(items.default ?? null);
      applyDefaultsTo(x[i], items);
    }
    return;
  }
  if (!isObject(x)) return;
  for (const k of n.defaulted) {
    const p = n.properties!.get(k)!;
    if (!Object.prototype.hasOwnProperty.call(x, k) || nonNullableNull(x[k], p)) x[k] = copy(p.default);
  }
  const ap = typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
  for (const k of Object.keys(x)) {
    const p = n.properties?.get(k);
    if (p) {
      applyDefaultsTo(x[k], p);
    } else if (ap) {
      if (nonNullableNull(x[k], ap)) x[k] = copy(ap.default ?? null);
      applyDefaultsTo(x[k], ap);
    }
  }
}
