// No existence oracle: a caller who may not enter a logical cluster (anonymous, or a service
// account of another cluster) gets byte-for-byte the same answer for a cluster that exists
// (root:acme) and one that does not (root:nope), on every path, method and encoding of the name;
// only the name itself may differ where the answer echoes it. Those who may enter keep what they
// have: system:masters and the cluster's own service accounts read its health and discovery.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { httpRequest, rawHttp, type RawHttpResponse } from '../helpers/rawhttp.js';

let t: TestKplane;
let admin: Credentials;
let anonymous: Credentials;
/** A service account token of root:other. */
let foreignToken: string;
/** A service account token of root:acme itself. */
let ownToken: string;

const WS = '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces';

async function workspace(name: string): Promise<void> {
  expect((await raw(t.url, admin, { method: 'POST', path: WS, body: JSON.stringify({ metadata: { name } }) })).status).toBe(201);
  await eventually(async () => (await raw(t.url, admin, { path: `${WS}/${name}` })).json?.status?.phase === 'Ready', 15_000, `${name} Ready`);
}

async function token(cluster: string): Promise<string> {
  const r = await raw(t.url, admin, { method: 'POST', path: `/clusters/${cluster}/api/v1/namespaces/default/serviceaccounts/default/token`, body: JSON.stringify({ spec: {} }) });
  expect(r.status, r.text).toBe(201);
  return r.json.status.token as string;
}

/** Everything under /clusters/<name> that a client might try. */
const PATHS = [
  '', '/', '/healthz', '/healthz/ping', '/livez', '/readyz', '/readyz?verbose', '/version', '/version/',
  '/openapi/v2', '/openapi/v3', '/openapi/v3/api/v1', '/api', '/api/v1', '/apis', '/apis/rbac.authorization.k8s.io',
  '/apis/rbac.authorization.k8s.io/v1', '/api/v1/namespaces', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt',
  '/api/v1/namespaces/default/configmaps?watch=1', '/unknown', '//healthz', '/healthz/', '/.well-known/openid-configuration',
  '/metrics', '/api/v1/namespaces/%ZZ',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'QUERY', 'PROPFIND', 'FOO', 'WS'];
/** Ways to write the cluster name N (root:N) in the path. */
const ENCODINGS: ((n: string) => string)[] = [
  (n) => `root:${n}`,
  (n) => `root%3A${n}`,
  (n) => `root%3a${n}`,
  (n) => `%72oot%3A${n}`,
  (n) => `root:${n}%2F`,
  (n) => `root:a/../root:${n}`,
  (n) => `root%2F..%2Froot:${n}`,
  (n) => `/root:${n}`,
  (n) => `root:${n}/`,
  (n) => `ROOT:${n}`,
  (n) => `root:${n.toUpperCase()}`,
  (n) => `root:${n}%00`,
];
/** Paths tried with every encoding (and a few methods). */
const ENCODED_PATHS = ['/healthz', '/version', '/api', '/unknown', ''];

/** What must be identical: status line, content type and body, the name "nope" read as "acme". */
function answer(r: RawHttpResponse | undefined, name: string): string {
  if (!r) return 'no answer';
  const mask = (s: string) => s.split(name).join('acme').split(name.toUpperCase()).join('ACME');
  return `${r.status} ${r.reason}\n${r.headers['content-type'] ?? ''}\n${mask(r.body.toString('latin1'))}`;
}

interface Caller {
  label: string;
  creds: () => Credentials;
  headers: () => Record<string, string>;
}

const callers: Caller[] = [
  { label: 'anonymous', creds: () => anonymous, headers: () => ({}) },
  { label: 'a service account of root:other', creds: () => anonymous, headers: () => ({ Authorization: `Bearer ${foreignToken}` }) },
];

/** A WebSocket upgrade (kube's watch over WebSocket), asked with GET under the pseudo-method WS. */
const UPGRADE = {
  Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

async function ask(c: Caller, method: string, target: string): Promise<RawHttpResponse | undefined> {
  const body = ['POST', 'PUT', 'PATCH', 'QUERY'].includes(method) ? '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}' : undefined;
  const ws = method === 'WS';
  if (ws) method = 'GET';
  const headers = { ...c.headers(), ...(ws ? UPGRADE : { Connection: 'close' }), ...(body ? { 'Content-Type': 'application/json' } : {}) };
  const r = await rawHttp(t.url, c.creds(), [httpRequest(method, target, headers, body)], { heads: [method === 'HEAD'] });
  return r.responses[0];
}

/** Asks about root:acme and root:nope and expects the same answer. */
async function same(c: Caller, method: string, encode: (n: string) => string, path: string): Promise<void> {
  const [a, b] = await Promise.all([ask(c, method, `/clusters/${encode('acme')}${path}`), ask(c, method, `/clusters/${encode('nope')}${path}`)]);
  expect(answer(b, 'nope'), `${c.label}: ${method} /clusters/${encode('…')}${path}`).toBe(answer(a, 'acme'));
  // and it is a refusal (never a 2xx, never a switch of protocols), but for the service account
  // issuer discovery: public to everyone (not to a refused token) and the same for every name
  if ((method === 'GET' || method === 'WS') && path === '/.well-known/openid-configuration') {
    expect(a?.status, `${c.label}: ${method} /clusters/${encode('acme')}${path}`).toBe(c.label === 'anonymous' ? 200 : 401);
    return;
  }
  expect(a?.status, `${c.label}: ${method} /clusters/${encode('acme')}${path}`).toBeGreaterThanOrEqual(400);
}

beforeAll(async () => {
  // anonymous authentication on (kube's default): anonymous callers reach the door, which is what is tested
  t = await startKplane({ anonymousAuth: true });
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  anonymous = { ca: admin.ca };
  await workspace('acme');
  await workspace('other');
  foreignToken = await token('root:other');
  ownToken = await token('root:acme');
});

afterAll(async () => {
  await t?.stop();
});

describe('a caller who may not enter a cluster cannot tell whether it exists', () => {
  for (const c of callers) {
    it(`${c.label}: every path and method`, async () => {
      for (const path of PATHS) {
        // one path at a time, its methods in parallel: a few dozen connections at once
        await Promise.all(METHODS.map((m) => same(c, m, ENCODINGS[0]!, path)));
      }
    });

    it(`${c.label}: every encoding of the name`, async () => {
      for (const encode of ENCODINGS) {
        await Promise.all(ENCODED_PATHS.flatMap((p) => ['GET', 'POST', 'PROPFIND'].map((m) => same(c, m, encode, p))));
      }
    });
  }

  it('the answer is the cluster 403 even on the public health and version paths', async () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) {
      const r = await ask(callers[0]!, 'GET', `/clusters/root:acme${p}`);
      expect(r?.status).toBe(403);
      expect(JSON.parse(r!.body.toString())).toMatchObject({
        reason: 'Forbidden',
        message: 'logicalclusters.core.kplane.io "root:acme" is forbidden: User "system:anonymous" cannot access logical cluster "root:acme": it does not exist or access is not granted',
        details: { name: 'root:acme', group: 'core.kplane.io', kind: 'logicalclusters' },
      });
    }
  });
});

describe('those who may enter keep what they have', () => {
  it('system:masters reads health and version of an existing cluster; an absent one is the cluster 403', async () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) {
      expect((await raw(t.url, admin, { path: `/clusters/root:acme${p}` })).status).toBe(200);
      expect((await raw(t.url, admin, { path: `/clusters/root%3Aacme${p}` })).status).toBe(200);
      expect((await raw(t.url, admin, { path: `/clusters/root:nope${p}` })).status).toBe(403);
    }
  });

  it('the cluster\'s own service account reads its health, version and discovery', async () => {
    const own = { Authorization: `Bearer ${ownToken}` };
    for (const p of ['/healthz', '/readyz', '/version', '/api', '/apis']) {
      const r = await raw(t.url, anonymous, { path: `/clusters/root:acme${p}`, headers: own });
      expect(r.status, `${p}: ${r.text}`).toBe(200);
    }
    // but nothing RBAC would not grant it
    expect((await raw(t.url, anonymous, { path: '/clusters/root:acme/api/v1/namespaces', headers: own })).status).toBe(403);
  });

  it('the top-level health and version paths stay public', async () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) {
      const r = await raw(t.url, anonymous, { path: p });
      expect(r.status, p).toBe(200);
    }
  });
});
