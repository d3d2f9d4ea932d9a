// Authorization: may this user do this in this logical cluster? Until per-cluster RBAC lands
// (identity and access issue), members of system:masters may do everything, and everyone may read
// the public health and version endpoints. The decision never depends on whether the cluster
// exists, so a refusal says nothing about existence.

import type { UserInfo } from '../registry/types.js';
import type { RequestInfo } from '../apiserver/requestinfo.js';

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Decision;
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export class BootstrapAuthorizer implements Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Decision {
    if (user.groups.includes('system:masters')) return { allowed: true };
    if (info.kind === 'nonresource' && info.verb === 'get') {
      const path = info.path.replace(/\/$/, '') || '/';
      if (PUBLIC_PATHS.has(path) || path.startsWith('/livez/') || path.startsWith('/readyz/') || path.startsWith('/healthz/')) {
        return { allowed: true };
      }
    }
    return { allowed: false, reason: 'no RBAC policy matched' };
  }
}
