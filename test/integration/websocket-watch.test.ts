// Watches over WebSocket, as kube-apiserver's HandleWS serves them (fabric8 watches this way):
// one message per event (text for JSON, binary for protobuf), a close frame at the end, the
// watcher gone when the client closes; refusals before the upgrade are ordinary HTTP Status
// replies, the handshake's own refusals x/net/websocket's; other paths ignore the Upgrade.

import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeWatchEvent, PROTOBUF_MEDIA_TYPE } from '../../src/protobuf/index.js';
import { credentialsOf, eventually, holdWatchSetup, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';

let t: TestKplane;
let admin: Credentials;
const CLUSTER = 'root:sockets';
const CM = `/clusters/${CLUSTER}/api/v1/namespaces/default/configmaps`;

interface Message { data: Buffer; binary: boolean }

interface Opened {
  ws: WebSocket;
  messages: Message[];
  protocol: string;
  closed: Promise<{ code: number }>;
}

type Refused = { status: number; headers: IncomingMessage['headers']; body: string };

/** Opens a WebSocket to path; resolves with the socket once open, or with the HTTP reply that refused it. */
function connect(path: string, opts: { creds?: Credentials; origin?: string | null; protocols?: string[]; headers?: Record<string, string> } = {}): Promise<Opened | Refused> {
  const creds = opts.creds ?? admin;
  const url = new URL(path, t.url.replace(/^https/, 'wss'));
  const ws = new WebSocket(url, opts.protocols ?? [], {
    ca: creds.ca, cert: creds.cert, key: creds.key,
    ...(opts.origin === null ? {} : { origin: opts.origin ?? t.url }),
    headers: opts.headers,
  });
  const messages: Message[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => messages.push({ data, binary }));
  const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, messages, protocol: ws.protocol, closed }));
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    ws.on('error', (e) => reject(e));
  });
}

function opened(r: Opened | Refused): Opened {
  if (!('ws' in r)) throw new Error(`refused: ${r.status} ${r.body}`);
  return r;
}

function refused(r: Opened | Refused): Refused {
  if ('ws' in r) {
    r.ws.terminate();
    throw new Error('the WebSocket opened');
  }
  return r;
}

const json = (m: Message) => JSON.parse(m.data.toString('utf8')) as { type: string; object: { metadata: { name: string }; data?: Record<string, string> } };

const watchers = () => t.k.baseStore.watcherCount();

/** Closes a watch from the client side and waits until the server has let go of its watcher. */
async function closeWatch(c: Opened): Promise<void> {
  const n = watchers();
  c.ws.close(1000);
  await c.closed;
  await eventually(() => watchers() === n - 1, 5_000, 'watcher removed');
}

/** The list's resourceVersion: a watch from it sees only what happens next. */
async function now(): Promise<string> {
  return (await raw(t.url, admin, { path: CM })).json.metadata.resourceVersion as string;
}

async function createCM(name: string, data: Record<string, string>): Promise<void> {
  const r = await raw(t.url, admin, { method: 'POST', path: CM, body: JSON.stringify({ metadata: { name }, data }) });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  // anonymous authentication on (kube's default): anonymous callers reach the door, which is what is tested
  t = await startKplane({ anonymousAuth: true });
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  const ws = await raw(t.url, admin, {
    method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces', body: JSON.stringify({ metadata: { name: 'sockets' } }),
  });
  expect(ws.status).toBe(201);
  await eventually(async () => (await raw(t.url, admin, { path: `/clusters/${CLUSTER}/api/v1/namespaces/default` })).status === 200, 20_000, 'cluster ready');
});
afterAll(async () => {
  await t?.stop();
});

describe('watch over WebSocket', () => {
  it('removes the watcher when the client closes the socket', async () => {
    const before = watchers();
    const c = opened(await connect(`${CM}?watch=1`));
    expect(watchers()).toBe(before + 1);
    c.ws.close(1000);
    await c.closed;
    await eventually(() => watchers() === before, 5_000, 'watcher removed');
    // and a client that just drops the connection
    const d = opened(await connect(`${CM}?watch=1`));
    expect(watchers()).toBe(before + 1);
    d.ws.terminate();
    await eventually(() => watchers() === before, 5_000, 'watcher removed after a dropped connection');
  });

  it('forgets a watch whose client left while it was being set up', async () => {
    const before = watchers();
    const connections = () => new Promise<number>((r) => (t.k as unknown as { app: { server: { getConnections(cb: (e: unknown, n: number) => void): void } } })
      .app.server.getConnections((_e, n) => r(n)));
    const idle = await connections();
    // hold the set-up (the initial list, as a slow one would) until the client is gone
    const hold = holdWatchSetup(t.k);
    try {
      const url = new URL(`${CM}?watch=1`, t.url.replace(/^https/, 'wss'));
      const ws = new WebSocket(url, { ca: admin.ca, cert: admin.cert, key: admin.key, origin: t.url });
      ws.on('error', () => undefined);
      await hold.inSetup;
      ws.terminate();
      await eventually(async () => (await connections()) === idle, 5_000, 'connection closed on the server');
      hold.release();
      await hold.registered;
      await eventually(() => watchers() === before, 5_000, 'watcher removed after an early disconnect');
    } finally {
      hold.restore();
    }
  });

  it('sends ADDED, MODIFIED and DELETED as one JSON text message each, then closes with 1000 at the timeout', async () => {
    const c = opened(await connect(`${CM}?watch=1&timeoutSeconds=3&resourceVersion=${await now()}`));
    await createCM('one', { a: '1' });
    const r = await raw(t.url, admin, { method: 'PATCH', path: `${CM}/one`, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"a":"2"}}' });
    expect(r.status).toBe(200);
    expect((await raw(t.url, admin, { method: 'DELETE', path: `${CM}/one` })).status).toBe(200);
    await eventually(() => c.messages.length >= 3, 10_000, 'three events');
    expect(c.messages.map((m) => m.binary)).toEqual([false, false, false]);
    // each message is exactly the line of the HTTP stream: one event, newline-terminated
    expect(c.messages.every((m) => m.data.toString('utf8').endsWith('}\n'))).toBe(true);
    expect(c.messages.map((m) => [json(m).type, json(m).object.metadata.name, json(m).object.data?.a]))
      .toEqual([['ADDED', 'one', '1'], ['MODIFIED', 'one', '2'], ['DELETED', 'one', '2']]);
    expect(await c.closed).toEqual({ code: 1000 });
  });

  it('sends protobuf watch events as binary messages without the length prefix', async () => {
    const c = opened(await connect(`${CM}?watch=1&resourceVersion=${await now()}`, { headers: { Accept: PROTOBUF_MEDIA_TYPE } }));
    await createCM('pb', { b: 'x' });
    await eventually(() => c.messages.length >= 1, 10_000, 'one event');
    expect(c.messages[0]!.binary).toBe(true);
    const e = decodeWatchEvent(c.messages[0]!.data);
    expect([e.type, (e.object as { metadata: { name: string } }).metadata.name]).toEqual(['ADDED', 'pb']);
    await closeWatch(c);
  });

  it('echoes the one subprotocol offered, framing unchanged', async () => {
    const c = opened(await connect(`${CM}?watch=1&resourceVersion=0`, { protocols: ['base64.binary.k8s.io'] }));
    expect(c.protocol).toBe('base64.binary.k8s.io');
    await createCM('proto', {});
    await eventually(() => c.messages.some((m) => json(m).object.metadata.name === 'proto'), 10_000, 'event');
    expect(c.messages.every((m) => !m.binary)).toBe(true);
    await closeWatch(c);
  });

  it('answers a refused watch with the HTTP Status, not an upgrade', async () => {
    const anonymous = { ca: admin.ca };
    const denied = refused(await connect(`${CM}?watch=1`, { creds: anonymous }));
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    // an absent cluster answers the same
    const absent = refused(await connect('/clusters/root:nope/api/v1/namespaces/default/configmaps?watch=1', { creds: anonymous }));
    expect(absent.status).toBe(403);
    expect(JSON.parse(absent.body).message).toBe(JSON.parse(denied.body).message.replaceAll(CLUSTER, 'root:nope'));
    // an invalid watch (kube's 400 for a bad label selector) as well
    const invalid = refused(await connect(`${CM}?watch=1&labelSelector=a%20b%20c`));
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('refuses handshakes as x/net/websocket does: no Origin is 403, two subprotocols 400', async () => {
    const before = watchers();
    const noOrigin = refused(await connect(`${CM}?watch=1`, { origin: null }));
    expect([noOrigin.status, noOrigin.body]).toEqual([403, '']);
    const two = refused(await connect(`${CM}?watch=1`, { protocols: ['a', 'b'] }));
    expect([two.status, two.body]).toEqual([400, '']);
    await eventually(() => watchers() === before, 5_000, 'no watcher left behind');
  });

  it('answers an upgrade to a list path with the list, as a plain HTTP request', async () => {
    await createCM('listed', { c: '1' });
    const list = refused(await connect(CM));
    expect(list.status).toBe(200);
    const body = JSON.parse(list.body) as { kind: string; items: { metadata: { name: string } }[] };
    expect(body.kind).toBe('ConfigMapList');
    expect(body.items.map((i) => i.metadata.name)).toContain('listed');
    // served by Node's HTTP path without the Upgrade: the connection stays open for the next request
    expect(list.headers.connection).toBe('keep-alive');
    // a GET of one object and discovery too
    const one = refused(await connect(`${CM}/listed`));
    expect([one.status, JSON.parse(one.body).data]).toEqual([200, { c: '1' }]);
    const missing = refused(await connect(`${CM}/nope`));
    expect([missing.status, JSON.parse(missing.body).reason]).toEqual([404, 'NotFound']);
    // a name that only looks like a watch takes the watch's way and is still a plain GET
    const lookalike = refused(await connect(`${CM}/watchme`));
    expect([lookalike.status, JSON.parse(lookalike.body).message]).toEqual([404, 'configmaps "watchme" not found']);
  });

  it('serves an upgrade request with a body (SPDY, as exec would send it) as the plain request, body and all', async () => {
    const u = new URL(t.url);
    const body = JSON.stringify({ metadata: { name: 'spdy' }, data: { d: '1' } });
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: u.hostname, port: Number(u.port), ca: admin.ca, cert: admin.cert, key: admin.key, servername: 'localhost' }, () => {
        s.write(`POST ${CM} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade, close\r\nUpgrade: SPDY/3.1\r\n`
          + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString('latin1')));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect((await raw(t.url, admin, { path: `${CM}/spdy` })).json.data).toEqual({ d: '1' });
  });
});
