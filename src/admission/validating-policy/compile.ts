// A ValidatingAdmissionPolicy's expressions compiled once: match conditions, variables (each seeing
// the ones before it), validations with their message expressions, audit annotations. Programs are
// cached by the policy's uid and generation, so every request (and the status controller) shares
// them; a policy's new generation replaces its entry, a deleted policy's entry goes.

import type { KubeObject } from '../../apimachinery/object.js';
import { T } from '../../apiextensions/cel/types.js';
import { policyVars } from '../policy/cel.js';
import { compileOne as compile, compilePolicyCommon, list, str, type Compiled, type CompiledPolicyCommon } from '../policy/compile.js';

export type { Compiled };

export interface CompiledValidation {
  expression: Compiled;
  message: string;
  messageExpression?: Compiled;
  reason?: string;
}

export interface CompiledPolicy extends CompiledPolicyCommon {
  validations: CompiledValidation[];
  auditAnnotations: { key: string; valueExpression: Compiled }[];
}

export function compilePolicy(policy: KubeObject): CompiledPolicy {
  const { spec, declared, common } = compilePolicyCommon(policy);
  const { hasParams } = common;
  // the authorizer in every expression but messageExpression, as kube compiles them
  const vars = policyVars({ hasParams, variables: declared, hasAuthorizer: true });
  const messageVars = policyVars({ hasParams, variables: declared });
  return {
    ...common,
    validations: list(spec.validations).map((v) => ({
      expression: compile(str(v.expression), vars, T.bool),
      message: str(v.message),
      messageExpression: str(v.messageExpression).trim() ? compile(str(v.messageExpression), messageVars, T.string) : undefined,
      reason: typeof v.reason === 'string' ? v.reason : undefined,
    })),
    auditAnnotations: list(spec.auditAnnotations).map((a) => ({ key: str(a.key), valueExpression: compile(str(a.valueExpression).trim(), vars, T.dyn) })),
  };
}
