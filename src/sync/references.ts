// Reference rules (issue 11): before the syncer copies a tenant's object into the shared management
// cluster, every field that names another object is made safe, so that no tenant can point at another
// tenant's objects or at the provider's own. A PublishedResource lists its rules (spec.references); the
// presets at the end of this file are examples the provider copies from.
//
// A rule names one field by a dotted path and says what happens to it:
//   Rewrite  a namespace name: a value listed in `namespaces` becomes its downstream value (a shared
//            namespace of the provider, e.g. "capi-classes"); any other value is a namespace of the
//            tenant's workspace and becomes its mapped namespace (ctx.mapNamespace), or, with
//            `otherwise: Refuse`, is refused. Absent, null and "" stay as they are (by kube's convention an
//            empty namespace in a reference is the referrer's own, which downstream is the mapped one; for
//            a field where "" means something else, use Refuse). Any other non-string is an error.
//   Force    sets `value`, creating parent objects (never list elements).
//   Default  sets `value` only where the field is absent (or null).
//   Refuse   any present value that is not in `allowed` is an error.
//   Strip    deletes the field.
//
// Paths: field names separated by dots, `[*]` after a field for every element of a list, and `["key"]`
// (a JSON string) for a key that has dots or slashes: `spec.resourceRefs[*].namespace`,
// `metadata.annotations["crossplane.io/external-name"]`. Under `[*]`, elements that are not objects have
// no such field: Rewrite, Refuse and Strip pass them over, Force and Default refuse them (a value that
// must be set cannot be). Likewise a parent of the wrong type (a string where an object is expected):
// the field is absent for Rewrite, Refuse and Strip, and an error for Force and Default. A path may end in
// `[*]` for Rewrite and Refuse (a list of namespace names, each element checked). The syncer owns
// metadata: only metadata.labels.<key> and metadata.annotations.<key> may be named; apiVersion and kind
// never.
//
// Rules apply in order, each to the result of the ones before. Pure: the object given is never changed;
// the result is a copy, or every error found (with the concrete path, `spec.resourceRefs[2].namespace`),
// for a condition and Event a tenant can act on.

import { field, type FieldError } from '../apimachinery/errors.js';
import { goQuote } from '../apimachinery/gofmt.js';
import { deepCopy } from '../apimachinery/object.js';
import { isDNS1123Label } from '../apimachinery/validation.js';

export type ReferenceAction = 'Rewrite' | 'Force' | 'Default' | 'Refuse' | 'Strip';
export const REFERENCE_ACTIONS: readonly ReferenceAction[] = ['Rewrite', 'Force', 'Default', 'Refuse', 'Strip'];
export type RewriteOtherwise = 'MapNamespace' | 'Refuse';
const OTHERWISE: readonly RewriteOtherwise[] = ['MapNamespace', 'Refuse'];

export interface ReferenceRule {
  /** Dotted JSON path; `[*]` for every element of a list; `["a.b/c"]` for a key with dots or slashes. */
  path: string;
  action: ReferenceAction;
  /** Force/Default: the value set (any JSON). */
  value?: unknown;
  /** Rewrite: tenant value -> downstream value, checked first (e.g. {"capi-classes": "capi-classes"}). */
  namespaces?: Record<string, string>;
  /** Rewrite: any other value is a tenant namespace mapped with ctx.mapNamespace (default), or refused. */
  otherwise?: RewriteOtherwise;
  /** Refuse: values that are allowed (absent: any present value is refused). */
  allowed?: unknown[];
}

export interface ReferenceContext {
  /**
   * The downstream namespace of a namespace of the tenant's workspace. `undefined` when the tenant may
   * not name it (e.g. it is no namespace of the workspace): the reference is refused.
   */
  mapNamespace(tenantNamespace: string): string | undefined;
}

export type ReferenceResult = { ok: true; object: Record<string, unknown> } | { ok: false; errors: FieldError[] };

export const REFUSE_MESSAGE = "may not be set: the provider's objects and other tenants' objects cannot be referenced";

// ---- paths ----

type Step = { kind: 'field'; name: string; quoted: boolean } | { kind: 'each' };

const NAME = /^[A-Za-z0-9_$-]+$/;

/** The steps of a path, or why it is ill-formed. */
export function parseReferencePath(path: string): Step[] | string {
  if (path === '') return 'must not be empty';
  const steps: Step[] = [];
  let i = 0;
  let expectName = true; // at the start and after a dot
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      if (expectName) return steps.length === 0 ? 'must start with a field name' : `"[" at ${i} must follow a field name, not a dot`;
      if (path.startsWith('[*]', i)) {
        steps.push({ kind: 'each' });
        i += 3;
        continue;
      }
      if (path[i + 1] !== '"') return `at ${i}: expected [*] or ["key"]`;
      let j = i + 2;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      if (j >= path.length || path[j + 1] !== ']') return `at ${i}: unterminated ["key"]`;
      let key: unknown;
      try {
        key = JSON.parse(path.slice(i + 1, j + 1));
      } catch {
        return `at ${i}: the key is not a JSON string`;
      }
      if (typeof key !== 'string' || key === '') return `at ${i}: the key must not be empty`;
      steps.push({ kind: 'field', name: key, quoted: true });
      i = j + 2;
      continue;
    }
    if (c === '.') {
      if (expectName) return i === 0 ? 'must start with a field name' : `empty field name at ${i}`;
      expectName = true;
      i++;
      continue;
    }
    if (!expectName) return `at ${i}: expected ".", "[*]" or ["key"]`;
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    const name = path.slice(i, j);
    if (!NAME.test(name)) return `field name ${goQuote(name)} may only have letters, digits, "_", "$" and "-" (use ["key"] for others)`;
    steps.push({ kind: 'field', name, quoted: false });
    expectName = false;
    i = j;
  }
  if (expectName) return 'must not end with a dot';
  return steps;
}

function stepString(s: Step): string {
  if (s.kind === 'each') return '[*]';
  return s.quoted ? `[${s.name}]` : `.${s.name}`;
}

/** Why a well-formed path may not be named by a rule with this action, if it may not. */
function pathForbidden(steps: Step[], action: ReferenceAction | undefined): string | undefined {
  const first = steps[0];
  if (first.kind !== 'field') return 'must start with a field name';
  if (first.name === 'apiVersion' || first.name === 'kind') return 'the syncer owns apiVersion and kind';
  if (first.name === 'metadata') {
    const second = steps[1];
    if (steps.length !== 3 || second.kind !== 'field' || (second.name !== 'labels' && second.name !== 'annotations')
      || steps[2].kind !== 'field') {
      return 'the syncer owns metadata: only metadata.labels.<key> and metadata.annotations.<key> may be named';
    }
  }
  if (steps[steps.length - 1].kind === 'each' && action !== undefined && action !== 'Rewrite' && action !== 'Refuse') {
    return `may end in [*] only for Rewrite and Refuse (${action} names a field of each element)`;
  }
  return undefined;
}

// ---- JSON helpers ----

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** Sets an own data property: safe for "__proto__" and friends. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

function isJSON(v: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((e) => isJSON(e, depth + 1));
  if (isObject(v)) {
    const proto = Object.getPrototypeOf(v);
    return (proto === Object.prototype || proto === null) && Object.values(v).every((e) => isJSON(e, depth + 1));
  }
  return false;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((e, i) => jsonEqual(e, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

// ---- applying ----

/**
 * Applies the rules in order to a copy of obj. The rules must have passed validateReferenceRules; an
 * ill-formed rule throws (a provider's mistake, not the tenant's).
 */
export function applyReferenceRules(obj: Record<string, unknown>, rules: readonly ReferenceRule[], ctx: ReferenceContext): ReferenceResult {
  const out = deepCopy(obj);
  const errors: FieldError[] = [];
  rules.forEach((rule, i) => {
    const steps = parseReferencePath(rule.path);
    const bad = typeof steps === 'string' ? steps : pathForbidden(steps, rule.action);
    if (typeof steps === 'string' || bad) throw new Error(`reference rule ${i} (${JSON.stringify(rule.path)}): path ${bad}`);
    if (!REFERENCE_ACTIONS.includes(rule.action)) throw new Error(`reference rule ${i}: unknown action ${JSON.stringify(rule.action)}`);
    applyRule(out, steps, rule, ctx, errors);
  });
  return errors.length ? { ok: false, errors } : { ok: true, object: out };
}

function applyRule(root: Record<string, unknown>, steps: Step[], rule: ReferenceRule, ctx: ReferenceContext, errors: FieldError[]): void {
  const sets = rule.action === 'Force' || rule.action === 'Default';
  const lastEach = steps.map((s) => s.kind).lastIndexOf('each');

  // (container, key): the slot reached by steps[0..i]; at: its concrete path
  const visit = (container: Record<string, unknown> | unknown[], key: string | number, i: number, at: string): void => {
    const inList = Array.isArray(container);
    const get = (): unknown => inList ? (container as unknown[])[key as number] : own(container as Record<string, unknown>, key as string);
    const set = (v: unknown): void => {
      if (inList) (container as unknown[])[key as number] = v;
      else setOwn(container as Record<string, unknown>, key as string, v);
    };
    if (i === steps.length - 1) {
      atValue(get(), set, () => { if (!inList) delete (container as Record<string, unknown>)[key as string]; }, at);
      return;
    }
    const next = steps[i + 1];
    let v = get();
    if (next.kind === 'each') {
      if (v === undefined || v === null) return; // never create list elements
      if (!Array.isArray(v)) {
        if (sets) errors.push(field.invalid(at, v, 'must be a list'));
        return;
      }
      const list = v;
      list.forEach((_, n) => visit(list, n, i + 1, `${at}[${n}]`));
      return;
    }
    if ((v === undefined || v === null) && !inList) {
      // a parent is created only when the value can then be set: not above a list, which would be absent
      if (!sets || lastEach > i) return;
      v = {};
      set(v);
    }
    if (!isObject(v)) {
      // a list element is never created, a null one neither
      if (sets) errors.push(field.invalid(at, v ?? null, 'must be an object'));
      return;
    }
    visit(v, next.name, i + 1, at + stepString(next));
  };

  const atValue = (v: unknown, set: (v: unknown) => void, del: () => void, at: string): void => {
    switch (rule.action) {
      case 'Force':
        set(deepCopy(rule.value));
        return;
      case 'Default':
        if (v === undefined || v === null) set(deepCopy(rule.value));
        return;
      case 'Strip':
        if (v !== undefined) del();
        return;
      case 'Refuse':
        if (v === undefined || v === null) return;
        if (rule.allowed?.some((a) => jsonEqual(a, v))) return;
        errors.push(field.forbidden(at, REFUSE_MESSAGE));
        return;
      case 'Rewrite': {
        if (v === undefined || v === null || v === '') return;
        if (typeof v !== 'string') {
          errors.push(field.invalid(at, v, 'must be a namespace name (a string)'));
          return;
        }
        const listed = rule.namespaces ?? {};
        if (Object.hasOwn(listed, v)) {
          set(listed[v]);
          return;
        }
        const refuse = () => errors.push(field.forbidden(at, `may not name namespace ${goQuote(v)}: ${allowedNamespaces(rule)}`));
        if (rule.otherwise === 'Refuse') {
          refuse();
          return;
        }
        const msgs = isDNS1123Label(v);
        if (msgs.length) {
          errors.push(field.invalid(at, v, `must be a namespace name: ${msgs.join(', ')}`));
          return;
        }
        const mapped = ctx.mapNamespace(v);
        if (mapped === undefined) refuse();
        else set(mapped);
        return;
      }
    }
  };

  const first = steps[0];
  if (first.kind !== 'field') return;
  visit(root, first.name, 0, first.name);
}

function allowedNamespaces(rule: ReferenceRule): string {
  const listed = Object.keys(rule.namespaces ?? {}).map(goQuote);
  if (rule.otherwise !== 'Refuse') listed.push('a namespace of this workspace');
  if (listed.length === 0) return 'no namespace may be named here';
  return `only ${listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}`}`;
}

// ---- validation (PublishedResource spec.references) ----

/** Errors of a list of rules at `path` (e.g. "spec.references"); absent (undefined/null) is no rules. */
export function validateReferenceRules(rules: unknown, path: string): FieldError[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return [field.invalid(path, rules, 'must be a list of reference rules')];
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => errs.push(...validateReferenceRule(rule, `${path}[${i}]`)));
  return errs;
}

function validateReferenceRule(rule: unknown, p: string): FieldError[] {
  if (!isObject(rule)) return [field.invalid(p, rule, 'must be an object')];
  const errs: FieldError[] = [];
  const action = own(rule, 'action');
  let knownAction: ReferenceAction | undefined;
  if (action === undefined || action === null || action === '') errs.push(field.required(`${p}.action`));
  else if (typeof action !== 'string' || !REFERENCE_ACTIONS.includes(action as ReferenceAction)) {
    errs.push(field.notSupported(`${p}.action`, action, [...REFERENCE_ACTIONS]));
  } else knownAction = action as ReferenceAction;

  const path = own(rule, 'path');
  if (path === undefined || path === null || path === '') errs.push(field.required(`${p}.path`));
  else if (typeof path !== 'string') errs.push(field.invalid(`${p}.path`, path, 'must be a string'));
  else {
    const steps = parseReferencePath(path);
    if (typeof steps === 'string') errs.push(field.invalid(`${p}.path`, path, steps));
    else {
      const why = pathForbidden(steps, knownAction);
      if (why) errs.push(field.forbidden(`${p}.path`, why));
    }
  }

  const value = own(rule, 'value');
  if (knownAction === 'Force' || knownAction === 'Default') {
    if (value === undefined || value === null) errs.push(field.required(`${p}.value`, `${knownAction} sets this value (to remove a field, use Strip)`));
    else if (!isJSON(value)) errs.push(field.invalid(`${p}.value`, String(value), 'must be a JSON value'));
  } else if (value !== undefined && knownAction) {
    errs.push(field.forbidden(`${p}.value`, 'may only be set for Force and Default'));
  }

  const namespaces = own(rule, 'namespaces');
  const otherwise = own(rule, 'otherwise');
  if (knownAction === 'Rewrite') {
    if (namespaces !== undefined && namespaces !== null) {
      if (!isObject(namespaces)) errs.push(field.invalid(`${p}.namespaces`, namespaces, 'must be a map of namespace names'));
      else {
        for (const [k, v] of Object.entries(namespaces)) {
          const kmsgs = isDNS1123Label(k);
          if (kmsgs.length) errs.push(field.invalid(`${p}.namespaces`, k, `must be a namespace name: ${kmsgs.join(', ')}`));
          if (typeof v !== 'string') {
            errs.push(field.invalid(`${p}.namespaces[${k}]`, v, 'must be a namespace name (a string)'));
            continue;
          }
          const vmsgs = isDNS1123Label(v);
          if (vmsgs.length) errs.push(field.invalid(`${p}.namespaces[${k}]`, v, `must be a namespace name: ${vmsgs.join(', ')}`));
        }
      }
    }
    if (otherwise !== undefined && otherwise !== null && !OTHERWISE.includes(otherwise as RewriteOtherwise)) {
      errs.push(field.notSupported(`${p}.otherwise`, otherwise, [...OTHERWISE]));
    }
  } else if (knownAction) {
    if (namespaces !== undefined) errs.push(field.forbidden(`${p}.namespaces`, 'may only be set for Rewrite'));
    if (otherwise !== undefined) errs.push(field.forbidden(`${p}.otherwise`, 'may only be set for Rewrite'));
  }

  const allowed = own(rule, 'allowed');
  if (knownAction === 'Refuse') {
    if (allowed !== undefined && allowed !== null) {
      if (!Array.isArray(allowed)) errs.push(field.invalid(`${p}.allowed`, allowed, 'must be a list of values'));
      else allowed.forEach((a, n) => { if (!isJSON(a)) errs.push(field.invalid(`${p}.allowed[${n}]`, String(a), 'must be a JSON value')); });
    }
  } else if (allowed !== undefined && knownAction) {
    errs.push(field.forbidden(`${p}.allowed`, 'may only be set for Refuse'));
  }
  return errs;
}

// ---- presets: examples the provider copies into PublishedResources ----

/**
 * Cluster API Cluster (v1beta2: `spec.topology.classRef {name, namespace}`). A tenant may name the
 * provider's ClusterClass namespace (`classNamespace`, passed through as is) or one of its own
 * namespaces (mapped); any other value is taken as a namespace of its workspace and mapped too, so a
 * tenant that writes another tenant's downstream namespace lands in a namespace of its own.
 * `spec.topology.classNamespace` is v1beta1's form of the same reference; `spec.infrastructureRef` and
 * `spec.controlPlaneRef` carry a namespace in v1beta1 only (v1beta2's refs are same-namespace). All are
 * no-ops where absent.
 */
export function CLUSTER_API_CLUSTER_RULES(classNamespace: string): ReferenceRule[] {
  const shared = { [classNamespace]: classNamespace };
  return [
    { path: 'spec.topology.classRef.namespace', action: 'Rewrite', namespaces: { ...shared }, otherwise: 'MapNamespace' },
    { path: 'spec.topology.classNamespace', action: 'Rewrite', namespaces: { ...shared }, otherwise: 'MapNamespace' },
    { path: 'spec.infrastructureRef.namespace', action: 'Rewrite', otherwise: 'MapNamespace' },
    { path: 'spec.controlPlaneRef.namespace', action: 'Rewrite', otherwise: 'MapNamespace' },
  ];
}

/**
 * Crossplane v2 namespaced managed resources: `spec.providerConfigRef {name, kind}` must name a
 * namespaced ProviderConfig (in the tenant's mapped namespace), never a ClusterProviderConfig (the
 * provider's credentials), which is Crossplane's default kind. Provider-specific cross-resource
 * references (`spec.forProvider.<x>Ref.namespace`, `<x>Selector.namespace`) need Rewrite rules of
 * their own; and the `crossplane.io/external-name` annotation adopts any external resource the
 * ProviderConfig's credentials reach (Strip `metadata.annotations["crossplane.io/external-name"]`
 * where the credentials are shared).
 */
export const CROSSPLANE_MANAGED_RESOURCE_RULES: readonly ReferenceRule[] = Object.freeze([
  { path: 'spec.providerConfigRef.name', action: 'Default', value: 'default' },
  { path: 'spec.providerConfigRef.kind', action: 'Force', value: 'ProviderConfig' },
]);

/**
 * Crossplane v2 namespaced ProviderConfigs published to tenants: credentials of the tenant's own (a
 * Secret, which a related `direction: Down` entry with `namePath: spec.credentials.secretRef.name`
 * brings along) or none; InjectedIdentity, Environment and Filesystem would lend the tenant the
 * provider pod's own identity, as a ClusterProviderConfig would.
 */
export const CROSSPLANE_PROVIDER_CONFIG_RULES: readonly ReferenceRule[] = Object.freeze([
  { path: 'spec.credentials.source', action: 'Refuse', allowed: ['None', 'Secret'] },
]);

/**
 * Crossplane composite resources (v2: `spec.crossplane.resourceRefs`, written by Crossplane, naming the
 * composed resources) and claims (`spec.resourceRef`, naming a cluster-scoped XR): set by Crossplane
 * downstream, never by a tenant, who could otherwise make Crossplane adopt objects that are not its.
 */
export const CROSSPLANE_COMPOSITE_RULES: readonly ReferenceRule[] = Object.freeze([
  { path: 'spec.crossplane.resourceRefs', action: 'Strip' },
  { path: 'spec.resourceRef', action: 'Strip' },
]);
