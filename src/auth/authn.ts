// Authentication: who is calling. Client certificates signed by kplane's CA authenticate as
// CN = user name, O = groups (kube's x509 authenticator). Without credentials a caller is
// system:anonymous. Bearer tokens and OIDC arrive in the identity issue behind this interface.

import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../apimachinery/errors.js';
import type { UserInfo } from '../registry/types.js';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

export interface Authenticator {
  /** The caller, ANONYMOUS, or a thrown 401 for credentials that are present but wrong. */
  authenticate(req: IncomingMessage): UserInfo;
}

function asArray(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export class ClientCertAuthenticator implements Authenticator {
  authenticate(req: IncomingMessage): UserInfo {
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function') return ANONYMOUS;
    const cert = socket.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0) {
      if (req.headers.authorization) throw unauthorized();
      return ANONYMOUS;
    }
    // The TLS layer verified the chain against kplane's CA; an unverified certificate is refused.
    if (!socket.authorized) throw unauthorized();
    const username = asArray(cert.subject.CN)[0];
    if (!username) throw unauthorized();
    const groups = [...new Set([...asArray(cert.subject.O), 'system:authenticated'])];
    return { username, groups };
  }
}
