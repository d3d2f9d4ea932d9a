// OIDC ID tokens: one JWT authenticator of the AuthenticationConfiguration (kube's oidc plugin).
// A token is this authenticator's when its (unverified) iss is the configured issuer URL, exactly;
// others are left to the next authenticator. Then, as kube with go-oidc v2 checks it:
// - the signature, by a key of the issuer's JWKS (jwks.ts), with an asymmetric algorithm only
//   (RS/ES/PS 256/384/512): `none`, HS256 (also "HMAC keyed with the public key") never verify;
// - iss exactly the issuer URL; aud holding one of the configured audiences (MatchAny);
// - exp present and not passed (no leeway, as go-oidc); nbf at most one minute ahead (go-oidc's
//   leeway); iat is not checked (neither does kube);
// - the claim mappings (claim + prefix, or CEL on `claims`), required claims, CEL claim validation
//   rules, then the user validation rules (CEL on `user`).
// A token that fails any of these is refused (the bearer chain answers 401); the reason is
// logged, never sent. OIDC users belong to no logical cluster: RBAC in each decides.

import { compactVerify, errors as joseErrors, type CryptoKey, type KeyObject } from 'jose';
import type { CelInput, CelValue } from '@bufbuild/cel';
import { isCelList } from '@bufbuild/cel';
import { toCelValue } from '../../apiextensions/cel/values.js';
import { evalErrorText, isEvalError, PER_CALL_LIMIT } from '../../apiextensions/cel/runtime.js';
import type { UserInfo } from '../../registry/types.js';
import type { TokenAuthenticator } from '../authn.js';
import { CLUSTER_CLAIM, peekPayload } from '../serviceaccount-tokens.js';
import type { CompiledCEL, CompiledJWTAuthenticator, Mapping } from './config.js';
import { IssuerKeys, type IssuerKeysOptions } from './jwks.js';

/** The signing algorithms kube's oidc authenticator allows (AllValidSigningAlgorithms). */
export const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
/** go-oidc v2's leeway on nbf. */
export const NBF_LEEWAY_SECONDS = 60;

export class OIDCTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OIDCTokenError';
  }
}

export interface OIDCAuthenticatorOptions {
  now?: () => Date;
  /** Called with the reason a token of this issuer was refused (logging). */
  onReject?: (reason: string) => void;
  /** Options of the key fetcher (tests: a shorter refresh cooldown). */
  keys?: Partial<IssuerKeysOptions>;
}

type Claims = Record<string, unknown>;

/** A CEL result as kube's convertCELValueToStringList reads it: "" and [] are none. */
function stringList(v: CelValue, what: string): string[] {
  if (typeof v === 'string') return v ? [v] : [];
  if (v === null) return [];
  if (isCelList(v)) {
    const out: string[] = [];
    for (const x of v as Iterable<unknown>) {
      if (typeof x !== 'string') throw new OIDCTokenError(`${what}: expression must return a string or a list of strings`);
      if (x) out.push(x);
    }
    return out;
  }
  throw new OIDCTokenError(`${what}: expression must return a string or a list of strings`);
}

function evaluate(cel: CompiledCEL, bindings: Record<string, CelInput>, what: string): CelValue {
  const r = cel.program.eval(bindings, PER_CALL_LIMIT);
  if (r.exceeded) throw new OIDCTokenError(`${what}: operation cancelled: actual cost limit exceeded`);
  if (isEvalError(r.value)) throw new OIDCTokenError(`${what}: ${evalErrorText(r.value)}`);
  return r.value;
}

export class OIDCAuthenticator implements TokenAuthenticator {
  readonly issuerURL: string;
  readonly keys: IssuerKeys;
  private readonly audiences: Set<string>;
  private readonly now: () => Date;

  constructor(private readonly config: CompiledJWTAuthenticator, private readonly opts: OIDCAuthenticatorOptions = {}) {
    const is = config.spec.issuer;
    this.issuerURL = is.url;
    this.audiences = new Set(is.audiences);
    this.now = opts.now ?? (() => new Date());
    this.keys = new IssuerKeys({
      issuerURL: is.url, discoveryURL: is.discoveryURL, certificateAuthority: is.certificateAuthority, ...opts.keys,
    });
  }

  /** Fetches the issuer's keys in the background (kube initialises its verifier asynchronously). */
  start(): void {
    void this.keys.refresh();
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const untrusted = peekPayload(token);
    if (!untrusted || untrusted.iss !== this.issuerURL) return undefined;
    // kplane's own service account tokens are never OIDC users, even where an issuer is configured
    // as a cluster's service account issuer (kube refuses such issuers: disallowedIssuers); else a
    // token its own authenticator refused (deleted account, other cluster) would pass here unscoped
    if (CLUSTER_CLAIM in untrusted) return undefined;
    try {
      return await this.verify(token);
    } catch (e) {
      if (!(e instanceof OIDCTokenError)) throw e;
      this.opts.onReject?.(e.message);
      return undefined;
    }
  }

  /** The user of a token of this issuer; throws OIDCTokenError with kube's reason. */
  async verify(token: string): Promise<UserInfo> {
    const claims = await this.verifiedClaims(token);
    const m = this.config;
    const celClaims = (): CelInput => toCelValue(claims, undefined);
    let cached: CelInput | undefined;
    const bind = (): Record<string, CelInput> => ({ claims: (cached ??= celClaims()) });

    const username = this.username(claims, m.username, bind);
    const user: UserInfo = { username, groups: this.groups(claims, m.groups, bind) };
    const uid = this.uid(claims, m.uid, bind);
    if (uid) user.uid = uid;
    const extra: Record<string, string[]> = {};
    for (const x of m.extra) {
      const values = stringList(evaluate(x, bind(), 'oidc: error evaluating extra claim expression'), `oidc: error evaluating extra claim expression: ${x.expression}`);
      if (values.length) extra[x.key] = values;
    }
    if (Object.keys(extra).length) user.extra = extra;

    for (const r of m.requiredClaims) {
      if (!(r.claim in claims)) throw new OIDCTokenError(`oidc: required claim ${r.claim} not present in ID token`);
      const v = claims[r.claim];
      if (typeof v !== 'string') throw new OIDCTokenError(`oidc: parse claim ${r.claim}: json: cannot unmarshal ${typeof v} into Go value of type string`);
      if (v !== r.requiredValue) throw new OIDCTokenError(`oidc: required claim ${r.claim} value does not match. Got = ${v}, want = ${r.requiredValue}`);
    }
    for (const r of m.claimValidationRules) {
      const v = evaluate(r, bind(), 'oidc: error evaluating claim validation expression');
      if (typeof v !== 'boolean') throw new OIDCTokenError('oidc: error evaluating claim validation expression: validation expression must return a boolean');
      if (!v) throw new OIDCTokenError(`oidc: error evaluating claim validation expression: validation expression '${r.expression}' failed: ${r.message}`);
    }
    if (m.userValidationRules.length) {
      const celUser = new Map<string, CelInput>([
        ['username', user.username], ['uid', user.uid ?? ''], ['groups', [...user.groups]],
        ['extra', new Map(Object.entries(user.extra ?? {}).map(([k, v]) => [k, [...v] as CelInput]))],
      ]);
      for (const r of m.userValidationRules) {
        const v = evaluate(r, { user: celUser as unknown as CelInput }, 'oidc: error evaluating user info validation rule');
        if (typeof v !== 'boolean') throw new OIDCTokenError('oidc: error evaluating user info validation rule: validation expression must return a boolean');
        if (!v) throw new OIDCTokenError(`oidc: error evaluating user info validation rule: validation expression '${r.expression}' failed: ${r.message}`);
      }
    }
    if (!user.username) throw new OIDCTokenError('oidc: the username is empty');
    // kube's AuthenticatedGroupAdder, which runs after the authenticator (and its user rules)
    if (!user.groups.includes('system:authenticated')) user.groups.push('system:authenticated');
    return user;
  }

  private async verifiedClaims(token: string): Promise<Claims> {
    const payload = await this.verifySignature(token);
    let claims: Claims;
    try {
      const v = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      claims = v as Claims;
    } catch (e) {
      throw new OIDCTokenError(`oidc: malformed jwt payload: ${(e as Error).message}`);
    }
    if (claims.iss !== this.issuerURL) {
      throw new OIDCTokenError(`oidc: id token issued by a different provider, expected ${JSON.stringify(this.issuerURL)} got ${JSON.stringify(claims.iss)}`);
    }
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
    if (!aud.some((a) => this.audiences.has(a))) {
      throw new OIDCTokenError(`oidc: expected audience in ${JSON.stringify([...this.audiences].sort())} got ${JSON.stringify(aud)}`);
    }
    const now = this.now().getTime() / 1000;
    const num = (k: string): number | undefined => {
      const v = claims[k];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number') throw new OIDCTokenError(`oidc: failed to unmarshal claims: ${k} is not a number`);
      return v;
    };
    const exp = num('exp') ?? 0;
    if (exp < now) throw new OIDCTokenError(`oidc: token is expired (Token Expiry: ${new Date(exp * 1000).toISOString()})`);
    const nbf = num('nbf');
    if (nbf !== undefined && now + NBF_LEEWAY_SECONDS < nbf) {
      throw new OIDCTokenError(`oidc: current time ${new Date(now * 1000).toISOString()} before the nbf (not before) time: ${new Date(nbf * 1000).toISOString()}`);
    }
    return claims;
  }

  /** The signature, checked against the issuer's keys; an unknown key id fetches the keys again. */
  private async verifySignature(token: string): Promise<Uint8Array> {
    const set = await this.keys.current();
    if (!set) throw new OIDCTokenError(`oidc: authenticator not initialized: ${this.keys.lastError ?? 'no keys'}`);
    try {
      return await this.withKeys(token, set);
    } catch (e) {
      if (!(e instanceof joseErrors.JWKSNoMatchingKey)) throw this.refusal(e);
    }
    // a key id not held: the issuer may have rotated its keys
    await this.keys.refresh();
    const again = await this.keys.current();
    try {
      return await this.withKeys(token, again!);
    } catch (e) {
      throw this.refusal(e);
    }
  }

  private async withKeys(token: string, set: NonNullable<Awaited<ReturnType<IssuerKeys['current']>>>): Promise<Uint8Array> {
    const options = { algorithms: ALLOWED_ALGORITHMS };
    try {
      return (await compactVerify(token, set, options)).payload;
    } catch (e) {
      // several keys without ids fit the token: each is tried, as go-oidc tries every key
      if (!(e instanceof joseErrors.JWKSMultipleMatchingKeys)) throw e;
      for await (const key of e as unknown as AsyncIterable<CryptoKey | KeyObject>) {
        try {
          return (await compactVerify(token, key, options)).payload;
        } catch (inner) {
          if (!(inner instanceof joseErrors.JWSSignatureVerificationFailed)) throw inner;
        }
      }
      throw new joseErrors.JWSSignatureVerificationFailed();
    }
  }

  private refusal(e: unknown): unknown {
    if (e instanceof OIDCTokenError) return e;
    if (e instanceof joseErrors.JOSEError) return new OIDCTokenError(`oidc: verify token: ${e.code}: ${e.message}`);
    return e;
  }

  private username(claims: Claims, m: Mapping, bind: () => Record<string, CelInput>): string {
    if ('cel' in m) {
      const v = evaluate(m.cel, bind(), 'oidc: error evaluating username claim expression');
      if (typeof v !== 'string') throw new OIDCTokenError('oidc: error evaluating username claim expression: username claim expression must return a string');
      return v;
    }
    if (!(m.claim in claims)) throw new OIDCTokenError(`oidc: parse username claims ${JSON.stringify(m.claim)}: claim not present`);
    const v = claims[m.claim];
    if (typeof v !== 'string') throw new OIDCTokenError(`oidc: parse username claims ${JSON.stringify(m.claim)}: json: cannot unmarshal ${typeof v} into Go value of type string`);
    if (m.claim === 'email' && 'email_verified' in claims) {
      // https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
      if (typeof claims.email_verified !== 'boolean') throw new OIDCTokenError("oidc: parse 'email_verified' claim: not a boolean");
      if (!claims.email_verified) throw new OIDCTokenError('oidc: email not verified');
    }
    return m.prefix + v;
  }

  private groups(claims: Claims, m: Mapping | undefined, bind: () => Record<string, CelInput>): string[] {
    if (!m) return [];
    if ('cel' in m) return stringList(evaluate(m.cel, bind(), 'oidc: error evaluating group claim expression'), 'oidc: error evaluating group claim expression');
    if (!(m.claim in claims)) return [];
    // a single string is one group (kubernetes/kubernetes#33290)
    const v = claims[m.claim];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((g) => typeof g === 'string') ? (v as string[]) : undefined;
    if (!list) throw new OIDCTokenError(`oidc: parse groups claim ${JSON.stringify(m.claim)}: json: cannot unmarshal into Go value of type []string`);
    return list.map((g) => m.prefix + g);
  }

  private uid(claims: Claims, m: Mapping | undefined, bind: () => Record<string, CelInput>): string {
    if (!m) return '';
    if ('cel' in m) {
      const v = evaluate(m.cel, bind(), 'oidc: error evaluating uid claim expression');
      if (typeof v !== 'string') throw new OIDCTokenError('oidc: error evaluating uid claim expression: uid claim expression must return a string');
      return v;
    }
    if (!(m.claim in claims)) throw new OIDCTokenError(`oidc: parse uid claim ${JSON.stringify(m.claim)}: claim not present`);
    const v = claims[m.claim];
    if (typeof v !== 'string') throw new OIDCTokenError(`oidc: parse uid claim ${JSON.stringify(m.claim)}: json: cannot unmarshal ${typeof v} into Go value of type string`);
    return v;
  }
}

/** The OIDC authenticators of a configuration, their keys being fetched in the background. */
export function oidcAuthenticators(configs: CompiledJWTAuthenticator[], opts: OIDCAuthenticatorOptions = {}): OIDCAuthenticator[] {
  return configs.map((c) => {
    const a = new OIDCAuthenticator(c, opts);
    a.start();
    return a;
  });
}
