// Watchers must not outlive their clients. The soak (bench/soak.ts) opens and drops thousands of
// watches; each one the server keeps would cost memory and fan-out work until its timeout
// (30-60 min). Covered: a client that goes away while the watch is being set up (its initial
// list or history replay still running), and one that goes away while it streams.

import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, holdWatchSetup, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { readFile } from 'node:fs/promises';

let t: TestKplane;
let admin: Credentials;
const CM = '/clusters/root/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
});
afterAll(async () => {
  await t.stop();
});

const watchers = () => t.k.baseStore.watcherCount();
const connections = () => new Promise<number>((r) => (t.k as unknown as { app: { server: { getConnections(cb: (e: unknown, n: number) => void): void } } })
  .app.server.getConnections((_e, n) => r(n)));

/** Starts a watch request; returns a handle to drop it and a promise of its response headers. */
function openWatch(path: string) {
  const req = request(new URL(path, t.url), { ca: admin.ca, cert: admin.cert, key: admin.key, agent: false });
  const headers = new Promise<number>((resolve) => req.on('response', (res) => {
    res.on('data', () => undefined);
    resolve(res.statusCode ?? 0);
  }));
  req.on('error', () => undefined);
  req.end();
  return { headers, drop: () => req.destroy() };
}

describe('watchers end with their clients', () => {
  it('forgets a watch whose client left while it was being set up', async () => {
    const baseline = watchers();
    const idleConnections = await connections();
    // hold the set-up (the initial list) until the client is gone, as a slow list would
    const hold = holdWatchSetup(t.k);
    try {
      // from now on, in a quiet namespace: nothing to send that could fail and end it by chance
      const w = openWatch(`${CM}?watch=1&resourceVersion=${t.k.baseStore.currentRevision()}`);
      await hold.inSetup;
      w.drop();
      await eventually(async () => (await connections()) === idleConnections, 5_000, 'connection closed on the server');
      hold.release();
      await hold.registered;
      await eventually(() => watchers() === baseline, 5_000, 'watcher removed after an early disconnect');
    } finally {
      hold.restore();
    }
  });

  it('forgets watches whose clients left while streaming', async () => {
    const baseline = watchers();
    const open = Array.from({ length: 20 }, () => openWatch(`${CM}?watch=1`));
    expect(await Promise.all(open.map((w) => w.headers))).toEqual(open.map(() => 200));
    expect(watchers()).toBe(baseline + 20);
    for (const w of open) w.drop();
    await eventually(() => watchers() === baseline, 5_000, 'watchers removed');
    const stats = t.k.baseStore.stats();
    expect(stats.watchers).toBe(baseline);
  });
});
