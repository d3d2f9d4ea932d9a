// JSON merge patch (RFC 7386) as kube-apiserver applies it: evanphx/json-patch v4's MergePatch.
// null deletes a key, objects merge recursively, anything else (arrays included) replaces; nulls
// inside a value that is added or replaces a non-object are dropped, except array elements.

import { badRequest } from '../errors.js';
import { deepCopy, isPlainObject } from '../object.js';

/** Sets an own key, "__proto__" included (a plain assignment would replace the prototype). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** evanphx's ErrBadJSONPatch, which kube answers as 400 BadRequest. */
export const INVALID_JSON_PATCH = 'Invalid JSON Patch';

/** Removes null-valued keys from objects, recursively (array elements stay, their objects are pruned). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const item of v) if (item !== null) pruneNulls(item);
  } else if (isPlainObject(v)) {
    for (const [k, val] of Object.entries(v)) {
      if (val === null) delete v[k];
      else pruneNulls(val);
    }
  }
  return v;
}

function mergeDocs(doc: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = Object.prototype.hasOwnProperty.call(doc, k) ? doc[k] : undefined;
    setOwn(doc, k, cur === undefined || cur === null ? pruneNulls(v) : merge(cur, v));
  }
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isPlainObject(cur)) return pruneNulls(patch);
  // A non-object replaces an object as sent: evanphx does not prune it.
  if (!isPlainObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

/**
 * Applies a parsed merge patch to `original` (not modified). An array patch becomes the whole
 * document, as in evanphx; null or a scalar is "Invalid JSON Patch" (400).
 */
export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined || (typeof patch !== 'object')) throw badRequest(INVALID_JSON_PATCH);
  const p = deepCopy(patch) as Record<string, unknown> | unknown[];
  if (Array.isArray(p) || !isPlainObject(original)) return pruneNulls(p);
  const doc = deepCopy(original);
  mergeDocs(doc, p);
  return doc;
}
