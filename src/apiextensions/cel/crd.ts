// CRD-time errors of x-kubernetes-validations (ValidateCustomResourceDefinitionOpenAPISchema's
// CEL part: compilation, messageExpression, oldSelf where it cannot be correlated, optionalOldSelf,
// the per-rule and per-schema estimated cost limits), with kube's paths, texts and order: compile
// and cost errors in the order kube's recursion produces them (children before the node itself),
// then the schema total.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { MAX_UINT64 } from './cost.js';
import { MAX_REQUEST_SIZE_BYTES } from './decltypes.js';
import { validFieldPath } from '../selectable-path.js';
import type { CelNode } from './tree.js';

/** StaticEstimatedCostLimit: the largest estimated cost one rule may have (times its cardinality). */
export const STATIC_ESTIMATED_COST_LIMIT = 10000000;
/** StaticEstimatedCRDCostLimit: the largest estimated cost of all rules of one schema. */
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100000000;


/** The rule as kube prints it in a field error (json.Marshal of apiextensions.ValidationRule). */
export function ruleValue(r: ValidationRule): unknown {
  return {
    Rule: r.rule ?? '', Message: r.message ?? '', MessageExpression: r.messageExpression ?? '',
    Reason: r.reason ?? null, FieldPath: r.fieldPath ?? '', OptionalOldSelf: r.optionalOldSelf ?? null,
  };
}

function costMessage(name: string, cost: number, limit: number): string {
  const f = cost / limit;
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${name} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

const times = (a: number, b: number) => (a === 0 ? 0 : MAX_UINT64 / a < b ? MAX_UINT64 : a * b);

/** How many elements a node can hold for its children (extractMaxElements); undefined is unbounded. */
function maxElements(s: JSONSchemaProps): number | undefined {
  if (s.type === 'object') {
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) return s.maxProperties !== undefined ? Math.max(0, s.maxProperties) : undefined;
    return 1;
  }
  if (s.type === 'array') return s.maxItems !== undefined ? Math.max(0, s.maxItems) : undefined;
  return 1;
}

interface Total { total: number; expensive: { path: string; cost: number }[] }

function observe(t: Total, path: string, cost: number): void {
  t.total = Math.min(MAX_UINT64, t.total + cost);
  if (cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100) return;
  t.expensive.push({ path, cost });
  t.expensive.sort((a, b) => b.cost - a.cost);
  t.expensive.length = Math.min(t.expensive.length, 4);
}

interface Walk { schemaErrs: FieldError[]; celErrs: FieldError[]; total: Total; suppressPerExpressionCost: boolean }

/**
 * The one rule-form check that needs the schema's structure: fieldPath must name a declared
 * field. The others (rule, message, messageExpression, reason, fieldPath's text) are the schema
 * checks' (schema/crd-schema.ts); kube reports all of them before any CEL error.
 */
function formatErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    if (typeof rule?.fieldPath === 'string' && rule.fieldPath && validFieldPath(rule.fieldPath, s as never).error !== undefined) {
      errs.push(field.invalid(`${path}.x-kubernetes-validations[${i}].fieldPath`, rule.fieldPath, 'must be a valid path'));
    }
  });
  return errs;
}

function celErrors(node: CelNode, path: string, cardinality: number | undefined, uncorrelatable: string | undefined, w: Walk): void {
  if (!node.decl) {
    w.celErrs.push(field.internal(`${path}.x-kubernetes-validations`, new Error(
      'internal error: failed to construct type information for x-kubernetes-validations rules: unable to convert structural schema to CEL declarations')));
    return;
  }
  const card = cardinality ?? Math.floor(MAX_REQUEST_SIZE_BYTES / ((node.decl?.minSize ?? 0) + 1));
  node.rules.forEach((rp, i) => {
    const p = `${path}.x-kubernetes-validations[${i}]`;
    if (rp.compiled) {
      const cost = times(rp.compiled.maxCost, card);
      if (!w.suppressPerExpressionCost && cost > STATIC_ESTIMATED_COST_LIMIT) w.celErrs.push(field.forbidden(`${p}.rule`, costMessage('estimated rule cost', cost, STATIC_ESTIMATED_COST_LIMIT)));
      observe(w.total, `${p}.rule`, cost);
    }
    if (rp.error) w.celErrs.push(field.invalid(`${p}.rule`, ruleValue(rp.rule), rp.error));
    if (rp.messageError) w.celErrs.push(field.invalid(`${p}.messageExpression`, ruleValue(rp.rule), rp.messageError));
    else if (rp.message) {
      if (!w.suppressPerExpressionCost && rp.message.maxCost > STATIC_ESTIMATED_COST_LIMIT) {
        w.celErrs.push(field.forbidden(`${p}.messageExpression`, costMessage('estimated messageExpression cost', rp.message.maxCost, STATIC_ESTIMATED_COST_LIMIT)));
      }
      observe(w.total, `${p}.messageExpression`, rp.message.maxCost);
    }
    if (rp.compiled?.usesOldSelf) {
      if (uncorrelatable !== undefined) {
        w.celErrs.push(field.invalid(`${p}.rule`, rp.rule.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`));
      }
    } else if (rp.compiled && rp.rule.optionalOldSelf != null) {
      w.celErrs.push(field.invalid(`${p}.optionalOldSelf`, rp.rule.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
    }
  });
}

/** Returns whether the subtree had rule-format errors (which stop CEL checks above them, as in kube). */
function walk(s: JSONSchemaProps, node: CelNode | undefined, path: string, card: number | undefined, uncorrelatable: string | undefined, w: Walk): boolean {
  let bad = false;
  const childCard = card === undefined ? undefined : (() => { const m = maxElements(s); return m === undefined ? undefined : times(card, m); })();
  if (typeof s.additionalProperties === 'object') {
    bad = walk(s.additionalProperties, node?.additionalProperties, `${path}.additionalProperties`, childCard, uncorrelatable, w) || bad;
  }
  for (const name of Object.keys(s.properties ?? {}).sort()) {
    bad = walk(s.properties![name]!, node?.properties?.get(name), `${path}.properties[${name}]`, childCard, uncorrelatable, w) || bad;
  }
  if (s.items && !Array.isArray(s.items)) {
    const unc = s['x-kubernetes-list-type'] === 'map' ? uncorrelatable : uncorrelatable ?? path;
    bad = walk(s.items, node?.items, `${path}.items`, childCard, unc, w) || bad;
  }
  const own = formatErrors(s, path);
  w.schemaErrs.push(...own);
  bad = bad || own.length > 0;
  if (!bad && node && node.rules.length) celErrors(node, path, card, uncorrelatable, w);
  return bad;
}

export function crdErrors(schema: JSONSchemaProps, root: CelNode | undefined, basePath: string, suppressPerExpressionCost = false): FieldError[] {
  const w: Walk = { schemaErrs: [], celErrs: [], total: { total: 0, expensive: [] }, suppressPerExpressionCost };
  walk(schema, root, basePath, 1, undefined, w);
  const errs = [...w.schemaErrs, ...w.celErrs];
  if (w.total.total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const e of w.total.expensive) errs.push(field.forbidden(e.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    errs.push(field.forbidden(basePath, costMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', w.total.total, STATIC_ESTIMATED_CRD_COST_LIMIT)));
  }
  return errs;
}
