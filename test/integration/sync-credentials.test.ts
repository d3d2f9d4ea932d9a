// The OpenStack credential transform (issue 11, point 6) against a real management cluster (kube-apiserver +
// etcd from test/harness) with Cluster API's real Cluster and ClusterResourceSet CRDs (from the Go module
// cache): a tenant's clouds.yaml Secret becomes the CAPO identityRef Secret, the resource-set Secret with the
// workload cluster's kube-system/cloud-config and the ClusterResourceSet selecting the tenant's Clusters, in
// the tenant's own namespace; an invalid clouds.yaml is told on the Secret and writes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { capiFiles, readObjects } from '../helpers/capi.js';
import { eventually, startKplane, type TestKplane } from '../helpers/kplane.js';
import { downstreamNamespaceOf, getJson, ok } from '../helpers/sync.js';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools } from '../harness/tools.js';
import { CLUSTER_API_CLUSTER_RULES } from '../../src/sync/references.js';

let mc: ManagementCluster;
let t: TestKplane;
let admin: string;
const tenants: Record<string, string> = {};
const uids: Record<string, string> = {};

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');

const dsNamespace = (ws: string, ns = 'default'): string => downstreamNamespaceOf(uids, ws, ns);

const credSecret = (name: string, data: Record<string, string>, type = 'kplane.io/openstack-clouds') => toYaml({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

const appCred = `clouds:
  openstack:
    auth:
      auth_url: https://keystone.example:5000/v3
      application_credential_id: 7f3a1c
      application_credential_secret: s3cret
    region_name: RegionOne
    interface: public
    auth_type: v3applicationcredential
`;

const passwordCloud = `clouds:
  prod:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: alice
      password: "p w;#"
      user_domain_name: Default
      project_id: "0042"
      project_name: k8s
    region_name: RegionTwo
    cacert: /home/alice/ca.pem
`;
const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n';

/** cloud.conf → { section: { key: value } } (values unquoted as gcfg reads them; enough for these tests). */
function readConf(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) { section = out[head[1]!] = {}; continue; }
    const m = /^([a-z-]+)=(.*)$/.exec(line);
    if (!m || !section) throw new Error(`bad cloud.conf line ${JSON.stringify(line)}`);
    const v = m[2]!;
    section[m[1]!] = v.startsWith('"') ? JSON.parse(v) as string : v;
  }
  return out;
}

interface Downstream {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  identity: any; resourceSet: any; crs: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  workload: any;
  conf: Record<string, Record<string, string>>;
}

async function downstreamOf(ws: string, name: string): Promise<Downstream | undefined> {
  const ns = dsNamespace(ws);
  const identity = await getJson(mc.kubeconfigPath, ['secret', name, '-n', ns]);
  const resourceSet = await getJson(mc.kubeconfigPath, ['secret', `${name}-cloud-config`, '-n', ns]);
  const crs = await getJson(mc.kubeconfigPath, ['clusterresourceset.v1beta2.addons.cluster.x-k8s.io', `${name}-cloud-config`, '-n', ns]);
  if (!identity || !resourceSet || !crs) return undefined;
  const workload = parseYaml(unb64(resourceSet.data['cloud-config.yaml']));
  return { identity, resourceSet, crs, workload, conf: readConf(unb64(workload.data['cloud.conf'])) };
}

async function gone(ws: string, name: string): Promise<boolean> {
  const ns = dsNamespace(ws);
  return (await getJson(mc.kubeconfigPath, ['secret', name, '-n', ns])) === undefined
    && (await getJson(mc.kubeconfigPath, ['secret', `${name}-cloud-config`, '-n', ns])) === undefined
    && (await getJson(mc.kubeconfigPath, ['clusterresourceset.v1beta2.addons.cluster.x-k8s.io', `${name}-cloud-config`, '-n', ns])) === undefined;
}

beforeAll(async () => {
  await ensureTools();
  mc = await startManagementCluster();
  for (const f of [...capiFiles('core/config/crd/bases/cluster.x-k8s.io_clusters.yaml'), ...capiFiles('core/config/crd/bases/addons.cluster.x-k8s.io_clusterresourcesets.yaml')]) {
    const crd = readObjects(f)[0]!;
    (crd.metadata as { labels?: Record<string, string> }).labels = { 'cluster.x-k8s.io/v1beta2': 'v1beta2', 'clusterctl.cluster.x-k8s.io': '', 'cluster.x-k8s.io/provider': 'cluster-api' };
    await ok(mc.kubeconfigPath, ['apply', '--server-side', '-f', '-'], JSON.stringify(crd));
  }
  await ok(mc.kubeconfigPath, ['wait', '--for=condition=Established', 'crd/clusters.cluster.x-k8s.io', 'crd/clusterresourcesets.addons.cluster.x-k8s.io', '--timeout=60s']);
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
  await ok(admin, ['apply', '-f', '-'], toYaml({
    apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'clusters' },
    spec: {
      managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'clusters',
      references: CLUSTER_API_CLUSTER_RULES('capi-classes'),
      credentials: { openstack: { loadBalancer: { createMonitor: false, enableIngressHostname: false } } },
    },
  }));
  await ok(admin, ['wait', '--for=condition=Ready', 'managementcluster/mgmt', 'publishedresource/clusters', '--timeout=60s']);
  await eventually(() => getJson(tenants.acme!, ['crd', 'clusters.cluster.x-k8s.io']), 30_000, 'imported CRD');
  await ok(tenants.acme!, ['wait', '--for=condition=Established', 'crd/clusters.cluster.x-k8s.io', '--timeout=30s']);
}, 240_000);

afterAll(async () => {
  await t?.stop();
  await mc?.stop();
});

describe('an OpenStack credential Secret in a tenant workspace', () => {
  it('becomes the identityRef Secret, the cloud-config resource set and a ClusterResourceSet selecting the tenant\'s Clusters', async () => {
    await ok(tenants.acme!, ['apply', '-f', '-'], toYaml({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'c1', namespace: 'default' },
      spec: { topology: { classRef: { name: 'quick-start', namespace: 'capi-classes' }, version: 'v1.34.0' } },
    }));
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('os', { 'clouds.yaml': appCred }));
    const ns = dsNamespace('acme');
    const d = await eventually(() => downstreamOf('acme', 'os'), 30_000, 'credential objects downstream');
    expect(d.conf).toEqual({
      Global: {
        'auth-url': 'https://keystone.example:5000/v3', region: 'RegionOne',
        'application-credential-id': '7f3a1c', 'application-credential-secret': 's3cret',
      },
      // the PublishedResource's overrides; the others keep SCS's defaults
      LoadBalancer: { 'manage-security-groups': 'true', 'use-octavia': 'true', 'enable-ingress-hostname': 'false', 'create-monitor': 'false' },
    });
    expect(d.workload.metadata).toEqual({ name: 'cloud-config', namespace: 'kube-system' });
    expect(Object.keys(d.workload.data)).toEqual(['cloud.conf']);
    expect(d.resourceSet.type).toBe('addons.cluster.x-k8s.io/resource-set');
    expect(Object.keys(d.identity.data)).toEqual(['clouds.yaml']);
    expect(parseYaml(unb64(d.identity.data['clouds.yaml']))).toEqual(parseYaml(appCred));
    for (const o of [d.identity, d.resourceSet, d.crs]) {
      expect(o.metadata.annotations).toMatchObject({ 'sync.kplane.io/workspace': 'root:acme', 'sync.kplane.io/namespace': 'default', 'sync.kplane.io/name': 'os' });
      expect(o.metadata.labels['sync.kplane.io/cluster']).toMatch(/^kp-/);
    }
    expect(d.crs.spec.strategy).toBe('Reconcile');
    expect(d.crs.spec.resources).toEqual([{ kind: 'Secret', name: 'os-cloud-config' }]);
    // the selector matches the tenant's synced Cluster, as Cluster API's controller would select it
    const ds = await eventually(() => getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]), 30_000, 'downstream Cluster');
    const sel = d.crs.spec.clusterSelector.matchLabels as Record<string, string>;
    expect(Object.keys(sel).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(sel)) expect(ds.metadata.labels[k]).toBe(v);
    const selected = await getJson(mc.kubeconfigPath, ['clusters', '-n', ns, '-l', Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',')]);
    expect(selected.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual(['c1']);
    // no error marker on a valid Secret
    const up = await getJson(tenants.acme!, ['secret', 'os']);
    expect(up.metadata.annotations?.['sync.kplane.io/credentials-error']).toBeUndefined();
  }, 90_000);

  it('with password auth and a CA: tenant-id from project_id, ca-file, and the CA in both Secrets', async () => {
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('os-pw', { 'clouds.yaml': passwordCloud, cacert: pem }, 'Opaque')
      .replace('metadata:\n', 'metadata:\n  labels:\n    sync.kplane.io/credentials: openstack\n'));
    const d = await eventually(() => downstreamOf('acme', 'os-pw'), 30_000, 'password credential downstream');
    const caFile = d.conf.Global!['ca-file']!;
    expect(d.conf.Global).toEqual({
      'auth-url': 'https://keystone.example:5000/v3', region: 'RegionTwo',
      username: 'alice', password: 'p w;#', 'user-domain-name': 'Default', 'tenant-id': '0042', 'tenant-name': 'k8s',
      'ca-file': caFile,
    });
    expect(caFile).toBe('/etc/config/cacert');
    expect(Object.keys(d.workload.data).sort()).toEqual(['cacert', 'cloud.conf']);
    expect(unb64(d.workload.data.cacert)).toBe(pem);
    expect(unb64(d.identity.data.cacert)).toBe(pem);
    expect(parseYaml(unb64(d.identity.data['clouds.yaml'])).clouds.prod.cacert).toBeUndefined();
  }, 60_000);

  it('an invalid clouds.yaml: an annotation and a Warning Event on the Secret, nothing downstream; fixed, it is written', async () => {
    const broken = appCred.replace(/ *region_name.*\n/, '');
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('bad', { 'clouds.yaml': broken }));
    const marked = await eventually(async () => (await getJson(tenants.acme!, ['secret', 'bad']))?.metadata.annotations?.['sync.kplane.io/credentials-error'] as string | undefined, 30_000, 'error annotation');
    expect(marked).toBe('clouds.openstack.region_name: Required value');
    const ev = await eventually(async () => {
      const l = await getJson(tenants.acme!, ['events', '--field-selector', 'involvedObject.name=bad,involvedObject.kind=Secret']);
      return l?.items.find((e: { reason: string }) => e.reason === 'InvalidCloudsYAML');
    }, 30_000, 'Warning Event');
    expect(ev.type).toBe('Warning');
    expect(ev.message).toBe('clouds.openstack.region_name: Required value');
    // the decision was made (the annotation is written after it): nothing is downstream
    expect(await gone('acme', 'bad')).toBe(true);
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('bad', { 'clouds.yaml': appCred }));
    const d = await eventually(() => downstreamOf('acme', 'bad'), 30_000, 'fixed credential downstream');
    expect(d.conf.Global!.region).toBe('RegionOne');
    await eventually(async () => (await getJson(tenants.acme!, ['secret', 'bad']))?.metadata.annotations?.['sync.kplane.io/credentials-error'] === undefined, 30_000, 'error annotation removed');
    // broken again: the last valid copies stay (running clusters keep working), the tenant is told
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('bad', { 'clouds.yaml': 'clouds: [' }));
    const again = await eventually(async () => (await getJson(tenants.acme!, ['secret', 'bad']))?.metadata.annotations?.['sync.kplane.io/credentials-error'] as string | undefined, 30_000, 'error annotation again');
    expect(again).toMatch(/^clouds\.yaml: Invalid value: not valid YAML/);
    expect((await downstreamOf('acme', 'bad'))?.conf.Global!.region).toBe('RegionOne');
  }, 90_000);

  it('repairs drift in the management cluster and follows a rotated credential', async () => {
    const ns = dsNamespace('acme');
    await ok(mc.kubeconfigPath, ['patch', 'secret', 'os-cloud-config', '-n', ns, '--type=merge', '-p', JSON.stringify({ data: { 'cloud-config.yaml': b64('tampered') } })]);
    await eventually(async () => (await downstreamOf('acme', 'os'))?.conf.Global!['application-credential-secret'] === 's3cret', 30_000, 'drift repaired');
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('os', { 'clouds.yaml': appCred.replace('s3cret', 'rotated') }));
    await eventually(async () => {
      const d = await downstreamOf('acme', 'os');
      return d?.conf.Global!['application-credential-secret'] === 'rotated' && parseYaml(unb64(d.identity.data['clouds.yaml'])).clouds.openstack.auth.application_credential_secret === 'rotated';
    }, 30_000, 'rotated credential down');
  }, 60_000);

  it('a second tenant\'s Secret of the same name lands in its own namespace', async () => {
    await ok(tenants.beta!, ['apply', '-f', '-'], credSecret('os', { 'clouds.yaml': appCred.replace('RegionOne', 'BetaRegion') }));
    const d = await eventually(() => downstreamOf('beta', 'os'), 30_000, 'beta credential downstream');
    expect(dsNamespace('beta')).not.toBe(dsNamespace('acme'));
    expect(d.conf.Global!.region).toBe('BetaRegion');
    expect(d.identity.metadata.annotations['sync.kplane.io/workspace']).toBe('root:beta');
    expect(d.crs.spec.clusterSelector.matchLabels['sync.kplane.io/cluster']).not.toBe((await downstreamOf('acme', 'os'))!.crs.spec.clusterSelector.matchLabels['sync.kplane.io/cluster']);
    expect((await downstreamOf('acme', 'os'))!.conf.Global!.region).toBe('RegionOne');
  }, 60_000);

  it('never takes over a management-cluster Secret that is not its copy (Cluster API\'s kubeconfig)', async () => {
    const ns = dsNamespace('acme');
    await ok(mc.kubeconfigPath, ['create', 'secret', 'generic', 'c1-kubeconfig', '-n', ns, '--from-literal=value=real kubeconfig']);
    await ok(tenants.acme!, ['apply', '-f', '-'], credSecret('c1-kubeconfig', { 'clouds.yaml': appCred }));
    const marked = await eventually(async () => (await getJson(tenants.acme!, ['secret', 'c1-kubeconfig']))?.metadata.annotations?.['sync.kplane.io/credentials-error'] as string | undefined, 30_000, 'name-taken annotation');
    expect(marked).toContain('does not come from this Secret');
    const ds = await getJson(mc.kubeconfigPath, ['secret', 'c1-kubeconfig', '-n', ns]);
    expect(unb64(ds.data.value)).toBe('real kubeconfig');
    expect(Object.keys(ds.data)).toEqual(['value']);
    expect(await getJson(mc.kubeconfigPath, ['secret', 'c1-kubeconfig-cloud-config', '-n', ns])).toBeUndefined();
    await ok(tenants.acme!, ['delete', 'secret', 'c1-kubeconfig']);
  }, 60_000);

  it('deleted in the tenant, its three objects go downstream; other Secrets keep theirs', async () => {
    await ok(tenants.acme!, ['delete', 'secret', 'os']);
    await eventually(() => gone('acme', 'os'), 30_000, 'copies deleted');
    expect(await downstreamOf('acme', 'os-pw')).toBeDefined();
    expect(await downstreamOf('beta', 'os')).toBeDefined();
    // a label removed: no longer a credential Secret, its copies go too
    await ok(tenants.acme!, ['label', 'secret', 'os-pw', 'sync.kplane.io/credentials-']);
    await eventually(() => gone('acme', 'os-pw'), 30_000, 'unlabelled copies deleted');
  }, 60_000);
});
