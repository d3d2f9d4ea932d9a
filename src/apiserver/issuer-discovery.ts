// Service account issuer discovery, per logical cluster (kube's --service-account-issuer
// discovery, pkg/serviceaccount/openidmetadata.go and pkg/routes/openidmetadata.go):
//   GET /clusters/<c>/.well-known/openid-configuration  the OIDC provider configuration
//   GET /clusters/<c>/openid/v1/jwks                      the key set that verifies its tokens
// The issuer is the `iss` of the cluster's bound tokens, <external-url>/clusters/<c>, so a
// workload's token can be verified by anything that federates with OIDC (cloud IAM, Vault...).
//
// Who may read them: kube binds the system:service-account-issuer-discovery ClusterRole to
// system:serviceaccounts, and documents binding it to system:unauthenticated for federation, as
// verifiers fetch without credentials. kplane serves both documents to anyone, anonymous callers
// included, before the logical cluster's entry check: they hold only public keys and URLs. Both
// answers are computed from the cluster's name alone (one signing key serves every cluster), so a
// cluster that does not exist answers exactly as one that does: no existence oracle.

import type { FastifyReply } from 'fastify';
import { exportJWK, type CryptoKey, type KeyObject } from 'jose';
import { WILDCARD } from '../tenancy/logicalcluster.js';

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
/** kube's Cache-Control for both documents (overriding the API's "private, no-cache"). */
const CACHE_CONTROL = 'public, max-age=3600';
const ALG = 'RS256';

export interface IssuerDiscoveryOptions {
  keyId: string;
  publicKey: CryptoKey | KeyObject;
  /** The issuer of a logical cluster's tokens (ServiceAccountTokens.issuerFor). */
  issuerFor: (cluster: string) => string;
}

export class IssuerDiscovery {
  private keyset: Promise<string> | undefined;

  constructor(private readonly opts: IssuerDiscoveryOptions) {}

  /** Whether a request is for one of the two documents (only GET is routed, as in kube). */
  static handles(method: string, cluster: string | undefined, rest: string): boolean {
    return method === 'GET' && !!cluster && cluster !== WILDCARD && (rest === OPENID_CONFIG_PATH || rest === JWKS_PATH);
  }

  /** The provider configuration of a cluster's issuer, as kube marshals openIDMetadata. */
  configuration(cluster: string): string {
    const issuer = this.opts.issuerFor(cluster);
    return JSON.stringify({
      issuer,
      jwks_uri: `${issuer}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ALG],
    });
  }

  /** The JWKS: the public key with go-jose's field order (use, kty, kid, alg, n, e). */
  keySet(): Promise<string> {
    this.keyset ??= exportJWK(this.opts.publicKey).then((jwk) => JSON.stringify({
      keys: [{ use: 'sig', kty: jwk.kty, kid: this.opts.keyId, alg: ALG, n: jwk.n, e: jwk.e }],
    }));
    return this.keyset;
  }

  /** Answers GET of either document; undefined for every other request. */
  async serve(method: string, cluster: string | undefined, rest: string, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!IssuerDiscovery.handles(method, cluster, rest)) return undefined;
    const isConfig = rest === OPENID_CONFIG_PATH;
    const body = isConfig ? this.configuration(cluster!) : await this.keySet();
    return reply.code(200).header('Content-Type', isConfig ? 'application/json' : 'application/jwk-set+json')
      // a Buffer: fastify would add "; charset=utf-8" to a string's type, which kube does not send
      .header('Cache-Control', CACHE_CONTROL).send(Buffer.from(body));
  }
}
