// Evaluating one compiled policy for one request and one param (kube's validator.Validate):
// match conditions, then variables, validations with their messages, audit annotations, within
// kube's cost budget. Returns decisions; what they mean for the request is the dispatcher's.

import type { CelInput, CelValue } from '@bufbuild/cel';
import { evalErrorText, isEvalError, PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET } from '../../apiextensions/cel/runtime.js';
import type { Compiled, CompiledPolicy } from './compile.js';

/** kube's RuntimeCELCostBudgetMatchConditions. */
const MATCH_CONDITIONS_BUDGET = 10000000;
const MAX_MESSAGE_BYTES = 5 * 1024;
const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

export interface Decision {
  action: 'admit' | 'deny';
  /** Whether the deny came from an error (evaluation or compilation), not a false expression. */
  error?: boolean;
  message: string;
  reason?: string;
  /** Index of the validation in the policy. */
  index: number;
}

export interface AuditAnnotationResult {
  key: string;
  value?: string;
  error?: string;
}

export interface ValidateResult {
  decisions: Decision[];
  auditAnnotations: AuditAnnotationResult[];
}

export type Outcome = { value: CelValue } | { error: string };

export class Budget {
  constructor(public remaining: number) {}
}

export function run(c: Compiled, activation: Record<string, CelInput>, budget: Budget): Outcome {
  if (c.error !== undefined) return { error: `compilation error: ${c.error}` };
  if (budget.remaining < 0) return { error: OUT_OF_BUDGET };
  const r = c.program.eval(activation, Math.min(PER_CALL_LIMIT, budget.remaining));
  budget.remaining -= r.cost;
  if (r.exceeded) return { error: budget.remaining < 0 ? OUT_OF_BUDGET : `expression '${c.source}' resulted in error: operation cancelled: actual cost limit exceeded` };
  if (isEvalError(r.value)) return { error: `expression '${c.source}' resulted in error: ${evalErrorText(r.value)}` };
  return { value: r.value };
}

/**
 * Match conditions: any false skips the policy; errors with no false fail it under Fail (and skip
 * it under Ignore). Returns true (matches), false, or an error text.
 */
export function matchConditions(p: Pick<CompiledPolicy, 'failurePolicy' | 'matchConditions'>, activation: Record<string, CelInput>): boolean | string {
  const budget = new Budget(MATCH_CONDITIONS_BUDGET);
  const errors: string[] = [];
  for (const m of p.matchConditions) {
    const r = run(m.expression, activation, budget);
    if ('error' in r) errors.push(r.error);
    else if (r.value === false) return false;
  }
  if (errors.length === 0) return true;
  if (p.failurePolicy === 'Ignore') return false;
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

/** Variables, in order; a failed one is left out (a later reference fails as kube's lazy evaluation would). */
export function variables(p: Pick<CompiledPolicy, 'variables'>, activation: Record<string, CelInput>, budget: Budget): Map<string, CelInput> {
  const vars = new Map<string, CelInput>();
  activation.variables = vars as unknown as CelInput;
  for (const v of p.variables) {
    const r = run(v.expression, activation, budget);
    if ('value' in r) vars.set(v.name, r.value as CelInput);
  }
  return vars;
}

function messageOf(p: CompiledPolicy, i: number, activation: Record<string, CelInput>, budget: Budget): string {
  const v = p.validations[i]!;
  let message = '';
  if (v.messageExpression) {
    const r = run(v.messageExpression, activation, budget);
    if ('value' in r && typeof r.value === 'string') {
      message = r.value.trim();
      // overlong or multi-line messages are dropped, as kube does
      if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
    }
  }
  if (!message && v.message) message = v.message.trim();
  return message || `failed expression: ${v.expression.source.trim()}`;
}

export function validate(p: CompiledPolicy, activation: Record<string, CelInput>): ValidateResult {
  const budget = new Budget(RUNTIME_CEL_COST_BUDGET);
  variables(p, activation, budget);
  const failAction = p.failurePolicy === 'Ignore' ? 'admit' : 'deny';
  const decisions: Decision[] = p.validations.map((v, index) => {
    const r = run(v.expression, activation, budget);
    if ('error' in r) return { action: failAction, error: true, message: r.error, index };
    if (r.value === true) return { action: 'admit', message: '', index };
    return { action: 'deny', message: messageOf(p, index, activation, budget), reason: v.reason ?? 'Invalid', index };
  });
  const auditBudget = new Budget(RUNTIME_CEL_COST_BUDGET);
  const auditAnnotations: AuditAnnotationResult[] = [];
  for (const a of p.auditAnnotations) {
    const r = run(a.valueExpression, activation, auditBudget);
    if ('error' in r) {
      if (p.failurePolicy !== 'Ignore') auditAnnotations.push({ key: a.key, error: r.error });
    } else if (typeof r.value === 'string') {
      const value = r.value.trim();
      if (value) auditAnnotations.push({ key: a.key, value });
    } else if (r.value !== null) {
      auditAnnotations.push({ key: a.key, error: `valueExpression '${a.valueExpression.source}' resulted in unsupported return type: ${typeof r.value}. Return type must be either string or null.` });
    }
  }
  return { decisions, auditAnnotations };
}
