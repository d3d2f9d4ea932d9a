// Watches over WebSocket, differentially: the same handshakes and watches against a real
// kube-apiserver and against kplane, compared after removing what differs by nature (uids,
// resourceVersions, timestamps, managedFields, lengths of lists whose items differ, audit and
// flow-control headers).

import type { IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools } from '../harness/tools.js';
import { credentialsOf, startKplane, type TestKplane } from '../helpers/kplane.js';

interface Target {
  /** Base URL of the API (kplane: of one logical cluster). */
  url: string;
  tls: { ca: string; cert?: string; key?: string };
  headers: Record<string, string>;
}

let mc: ManagementCluster;
let t: TestKplane;
let kube: Target;
let kplane: Target;

beforeAll(async () => {
  await ensureTools();
}, 60 * 60_000);
beforeAll(async () => {
  [mc, t] = await Promise.all([startManagementCluster(), startKplane()]);
  kube = { url: mc.url, tls: { ca: mc.caPem }, headers: { Authorization: `Bearer ${mc.token}` } };
  const c = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  kplane = { url: `${t.url}/clusters/root`, tls: { ca: c.ca, cert: c.cert, key: c.key }, headers: {} };
}, 180_000);
afterAll(async () => {
  await Promise.all([mc?.stop(), t?.stop()]);
});

function request(target: Target, method: string, path: string, body?: string): Promise<{ metadata: { resourceVersion: string } }> {
  return new Promise((resolve, reject) => {
    const r = https.request(target.url + path, { method, ...target.tls, headers: { ...target.headers, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const VOLATILE_HEADERS = /^(date|audit-id|content-length|x-kubernetes-pf-.*|sec-websocket-accept|connection|keep-alive)$/;

function headersOf(h: IncomingMessage['headers']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).filter(([k]) => !VOLATILE_HEADERS.test(k)).sort(([a], [b]) => a.localeCompare(b)));
}

/** An event as both servers must send it: kind of frame, newline ending, type, name and data. */
function eventOf(data: Buffer, binary: boolean): unknown {
  if (binary) return { binary, prefix: data.subarray(0, 7).toString('hex') };
  const text = data.toString('utf8');
  const e = JSON.parse(text) as { type: string; object: { kind: string; metadata: { name: string }; data?: unknown } };
  return { binary, newline: text.endsWith('\n'), type: e.type, kind: e.object.kind, name: e.object.metadata.name, data: e.object.data };
}

/** What a client sees of one WebSocket request: the refusal, or the upgrade, messages and close. */
interface ProbeOptions { origin?: string | null; protocols?: string[]; headers?: Record<string, string> }

function probe(target: Target, path: string, opts: ProbeOptions = {}): Promise<unknown> {
  const ws = new WebSocket(target.url.replace(/^https/, 'wss') + path, opts.protocols ?? [], {
    ...target.tls, headers: { ...target.headers, ...opts.headers }, ...(opts.origin === null ? {} : { origin: opts.origin ?? target.url }),
  });
  const seen: { upgrade?: unknown; messages: unknown[] } = { messages: [] };
  return new Promise((resolve, reject) => {
    ws.on('upgrade', (res) => (seen.upgrade = headersOf(res.headers)));
    ws.on('message', (data: Buffer, binary: boolean) => seen.messages.push(eventOf(data, binary)));
    ws.on('close', (code, reason) => resolve({ ...seen, protocol: ws.protocol, close: [code, reason.toString()] }));
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        let parsed: unknown = body;
        try {
          const s = JSON.parse(body) as { kind: string; items?: unknown[] };
          parsed = s.kind.endsWith('List') ? { kind: s.kind } : s;
        } catch {
          // raw text
        }
        resolve({ status: res.statusCode, headers: headersOf(res.headers), body: parsed });
      });
    });
    ws.on('error', reject);
  });
}

const CM = '/api/v1/namespaces/default/configmaps';

async function both(f: (target: Target) => Promise<unknown>): Promise<[unknown, unknown]> {
  return [await f(kube), await f(kplane)];
}

describe('watch over WebSocket, kube-apiserver and kplane', () => {
  it('refuse the same handshakes the same way', async () => {
    const cases: [string, ProbeOptions][] = [
      ['no Origin', { origin: null }],
      ['Origin: null', { origin: 'null' }],
      ['two subprotocols', { protocols: ['a', 'b'] }],
      ['bad label selector', {}],
    ];
    for (const [what, opts] of cases) {
      const path = what === 'bad label selector' ? `${CM}?watch=1&labelSelector=a%20b%20c` : `${CM}?watch=1`;
      const [k, p] = await both((target) => probe(target, path, opts));
      expect(p, what).toEqual(k);
    }
  });

  it('answer an upgrade to a list path with the list', async () => {
    const [k, p] = await both((target) => probe(target, CM));
    expect(p).toEqual(k);
    expect(k).toMatchObject({ status: 200, body: { kind: 'ConfigMapList' } });
  });

  it('frame events alike (JSON text, protobuf binary), echo one subprotocol and close with 1000 at the timeout', async () => {
    const [k, p] = await both(async (target) => {
      const rv = (await request(target, 'GET', CM)).metadata.resourceVersion;
      const watch = `${CM}?watch=1&resourceVersion=${rv}&timeoutSeconds=2`;
      const runs = [
        probe(target, watch, { protocols: ['base64.binary.k8s.io'] }),
        probe(target, watch, { headers: { Accept: 'application/vnd.kubernetes.protobuf' } }),
      ];
      // no need to wait for the upgrades: a watch from rv sees the create whenever it happens
      await request(target, 'POST', CM, JSON.stringify({ metadata: { name: 'framed' }, data: { a: '1' } }));
      return Promise.all(runs);
    });
    expect(p).toEqual(k);
    expect((k as { messages: unknown[] }[])[0]!.messages).toHaveLength(1);
  });
});
