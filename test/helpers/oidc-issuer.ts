// A small real OIDC issuer for tests: HTTPS on a free 127.0.0.1 port with its own CA, serving the
// discovery document and a JWKS of keys made with jose, which the test can rotate; it signs ID
// tokens with any of its keys (or with a key it does not publish) and counts the JWKS fetches.

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { createCA, issue } from '../../src/auth/pki.js';

export interface IssuerKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIssuer {
  url: string;
  caPem: string;
  /** The keys the JWKS serves now. */
  published: IssuerKey[];
  jwksFetches: number;
  discoveryFetches: number;
  newKey(alg?: string, kid?: string): Promise<IssuerKey>;
  /** Serves exactly these keys from now on. */
  publish(...keys: IssuerKey[]): void;
  /** A signed ID token: iss, aud, iat, exp (1 h) and sub default to this issuer's and 'alice'. */
  sign(claims: JWTPayload & Record<string, unknown>, key?: IssuerKey, header?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

let kids = 0;

/**
 * `advertise`: the issuer URL the tokens and the discovery document name, when it is not where the
 * issuer is served (as behind a discoveryURL); `served` is where it listens either way.
 */
export async function startIssuer(opts: { path?: string; audience?: string; advertise?: string } = {}): Promise<TestIssuer & { served: string }> {
  const ca = await createCA('test-oidc-ca');
  const serving = await issue(ca, { commonName: '127.0.0.1', ips: ['127.0.0.1'], dnsNames: ['localhost'], usage: 'server' });
  const path = opts.path ?? '';
  let url = '';
  let served = '';
  const state: TestIssuer & { served: string } = {
    url: '',
    served: '',
    caPem: ca.certPem,
    published: [],
    jwksFetches: 0,
    discoveryFetches: 0,
    async newKey(alg = 'RS256', kid = `key-${++kids}`) {
      const pair = await generateKeyPair(alg, { extractable: true });
      const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
      return { kid, alg, privateKey: pair.privateKey, publicJwk };
    },
    publish(...keys) {
      state.published = keys;
    },
    async sign(claims, key = state.published[0]!, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: url, aud: opts.audience ?? 'kplane', sub: 'alice', iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
        .sign(key.privateKey);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    const p = new URL(req.url ?? '/', 'https://x').pathname;
    if (req.method === 'GET' && p === `${path}/.well-known/openid-configuration`) {
      state.discoveryFetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({
        issuer: url, jwks_uri: `${served}/keys`, response_types_supported: ['id_token'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      }));
      return;
    }
    if (req.method === 'GET' && p === `${path}/keys`) {
      state.jwksFetches++;
      res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: state.published.map((k) => k.publicJwk) }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  served = `https://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  url = opts.advertise ?? served;
  state.url = url;
  state.served = served;
  state.publish(await state.newKey());
  return state;
}

/** An unsigned token (alg none) and an HS256 token keyed with the issuer's public key (the classic confusion attack). */
export async function forgedTokens(issuer: TestIssuer, claims: Record<string, unknown>): Promise<{ none: string; hs256: string }> {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = { iss: issuer.url, aud: 'kplane', sub: 'alice', iat: now, exp: now + 3600, ...claims };
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(body)}.`;
  const { createHmac, createPublicKey } = await import('node:crypto');
  const key = issuer.published[0]!;
  const pem = createPublicKey({ key: key.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(body)}`;
  const hs256 = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  return { none, hs256 };
}
