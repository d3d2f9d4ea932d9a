// CRD figures for `npm run bench` (issue 8, "Sharing and cost"), with Cluster API v1.14.2's real
// CRDs, read at run time from the Go module cache that `npm run tools` fills (never committed):
//
//  1. creates/s of a v1beta2 Cluster (the Cluster CRD's schema: 70 KB per version, CEL rules)
//     against ConfigMap creates/s in the same server: kplane, and kube-apiserver + etcd beside it;
//  2. the extra RSS per logical cluster when BENCH_CRD_CLUSTERS (1,000) workspaces each install the
//     same Cluster API CRDs, against BENCH_CRD_CLUSTERS idle workspaces in the same process (after
//     kplane's maintenance signal, as the idle-cluster figure in ./main.ts): a CRD object is per
//     cluster, its compiled form shared, so a cluster should cost little more than an idle one
//     (target <= 20 KiB more). Each figure is taken once the watch cache's window (the last 4,096
//     events, whatever their size) has moved past the phase's writes, and the window's own heap
//     right after the installs is printed apart;
//  3. CRD create -> Established and -> served (first LIST of the new resource answering 200),
//     p50 / p99 over BENCH_CRD_LATENCY (200) distinct CRDs (the real ones under other groups, so
//     that each is compiled afresh), kplane vs kube.
//
// Options (env): BENCH_CRD_CLUSTERS (1000), BENCH_CRD_LATENCY (200), BENCH_CRD_N (creates, 3000);
// BENCH_SKIP_KUBE=1 as in ./main.ts. Quick: BENCH_CRDS=only BENCH_CRD_CLUSTERS=50 BENCH_CRD_LATENCY=20 BENCH_CRD_N=500.

import { capiFiles, CAPI_CRD_DIRS, readObjects } from '../test/helpers/capi.js';
import { Client, load, percentile, type Reply, type Target } from './client.js';

/** A kplane process as the bench drives it (./main.ts starts it). */
export interface BenchKplane {
  /** A target for a logical cluster (default root). */
  target(cluster?: string): Promise<Target>;
  /** The record kplane logs after its maintenance signal (compaction, full GC): rss, heapUsed, crd* ... */
  maintenance(): Promise<Record<string, unknown>>;
  /** Resident set size of the process now, bytes, and its anonymous and file-mapped parts. */
  rss(): Promise<{ total: number; anon: number; file: number }>;
  /** Bytes of its storage on disk. */
  disk(): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchKube {
  target: Target;
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export interface CrdBenchDeps {
  startKplane(): Promise<BenchKplane>;
  /** Undefined: kplane only. */
  startKube?(): Promise<BenchKube>;
  progress(msg: string): void;
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const WS_PATH = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const CONCURRENCY = 32;
/** What the issue installs: core, kubeadm bootstrap and control plane, and clusterctl's own two. */
const CRD_DIRS = [...CAPI_CRD_DIRS, 'cmd/clusterctl/config/crd/bases'];

type CRD = { metadata: { name: string }; spec: { group: string; names: { plural: string; kind: string }; versions: { name: string; storage: boolean }[]; scope: string } };

function capiCRDs(): CRD[] {
  return CRD_DIRS.flatMap((d) => capiFiles(`${d}/*.yaml`)).flatMap(readObjects) as unknown as CRD[];
}

const check = (r: Reply, want: number, what: string) => {
  if (r.status !== want) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 400)}`);
};

const storageVersion = (c: CRD) => c.spec.versions.find((v) => v.storage)!.name;

function listPath(c: CRD, ns = 'default'): string {
  const base = `/apis/${c.spec.group}/${storageVersion(c)}`;
  return c.spec.scope === 'Namespaced' ? `${base}/namespaces/${ns}/${c.spec.names.plural}` : `${base}/${c.spec.names.plural}`;
}

/** Polls a LIST of the CRD's resource until it answers 200; returns when (performance.now()). */
async function untilServed(c: Client, crd: CRD, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.call('GET', `${listPath(crd)}?limit=1`);
    if (r.status === 200) return performance.now();
    if (r.status !== 404 && r.status !== 503) throw new Error(`LIST ${crd.metadata.name}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    if (Date.now() > deadline) throw new Error(`${crd.metadata.name} not served after ${timeoutMs} ms`);
  }
}

/** A v1beta2 Cluster with a managed topology, the way clusterctl's quick start writes one. */
function clusterObject(name: string): unknown {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, labels: { 'cluster.x-k8s.io/cluster-name': name, env: 'bench' } },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] }, serviceDomain: 'cluster.local' },
      controlPlaneEndpoint: { host: `${name}.example.com`, port: 6443 },
      topology: {
        classRef: { name: 'quick-start' },
        version: 'v1.34.1',
        controlPlane: { replicas: 3, metadata: { labels: { tier: 'control-plane' } } },
        workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: 3 }, { class: 'default-worker', name: 'md-1', replicas: 2 }] },
        variables: [{ name: 'imageRepository', value: 'registry.k8s.io' }, { name: 'podSecurityStandard', value: { enabled: true, enforce: 'baseline' } }],
      },
    },
  };
}

interface CreateFigures { crPerSec: number; crP50: number; crP99: number; cmPerSec: number; cmP50: number; cmP99: number }

/** 1: Cluster creates vs ConfigMap creates, same client, same server. */
async function createRates(t: Target, clusterCRD: CRD, n: number, progress: (m: string) => void): Promise<CreateFigures> {
  const c = new Client(t);
  try {
    check(await c.call('POST', CRD_PATH, clusterCRD), 201, 'create the Cluster CRD');
    await untilServed(c, clusterCRD);
    check(await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'crbench' } }), 201, 'create namespace');
    progress(`${t.name}: ${n} Cluster creates`);
    const crs = await load(n, CONCURRENCY, async (i) => {
      check(await c.call('POST', '/apis/cluster.x-k8s.io/v1beta2/namespaces/crbench/clusters', clusterObject(`c-${i}`)), 201, 'create Cluster');
    });
    progress(`${t.name}: ${n} ConfigMap creates`);
    const payload = { 'config.yaml': 'x'.repeat(512) };
    const cms = await load(n, CONCURRENCY, async (i) => {
      check(await c.call('POST', '/api/v1/namespaces/crbench/configmaps', { metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: payload }), 201, 'create ConfigMap');
    });
    return {
      crPerSec: n / crs.seconds, crP50: percentile(crs.latencies, 50), crP99: percentile(crs.latencies, 99),
      cmPerSec: n / cms.seconds, cmP50: percentile(cms.latencies, 50), cmP99: percentile(cms.latencies, 99),
    };
  } finally {
    c.close();
  }
}

interface LatencyFigures {
  postP50: number; establishedP50: number; establishedP99: number; servedP50: number; servedP99: number;
  /** Served p50 of the first and of the last tenth: does a CRD cost more when the cluster has many? */
  servedFirstP50: number; servedLastP50: number;
}

/** The real CRDs under other groups: each one distinct content, compiled afresh. */
function renamedCRDs(base: CRD[], n: number): CRD[] {
  return Array.from({ length: n }, (_, i) => {
    const c = structuredClone(base[i % base.length]!);
    c.spec.group = `b${i}.${c.spec.group}`;
    c.metadata.name = `${c.spec.names.plural}.${c.spec.group}`;
    return c;
  });
}

/** 3: one CRD at a time, from its POST to Established (watched) and to a LIST answering 200. */
async function establishLatency(t: Target, crds: CRD[], progress: (m: string) => void): Promise<LatencyFigures> {
  const c = new Client(t);
  const established = new Map<string, number>();
  progress(`${t.name}: ${crds.length} CRDs, create -> Established / served`);
  const rv = (JSON.parse((await c.call('GET', `${CRD_PATH}?limit=1`)).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const close = await c.watch(`${CRD_PATH}?watch=1&resourceVersion=${rv}`, (ev) => {
    const conds = (ev.object as unknown as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    const name = ev.object.metadata.name;
    if (!established.has(name) && conds.some((x) => x.type === 'Established' && x.status === 'True')) established.set(name, performance.now());
  });
  const post: number[] = [];
  const toEstablished: number[] = [];
  const toServed: number[] = [];
  try {
    for (const crd of crds) {
      const t0 = performance.now();
      check(await c.call('POST', CRD_PATH, crd), 201, `create ${crd.metadata.name}`);
      post.push(performance.now() - t0);
      toServed.push((await untilServed(c, crd)) - t0);
      const deadline = Date.now() + 60_000;
      while (!established.has(crd.metadata.name)) {
        if (Date.now() > deadline) throw new Error(`${crd.metadata.name}: no Established watch event`);
        await new Promise((r) => setTimeout(r, 5));
      }
      toEstablished.push(established.get(crd.metadata.name)! - t0);
    }
  } finally {
    close();
    c.close();
  }
  return {
    postP50: percentile(post, 50),
    establishedP50: percentile(toEstablished, 50), establishedP99: percentile(toEstablished, 99),
    servedP50: percentile(toServed, 50), servedP99: percentile(toServed, 99),
    servedFirstP50: percentile(toServed.slice(0, Math.ceil(toServed.length / 10)), 50),
    servedLastP50: percentile(toServed.slice(-Math.ceil(toServed.length / 10)), 50),
  };
}

const num = (rec: Record<string, unknown>, k: string) => (typeof rec[k] === 'number' ? rec[k] as number : NaN);

/** Creates workspaces and waits until `total` of them are Ready. */
async function workspaces(root: Client, names: string[], total: number): Promise<number> {
  const r = await load(names.length, CONCURRENCY, async (i) => {
    check(await root.call('POST', WS_PATH, { metadata: { name: names[i] } }), 201, 'create workspace');
  });
  const deadline = Date.now() + 600_000;
  for (;;) {
    const l = JSON.parse((await root.call('GET', `${WS_PATH}?fieldSelector=status.phase%3DReady`)).body) as { items: unknown[] };
    if (l.items.length >= total) return r.seconds;
    if (Date.now() > deadline) throw new Error(`only ${l.items.length} of ${total} workspaces Ready`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** kplane's watch cache: the last events of the whole store, bounded by count (src/storage/watch-hub.ts). */
const WATCH_WINDOW = 4096;
/** Clusters whose CRD installs fill that window a few times over (19 CRDs, 2-3 events each); fewer in a quick run. */
const WARM_CRD_CLUSTERS = 100;

/**
 * Moves the watch cache's window past everything written so far, with as many small writes (merge
 * patches of one ConfigMap of the root cluster): what it holds of the phase just measured (large
 * CRD objects) is a bounded constant, not a per-cluster cost, and would hide the figure sought.
 */
async function flushWatchWindow(root: Client): Promise<void> {
  const writers = 16;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    // one ConfigMap per writer: no two patches race for one object
    const path = `/api/v1/namespaces/default/configmaps/bench-window-${w}`;
    if ((await root.call('GET', path)).status === 404) {
      check(await root.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `bench-window-${w}` }, data: { n: '0' } }), 201, 'create ConfigMap');
    }
    for (let i = 0; i < Math.ceil((WATCH_WINDOW + 100) / writers); i++) {
      check(await root.call('PATCH', path, { data: { n: String(i) } }, 'application/merge-patch+json'), 200, 'patch ConfigMap');
    }
  }));
}

/**
 * RSS once the allocator has handed back what the collection freed: jemalloc (with the background
 * thread ./main.ts starts kplane with here) returns dirty pages over about ten seconds, so it is
 * sampled until it moves by less than 1 MiB in five seconds.
 */
async function settledRss(k: BenchKplane): Promise<{ total: number; anon: number; file: number }> {
  let last = await k.rss();
  for (let i = 0; i < 24; i++) {
    await new Promise((r) => setTimeout(r, 5000));
    const now = await k.rss();
    if (Math.abs(now.anon - last.anon) < 1024 * 1024) return now;
    last = now;
  }
  return last;
}

interface SharingFigures {
  idlePerCluster: number; crdPerCluster: number;
  /** The other figures of kplane's maintenance record, per cluster: idle, with the CRDs. */
  parts: Record<string, [number, number]>;
  installSeconds: number; servedSeconds: number; crdsPerSec: number; stats: Record<string, number>; rssTotal: number;
  /** What the watch cache's window held right after the installs (heap). */
  windowHeap: number;
}

/** 2: N idle workspaces, then N workspaces with the CRDs, in one process; the marginal RSS of each. */
async function sharing(k: BenchKplane, crds: CRD[], n: number, progress: (m: string) => void): Promise<SharingFigures> {
  const rootT = await k.target();
  const root = new Client(rootT);
  const base = rootT.base.replace(/\/clusters\/root$/, '');
  const install = async (clusters: string[]) => {
    const clients = clusters.map((ws) => new Client({ ...rootT, base: `${base}/clusters/root:${ws}` }, 2));
    const t0 = performance.now();
    const r = await load(clusters.length * crds.length, CONCURRENCY, async (i) => {
      const crd = crds[i % crds.length]!;
      check(await clients[Math.floor(i / crds.length)]!.call('POST', CRD_PATH, crd), 201, `create ${crd.metadata.name}`);
    });
    // served everywhere: every resource of every cluster answers a LIST
    await load(clusters.length * crds.length, CONCURRENCY, async (i) => {
      await untilServed(clients[Math.floor(i / crds.length)]!, crds[i % crds.length]!, 600_000);
    });
    for (const c of clients) c.close();
    return { posted: r.seconds, served: (performance.now() - t0) / 1000 };
  };
  try {
    // warm-up: code compiled, the CRDs' shared compiled form built, caches at their bounds, and
    // the process through the high-water mark that CRD installs take it to (the watch cache's
    // window full of CRDs, LevelDB compacting them), so that it is in every figure alike
    const warmCRDs = Math.min(WARM_CRD_CLUSTERS, n);
    progress(`kplane: warm-up (200 workspaces, ${warmCRDs} of them with the CRDs)`);
    const warm = Array.from({ length: 200 }, (_, i) => `warm-${i}`);
    await workspaces(root, warm, 200);
    await install(warm.slice(0, warmCRDs));
    const measure = async () => {
      progress('kplane: watch cache window flushed, maintenance, RSS settling');
      await flushWatchWindow(root);
      await k.maintenance();
      const rec = await k.maintenance();
      const rss = await settledRss(k);
      const m = { ...rec, rss: rss.total, rssAnon: rss.anon, rssFile: rss.file, disk: await k.disk() };
      progress(`kplane: ${['rss', 'rssAnon', 'rssFile', 'heapTotal', 'heapUsed', 'leveldb', 'disk'].map((f) => `${f} ${mib(num(m, f))}`).join(', ')}` +
        ` (maintenance: settle ${num(rec, 'settleMs')} ms, compact ${num(rec, 'compactMs')} ms, files ${num(rec, 'compactFilesMs')} ms)`);
      return m;
    };
    const a = await measure();
    progress(`kplane: ${n} idle workspaces`);
    await workspaces(root, Array.from({ length: n }, (_, i) => `idle-${i}`), 200 + n);
    const b = await measure();
    progress(`kplane: ${n} workspaces with ${crds.length} CRDs each`);
    const names = Array.from({ length: n }, (_, i) => `crd-${i}`);
    await workspaces(root, names, 200 + 2 * n);
    const { posted: installSeconds, served: servedSeconds } = await install(names);
    await k.maintenance();
    const unflushed = await k.maintenance();
    const c = await measure();
    const stats: Record<string, number> = {};
    for (const [key, v] of Object.entries(c)) if (/^crd|^compiled/.test(key) && typeof v === 'number') stats[key] = v;
    return {
      idlePerCluster: (num(b, 'rss') - num(a, 'rss')) / n,
      crdPerCluster: (num(c, 'rss') - num(b, 'rss')) / n,
      parts: Object.fromEntries(['rssAnon', 'rssFile', 'heapUsed', 'heapTotal', 'external', 'leveldb', 'disk'].map((f) => [f, [(num(b, f) - num(a, f)) / n, (num(c, f) - num(b, f)) / n]])),
      installSeconds,
      servedSeconds,
      crdsPerSec: (n * crds.length) / installSeconds,
      stats,
      rssTotal: num(c, 'rss'),
      windowHeap: num(unflushed, 'heapUsed') - num(c, 'heapUsed'),
    };
  } finally {
    root.close();
  }
}

export interface CrdOptions { creates: number; clusters: number; latencyCRDs: number }

export function crdOptionsFromEnv(env = process.env): CrdOptions {
  return {
    creates: Number(env.BENCH_CRD_N ?? 3000),
    clusters: Number(env.BENCH_CRD_CLUSTERS ?? 1000),
    latencyCRDs: Number(env.BENCH_CRD_LATENCY ?? 200),
  };
}

const fmt = (v: number | undefined, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

export async function runCrdBench(deps: CrdBenchDeps, o: CrdOptions): Promise<void> {
  const started = Date.now();
  const progress = (m: string) => deps.progress(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}`);
  const crds = capiCRDs();
  const clusterCRD = crds.find((c) => c.metadata.name === 'clusters.cluster.x-k8s.io')!;
  const latencySet = renamedCRDs(crds, o.latencyCRDs);
  console.log(`\nCRDs: Cluster API v1.14.2's ${crds.length} CRDs; ${o.creates} Cluster creates, ${o.clusters} workspaces with them, ${o.latencyCRDs} CRDs for create -> served`);

  const kp = await deps.startKplane();
  let kCreates: CreateFigures;
  let kLatency: LatencyFigures;
  try {
    const t = await kp.target();
    kCreates = await createRates(t, clusterCRD, o.creates, progress);
    kLatency = await establishLatency(t, latencySet, progress);
  } finally {
    await kp.stop();
  }
  let kubeCreates: CreateFigures | undefined;
  let kubeLatency: LatencyFigures | undefined;
  if (deps.startKube) {
    const kube = await deps.startKube();
    try {
      kubeCreates = await createRates(kube.target, clusterCRD, o.creates, progress);
      kubeLatency = await establishLatency(kube.target, latencySet, progress);
    } finally {
      await kube.stop();
    }
  }
  const rows: [string, string, string, string][] = [];
  const row = (what: string, k: number, kb: number | undefined, better: 'higher' | 'lower', digits = 1) => {
    const ratio = kb === undefined ? '' : `${fmt(better === 'higher' ? k / kb : kb / k, 2)}x`;
    rows.push([what, fmt(k, digits), kb === undefined ? '' : fmt(kb, digits), ratio]);
  };
  row('Cluster (v1beta2) creates/s', kCreates.crPerSec, kubeCreates?.crPerSec, 'higher', 0);
  row('Cluster create p50 ms', kCreates.crP50, kubeCreates?.crP50, 'lower', 2);
  row('Cluster create p99 ms', kCreates.crP99, kubeCreates?.crP99, 'lower', 2);
  row('ConfigMap creates/s (same server)', kCreates.cmPerSec, kubeCreates?.cmPerSec, 'higher', 0);
  row('Cluster creates / ConfigMap creates', kCreates.crPerSec / kCreates.cmPerSec, kubeCreates && kubeCreates.crPerSec / kubeCreates.cmPerSec, 'higher', 2);
  row('CRD POST p50 ms', kLatency.postP50, kubeLatency?.postP50, 'lower', 2);
  row('CRD create -> Established p50 ms', kLatency.establishedP50, kubeLatency?.establishedP50, 'lower', 2);
  row('CRD create -> Established p99 ms', kLatency.establishedP99, kubeLatency?.establishedP99, 'lower', 2);
  row('CRD create -> served (LIST 200) p50 ms', kLatency.servedP50, kubeLatency?.servedP50, 'lower', 2);
  row('CRD create -> served (LIST 200) p99 ms', kLatency.servedP99, kubeLatency?.servedP99, 'lower', 2);
  row(`  p50 of the first ${Math.ceil(o.latencyCRDs / 10)} CRDs ms`, kLatency.servedFirstP50, kubeLatency?.servedFirstP50, 'lower', 2);
  row(`  p50 of the last ${Math.ceil(o.latencyCRDs / 10)} CRDs ms`, kLatency.servedLastP50, kubeLatency?.servedLastP50, 'lower', 2);
  console.log('\ncustom resources (same client, same run)             kplane   kube-apiserver+etcd   kplane advantage');
  for (const [a, b, c, d] of rows) console.log(`  ${a.padEnd(45)} ${b.padStart(12)} ${c.padStart(21)} ${d.padStart(18)}`);

  const ks = await deps.startKplane();
  let share: SharingFigures;
  try {
    share = await sharing(ks, crds, o.clusters, progress);
  } finally {
    await ks.stop();
  }

  console.log(`\nlogical clusters with CRDs (${o.clusters} with the ${crds.length} CRDs vs ${o.clusters} idle, one process)`);
  console.log(`  RSS per idle logical cluster                   ${kib(share.idlePerCluster)}`);
  console.log(`  RSS per logical cluster with the CRDs          ${kib(share.crdPerCluster)}`);
  console.log(`  ... extra for the CRDs                         ${kib(share.crdPerCluster - share.idlePerCluster)}   (target <= 20 KiB)`);
  for (const [f, [idle, crd]] of Object.entries(share.parts)) console.log(`  ${`${f} per cluster, idle / with the CRDs`.padEnd(46)} ${kib(idle)} / ${kib(crd)}`);
  console.log(`  CRD installs                                   ${fmt(share.crdsPerSec, 0)} CRDs/s (${fmt(share.installSeconds, 0)} s for ${o.clusters * crds.length}; all served after ${fmt(share.servedSeconds, 0)} s)`);
  console.log(`  watch cache (${WATCH_WINDOW} events) after the installs     ${mib(share.windowHeap)} of JS heap (held until ${WATCH_WINDOW} more writes; measured after them)`);
  console.log(`  RSS at the end                                 ${mib(share.rssTotal)}`);
  if (Object.keys(share.stats).length) console.log(`  CRD index after maintenance                    ${Object.entries(share.stats).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
