// A stable key of the set of resources a logical cluster serves. Documents derived from that set
// (discovery, OpenAPI) are cached process-wide under this key, so every cluster serving the same
// resources shares one copy and an idle cluster costs nothing.

import { createHash } from 'node:crypto';

import type { ResourceType } from '../registry/types.js';

const byArray = new WeakMap<readonly ResourceType[], string>();
const byType = new WeakMap<ResourceType, string>();

function typeKey(t: ResourceType): string {
  let k = byType.get(t);
  if (k === undefined) {
    k = JSON.stringify([
      t.group, t.version, t.resource, t.kind, t.listKind, t.singularName, t.shortNames, t.categories, t.namespaced,
      [...t.verbs].sort(), [...t.subresources].sort(), t.storage.apiVersion, t.storage.kind, t.schemaName,
      t.strategy.returnDeletedObject === true,
    ]);
    byType.set(t, k);
  }
  return k;
}

/** Hex digest identifying the served set (order-independent). */
export function servedSetKey(types: readonly ResourceType[]): string {
  let k = byArray.get(types);
  if (k === undefined) {
    const h = createHash('sha256');
    for (const tk of types.map(typeKey).sort()) h.update(tk).update('\n');
    k = h.digest('hex').slice(0, 32);
    byArray.set(types, k);
  }
  return k;
}

/** A small LRU map for cached documents (bounded: served sets are few, but CRDs make them vary). */
export class LRU<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
