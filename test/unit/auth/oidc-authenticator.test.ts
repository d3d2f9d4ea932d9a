// The OIDC authenticator against a real local issuer (HTTPS, discovery + JWKS): signature and
// claim checks, claim mappings (claim + prefix and CEL), validation rules, key rotation with a
// rate-limited refetch, and an issuer that is down when kplane starts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDCAuthenticator } from '../../../src/auth/oidc/authenticator.js';
import { compileAuthenticationConfiguration } from '../../../src/auth/oidc/config.js';
import { forgedTokens, startIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';

let issuer: TestIssuer;
const rejected: string[] = [];

beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

function authenticator(body: string, opts: { cooldownMs?: number; url?: string; ca?: string; discoveryURL?: string } = {}): OIDCAuthenticator {
  const ca = (opts.ca ?? issuer.caPem).trim().split('\n').map((l) => `      ${l}`).join('\n');
  const [c] = compileAuthenticationConfiguration(`apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: ${opts.url ?? issuer.url}
${opts.discoveryURL ? `    discoveryURL: ${opts.discoveryURL}\n` : ''}    audiences: [kplane, other]
    audienceMatchPolicy: MatchAny
    certificateAuthority: |
${ca}
${body}`);
  return new OIDCAuthenticator(c!, { onReject: (r) => rejected.push(r), keys: { refreshCooldownMs: opts.cooldownMs ?? 0 } });
}

const PLAIN = `  claimMappings:
    username: {claim: sub, prefix: "oidc:"}
    groups: {claim: groups, prefix: "oidc:"}
`;

/** The reason the last token was refused. */
async function refusal(a: OIDCAuthenticator, token: string): Promise<string> {
  rejected.length = 0;
  expect(await a.authenticateToken(token)).toBeUndefined();
  expect(rejected).toHaveLength(1);
  return rejected[0]!;
}

describe('verification', () => {
  it('a valid token is its user, with prefixes, not scoped to a logical cluster', async () => {
    const a = authenticator(PLAIN);
    const user = await a.authenticateToken(await issuer.sign({ groups: ['devs', 'ops'] }));
    expect(user).toEqual({ username: 'oidc:alice', groups: ['oidc:devs', 'oidc:ops', 'system:authenticated'] });
    // a single string is one group; aud may be a string naming any configured audience
    expect(await a.authenticateToken(await issuer.sign({ groups: 'devs', aud: 'other' }))).toEqual({ username: 'oidc:alice', groups: ['oidc:devs', 'system:authenticated'] });
  });

  it('tokens of other issuers are not its own (left to the next authenticator)', async () => {
    const a = authenticator(PLAIN);
    rejected.length = 0;
    expect(await a.authenticateToken(await issuer.sign({ iss: `${issuer.url}/` }))).toBeUndefined();
    expect(await a.authenticateToken('not-a-jwt')).toBeUndefined();
    // a token shaped as kplane's service account tokens is theirs, even from this issuer
    expect(await a.authenticateToken(await issuer.sign({ 'kplane.io/cluster': 'root' }))).toBeUndefined();
    expect(rejected).toEqual([]);
  });

  it('refuses forged, expired, not-yet-valid, wrong-audience, none, HS256 and unknown-key tokens', async () => {
    const a = authenticator(PLAIN);
    const now = Math.floor(Date.now() / 1000);
    const good = await issuer.sign({});
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'root' })).toString('base64url')}.${s}`;
    expect(await refusal(a, tampered)).toMatch(/signature verification failed/);
    const flipped = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await refusal(a, flipped)).toMatch(/signature verification failed/);
    expect(await refusal(a, await issuer.sign({ exp: now - 5 }))).toMatch(/^oidc: token is expired/);
    expect(await refusal(a, await issuer.sign({ exp: undefined }))).toMatch(/^oidc: token is expired/);
    expect(await refusal(a, await issuer.sign({ nbf: now + 120 }))).toMatch(/before the nbf \(not before\) time/);
    // go-oidc's minute of leeway on nbf
    expect(await a.authenticateToken(await issuer.sign({ nbf: now + 30 }))).toBeDefined();
    expect(await refusal(a, await issuer.sign({ aud: ['someone-else'] }))).toBe('oidc: expected audience in ["kplane","other"] got ["someone-else"]');
    const forged = await forgedTokens(issuer, {});
    expect(await refusal(a, forged.none)).toMatch(/ERR_JOSE_ALG_NOT_ALLOWED/);
    expect(await refusal(a, forged.hs256)).toMatch(/ERR_JOSE_ALG_NOT_ALLOWED/);
    const stranger = await issuer.newKey('RS256', 'not-published');
    expect(await refusal(a, await issuer.sign({}, stranger))).toMatch(/ERR_JWKS_NO_MATCHING_KEY/);
    // a key of the set under another key's id does not verify either
    expect(await refusal(a, await issuer.sign({}, stranger, { kid: issuer.published[0]!.kid }))).toMatch(/signature verification failed/);
  });

  it('ES256 and PS256 keys verify; a key of a kind the token\'s alg cannot use is no match', async () => {
    const es = await issuer.newKey('ES256');
    const ps = await issuer.newKey('PS384');
    const rs = issuer.published[0]!;
    issuer.publish(rs, es, ps);
    try {
      const a = authenticator(PLAIN);
      expect((await a.authenticateToken(await issuer.sign({}, es)))?.username).toBe('oidc:alice');
      expect((await a.authenticateToken(await issuer.sign({}, ps)))?.username).toBe('oidc:alice');
      // an ES256 token relabelled RS256 under the EC key's id: that key is for ES256 only
      const [, p, s] = (await issuer.sign({}, es)).split('.');
      const relabelled = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: es.kid })).toString('base64url')}.${p}.${s}`;
      expect(await refusal(a, relabelled)).toMatch(/ERR_JWKS_NO_MATCHING_KEY/);
    } finally {
      issuer.publish(rs);
    }
  });
});

describe('key rotation', () => {
  it('a token of a new key fetches the JWKS again; refetches are rate-limited', async () => {
    const old = issuer.published[0]!;
    const a = authenticator(PLAIN, { cooldownMs: 60_000 });
    expect(await a.authenticateToken(await issuer.sign({}))).toBeDefined();
    const fetches = issuer.jwksFetches;
    // the first fetch was just now: an unknown kid within the cooldown does not fetch again
    const next = await issuer.newKey();
    issuer.publish(next);
    try {
      expect(await refusal(a, await issuer.sign({}, next))).toMatch(/ERR_JWKS_NO_MATCHING_KEY/);
      expect(issuer.jwksFetches).toBe(fetches);
      // without a cooldown, the rotation is picked up by the first token of the new key
      const b = authenticator(PLAIN);
      issuer.publish(old);
      expect(await b.authenticateToken(await issuer.sign({}, old))).toBeDefined();
      issuer.publish(next);
      const before = issuer.jwksFetches;
      expect((await b.authenticateToken(await issuer.sign({}, next)))?.username).toBe('oidc:alice');
      expect(issuer.jwksFetches).toBe(before + 1);
      // the old key is gone from the set: its tokens are refused now
      expect(await refusal(b, await issuer.sign({}, old))).toMatch(/ERR_JWKS_NO_MATCHING_KEY/);
      // concurrent unknown kids share one fetch
      const stranger = await issuer.newKey();
      const t = await issuer.sign({}, stranger);
      const f0 = issuer.jwksFetches;
      await Promise.all([b.authenticateToken(t), b.authenticateToken(t), b.authenticateToken(t)]);
      expect(issuer.jwksFetches).toBe(f0 + 1);
    } finally {
      issuer.publish(old);
    }
  });

  it('an issuer that cannot be reached refuses tokens until it can; the CA is checked', async () => {
    const other = await startIssuer();
    const url = other.url;
    const caOfOther = other.caPem;
    // trusting the wrong CA: TLS fails, tokens are refused
    const wrongCA = authenticator(PLAIN, { url, ca: issuer.caPem });
    expect(await refusal(wrongCA, await other.sign({}))).toMatch(/^oidc: authenticator not initialized: .*(self-signed|unable to verify|certificate)/);
    await other.stop();
    const down = authenticator(PLAIN, { url, ca: caOfOther });
    const token = await other.sign({});
    expect(await refusal(down, token)).toMatch(/^oidc: authenticator not initialized: .*ECONNREFUSED/);
  });

  it('the discovery document must name the configured issuer', async () => {
    // configured "<url>/": discovery at <url>/.well-known answers issuer "<url>", which is another issuer
    const a = authenticator(PLAIN, { url: `${issuer.url}/` });
    expect(await refusal(a, await issuer.sign({ iss: `${issuer.url}/` }))).toBe(
      `oidc: authenticator not initialized: oidc: issuer did not match the issuer returned by provider, expected "${issuer.url}/" got "${issuer.url}"`);
  });

  it('discoveryURL: the document is read there, and must still name the configured issuer', async () => {
    const behind = await startIssuer({ advertise: 'https://idp.example.com/realms/acme' });
    try {
      const a = authenticator(PLAIN, { url: 'https://idp.example.com/realms/acme', ca: behind.caPem, discoveryURL: `${behind.served}/.well-known/openid-configuration` });
      expect((await a.authenticateToken(await behind.sign({})))?.username).toBe('oidc:alice');
      expect(behind.discoveryFetches).toBe(1);
    } finally {
      await behind.stop();
    }
  });
});

describe('claim mappings and rules', () => {
  it('CEL: username, groups, uid and extra from claims', async () => {
    const a = authenticator(`  claimValidationRules:
  - expression: "claims.email_verified == true"
    message: email must be verified
  claimMappings:
    username: {expression: "'oidc:' + claims.email"}
    groups: {expression: "claims.roles.map(r, 'role:' + r)"}
    uid: {expression: "claims.sub"}
    extra:
    - {key: example.com/tenant, valueExpression: "claims.tenant"}
    - {key: example.com/empty, valueExpression: "[]"}
    - {key: example.com/levels, valueExpression: "['a', '', 'b']"}
`);
    const user = await a.authenticateToken(await issuer.sign({ email: 'alice@example.com', email_verified: true, roles: ['admin', 'dev'], tenant: 'acme' }));
    expect(user).toEqual({
      username: 'oidc:alice@example.com',
      uid: 'alice',
      groups: ['role:admin', 'role:dev', 'system:authenticated'],
      extra: { 'example.com/tenant': ['acme'], 'example.com/levels': ['a', 'b'] },
    });
    expect(await refusal(a, await issuer.sign({ email: 'alice@example.com', email_verified: false, roles: [], tenant: 'acme' })))
      .toBe("oidc: error evaluating claim validation expression: validation expression 'claims.email_verified == true' failed: email must be verified");
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', email_verified: true, tenant: 'acme' })))
      .toBe('oidc: error evaluating group claim expression: no such key: roles');
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', email_verified: true, roles: [1], tenant: 'acme' })))
      .toMatch(/^oidc: error evaluating group claim expression/);
  });

  it('CEL optional selection: claims.?name.orValue(default)', async () => {
    const a = authenticator(`  claimValidationRules:
  - expression: "claims.?email_verified.orValue(true) == true"
    message: email must be verified
  claimMappings:
    username: {expression: "claims.email"}
    groups: {expression: "claims.?roles.orValue([])"}
`);
    expect(await a.authenticateToken(await issuer.sign({ email: 'a@example.com' }))).toEqual({ username: 'a@example.com', groups: ['system:authenticated'] });
    expect(await a.authenticateToken(await issuer.sign({ email: 'a@example.com', email_verified: true, roles: ['r'] })))
      .toEqual({ username: 'a@example.com', groups: ['r', 'system:authenticated'] });
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', email_verified: false }))).toMatch(/failed: email must be verified$/);
  });

  it('claim + prefix: email needs email_verified when present; uid claim; required claims', async () => {
    const a = authenticator(`  claimValidationRules:
  - {claim: hd, requiredValue: example.com}
  claimMappings:
    username: {claim: email, prefix: ""}
    uid: {claim: oid}
`);
    expect(await a.authenticateToken(await issuer.sign({ email: 'a@example.com', hd: 'example.com', oid: 'o-1' }))).toEqual({ username: 'a@example.com', uid: 'o-1', groups: ['system:authenticated'] });
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', email_verified: false, hd: 'example.com', oid: 'o' }))).toBe('oidc: email not verified');
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', hd: 'evil.com', oid: 'o' }))).toBe('oidc: required claim hd value does not match. Got = evil.com, want = example.com');
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', oid: 'o' }))).toBe('oidc: required claim hd not present in ID token');
    expect(await refusal(a, await issuer.sign({ email: 'a@example.com', hd: 'example.com' }))).toBe('oidc: parse uid claim "oid": claim not present');
    expect(await refusal(a, await issuer.sign({ email: 7, hd: 'example.com', oid: 'o' }))).toMatch(/^oidc: parse username claims "email": json: cannot unmarshal number/);
  });

  it('user validation rules see the mapped user (before system:authenticated is added)', async () => {
    const a = authenticator(`  claimMappings:
    username: {claim: sub, prefix: ""}
    groups: {claim: groups, prefix: ""}
  userValidationRules:
  - expression: "!user.username.startsWith('system:')"
    message: username cannot use reserved system prefix
  - expression: "user.groups.all(g, !g.startsWith('system:'))"
    message: groups cannot use reserved system prefix
  - expression: "!('system:authenticated' in user.groups)"
`);
    expect((await a.authenticateToken(await issuer.sign({ groups: ['devs'] })))!.groups).toEqual(['devs', 'system:authenticated']);
    expect(await refusal(a, await issuer.sign({ sub: 'system:admin' })))
      .toBe("oidc: error evaluating user info validation rule: validation expression '!user.username.startsWith('system:')' failed: username cannot use reserved system prefix");
    expect(await refusal(a, await issuer.sign({ groups: ['system:masters'] })))
      .toBe("oidc: error evaluating user info validation rule: validation expression 'user.groups.all(g, !g.startsWith('system:'))' failed: groups cannot use reserved system prefix");
  });
});
