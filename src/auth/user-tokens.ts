// User tokens: bearer tokens that `kplane kubeconfig --token` issues for a user of one logical
// cluster, the token counterpart of a scoped client certificate.
//
// A JWT (ES256) signed with a key of its own, pki/user-token.key, not the service-account key:
// - revoking every user token is rotating that key (delete the file, restart kplane), which leaves
//   service account tokens, and workloads federating with a cluster's service-account issuer, alone;
// - the service-account issuer's keys are what outside relying parties trust for workload identity;
//   a user token is for kplane alone and never verifies with them.
// Claims: iss = <external-url>/clusters/<cluster> (the cluster's issuer, as for service account
// tokens), sub = the user, aud = [iss], iat/nbf/exp, jti, and "kplane.io/user" {username, groups,
// cluster}: that claim names the token's kind, so neither authenticator mistakes one kind for the
// other (a service account token carries "kplane.io/cluster" and "kubernetes.io" instead).
// The authenticator accepts a token only in its own cluster and only before exp, and answers a
// scoped identity (UserInfo.cluster): RBAC lets it into that cluster alone.

import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, CompactSign, exportPKCS8, generateKeyPair, importPKCS8, importSPKI } from 'jose';
import type { UserInfo } from '../registry/types.js';
import { CREDENTIAL_ID_KEY, type AuthenticationTarget, type TokenAuthenticator } from './authn.js';
import { kubeKeyPem, pkcs8Pem } from './pki.js';
import { LEEWAY_SECONDS, peekPayload } from './serviceaccount-tokens.js';
import { parseClusterName } from '../tenancy/logicalcluster.js';

export const USER_CLAIM = 'kplane.io/user';
export const USER_TOKEN_KEY_FILE = 'user-token.key';
const ALG = 'ES256';

type Key = Awaited<ReturnType<typeof importPKCS8>>;

export interface UserTokenKey {
  privateKey: Key;
  publicKey: Key;
  keyId: string;
}

export interface UserTokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  [USER_CLAIM]: { username: string; groups: string[]; cluster: string };
}

async function keyFromPem(privatePem: string): Promise<UserTokenKey> {
  const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  const der = createPublicKey(privatePem).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await importPKCS8(pkcs8Pem(privatePem), ALG),
    publicKey: await importSPKI(publicPem, ALG),
    keyId: createHash('sha256').update(der).digest('base64url'),
  };
}

/** The key in dir (kplane's pki directory), made on first start (EC P-256, SEC1 as kube's tooling writes EC keys). */
export async function loadOrCreateUserTokenKey(dir: string): Promise<UserTokenKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, USER_TOKEN_KEY_FILE);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const pair = await generateKeyPair(ALG, { extractable: true });
    pem = kubeKeyPem(await exportPKCS8(pair.privateKey));
    await writeFile(path, pem, { mode: 0o600 });
  }
  return keyFromPem(pem);
}

/** The key from its PEM (the CLI reads it from the data directory). */
export function userTokenKeyFromPem(pem: string): Promise<UserTokenKey> {
  return keyFromPem(pem);
}

/** The issuer of a cluster's tokens: <external URL>/clusters/<cluster>. */
export function userTokenIssuer(externalURL: string, cluster: string): string {
  return `${externalURL.replace(/\/+$/, '')}/clusters/${cluster}`;
}

export interface IssueUserTokenRequest {
  /** kplane's external URL (the admin kubeconfig's server). */
  externalURL: string;
  cluster: string;
  username: string;
  groups: string[];
  ttlSeconds: number;
  /** The issue time (default now). */
  now?: Date;
}

export async function issueUserToken(key: UserTokenKey, r: IssueUserTokenRequest): Promise<{ token: string; claims: UserTokenClaims; expiresAt: Date }> {
  const iat = Math.floor((r.now ?? new Date()).getTime() / 1000);
  const iss = userTokenIssuer(r.externalURL, r.cluster);
  const claims: UserTokenClaims = {
    aud: [iss],
    exp: iat + r.ttlSeconds,
    iat,
    iss,
    jti: randomUUID(),
    [USER_CLAIM]: { username: r.username, groups: [...r.groups], cluster: r.cluster },
    nbf: iat,
    sub: r.username,
  };
  const token = await new CompactSign(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: ALG, kid: key.keyId, typ: 'JWT' })
    .sign(key.privateKey);
  return { token, claims, expiresAt: new Date(claims.exp * 1000) };
}

export interface UserTokenAuthenticatorOptions {
  /** kplane's external URL, read at every use (issuers are <url>/clusters/<cluster>). */
  externalURL: () => string;
  now?: () => Date;
  /** Called with the reason a user token was refused (logging). */
  onReject?: (reason: string) => void;
}

/** Accepts user tokens (those with the kplane.io/user claim) in their own logical cluster. */
export class UserTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly key: UserTokenKey, private readonly opts: UserTokenAuthenticatorOptions) {}

  async authenticateToken(token: string, target: AuthenticationTarget): Promise<UserInfo | undefined> {
    const peek = peekPayload(token);
    if (!peek || !peek[USER_CLAIM]) return undefined;
    const why = await this.check(token, target);
    if (typeof why === 'string') {
      this.opts.onReject?.(why);
      return undefined;
    }
    return why;
  }

  private async check(token: string, target: AuthenticationTarget): Promise<UserInfo | string> {
    let claims: Record<string, unknown>;
    try {
      const res = await compactVerify(token, this.key.publicKey, { algorithms: [ALG] });
      if (res.protectedHeader.kid !== undefined && res.protectedHeader.kid !== this.key.keyId) return 'invalid signature, no keys found';
      claims = JSON.parse(Buffer.from(res.payload).toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      return `invalid signature: ${(e as Error).message}`;
    }
    const u = claims[USER_CLAIM] as { username?: unknown; groups?: unknown; cluster?: unknown } | undefined;
    const cluster = typeof u?.cluster === 'string' ? parseClusterName(u.cluster) : undefined;
    if (!u || !cluster || cluster === '*' || typeof u.username !== 'string' || !u.username) return 'malformed kplane.io/user claim';
    const groups = Array.isArray(u.groups) && u.groups.every((g) => typeof g === 'string') ? (u.groups as string[]) : undefined;
    if (!groups) return 'malformed kplane.io/user claim';
    // tenant isolation: the token is good in the cluster it names, nowhere else
    if (target.cluster !== cluster) return `user token of logical cluster "${cluster}" is not valid for ${target.cluster === undefined ? 'requests outside a logical cluster' : `logical cluster "${target.cluster}"`}`;
    const iss = userTokenIssuer(this.opts.externalURL(), cluster);
    if (claims.iss !== iss) return `token issuer "${String(claims.iss)}" is invalid`;
    if (claims.sub !== u.username) return 'sub claim is invalid';
    const auds = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    const wanted = target.audiences?.length ? target.audiences : [iss];
    if (!auds.some((a) => wanted.includes(a as string))) return 'token audiences are invalid';
    const now = Math.floor((this.opts.now?.() ?? new Date()).getTime() / 1000);
    const num = (k: string) => (typeof claims[k] === 'number' ? (claims[k] as number) : undefined);
    const exp = num('exp');
    const nbf = num('nbf');
    // go-jose's Claims.Validate with its default leeway, as for service account tokens
    if (exp === undefined) return 'user token has no expiry';
    if (now > exp + LEEWAY_SECONDS) return 'user token has expired';
    if (nbf !== undefined && now + LEEWAY_SECONDS < nbf) return 'user token is not valid yet';
    const user: UserInfo = { username: u.username, groups: [...new Set([...groups, 'system:authenticated'])], cluster };
    if (typeof claims.jti === 'string' && claims.jti) user.extra = { [CREDENTIAL_ID_KEY]: [`JTI=${claims.jti}`] };
    return user;
  }
}
