// x-kubernetes-list-type set and map invariants (structural listtype.ValidateListSetsAndMaps):
// every repeated item of a set, every repeated key of a map list is a `Duplicate value`, reported
// at its second occurrence. Compound values compare by their JSON with Go's sorted keys.

import { field, type FieldError } from '../../apimachinery/errors.js';
import { sortedDeep, stableStringify } from '../../openapi/schemautil.js';
import type { Node } from './node.js';
import { child, index, isObject, key } from './paths.js';

/** The indices of second occurrences (validateListSet). */
function nonUnique(values: readonly unknown[]): number[] {
  if (values.length <= 1) return [];
  const scalars = new Map<unknown, number>();
  const compounds = new Map<string, number>();
  const out: number[] = [];
  values.forEach((x, i) => {
    const compound = typeof x === 'object' && x !== null;
    const k = compound ? stableStringify(x) : x;
    const seen = compound ? compounds : scalars;
    const times = seen.get(k as never) ?? 0;
    seen.set(k as never, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

const UNSPECIFIED = Symbol('unspecified key');

function validateMapList(path: string, n: Node, a: readonly unknown[], errs: FieldError[]): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== null && !isObject(x)) {
      errs.push(field.invalid(index(path, i), sortedDeep(x), 'must be an object for an array of list-type map'));
      return;
    }
  }
  if (a.length <= 1) return;
  const keys = n.listMapKeys ?? [];
  if (keys.length === 1) {
    const k = keys[0]!;
    const values = a.map((x) => (isObject(x) && Object.prototype.hasOwnProperty.call(x, k) ? x[k] : UNSPECIFIED));
    // (the unspecified marker is one scalar value, as Go's unspecifiedKeyValue{})
    for (const i of nonUnique(values)) {
      errs.push(field.duplicate(index(path, i), values[i] === UNSPECIFIED ? {} : { [k]: sortedDeep(values[i]) }));
    }
    return;
  }
  const sorted = [...keys].sort();
  const values = a.map((x) => {
    const out: Record<string, unknown> = {};
    if (isObject(x)) for (const k of sorted) if (Object.prototype.hasOwnProperty.call(x, k)) out[k] = x[k];
    return out;
  });
  for (const i of nonUnique(values)) errs.push(field.duplicate(index(path, i), values[i]));
}

function walkArray(path: string, n: Node, a: readonly unknown[], errs: FieldError[]): void {
  if (n.listType === 'set') {
    for (const i of nonUnique(a)) errs.push(field.duplicate(index(path, i), sortedDeep(a[i])));
  } else if (n.listType === 'map') {
    validateMapList(path, n, a, errs);
  }
  if (n.items?.needsObjectWalk) for (let i = 0; i < a.length; i++) walk(index(path, i), n.items, a[i], errs);
}

function walk(path: string, n: Node, v: unknown, errs: FieldError[]): void {
  if (Array.isArray(v)) walkArray(path, n, v, errs);
  else if (isObject(v)) walkObject(path, n, v, errs);
}

function walkObject(path: string, n: Node, o: Record<string, unknown>, errs: FieldError[]): void {
  const ap = n.additionalProperties;
  if (ap && typeof ap === 'object' && ap.needsObjectWalk) for (const k of Object.keys(o)) walk(key(path, k), ap, o[k], errs);
  if (n.properties) {
    for (const k of n.propertyNames) {
      const p = n.properties.get(k)!;
      if (p.needsObjectWalk && Object.prototype.hasOwnProperty.call(o, k)) walk(child(path, k), p, o[k], errs);
    }
  }
}

/** ValidateListSetsAndMaps over an object (the custom resource, or status). */
export function validateListTypes(n: Node, obj: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (n.needsObjectWalk && isObject(obj)) walkObject(path, n, obj, errs);
  return errs;
}
