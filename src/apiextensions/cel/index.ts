// CEL for x-kubernetes-validations, on @bufbuild/cel: compileValidations(schema, { basePath })
// compiles every rule of a structural schema once (a pure function of the schema: the result is
// shared by every cluster serving it) and returns the CRD-time errors with kube's paths and texts,
// and a validator for custom resources.

import type { FieldError } from '../../apimachinery/errors.js';
import type { JSONSchemaProps } from '../types.js';
import { crdErrors } from './crd.js';
import { rootNode } from './tree.js';
import { celValidator, type CelValidator } from './validator.js';

export type { CelValidator } from './validator.js';
export { STATIC_ESTIMATED_COST_LIMIT, STATIC_ESTIMATED_CRD_COST_LIMIT } from './crd.js';
export { PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET } from './runtime.js';

export interface CompiledValidations {
  /** Undefined when the schema has no x-kubernetes-validations. */
  validator?: CelValidator;
  /** CRD validation errors (rule format, compilation, messageExpression, estimated cost). */
  errors: FieldError[];
}

export interface CompileOptions {
  /** The schema's path in the CRD, e.g. `spec.versions[0].schema.openAPIV3Schema`. */
  basePath: string;
  /**
   * On an update that leaves this version's schema as it was, kube does not refuse rules over the
   * per-rule cost limit (suppressExpressionCostForUnchangedSchema), so CRDs stored before a limit
   * changed stay updatable; the schema's total limit still applies.
   */
  suppressPerExpressionCost?: boolean;
}

/**
 * basePath is the schema's path in the CRD, e.g. `spec.versions[0].schema.openAPIV3Schema`
 * (kube reports `spec.validation.openAPIV3Schema` when every version has the same schema).
 */
export function compileValidations(schema: JSONSchemaProps, opts: CompileOptions): CompiledValidations {
  const root = rootNode(schema);
  const errors = crdErrors(schema, root, opts.basePath, !!opts.suppressPerExpressionCost);
  return root ? { validator: celValidator(root), errors } : { errors };
}
