// Tenants order Cluster API Clusters through kplane (issue 11): one kplane (a child process, so it
// can be SIGKILLed), one management cluster (etcd + kube-apiserver) running the real Cluster API
// managers (test/harness/capi.ts, CAPD's in-memory backend) for the whole file. Each tenant is an
// ordinary workspace admin group (never system:masters) using the real kubectl and clusterctl
// against its own workspace; the management cluster is looked at with its admin kubeconfig.
// Phases reuse the same Clusters; their timings are printed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments, stringify as toYaml } from 'yaml';
import { startClusterAPI, type ClusterAPI } from '../harness/capi.js';
import { distinctFreePorts, logTail, startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { REPO_ROOT, ensureTools, toolPath } from '../harness/tools.js';
import { credentialsOf, eventually, kubectl as runKubectl, raw, type KubectlResult } from '../helpers/kplane.js';
import { CLUSTER_API_CLUSTER_RULES } from '../../src/sync/references.js';

const ENTRY = path.join(REPO_ROOT, 'test', 'e2e', 'kplane-main.ts');
const SETPRIV = '/usr/bin/setpriv';

// ------------------------------------------------------------ kplane process --
interface KplaneProc {
  child: ChildProcess;
  exited: Promise<void>;
}

let home: string;
let dataDir: string;
let port: number;
let kplaneLog: string;
const logsDir = path.join(os.tmpdir(), 'kplane-e2e-tenant-clusters-logs');
let kp: KplaneProc | undefined;

/** `kplane <args>` from the sources; its output is appended to kplaneLog. */
function kplaneCommand(args: string[]): ChildProcess {
  const argv = [process.execPath, '--import', 'tsx', ENTRY, ...args];
  const [cmd, rest] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', ...argv]] : [argv[0]!, argv.slice(1)];
  return spawn(cmd, rest, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' } });
}

/** Starts `kplane serve` on the file's data dir and fixed port; resolves once it logs that it is serving. */
async function startKplane(): Promise<KplaneProc> {
  const child = kplaneCommand(['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--log-level', 'info']);
  const log = createWriteStream(kplaneLog, { flags: 'a' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const serving = new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      log.write(d);
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.includes('"kplane is serving"')) resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => log.write(d));
    void exited.then(() => reject(new Error(`kplane exited before serving:\n${logTail(kplaneLog, 30)}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await serving;
  } finally {
    clearTimeout(timer);
  }
  return { child, exited };
}

async function killKplane(signal: NodeJS.Signals): Promise<void> {
  if (!kp) return;
  const p = kp;
  kp = undefined;
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

/** `kplane kubeconfig` for a user and groups of a workspace; returns the file's path. */
async function tenantKubeconfig(ws: string, user: string, groups: string[]): Promise<string> {
  const child = kplaneCommand(['kubeconfig', '--data-dir', dataDir, '--workspace', `root:${ws}`, '--user', user, ...groups.flatMap((g) => ['--group', g])]);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`kplane kubeconfig failed: ${err}`);
  const file = path.join(home, `${ws}-${user}.kubeconfig`);
  writeFileSync(file, out, { mode: 0o600 });
  return file;
}

// ------------------------------------------------------------------- state --
let mc: ManagementCluster;
let capi: ClusterAPI;
let admin: string;
const tenants: Record<string, string> = {};
const timings: [string, number][] = [];

async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    timings.push([name, Date.now() - t0]);
  }
}

const kubectl = (kc: string, args: string[], input?: string, timeoutMs = 120_000): Promise<KubectlResult> =>
  runKubectl(toolPath('kubectl'), kc, args, input, timeoutMs);

function diagnostics(): string {
  const managers = capi ? Object.entries(capi.logs).map(([k, f]) => `\n--- ${k} ---\n${logTail(f, 8)}`).join('') : '';
  return `\n--- kplane (${kplaneLog}) ---\n${logTail(kplaneLog, 25)}${managers}`;
}

async function ok(kc: string, args: string[], input?: string, timeoutMs?: number): Promise<string> {
  const r = await kubectl(kc, args, input, timeoutMs);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${diagnostics()}`);
  return r.stdout;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
async function getJson(kc: string, args: string[]): Promise<Json | undefined> {
  const r = await kubectl(kc, ['get', ...args, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

/** The downstream copies of a tenant's Cluster `name` (by the syncer's origin annotations). */
async function downstreamClusters(ws: string, name: string): Promise<Json[]> {
  const all = await getJson(mc.kubeconfigPath, ['clusters.cluster.x-k8s.io', '-A']);
  return (all?.items ?? []).filter((c: Json) => c.metadata.annotations?.['sync.kplane.io/workspace'] === `root:${ws}` && c.metadata.annotations?.['sync.kplane.io/name'] === name);
}

async function downstreamCluster(ws: string, name: string): Promise<Json> {
  return eventually(async () => {
    const l = await downstreamClusters(ws, name);
    expect(l.length, `downstream copies of ${ws}/${name}`).toBeLessThanOrEqual(1);
    return l[0];
  }, 60_000, `downstream Cluster of ${ws}/${name}`);
}

/** A v1beta2 Cluster for a tenant's default namespace, from CAPD's in-memory template. */
function tenantCluster(name: string, mutate: (c: Json) => void = () => undefined): string {
  const docs = parseAllDocuments(capi.renderCluster({ name, namespace: 'default', controlPlaneReplicas: 1, workerReplicas: 0 })).map((d) => d.toJS() as Json);
  const c = docs.find((d) => d?.kind === 'Cluster');
  c.metadata.labels = { ...(c.metadata.labels ?? {}), team: 'web' };
  mutate(c);
  return toYaml(c);
}

/** kplane's /metrics as the admin: value of one sample (0 when absent). */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = readFileSync(admin, 'utf8');
  const creds = credentialsOf(text);
  const r = await raw(creds.server, creds, { path: '/metrics' });
  expect(r.status).toBe(200);
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of r.text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const ls = line.slice(name.length + 1, line.indexOf('}'));
    if (want.every((w) => ls.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

async function clusterctl(kc: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn(toolPath('clusterctl'), [`--kubeconfig=${kc}`, ...args], {
      env: { PATH: process.env.PATH, CLUSTERCTL_DISABLE_VERSIONCHECK: 'true', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

// ------------------------------------------------------------------- setup --
beforeAll(async () => {
  await ensureTools();
}, 60 * 60_000);

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-'));
  dataDir = path.join(home, 'kplane');
  kplaneLog = path.join(os.tmpdir(), 'kplane-e2e-tenant-clusters.log');
  writeFileSync(kplaneLog, '');
  [port] = await distinctFreePorts(1);
  const mgmt = timed('setup: management cluster + Cluster API', async () => {
    mc = await startManagementCluster();
    capi = await startClusterAPI(mc, { machineStartupDuration: '1s' });
  });
  kp = await timed('setup: kplane', () => startKplane());
  admin = path.join(dataDir, 'admin.kubeconfig');
  await mgmt;
  await timed('setup: configuration', async () => {
    await ok(admin, ['create', 'namespace', 'kplane-system']);
    await ok(admin, ['create', 'secret', 'generic', 'mgmt-kubeconfig', '-n', 'kplane-system', `--from-file=kubeconfig=${mc.kubeconfigPath}`]);
    await ok(admin, ['apply', '-f', '-'], [
      { apiVersion: 'sync.kplane.io/v1alpha1', kind: 'ManagementCluster', metadata: { name: 'mgmt' }, spec: { kubeconfigSecretRef: { namespace: 'kplane-system', name: 'mgmt-kubeconfig', key: 'kubeconfig' } } },
      {
        apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'clusters' },
        spec: {
          managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'clusters', mode: 'Sync',
          related: [{ resource: 'secrets', nameTemplate: '{{ .Name }}-kubeconfig' }],
          references: CLUSTER_API_CLUSTER_RULES(capi.classNamespace),
          // the topology controller fills these in downstream; clusterctl describe follows them
          fieldsUp: ['spec.controlPlaneRef', 'spec.infrastructureRef'],
        },
      },
      {
        apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'clusterclasses' },
        spec: { managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'clusterclasses', mode: 'Catalog', catalog: { namespace: capi.classNamespace } },
      },
      // what Cluster API makes for a tenant's Cluster, read-only in the tenant (clusterctl describe lists these)
      ...[['cluster.x-k8s.io', 'machines'], ['cluster.x-k8s.io', 'machinesets'], ['cluster.x-k8s.io', 'machinedeployments'], ['cluster.x-k8s.io', 'machinepools'],
        ['controlplane.cluster.x-k8s.io', 'kubeadmcontrolplanes'], ['infrastructure.cluster.x-k8s.io', 'devclusters']].map(([group, resource]) => ({
        apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: resource },
        spec: { managementCluster: 'mgmt', group, resource, mode: 'Mirror' },
      })),
      ...['acme', 'beta'].map((ws) => ({
        apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: ws },
        spec: { admins: [{ kind: 'Group', name: `${ws}-admins` }] },
      })),
    ].map((o) => toYaml(o)).join('---\n'));
    await ok(admin, ['wait', '--for=condition=Ready', 'managementcluster/mgmt', 'publishedresource/clusters', 'publishedresource/clusterclasses', '--timeout=60s']);
    await ok(admin, ['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/acme', 'workspace/beta', '--timeout=60s']);
    for (const ws of ['acme', 'beta']) {
      tenants[ws] = await tenantKubeconfig(ws, `${ws}-alice`, [`${ws}-admins`]);
      await eventually(() => getJson(tenants[ws]!, ['crd', 'clusters.cluster.x-k8s.io']), 60_000, `Cluster CRD in ${ws}`);
      await ok(tenants[ws]!, ['wait', '--for=condition=Established', 'crd/clusters.cluster.x-k8s.io', '--timeout=60s']);
    }
  });
}, 600_000);

afterAll(async () => {
  await timed('teardown', async () => {
    await killKplane('SIGTERM');
    await capi?.stop();
    // the managers' and kube-apiserver's logs outlive the fixture's dir (overwritten by the next run)
    rmSync(logsDir, { recursive: true, force: true });
    mkdirSync(logsDir, { recursive: true });
    for (const f of [...Object.values(capi?.logs ?? {}), mc?.logs.apiserver]) if (f && existsSync(f)) copyFileSync(f, path.join(logsDir, path.basename(f)));
    await mc?.stop();
  });
  if (home) rmSync(home, { recursive: true, force: true });
  const lines = timings.map(([k, v]) => `  ${k.padEnd(48)} ${(v / 1000).toFixed(1)} s`);
  process.stderr.write(`[tenant-clusters.test] phase timings:\n${lines.join('\n')}\n  kplane log: ${kplaneLog}, management cluster logs: ${logsDir}\n`);
}, 180_000);

// ------------------------------------------------------------------- tests --
describe('Cluster API Clusters ordered by tenants through kplane', () => {
  it('serves the provider\'s ClusterClass read-only as a catalog in the tenant', async () => {
    const cc = await eventually(() => getJson(tenants.acme!, ['clusterclass', capi.className, '-n', capi.classNamespace]), 60_000, 'catalog ClusterClass');
    expect(cc.metadata.name).toBe(capi.className);
    const r = await kubectl(tenants.acme!, ['delete', 'clusterclass', capi.className, '-n', capi.classNamespace]);
    expect(r.code).not.toBe(0);
  });

  it('a tenant\'s Cluster becomes Available (kubectl wait against kplane), clusterctl reads its kubeconfig, kubectl lists the workload cluster\'s nodes', async () => {
    const acme = tenants.acme!;
    await timed('acme: apply Cluster c1', () => ok(acme, ['apply', '-f', '-'], tenantCluster('c1')));
    const wait = await timed('acme: c1 Available (kubectl wait on kplane)', () =>
      kubectl(acme, ['wait', '--for=condition=Available', 'cluster/c1', '--timeout=240s'], undefined, 260_000));
    expect(wait, diagnostics()).toMatchObject({ code: 0 });
    expect(wait.stdout).toContain('cluster.cluster.x-k8s.io/c1 condition met');
    const up = await getJson(acme, ['cluster', 'c1']);
    expect(up.status.observedGeneration).toBe(up.metadata.generation);
    expect(up.status.conditions.find((c: Json) => c.type === 'KplaneSynced').status).toBe('True');
    expect(up.metadata.finalizers).toContain('sync.kplane.io/syncer');
    const ds = await downstreamCluster('acme', 'c1');
    expect(ds.metadata.namespace).toMatch(/^kp-acme-default-/);
    expect(ds.spec.topology.classRef).toEqual({ name: capi.className, namespace: capi.classNamespace });
    expect(ds.spec.controlPlaneRef.kind).toBe('KubeadmControlPlane');

    const secret = await getJson(acme, ['secret', 'c1-kubeconfig']);
    expect(secret.metadata.ownerReferences[0]).toMatchObject({ kind: 'Cluster', name: 'c1' });
    // the imported CRD converts through Cluster API's own conversion webhook: the tenant reads v1beta1
    const v1beta1 = await getJson(acme, ['clusters.v1beta1.cluster.x-k8s.io', 'c1']);
    expect(v1beta1.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(v1beta1.spec.topology).toMatchObject({ class: capi.className, classNamespace: capi.classNamespace });

    const kc = await timed('acme: clusterctl get kubeconfig', () => clusterctl(acme, ['get', 'kubeconfig', 'c1']));
    expect(kc, 'clusterctl get kubeconfig').toMatchObject({ code: 0 });
    expect(parseYaml(kc.stdout).kind).toBe('Config');
    const wkc = path.join(home, 'acme-c1.kubeconfig');
    writeFileSync(wkc, kc.stdout, { mode: 0o600 });
    const nodes = JSON.parse(await ok(wkc, ['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string } }[] };
    const machines = await getJson(mc.kubeconfigPath, ['machines', '-n', ds.metadata.namespace, '-l', 'cluster.x-k8s.io/cluster-name=c1']);
    expect(machines.items).toHaveLength(1);
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(machines.items.map((m: Json) => m.status?.nodeRef?.name));
  });

  it('clusterctl describe cluster against the tenant shows the tree (the Cluster and its Machine, mirrored read-only)', async () => {
    // the Machine comes up once Cluster API made it (Mirror mode)
    await eventually(async () => ((await getJson(tenants.acme!, ['machines', '-n', 'default']))?.items?.length ?? 0) === 1, 60_000, 'machine mirrored');
    const r = await timed('acme: clusterctl describe cluster', () => clusterctl(tenants.acme!, ['describe', 'cluster', 'c1']));
    process.stderr.write(`[tenant-clusters.test] clusterctl describe cluster c1 (tenant acme): exit ${r.code}\n${r.stdout}${r.stderr}\n`);
    expect(r.code, r.stderr).toBe(0);
    // "Cluster default/c1, v1.34.10 ... True Available", "├─DevCluster default/c1-...",
    // "└─KubeadmControlPlane default/c1-..., v1.34.10 ... True Available", "  └─Machine default/c1-... True Ready"
    expect(r.stdout).toMatch(/^Cluster default\/c1, v1\.34\.\d+\b.*\bTrue\s+Available\b/m);
    expect(r.stdout).toMatch(/─DevCluster default\/c1-/);
    expect(r.stdout).toMatch(/─KubeadmControlPlane default\/c1-\S+, v1\.34\.\d+\b.*\bTrue\s+Available\b/);
    expect(r.stdout).toMatch(/─Machine default\/c1-\S+, v1\.34\.\d+\b.*\bTrue\s+Ready\b/);
    expect(r.stdout).not.toContain('kp-');
  });

  it('a second tenant\'s Cluster of the same name: kplane SIGKILLed while it is being created, restarted; it becomes Available, nothing duplicated', async () => {
    const beta = tenants.beta!;
    await timed('beta: apply Cluster c1', () => ok(beta, ['apply', '-f', '-'], tenantCluster('c1')));
    // the syncer has written it down; Cluster API is at work on it
    const ds = await downstreamCluster('beta', 'c1');
    expect(ds.status?.conditions?.find((c: Json) => c.type === 'Available')?.status).not.toBe('True');
    await timed('kplane: SIGKILL + restart', async () => {
      await killKplane('SIGKILL');
      kp = await startKplane();
    });
    const wait = await timed('beta: c1 Available after the restart', () =>
      kubectl(beta, ['wait', '--for=condition=Available', 'cluster/c1', '--timeout=240s'], undefined, 260_000));
    expect(wait, diagnostics()).toMatchObject({ code: 0 });
    const acmeDs = await downstreamCluster('acme', 'c1');
    const betaDs = await downstreamCluster('beta', 'c1');
    expect(betaDs.metadata.uid).toBe(ds.metadata.uid);
    expect(betaDs.metadata.namespace).toMatch(/^kp-beta-default-/);
    expect(betaDs.metadata.namespace).not.toBe(acmeDs.metadata.namespace);
    const all = await getJson(mc.kubeconfigPath, ['clusters.cluster.x-k8s.io', '-A']);
    expect(all.items.map((c: Json) => `${c.metadata.namespace}/${c.metadata.name}`).sort()).toEqual(
      [`${acmeDs.metadata.namespace}/c1`, `${betaDs.metadata.namespace}/c1`].sort());
    const namespaces = await getJson(mc.kubeconfigPath, ['namespaces']);
    expect(namespaces.items.map((n: Json) => n.metadata.name).filter((n: string) => n.startsWith('kp-beta-'))).toEqual([betaDs.metadata.namespace]);
    for (const ns of [acmeDs.metadata.namespace, betaDs.metadata.namespace]) {
      const m = await getJson(mc.kubeconfigPath, ['machines', '-n', ns]);
      expect(m.items, `machines in ${ns}`).toHaveLength(1);
    }
    expect((await getJson(beta, ['cluster', 'c1'])).status.conditions.find((c: Json) => c.type === 'Available').status).toBe('True');
  });

  it('after a restart with nothing changed, the syncer writes nothing to the management cluster', async () => {
    const before = await downstreamCluster('acme', 'c1');
    await timed('kplane: graceful restart, idle', async () => {
      await killKplane('SIGTERM');
      kp = await startKplane();
    });
    await timed('kplane: syncer caught up after restart', () => eventually(async () =>
      (await metric('kplane_sync_objects_in_sync', { published_resource: 'clusters' })) === 2
      && (await metric('kplane_sync_queue_depth', { published_resource: 'clusters' })) === 0, 60_000, 'both Clusters in sync again'));
    expect(await metric('kplane_sync_writes_total', { published_resource: 'clusters', direction: 'down' })).toBe(0);
    expect(await metric('kplane_sync_objects_failing', { published_resource: 'clusters' })).toBe(0);
    const after = await downstreamCluster('acme', 'c1');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
  });

  it('repairs drift: a synced label edited in the management cluster is reverted', async () => {
    const ds = await downstreamCluster('acme', 'c1');
    await timed('drift: label reverted', async () => {
      await ok(mc.kubeconfigPath, ['label', 'cluster', 'c1', '-n', ds.metadata.namespace, 'team=ops', '--overwrite']);
      await eventually(async () => (await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ds.metadata.namespace]))?.metadata.labels.team === 'web', 30_000, 'label reverted');
    });
    expect(await metric('kplane_sync_writes_total', { published_resource: 'clusters', direction: 'down' })).toBeGreaterThan(0);
  });

  it('a Cluster Cluster API\'s webhook rejects: the tenant\'s create fails with its message, nothing is stored', async () => {
    const r = await timed('rejected create', () => kubectl(tenants.acme!, ['create', '-f', '-'], tenantCluster('bad', (c) => { c.spec.topology.version = 'one-dot-thirty-four'; })));
    expect(r.code).not.toBe(0);
    // kubectl tells an Invalid Status by its causes: Cluster API's webhook's (its defaulting webhook added the "v")
    expect(r.stderr).toContain('The Cluster "bad" is invalid: spec.topology.version: Invalid value: "vone-dot-thirty-four": version must be a valid semantic version');
    // the Status's message says who refused it
    const creds = credentialsOf(readFileSync(tenants.acme!, 'utf8'));
    const body = parseYaml(tenantCluster('bad', (c) => { c.spec.topology.version = 'one-dot-thirty-four'; })) as Json;
    const res = await raw(creds.server, creds, { method: 'POST', path: `${creds.server}/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters`, body: JSON.stringify(body) });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { name: 'bad', kind: 'Cluster' } });
    expect(res.json.message).toContain('admission webhook "validation.cluster.cluster.x-k8s.io" denied the request');
    expect(res.json.message).not.toMatch(/kp-acme-/);
    expect(await getJson(tenants.acme!, ['cluster', 'bad'])).toBeUndefined();
    expect(await downstreamClusters('acme', 'bad')).toEqual([]);
  });

  it('the management cluster\'s kube-apiserver stopped for 30 s: a tenant\'s change made meanwhile reaches it after the restart', async () => {
    const ds = await downstreamCluster('acme', 'c1');
    const ns = ds.metadata.namespace as string;
    const stoppedAt = Date.now();
    await timed('outage: stop kube-apiserver', () => mc.stopApiserver());
    // the tenant's write goes through (the admission dry-run cannot reach the management cluster)
    await timed('outage: tenant change while down', () => ok(tenants.acme!, ['label', 'cluster', 'c1', 'stage=outage']));
    // the outage itself is what is tested: 30 s of no kube-apiserver
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
    await timed('outage: start kube-apiserver', () => mc.startApiserver());
    await timed('outage: change down after the restart', () => eventually(async () =>
      (await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]))?.metadata.labels.stage === 'outage', 90_000, 'the change made during the outage, downstream'));
    // the syncer's downstream watch resumed: drift is repaired again
    await timed('outage: drift repaired after the restart', async () => {
      await ok(mc.kubeconfigPath, ['label', 'cluster', 'c1', '-n', ns, 'stage=edited', '--overwrite']);
      await eventually(async () => (await getJson(mc.kubeconfigPath, ['cluster', 'c1', '-n', ns]))?.metadata.labels.stage === 'outage', 60_000, 'drift repaired after the outage');
    });
    await ok(tenants.acme!, ['wait', '--for=condition=Available', 'cluster/c1', '--timeout=120s'], undefined, 130_000);
    await ok(tenants.acme!, ['wait', '--for=condition=KplaneSynced', 'cluster/c1', '--timeout=60s']);
  });

  it('kubectl delete against the tenant returns once the downstream Cluster and its Machines are gone', async () => {
    const acmeNs = (await downstreamCluster('acme', 'c1')).metadata.namespace as string;
    const betaNs = (await downstreamCluster('beta', 'c1')).metadata.namespace as string;
    const t0 = Date.now();
    const gone: Record<string, number> = {};
    const returned: Record<string, number> = {};
    await timed('delete: acme + beta c1 (kubectl delete --wait)', () => Promise.all([
      ...[['acme', acmeNs], ['beta', betaNs]].map(async ([ws, ns]) => {
        await ok(tenants[ws!]!, ['delete', 'cluster', 'c1', '--timeout=180s'], undefined, 200_000);
        returned[ws!] = Date.now() - t0;
        // at once: the downstream Cluster is gone already
        const r = await kubectl(mc.kubeconfigPath, ['get', 'cluster', 'c1', '-n', ns!]);
        expect(r.stderr, `downstream ${ns}/c1 when the tenant's delete returned`).toContain('NotFound');
      }),
      ...[['acme', acmeNs], ['beta', betaNs]].map(async ([ws, ns]) => {
        await ok(mc.kubeconfigPath, ['wait', '--for=delete', 'cluster/c1', '-n', ns!, '--timeout=180s'], undefined, 200_000);
        gone[ws!] = Date.now() - t0;
      }),
    ]));
    for (const ws of ['acme', 'beta']) {
      timings.push([`delete: ${ws} downstream Cluster gone`, gone[ws]!], [`delete: ${ws} kubectl delete returned`, returned[ws]!]);
    }
    for (const ns of [acmeNs, betaNs]) {
      const left = await ok(mc.kubeconfigPath, ['get', '-n', ns, 'clusters,machines,kubeadmcontrolplanes,devclusters,devmachines', '-o', 'name']);
      expect(left.trim(), `left in ${ns}`).toBe('');
    }
    expect(await getJson(tenants.acme!, ['cluster', 'c1'])).toBeUndefined();
  });
});
