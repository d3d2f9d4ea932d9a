// Tenant isolation under fire: thousands of seeded random requests by tenant A's identities (its
// administrator's client certificate, a cluster-admin service account token of A, anonymous)
// aimed at tenant B's logical cluster through every route an attacker might try: encodings of
// the cluster name (%3A, case, trailing dots and colons, NUL, spaces), "..", "%2F" and "%2e%2e" in
// the path, wildcards (/clusters/*, root:*), B's child workspace, watches, writes, impersonation
// of B's admins and of system:masters, and A's token used against B. Nothing of B may come back
// (its secret data, object names, uids), nothing of B may change, nothing may fail with a 5xx.
// KPLANE_FUZZ_SEED=<n> replays a run; KPLANE_ISOLATION_FUZZ_N sets the request count.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { httpRequest, rawHttp } from '../helpers/rawhttp.js';
import { Random } from './random.js';

const N = Number(process.env.KPLANE_ISOLATION_FUZZ_N ?? 2000);
const SEED = Number(process.env.KPLANE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let t: TestKplane;
let admin: Credentials;
let alice: Credentials;
let anonymous: Credentials;
let tokenA: string;
/** Names of B's objects that the attacker knows (and may see echoed in answers about its own request). */
const marker = `bleak${SEED % 100000}x`;
/** What only tenant B's objects hold, never sent by the attacker: none of it may appear in an answer. */
const hidden = `hid${Math.floor(Math.random() * 1e9)}z`;
const secrets: string[] = [hidden];

const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';

async function ok(creds: Credentials, method: string, path: string, body?: unknown): Promise<{ json: any }> {
  const r = await raw(t.url, creds, { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
  return r;
}

async function workspace(cluster: string, name: string, spec: Record<string, unknown> = {}): Promise<void> {
  await ok(admin, 'POST', `/clusters/${cluster}${WS}`, { metadata: { name }, spec });
  await eventually(async () => (await raw(t.url, admin, { path: `/clusters/${cluster}${WS}/${name}` })).json?.status?.phase === 'Ready', 15_000, `${name} Ready`);
}

/** What B holds, as its admin sees it: compared before and after the run. */
async function snapshotB(): Promise<string> {
  const paths = ['/api/v1/namespaces', '/api/v1/secrets', '/api/v1/configmaps', '/api/v1/serviceaccounts', `/apis/rbac.authorization.k8s.io/v1/rolebindings`,
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', WS];
  const parts: string[] = [];
  for (const cluster of ['root:b', `root:b:${marker}in`]) {
    for (const p of paths) {
      const r = await raw(t.url, admin, { path: `/clusters/${cluster}${p}` });
      parts.push(`${cluster}${p} ${r.status} ${JSON.stringify((r.json?.items ?? []).map((o: any) => [o.metadata.namespace, o.metadata.name, o.metadata.resourceVersion]))}`);
    }
  }
  return parts.join('\n');
}

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  anonymous = { ca: admin.ca };
  await workspace('root', 'a', { admins: [{ kind: 'Group', name: 'a-admins' }] });
  await workspace('root', 'b', { admins: [{ kind: 'Group', name: 'b-admins' }] });
  await workspace('root:b', `${marker}in`);
  alice = credentialsOf(await readFile(await t.kubeconfigFor('root:a', 'alice', ['a-admins']), 'utf8'));
  // B's valuables
  const n = await ok(admin, 'POST', '/clusters/root:b/api/v1/namespaces', { metadata: { name: `${hidden}ns` } });
  const s = await ok(admin, 'POST', `/clusters/root:b/api/v1/namespaces/default/secrets`, { metadata: { name: `${marker}sec`, labels: { l: hidden } }, stringData: { password: `${hidden}pw` } });
  const c = await ok(admin, 'POST', `/clusters/root:b/api/v1/namespaces/default/configmaps`, { metadata: { name: `${marker}cm` }, data: { k: `${hidden}val` } });
  await ok(admin, 'POST', `/clusters/root:b/api/v1/namespaces/default/configmaps`, { metadata: { name: `${hidden}cm2` } });
  secrets.push(n.json.metadata.uid, s.json.metadata.uid, c.json.metadata.uid, Buffer.from(`${hidden}pw`).toString('base64'));
  // A's service account is cluster-admin of A: the strongest identity a tenant can mint
  await ok(admin, 'POST', '/clusters/root:a/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    metadata: { name: 'robot-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
  });
  tokenA = (await ok(admin, 'POST', '/clusters/root:a/api/v1/namespaces/default/serviceaccounts/default/token', { spec: {} })).json.status.token;
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const CLUSTERS = [
  'root:b', 'root%3Ab', 'root%3ab', 'ROOT:B', 'root:B', 'Root:b', 'root:b.', 'root:b..', 'root:b:', ':root:b', 'root::b', 'root:b%00',
  'root:b%20', '%20root:b', 'root:b;x', 'root:b%3B', '%72oot:b', 'root%3Ab%2F', 'root:b%2F..%2Froot:a', '*', 'root:*', '%2A', 'root:b:*',
  `root:b:${marker}in`, `root%3Ab%3A${marker}in`, 'root:a/../root:b', 'root:a/%2e%2e/root:b', 'root:a/%2E%2E/root:b', 'root:a%2F..%2Froot:b',
  'root:a:..:b', 'root:a%3A..%3Ab', 'root:a/..%2Froot:b', 'root:b#x', 'root:b?x=1', 'root:b%23', 'root:b%3F', 'root:a:b', 'root:a:sub:..:..:b',
  'root:b\u00a0', 'root:b%C2%A0', 'root:b%E2%80%8B', 'ro%6Ft:b', 'root:%62',
];
const PATHS = [
  '/api/v1/namespaces/default/secrets', '/api/v1/secrets', `/api/v1/namespaces/default/secrets/${'{marker}'}sec`, '/api/v1/namespaces',
  '/api/v1/namespaces/default/configmaps', `/api/v1/namespaces/default/configmaps/${'{marker}'}cm`, '/api/v1/configmaps?watch=1&timeoutSeconds=1',
  '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&allowWatchBookmarks=true', `${WS}`, `${WS}?watch=1&timeoutSeconds=1`,
  '/api', '/apis', '/api/v1', '/openapi/v2', '/openapi/v3', '/version', '/healthz', '/readyz?verbose', '/', '/.well-known/openid-configuration',
  '/api/v1/namespaces/default/serviceaccounts/default/token', '/api/v1/namespaces/default/secrets?labelSelector=x%3Dy', '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3D{marker}sec',
  '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
  '/api/v1/namespaces/..%2F..%2F..%2Fclusters%2Froot:b%2Fapi%2Fv1%2Fnamespaces%2Fdefault/secrets',
];
const IMPERSONATE: Record<string, string>[] = [
  {}, {}, {}, { 'Impersonate-User': 'kplane-admin' }, { 'Impersonate-User': 'x', 'Impersonate-Group': 'system:masters' },
  { 'Impersonate-User': 'bob', 'Impersonate-Group': 'b-admins' }, { 'Impersonate-User': 'system:serviceaccount:default:default' },
  { 'Impersonate-User': 'x', 'Impersonate-Uid': 'u' }, { 'Impersonate-Group': 'system:masters' },
];

function body(rnd: Random, path: string): string | undefined {
  if (path.endsWith('/token')) return JSON.stringify({ spec: {} });
  if (path.includes('namespaces') && !path.includes('/namespaces/')) return JSON.stringify({ metadata: { name: `evil${rnd.int(0, 999)}` } });
  if (path.includes('configmaps')) return JSON.stringify({ metadata: { name: `${marker}cm` }, data: { k: 'overwritten' } });
  if (path.includes('secrets')) return JSON.stringify({ metadata: { name: `${marker}sec` }, stringData: { password: 'overwritten' } });
  if (path.includes('selfsubjectrulesreviews')) return JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
  return JSON.stringify({ metadata: { name: `${marker}sec` } });
}

describe('tenant isolation fuzz', () => {
  it(`${N} cross-tenant requests leak nothing of tenant B and change nothing there (seed ${SEED})`, async () => {
    const before = await snapshotB();
    const rnd = new Random(SEED);
    const statuses = new Map<number, number>();
    let ownSuccess = 0;
    const failures: string[] = [];
    const one = async (i: number): Promise<void> => {
      const who = rnd.pick(['alice', 'alice', 'token', 'token', 'anonymous'] as const);
      const creds = who === 'alice' ? alice : anonymous;
      const cluster = rnd.chance(0.08) ? rnd.pick(['root:a', `root:a/api/v1/namespaces/default/../../../../clusters/root:b`]) : rnd.pick(CLUSTERS);
      const path = rnd.pick(PATHS).replaceAll('{marker}', marker);
      const method = rnd.pick(['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
      const headers: Record<string, string> = { ...rnd.pick(IMPERSONATE), Connection: 'close', Accept: rnd.pick(['application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io', '*/*']) };
      if (who === 'token' || (who === 'alice' && rnd.chance(0.1))) headers.Authorization = `Bearer ${tokenA}`;
      let b: string | undefined;
      if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') {
        b = body(rnd, path);
        headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      }
      const target = `/clusters/${cluster}${path}`;
      const res = await rawHttp(t.url, creds, [httpRequest(method, target, headers, b)], { heads: [method === 'HEAD'], timeoutMs: 15_000 });
      const r = res.responses[0];
      if (!r) {
        failures.push(`#${i} ${who} ${method} ${target}: no answer`);
        return;
      }
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const text = r.body.toString('utf8');
      if (cluster === 'root:a' && r.status < 300) ownSuccess++;
      // kube's own 500 (plain text) for impersonation headers without Impersonate-User
      const withoutUser = !headers['Impersonate-User'] && (headers['Impersonate-Group'] || headers['Impersonate-Uid']);
      const kubes500 = r.status === 500 && withoutUser && (method === 'HEAD' || text.includes('without impersonating a user'));
      if (r.status >= 500 && !kubes500) failures.push(`#${i} ${who} ${method} ${target}: ${r.status} ${text.slice(0, 200)}`);
      for (const s of secrets) if (text.includes(s)) failures.push(`#${i} ${who} ${method} ${target}: LEAK of ${s}: ${text.slice(0, 300)}`);
    };
    for (let i = 0; i < N; i += 4) await Promise.all([0, 1, 2, 3].filter((j) => i + j < N).map((j) => one(i + j)));
    expect(failures, `seed ${SEED}`).toEqual([]);
    // the run was not vacuous: A's identities did reach their own cluster
    expect(ownSuccess).toBeGreaterThan(0);
    expect(await snapshotB()).toBe(before);
    // B's valuables are still readable by B's admin
    const sec = await raw(t.url, admin, { path: `/clusters/root:b/api/v1/namespaces/default/secrets/${marker}sec` });
    expect(sec.json.data.password).toBe(Buffer.from(`${hidden}pw`).toString('base64'));
  }, 600_000);
});
