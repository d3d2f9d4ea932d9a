// What compiling a ValidatingAdmissionPolicy and a MutatingAdmissionPolicy have in common (kube
// shares it too: both compile through plugin/cel): one expression's result; failurePolicy,
// paramKind, match conditions and variables (each seeing the ones before it); and the cache of
// compiled policies both plugins keep. A policy's expressions are compiled once per uid and
// generation and shared by every request and cluster; a policy's new generation replaces its
// entry, a deleted policy's entry goes.

import type { KubeObject } from '../../apimachinery/object.js';
import type { Program } from '../../apiextensions/cel/runtime.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { compilePolicyExpression, policyVars } from './cel.js';

/** A compiled expression, or kube's compilation error text for it. */
export type Compiled = { program: Program; source: string; error?: undefined } | { program?: undefined; source: string; error: string };

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

/** One expression, with its output type (what a variable declares for the ones after it). */
export function compileOne(source: string, vars: ReadonlyMap<string, CelT>, want: CelT, patchTypes = false): Compiled & { output?: CelT } {
  const r = compilePolicyExpression(source, vars, want, { patchTypes });
  return r.ok ? { program: r.value.program, source, output: r.value.output } : { source, error: r.detail };
}

/** What both policy kinds compile alike (each adds its own lists: validations, mutations, ...). */
export interface CompiledPolicyCommon {
  failurePolicy: 'Fail' | 'Ignore';
  hasParams: boolean;
  paramKind?: { apiVersion: string; kind: string };
  matchConditions: { name: string; expression: Compiled }[];
  variables: { name: string; expression: Compiled }[];
}

/**
 * The common part of kube's compilePolicy for both kinds: failurePolicy, paramKind, match conditions
 * (which see no variables) and spec.variables in order, each compiled with the authorizer and the
 * variables before it. `declared` holds every variable's type, for the kind's own expressions.
 */
export function compilePolicyCommon(policy: KubeObject): { spec: Record<string, unknown>; declared: Map<string, CelT>; common: CompiledPolicyCommon } {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const pk = spec.paramKind as Record<string, unknown> | undefined | null;
  const hasParams = !!pk && typeof pk === 'object';
  const declared = new Map<string, CelT>();
  const variables = list(spec.variables).map((v) => {
    const c = compileOne(str(v.expression), policyVars({ hasParams, variables: declared, hasAuthorizer: true }), T.dyn);
    declared.set(str(v.name), c.output ?? T.dyn);
    return { name: str(v.name), expression: c as Compiled };
  });
  const matchVars = policyVars({ hasParams, hasAuthorizer: true });
  return {
    spec,
    declared,
    common: {
      failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
      hasParams,
      paramKind: hasParams ? { apiVersion: str(pk!.apiVersion), kind: str(pk!.kind) } : undefined,
      matchConditions: list(spec.matchConditions).map((m) => ({ name: str(m.name), expression: compileOne(str(m.expression), matchVars, T.bool) })),
      variables,
    },
  };
}

const keyOf = (policy: KubeObject): string => `${policy.metadata.uid ?? ''}/${policy.metadata.generation ?? 0}`;

/** Compiled policies by uid and generation, shared by every cluster and request. */
export class PolicyCompileCache<T> {
  private readonly byKey = new Map<string, T>();
  /** "<cluster>/<name>" -> the key its compiled form is stored under. */
  private readonly current = new Map<string, string>();

  constructor(private readonly compile: (policy: KubeObject) => T) {}

  get(cluster: string, policy: KubeObject): T {
    const key = keyOf(policy);
    let c = this.byKey.get(key);
    if (!c) {
      c = this.compile(policy);
      this.byKey.set(key, c);
      const id = `${cluster}/${policy.metadata.name ?? ''}`;
      const prev = this.current.get(id);
      if (prev && prev !== key) this.byKey.delete(prev);
      this.current.set(id, key);
    }
    return c;
  }

  /** A policy changed or went: its older compiled forms are dropped. */
  changed(cluster: string, policy: KubeObject | undefined, name: string): void {
    const id = `${cluster}/${name}`;
    const prev = this.current.get(id);
    if (!prev) return;
    if (policy && prev === keyOf(policy)) return;
    this.byKey.delete(prev);
    this.current.delete(id);
  }

  get size(): number {
    return this.byKey.size;
  }
}
