// core/v1 LimitRange (pkg/registry/core/limitrange, ValidateLimitRange, SetDefaults_LimitRangeItem).
// kube has no printer for it: tables use the default Name / Created At convertor.

import { randomUUID } from 'node:crypto';
import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { cmpQuantity, quantityString, scaledValue, type Quantity } from '../../apimachinery/quantity.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  isOvercommitAllowed, normalizeResourceList, quantityOf, sortedEntries, STANDARD_LIMIT_RANGE_TYPES,
  validateContainerResourceName, validateResourceName,
} from './_resources.js';
import { arrAt, child, ensureObj, index, isObj, key, nullIfEmpty, objAt, omitEmpty, orderKeys, sortMapKeys, strAt } from './_util.js';

const LIST_FIELDS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;
const MAX_MILLI_VALUE = (2n ** 63n - 1n) / 1000n;
const ONE: Quantity = { unscaled: 1n, exponent: 0, format: 'DecimalSI' };

function validateLimitRangeTypeName(value: string, path: string): FieldError[] {
  const errs = isQualifiedName(value).map((msg) => field.invalid(path, value, msg));
  if (errs.length) return errs;
  if (!value.includes('/') && !STANDARD_LIMIT_RANGE_TYPES.has(value)) {
    errs.push(field.invalid(path, value, 'must be a standard limit type or fully qualified'));
  }
  return errs;
}

function validateLimitRangeResourceName(type: string, value: string, path: string): FieldError[] {
  return type === 'Pod' || type === 'Container' ? validateContainerResourceName(value, path) : validateResourceName(value, path);
}

/** Go's %f. */
function goFloat(f: number): string {
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (Number.isNaN(f)) return 'NaN';
  return f.toFixed(6);
}

function validateLimitRange(lr: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(lr);
  const types = new Set<string>();
  const path = 'spec.limits';
  (arrAt(lr.spec, 'limits') ?? []).forEach((item, i) => {
    const idx = index(path, i);
    const type = strAt(item, 'type');
    errs.push(...validateLimitRangeTypeName(type, child(idx, 'type')));
    if (types.has(type)) errs.push(field.duplicate(child(idx, 'type'), type));
    types.add(type);

    const keys = new Set<string>();
    const lists: Record<string, Map<string, Quantity>> = {};
    for (const f of LIST_FIELDS) lists[f] = new Map();
    const collect = (f: (typeof LIST_FIELDS)[number]): void => {
      for (const [k, v] of sortedEntries(objAt(item, f))) {
        errs.push(...validateLimitRangeResourceName(type, k, key(child(idx, f), k)));
        keys.add(k);
        lists[f]!.set(k, quantityOf(v));
      }
    };
    collect('max');
    collect('min');
    if (type === 'Pod') {
      if (Object.keys(objAt(item, 'default') ?? {}).length > 0) {
        errs.push(field.forbidden(child(idx, 'default'), "may not be specified when `type` is 'Pod'"));
      }
      if (Object.keys(objAt(item, 'defaultRequest') ?? {}).length > 0) {
        errs.push(field.forbidden(child(idx, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
      }
    } else {
      collect('default');
      collect('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim') {
      const min = objAt(item, 'min') ?? {};
      const max = objAt(item, 'max') ?? {};
      if (!('storage' in min) && !('storage' in max)) {
        errs.push(field.required(child(idx, 'limits'), 'either minimum or maximum storage value is required, but neither was provided'));
      }
    }
    collect('maxLimitRequestRatio');

    for (const k of [...keys].sort()) {
      const min = lists.min!.get(k);
      const max = lists.max!.get(k);
      const def = lists.default!.get(k);
      const defReq = lists.defaultRequest!.get(k);
      const ratio = lists.maxLimitRequestRatio!.get(k);
      const s = quantityString;
      if (min && max && cmpQuantity(min, max) > 0) {
        errs.push(field.invalid(key(child(idx, 'min'), k), s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      }
      if (defReq && min && cmpQuantity(min, defReq) > 0) {
        errs.push(field.invalid(key(child(idx, 'defaultRequest'), k), s(defReq), `min value ${s(min)} is greater than default request value ${s(defReq)}`));
      }
      if (defReq && max && cmpQuantity(defReq, max) > 0) {
        errs.push(field.invalid(key(child(idx, 'defaultRequest'), k), s(defReq), `default request value ${s(defReq)} is greater than max value ${s(max)}`));
      }
      if (defReq && def && cmpQuantity(defReq, def) > 0) {
        errs.push(field.invalid(key(child(idx, 'defaultRequest'), k), s(defReq), `default request value ${s(defReq)} is greater than default limit value ${s(def)}`));
      }
      if (def && min && cmpQuantity(min, def) > 0) {
        errs.push(field.invalid(key(child(idx, 'default'), k), s(min), `min value ${s(min)} is greater than default value ${s(def)}`));
      }
      if (def && max && cmpQuantity(def, max) > 0) {
        errs.push(field.invalid(key(child(idx, 'default'), k), s(max), `default value ${s(def)} is greater than max value ${s(max)}`));
      }
      if (ratio && cmpQuantity(ratio, ONE) < 0) {
        errs.push(field.invalid(key(child(idx, 'maxLimitRequestRatio'), k), s(ratio), `ratio ${s(ratio)} is less than 1`));
      }
      if (ratio && min && max) {
        let ratioValue = Number(scaledValue(ratio, 0));
        let minValue = scaledValue(min, 0);
        let maxValue = scaledValue(max, 0);
        if (scaledValue(ratio, 0) < MAX_MILLI_VALUE && minValue < MAX_MILLI_VALUE && maxValue < MAX_MILLI_VALUE) {
          ratioValue = Number(scaledValue(ratio, -3)) / 1000;
          minValue = scaledValue(min, -3);
          maxValue = scaledValue(max, -3);
        }
        const limit = Number(maxValue) / Number(minValue);
        if (ratioValue > limit) {
          errs.push(field.invalid(key(child(idx, 'maxLimitRequestRatio'), k), s(ratio), `ratio ${s(ratio)} is greater than max/min = ${goFloat(limit)}`));
        }
      }
      if (!isOvercommitAllowed(k) && def && defReq && cmpQuantity(def, defReq) !== 0) {
        errs.push(field.invalid(key(child(idx, 'defaultRequest'), k), s(defReq), `default value ${s(def)} must equal to defaultRequest value ${s(defReq)} in ${k}`));
      }
    }
  });
  return errs;
}

/** SetDefaults_LimitRangeItem: container defaults from max, default requests from default or min. */
function defaultItem(item: Record<string, unknown>): void {
  if (item.type !== 'Container') return;
  const def = isObj(item.default) ? item.default : (item.default = {});
  const defReq = isObj(item.defaultRequest) ? item.defaultRequest : (item.defaultRequest = {});
  for (const [k, v] of Object.entries(objAt(item, 'max') ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(objAt(item, 'min') ?? {})) if (!(k in defReq)) defReq[k] = v;
}

export const limitranges: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  listKind: 'LimitRangeList',
  singularName: 'limitrange',
  shortNames: ['limits'],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: '', resource: 'limitranges', apiVersion: 'v1', kind: 'LimitRange' },
  schemaName: 'io.k8s.api.core.v1.LimitRange',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(lr) {
      for (const item of arrAt(lr.spec, 'limits') ?? []) {
        if (!isObj(item)) continue;
        for (const f of LIST_FIELDS) normalizeResourceList(lr, item, f, 'LimitRange');
        defaultItem(item);
      }
    },
    prepareForCreate(lr) {
      // A LimitRange without a name gets a random one.
      if (!lr.metadata.name) lr.metadata.name = randomUUID();
    },
    validate: validateLimitRange,
    canonicalize(lr) {
      const spec = ensureObj(lr, 'spec');
      nullIfEmpty(spec, 'limits');
      for (const item of arrAt(spec, 'limits') ?? []) {
        if (!isObj(item)) continue;
        if (typeof item.type !== 'string') item.type = '';
        omitEmpty(item, ...LIST_FIELDS);
        sortMapKeys(item, ...LIST_FIELDS);
        orderKeys(item, ['type', ...LIST_FIELDS]);
      }
      orderKeys(lr, ['kind', 'apiVersion', 'metadata', 'spec']);
    },
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    // kube's LimitRange update runs the create-time validation, metadata included
    revalidatesMetadataOnUpdate: 'create',
    validateUpdate: (lr) => validateLimitRange(lr),
  },
};
