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

