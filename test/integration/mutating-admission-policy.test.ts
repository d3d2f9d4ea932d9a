// MutatingAdmissionPolicies (admissionregistration.k8s.io/v1beta1) end to end with the real
// kubectl in two tenants' logical clusters and the provider's root: ApplyConfiguration and
// JSONPatch mutations of what kubectl creates and updates, match conditions, variables, params,
// failurePolicy and kube's texts, reinvocation, mutations before validations, one tenant's
// policies never touching another, and a provider-wide mutating policy from root.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, machineKubectl, type KubectlResult, type TestKplane, startKplane } from '../helpers/kplane.js';

const bin = machineKubectl();
let t: TestKplane;
let dir: string;
let rootKc: string;
let acmeKc: string;
let betaKc: string;

const run = (kc: string, args: string[], input?: string): Promise<KubectlResult> => kubectl(bin, kc, args, input);

async function ok(kc: string, args: string[], input?: string): Promise<KubectlResult> {
  const r = await run(kc, args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}
const apply = (kc: string, yaml: string) => ok(kc, ['apply', '-f', '-'], yaml);

/** A server-side dry-run create, as JSON (or the failed result), until pred holds (policies take effect through informers). */
async function until(kc: string, yaml: string, pred: (r: KubectlResult, o: Record<string, any> | undefined) => boolean, what: string): Promise<{ r: KubectlResult; o: Record<string, any> | undefined }> {
  return eventually(async () => {
    const r = await run(kc, ['create', '--dry-run=server', '-o', 'json', '-f', '-'], yaml);
    const o = r.code === 0 ? JSON.parse(r.stdout) as Record<string, any> : undefined;
    return pred(r, o) ? { r, o } : undefined;
  }, 15_000, what);
}

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n  labels: ${JSON.stringify(labels)}\ndata: ${JSON.stringify(data)}\n`;

const rules = (resources: string, group = '', versions = '["v1"]', ops = '["CREATE", "UPDATE"]') =>
  `    resourceRules:\n    - {apiGroups: ["${group}"], apiVersions: ${versions}, operations: ${ops}, resources: ["${resources}"]}`;

const binding = (name: string, policy: string, extra = '') => `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicyBinding
metadata:
  name: ${name}
${extra}spec:
  policyName: ${policy}
`;

async function workspace(name: string, group: string): Promise<void> {
  await apply(rootKc, `apiVersion: tenancy.kplane.io/v1alpha1\nkind: Workspace\nmetadata: {name: ${name}}\nspec:\n  admins: [{kind: Group, name: ${group}}]\n`);
  await eventually(async () => (await run(rootKc, ['get', 'workspace', name, '-o', 'jsonpath={.status.phase}'])).stdout === 'Ready', 15_000, `${name} Ready`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-map-'));
  t = await startKplane();
  rootKc = t.kubeconfig;
  await workspace('acme', 'acme-admins');
  await workspace('beta', 'beta-admins');
  acmeKc = await t.kubeconfigFor('root:acme', 'alice', ['acme-admins']);
  betaKc = await t.kubeconfigFor('root:beta', 'carol', ['beta-admins']);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('MutatingAdmissionPolicy with kubectl', () => {
  it('is served in v1beta1 and listed by kubectl', async () => {
    const res = await ok(acmeKc, ['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
    expect(res.stdout.split('\n')).toEqual(expect.arrayContaining([
      'mutatingadmissionpolicies.admissionregistration.k8s.io', 'mutatingadmissionpolicybindings.admissionregistration.k8s.io',
    ]));
  });

  it('mutates with ApplyConfiguration and JSONPatch, matchConditions and variables deciding, on create and update', async () => {
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: owner-labels}
spec:
  matchConstraints:
${rules('configmaps')}
  matchConditions:
  - {name: not-opted-out, expression: "!has(object.metadata.labels) || !('opt-out' in object.metadata.labels)"}
  variables:
  - {name: owner, expression: "'team-' + object.metadata.name"}
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{metadata: Object.metadata{labels: {'owner': variables.owner}}}"
  - patchType: JSONPatch
    jsonPatch:
      expression: "[JSONPatch{op: 'add', path: '/metadata/annotations', value: {}}, JSONPatch{op: 'add', path: '/metadata/annotations/' + jsonpatch.escapeKey('example.com/mutated-by'), value: 'owner-labels'}]"
---
${binding('owner-labels', 'owner-labels')}`);
    const { o } = await until(acmeKc, cm('probe'), (r, x) => x?.metadata?.labels?.owner === 'team-probe', 'owner-labels in effect');
    expect(o!.metadata.annotations).toEqual({ 'example.com/mutated-by': 'owner-labels' });
    const created = JSON.parse((await ok(acmeKc, ['create', '-o', 'json', '-f', '-'], cm('c1', { keep: 'me' }, { a: '1' }))).stdout);
    expect(created.metadata.labels).toEqual({ keep: 'me', owner: 'team-c1' });
    expect(created.data).toEqual({ a: '1' });
    const stored = JSON.parse((await ok(acmeKc, ['get', 'configmap', 'c1', '-o', 'json'])).stdout);
    expect(stored.metadata.labels.owner).toBe('team-c1');
    // an update that drops the label gets it back; one that opts out is left alone
    await ok(acmeKc, ['label', 'configmap', 'c1', 'owner-']);
    expect((await ok(acmeKc, ['get', 'configmap', 'c1', '-o', 'jsonpath={.metadata.labels.owner}'])).stdout).toBe('team-c1');
    const skipped = JSON.parse((await ok(acmeKc, ['create', '-o', 'json', '-f', '-'], cm('c2', { 'opt-out': 'yes' }))).stdout);
    expect(skipped.metadata.labels).toEqual({ 'opt-out': 'yes' });
    // another tenant's cluster has none of acme's policies
    const beta = JSON.parse((await ok(betaKc, ['create', '-o', 'json', '-f', '-'], cm('c1'))).stdout);
    expect(beta.metadata.labels ?? {}).toEqual({});
  });

  it('takes params from a ConfigMap', async () => {
    await apply(acmeKc, `apiVersion: v1
kind: ConfigMap
metadata: {name: defaults, namespace: kube-system}
data: {tier: gold}
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: tier-from-params}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
${rules('secrets')}
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{metadata: Object.metadata{labels: {'tier': params.data['tier']}}}"
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicyBinding
metadata: {name: tier-from-params}
spec:
  policyName: tier-from-params
  paramRef: {name: defaults, namespace: kube-system, parameterNotFoundAction: Deny}
`);
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: default}\nstringData: {k: v}\n';
    await until(acmeKc, secret, (r, x) => x?.metadata?.labels?.tier === 'gold', 'tier-from-params in effect');
    await apply(acmeKc, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: defaults, namespace: kube-system}\ndata: {tier: silver}\n');
    await until(acmeKc, secret, (r, x) => x?.metadata?.labels?.tier === 'silver', 'new params');
  });

  it('answers failures with kube\'s texts, or lets the write through under failurePolicy Ignore', async () => {
    const policy = (fp: string) => `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: atomic-selector}
spec:
  failurePolicy: ${fp}
  matchConstraints:
${rules('services')}
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{spec: Object.spec{selector: {'app': 'web'}}}"
`;
    await apply(acmeKc, `${policy('Fail')}---\n${binding('atomic-selector', 'atomic-selector')}`);
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  ports: [{port: 80}]\n';
    const { r } = await until(acmeKc, svc, (x) => x.code !== 0, 'atomic-selector in effect');
    // (kube's Forbidden with reason Invalid: kubectl prints it by its causes)
    expect(r.stderr.trim()).toBe('The services "web" is invalid: : '
      + "policy 'atomic-selector' with binding 'atomic-selector' denied request: error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: .spec.selector");
    await apply(acmeKc, policy('Ignore'));
    const { o } = await until(acmeKc, svc, (x) => x.code === 0, 'Ignore in effect');
    expect(o!.spec.selector).toBeUndefined();
  });

  it('reinvokes IfNeeded policies once later mutations changed the object', async () => {
    await apply(acmeKc, `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: a-watcher}
spec:
  matchConstraints:
${rules('configmaps', '', '["v1"]', '["CREATE"]')}
  matchConditions:
  - {name: reinvocation-test, expression: "has(object.metadata.labels) && 'reinvoke' in object.metadata.labels"}
  reinvocationPolicy: IfNeeded
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{data: {'a': has(object.data) && 'b' in object.data ? 'saw-b' : 'no-b'}}"
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: b-setter}
spec:
  matchConstraints:
${rules('configmaps', '', '["v1"]', '["CREATE"]')}
  matchConditions:
  - {name: reinvocation-test, expression: "has(object.metadata.labels) && 'reinvoke' in object.metadata.labels"}
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{data: {'b': 'set'}}"
---
${binding('a-watcher', 'a-watcher')}---
${binding('b-setter', 'b-setter')}`);
    const { o } = await until(acmeKc, cm('r1', { reinvoke: 'y' }), (r, x) => x?.data?.b === 'set' && x?.data?.a !== undefined, 'both in effect');
    // a-watcher ran first, then b-setter changed the object: a-watcher ran once more and saw b
    expect(o!.data).toEqual({ a: 'saw-b', b: 'set' });
  });
});

describe('provider-wide mutating policies from root', () => {
  it('default what tenants leave out, before the provider\'s validations, invisible to tenants', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clusters.cluster.x-k8s.io}
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
`;
    for (const kc of [rootKc, acmeKc, betaKc]) {
      await apply(kc, crd);
      await eventually(async () => (await run(kc, ['get', 'clusters.cluster.x-k8s.io'])).code === 0, 15_000, 'clusters served');
    }
    await apply(rootKc, `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: default-clusterclass}
spec:
  matchConstraints:
${rules('clusters', 'cluster.x-k8s.io', '["*"]', '["CREATE"]')}
  matchConditions:
  - {name: no-class, expression: "!has(object.spec.topology) || !has(object.spec.topology.classRef)"}
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{spec: Object.spec{topology: Object.spec.topology{classRef: Object.spec.topology.classRef{name: 'standard'}}}}"
---
${binding('default-clusterclass', 'default-clusterclass', '  labels: {admission.kplane.io/scope: provider}\n')}---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: clusterclass-required}
spec:
  failurePolicy: Fail
  matchConstraints:
${rules('clusters', 'cluster.x-k8s.io', '["*"]', '["CREATE"]')}
  validations:
  - {expression: "has(object.spec.topology) && has(object.spec.topology.classRef)", message: "a ClusterClass is required"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: clusterclass-required
  labels: {admission.kplane.io/scope: provider}
spec:
  policyName: clusterclass-required
  validationActions: [Deny]
`);
    const cluster = (name: string, cls?: string) => `apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata: {name: ${name}, namespace: default}
spec: ${cls ? `{topology: {classRef: {name: ${cls}}}}` : '{}'}
`;
    for (const kc of [acmeKc, betaKc]) {
      const { o } = await until(kc, cluster('c1'), (r, x) => x?.spec?.topology?.classRef?.name === 'standard', 'provider default in effect');
      expect(o!.spec).toEqual({ topology: { classRef: { name: 'standard' } } });
    }
    // what a tenant names stays (the match condition skips it); the validation runs after the mutation
    const named = JSON.parse((await ok(acmeKc, ['create', '-o', 'json', '-f', '-'], cluster('c2', 'hardened'))).stdout);
    expect(named.spec.topology.classRef.name).toBe('hardened');
    // tenants see none of it
    const listed = await ok(acmeKc, ['get', 'mutatingadmissionpolicies,mutatingadmissionpolicybindings', '-o', 'name']);
    expect(listed.stdout).not.toContain('default-clusterclass');
    const del = await run(acmeKc, ['delete', 'mutatingadmissionpolicy', 'default-clusterclass']);
    expect(del.stderr.trim()).toBe('Error from server (NotFound): mutatingadmissionpolicies.admissionregistration.k8s.io "default-clusterclass" not found');
  });
});
