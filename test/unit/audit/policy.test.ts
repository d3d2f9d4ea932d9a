// The audit policy: decoding and validation as kube's policy reader, and the first-match checker
// on the example policy of kube's auditing documentation.

import { describe, expect, it } from 'vitest';
import { resolveRequestInfo } from '../../../src/apiserver/requestinfo.js';
import { attributesOf, parseAuditPolicy, PolicyChecker, type Policy } from '../../../src/audit/policy.js';
import type { UserInfo } from '../../../src/registry/types.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';

// kubernetes.io/docs/tasks/debug/debug-cluster/audit/: the example policy
const DOCS_POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - "RequestReceived"
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: ""
      resources: ["endpoints", "services"]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs:
    - "/api*"
    - "/version"
  - level: Request
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: ""
    - group: "extensions"
  - level: Metadata
    omitStages:
      - "ResponseStarted"
`;

const alice: UserInfo = { username: 'alice', groups: ['dev', 'system:authenticated'] };
const proxy: UserInfo = { username: 'system:kube-proxy', groups: ['system:authenticated'] };

function decide(policy: Policy, method: string, path: string, user: UserInfo | null = alice) {
  const [p, q] = path.split('?');
  const info = resolveRequestInfo(method, p!, new URLSearchParams(q ?? ''), 'root:acme' as ClusterName);
  return new PolicyChecker(policy).evaluate(attributesOf(info, user ?? undefined));
}

describe('audit policy checker (kube docs example)', () => {
  const { policy, warnings } = parseAuditPolicy(DOCS_POLICY);
  const level = (method: string, path: string, user: UserInfo | null = alice) => decide(policy, method, path, user).level;

  it('decodes without warnings', () => {
    expect(warnings).toEqual([]);
    expect(policy.rules).toHaveLength(9);
  });

  it('takes the first matching rule', () => {
    expect(level('GET', '/api/v1/namespaces/default/pods/web')).toBe('RequestResponse');
    // "pods" does not match its subresources; pods/log does
    expect(level('GET', '/api/v1/namespaces/default/pods/web/log')).toBe('Metadata');
    expect(level('PUT', '/api/v1/namespaces/default/pods/web/status')).toBe('Metadata');
    // pods/exec: neither pods nor pods/log; the core-group rule (no resources: every resource and subresource)
    expect(level('POST', '/api/v1/namespaces/default/pods/web/exec')).toBe('Request');
  });

  it('matches resourceNames', () => {
    expect(level('PUT', '/api/v1/namespaces/kube-system/configmaps/controller-leader')).toBe('None');
    expect(level('PUT', '/api/v1/namespaces/kube-system/configmaps/other')).toBe('Request');
    expect(level('PUT', '/api/v1/namespaces/default/configmaps/other')).toBe('Metadata');
    // a list has no name: resourceNames never match it
    expect(level('GET', '/api/v1/namespaces/kube-system/configmaps')).toBe('Request');
  });

  it('matches users and verbs together', () => {
    expect(level('GET', '/api/v1/services?watch=true', proxy)).toBe('None');
    expect(level('GET', '/api/v1/services', proxy)).toBe('Request');
    expect(level('GET', '/api/v1/services?watch=true', alice)).toBe('Request');
  });

  it('matches non-resource URLs with a trailing wildcard, for members of the group only', () => {
    expect(level('GET', '/api')).toBe('None');
    expect(level('GET', '/apis/apps/v1')).toBe('None');
    expect(level('GET', '/version')).toBe('None');
    expect(level('GET', '/versions')).toBe('Metadata');
    expect(level('GET', '/healthz')).toBe('Metadata');
    // a failed authentication has no user: rules naming groups do not apply
    expect(level('GET', '/api', null)).toBe('Metadata');
  });

  it('falls through to the other groups and the catch-all', () => {
    expect(level('GET', '/apis/extensions/v1beta1/namespaces/x/ingresses')).toBe('Request');
    expect(level('GET', '/apis/apps/v1/namespaces/x/deployments')).toBe('Metadata');
  });

  it('unions the policy omitStages with the rule ones', () => {
    const catchAll = decide(policy, 'GET', '/apis/apps/v1/namespaces/x/deployments');
    expect([...catchAll.omitStages].sort()).toEqual(['RequestReceived', 'ResponseStarted']);
    expect(decide(policy, 'GET', '/api/v1/namespaces/default/pods/web').omitStages).toEqual(['RequestReceived']);
  });
});

describe('audit policy matching details', () => {
  const policyOf = (rules: string) => parseAuditPolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n${rules}`).policy;

  it('matches */sub, res/* and * as kube does', () => {
    const p = policyOf(`
- level: RequestResponse
  resources: [{group: "apps", resources: ["*/scale"]}]
- level: Request
  resources: [{group: "", resources: ["pods/*"]}]
- level: Metadata
  resources: [{group: "rbac.authorization.k8s.io", resources: ["*"]}]
`);
    expect(decide(p, 'GET', '/apis/apps/v1/namespaces/a/deployments/d/scale').level).toBe('RequestResponse');
    expect(decide(p, 'GET', '/apis/apps/v1/namespaces/a/deployments/d').level).toBe('None');
    expect(decide(p, 'GET', '/api/v1/namespaces/a/pods/p/log').level).toBe('Request');
    // kube's "res/*" also matches the resource itself
    expect(decide(p, 'GET', '/api/v1/namespaces/a/pods/p').level).toBe('Request');
    expect(decide(p, 'GET', '/api/v1/namespaces/a/services/s').level).toBe('None');
    expect(decide(p, 'DELETE', '/apis/rbac.authorization.k8s.io/v1/clusterroles/x').level).toBe('Metadata');
  });

  it('selects cluster-scoped resources with the namespace ""', () => {
    const p = policyOf(`
- level: Request
  namespaces: [""]
- level: Metadata
  namespaces: ["prod"]
`);
    expect(decide(p, 'GET', '/api/v1/nodes').level).toBe('Request');
    expect(decide(p, 'GET', '/api/v1/namespaces/prod/configmaps').level).toBe('Metadata');
    expect(decide(p, 'GET', '/api/v1/namespaces/dev/configmaps').level).toBe('None');
    // a namespaces rule is for resources only
    expect(decide(p, 'GET', '/healthz').level).toBe('None');
  });

  it('audits HEAD as get or list, non-resource verbs as the lowercase method', () => {
    const p = policyOf(`
- level: Request
  verbs: ["get"]
- level: Metadata
  verbs: ["post"]
`);
    expect(decide(p, 'HEAD', '/api/v1/namespaces/a/configmaps/c').level).toBe('Request');
    expect(decide(p, 'POST', '/logs').level).toBe('Metadata');
  });

  it('lets a rule override omitManagedFields', () => {
    const p = parseAuditPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: true
rules:
- level: Request
  resources: [{group: ""}]
  omitManagedFields: false
- level: Request
`).policy;
    expect(decide(p, 'GET', '/api/v1/namespaces').omitManagedFields).toBe(false);
    expect(decide(p, 'GET', '/apis/apps/v1/deployments').omitManagedFields).toBe(true);
  });
});

describe('audit policy validation', () => {
  const load = (body: string) => () => parseAuditPolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${body}`);

  it('refuses what kube refuses, with its messages', () => {
    expect(load('rules:\n- users: [a]')).toThrow('rules[0].level: Required value');
    expect(load('rules:\n- level: Everything')).toThrow('rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"');
    expect(load('rules:\n- level: None\n  nonResourceURLs: ["healthz", "/a*b"]')).toThrow(
      '[rules[0].nonResourceURLs[0]: Invalid value: "healthz": non-resource URL rules must begin with a \'/\' character, '
      + 'rules[0].nonResourceURLs[1]: Invalid value: "/a*b": non-resource URL wildcards \'*\' must be the final character of the rule]');
    expect(load('rules:\n- level: None\n  nonResourceURLs: ["/x"]\n  namespaces: [a]')).toThrow('rules cannot apply to both regular resources and non-resource URLs');
    expect(load('rules:\n- level: None\n  resources: [{group: "rbac.authorization.k8s.io/v1"}]')).toThrow('rules[0].resources.group: Invalid value: "rbac.authorization.k8s.io/v1"');
    expect(load('rules:\n- level: None\n  resources: [{resourceNames: [x]}]')).toThrow('using resourceNames requires at least one resource');
    expect(load('rules:\n- level: None\n  omitStages: [Sometime]')).toThrow('rules[0].omitStages[0]: Invalid value: "Sometime": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic');
    expect(load('rules: []')).toThrow('loaded illegal policy with 0 rules');
    expect(load('rules:\n- level: None\n  users: alice')).toThrow('cannot unmarshal string into Go struct field rules[0].users of type []string');
    expect(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]')).toThrow('no kind "Policy" is registered for version "audit.k8s.io/v1beta1"');
    expect(() => parseAuditPolicy('kind: Policy\nrules: [{level: None}]')).toThrow("Object 'apiVersion' is missing");
  });

  it('ignores unknown fields as kube does, but says so', () => {
    const { policy, warnings } = parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata: {name: p}\nrules:\n- level: Metadata\n  namespace: [kube-system]\n');
    expect(warnings).toEqual(['unknown field "rules[0].namespace" (ignored)']);
    expect(policy.rules[0]!.namespaces).toBeUndefined();
  });
});
