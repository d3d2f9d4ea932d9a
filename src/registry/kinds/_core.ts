// Pieces of k8s.io/kubernetes/pkg/apis/core/validation shared by several kinds.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isQualifiedName, validateKubeFinalizerNames } from '../../apimachinery/validation.js';
import { child } from './_util.js';

/** core's FinalizerName "kubernetes" plus metav1's orphan / foregroundDeletion. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateKubeFinalizerName: a finalizer without a "/" must be one of the standard names. */
export function validateKubeFinalizerName(value: string, path: string): FieldError[] {
  if (!value.includes('/') && !STANDARD_FINALIZERS.has(value)) {
    return [field.invalid(path, value, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

/** core validateFinalizerName: qualified name + kube finalizer rules. */
export function validateFinalizerName(value: string, path: string): FieldError[] {
  const errs = isQualifiedName(value).map((msg) => field.invalid(path, value, msg));
  return errs.concat(validateKubeFinalizerName(value, path));
}

/**
 * What core's ValidateObjectMeta adds to the generic ObjectMeta validation: the kube finalizer-name
 * check on metadata.finalizers. Kinds whose kube Validate calls core's ValidateObjectMeta run it
 * from their own validate()/validateUpdate(), so the store must not add it again.
 */
export function coreObjectMetaErrors(obj: KubeObject): FieldError[] {
  const fins = obj.metadata?.finalizers;
  if (!Array.isArray(fins)) return [];
  return validateKubeFinalizerNames(fins.filter((f): f is string => typeof f === 'string'), child('metadata', 'finalizers'));
}
