// Server-side apply figures for `npm run bench` (issue 10, point 7), kplane and kube-apiserver +
// etcd side by side in one run, same client, same load:
//
//  1. throughput of server-side apply (PATCH application/apply-patch+yaml, one field manager)
//     against update (PUT of the whole object with its resourceVersion), each changing one field of
//     BENCH_APPLY_N existing objects, and of apply creating objects against POST; on a 50-field
//     ConfigMap-like object (50 keys in data) and on a Cluster API v1beta2 Cluster (the real CRD,
//     read from the Go module cache `npm run tools` fills, as ./crds.ts does);
//  2. the memory of managedFields per object: the bytes of the object as served in JSON (kplane
//     stores that JSON) with and without metadata.managedFields, after apply (one Apply entry),
//     after update (one Update entry), and after both managers wrote it.
//
// Options (env): BENCH_APPLY_N (objects per phase, default 2000); BENCH_SKIP_KUBE=1 as in ./main.ts.
// Quick: BENCH_APPLY=only BENCH_APPLY_N=300.

import { capiFiles, readObjects } from '../test/helpers/capi.js';
import { Client, load, percentile, type Reply, type Target } from './client.js';

export interface ApplyBenchServer {
  target: Target;
  stop(): Promise<void>;
}

export interface ApplyBenchDeps {
  startKplane(): Promise<ApplyBenchServer>;
  /** Undefined: kplane only. */
  startKube?(): Promise<ApplyBenchServer>;
  progress(msg: string): void;
}

export interface ApplyOptions { n: number }

export function applyOptionsFromEnv(env = process.env): ApplyOptions {
  return { n: Number(env.BENCH_APPLY_N ?? 2000) };
}

const CONCURRENCY = 32;
const NS = 'applybench';
const APPLY = 'application/apply-patch+yaml';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

const check = (r: Reply, want: number[], what: string): Reply => {
  if (!want.includes(r.status)) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 400)}`);
  return r;
};

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

interface Kind {
  what: string;
  /** Collection path in the namespace. */
  path: string;
  /** The object named `name`, its one changing field at value `v`. */
  make(name: string, v: number): Obj;
}

const configMap50: Kind = {
  what: 'ConfigMap, 50 fields',
  path: `/api/v1/namespaces/${NS}/configmaps`,
  make(name, v) {
    const data: Record<string, string> = {};
    for (let i = 0; i < 50; i++) data[`key-${String(i).padStart(2, '0')}`] = i === 17 ? `value-${v}` : `value of field ${i}: ${'x'.repeat(16)}`;
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { app: 'apply-bench' } }, data };
  },
};

/** A v1beta2 Cluster with a managed topology, as clusterctl's quick start writes one. */
const capiCluster: Kind = {
  what: 'Cluster API Cluster (v1beta2)',
  path: `/apis/cluster.x-k8s.io/v1beta2/namespaces/${NS}/clusters`,
  make(name, v) {
    return {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name, namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': name, env: 'bench' } },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] }, serviceDomain: 'cluster.local' },
        controlPlaneEndpoint: { host: `${name}.example.com`, port: 6443 },
        topology: {
          classRef: { name: 'quick-start' },
          version: 'v1.34.1',
          controlPlane: { replicas: 1 + (v % 5), metadata: { labels: { tier: 'control-plane' } } },
          workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: 3 }, { class: 'default-worker', name: 'md-1', replicas: 2 }] },
          variables: [{ name: 'imageRepository', value: 'registry.k8s.io' }, { name: 'podSecurityStandard', value: { enabled: true, enforce: 'baseline' } }],
        },
      },
    };
  },
};

interface Rate { perSec: number; p50: number; p99: number }

const rate = (n: number, r: { latencies: number[]; seconds: number }): Rate => ({ perSec: n / r.seconds, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99) });

interface Sizes { withMF: number; withoutMF: number; entries: number }

interface KindFigures {
  post: Rate; applyCreate: Rate; put: Rate; apply: Rate; applyNoop: Rate;
  afterApply: Sizes; afterUpdate: Sizes; afterBoth: Sizes;
}

function sizes(body: string): Sizes {
  const o = JSON.parse(body) as Obj;
  const entries = ((o.metadata.managedFields as unknown[] | undefined) ?? []).length;
  const withMF = Buffer.byteLength(JSON.stringify(o));
  delete o.metadata.managedFields;
  return { withMF, withoutMF: Buffer.byteLength(JSON.stringify(o)), entries };
}

async function kindFigures(c: Client, kind: Kind, n: number, progress: (m: string) => void): Promise<KindFigures> {
  const name = c.target.name;
  const applyPath = (obj: string, manager = 'bench-apply') => `${kind.path}/${obj}?fieldManager=${manager}&force=true`;
  // warm-up: code paths compiled, caches filled, on both verbs
  for (let i = 0; i < 50; i++) {
    check(await c.call('PATCH', applyPath(`warm-${i}`), kind.make(`warm-${i}`, 0), APPLY), [200, 201], 'warm-up apply');
    const created = JSON.parse(check(await c.call('POST', kind.path, kind.make(`warm-u-${i}`, 0)), [201], 'warm-up create').body) as Obj;
    check(await c.call('PUT', `${kind.path}/warm-u-${i}`, { ...kind.make(`warm-u-${i}`, 1), metadata: { ...kind.make(`warm-u-${i}`, 1).metadata, resourceVersion: created.metadata.resourceVersion } }), [200], 'warm-up update');
  }

  progress(`${name}: ${kind.what}: ${n} POST creates, ${n} apply creates`);
  const rv = new Array<string>(n);
  const post = await load(n, CONCURRENCY, async (i) => {
    const r = check(await c.call('POST', `${kind.path}?fieldManager=bench-update`, kind.make(`u-${i}`, 0)), [201], 'create');
    rv[i] = (JSON.parse(r.body) as Obj).metadata.resourceVersion as string;
  });
  const applyCreate = await load(n, CONCURRENCY, async (i) => {
    check(await c.call('PATCH', applyPath(`a-${i}`), kind.make(`a-${i}`, 0), APPLY), [201], 'apply create');
  });

  progress(`${name}: ${kind.what}: ${n} updates (PUT), ${n} applies, ${n} no-op applies`);
  const put = await load(n, CONCURRENCY, async (i) => {
    const o = kind.make(`u-${i}`, 1);
    o.metadata.resourceVersion = rv[i];
    check(await c.call('PUT', `${kind.path}/u-${i}?fieldManager=bench-update`, o), [200], 'update');
  });
  const apply = await load(n, CONCURRENCY, async (i) => {
    check(await c.call('PATCH', applyPath(`a-${i}`), kind.make(`a-${i}`, 1), APPLY), [200], 'apply');
  });
  // the same configuration again: nothing changes, nothing is written
  const applyNoop = await load(n, CONCURRENCY, async (i) => {
    check(await c.call('PATCH', applyPath(`a-${i}`), kind.make(`a-${i}`, 1), APPLY), [200], 'no-op apply');
  });

  const afterApply = sizes(check(await c.call('GET', `${kind.path}/a-0`), [200], 'get').body);
  const afterUpdate = sizes(check(await c.call('GET', `${kind.path}/u-0`), [200], 'get').body);
  // a second manager: an update of the applied object
  const applied = JSON.parse(check(await c.call('GET', `${kind.path}/a-1`), [200], 'get').body) as Obj;
  delete applied.metadata.managedFields;
  (applied.metadata.labels as Record<string, string>).touched = 'by-update';
  check(await c.call('PUT', `${kind.path}/a-1?fieldManager=bench-update`, applied), [200], 'update of an applied object');
  const afterBoth = sizes(check(await c.call('GET', `${kind.path}/a-1`), [200], 'get').body);
  return {
    post: rate(n, post), applyCreate: rate(n, applyCreate), put: rate(n, put), apply: rate(n, apply), applyNoop: rate(n, applyNoop),
    afterApply, afterUpdate, afterBoth,
  };
}

async function untilServed(c: Client, path: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.call('GET', `${path}?limit=1`);
    if (r.status === 200) return;
    if (r.status !== 404 && r.status !== 503) throw new Error(`LIST ${path}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    if (Date.now() > deadline) throw new Error(`${path} not served after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function serverFigures(t: Target, n: number, progress: (m: string) => void): Promise<Record<string, KindFigures>> {
  const c = new Client(t);
  try {
    check(await c.call('POST', '/api/v1/namespaces', { metadata: { name: NS } }), [201], 'create namespace');
    const crd = capiFiles('core/config/crd/bases/cluster.x-k8s.io_clusters.yaml').flatMap(readObjects)[0]!;
    check(await c.call('POST', CRD_PATH, crd), [201], 'create the Cluster CRD');
    await untilServed(c, capiCluster.path);
    return {
      cm: await kindFigures(c, configMap50, n, progress),
      cluster: await kindFigures(c, capiCluster, n, progress),
    };
  } finally {
    c.close();
  }
}

const fmt = (v: number | undefined, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

export async function runApplyBench(deps: ApplyBenchDeps, o: ApplyOptions): Promise<void> {
  const started = Date.now();
  const progress = (m: string) => deps.progress(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}`);
  console.log(`\nserver-side apply: ${o.n} objects per phase, concurrency ${CONCURRENCY}; one field changed per write`);
  const kp = await deps.startKplane();
  let k: Record<string, KindFigures>;
  try {
    k = await serverFigures(kp.target, o.n, progress);
  } finally {
    await kp.stop();
  }
  let kube: Record<string, KindFigures> | undefined;
  if (deps.startKube) {
    const kb = await deps.startKube();
    try {
      kube = await serverFigures(kb.target, o.n, progress);
    } finally {
      await kb.stop();
    }
  }

  for (const [key, kind] of [['cm', configMap50], ['cluster', capiCluster]] as const) {
    const a = k[key]!;
    const b = kube?.[key];
    const rows: [string, string, string, string][] = [];
    const row = (what: string, kv: number, kbv: number | undefined, better: 'higher' | 'lower' | 'none', digits = 1) => {
      const ratio = kbv === undefined || better === 'none' ? '' : `${fmt(better === 'higher' ? kv / kbv : kbv / kv, 2)}x`;
      rows.push([what, fmt(kv, digits), kbv === undefined ? '' : fmt(kbv, digits), ratio]);
    };
    row('update (PUT) /s', a.put.perSec, b?.put.perSec, 'higher', 0);
    row('apply /s', a.apply.perSec, b?.apply.perSec, 'higher', 0);
    row('  apply / update', a.apply.perSec / a.put.perSec, b && b.apply.perSec / b.put.perSec, 'none', 2);
    row('update p50 / p99 ms', a.put.p50, b?.put.p50, 'lower', 2);
    rows[rows.length - 1]![1] += ` / ${fmt(a.put.p99, 2)}`;
    if (b) rows[rows.length - 1]![2] += ` / ${fmt(b.put.p99, 2)}`;
    row('apply p50 / p99 ms', a.apply.p50, b?.apply.p50, 'lower', 2);
    rows[rows.length - 1]![1] += ` / ${fmt(a.apply.p99, 2)}`;
    if (b) rows[rows.length - 1]![2] += ` / ${fmt(b.apply.p99, 2)}`;
    row('no-op apply (same configuration) /s', a.applyNoop.perSec, b?.applyNoop.perSec, 'higher', 0);
    row('create (POST) /s', a.post.perSec, b?.post.perSec, 'higher', 0);
    row('apply creating the object /s', a.applyCreate.perSec, b?.applyCreate.perSec, 'higher', 0);
    row('  apply-create / create', a.applyCreate.perSec / a.post.perSec, b && b.applyCreate.perSec / b.post.perSec, 'none', 2);
    const mem = (label: string, s: Sizes, t?: Sizes) => {
      row(`${label}: bytes with / without managedFields`, s.withMF, t?.withMF, 'none', 0);
      rows[rows.length - 1]![1] += ` / ${s.withoutMF}`;
      if (t) rows[rows.length - 1]![2] += ` / ${t.withoutMF}`;
      row(`  managedFields bytes (${s.entries} ${s.entries === 1 ? 'entry' : 'entries'}), share of the object`, s.withMF - s.withoutMF, t && t.withMF - t.withoutMF, 'none', 0);
      rows[rows.length - 1]![1] += ` (${fmt((100 * (s.withMF - s.withoutMF)) / s.withMF, 0)}%)`;
      if (t) rows[rows.length - 1]![2] += ` (${fmt((100 * (t.withMF - t.withoutMF)) / t.withMF, 0)}%)`;
    };
    mem('after apply', a.afterApply, b?.afterApply);
    mem('after update', a.afterUpdate, b?.afterUpdate);
    mem('after apply + update', a.afterBoth, b?.afterBoth);
    console.log(`\n${`${kind.what} (same client, same run)`.padEnd(58)} ${'kplane'.padStart(18)} ${'kube-apiserver+etcd'.padStart(22)} ${'kplane advantage'.padStart(17)}`);
    for (const [w, x, y, z] of rows) console.log(`  ${w.padEnd(56)} ${x.padStart(18)} ${y.padStart(22)} ${z.padStart(17)}`);
  }
}
