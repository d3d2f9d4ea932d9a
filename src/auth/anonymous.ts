// Requests without credentials. kplane runs as kube-apiserver with --anonymous-auth=false, except
// for the endpoints kube lets an AuthenticationConfiguration open to anonymous callers: the
// top-level health checks (probes carry no credentials) and each logical cluster's service
// account issuer discovery (relying parties fetch it anonymously to federate). Anything else
// without credentials is kube's 401. `--anonymous-auth` restores kube's default (system:anonymous,
// whom only the bootstrap policy's public paths admit).

import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../apimachinery/errors.js';
import { parseRequestTarget } from '../apiserver/edge.js';
import type { UserInfo } from '../registry/types.js';
import { ANONYMOUS, type AuthenticationTarget, type Authenticator } from './authn.js';

const HEALTH = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;
const ISSUER_DISCOVERY = /^\/clusters\/[^/]+\/(\.well-known\/openid-configuration|openid\/v1\/jwks)$/;

/** Whether a path is open to callers without credentials when anonymous authentication is off. */
export function openToAnonymous(path: string): boolean {
  return HEALTH.test(path) || ISSUER_DISCOVERY.test(path);
}

export class AnonymousAuthenticator implements Authenticator {
  constructor(private readonly inner: Authenticator, private readonly enabled: boolean) {}

  async authenticate(req: IncomingMessage, target: AuthenticationTarget): Promise<UserInfo | undefined> {
    const user = await this.inner.authenticate(req, target);
    if (user) return user;
    if (this.enabled) return ANONYMOUS;
    const path = parseRequestTarget(req.url ?? '/')?.path ?? '';
    if (openToAnonymous(path)) return ANONYMOUS;
    throw unauthorized();
  }
}
