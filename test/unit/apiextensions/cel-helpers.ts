// Shared by the cel*.test.ts files: a CRD-like schema with rules on `spec`, compiled as the CRD
// validator compiles it, and kube's printed field errors.

import { compileValidations, type CelValidator } from '../../../src/apiextensions/cel/index.js';
import type { JSONSchemaProps, ValidationRule } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';

export const BASE = 'spec.validation.openAPIV3Schema';

/** The openAPIV3Schema of a CRD whose `spec` is `spec` with `rules` on it. */
export function withSpec(spec: JSONSchemaProps, rules?: ValidationRule[]): JSONSchemaProps {
  return { type: 'object', properties: { spec: rules ? { ...spec, 'x-kubernetes-validations': rules } : spec } };
}

/** CRD-time errors as kube prints them. */
export function crdErrors(schema: JSONSchemaProps): string[] {
  return compileValidations(schema, { basePath: BASE }).errors.map(fieldErrorString);
}

export function validatorOf(schema: JSONSchemaProps): CelValidator {
  const r = compileValidations(schema, { basePath: BASE });
  if (r.errors.length) throw new Error(r.errors.map(fieldErrorString).join('\n'));
  return r.validator!;
}

/** A custom resource of kind X with this spec. */
export function cr(spec: unknown, name = 'o1'): Record<string, unknown> {
  return { apiVersion: 'ex.com/v1', kind: 'X', metadata: { name, namespace: 'default' }, spec };
}

export function runtimeErrors(v: CelValidator, spec: unknown, oldSpec?: unknown): string[] {
  return v.validate(cr(spec), oldSpec === undefined ? undefined : cr(oldSpec)).map(fieldErrorString);
}

/** kube's text for an Invalid field error on a rule, whose value is the rule as Go's json prints it. */
export function ruleInvalid(path: string, rule: Partial<ValidationRule> & { rule: string }, detail: string): string {
  const value = JSON.stringify({
    Rule: rule.rule, Message: rule.message ?? '', MessageExpression: rule.messageExpression ?? '',
    Reason: rule.reason ?? null, FieldPath: rule.fieldPath ?? '', OptionalOldSelf: rule.optionalOldSelf ?? null,
  }).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${path}: Invalid value: ${value}: ${detail}`;
}

export const COST_HINT = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
