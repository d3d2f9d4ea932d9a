// The admission webhook plugins of every logical cluster (kube's MutatingAdmissionWebhook and
// ValidatingAdmissionWebhook): a request consults only its own cluster's configurations (one map
// lookup when it has none).
//
// Mutating webhooks are called one after another, each seeing the object as the ones before left
// it; a JSON patch answer is applied, the result decoded as the kind and defaulted. A webhook with
// reinvocationPolicy IfNeeded is called once more when a later one changed the object (the chain
// reruns the mutating plugins). Validating webhooks are called all at once; the first failure in
// their order decides. failurePolicy Ignore lets a call that failed pass (annotated
// failed-open...), Fail refuses the request with kube's `failed calling webhook` text.

import { internalError, isStatusError, StatusError } from '../../apimachinery/errors.js';
import { goQuote } from '../../apimachinery/gofmt.js';
import { deepCopy, type KubeObject } from '../../apimachinery/object.js';
import { applyJsonPatch, decodeJsonPatch } from '../../apimachinery/patch/json-patch.js';
import { conformObject } from '../../apiserver/decode.js';
import { resolveSchema } from '../../openapi/definitions.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import { semanticEqual } from '../../registry/kinds/_util.js';
import type { ResourceType } from '../../registry/types.js';
import type { WebhookAccessor } from './accessor.js';
import { isExemptAdmissionConfiguration } from '../matching.js';
import {
  addAuditAnnotation, callingError, convertObject, versionedObjects, WebhookDispatcher, withTypeMeta, type CallOutcome, type Invocation, type WebhookDeps,
} from './dispatcher.js';
import type { VersionedObjects } from './review.js';

const MUTATION_ANNOTATION = 'mutation.webhook.admission.k8s.io/';
const MUTATION_FAILED_OPEN = `failed-open.${MUTATION_ANNOTATION}`;
const VALIDATING_FAILED_OPEN = 'failed-open.validating.webhook.admission.k8s.io/';

const REINVOKE_KEY = 'MutatingAdmissionWebhook';

/** kube's webhookReinvokeContext. */
interface ReinvokeState {
  lastOutput?: KubeObject;
  previouslyInvoked: Set<string>;
  reinvoke: Set<string>;
}

function requireReinvoking(s: ReinvokeState): void {
  for (const uid of s.previouslyInvoked) s.reinvoke.add(uid);
  s.previouslyInvoked.clear();
}


/** utilrand's alphabet and the 5 characters names.SimpleNameGenerator appends. */
const GENERATED_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

/**
 * kube runs mutating admission of a create before the system fields are filled: its webhooks see
 * no uid or creationTimestamp, and no name yet for a generateName create. kplane filled them
 * already; these are hidden from the webhooks, and put back afterwards.
 */
function generatedName(obj: KubeObject): boolean {
  const base = obj.metadata?.generateName;
  const name = obj.metadata?.name;
  if (!base || !name) return false;
  const prefix = base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base;
  return name.startsWith(prefix) && GENERATED_SUFFIX.test(name.slice(prefix.length));
}

function schemaOf(type: ResourceType) {
  return type.customResource?.decodeSchema ?? resolveSchema(type.schemaName);
}

/** Applies a webhook's JSON patch to the versioned object: the patched object decoded and defaulted as the kind. */
function applyPatch(type: ResourceType, obj: KubeObject, patchBase64: string): { object: KubeObject } | { callError: string } {
  const text = Buffer.from(patchBase64, 'base64').toString('utf8');
  let ops;
  try {
    ops = decodeJsonPatch(text, 'Ignore');
  } catch (e) {
    return { callError: `received undecodable patch in webhook response: ${(e as Error).message}` };
  }
  if (ops.length === 0) return { object: obj };
  let patched: unknown;
  try {
    patched = applyJsonPatch(obj, ops);
  } catch (e) {
    const cause = (e as Error).cause;
    throw internalError(typeof cause === 'string' ? cause : (e as Error).message);
  }
  let decoded: KubeObject;
  try {
    decoded = conformObject({ type, schema: schemaOf(type) }, patched).object;
  } catch (e) {
    throw internalError(isStatusError(e) ? e.status.message ?? e.message : (e as Error).message);
  }
  type.strategy.applyDefaults?.(decoded);
  type.customResource?.prune(decoded);
  return { object: withTypeMeta(decoded, type) };
}

export class MutatingWebhookPlugin implements AdmissionPlugin {
  readonly name = 'MutatingAdmissionWebhook';
  private readonly dispatcher: WebhookDispatcher;

  constructor(private readonly deps: WebhookDeps) {
    this.dispatcher = new WebhookDispatcher(deps);
  }

  mutatesNow(cluster: string): boolean {
    return this.deps.source.webhooksFor('mutating', cluster).length > 0;
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (isExemptAdmissionConfiguration(a.type)) return;
    const hooks = this.deps.source.webhooksFor('mutating', a.ctx.cluster);
    if (hooks.length === 0) return;
    await this.dispatch(a, hooks);
  }

  /** kube's delete handler runs mutating admission too (with no object to patch). */
  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'DELETE' || isExemptAdmissionConfiguration(a.type)) return;
    const hooks = this.deps.source.webhooksFor('mutating', a.ctx.cluster);
    if (hooks.length === 0) return;
    await this.dispatch(a, hooks);
  }

  private async dispatch(a: AdmissionAttributes, hooks: readonly WebhookAccessor[]): Promise<void> {
    const rc = a.reinvocation;
    let state = rc?.values.get(REINVOKE_KEY) as ReinvokeState | undefined;
    if (!state) {
      state = { previouslyInvoked: new Set(), reinvoke: new Set() };
      rc?.values.set(REINVOKE_KEY, state);
    }
    const isReinvoke = !!rc?.isReinvoke;
    if (isReinvoke && !semanticEqual(state.lastOutput, a.object)) requireReinvoking(state);
    try {
      await this.run(a, hooks, state, isReinvoke);
    } finally {
      state.lastOutput = a.object ? deepCopy(a.object) : undefined;
    }
  }

  private async run(a: AdmissionAttributes, hooks: readonly WebhookAccessor[], state: ReinvokeState, isReinvoke: boolean): Promise<void> {
    const creating = a.operation === 'CREATE' && !!a.object;
    const hideName = creating && generatedName(a.object!);
    const system: SystemFields | undefined = creating
      ? { uid: a.object!.metadata.uid, creationTimestamp: a.object!.metadata.creationTimestamp, name: a.object!.metadata.name } : undefined;
    const shown = (o: KubeObject): KubeObject => {
      if (!creating) return o;
      const { uid: _u, creationTimestamp: _c, ...meta } = o.metadata ?? {};
      if (hideName) delete meta.name;
      return { ...o, metadata: meta };
    };
    // the object as the webhooks left it so far (in the request's version)
    let current = a.object;
    let dirty = false;
    const requestName = hideName ? '' : a.name;
    const input = this.dispatcher.matchInput(a);
    const round = isReinvoke ? 1 : 0;

    for (let i = 0; i < hooks.length; i++) {
      const hook = hooks[i]!;
      // the attributes as this webhook sees them: the object as the ones before left it
      const view: AdmissionAttributes = { ...a, object: current };
      const versioned = versionedObjects(view, shown, requestName);
      const inv = await this.dispatcher.shouldCall(hook, view, input, versioned);
      if (!inv) continue;
      if (isReinvoke && !state.reinvoke.has(hook.uid)) continue;
      const objs = await versioned(inv.type);
      let changed = false;
      let outcome: CallOutcome;
      try {
        outcome = await this.dispatcher.call(inv, view, objs, true);
        if (outcome.kind === 'ok' && outcome.response.patch) {
          const patched = patchedObject(inv, objs, outcome.response.patch, outcome.response.patchType ?? '');
          if ('callError' in patched) outcome = { kind: 'callError', reason: patched.callError };
          else if (patched.object !== objs.object) {
            changed = !semanticEqual(patched.object, objs.object);
            const next = await convertObject(restoreSystemFields(patched.object, system, hideName), inv.type, a.type);
            current = next;
            dirty = true;
          }
        }
      } finally {
        addAuditAnnotation(a, `${MUTATION_ANNOTATION}round_${round}_index_${i}`,
          JSON.stringify({ configuration: hook.configurationName, webhook: hook.name, mutated: changed }));
      }
      if (changed) {
        requireReinvoking(state);
        if (a.reinvocation) a.reinvocation.shouldReinvoke = true;
      }
      if (hook.reinvocationPolicy === 'IfNeeded') state.previouslyInvoked.add(hook.uid);
      if (outcome.kind === 'ok') continue;
      if (outcome.kind === 'callError') {
        if (hook.failurePolicy === 'Ignore') {
          addAuditAnnotation(a, `${MUTATION_FAILED_OPEN}round_${round}_index_${i}`, hook.name);
          continue;
        }
        throw internalError(callingError(hook.name, outcome.reason));
      }
      throw outcome.kind === 'rejected' ? outcome.status : outcome.error;
    }
    if (dirty && current && a.object && current !== a.object) {
      // the registry keeps its object: the webhooks' result is written into it
      for (const k of Object.keys(a.object)) delete (a.object as Record<string, unknown>)[k];
      Object.assign(a.object, current);
    }
  }
}

interface SystemFields { uid?: string; creationTimestamp?: string | null; name?: string }

/** A create's system fields put back after the webhooks (kube fills them after mutating admission). */
function restoreSystemFields(obj: KubeObject, system: SystemFields | undefined, hideName: boolean): KubeObject {
  if (!system) return obj;
  const meta = (obj.metadata ??= {});
  if (system.uid !== undefined) meta.uid = system.uid;
  if (system.creationTimestamp !== undefined) meta.creationTimestamp = system.creationTimestamp;
  if (hideName && !meta.name && system.name !== undefined) meta.name = system.name;
  return obj;
}

/** The versioned object after a webhook's patch (the same object when the patch has no operations). */
function patchedObject(inv: Invocation, objs: VersionedObjects, patch: string, patchType: string): { object: KubeObject } | { callError: string } {
  const hook = inv.hook;
  if (!objs.object) {
    throw internalError(`admission webhook ${goQuote(hook.name)} attempted to modify the object, which is not supported for this operation`);
  }
  if (patchType !== 'JSONPatch') return { callError: `unsupported patch type ${goQuote(patchType)}` };
  return applyPatch(inv.type, objs.object, patch);
}

export class ValidatingWebhookPlugin implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionWebhook';
  private readonly dispatcher: WebhookDispatcher;

  constructor(private readonly deps: WebhookDeps) {
    this.dispatcher = new WebhookDispatcher(deps);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (isExemptAdmissionConfiguration(a.type)) return;
    const hooks = this.deps.source.webhooksFor('validating', a.ctx.cluster);
    if (hooks.length === 0) return;
    const input = this.dispatcher.matchInput(a);
    const versioned = versionedObjects(a);
    const relevant: Invocation[] = [];
    for (const hook of hooks) {
      const inv = await this.dispatcher.shouldCall(hook, a, input, versioned);
      if (inv) relevant.push(inv);
    }
    if (relevant.length === 0) return;
    const outcomes = await Promise.all(relevant.map(async (inv) => this.dispatcher.call(inv, a, await versioned(inv.type), false)));
    let first: StatusError | undefined;
    outcomes.forEach((o, idx) => {
      const hook = relevant[idx]!.hook;
      if (o.kind === 'ok') return;
      let err: StatusError;
      if (o.kind === 'callError') {
        if (hook.failurePolicy === 'Ignore') {
          addAuditAnnotation(a, `${VALIDATING_FAILED_OPEN}round_0_index_${idx}`, hook.name);
          return;
        }
        err = internalError(callingError(hook.name, o.reason));
      } else err = o.kind === 'rejected' ? o.status : o.error;
      first ??= err;
    });
    if (first) throw first;
  }
}
