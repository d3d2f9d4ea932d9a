// Service account issuer discovery per logical cluster: the OIDC provider configuration and JWKS
// kube serves, readable by anyone (no credentials: external verifiers fetch them so), the same
// answer for clusters that do not exist, and a token of `kubectl create token` verified by jose
// against what was served, as a federating relying party would.

import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';

/** Without any credentials: how an external relying party fetches. */
const anonymous = (path: string, method = 'GET') => raw(t.url, { ca: admin.ca }, { method, path });

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  for (const name of ['acme', 'other']) {
    expect((await raw(t.url, admin, { method: 'POST', path: `/clusters/root${WS}`, body: JSON.stringify({ metadata: { name } }) })).status).toBe(201);
    await eventually(async () => (await raw(t.url, admin, { path: `/clusters/root${WS}/${name}` })).json.status?.phase === 'Ready', 10_000, `${name} Ready`);
  }
});
afterAll(async () => {
  await t?.stop();
});

describe('service account issuer discovery', () => {
  it('serves kube\'s provider configuration per cluster, to anonymous callers', async () => {
    const r = await anonymous('/clusters/root:acme/.well-known/openid-configuration');
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('public, max-age=3600');
    const issuer = `${t.url}/clusters/root:acme`;
    // kube's openIDMetadata, in its field order
    expect(r.text).toBe(JSON.stringify({
      issuer,
      jwks_uri: `${issuer}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    }));
  });

  it('serves the JWKS with the signing key (use sig, kid of the tokens)', async () => {
    const r = await anonymous('/clusters/root:acme/openid/v1/jwks');
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toBe('application/jwk-set+json');
    expect(r.headers['cache-control']).toBe('public, max-age=3600');
    expect(r.json.keys).toHaveLength(1);
    const [key] = r.json.keys;
    expect(Object.keys(key)).toEqual(['use', 'kty', 'kid', 'alg', 'n', 'e']);
    expect(key).toMatchObject({ use: 'sig', kty: 'RSA', kid: t.k.tokens.keyId, alg: 'RS256', e: 'AQAB' });
    // one key signs for every cluster
    expect((await anonymous('/clusters/root:other/openid/v1/jwks')).text).toBe(r.text);
  });

  it('a token of kubectl create token verifies with what discovery serves', async () => {
    const kc = await t.kubeconfigFor('root:acme');
    const out = await kubectl(machineKubectl(), kc, ['create', 'token', 'default', '-n', 'default']);
    expect(out.stderr).toBe('');
    const token = out.stdout.trim();
    const config = (await anonymous('/clusters/root:acme/.well-known/openid-configuration')).json;
    // the relying party follows jwks_uri
    const jwks = (await anonymous(new URL(config.jwks_uri as string).pathname)).json;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: config.issuer, audience: config.issuer, algorithms: config.id_token_signing_alg_values_supported,
    });
    expect(protectedHeader.kid).toBe(t.k.tokens.keyId);
    expect(payload.iss).toBe(`${t.url}/clusters/root:acme`);
    expect(payload.sub).toBe('system:serviceaccount:default:default');
    // a token of root:acme is not one of root:other's issuer
    const otherConfig = (await anonymous('/clusters/root:other/.well-known/openid-configuration')).json;
    await expect(jwtVerify(token, createLocalJWKSet(jwks), { issuer: otherConfig.issuer })).rejects.toThrow('unexpected "iss" claim value');
  });

  it('a cluster that does not exist answers as one that does (no existence oracle)', async () => {
    const r = await anonymous('/clusters/root:nope/.well-known/openid-configuration');
    expect(r.status).toBe(200);
    expect(r.json.issuer).toBe(`${t.url}/clusters/root:nope`);
    expect((await anonymous('/clusters/root:nope/openid/v1/jwks')).text).toBe((await anonymous('/clusters/root:acme/openid/v1/jwks')).text);
  });

  it('only GET of the two paths is public; nothing else of the cluster is', async () => {
    expect((await anonymous('/clusters/root:acme/.well-known/openid-configuration', 'POST')).status).toBe(403);
    expect((await anonymous('/clusters/root:acme/api/v1/namespaces')).status).toBe(401);
    expect((await anonymous('/clusters/*/.well-known/openid-configuration')).status).toBe(403);
    // outside /clusters/ kplane has no issuer; without credentials the rest is kube's 401
    expect((await anonymous('/.well-known/openid-configuration')).status).toBe(401);
  });
});
