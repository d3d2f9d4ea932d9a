// Applying one mutation's result to the object being admitted (kube's mutating/patch package):
//
// - ApplyConfiguration: the Object{...} the expression returned, named as its field path (kube's
//   type-name check), with the object's apiVersion and kind, checked against the kind's schema
//   (SMD's typed conversion), refused where it would set an atomic list, map or struct (their
//   other contents would be lost), then merged into the object with structured-merge-diff's merge
//   (src/fieldmanager/typed.ts) without tracking ownership;
// - JSONPatch: the list of JSONPatch{...} operations applied with kube's JSON patch semantics; a
//   failing "test" leaves the object as it was; the result decoded strictly into the kind (a
//   decoding failure is kube's 500, as its serializer's error is an internal error there).
//
// Errors are kube's texts; what is a StatusError ends the request as it is.

import { internalError, StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { applyJsonPatchText } from '../../apimachinery/patch/json-patch.js';
import { decodeMutated } from '../../apiserver/decode.js';
import { celToJSON, ConversionError, JSONPatchValue, ObjectValue, typeNameMismatches } from '../../apiextensions/cel/library/mutation.js';
import { fieldElement, indexElement, pathString, type PathElement } from '../../fieldmanager/fieldpath.js';
import type { Atom } from '../../fieldmanager/schema.js';
import { merge, validateTyped } from '../../fieldmanager/typed.js';
import { apiVersionOfType, type ResourceType } from '../../registry/types.js';

/** A patch that could not be applied: kube's message (the failure policy decides what it means). */
export class PatchError extends Error {}

export interface PatchTarget {
  type: ResourceType;
  /** The kind's schema as SMD sees it. */
  atom: Atom;
  /** The schema the kind decodes with. */
  schema: SchemaNode | undefined;
}

/** SMD's ValidationErrors.Error(). */
function validationErrors(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : ['errors:', ...errs.map((e) => `  ${e}`)].join('\n');
}

/** findAtomics: the paths where an apply configuration sets an atomic list, map or struct. */
function findAtomics(path: PathElement[], a: Atom, v: unknown): string[] {
  const out: string[] = [];
  if (v && typeof v === 'object' && !Array.isArray(v) && a.map) {
    if (a.map.atomic) out.push(pathString(path));
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const f = a.map.field(k);
      if (f) out.push(...findAtomics([...path, fieldElement(k)], f(), x));
    }
  }
  if (Array.isArray(v) && a.list) {
    if (!a.list.associative) out.push(pathString(path));
    v.forEach((x, i) => out.push(...findAtomics([...path, indexElement(i)], a.list!.element(), x)));
  }
  return out;
}

/** ApplyStructuredMergeDiff of an applyConfiguration result; the merged object. */
export function applyConfiguration(t: PatchTarget, object: KubeObject, result: unknown): KubeObject {
  if (!(result instanceof ObjectValue)) throw new PatchError(`unsupported return type from ApplyConfiguration expression: ${typeof result}`);
  const mismatches = typeNameMismatches(result, [result.typeName]);
  if (mismatches.length) throw new PatchError(`type mismatch: ${mismatches.join('\n')}`);
  let patch: Record<string, unknown>;
  try {
    patch = celToJSON(result) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof ConversionError) throw new PatchError(`invalid return type: ${e.message}`);
    throw e;
  }
  patch.apiVersion = object.apiVersion ?? apiVersionOfType(t.type);
  patch.kind = object.kind ?? t.type.kind;
  const perr = validateTyped(patch, t.atom);
  if (perr.length) throw new PatchError(`error applying patch: failed to convert patch object to typed object: ${validationErrors(perr)}`);
  const atomics = findAtomics([], t.atom, patch);
  if (atomics.length) throw new PatchError(`error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: ${atomics.join(', ')}`);
  const lerr = validateTyped(object, t.atom);
  if (lerr.length) throw new PatchError(`error applying patch: failed to convert original object to typed object: ${validationErrors(lerr)}`);
  return merge(object, patch, t.atom) as KubeObject;
}

/** evanphx/json-patch's sentinel errors, which its messages wrap (errors.Wrapf). */
function evanphxText(cause: string): string {
  if (/does not apply|failed to decode|operation, missing/.test(cause)) return `${cause}: missing value`;
  if (/^testing value /.test(cause)) return `${cause}: test failed`;
  return cause;
}

/** The JSON patch of a jsonPatch result applied (unchanged when a test fails); kube's errors. */
export function applyJSONPatch(t: PatchTarget, object: KubeObject, result: unknown): KubeObject {
  const ops: Record<string, unknown>[] = [];
  for (const item of result as Iterable<unknown>) {
    if (!(item instanceof JSONPatchValue)) throw new PatchError('type mismatch: JSONPatchType.expression should evaluate to array of JSONPatch');
    const op: Record<string, unknown> = { op: item.op, path: item.path };
    if (item.from) op.from = item.from;
    if (item.value !== undefined) {
      const mismatches = item.value instanceof ObjectValue ? typeNameMismatches(item.value, [item.value.typeName]) : [];
      if (mismatches.length) throw new PatchError(`type mismatch: ${mismatches.join('\n')}`);
      try {
        op.value = celToJSON(item.value);
      } catch (e) {
        if (e instanceof ConversionError) throw new PatchError(`JSONPath valueExpression evaluated to a type that could not marshal to JSON: ${e.message}`);
        throw e;
      }
    }
    ops.push(op);
  }
  let patched: unknown;
  try {
    patched = applyJsonPatchText(object, JSON.stringify(ops), 'Ignore');
  } catch (e) {
    if (e instanceof StatusError) {
      const cause = typeof (e as Error).cause === 'string' ? (e as Error).cause as string : e.message;
      // a failed test leaves the object unpatched
      if (/^testing value /.test(cause)) return object;
      throw new PatchError(`JSON Patch: ${evanphxText(cause)}`);
    }
    throw e;
  }
  if (t.type.customResource) return patched as KubeObject;
  let decoded: { object: KubeObject; strict: string[] };
  try {
    decoded = decodeMutated(t.type, t.schema, patched);
  } catch (e) {
    throw internalError(e);
  }
  if (decoded.strict.length) throw internalError(new Error(`strict decoding error: ${decoded.strict.join(', ')}`));
  return decoded.object;
}
