// kube's audit policy (--audit-policy-file): an audit.k8s.io/v1 Policy in YAML or JSON, decoded
// and validated as kube-apiserver's policy reader (LoadPolicyFromBytes, ValidatePolicy) does, and
// evaluated as its policy checker (k8s.io/apiserver/pkg/audit/policy/checker.go): the FIRST rule
// whose every field matches decides the level; no rule matching means None. Rules see the
// request as kube's authorizer attributes see it; inside a logical cluster, paths and namespaces
// are the cluster's own (a rule for "/healthz*" or namespace "kube-system" applies in every
// cluster). The format is kube's, unextended: the cluster is recorded on each event (event.ts).
//
// kube decodes the file leniently (its universal decoder ignores unknown fields): so does kplane,
// but it reports them as warnings, since a misspelt field (`namespace:` for `namespaces:`) widens
// a rule silently.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { aggregateMessage, field, fieldErrorString, type FieldError } from '../apimachinery/errors.js';
import { isDNS1123Subdomain } from '../apimachinery/validation.js';
import type { RequestInfo } from '../apiserver/requestinfo.js';
import type { UserInfo } from '../registry/types.js';

export const AUDIT_GROUP = 'audit.k8s.io';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export const LEVELS: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const STAGES: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  /** Overrides the policy's omitManagedFields when set. */
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What the policy decides for one request (kube's RequestAuditConfig). */
export interface RequestAuditConfig {
  level: Level;
  omitStages: Stage[];
  omitManagedFields: boolean;
}

/** A request as the policy sees it (kube's authorizer.Attributes): the authenticated user (none when authentication failed). */
export interface AuditAttributes {
  user?: UserInfo;
  /** kube's audit verb: get, list, watch, create, update, patch, delete, deletecollection; the lowercase method otherwise. */
  verb: string;
  resource?: { group: string; resource: string; subresource: string; namespace: string; name: string };
  /** The path of a non-resource request (below the cluster prefix). */
  path?: string;
}

export class AuditPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditPolicyError';
  }
}

/** kube's audit verb of a resolved request: HEAD reads as GET does (kube's RequestInfoFactory). */
export function auditVerb(info: RequestInfo): string {
  if (info.kind === 'resource' && info.verb === 'head') return info.name ? 'get' : 'list';
  return info.verb;
}

export function attributesOf(info: RequestInfo, user: UserInfo | undefined): AuditAttributes {
  if (info.kind === 'nonresource') return { user, verb: auditVerb(info), path: info.path };
  return {
    user,
    verb: auditVerb(info),
    resource: { group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name },
  };
}

// ---- decoding ----

type Fields = Record<string, Shape>;
type Shape = 'string' | 'bool' | 'strings' | 'object' | { list: Fields } | { fields: Fields };
const GROUP_RESOURCES: Fields = { group: 'string', resources: 'strings', resourceNames: 'strings' };
const RULE: Fields = {
  level: 'string', users: 'strings', userGroups: 'strings', verbs: 'strings', resources: { list: GROUP_RESOURCES },
  namespaces: 'strings', nonResourceURLs: 'strings', omitStages: 'strings', omitManagedFields: 'bool',
};
const POLICY: Fields = {
  apiVersion: 'string', kind: 'string', metadata: 'object', rules: { list: RULE }, omitStages: 'strings', omitManagedFields: 'bool',
};

function goType(s: Shape): string {
  if (s === 'string' || s === 'bool') return s;
  if (s === 'strings') return '[]string';
  return typeof s === 'object' && 'list' in s ? '[]object' : 'object';
}

/** Checks value types (kube's decoder fails on these) and collects unknown fields (it ignores those). */
function check(v: unknown, s: Shape, path: string, unknown: string[]): void {
  if (v === null || v === undefined) return; // null is Go's zero value
  const wrong = () => {
    throw new AuditPolicyError(`failed decoding: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ${path} of type ${goType(s)}`);
  };
  const isObject = typeof v === 'object' && !Array.isArray(v);
  if (s === 'string') return void (typeof v === 'string' || wrong());
  if (s === 'bool') return void (typeof v === 'boolean' || wrong());
  // metadata (ObjectMeta) is taken as it is
  if (s === 'object') return void (isObject || wrong());
  if (s === 'strings' || 'list' in s) {
    if (!Array.isArray(v)) return wrong();
    v.forEach((x, i) => check(x, s === 'strings' ? 'string' : { fields: s.list }, `${path}[${i}]`, unknown));
    return;
  }
  if (!isObject) return wrong();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const f = s.fields[k];
    if (f === undefined) unknown.push(p);
    else check(x, f, p, unknown);
  }
}

const nonEmpty = <T>(l: T[] | null | undefined): T[] | undefined => (l && l.length ? l : undefined);

/** Decodes and validates a policy file's text; throws kube's errors, returns the unknown fields as warnings. */
export function parseAuditPolicy(text: string): { policy: Policy; warnings: string[] } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AuditPolicyError(`failed decoding: error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AuditPolicyError('failed decoding: Object \'Kind\' is missing in the policy');
  const o = doc as Record<string, unknown>;
  if (typeof o.kind !== 'string' || !o.kind) throw new AuditPolicyError(`failed decoding: Object 'Kind' is missing in '${JSON.stringify(doc)}'`);
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) throw new AuditPolicyError(`failed decoding: Object 'apiVersion' is missing in '${JSON.stringify(doc)}'`);
  // kube-apiserver reads audit.k8s.io/v1 only (v1alpha1 and v1beta1 were removed in 1.24)
  if (o.apiVersion !== `${AUDIT_GROUP}/v1` || o.kind !== 'Policy') {
    throw new AuditPolicyError(`failed decoding: no kind "${o.kind}" is registered for version "${o.apiVersion}" (expected apiVersion ${AUDIT_GROUP}/v1, kind Policy)`);
  }
  const unknown: string[] = [];
  check(doc, { fields: POLICY }, '', unknown);
  const raw = o as { rules?: (PolicyRule | null)[] | null; omitStages?: Stage[] | null; omitManagedFields?: boolean | null };
  const policy: Policy = {
    rules: (raw.rules ?? []).map((r) => {
      const rule = r ?? ({} as PolicyRule);
      return {
        level: (rule.level ?? '') as Level,
        users: nonEmpty(rule.users), userGroups: nonEmpty(rule.userGroups), verbs: nonEmpty(rule.verbs),
        resources: nonEmpty(rule.resources)?.map((g) => ({
          group: g?.group ?? '', resources: nonEmpty(g?.resources), resourceNames: nonEmpty(g?.resourceNames),
        })),
        namespaces: nonEmpty(rule.namespaces), nonResourceURLs: nonEmpty(rule.nonResourceURLs), omitStages: nonEmpty(rule.omitStages),
        omitManagedFields: rule.omitManagedFields ?? undefined,
      };
    }),
    omitStages: nonEmpty(raw.omitStages),
    omitManagedFields: raw.omitManagedFields ?? false,
  };
  const errs = validatePolicy(policy);
  if (errs.length) throw new AuditPolicyError(aggregateMessage(errs.map(fieldErrorString)));
  if (policy.rules.length === 0) throw new AuditPolicyError('loaded illegal policy with 0 rules');
  return { policy, warnings: unknown.map((p) => `unknown field "${p}" (ignored)`) };
}

/** kube's LoadPolicyFromFile. */
export async function loadAuditPolicy(path: string): Promise<{ policy: Policy; warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AuditPolicyError(`failed to read file path ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  try {
    return parseAuditPolicy(text);
  } catch (e) {
    throw new AuditPolicyError(`${(e as Error).message}: from file ${path}`);
  }
}

// ---- validation (k8s.io/apiserver/pkg/apis/audit/validation) ----

export function validatePolicy(policy: Policy): FieldError[] {
  const errs: FieldError[] = [];
  policy.rules.forEach((r, i) => validateRule(r, `rules[${i}]`, errs));
  // kube validates the policy-wide omitStages only through the rules they are merged into; an
  // unknown stage there would silently never match, so it is refused too
  validateOmitStages(policy.omitStages, 'omitStages', errs);
  return errs;
}

function validateRule(rule: PolicyRule, path: string, errs: FieldError[]): void {
  if (rule.level === ('' as Level)) errs.push(field.required(`${path}.level`));
  else if (!LEVELS.includes(rule.level)) errs.push(field.notSupported(`${path}.level`, rule.level, [...LEVELS]));
  (rule.nonResourceURLs ?? []).forEach((url, i) => {
    if (url === '*') return;
    const p = `${path}.nonResourceURLs[${i}]`;
    if (!url.startsWith('/')) errs.push(field.invalid(p, url, "non-resource URL rules must begin with a '/' character"));
    if (url !== '' && url.slice(0, -1).includes('*')) errs.push(field.invalid(p, url, "non-resource URL wildcards '*' must be the final character of the rule"));
  });
  for (const gr of rule.resources ?? []) {
    // (kube's field paths here carry no index)
    if (gr.group) {
      const msgs = isDNS1123Subdomain(gr.group);
      if (msgs.length) errs.push(field.invalid(`${path}.resources.group`, gr.group, msgs.join(',')));
    }
    if (gr.resourceNames?.length && !gr.resources?.length) {
      errs.push(field.invalid(`${path}.resources.resourceNames`, gr.resourceNames, 'using resourceNames requires at least one resource'));
    }
  }
  validateOmitStages(rule.omitStages, `${path}.omitStages`, errs);
  if (rule.nonResourceURLs?.length && (rule.resources?.length || rule.namespaces?.length)) {
    errs.push(field.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
  }
}

function validateOmitStages(stages: Stage[] | undefined, path: string, errs: FieldError[]): void {
  (stages ?? []).forEach((s, i) => {
    if (!STAGES.includes(s)) errs.push(field.invalid(`${path}[${i}]`, s, `allowed stages are ${STAGES.join(',')}`));
  });
}

// ---- evaluation (kube's policyRuleEvaluator) ----

export class PolicyChecker {
  private readonly rules: PolicyRule[];
  private readonly omitStages: Stage[];
  private readonly omitManagedFields: boolean;

  constructor(policy: Policy) {
    this.omitStages = [...new Set(policy.omitStages ?? [])];
    this.omitManagedFields = policy.omitManagedFields ?? false;
    // a rule omits its own stages and the policy's (kube's NewChecker unions them once)
    this.rules = policy.rules.map((r) => ({ ...r, omitStages: [...new Set([...this.omitStages, ...(r.omitStages ?? [])])] }));
  }

  evaluate(attrs: AuditAttributes): RequestAuditConfig {
    for (const rule of this.rules) {
      if (ruleMatches(rule, attrs)) {
        return { level: rule.level, omitStages: rule.omitStages!, omitManagedFields: rule.omitManagedFields ?? this.omitManagedFields };
      }
    }
    return { level: 'None', omitStages: this.omitStages, omitManagedFields: this.omitManagedFields };
  }
}

function ruleMatches(r: PolicyRule, attrs: AuditAttributes): boolean {
  const user = attrs.user;
  // a rule naming users or groups never matches a request whose authentication failed
  if (r.users && (!user || !r.users.includes(user.username))) return false;
  if (r.userGroups && (!user || !user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs && !r.verbs.includes(attrs.verb)) return false;
  if (r.namespaces || r.resources) return ruleMatchesResource(r, attrs);
  if (r.nonResourceURLs) return ruleMatchesNonResource(r, attrs);
  return true;
}

function ruleMatchesNonResource(r: PolicyRule, attrs: AuditAttributes): boolean {
  if (attrs.resource || attrs.path === undefined) return false;
  const path = attrs.path;
  return r.nonResourceURLs!.some((spec) => spec === '*' || spec === path
    || (spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''))));
}

function ruleMatchesResource(r: PolicyRule, attrs: AuditAttributes): boolean {
  const a = attrs.resource;
  if (!a) return false;
  // cluster-scoped resources have the namespace ""
  if (r.namespaces && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== a.group) continue;
    if (!gr.resources) return true;
    if (gr.resourceNames && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}
