// Service account tokens: JWTs signed with kplane's service-account key (RS256, made on first
// start next to the CA as pki/sa.key + pki/sa.pub), with kube's claims plus the logical cluster.
//
// Bound tokens (TokenRequest) carry kube's claims: iss, sub, aud, exp, iat, nbf, jti and the
// "kubernetes.io" private claim (namespace, serviceaccount {name, uid}, secret/pod/node refs,
// warnafter). Legacy tokens (Secrets of type kubernetes.io/service-account-token) carry kube's
// legacy claims (iss "kubernetes/serviceaccount", sub, kubernetes.io/serviceaccount/* names) and
// never expire. Both carry "kplane.io/cluster": the logical cluster that issued them. The issuer
// of bound tokens is per cluster (<external-url>/clusters/<cluster>), and so is the API audience
// (kube's --api-audiences defaults to the issuer): a token of one tenant names its cluster three
// times over, and verify() refuses it for any other cluster.
//
// This module only signs and checks signatures and claims; whether the service account, secret
// or bound object still exists is the authenticator's lookup (authn.ts).

import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeKeyPem, pkcs8Pem } from './pki.js';
import { CompactSign, compactVerify, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from 'jose';

type Key = Awaited<ReturnType<typeof importPKCS8>>;

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const CLUSTER_CLAIM = 'kplane.io/cluster';
/** go-jose's jwt.DefaultLeeway: exp, nbf and iat are checked with one minute of slack. */
export const LEEWAY_SECONDS = 60;
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
const ALG = 'RS256';

const LEGACY_NAMESPACE = 'kubernetes.io/serviceaccount/namespace';
const LEGACY_SECRET_NAME = 'kubernetes.io/serviceaccount/secret.name';
const LEGACY_SA_NAME = 'kubernetes.io/serviceaccount/service-account.name';
const LEGACY_SA_UID = 'kubernetes.io/serviceaccount/service-account.uid';

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The "kubernetes.io" private claim of bound tokens. */
export interface KubernetesClaim {
  namespace: string;
  node?: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  serviceaccount: ObjectRef;
  warnafter?: number;
}

export interface BoundClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kplane.io/cluster': string;
  'kubernetes.io': KubernetesClaim;
  nbf: number;
  sub: string;
}

/** What a verified token says (the authenticator still checks that it is current). */
export interface VerifiedToken {
  legacy: boolean;
  cluster: string;
  namespace: string;
  serviceAccount: { name: string; uid: string };
  /** Legacy tokens: the Secret holding the token. Bound tokens: the Secret they are bound to. */
  secret?: { name: string; uid?: string };
  pod?: ObjectRef;
  node?: ObjectRef;
  /** Bound tokens: the jti (kube's credential id is "JTI=<jti>"). */
  jti?: string;
  /** The audiences of the token that the API accepts. */
  audiences: string[];
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** The signing key pair; the key id is kube's: base64url(sha256(DER SubjectPublicKeyInfo)). */
export interface SigningKey {
  privateKey: Key;
  publicKey: Key;
  keyId: string;
  publicPem: string;
}

function keyIdOf(publicPem: string): string {
  const der = createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

async function readIf(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Loads pki/sa.key (and sa.pub) from dir, making an RSA 2048 key pair on first use. */
export async function loadOrCreateSigningKey(dir: string): Promise<SigningKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, 'sa.key');
  const pubPath = join(dir, 'sa.pub');
  let privatePem = await readIf(keyPath);
  let publicPem: string;
  if (!privatePem) {
    const pair = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
    // PKCS#1, as kube's tooling writes sa.key (an older PKCS#8 sa.key is read as it is)
    privatePem = kubeKeyPem(await exportPKCS8(pair.privateKey));
    publicPem = await exportSPKI(pair.publicKey);
    await writeFile(keyPath, privatePem, { mode: 0o600 });
    await writeFile(pubPath, publicPem);
  } else {
    publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
    if ((await readIf(pubPath)) !== publicPem) await writeFile(pubPath, publicPem);
  }
  return {
    privateKey: await importPKCS8(pkcs8Pem(privatePem), ALG),
    publicKey: await importSPKI(publicPem, ALG),
    keyId: keyIdOf(publicPem),
    publicPem,
  };
}

export interface IssueBoundRequest {
  cluster: string;
  serviceAccount: { namespace: string; name: string; uid: string };
  secret?: ObjectRef;
  pod?: ObjectRef;
  node?: ObjectRef;
  /** Empty: the cluster's API audience. */
  audiences: string[];
  expirationSeconds: number;
  /** warnafter, seconds after issue (kube's extended pod tokens); 0 = none. */
  warnAfterSeconds?: number;
}

export interface IssuedToken {
  token: string;
  claims: BoundClaims;
  issuedAt: Date;
  expiresAt: Date;
}

export interface ServiceAccountTokensOptions {
  /** The external URL of kplane (issuers are <url>/clusters/<cluster>); read at every use. */
  externalURL: () => string;
  /** The clock (tests). */
  now?: () => Date;
}

/** Issues and verifies service account tokens for every logical cluster. */
export class ServiceAccountTokens {
  private readonly now: () => Date;

  constructor(private readonly key: SigningKey, private readonly opts: ServiceAccountTokensOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  get keyId(): string {
    return this.key.keyId;
  }

  /** The issuer of bound tokens of a logical cluster. */
  issuerFor(cluster: string): string {
    return `${this.opts.externalURL().replace(/\/+$/, '')}/clusters/${cluster}`;
  }

  /** The audiences the cluster's API accepts (kube's --api-audiences, defaulting to the issuer). */
  apiAudiences(cluster: string): string[] {
    return [this.issuerFor(cluster)];
  }

  /** The current time (the TokenRequest handler stamps creation and expiry with it). */
  clock(): Date {
    return this.now();
  }

  async issueBound(r: IssueBoundRequest, at: Date = this.now()): Promise<IssuedToken> {
    const iat = Math.floor(at.getTime() / 1000);
    // sorted keys, as go-jose writes the merged claims
    const k8s = { namespace: r.serviceAccount.namespace } as KubernetesClaim;
    if (r.node) k8s.node = { name: r.node.name, uid: r.node.uid };
    if (r.pod) k8s.pod = { name: r.pod.name, uid: r.pod.uid };
    if (r.secret) k8s.secret = { name: r.secret.name, uid: r.secret.uid };
    k8s.serviceaccount = { name: r.serviceAccount.name, uid: r.serviceAccount.uid };
    if (r.warnAfterSeconds) k8s.warnafter = iat + r.warnAfterSeconds;
    const claims: BoundClaims = {
      aud: r.audiences.length ? [...r.audiences] : this.apiAudiences(r.cluster),
      exp: iat + r.expirationSeconds,
      iat,
      iss: this.issuerFor(r.cluster),
      jti: randomUUID(),
      [CLUSTER_CLAIM]: r.cluster,
      'kubernetes.io': k8s,
      nbf: iat,
      sub: serviceAccountUsername(r.serviceAccount.namespace, r.serviceAccount.name),
    };
    return {
      token: await this.sign(claims),
      claims,
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date((iat + r.expirationSeconds) * 1000),
    };
  }

  /** A legacy, non-expiring token for a token Secret (kube's serviceaccount-token controller). */
  async issueLegacy(cluster: string, sa: { namespace: string; name: string; uid: string }, secretName: string): Promise<string> {
    return this.sign({
      iss: LEGACY_ISSUER,
      [CLUSTER_CLAIM]: cluster,
      [LEGACY_NAMESPACE]: sa.namespace,
      [LEGACY_SECRET_NAME]: secretName,
      [LEGACY_SA_NAME]: sa.name,
      [LEGACY_SA_UID]: sa.uid,
      sub: serviceAccountUsername(sa.namespace, sa.name),
    });
  }

  private async sign(claims: object): Promise<string> {
    return new CompactSign(Buffer.from(JSON.stringify(claims)))
      .setProtectedHeader({ alg: ALG, kid: this.key.keyId })
      .sign(this.key.privateKey);
  }

  /** Whether a bearer token looks like one of kplane's (a JWT whose issuer kplane uses). */
  isOurs(token: string): boolean {
    const payload = peekPayload(token);
    if (!payload || typeof payload.iss !== 'string') return false;
    return payload.iss === LEGACY_ISSUER || typeof payload[CLUSTER_CLAIM] === 'string';
  }

  /**
   * Checks signature, issuer, cluster, audience and times of a token presented to `cluster`
   * (undefined: a request outside any logical cluster, '*': the cross-cluster view), for one of
   * `audiences` (default: the cluster's API audiences). Throws TokenError with kube's reason texts.
   */
  async verify(token: string, cluster: string | undefined, audiences?: string[]): Promise<VerifiedToken> {
    const payload = peekPayload(token);
    if (!payload) throw new TokenError('token is not a JWT');
    let verified: Uint8Array;
    try {
      const res = await compactVerify(token, this.key.publicKey, { algorithms: [ALG] });
      if (res.protectedHeader.kid !== undefined && res.protectedHeader.kid !== this.key.keyId) throw new TokenError('invalid signature, no keys found');
      verified = res.payload;
    } catch (e) {
      if (e instanceof TokenError) throw e;
      throw new TokenError(`invalid signature: ${(e as Error).message}`);
    }
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(verified).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new TokenError('malformed claims');
    }
    const tokenCluster = claims[CLUSTER_CLAIM];
    if (typeof tokenCluster !== 'string' || !tokenCluster) throw new TokenError('the token names no logical cluster');
    // tenant isolation: a token is only good in the logical cluster that issued it
    if (cluster === undefined || cluster !== tokenCluster) {
      throw new TokenError(`token of logical cluster "${tokenCluster}" is not valid for ${cluster === undefined ? 'requests outside a logical cluster' : `logical cluster "${cluster}"`}`);
    }
    const legacy = claims.iss === LEGACY_ISSUER;
    if (!legacy && claims.iss !== this.issuerFor(cluster)) throw new TokenError(`token issuer "${String(claims.iss)}" is invalid`);

    const implicit = audiences?.length ? audiences : this.apiAudiences(cluster);
    const tokenAuds = audiencesOf(claims.aud);
    const auds = tokenAuds.length === 0 ? implicit : tokenAuds.filter((a) => implicit.includes(a));
    if (auds.length === 0) {
      throw new TokenError(`token audiences ${goStrings(tokenAuds)} is invalid for the target audiences ${goStrings(implicit)}`);
    }
    return legacy ? this.legacyClaims(claims, tokenCluster, auds) : this.boundClaims(claims, tokenCluster, auds);
  }

  private legacyClaims(c: Record<string, unknown>, cluster: string, audiences: string[]): VerifiedToken {
    const sub = str(c.sub);
    if (!sub) throw new TokenError('sub claim is missing');
    const namespace = str(c[LEGACY_NAMESPACE]);
    if (!namespace) throw new TokenError('namespace claim is missing');
    const secretName = str(c[LEGACY_SECRET_NAME]);
    if (!secretName) throw new TokenError('secretName claim is missing');
    const name = str(c[LEGACY_SA_NAME]);
    if (!name) throw new TokenError('serviceAccountName claim is missing');
    const uid = str(c[LEGACY_SA_UID]);
    if (!uid) throw new TokenError('serviceAccountUID claim is missing');
    if (sub !== serviceAccountUsername(namespace, name)) throw new TokenError('sub claim is invalid');
    return { legacy: true, cluster, namespace, serviceAccount: { name, uid }, secret: { name: secretName }, audiences };
  }

  private boundClaims(c: Record<string, unknown>, cluster: string, audiences: string[]): VerifiedToken {
    const now = Math.floor(this.now().getTime() / 1000);
    const num = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : undefined);
    const exp = num('exp');
    const nbf = num('nbf');
    const iat = num('iat');
    // go-jose's Claims.Validate with the default leeway
    if (exp === undefined) throw new TokenError('service account token has no expiry');
    if (now > exp + LEEWAY_SECONDS) throw new TokenError('service account token has expired');
    if (nbf !== undefined && now + LEEWAY_SECONDS < nbf) throw new TokenError('service account token is not valid yet');
    if (iat !== undefined && now + LEEWAY_SECONDS < iat) throw new TokenError('service account token is issued in the future');
    const k = c['kubernetes.io'];
    if (!k || typeof k !== 'object') throw new TokenError('service account token claims could not be validated due to unexpected private claim');
    const priv = k as Record<string, unknown>;
    const ref = (v: unknown): ObjectRef | undefined => {
      if (!v || typeof v !== 'object') return undefined;
      const r = v as Record<string, unknown>;
      return { name: str(r.name), uid: str(r.uid) };
    };
    const namespace = str(priv.namespace);
    const sa = ref(priv.serviceaccount);
    if (!namespace || !sa?.name) throw new TokenError('service account token claims could not be validated due to unexpected private claim');
    if (str(c.sub) !== serviceAccountUsername(namespace, sa.name)) throw new TokenError('sub claim is invalid');
    const out: VerifiedToken = { legacy: false, cluster, namespace, serviceAccount: sa, audiences };
    const secret = ref(priv.secret);
    const pod = ref(priv.pod);
    const node = ref(priv.node);
    if (secret) out.secret = secret;
    if (pod) out.pod = pod;
    if (node) out.node = node;
    if (typeof c.jti === 'string' && c.jti) out.jti = c.jti;
    return out;
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function audiencesOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : [];
}

/** Go's %q of a []string-like Audiences value: ["a" "b"]. */
function goStrings(v: string[]): string {
  return `[${v.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** The unverified payload of a compact JWT, or undefined when it is not one (kube's hasCorrectIssuer parse). */
export function peekPayload(token: string): Record<string, unknown> | undefined {
  if (token.trim().startsWith('{')) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const v = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
