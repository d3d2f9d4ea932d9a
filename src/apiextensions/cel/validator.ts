// Running the compiled rules on a custom resource (apiextensions' cel.Validator.Validate): each
// node's rules with self (and oldSelf, the correlated old value: same property, same map key,
// same list-type=map keys), transition rules only when there is an old value (or optionalOldSelf),
// message / messageExpression / reason / fieldPath, kube's runtime cost budget, and ratcheting
// (an error of a rule without oldSelf on a value equal to its old value is only a warning).

import { field, fieldErrorString, type FieldError } from '../../apimachinery/errors.js';
import type { CelInput } from '@bufbuild/cel';
import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { OptionalValue } from './library/opaque.js';
import { evalErrorText, isEvalError, PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET } from './runtime.js';
import type { CelNode, RuleProgram } from './tree.js';
import { T, type CelT } from './types.js';
import { toCelValue } from './values.js';

/** MaxEvaluatedMessageExpressionSizeBytes */
const MAX_MESSAGE_BYTES = 5 * 1024;

interface Out { errors: FieldError[]; warnings: string[]; budget: number }

/** A value and its correlated old value (common.CorrelatedObject). */
interface Correlated { value: unknown; old: unknown; equal?: boolean }

/**
 * Ratcheting's state (ratchetingOptions): the node's correlation if it has one (a property or key
 * present in both objects, a list-type=map item with an old item of the same keys; never a set
 * or atomic list item), else the nearest correlated ancestor's, whose equality decides.
 */
interface Ratchet { current?: Correlated; nearest?: Correlated }

const trimmed = (s: string | undefined) => (s ?? '').trim();
const ruleErrorString = (r: ValidationRule) => (trimmed(r.message) || trimmed(r.rule));

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const equalOf = (c: Correlated) => (c.equal ??= deepEqual(c.value, c.old));
const ratchetEqual = (r: Ratchet | undefined) => !!r && (r.current ? equalOf(r.current) : r.nearest ? equalOf(r.nearest) : false);

/** The ratcheting state of a child, given its correlated old value if any. */
function descend(r: Ratchet | undefined, child: Correlated | undefined): Ratchet | undefined {
  if (!r) return undefined;
  if (!r.current) return r;
  return { current: child, nearest: r.current };
}

function errorForReason(path: string, value: unknown, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden': return field.forbidden(path, detail);
    case 'FieldValueRequired': return field.required(path, detail);
    case 'FieldValueDuplicate': return field.duplicate(path, value);
    default: return field.invalid(path, value, detail);
  }
}

function typeOf(s: JSONSchemaProps): string {
  return s.type ?? '';
}

class Run {
  constructor(readonly out: Out) {}

  node(n: CelNode, path: string, obj: unknown, old: unknown, ratchet: Ratchet | undefined): void {
    // nodes CEL cannot type are not validated (such a CRD is refused; kube skips them too)
    if (obj === null || obj === undefined || !n.decl) return;
    this.rules(n, path, obj, old, ratchet);
    if (this.out.budget < 0) return;
    for (const a of n.allOf ?? []) {
      this.rules(a, path, obj, old, ratchet);
      if (this.out.budget < 0) return;
    }
    if (Array.isArray(obj)) {
      if (!n.items) return;
      const oldItems = Array.isArray(old) ? old : undefined;
      const keys = n.schema['x-kubernetes-list-type'] === 'map' ? n.schema['x-kubernetes-list-map-keys'] ?? [] : undefined;
      const correlate = (item: unknown): { has: boolean; old: unknown } => {
        if (!oldItems || !keys?.length || typeof item !== 'object' || item === null) return { has: false, old: undefined };
        const found = oldItems.find((o) => typeof o === 'object' && o !== null
          && keys.every((k) => deepEqual((o as Record<string, unknown>)[k], (item as Record<string, unknown>)[k])));
        return { has: found !== undefined, old: found };
      };
      for (let i = 0; i < obj.length; i++) {
        const c = correlate(obj[i]);
        const r = descend(ratchet, c.has ? { value: obj[i], old: c.old } : undefined);
        this.node(n.items, `${path}[${i}]`, obj[i], c.old, r);
        if (this.out.budget < 0) return;
      }
      return;
    }
    if (typeof obj === 'object') {
      const o = obj as Record<string, unknown>;
      const oldMap = typeof old === 'object' && old !== null && !Array.isArray(old) ? (old as Record<string, unknown>) : undefined;
      const sub = (k: string): Ratchet | undefined => {
        // apiVersion and kind of the root are never ratcheted
        if (ratchet?.current && !ratchet.nearest && (k === 'apiVersion' || k === 'kind')) return {};
        return descend(ratchet, oldMap && Object.hasOwn(oldMap, k) ? { value: o[k], old: oldMap[k] } : undefined);
      };
      // kube walks Go maps (random order); sorted keys make the order independent of the client's
      const keys = Object.keys(o).sort();
      if (n.additionalProperties) {
        for (const k of keys) {
          const v = o[k];
          this.node(n.additionalProperties, `${path}[${k}]`, v, oldMap?.[k], sub(k));
          if (this.out.budget < 0) return;
        }
      }
      if (n.properties) {
        for (const k of keys) {
          const v = o[k];
          const child = n.properties.get(k);
          if (!child) continue;
          this.node(child, path ? `${path}.${k}` : k, v, oldMap?.[k], sub(k));
          if (this.out.budget < 0) return;
        }
      }
    }
  }

  private rules(n: CelNode, fldPath: string, obj: unknown, old: unknown, ratchet: Ratchet | undefined): void {
    if (!n.rules.length) return;
    // errors on the root of the validation have Go's nil field.Path, printed "<nil>"
    const path = fldPath || '<nil>';
    const out = this.out;
    const type = typeOf(n.schema);
    if (out.budget <= 0) {
      out.errors.push(field.invalid(path, type, 'validation failed due to running out of cost budget, no further validation rules will be run'));
      out.budget = -1;
      return;
    }
    const selfType: CelT = n.decl?.type ?? T.dyn;
    let self: CelInput | undefined;
    let oldSelf: CelInput | undefined;
    const hasOld = old !== null && old !== undefined;
    for (const rp of n.rules) {
      const rule = rp.rule;
      if (rp.error) { out.errors.push(field.invalid(path, type, `rule compile error: ${rp.error}`)); continue; }
      if (!rp.compiled) continue;
      const optionalOld = !!rule.optionalOldSelf;
      if (rp.compiled.usesOldSelf && !hasOld && !optionalOld) continue;
      self ??= toCelValue(obj, selfType);
      // kube binds oldSelf only where some rule of the node uses it (validationActivationWithOldSelf)
      if (hasOld && n.usesOldSelf) oldSelf ??= toCelValue(old, selfType);
      const plain: Record<string, CelInput> = oldSelf === undefined ? { self } : { self, oldSelf };
      const bindings = optionalOld
        ? { self, oldSelf: (oldSelf === undefined ? OptionalValue.none : new OptionalValue(true, oldSelf)) as unknown as CelInput }
        : plain;
      const r = rp.compiled.program.eval(bindings, Math.min(PER_CALL_LIMIT, out.budget));
      if (r.exceeded && r.cost > PER_CALL_LIMIT) {
        out.errors.push(field.invalid(path, type, `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`));
        out.budget = -1;
        return;
      }
      if (r.exceeded || r.cost > out.budget) {
        out.errors.push(field.invalid(path, type, 'validation failed due to running out of cost budget, no further validation rules will be run'));
        out.budget = -1;
        return;
      }
      out.budget -= r.cost;
      if (isEvalError(r.value)) {
        const text = evalErrorText(r.value);
        if (text.startsWith('no such overload')) {
          out.errors.push(field.invalid(path, type, `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`));
        } else out.errors.push(field.invalid(path, type, `${text} evaluating rule: ${ruleErrorString(rule)}`));
        continue;
      }
      if (r.value === true) continue;
      const errPath = rp.fieldPath ? (fldPath ? `${fldPath}.${rp.fieldPath}` : rp.fieldPath) : path;
      const add = (e: FieldError) => {
        if (!rp.compiled!.usesOldSelf && ratchetEqual(ratchet)) out.warnings.push(fieldErrorString(e));
        else out.errors.push(e);
      };
      let detail: string | undefined;
      if (rp.message) {
        // messageExpression sees the plain activation, even for optionalOldSelf rules (as kube's)
        const m = this.message(rp, plain, errPath, type);
        if (m === 'stop') return;
        detail = m;
      }
      detail ??= trimmed(rule.message) || `failed rule: ${ruleErrorString(rule)}`;
      // kube 1.34 shows the schema type as the value ("string", "object")
      add(errorForReason(errPath, type, detail, rule.reason));
    }
  }

  /** The evaluated messageExpression, undefined to fall back to message, 'stop' when the budget ran out. */
  private message(rp: RuleProgram, bindings: Record<string, CelInput>, path: string, type: string): string | 'stop' | undefined {
    const out = this.out;
    const r = rp.message!.program.eval(bindings, Math.min(PER_CALL_LIMIT, out.budget));
    if (r.exceeded && r.cost > PER_CALL_LIMIT) {
      out.errors.push(field.invalid(path, type, `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(rp.rule.messageExpression)}`));
      out.budget = -1;
      return 'stop';
    }
    if (r.exceeded || r.cost > out.budget) {
      out.errors.push(field.invalid(path, type, 'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run'));
      out.budget = -1;
      return 'stop';
    }
    out.budget -= r.cost;
    // kube logs a failing messageExpression and uses message instead
    if (isEvalError(r.value) || typeof r.value !== 'string') return undefined;
    const s = r.value.trim();
    if (Buffer.byteLength(s) > MAX_MESSAGE_BYTES || /\n/.test(s) || s === '') return undefined;
    return s;
  }
}


export interface CelValidator {
  /** Field errors of the object (old: the object before an update), in kube's order. */
  validate(obj: unknown, old: unknown | undefined, path?: string): FieldError[];
  /** The same, with the errors ratcheting turned into warnings (update only). */
  validateWithWarnings(obj: unknown, old: unknown | undefined, path?: string): { errors: FieldError[]; warnings: string[] };
}

export function celValidator(root: CelNode): CelValidator {
  const run = (obj: unknown, old: unknown, path: string) => {
    const out: Out = { errors: [], warnings: [], budget: RUNTIME_CEL_COST_BUDGET };
    const hasOld = old !== undefined && old !== null;
    new Run(out).node(root, path, obj, old, hasOld ? { current: { value: obj, old } } : undefined);
    return out;
  };
  return Object.freeze({
    validate(obj: unknown, old: unknown, path = '') {
      const out = run(obj, old, path);
      return out.errors;
    },
    validateWithWarnings(obj: unknown, old: unknown, path = '') {
      const out = run(obj, old, path);
      return { errors: out.errors, warnings: out.warnings };
    },
  });
}
