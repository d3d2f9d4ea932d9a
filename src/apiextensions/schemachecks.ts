// Where CRD validation hands a version's openAPIV3Schema to the structural-schema checks
// (./schema validateCRDSchema: nullable root, structural errors, defaults, keywords, list and map
// types, rules' form) and to the CEL compiler (./cel compileValidations: compilation, message
// expressions, estimated costs). kube reports the schema errors of the whole tree before the CEL
// errors, and compiles no rule of a schema with errors (their types are unknown); with one
// compiler call per schema we skip CEL when the schema checks found anything, where kube would
// still compile the rules of error-free subtrees.

import type { FieldError } from '../apimachinery/errors.js';
import type { Obj } from '../registry/kinds/_util.js';
import { compileValidations } from './cel/index.js';
import { validateCRDSchema } from './schema/index.js';
import type { JSONSchemaProps } from './types.js';

/** The validationOptions of ValidateCustomResourceDefinition that concern a schema. */
export interface SchemaCheckOptions {
  allowDefaults: boolean;
  requireValidPropertyType: boolean;
  requireStructuralSchema: boolean;
  requirePrunedDefaults: boolean;
  requireAtomicSetType: boolean;
  requireMapListKeysMapSetValidation: boolean;
}

/**
 * The errors of one openAPIV3Schema at `path` (e.g. `spec.validation.openAPIV3Schema`), after the
 * status-subresource root checks (validation.ts: they print the schema as kube's internal struct).
 */
export function schemaErrors(schema: Obj, path: string, opts: SchemaCheckOptions): FieldError[] {
  const s = schema as JSONSchemaProps;
  const errs = validateCRDSchema(s, path, {
    statusEnabled: false,
    allowDefaults: opts.allowDefaults,
    requireValidPropertyType: opts.requireValidPropertyType,
    requireStructuralSchema: opts.requireStructuralSchema,
    requirePrunedDefaults: opts.requirePrunedDefaults,
    requireAtomicSetType: opts.requireAtomicSetType,
    requireMapListKeysMapSetValidation: opts.requireMapListKeysMapSetValidation,
  });
  if (errs.length > 0) return errs;
  return compileValidations(s, { basePath: path }).errors;
}
