// What the access reviews of authorization.k8s.io/v1 share (pkg/apis/authorization/validation and
// pkg/registry/authorization/util): validation of the spec, the request attributes it describes,
// the evaluation errors of its selectors, and the answer's shape. The object is read as kube's
// decoder types it and written back as kube encodes it (omitempty fields left out).

import { badRequest, field, StatusError, type FieldError } from '../../apimachinery/errors.js';
import { parseFieldSelector } from '../../apimachinery/fields.js';
import { parseLabelSelector } from '../../apimachinery/labels.js';
import { validateLabelSelectorRequirement } from '../../apimachinery/validation.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Authorizer } from '../../auth/authz.js';
import type { RequestInfo, RequestVerb } from '../../apiserver/requestinfo.js';
import type { ClusterName } from '../../tenancy/logicalcluster.js';
import type { UserInfo } from '../types.js';
import { isObj, type Obj } from './_util.js';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const AUTHENTICATION_GROUP = 'authentication.k8s.io';

function str(o: Obj | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === 'string' ? v : '';
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A pointer field: present unless absent or null. */
function pointer(o: Obj | undefined, k: string): Obj | undefined {
  const v = o?.[k];
  return isObj(v) ? v : undefined;
}

export function specOf(obj: KubeObject): Obj {
  return isObj(obj.spec) ? obj.spec : {};
}

interface SelectorRequirement { key: string; operator: string; values: string[] }

function requirements(v: unknown): SelectorRequirement[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((r) => ({ key: str(r, 'key'), operator: str(r, 'operator'), values: strings(r.values) }));
}

/** metav1validation.ValidateFieldSelectorRequirement with unknown operators allowed. */
function fieldRequirementErrors(r: SelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!r.key) errs.push(field.required(`${path}.key`, 'must be specified'));
  if ((r.operator === 'In' || r.operator === 'NotIn') && r.values.length === 0) {
    errs.push(field.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  }
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && r.values.length > 0) {
    errs.push(field.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  }
  return errs;
}

/** validateFieldSelectorAttributes / validateLabelSelectorAttributes */
function selectorAttributeErrors(sel: Obj | undefined, path: string, kind: 'field' | 'label'): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  const raw = str(sel, 'rawSelector');
  const reqs = requirements(sel.requirements);
  if (raw && reqs.length) errs.push(field.invalid(`${path}.rawSelector`, raw, 'may not specified at the same time as requirements'));
  if (!raw && !reqs.length) errs.push(field.required(`${path}.requirements`, `when ${path} is specified, requirements or rawSelector is required`));
  reqs.forEach((r, i) => {
    const p = `${path}.requirements[${i}]`;
    errs.push(...(kind === 'field' ? fieldRequirementErrors(r, p) : validateLabelSelectorRequirement(r, p, { allowUnknownOperatorInRequirement: true })));
  });
  return errs;
}

const EXACTLY_ONE = 'exactly one of nonResourceAttributes or resourceAttributes must be specified';

/**
 * ValidateSelfSubjectAccessReviewSpec, or ValidateSubjectAccessReviewSpec (subject: the user or
 * groups are also required). Bad struct values print as Go's json.Marshal of kube's internal types
 * (no JSON tags: capitalised field names).
 */
export function accessReviewSpecErrors(spec: Obj, subject: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ra = pointer(spec, 'resourceAttributes');
  const nra = pointer(spec, 'nonResourceAttributes');
  if (ra && nra) errs.push(field.invalid('spec.nonResourceAttributes', internalNonResourceAttributes(nra), 'cannot be specified in combination with resourceAttributes'));
  if (!ra && !nra) errs.push(field.invalid('spec.resourceAttributes', null, EXACTLY_ONE));
  if (subject && !str(spec, 'user') && strings(spec.groups).length === 0) {
    errs.push(field.invalid('spec.user', str(spec, 'user'), 'at least one of user or group must be specified'));
  }
  if (ra) {
    errs.push(...selectorAttributeErrors(pointer(ra, 'fieldSelector'), 'spec.resourceAttributes.fieldSelector', 'field'));
    errs.push(...selectorAttributeErrors(pointer(ra, 'labelSelector'), 'spec.resourceAttributes.labelSelector', 'label'));
  }
  return errs;
}

/** An internal authorization.NonResourceAttributes as Go's json.Marshal prints it. */
export function internalNonResourceAttributes(nra: Obj): Obj {
  return { Path: str(nra, 'path'), Verb: str(nra, 'verb') };
}

/**
 * The metadata of an access review must be empty (LocalSubjectAccessReview: but for its
 * namespace); the bad value is the metadata as sent.
 */
export function metadataErrors(obj: KubeObject, allowNamespace: boolean): FieldError[] {
  const meta = { ...(obj.metadata ?? {}) } as Record<string, unknown>;
  delete meta.managedFields;
  if (allowNamespace) delete meta.namespace;
  const set = Object.entries(meta).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== 0
    && !(Array.isArray(v) && v.length === 0) && !(isObj(v) && Object.keys(v).length === 0));
  if (!set.length) return [];
  return [field.invalid('metadata', obj.metadata, allowNamespace ? 'must be empty except for namespace' : 'must be empty')];
}

/** What the review asks about, as the request attributes the authorizer judges (authorizationutil.*AttributesFrom). */
export function reviewedRequest(spec: Obj, cluster: ClusterName): RequestInfo {
  const ra = pointer(spec, 'resourceAttributes');
  if (ra) {
    const group = str(ra, 'group');
    return {
      kind: 'resource', cluster, prefix: group ? 'apis' : 'api', group,
      // matchAllVersionIfEmpty
      version: str(ra, 'version') || '*',
      namespace: str(ra, 'namespace'), resource: str(ra, 'resource'), name: str(ra, 'name'),
      subresource: str(ra, 'subresource'),
      // any verb may be asked about (bind, escalate, impersonate, *)
      verb: str(ra, 'verb') as RequestVerb,
      extra: [],
    };
  }
  const nra = pointer(spec, 'nonResourceAttributes');
  return { kind: 'nonresource', cluster, path: str(nra, 'path'), verb: str(nra, 'verb') };
}

/** The selectors' parse errors (BuildEvaluationError): a selector that does not parse is ignored, and said so. */
export function selectorEvaluationErrors(spec: Obj): string[] {
  const ra = pointer(spec, 'resourceAttributes');
  const out: string[] = [];
  for (const kind of ['field', 'label'] as const) {
    const sel = pointer(ra, `${kind}Selector`);
    if (!sel) continue;
    const what = `spec.resourceAttributes.${kind}Selector`;
    const raw = str(sel, 'rawSelector');
    const reqs = requirements(sel.requirements);
    if (reqs.length) {
      const bad = reqs.filter((r) => (kind === 'field' ? !fieldRequirementUsable(r) : !labelRequirementUsable(r))).length;
      if (bad) out.push(bad < reqs.length ? `${what} partially ignored due to parse error` : `${what} ignored due to parse error`);
    } else if (raw) {
      try {
        if (kind === 'field') parseFieldSelector(raw);
        else parseLabelSelector(raw);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        out.push(`${what} ignored due to parse error`);
      }
    }
  }
  return out;
}

/** fieldSelectorAsSelector: one value with In or NotIn. */
function fieldRequirementUsable(r: SelectorRequirement): boolean {
  return r.values.length === 1 && (r.operator === 'In' || r.operator === 'NotIn');
}

/** labels.NewRequirement through labelSelectorAsSelector. */
function labelRequirementUsable(r: SelectorRequirement): boolean {
  if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) return false;
  return validateLabelSelectorRequirement(r, 'r').length === 0;
}

/** The status of an access review: the authorizer's decision about the request. */
export async function accessReviewStatus(authorizer: Authorizer | undefined, user: UserInfo, spec: Obj, cluster: ClusterName): Promise<Obj> {
  if (!authorizer) throw new StatusError(500, 'InternalError', 'Internal error occurred: no authorizer is configured');
  const info = reviewedRequest(spec, cluster);
  const evaluationErrors: string[] = [];
  let decision: { allowed: boolean; reason?: string; denied?: boolean; evaluationError?: string };
  try {
    decision = await authorizer.authorize(user, info);
  } catch (e) {
    if (e instanceof StatusError) throw e;
    decision = { allowed: false };
    evaluationErrors.push((e as Error).message);
  }
  if (decision.evaluationError) evaluationErrors.push(decision.evaluationError);
  evaluationErrors.push(...selectorEvaluationErrors(spec));
  const status: Obj = { allowed: decision.allowed };
  if (decision.denied) status.denied = true;
  if (decision.reason) status.reason = decision.reason;
  if (evaluationErrors.length) status.evaluationError = evaluationErrors.join('; ');
  return status;
}

function selectorOut(sel: Obj): Obj {
  const out: Obj = {};
  if (str(sel, 'rawSelector')) out.rawSelector = str(sel, 'rawSelector');
  const reqs = requirements(sel.requirements);
  if (reqs.length) {
    out.requirements = reqs.map((r) => {
      const o: Obj = { key: r.key, operator: r.operator };
      if (r.values.length) o.values = r.values;
      return o;
    });
  }
  return out;
}

/** The spec's attributes as kube encodes them back (empty strings omitted). */
export function attributesOut(spec: Obj): Obj {
  const out: Obj = {};
  const ra = pointer(spec, 'resourceAttributes');
  if (ra) {
    const r: Obj = {};
    for (const k of ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']) if (str(ra, k)) r[k] = str(ra, k);
    const fs = pointer(ra, 'fieldSelector');
    if (fs) r.fieldSelector = selectorOut(fs);
    const ls = pointer(ra, 'labelSelector');
    if (ls) r.labelSelector = selectorOut(ls);
    out.resourceAttributes = r;
  }
  const nra = pointer(spec, 'nonResourceAttributes');
  if (nra) {
    const n: Obj = {};
    for (const k of ['path', 'verb']) if (str(nra, k)) n[k] = str(nra, k);
    out.nonResourceAttributes = n;
  }
  return out;
}

/** spec.user, groups, extra and uid of a (Local)SubjectAccessReview: the subject reviewed, and its encoding. */
export function subjectOf(spec: Obj, cluster: ClusterName): { user: UserInfo; out: Obj } {
  const out: Obj = {};
  const username = str(spec, 'user');
  const groups = strings(spec.groups);
  const uid = str(spec, 'uid');
  const extra: Record<string, string[]> = {};
  if (isObj(spec.extra)) for (const [k, v] of Object.entries(spec.extra)) extra[k] = strings(v);
  if (username) out.user = username;
  if (groups.length) out.groups = groups;
  if (Object.keys(extra).length) out.extra = extra;
  if (uid) out.uid = uid;
  const user: UserInfo = { username, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  // a service account named in a cluster's review is that cluster's service account
  if (username.startsWith('system:serviceaccount:')) user.cluster = cluster;
  return { user, out };
}

/** The answer: the request's type meta and metadata (as sent), the spec as kube encodes it, the status. */
export function reviewAnswer(obj: KubeObject, spec: Obj, status: Obj): KubeObject {
  return { kind: obj.kind, apiVersion: obj.apiVersion, metadata: obj.metadata ?? {}, spec, status } as KubeObject;
}

export function noNamespace(): StatusError {
  return badRequest('no namespace on request');
}

/** authentication.k8s.io/v1 UserInfo as kube encodes it (empty fields omitted; kplane's cluster tag never shown). */
export function userInfoOut(user: UserInfo): Obj {
  const out: Obj = {};
  if (user.username) out.username = user.username;
  if (user.uid) out.uid = user.uid;
  if (user.groups.length) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) out.extra = structuredClone(user.extra);
  return out;
}

/** The GroupKind of a review's Invalid error: kube names the Kind of its decoded internal object, which is empty. */
export function reviewGroupKind(group: string): { group: string; kind: string } {
  return { group, kind: '' };
}
