// Shared pieces of the rbac.authorization.k8s.io/v1 kinds (pkg/apis/rbac/validation, rbac/v1 defaults,
// the binding printers).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  isPathSegmentName, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, validateLabelSelector,
  type LabelSelectorSpec,
} from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { TableConvertor } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { arrAt, child, ensureObj, index, isObj, lenOf, nullIfEmpty, objAt, omitEmpty, orderKeys, sortMapKeys, strAt, type Obj } from './_util.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** ValidateRBACName: the prefix flag is ignored (path.IsValidPathSegmentName either way). */
export const validateRBACName = (name: string): string[] => isPathSegmentName(name);

/** ValidatePolicyRule. */
export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r: Obj = isObj(rule) ? rule : {};
  if (lenOf(r.verbs) === 0) {
    errs.push(field.required(child(path, 'verbs'), 'verbs must contain at least one value'));
  }
  const nonResourceURLs = arrAt(rule, 'nonResourceURLs') ?? [];
  if (nonResourceURLs.length > 0) {
    if (namespaced) {
      errs.push(field.invalid(child(path, 'nonResourceURLs'), nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    }
    if (lenOf(r.apiGroups) > 0 || lenOf(r.resources) > 0
      || lenOf(r.resourceNames) > 0) {
      errs.push(field.invalid(child(path, 'nonResourceURLs'), nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (lenOf(r.apiGroups) === 0) {
    errs.push(field.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  }
  if (lenOf(r.resources) === 0) {
    errs.push(field.required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  }
  return errs;
}

export function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (arrAt(obj, 'rules') ?? []).forEach((r, i) => errs.push(...validatePolicyRule(r, namespaced, index('rules', i))));
  return errs;
}

/** Whether metav1.LabelSelectorAsSelector fails for a (non-empty) selector. */
export function labelSelectorAsSelectorFails(sel: unknown): boolean {
  if (!isObj(sel)) return false;
  const validKey = (k: string): boolean => isQualifiedName(k).length === 0;
  const validValue = (v: string): boolean => isValidLabelValue(v).length === 0;
  for (const [k, v] of Object.entries(objAt(sel, 'matchLabels') ?? {})) {
    if (!validKey(k) || !validValue(typeof v === 'string' ? v : '')) return true;
  }
  for (const e of arrAt(sel, 'matchExpressions') ?? []) {
    const op = strAt(e, 'operator');
    const values = (arrAt(e, 'values') ?? []).map((v) => (typeof v === 'string' ? v : ''));
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op)) return true;
    if (!validKey(strAt(e, 'key'))) return true;
    if ((op === 'In' || op === 'NotIn') && values.length === 0) return true;
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length !== 0) return true;
    if (!values.every(validValue)) return true;
  }
  return false;
}

/** Validation of a ClusterRole's aggregationRule. */
export function validateAggregationRule(role: KubeObject, allowInvalidLabelValueInSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rule = role.aggregationRule;
  if (!isObj(rule)) return errs;
  const path = 'aggregationRule.clusterRoleSelectors';
  const selectors = arrAt(rule, 'clusterRoleSelectors') ?? [];
  if (selectors.length === 0) {
    errs.push(field.required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  }
  selectors.forEach((sel, i) => {
    const p = index(path, i);
    errs.push(...validateLabelSelector(isObj(sel) ? (sel as LabelSelectorSpec) : {}, p, { allowInvalidLabelValueInSelector }));
    // kube also reports the failed conversion, printing the (nil) selector it got back.
    if (labelSelectorAsSelectorFails(sel)) errs.push(field.invalid(p, null, 'invalid label selector.'));
  });
  return errs;
}

/** hasInvalidLabelValueInLabelSelector (of the old object, to keep tolerating what was stored). */
export function hasInvalidLabelValueInSelectors(role: KubeObject): boolean {
  const rule = role.aggregationRule;
  if (!isObj(rule)) return false;
  return (arrAt(rule, 'clusterRoleSelectors') ?? []).some((sel) =>
    validateLabelSelector(isObj(sel) ? (sel as LabelSelectorSpec) : {}, '', { allowInvalidLabelValueInSelector: false }).length > 0);
}

/** ValidateRoleBindingSubject. */
export function validateSubject(subject: unknown, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = strAt(subject, 'name');
  const apiGroup = strAt(subject, 'apiGroup');
  if (name === '') errs.push(field.required(child(path, 'name')));
  switch (strAt(subject, 'kind')) {
    case 'ServiceAccount':
      if (name !== '') for (const msg of nameIsDNSSubdomain(name, false)) errs.push(field.invalid(child(path, 'name'), name, msg));
      if (apiGroup !== '') errs.push(field.notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && strAt(subject, 'namespace') === '') errs.push(field.required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(field.notSupported(child(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(field.notSupported(child(path, 'kind'), strAt(subject, 'kind'), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** ValidateRoleBinding / ValidateClusterRoleBinding (without the ObjectMeta part the store runs). */
export function validateBinding(b: KubeObject, namespaced: boolean): FieldError[] {
  const errs = coreObjectMetaErrors(b);
  const ref = b.roleRef;
  const apiGroup = strAt(ref, 'apiGroup');
  if (apiGroup !== RBAC_GROUP) errs.push(field.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kind = strAt(ref, 'kind');
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(kind)) errs.push(field.notSupported('roleRef.kind', kind, kinds));
  const name = strAt(ref, 'name');
  if (name === '') errs.push(field.required('roleRef.name'));
  else for (const msg of validateRBACName(name)) errs.push(field.invalid('roleRef.name', name, msg));
  (arrAt(b, 'subjects') ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index('subjects', i))));
  return errs;
}

/** The roleRef-immutability check of binding updates; kube prints its internal RoleRef struct. */
export function validateRoleRefUnchanged(b: KubeObject, old: KubeObject): FieldError[] {
  const cur = { APIGroup: strAt(b.roleRef, 'apiGroup'), Kind: strAt(b.roleRef, 'kind'), Name: strAt(b.roleRef, 'name') };
  const prev = { APIGroup: strAt(old.roleRef, 'apiGroup'), Kind: strAt(old.roleRef, 'kind'), Name: strAt(old.roleRef, 'name') };
  if (cur.APIGroup === prev.APIGroup && cur.Kind === prev.Kind && cur.Name === prev.Name) return [];
  return [field.invalid('roleRef', cur, 'cannot change roleRef')];
}

// ---- defaults (pkg/apis/rbac/v1/defaults.go) ----

export function defaultBinding(b: KubeObject): void {
  if (isObj(b.roleRef) && !strAt(b.roleRef, 'apiGroup')) b.roleRef.apiGroup = RBAC_GROUP;
  if (b.roleRef === undefined || b.roleRef === null) b.roleRef = { apiGroup: RBAC_GROUP };
  for (const s of arrAt(b, 'subjects') ?? []) {
    if (!isObj(s) || strAt(s, 'apiGroup')) continue;
    const kind = strAt(s, 'kind');
    if (kind === 'User' || kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}

// ---- wire shapes ----

function shapeRule(r: Obj): void {
  nullIfEmpty(r, 'verbs');
  omitEmpty(r, 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs');
  orderKeys(r, ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']);
}

/** Role / ClusterRole: `rules` has no omitempty (an empty list comes back as null). */
export function shapeRole(role: KubeObject): void {
  nullIfEmpty(role, 'rules');
  for (const r of arrAt(role, 'rules') ?? []) if (isObj(r)) shapeRule(r);
  if (isObj(role.aggregationRule)) {
    const rule = role.aggregationRule;
    omitEmpty(rule, 'clusterRoleSelectors');
    for (const sel of arrAt(rule, 'clusterRoleSelectors') ?? []) {
      if (!isObj(sel)) continue;
      omitEmpty(sel, 'matchLabels', 'matchExpressions');
      sortMapKeys(sel, 'matchLabels');
      for (const e of arrAt(sel, 'matchExpressions') ?? []) {
        if (!isObj(e)) continue;
        omitEmpty(e, 'values');
        orderKeys(e, ['key', 'operator', 'values']);
      }
      orderKeys(sel, ['matchLabels', 'matchExpressions']);
    }
  } else {
    delete role.aggregationRule;
  }
  orderKeys(role, ['kind', 'apiVersion', 'metadata', 'rules', 'aggregationRule']);
}

export function shapeBinding(b: KubeObject): void {
  omitEmpty(b, 'subjects');
  for (const s of arrAt(b, 'subjects') ?? []) {
    if (!isObj(s)) continue;
    if (typeof s.kind !== 'string') s.kind = '';
    if (typeof s.name !== 'string') s.name = '';
    omitEmpty(s, 'apiGroup', 'namespace');
    orderKeys(s, ['kind', 'apiGroup', 'name', 'namespace']);
  }
  const ref = ensureObj(b, 'roleRef');
  for (const k of ['apiGroup', 'kind', 'name']) if (typeof ref[k] !== 'string') ref[k] = '';
  orderKeys(ref, ['apiGroup', 'kind', 'name']);
  orderKeys(b, ['kind', 'apiVersion', 'metadata', 'subjects', 'roleRef']);
}

// ---- binding table (printRoleBinding / printClusterRoleBinding) ----

/** rbac.SubjectsStrings: users, groups, service accounts. */
export function subjectsStrings(subjects: unknown[]): { users: string[]; groups: string[]; sas: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects) {
    switch (strAt(s, 'kind')) {
      case 'ServiceAccount': sas.push(`${strAt(s, 'namespace')}/${strAt(s, 'name')}`); break;
      case 'User': users.push(strAt(s, 'name')); break;
      case 'Group': groups.push(strAt(s, 'name')); break;
      default:
    }
  }
  return { users, groups, sas };
}

export function bindingTable(roleRefDescription: string, what: string): TableConvertor {
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', roleRefDescription),
      ageColumn(),
      column('Users', 'string', `Users in the ${what}`, { priority: 1 }),
      column('Groups', 'string', `Groups in the ${what}`, { priority: 1 }),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, { priority: 1 }),
    ],
    cells(b, now) {
      const { users, groups, sas } = subjectsStrings(arrAt(b, 'subjects') ?? []);
      return [
        b.metadata.name ?? '',
        `${strAt(b.roleRef, 'kind')}/${strAt(b.roleRef, 'name')}`,
        translateTimestampSince(b.metadata.creationTimestamp, now),
        users.join(', '), groups.join(', '), sas.join(', '),
      ];
    },
  };
}
