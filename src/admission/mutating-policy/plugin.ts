// The MutatingAdmissionPolicy admission plugin (kube's mutating policy dispatcher), a mutating
// plugin of every logical cluster's chain: for each policy of the request's cluster (and each
// provider-wide one from root) whose matchConstraints match, each binding whose matchResources
// match, each param: match conditions, then the policy's mutations in order, each seeing the
// object the one before left. Errors follow the policy's failurePolicy and end the request as
// kube's Forbidden ("policy 'p' with binding 'b' denied request: ..."). Reinvocation as kube's:
// a policy with reinvocationPolicy IfNeeded runs once more in the chain's second round when the
// object changed after it ran (kube's policyReinvokeContext, kept in the request's
// ReinvocationContext).

import type { CelInput } from '@bufbuild/cel';
import { forbidden, StatusError } from '../../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../../apimachinery/object.js';
import { semanticEqual } from '../../registry/kinds/_util.js';
import { evaluateWithAuthz } from '../../apiextensions/cel/library/authz.js';
import { toCelValue } from '../../apiextensions/cel/values.js';
import { RUNTIME_CEL_COST_BUDGET } from '../../apiextensions/cel/runtime.js';
import type { Authorizer } from '../../auth/authz.js';
import { atomOf } from '../../fieldmanager/schema.js';
import { resolveSchema } from '../../openapi/definitions.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { Registry } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import { isExemptAdmissionConfiguration } from '../matching.js';
import { baseActivation } from '../policy/activation.js';
import { PolicyCompileCache } from '../policy/compile.js';
import { matchingBindings, requestMatchInput, type MatchedBinding } from '../policy/dispatch.js';
import { ParamReader } from '../policy/params.js';
import type { PolicySource } from '../policy/source.js';
import { authzSession } from '../validating-policy/plugin.js';
import { Budget, matchConditions, run, variables } from '../validating-policy/evaluate.js';
import { compileMutatingPolicy, type CompiledMutatingPolicy } from './compile.js';
import { applyConfiguration, applyJSONPatch, PatchError, type PatchTarget } from './patch.js';

export const PLUGIN_NAME = 'MutatingAdmissionPolicy';

export interface MutatingPolicyDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  namespaces: ResourceType;
  source: PolicySource;
  authorizer?: Authorizer;
}

interface PolicyError {
  policy: string;
  binding?: string;
  message: string;
  reason?: string;
  failurePolicy: 'Fail' | 'Ignore';
}

/** kube's policyReinvokeContext. */
interface ReinvokeState {
  lastOutput?: KubeObject;
  previouslyInvoked: Set<string>;
  reinvoke: Set<string>;
}

function requireReinvoking(s: ReinvokeState): void {
  for (const k of s.previouslyInvoked) s.reinvoke.add(k);
  s.previouslyInvoked.clear();
}

/** Replaces what the object holds (the registry keeps its reference). */
function replaceContents(target: KubeObject, source: KubeObject): void {
  if (target === source) return;
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, source);
}

/** The kind's schema for patching (a CRD version's, or the built-in definition). */
function patchTarget(type: ResourceType): PatchTarget {
  const custom = type.customResource;
  return {
    type,
    atom: atomOf(custom ? custom.fieldSchema : resolveSchema(type.schemaName)),
    schema: custom ? custom.decodeSchema : resolveSchema(type.schemaName),
  };
}

export class MutatingAdmissionPolicyPlugin implements AdmissionPlugin {
  readonly name = PLUGIN_NAME;
  readonly compiled = new PolicyCompileCache(compileMutatingPolicy);
  private readonly params: ParamReader;

  constructor(private readonly deps: MutatingPolicyDeps) {
    this.params = new ParamReader(deps.registry, deps.catalog);
    deps.source.onPolicyChange((cluster, policy, name) => this.compiled.changed(cluster, policy, name));
  }

  /** Nothing to mutate where no policy may apply (the registry's pure steps may run off the loop there). */
  mutatesNow(cluster: string): boolean {
    return this.deps.source.mayApplyIn(cluster);
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    // there is no body to mutate for DELETE
    if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object) return;
    if (isExemptAdmissionConfiguration(a.type)) return;
    const hooks = await this.deps.source.hooksFor(a.ctx.cluster);
    if (hooks.length === 0) return;
    const rc = a.reinvocation;
    let state = rc?.values.get(PLUGIN_NAME) as ReinvokeState | undefined;
    if (!state) {
      state = { previouslyInvoked: new Set(), reinvoke: new Set() };
      rc?.values.set(PLUGIN_NAME, state);
    }
    const isReinvoke = !!rc?.isReinvoke;
    // the plugins after this one changed the object: every policy that may be reinvoked runs again
    if (isReinvoke && !semanticEqual(state.lastOutput, a.object)) requireReinvoking(state);
    try {
      await this.dispatch(a, hooks, state, isReinvoke);
    } finally {
      state.lastOutput = deepCopy(a.object);
    }
  }

  private async dispatch(a: AdmissionAttributes, hooks: Awaited<ReturnType<PolicySource['hooksFor']>>, state: ReinvokeState, isReinvoke: boolean): Promise<void> {
    const errors: PolicyError[] = [];
    const { input, namespaceObject } = requestMatchInput(a, this.deps);
    interface Invocation {
      cluster: string;
      policy: KubeObject;
      binding: KubeObject;
      compiled: CompiledMutatingPolicy;
      param: KubeObject | null;
      matched: MatchedBinding<CompiledMutatingPolicy>['matched'];
    }
    const invocations: Invocation[] = [];
    // every matching binding and param first; the mutations then run in that order
    for (const hook of hooks) {
      for await (const { binding, compiled, matched, params } of matchingBindings(hook, a, input, this.compiled, this.params, (e) => errors.push(e))) {
        for (const param of params) invocations.push({ cluster: hook.cluster, policy: hook.policy, binding, compiled, param, matched });
      }
    }

    if (invocations.length) {
      const isNamespace = a.type.group === '' && a.type.kind === 'Namespace';
      const ns = isNamespace ? undefined : await namespaceObject();
      const authz = authzSession(this.deps.authorizer, a.ctx.cluster);
      const target = patchTarget(a.type);
      let dirty = false;
      for (const inv of invocations) {
        const policyName = inv.policy.metadata.name ?? '';
        const bindingName = inv.binding.metadata.name ?? '';
        const c = inv.compiled;
        const invocationError = (message: string) =>
          errors.push({ policy: policyName, binding: bindingName, failurePolicy: c.failurePolicy, message, reason: 'Invalid' });
        const activationFor = (): Record<string, CelInput> => {
          const act = baseActivation(a, inv.matched.resource, ns, authz);
          if (c.hasParams) act.params = inv.param ? toCelValue(inv.param, undefined) : null;
          return act;
        };
        if (c.matchConditions.length) {
          const act = activationFor();
          const matched = await evaluateWithAuthz(authz, () => matchConditions(c, act));
          if (matched === false) continue;
          if (typeof matched === 'string') {
            invocationError(matched);
            continue;
          }
        }
        const key = JSON.stringify([inv.cluster, policyName, bindingName, inv.param?.metadata.namespace ?? '', inv.param?.metadata.name ?? '']);
        if (isReinvoke && !state.reinvoke.has(key)) continue;
        const before = deepCopy(a.object!);
        // the invocation's variables, computed once for its mutations (kube's composition context)
        let vars: Map<string, CelInput> | undefined;
        for (const mutation of c.mutations) {
          const act = activationFor();
          if (vars === undefined) {
            const v = await evaluateWithAuthz(authz, () => variables(c, act, new Budget(RUNTIME_CEL_COST_BUDGET)));
            vars = v;
          }
          act.variables = vars as unknown as CelInput;
          let next: KubeObject;
          try {
            if (mutation.expression.error !== undefined) throw new PatchError(mutation.expression.error);
            const out = await evaluateWithAuthz(authz, () => run(mutation.expression, act, new Budget(RUNTIME_CEL_COST_BUDGET)));
            if ('error' in out) throw new PatchError(out.error);
            next = mutation.patchType === 'JSONPatch' ? applyJSONPatch(target, a.object!, out.value) : applyConfiguration(target, a.object!, out.value);
          } catch (e) {
            // kube's own Status errors (a patch result that does not decode) end the request as they are
            if (e instanceof StatusError) throw e;
            if (e instanceof PatchError) {
              invocationError(e.message);
              continue;
            }
            throw e;
          }
          // defaults of the kind apply to what a mutation made (kube defaults the patched object)
          if (!a.type.customResource) a.type.strategy.applyDefaults?.(next);
          replaceContents(a.object!, next);
          dirty = true;
        }
        if (!semanticEqual(before, a.object)) {
          // the object changed: the policies invoked before may want to see it
          requireReinvoking(state);
          if (a.reinvocation) a.reinvocation.shouldReinvoke = true;
        }
        if (c.reinvocationPolicy === 'IfNeeded') state.previouslyInvoked.add(key);
      }
      // (kube marks the request's object dirty whenever a mutation applied)
      if (dirty) {
        requireReinvoking(state);
        if (a.reinvocation) a.reinvocation.shouldReinvoke = true;
      }
    }

    const failing = errors.filter((e) => e.failurePolicy !== 'Ignore');
    if (failing.length) throw denialError(a, failing);
  }
}

/** PolicyError.Error(). */
function errorText(e: PolicyError): string {
  return e.binding !== undefined
    ? `policy '${e.policy}' with binding '${e.binding}' denied request: ${e.message}`
    : `policy ${JSON.stringify(e.policy)} denied request: ${e.message}`;
}

/** The generic policy dispatcher's answer: admission.NewForbidden with the first error's message and reason, every error a cause. */
function denialError(a: AdmissionAttributes, errs: PolicyError[]): StatusError {
  const name = a.name || (a.object?.metadata?.generateName ?? '') || 'Unknown';
  const err = forbidden({ group: a.type.group, resource: a.type.resource }, name, 'admission request denied by policy');
  const status = err.status as { reason?: string; message?: string; details?: { causes?: { message: string }[] } };
  status.message = errorText(errs[0]!);
  if (errs[0]!.reason) status.reason = errs[0]!.reason;
  status.details = { ...(status.details ?? {}), causes: errs.map((e) => ({ message: errorText(e) })) };
  (err as Error).message = status.message;
  return err;
}
