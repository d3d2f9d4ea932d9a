// OIDC end to end: a real local issuer (HTTPS, discovery + JWKS, keys made with jose), kplane
// started with kube's AuthenticationConfiguration pointing at it and a static token file, and the
// real kubectl with bearer tokens. Valid ID tokens are their (prefixed) user everywhere, and RBAC
// in each logical cluster decides; every bad token is kube's 401 Status; the issuer rotates its
// keys mid-test and kplane, not restarted, accepts the new key's tokens and refuses the old's.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../../src/auth/kubeconfig.js';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { forgedTokens, startIssuer, type TestIssuer } from '../helpers/oidc-issuer.js';

let t: TestKplane;
let issuer: TestIssuer;
let admin: Credentials;
let adminKc: string;
const bin = machineKubectl();
let n = 0;
let filesDir: string | undefined;

const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
const STATIC_TOKEN = 'static-token-of-carol-0123456789';

/** A request with only a bearer token. */
const withToken = (token: string, path: string) => raw(t.url, { ca: admin.ca }, { path, headers: { Authorization: `Bearer ${token}` } });

async function tokenKubeconfig(cluster: string, token: string): Promise<string> {
  const path = join(t.dir, `oidc-${++n}.kubeconfig`);
  await writeFile(path, renderKubeconfig({ server: `${t.url}/clusters/${cluster}`, caPem: admin.ca, user: 'oidc', token, clusterName: cluster }), { mode: 0o600 });
  return path;
}

async function ok(kc: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(bin, kc, args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  issuer = await startIssuer();
  const ca = issuer.caPem.trim().split('\n').map((l) => `      ${l}`).join('\n');
  filesDir = await mkdtemp(join(tmpdir(), 'kplane-oidc-'));
  const configPath = join(filesDir, 'authentication-config.yaml');
  await writeFile(configPath, `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: ${issuer.url}
    audiences: [kplane]
    certificateAuthority: |
${ca}
  claimValidationRules:
  - expression: "!has(claims.banned) || claims.banned != true"
    message: banned users may not sign in
  claimMappings:
    username: {claim: sub, prefix: "oidc:"}
    groups: {expression: "has(claims.groups) ? claims.groups.map(g, 'oidc:' + g) : []"}
    extra:
    - {key: example.com/tenant, valueExpression: "has(claims.tenant) ? claims.tenant : ''"}
  userValidationRules:
  - expression: "!user.username.startsWith('oidc:system:')"
    message: reserved user name
`);
  const tokenFile = join(filesDir, 'tokens.csv');
  await writeFile(tokenFile, `${STATIC_TOKEN},carol,carol-uid,"static-group,other"\n`);
  t = await startKplane({ authenticationConfigFile: configPath, tokenAuthFile: tokenFile });
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  adminKc = await t.kubeconfigFor('root:acme');
  expect((await raw(t.url, admin, { method: 'POST', path: `/clusters/root${WS}`, body: JSON.stringify({ metadata: { name: 'acme' } }) })).status).toBe(201);
  await eventually(async () => (await raw(t.url, admin, { path: `/clusters/root${WS}/acme` })).json.status?.phase === 'Ready', 10_000, 'acme Ready');
  // RBAC in root:acme: alice may read configmaps in default; the group oidc:ops may read secrets there
  await ok(adminKc, ['create', 'role', 'cm-reader', '-n', 'default', '--verb=get,list', '--resource=configmaps']);
  await ok(adminKc, ['create', 'rolebinding', 'alice-cm', '-n', 'default', '--role=cm-reader', '--user=oidc:alice']);
  await ok(adminKc, ['create', 'role', 'secret-reader', '-n', 'default', '--verb=list', '--resource=secrets']);
  await ok(adminKc, ['create', 'rolebinding', 'ops-secrets', '-n', 'default', '--role=secret-reader', '--group=oidc:ops']);
  await ok(adminKc, ['create', 'rolebinding', 'carol-cm', '-n', 'default', '--role=cm-reader', '--user=carol']);
  await ok(adminKc, ['create', 'configmap', 'c1', '-n', 'default', '--from-literal=a=b']);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await issuer?.stop();
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

describe('OIDC ID tokens', () => {
  it('a valid token is its prefixed user; RBAC in the cluster decides (kubectl --token)', async () => {
    const kc = await tokenKubeconfig('root:acme', await issuer.sign({ sub: 'alice' }));
    await eventually(async () => (await kubectl(bin, kc, ['get', 'configmaps', '-n', 'default'])).code === 0, 10_000, 'alice may list');
    expect(await ok(kc, ['get', 'configmap', 'c1', '-n', 'default', '-o', 'jsonpath={.data.a}'])).toBe('b');
    const denied = await kubectl(bin, kc, ['get', 'secrets', '-n', 'default']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('secrets is forbidden: User "oidc:alice" cannot list resource "secrets" in API group "" in the namespace "default"');
  });

  it('kubectl auth whoami sees the mapped user, groups and extra', async () => {
    const token = await issuer.sign({ sub: 'alice', groups: ['devs'], tenant: 'acme' });
    const who = JSON.parse(await ok(await tokenKubeconfig('root:acme', token), ['auth', 'whoami', '-o', 'json']));
    expect(who.status.userInfo).toEqual({ username: 'oidc:alice', groups: ['oidc:devs', 'system:authenticated'], extra: { 'example.com/tenant': ['acme'] } });
  });

  it('TokenReview authenticates an OIDC token for the cluster\'s API audiences only (audience-agnostic, as kube)', async () => {
    const token = await issuer.sign({ sub: 'alice' });
    const review = (audiences?: string[]) => raw(t.url, admin, { method: 'POST', path: '/clusters/root:acme/apis/authentication.k8s.io/v1/tokenreviews',
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } }) });
    const r = await review();
    expect(r.status, r.text).toBe(201);
    expect(r.json.status.authenticated).toBe(true);
    expect(r.json.status.user.username).toBe('oidc:alice');
    expect(r.json.status.audiences).toEqual([`${t.url}/clusters/root:acme`]);
    const other = await review(['https://elsewhere.example']);
    expect(other.status).toBe(201);
    expect(other.json.status.authenticated).toBeUndefined();
  });

  it('groups come from the CEL mapping (prefixed); a group binding grants', async () => {
    const kc = await tokenKubeconfig('root:acme', await issuer.sign({ sub: 'dave', groups: ['ops'] }));
    await ok(kc, ['get', 'secrets', '-n', 'default']);
    const denied = await kubectl(bin, kc, ['get', 'configmaps', '-n', 'default']);
    expect(denied.stderr).toContain('User "oidc:dave" cannot list resource "configmaps"');
  });

  it('OIDC users are not scoped to a logical cluster: a cluster that grants nothing answers with its door', async () => {
    const r = await withToken(await issuer.sign({ sub: 'alice' }), '/clusters/root/api/v1/namespaces');
    expect(r.status).toBe(403);
    expect(r.json.message).toContain('User "oidc:alice" cannot');
  });

  it("every bad token is kube's 401 Status", async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await issuer.sign({ sub: 'alice' });
    const [h, p, s] = good.split('.');
    const forged = await forgedTokens(issuer, { sub: 'alice' });
    const stranger = await issuer.newKey('RS256', 'not-published');
    const bad: Record<string, string> = {
      'forged signature': `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${s}`,
      expired: await issuer.sign({ sub: 'alice', iat: now - 7200, exp: now - 3600 }),
      'not yet valid': await issuer.sign({ sub: 'alice', nbf: now + 600 }),
      'wrong issuer': await issuer.sign({ sub: 'alice', iss: 'https://evil.example.com' }),
      'issuer with a trailing slash': await issuer.sign({ sub: 'alice', iss: `${issuer.url}/` }),
      'wrong audience': await issuer.sign({ sub: 'alice', aud: 'someone-else' }),
      'alg none': forged.none,
      'HS256 keyed with the public key': forged.hs256,
      'unknown kid': await issuer.sign({ sub: 'alice' }, stranger),
      'claim validation rule': await issuer.sign({ sub: 'alice', banned: true }),
      'user validation rule': await issuer.sign({ sub: 'system:admin' }),
    };
    for (const [what, token] of Object.entries(bad)) {
      const r = await withToken(token, '/clusters/root:acme/api/v1/namespaces/default/configmaps');
      expect(r.status, what).toBe(401);
      expect(r.json, what).toEqual(UNAUTHORIZED);
    }
    const kc = await tokenKubeconfig('root:acme', forged.none);
    const r = await kubectl(bin, kc, ['get', 'configmaps', '-n', 'default']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('keys rotated at the issuer: the new key works without a restart, the old one is refused', async () => {
    const old = issuer.published[0]!;
    const oldToken = await issuer.sign({ sub: 'alice' }, old);
    expect((await withToken(oldToken, '/clusters/root:acme/api/v1/namespaces/default/configmaps')).status).toBe(200);
    const next = await issuer.newKey('ES256');
    issuer.publish(next);
    const newToken = await issuer.sign({ sub: 'alice' }, next);
    // the first token naming the new kid fetches the JWKS again (at most once per cooldown)
    await eventually(async () => (await withToken(newToken, '/clusters/root:acme/api/v1/namespaces/default/configmaps')).status === 200, 30_000, 'new key accepted');
    const kc = await tokenKubeconfig('root:acme', newToken);
    expect(await ok(kc, ['get', 'configmap', 'c1', '-n', 'default', '-o', 'name'])).toBe('configmap/c1\n');
    const r = await withToken(oldToken, '/clusters/root:acme/api/v1/namespaces/default/configmaps');
    expect(r.status).toBe(401);
    expect(r.json).toEqual(UNAUTHORIZED);
  }, 60_000);
});

describe('static token file', () => {
  it('authenticates its tokens with their groups; others are 401', async () => {
    const kc = await tokenKubeconfig('root:acme', STATIC_TOKEN);
    expect(await ok(kc, ['get', 'configmaps', '-n', 'default', '-o', 'name'])).toContain('configmap/c1');
    const denied = await kubectl(bin, kc, ['get', 'secrets', '-n', 'default']);
    expect(denied.stderr).toContain('User "carol" cannot list resource "secrets"');
    const r = await withToken(`${STATIC_TOKEN}x`, '/clusters/root:acme/api/v1/namespaces/default/configmaps');
    expect(r.status).toBe(401);
    expect(r.json).toEqual(UNAUTHORIZED);
  });
});
