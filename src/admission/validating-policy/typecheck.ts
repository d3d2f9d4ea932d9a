// kube's ValidatingAdmissionPolicy type checking (plugin/policy/validating/typechecking.go), which
// its status controller writes into status.typeChecking: each validation's expression and
// messageExpression is compiled against the schema of every kind the policy's matchConstraints
// name exactly (no wildcards, no subresources; sorted by group, version, kind; at most 10) and of
// its paramKind, with the variables compiled before it against the same types; what fails to
// compile is an expression warning ("<gvk>: ERROR: <input>:...", cel-go's issues).
//
// A kind whose schema is not known (not served in the policy's cluster) is not checked; a paramKind
// whose schema is not known leaves `params` undeclared, as in kube. Type checking never changes
// what the policy does.

import type { KubeObject } from '../../apimachinery/object.js';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { compileExpression } from '../../apiextensions/cel/compile.js';
import { policyVars } from '../policy/cel.js';
import { resourceDeclType } from '../policy/decltype.js';

const MAX_TYPES_TO_CHECK = 10;

export interface ExpressionWarning { fieldRef: string; warning: string }

interface GVK { group: string; version: string; kind: string }

/** What the policy's cluster serves: a resource's kind and schema, a kind's schema. */
export interface TypeResolver {
  kindFor(group: string, version: string, resource: string): string | undefined;
  schemaFor(gvk: GVK): SchemaNode | undefined;
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** schema.GroupVersionKind.String(). */
export function gvkString(g: GVK): string {
  return `${g.group}/${g.version}, Kind=${g.kind}`;
}

/** typesToCheck: the kinds the match constraints name exactly. */
function typesToCheck(policy: KubeObject, r: TypeResolver): GVK[] {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const rules = ((spec.matchConstraints as Record<string, unknown> | undefined)?.resourceRules ?? []) as Record<string, unknown>[];
  const found = new Map<string, GVK>();
  const sorted = () => [...found.values()].sort((a, b) => cmp(a.group, b.group) || cmp(a.version, b.version) || cmp(a.kind, b.kind));
  let count = 0;
  for (const rule of Array.isArray(rules) ? rules : []) {
    const groups = strs(rule.apiGroups);
    const versions = strs(rule.apiVersions);
    if (!groups.length || groups.some((g) => g.includes('*')) || !versions.length || versions.some((v) => v.includes('*'))) continue;
    const resources = strs(rule.resources).filter((x) => !/[*/]/.test(x));
    if (!resources.length) continue;
    for (const group of [...groups].sort(cmp)) {
      for (const version of [...versions].sort(cmp)) {
        for (const resource of [...resources].sort(cmp)) {
          const kind = r.kindFor(group, version, resource);
          if (!kind) continue;
          found.set(`${group}/${version}/${kind}`, { group, version, kind });
          if (++count === MAX_TYPES_TO_CHECK) return sorted();
        }
      }
    }
  }
  return sorted();
}

function paramsGVK(policy: KubeObject): GVK | undefined {
  const pk = (policy.spec as Record<string, unknown> | undefined)?.paramKind as Record<string, unknown> | undefined;
  if (!pk || typeof pk !== 'object') return undefined;
  const apiVersion = typeof pk.apiVersion === 'string' ? pk.apiVersion : '';
  const kind = typeof pk.kind === 'string' ? pk.kind : '';
  const parts = apiVersion.split('/');
  if (parts.length > 2) return undefined;
  return parts.length === 1 ? { group: '', version: parts[0]!, kind } : { group: parts[0]!, version: parts[1]!, kind };
}

/** TypeChecker.Check: the expression warnings of a policy (empty when everything type checks). */
export function typeCheckPolicy(policy: KubeObject, r: TypeResolver): ExpressionWarning[] {
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  const targets: { gvk: GVK; type: CelT }[] = [];
  for (const gvk of typesToCheck(policy, r)) {
    const schema = r.schemaFor(gvk);
    const type = schema && resourceDeclType(schema, gvk.kind);
    if (type) targets.push({ gvk, type });
  }
  const pgvk = paramsGVK(policy);
  const pschema = pgvk && pgvk.kind ? r.schemaFor(pgvk) : undefined;
  const paramsType = pschema ? resourceDeclType(pschema, pgvk!.kind) : undefined;
  const variables = (Array.isArray(spec.variables) ? spec.variables : []) as Record<string, unknown>[];

  const check = (expression: string): string[] => {
    const out: string[] = [];
    for (const t of targets) {
      const opts = { hasParams: paramsType !== undefined, paramsType, objectType: t.type, hasAuthorizer: true };
      const declared = new Map<string, CelT>();
      for (const v of variables) {
        const c = compileExpression(String(v.expression ?? ''), policyVars({ ...opts, variables: declared }), T.dyn);
        declared.set(String(v.name ?? ''), c.ok ? c.value.output : T.dyn);
      }
      // kube's type checking compiles, builds no program: only the issues count, printed as cel-go prints them
      const c = compileExpression(expression, policyVars({ ...opts, variables: declared }), T.dyn);
      if (!c.ok && c.failedPhase === 'compile') out.push(`${gvkString(t.gvk)}: ${c.detail}\n`);
    }
    return out;
  };

  const warnings: ExpressionWarning[] = [];
  const validations = (Array.isArray(spec.validations) ? spec.validations : []) as Record<string, unknown>[];
  validations.forEach((v, i) => {
    const results = check(String(v.expression ?? ''));
    if (results.length) warnings.push({ fieldRef: `spec.validations[${i}].expression`, warning: results.join('\n') });
    const me = typeof v.messageExpression === 'string' ? v.messageExpression : '';
    if (!me) return;
    const mr = check(me);
    if (mr.length) warnings.push({ fieldRef: `spec.validations[${i}].messageExpression`, warning: mr.join('\n') });
  });
  return warnings;
}
