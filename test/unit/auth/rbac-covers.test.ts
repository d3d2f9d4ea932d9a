// The escalation check's rule comparison, with cases of kube's policy_comparator_test.go and
// ConfirmNoEscalation's message format.

import { describe, expect, it } from 'vitest';
import { compactRules, compactString, escalationError, uncovered } from '../../../src/auth/rbac/covers.js';
import type { PolicyRule } from '../../../src/auth/rbac/rules.js';

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

describe('rule coverage (kube Covers)', () => {
  it('covers exact and star matches', () => {
    expect(uncovered([r(['*'], ['*'], ['*'])], [r(['get', 'delete'], ['', 'apps'], ['pods', 'deployments'])])).toEqual([]);
    expect(uncovered([r(['get', 'list'], [''], ['pods'])], [r(['get'], [''], ['pods'])])).toEqual([]);
  });

  it('lists every uncovered single verb, group, resource and name', () => {
    expect(uncovered([r(['get'], [''], ['pods'])], [r(['get', 'delete'], [''], ['pods', 'secrets'])])).toEqual([
      r(['delete'], [''], ['pods']), r(['get'], [''], ['secrets']), r(['delete'], [''], ['secrets']),
    ]);
  });

  it('treats resourceNames as kube does: an owner restricted by name covers only those names', () => {
    expect(uncovered([r(['get'], [''], ['pods'], ['a'])], [r(['get'], [''], ['pods'])])).toEqual([r(['get'], [''], ['pods'])]);
    expect(uncovered([r(['get'], [''], ['pods'], ['a', 'b'])], [r(['get'], [''], ['pods'], ['a'])])).toEqual([]);
    expect(uncovered([r(['get'], [''], ['pods'])], [r(['get'], [''], ['pods'], ['x'])])).toEqual([]);
  });

  it('covers subresources by */sub, but not a resource by its subresources', () => {
    expect(uncovered([r(['get'], [''], ['*/status'])], [r(['get'], [''], ['pods/status'])])).toEqual([]);
    expect(uncovered([r(['get'], [''], ['pods/status'])], [r(['get'], [''], ['pods'])])).toHaveLength(1);
  });

  it('covers non-resource URLs by prefix', () => {
    expect(uncovered([{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/foo'] }])).toEqual([]);
    expect(uncovered([{ verbs: ['get'], nonResourceURLs: ['/apis'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/foo'] }])).toHaveLength(1);
    expect(uncovered([r(['*'], ['*'], ['*'])], [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }])).toHaveLength(1);
  });
});

describe("ConfirmNoEscalation's message", () => {
  it('compacts simple rules per resource and sorts the lines', () => {
    expect(compactRules([r(['get'], [''], ['secrets']), r(['list'], [''], ['secrets']), r(['get'], ['apps'], ['deployments'], ['d'])]))
      .toEqual([r(['get', 'list'], [''], ['secrets']), r(['get'], ['apps'], ['deployments'], ['d'])]);
    expect(compactString(r(['get', 'list'], [''], ['secrets']))).toBe('{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
    expect(compactString({ verbs: ['get'], nonResourceURLs: ['/x'] })).toBe('{NonResourceURLs:["/x"], Verbs:["get"]}');
    expect(escalationError({ username: 'bob', groups: ['devs', 'system:authenticated'] }, [r(['get'], [''], ['configmaps'])],
      [r(['get', 'list'], [''], ['secrets', 'configmaps'])])).toBe(
      'user "bob" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["list"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
    expect(escalationError({ username: 'a', groups: [] }, [r(['*'], ['*'], ['*'])], [r(['get'], [''], ['pods'])])).toBeUndefined();
  });
});
