// Structural schemas of custom resources, compiled once per schema content and shared by every
// logical cluster holding the same CRD: validation (kube-openapi's messages, embedded resources,
// list types), pruning, defaulting, and the CRD-side checks of a schema (structural or not, v1
// rules). Every function here is pure in the schema; compiled results are frozen.

import type { FieldError } from '../../apimachinery/errors.js';
import type { SchemaNode } from '../../apimachinery/schema.js';
import type { JSONSchemaProps } from '../types.js';
import { applyDefaultsTo, pruneNulls } from './defaults.js';
import { validateListTypes } from './listtype.js';
import { compileTree, type Node } from './node.js';
import { coerceEmbeddedResources, coerceMetadata, validateEmbeddedResources } from './objectmeta.js';
import { isObject } from './paths.js';
import { pruneObject } from './prune.js';
import { toSchemaNode } from './schema-node.js';
import { openAPIValidate } from './validate.js';

export { nonStructuralErrors } from './structural.js';
export { validateCRDSchema, unrecognizedFormatWarnings, type CRDSchemaOptions } from './crd-schema.js';
export type { DefaultValidator } from './defaults-validation.js';
export { MetadataCoercionError } from './objectmeta.js';
export type { Node as CompiledNode } from './node.js';

export interface PruneOptions {
  /**
   * Drop malformed metadata fields instead of failing (kube: on reads from storage). Without it a
   * malformed embedded apiVersion/kind/metadata throws MetadataCoercionError, which kube answers
   * 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: <error>`.
   */
  dropInvalidMetadata?: boolean;
  /** Leave the root's metadata alone (the caller decodes it as ObjectMeta itself). */
  skipRootMetadata?: boolean;
}

export interface CompiledSchema {
  /**
   * Schema validation of a custom resource as the CR strategy runs it: kube-openapi's validator,
   * the embedded resources' type and object meta, the list-type set/map invariants. Errors are
   * under `path` (default: the object's root).
   */
  validate(obj: unknown, path?: string): FieldError[];
  /**
   * The same on update, with kube's ratcheting (CRDValidationRatcheting): schema errors of values
   * unchanged from `old` are not reported, nor list-type errors the old object already had.
   */
  validateUpdate(obj: unknown, old: unknown, path?: string): FieldError[];
  /** The status subresource: `obj.status` against properties.status, under "status" (names relative to it). */
  validateStatus(obj: unknown): FieldError[];
  /** The status subresource on update (ratcheted against old.status). */
  validateStatusUpdate(obj: unknown, old: unknown): FieldError[];
  /**
   * What kube's decoder does to a custom resource before anything else sees it: the root's metadata
   * re-encoded as ObjectMeta, unknown fields pruned, non-nullable nulls without a default dropped,
   * embedded resources' metadata re-encoded. Returns the dropped field paths in kube's order (root
   * metadata, pruned fields sorted, embedded metadata sorted) for `unknown field "<path>"`.
   */
  prune(obj: unknown, opts?: PruneOptions): string[];
  /** Structural defaulting, in place (create, update, and reads from storage). */
  applyDefaults(obj: unknown): void;
  /** Whether the schema declares any default (applyDefaults is a no-op otherwise). */
  readonly hasDefaults: boolean;
  /** The schema as kplane's SchemaNode (explain, patch metadata, unknown-field checks). */
  readonly schemaNode: SchemaNode;
  /** The compiled tree (for H2's CEL declarations and other readers). */
  readonly root: CompiledNode;
}

type CompiledNode = Node;

class Compiled implements CompiledSchema {
  readonly root: Node;
  private node: SchemaNode | undefined;
  constructor(root: Node) {
    this.root = root;
  }

  validate(obj: unknown, path = ''): FieldError[] {
    const errs = openAPIValidate(this.root, obj, path);
    if (this.root.needsObjectWalk) {
      for (const e of validateEmbeddedResources(this.root, obj, path)) errs.push(e);
      for (const e of validateListTypes(this.root, obj, path)) errs.push(e);
    }
    return errs;
  }

  validateUpdate(obj: unknown, old: unknown, path = ''): FieldError[] {
    const errs = openAPIValidate(this.root, obj, path, { value: old });
    if (this.root.needsObjectWalk) {
      for (const e of validateEmbeddedResources(this.root, obj, path)) errs.push(e);
      if (validateListTypes(this.root, old, path).length === 0) for (const e of validateListTypes(this.root, obj, path)) errs.push(e);
    }
    return errs;
  }

  validateStatus(obj: unknown): FieldError[] {
    return this.statusErrors(obj, undefined);
  }

  validateStatusUpdate(obj: unknown, old: unknown): FieldError[] {
    return this.statusErrors(obj, { value: old });
  }

  /** customResourceValidator.ValidateStatusUpdate and the status strategy's list-type check. */
  private statusErrors(obj: unknown, old: { value: unknown } | undefined): FieldError[] {
    const status = this.root.properties?.get('status');
    const errs: FieldError[] = [];
    if (status && isObject(obj) && Object.prototype.hasOwnProperty.call(obj, 'status')) {
      const oldStatus = old && isObject(old.value) && Object.prototype.hasOwnProperty.call(old.value, 'status') ? { value: old.value.status } : undefined;
      for (const e of openAPIValidate(status, obj.status, 'status', oldStatus)) errs.push(e);
    }
    if (this.root.needsObjectWalk) {
      const listErrs = validateListTypes(this.root, obj, '');
      if (listErrs.length && (!old || validateListTypes(this.root, old.value, '').length === 0)) for (const e of listErrs) errs.push(e);
    }
    return errs;
  }

  prune(obj: unknown, opts: PruneOptions = {}): string[] {
    const drop = opts.dropInvalidMetadata ?? false;
    const out: string[] = [];
    if (!opts.skipRootMetadata && isObject(obj)) out.push(...coerceMetadata(obj, '', drop));
    out.push(...pruneObject(this.root, obj, true));
    pruneNulls(obj, this.root);
    if (this.root.needsObjectWalk) out.push(...coerceEmbeddedResources(this.root, obj, drop));
    return out;
  }

  applyDefaults(obj: unknown): void {
    applyDefaultsTo(obj, this.root);
  }

  get hasDefaults(): boolean {
    return this.root.defaultsBelow;
  }

  get schemaNode(): SchemaNode {
    return (this.node ??= toSchemaNode(this.root));
  }
}

/**
 * Compiles a structural schema (the caller checked nonStructuralErrors). The input is not changed;
 * it is kept only when frozen (deep-frozen, as a shared CRD spec should be), else copied.
 */
export function compileSchema(schema: JSONSchemaProps): CompiledSchema {
  // (the instance only memoizes its schemaNode; the tree it holds is frozen)
  return new Compiled(compileTree(schema));
}
