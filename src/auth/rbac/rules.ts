// Matching of one RBAC PolicyRule against one request, as kube's RBAC authorizer does it
// (plugin/pkg/auth/authorizer/rbac: RuleAllows and its VerbMatches, APIGroupMatches,
// ResourceMatches, ResourceNameMatches, NonResourceURLMatches). Pure functions: the per-cluster
// index and the authorizer build on these.

import type { RequestInfo } from '../../apiserver/requestinfo.js';

/** rbac.authorization.k8s.io/v1 PolicyRule (fields absent in stored objects read as empty). */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/**
 * "*" matches every resource and subresource; "*\/sub" a subresource of any resource;
 * otherwise the exact "res" or "res/sub". kube has no "res/*" form: such a rule matches only a
 * subresource literally named "*", and granting more here would widen what kube's rules grant.
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource === '') continue;
    if (r.length === 2 + subresource.length && r === `*/${subresource}`) return true;
  }
  return false;
}

/** An empty resourceNames list matches every name (and requests without one, like list). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return names.includes(name);
}

/** An entry ending in "*" is a prefix; "*" alone matches every path. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    // kube trims every trailing "*" (strings.TrimRight), not just one
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** kube's RuleAllows: resource rules only match resource requests, URL rules only non-resource ones. */
export function ruleAllows(info: RequestInfo, rule: PolicyRule): boolean {
  if (info.kind === 'resource') {
    const combined = info.subresource === '' ? info.resource : `${info.resource}/${info.subresource}`;
    return verbMatches(rule, info.verb) && apiGroupMatches(rule, info.group) &&
      resourceMatches(rule, combined, info.subresource) && resourceNameMatches(rule, info.name);
  }
  return verbMatches(rule, info.verb) && nonResourceURLMatches(rule, info.path);
}

export function rulesAllow(info: RequestInfo, rules: readonly PolicyRule[] | undefined): boolean {
  return (rules ?? []).some((r) => ruleAllows(info, r));
}
