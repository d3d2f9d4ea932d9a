// A MutatingAdmissionPolicy's expressions compiled once (kube's mutating compilePolicy): match
// conditions, variables (each seeing the ones before it), and each mutation's expression with the
// patch types (ApplyConfiguration returns an Object, JSONPatch a list(JSONPatch)). Cached by the
// policy's uid and generation and shared by every request and cluster.

import type { KubeObject } from '../../apimachinery/object.js';
import { APPLY_CONFIGURATION_TYPE, JSON_PATCH_LIST_TYPE, policyVars } from '../policy/cel.js';
import { compileOne as compile, compilePolicyCommon, list, str, type Compiled, type CompiledPolicyCommon } from '../policy/compile.js';

export type PatchType = 'ApplyConfiguration' | 'JSONPatch';

export interface CompiledMutation {
  patchType: PatchType;
  expression: Compiled;
}

export interface CompiledMutatingPolicy extends CompiledPolicyCommon {
  reinvocationPolicy: 'Never' | 'IfNeeded';
  mutations: CompiledMutation[];
}

export function compileMutatingPolicy(policy: KubeObject): CompiledMutatingPolicy {
  const { spec, declared, common } = compilePolicyCommon(policy);
  const vars = policyVars({ hasParams: common.hasParams, variables: declared, hasAuthorizer: true });
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
    ...common,
    reinvocationPolicy: spec.reinvocationPolicy === 'IfNeeded' ? 'IfNeeded' : 'Never',
    mutations,
  };
}
