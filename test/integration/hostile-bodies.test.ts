// One tenant's hostile requests must not stall the others: while bodies under the 3 MiB limit
// that are expensive to decode or to answer run against tenant A (one at a time, then several at
// once), tenant B's /readyz keeps answering within 100 ms. Each hostile request gets kube's 4xx
// and stores nothing.
//
// Bodies of hundreds of thousands of items that each fail validation (kube answers with every
// field error: replies of 70 to 200 MB) are held to the same bound: a worker decodes, patches,
// prepares and validates them and renders the Status (write-offload.ts); the event loop only
// writes its bytes.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeObject } from '../../src/protobuf/index.js';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
let tenantB: Credentials;
const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const A = '/clusters/root:a/api/v1/namespaces/default/configmaps';
const LIMIT_MS = 100;

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  for (const name of ['a', 'b']) {
    const r = await raw(t.url, admin, {
      method: 'POST', path: `/clusters/root${WS}`,
      body: JSON.stringify({ apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name } }),
    });
    expect(r.status).toBe(201);
    await eventually(async () => (await raw(t.url, admin, { path: `/clusters/root${WS}/${name}` })).json?.status?.phase === 'Ready', 10_000, `${name} Ready`);
  }
  // a member of b only: its own cluster's admin
  tenantB = credentialsOf(await readFile(await t.kubeconfigFor('root:b', 'bob', ['system:masters']), 'utf8'));
  const target = await raw(t.url, admin, { method: 'POST', path: A, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target"}}' });
  expect(target.status).toBe(201);
  // start the decoding workers: under the test runner the first one compiles its TypeScript
  // through loader hooks that the main thread waits on (built kplane starts them in milliseconds)
  const warm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warm\n' + '# padding\n'.repeat(200);
  await Promise.all([1, 2].map(() => raw(t.url, admin, { method: 'POST', path: `${A}?dryRun=All`, headers: { 'Content-Type': 'application/yaml' }, body: warm })));
}, 30_000);
afterAll(async () => {
  await t?.stop();
  if (files) await rm(files.dir, { recursive: true, force: true });
});


interface Hostile {
  name: string;
  method?: string;
  path?: string;
  contentType?: string;
  body: string | Buffer;
  code: number;
  reason: string;
  /** What the reply's message starts with (decoders add a summary of the body), when checked. */
  message?: string;
  /** The object a create would have made (must not exist afterwards). */
  created?: string;
  /** Hundreds of thousands of items, each a field error. */
  items?: boolean;
}

const rep = (s: string, n: number, sep = ',') => new Array<string>(n).fill(s).join(sep);
const cm = (name: string, meta = '', rest = '') => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"${meta}}${rest}}`;

const hostile: Hostile[] = [
  {
    // every document after the first is never parsed (sigs.k8s.io/yaml reads one)
    name: 'yaml-documents', contentType: 'application/yaml', created: 'Bad_Name',
    body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n${'---\n'.repeat(700_000)}`, code: 422, reason: 'Invalid',
  },
  {
    name: 'yaml-deep', contentType: 'application/yaml', created: 'deep',
    body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: ${'['.repeat(1_000_000)}\n`, code: 400, reason: 'BadRequest',
    message: 'the object provided is unrecognized (must be of type ConfigMap): yaml: line 5: exceeded max depth of 10000',
  },
  {
    name: 'yaml-deep-block', contentType: 'application/yaml', created: 'deepb',
    body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deepb\ndata:\n  k:\n    ${'- '.repeat(1_000_000)}1\n`, code: 400, reason: 'BadRequest',
    message: 'the object provided is unrecognized (must be of type ConfigMap): yaml: line 7: exceeded max depth of 10000',
  },
  {
    name: 'yaml-aliases', contentType: 'application/yaml', created: 'laughs',
    body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\nx0: &a0 [${rep('"lol"', 10)}]\n${Array.from({ length: 9 }, (_, i) => `x${i + 1}: &a${i + 1} [${rep(`*a${i}`, 10)}]`).join('\n')}\n`,
    code: 400, reason: 'BadRequest', message: 'the object provided is unrecognized (must be of type ConfigMap): yaml: document contains excessive aliasing',
  },
  {
    name: 'json-deep', created: 'jdeep', body: cm('jdeep', '', `,"data":${'['.repeat(1_400_000)}`), code: 400, reason: 'BadRequest',
    message: "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character '[' exceeded max depth",
  },
  { items: true, name: 'finalizers', created: 'fin', body: cm('fin', `,"finalizers":[${rep('"a"', 700_000)}]`), code: 422, reason: 'Invalid' },
  {
    items: true, name: 'labels', created: 'lab', code: 422, reason: 'Invalid',
    body: cm('lab', `,"labels":{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":"-"`).join(',')}}`),
  },
  {
    items: true, name: 'annotations', created: 'ann', code: 422, reason: 'Invalid',
    body: cm('ann', `,"annotations":{${Array.from({ length: 150_000 }, (_, i) => `"k${i}":"v"`).join(',')}}`),
  },
  {
    items: true, name: 'owner-references', created: 'own', code: 422, reason: 'Invalid',
    body: cm('own', `,"ownerReferences":[${rep('{"apiVersion":"v1","kind":"X","name":"n","uid":""}', 50_000)}]`),
  },
  { name: 'long-key', created: 'long', body: cm('long', `,"labels":{"${'k'.repeat(3_000_000)}":"v"}`), code: 422, reason: 'Invalid' },
  {
    name: 'unknown-fields-strict', path: `${A}?fieldValidation=Strict`, created: 'unk', code: 400, reason: 'BadRequest',
    body: cm('unk', '', `,${Array.from({ length: 200_000 }, (_, i) => `"u${i}":1`).join(',')}`),
  },
  { name: 'huge-number', created: 'num', body: cm('num', `,"generation":${'9'.repeat(3_000_000)}`), code: 400, reason: 'BadRequest' },
  {
    items: true, name: 'protobuf-finalizers', contentType: 'application/vnd.kubernetes.protobuf', created: 'pbf', code: 422, reason: 'Invalid',
    body: encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pbf', finalizers: new Array<string>(600_000).fill('a') } }),
  },
  {
    name: 'json-patch-operations', method: 'PATCH', path: `${A}/target`, contentType: 'application/json-patch+json',
    body: `[${rep('{"op":"test","path":"/a"}', 80_000)}]`, code: 413, reason: 'RequestEntityTooLarge',
    message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 80000',
  },
  {
    items: true, name: 'update-finalizers', method: 'PUT', path: `${A}/target`, code: 422, reason: 'Invalid',
    body: cm('target', `,"finalizers":[${rep('"a"', 700_000)}]`),
  },
  {
    items: true, name: 'update-labels', method: 'PUT', path: `${A}/target`, code: 422, reason: 'Invalid',
    body: cm('target', `,"labels":{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":"-"`).join(',')}}`),
  },
  {
    items: true, name: 'merge-patch-finalizers', method: 'PATCH', path: `${A}/target`, contentType: 'application/merge-patch+json',
    body: `{"metadata":{"finalizers":[${rep('"a"', 700_000)}]}}`, code: 422, reason: 'Invalid',
  },
  {
    items: true, name: 'strategic-patch-finalizers', method: 'PATCH', path: `${A}/target`, contentType: 'application/strategic-merge-patch+json',
    body: `{"metadata":{"finalizers":[${rep('"a"', 700_000)}]}}`, code: 422, reason: 'Invalid',
  },
];

// The hostile client is another process, as it would be: its TLS work and the reading of replies
// of hundreds of MiB are not the server's. It loads its body, says "ready", sends it when told and
// prints the status, the start of the reply and the Status reasons it saw (a reason follows the
// message, however long that is).
const CLIENT = `
const { request } = require('node:https');
const { readFileSync } = require('node:fs');
const [url, method, ct, bodyFile, ca, cert, key] = process.argv.slice(1);
const body = readFileSync(bodyFile);
const tls = { ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key) };
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  const r = request(url, { method, ...tls, headers: { 'Content-Type': ct, 'Content-Length': String(body.length) } }, (res) => {
    let head = ''; let carry = ''; const reasons = new Set();
    res.on('data', (c) => {
      if (head.length < 2048) head += c.subarray(0, 2048).toString('utf8');
      const text = carry + c.toString('latin1');
      for (const m of text.matchAll(/,"reason":"([A-Za-z]+)","code":/g)) reasons.add(m[1]);
      carry = text.slice(-64);
    });
    res.on('end', () => { process.stdout.write(JSON.stringify({ status: res.statusCode, head, reasons: [...reasons] })); process.exit(0); });
  });
  r.on('error', (e) => { console.error(e); process.exit(1); });
  r.end(body);
});
`;

let files: { dir: string; ca: string; cert: string; key: string } | undefined;

interface Reply { status: number; head: string; reasons: string[] }

/** Starts a client process for a hostile request; `go` sends it and resolves with the reply. */
async function client(h: Hostile): Promise<{ go: () => Promise<Reply> }> {
  if (!files) {
    const dir = await mkdtemp(join(tmpdir(), 'kplane-hostile-'));
    files = { dir, ca: join(dir, 'ca'), cert: join(dir, 'cert'), key: join(dir, 'key') };
    await Promise.all([writeFile(files.ca, admin.ca), writeFile(files.cert, admin.cert!), writeFile(files.key, admin.key!)]);
  }
  const bodyFile = join(files.dir, h.name);
  await writeFile(bodyFile, h.body);
  const child = spawn(process.execPath, ['-e', CLIENT, new URL(h.path ?? A, t.url).href, h.method ?? 'POST',
    h.contentType ?? 'application/json', bodyFile, files.ca, files.cert, files.key], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ended = new Promise<Reply>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice(out.indexOf('\n') + 1)) as Reply) : reject(new Error(`client exited ${code}`))));
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    if (out.includes('ready\n')) resolve();
  }));
  return { go: () => { child.stdin!.end('go'); return ended; } };
}

/** Runs fn while probing tenant B's readyz back to back; the longest probe, in ms. */
async function probing<T>(fn: () => Promise<T>): Promise<{ result: T; maxMs: number; probes: number }> {
  const agent = new Agent({ keepAlive: true, ca: tenantB.ca, cert: tenantB.cert, key: tenantB.key });
  const probe = () => new Promise<number>((resolve, reject) => {
    const start = performance.now();
    const r = request(new URL('/clusters/root:b/readyz', t.url), { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - start) : reject(new Error(`readyz ${res.statusCode}`))));
    });
    r.on('error', reject);
    r.end();
  });
  await probe(); // the connection, before measuring
  let done = false;
  let maxMs = 0;
  let probes = 0;
  const loop = (async () => {
    while (!done) {
      maxMs = Math.max(maxMs, await probe());
      probes++;
    }
  })();
  try {
    const result = await fn();
    return { result, maxMs, probes };
  } finally {
    done = true;
    await loop;
    agent.destroy();
  }
}

async function check(h: Hostile, res: Reply): Promise<void> {
  expect(res.status, h.name).toBe(h.code);
  expect(res.head.startsWith('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":'), h.name).toBe(true);
  expect(res.reasons, h.name).toEqual([h.reason]);
  if (h.message) expect((JSON.parse(res.head) as { message: string }).message.startsWith(h.message), h.name).toBe(true);
  if (h.created) expect((await raw(t.url, admin, { path: `${A}/${h.created}` })).status, h.name).toBe(404);
}

describe('hostile requests against one tenant', () => {
  it('leave another tenant\'s readyz answering within 100 ms, one at a time', async () => {
    const target = (await raw(t.url, admin, { path: `${A}/target` })).json;
    const figures: string[] = [];
    let slowest = 0;
    for (const h of hostile) {
      // The machine is shared (2 cores): a probe can wait for the scheduler whatever kplane does.
      // A request that stalls the event loop does so every time, so an answer over the bound is
      // measured once more and the better of the two counts.
      let best = Infinity;
      for (let attempt = 0; attempt < 2 && best >= LIMIT_MS; attempt++) {
        const c = await client(h);
        const start = performance.now();
        const { result, maxMs, probes } = await probing(() => c.go());
        figures.push(`${h.name}: ${Math.round(performance.now() - start)} ms, readyz max ${maxMs.toFixed(1)} ms over ${probes} probes`);
        await check(h, result);
        best = Math.min(best, maxMs);
      }
      slowest = Math.max(slowest, best);
    }
    console.log(figures.join("\n"));
    expect(slowest, figures.join('\n')).toBeLessThan(LIMIT_MS);
    // the updates and patches changed nothing
    const after = (await raw(t.url, admin, { path: `${A}/target` })).json;
    expect(after.metadata.resourceVersion).toBe(target.metadata.resourceVersion);
    // the bound under test is each probe's latency; the whole run of 18 large requests (each up to
    // twice) takes minutes when the suite's other files share the 2 cores
  }, 300_000);

  it('and several at once', async () => {
    const batch = hostile.filter((h) => ['yaml-documents', 'yaml-deep', 'yaml-aliases', 'json-deep', 'unknown-fields-strict', 'huge-number'].includes(h.name));
    let best = Infinity;
    for (let attempt = 0; attempt < 2 && best >= LIMIT_MS; attempt++) {
      const clients = await Promise.all(batch.map((h) => client(h)));
      const { result, maxMs } = await probing(() => Promise.all(clients.map((c) => c.go())));
      for (const [i, h] of batch.entries()) await check(h, result[i]!);
      best = Math.min(best, maxMs);
    }
    expect(best, `readyz of another tenant took ${best.toFixed(0)} ms`).toBeLessThan(LIMIT_MS);
  }, 60_000);
});
