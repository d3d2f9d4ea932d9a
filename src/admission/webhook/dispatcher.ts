// What both webhook dispatchers share (kube's generic.Webhook.ShouldCallHook and the callHook of
// admission/plugin/webhook/{validating,mutating}): whether a webhook applies to a request (rules,
// namespace and object selectors, matchPolicy Equivalent, match conditions), the request's objects
// in the version the webhook matched, and one call: the AdmissionReview POSTed through the CRD
// conversion's HTTPS poster (caBundle, per-webhook timeout, a `service` through the pluggable
// resolver), the response verified, its warnings and audit annotations recorded, a denial turned
// into kube's Status. A call never blocks the event loop; a tenant's slow webhook holds only that
// tenant's request, for at most its timeout.

import { forbidden, internalError, notFound, StatusError, type StatusDetails, type StatusReason } from '../../apimachinery/errors.js';
import { goQuote } from '../../apimachinery/gofmt.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { evaluateWithAuthz, type AuthzSession } from '../../apiextensions/cel/library/authz.js';
import { dnsServiceResolver, type ServiceResolver } from '../../apiextensions/conversion.js';
import type { Authorizer } from '../../auth/authz.js';
import { goDuration, postJSON, WEBHOOK_TIMEOUT_MS, type WebhookTarget } from '../../apiextensions/webhook-post.js';
import type { AdmissionAttributes } from '../../registry/admission.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { Registry } from '../../registry/store.js';
import { apiVersionOfType, type ResourceType } from '../../registry/types.js';
import { equivalentsIn, matchResources, type MatchedResource, type MatchInput } from '../matching.js';
import { baseActivation } from '../policy/activation.js';
import { matchConditions } from '../validating-policy/evaluate.js';
import { authzSession } from '../validating-policy/plugin.js';
import type { WebhookAccessor } from './accessor.js';
import { admissionReview, reviewVersionOf, verifyAdmissionResponse, type AdmissionResponse, type VersionedObjects } from './review.js';
import type { WebhookSource } from './source.js';

export interface WebhookDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  namespaces: ResourceType;
  source: WebhookSource;
  /** How a `clientConfig.service` is reached (default: the service's cluster DNS name, as kube). */
  serviceResolver?: ServiceResolver;
  /** The match conditions' `authorizer` (kplane's RBAC in the request's cluster); without it every check is denied. */
  authorizer?: Authorizer;
}

/** What the matcher needs for one request, and the request's authorization session (made on first use). */
export interface RequestMatch extends MatchInput {
  authz(): AuthzSession;
}

/** A webhook that applies to the request, and the resource (and type) it matched. */
export interface Invocation {
  hook: WebhookAccessor;
  resource: MatchedResource;
  type: ResourceType;
}

/** The outcome of one call (kube's ErrCallingWebhook, ErrWebhookRejection, other errors). */
export type CallOutcome =
  | { kind: 'ok'; response: AdmissionResponse }
  | { kind: 'callError'; reason: string }
  | { kind: 'rejected'; status: StatusError }
  | { kind: 'error'; error: StatusError };

/** ErrCallingWebhook's text. */
export const callingError = (hook: string, reason: string): string => `failed calling webhook ${goQuote(hook)}: ${reason}`;

const NOT_FOUND_NAMESPACE = /^namespaces "(.*)" not found$/;

/** kube's webhookerrors.ToStatusErr: the webhook's Status, its message prefixed, at least a 400. */
export function denial(hook: string, result: Record<string, unknown> | undefined): StatusError {
  const r = result ?? {};
  const deniedBy = `admission webhook ${goQuote(hook)} denied the request`;
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const message = typeof r.message === 'string' && r.message ? `${deniedBy}: ${r.message}`
    : typeof r.reason === 'string' && r.reason ? `${deniedBy}: ${r.reason}` : `${deniedBy} without explanation`;
  const reason = (typeof r.reason === 'string' ? r.reason : '') as StatusReason;
  const details = r.details && typeof r.details === 'object' ? (r.details as StatusDetails) : undefined;
  return new StatusError(code, reason, message, details);
}

/** Adds an audit annotation unless the key holds one already (kube refuses to overwrite). */
export function addAuditAnnotation(a: AdmissionAttributes, key: string, value: string): void {
  const ctx = a.ctx as { auditAnnotations?: Record<string, string> };
  ctx.auditAnnotations ??= {};
  if (!(key in ctx.auditAnnotations)) ctx.auditAnnotations[key] = value;
}

/** The object with kind and apiVersion of `type` first, as the versioned object is encoded. */
export function withTypeMeta(obj: KubeObject, type: ResourceType): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return { kind: type.kind, apiVersion: apiVersionOfType(type), ...rest } as KubeObject;
}

/** An object of one served version in another version of the same storage (for matchPolicy Equivalent). */
export async function convertObject(obj: KubeObject, from: ResourceType, to: ResourceType): Promise<KubeObject> {
  if (from === to) return obj;
  const stored = from.converter ? await from.converter.toStored(obj) : from.toStorage ? from.toStorage(obj) : obj;
  const served = to.converter ? (await to.converter.toServed([stored]))[0]! : to.fromStorage ? to.fromStorage(stored) : stored;
  return withTypeMeta(served, to);
}

export class WebhookDispatcher {
  private readonly resolver: ServiceResolver;

  constructor(readonly deps: WebhookDeps) {
    this.resolver = deps.serviceResolver ?? dnsServiceResolver;
  }

  /** What the shared matcher needs for this request (namespace labels read at most once). */
  matchInput(a: AdmissionAttributes): RequestMatch {
    let labels: Promise<Record<string, string> | undefined> | undefined;
    let authz: AuthzSession | undefined;
    return {
      attrs: a,
      // one session per request: each check is decided once (kube's caching authorizer)
      authz: () => (authz ??= authzSession(this.deps.authorizer, a.ctx.cluster)),
      namespaceLabels: () => {
        labels ??= (async () => {
          const isNamespace = a.type.group === '' && a.type.resource === 'namespaces';
          const ns = await this.deps.registry.tryGet(this.deps.namespaces, a.ctx.cluster, '', isNamespace ? a.name : a.namespace);
          return ns ? ((ns.metadata.labels ?? {}) as Record<string, string>) : undefined;
        })();
        return labels;
      },
      equivalents: (t) => equivalentsIn(this.deps.catalog.forCluster(a.ctx.cluster).all, t),
    };
  }

  /**
   * ShouldCallHook: the invocation, undefined when the webhook does not apply, or a thrown
   * Status (a namespace that does not exist, a match condition that failed under Fail).
   * `a` carries the objects in the request's version; `versioned` gives them in another.
   */
  async shouldCall(hook: WebhookAccessor, a: AdmissionAttributes, input: RequestMatch,
    versioned: (type: ResourceType) => Promise<VersionedObjects>): Promise<Invocation | undefined> {
    if (hook.rules.length === 0) return undefined;
    // the object selector sees the object as the mutating webhooks before this one left it
    const m = await matchResources(hook.match, input.attrs === a ? input : { ...input, attrs: a });
    if (m.matches === false) {
      if (m.error === undefined) return undefined;
      const nf = NOT_FOUND_NAMESPACE.exec(m.error);
      throw nf ? notFound({ group: '', resource: 'namespaces' }, nf[1]!) : internalError(m.error);
    }
    const type = m.resource.group === a.type.group && m.resource.version === a.type.version && m.resource.resource === a.type.resource
      ? a.type
      : this.deps.catalog.forCluster(a.ctx.cluster).all.find((t) =>
        t.group === m.resource.group && t.version === m.resource.version && t.resource === m.resource.resource);
    if (!type) throw internalError(`unable to convert to ${m.resource.group}/${m.resource.version}, Resource=${m.resource.resource}: unknown kind`);
    if (hook.matchConditionCount > 0) {
      const objs = await versioned(type);
      const authz = input.authz();
      const activation = baseActivation({ ...a, object: objs.object, oldObject: objs.oldObject }, m.resource, undefined, authz);
      const r = await evaluateWithAuthz(authz, () => matchConditions(hook.matchConditions(), activation));
      if (r === false) return undefined;
      if (typeof r === 'string') throw forbidden({ group: a.type.group, resource: a.type.resource }, a.name, r);
    }
    return { hook, resource: m.resource, type };
  }

  /** The webhook's target: its URL, or its service through the resolver (an error text: kube's Post "..." error). */
  private async target(hook: WebhookAccessor, timeoutMs: number): Promise<WebhookTarget | { error: string }> {
    if (hook.service) {
      const ref = hook.service;
      const url = new URL(`https://${ref.name}.${ref.namespace}.svc:${ref.port}${ref.path}`);
      try {
        const resolved = await this.resolver(ref);
        return { ca: hook.caPem, serverName: `${ref.name}.${ref.namespace}.svc`, ...resolved, url };
      } catch (e) {
        url.searchParams.set('timeout', goDuration(timeoutMs));
        return { error: `failed to call webhook: Post ${goQuote(url.toString())}: ${(e as Error).message}` };
      }
    }
    if (hook.url === undefined) return { error: `could not get REST client: ${callingError(hook.name, 'webhook configuration must have either service or URL')}` };
    try {
      return { url: new URL(hook.url), ca: hook.caPem };
    } catch (e) {
      return { error: `could not get REST client: ${callingError(hook.name, `Unparsable URL: ${(e as Error).message}`)}` };
    }
  }

  /** callHook up to the verified response (dry run, review, POST, verification, warnings, annotations). */
  async call(inv: Invocation, a: AdmissionAttributes, objs: VersionedObjects, mutating: boolean): Promise<CallOutcome> {
    const hook = inv.hook;
    if (a.dryRun) {
      if (hook.sideEffects === undefined) return { kind: 'callError', reason: 'Webhook SideEffects is nil' };
      if (hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') {
        return { kind: 'error', error: new StatusError(400, 'BadRequest', `admission webhook ${goQuote(hook.name)} does not support dry run`) };
      }
    }
    const version = reviewVersionOf(hook.admissionReviewVersions);
    if (!version) return { kind: 'callError', reason: 'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)' };
    const timeoutMs = hook.timeoutSeconds !== undefined ? hook.timeoutSeconds * 1000 : WEBHOOK_TIMEOUT_MS;
    const target = await this.target(hook, timeoutMs);
    if ('error' in target) return { kind: 'callError', reason: target.error };
    const review = admissionReview(version, a, inv.resource, objs);
    const r = await postJSON(target, review.body, timeoutMs, 'context');
    if (!r.ok) return { kind: 'callError', reason: `failed to call webhook: ${r.error}` };
    const response = verifyAdmissionResponse(version, review.uid, mutating, r.body);
    if (typeof response === 'string') return { kind: 'callError', reason: `received invalid webhook response: ${response}` };
    for (const [k, v] of Object.entries(response.auditAnnotations)) addAuditAnnotation(a, `${hook.name}/${k}`, v);
    for (const w of response.warnings) a.ctx.warnings.push(w);
    if (!response.allowed) return { kind: 'rejected', status: denial(hook.name, response.result) };
    return { kind: 'ok', response };
  }
}

/** The request's objects as a webhook of `type` sees them, for each type asked (cached per type). */
export function versionedObjects(a: AdmissionAttributes, shown: (obj: KubeObject) => KubeObject = (o) => o, name = a.name):
  (type: ResourceType) => Promise<VersionedObjects> {
  const cache = new Map<ResourceType, Promise<VersionedObjects>>();
  return (type) => {
    let p = cache.get(type);
    if (!p) {
      p = (async () => ({
        object: a.object ? shown(await convertObject(withTypeMeta(a.object, a.type), a.type, type)) : undefined,
        oldObject: a.oldObject ? await convertObject(withTypeMeta(a.oldObject, a.type), a.type, type) : undefined,
        name,
      }))();
      cache.set(type, p);
    }
    return p;
  };
}
