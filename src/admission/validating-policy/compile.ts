// A ValidatingAdmissionPolicy's expressions compiled once: match conditions, variables (each seeing
// the ones before it), validations with their message expressions, audit annotations. Programs are
// cached by the policy's uid and generation, so every request (and the status controller) shares
// them; a policy's new generation replaces its entry, a deleted policy's entry goes.

import type { KubeObject } from '../../apimachinery/object.js';
import type { Program } from '../../apiextensions/cel/runtime.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { compilePolicyExpression, policyVars } from '../policy/cel.js';

/** A compiled expression, or kube's compilation error text for it. */
export type Compiled = { program: Program; source: string; error?: undefined } | { program?: undefined; source: string; error: string };

export interface CompiledValidation {
  expression: Compiled;
  message: string;
  messageExpression?: Compiled;
  reason?: string;
}

export interface CompiledPolicy {
  failurePolicy: 'Fail' | 'Ignore';
  hasParams: boolean;
  paramKind?: { apiVersion: string; kind: string };
  matchConditions: { name: string; expression: Compiled }[];
  variables: { name: string; expression: Compiled }[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; valueExpression: Compiled }[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

function compile(source: string, vars: ReadonlyMap<string, CelT>, want: CelT): Compiled & { output?: CelT } {
  const r = compilePolicyExpression(source, vars, want);
  return r.ok ? { program: r.value.program, source, output: r.value.output } : { source, error: r.detail };
}

export function compilePolicy(policy: KubeObject): CompiledPolicy {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const pk = spec.paramKind as Record<string, unknown> | undefined | null;
  const hasParams = !!pk && typeof pk === 'object';
  const declared = new Map<string, CelT>();
  const variables = list(spec.variables).map((v) => {
    const c = compile(str(v.expression), policyVars({ hasParams, variables: declared, hasAuthorizer: true }), T.dyn);
    declared.set(str(v.name), c.output ?? T.dyn);
    return { name: str(v.name), expression: c as Compiled };
  });
  // the authorizer in every expression but messageExpression, as kube compiles them
  const vars = policyVars({ hasParams, variables: declared, hasAuthorizer: true });
  const messageVars = policyVars({ hasParams, variables: declared });
  const matchVars = policyVars({ hasParams, hasAuthorizer: true });
  return {
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    hasParams,
    paramKind: hasParams ? { apiVersion: str(pk!.apiVersion), kind: str(pk!.kind) } : undefined,
    matchConditions: list(spec.matchConditions).map((m) => ({ name: str(m.name), expression: compile(str(m.expression), matchVars, T.bool) })),
    variables,
    validations: list(spec.validations).map((v) => ({
      expression: compile(str(v.expression), vars, T.bool),
      message: str(v.message),
      messageExpression: str(v.messageExpression).trim() ? compile(str(v.messageExpression), messageVars, T.string) : undefined,
      reason: typeof v.reason === 'string' ? v.reason : undefined,
    })),
    auditAnnotations: list(spec.auditAnnotations).map((a) => ({ key: str(a.key), valueExpression: compile(str(a.valueExpression).trim(), vars, T.dyn) })),
  };
}

/** Compiled policies by uid and generation, shared by every cluster and request. */
export class CompileCache {
  private readonly byKey = new Map<string, CompiledPolicy>();
  /** "<cluster>/<name>" -> the key its compiled form is stored under. */
  private readonly current = new Map<string, string>();

  get(cluster: string, policy: KubeObject): CompiledPolicy {
    const key = `${policy.metadata.uid ?? ''}/${policy.metadata.generation ?? 0}`;
    let c = this.byKey.get(key);
    if (!c) {
      c = compilePolicy(policy);
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
    if (policy && prev === `${policy.metadata.uid ?? ''}/${policy.metadata.generation ?? 0}`) return;
    this.byKey.delete(prev);
    this.current.delete(id);
  }

  get size(): number {
    return this.byKey.size;
  }
}
