// Fuzzing every served OpenAPI v3 operation of a logical cluster with malformed and random
// bodies, parameters and headers. Whatever arrives, kplane must answer without a 5xx, with a
// metav1.Status (or kube's plain 404 page) for every error, store nothing for a refused or
// dry-run write, stay alive, and keep answering another tenant's /readyz.
//
// Bounded: KPLANE_FUZZ_SECONDS (default 60) of requests, one at a time; KPLANE_FUZZ_SEED replays a run;
// KPLANE_FUZZ_REPORT=<file> writes the failures found, one block each.

import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { Random } from './random.js';
import { buildRequest, NAMESPACE, operationsOf, type FuzzRequest, type Operation } from './requests.js';
import type { Components } from './values.js';

const SECONDS = Number(process.env.KPLANE_FUZZ_SECONDS ?? 60);
const SEED = Number(process.env.KPLANE_FUZZ_SEED ?? Date.now() % 2 ** 31);
const FUZZ = 'root:fuzz';
const OTHER = 'root:other';

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  error?: string;
}

/** One request that never throws: a socket error or a missing answer is reported as such. */
function send(url: string, creds: Credentials, req: FuzzRequest, timeoutMs = 15_000): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(a);
      }
    };
    const timer = setTimeout(() => {
      r.destroy();
      done({ status: 0, contentType: '', body: Buffer.alloc(0), error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    // raw paths, as sent: the URL class would normalise away the malformed parts under test
    const r = request({
      host: new URL(url).hostname, port: new URL(url).port, path: req.path, method: req.method, ca: creds.ca, cert: creds.cert, key: creds.key,
      headers: { ...req.headers, ...(req.body ? { 'Content-Length': String(req.body.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => done({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      // a watch stream does not end: what it sent in its first moments is enough
      const streamTimer = setTimeout(() => { finish(); res.destroy(); }, 100);
      res.on('data', (c: Buffer) => { if (size < 1 << 20) chunks.push(c); size += c.length; });
      res.on('end', () => { clearTimeout(streamTimer); finish(); });
      res.on('error', () => { clearTimeout(streamTimer); finish(); });
    });
    r.on('error', (e) => done({ status: 0, contentType: '', body: Buffer.alloc(0), error: `socket: ${e.message}` }));
    if (req.body) r.write(req.body);
    r.end();
  });
}

/** What an answer says, without its particulars: failures of one kind are reported once. */
function kindOfAnswer(a: Answer): string {
  let text = a.body.subarray(0, 4096).toString('utf8');
  try {
    text = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // protobuf or text: its printable runs
    text = text.replace(/[^\x20-\x7e]+/g, ' ');
  }
  return `${a.status} ${text.replace(/"[^"]*"|\d+/g, '_').slice(0, 50)}`;
}

/** Why an answer breaks the rules, or undefined. */
function violation(a: Answer): string | undefined {
  if (a.error) return a.error;
  // kube's one 5xx for a client's request: a resourceVersion from the future, after waiting for it
  if (a.status === 504 && a.body.includes('ResourceVersionTooLarge')) return undefined;
  // and server-side apply's: a configuration its schema cannot type is an untyped 500 in kube too
  // (fieldManager.Apply fails before any validation; the apply compat theme compares these)
  if (a.status === 500 && /"message":"failed to create typed (patch|live) object \(/.test(a.body.toString('utf8'))) return undefined;
  if (a.status >= 500) return `status ${a.status}`;
  if (a.status < 400) return undefined;
  const text = a.body.toString('utf8');
  // Go's net/http answers malformed requests itself, before kube sees them (bad escapes, huge headers)
  const goTexts = ['404 page not found\n', '400 Bad Request', '431 Request Header Fields Too Large'];
  if (a.contentType.startsWith('text/plain')) return goTexts.includes(text) || a.status === 406 || a.status === 415 ? undefined : `plain-text error ${a.status}: ${text.slice(0, 100)}`;
  if (a.contentType.startsWith('application/vnd.kubernetes.protobuf')) return a.body.subarray(0, 4).toString('latin1') === 'k8s\0' ? undefined : 'protobuf error without the kube envelope';
  if (a.contentType.startsWith('application/yaml')) return /(^|\n)kind: Status\n/.test(text) ? undefined : 'YAML error that is not a Status';
  try {
    const s = JSON.parse(text) as { kind?: string; code?: number };
    if (s.kind !== 'Status') return `error body is not a Status: ${text.slice(0, 200)}`;
    if (s.code !== a.status) return `Status code ${s.code} differs from the HTTP status ${a.status}`;
  } catch {
    return `error body is not JSON (${a.contentType}): ${text.slice(0, 200)}`;
  }
  return undefined;
}

describe('fuzzing every OpenAPI v3 operation of a logical cluster', () => {
  let t: TestKplane;
  let admin: Credentials;
  let ops: Operation[] = [];
  let components: Components = {};

  beforeAll(async () => {
    t = await startKplane();
    admin = credentialsOf(readFileSync(t.kubeconfig, 'utf8'));
    for (const name of ['fuzz', 'other']) {
      const created = await raw(t.url, admin, {
        method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces',
        body: JSON.stringify({ apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name } }),
      });
      expect(created.status).toBe(201);
    }
    await eventually(async () => (await raw(t.url, admin, { path: `/clusters/${FUZZ}/api/v1/namespaces/default` })).status === 200, 10_000, 'the fuzz cluster');
    expect((await raw(t.url, admin, {
      method: 'POST', path: `/clusters/${FUZZ}/api/v1/namespaces`, body: JSON.stringify({ metadata: { name: NAMESPACE } }),
    })).status).toBe(201);
    const index = await raw(t.url, admin, { path: `/clusters/${FUZZ}/openapi/v3` });
    for (const { serverRelativeURL } of Object.values(index.json.paths as Record<string, { serverRelativeURL: string }>)) {
      const doc = (await raw(t.url, admin, { path: serverRelativeURL })).json;
      ops.push(...operationsOf(doc));
      components = { ...components, ...(doc.components?.schemas ?? {}) };
    }
  });

  afterAll(async () => {
    await t?.stop();
  });

  it(`answers every request with kube's kind of answer and stores nothing it refused (seed ${SEED})`, async () => {
    expect(ops.length).toBeGreaterThan(100);
    const r = new Random(SEED);
    const failures = new Map<string, string>();
    const seen = new Set<string>();

    // another tenant's health, probed all along
    let probing = true;
    let probes = 0;
    let slowest = 0;
    const probeFailures: string[] = [];
    const prober = (async () => {
      while (probing) {
        const start = performance.now();
        const a = await send(t.url, admin, { method: 'GET', path: `/clusters/${OTHER}/readyz`, headers: {}, dryRun: false, label: 'readyz' }, 5_000);
        slowest = Math.max(slowest, performance.now() - start);
        probes++;
        if (a.status !== 200) probeFailures.push(`readyz of ${OTHER}: ${a.status} ${a.error ?? ''}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    const snapshot = async (path: string) => {
      const a = await send(t.url, admin, { method: 'GET', path, headers: { Accept: 'application/json' }, dryRun: false, label: 'snapshot' });
      if (a.status !== 200) return `${a.status}`;
      const o = JSON.parse(a.body.toString('utf8')) as { metadata?: { resourceVersion?: string } };
      return `200 rv=${o.metadata?.resourceVersion}`;
    };

    // Nothing may be stored for a refused or dry-run write: the store's revision must not move.
    // Controllers still finishing an earlier accepted write (workspace status, namespace deletion)
    // move it too, so a write is sent only once the revision has held still for a moment.
    const store = t.k.store;
    let settledAt = store.currentRevision();
    const settle = async () => {
      if (store.currentRevision() === settledAt) return;
      await eventually(async () => {
        const rev = store.currentRevision();
        await new Promise((res) => setTimeout(res, 30));
        return store.currentRevision() === rev;
      }, 5_000, 'controllers to finish');
      settledAt = store.currentRevision();
    };

    const deadline = Date.now() + SECONDS * 1000;
    let sent = 0;
    let previous = '';
    const record = (key: string, text: string) => {
      if (!failures.has(key)) failures.set(key, text);
    };
    try {
      while (Date.now() < deadline && failures.size < 40) {
        for (const op of ops) {
          if (Date.now() >= deadline || failures.size >= 40) break;
          const req = buildRequest(op, components, r, `/clusters/${FUZZ}`);
          const writes = req.method !== 'GET';
          if (writes) await settle();
          const revBefore = store.currentRevision();
          const before = req.target ? await snapshot(req.target) : undefined;
          const a = await send(t.url, admin, req);
          sent++;
          seen.add(req.label);
          const why = violation(a);
          const describe = () => `${req.method} ${req.path.slice(0, 300)} [${JSON.stringify(req.headers)}] body=${req.body?.subarray(0, 200).toString('utf8') ?? ''}`;
          // a connection-level failure may be the previous request's doing (it shares the kept-alive socket)
          if (why) record(`${why.slice(0, 40)}|${kindOfAnswer(a)}`, `${why}\n    ${describe()}\n    -> ${a.body.subarray(0, 300).toString('utf8')}${a.error ? `\n    after: ${previous}` : ''}`);
          previous = `${describe()} -> ${a.status} ${a.contentType}`;
          if (writes && (a.status >= 400 || req.dryRun) && store.currentRevision() !== revBefore) {
            // something was written while the request ran: was it this request's object?
            const after = req.target ? await snapshot(req.target) : undefined;
            if (!req.target || after !== before) {
              record(`stored|${req.label}`, `a ${a.status >= 400 ? `refused (${a.status})` : 'dry-run'} write moved the revision ${revBefore} -> ${store.currentRevision()}` +
                `${req.target ? ` and changed ${req.target}: ${before} -> ${after}` : ''}\n    ${describe()}\n    -> ${a.body.subarray(0, 300).toString('utf8')}`);
            }
          }
          if (writes && a.status < 400 && !req.dryRun) settledAt = -1;
        }
      }
    } finally {
      probing = false;
      await prober;
    }

    console.log(`fuzz: seed ${SEED}, ${sent} requests over ${ops.length} operations, ${probes} readyz probes of ${OTHER}, slowest ${Math.round(slowest)} ms`);
    if (process.env.KPLANE_FUZZ_REPORT) writeFileSync(process.env.KPLANE_FUZZ_REPORT, [...failures.entries()].map(([k, v]) => `== ${k}\n${v}\n`).join('\n'));
    // still alive and still serving the fuzzed cluster
    expect((await raw(t.url, admin, { path: '/readyz' })).status).toBe(200);
    expect((await raw(t.url, admin, { path: `/clusters/${FUZZ}/api/v1/namespaces/${NAMESPACE}` })).status).toBe(200);
    expect([...failures.values()], `seed ${SEED}, ${sent} requests, ${failures.size} kinds of failure:\n${[...failures.values()].join('\n')}`).toEqual([]);
    expect(probeFailures).toEqual([]);
    expect(probes).toBeGreaterThan(0);
    // generous: the CI machine runs other test files at the same time; a stalled event loop is seconds
    expect(slowest).toBeLessThan(1_000);
    expect(seen.size).toBe(new Set(ops.map((o) => `${o.method} ${o.path}`)).size);
  }, (SECONDS + 120) * 1000);
});
