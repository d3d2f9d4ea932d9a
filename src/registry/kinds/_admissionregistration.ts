// Shared pieces of the admissionregistration.k8s.io policy kinds (pkg/apis/admissionregistration:
// v1 defaults, validation of rules, match resources, paramKind / paramRef, validation actions and
// the policies' CEL expressions).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  goStringCompare, isDNS1035Label, isDNS1123Subdomain, isPathSegmentName, isQualifiedName, nameIsDNSSubdomain, validateLabelSelector,
  type LabelSelectorSpec,
} from '../../apimachinery/validation.js';
import type { CheckOptions } from '../../apiextensions/cel/checker.js';
import { T, type CelT } from '../../apiextensions/cel/types.js';
import { compilePolicyExpression, policyVars } from '../../admission/policy/cel.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { Strategy, TableConvertor } from '../types.js';
import { arrAt, child, ensureObj, index, isObj, jsonEqual, lenOf, objAt, omitEmpty, orderKeys, semanticEqual, sortMapKeys, strAt, type Obj } from './_util.js';

export const ADMISSION_GROUP = 'admissionregistration.k8s.io';
export const ADMISSION_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

// ---- defaults (pkg/apis/admissionregistration/v1/defaults.go) ----

function defaultRules(rules: unknown[] | undefined): void {
  for (const r of rules ?? []) if (isObj(r) && !isSet(r.scope)) r.scope = '*';
}

/** SetDefaults_MatchResources (and SetDefaults_Rule of its rules). */
export function defaultMatchResources(m: unknown): void {
  if (!isObj(m)) return;
  if (!isSet(m.matchPolicy)) m.matchPolicy = 'Equivalent';
  if (!isSet(m.namespaceSelector)) m.namespaceSelector = {};
  if (!isSet(m.objectSelector)) m.objectSelector = {};
  defaultRules(arrAt(m, 'resourceRules'));
  defaultRules(arrAt(m, 'excludeResourceRules'));
}

// ---- rules ----

const hasWildcard = (s: unknown[]): boolean => s.includes('*');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : []);

/** validateResources: subresources allowed, with kube's wildcard rules. */
function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(field.required(path));
  const resWildSub = new Set<string>();
  const subWildRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((rs, i) => {
    if (rs === '') {
      errs.push(field.required(index(path, i)));
      return;
    }
    if (rs === '*/*') doubleWildcard = true;
    if (rs === '*') singleWildcard = true;
    const slash = rs.indexOf('/');
    if (slash < 0) {
      withoutSub = rs !== '*';
      return;
    }
    const res = rs.slice(0, slash);
    const sub = rs.slice(slash + 1);
    if (resWildSub.has(res)) errs.push(field.invalid(index(path, i), rs, `if '${res}/*' is present, must not specify ${rs}`));
    if (subWildRes.has(sub)) errs.push(field.invalid(index(path, i), rs, `if '*/${sub}' is present, must not specify ${rs}`));
    if (sub === '*') resWildSub.add(res);
    if (res === '*') subWildRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(field.invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSub) errs.push(field.invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

const SCOPES = ['*', 'Cluster', 'Namespaced'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];

/** validateRuleWithOperations (subresources allowed). */
export function validateRuleWithOperations(rule: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = strings(isObj(rule) ? rule.operations : undefined);
  if (ops.length === 0) errs.push(field.required(child(path, 'operations')));
  if (ops.length > 1 && hasWildcard(ops)) errs.push(field.invalid(child(path, 'operations'), ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(field.notSupported(index(child(path, 'operations'), i), op, OPERATIONS));
  });
  const r: Obj = isObj(rule) ? rule : {};
  const groups = strings(r.apiGroups);
  if (groups.length === 0) errs.push(field.required(child(path, 'apiGroups')));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(field.invalid(child(path, 'apiGroups'), groups, "if '*' is present, must not specify other API groups"));
  const versions = strings(r.apiVersions);
  if (versions.length === 0) errs.push(field.required(child(path, 'apiVersions')));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(field.invalid(child(path, 'apiVersions'), versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => { if (v === '') errs.push(field.required(index(child(path, 'apiVersions'), i))); });
  errs.push(...validateResources(strings(r.resources), child(path, 'resources')));
  if (isSet(r.scope) && !SCOPES.includes(String(r.scope))) errs.push(field.notSupported(child(path, 'scope'), r.scope, SCOPES));
  return errs;
}

function validateNamedRule(rule: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  strings(isObj(rule) ? rule.resourceNames : undefined).forEach((n, i) => {
    for (const msg of isPathSegmentName(n)) errs.push(field.invalid(index(child(path, 'resourceNames'), i), n, msg));
    if (seen.has(n)) errs.push(field.duplicate(index(child(path, 'resourceNames'), i), n));
    seen.add(n);
  });
  return errs.concat(validateRuleWithOperations(rule, path));
}

const MATCH_POLICIES = ['Equivalent', 'Exact'];

/** validateMatchResources (selectors validated strictly). */
export function validateMatchResources(m: unknown, path: string): FieldError[] {
  if (!isObj(m)) return [];
  const errs: FieldError[] = [];
  if (!isSet(m.matchPolicy)) errs.push(field.required(child(path, 'matchPolicy')));
  else if (!MATCH_POLICIES.includes(String(m.matchPolicy))) errs.push(field.notSupported(child(path, 'matchPolicy'), m.matchPolicy, MATCH_POLICIES));
  for (const sel of ['namespaceSelector', 'objectSelector']) {
    if (!isSet(m[sel])) errs.push(field.required(child(path, sel)));
    else errs.push(...validateLabelSelector(m[sel] as LabelSelectorSpec, child(path, sel)));
  }
  (arrAt(m, 'resourceRules') ?? []).forEach((r, i) => errs.push(...validateNamedRule(r, index(child(path, 'resourceRules'), i))));
  (arrAt(m, 'excludeResourceRules') ?? []).forEach((r, i) => errs.push(...validateNamedRule(r, index(child(path, 'excludeResourceRules'), i))));
  return errs;
}

// ---- paramKind / paramRef ----

export function validateParamKind(pk: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = strAt(pk, 'apiVersion');
  const kind = strAt(pk, 'kind');
  if (!apiVersion) errs.push(field.required(child(path, 'apiVersion')));
  else if ((apiVersion.match(/\//g) ?? []).length > 1) errs.push(field.invalid(child(path, 'apiVersion'), apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
  else {
    const slash = apiVersion.indexOf('/');
    const group = apiVersion === '/' ? '' : slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion === '/' ? '' : slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    if (group) {
      const e = isDNS1123Subdomain(group);
      if (e.length) errs.push(field.invalid(child(path, 'apiVersion'), group, e.join(',')));
    }
    if (!version) errs.push(field.invalid(child(path, 'apiVersion'), apiVersion, 'version must be specified'));
    else {
      const e = isDNS1035Label(version);
      if (e.length) errs.push(field.invalid(child(path, 'apiVersion'), version, e.join(',')));
    }
  }
  if (!kind) errs.push(field.required(child(path, 'kind')));
  else {
    const e = isDNS1035Label(kind.toLowerCase());
    if (e.length) errs.push(field.invalid(child(path, 'kind'), kind, `may have mixed case, but should otherwise match: ${e.join(',')}`));
  }
  return errs;
}

export function validateParamRef(pr: unknown, path: string): FieldError[] {
  if (!isObj(pr)) return [];
  const errs: FieldError[] = [];
  const name = strAt(pr, 'name');
  const hasSelector = isSet(pr.selector);
  if (name) {
    for (const msg of isPathSegmentName(name)) errs.push(field.invalid(child(path, 'name'), name, msg));
    if (hasSelector) errs.push(field.forbidden(child(path, 'name'), 'name and selector are mutually exclusive'));
  }
  if (hasSelector) {
    errs.push(...validateLabelSelector(pr.selector as LabelSelectorSpec, child(path, 'selector')));
    if (name) errs.push(field.forbidden(child(path, 'selector'), 'name and selector are mutually exclusive'));
  }
  if (!name && !hasSelector) errs.push(field.required(path, 'one of name or selector must be specified'));
  const action = strAt(pr, 'parameterNotFoundAction');
  if (!action) errs.push(field.required(child(path, 'parameterNotFoundAction')));
  else if (action !== 'Deny' && action !== 'Allow') errs.push(field.notSupported(child(path, 'parameterNotFoundAction'), action, ['Deny', 'Allow']));
  return errs;
}

// ---- CEL expressions of a policy ----

const CEL_IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
export const isCELIdentifier = (name: string): boolean => CEL_IDENT.test(name) && !CEL_RESERVED.has(name);

const hasNewlines = (s: string): boolean => /[\n\r]/.test(s);

/** Compiles one expression for validation: kube's Invalid with the compiler's detail. */
export function celErrors(path: string, expression: string, vars: ReadonlyMap<string, CelT>, want: CelT, opts: CheckOptions = {}): FieldError[] {
  const r = compilePolicyExpression(expression, vars, want, opts);
  return r.ok ? [] : [field.invalid(path, expression, r.detail)];
}

/** validateMatchConditions: at most 64, each a named bool expression (with the authorizer, as kube compiles them). */
export function validateMatchConditions(conds: unknown[] | undefined, hasParams: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = conds ?? [];
  if (list.length > 64) errs.push(field.tooMany(path, list.length, 64));
  const names = new Set<string>();
  const vars = policyVars({ hasParams, hasAuthorizer: true });
  list.forEach((c, i) => {
    const p = index(path, i);
    const expr = strAt(c, 'expression').trim();
    if (!expr) errs.push(field.required(child(p, 'expression')));
    else errs.push(...celErrors(child(p, 'expression'), expr, vars, T.bool));
    const name = strAt(c, 'name');
    if (!name) errs.push(field.required(child(p, 'name')));
    else for (const msg of isQualifiedName(name)) errs.push(field.invalid(child(p, 'name'), name, msg));
    if (name) {
      if (names.has(name)) errs.push(field.duplicate(child(p, 'name'), name));
      names.add(name);
    }
  });
  return errs;
}

/**
 * validateVariable for each variable, composing as kube's CompositedCompiler does: a variable sees
 * the ones before it. Returns the declared variables (name -> type) for the expressions after them.
 */
export function validateVariables(vs: unknown[] | undefined, hasParams: boolean, path: string, errs: FieldError[]): Map<string, CelT> {
  const declared = new Map<string, CelT>();
  (vs ?? []).forEach((v, i) => {
    const p = index(path, i);
    const name = strAt(v, 'name');
    const expr = strAt(v, 'expression');
    if (name.trim() === '') errs.push(field.required(child(p, 'name'), 'name is not specified'));
    else if (!isCELIdentifier(name)) errs.push(field.invalid(child(p, 'name'), name, 'must be a valid CEL identifier'));
    if (expr.trim() === '') {
      errs.push(field.required(child(p, 'expression'), 'expression is not specified'));
      return;
    }
    const r = compilePolicyExpression(expr, policyVars({ hasParams, variables: declared, hasAuthorizer: true }), T.dyn);
    if (!r.ok) errs.push(field.invalid(child(p, 'expression'), expr, r.detail));
    // a variable that does not compile is still declared (as dyn), as kube stores it
    if (name) declared.set(name, r.ok ? r.value.output : T.dyn);
  });
  return declared;
}

/** supportedValidationPolicyReason (Unauthorized is a reason kube answers with, but no policy may name it). */
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];

/** validateValidation. */
export function validateValidation(v: unknown, vars: ReadonlyMap<string, CelT>, messageVars: ReadonlyMap<string, CelT>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const expr = strAt(v, 'expression');
  const msg = strAt(v, 'message');
  const msgExpr = strAt(v, 'messageExpression');
  if (expr.trim() === '') errs.push(field.required(child(path, 'expression'), 'expression is not specified'));
  else errs.push(...celErrors(child(path, 'expression'), expr, vars, T.bool));
  if (msgExpr.length > 0 && msgExpr.trim() === '') errs.push(field.invalid(child(path, 'messageExpression'), msgExpr, 'must be non-empty if specified'));
  else if (msgExpr.trim() !== '') errs.push(...celErrors(child(path, 'messageExpression'), msgExpr, messageVars, T.string));
  if (msg.length > 0 && msg.trim() === '') errs.push(field.invalid(child(path, 'message'), msg, 'must be non-empty if specified'));
  else if (hasNewlines(msg.trim())) errs.push(field.invalid(child(path, 'message'), msg, 'must not contain line breaks'));
  const reason = isObj(v) ? v.reason : undefined;
  if (isSet(reason) && !REASONS.includes(String(reason))) errs.push(field.notSupported(child(path, 'reason'), reason, REASONS));
  return errs;
}

const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_VALUE_EXPRESSION_LENGTH = 5 * 1024;

/** The audit annotations of a policy (keys unique, qualified with the policy's name). */
export function validateAuditAnnotations(list: unknown[] | undefined, policy: KubeObject, vars: ReadonlyMap<string, CelT>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!list) return errs;
  if (list.length > MAX_AUDIT_ANNOTATIONS) errs.push(field.invalid(path, list, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  list.forEach((a, i) => {
    const p = index(path, i);
    const key = strAt(a, 'key');
    const name = policy.metadata.name ?? '';
    if (name) for (const m of isQualifiedName(`${name}/${key}`)) errs.push(field.invalid(child(p, 'key'), `${name}/${key}`, m));
    else errs.push(field.invalid(child(p, 'key'), key, 'requires metadata.name be non-empty'));
    const ve = strAt(a, 'valueExpression');
    const trimmed = ve.trim();
    if (!trimmed) errs.push(field.required(child(p, 'valueExpression'), 'valueExpression is not specified'));
    else if (trimmed.length > MAX_AUDIT_VALUE_EXPRESSION_LENGTH) errs.push(field.required(child(p, 'valueExpression'), `must not exceed ${MAX_AUDIT_VALUE_EXPRESSION_LENGTH} bytes in length`));
    else {
      const r = compilePolicyExpression(trimmed, vars, T.dyn);
      if (!r.ok) errs.push(field.invalid(child(p, 'valueExpression'), ve, r.detail));
      else if (!['string', 'null_type', 'dyn'].includes(r.value.output.kind)) {
        errs.push(field.invalid(child(p, 'valueExpression'), ve, `must evaluate to one of [string null_type] but got ${r.value.output.kind}`));
      }
    }
    if (keys.has(key)) errs.push(field.duplicate(child(p, 'key'), key));
    keys.add(key);
  });
  return errs;
}

const ACTIONS = ['Audit', 'Deny', 'Warn'];

export function validateValidationActions(actions: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = strings(actions);
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(field.notSupported(index(path, i), a, ACTIONS));
    if (seen.has(a)) errs.push(field.duplicate(index(path, i), a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) errs.push(field.invalid(path, list, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  if (list.length === 0) errs.push(field.required(path, 'at least one validation action is required'));
  return errs;
}

/** The binding's policyName: required, a DNS subdomain. */
export function validatePolicyName(name: string, path: string): FieldError[] {
  if (!name) return [field.required(path)];
  return nameIsDNSSubdomain(name, false).map((msg) => field.invalid(path, name, msg));
}

export const FAILURE_POLICIES = ['Fail', 'Ignore'];

// ---- wire shapes (Go field order, omitempty) ----

export function shapeLabelSelector(sel: unknown): void {
  if (!isObj(sel)) return;
  omitEmpty(sel, 'matchLabels', 'matchExpressions');
  sortMapKeys(sel, 'matchLabels');
  for (const e of arrAt(sel, 'matchExpressions') ?? []) {
    if (!isObj(e)) continue;
    omitEmpty(e, 'values');
    orderKeys(e, ['key', 'operator', 'values']);
  }
  orderKeys(sel, ['matchLabels', 'matchExpressions']);
}

function shapeRule(r: unknown): void {
  if (!isObj(r)) return;
  omitEmpty(r, 'resourceNames', 'operations', 'apiGroups', 'apiVersions', 'resources');
  orderKeys(r, ['resourceNames', 'operations', 'apiGroups', 'apiVersions', 'resources', 'scope']);
}

export function shapeMatchResources(m: unknown): void {
  if (!isObj(m)) return;
  shapeLabelSelector(m.namespaceSelector);
  shapeLabelSelector(m.objectSelector);
  for (const r of arrAt(m, 'resourceRules') ?? []) shapeRule(r);
  for (const r of arrAt(m, 'excludeResourceRules') ?? []) shapeRule(r);
  omitEmpty(m, 'resourceRules', 'excludeResourceRules');
  orderKeys(m, ['namespaceSelector', 'objectSelector', 'resourceRules', 'excludeResourceRules', 'matchPolicy']);
}

export function shapeParamRef(pr: unknown): void {
  if (!isObj(pr)) return;
  omitEmpty(pr, 'name', 'namespace', 'parameterNotFoundAction');
  shapeLabelSelector(pr.selector);
  orderKeys(pr, ['name', 'namespace', 'selector', 'parameterNotFoundAction']);
}

/** Lists of small structs: drop their empty omitempty fields and order them. */
export function shapeList(list: unknown, order: string[], omit: string[] = order): void {
  for (const x of Array.isArray(list) ? list : []) {
    if (!isObj(x)) continue;
    omitEmpty(x, ...omit);
    orderKeys(x, order);
  }
}

/** The binding table's ParamRef cell. */
export function paramRefCell(b: KubeObject): string {
  const pr = objAt(b.spec, 'paramRef');
  if (!pr) return '<unset>';
  const name = strAt(pr, 'name');
  if (name) return `${strAt(pr, 'namespace') || '*'}/${name}`;
  if (isSet(pr.selector)) return goLabelSelectorString(pr.selector);
  return '<unset>';
}

/** metav1.LabelSelector's generated String() (what kube's printer shows for a selector paramRef). */
function goLabelSelectorString(sel: unknown): string {
  const labels = objAt(sel, 'matchLabels') ?? {};
  const keys = Object.keys(labels).sort(goStringCompare);
  const ml = `map[string]string{${keys.map((k) => `${k}: ${String(labels[k])},`).join('')}}`;
  const exprs = (arrAt(sel, 'matchExpressions') ?? []).map((e) =>
    `LabelSelectorRequirement{Key:${strAt(e, 'key')},Operator:${strAt(e, 'operator')},Values:[${strings(isObj(e) ? e.values : undefined).join(' ')}],},`);
  return `&LabelSelector{MatchLabels:${ml},MatchExpressions:[]LabelSelectorRequirement{${exprs.join('')}},}`;
}

// ---- what ValidatingAdmissionPolicy and MutatingAdmissionPolicy (and their bindings) share ----
// kube's two policy kinds are validated, shaped and printed alike but for their own lists
// (validations / mutations) and the mutating kind's operations; these keep that logic in one place.

/**
 * The start of validateValidatingAdmissionPolicySpec and validateMutatingAdmissionPolicySpec, the same
 * in both: failurePolicy, paramKind, matchConstraints (at least one resourceRule, which gives the
 * expressions their types; `constraints` adds a kind's own checks after it), matchConditions (unless
 * an update left them and paramKind unchanged) and variables. Returns what the kind's own
 * expressions are compiled with.
 */
export function validatePolicySpecCommon(
  spec: Obj, ignoreMatchConditions: boolean, errs: FieldError[], constraints?: (m: Obj) => FieldError[],
): { hasParams: boolean; variables: Map<string, CelT> } {
  const fp = spec.failurePolicy;
  if (fp === undefined || fp === null) errs.push(field.required('spec.failurePolicy'));
  else if (!FAILURE_POLICIES.includes(String(fp))) errs.push(field.notSupported('spec.failurePolicy', fp, FAILURE_POLICIES));
  const hasParams = isObj(spec.paramKind);
  if (hasParams) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!isObj(spec.matchConstraints)) errs.push(field.required('spec.matchConstraints'));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    if (lenOf(spec.matchConstraints.resourceRules) === 0) errs.push(field.required('spec.matchConstraints.resourceRules'));
    if (constraints) errs.push(...constraints(spec.matchConstraints));
  }
  if (!ignoreMatchConditions) errs.push(...validateMatchConditions(arrAt(spec, 'matchConditions'), hasParams, 'spec.matchConditions'));
  const variables = validateVariables(arrAt(spec, 'variables'), hasParams, 'spec.variables', errs);
  return { hasParams, variables };
}

/** ignore*AdmissionPolicyMatchConditions: unchanged paramKind and matchConditions are not checked again. */
export function matchConditionsUnchanged(p: KubeObject, old: KubeObject): boolean {
  return semanticEqual(objAt(p.spec, 'paramKind'), objAt(old.spec, 'paramKind'))
    && semanticEqual(arrAt(p.spec, 'matchConditions'), arrAt(old.spec, 'matchConditions'));
}

/** Both policy kinds' defaults: failurePolicy Fail and the match constraints' defaults. */
export function defaultPolicySpec(p: KubeObject): void {
  const spec = ensureObj(p, 'spec');
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) spec.failurePolicy = 'Fail';
  defaultMatchResources(spec.matchConstraints);
}

export function shapeParamKind(spec: Obj): void {
  if (!isObj(spec.paramKind)) return;
  omitEmpty(spec.paramKind, 'apiVersion', 'kind');
  orderKeys(spec.paramKind, ['apiVersion', 'kind']);
}

/** Policies and bindings alike: generation 1 on create, one more whenever an update changes the spec. */
export function bumpGenerationOnSpecChange(o: KubeObject, old: KubeObject): void {
  const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
  if (!jsonEqual(o.spec, old.spec)) o.metadata.generation = oldGen + 1;
}

/** The policy table: Name, the count of the kind's own list (Validations / Mutations), ParamKind, Age. */
export function policyTable(countColumn: string, countDescription: string, countField: string): TableConvertor {
  return {
    columns: [
      nameColumn(),
      column(countColumn, 'integer', countDescription),
      column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
      ageColumn(),
    ],
    cells(p, now) {
      const pk = objAt(p.spec, 'paramKind');
      return [
        p.metadata.name ?? '', lenOf(arrAt(p.spec, countField)),
        pk ? `${strAt(pk, 'apiVersion')}/${strAt(pk, 'kind')}` : '<unset>',
        translateTimestampSince(p.metadata.creationTimestamp, now),
      ];
    },
  };
}

/** The spec parts both binding kinds share. */
export function validateBindingSpec(b: KubeObject): FieldError[] {
  return validatePolicyName(strAt(b.spec, 'policyName'), 'spec.policyName')
    .concat(validateParamRef((b.spec as Record<string, unknown> | undefined)?.paramRef, 'spec.paramRef'))
    .concat(validateMatchResources((b.spec as Record<string, unknown> | undefined)?.matchResources, 'spec.matchResources'));
}

function shapeBindingSpec(b: KubeObject, order: string[]): void {
  const spec = ensureObj(b, 'spec');
  shapeParamRef(spec.paramRef);
  shapeMatchResources(spec.matchResources);
  omitEmpty(spec, 'policyName', 'validationActions');
  orderKeys(spec, order);
  orderKeys(b, ['kind', 'apiVersion', 'metadata', 'spec']);
}

/** The binding table of both binding kinds (kube's texts, typos included). */
const bindingTable: TableConvertor = {
  columns: [
    nameColumn(),
    column('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    column('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn(),
  ],
  cells: (b: KubeObject, now: Date): unknown[] =>
    [b.metadata.name ?? '', strAt(b.spec, 'policyName'), paramRefCell(b), translateTimestampSince(b.metadata.creationTimestamp, now)],
};

/** Both binding kinds' strategy: they differ only in their spec's key order and their own checks. */
export function bindingStrategy(order: string[], validate: (b: KubeObject) => FieldError[]): Strategy {
  return {
    validateName: nameIsDNSSubdomain,
    applyDefaults(b) {
      defaultMatchResources(ensureObj(b, 'spec').matchResources);
      shapeBindingSpec(b, order);
    },
    prepareForCreate(b) {
      b.metadata.generation = 1;
    },
    validate: (b) => validate(b),
    canonicalize: (b) => shapeBindingSpec(b, order),
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate: bumpGenerationOnSpecChange,
    validateUpdate: (b) => validate(b),
    table: bindingTable,
  };
}
