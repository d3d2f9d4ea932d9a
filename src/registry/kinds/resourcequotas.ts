// core/v1 ResourceQuota (pkg/registry/core/resourcequota, ValidateResourceQuota*).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { deepCopy } from '../../apimachinery/object.js';
import { quantityString } from '../../apimachinery/quantity.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType, StatusStrategy } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  isStandardQuotaResourceName, normalizeResourceList, quantityOf, sortedEntries, validateResourceQuantityValue,
  validateResourceQuotaResourceName,
} from './_resources.js';
import { arrAt, child, ensureObj, isObj, key, objAt, omitEmpty, orderKeys, sortMapKeys, strAt, type Obj } from './_util.js';

const STANDARD_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'VolumeAttributesClass'];
const POD_OBJECT_COUNT = new Set(['pods']);
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);
const PVC_OBJECT_COUNT = new Set(['persistentvolumeclaims']);
const PVC_STORAGE = new Set(['requests.storage']);
const INVALID_SCOPE_PAIRS = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

const isStandardResourceQuotaScope = (s: string): boolean => STANDARD_SCOPES.includes(s) || s === 'CrossNamespacePodAffinity';

function isScopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating': case 'NotTerminating': case 'NotBestEffort': case 'PriorityClass': case 'CrossNamespacePodAffinity':
      return POD_OBJECT_COUNT.has(resource) || POD_COMPUTE.has(resource);
    case 'BestEffort':
      return POD_OBJECT_COUNT.has(resource);
    case 'VolumeAttributesClass':
      return PVC_OBJECT_COUNT.has(resource) || PVC_STORAGE.has(resource);
    default:
      return true;
  }
}

function validateResourceList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of sortedEntries(list)) {
    const p = key(path, k);
    errs.push(...validateResourceQuotaResourceName(k, p));
    errs.push(...validateResourceQuantityValue(k, quantityOf(v), p));
  }
  return errs;
}

/** spec.scopes as kube prints it (a nil slice is null). */
const scopesValue = (spec: Obj): unknown => (Array.isArray(spec.scopes) ? spec.scopes : null);

/** The internal ScopeSelector struct kube prints in errors (no JSON tags). */
function internalScopeSelector(sel: unknown): unknown {
  if (!isObj(sel)) return null;
  const exprs = arrAt(sel, 'matchExpressions');
  return {
    MatchExpressions: exprs ? exprs.map((e) => ({
      ScopeName: strAt(e, 'scopeName'),
      Operator: strAt(e, 'operator'),
      Values: arrAt(e, 'values') ?? null,
    })) : null,
  };
}

function hardNames(spec: Obj): string[] {
  return sortedEntries(spec.hard).map(([k]) => k);
}

function validateScopes(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const scopes = (arrAt(spec, 'scopes') ?? []).map((s) => (typeof s === 'string' ? s : ''));
  if (scopes.length === 0) return errs;
  const path = 'spec.scopes';
  const hard = hardNames(spec);
  for (const scope of scopes) {
    if (!isStandardResourceQuotaScope(scope)) errs.push(field.invalid(path, scopesValue(spec), 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !isScopeValidForResource(scope, k)) {
        errs.push(field.invalid(path, scopesValue(spec), 'unsupported scope applied to resource'));
      }
    }
  }
  const set = new Set(scopes);
  for (const pair of INVALID_SCOPE_PAIRS) {
    if (pair.every((s) => set.has(s))) errs.push(field.invalid(path, scopesValue(spec), 'conflicting scopes'));
  }
  return errs;
}

function validateScopeSelector(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.scopeSelector;
  if (!isObj(sel)) return errs;
  const path = 'spec.scopeSelector.matchExpressions';
  const hard = hardNames(spec);
  const seen = new Set<string>();
  for (const req of arrAt(sel, 'matchExpressions') ?? []) {
    const scope = strAt(req, 'scopeName');
    const op = strAt(req, 'operator');
    const values = arrAt(req, 'values') ?? [];
    if (!isStandardResourceQuotaScope(scope)) errs.push(field.invalid(child(path, 'scopeName'), scope, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !isScopeValidForResource(scope, k)) {
        errs.push(field.invalid(path, internalScopeSelector(sel), 'unsupported scope applied to resource'));
      }
    }
    if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(scope) && op !== 'Exists') {
      errs.push(field.invalid(child(path, 'operator'), op,
        "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
    }
    switch (op) {
      case 'In': case 'NotIn':
        if (values.length === 0) {
          errs.push(field.required(child(path, 'values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        }
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length !== 0) {
          errs.push(field.invalid(child(path, 'values'), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        }
        break;
      default:
        errs.push(field.invalid(child(path, 'operator'), op, 'not a valid selector operator'));
    }
    seen.add(scope);
  }
  for (const pair of INVALID_SCOPE_PAIRS) {
    if (pair.every((s) => seen.has(s))) errs.push(field.invalid(path, scopesValue(spec), 'conflicting scopes'));
  }
  return errs;
}

function validateSpec(rq: KubeObject): FieldError[] {
  const spec = objAt(rq, 'spec') ?? {};
  return [
    ...validateResourceList(spec.hard, 'spec.hard'),
    ...validateScopes(spec),
    ...validateScopeSelector(spec),
  ];
}

function validateStatus(rq: KubeObject): FieldError[] {
  const status = objAt(rq, 'status') ?? {};
  return [...validateResourceList(status.hard, 'status.hard'), ...validateResourceList(status.used, 'status.used')];
}

function normalize(rq: KubeObject): void {
  normalizeResourceList(rq, objAt(rq, 'spec'), 'hard', 'ResourceQuota');
  normalizeResourceList(rq, objAt(rq, 'status'), 'hard', 'ResourceQuota');
  normalizeResourceList(rq, objAt(rq, 'status'), 'used', 'ResourceQuota');
}

function shape(rq: KubeObject): void {
  const spec = ensureObj(rq, 'spec');
  omitEmpty(spec, 'hard', 'scopes');
  sortMapKeys(spec, 'hard');
  if (isObj(spec.scopeSelector)) {
    const sel = spec.scopeSelector;
    omitEmpty(sel, 'matchExpressions');
    for (const e of arrAt(sel, 'matchExpressions') ?? []) {
      if (!isObj(e)) continue;
      for (const k of ['scopeName', 'operator']) if (typeof e[k] !== 'string') e[k] = '';
      omitEmpty(e, 'values');
      orderKeys(e, ['scopeName', 'operator', 'values']);
    }
  } else {
    delete spec.scopeSelector;
  }
  orderKeys(spec, ['hard', 'scopes', 'scopeSelector']);
  const status = ensureObj(rq, 'status');
  omitEmpty(status, 'hard', 'used');
  sortMapKeys(status, 'hard', 'used');
  orderKeys(status, ['hard', 'used']);
  orderKeys(rq, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

function sameScopeSet(a: unknown, b: unknown): boolean {
  const sa = new Set((Array.isArray(a) ? a : []).map(String));
  const sb = new Set((Array.isArray(b) ? b : []).map(String));
  return sa.size === sb.size && [...sa].every((s) => sb.has(s));
}

/** The status subresource (resourcequotaStatusStrategy). */
export const resourceQuotaStatusStrategy: StatusStrategy = {
  prepareForUpdate(obj, old) {
    obj.spec = deepCopy(old.spec);
  },
  validateUpdate(obj) {
    const errs: FieldError[] = [];
    if (!obj.metadata?.resourceVersion) errs.push(field.required('resourceVersion'));
    return errs.concat(validateStatus(obj));
  },
};

/** The REQUEST and LIMIT cells of printResourceQuota. */
function usageColumns(rq: KubeObject): [string, string] {
  const hard = objAt(rq.status, 'hard') ?? {};
  const used = objAt(rq.status, 'used') ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const [name, h] of sortedEntries(hard)) {
    const u = quantityString(quantityOf(used[name]));
    const pieces = name.split('.');
    const entry = `${name}: ${u}/${quantityString(quantityOf(h))}`;
    if (pieces.length > 1 && pieces[0] === 'limits') limits.push(entry);
    else requests.push(entry);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourcequotas: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  kind: 'ResourceQuota',
  listKind: 'ResourceQuotaList',
  singularName: 'resourcequota',
  shortNames: ['quota'],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  storage: { group: '', resource: 'resourcequotas', apiVersion: 'v1', kind: 'ResourceQuota' },
  schemaName: 'io.k8s.api.core.v1.ResourceQuota',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults: normalize,
    prepareForCreate(rq) {
      rq.status = {};
    },
    validate(rq) {
      return [...coreObjectMetaErrors(rq), ...validateSpec(rq), ...validateStatus(rq)];
    },
    canonicalize: shape,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: true,
    prepareForUpdate(rq, old) {
      rq.status = deepCopy(old.status ?? {});
    },
    validateUpdate(rq, old) {
      const errs = validateSpec(rq);
      const spec = objAt(rq, 'spec') ?? {};
      if (!sameScopeSet(spec.scopes, objAt(old, 'spec')?.scopes)) {
        errs.push(field.invalid('spec.scopes', scopesValue(spec), 'field is immutable'));
      }
      return errs;
    },
    status: resourceQuotaStatusStrategy,
    table: {
      columns: [
        nameColumn(),
        column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
        column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
        ageColumn(),
      ],
      cells(rq, now) {
        const [request, limit] = usageColumns(rq);
        return [rq.metadata.name ?? '', request, limit, translateTimestampSince(rq.metadata.creationTimestamp, now)];
      },
    },
  },
};
