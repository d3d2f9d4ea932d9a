// The matching half of kube's policy dispatcher, the same for ValidatingAdmissionPolicies and
// MutatingAdmissionPolicies: the request's match input (its namespace looked up once), then for
// each policy its matchConstraints, its bindings' matchResources and each binding's params. What
// the two plugins do with a matched binding (validate, or mutate later in order) is theirs.

import type { KubeObject } from '../../apimachinery/object.js';
import type { AdmissionAttributes } from '../../registry/admission.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { Registry } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import { equivalentsIn, matchResources, type MatchInput, type MatchResources, type MatchResult } from '../matching.js';
import type { PolicyCompileCache } from './compile.js';
import type { ParamKind, ParamReader, ParamRef } from './params.js';
import type { PolicyHook } from './source.js';

export interface RequestMatchDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  namespaces: ResourceType;
}

/** The request's match input; `namespaceObject` is its namespace, read once per request. */
export function requestMatchInput(a: AdmissionAttributes, deps: RequestMatchDeps): { input: MatchInput; namespaceObject: () => Promise<KubeObject | undefined> } {
  let nsObject: Promise<KubeObject | undefined> | undefined;
  const namespaceObject = (): Promise<KubeObject | undefined> => {
    if (!a.namespace) return Promise.resolve(undefined);
    nsObject ??= deps.registry.tryGet(deps.namespaces, a.ctx.cluster, '', a.namespace);
    return nsObject;
  };
  const input: MatchInput = {
    attrs: a,
    // a Namespace's own labels decide its namespaceSelector
    namespaceLabels: async () => {
      const ns = await (a.type.group === '' && a.type.resource === 'namespaces'
        ? deps.registry.tryGet(deps.namespaces, a.ctx.cluster, '', a.name) : namespaceObject());
      return ns ? ((ns.metadata.labels ?? {}) as Record<string, string>) : undefined;
    },
    equivalents: (t) => equivalentsIn(deps.catalog.forCluster(a.ctx.cluster).all, t),
  };
  return { input, namespaceObject };
}

/** A policy or binding that could not be applied ("failed to configure ..."), with its policy's failurePolicy. */
export interface ConfigError {
  policy: string;
  binding?: string;
  failurePolicy: 'Fail' | 'Ignore';
  message: string;
}

export interface MatchedBinding<C> {
  binding: KubeObject;
  bindingName: string;
  bindingSpec: Record<string, unknown>;
  compiled: C;
  matched: MatchResult & { matches: true };
  params: (KubeObject | null)[];
}

/**
 * One policy's bindings that match the request, each with its params, yielded in order (a caller
 * may act on one before the next is matched, as kube's validating dispatcher does). What fails to
 * match with an error, or names params that cannot be read, goes to `configError`.
 */
export async function* matchingBindings<C extends { paramKind?: ParamKind }>(
  hook: PolicyHook, a: AdmissionAttributes, input: MatchInput, compiled: PolicyCompileCache<C>, params: ParamReader,
  configError: (e: ConfigError) => void,
): AsyncGenerator<MatchedBinding<C>> {
  const policyName = hook.policy.metadata.name ?? '';
  const spec = (hook.policy.spec ?? {}) as Record<string, unknown>;
  const failurePolicy = spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail';
  const fail = (binding: string | undefined, err: string): void =>
    configError({ policy: policyName, binding, failurePolicy, message: `failed to configure ${binding === undefined ? 'policy' : 'binding'}: ${err}` });
  const constraints = spec.matchConstraints as MatchResources | undefined;
  if (!constraints) {
    fail(undefined, 'policy contained no match constraints, a required field');
    return;
  }
  const m = await matchResources(constraints, input);
  if (m.matches === false) {
    if (m.error) fail(undefined, m.error);
    return;
  }
  const c = compiled.get(hook.cluster, hook.policy);
  for (const binding of hook.bindings) {
    const bindingName = binding.metadata.name ?? '';
    const bspec = (binding.spec ?? {}) as Record<string, unknown>;
    if (bspec.matchResources) {
      const bm = await matchResources(bspec.matchResources as MatchResources, input);
      if (bm.matches === false) {
        if (bm.error) fail(bindingName, bm.error);
        continue;
      }
    }
    // params of a provider-wide binding come from the provider's (root) cluster
    const p = await params.collect(hook.cluster, c.paramKind, bspec.paramRef as ParamRef | undefined, a.namespace);
    if ('error' in p) {
      fail(bindingName, p.error);
      continue;
    }
    yield { binding, bindingName, bindingSpec: bspec, compiled: c, matched: m, params: p.params };
  }
}
