// The scale subresource of a custom resource (apiextensions-apiserver pkg/registry/customresource
// etcd.go ScaleREST, validator.go ValidateScaleSpec/Status): an autoscaling/v1 Scale read from the
// CRD's specReplicasPath / statusReplicasPath / labelSelectorPath, and a Scale's spec.replicas
// written back. Paths are dot-separated field names (the CRD validation allows nothing else).

import { clientInputError, badRequest, field, internalError, type FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { CREATION_TIMESTAMP_DESCRIPTION } from '../registry/table.js';
import type { TableConvertor } from '../registry/types.js';
import { goSprint, goTypeName } from './jsonpath.js';
import { printerColumnsTable } from './table.js';
import type { CustomResourceSubresourceScale } from './types.js';

export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string | null };
  /** replicas is omitempty in Go: 0 is left out. */
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

/** kube's signal that the custom resource had no spec replicas (the smallest int32). */
export const INVALID_SPEC_REPLICAS = -2147483648;

/** An unstructured accessor error (NestedInt64 / NestedString), with Go's text. */
export class AccessorError extends Error {}

const splitPath = (p: string): string[] => p.replace(/^\./, '').split('.');
const jsonPath = (fields: string[]): string => `.${fields.join('.')}`;
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt64 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63;

/** unstructured.NestedFieldNoCopy: [value, found]; a null on the way means not found. */
function nestedField(obj: unknown, fields: string[]): [unknown, boolean] {
  let val: unknown = obj;
  for (let i = 0; i < fields.length; i++) {
    if (val === null || val === undefined) return [undefined, false];
    if (!isMap(val)) {
      throw new AccessorError(`${jsonPath(fields.slice(0, i + 1))} accessor error: ${goSprint(val)} is of the type ${goTypeName(val)}, expected map[string]interface{}`);
    }
    if (!Object.prototype.hasOwnProperty.call(val, fields[i]!) || val[fields[i]!] === undefined) return [undefined, false];
    val = val[fields[i]!];
  }
  return [val, true];
}

function nestedTyped<T>(obj: unknown, fields: string[], ok: (v: unknown) => v is T, goType: string, zero: T): [T, boolean] {
  const [v, found] = nestedField(obj, fields);
  if (!found) return [zero, false];
  if (!ok(v)) throw new AccessorError(`${jsonPath(fields)} accessor error: ${goSprint(v)} is of the type ${goTypeName(v)}, expected ${goType}`);
  return [v, true];
}

/** unstructured.NestedInt64 on a replicas path: [value, found]. */
export function nestedInt64(obj: unknown, path: string): [number, boolean] {
  return nestedTyped(obj, splitPath(path), isInt64, 'int64', 0);
}

/** unstructured.NestedString. */
export function nestedString(obj: unknown, path: string): [string, boolean] {
  return nestedTyped(obj, splitPath(path), (v): v is string => typeof v === 'string', 'string', '');
}

/** Go's int32(int64): the low 32 bits. */
const toInt32 = (n: number): number => Number(BigInt.asIntN(32, BigInt(n)));

/** scaleFromCustomResource: the Scale, and whether spec replicas were there. Throws AccessorError. */
export function scaleFromCustomResource(cr: KubeObject, paths: CustomResourceSubresourceScale): { scale: Scale; specReplicasFound: boolean } {
  const [specReplicas, specReplicasFound] = nestedInt64(cr, paths.specReplicasPath);
  const [statusReplicas] = nestedInt64(cr, paths.statusReplicasPath);
  const selector = paths.labelSelectorPath ? nestedString(cr, paths.labelSelectorPath)[0] : '';
  const m = cr.metadata ?? {};
  const metadata: Scale['metadata'] = {};
  if (m.name) metadata.name = m.name;
  if (m.namespace) metadata.namespace = m.namespace;
  if (m.uid) metadata.uid = m.uid;
  if (m.resourceVersion) metadata.resourceVersion = m.resourceVersion;
  // metav1.Time is a struct: always written, null when unset
  metadata.creationTimestamp = (m.creationTimestamp as string | undefined) || null;
  const replicas = toInt32(specReplicas);
  const scale: Scale = {
    apiVersion: 'autoscaling/v1', kind: 'Scale', metadata,
    spec: replicas !== 0 ? { replicas } : {},
    status: { replicas: toInt32(statusReplicas), ...(selector ? { selector } : {}) },
  };
  return { scale, specReplicasFound };
}

/**
 * Where kube answers an accessor error with an untyped 500 (the object's own data has the wrong
 * type), kplane answers 400 with the same text (see clientInputError).
 */
function asStatus(e: unknown): never {
  if (e instanceof AccessorError) throw clientInputError(e.message);
  throw e;
}

/** GET .../scale. */
export function getScale(cr: KubeObject, paths: CustomResourceSubresourceScale): Scale {
  let r: ReturnType<typeof scaleFromCustomResource>;
  try {
    r = scaleFromCustomResource(cr, paths);
  } catch (e) {
    asStatus(e);
  }
  if (!r.specReplicasFound) throw internalError(new Error(`the spec replicas field ${JSON.stringify(paths.specReplicasPath)} does not exist`));
  return r.scale;
}

/** The Scale an update (PUT body or patch) applies to: spec replicas INVALID_SPEC_REPLICAS when absent. */
export function scaleForUpdate(cr: KubeObject, paths: CustomResourceSubresourceScale): Scale {
  try {
    const { scale, specReplicasFound } = scaleFromCustomResource(cr, paths);
    if (!specReplicasFound) scale.spec = { replicas: INVALID_SPEC_REPLICAS };
    return scale;
  } catch (e) {
    return asStatus(e);
  }
}

/**
 * scaleUpdatedObjectInfo.UpdatedObject: a copy of the custom resource with the updated Scale's
 * spec.replicas written at specReplicasPath, and its resourceVersion as the precondition when set.
 */
export function applyScale(cr: KubeObject, scale: Scale, paths: CustomResourceSubresourceScale): KubeObject {
  const replicas = scale.spec?.replicas ?? 0;
  if (replicas === INVALID_SPEC_REPLICAS) {
    throw badRequest(`the spec replicas field ${JSON.stringify(paths.specReplicasPath)} cannot be empty`);
  }
  const out = structuredClone(cr);
  const fields = splitPath(paths.specReplicasPath);
  let m = out as Record<string, unknown>;
  for (let i = 0; i < fields.length - 1; i++) {
    const f = fields[i]!;
    const v = m[f];
    if (v === undefined) m = m[f] = {};
    else if (isMap(v)) m = v;
    else throw clientInputError(`value cannot be set because ${jsonPath(fields.slice(0, i + 1))} is not a map[string]interface{}`);
  }
  m[fields[fields.length - 1]!] = replicas;
  if (scale.metadata?.resourceVersion) out.metadata = { ...out.metadata, resourceVersion: scale.metadata.resourceVersion };
  return out;
}

/** The Scale answered after an update: an accessor error is a BadRequest there. */
export function scaleAfterUpdate(cr: KubeObject, paths: CustomResourceSubresourceScale): Scale {
  try {
    return scaleFromCustomResource(cr, paths).scale;
  } catch (e) {
    if (e instanceof AccessorError) throw badRequest(e.message);
    throw e;
  }
}

const MAX_INT32 = 2147483647;

function validateReplicas(obj: unknown, path: string): FieldError[] {
  let v: number;
  try {
    [v] = nestedInt64(obj, path);
  } catch (e) {
    if (!(e instanceof AccessorError)) throw e;
    // NestedInt64 answers 0 with its error: kube prints that 0 as the value
    return [field.invalid(path, 0, e.message)];
  }
  if (v < 0) return [field.invalid(path, v, 'should be a non-negative integer')];
  if (v > MAX_INT32) return [field.invalid(path, v, `should be less than or equal to ${MAX_INT32}`)];
  return [];
}

/** ValidateScaleSpec: run on every create and update of a custom resource with a scale subresource. */
export function validateScaleSpec(obj: unknown, paths: CustomResourceSubresourceScale | undefined): FieldError[] {
  return paths ? validateReplicas(obj, paths.specReplicasPath) : [];
}

/** ValidateScaleStatus: on create, update and status update. */
export function validateScaleStatus(obj: unknown, paths: CustomResourceSubresourceScale | undefined): FieldError[] {
  if (!paths) return [];
  const errs = validateReplicas(obj, paths.statusReplicasPath);
  if (paths.labelSelectorPath !== undefined) {
    try {
      nestedString(obj, paths.labelSelectorPath);
    } catch (e) {
      if (!(e instanceof AccessorError)) throw e;
      errs.push(field.invalid(paths.labelSelectorPath, '', e.message));
    }
  }
  return errs;
}

/**
 * The Table of .../scale (getScaleColumnsForVersion): Desired and Available when the paths are
 * set, then Age, read from the Scale object itself.
 */
export function scaleTable(paths: CustomResourceSubresourceScale): TableConvertor {
  return printerColumnsTable([
    ...(paths.specReplicasPath ? [{ name: 'Desired', type: 'integer', description: 'Number of desired replicas', jsonPath: '.spec.replicas' }] : []),
    ...(paths.statusReplicasPath ? [{ name: 'Available', type: 'integer', description: 'Number of actual replicas', jsonPath: '.status.replicas' }] : []),
    { name: 'Age', type: 'date', description: CREATION_TIMESTAMP_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' },
  ]);
}
