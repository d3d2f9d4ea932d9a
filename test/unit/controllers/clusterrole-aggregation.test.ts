// The aggregation computation of the clusterrole-aggregation controller, and the bootstrap
// templates that depend on it: admin/edit/view must already hold what the controller computes,
// or every logical cluster would get its own copies.

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { aggregateRules, rulesEqual, type PolicyRule } from '../../../src/controllers/clusterrole-aggregation.js';
import { bootstrapTemplates } from '../../../src/tenancy/bootstrap.js';

const role = (name: string, labels: Record<string, string>, rules: PolicyRule[] | undefined, selectors?: (Record<string, unknown> | null)[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
  metadata: { name, labels },
  ...(rules ? { rules } : {}),
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}),
});
const r = (resource: string, verbs = ['get']): PolicyRule => ({ apiGroups: [''], resources: [resource], verbs });

describe('aggregateRules', () => {
  it('is undefined for a role without aggregationRule', () => {
    expect(aggregateRules(role('plain', {}, [r('pods')]), [])).toBeUndefined();
  });

  it('takes selectors in order, matching roles by name, each rule once, skipping the role itself', () => {
    const agg = role('agg', { a: 'x', b: 'y' }, [r('self')], [{ matchLabels: { b: 'y' } }, { matchLabels: { a: 'x' } }]);
    const all = [
      agg,
      role('zeta', { a: 'x' }, [r('z'), r('shared')]),
      role('alpha', { a: 'x' }, [r('a1'), r('shared')]),
      role('beta', { b: 'y' }, [r('b'), { verbs: ['get'], resources: ['a1'], apiGroups: [''] }]),
      role('other', { c: 'z' }, [r('nope')]),
    ];
    expect(aggregateRules(agg, all)).toEqual([r('b'), r('a1'), r('shared'), r('z')]);
  });

  it('treats nil and empty lists alike when deduplicating and comparing', () => {
    const agg = role('agg', {}, undefined, [{ matchLabels: { p: 'q' } }]);
    const all = [
      agg,
      role('one', { p: 'q' }, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: [] }]),
      role('two', { p: 'q' }, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]),
    ];
    expect(aggregateRules(agg, all)).toHaveLength(1);
    expect(rulesEqual([], undefined)).toBe(true);
    expect(rulesEqual([r('x')], [{ verbs: ['get'], resources: ['x'], apiGroups: [''], nonResourceURLs: null } as PolicyRule])).toBe(true);
    expect(rulesEqual([r('x'), r('y')], [r('y'), r('x')])).toBe(false);
  });

  it('an empty selector (or a null entry) selects every other role; matchExpressions work', () => {
    const all = [role('a', {}, [r('a')]), role('b', { t: '1' }, [r('b')])];
    expect(aggregateRules(role('agg', {}, undefined, [{}]), all)).toEqual([r('a'), r('b')]);
    expect(aggregateRules(role('agg', {}, undefined, [null]), all)).toEqual([r('a'), r('b')]);
    expect(aggregateRules(role('agg', {}, undefined, [{ matchExpressions: [{ key: 't', operator: 'DoesNotExist' }] }]), all)).toEqual([r('a')]);
  });

  it('yields no rules when nothing matches', () => {
    expect(aggregateRules(role('agg', {}, [r('old')], [{ matchLabels: { none: 'x' } }]), [])).toEqual([]);
  });
});

describe('bootstrap aggregated roles', () => {
  const roles = bootstrapTemplates('CA').forResource('rbac.authorization.k8s.io/clusterroles')!.map((t) => t.body);

  it('admin, edit and view hold exactly what the controller computes from the bootstrap roles', () => {
    const aggregatedRoles = roles.filter((x) => x.aggregationRule);
    expect(aggregatedRoles.map((x) => x.metadata.name).sort()).toEqual(['admin', 'edit', 'view']);
    for (const agg of aggregatedRoles) {
      const computed = aggregateRules(agg, roles)!;
      expect(computed, agg.metadata.name).toEqual(agg.rules);
      expect(rulesEqual(computed, agg.rules as PolicyRule[]), agg.metadata.name).toBe(true);
    }
  });

  it('nests like kube: edit aggregates into admin, view into edit', () => {
    const byName = new Map(roles.map((x) => [x.metadata.name!, x]));
    expect(byName.get('edit')!.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' });
    expect(byName.get('view')!.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' });
    const rulesOf = (n: string) => byName.get(n)!.rules as PolicyRule[];
    expect(rulesOf('admin').slice(0, rulesOf('edit').length)).toEqual(rulesOf('edit'));
    expect(rulesOf('edit').slice(-rulesOf('view').length)).toEqual(rulesOf('view'));
  });
});
