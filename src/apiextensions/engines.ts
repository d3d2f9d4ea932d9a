// The one place the custom-resource machinery meets the schema, CEL, jsonpath and table engines
// (./schema, ./cel, ./jsonpath.ts, ./table.ts). Everything here is a pure function of a CRD's
// spec: its results are shared by every cluster holding it.

import type { FieldError } from '../apimachinery/errors.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import type { TableConvertor } from '../registry/types.js';
import { rootNode } from './cel/tree.js';
import { celValidator } from './cel/validator.js';
import { selectableFieldReader } from './jsonpath.js';
import { compileSchema } from './schema/index.js';
import { printerColumnsTable } from './table.js';
import type { CustomResourceColumnDefinition, JSONSchemaProps } from './types.js';

/** A version's structural schema, compiled. */
export interface SchemaEngine {
  /**
   * Schema validation (types, formats, list types, embedded ObjectMeta): kube's field errors; on
   * an update (old given) with kube's ratcheting: unchanged values keep their old errors to themselves.
   */
  validate(obj: unknown, old?: unknown): FieldError[];
  /** The status subresource's: the status against its schema, embedded objects, list types. */
  validateStatus(obj: unknown, old: unknown): FieldError[];
  /** Removes unknown fields (the root's metadata is decoded as ObjectMeta elsewhere); answers their paths. */
  prune(obj: unknown): string[];
  applyDefaults(obj: unknown): void;
  /** Whether the schema has defaults at all (reads from storage are defaulted only then). */
  readonly hasDefaults: boolean;
  /** The schema as a SchemaNode (field management walks it); undefined without a schema. */
  readonly schemaNode: SchemaNode | undefined;
}

export interface RulesEngine {
  validate(obj: unknown, old: unknown | undefined): FieldError[];
  /** On an update: the errors, and the failures ratcheting lets pass as warnings. */
  validateWithWarnings(obj: unknown, old: unknown | undefined): { errors: FieldError[]; warnings: string[] };
}

const NO_SCHEMA: SchemaEngine = Object.freeze({
  validate: () => [], validateStatus: () => [], prune: () => [], applyDefaults: () => undefined, hasDefaults: false, schemaNode: undefined,
});

export function compileSchemaEngine(schema: JSONSchemaProps | undefined): SchemaEngine {
  if (!schema) return NO_SCHEMA;
  const c = compileSchema(schema);
  return Object.freeze({
    validate: (obj: unknown, old?: unknown) => (old === undefined ? c.validate(obj) : c.validateUpdate(obj, old)),
    validateStatus: (obj: unknown, old: unknown) => c.validateStatusUpdate(obj, old),
    prune: (obj: unknown) => c.prune(obj, { skipRootMetadata: true }),
    applyDefaults: (obj: unknown) => c.applyDefaults(obj),
    hasDefaults: c.hasDefaults,
    get schemaNode() {
      return c.schemaNode;
    },
  });
}

export function compileRulesEngine(schema: JSONSchemaProps | undefined): RulesEngine | undefined {
  if (!schema) return undefined;
  // the CRD strategy refused CRDs whose rules do not compile or cost too much: serving needs
  // only the compiled rules, not the CRD-time checks again
  const root = rootNode(schema);
  return root ? celValidator(root) : undefined;
}

/** The version's Table: its additionalPrinterColumns, or kube's default (Name, Age). */
export function printerColumns(columns: readonly CustomResourceColumnDefinition[] | undefined): TableConvertor {
  return printerColumnsTable(columns);
}

/** A selectableFields path's value reader (field label without the leading dot). */
export function fieldReader(jsonPath: string): (obj: unknown) => string | undefined {
  return selectableFieldReader(jsonPath);
}
