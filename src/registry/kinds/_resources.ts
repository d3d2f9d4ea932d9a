// Resource names and quantities as core validation sees them (pkg/apis/core/helper, the resource
// parts of pkg/apis/core/validation), and the decode-time handling of ResourceList fields.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  cmpQuantity, parseQuantity, QuantityError, quantityString, scaledValue, type Quantity,
} from '../../apimachinery/quantity.js';
import { isQualifiedName } from '../../apimachinery/validation.js';
import { decodeError, isObj, type Obj } from './_util.js';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas',
  'services', 'replicationcontrollers', 'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports',
  'services.loadbalancers',
]);
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu',
  'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets',
  'configmaps', 'persistentvolumeclaims', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);
export const STANDARD_LIMIT_RANGE_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

export const isHugePageResourceName = (n: string): boolean => n.startsWith('hugepages-');
const isQuotaHugePageResourceName = (n: string): boolean => n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');
export const isNativeResource = (n: string): boolean => !n.includes('/') || n.includes('kubernetes.io/');
export const isStandardResourceName = (n: string): boolean => STANDARD_RESOURCES.has(n) || isQuotaHugePageResourceName(n);
export const isStandardContainerResourceName = (n: string): boolean => STANDARD_CONTAINER_RESOURCES.has(n) || isHugePageResourceName(n);
export const isStandardQuotaResourceName = (n: string): boolean => STANDARD_QUOTA_RESOURCES.has(n) || isQuotaHugePageResourceName(n);

export function isExtendedResourceName(n: string): boolean {
  if (isNativeResource(n) || n.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${n}`).length === 0;
}

export const isIntegerResourceName = (n: string): boolean => INTEGER_RESOURCES.has(n) || isExtendedResourceName(n);
export const isOvercommitAllowed = (n: string): boolean => isNativeResource(n) && !isHugePageResourceName(n);

/** validateResourceName. */
export function validateResourceName(value: string, path: string): FieldError[] {
  const errs = isQualifiedName(value).map((msg) => field.invalid(path, value, msg));
  if (errs.length) return errs;
  if (!value.includes('/') && !isStandardResourceName(value)) {
    errs.push(field.invalid(path, value, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

/** validateContainerResourceName. */
export function validateContainerResourceName(value: string, path: string): FieldError[] {
  const errs = validateResourceName(value, path);
  if (!value.includes('/')) {
    if (!isStandardContainerResourceName(value)) errs.push(field.invalid(path, value, 'must be a standard resource for containers'));
  } else if (!isNativeResource(value)) {
    if (!isExtendedResourceName(value)) errs.push(field.invalid(path, value, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuotaResourceName. */
export function validateResourceQuotaResourceName(value: string, path: string): FieldError[] {
  const errs = validateResourceName(value, path);
  if (!value.includes('/') && !isStandardQuotaResourceName(value)) {
    errs.push(field.invalid(path, value, 'must be a standard resource for quota'));
  }
  return errs;
}

/** ValidateResourceQuantityValue: not negative; whole numbers for countable resources. */
export function validateResourceQuantityValue(resource: string, q: Quantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (cmpQuantity(q, ZERO) < 0) errs.push(field.invalid(path, quantityString(q), 'must be greater than or equal to 0'));
  if (isIntegerResourceName(resource) && scaledValue(q, -3) % 1000n !== 0n) {
    errs.push(field.invalid(path, quantityString(q), 'must be an integer'));
  }
  return errs;
}

export const ZERO: Quantity = { unscaled: 0n, exponent: 0, format: 'DecimalSI' };

/** Parses a (normalised) quantity value; anything unparsable counts as zero (decoding rejected it already). */
export function quantityOf(v: unknown): Quantity {
  if (typeof v === 'number') v = String(v);
  if (typeof v !== 'string') return ZERO;
  try {
    return parseQuantity(v.trim());
  } catch {
    return ZERO;
  }
}

/** Quantity.RoundUp(scale): rounds away from zero to at least the given scale (exponent). */
export function roundUp(q: Quantity, exponent: number): Quantity {
  if (q.exponent >= exponent) return q;
  const div = 10n ** BigInt(exponent - q.exponent);
  const neg = q.unscaled < 0n;
  const abs = neg ? -q.unscaled : q.unscaled;
  let v = abs / div;
  if (abs % div !== 0n) v += 1n;
  return { unscaled: neg ? -v : v, exponent, format: q.format };
}

/** Entries of a ResourceList in a stable (sorted) order; kube iterates Go maps in random order. */
export function sortedEntries(list: unknown): [string, unknown][] {
  if (!isObj(list)) return [];
  return Object.entries(list).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Decodes a ResourceList field of `o` as kube does (Quantity.UnmarshalJSON + SetDefaults_ResourceList):
 * every value parsed, rounded up to milli precision and written back in kube's string form.
 * Throws kube's 400 for a value that is not a quantity.
 */
export function normalizeResourceList(obj: KubeObject, o: Obj | undefined, k: string, kind: string): void {
  if (!o) return;
  const list = o[k];
  if (!isObj(list)) return;
  for (const [name, v] of Object.entries(list)) {
    let q: Quantity;
    if (v === null) {
      q = ZERO;
    } else if (typeof v === 'string' || typeof v === 'number') {
      try {
        q = parseQuantity(typeof v === 'number' ? String(v) : v.trim());
      } catch (e) {
        if (e instanceof QuantityError) throw decodeError(kind, 'v1', e.message);
        throw e;
      }
    } else {
      continue; // not a quantity at all: left to schema validation
    }
    list[name] = quantityString(roundUp(q, -3));
  }
}
