import { describe, expect, it } from 'vitest';
import { matchResources, ruleMatches } from '../../../src/admission/matching.js';
import type { AdmissionAttributes } from '../../../src/registry/admission.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';

const attrs = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE', type: configmaps, subresource: '', namespace: 'default', name: 'x', dryRun: false,
  ctx: { cluster: 'root' as ClusterName, namespace: 'default', user: { username: 'u', groups: [] }, now: new Date(), warnings: [] },
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { app: 'a' } } },
  ...over,
});
const cm = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' };
const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' };

describe('admission matching', () => {
  it('rules: operations, resources with subresources, scope', () => {
    expect(ruleMatches(rule, attrs(), cm)).toBe(true);
    expect(ruleMatches(rule, attrs({ operation: 'UPDATE' }), cm)).toBe(false);
    expect(ruleMatches({ ...rule, resources: ['configmaps/status'] }, attrs(), cm)).toBe(false);
    expect(ruleMatches({ ...rule, resources: ['*/status'] }, attrs({ subresource: 'status' }), cm)).toBe(true);
    expect(ruleMatches({ ...rule, scope: 'Cluster' }, attrs(), cm)).toBe(false);
    expect(ruleMatches({ ...rule, scope: 'Namespaced' }, attrs(), cm)).toBe(true);
  });

  it('selectors, resourceNames and excludeResourceRules', async () => {
    const input = (a: AdmissionAttributes) => ({ attrs: a, namespaceLabels: async () => ({ team: 'x' }) });
    expect((await matchResources({ resourceRules: [rule], objectSelector: { matchLabels: { app: 'a' } } }, input(attrs()))).matches).toBe(true);
    expect((await matchResources({ resourceRules: [rule], objectSelector: { matchLabels: { app: 'b' } } }, input(attrs()))).matches).toBe(false);
    expect((await matchResources({ resourceRules: [rule], namespaceSelector: { matchLabels: { team: 'y' } } }, input(attrs()))).matches).toBe(false);
    expect((await matchResources({ resourceRules: [{ ...rule, resourceNames: ['other'] }] }, input(attrs()))).matches).toBe(false);
    expect((await matchResources({ resourceRules: [rule], excludeResourceRules: [rule] }, input(attrs()))).matches).toBe(false);
  });
});
