// Authentication: who is calling, as kube-apiserver's authenticator chain decides it:
// - client certificates signed by kplane's CA: CN = user name, O = groups (x509 authenticator),
//   scoped to one logical cluster by a URI SAN kplane://cluster/<name> when they carry one;
// - bearer tokens: service account tokens issued by kplane (serviceaccount-tokens.ts), bound
//   (TokenRequest) or legacy (token Secrets), each valid only in its own logical cluster;
// - nothing: system:anonymous.
// The first authenticator that recognises the caller wins; credentials that are present but
// wrong (and recognised by none) are a 401. OIDC and webhooks arrive behind this interface.

import { timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { forbidden, unauthorized } from '../apimachinery/errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../apimachinery/validation.js';
import { PlainTextError } from '../apiserver/edge.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { UserInfo } from '../registry/types.js';
import { certificateCluster } from './pki.js';
import { serviceAccountUsername, TokenError, type ServiceAccountTokens, type VerifiedToken } from './serviceaccount-tokens.js';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** What the request addresses: its logical cluster (undefined outside /clusters/, '*' for all). */
export interface AuthenticationTarget {
  cluster?: string;
  /**
   * The audiences a token must be meant for (a TokenReview's spec.audiences); unset: the
   * cluster's API audiences.
   */
  audiences?: string[];
  /**
   * Collects why token authenticators refused a token of their kind (a TokenReview's
   * status.error, kube's aggregated authenticator errors); requests never show them.
   */
  rejections?: string[];
}

export interface Authenticator {
  /**
   * The caller, or undefined when the request carries no credentials of this authenticator's
   * kind; throws a 401 for credentials of its kind that are wrong.
   */
  authenticate(req: IncomingMessage, target: AuthenticationTarget): Promise<UserInfo | undefined>;
}

function asArray(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Tries each authenticator in order; the first that knows the caller wins (kube's union). */
export class UnionAuthenticator implements Authenticator {
  private readonly chain: Authenticator[];

  constructor(...chain: Authenticator[]) {
    this.chain = chain;
  }

  async authenticate(req: IncomingMessage, target: AuthenticationTarget): Promise<UserInfo | undefined> {
    let failed: unknown;
    for (const a of this.chain) {
      try {
        const user = await a.authenticate(req, target);
        if (user) return user;
      } catch (e) {
        failed ??= e;
      }
    }
    if (failed) throw failed;
    return undefined;
  }
}

/** A header's values as Go's http.Header holds them (Node joins repeated unknown headers). */
function headerValues(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name] ?? [];
}

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

/** Go's %v of a v1.ObjectReference: its seven fields in order, space-separated. */
function goObjectReference(r: { kind: string; namespace?: string; name: string; apiVersion?: string; fieldPath?: string }): string {
  return `{${[r.kind, r.namespace ?? '', r.name, '', r.apiVersion ?? '', '', r.fieldPath ?? ''].join(' ')}}`;
}

/**
 * Impersonation (Impersonate-User, -Group, -Uid, -Extra-*), as kube's WithImpersonation filter
 * sees it, with every request refused: kplane does not implement impersonation yet (issue 9,
 * identity and access, checks it against RBAC's "impersonate" verb); until then a request asking for it is
 * answered as kube answers a caller without that permission, never served as the caller.
 * Headers without Impersonate-User are kube's 500 (plain text); otherwise the first thing asked
 * for (the user, or the service account it names) is refused with kube's 403.
 */
export function refuseImpersonation(req: IncomingMessage, requestor: UserInfo): void {
  const user = headerValues(req, 'impersonate-user')[0] ?? '';
  const groups = headerValues(req, 'impersonate-group');
  const uid = headerValues(req, 'impersonate-uid')[0] ?? '';
  const extras = Object.keys(req.headersDistinct).filter((h) => h.startsWith(EXTRA_PREFIX));
  if (!user && !groups.length && !uid && !extras.length) return;
  if (!user) {
    const requests = [
      ...groups.map((g) => goObjectReference({ kind: 'Group', name: g })),
      ...extras.flatMap((h) => {
        let key = h.slice(EXTRA_PREFIX.length);
        try { key = decodeURIComponent(key); } catch { /* kept as sent, as kube does */ }
        return headerValues(req, h).map((v) => goObjectReference({ kind: 'UserExtra', name: v, apiVersion: 'authentication.k8s.io/v1', fieldPath: key }));
      }),
      ...(uid ? [goObjectReference({ kind: 'UID', name: uid, apiVersion: 'authentication.k8s.io/v1' })] : []),
    ];
    throw new PlainTextError(500, `Internal Server Error: ${JSON.stringify(req.url ?? '')}: requested [${requests.join(' ')}] without impersonating a user\n`);
  }
  // responsewriters.forbiddenMessage is HTML-escaped (&, <, >)
  const who = requestor.username.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const sa = user.startsWith(SERVICE_ACCOUNT_PREFIX) ? user.slice(SERVICE_ACCOUNT_PREFIX.length).split(':') : [];
  if (sa.length === 2 && isDNS1123Label(sa[0]!).length === 0 && isDNS1123Subdomain(sa[1]!).length === 0) {
    throw forbidden({ group: '', resource: 'serviceaccounts' }, sa[1]!,
      `User ${JSON.stringify(who)} cannot impersonate resource "serviceaccounts" in API group "" in the namespace ${JSON.stringify(sa[0])}`);
  }
  throw forbidden({ group: '', resource: 'users' }, user, `User ${JSON.stringify(who)} cannot impersonate resource "users" in API group "" at the cluster scope`);
}

/** What a TLS connection's client certificate says: read once per connection, not per request. */
const byConnection = new WeakMap<TLSSocket, UserInfo | null | 'unverified'>();

export class ClientCertAuthenticator implements Authenticator {
  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function') return undefined;
    let known = byConnection.get(socket);
    if (known === undefined) {
      known = fromCertificate(socket);
      byConnection.set(socket, known);
    }
    // The TLS layer verified the chain against kplane's CA; an unverified certificate is refused.
    if (known === 'unverified') throw unauthorized();
    return known ?? undefined;
  }
}

function fromCertificate(socket: TLSSocket): UserInfo | null | 'unverified' {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return null;
  if (!socket.authorized) return 'unverified';
  const username = asArray(cert.subject.CN)[0];
  if (!username) return 'unverified';
  const user: UserInfo = { username, groups: [...new Set([...asArray(cert.subject.O), 'system:authenticated'])] };
  // kplane://cluster/<name>: a user of that logical cluster only (tenant A's alice is not B's)
  const cluster = certificateCluster(cert.raw);
  if (cluster === null) return 'unverified';
  if (cluster !== undefined) user.cluster = cluster;
  return user;
}

/** The bearer token of a request, as kube's bearertoken authenticator reads the header. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = (req.headers.authorization ?? '').trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1]!;
  return token || undefined;
}

/** Checks a bearer token; undefined when the token is not of its kind. */
export interface TokenAuthenticator {
  authenticateToken(token: string, target: AuthenticationTarget): Promise<UserInfo | undefined>;
}

/**
 * `Authorization: Bearer <token>` against a list of token authenticators; an unknown token is a
 * 401. Also the union of those authenticators for a token alone (TokenReview).
 */
export class BearerTokenAuthenticator implements Authenticator, TokenAuthenticator {
  private readonly tokens: TokenAuthenticator[];

  constructor(...tokens: TokenAuthenticator[]) {
    this.tokens = tokens;
  }

  async authenticate(req: IncomingMessage, target: AuthenticationTarget): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    const user = await this.authenticateToken(token, target);
    if (user) return user;
    // kube: "invalid bearer token", answered as a plain 401
    throw unauthorized();
  }

  async authenticateToken(token: string, target: AuthenticationTarget): Promise<UserInfo | undefined> {
    for (const t of this.tokens) {
      const user = await t.authenticateToken(token, target);
      if (user) return user;
    }
    return undefined;
  }
}

/** Reads what a service account token depends on, in one logical cluster. */
export interface ServiceAccountGetter {
  getServiceAccount(cluster: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  getSecret(cluster: string, namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** kube's user.CredentialIDKey and the pod/node keys of service account users. */
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';
export const POD_NAME_KEY = 'authentication.kubernetes.io/pod-name';
export const POD_UID_KEY = 'authentication.kubernetes.io/pod-uid';
export const NODE_NAME_KEY = 'authentication.kubernetes.io/node-name';
export const NODE_UID_KEY = 'authentication.kubernetes.io/node-uid';

/** The user of a service account (kube's ServiceAccountInfo.UserInfo). */
export function serviceAccountUser(t: Pick<VerifiedToken, 'namespace' | 'serviceAccount' | 'pod' | 'node' | 'jti'>): UserInfo {
  const user: UserInfo = {
    username: serviceAccountUsername(t.namespace, t.serviceAccount.name),
    uid: t.serviceAccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${t.namespace}`, 'system:authenticated'],
  };
  const extra: Record<string, string[]> = {};
  if (t.pod?.name && t.pod.uid) {
    extra[POD_NAME_KEY] = [t.pod.name];
    extra[POD_UID_KEY] = [t.pod.uid];
  }
  if (t.jti) extra[CREDENTIAL_ID_KEY] = [`JTI=${t.jti}`];
  if (t.node?.name) {
    extra[NODE_NAME_KEY] = [t.node.name];
    if (t.node.uid) extra[NODE_UID_KEY] = [t.node.uid];
  }
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

export interface ServiceAccountTokenAuthenticatorOptions {
  /** Called with the reason a token of kplane's was refused (logging). */
  onReject?: (reason: string) => void;
}

/**
 * kplane's service account tokens (kube's JWT authenticator with the bound and legacy
 * validators): signature, issuer, audience and expiry, then the objects the token depends on
 * must still be there, in the token's own logical cluster, which must be the request's.
 */
export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  constructor(
    private readonly tokens: ServiceAccountTokens,
    private readonly getter: ServiceAccountGetter,
    private readonly opts: ServiceAccountTokenAuthenticatorOptions = {},
  ) {}

  async authenticateToken(token: string, target: AuthenticationTarget): Promise<UserInfo | undefined> {
    if (!this.tokens.isOurs(token)) return undefined;
    try {
      const t = await this.tokens.verify(token, target.cluster, target.audiences);
      await (t.legacy ? this.checkLegacy(t, token) : this.checkBound(t));
      return { ...serviceAccountUser(t), cluster: t.cluster };
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      this.opts.onReject?.(e.message);
      target.rejections?.push(e.message);
      return undefined;
    }
  }

  private async liveServiceAccount(t: VerifiedToken, deletedMessage: string): Promise<KubeObject> {
    const sa = await this.getter.getServiceAccount(t.cluster, t.namespace, t.serviceAccount.name);
    if (!sa) throw new TokenError(`serviceaccounts "${t.serviceAccount.name}" not found`);
    if (sa.metadata.uid !== t.serviceAccount.uid) {
      throw new TokenError(`service account UID (${sa.metadata.uid ?? ''}) does not match claim (${t.serviceAccount.uid})`);
    }
    if (sa.metadata.deletionTimestamp) throw new TokenError(deletedMessage);
    return sa;
  }

  /** Bound tokens: the service account (same uid) and the bound object must exist. */
  private async checkBound(t: VerifiedToken): Promise<void> {
    await this.liveServiceAccount(t, `service account ${t.namespace}/${t.serviceAccount.name} has been deleted`);
    if (t.secret) {
      const secret = await this.getter.getSecret(t.cluster, t.namespace, t.secret.name);
      if (!secret || secret.metadata.deletionTimestamp) throw new TokenError('service account token has been invalidated');
      if (secret.metadata.uid !== t.secret.uid) {
        throw new TokenError(`secret UID (${secret.metadata.uid ?? ''}) does not match service account secret ref claim (${t.secret.uid ?? ''})`);
      }
    }
    // kplane serves no pods or nodes: a token bound to one can never be current
    if (t.pod || t.node) throw new TokenError('service account token has been invalidated');
  }

  /** Legacy tokens: the Secret must exist and hold this very token; the service account must exist. */
  private async checkLegacy(t: VerifiedToken, token: string): Promise<void> {
    const secret = await this.getter.getSecret(t.cluster, t.namespace, t.secret!.name);
    if (!secret || secret.metadata.deletionTimestamp) throw new TokenError('Token has been invalidated');
    const data = secret.data as Record<string, unknown> | undefined;
    const stored = typeof data?.token === 'string' ? Buffer.from(data.token, 'base64') : Buffer.alloc(0);
    const given = Buffer.from(token, 'utf8');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) throw new TokenError("Token does not match server's copy");
    await this.liveServiceAccount(t, `ServiceAccount ${t.namespace}/${t.serviceAccount.name} has been deleted`);
    if (secret.metadata.labels?.['kubernetes.io/legacy-token-invalid-since']) {
      throw new TokenError(`the token in secret ${t.namespace}/${t.secret!.name} for service account ${t.namespace}/${t.serviceAccount.name} has been marked invalid`);
    }
  }
}
