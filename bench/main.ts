// `npm run bench`: kplane's figures, side by side with a real kube-apiserver + etcd under the same
// client load in the same run (the machine is noisy: only ratios from one run mean much).
//
//  - creates/s, gets/s, LIST of 10k objects, watch fan-out delivery latency: kplane vs kube
//  - workspace creation latency (POST -> Ready) and the cost of idle logical clusters
//    (10,000 workspaces: RSS and disk per cluster; again with glibc's default malloc tunables)
//  - idle memory: one kube-apiserver + etcd next to 1,000 idle kplane logical clusters
//
//  - CRDs (./crds.ts): Cluster API creates/s vs ConfigMaps, RSS per logical cluster with Cluster
//    API's CRDs vs an idle one, CRD create -> Established / served latency: kplane vs kube
//
//  - RBAC (./rbac.ts): the authorizer's cost per request (admin, one RoleBinding, 1,000 of them,
//    denied) and per logical cluster with a Role + RoleBinding vs an idle one
//
//  - server-side apply (./apply.ts): apply vs update (PUT) throughput on a 50-field ConfigMap and on
//    a Cluster API Cluster, bytes of managedFields per object: kplane vs kube
//
//  - the soak (./soak.ts): mixed load for several rounds in one process, per-round throughput,
//    latency per verb and memory; it must stay flat
//
// Options (env): BENCH_N (creates, default 3000), BENCH_WORKSPACES (default 10000),
// BENCH_SKIP_KUBE=1 (kplane only), BENCH_SOAK=only (just the soak; also `npm run bench -- --soak`),
// BENCH_SOAK=0 (no soak), BENCH_CRDS=only (just the CRD figures) or 0 (none; their own options
// are in ./crds.ts: BENCH_CRD_CLUSTERS, BENCH_CRD_LATENCY, BENCH_CRD_N), BENCH_RBAC=only or 0 (the
// RBAC figures; ./rbac.ts: BENCH_RBAC_BINDINGS, BENCH_RBAC_CLUSTERS, BENCH_RBAC_N), BENCH_APPLY=only
// or 0 (the server-side apply figures; ./apply.ts: BENCH_APPLY_N), BENCH_SYNC=only or 0 (the
// syncer's figures; ./sync.ts: BENCH_SYNC_WORKSPACES, BENCH_SYNC_RESYNC_WORKSPACES, BENCH_SYNC_REST_SECONDS); the soak's own:
// SOAK_CLIENTS (256), SOAK_SECONDS (60), SOAK_ROUNDS (3), SOAK_WORKSPACES (20), SOAK_STEADY (1; 0
// lets creates accumulate), SOAK_KEEP (20 per client), SOAK_HISTORY_WINDOW=SECONDS (kplane's --history-window: below the soak's length, compaction runs
// during the soak), SOAK_CPU_PROF=DIR (kplane writes a CPU profile per round there: slice-0 is the set-up, slice-N round N).

import { mkdtemp, readFile, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startManagementCluster, type ManagementCluster } from '../test/harness/management-cluster.js';
import { ensureTools } from '../test/harness/tools.js';
import { startKplaneProcess, type KplaneProcess } from '../test/helpers/process.js';
import { Client, load, percentile, type Target } from './client.js';
import { runSoak, soakOptionsFromEnv } from './soak.js';
import { crdOptionsFromEnv, runCrdBench } from './crds.js';
import { rbacOptionsFromEnv, runRbacBench } from './rbac.js';
import { applyOptionsFromEnv, runApplyBench } from './apply.js';
import { runSyncBench, syncOptionsFromEnv } from './sync.js';

const N = Number(process.env.BENCH_N ?? 3000);
const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 10000);
const CONCURRENCY = 32;
const LIST_SIZE = 10000;
const WATCHERS = 100;

type KplaneProc = KplaneProcess & { dataDir: string };

async function startKplaneForBench(env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<KplaneProc> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kplane-bench-'));
  const p = await startKplaneProcess(dataDir, ['--log-level', process.env.BENCH_KPLANE_LOG ?? 'info', ...args], { KPLANE_MAINTENANCE_SIGNAL: '1', ...env });
  return { ...p, dataDir };
}

async function stopKplane(p: KplaneProc): Promise<void> {
  p.child.kill('SIGTERM');
  await new Promise((r) => p.child.once('exit', r));
  await rm(p.dataDir, { recursive: true, force: true });
}

// bin/kplane runs Node on jemalloc where the machine has it, else on glibc with its per-thread
// malloc cache off (see there); the idle-cluster cost is also measured on plain glibc with its
// defaults, to show what that buys.
const GLIBC_DEFAULTS = { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=7', KPLANE_ALLOCATOR: 'glibc' };

/** The allocator a kplane process runs on, as its memory map shows. */
async function allocatorOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/maps`, 'utf8')).includes('libjemalloc') ? 'jemalloc' : 'glibc';
}

/** kplane's record after its maintenance signal (compaction, full GC): memory, CRD index counts. */
async function maintenanceRecord(p: KplaneProc): Promise<Record<string, unknown>> {
  const after = p.records.length;
  p.child.kill('SIGUSR2');
  return p.waitFor('maintenance done', after, 600_000);
}

async function maintenance(p: KplaneProc): Promise<{ rss: number; heapUsed: number; leveldb: number }> {
  const rec = await maintenanceRecord(p);
  return { rss: rec.rss as number, heapUsed: rec.heapUsed as number, leveldb: rec.leveldb as number };
}

async function du(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await du(p) : (await stat(p)).size;
  }
  return total;
}

function rssOf(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+) kB/.exec(s)![1]) * 1024);
}

/** The resident set split: anonymous memory (heap, malloc) and mapped files (LevelDB's tables, code). */
async function rssPartsOf(pid: number): Promise<{ anon: number; file: number }> {
  const st = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string) => Number(new RegExp(`${f}:\\s+(\\d+) kB`).exec(st)?.[1] ?? 0) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

/** utime + stime of a process, seconds (fields 14 and 15 of /proc/PID/stat, in USER_HZ = 100). */
async function cpuOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function kplaneTarget(p: KplaneProc, cluster = 'root'): Promise<Target> {
  const kc = parseYaml(await readFile(join(p.dataDir, 'admin.kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const d = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return {
    name: 'kplane',
    base: `${p.url}/clusters/${cluster}`,
    ca: d(kc.clusters[0]!.cluster['certificate-authority-data']),
    cert: d(kc.users[0]!.user['client-certificate-data']),
    key: d(kc.users[0]!.user['client-key-data']),
  };
}

function kubeTarget(m: ManagementCluster): Target {
  return { name: 'kube-apiserver+etcd', base: m.url, ca: m.caPem, token: m.token };
}

interface LoadFigures {
  createsPerSec: number;
  createP50: number;
  createP99: number;
  getsPerSec: number;
  getP50: number;
  list10kMs: number;
  watchP50: number;
  watchP99: number;
}

function check(r: { status: number; body: string }, want: number, what: string): void {
  if (r.status !== want) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
}

/** The same client load against one server. */
async function clientLoad(t: Target): Promise<LoadFigures> {
  const c = new Client(t);
  const ns = 'bench';
  check(await c.call('POST', '/api/v1/namespaces', { metadata: { name: ns } }), 201, 'create namespace');
  const payload = { 'config.yaml': 'x'.repeat(512) };
  progress(`${t.name}: creates`);
  const creates = await load(N, CONCURRENCY, async (i) => {
    check(await c.call('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: payload }), 201, 'create');
  });
  progress(`${t.name}: gets`);
  const gets = await load(N * 3, CONCURRENCY, async (i) => {
    check(await c.call('GET', `/api/v1/namespaces/${ns}/configmaps/cm-${i % N}`), 200, 'get');
  });
  progress(`${t.name}: list`);
  // top the namespace up to LIST_SIZE objects and list them all at once, five times
  await load(Math.max(0, LIST_SIZE - N), CONCURRENCY, async (i) => {
    check(await c.call('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `fill-${i}` }, data: payload }), 201, 'fill');
  });
  const lists: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await c.call('GET', `/api/v1/namespaces/${ns}/configmaps`);
    check(r, 200, 'list');
    lists.push(performance.now() - t0);
    if (JSON.parse(r.body).items.length < LIST_SIZE) throw new Error('list returned too few items');
  }
  progress(`${t.name}: watch fan-out`);
  // watch fan-out: WATCHERS watchers of one namespace; each write's delivery to the last watcher
  check(await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'fanout' } }), 201, 'create namespace');
  const list = JSON.parse((await c.call('GET', '/api/v1/namespaces/fanout/configmaps')).body) as { metadata: { resourceVersion: string } };
  const seen = new Map<string, number>();
  const sent = new Map<string, number>();
  const done = new Map<string, number>();
  const closers: (() => void)[] = [];
  for (let w = 0; w < WATCHERS; w++) {
    closers.push(await c.watch(`/api/v1/namespaces/fanout/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (ev) => {
      if (ev.type !== 'ADDED') return;
      const name = ev.object.metadata.name;
      const count = (seen.get(name) ?? 0) + 1;
      seen.set(name, count);
      if (count === WATCHERS) done.set(name, performance.now());
    }));
  }
  const EVENTS = 200;
  for (let i = 0; i < EVENTS; i++) {
    const name = `w-${i}`;
    sent.set(name, performance.now());
    check(await c.call('POST', '/api/v1/namespaces/fanout/configmaps', { metadata: { name }, data: {} }), 201, 'watched create');
  }
  const deadline = Date.now() + 60_000;
  while (done.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const close of closers) close();
  const fanout = [...done.entries()].map(([name, at]) => at - sent.get(name)!);
  c.close();
  return {
    createsPerSec: N / creates.seconds,
    createP50: percentile(creates.latencies, 50),
    createP99: percentile(creates.latencies, 99),
    getsPerSec: (N * 3) / gets.seconds,
    getP50: percentile(gets.latencies, 50),
    list10kMs: percentile(lists, 50),
    watchP50: fanout.length === EVENTS ? percentile(fanout, 50) : NaN,
    watchP99: fanout.length === EVENTS ? percentile(fanout, 99) : NaN,
  };
}

async function workspaceFigures(p: KplaneProc): Promise<Record<string, number>> {
  const t = await kplaneTarget(p);
  const c = new Client(t);
  progress('kplane: workspace latency');
  // latency: sequential creates, each timed until the workspace reports Ready
  const ready = new Map<string, number>();
  const rv = JSON.parse((await c.call('GET', '/apis/tenancy.kplane.io/v1alpha1/workspaces')).body).metadata.resourceVersion as string;
  const close = await c.watch(`/apis/tenancy.kplane.io/v1alpha1/workspaces?watch=1&resourceVersion=${rv}`, (ev) => {
    const phase = (ev.object as unknown as { status?: { phase?: string } }).status?.phase;
    if (phase === 'Ready' && !ready.has(ev.object.metadata.name)) ready.set(ev.object.metadata.name, performance.now());
  });
  const post: number[] = [];
  const toReady: number[] = [];
  for (let i = 0; i < 200; i++) {
    const name = `lat-${i}`;
    const t0 = performance.now();
    check(await c.call('POST', '/apis/tenancy.kplane.io/v1alpha1/workspaces', { metadata: { name } }), 201, 'create workspace');
    post.push(performance.now() - t0);
    while (!ready.has(name)) await new Promise((r) => setImmediate(r));
    toReady.push(ready.get(name)! - t0);
  }
  close();

  progress(`kplane: ${WORKSPACES} idle workspaces`);
  // idle cost: after a warm-up (code compiled, caches at their bounds), WORKSPACES more; the
  // marginal memory and disk per cluster is what an idle tenant costs
  await load(1000, CONCURRENCY, async (i) => {
    check(await c.call('POST', '/apis/tenancy.kplane.io/v1alpha1/workspaces', { metadata: { name: `warm-${i}` } }), 201, 'create workspace');
  });
  await maintenance(p);
  const before = await maintenance(p);
  const diskBefore = await du(join(p.dataDir, 'db'));
  const bulk = await load(WORKSPACES, CONCURRENCY, async (i) => {
    check(await c.call('POST', '/apis/tenancy.kplane.io/v1alpha1/workspaces', { metadata: { name: `idle-${i}` } }), 201, 'create workspace');
  });
  // all Ready?
  for (;;) {
    const l = JSON.parse((await c.call('GET', '/apis/tenancy.kplane.io/v1alpha1/workspaces?fieldSelector=status.phase%3DReady')).body) as { items: unknown[] };
    const readyCount = l.items.length;
    if (readyCount >= WORKSPACES + 1200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await maintenance(p);
  await new Promise((r) => setTimeout(r, 2000));
  const after = await maintenance(p);
  const diskAfter = await du(join(p.dataDir, 'db'));
  // a tenant cluster answers: prove the idle clusters are live
  const tenant = new Client({ ...t, base: `${p.url}/clusters/root:idle-${WORKSPACES - 1}` });
  check(await tenant.call('GET', '/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt'), 200, 'tenant read');
  tenant.close();
  c.close();
  return {
    workspacePostP50: percentile(post, 50),
    workspaceReadyP50: percentile(toReady, 50),
    workspaceReadyP99: percentile(toReady, 99),
    workspacesPerSec: WORKSPACES / bulk.seconds,
    rssPerCluster: (after.rss - before.rss) / WORKSPACES,
    heapPerCluster: (after.heapUsed - before.heapUsed) / WORKSPACES,
    leveldbPerCluster: (after.leveldb - before.leveldb) / WORKSPACES,
    diskPerCluster: (diskAfter - diskBefore) / WORKSPACES,
    rssTotal: after.rss,
  };
}

function progress(msg: string): void {
  process.stderr.write(`  .. ${msg}\n`);
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

/** The soak in a process of its own, so that nothing measured before it is in its figures. */
async function soak(): Promise<void> {
  const prof = process.env.SOAK_CPU_PROF;
  const p = await startKplaneForBench({
    KPLANE_MAINTENANCE_SIGNAL: 'report',
    ...(prof ? { KPLANE_CPU_PROFILE_DIR: prof } : {}),
  }, process.env.SOAK_HISTORY_WINDOW ? ['--history-window', process.env.SOAK_HISTORY_WINDOW] : []);
  try {
    await runSoak({
      root: await kplaneTarget(p),
      url: p.url,
      rss: () => rssOf(p.child.pid!),
      rssParts: () => rssPartsOf(p.child.pid!),
      cpuSeconds: () => cpuOf(p.child.pid!),
      diagnostics: async () => {
        const after = p.records.length;
        p.child.kill('SIGUSR2');
        const rec = await p.waitFor('diagnostics', after, 60_000);
        const out: Record<string, number> = {};
        for (const [k, v] of Object.entries(rec)) if (typeof v === 'number' && !['level', 'time', 'pid'].includes(k)) out[k] = v;
        return out;
      },
    }, soakOptionsFromEnv(), progress);
  } finally {
    await stopKplane(p);
  }
}

/** The CRD figures, in processes of their own (kplane's, and a kube-apiserver + etcd beside it). */
async function crdBench(): Promise<void> {
  const skipKube = process.env.BENCH_SKIP_KUBE === '1';
  if (!skipKube) await ensureTools();
  await runCrdBench({
    startKplane: async () => {
      // jemalloc purges freed pages only when it is called, unless it has a background thread:
      // with one, RSS settles in a process left idle for the measurement (glibc ignores this)
      const p = await startKplaneForBench({ MALLOC_CONF: 'background_thread:true' });
      return {
        target: (cluster) => kplaneTarget(p, cluster),
        maintenance: () => maintenanceRecord(p),
        rss: async () => ({ total: await rssOf(p.child.pid!), ...(await rssPartsOf(p.child.pid!)) }),
        disk: () => du(join(p.dataDir, 'db')),
        stop: () => stopKplane(p),
      };
    },
    startKube: skipKube ? undefined : async () => {
      const m = await startManagementCluster();
      return { target: kubeTarget(m), rss: async () => (await rssOf(m.pids.apiserver)) + (await rssOf(m.pids.etcd)), stop: () => m.stop() };
    },
    progress,
  }, crdOptionsFromEnv());
}

/** The RBAC figures, in a kplane process of their own (kube-apiserver is not measured there). */
async function rbacBench(): Promise<void> {
  await runRbacBench({
    startKplane: async () => {
      // as for the CRD figures: RSS settles in an idle process with jemalloc's background thread
      const p = await startKplaneForBench({ MALLOC_CONF: 'background_thread:true' });
      return {
        dataDir: p.dataDir,
        target: (cluster) => kplaneTarget(p, cluster),
        maintenance: () => maintenanceRecord(p),
        rss: async () => ({ total: await rssOf(p.child.pid!), ...(await rssPartsOf(p.child.pid!)) }),
        disk: () => du(join(p.dataDir, 'db')),
        stop: () => stopKplane(p),
      };
    },
    progress,
  }, rbacOptionsFromEnv());
}

/** The server-side apply figures: a kplane process, then a kube-apiserver + etcd, one after the other. */
async function applyBench(): Promise<void> {
  const skipKube = process.env.BENCH_SKIP_KUBE === '1';
  await ensureTools(); // Cluster API's CRDs come from the module cache the tools build fills
  await runApplyBench({
    startKplane: async () => {
      const p = await startKplaneForBench();
      return { target: await kplaneTarget(p), stop: () => stopKplane(p) };
    },
    startKube: skipKube ? undefined : async () => {
      const m = await startManagementCluster();
      return { target: kubeTarget(m), stop: () => m.stop() };
    },
    progress,
  }, applyOptionsFromEnv());
}

async function main(): Promise<void> {
  const soakMode = process.argv.includes('--soak') ? 'only' : (process.env.BENCH_SOAK ?? '1');
  if (soakMode === 'only') return soak();
  const crdMode = process.env.BENCH_CRDS ?? '1';
  if (crdMode === 'only') return crdBench();
  const rbacMode = process.env.BENCH_RBAC ?? '1';
  if (rbacMode === 'only') return rbacBench();
  const applyMode = process.env.BENCH_APPLY ?? '1';
  if (applyMode === 'only') return applyBench();
  const syncMode = process.env.BENCH_SYNC ?? '1';
  if (syncMode === 'only') return runSyncBench(syncOptionsFromEnv(), progress);
  const skipKube = process.env.BENCH_SKIP_KUBE === '1';
  console.log(`kplane bench: ${N} creates, ${N * 3} gets, LIST of ${LIST_SIZE}, ${WATCHERS} watchers, ${WORKSPACES} idle workspaces, concurrency ${CONCURRENCY}`);
  let kube: ManagementCluster | undefined;
  let kubeIdle = 0;
  let kubeFigures: LoadFigures | undefined;
  if (!skipKube) {
    await ensureTools();
    kube = await startManagementCluster();
    kubeIdle = (await rssOf(kube.pids.apiserver)) + (await rssOf(kube.pids.etcd));
  }
  let p: KplaneProc | undefined = await startKplaneForBench();
  try {
    const idle0 = await maintenance(p);
    const kplaneFigures = await clientLoad(await kplaneTarget(p));
    if (kube) kubeFigures = await clientLoad(kubeTarget(kube));
    await stopKplane(p);
    p = undefined;
    // idle clusters are measured in fresh processes, so the client load above leaves no slack behind
    const idleRun = async (env: NodeJS.ProcessEnv = {}) => {
      const q = await startKplaneForBench(env);
      try {
        return [await workspaceFigures(q), await allocatorOf(q.child.pid!)] as const;
      } finally {
        await stopKplane(q);
      }
    };
    const [ws, allocator] = await idleRun();
    progress('kplane on plain glibc with its defaults');
    const [wsGlibc] = await idleRun(GLIBC_DEFAULTS);

    const rows: [string, string, string, string][] = [];
    const row = (what: string, k: number, kb: number | undefined, better: 'higher' | 'lower', digits = 1) => {
      const ratio = kb === undefined ? '' : better === 'higher' ? `${fmt(k / kb, 2)}x` : `${fmt(kb / k, 2)}x`;
      rows.push([what, fmt(k, digits), kb === undefined ? '' : fmt(kb, digits), ratio]);
    };
    row('creates/s', kplaneFigures.createsPerSec, kubeFigures?.createsPerSec, 'higher', 0);
    row('create p50 ms', kplaneFigures.createP50, kubeFigures?.createP50, 'lower', 2);
    row('create p99 ms', kplaneFigures.createP99, kubeFigures?.createP99, 'lower', 2);
    row('gets/s', kplaneFigures.getsPerSec, kubeFigures?.getsPerSec, 'higher', 0);
    row('get p50 ms', kplaneFigures.getP50, kubeFigures?.getP50, 'lower', 2);
    row(`LIST ${LIST_SIZE} objects ms`, kplaneFigures.list10kMs, kubeFigures?.list10kMs, 'lower', 0);
    row(`watch fan-out to ${WATCHERS} p50 ms`, kplaneFigures.watchP50, kubeFigures?.watchP50, 'lower', 2);
    row(`watch fan-out to ${WATCHERS} p99 ms`, kplaneFigures.watchP99, kubeFigures?.watchP99, 'lower', 2);
    console.log('\nclient load (same client, same run)                 kplane   kube-apiserver+etcd   kplane advantage');
    for (const [a, b, c, d] of rows) console.log(`  ${a.padEnd(45)} ${b.padStart(12)} ${c.padStart(21)} ${d.padStart(18)}`);

    console.log('\nlogical clusters');
    console.log(`  workspace POST p50                             ${fmt(ws.workspacePostP50!, 2)} ms`);
    console.log(`  workspace create -> Ready p50 / p99            ${fmt(ws.workspaceReadyP50!, 2)} ms / ${fmt(ws.workspaceReadyP99!, 2)} ms   (target p50 <= 5 ms)`);
    console.log(`  bulk workspace creation                        ${fmt(ws.workspacesPerSec!, 0)} /s`);
    console.log(`  RSS per idle logical cluster                   ${kib(ws.rssPerCluster!)}   (target <= 10 KiB; kcp ~7-10 MiB, vcluster ~250 MiB)`);
    console.log(`  ... on plain glibc with its defaults            ${kib(wsGlibc.rssPerCluster!)}   (what bin/kplane avoids; it ran on ${allocator})`);
    console.log(`  JS heap per idle logical cluster               ${kib(ws.heapPerCluster!)}`);
    console.log(`  LevelDB memtables+cache per idle cluster       ${kib(ws.leveldbPerCluster!)}   (bounded: 8 MiB cache filling up)`);
    console.log(`  disk per idle logical cluster                  ${kib(ws.diskPerCluster!)}   (target <= 8 KiB)`);
    console.log('\nidle memory');
    console.log(`  kplane, fresh                                  ${mib(idle0.rss)}`);
    console.log(`  kplane with ${WORKSPACES + 1200} workspaces                ${mib(ws.rssTotal!)}   (glibc defaults: ${mib(wsGlibc.rssTotal!)})`);
    if (kube) {
      const thousand = idle0.rss + 1000 * ws.rssPerCluster!;
      console.log(`  one kube-apiserver + etcd, idle                ${mib(kubeIdle)}`);
      console.log(`  kplane with 1,000 idle clusters (fresh + 1000 x per-cluster) ${mib(thousand)}  -> ${fmt(kubeIdle / thousand, 1)}x less than ONE kube-apiserver+etcd`);
    }
  } finally {
    if (p) await stopKplane(p);
    await kube?.stop();
  }
  if (crdMode !== '0') await crdBench();
  if (rbacMode !== '0') await rbacBench();
  if (applyMode !== '0') await applyBench();
  if (syncMode !== '0') await runSyncBench(syncOptionsFromEnv(), progress);
  if (soakMode !== '0') await soak();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
