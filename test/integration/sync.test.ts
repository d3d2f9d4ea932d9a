// The syncer against a real management cluster (kube-apiserver + etcd from test/harness) holding
// Cluster API's real CRDs (from the Go module cache, never committed). No Cluster API managers
// here (test/e2e runs those): the test plays the management cluster's controllers itself by
// writing status and the kubeconfig Secret downstream, and checks what each tenant sees with the
// real kubectl, as an ordinary workspace admin group.

import { readFileSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { capiFiles, readObjects } from '../helpers/capi.js';
import { pino } from 'pino';
import { Kplane } from '../../src/kplane.js';
import { credentialsOf, eventually, raw, startKplane, type TestKplane } from '../helpers/kplane.js';
import { downstreamNamespaceOf, getJson, ok, run } from '../helpers/sync.js';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools } from '../harness/tools.js';
import { BIN } from '../helpers/process.js';
import { CLUSTER_API_CLUSTER_RULES } from '../../src/sync/references.js';

let mc: ManagementCluster;
let t: TestKplane;
let admin: string;
const tenants: Record<string, string> = {};
const uids: Record<string, string> = {};


const cluster = (name: string, extra: Record<string, unknown> = {}) => toYaml({
  apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster',
  metadata: { name, namespace: 'default', labels: { team: 'web' } },
  spec: { topology: { classRef: { name: 'quick-start', namespace: 'capi-classes' }, version: 'v1.34.0' }, ...extra },
});

const dsNamespace = (ws: string, ns = 'default'): string => downstreamNamespaceOf(uids, ws, ns);

beforeAll(async () => {
  await ensureTools();
  mc = await startManagementCluster();
  // Cluster API's CRDs as `clusterctl init` installs them (without their conversion webhooks: no managers run here)
  for (const f of [...capiFiles('core/config/crd/bases/cluster.x-k8s.io_clusters.yaml'), ...capiFiles('core/config/crd/bases/cluster.x-k8s.io_clusterclasses.yaml'), ...capiFiles('core/config/crd/bases/cluster.x-k8s.io_machines.yaml')]) {
    const crd = readObjects(f)[0]!;
    (crd.metadata as { labels?: Record<string, string> }).labels = { 'cluster.x-k8s.io/v1beta2': 'v1beta2', 'clusterctl.cluster.x-k8s.io': '', 'cluster.x-k8s.io/provider': 'cluster-api' };
    await ok(mc.kubeconfigPath, ['apply', '--server-side', '-f', '-'], JSON.stringify(crd));
  }
  await ok(mc.kubeconfigPath, ['wait', '--for=condition=Established', 'crd/clusters.cluster.x-k8s.io', 'crd/clusterclasses.cluster.x-k8s.io', 'crd/machines.cluster.x-k8s.io', '--timeout=60s']);
  await ok(mc.kubeconfigPath, ['create', 'namespace', 'capi-classes']);
  t = await startKplane();
  admin = t.kubeconfig;
  await ok(admin, ['create', 'namespace', 'kplane-system']);
  await ok(admin, ['create', 'secret', 'generic', 'mgmt-kubeconfig', '-n', 'kplane-system', `--from-file=kubeconfig=${mc.kubeconfigPath}`]);
  for (const ws of ['acme', 'beta']) {
    await ok(admin, ['create', '-f', '-'], toYaml({
      apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace',
      metadata: { name: ws, labels: { plan: ws === 'acme' ? 'gold' : 'silver' } },
      spec: { admins: [{ kind: 'Group', name: `${ws}-admins` }] },
    }));
  }
  await ok(admin, ['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/acme', 'workspace/beta', '--timeout=60s']);
  for (const ws of ['acme', 'beta']) {
    tenants[ws] = await t.kubeconfigFor(`root:${ws}`, `${ws}-alice`, [`${ws}-admins`]);
    uids[ws] = (await t.k.clusters.info(`root:${ws}`))!.uid;
  }
}, 240_000);

afterAll(async () => {
  await t?.stop();
  await mc?.stop();
});

describe('syncer configuration', () => {
  it('serves ManagementCluster and PublishedResource in root, and reports the management cluster Ready with its version', async () => {
    await ok(admin, ['apply', '-f', '-'], toYaml({
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'ManagementCluster', metadata: { name: 'mgmt' },
      spec: { kubeconfigSecretRef: { namespace: 'kplane-system', name: 'mgmt-kubeconfig' } },
    }));
    await ok(admin, ['wait', '--for=condition=Ready', 'managementcluster/mgmt', '--timeout=60s']);
    const m = await getJson(admin, ['managementcluster', 'mgmt']);
    expect(m.status.version).toBe(mc.serverVersion);
    // a ManagementCluster whose Secret does not exist says so
    await ok(admin, ['apply', '-f', '-'], toYaml({
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'ManagementCluster', metadata: { name: 'nowhere' },
      spec: { kubeconfigSecretRef: { namespace: 'kplane-system', name: 'missing' } },
    }));
    await ok(admin, ['wait', '--for=condition=Ready=false', 'managementcluster/nowhere', '--timeout=60s']);
    expect((await getJson(admin, ['managementcluster', 'nowhere'])).status.conditions[0].reason).toBe('KubeconfigNotFound');
    // tenants do not get the syncer's kinds
    const r = await run(tenants.acme!, ['get', 'managementclusters']);
    expect(r.code).not.toBe(0);

    await ok(admin, ['apply', '-f', '-'], toYaml({
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'clusters' },
      spec: {
        managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'clusters',
        related: [{ resource: 'secrets', nameTemplate: '{{ .Name }}-kubeconfig' }],
        references: CLUSTER_API_CLUSTER_RULES('capi-classes'),
        fieldsUp: ['spec.controlPlaneRef'],
      },
    }));
    await ok(admin, ['apply', '-f', '-'], toYaml({
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'clusterclasses' },
      spec: {
        managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'clusterclasses', mode: 'Catalog',
        catalog: { namespace: 'capi-classes' }, workspaceSelector: { matchLabels: { plan: 'gold' } },
      },
    }));
    await ok(admin, ['wait', '--for=condition=Ready', 'publishedresource/clusters', '--timeout=60s']);
  }, 120_000);

  it('imports the CRD into every bound workspace, read-only there', async () => {
    const crd = await eventually(() => getJson(tenants.acme!, ['crd', 'clusters.cluster.x-k8s.io']), 30_000, 'imported CRD');
    expect(crd.metadata.labels['cluster.x-k8s.io/v1beta2']).toBe('v1beta2');
    expect(crd.spec.versions.find((v: { storage: boolean }) => v.storage).name).toBe('v1beta2');
    await ok(tenants.acme!, ['wait', '--for=condition=Established', 'crd/clusters.cluster.x-k8s.io', '--timeout=30s']);
    const del = await run(tenants.acme!, ['delete', 'crd', 'clusters.cluster.x-k8s.io']);
    expect(del.code).not.toBe(0);
    expect(del.stderr).toContain('cannot be changed in this workspace');
    const edit = await run(tenants.acme!, ['label', 'crd', 'clusters.cluster.x-k8s.io', 'x=y']);
    expect(edit.stderr).toContain('Forbidden');
  }, 60_000);
});

describe('a Cluster ordered in a tenant workspace', () => {
  it('goes down into the tenant\'s own namespace, with its origin annotated and nothing server-owned copied', async () => {
    await ok(tenants.acme!, ['apply', '-f', '-'], cluster('c1'));
    const ns = dsNamespace('acme');
    const ds = await eventually(() => getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]), 30_000, 'downstream Cluster');
    expect(ds.metadata.annotations).toMatchObject({
      'sync.kplane.io/workspace': 'root:acme', 'sync.kplane.io/namespace': 'default', 'sync.kplane.io/name': 'c1',
    });
    expect(ds.metadata.labels.team).toBe('web');
    expect(ds.metadata.labels['sync.kplane.io/cluster']).toMatch(/^kp-/);
    expect(ds.metadata.finalizers ?? []).toEqual([]);
    expect(ds.metadata.ownerReferences).toBeUndefined();
    // the provider's classes stay where they are; the namespace is the tenant's mapped one
    expect(ds.spec.topology.classRef).toEqual({ name: 'quick-start', namespace: 'capi-classes' });
    const up = await getJson(tenants.acme!, ['cluster', 'c1']);
    expect(up.metadata.finalizers).toContain('sync.kplane.io/syncer');
    const nsObj = await getJson(mc.kubeconfigPath, ['namespace', ns]);
    expect(nsObj.metadata.annotations['sync.kplane.io/workspace']).toBe('root:acme');
  }, 60_000);

  it('keeps two tenants\' Clusters of one name apart', async () => {
    await ok(tenants.beta!, ['apply', '-f', '-'], cluster('c1'));
    const ds = await eventually(() => getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', dsNamespace('beta')]), 30_000, 'beta downstream');
    expect(ds.metadata.annotations['sync.kplane.io/workspace']).toBe('root:beta');
    expect(dsNamespace('beta')).not.toBe(dsNamespace('acme'));
    const all = await getJson(mc.kubeconfigPath, ['clusters', '-A', '-l', 'sync.kplane.io/cluster']);
    expect(all.items.filter((c: { metadata: { name: string } }) => c.metadata.name === 'c1')).toHaveLength(2);
  }, 60_000);

  it('brings status up with observedGeneration in the tenant\'s generations, so kubectl wait works', async () => {
    const ns = dsNamespace('acme');
    // the tenant changes its spec twice: its generation moves ahead of the downstream one
    await ok(tenants.acme!, ['patch', 'cluster', 'c1', '--type=merge', '-p', '{"spec":{"topology":{"version":"v1.34.1"}}}']);
    await ok(tenants.acme!, ['patch', 'cluster', 'c1', '--type=merge', '-p', '{"spec":{"topology":{"version":"v1.34.2"}}}']);
    let gen = (await getJson(tenants.acme!, ['cluster', 'c1'])).metadata.generation as number;
    const ds = await eventually(async () => {
      const d = await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]);
      return d?.spec.topology.version === 'v1.34.2' ? d : undefined;
    }, 30_000, 'spec down');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await ok(mc.kubeconfigPath, ['patch', 'cluster', 'c1', '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: {
        observedGeneration: ds.metadata.generation, phase: 'Provisioned',
        conditions: [{ type: 'Available', status: 'True', reason: 'Available', message: '', lastTransitionTime: now, observedGeneration: ds.metadata.generation }],
      },
    })]);
    await ok(tenants.acme!, ['wait', '--for=condition=Available', 'cluster/c1', '--timeout=30s']);
    // what Cluster API's topology controller fills into spec comes up where the tenant left it empty
    await ok(mc.kubeconfigPath, ['patch', 'cluster', 'c1', '-n', ns, '--type=merge', '-p', '{"spec":{"controlPlaneRef":{"apiGroup":"controlplane.cluster.x-k8s.io","kind":"KubeadmControlPlane","name":"c1-cp"}}}']);
    await eventually(async () => (await getJson(tenants.acme!, ['cluster', 'c1']))?.spec.controlPlaneRef?.name === 'c1-cp', 30_000, 'controlPlaneRef up');
    const up = await getJson(tenants.acme!, ['cluster', 'c1']);
    gen = up.metadata.generation; // the controlPlaneRef copied up is a spec change of the tenant's object
    await eventually(async () => (await getJson(tenants.acme!, ['cluster', 'c1']))?.status.observedGeneration === gen, 30_000, 'observed the copied-up spec');
    expect(up.status.observedGeneration).toBeLessThanOrEqual(gen);
    expect(up.status.phase).toBe('Provisioned');
    const available = up.status.conditions.find((c: { type: string }) => c.type === 'Available');
    expect(available.observedGeneration).toBe(gen);
    expect(up.status.conditions.find((c: { type: string }) => c.type === 'KplaneSynced').status).toBe('True');
  }, 60_000);

  it('copies the kubeconfig Secret up, owned by the Cluster, and keeps it up to date', async () => {
    const ns = dsNamespace('acme');
    await ok(mc.kubeconfigPath, ['create', 'secret', 'generic', 'c1-kubeconfig', '-n', ns, '--from-literal=value=apiVersion: v1\nkind: Config\n']);
    const s = await eventually(() => getJson(tenants.acme!, ['secret', 'c1-kubeconfig']), 30_000, 'kubeconfig up');
    expect(Buffer.from(s.data.value, 'base64').toString()).toContain('kind: Config');
    expect(s.metadata.ownerReferences[0]).toMatchObject({ kind: 'Cluster', name: 'c1' });
    await ok(mc.kubeconfigPath, ['patch', 'secret', 'c1-kubeconfig', '-n', ns, '--type=merge', '-p', JSON.stringify({ data: { value: Buffer.from('rotated').toString('base64') } })]);
    await eventually(async () => {
      const x = await getJson(tenants.acme!, ['secret', 'c1-kubeconfig']);
      return Buffer.from(x.data.value, 'base64').toString() === 'rotated';
    }, 30_000, 'rotated kubeconfig up');
    // beta has no such Secret: its namespace downstream has none
    expect(await getJson(tenants.beta!, ['secret', 'c1-kubeconfig'])).toBeUndefined();
  }, 60_000);

  it('repairs drift: a synced field edited in the management cluster is written back', async () => {
    const ns = dsNamespace('acme');
    await ok(mc.kubeconfigPath, ['patch', 'cluster', 'c1', '-n', ns, '--type=merge', '-p', '{"spec":{"topology":{"version":"v1.99.0"}},"metadata":{"labels":{"team":"ops"}}}']);
    await eventually(async () => {
      const d = await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]);
      return d.spec.topology.version === 'v1.34.2' && d.metadata.labels.team === 'web';
    }, 30_000, 'drift repaired');
  }, 60_000);

  it('maps a namespace reference into the tenant\'s own namespaces, never another tenant\'s', async () => {
    const betaNs = dsNamespace('beta');
    await ok(tenants.acme!, ['apply', '-f', '-'], toYaml({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'sneaky', namespace: 'default' },
      spec: { topology: { classRef: { name: 'quick-start', namespace: betaNs }, version: 'v1.34.0' } },
    }));
    const ds = await eventually(() => getJson(mc.kubeconfigPath, ['cluster', 'sneaky', '-n', dsNamespace('acme')]), 30_000, 'sneaky down');
    expect(ds.spec.topology.classRef.namespace).not.toBe(betaNs);
    expect(ds.spec.topology.classRef.namespace).toBe(dsNamespace('acme', betaNs));
    await ok(tenants.acme!, ['delete', 'cluster', 'sneaky', '--timeout=60s']);
  }, 90_000);

  it('answers the management cluster\'s rejection in the tenant\'s kubectl reply, with the tenant\'s names', async () => {
    await ok(mc.kubeconfigPath, ['apply', '-f', '-'], toYaml({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'no-v1-33' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: ['cluster.x-k8s.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['clusters'] }] },
        validations: [{ expression: "!object.spec.topology.version.startsWith('v1.33')", message: 'Kubernetes v1.33 is no longer offered' }],
      },
    }));
    await ok(mc.kubeconfigPath, ['apply', '-f', '-'], toYaml({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'no-v1-33' },
      spec: { policyName: 'no-v1-33', validationActions: ['Deny'] },
    }));
    const r = await eventually(async () => {
      const x = await run(tenants.acme!, ['create', '-f', '-'], cluster('old', { topology: { classRef: { name: 'quick-start', namespace: 'capi-classes' }, version: 'v1.33.4' } }));
      return x.code !== 0 ? x : (await run(tenants.acme!, ['delete', 'cluster', 'old', '--wait=false']), undefined);
    }, 30_000, 'rejected');
    expect(r.stderr).toContain('Kubernetes v1.33 is no longer offered');
    expect(r.stderr).toContain('"old"');
    expect(r.stderr).not.toContain('kp-');
    expect(await getJson(tenants.acme!, ['cluster', 'old'])).toBeUndefined();
  }, 60_000);

  it('deletes the downstream copy first and keeps the tenant\'s object until it is gone', async () => {
    const ns = dsNamespace('beta');
    // the management cluster's controllers hold their Cluster while they tear it down
    await ok(mc.kubeconfigPath, ['patch', 'cluster', 'c1', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":["cluster.cluster.x-k8s.io"]}}']);
    await ok(tenants.beta!, ['delete', 'cluster', 'c1', '--wait=false']);
    await eventually(async () => (await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]))?.metadata.deletionTimestamp, 30_000, 'downstream deleting');
    const up = await getJson(tenants.beta!, ['cluster', 'c1']);
    expect(up.metadata.deletionTimestamp).toBeDefined();
    // teardown done
    await ok(mc.kubeconfigPath, ['patch', 'cluster', 'c1', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await ok(tenants.beta!, ['wait', '--for=delete', 'cluster/c1', '--timeout=30s']);
  }, 90_000);
});

describe('catalog', () => {
  it('shows the provider\'s ClusterClasses read-only in the selected workspaces only', async () => {
    const cc = readFileSync(join(import.meta.dirname, '../fixtures/sync/clusterclass.yaml'), 'utf8');
    await ok(mc.kubeconfigPath, ['apply', '-n', 'capi-classes', '-f', '-'], cc);
    const got = await eventually(() => getJson(tenants.acme!, ['clusterclass', 'quick-start', '-n', 'capi-classes']), 30_000, 'catalog up');
    expect(got.metadata.annotations['sync.kplane.io/published-resource']).toBe('clusterclasses');
    const del = await run(tenants.acme!, ['delete', 'clusterclass', 'quick-start', '-n', 'capi-classes']);
    expect(del.stderr).toContain('cannot be changed in this workspace');
    // beta is silver: not bound
    expect(await getJson(tenants.beta!, ['clusterclass', 'quick-start', '-n', 'capi-classes'])).toBeUndefined();
    // gone downstream, gone in the tenant
    await ok(mc.kubeconfigPath, ['delete', 'clusterclass', 'quick-start', '-n', 'capi-classes']);
    await eventually(async () => (await getJson(tenants.acme!, ['clusterclass', 'quick-start', '-n', 'capi-classes'])) === undefined, 30_000, 'catalog copy removed');
  }, 90_000);
});



describe('mirror', () => {
  it('shows what the management cluster made for a tenant\'s Cluster (Machines) read-only in the tenant\'s namespace, status included', async () => {
    await ok(admin, ['apply', '-f', '-'], toYaml({
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'machines' },
      spec: { managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'machines', mode: 'Mirror' },
    }));
    const ns = dsNamespace('acme');
    // Cluster API's controllers make a Machine for acme's c1 (played by the test)
    await ok(mc.kubeconfigPath, ['apply', '-n', ns, '-f', '-'], toYaml({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine',
      metadata: { name: 'c1-cp-abcde', labels: { 'cluster.x-k8s.io/cluster-name': 'c1', 'cluster.x-k8s.io/control-plane': '' } },
      spec: { clusterName: 'c1', bootstrap: { dataSecretName: 'c1-bootstrap' }, infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DevMachine', name: 'c1-cp-abcde' } },
    }));
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await ok(mc.kubeconfigPath, ['patch', 'machine', 'c1-cp-abcde', '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: { phase: 'Running', nodeRef: { name: 'c1-node' }, conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: now }] },
    })]);
    const m = await eventually(async () => {
      const x = await getJson(tenants.acme!, ['machine', 'c1-cp-abcde']);
      return x?.status?.phase === 'Running' ? x : undefined;
    }, 30_000, 'machine mirrored');
    expect(m.metadata.namespace).toBe('default');
    expect(m.metadata.labels['cluster.x-k8s.io/cluster-name']).toBe('c1');
    expect(m.spec.clusterName).toBe('c1');
    // the other tenant has none; the tenant can neither change it nor make its own
    expect(await getJson(tenants.beta!, ['machine', 'c1-cp-abcde'])).toBeUndefined();
    expect((await run(tenants.acme!, ['delete', 'machine', 'c1-cp-abcde'])).stderr).toContain('cannot be changed in this workspace');
    const own = await run(tenants.acme!, ['create', '-f', '-'], toYaml({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine', metadata: { name: 'mine', namespace: 'default' },
      spec: { clusterName: 'c1', bootstrap: { dataSecretName: 'x' }, infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DevMachine', name: 'x' } },
    }));
    expect(own.stderr).toContain('read-only here');
    // gone downstream, gone in the tenant
    await ok(mc.kubeconfigPath, ['delete', 'machine', 'c1-cp-abcde', '-n', ns]);
    await eventually(async () => (await getJson(tenants.acme!, ['machine', 'c1-cp-abcde'])) === undefined, 30_000, 'mirror removed');
  }, 90_000);
});

describe('kplane sync status', () => {
  it('prints each management cluster and published resource with its state', async () => {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((res, rej) => execFile(BIN, ['sync', 'status', '--kubeconfig', admin], { timeout: 60_000 }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout))));
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^MANAGEMENT CLUSTER\s+READY\s+VERSION\s+MESSAGE$/);
    expect(lines.find((l) => l.startsWith('mgmt '))).toMatch(new RegExp(`^mgmt\\s+True\\s+${mc.serverVersion.replace(/\./g, '\\.')}$`));
    expect(lines.find((l) => l.startsWith('nowhere '))).toMatch(/False\s+KubeconfigNotFound: the Secret kplane-system\/missing does not exist/);
    const clusters = lines.find((l) => l.startsWith('clusters '))!.split(/\s{3,}/);
    expect(clusters.slice(0, 5)).toEqual(['clusters', 'clusters.cluster.x-k8s.io', 'Sync', 'mgmt', 'True']);
    expect(Number(clusters[5])).toBe(2);
    expect(clusters[8]).toBe('0');
  }, 60_000);
});

describe('schema changes and restarts', () => {
  it('carries a change of the downstream CRD to the tenants\' imported CRD', async () => {
    await ok(mc.kubeconfigPath, ['label', 'crd', 'clusters.cluster.x-k8s.io', 'cluster.x-k8s.io/v1beta3=v1beta3']);
    await eventually(async () => (await getJson(tenants.acme!, ['crd', 'clusters.cluster.x-k8s.io']))?.metadata.labels['cluster.x-k8s.io/v1beta3'] === 'v1beta3', 30_000, 'label up');
  }, 60_000);

  it('after a restart with nothing changed, makes no writes on either side', async () => {
    const ns = dsNamespace('acme');
    const before = (await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns])).metadata.resourceVersion;
    const upBefore = (await getJson(tenants.acme!, ['cluster', 'c1'])).metadata.resourceVersion;
    const port = Number(new URL(t.url).port);
    await t.k.stop();
    t.k = await Kplane.start({ dataDir: t.dir, host: '127.0.0.1', port, logger: pino({ level: process.env.KPLANE_TEST_LOG ?? 'silent' }) });
    // every published resource has listed both sides and reconciled every object once
    let last = '';
    await eventually(async () => {
      const r = await raw(t.url, credentialsOf(readFileSync(admin, 'utf8')), { path: '/metrics' });
      const m = /kplane_sync_objects_in_sync\{published_resource="clusters"\} (\d+)/.exec(r.text);
      last = r.text;
      return m && Number(m[1]) >= 1 ? r.text : undefined;
    }, 30_000, 'synced after restart').catch((e) => { throw new Error(`${e}\n${last.split('\n').filter((l) => l.startsWith('kplane_sync')).join('\n')}`); });
    await t.k.settle();
    const r = await raw(t.url, credentialsOf(readFileSync(admin, 'utf8')), { path: '/metrics' });
    expect(r.text).toContain('kplane_sync_queue_depth{published_resource="clusters"} 0');
    expect(r.text).not.toMatch(/kplane_sync_writes_total\{[^}]*\} [1-9]/);
    expect((await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns])).metadata.resourceVersion).toBe(before);
    expect((await getJson(tenants.acme!, ['cluster', 'c1'])).metadata.resourceVersion).toBe(upBefore);
    // /metrics is not for tenants
    const denied = await raw(t.url, credentialsOf(readFileSync(tenants.acme!, 'utf8')), { path: '/metrics' });
    expect(denied.status).toBe(403);
  }, 90_000);

  it('a deleted workspace\'s copies and namespaces are removed downstream', async () => {
    await ok(tenants.beta!, ['apply', '-f', '-'], cluster('c2'));
    const ns = dsNamespace('beta');
    await eventually(() => getJson(mc.kubeconfigPath, ['cluster', 'c2', '-n', ns]), 30_000, 'c2 down');
    await ok(admin, ['delete', 'workspace', 'beta', '--timeout=60s']);
    await eventually(async () => (await getJson(mc.kubeconfigPath, ['cluster', 'c2', '-n', ns])) === undefined, 30_000, 'c2 copy gone');
    await eventually(async () => {
      const n = await getJson(mc.kubeconfigPath, ['namespace', ns]);
      return n === undefined || n.metadata.deletionTimestamp;
    }, 30_000, 'namespace removed');
    // acme's are untouched
    expect(await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', dsNamespace('acme')])).toBeDefined();
  }, 90_000);
});
