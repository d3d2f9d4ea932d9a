// The soak: many clients doing mixed get/list/create/delete/watch over several workspaces, for
// several rounds in ONE kplane process, with the process's memory and internal counters sampled
// after each round. What it looks for is degradation: a round must not be slower, nor the process
// bigger, than the one before it.
//
// The data set is steady-state by default: every client keeps at most SOAK_KEEP objects of its own
// and deletes its oldest one when it creates one more, so after the first seconds each namespace
// holds a constant number of objects and a list costs the same in every round. With SOAK_STEADY=0
// creates accumulate, as in the report that led to this benchmark; lists then grow with the data,
// which is expected, and the soak prints list cost per listed object to tell that from a leak.
//
// "Flat" means that each round matches the one before it within the machine's noise. That holds
// for requests, for requests per CPU-second of kplane (other processes' load on the 2 shared cores
// moves this figure much less than plain req/s, so the soak prints both, along with the CPU that
// other processes took), for p50 per verb and for the live JS heap (after a full GC). Round 1
// takes the process from idle to its working set: JIT code, the watch-cache window filling up,
// LevelDB's block cache and memtables filling to their bounds, TLS connections. After that, RSS
// follows what glibc malloc keeps of the memory it freed; it stays flat with jemalloc. The
// README's Performance section gives measured figures.

import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus } from 'node:os';
import { Client, percentile, type Reply, type Target } from './client.js';

export interface SoakOptions {
  clients: number;
  seconds: number;
  rounds: number;
  workspaces: number;
  /** Creates balanced by deletes (steady-state data set). */
  steady: boolean;
  /** Objects one client keeps at most in steady state. */
  keep: number;
}

export function soakOptionsFromEnv(env = process.env): SoakOptions {
  return {
    clients: Number(env.SOAK_CLIENTS ?? 256),
    seconds: Number(env.SOAK_SECONDS ?? 60),
    rounds: Number(env.SOAK_ROUNDS ?? 3),
    workspaces: Number(env.SOAK_WORKSPACES ?? 20),
    steady: env.SOAK_STEADY !== '0',
    keep: Number(env.SOAK_KEEP ?? 20),
  };
}

/** What the server reports about itself after a round (see Kplane.diagnostics). */
export type Diagnostics = Record<string, number>;

export interface SoakServer {
  /** A target for the root cluster; workspaces are made from it. */
  root: Target;
  url: string;
  diagnostics(): Promise<Diagnostics>;
  /** Resident set size of the server process, bytes. */
  rss(): Promise<number>;
  /** The resident set split: anonymous memory (heap, malloc) and mapped files (LevelDB's tables, code). */
  rssParts(): Promise<{ anon: number; file: number }>;
  /** CPU time the server process has used, seconds. */
  cpuSeconds(): Promise<number>;
}

/** Busy CPU time of the whole machine, seconds (/proc/stat; USER_HZ is 100 on Linux). */
async function machineCpuSeconds(): Promise<number> {
  const f = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

/** CPU time used per round: the server, this client, and everything else on the machine (noise). */
interface CpuShare { server: number; client: number; others: number; available: number }

async function cpuNow(s: SoakServer): Promise<{ server: number; client: number; machine: number }> {
  const u = process.cpuUsage();
  return { server: await s.cpuSeconds(), client: (u.user + u.system) / 1e6, machine: await machineCpuSeconds() };
}

type Verb = 'get' | 'list' | 'create' | 'delete' | 'watch';
const VERBS: Verb[] = ['get', 'list', 'create', 'delete', 'watch'];

interface RoundFigures {
  requests: number;
  errors: number;
  seconds: number;
  latencies: Record<Verb, number[]>;
  /** Objects returned by lists, summed (list cost per object). */
  listedObjects: number;
  listMs: number;
  rssAfter: number;
  rssParts: { anon: number; file: number };
  diag: Diagnostics;
  cpu: CpuShare;
}

/**
 * A watch as an informer opens it (from a list's resourceVersion), kept open for up to `holdMs` or
 * until a few events arrived, then dropped by the client: the server must forget it.
 * Resolves with the time to the response headers.
 */
function watchOnce(agent: Agent, t: Target, path: string, holdMs: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let established = 0;
    let events = 0;
    let timer: NodeJS.Timeout | undefined;
    const req = request(new URL(t.base + path), { method: 'GET', agent, headers: { Accept: 'application/json' } }, (res) => {
      established = performance.now() - t0;
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => reject(new Error(`watch: HTTP ${res.statusCode}`)));
        return;
      }
      timer = setTimeout(() => req.destroy(), holdMs);
      res.on('data', (c: Buffer) => {
        for (const b of c) if (b === 10) events++;
        if (events >= 5) req.destroy();
      });
    });
    req.on('error', () => undefined);
    req.on('close', () => {
      clearTimeout(timer);
      if (established) resolve(established);
      else reject(new Error('watch: closed before headers'));
    });
    req.end();
  });
}

const ok = (r: Reply, want: number[], what: string) => {
  if (!want.includes(r.status)) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 600)}`);
};

/** Makes the workspaces (waits for Ready) and returns a target per workspace. */
async function makeWorkspaces(s: SoakServer, n: number): Promise<Target[]> {
  const root = new Client(s.root, 8);
  try {
    const out: Target[] = [];
    for (let i = 0; i < n; i++) {
      const name = `soak-${i}`;
      ok(await root.call('POST', '/apis/tenancy.kplane.io/v1alpha1/workspaces', { apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name } }), [201], 'create workspace');
      out.push({ ...s.root, base: `${s.url}/clusters/root:${name}` });
    }
    for (const t of out) {
      const deadline = Date.now() + 30_000;
      const c = new Client(t, 1);
      for (;;) {
        const r = await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'soak' } });
        if (r.status === 201) break;
        if (Date.now() > deadline) throw new Error(`workspace ${t.base} not ready: HTTP ${r.status} ${r.body.slice(0, 600)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      c.close();
    }
    return out;
  } finally {
    root.close();
  }
}

/** The weights of the mix, out of 100: reads dominate, as with controllers and kubectl. */
function pickVerb(x: number): 'get' | 'list' | 'create' | 'watch' {
  if (x < 45) return 'get';
  if (x < 65) return 'list';
  if (x < 90) return 'create';
  return 'watch';
}

async function round(s: SoakServer, targets: Target[], o: SoakOptions, state: ClientState[]): Promise<RoundFigures> {
  const lat: Record<Verb, number[]> = { get: [], list: [], create: [], delete: [], watch: [] };
  let requests = 0;
  let errors = 0;
  let listedObjects = 0;
  let listMs = 0;
  const cpu0 = await cpuNow(s);
  const start = performance.now();
  const end = start + o.seconds * 1000;
  const payload = { 'config.yaml': 'x'.repeat(256) };
  const client = async (c: ClientState) => {
    const t = targets[c.index % targets.length]!;
    const ns = '/api/v1/namespaces/soak/configmaps';
    while (performance.now() < end) {
      const verb = pickVerb(Math.random() * 100);
      const t0 = performance.now();
      try {
        if (verb === 'get') {
          const name = c.names.length ? c.names[Math.floor(Math.random() * c.names.length)]! : 'kube-root-ca.crt';
          const path = c.names.length ? `${ns}/${name}` : `/api/v1/namespaces/default/configmaps/${name}`;
          ok(await c.http.call('GET', path), [200, 404], 'get');
        } else if (verb === 'list') {
          const r = await c.http.call('GET', ns);
          ok(r, [200], 'list');
          const l = JSON.parse(r.body) as { items: unknown[]; metadata: { resourceVersion: string } };
          c.rv = l.metadata.resourceVersion;
          listedObjects += l.items.length;
          listMs += performance.now() - t0;
        } else if (verb === 'create') {
          const name = `c${c.index}-${c.seq++}`;
          ok(await c.http.call('POST', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { client: String(c.index) } }, data: payload }), [201], 'create');
          c.names.push(name);
          if (o.steady && c.names.length > o.keep) {
            // the client's oldest object goes: the namespace stays the same size
            lat.create.push(performance.now() - t0);
            requests++;
            const old = c.names.shift()!;
            const d0 = performance.now();
            ok(await c.http.call('DELETE', `${ns}/${old}`), [200], 'delete');
            lat.delete.push(performance.now() - d0);
            requests++;
            continue;
          }
        } else {
          const from = c.rv ? `&resourceVersion=${c.rv}` : '';
          lat.watch.push(await watchOnce(c.watchAgent, t, `${ns}?watch=1${from}`, 1000));
          requests++;
          continue;
        }
        lat[verb].push(performance.now() - t0);
        requests++;
      } catch (e) {
        errors++;
        if (errors <= 5) process.stderr.write(`  .. soak error (${verb}): ${(e as Error).message}\n`);
        // a 410 for an old resourceVersion: the next list refreshes it
        if (verb === 'watch') c.rv = undefined;
      }
    }
  };
  await Promise.all(state.map(client));
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = await cpuNow(s);
  const server = cpu1.server - cpu0.server;
  const clientCpu = cpu1.client - cpu0.client;
  const cpu = { server, client: clientCpu, others: Math.max(0, cpu1.machine - cpu0.machine - server - clientCpu), available: seconds * cpus().length };
  const rssAfter = await s.rss();
  const rssParts = await s.rssParts();
  const diag = await s.diagnostics();
  return { requests, errors, seconds, latencies: lat, listedObjects, listMs, rssAfter, rssParts, diag, cpu };
}

interface ClientState {
  index: number;
  /** Requests of one client: one keep-alive connection to its workspace. */
  http: Client;
  /** Watches are long requests: their own sockets, not the request connection. */
  watchAgent: Agent;
  names: string[];
  seq: number;
  rv: string | undefined;
}

const BYTES = new Set(['heapTotal', 'heapTotalAfterGC', 'external', 'arrayBuffers', 'v8Malloced', 'leveldb']);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 0) : 'n/a');

/** Runs the soak against a started server; prints per-round figures and returns them. */
export async function runSoak(s: SoakServer, o: SoakOptions, log: (msg: string) => void): Promise<RoundFigures[]> {
  console.log(`\nsoak: ${o.clients} clients x ${o.seconds} s x ${o.rounds} rounds over ${o.workspaces} workspaces, one process; `
    + `data set ${o.steady ? `steady (each client keeps ${o.keep} objects, creates balanced by deletes)` : 'growing (creates accumulate)'}`);
  log(`soak: ${o.workspaces} workspaces`);
  const targets = await makeWorkspaces(s, o.workspaces);
  const state: ClientState[] = Array.from({ length: o.clients }, (_, index) => ({
    index,
    http: new Client(targets[index % targets.length]!, 1),
    watchAgent: new Agent({ keepAlive: false, ca: s.root.ca, cert: s.root.cert, key: s.root.key }),
    names: [],
    seq: 0,
    rv: undefined,
  }));
  const idleRss = await s.rss();
  const idle = await s.diagnostics();
  console.log(`  before: RSS ${mib(idleRss)}, JS heap ${mib(idle.heapUsed ?? 0)}`);
  const rounds: RoundFigures[] = [];
  try {
    for (let r = 0; r < o.rounds; r++) {
      log(`soak: round ${r + 1}/${o.rounds}`);
      const f = await round(s, targets, o, state);
      rounds.push(f);
      printRound(r, f, rounds[r - 1]);
    }
  } finally {
    for (const c of state) {
      c.http.close();
      c.watchAgent.destroy();
    }
  }
  return rounds;
}

function printRound(i: number, f: RoundFigures, prev: RoundFigures | undefined): void {
  const ratio = (a: number, b: number | undefined) => (b ? ` (${(a / b).toFixed(2)}x)` : '');
  const p = (v: Verb, q: number) => percentile(f.latencies[v], q);
  const d = f.diag;
  console.log(`  round ${i + 1}: ${f.requests} requests${ratio(f.requests, prev?.requests)}, ${(f.requests / f.seconds).toFixed(0)} req/s, `
    + `${f.errors} errors; RSS ${mib(f.rssAfter)}${ratio(f.rssAfter, prev?.rssAfter)} (anon ${mib(f.rssParts.anon)}, files ${mib(f.rssParts.file)}), JS heap ${mib(d.heapUsed ?? 0)}${ratio(d.heapUsed ?? 0, prev?.diag.heapUsed)}`
    + ` (after GC ${mib(d.heapUsedAfterGC ?? 0)}${ratio(d.heapUsedAfterGC ?? 0, prev?.diag.heapUsedAfterGC)})`);
  for (const v of VERBS) {
    if (!f.latencies[v].length) continue;
    const pp = prev ? percentile(prev.latencies[v], 50) : undefined;
    console.log(`    ${v.padEnd(7)} n=${String(f.latencies[v].length).padStart(6)}  p50 ${ms(p(v, 50)).padStart(6)} ms${ratio(p(v, 50), pp).padEnd(9)}  p99 ${ms(p(v, 99)).padStart(6)} ms`);
  }
  const lists = f.latencies.list.length;
  if (lists) console.log(`    list: ${(f.listedObjects / lists).toFixed(0)} objects per list, ${((f.listMs / Math.max(1, f.listedObjects)) * 1000).toFixed(1)} us per listed object`);
  const c = f.cpu;
  // requests per CPU-second of kplane: what the machine's other load does not change much
  const perCpu = f.requests / Math.max(0.1, c.server);
  const prevPerCpu = prev ? prev.requests / Math.max(0.1, prev.cpu.server) : undefined;
  console.log(`    cpu: kplane ${c.server.toFixed(1)} s (${perCpu.toFixed(0)} requests per CPU-s${ratio(perCpu, prevPerCpu)}), soak client ${c.client.toFixed(1)} s, `
    + `other processes ${c.others.toFixed(1)} s (noise), of ${c.available.toFixed(0)} s`);
  const counters = Object.entries(d).filter(([k]) => !['heapUsed', 'heapUsedAfterGC', 'rss'].includes(k)).map(([k, v]) => `${k}=${BYTES.has(k) ? mib(v) : v}`);
  console.log(`    server: ${counters.join(' ')}`);
}
