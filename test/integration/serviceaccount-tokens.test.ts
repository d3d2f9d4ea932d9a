// Service account tokens end to end: `kubectl create token` and client-node's TokenRequest, the
// claims kplane signs, bearer authentication with them (kubectl --token, client-node), kube's RBAC
// 403 for an unbound service account, tenant isolation (a token is only good in its own logical
// cluster), invalidation when the service account or bound object goes away, legacy token Secrets
// filled and cleaned up by the token controller, and expiry against a clock the test controls.

import * as k8s from '@kubernetes/client-node';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../../src/auth/kubeconfig.js';
import { loadOrCreateSigningKey, ServiceAccountTokens } from '../../src/auth/serviceaccount-tokens.js';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
let acmeKubeconfig: string;
let kc = 0;
/** Added to the real time by kplane's token clock. */
let clockOffsetMs = 0;

const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const ACME = '/clusters/root:acme';

const req = (creds: Credentials, method: string, path: string, body?: unknown) =>
  raw(t.url, creds, { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** A request with only a bearer token (no client certificate). */
const withToken = (token: string, path: string, method = 'GET', body?: unknown) =>
  raw(t.url, { ca: admin.ca }, {
    method, path, headers: { Authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function tokenFor(cluster: string, ns: string, sa: string, spec: Record<string, unknown> = {}): Promise<string> {
  const r = await req(admin, 'POST', `/clusters/${cluster}/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { spec });
  expect(r.status, r.text).toBe(201);
  return r.json.status.token as string;
}

async function tokenKubeconfig(cluster: string, token: string): Promise<string> {
  const path = join(t.dir, `token-${++kc}.kubeconfig`);
  await writeFile(path, renderKubeconfig({ server: `${t.url}/clusters/${cluster}`, caPem: admin.ca, user: 'sa', token, clusterName: cluster }), { mode: 0o600 });
  return path;
}

async function createWorkspace(name: string): Promise<void> {
  expect((await req(admin, 'POST', `/clusters/root${WS}`, { metadata: { name } })).status).toBe(201);
  await eventually(async () => (await req(admin, 'GET', `/clusters/root${WS}/${name}`)).json.status?.phase === 'Ready', 10_000, `${name} Ready`);
}

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

beforeAll(async () => {
  t = await startKplane({ tokenClock: () => new Date(Date.now() + clockOffsetMs) });
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  await createWorkspace('acme');
  await createWorkspace('other');
  acmeKubeconfig = await t.kubeconfigFor('root:acme');
});
afterAll(async () => {
  await t?.stop();
});

describe('service account tokens', () => {
  it('kubectl create token returns a token with kube\'s claims naming the logical cluster', async () => {
    const r = await kubectl(machineKubectl(), acmeKubeconfig, ['create', 'token', 'default', '-n', 'default']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'RS256', kid: t.k.tokens.keyId });
    const c = claimsOf(token);
    const sa = (await req(admin, 'GET', `${ACME}/api/v1/namespaces/default/serviceaccounts/default`)).json;
    const issuer = `${t.url}/clusters/root:acme`;
    expect(Object.keys(c)).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kplane.io/cluster', 'kubernetes.io', 'nbf', 'sub']);
    expect(c).toMatchObject({
      aud: [issuer],
      iss: issuer,
      sub: 'system:serviceaccount:default:default',
      'kplane.io/cluster': 'root:acme',
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: sa.metadata.uid } },
    });
    expect(c.exp).toBe((c.iat as number) + 3600);
    expect(c.nbf).toBe(c.iat);
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('kubectl create token honours duration, audience and a bound Secret', async () => {
    expect((await req(admin, 'POST', `${ACME}/api/v1/namespaces/default/secrets`, { metadata: { name: 'bind' } })).status).toBe(201);
    const secret = (await req(admin, 'GET', `${ACME}/api/v1/namespaces/default/secrets/bind`)).json;
    const r = await kubectl(machineKubectl(), acmeKubeconfig, [
      'create', 'token', 'default', '-n', 'default', '--duration=20m', '--audience=https://vault.example',
      '--bound-object-kind=Secret', '--bound-object-name=bind',
    ]);
    expect(r.stderr).toBe('');
    const c = claimsOf(r.stdout.trim());
    expect(c.aud).toEqual(['https://vault.example']);
    expect(c.exp).toBe((c.iat as number) + 1200);
    expect((c['kubernetes.io'] as Record<string, unknown>).secret).toEqual({ name: 'bind', uid: secret.metadata.uid });
    const short = await kubectl(machineKubectl(), acmeKubeconfig, ['create', 'token', 'default', '-n', 'default', '--duration=5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('may not specify a duration less than 10 minutes');
    const missing = await kubectl(machineKubectl(), acmeKubeconfig, ['create', 'token', 'nobody', '-n', 'default']);
    expect(missing.stderr).toContain('serviceaccounts "nobody" not found');
  });

  it('authenticates kubectl --token as the service account: kube\'s RBAC 403, public paths and discovery work', async () => {
    const token = await tokenFor('root:acme', 'default', 'default');
    const kubeconfig = await tokenKubeconfig('root:acme', token);
    const get = await kubectl(machineKubectl(), kubeconfig, ['get', 'configmaps', '-n', 'default']);
    expect(get.code).not.toBe(0);
    expect(get.stderr.trim()).toBe('Error from server (Forbidden): configmaps is forbidden: User "system:serviceaccount:default:default" '
      + 'cannot list resource "configmaps" in API group "" in the namespace "default"');
    const all = await kubectl(machineKubectl(), kubeconfig, ['get', 'secrets', '-A']);
    expect(all.stderr).toContain('cannot list resource "secrets" in API group "" at the cluster scope');
    const create = await kubectl(machineKubectl(), kubeconfig, ['create', 'token', 'default', '-n', 'default']);
    expect(create.stderr).toContain('cannot create resource "serviceaccounts/token" in API group "" in the namespace "default"');
    const version = await kubectl(machineKubectl(), kubeconfig, ['version', '-o', 'json']);
    expect(version.code, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).toMatch(/\+kplane$/);
    // the raw answer: kube's Forbidden Status
    const r = await withToken(token, `${ACME}/api/v1/namespaces/default/configmaps/x`);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'configmaps "x" is forbidden: User "system:serviceaccount:default:default" cannot get resource "configmaps" in API group "" in the namespace "default"',
      details: { name: 'x', kind: 'configmaps' },
    });
    expect((await withToken(token, `${ACME}/healthz`)).status).toBe(200);
  });

  it('authenticates client-node with the token (TokenRequest through client-node as admin)', async () => {
    const adminKc = new k8s.KubeConfig();
    adminKc.loadFromFile(acmeKubeconfig);
    const adminCore = adminKc.makeApiClient(k8s.CoreV1Api);
    const tr = await adminCore.createNamespacedServiceAccountToken({
      name: 'default', namespace: 'default', body: { spec: { audiences: [], expirationSeconds: 900 } } as k8s.AuthenticationV1TokenRequest,
    });
    expect(tr.status?.token).toBeTruthy();
    expect(tr.spec.expirationSeconds).toBe(900);
    expect(tr.spec.audiences).toEqual([`${t.url}/clusters/root:acme`]);
    expect(tr.metadata?.name).toBe('default');
    const saKc = new k8s.KubeConfig();
    saKc.loadFromFile(await tokenKubeconfig('root:acme', tr.status!.token));
    const core = saKc.makeApiClient(k8s.CoreV1Api);
    const err = await core.listNamespacedConfigMap({ namespace: 'default' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<string>).code).toBe(403);
    expect(String((err as k8s.ApiException<string>).body)).toContain('system:serviceaccount:default:default');
  });

  it('rejects a token in any other logical cluster with 401 (tenant isolation)', async () => {
    const token = await tokenFor('root:acme', 'default', 'default');
    expect((await withToken(token, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(403);
    // the same namespace and service account name exist in root:other and root: still refused
    for (const path of [
      '/clusters/root:other/api/v1/namespaces/default/configmaps',
      '/clusters/root:other/version',
      '/clusters/root/api/v1/namespaces/default/configmaps',
      '/clusters/*/api/v1/configmaps',
      '/clusters/root:nonexistent/api/v1/namespaces/default/configmaps',
      '/version',
      '/healthz',
    ]) {
      const r = await withToken(token, path);
      expect(r.status, path).toBe(401);
      expect(r.json, path).toEqual(UNAUTHORIZED);
    }
    // a token the other tenant requested for itself works there, and not in acme
    const other = await tokenFor('root:other', 'default', 'default');
    expect((await withToken(other, '/clusters/root:other/api/v1/namespaces/default/configmaps')).status).toBe(403);
    expect((await withToken(other, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(401);
    // a client certificate still wins over a bad token, as in kube's authenticator union
    const both = await raw(t.url, admin, { path: '/clusters/root/api/v1/namespaces', headers: { Authorization: `Bearer ${other}` } });
    expect(both.status).toBe(200);
  });

  it('answers invalid bearer tokens with kube\'s 401', async () => {
    const token = await tokenFor('root:acme', 'default', 'default');
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = claimsOf(token);
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:default' })).toString('base64url');
    // a token signed by a key that is not kplane's
    const dir = join(t.dir, 'foreign-pki');
    const foreign = new ServiceAccountTokens(await loadOrCreateSigningKey(dir), { externalURL: () => t.url });
    const sa = (await req(admin, 'GET', `${ACME}/api/v1/namespaces/default/serviceaccounts/default`)).json;
    const foreignToken = (await foreign.issueBound({
      cluster: 'root:acme', serviceAccount: { namespace: 'default', name: 'default', uid: sa.metadata.uid }, audiences: [], expirationSeconds: 3600,
    })).token;
    for (const bad of ['garbage', 'a.b.c', `${h}.${forgedPayload}.${s}`, `${h}.${p}.${s.slice(0, -4)}AAAA`, foreignToken, `${token}x`]) {
      const r = await withToken(bad, `${ACME}/api/v1/namespaces/default/configmaps`);
      expect(r.status, bad).toBe(401);
      expect(r.json).toEqual(UNAUTHORIZED);
    }
    // a token for another audience is not for the API
    const vault = await tokenFor('root:acme', 'default', 'default', { audiences: ['https://vault.example'] });
    expect((await withToken(vault, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(401);
    // not a bearer token: no credentials, as in kube (anonymous authentication is off: a 401)
    const basic = await raw(t.url, { ca: admin.ca }, { path: `${ACME}/api/v1/namespaces/default/configmaps`, headers: { Authorization: 'Basic eDp5' } });
    expect(basic.status).toBe(401);
    expect(basic.json).toEqual(UNAUTHORIZED);
  });

  it('invalidates bound tokens with their service account or bound Secret', async () => {
    const mk = async (name: string) => {
      expect((await req(admin, 'POST', `${ACME}/api/v1/namespaces/default/serviceaccounts`, { metadata: { name } })).status).toBe(201);
    };
    await mk('robot');
    const token = await tokenFor('root:acme', 'default', 'robot');
    expect((await withToken(token, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(403);
    expect((await req(admin, 'DELETE', `${ACME}/api/v1/namespaces/default/serviceaccounts/robot`)).status).toBe(200);
    expect((await withToken(token, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(401);
    // a new service account of the same name has another uid: the old token stays invalid
    await mk('robot');
    expect((await withToken(token, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(401);

    expect((await req(admin, 'POST', `${ACME}/api/v1/namespaces/default/secrets`, { metadata: { name: 'holder' } })).status).toBe(201);
    const bound = await tokenFor('root:acme', 'default', 'robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 'holder' } });
    expect((await withToken(bound, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(403);
    expect((await req(admin, 'DELETE', `${ACME}/api/v1/namespaces/default/secrets/holder`)).status).toBe(200);
    expect((await withToken(bound, `${ACME}/api/v1/namespaces/default/configmaps`)).status).toBe(401);
  });

  it('expires tokens (with go-jose\'s minute of leeway)', async () => {
    const token = await tokenFor('root:acme', 'default', 'default', { expirationSeconds: 600 });
    const c = claimsOf(token);
    expect(c.exp).toBe((c.iat as number) + 600);
    const path = `${ACME}/api/v1/namespaces/default/configmaps`;
    try {
      clockOffsetMs = 600_000 + 30_000;
      expect((await withToken(token, path)).status).toBe(403);
      clockOffsetMs = 600_000 + 62_000;
      expect((await withToken(token, path)).status).toBe(401);
      // not yet valid: issued a while "later" than now
      clockOffsetMs = 10 * 60_000;
      const future = await tokenFor('root:acme', 'default', 'default');
      clockOffsetMs = 0;
      expect((await withToken(future, path)).status).toBe(401);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('fills legacy token Secrets, authenticates their tokens and deletes them with their service account', async () => {
    const base = `${ACME}/api/v1/namespaces/default`;
    expect((await req(admin, 'POST', `${base}/serviceaccounts`, { metadata: { name: 'legacy' } })).status).toBe(201);
    const sa = (await req(admin, 'GET', `${base}/serviceaccounts/legacy`)).json;
    const body = (name: string) => ({
      metadata: { name, annotations: { 'kubernetes.io/service-account.name': 'legacy' } }, type: 'kubernetes.io/service-account-token',
    });
    expect((await req(admin, 'POST', `${base}/secrets`, body('legacy-token'))).status).toBe(201);
    expect((await req(admin, 'POST', `${base}/secrets`, body('legacy-token-2'))).status).toBe(201);
    const filled = await eventually(async () => {
      const s = (await req(admin, 'GET', `${base}/secrets/legacy-token`)).json;
      return s.data?.token ? s : undefined;
    }, 10_000, 'token populated');
    expect(Buffer.from(filled.data['ca.crt'], 'base64').toString('utf8')).toBe(admin.ca);
    expect(Buffer.from(filled.data.namespace, 'base64').toString('utf8')).toBe('default');
    expect(filled.metadata.annotations['kubernetes.io/service-account.uid']).toBe(sa.metadata.uid);
    const token = Buffer.from(filled.data.token, 'base64').toString('utf8');
    const c = claimsOf(token);
    expect(c).toEqual({
      iss: 'kubernetes/serviceaccount',
      'kplane.io/cluster': 'root:acme',
      'kubernetes.io/serviceaccount/namespace': 'default',
      'kubernetes.io/serviceaccount/secret.name': 'legacy-token',
      'kubernetes.io/serviceaccount/service-account.name': 'legacy',
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
      sub: 'system:serviceaccount:default:legacy',
    });
    const path = `${base}/configmaps`;
    const r = await withToken(token, path);
    expect(r.status).toBe(403);
    expect(r.json.message).toContain('User "system:serviceaccount:default:legacy"');
    // never expires, only valid in its own cluster
    clockOffsetMs = 10 * 365 * 24 * 3600_000;
    try {
      expect((await withToken(token, path)).status).toBe(403);
    } finally {
      clockOffsetMs = 0;
    }
    expect((await withToken(token, '/clusters/root:other/api/v1/namespaces/default/configmaps')).status).toBe(401);
    // the Secret must still hold the very token
    expect((await req(admin, 'DELETE', `${base}/secrets/legacy-token`)).status).toBe(200);
    expect((await withToken(token, path)).status).toBe(401);

    const second = await eventually(async () => (await req(admin, 'GET', `${base}/secrets/legacy-token-2`)).json.data?.token as string | undefined, 10_000, 'second token');
    const token2 = Buffer.from(second, 'base64').toString('utf8');
    expect((await withToken(token2, path)).status).toBe(403);
    expect((await req(admin, 'DELETE', `${base}/serviceaccounts/legacy`)).status).toBe(200);
    expect((await withToken(token2, path)).status).toBe(401);
    await eventually(async () => (await req(admin, 'GET', `${base}/secrets/legacy-token-2`)).status === 404, 10_000, 'token secret deleted');
    // a token Secret for a service account that does not exist is deleted too
    const orphan = { ...body('orphan'), metadata: { name: 'orphan', annotations: { 'kubernetes.io/service-account.name': 'nobody' } } };
    expect((await req(admin, 'POST', `${base}/secrets`, orphan)).status).toBe(201);
    await eventually(async () => (await req(admin, 'GET', `${base}/secrets/orphan`)).status === 404, 10_000, 'orphan deleted');
  });
});
