// Service account tokens without a server: the signing key on disk, the claims of bound and
// legacy tokens, verification (signature, issuer, cluster, audience, times with kube's leeway),
// the authenticator's lookups and the bearer/union chain.

import type { IncomingMessage } from 'node:http';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import {
  BearerTokenAuthenticator, bearerToken, ServiceAccountTokenAuthenticator, serviceAccountUser, UnionAuthenticator,
  type Authenticator, type ServiceAccountGetter,
} from '../../../src/auth/authn.js';
import {
  loadOrCreateSigningKey, ServiceAccountTokens, TokenError, type SigningKey,
} from '../../../src/auth/serviceaccount-tokens.js';
import { validateTokenRequest } from '../../../src/registry/kinds/serviceaccounts.js';

let dir: string;
let key: SigningKey;
let now = new Date('2026-01-01T00:00:00Z');
const URL_ = 'https://kplane.example:6443';
let tokens: ServiceAccountTokens;
const SA = { namespace: 'team', name: 'robot', uid: '11111111-1111-1111-1111-111111111111' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-sa-'));
  key = await loadOrCreateSigningKey(join(dir, 'pki'));
  tokens = new ServiceAccountTokens(key, { externalURL: () => URL_, now: () => now });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parts(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = token.split('.') as [string, string];
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), claims: JSON.parse(Buffer.from(c, 'base64url').toString()) };
}

async function rejects(p: Promise<unknown>, text: string): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(TokenError);
  expect((e as Error).message).toContain(text);
}

describe('signing key', () => {
  it('is made once in pki/ and reused', async () => {
    const again = await loadOrCreateSigningKey(join(dir, 'pki'));
    expect(again.keyId).toBe(key.keyId);
    expect((await stat(join(dir, 'pki', 'sa.key'))).mode & 0o777).toBe(0o600);
    const pub = await readFile(join(dir, 'pki', 'sa.pub'), 'utf8');
    // kube's key id: base64url(sha256(DER SubjectPublicKeyInfo))
    const der = createPublicKey(pub).export({ type: 'spki', format: 'der' });
    expect(key.keyId).toBe(createHash('sha256').update(der).digest('base64url'));
  });
});

describe('bound tokens', () => {
  it('carry kube\'s claims plus the logical cluster, in go-jose\'s key order', async () => {
    const issued = await tokens.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: [], expirationSeconds: 3600 });
    const { header, claims } = parts(issued.token);
    expect(header).toEqual({ alg: 'RS256', kid: key.keyId });
    const iat = now.getTime() / 1000;
    expect(claims).toEqual({
      aud: ['https://kplane.example:6443/clusters/root:acme'],
      exp: iat + 3600,
      iat,
      iss: 'https://kplane.example:6443/clusters/root:acme',
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      'kplane.io/cluster': 'root:acme',
      'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'robot', uid: SA.uid } },
      nbf: iat,
      sub: 'system:serviceaccount:team:robot',
    });
    expect(Object.keys(claims)).toEqual(Object.keys(claims).sort());
    expect(issued.expiresAt.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('name their bound Secret and warnafter', async () => {
    const issued = await tokens.issueBound({
      cluster: 'root', serviceAccount: SA, secret: { name: 's', uid: 'u' }, audiences: ['a', 'b'], expirationSeconds: 600, warnAfterSeconds: 60,
    });
    const c = parts(issued.token).claims;
    expect(c.aud).toEqual(['a', 'b']);
    expect(c['kubernetes.io']).toEqual({
      namespace: 'team', secret: { name: 's', uid: 'u' }, serviceaccount: { name: 'robot', uid: SA.uid }, warnafter: (c.iat as number) + 60,
    });
  });

  it('verify in their own cluster only', async () => {
    const { token } = await tokens.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: [], expirationSeconds: 3600 });
    const v = await tokens.verify(token, 'root:acme');
    expect(v).toMatchObject({ legacy: false, cluster: 'root:acme', namespace: 'team', serviceAccount: { name: 'robot', uid: SA.uid } });
    expect(v.jti).toBe(parts(token).claims.jti);
    expect(v.audiences).toEqual(['https://kplane.example:6443/clusters/root:acme']);
    await rejects(tokens.verify(token, 'root:other'), 'not valid for logical cluster "root:other"');
    await rejects(tokens.verify(token, 'root'), 'not valid for logical cluster "root"');
    await rejects(tokens.verify(token, '*'), 'not valid for logical cluster "*"');
    await rejects(tokens.verify(token, undefined), 'not valid for requests outside a logical cluster');
  });

  it('are refused when tampered with, forged or signed by another key', async () => {
    const { token } = await tokens.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: [], expirationSeconds: 3600 });
    const [h, c, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
    // moving the token to another cluster by rewriting its claims breaks the signature
    const moved = Buffer.from(JSON.stringify({ ...claims, 'kplane.io/cluster': 'root:other' })).toString('base64url');
    await rejects(tokens.verify(`${h}.${moved}.${s}`, 'root:other'), 'invalid signature');
    await rejects(tokens.verify(`${h}.${c}.${s.slice(0, -6)}AAAAAA`, 'root:acme'), 'invalid signature');
    await rejects(tokens.verify('not-a-jwt', 'root:acme'), 'not a JWT');
    const otherDir = await mkdtemp(join(tmpdir(), 'kplane-sa-other-'));
    try {
      const other = new ServiceAccountTokens(await loadOrCreateSigningKey(otherDir), { externalURL: () => URL_, now: () => now });
      const forged = await other.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: [], expirationSeconds: 3600 });
      await rejects(tokens.verify(forged.token, 'root:acme'), 'invalid signature');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('are refused for another issuer (another external URL) or audience', async () => {
    const elsewhere = new ServiceAccountTokens(key, { externalURL: () => 'https://elsewhere', now: () => now });
    const { token } = await elsewhere.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: [], expirationSeconds: 3600 });
    await rejects(tokens.verify(token, 'root:acme'), 'token issuer "https://elsewhere/clusters/root:acme" is invalid');
    const vault = await tokens.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: ['vault'], expirationSeconds: 3600 });
    await rejects(tokens.verify(vault.token, 'root:acme'),
      'token audiences ["vault"] is invalid for the target audiences ["https://kplane.example:6443/clusters/root:acme"]');
    const both = await tokens.issueBound({
      cluster: 'root:acme', serviceAccount: SA, audiences: ['vault', 'https://kplane.example:6443/clusters/root:acme'], expirationSeconds: 3600,
    });
    expect((await tokens.verify(both.token, 'root:acme')).audiences).toEqual(['https://kplane.example:6443/clusters/root:acme']);
  });

  it('expire, with one minute of leeway, and are not valid before they are issued', async () => {
    const start = now;
    try {
      const { token } = await tokens.issueBound({ cluster: 'root', serviceAccount: SA, audiences: [], expirationSeconds: 600 });
      now = new Date(start.getTime() + 660_000);
      await expect(tokens.verify(token, 'root')).resolves.toBeDefined();
      now = new Date(start.getTime() + 661_000);
      await rejects(tokens.verify(token, 'root'), 'service account token has expired');
      now = new Date(start.getTime() - 61_000);
      await rejects(tokens.verify(token, 'root'), 'service account token is not valid yet');
    } finally {
      now = start;
    }
  });
});

describe('legacy tokens', () => {
  it('carry kube\'s legacy claims and the cluster, never expire', async () => {
    const token = await tokens.issueLegacy('root:acme', SA, 'robot-token');
    expect(parts(token).claims).toEqual({
      iss: 'kubernetes/serviceaccount',
      'kplane.io/cluster': 'root:acme',
      'kubernetes.io/serviceaccount/namespace': 'team',
      'kubernetes.io/serviceaccount/secret.name': 'robot-token',
      'kubernetes.io/serviceaccount/service-account.name': 'robot',
      'kubernetes.io/serviceaccount/service-account.uid': SA.uid,
      sub: 'system:serviceaccount:team:robot',
    });
    const start = now;
    try {
      now = new Date(start.getTime() + 100 * 365 * 86400_000);
      expect(await tokens.verify(token, 'root:acme')).toMatchObject({ legacy: true, secret: { name: 'robot-token' } });
    } finally {
      now = start;
    }
    await rejects(tokens.verify(token, 'root'), 'not valid for logical cluster "root"');
  });
});

describe('TokenRequest validation', () => {
  it('bounds expirationSeconds as kube does', () => {
    expect(validateTokenRequest(600)).toEqual([]);
    expect(validateTokenRequest(2 ** 32)).toEqual([]);
    expect(validateTokenRequest(599)[0]).toMatchObject({ field: 'spec.expirationSeconds', detail: 'may not specify a duration less than 10 minutes' });
    expect(validateTokenRequest(2 ** 32 + 1)[0]).toMatchObject({ detail: 'may not specify a duration larger than 2^32 seconds' });
  });
});

// ---------------------------------------------------------------- the authenticator

function request(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: {} } as unknown as IncomingMessage;
}

class FakeObjects implements ServiceAccountGetter {
  readonly objects = new Map<string, KubeObject>();
  put(kind: 'sa' | 'secret', cluster: string, ns: string, obj: KubeObject): void {
    this.objects.set(`${kind}/${cluster}/${ns}/${obj.metadata.name}`, obj);
  }
  async getServiceAccount(cluster: string, ns: string, name: string) {
    return this.objects.get(`sa/${cluster}/${ns}/${name}`);
  }
  async getSecret(cluster: string, ns: string, name: string) {
    return this.objects.get(`secret/${cluster}/${ns}/${name}`);
  }
}

describe('ServiceAccountTokenAuthenticator', () => {
  const sa = (uid = SA.uid): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'team', uid } });

  it('authenticates a current bound token as kube\'s service account user', async () => {
    const objs = new FakeObjects();
    objs.put('sa', 'root:acme', 'team', sa());
    const reasons: string[] = [];
    const a = new ServiceAccountTokenAuthenticator(tokens, objs, { onReject: (r) => reasons.push(r) });
    const { token, claims } = await tokens.issueBound({ cluster: 'root:acme', serviceAccount: SA, audiences: [], expirationSeconds: 3600 });
    expect(await a.authenticateToken(token, { cluster: 'root:acme' })).toEqual({
      username: 'system:serviceaccount:team:robot',
      uid: SA.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
      cluster: 'root:acme',
    });
    // the same names in another cluster do not help
    objs.put('sa', 'root:other', 'team', sa());
    expect(await a.authenticateToken(token, { cluster: 'root:other' })).toBeUndefined();
    // a service account recreated with another uid
    objs.put('sa', 'root:acme', 'team', sa('22222222-2222-2222-2222-222222222222'));
    expect(await a.authenticateToken(token, { cluster: 'root:acme' })).toBeUndefined();
    objs.objects.clear();
    expect(await a.authenticateToken(token, { cluster: 'root:acme' })).toBeUndefined();
    expect(reasons).toEqual([
      'token of logical cluster "root:acme" is not valid for logical cluster "root:other"',
      `service account UID (22222222-2222-2222-2222-222222222222) does not match claim (${SA.uid})`,
      'serviceaccounts "robot" not found',
    ]);
  });

  it('holds bound tokens to their Secret and legacy tokens to the Secret holding them', async () => {
    const objs = new FakeObjects();
    objs.put('sa', 'root', 'team', sa());
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'holder', namespace: 'team', uid: 's-1' } };
    objs.put('secret', 'root', 'team', secret);
    const a = new ServiceAccountTokenAuthenticator(tokens, objs);
    const bound = await tokens.issueBound({ cluster: 'root', serviceAccount: SA, secret: { name: 'holder', uid: 's-1' }, audiences: [], expirationSeconds: 3600 });
    expect(await a.authenticateToken(bound.token, { cluster: 'root' })).toBeDefined();
    objs.put('secret', 'root', 'team', { ...secret, metadata: { ...secret.metadata, uid: 's-2' } });
    expect(await a.authenticateToken(bound.token, { cluster: 'root' })).toBeUndefined();

    const legacy = await tokens.issueLegacy('root', SA, 'robot-token');
    const holder = (token: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'robot-token', namespace: 'team', uid: 'l' },
      type: 'kubernetes.io/service-account-token', data: { token: Buffer.from(token).toString('base64') },
    });
    expect(await a.authenticateToken(legacy, { cluster: 'root' })).toBeUndefined();
    objs.put('secret', 'root', 'team', holder(legacy));
    const user = await a.authenticateToken(legacy, { cluster: 'root' });
    expect(user).toMatchObject({ username: 'system:serviceaccount:team:robot', uid: SA.uid });
    expect(user?.extra).toBeUndefined();
    objs.put('secret', 'root', 'team', holder(`${legacy}x`));
    expect(await a.authenticateToken(legacy, { cluster: 'root' })).toBeUndefined();
  });

  it('leaves tokens that are not kplane\'s to other authenticators', async () => {
    const a = new ServiceAccountTokenAuthenticator(tokens, new FakeObjects());
    const foreign = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"https://accounts.example"}').toString('base64url')}.x`;
    expect(tokens.isOurs(foreign)).toBe(false);
    expect(await a.authenticateToken(foreign, { cluster: 'root' })).toBeUndefined();
    expect(await a.authenticateToken('opaque-static-token', { cluster: 'root' })).toBeUndefined();
  });
});

describe('bearer and union authenticators', () => {
  it('reads bearer tokens as kube does', () => {
    expect(bearerToken(request({ authorization: 'Bearer abc' }))).toBe('abc');
    expect(bearerToken(request({ authorization: '  bearer abc  ' }))).toBe('abc');
    expect(bearerToken(request({ authorization: 'Basic eDp5' }))).toBeUndefined();
    expect(bearerToken(request({ authorization: 'Bearer' }))).toBeUndefined();
    expect(bearerToken(request({}))).toBeUndefined();
  });

  it('answers an unknown bearer token with 401 and no credentials with nobody', async () => {
    const bearer = new BearerTokenAuthenticator(new ServiceAccountTokenAuthenticator(tokens, new FakeObjects()));
    const e = await bearer.authenticate(request({ authorization: 'Bearer nope' }), { cluster: 'root' }).catch((x: unknown) => x);
    expect(isStatusError(e, 'Unauthorized')).toBe(true);
    expect(await bearer.authenticate(request({}), { cluster: 'root' })).toBeUndefined();
  });

  it('takes the first authenticator that knows the caller, and fails only when none does', async () => {
    const fail: Authenticator = { authenticate: async () => { throw new Error('bad'); } };
    const none: Authenticator = { authenticate: async () => undefined };
    const alice: Authenticator = { authenticate: async () => ({ username: 'alice', groups: [] }) };
    expect(await new UnionAuthenticator(fail, alice).authenticate(request({}), {})).toEqual({ username: 'alice', groups: [] });
    expect(await new UnionAuthenticator(none, none).authenticate(request({}), {})).toBeUndefined();
    await expect(new UnionAuthenticator(none, fail).authenticate(request({}), {})).rejects.toThrow('bad');
  });

  it('gives pod- and node-bound users kube\'s extra', () => {
    expect(serviceAccountUser({
      namespace: 'ns', serviceAccount: { name: 'n', uid: 'u' }, pod: { name: 'p', uid: 'pu' }, node: { name: 'nd', uid: 'nu' }, jti: 'j',
    }).extra).toEqual({
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pu'],
      'authentication.kubernetes.io/credential-id': ['JTI=j'],
      'authentication.kubernetes.io/node-name': ['nd'],
      'authentication.kubernetes.io/node-uid': ['nu'],
    });
  });
});
