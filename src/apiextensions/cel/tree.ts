// The compiled form of a schema's x-kubernetes-validations: one node per schema node that has
// rules at or below it, holding the declared CEL type of self and every rule's programs
// (apiextensions' cel.Validator tree). Built once per schema, never changed, shared by every
// cluster that serves it.

import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { compileExpression, type CompiledExpression } from './compile.js';
import { schemaDecl, type Decl } from './decltypes.js';
import { escapeName } from './escape.js';
import { validFieldPath } from '../selectable-path.js';
import type { CelT } from './types.js';
import { T } from './types.js';

export interface RuleProgram {
  rule: ValidationRule;
  compiled?: CompiledExpression;
  /** Why the rule did not compile, as kube's CompilationResult.Error detail. */
  error?: string;
  message?: CompiledExpression;
  messageError?: string;
  /** The rule's fieldPath in kube's field.Path form. */
  fieldPath?: string;
}

export interface CelNode {
  schema: JSONSchemaProps;
  decl?: Decl;
  rules: RuleProgram[];
  properties?: Map<string, CelNode>;
  items?: CelNode;
  additionalProperties?: CelNode;
  allOf?: CelNode[];
  isResourceRoot: boolean;
  usesOldSelf: boolean;
}

export function hasValidations(s: JSONSchemaProps | undefined): boolean {
  if (!s || typeof s !== 'object') return false;
  if (Array.isArray(s['x-kubernetes-validations']) && s['x-kubernetes-validations'].length) return true;
  if (s.items && !Array.isArray(s.items) && hasValidations(s.items)) return true;
  if (typeof s.additionalProperties === 'object' && hasValidations(s.additionalProperties)) return true;
  if (s.allOf?.some(hasValidations)) return true;
  return Object.values(s.properties ?? {}).some(hasValidations);
}

function compileRule(rule: ValidationRule, self: CelT, schema: JSONSchemaProps): RuleProgram {
  const out: RuleProgram = { rule };
  if (!rule || typeof rule.rule !== 'string' || rule.rule.trim() === '') return out;
  const vars = new Map<string, CelT>([['self', self], ['oldSelf', rule.optionalOldSelf ? T.optional(self) : self]]);
  const r = compileExpression(rule.rule, vars, T.bool);
  if (!r.ok) {
    out.error = r.failedPhase === 'type' ? 'cel expression must evaluate to a bool'
      : r.failedPhase === 'program' ? `program instantiation failed: ${r.detail}` : `compilation failed: ${r.detail}`;
    return out;
  }
  out.compiled = r.value;
  if (rule.messageExpression) {
    const m = compileExpression(rule.messageExpression, vars, T.string);
    if (!m.ok) {
      out.messageError = m.failedPhase === 'type' ? 'messageExpression must evaluate to a string'
        : m.failedPhase === 'program' ? `messageExpression instantiation failed: ${m.detail}` : `messageExpression compilation failed: ${m.detail}`;
    } else out.message = m.value;
  }
  if (rule.fieldPath) {
    const fp = validFieldPath(rule.fieldPath, schema as never);
    if (fp.error === undefined) out.fieldPath = fp.path;
  }
  return out;
}

export function buildNode(schema: JSONSchemaProps, decl: Decl | undefined, isResourceRoot: boolean): CelNode | undefined {
  if (!hasValidations(schema)) return undefined;
  const rules = (Array.isArray(schema['x-kubernetes-validations']) ? schema['x-kubernetes-validations'] : [])
    .map((r) => (decl ? compileRule(r, decl.type, schema) : { rule: r, error: 'failed to convert to declType for CEL validation rules' }));
  const node: CelNode = { schema, decl, rules, isResourceRoot, usesOldSelf: rules.some((r) => r.compiled?.usesOldSelf) };
  const t = decl?.type;
  const elem = t?.kind === 'list' ? t.elem : t?.kind === 'map' ? t.value : undefined;
  if (schema.items && !Array.isArray(schema.items)) {
    const items = schema.items;
    const embedded = !!items['x-kubernetes-embedded-resource'];
    const own = schemaDecl(items, embedded);
    node.items = buildNode(items, elem && own ? { type: elem, minSize: own.minSize } : own, embedded);
  }
  if (typeof schema.additionalProperties === 'object') {
    const ap = schema.additionalProperties;
    const d = schemaDecl(ap, !!ap['x-kubernetes-embedded-resource']);
    node.additionalProperties = buildNode(ap, elem && d ? { type: elem, minSize: d.minSize } : d, !!ap['x-kubernetes-embedded-resource']);
  }
  for (const name of Object.keys(schema.properties ?? {}).sort()) {
    const ps = schema.properties![name]!;
    if (!hasValidations(ps)) continue;
    const embedded = !!ps['x-kubernetes-embedded-resource'];
    const own = schemaDecl(ps, embedded);
    const escaped = escapeName(name);
    // a field CEL cannot type has no declared type: its rules cannot compile (a CRD error)
    const ft = escaped !== undefined && t?.kind === 'object' ? t.fields.get(escaped) : undefined;
    const d: Decl | undefined = ft && own ? { type: ft, minSize: own.minSize } : own;
    const child = buildNode(ps, d, embedded);
    if (child) (node.properties ??= new Map()).set(name, child);
  }
  if (schema.allOf?.length) {
    // rules of allOf subschemas apply to this node's value (their nested rules are not supported)
    node.allOf = schema.allOf.filter((a) => a['x-kubernetes-validations']?.length)
      .map((a) => buildNode({ type: schema.type, 'x-kubernetes-validations': a['x-kubernetes-validations'] }, decl, isResourceRoot)!)
      .filter(Boolean);
  }
  return node;
}

export function rootNode(schema: JSONSchemaProps): CelNode | undefined {
  if (!hasValidations(schema)) return undefined;
  return buildNode(schema, schemaDecl(schema, true), true);
}
