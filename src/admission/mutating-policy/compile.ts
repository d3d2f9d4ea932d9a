// A MutatingAdmissionPolicy's expressions compiled once (kube's mutating compilePolicy): match
// conditions, variables (each seeing the ones before it), and each mutation's expression with the
// patch types (ApplyConfiguration returns an Object, JSONPatch a list(JSONPatch)). Cached by the
// policy's uid and generation and shared by every request and cluster.

import type { KubeObject } from '../../apimachinery/object.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { APPLY_CONFIGURATION_TYPE, JSON_PATCH_LIST_TYPE, policyVars } from '../policy/cel.js';
import { compileOne as compile, compileVariables, list, str, type Compiled } from '../policy/compile.js';

export type PatchType = 'ApplyConfiguration' | 'JSONPatch';

export interface CompiledMutation {
  patchType: PatchType;
  expression: Compiled;
}

export interface CompiledMutatingPolicy {
  failurePolicy: 'Fail' | 'Ignore';
  reinvocationPolicy: 'Never' | 'IfNeeded';
  hasParams: boolean;
  paramKind?: { apiVersion: string; kind: string };
  matchConditions: { name: string; expression: Compiled }[];
  variables: { name: string; expression: Compiled }[];
  mutations: CompiledMutation[];
}

export function compileMutatingPolicy(policy: KubeObject): CompiledMutatingPolicy {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const pk = spec.paramKind as Record<string, unknown> | undefined | null;
  const hasParams = !!pk && typeof pk === 'object';
  const declared = new Map<string, CelT>();
  const variables = compileVariables(spec, hasParams, declared);
  const vars = policyVars({ hasParams, variables: declared, hasAuthorizer: true });
  const matchVars = policyVars({ hasParams, hasAuthorizer: true });
  const mutations: CompiledMutation[] = [];
  for (const m of list(spec.mutations)) {
    const patchType = str(m.patchType);
    const body = (patchType === 'JSONPatch' ? m.jsonPatch : m.applyConfiguration) as Record<string, unknown> | undefined;
    // (kube compiles only what names a known patch type and carries its expression)
    if ((patchType !== 'JSONPatch' && patchType !== 'ApplyConfiguration') || !body) continue;
    const want = patchType === 'JSONPatch' ? JSON_PATCH_LIST_TYPE : APPLY_CONFIGURATION_TYPE;
    mutations.push({ patchType, expression: compile(str(body.expression), vars, want, true) });
  }
  return {
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    reinvocationPolicy: spec.reinvocationPolicy === 'IfNeeded' ? 'IfNeeded' : 'Never',
    hasParams,
    paramKind: hasParams ? { apiVersion: str(pk!.apiVersion), kind: str(pk!.kind) } : undefined,
    matchConditions: list(spec.matchConditions).map((c) => ({ name: str(c.name), expression: compile(str(c.expression), matchVars, T.bool) })),
    variables,
    mutations,
  };
}
