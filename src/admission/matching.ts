// Which requests an admission configuration applies to, as kube's webhook predicates and policy
// matcher decide it (admission/plugin/webhook/predicates/{rules,namespace,object} and
// admission/plugin/policy/matching): rules (operations, apiGroups, apiVersions, resources with
// subresources, scope), resourceNames, excludeResourceRules, namespaceSelector, objectSelector and
// matchPolicy Equivalent. Shared by admission policies and webhooks; it knows nothing of either.

import { labelSelectorFromMeta, type LabelSelector, type MetaLabelSelector } from '../apimachinery/labels.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { AdmissionAttributes } from '../registry/admission.js';
import type { ResourceType } from '../registry/types.js';

/** admissionregistration RuleWithOperations (with NamedRuleWithOperations' resourceNames). */
export interface RuleWithOperations {
  operations?: string[] | null;
  apiGroups?: string[] | null;
  apiVersions?: string[] | null;
  resources?: string[] | null;
  scope?: string | null;
  resourceNames?: string[] | null;
}

export interface MatchResources {
  namespaceSelector?: MetaLabelSelector | null;
  objectSelector?: MetaLabelSelector | null;
  resourceRules?: RuleWithOperations[] | null;
  excludeResourceRules?: RuleWithOperations[] | null;
  matchPolicy?: string | null;
}

/** The resource a rule is matched against: the request's, or an equivalent one (matchPolicy Equivalent). */
export interface MatchedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
}

export interface MatchInput {
  attrs: AdmissionAttributes;
  /** Labels of the request's namespace (undefined: the namespace does not exist). */
  namespaceLabels(): Promise<Record<string, string> | undefined>;
  /** Other served versions of the same resource (same storage), for matchPolicy Equivalent. */
  equivalents?(type: ResourceType): readonly ResourceType[];
}

export type MatchResult = { matches: false; error?: string } | { matches: true; resource: MatchedResource };

const asResource = (t: ResourceType): MatchedResource => ({ group: t.group, version: t.version, resource: t.resource, kind: t.kind });

const exactOrWildcard = (items: readonly string[] | null | undefined, requested: string): boolean =>
  (items ?? []).some((i) => i === '*' || i === requested);

const isNamespaceResource = (r: MatchedResource): boolean => r.group === '' && r.version === 'v1' && r.resource === 'namespaces';

/** rules.Matcher.Matches for one resource. */
export function ruleMatches(rule: RuleWithOperations, attrs: AdmissionAttributes, r: MatchedResource): boolean {
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && (isNamespaceResource(r) || attrs.namespace === '')) return false;
  if (scope === 'Cluster' && !(isNamespaceResource(r) || attrs.namespace === '')) return false;
  if (scope !== '*' && scope !== 'Namespaced' && scope !== 'Cluster') return false;
  if (!(rule.operations ?? []).some((op) => op === '*' || op === attrs.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, r.group) || !exactOrWildcard(rule.apiVersions, r.version)) return false;
  return (rule.resources ?? []).some((rs) => {
    const slash = rs.indexOf('/');
    const res = slash < 0 ? rs : rs.slice(0, slash);
    const sub = slash < 0 ? '' : rs.slice(slash + 1);
    return (res === '*' || res === r.resource) && (sub === '*' || sub === attrs.subresource);
  });
}

const nameMatches = (rule: RuleWithOperations, name: string): boolean =>
  !rule.resourceNames?.length || rule.resourceNames.includes(name);

/** matchesResourceRules: the request's resource first, then (Equivalent) its other versions. */
function matchesRules(rules: readonly RuleWithOperations[], policy: string | null | undefined, input: MatchInput): MatchedResource | undefined {
  const { attrs } = input;
  const own = asResource(attrs.type);
  for (const rule of rules) if (ruleMatches(rule, attrs, own) && nameMatches(rule, attrs.name)) return own;
  if (policy === 'Exact' || !input.equivalents) return undefined;
  const others = input.equivalents(attrs.type).filter((t) => t !== attrs.type);
  for (const rule of rules) {
    for (const t of others) {
      const r = asResource(t);
      if (ruleMatches(rule, attrs, r) && nameMatches(rule, attrs.name)) return r;
    }
  }
  return undefined;
}

/** Compiled selectors are cached per MatchResources object (policies and webhooks are read-only once indexed). */
const selectors = new WeakMap<object, { ns: LabelSelector | string; obj: LabelSelector | string }>();

function compile(sel: MetaLabelSelector | null | undefined): LabelSelector | string {
  try {
    // a nil selector in a stored object was defaulted to {}: everything
    return labelSelectorFromMeta(sel ?? {});
  } catch (e) {
    return (e as Error).message;
  }
}

function selectorsOf(m: MatchResources): { ns: LabelSelector | string; obj: LabelSelector | string } {
  let s = selectors.get(m);
  if (!s) selectors.set(m, (s = { ns: compile(m.namespaceSelector), obj: compile(m.objectSelector) }));
  return s;
}

const labelsOf = (o: KubeObject | undefined): Record<string, string> | undefined =>
  (o?.metadata?.labels ?? undefined) as Record<string, string> | undefined;

/** object.Matcher: the new or the old object's labels match (either is enough). */
export function objectSelectorMatches(sel: LabelSelector, attrs: AdmissionAttributes): boolean {
  if (sel.empty) return true;
  return (!!attrs.object && sel.matches(labelsOf(attrs.object) ?? {})) || (!!attrs.oldObject && sel.matches(labelsOf(attrs.oldObject) ?? {}));
}

/** namespace.Matcher: cluster-scoped requests (other than namespaces themselves) always match. */
async function namespaceSelectorMatches(sel: LabelSelector, input: MatchInput): Promise<boolean | string> {
  const { attrs } = input;
  const isNamespace = attrs.type.group === '' && attrs.type.resource === 'namespaces';
  if (attrs.namespace === '' && !isNamespace) return true;
  if (sel.empty) return true;
  // a namespace being created or updated is matched by its own (new) labels
  if (isNamespace && !attrs.subresource && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) {
    return sel.matches(labelsOf(attrs.object) ?? {});
  }
  const labels = await input.namespaceLabels();
  if (labels === undefined) return `namespaces "${isNamespace ? attrs.name : attrs.namespace}" not found`;
  return sel.matches(labels);
}

/**
 * matching.Matcher.Matches: selectors, then excludeResourceRules, then resourceRules (none: every
 * resource). Returns the matched resource (an equivalent one under matchPolicy Equivalent), or an
 * error text for what could not be decided (a broken selector, a missing namespace).
 */
export async function matchResources(m: MatchResources, input: MatchInput): Promise<MatchResult> {
  const { ns, obj } = selectorsOf(m);
  let nsErr: string | undefined;
  if (typeof ns === 'string') nsErr = ns;
  else {
    const r = await namespaceSelectorMatches(ns, input);
    if (r === false) return { matches: false };
    if (typeof r === 'string') nsErr = r;
  }
  let objErr: string | undefined;
  if (typeof obj === 'string') objErr = obj;
  else if (!objectSelectorMatches(obj, input.attrs)) return { matches: false };
  if (m.excludeResourceRules?.length && matchesRules(m.excludeResourceRules, m.matchPolicy, input)) return { matches: false };
  const matched = m.resourceRules?.length ? matchesRules(m.resourceRules, m.matchPolicy, input) : asResource(input.attrs.type);
  if (!matched) return { matches: false };
  if (nsErr ?? objErr) return { matches: false, error: nsErr ?? objErr };
  return { matches: true, resource: matched };
}

/** rules.IsExemptAdmissionConfigurationResource: admission configuration is never subject to itself. */
export function isExemptAdmissionConfiguration(type: ResourceType): boolean {
  return type.group === 'admissionregistration.k8s.io' && [
    'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  ].includes(type.kind);
}

/** The served versions of a resource in a set of types: those stored in the same place. */
export function equivalentsIn(all: readonly ResourceType[], type: ResourceType): ResourceType[] {
  return all.filter((t) => t.storage.group === type.storage.group && t.storage.resource === type.storage.resource);
}
