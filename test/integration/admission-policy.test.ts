// ValidatingAdmissionPolicies end to end with the real kubectl, in two tenants' logical clusters
// and the provider's root: Deny with message, messageExpression and reason codes, Warn shown by
// kubectl as a warning, Audit and auditAnnotations in the audit log, match conditions and
// variables, params from a ConfigMap and from a custom resource, failurePolicy, the authorizer
// variable, status.typeChecking, who may point a policy at params, one tenant's policies never
// touching another tenant, and provider-wide policies from root ("Clusters must use a
// ClusterClass from the allowed list") bound everywhere or to label-selected workspaces, which
// tenants cannot see, change or bypass.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/event.js';
import { eventually, kubectl, machineKubectl, type KubectlResult, type TestKplane, startKplane } from '../helpers/kplane.js';

const bin = machineKubectl();
let t: TestKplane;
let dir: string;
let logPath: string;
let rootKc: string;
let acmeKc: string;
let betaKc: string;
let bobKc: string;
let teamKc: string;

const run = (kc: string, args: string[], input?: string): Promise<KubectlResult> => kubectl(bin, kc, args, input);

async function ok(kc: string, args: string[], input?: string): Promise<KubectlResult> {
  const r = await run(kc, args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

/** Applies YAML through kubectl. */
const apply = (kc: string, yaml: string) => ok(kc, ['apply', '-f', '-'], yaml);

/** Polls a server-side dry run until its answer satisfies pred (policies take effect through informers). */
async function until(kc: string, yaml: string, pred: (r: KubectlResult) => boolean, what: string): Promise<KubectlResult> {
  return eventually(async () => {
    const r = await run(kc, ['create', '--dry-run=server', '-f', '-'], yaml);
    return pred(r) ? r : undefined;
  }, 15_000, what);
}
const denied = (text: string) => (r: KubectlResult) => r.code !== 0 && r.stderr.includes(text);
const admitted = (r: KubectlResult) => r.code === 0;

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}, ns = 'default') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
  labels: ${JSON.stringify(labels)}
data: ${JSON.stringify(data)}
`;

const rules = (resources: string, group = '', versions = '["v1"]') =>
  `    resourceRules:\n    - {apiGroups: ["${group}"], apiVersions: ${versions}, operations: ["CREATE", "UPDATE"], resources: ["${resources}"]}`;

const binding = (name: string, policy: string, actions: string, extra = '') => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}
${extra}spec:
  policyName: ${policy}
  validationActions: ${actions}
`;

async function events(): Promise<AuditEvent[]> {
  const text = await readFile(logPath, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditEvent);
}

const CLUSTER_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clusters.cluster.x-k8s.io
spec:
  group: cluster.x-k8s.io
  scope: Namespaced
  names: {plural: clusters, singular: cluster, kind: Cluster, listKind: ClusterList}
  versions:
  - name: v1beta2
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              topology:
                type: object
                properties:
                  classRef:
                    type: object
                    properties:
                      name: {type: string}
                  controlPlane:
                    type: object
                    properties:
                      replicas: {type: integer}
`;

const capiCluster = (name: string, cls: string, replicas?: number) => `apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata:
  name: ${name}
  namespace: default
spec:
  topology:
    classRef: {name: ${cls}}
${replicas === undefined ? '' : `    controlPlane: {replicas: ${replicas}}\n`}`;

async function workspace(kc: string, name: string, labels: Record<string, string> = {}, admins = ''): Promise<void> {
  await apply(kc, `apiVersion: tenancy.kplane.io/v1alpha1
kind: Workspace
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
spec:
${admins || '  {}'}
`);
  await eventually(async () => (await run(kc, ['get', 'workspace', name, '-o', 'jsonpath={.status.phase}'])).stdout === 'Ready', 15_000, `${name} Ready`);
}

async function installCRD(kc: string): Promise<void> {
  await apply(kc, CLUSTER_CRD);
  await eventually(async () => (await run(kc, ['get', 'clusters.cluster.x-k8s.io'])).code === 0, 15_000, 'clusters served');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-vap-'));
  logPath = join(dir, 'audit.log');
  await writeFile(join(dir, 'policy.yaml'), `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/api*", "/openapi*", "/version"]
- level: Metadata
  resources: [{group: "", resources: ["configmaps"]}]
- level: None
`);
  t = await startKplane({ auditPolicyFile: join(dir, 'policy.yaml'), auditLogPath: logPath });
  rootKc = t.kubeconfig;
  const admins = (group: string) => `  admins:\n  - {kind: Group, name: ${group}}`;
  await workspace(rootKc, 'acme', { tier: 'gold' }, admins('acme-admins'));
  await workspace(rootKc, 'beta', { tier: 'silver' }, admins('beta-admins'));
  acmeKc = await t.kubeconfigFor('root:acme', 'alice', ['acme-admins']);
  betaKc = await t.kubeconfigFor('root:beta', 'carol', ['beta-admins']);
  bobKc = await t.kubeconfigFor('root:acme', 'bob', []);
  // bob may read configmaps and create them in default, and create policies, nothing more
  await apply(acmeKc, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: policy-writer}
rules:
- {apiGroups: [admissionregistration.k8s.io], resources: [validatingadmissionpolicies, validatingadmissionpolicybindings], verbs: [create, get, list]}
- {apiGroups: [""], resources: [configmaps], verbs: [create, get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-policy-writer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: policy-writer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
`);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ValidatingAdmissionPolicy with kubectl', () => {
  it('denies with message, messageExpression and reason codes; match conditions and variables decide', async () => {
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cm-rules}
spec:
  failurePolicy: Fail
  matchConstraints:
${rules('configmaps')}
  matchConditions:
  - {name: only-checked, expression: "has(object.metadata.labels) && 'checked' in object.metadata.labels"}
  variables:
  - {name: env, expression: "object.metadata.labels['checked']"}
  validations:
  - {expression: "variables.env != 'bad'", message: "env must not be bad"}
  - {expression: "!has(object.data) || !('password' in object.data)", messageExpression: "'configmap ' + object.metadata.name + ' holds a password'", reason: Forbidden}
  - {expression: "variables.env != 'huge'", reason: RequestEntityTooLarge}
  auditAnnotations:
  - {key: env, valueExpression: "'env=' + variables.env"}
---
${binding('cm-rules-deny', 'cm-rules', '[Deny, Audit]')}`);
    const bad = await until(acmeKc, cm('bad', { checked: 'bad' }), denied('env must not be bad'), 'cm-rules in effect');
    // (kubectl prints an Invalid Status by its causes: this one has a message and no field)
    expect(bad.stderr.trim()).toBe('The configmaps "bad" is invalid: : '
      + "ValidatingAdmissionPolicy 'cm-rules' with binding 'cm-rules-deny' denied request: env must not be bad");
    const real = await run(acmeKc, ['create', '-f', '-'], cm('bad', { checked: 'bad' }));
    expect(real.stderr).toBe(bad.stderr);
    const pw = await run(acmeKc, ['create', '-f', '-'], cm('secretive', { checked: 'ok' }, { password: 'x' }));
    expect(pw.stderr.trim()).toBe('Error from server (Forbidden): error when creating "STDIN": configmaps "secretive" is forbidden: '
      + "ValidatingAdmissionPolicy 'cm-rules' with binding 'cm-rules-deny' denied request: configmap secretive holds a password");
    const huge = await run(acmeKc, ['create', '-f', '-'], cm('huge', { checked: 'huge' }));
    expect(huge.stderr.trim()).toBe('Error from server (RequestEntityTooLarge): error when creating "STDIN": configmaps "huge" is forbidden: '
      + "ValidatingAdmissionPolicy 'cm-rules' with binding 'cm-rules-deny' denied request: failed expression: variables.env != 'huge'");
    // not matched (no label): admitted; matched and valid: admitted
    await ok(acmeKc, ['create', '-f', '-'], cm('plain'));
    await ok(acmeKc, ['create', '-f', '-'], cm('fine', { checked: 'ok' }));
    // the same request in another tenant's cluster: its policies are not theirs
    await ok(betaKc, ['create', '-f', '-'], cm('bad', { checked: 'bad' }));
  });

  it('records Audit failures and audit annotations in the audit log', async () => {
    const done = (name: string) => (e: AuditEvent) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.name === name
      && e.annotations?.['tenancy.kplane.io/cluster'] === 'root:acme';
    const [fine] = await eventually(async () => { const f = (await events()).filter(done('fine')); return f.length ? f : undefined; }, 10_000, 'audit of fine');
    expect(fine!.annotations!['cm-rules/env']).toBe('env=ok');
    expect(fine!.annotations!['validation.policy.admission.k8s.io/validation_failure']).toBeUndefined();
    const [bad] = await eventually(async () => {
      const f = (await events()).filter((e) => done('bad')(e) && e.responseStatus?.code === 422 && !e.requestURI.includes('dryRun'));
      return f.length ? f : undefined;
    }, 10_000, 'audit of bad');
    expect(bad!.annotations!['cm-rules/env']).toBe('env=bad');
    expect(JSON.parse(bad!.annotations!['validation.policy.admission.k8s.io/validation_failure']!)).toEqual([{
      message: 'env must not be bad', policy: 'cm-rules', binding: 'cm-rules-deny', expressionIndex: 0, validationActions: ['Deny', 'Audit'],
    }]);
    // another tenant's request has none of acme's annotations
    const beta = (await events()).filter((e) => e.stage === 'ResponseComplete' && e.annotations?.['tenancy.kplane.io/cluster'] === 'root:beta' && e.objectRef?.name === 'bad');
    expect(beta.length).toBeGreaterThan(0);
    expect(Object.keys(beta[0]!.annotations!).filter((k) => k.includes('cm-rules') || k.startsWith('validation.policy'))).toEqual([]);
  });

  it('Warn: kubectl shows the warning and the write goes through', async () => {
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: short-names}
spec:
  failurePolicy: Fail
  matchConstraints:
${rules('configmaps')}
  validations:
  - {expression: "object.metadata.name.size() < 12", message: "names should be short"}
---
${binding('short-names-warn', 'short-names', '[Warn]')}`);
    const r = await until(acmeKc, cm('a-rather-long-name'), (x) => x.code === 0 && x.stderr.includes('names should be short'), 'short-names in effect');
    expect(r.stderr.trim()).toBe("Warning: Validation failed for ValidatingAdmissionPolicy 'short-names' with binding 'short-names-warn': names should be short");
    const created = await ok(acmeKc, ['create', '-f', '-'], cm('a-rather-long-name'));
    expect(created.stderr).toContain("Warning: Validation failed for ValidatingAdmissionPolicy 'short-names'");
    expect(created.stdout.trim()).toBe('configmap/a-rather-long-name created');
  });

  it('params from a ConfigMap, with parameterNotFoundAction and failurePolicy', async () => {
    const policy = (fp: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: teams}
spec:
  failurePolicy: ${fp}
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
${rules('configmaps')}
  matchConditions:
  - {name: team-labelled, expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"}
  validations:
  - expression: "object.metadata.labels['team'] in params.data['teams'].split(',')"
    messageExpression: "'team must be one of ' + params.data['teams']"
`;
    await apply(acmeKc, `${policy('Fail')}---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: teams}
spec:
  policyName: teams
  validationActions: [Deny]
  paramRef: {name: teams, namespace: kube-system, parameterNotFoundAction: Deny}
`);
    const missing = await until(acmeKc, cm('t1', { team: 'red' }), denied('no params found'), 'teams in effect');
    expect(missing.stderr).toContain("ValidatingAdmissionPolicy 'teams' with binding 'teams' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction");
    // failurePolicy Ignore: a binding that cannot be configured lets the request through
    await apply(acmeKc, policy('Ignore'));
    await until(acmeKc, cm('t1', { team: 'red' }), admitted, 'Ignore in effect');
    await apply(acmeKc, policy('Fail'));
    await until(acmeKc, cm('t1', { team: 'red' }), denied('no params found'), 'Fail again');
    // the params cannot be created while the binding cannot be configured (kube collects params
    // before match conditions): under Ignore they can
    const blocked = await run(acmeKc, ['create', 'configmap', 'teams', '-n', 'kube-system', '--from-literal=teams=blue,green']);
    expect(blocked.stderr).toContain('no params found');
    await apply(acmeKc, policy('Ignore'));
    await until(acmeKc, cm('t1', { team: 'red' }), admitted, 'Ignore in effect');
    await ok(acmeKc, ['create', 'configmap', 'teams', '-n', 'kube-system', '--from-literal=teams=blue,green']);
    await apply(acmeKc, policy('Fail'));
    const wrong = await until(acmeKc, cm('t1', { team: 'red' }), denied('team must be one of'), 'params read');
    expect(wrong.stderr).toContain("ValidatingAdmissionPolicy 'teams' with binding 'teams' denied request: team must be one of blue,green");
    await ok(acmeKc, ['create', '-f', '-'], cm('t2', { team: 'green' }));
    // a param change applies to the next request
    await apply(acmeKc, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: teams, namespace: kube-system}\ndata: {teams: "red"}\n');
    await until(acmeKc, cm('t1', { team: 'red' }), admitted, 'new params');
  });

  it('params from custom resources selected by labels: every selected param is checked', async () => {
    await apply(acmeKc, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: limits.policy.example.com}
spec:
  group: policy.example.com
  scope: Cluster
  names: {plural: limits, singular: limit, kind: Limit}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              maxKeys: {type: integer}
`);
    await eventually(async () => (await run(acmeKc, ['get', 'limits'])).code === 0, 15_000, 'limits served');
    await apply(acmeKc, `apiVersion: policy.example.com/v1
kind: Limit
metadata: {name: loose, labels: {applies: "yes"}}
spec: {maxKeys: 3}
---
apiVersion: policy.example.com/v1
kind: Limit
metadata: {name: strict, labels: {applies: "yes"}}
spec: {maxKeys: 1}
---
apiVersion: policy.example.com/v1
kind: Limit
metadata: {name: ignored}
spec: {maxKeys: 0}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-keys}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: policy.example.com/v1, kind: Limit}
  matchConstraints:
${rules('configmaps')}
  matchConditions:
  - {name: limited, expression: "has(object.metadata.labels) && 'limited' in object.metadata.labels"}
  validations:
  - expression: "!has(object.data) || size(object.data) <= params.spec.maxKeys"
    messageExpression: "'at most ' + string(params.spec.maxKeys) + ' keys (' + params.metadata.name + ')'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-keys}
spec:
  policyName: max-keys
  validationActions: [Deny]
  paramRef: {selector: {matchLabels: {applies: "yes"}}, parameterNotFoundAction: Allow}
`);
    const two = await until(acmeKc, cm('k2', { limited: 'y' }, { a: '1', b: '2' }), denied('at most'), 'max-keys in effect');
    expect(two.stderr).toContain('at most 1 keys (strict)');
    await ok(acmeKc, ['create', '-f', '-'], cm('k1', { limited: 'y' }, { a: '1' }));
    await ok(acmeKc, ['delete', 'limit', 'strict']);
    await until(acmeKc, cm('k2', { limited: 'y' }, { a: '1', b: '2' }), admitted, 'strict gone');
  });

  it('the authorizer variable asks RBAC of the tenant cluster for the requesting user', async () => {
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: secret-readers}
spec:
  failurePolicy: Fail
  matchConstraints:
${rules('configmaps')}
  matchConditions:
  - {name: needs-secrets, expression: "has(object.metadata.labels) && 'needs-secrets' in object.metadata.labels"}
  validations:
  - expression: "authorizer.group('').resource('secrets').namespace(object.metadata.namespace).check('list').allowed()"
    messageExpression: "'only those who may list secrets in ' + object.metadata.namespace"
  - expression: "authorizer.requestResource.check('create').allowed()"
---
${binding('secret-readers', 'secret-readers', '[Deny]')}`);
    const r = await until(bobKc, cm('s1', { 'needs-secrets': 'y' }), denied('only those who may list secrets'), 'secret-readers in effect');
    expect(r.stderr).toContain("ValidatingAdmissionPolicy 'secret-readers' with binding 'secret-readers' denied request: only those who may list secrets in default");
    await ok(acmeKc, ['create', '-f', '-'], cm('s1', { 'needs-secrets': 'y' }));
  });

  it('writes status.observedGeneration and typeChecking as kube-controller-manager does', async () => {
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: typo}
spec:
  failurePolicy: Fail
  matchConstraints:
${rules('configmaps')}
  validations:
  - {expression: "object.dta.size() > 0 || true", messageExpression: "'name ' + object.metadata.name"}
`);
    const status = await eventually(async () => {
      const s = JSON.parse((await ok(acmeKc, ['get', 'validatingadmissionpolicy', 'typo', '-o', 'json'])).stdout).status;
      return s?.observedGeneration === 1 ? s : undefined;
    }, 10_000, 'typo status');
    expect(status).toEqual({
      observedGeneration: 1,
      typeChecking: { expressionWarnings: [{
        fieldRef: 'spec.validations[0].expression',
        warning: "/v1, Kind=ConfigMap: ERROR: <input>:1:7: undefined field 'dta'\n | object.dta.size() > 0 || true\n | ......^\n",
      }] },
    });
    const good = await eventually(async () => {
      const s = JSON.parse((await ok(acmeKc, ['get', 'validatingadmissionpolicy', 'cm-rules', '-o', 'json'])).stdout).status;
      return s?.observedGeneration ? s : undefined;
    }, 10_000, 'cm-rules status');
    expect(good).toEqual({ observedGeneration: 1, typeChecking: {} });
    // a new generation is checked again
    await ok(acmeKc, ['patch', 'validatingadmissionpolicy', 'typo', '--type=json', '-p', '[{"op":"replace","path":"/spec/validations/0/expression","value":"object.data.size() > 0"}]']);
    const fixed = await eventually(async () => {
      const s = JSON.parse((await ok(acmeKc, ['get', 'validatingadmissionpolicy', 'typo', '-o', 'json'])).stdout).status;
      return s?.observedGeneration === 2 ? s : undefined;
    }, 10_000, 'typo generation 2');
    // (the warnings kube's controller owned go, and typeChecking with them, as structured merge leaves it)
    expect(fixed).toEqual({ observedGeneration: 2 });
  });

  it('a policy or binding pointing at params needs read access to them', async () => {
    const r = await run(bobKc, ['create', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bobs}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: policy.example.com/v1, kind: Limit}
  matchConstraints:
${rules('configmaps')}
  validations:
  - {expression: "true"}
`);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('The ValidatingAdmissionPolicy "bobs" is invalid: spec.paramKind: Forbidden: user &{bob  [system:authenticated] map[]} '
      + 'must have "get" permission on all objects of the referenced paramKind (kind=Limit, apiVersion=policy.example.com/v1)');
    // bob may read configmaps: a policy with ConfigMap params is his to make, a binding naming a Limit is not
    await ok(bobKc, ['create', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bobs}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
${rules('secrets')}
  validations:
  - {expression: "true"}
`);
    const b = await run(bobKc, ['create', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bobs}
spec:
  policyName: max-keys
  validationActions: [Deny]
  paramRef: {name: loose, parameterNotFoundAction: Allow}
`);
    expect(b.stderr.trim()).toBe('The ValidatingAdmissionPolicyBinding "bobs" is invalid: spec.paramRef: Forbidden: user &{bob  [system:authenticated] map[]} '
      + 'does not have "get" permission on the object referenced by paramRef');
  });
});

describe('provider-wide policies from root', () => {
  it('bind in every logical cluster, with params from root', async () => {
    await installCRD(rootKc);
    await installCRD(acmeKc);
    await installCRD(betaKc);
    await ok(rootKc, ['create', 'namespace', 'provider-policies']);
    await ok(rootKc, ['create', 'configmap', 'allowed-classes', '-n', 'provider-policies', '--from-literal=classes=standard,hardened']);
    await apply(rootKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: clusterclass-allowed}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
${rules('clusters', 'cluster.x-k8s.io', '["*"]')}
  validations:
  - expression: "object.spec.topology.classRef.name in params.data['classes'].split(',')"
    messageExpression: "'Clusters must use a ClusterClass from the allowed list: ' + params.data['classes']"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: clusterclass-everywhere
  labels: {admission.kplane.io/scope: provider}
spec:
  policyName: clusterclass-allowed
  validationActions: [Deny]
  paramRef: {name: allowed-classes, namespace: provider-policies, parameterNotFoundAction: Deny}
`);
    for (const kc of [acmeKc, betaKc, rootKc]) {
      const r = await until(kc, capiCluster('c1', 'homemade'), denied('ClusterClass from the allowed list'), 'provider policy in effect');
      expect(r.stderr.trim()).toBe('Error from server (Forbidden): error when creating "STDIN": clusters.cluster.x-k8s.io "c1" is forbidden: '
        + "ValidatingAdmissionPolicy 'clusterclass-allowed' with binding 'clusterclass-everywhere' denied request: Clusters must use a ClusterClass from the allowed list: standard,hardened");
    }
    await ok(acmeKc, ['create', '-f', '-'], capiCluster('c1', 'standard', 3));
    await ok(betaKc, ['create', '-f', '-'], capiCluster('c1', 'hardened'));
    // and in workspaces below a tenant's, which the tenant creates
    await workspace(acmeKc, 'team');
    // alice of root:acme administers the workspaces she creates below it
    teamKc = join(dir, 'team.kubeconfig');
    await writeFile(teamKc, (await readFile(acmeKc, 'utf8')).replace('/clusters/root:acme', '/clusters/root:acme:team'));
    await installCRD(teamKc);
    await until(teamKc, capiCluster('c1', 'homemade'), denied('ClusterClass from the allowed list'), 'provider policy in a nested workspace');
  });

  it('tenants cannot see, change or bypass them', async () => {
    const list = await ok(acmeKc, ['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings', '-o', 'name']);
    expect(list.stdout).not.toContain('clusterclass');
    const del = await run(acmeKc, ['delete', 'validatingadmissionpolicy', 'clusterclass-allowed']);
    expect(del.stderr.trim()).toBe('Error from server (NotFound): validatingadmissionpolicies.admissionregistration.k8s.io "clusterclass-allowed" not found');
    // root is not theirs to read or write
    const server = `${t.url}/clusters/root`;
    const rootRead = await run(acmeKc, ['--server', server, 'get', 'validatingadmissionpolicies']);
    expect(rootRead.code).not.toBe(0);
    expect(rootRead.stderr).toContain('Forbidden');
    const rootDelete = await run(acmeKc, ['--server', server, 'delete', 'validatingadmissionpolicybinding', 'clusterclass-everywhere']);
    expect(rootDelete.stderr).toContain('Forbidden');
    const relabel = await run(acmeKc, ['--server', server, 'label', 'workspace', 'acme', 'tier=bronze', '--overwrite']);
    expect(relabel.stderr).toContain('Forbidden');
    // their own same-named policy and a Warn binding (even one labelled provider) change nothing
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: clusterclass-allowed}
spec:
  failurePolicy: Ignore
  matchConstraints:
${rules('clusters', 'cluster.x-k8s.io', '["*"]')}
  validations:
  - {expression: "true"}
---
${binding('clusterclass-everywhere', 'clusterclass-allowed', '[Warn]', '  labels: {admission.kplane.io/scope: provider}\n')}`);
    const r = await until(acmeKc, capiCluster('c2', 'homemade'), denied('ClusterClass from the allowed list'), 'still denied');
    expect(r.stderr).toContain("ValidatingAdmissionPolicy 'clusterclass-allowed' with binding 'clusterclass-everywhere' denied request");
    // a tenant's "provider" binding is no provider binding: nothing of it reaches beta
    await until(betaKc, capiCluster('c2', 'standard'), admitted, 'beta unaffected');
    // deleting their own copies leaves the provider's in force
    await ok(acmeKc, ['delete', 'validatingadmissionpolicybinding', 'clusterclass-everywhere']);
    await ok(acmeKc, ['delete', 'validatingadmissionpolicy', 'clusterclass-allowed']);
    await until(acmeKc, capiCluster('c2', 'homemade'), denied('ClusterClass from the allowed list'), 'still denied after delete');
  });

  it('bind only where the workspace selector matches the labels of the tenant\'s Workspace in root', async () => {
    await apply(rootKc, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: gold-needs-ha}
spec:
  failurePolicy: Fail
  matchConstraints:
${rules('clusters', 'cluster.x-k8s.io', '["*"]')}
  validations:
  - expression: "has(object.spec.topology.controlPlane) && object.spec.topology.controlPlane.replicas >= 3"
    message: "gold workspaces need a highly available control plane"
---
${binding('gold-needs-ha', 'gold-needs-ha', '[Deny]', '  labels: {admission.kplane.io/scope: provider}\n  annotations: {admission.kplane.io/workspace-selector: "tier=gold"}\n')}`);
    await until(acmeKc, capiCluster('c3', 'standard', 1), denied('highly available control plane'), 'gold policy in acme');
    await until(teamKc, capiCluster('c3', 'standard', 1), denied('highly available control plane'), 'gold policy in acme:team');
    await until(betaKc, capiCluster('c3', 'standard', 1), admitted, 'beta is silver');
    // the provider relabels beta: the policy follows the label
    await ok(rootKc, ['label', 'workspace', 'beta', 'tier=gold', '--overwrite']);
    await until(betaKc, capiCluster('c3', 'standard', 1), denied('highly available control plane'), 'beta now gold');
    await ok(rootKc, ['label', 'workspace', 'beta', 'tier=silver', '--overwrite']);
    await until(betaKc, capiCluster('c3', 'standard', 1), admitted, 'beta silver again');
    await ok(acmeKc, ['create', '-f', '-'], capiCluster('c3', 'standard', 3));
  });
});
