// admission.k8s.io AdmissionReview as kube-apiserver sends and reads it (admission/plugin/webhook/
// request): CreateV1AdmissionReview / CreateV1beta1AdmissionReview with the fields in Go order,
// and VerifyAdmissionResponse's checks and texts.

import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/object.js';
import type { AdmissionAttributes } from '../../registry/admission.js';
import type { MatchedResource } from '../matching.js';

/** What a write's options are called in the AdmissionRequest. */
const OPTIONS_KIND: Record<string, string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' };

/** The objects of the request in the version the webhook matched (VersionedAttributes). */
export interface VersionedObjects {
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  /** The request's name as kube's attributes carry it ("" for a create whose name is still to be generated). */
  name: string;
}

/** The first AdmissionReview version of the webhook's list that kplane speaks (CreateAdmissionObjects). */
export function reviewVersionOf(versions: readonly string[]): 'v1' | 'v1beta1' | undefined {
  for (const v of versions) if (v === 'v1' || v === 'v1beta1') return v;
  return undefined;
}

function userInfo(a: AdmissionAttributes): Record<string, unknown> {
  const u = a.ctx.user;
  const out: Record<string, unknown> = { username: u.username };
  if (u.uid) out.uid = u.uid;
  if (u.groups?.length) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

/** The operation's options object (kind and apiVersion, and dryRun as the request gave it). */
function optionsOf(a: AdmissionAttributes): Record<string, unknown> | null {
  const kind = OPTIONS_KIND[a.operation];
  if (!kind) return null;
  const o: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1', ...(a.operation === 'DELETE' ? a.deleteOptions : {}) };
  if (a.dryRun) o.dryRun = ['All'];
  // a create's and an update's (a patch's too) field manager and validation, as the client sent them
  if (a.operation !== 'DELETE') {
    const sent = a.ctx.writeOptions;
    if (sent?.fieldManager) o.fieldManager = sent.fieldManager;
    if (sent?.fieldValidation) o.fieldValidation = sent.fieldValidation;
  }
  return o;
}

export interface BuiltReview {
  uid: string;
  body: Record<string, unknown>;
}

/** CreateV1AdmissionReview (the v1beta1 one has the same request fields). */
export function admissionReview(version: 'v1' | 'v1beta1', a: AdmissionAttributes, matched: MatchedResource, objs: VersionedObjects): BuiltReview {
  const uid = randomUUID();
  const t = a.type;
  const request: Record<string, unknown> = {
    uid,
    kind: { group: matched.group, version: matched.version, kind: matched.kind },
    resource: { group: matched.group, version: matched.version, resource: matched.resource },
  };
  if (a.subresource) request.subResource = a.subresource;
  request.requestKind = { group: t.group, version: t.version, kind: t.kind };
  request.requestResource = { group: t.group, version: t.version, resource: t.resource };
  if (a.subresource) request.requestSubResource = a.subresource;
  if (objs.name) request.name = objs.name;
  if (a.namespace) request.namespace = a.namespace;
  request.operation = a.operation;
  request.userInfo = userInfo(a);
  request.object = objs.object ?? null;
  request.oldObject = objs.oldObject ?? null;
  request.dryRun = a.dryRun;
  request.options = optionsOf(a);
  return { uid, body: { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${version}`, request } };
}

/** What a verified response says (webhookrequest.AdmissionResponse). */
export interface AdmissionResponse {
  allowed: boolean;
  result?: Record<string, unknown>;
  /** The patch as the webhook sent it (base64 of JSON), when any. */
  patch?: string;
  patchType?: string;
  auditAnnotations: Record<string, string>;
  warnings: string[];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const [g, v] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  return `${g}/${v}, Kind=${kind}`;
}

/** VerifyAdmissionResponse: the response, or the error text kube reports. */
export function verifyAdmissionResponse(version: 'v1' | 'v1beta1', uid: string, mutating: boolean, body: unknown): AdmissionResponse | string {
  const review = isMap(body) ? body : {};
  const r = review.response;
  if (!isMap(r)) return 'webhook response was absent';
  const patch = typeof r.patch === 'string' && r.patch !== '' ? r.patch : undefined;
  let patchType = typeof r.patchType === 'string' ? r.patchType : undefined;
  if (version === 'v1') {
    const gotUID = typeof r.uid === 'string' ? r.uid : '';
    if (gotUID !== uid) return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(gotUID)}`;
    const av = typeof review.apiVersion === 'string' ? review.apiVersion : '';
    const kind = typeof review.kind === 'string' ? review.kind : '';
    if (av !== 'admission.k8s.io/v1' || kind !== 'AdmissionReview') {
      return `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvkString(av, kind)}`;
    }
    if (mutating) {
      const hasType = r.patchType !== undefined && r.patchType !== null;
      if (patch && !hasType) return 'webhook returned response.patch but not response.patchType';
      if (!patch && hasType) return 'webhook returned response.patchType but not response.patch';
      if (hasType && !patchType) return `webhook returned invalid response.patchType of ${JSON.stringify(patchType ?? '')}`;
    } else {
      if (patch) return 'validating webhook may not return response.patch';
      if (r.patchType !== undefined && r.patchType !== null) return 'validating webhook may not return response.patchType';
    }
  } else {
    // v1beta1 responses were never checked for uid or kind; a patch is a JSON patch
    patchType = mutating && patch ? 'JSONPatch' : undefined;
  }
  const annotations: Record<string, string> = {};
  if (isMap(r.auditAnnotations)) for (const [k, v] of Object.entries(r.auditAnnotations)) if (typeof v === 'string') annotations[k] = v;
  return {
    allowed: r.allowed === true,
    result: isMap(r.status) ? r.status : undefined,
    patch: mutating ? patch : undefined,
    patchType: mutating ? patchType : undefined,
    auditAnnotations: annotations,
    warnings: Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [],
  };
}
