// A MutatingAdmissionPolicy's expressions compiled once (kube's mutating compilePolicy): match
// conditions, variables (each seeing the ones before it), and each mutation's expression with the
// patch types (ApplyConfiguration returns an Object, JSONPatch a list(JSONPatch)). Cached by the
// policy's uid and generation and shared by every request and cluster.

import type { KubeObject } from '../../apimachinery/object.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { APPLY_CONFIGURATION_TYPE, compilePolicyExpression, JSON_PATCH_LIST_TYPE, policyVars } from '../policy/cel.js';
import type { Compiled } from '../validating-policy/compile.js';

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

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

function compile(source: string, vars: ReadonlyMap<string, CelT>, want: CelT, patchTypes = false): Compiled & { output?: CelT } {
  const r = compilePolicyExpression(source, vars, want, { patchTypes });
  return r.ok ? { program: r.value.program, source, output: r.value.output } : { source, error: r.detail };
}

export function compileMutatingPolicy(policy: KubeObject): CompiledMutatingPolicy {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const pk = spec.paramKind as Record<string, unknown> | undefined | null;
  const hasParams = !!pk && typeof pk === 'object';
  const declared = new Map<string, CelT>();
  const variables = list(spec.variables).map((v) => {
    const c = compile(str(v.expression), policyVars({ hasParams, variables: declared, hasAuthorizer: true }), T.dyn);
    declared.set(str(v.name), c.output ?? T.dyn);
    return { name: str(v.name), expression: c as Compiled };
  });
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

/** Compiled mutating policies by uid and generation; a policy's older generations go when it changes. */
export class MutatingCompileCache {
  private readonly byKey = new Map<string, CompiledMutatingPolicy>();
  private readonly current = new Map<string, string>();

  get(cluster: string, policy: KubeObject): CompiledMutatingPolicy {
    const key = `${policy.metadata.uid ?? ''}/${policy.metadata.generation ?? 0}`;
    let c = this.byKey.get(key);
    if (!c) {
      c = compileMutatingPolicy(policy);
      this.byKey.set(key, c);
      const id = `${cluster}/${policy.metadata.name ?? ''}`;
      const prev = this.current.get(id);
      if (prev && prev !== key) this.byKey.delete(prev);
      this.current.set(id, key);
    }
    return c;
  }

  changed(cluster: string, policy: KubeObject | undefined, name: string): void {
    const id = `${cluster}/${name}`;
    const prev = this.current.get(id);
    if (!prev) return;
    if (policy && prev === `${policy.metadata.uid ?? ''}/${policy.metadata.generation ?? 0}`) return;
    this.byKey.delete(prev);
    this.current.delete(id);
  }

  get size(): number {
    return this.byKey.size;
  }
}
