// RBAC figures for `npm run bench` (issue 9): what the authorizer (src/auth/rbac) costs, in one
// kplane process:
//
//  1. per request: GET of one ConfigMap in a workspace's namespace, BENCH_RBAC_N times at the
//     other loads' concurrency, as (a) the admin (system:masters: allowed before any binding is
//     looked at), (b) a user with a client certificate (CN=user, O=group, issued from the data
//     dir's CA as `kplane kubeconfig` does) allowed by ONE RoleBinding, (c) the same user in a
//     workspace whose namespace holds BENCH_RBAC_BINDINGS RoleBindings naming other users, the
//     allowing one checked last, and as many ClusterRoleBindings naming other users, (d) the same
//     user denied (a Secret, which the Role does not grant: 403). The added latency is b−a, c−a;
//  2. memory: BENCH_RBAC_CLUSTERS idle workspaces, then as many with a Role + RoleBinding each
//     (RSS and JS heap per cluster after kplane's maintenance signal, as ./crds.ts measures), the
//     RBAC index's cluster count (idle clusters have no entry: the bootstrap policy is shared), and
//     (b) again in one of those clusters.
//
// kube-apiserver is not measured here: its admin has only a token, and a user there is reachable
// only through impersonation, which authorises the impersonation itself on every request.
//
// Options (env): BENCH_RBAC_BINDINGS (1000), BENCH_RBAC_CLUSTERS (10000), BENCH_RBAC_N (3000).
// Quick: BENCH_RBAC=only BENCH_RBAC_CLUSTERS=1000 BENCH_RBAC_N=1000.

import { readDataDir } from '../src/cli/datadir.js';
import { importCA, issue } from '../src/auth/pki.js';
import { Client, load, percentile, type Reply, type Target } from './client.js';
import type { BenchKplane } from './crds.js';

export interface RbacBenchDeps {
  /** A kplane and its data directory (for the CA that client certificates are issued from). */
  startKplane(): Promise<BenchKplane & { dataDir: string }>;
  progress(msg: string): void;
}

export interface RbacOptions { bindings: number; clusters: number; requests: number }

export function rbacOptionsFromEnv(env = process.env): RbacOptions {
  return {
    bindings: Number(env.BENCH_RBAC_BINDINGS ?? 1000),
    clusters: Number(env.BENCH_RBAC_CLUSTERS ?? 10000),
    requests: Number(env.BENCH_RBAC_N ?? 3000),
  };
}

const WS_PATH = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const CONCURRENCY = 32;
const USER = 'user';
const GROUP = 'group';

const check = (r: Reply, want: number, what: string) => {
  if (r.status !== want) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 400)}`);
};

const role = (ns: string) => ({
  metadata: { name: 'cm-reader', namespace: ns },
  rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
});
const roleBinding = (ns: string, name: string, user: string) => ({
  metadata: { name, namespace: ns },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
});

/** Creates workspaces under root and waits until `total` workspaces of root are Ready. */
async function workspaces(root: Client, names: string[], total: number): Promise<number> {
  const r = await load(names.length, CONCURRENCY, async (i) => {
    check(await root.call('POST', WS_PATH, { metadata: { name: names[i] } }), 201, 'create workspace');
  });
  const deadline = Date.now() + 900_000;
  for (;;) {
    const l = JSON.parse((await root.call('GET', `${WS_PATH}?fieldSelector=status.phase%3DReady`)).body) as { items: unknown[] };
    if (l.items.length >= total) return r.seconds;
    if (Date.now() > deadline) throw new Error(`only ${l.items.length} of ${total} workspaces Ready`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

interface Latency { p50: number; p99: number; perSec: number }

/** n GETs of one path, `want` status each. */
async function gets(c: Client, path: string, n: number, want: number): Promise<Latency> {
  const r = await load(n, CONCURRENCY, async () => check(await c.call('GET', path), want, `GET ${path}`));
  return { p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), perSec: n / r.seconds };
}

const ROUNDS = 4;

/** Each load n times in all, in ROUNDS alternating rounds; latencies pooled, req/s over the time spent in it. */
async function interleaved(loads: (() => [Client, string, number])[], n: number): Promise<Latency[]> {
  const lat = loads.map(() => [] as number[]);
  const secs = loads.map(() => 0);
  const per = Math.ceil(n / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, l] of loads.entries()) {
      const [c, path, want] = l();
      const x = await load(per, CONCURRENCY, async () => check(await c.call('GET', path), want, `GET ${path}`));
      lat[i]!.push(...x.latencies);
      secs[i]! += x.seconds;
    }
  }
  return lat.map((l, i) => ({ p50: percentile(l, 50), p99: percentile(l, 99), perSec: l.length / secs[i]! }));
}

/** Moves kplane's watch cache window (4,096 events) past the phase just written (as ./crds.ts does). */
async function flushWatchWindow(root: Client): Promise<void> {
  const writers = 16;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    const path = `/api/v1/namespaces/default/configmaps/rbac-window-${w}`;
    if ((await root.call('GET', path)).status === 404) {
      check(await root.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `rbac-window-${w}` }, data: { n: '0' } }), 201, 'create ConfigMap');
    }
    for (let i = 0; i < Math.ceil(4200 / writers); i++) {
      check(await root.call('PATCH', path, { data: { n: String(i) } }, 'application/merge-patch+json'), 200, 'patch ConfigMap');
    }
  }));
}

/** RSS once jemalloc's background thread has returned what the collection freed (moves < 1 MiB in 5 s). */
async function settledRss(k: BenchKplane): Promise<number> {
  let last = (await k.rss()).anon;
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 5000));
    const now = (await k.rss()).anon;
    if (Math.abs(now - last) < 1024 * 1024) break;
    last = now;
  }
  return (await k.rss()).total;
}

const fmt = (v: number | undefined, digits = 2) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const num = (rec: Record<string, unknown>, k: string) => (typeof rec[k] === 'number' ? rec[k] as number : NaN);

export async function runRbacBench(deps: RbacBenchDeps, o: RbacOptions): Promise<void> {
  const started = Date.now();
  const progress = (m: string) => deps.progress(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${m}`);
  console.log(`\nRBAC: GET of one ConfigMap x ${o.requests} (${ROUNDS} alternating rounds), concurrency ${CONCURRENCY}; ${o.bindings} RoleBindings + ${o.bindings} ClusterRoleBindings; ${o.clusters} workspaces with a Role + RoleBinding vs ${o.clusters} idle`);
  const k = await deps.startKplane();
  try {
    const rootT = await k.target();
    const host = rootT.base.replace(/\/clusters\/root$/, '');
    const dd = await readDataDir(k.dataDir);
    const cert = await issue(await importCA(dd.caCertPem, dd.caKeyPem), { commonName: USER, organizations: [GROUP], usage: 'client' });
    // one client per identity over all clusters (paths carry /clusters/<name>)
    const admin = new Client({ ...rootT, base: host });
    const user = new Client({ name: 'user', base: host, ca: rootT.ca, cert: cert.certPem, key: cert.keyPem } satisfies Target);
    const root = new Client(rootT);
    try {
      // 1: per-request cost
      progress('kplane: workspaces rbac-one, rbac-many');
      await workspaces(root, ['rbac-one', 'rbac-many'], 2);
      const ns = 'bench';
      const setUp = async (cluster: string) => {
        const at = `/clusters/${cluster}`;
        check(await admin.call('POST', `${at}/api/v1/namespaces`, { metadata: { name: ns } }), 201, 'create namespace');
        check(await admin.call('POST', `${at}/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'cm' }, data: { k: 'v' } }), 201, 'create ConfigMap');
        check(await admin.call('POST', `${at}/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 's' }, data: { k: 'dg==' } }), 201, 'create Secret');
        check(await admin.call('POST', `${at}${RBAC}/namespaces/${ns}/roles`, role(ns)), 201, 'create Role');
      };
      await setUp('root:rbac-one');
      check(await admin.call('POST', `/clusters/root:rbac-one${RBAC}/namespaces/${ns}/rolebindings`, roleBinding(ns, 'allow', USER)), 201, 'create RoleBinding');
      await setUp('root:rbac-many');
      progress(`kplane: ${o.bindings} RoleBindings and ${o.bindings} ClusterRoleBindings for other users`);
      const many = `/clusters/root:rbac-many${RBAC}`;
      await load(o.bindings, CONCURRENCY, async (i) => {
        check(await admin.call('POST', `${many}/namespaces/${ns}/rolebindings`, roleBinding(ns, `rb-${String(i).padStart(6, '0')}`, `other-${i}`)), 201, 'create RoleBinding');
        check(await admin.call('POST', `${many}/clusterrolebindings`, {
          metadata: { name: `crb-${String(i).padStart(6, '0')}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `other-crb-${i}` }],
        }), 201, 'create ClusterRoleBinding');
      });
      // created last and sorting last: the last one checked, whether the index kept creation or key order
      check(await admin.call('POST', `${many}/namespaces/${ns}/rolebindings`, roleBinding(ns, 'zz-allow', USER)), 201, 'create RoleBinding');
      const cmPath = (cluster: string) => `/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps/cm`;
      // until the index has seen the last binding (a watch event away)
      for (const cluster of ['root:rbac-one', 'root:rbac-many']) {
        const deadline = Date.now() + 30_000;
        while ((await user.call('GET', cmPath(cluster))).status !== 200) {
          if (Date.now() > deadline) throw new Error(`user still not allowed in ${cluster}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      progress('kplane: warm-up GETs');
      await gets(admin, cmPath('root:rbac-one'), 500, 200);
      await gets(user, cmPath('root:rbac-one'), 500, 200);
      await gets(user, cmPath('root:rbac-many'), 500, 200);
      progress('kplane: (a) admin, (b) one RoleBinding, (c) many bindings, (d) denied');
      // in alternating rounds, pooled: the machine's noise falls on all four alike
      const [a, b, c, d] = await interleaved([
        () => [admin, cmPath('root:rbac-one'), 200],
        () => [user, cmPath('root:rbac-one'), 200],
        () => [user, cmPath('root:rbac-many'), 200],
        () => [user, `/clusters/root:rbac-one/api/v1/namespaces/${ns}/secrets/s`, 403],
      ], o.requests);

      // 2: memory
      const warm = Array.from({ length: 200 }, (_, i) => `rbac-warm-${i}`);
      progress('kplane: warm-up (200 workspaces, 100 with a Role + RoleBinding)');
      await workspaces(root, warm, 202);
      const bind = async (clusters: string[]) => {
        const r = await load(clusters.length * 2, CONCURRENCY, async (i) => {
          const at = `/clusters/root:${clusters[i >> 1]}${RBAC}/namespaces/default`;
          if (i % 2 === 0) check(await admin.call('POST', `${at}/roles`, role('default')), 201, 'create Role');
          else check(await admin.call('POST', `${at}/rolebindings`, roleBinding('default', 'allow', USER)), 201, 'create RoleBinding');
        });
        return r.seconds;
      };
      await bind(warm.slice(0, 100));
      const measure = async () => {
        progress('kplane: watch cache window flushed, maintenance, RSS settling');
        await flushWatchWindow(root);
        await k.maintenance();
        const rec = await k.maintenance();
        return { ...rec, rss: await settledRss(k) };
      };
      const m0 = await measure();
      progress(`kplane: ${o.clusters} idle workspaces`);
      await workspaces(root, Array.from({ length: o.clusters }, (_, i) => `rbac-idle-${i}`), 202 + o.clusters);
      const m1 = await measure();
      progress(`kplane: ${o.clusters} workspaces with a Role + RoleBinding`);
      const bound = Array.from({ length: o.clusters }, (_, i) => `rbac-rb-${i}`);
      await workspaces(root, bound, 202 + 2 * o.clusters);
      const bindSeconds = await bind(bound);
      const m2 = await measure();
      // (b) in one of those clusters: its ConfigMap, its binding among o.clusters others
      const last = `root:${bound[bound.length - 1]}`;
      check(await admin.call('POST', `/clusters/${last}/api/v1/namespaces/default/configmaps`, { metadata: { name: 'cm' }, data: { k: 'v' } }), 201, 'create ConfigMap');
      const lastPath = `/clusters/${last}/api/v1/namespaces/default/configmaps/cm`;
      await gets(user, lastPath, 500, 200);
      const [aAfter, bAfter] = await interleaved([() => [admin, lastPath, 200], () => [user, lastPath, 200]], o.requests);

      const row = (what: string, l: Latency, base?: Latency) => console.log(
        `  ${what.padEnd(58)} ${fmt(l.p50).padStart(7)} ${fmt(l.p99).padStart(8)} ${fmt(l.perSec, 0).padStart(8)}` +
        (base ? `   ${fmt(base.perSec / l.perSec)}x the admin's time per request` : ''));
      console.log('\nauthorisation per request (kplane only; kube-apiserver not measured, see bench/rbac.ts)  p50 ms   p99 ms    req/s');
      row('(a) admin (system:masters)', a);
      row('(b) user, one RoleBinding', b, a);
      row(`(c) user, allowed by the last of ${o.bindings + 1} RoleBindings + ${o.bindings} CRBs`, c, a);
      row('(d) user, denied (403)', d, a);
      console.log(`  added latency b−a p50 / p99                                ${fmt(b.p50 - a.p50)} ms / ${fmt(b.p99 - a.p99)} ms`);
      console.log(`  added latency c−a p50 / p99                                ${fmt(c.p50 - a.p50)} ms / ${fmt(c.p99 - a.p99)} ms`);

      const per = (x: Record<string, unknown>, y: Record<string, unknown>, f: string) => (num(y, f) - num(x, f)) / o.clusters;
      console.log(`\nRBAC memory (${o.clusters} idle workspaces, then ${o.clusters} with a Role + RoleBinding each, one process)`);
      console.log(`  RSS per cluster, idle / with a Role + RoleBinding          ${kib(per(m0, m1, 'rss'))} / ${kib(per(m1, m2, 'rss'))}   (extra ${kib(per(m1, m2, 'rss') - per(m0, m1, 'rss'))})`);
      console.log(`  JS heap per cluster, idle / with a Role + RoleBinding      ${kib(per(m0, m1, 'heapUsed'))} / ${kib(per(m1, m2, 'heapUsed'))}   (extra ${kib(per(m1, m2, 'heapUsed') - per(m0, m1, 'heapUsed'))})`);
      const rc = [m0, m1, m2].map((m) => num(m, 'rbacClusters'));
      const idleAdded = rc[1]! - rc[0]!;
      const boundAdded = rc[2]! - rc[1]!;
      console.log(`  RBAC index clusters: start / +${o.clusters} idle / +${o.clusters} bound    ${rc.map((v) => fmt(v, 0)).join(' / ')}   ` +
        (Number.isFinite(idleAdded) ? `(idle added ${idleAdded}, bound added ${boundAdded}: ${idleAdded === 0 && boundAdded === o.clusters ? 'as expected, the bootstrap policy is shared' : 'NOT as expected'})` : '(kplane does not report rbacClusters)'));
      console.log(`  Role + RoleBinding creates                                 ${fmt((2 * o.clusters) / bindSeconds, 0)} /s`);
      console.log(`  in ${last}: admin p50 / p99 ${fmt(aAfter.p50)} / ${fmt(aAfter.p99)} ms; (b) user p50 / p99 ${fmt(bAfter.p50)} / ${fmt(bAfter.p99)} ms, ${fmt(bAfter.perSec, 0)} req/s (before the ${o.clusters} clusters: ${fmt(b.p50)} / ${fmt(b.p99)} ms)`);
      console.log(`  RSS at the end                                             ${mib(num(m2, 'rss'))}`);
    } finally {
      admin.close();
      user.close();
      root.close();
    }
  } finally {
    await k.stop();
  }
}
