// An OIDC issuer's signing keys: OpenID discovery (<issuer>/.well-known/openid-configuration, or
// the configured discoveryURL) names the JWKS, which is fetched and kept. As go-oidc does for kube,
// the discovery document must name the configured issuer, the key set is fetched again when a
// token names a key it does not hold (the issuer rotated its keys), and a failed start is retried
// on later use, so kplane starts even while its issuer is down (tokens are refused until then).
//
// Refetches are rate-limited (one per cooldown per issuer, concurrent callers share one request):
// tokens with made-up key ids cannot make kplane hammer the issuer.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';

export type KeySetFunction = ReturnType<typeof createLocalJWKSet>;

export interface IssuerKeysOptions {
  issuerURL: string;
  /** Where the discovery document is (default <issuerURL>/.well-known/openid-configuration). */
  discoveryURL?: string;
  /** PEM: the CAs the issuer's TLS certificates are checked against (default: the system's). */
  certificateAuthority?: string;
  /** The least time between two fetches of the key set (default 10 s). */
  refreshCooldownMs?: number;
  /** One HTTP request's limit (kube's client: 30 s). */
  timeoutMs?: number;
  now?: () => number;
}

const WELL_KNOWN = '/.well-known/openid-configuration';
/** A discovery document or key set larger than this is refused. */
const MAX_BODY_BYTES = 1 << 20;

export class IssuerKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerKeysError';
  }
}

/** GET a JSON document over HTTPS (or HTTP), trusting `ca` when given. */
export function getJSON(url: string, ca: string | undefined, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new IssuerKeysError(`invalid URL ${JSON.stringify(url)}`));
      return;
    }
    const get = u.protocol === 'https:' ? httpsRequest : u.protocol === 'http:' ? httpRequest : undefined;
    if (!get) {
      reject(new IssuerKeysError(`unsupported URL scheme of ${JSON.stringify(url)}`));
      return;
    }
    const req = get(u, { method: 'GET', headers: { Accept: 'application/json' }, timeout: timeoutMs, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(new IssuerKeysError(`${url}: response larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new IssuerKeysError(`${url}: ${res.statusCode ?? 0} ${res.statusMessage ?? ''}: ${text.slice(0, 200)}`));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new IssuerKeysError(`${url}: failed to decode JSON: ${(e as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new IssuerKeysError(`${url}: timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof IssuerKeysError ? e : new IssuerKeysError(`${url}: ${e.message}`)));
    req.end();
  });
}

/** The keys of one issuer, found through discovery and refreshed on unknown key ids. */
export class IssuerKeys {
  private jwksURI: string | undefined;
  private keySet: KeySetFunction | undefined;
  private lastFetch = -Infinity;
  private inFlight: Promise<boolean> | undefined;
  private readonly cooldownMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** The last reason keys could not be had (logging, tests). */
  lastError: string | undefined;

  constructor(private readonly opts: IssuerKeysOptions) {
    this.cooldownMs = opts.refreshCooldownMs ?? 10_000;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** The discovery document's URL. */
  get discoveryURL(): string {
    return this.opts.discoveryURL || `${this.opts.issuerURL.replace(/\/+$/, '')}${WELL_KNOWN}`;
  }

  /** Whether a key set is held. */
  get ready(): boolean {
    return this.keySet !== undefined;
  }

  /** The key set held, fetching it first when none is (undefined: the issuer could not be reached). */
  async current(): Promise<KeySetFunction | undefined> {
    if (!this.keySet) await this.refresh();
    return this.keySet;
  }

  /**
   * Fetches the key set again (discovery first while none is held) unless the last fetch was less
   * than the cooldown ago; concurrent callers share one fetch. Answers whether keys were fetched.
   */
  refresh(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (this.now() - this.lastFetch < this.cooldownMs) return Promise.resolve(false);
    this.lastFetch = this.now();
    this.inFlight = this.fetchKeys().then(() => {
      this.lastError = undefined;
      return true;
    }, (e: unknown) => {
      this.lastError = (e as Error).message;
      return false;
    }).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    if (!this.jwksURI) this.jwksURI = await this.discover();
    const jwks = await getJSON(this.jwksURI, this.opts.certificateAuthority, this.timeoutMs);
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new IssuerKeysError(`${this.jwksURI}: not a JSON Web Key Set`);
    // keys of kinds jose cannot use (or symmetric ones) are never candidates: they are left out
    const usable = keys.filter((k): k is JSONWebKeySet['keys'][number] => !!k && typeof k === 'object' && (k as { kty?: unknown }).kty !== 'oct');
    this.keySet = createLocalJWKSet({ keys: usable });
  }

  /** go-oidc's NewProvider: the document must name this issuer and its key set. */
  private async discover(): Promise<string> {
    const doc = await getJSON(this.discoveryURL, this.opts.certificateAuthority, this.timeoutMs) as Record<string, unknown> | null;
    if (!doc || typeof doc !== 'object') throw new IssuerKeysError(`${this.discoveryURL}: not an OpenID provider configuration`);
    if (doc.issuer !== this.opts.issuerURL) {
      throw new IssuerKeysError(`oidc: issuer did not match the issuer returned by provider, expected ${JSON.stringify(this.opts.issuerURL)} got ${JSON.stringify(doc.issuer)}`);
    }
    if (typeof doc.jwks_uri !== 'string' || !doc.jwks_uri) throw new IssuerKeysError(`${this.discoveryURL}: no jwks_uri`);
    return doc.jwks_uri;
  }
}
