// defaulting.ValidateDefaults: every default of a structural schema must be valid where it lands.
// A default inside an embedded resource's (or the root's) apiVersion/kind/metadata is checked as
// part of a whole surrounding object (`must result in valid metadata: ...`); any other default
// must survive pruning unchanged (`must not have unknown fields`), coerce and validate against its
// own schema (kube's messages under `<path>.default`). CEL rules on defaults are the caller's hook.

import { field, fieldErrorString, type FieldError } from '../../apimachinery/errors.js';
import { aggregateMessage } from '../../apimachinery/errors.js';
import type { Node } from './node.js';
import { coerceEmbeddedResources, MetadataCoercionError, validateEmbeddedResources } from './objectmeta.js';
import { pruneObject } from './prune.js';
import { openAPIValidate } from './validate.js';

/** Where a default sits inside its resource: property names and array positions. */
type Step = string | { index: true };

/** Validates a default value with the rules of its schema (CEL, in H2). Errors under `path`. */
export type DefaultValidator = (node: Node, value: unknown, path: string, isResourceRoot: boolean) => FieldError[];

function surround(value: unknown, steps: readonly Step[]): Record<string, unknown> {
  let x: unknown = structuredClone(value);
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    x = typeof s === 'string' ? { [s]: x } : [x];
  }
  const obj = (x && typeof x === 'object' && !Array.isArray(x) ? x : {}) as Record<string, unknown>;
  if (!('kind' in obj)) obj.kind = 'Validation';
  if (!('apiVersion' in obj)) obj.apiVersion = 'validation/v1';
  return obj;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface Walk {
  requirePruned: boolean;
  celHook: DefaultValidator | undefined;
  errs: FieldError[];
}

function checkDefault(w: Walk, n: Node, root: Node, steps: readonly Step[], insideMeta: boolean, path: string): void {
  const d = n.default;
  const at = `${path}.default`;
  if (insideMeta) {
    const obj = surround(d, steps);
    try {
      coerceEmbeddedResources(root, obj, false, '', true);
    } catch (e) {
      if (!(e instanceof MetadataCoercionError)) throw e;
      w.errs.push(field.invalid(at, d, `must result in valid metadata: ${e.message}`));
      return;
    }
    const metaErrs = validateEmbeddedResources(root, obj, '', true);
    if (metaErrs.length) {
      w.errs.push(field.invalid(at, d, `must result in valid metadata: ${aggregateMessage(metaErrs.map(fieldErrorString))}`));
      return;
    }
  } else {
    if (w.requirePruned) {
      const pruned = structuredClone(d);
      pruneObject(n, pruned, n.embeddedResource);
      if (!deepEqual(pruned, d)) w.errs.push(field.invalid(at, d, 'must not have unknown fields'));
    }
    const copy = structuredClone(d);
    try {
      coerceEmbeddedResources(n, copy, false, at, n.embeddedResource);
    } catch (e) {
      if (!(e instanceof MetadataCoercionError)) throw e;
      w.errs.push(e.fieldError);
      return;
    }
    const metaErrs = validateEmbeddedResources(n, copy, at, n.embeddedResource);
    if (metaErrs.length) {
      w.errs.push(...metaErrs);
      return;
    }
  }
  const schemaErrs = openAPIValidate(n, d, at);
  if (schemaErrs.length) {
    w.errs.push(...schemaErrs);
    return;
  }
  if (w.celHook) w.errs.push(...w.celHook(n, d, at, n === root));
}

function walk(w: Walk, n: Node, root: Node, steps: Step[], insideMeta: boolean, path: string): void {
  if (n.embeddedResource) {
    insideMeta = false;
    steps = [];
    root = n;
  }
  if (n.hasDefault) checkDefault(w, n, root, steps, insideMeta, path);
  if (n.items) walk(w, n.items, root, [...steps, { index: true }], insideMeta, `${path}.items`);
  if (n.properties) {
    for (const k of n.propertyNames) {
      const sub = insideMeta || (n.embeddedResource && (k === 'metadata' || k === 'apiVersion' || k === 'kind'));
      walk(w, n.properties.get(k)!, root, [...steps, k], sub, `${path}.properties[${k}]`);
    }
  }
}

/** ValidateDefaults(path, schema, isResourceRoot=true, requirePrunedDefaults). */
export function validateDefaults(root: Node, path: string, requirePruned: boolean, celHook?: DefaultValidator): FieldError[] {
  const w: Walk = { requirePruned, celHook, errs: [] };
  // the schema's root is a resource: as if it were embedded
  const asEmbedded: Node = root.embeddedResource ? root : Object.freeze({ ...root, embeddedResource: true });
  walk(w, asEmbedded, asEmbedded, [], false, path);
  return w.errs;
}
