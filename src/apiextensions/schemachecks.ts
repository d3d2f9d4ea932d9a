// Where CRD validation hands a version's openAPIV3Schema to the structural-schema checks
// (./schema, validateCRDSchema) and to the CEL compiler (./cel, compileValidations). kube reports
// the schema errors of the whole tree first, then the CEL errors, and compiles no rule of a
// schema that is not structural (its rules' types are unknown).

import type { FieldError } from '../apimachinery/errors.js';
import type { Obj } from '../registry/kinds/_util.js';

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
 * The errors of one openAPIV3Schema at `path` (e.g. `spec.validation.openAPIV3Schema`).
 * `othersFound`: errors were already reported for this validation (kube then leaves out the
 * structural-schema construction errors, which repeat them).
 */
export function schemaErrors(_schema: Obj, _path: string, _opts: SchemaCheckOptions, _othersFound: boolean): FieldError[] {
  return [];
}
