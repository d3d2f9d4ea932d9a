// Server-side apply and field management with the real kubectl and @kubernetes/client-node, in a
// tenant's logical cluster (an ordinary admin group, not system:masters): apply creating and
// updating, --field-manager, conflicts and --force-conflicts, removal of fields a manager stops
// applying, kubectl diff --server-side, dry run, the client-side-apply upgrade, a custom resource
// whose list is a map by key, and apply to the status subresource.

import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, machineKubectl, startKplane, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let tenant: string;
const k = (args: string[], input?: string) => kubectl(machineKubectl(), tenant, args, input);
const admin = (args: string[], input?: string) => kubectl(machineKubectl(), t.kubeconfig, args, input);

interface Entry { manager: string; operation: string; subresource?: string; fieldsV1: Record<string, unknown> }

async function getJSON(args: string[]): Promise<{ metadata: { resourceVersion: string; managedFields?: Entry[] }; data?: Record<string, string>; [k: string]: unknown }> {
  const r = await k(['get', ...args, '-o', 'json', '--show-managed-fields']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

function managers(o: { metadata: { managedFields?: Entry[] } }): string[] {
  return (o.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`).sort();
}

// (no empty labels: an applier of `labels: {}` owns .metadata.labels, and a second one conflicts, as in kube)
const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>) => JSON.stringify({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ssa', ...(labels ? { labels } : {}) }, data,
});

beforeAll(async () => {
  t = await startKplane();
  const ws = await admin(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: 'acme' },
    spec: { admins: [{ kind: 'Group', name: 'acme-admins' }] },
  }));
  expect(ws.code).toBe(0);
  await eventually(async () => (await admin(['get', 'workspace', 'acme', '-o', 'jsonpath={.status.phase}'])).stdout === 'Ready', 20_000, 'workspace Ready');
  tenant = await t.kubeconfigFor('root:acme', 'alice', ['acme-admins']);
  expect((await k(['create', 'namespace', 'ssa'])).code).toBe(0);
});
afterAll(async () => {
  await t?.stop();
});

describe('kubectl apply --server-side', () => {
  it('creates, records kubectl as the applier, and re-applies', async () => {
    const created = await k(['apply', '--server-side', '-f', '-'], cm('one', { a: '1', b: '2' }, { app: 'x' }));
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('configmap/one serverside-applied');
    const o = await getJSON(['cm', 'one', '-n', 'ssa']);
    expect(o.metadata.managedFields).toHaveLength(1);
    expect(o.metadata.managedFields![0]).toMatchObject({
      manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
    });
    // the same configuration again changes nothing: not even the resourceVersion
    expect((await k(['apply', '--server-side', '-f', '-'], cm('one', { a: '1', b: '2' }, { app: 'x' }))).code).toBe(0);
    expect((await getJSON(['cm', 'one', '-n', 'ssa'])).metadata.resourceVersion).toBe(o.metadata.resourceVersion);
  });

  it('reports a conflict with another manager, and --force-conflicts takes the field', async () => {
    const patched = await k(['patch', 'cm', 'one', '-n', 'ssa', '--type=merge', '-p', '{"data":{"a":"changed"}}', '--field-manager=ops']);
    expect(patched.code).toBe(0);
    expect(managers(await getJSON(['cm', 'one', '-n', 'ssa']))).toEqual(['kubectl/Apply', 'ops/Update']);
    const refused = await k(['apply', '--server-side', '-f', '-'], cm('one', { a: '1', b: '2' }, { app: 'x' }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "ops" using v1: .data.a');
    expect((await getJSON(['cm', 'one', '-n', 'ssa'])).data).toEqual({ a: 'changed', b: '2' });
    const forced = await k(['apply', '--server-side', '--force-conflicts', '-f', '-'], cm('one', { a: '1', b: '2' }, { app: 'x' }));
    expect(forced.code).toBe(0);
    const o = await getJSON(['cm', 'one', '-n', 'ssa']);
    expect(o.data).toEqual({ a: '1', b: '2' });
    // ops managed nothing else: its entry is gone
    expect(managers(o)).toEqual(['kubectl/Apply']);
  });

  it('removes what a manager stops applying, unless someone else manages it', async () => {
    expect((await k(['apply', '--server-side', '--field-manager=ci', '-f', '-'], cm('two', { keep: '1', drop: '2', shared: '3' }))).code).toBe(0);
    expect((await k(['apply', '--server-side', '--field-manager=other', '-f', '-'], cm('two', { shared: '3' }))).code).toBe(0);
    expect((await k(['apply', '--server-side', '--field-manager=ci', '-f', '-'], cm('two', { keep: '1' }))).code).toBe(0);
    const o = await getJSON(['cm', 'two', '-n', 'ssa']);
    expect(o.data).toEqual({ keep: '1', shared: '3' });
    expect(managers(o)).toEqual(['ci/Apply', 'other/Apply']);
  });

  it('diffs on the server and dry-runs without storing', async () => {
    const before = await getJSON(['cm', 'two', '-n', 'ssa']);
    const diff = await k(['diff', '--server-side', '--field-manager=ci', '-f', '-'], cm('two', { keep: 'new' }));
    expect(diff.code).toBe(1); // differences found
    expect(diff.stdout).toMatch(/^-\s+keep: "1"$/m);
    expect(diff.stdout).toMatch(/^\+\s+keep: new$/m);
    const dry = await k(['apply', '--server-side', '--field-manager=ci', '--dry-run=server', '-f', '-', '-o', 'json'], cm('two', { keep: 'dry' }));
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).data.keep).toBe('dry');
    const after = await getJSON(['cm', 'two', '-n', 'ssa']);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.data).toEqual({ keep: '1', shared: '3' });
  });

  it('upgrades an object kubectl applied on the client side', async () => {
    const csa = await k(['apply', '-f', '-'], cm('three', { x: '1', y: '2' }));
    expect(csa.stdout.trim()).toBe('configmap/three created');
    expect(managers(await getJSON(['cm', 'three', '-n', 'ssa']))).toEqual(['kubectl-client-side-apply/Update']);
    // y left out: the server-side apply removes it, since kubectl's old manager becomes the applier
    const ssa = await k(['apply', '--server-side', '-f', '-'], cm('three', { x: '1' }));
    expect(ssa.code).toBe(0);
    const o = await getJSON(['cm', 'three', '-n', 'ssa']);
    expect(o.data).toEqual({ x: '1' });
    expect(managers(o)).not.toContain('kubectl-client-side-apply/Update');
    expect(managers(o)).toContain('kubectl/Apply');
  });

  it('merges lists of custom resources by their map keys', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.acme.example.com' },
      spec: {
        group: 'acme.example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [{
          name: 'v1', served: true, storage: true, subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: {
            spec: { type: 'object', properties: {
              ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
                items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } } },
              tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            } },
            status: { type: 'object', properties: { phase: { type: 'string' } } },
          } } },
        }],
      },
    };
    expect((await k(['apply', '--server-side', '-f', '-'], JSON.stringify(crd))).code).toBe(0);
    await eventually(async () => (await k(['get', 'crd', 'gadgets.acme.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])).stdout === 'True', 20_000, 'CRD Established');
    const gadget = (ports: Array<{ name: string; port: number }>, tags: string[]) => JSON.stringify({
      apiVersion: 'acme.example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'ssa' }, spec: { ports, tags },
    });
    expect((await k(['apply', '--server-side', '--field-manager=web', '-f', '-'], gadget([{ name: 'http', port: 80 }], ['a']))).code).toBe(0);
    expect((await k(['apply', '--server-side', '--field-manager=metrics', '-f', '-'], gadget([{ name: 'metrics', port: 9090 }], ['b']))).code).toBe(0);
    const both = await getJSON(['gadget', 'g', '-n', 'ssa']);
    expect(both.spec).toEqual({ ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }], tags: ['a', 'b'] });
    const web = both.metadata.managedFields!.find((e) => e.manager === 'web')!;
    expect(web.fieldsV1).toEqual({ 'f:spec': { 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:tags': { 'v:"a"': {} } } });
    // metrics changing the http port conflicts with web
    const refused = await k(['apply', '--server-side', '--field-manager=metrics', '-f', '-'], gadget([{ name: 'metrics', port: 9090 }, { name: 'http', port: 8080 }], ['b']));
    expect(refused.stderr).toContain('conflict with "web": .spec.ports[name="http"].port');
  });

  it('applies to the status subresource with client-node, and the main resource ignores status', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(tenant);
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const status = { apiVersion: 'acme.example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'ssa' }, status: { phase: 'Ready' } };
    // client-node has no subresource parameter: the status path is addressed with a raw request
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await custom.patchNamespacedCustomObjectStatus({
      group: 'acme.example.com', version: 'v1', namespace: 'ssa', plural: 'gadgets', name: 'g', body: status,
      fieldManager: 'controller', force: true,
    }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply));
    const applied = await objects.patch(
      { apiVersion: 'acme.example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'ssa' }, status: { phase: 'Ignored' } } as k8s.KubernetesObject,
      undefined, undefined, 'web', false, k8s.PatchStrategy.ServerSideApply,
    ) as k8s.KubernetesObject & { status?: { phase?: string } };
    expect(applied.status).toEqual({ phase: 'Ready' });
    const o = await getJSON(['gadget', 'g', '-n', 'ssa']);
    expect(managers(o)).toContain('controller/Apply/status');
    const ctl = o.metadata.managedFields!.find((e) => e.manager === 'controller')!;
    expect(ctl.fieldsV1).toEqual({ 'f:status': { 'f:phase': {} } });
  });

  it('names the writer of updates from the user agent, or the fieldManager parameter', async () => {
    expect((await k(['create', 'cm', 'four', '-n', 'ssa', '--from-literal=a=1'])).code).toBe(0);
    expect((await k(['label', 'cm', 'four', '-n', 'ssa', 'x=y', '--field-manager=labeller'])).code).toBe(0);
    expect(managers(await getJSON(['cm', 'four', '-n', 'ssa']))).toEqual(['kubectl-create/Update', 'labeller/Update']);
  });
});
