// Structural pruning (pruning.PruneWithOptions): fields the schema does not specify are removed,
// except under x-kubernetes-preserve-unknown-fields and the apiVersion/kind/metadata of the root
// and of embedded resources. Returns the removed paths, sorted, as kube reports them in
// `unknown field "spec.foo"` warnings and Strict errors.

import { goStringCompare } from '../../apimachinery/validation.js';
import type { Node } from './node.js';
import { isObject } from './paths.js';

const META = new Set(['apiVersion', 'kind', 'metadata']);

const join = (parent: string, k: string) => (parent ? `${parent}.${k}` : k);

function prune(x: unknown, n: Node | undefined, path: string, embedded: boolean, out: string[]): void {
  if (n?.preserveUnknownFields) {
    skipPrune(x, n, path, embedded, out);
    return;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) prune(x[i], n?.items, `${path}[${i}]`, !!n?.items?.embeddedResource, out);
    return;
  }
  if (!isObject(x)) return;
  if (!n) {
    for (const k of Object.keys(x)) {
      out.push(join(path, k));
      delete x[k];
    }
    return;
  }
  const ap = n.additionalProperties;
  for (const k of Object.keys(x)) {
    if (embedded && META.has(k)) continue;
    const p = n.properties?.get(k);
    if (p) prune(x[k], p, join(path, k), p.embeddedResource, out);
    else if (ap !== undefined) {
      // (additionalProperties: false keeps the field: validation refuses it)
      const s = typeof ap === 'object' ? ap : undefined;
      prune(x[k], s, join(path, k), !!s?.embeddedResource, out);
    } else {
      // (the root's meta fields are implied even where the schema's root is not embedded)
      if (!META.has(k) || path !== '') out.push(join(path, k));
      delete x[k];
    }
  }
}

/** Below x-kubernetes-preserve-unknown-fields: known fields are still pruned by their schemas. */
function skipPrune(x: unknown, n: Node, path: string, embedded: boolean, out: string[]): void {
  if (Array.isArray(x)) {
    if (n.items) for (let i = 0; i < x.length; i++) skipPrune(x[i], n.items, `${path}[${i}]`, n.items.embeddedResource, out);
    return;
  }
  if (!isObject(x)) return;
  const ap = n.additionalProperties;
  for (const k of Object.keys(x)) {
    if (embedded && META.has(k)) continue;
    const p = n.properties?.get(k);
    if (p) prune(x[k], p, join(path, k), p.embeddedResource, out);
    else if (ap !== undefined) {
      const s = typeof ap === 'object' ? ap : undefined;
      prune(x[k], s, join(path, k), !!s?.embeddedResource, out);
    }
  }
}

/** Prunes obj in place (its root is a resource: apiVersion, kind and metadata are kept). */
export function pruneObject(n: Node, obj: unknown, isResourceRoot = true): string[] {
  const out: string[] = [];
  prune(obj, n, '', isResourceRoot || n.embeddedResource, out);
  return out.sort(goStringCompare);
}
