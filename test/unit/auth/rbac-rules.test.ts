import { describe, expect, it } from 'vitest';
import { ruleAllows, resourceMatches, nonResourceURLMatches } from '../../../src/auth/rbac/rules.js';
import type { RequestInfo } from '../../../src/apiserver/requestinfo.js';

const res = (verb: string, resource: string, name = '', subresource = '', group = ''): RequestInfo => ({
  kind: 'resource', cluster: 'root:acme', prefix: group ? 'apis' : 'api', group, version: 'v1', namespace: 'ns',
  resource, name, subresource, verb: verb as never, extra: [],
}) as unknown as RequestInfo;
const url = (verb: string, path: string): RequestInfo => ({ kind: 'nonresource', cluster: 'root:acme', path, verb }) as unknown as RequestInfo;

describe('RBAC rule matching', () => {
  it('matches verbs, groups and resources exactly or by *', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] };
    expect(ruleAllows(res('get', 'configmaps'), rule)).toBe(true);
    expect(ruleAllows(res('list', 'configmaps'), rule)).toBe(false);
    expect(ruleAllows(res('get', 'secrets'), rule)).toBe(false);
    expect(ruleAllows(res('get', 'configmaps', '', '', 'apps'), rule)).toBe(false);
    expect(ruleAllows(res('delete', 'deployments', 'x', '', 'apps'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(true);
  });
  it('handles subresource forms', () => {
    expect(resourceMatches({ resources: ['*/status'] }, 'pods/status', 'status')).toBe(true);
    expect(resourceMatches({ resources: ['*/status'] }, 'pods/log', 'log')).toBe(false);
    // kube has no "res/*" wildcard: it matches a subresource named "*" only
    expect(resourceMatches({ resources: ['pods/*'] }, 'pods/log', 'log')).toBe(false);
    expect(resourceMatches({ resources: ['pods/*'] }, 'pods', '')).toBe(false);
    expect(resourceMatches({ resources: ['pods'] }, 'pods/log', 'log')).toBe(false);
    expect(resourceMatches({ resources: ['pods/log'] }, 'pods/log', 'log')).toBe(true);
  });
  it('honours resourceNames', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
    expect(ruleAllows(res('get', 'configmaps', 'a'), rule)).toBe(true);
    expect(ruleAllows(res('get', 'configmaps', 'b'), rule)).toBe(false);
    expect(ruleAllows(res('get', 'configmaps', ''), rule)).toBe(false);
  });
  it('matches non-resource URLs with trailing *, never resource requests', () => {
    expect(nonResourceURLMatches({ nonResourceURLs: ['/healthz/*'] }, '/healthz/etcd')).toBe(true);
    expect(nonResourceURLMatches({ nonResourceURLs: ['/healthz**'] }, '/healthzy')).toBe(true);
    expect(nonResourceURLMatches({ nonResourceURLs: ['/healthz'] }, '/healthz/etcd')).toBe(false);
    expect(ruleAllows(url('get', '/api'), { verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] })).toBe(true);
    expect(ruleAllows(url('access', '/'), { verbs: ['*'], nonResourceURLs: ['*'] })).toBe(true);
    expect(ruleAllows(url('get', '/api'), { verbs: ['get'], apiGroups: ['*'], resources: ['*'] })).toBe(false);
    expect(ruleAllows(res('get', 'pods'), { verbs: ['get'], nonResourceURLs: ['*'] })).toBe(false);
  });
});
