// The syncer's figures for `npm run bench` (issue 11, point 9), against a real management cluster
// (kube-apiserver + etcd from test/harness) holding Cluster API's real Cluster CRD:
//
//  1. sync lag, p50 / p99: BENCH_SYNC_WORKSPACES (100) tenants x BENCH_SYNC_OBJECTS (10) Clusters,
//     (a) created in the tenants -> their copy seen by a watch on the management cluster,
//     (b) every object changed -> the change seen downstream, (c) every downstream status changed ->
//     the change seen by the tenants' watches. Beside it, in the same run, the floor: a write
//     straight to kube-apiserver -> its own watch event;
//  2. resync after a restart: BENCH_SYNC_RESYNC_WORKSPACES (1,000) x 10 objects in sync, kplane
//     stopped and started again on its data: seconds until every object is reconciled (target
//     <= 30 s), writes made (target 0), requests sent to the management cluster;
//  3. at rest: requests sent to the management cluster in BENCH_SYNC_REST_SECONDS (60) with
//     nothing changing, as requests per tenant object per hour (target 0: watches, not polls).
//
// Quick: BENCH_SYNC=only BENCH_SYNC_WORKSPACES=20 BENCH_SYNC_RESYNC_WORKSPACES=100 BENCH_SYNC_REST_SECONDS=10.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startManagementCluster, type ManagementCluster } from '../test/harness/management-cluster.js';
import { ensureTools } from '../test/harness/tools.js';
import { capiFiles, readObjects } from '../test/helpers/capi.js';
import { startKplaneProcess, type KplaneProcess } from '../test/helpers/process.js';
import { Client, load, percentile, type Target } from './client.js';

export interface SyncOptions {
  workspaces: number;
  objects: number;
  resyncWorkspaces: number;
  restSeconds: number;
}

export function syncOptionsFromEnv(env = process.env): SyncOptions {
  return {
    workspaces: Number(env.BENCH_SYNC_WORKSPACES ?? 100),
    objects: Number(env.BENCH_SYNC_OBJECTS ?? 10),
    resyncWorkspaces: Number(env.BENCH_SYNC_RESYNC_WORKSPACES ?? 1000),
    restSeconds: Number(env.BENCH_SYNC_REST_SECONDS ?? 60),
  };
}

const CONCURRENCY = 16;
const CLUSTERS = '/apis/cluster.x-k8s.io/v1beta2';
type Obj = { metadata: { name: string; namespace?: string; annotations?: Record<string, string>; resourceVersion: string }; status?: { conditions?: { type: string; message: string }[] } };

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const now = () => process.hrtime.bigint();

async function kplaneTarget(p: KplaneProcess, dataDir: string, cluster = 'root'): Promise<Target> {
  const kc = parseYaml(await readFile(join(dataDir, 'admin.kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const d = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return {
    name: 'kplane', base: `${p.url}/clusters/${cluster}`, ca: d(kc.clusters[0]!.cluster['certificate-authority-data']),
    cert: d(kc.users[0]!.user['client-certificate-data']), key: d(kc.users[0]!.user['client-key-data']),
  };
}

function must(r: { status: number; body: string }, what: string, ok = [200, 201]): void {
  if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
}

/** The value of one series of kplane's /metrics (0 when absent). */
function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Waits, polling kplane's own /metrics (a bench, not a test: the figure is the time it took). */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Run {
  p: KplaneProcess;
  dataDir: string;
  root: Client;
  metricsClient: Client;
}

async function startKplane(dataDir: string): Promise<Run> {
  const p = await startKplaneProcess(dataDir, ['--log-level', process.env.BENCH_KPLANE_LOG ?? 'info']);
  const t = await kplaneTarget(p, dataDir);
  return { p, dataDir, root: new Client(t), metricsClient: new Client({ ...t, base: p.url }) };
}

async function stopKplane(r: Run): Promise<void> {
  r.root.close();
  r.metricsClient.close();
  r.p.child.kill('SIGTERM');
  await new Promise((res) => r.p.child.once('exit', res));
}

const metrics = async (r: Run): Promise<string> => (await r.metricsClient.call('GET', '/metrics')).body;

async function createWorkspaces(r: Run, from: number, to: number): Promise<void> {
  await load(to - from, CONCURRENCY, async (i) => {
    const res = await r.root.call('POST', '/apis/tenancy.kplane.io/v1alpha1/workspaces', {
      apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: `t${from + i}` },
    });
    must(res, 'create workspace', [201, 409]);
  });
  await until('workspaces Ready', async () => {
    const l = JSON.parse((await r.root.call('GET', '/apis/tenancy.kplane.io/v1alpha1/workspaces')).body) as { items: { status?: { phase?: string } }[] };
    return l.items.filter((w) => w.status?.phase === 'Ready').length >= to;
  }, 600_000);
}

function cluster(name: string, stamp: string, namespace = 'default'): unknown {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster',
    metadata: { name, namespace, annotations: { 'bench/t': stamp } },
    spec: { topology: { classRef: { name: 'quick-start' }, version: 'v1.34.0' } },
  };
}

export async function runSyncBench(opts: SyncOptions, progress: (m: string) => void): Promise<void> {
  await ensureTools();
  const mc: ManagementCluster = await startManagementCluster();
  const dataDir = await mkdtemp(join(tmpdir(), 'kplane-bench-sync-'));
  let run: Run | undefined;
  const kube = new Client({ name: 'kube', base: mc.url, ca: mc.caPem, token: mc.token });
  try {
    const crd = readObjects(capiFiles('core/config/crd/bases/cluster.x-k8s.io_clusters.yaml')[0]!)[0]!;
    must(await kube.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd), 'CRD');
    await until('CRD served', async () => (await kube.call('GET', `${CLUSTERS}/clusters`)).status === 200, 60_000);
    run = await startKplane(dataDir);
    const r = run;
    must(await r.root.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kplane-system' } }), 'ns');
    must(await r.root.call('POST', '/api/v1/namespaces/kplane-system/secrets', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mgmt' }, stringData: { kubeconfig: await readFile(mc.kubeconfigPath, 'utf8') },
    }), 'secret');
    await until('sync CRDs served', async () => (await r.root.call('GET', '/apis/sync.kplane.io/v1alpha1/managementclusters')).status === 200, 60_000);
    must(await r.root.call('POST', '/apis/sync.kplane.io/v1alpha1/managementclusters', {
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'ManagementCluster', metadata: { name: 'mgmt' },
      spec: { kubeconfigSecretRef: { namespace: 'kplane-system', name: 'mgmt' }, qps: 2000, tenantQPS: 20 },
    }), 'ManagementCluster');
    must(await r.root.call('POST', '/apis/sync.kplane.io/v1alpha1/publishedresources', {
      apiVersion: 'sync.kplane.io/v1alpha1', kind: 'PublishedResource', metadata: { name: 'clusters' },
      spec: { managementCluster: 'mgmt', group: 'cluster.x-k8s.io', resource: 'clusters' },
    }), 'PublishedResource');

    // ---- 1. lag
    const W = opts.workspaces;
    const K = opts.objects;
    progress(`sync lag: ${W} workspaces x ${K} Clusters`);
    await createWorkspaces(r, 0, W);
    const tenants = await Promise.all(Array.from({ length: W }, async (_, i) => new Client({ ...(await kplaneTarget(r.p, dataDir, `root:t${i}`)) }, 8)));
    await until('imported CRDs served', async () => {
      const st = await Promise.all(tenants.map((c) => c.call('GET', `${CLUSTERS}/clusters`)));
      return st.every((x) => x.status === 200);
    }, 120_000);
    // the watch downstream: every copy carries the cluster label
    const downSeen = new Map<string, (o: Obj) => void>();
    const stopDown = await kube.watch(`${CLUSTERS}/clusters?watch=1&labelSelector=sync.kplane.io/cluster`, (ev) => {
      const o = ev.object as unknown as Obj;
      downSeen.get(`${o.metadata.annotations?.['sync.kplane.io/workspace']}/${o.metadata.name}`)?.(o);
    });
    const waitDown = (key: string, pred: (o: Obj) => boolean): Promise<void> => new Promise((res) => {
      downSeen.set(key, (o) => {
        if (pred(o)) {
          downSeen.delete(key);
          res();
        }
      });
    });
    const lagDown = async (phase: string, write: (c: Client, name: string, stamp: string) => Promise<void>): Promise<number[]> => {
      const lat: number[] = [];
      await load(W * K, CONCURRENCY, async (i) => {
        const ws = i % W;
        const name = `c${Math.floor(i / W)}`;
        const stamp = `${phase}-${i}`;
        const seen = waitDown(`root:t${ws}/${name}`, (o) => o.metadata.annotations?.['bench/t'] === stamp);
        const t0 = now();
        await write(tenants[ws]!, name, stamp);
        await seen;
        lat.push(ms(t0));
      });
      return lat;
    };
    const created = await lagDown('create', async (c, name, stamp) => must(await c.call('POST', `${CLUSTERS}/namespaces/default/clusters`, cluster(name, stamp)), 'create'));
    const changed = await lagDown('change', async (c, name, stamp) => must(await c.call('PATCH', `${CLUSTERS}/namespaces/default/clusters/${name}`,
      { metadata: { annotations: { 'bench/t': stamp } } }, 'application/merge-patch+json'), 'patch'));
    // up: each tenant watches its own clusters
    const upSeen = new Map<string, (o: Obj) => void>();
    const stopUps = await Promise.all(tenants.map((c, ws) => c.watch(`${CLUSTERS}/clusters?watch=1`, (ev) => {
      const o = ev.object as unknown as Obj;
      upSeen.get(`${ws}/${o.metadata.name}`)?.(o);
    })));
    const upLat: number[] = [];
    const dsNamespaces = new Map<string, string>();
    const list = JSON.parse((await kube.call('GET', `${CLUSTERS}/clusters?labelSelector=sync.kplane.io/cluster`)).body) as { items: Obj[] };
    for (const o of list.items) dsNamespaces.set(`${o.metadata.annotations?.['sync.kplane.io/workspace']}/${o.metadata.name}`, o.metadata.namespace!);
    await load(W * K, CONCURRENCY, async (i) => {
      const ws = i % W;
      const name = `c${Math.floor(i / W)}`;
      const phase = `p${i}`;
      const seen = new Promise<void>((res) => upSeen.set(`${ws}/${name}`, (o) => {
        if (o.status?.conditions?.some((c) => c.type === 'BenchStamp' && c.message === phase)) {
          upSeen.delete(`${ws}/${name}`);
          res();
        }
      }));
      const t0 = now();
      must(await kube.call('PATCH', `${CLUSTERS}/namespaces/${dsNamespaces.get(`root:t${ws}/${name}`)}/clusters/${name}/status`,
        { status: { conditions: [{ type: 'BenchStamp', status: 'True', reason: 'Bench', message: phase, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
        'application/merge-patch+json'), 'status');
      await seen;
      upLat.push(ms(t0));
    });
    for (const s of stopUps) s();
    stopDown();
    // the floor: a write to kube-apiserver and its own watch event
    must(await kube.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'floor' } }), 'ns');
    const floorSeen = new Map<string, () => void>();
    const stopFloor = await kube.watch(`${CLUSTERS}/namespaces/floor/clusters?watch=1`, (ev) => floorSeen.get((ev.object as unknown as Obj).metadata.name)?.());
    const floor: number[] = [];
    await load(W * K, CONCURRENCY, async (i) => {
      const seen = new Promise<void>((res) => floorSeen.set(`f${i}`, res));
      const t0 = now();
      must(await kube.call('POST', `${CLUSTERS}/namespaces/floor/clusters`, cluster(`f${i}`, 'x', 'floor')), 'floor create');
      await seen;
      floor.push(ms(t0));
    });
    stopFloor();
    for (const c of tenants) c.close();

    // ---- 2. resync after a restart
    const W2 = Math.max(opts.resyncWorkspaces, W);
    progress(`resync: ${W2} workspaces x ${K} Clusters`);
    await createWorkspaces(r, W, W2);
    await load((W2 - W) * K, 32, async (i) => {
      const ws = W + (i % (W2 - W));
      const c = new Client(await kplaneTarget(r.p, dataDir, `root:t${ws}`), 1);
      try {
        for (;;) {
          const res = await c.call('POST', `${CLUSTERS}/namespaces/default/clusters`, cluster(`c${Math.floor(i / (W2 - W))}`, 'resync'));
          if (res.status === 201 || res.status === 409) break;
          if (res.status !== 404) must(res, 'create');
          await new Promise((x) => setTimeout(x, 200)); // the imported CRD is not served there yet
        }
      } finally {
        c.close();
      }
    });
    const total = W2 * K;
    const inSync = (text: string) => metric(text, 'kplane_sync_objects_in_sync{published_resource="clusters"}');
    const t1 = now();
    await until(`${total} objects in sync`, async () => inSync(await metrics(r)) >= total, 900_000);
    progress(`${total} objects in sync ${(ms(t1) / 1000).toFixed(1)} s after the last create`);
    await stopKplane(r);
    const tStart = now();
    run = await startKplane(dataDir);
    const r2 = run;
    await until('resynced', async () => inSync(await metrics(r2)) >= total, 300_000);
    const resyncS = ms(tStart) / 1000;
    const after = await metrics(r2);
    const writes = metric(after, 'kplane_sync_writes_total{published_resource="clusters",direction="down"}')
      + metric(after, 'kplane_sync_writes_total{published_resource="clusters",direction="up"}');
    const resyncRequests = metric(after, 'kplane_sync_downstream_requests_total{management_cluster="mgmt"}');

    // ---- 3. at rest
    progress(`at rest for ${opts.restSeconds} s`);
    const before = resyncRequests;
    await new Promise((x) => setTimeout(x, opts.restSeconds * 1000));
    const restRequests = metric(await metrics(r2), 'kplane_sync_downstream_requests_total{management_cluster="mgmt"}') - before;
    const perObjectHour = restRequests / total / (opts.restSeconds / 3600);

    const f = (v: number, d = 1) => v.toFixed(d);
    console.log(`\nsyncer (${W} workspaces x ${K} objects; resync ${W2} x ${K}; one run, ${CONCURRENCY} writes in flight)`);
    console.log('| figure | p50 ms | p99 ms | vs. the floor (p50) |');
    console.log('|---|---:|---:|---:|');
    const fp50 = percentile(floor, 50);
    const line = (what: string, v: number[]) => console.log(`| ${what} | ${f(percentile(v, 50))} | ${f(percentile(v, 99))} | ${f(percentile(v, 50) / fp50, 2)}x |`);
    line('down: create in a tenant -> copy seen downstream', created);
    line('down: change in a tenant -> seen downstream', changed);
    line('up: downstream status change -> seen by the tenant', upLat);
    line('floor: a write to kube-apiserver -> its own watch event', floor);
    console.log(`\n| resync after a restart (${total} objects) | value | target |`);
    console.log('|---|---:|---:|');
    console.log(`| seconds until every object is reconciled | ${f(resyncS)} | <= 30 |`);
    console.log(`| writes made (down + up) | ${writes} | 0 |`);
    console.log(`| requests to the management cluster during the resync | ${resyncRequests} | (lists and watches) |`);
    console.log(`| at rest: requests in ${opts.restSeconds} s | ${restRequests} | 0 |`);
    console.log(`| at rest: requests per tenant object per hour | ${f(perObjectHour, 3)} | 0 |`);
  } finally {
    kube.close();
    if (run) await stopKplane(run).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await mc.stop();
  }
}
