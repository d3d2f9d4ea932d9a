// A ValidatingAdmissionPolicy's expressions compiled once: match conditions, variables (each seeing
// the ones before it), validations with their message expressions, audit annotations. Programs are
// cached by the policy's uid and generation, so every request (and the status controller) shares
// them; a policy's new generation replaces its entry, a deleted policy's entry goes.

import type { KubeObject } from '../../apimachinery/object.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { policyVars } from '../policy/cel.js';
import { compileOne as compile, compileVariables, list, str, type Compiled } from '../policy/compile.js';

export type { Compiled };

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

export function compilePolicy(policy: KubeObject): CompiledPolicy {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const pk = spec.paramKind as Record<string, unknown> | undefined | null;
  const hasParams = !!pk && typeof pk === 'object';
  const declared = new Map<string, CelT>();
  const variables = compileVariables(spec, hasParams, declared);
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
