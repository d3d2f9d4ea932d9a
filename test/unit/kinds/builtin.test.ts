import { describe, expect, it } from 'vitest';
import { builtinResources } from '../../../src/registry/builtin.js';
import { apiVersionOfType } from '../../../src/registry/types.js';

describe('builtinResources', () => {
  it('lists every built-in kind once', () => {
    const keys = builtinResources.map((t) => `${t.group}/${t.version}/${t.resource}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual([
      '/v1/configmaps', '/v1/endpoints', '/v1/events', '/v1/limitranges', '/v1/namespaces', '/v1/resourcequotas', '/v1/secrets',
      '/v1/serviceaccounts', '/v1/services',
      'admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      'admissionregistration.k8s.io/v1/validatingadmissionpolicies', 'admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
      'admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
      'admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies', 'admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicybindings',
      'apiextensions.k8s.io/v1/customresourcedefinitions',
      'authentication.k8s.io/v1/selfsubjectreviews', 'authentication.k8s.io/v1/tokenreviews',
      'authorization.k8s.io/v1/localsubjectaccessreviews', 'authorization.k8s.io/v1/selfsubjectaccessreviews',
      'authorization.k8s.io/v1/selfsubjectrulesreviews', 'authorization.k8s.io/v1/subjectaccessreviews',
      'certificates.k8s.io/v1/certificatesigningrequests',
      'coordination.k8s.io/v1/leases', 'discovery.k8s.io/v1/endpointslices', 'events.k8s.io/v1/events',
      'rbac.authorization.k8s.io/v1/clusterrolebindings', 'rbac.authorization.k8s.io/v1/clusterroles',
      'rbac.authorization.k8s.io/v1/rolebindings', 'rbac.authorization.k8s.io/v1/roles',
      'tenancy.kplane.io/v1alpha1/workspaces',
    ]);
  });
  it('has consistent metadata', () => {
    for (const t of builtinResources) {
      expect(t.listKind).toBe(`${t.kind}List`);
      expect(t.singularName).toBe(t.kind.toLowerCase());
      expect(t.resource).toMatch(/^[a-z]+$/);
      expect(t.strategy.status !== undefined, t.resource).toBe(t.subresources.includes('status'));
      // Only events.k8s.io/v1 is served in a form other than its storage form.
      if (t.toStorage) expect(apiVersionOfType(t)).not.toBe(t.storage.apiVersion);
      else expect(t.storage).toEqual({ group: t.group, resource: t.resource, apiVersion: apiVersionOfType(t), kind: t.kind });
      expect(!!t.toStorage).toBe(!!t.fromStorage);
    }
  });
  it('resources sharing a storage agree on it', () => {
    const core = builtinResources.find((t) => t.group === '' && t.resource === 'events')!;
    const v1 = builtinResources.find((t) => t.group === 'events.k8s.io')!;
    expect(v1.storage).toEqual(core.storage);
  });
});
