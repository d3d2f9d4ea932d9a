// The syncer with Crossplane v2-shaped kinds (test/fixtures/crossplane: a namespaced composite XNetwork,
// a namespaced managed resource Bucket, ProviderConfig, ClusterProviderConfig) against a real management
// cluster (kube-apiserver + etcd from test/harness). Crossplane cannot be built here: FakeCrossplane
// (test/helpers/fake-crossplane.ts) plays Crossplane and the provider downstream, and each tenant is
// checked with the real kubectl as an ordinary workspace admin group.
//
// What is published: Buckets (CROSSPLANE_MANAGED_RESOURCE_RULES, the connection Secret related up),
// XNetworks (CROSSPLANE_COMPOSITE_RULES), and ProviderConfigs (CROSSPLANE_PROVIDER_CONFIG_RULES: credentials
// from a Secret or none, never the provider pod's own; the credentials Secret related down): a tenant's own
// ProviderConfig goes down into its namespace, where its Buckets' forced `kind: ProviderConfig` reference
// finds it. The management cluster runs kube-controller-manager's garbage collector (a credentials Secret
// goes with its ProviderConfig). ClusterProviderConfig is the provider's and is not
// published at all. The tenant's own view of a Bucket keeps the imported CRD's default
// `providerConfigRef: {kind: ClusterProviderConfig}`; only the copy downstream says ProviderConfig.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { eventually, machineKubectl, startKplane, type TestKplane } from '../helpers/kplane.js';
import { downstreamNamespaceOf, getJson, ok, run } from '../helpers/sync.js';
import { FakeCrossplane, bucketEndpoint } from '../helpers/fake-crossplane.js';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools } from '../harness/tools.js';
import { CROSSPLANE_COMPOSITE_RULES, CROSSPLANE_MANAGED_RESOURCE_RULES, CROSSPLANE_PROVIDER_CONFIG_RULES } from '../../src/sync/references.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/crossplane');
const CRDS = ['xnetworks.example.kplane.io', 'buckets.storage.example.kplane.io', 'providerconfigs.storage.example.kplane.io', 'clusterproviderconfigs.storage.example.kplane.io'];
const BUCKETS = 'buckets.storage.example.kplane.io';
const PCS = 'providerconfigs.storage.example.kplane.io';


let mc: ManagementCluster;
let t: TestKplane;
let admin: string;
let xp: FakeCrossplane;
const tenants: Record<string, string> = {};
const uids: Record<string, string> = {};


const dsNamespace = (ws: string, ns = 'default'): string => downstreamNamespaceOf(uids, ws, ns);

const bucket = (name: string, spec: Record<string, unknown> = {}) => toYaml({
  apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'Bucket',
  metadata: { name, namespace: 'default' },
  spec: { forProvider: { region: 'eu-west-1' }, ...spec },
});

const providerConfig = (name: string) => toYaml({
  apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'ProviderConfig',
  metadata: { name, namespace: 'default' },
  spec: { credentials: { source: 'None' } },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cond = (o: any, type: string) => (o?.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

beforeAll(async () => {
  await ensureTools();
  // the garbage collector removes a ProviderConfig's credentials Secret with it
  mc = await startManagementCluster({ withControllerManager: true });
  for (const c of CRDS) await ok(mc.kubeconfigPath, ['apply', '--server-side', '-f', '-'], readFileSync(join(FIXTURES, `${c}.yaml`), 'utf8'));
  await ok(mc.kubeconfigPath, ['wait', '--for=condition=Established', ...CRDS.map((c) => `crd/${c}`), '--timeout=60s']);
  // the provider's own credentials: no tenant's Bucket may ever use them
  await ok(mc.kubeconfigPath, ['apply', '-f', '-'], toYaml({
    apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'ClusterProviderConfig', metadata: { name: 'default' },
    spec: { credentials: { source: 'Secret', secretRef: { namespace: 'crossplane-system', name: 'provider-creds', key: 'credentials' } } },
  }));
  xp = new FakeCrossplane(mc.kubeconfigPath, machineKubectl());
  await xp.start();

  t = await startKplane();
  admin = t.kubeconfig;
  await ok(admin, ['create', 'namespace', 'kplane-system']);
  await ok(admin, ['create', 'secret', 'generic', 'mgmt-kubeconfig', '-n', 'kplane-system', `--from-file=kubeconfig=${mc.kubeconfigPath}`]);
  for (const ws of ['acme', 'beta']) {
    await ok(admin, ['create', '-f', '-'], toYaml({
      apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: ws },
      spec: { admins: [{ kind: 'Group', name: `${ws}-admins` }] },
    }));
  }
  await ok(admin, ['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/acme', 'workspace/beta', '--timeout=60s']);
  for (const ws of ['acme', 'beta']) {
    tenants[ws] = await t.kubeconfigFor(`root:${ws}`, `${ws}-alice`, [`${ws}-admins`]);
    uids[ws] = (await t.k.clusters.info(`root:${ws}`))!.uid;
  }

  await ok(admin, ['apply', '-f', '-'], toYaml({
    apiVersion: 'sync.kplane.io/v1alpha1', kind: 'ManagementCluster', metadata: { name: 'mgmt' },
    spec: { kubeconfigSecretRef: { namespace: 'kplane-system', name: 'mgmt-kubeconfig' } },
  }));
  const published = [
    { name: 'buckets', group: 'storage.example.kplane.io', resource: 'buckets', references: CROSSPLANE_MANAGED_RESOURCE_RULES, related: [{ resource: 'secrets', namePath: 'spec.writeConnectionSecretToRef.name' }] },
    {
      name: 'providerconfigs', group: 'storage.example.kplane.io', resource: 'providerconfigs', references: CROSSPLANE_PROVIDER_CONFIG_RULES,
      related: [{ resource: 'secrets', namePath: 'spec.credentials.secretRef.name', direction: 'Down' }],
    },
    { name: 'xnetworks', group: 'example.kplane.io', resource: 'xnetworks', references: CROSSPLANE_COMPOSITE_RULES },
  ];
  for (const { name, ...spec } of published) {
    await ok(admin, ['apply', '-f', '-'], toYaml({
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name },
      spec: { managementCluster: 'mgmt', ...spec },
    }));
  }
  await ok(admin, ['wait', '--for=condition=Ready', ...published.map((p) => `publishedresource/${p.name}`), '--timeout=60s']);
  for (const ws of ['acme', 'beta']) {
    for (const c of CRDS.slice(0, 3)) await eventually(() => getJson(tenants[ws]!, ['crd', c]), 30_000, `${c} imported into ${ws}`);
    await ok(tenants[ws]!, ['wait', '--for=condition=Established', ...CRDS.slice(0, 3).map((c) => `crd/${c}`), '--timeout=30s']);
  }
}, 240_000);

afterAll(async () => {
  await xp?.stop();
  await t?.stop();
  await mc?.stop();
});

describe('Crossplane managed resources (Bucket)', () => {
  it('never reach the provider\'s ClusterProviderConfig: kind is forced to ProviderConfig, a missing ref defaults to default', async () => {
    const ns = dsNamespace('acme');
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('b-cluster', { providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' } }));
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('b-none'));
    const cl = await eventually(() => getJson(mc.kubeconfigPath, [BUCKETS, 'b-cluster', '-n', ns]), 30_000, 'b-cluster down');
    const none = await eventually(() => getJson(mc.kubeconfigPath, [BUCKETS, 'b-none', '-n', ns]), 30_000, 'b-none down');
    expect(cl.spec.providerConfigRef).toEqual({ kind: 'ProviderConfig', name: 'default' });
    expect(none.spec.providerConfigRef).toEqual({ kind: 'ProviderConfig', name: 'default' });
    // no ProviderConfig in the tenant's namespace yet: the provider says so, and the tenant sees it
    await ok(tenants.acme!, ['wait', '--for=condition=Synced=False', 'bucket/b-cluster', 'bucket/b-none', '--timeout=30s']);
    expect(cond(await getJson(tenants.acme!, [BUCKETS, 'b-none']), 'Synced').message).toContain(`ProviderConfig "default" not found in namespace "${ns}"`);
    const seen = xp.refsSeen.filter((r) => r.namespace === ns);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => (r.ref as { kind: string }).kind === 'ProviderConfig')).toBe(true);
    // the provider's kind is not served to tenants
    expect((await run(tenants.acme!, ['get', 'clusterproviderconfigs.storage.example.kplane.io'])).code).not.toBe(0);
  }, 90_000);

  it('use the tenant\'s own ProviderConfig, synced down into its namespace', async () => {
    const ns = dsNamespace('acme');
    await ok(tenants.acme!, ['apply', '-f', '-'], providerConfig('default'));
    const pc = await eventually(() => getJson(mc.kubeconfigPath, [PCS, 'default', '-n', ns]), 30_000, 'ProviderConfig down');
    expect(pc.metadata.annotations['sync.kplane.io/workspace']).toBe('root:acme');
    // the provider sees it and reconciles both Buckets (neither of them with the ClusterProviderConfig)
    await ok(tenants.acme!, ['wait', '--for=condition=Ready', 'bucket/b-cluster', 'bucket/b-none', '--timeout=30s']);
    const up = await getJson(tenants.acme!, [BUCKETS, 'b-none']);
    expect(up.status.atProvider.endpoint).toBe(bucketEndpoint(ns, 'b-none'));
    expect(cond(up, 'Synced').status).toBe('True');
    expect(cond(up, 'KplaneSynced').status).toBe('True');
    // a ProviderConfig that would use the provider's own identity is refused in the tenant's kubectl reply
    for (const source of ['InjectedIdentity', 'Environment', 'Filesystem']) {
      const r = await run(tenants.acme!, ['apply', '-f', '-'], toYaml({
        apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'ProviderConfig', metadata: { name: 'ambient', namespace: 'default' },
        spec: { credentials: { source, env: { name: 'AWS_CREDS' }, fs: { path: '/var/run/creds' } } },
      }));
      expect(r.code, source).not.toBe(0);
      expect(r.stderr).toContain('spec.credentials.source');
      expect(r.stderr).toContain('is invalid');
    }
    expect(await getJson(tenants.acme!, [PCS, 'ambient'])).toBeUndefined();
    // only in acme's namespace
    const all = await getJson(mc.kubeconfigPath, [PCS, '-A']);
    expect(all.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual([ns]);
  }, 90_000);

  it('come up Ready with observedGeneration in the tenant\'s generations, so kubectl wait works', async () => {
    const ns = dsNamespace('acme');
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('b1', { writeConnectionSecretToRef: { name: 'b1-conn' } }));
    await ok(tenants.acme!, ['wait', '--for=condition=Ready', 'bucket/b1', '--timeout=30s']);
    // the downstream generation moves ahead of the tenant's: a drift edit there, repaired by the syncer
    await ok(mc.kubeconfigPath, ['patch', BUCKETS, 'b1', '-n', ns, '--type=merge', '-p', '{"spec":{"forProvider":{"region":"us-east-1"}}}']);
    await eventually(async () => {
      const d = await getJson(mc.kubeconfigPath, [BUCKETS, 'b1', '-n', ns]);
      return d.metadata.generation >= 3 && d.spec.forProvider.region === 'eu-west-1';
    }, 30_000, 'drift repaired');
    // the tenant changes its spec: generation 2 upstream, 4 downstream
    await ok(tenants.acme!, ['patch', BUCKETS, 'b1', '--type=merge', '-p', '{"spec":{"forProvider":{"storageClass":"Archive"}}}']);
    await ok(tenants.acme!, ['wait', '--for=condition=Ready', 'bucket/b1', '--timeout=30s']);
    const up = await getJson(tenants.acme!, [BUCKETS, 'b1']);
    const down = await getJson(mc.kubeconfigPath, [BUCKETS, 'b1', '-n', ns]);
    expect(up.metadata.generation).toBe(2);
    expect(down.metadata.generation).toBeGreaterThan(up.metadata.generation);
    expect(cond(up, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(cond(up, 'Synced')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(up.status.atProvider.storageClass).toBe('Archive');
    const printed = await ok(tenants.acme!, ['get', 'bucket', 'b1']);
    expect(printed.split('\n')[1]).toMatch(/^b1\s+True\s+True\s/);
  }, 90_000);

  it('get their connection Secret in the tenant namespace, owned by the Bucket, removed with it', async () => {
    const ns = dsNamespace('acme');
    await eventually(() => getJson(mc.kubeconfigPath, ['secret', 'b1-conn', '-n', ns]), 30_000, 'connection Secret written downstream');
    const s = await eventually(() => getJson(tenants.acme!, ['secret', 'b1-conn']), 30_000, 'connection Secret up');
    const b1 = await getJson(tenants.acme!, [BUCKETS, 'b1']);
    expect(Buffer.from(s.data.endpoint, 'base64').toString()).toBe(bucketEndpoint(ns, 'b1'));
    expect(s.type).toBe('connection.crossplane.io/v1alpha1');
    expect(s.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Bucket', name: 'b1', uid: b1.metadata.uid, controller: true })]);
    expect(await getJson(tenants.beta!, ['secret', 'b1-conn'])).toBeUndefined();
    await ok(tenants.acme!, ['delete', 'bucket', 'b1', '--timeout=60s']);
    expect(await getJson(mc.kubeconfigPath, [BUCKETS, 'b1', '-n', ns])).toBeUndefined();
    await eventually(async () => (await getJson(mc.kubeconfigPath, ['secret', 'b1-conn', '-n', ns])) === undefined, 30_000, 'downstream Secret removed');
    await eventually(async () => (await getJson(tenants.acme!, ['secret', 'b1-conn'])) === undefined, 30_000, 'tenant Secret removed');
  }, 120_000);

  it('never overwrite a Secret of the tenant\'s own that a connection Secret is named after', async () => {
    const ns = dsNamespace('acme');
    // of the connection Secrets' type (an Opaque one cannot become one: a Secret's type is immutable)
    await ok(tenants.acme!, ['create', 'secret', 'generic', 'mine', '--type=connection.crossplane.io/v1alpha1', '--from-literal=password=hunter2']);
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('b2', { writeConnectionSecretToRef: { name: 'mine' } }));
    await ok(tenants.acme!, ['wait', '--for=condition=Ready', 'bucket/b2', '--timeout=30s']);
    // the provider wrote its connection Secret downstream; then another Bucket's: once that one is up,
    // the syncer's one watch of Secrets downstream has brought it the first
    await eventually(() => getJson(mc.kubeconfigPath, ['secret', 'mine', '-n', ns]), 30_000, 'connection Secret downstream');
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('b3', { writeConnectionSecretToRef: { name: 'b3-conn' } }));
    await eventually(() => getJson(tenants.acme!, ['secret', 'b3-conn']), 30_000, 'the next connection Secret up');
    const s = await getJson(tenants.acme!, ['secret', 'mine']);
    expect(Object.keys(s.data)).toEqual(['password']);
    expect(s.metadata.ownerReferences).toBeUndefined();
    // deleting the Bucket leaves the tenant's Secret alone
    await ok(tenants.acme!, ['delete', 'bucket', 'b2', '--timeout=60s']);
    await eventually(async () => (await getJson(mc.kubeconfigPath, ['secret', 'mine', '-n', ns])) === undefined, 30_000, 'downstream Secret removed');
    await ok(tenants.acme!, ['delete', 'bucket', 'b3', '--timeout=60s']);
    await eventually(async () => (await getJson(tenants.acme!, ['secret', 'b3-conn'])) === undefined, 30_000, 'the next connection Secret removed');
    expect(Buffer.from((await getJson(tenants.acme!, ['secret', 'mine'])).data.password, 'base64').toString()).toBe('hunter2');
  }, 120_000);

  it('never give one Bucket\'s connection Secret to another naming it: the second gets a Warning Event', async () => {
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('first', { writeConnectionSecretToRef: { name: 'shared-conn' } }));
    const first = await eventually(async () => {
      const s = await getJson(tenants.acme!, ['secret', 'shared-conn']);
      return s?.metadata?.ownerReferences ? s : undefined;
    }, 30_000, 'first Bucket\'s connection Secret up');
    const firstUid = (await getJson(tenants.acme!, [BUCKETS, 'first'])).metadata.uid;
    expect(first.metadata.ownerReferences).toEqual([expect.objectContaining({ name: 'first', uid: firstUid })]);
    await ok(tenants.acme!, ['apply', '-f', '-'], bucket('second', { writeConnectionSecretToRef: { name: 'shared-conn' } }));
    const secondUid = (await getJson(tenants.acme!, [BUCKETS, 'second'])).metadata.uid;
    const ev = await eventually(async () => {
      const list = await getJson(tenants.acme!, ['events', '--field-selector', `involvedObject.uid=${secondUid}`]);
      return (list?.items ?? []).find((e: { reason: string }) => e.reason === 'RelatedObjectConflict');
    }, 30_000, 'Warning Event on the second Bucket');
    expect(ev.type).toBe('Warning');
    expect(ev.message).toContain('shared-conn');
    expect(ev.message).toContain('first');
    const s = await getJson(tenants.acme!, ['secret', 'shared-conn']);
    expect(s.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Bucket', name: 'first', uid: firstUid })]);
    await ok(tenants.acme!, ['delete', 'bucket', 'second', 'first', '--timeout=60s']);
    await eventually(async () => (await getJson(tenants.acme!, ['secret', 'shared-conn'])) === undefined, 30_000, 'the first\'s Secret removed with it');
  }, 120_000);

  it('keep two tenants\' objects of one name apart, each with its own ProviderConfig', async () => {
    const [a, b] = [dsNamespace('acme'), dsNamespace('beta')];
    expect(a).not.toBe(b);
    // beta's ProviderConfig has a name acme does not have: acme cannot use it
    await ok(tenants.beta!, ['apply', '-f', '-'], providerConfig('beta-creds'));
    for (const ws of ['acme', 'beta']) {
      await ok(tenants[ws]!, ['apply', '-f', '-'], bucket('same', { providerConfigRef: { kind: 'ProviderConfig', name: 'beta-creds' }, writeConnectionSecretToRef: { name: 'same-conn' } }));
    }
    await ok(tenants.beta!, ['wait', '--for=condition=Ready', 'bucket/same', '--timeout=30s']);
    await ok(tenants.acme!, ['wait', '--for=condition=Synced=False', 'bucket/same', '--timeout=30s']);
    expect(cond(await getJson(tenants.acme!, [BUCKETS, 'same']), 'Synced').message).toContain(`ProviderConfig "beta-creds" not found in namespace "${a}"`);
    const s = await eventually(() => getJson(tenants.beta!, ['secret', 'same-conn']), 30_000, 'beta connection Secret');
    expect(Buffer.from(s.data.endpoint, 'base64').toString()).toBe(bucketEndpoint(b, 'same'));
    expect(await getJson(tenants.acme!, ['secret', 'same-conn'])).toBeUndefined();
    const down = await getJson(mc.kubeconfigPath, [BUCKETS, '-A', '--field-selector=metadata.name=same']);
    expect(down.items.map((i: { metadata: { namespace: string; annotations: Record<string, string> } }) => [i.metadata.namespace, i.metadata.annotations['sync.kplane.io/workspace']]).sort())
      .toEqual([[a, 'root:acme'], [b, 'root:beta']].sort());
    // acme makes its own: its Bucket comes up with its own endpoint, beta's stays as it was
    await ok(tenants.acme!, ['apply', '-f', '-'], providerConfig('beta-creds'));
    await ok(tenants.acme!, ['wait', '--for=condition=Ready', 'bucket/same', '--timeout=30s']);
    const sa = await eventually(() => getJson(tenants.acme!, ['secret', 'same-conn']), 30_000, 'acme connection Secret');
    expect(Buffer.from(sa.data.endpoint, 'base64').toString()).toBe(bucketEndpoint(a, 'same'));
    expect(Buffer.from((await getJson(tenants.beta!, ['secret', 'same-conn'])).data.endpoint, 'base64').toString()).toBe(bucketEndpoint(b, 'same'));
  }, 120_000);
});

describe('ProviderConfig credentials (related Down)', () => {
  it('the tenant\'s Secret goes down owned by the downstream ProviderConfig, follows the tenant\'s changes, is repaired, and goes with it', async () => {
    const ns = dsNamespace('acme');
    await ok(tenants.acme!, ['create', 'secret', 'generic', 'creds', '--from-literal=key=v1', '--dry-run=client', '-o', 'yaml'])
      .then((y) => ok(tenants.acme!, ['apply', '-f', '-'], y.replace('metadata:', 'metadata:\n  labels:\n    team: storage')));
    await ok(tenants.acme!, ['apply', '-f', '-'], toYaml({
      apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'ProviderConfig', metadata: { name: 'with-creds', namespace: 'default' },
      spec: { credentials: { source: 'Secret', secretRef: { name: 'creds', key: 'key' } } },
    }));
    const pc = await eventually(() => getJson(mc.kubeconfigPath, [PCS, 'with-creds', '-n', ns]), 30_000, 'ProviderConfig down');
    const s = await eventually(() => getJson(mc.kubeconfigPath, ['secret', 'creds', '-n', ns]), 30_000, 'credentials Secret down');
    expect(s.type).toBe('Opaque');
    expect(Buffer.from(s.data.key, 'base64').toString()).toBe('v1');
    expect(s.metadata.labels).toMatchObject({ team: 'storage', 'sync.kplane.io/cluster': expect.any(String) });
    expect(s.metadata.annotations).toMatchObject({ 'sync.kplane.io/workspace': 'root:acme', 'sync.kplane.io/namespace': 'default', 'sync.kplane.io/name': 'creds' });
    expect(s.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ProviderConfig', name: 'with-creds', uid: pc.metadata.uid })]);
    // only acme's namespace gets it
    expect(await getJson(mc.kubeconfigPath, ['secret', 'creds', '-n', dsNamespace('beta')])).toBeUndefined();

    // the tenant rotates it
    await ok(tenants.acme!, ['patch', 'secret', 'creds', '--type=merge', '-p', JSON.stringify({ data: { key: Buffer.from('v2').toString('base64') } })]);
    await eventually(async () => {
      const d = await getJson(mc.kubeconfigPath, ['secret', 'creds', '-n', ns]);
      return Buffer.from(d?.data?.key ?? '', 'base64').toString() === 'v2';
    }, 30_000, 'rotated credentials down');

    // an edit downstream is repaired
    await ok(mc.kubeconfigPath, ['patch', 'secret', 'creds', '-n', ns, '--type=merge', '-p', JSON.stringify({ data: { key: Buffer.from('evil').toString('base64') } })]);
    await eventually(async () => {
      const d = await getJson(mc.kubeconfigPath, ['secret', 'creds', '-n', ns]);
      return Buffer.from(d?.data?.key ?? '', 'base64').toString() === 'v2';
    }, 30_000, 'downstream edit repaired');

    // the ProviderConfig goes: the management cluster's garbage collector removes the Secret with it
    await ok(tenants.acme!, ['delete', PCS, 'with-creds', '--timeout=60s']);
    await eventually(async () => (await getJson(mc.kubeconfigPath, [PCS, 'with-creds', '-n', ns])) === undefined, 30_000, 'ProviderConfig gone downstream');
    await eventually(async () => (await getJson(mc.kubeconfigPath, ['secret', 'creds', '-n', ns])) === undefined, 60_000, 'credentials Secret collected');
    // the tenant's own Secret stays
    expect(Buffer.from((await getJson(tenants.acme!, ['secret', 'creds'])).data.key, 'base64').toString()).toBe('v2');
  }, 120_000);
});

describe('Crossplane composite resources (XNetwork)', () => {
  it('go down with resourceRefs naming another tenant\'s objects stripped, and come up Ready', async () => {
    const betaNs = dsNamespace('beta');
    await ok(tenants.acme!, ['apply', '-f', '-'], toYaml({
      apiVersion: 'example.kplane.io/v1alpha1', kind: 'XNetwork', metadata: { name: 'n1', namespace: 'default' },
      spec: {
        region: 'eu-west-1',
        crossplane: {
          compositionRef: { name: 'networks' },
          resourceRefs: [{ apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'Bucket', name: 'same', namespace: betaNs }],
        },
      },
    }));
    const ds = await eventually(() => getJson(mc.kubeconfigPath, ['xnetworks.example.kplane.io', 'n1', '-n', dsNamespace('acme')]), 30_000, 'XNetwork down');
    expect(ds.spec.crossplane.resourceRefs).toBeUndefined();
    expect(ds.spec.crossplane.compositionRef).toEqual({ name: 'networks' });
    expect(ds.spec.region).toBe('eu-west-1');
    await ok(tenants.acme!, ['wait', '--for=condition=Ready', 'xnetwork/n1', '--timeout=30s']);
    const up = await getJson(tenants.acme!, ['xnetwork', 'n1']);
    expect(up.status.networkId).toBe(`net-${dsNamespace('acme')}-n1`);
    // the tenant's own copy keeps what it wrote; beta's Bucket is untouched
    expect(up.spec.crossplane.resourceRefs).toHaveLength(1);
    expect((await getJson(mc.kubeconfigPath, [BUCKETS, 'same', '-n', betaNs])).metadata.annotations['sync.kplane.io/workspace']).toBe('root:beta');
  }, 90_000);

  it('left the fake provider without errors', () => {
    expect(xp.errors).toEqual([]);
    expect(xp.refsSeen.every((r) => (r.ref as { kind: string }).kind === 'ProviderConfig')).toBe(true);
  });
});
