// Authorization: may this user do this in this logical cluster? Until per-cluster RBAC lands
// (identity and access issue), members of system:masters may do everything, everyone may read
// the public health and version endpoints, and a cluster's own identities (service accounts) its
// discovery and OpenAPI documents (kube's system:discovery). The decision never depends on whether the cluster
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

/** kube's system:discovery ClusterRole (bound to system:authenticated): discovery and OpenAPI documents. */
function isDiscoveryPath(path: string): boolean {
  return ['/api', '/apis', '/openapi'].some((p) => path === p || path.startsWith(`${p}/`));
}

export class BootstrapAuthorizer implements Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Decision {
    if (user.groups.includes('system:masters')) return { allowed: true };
    if (info.kind === 'nonresource' && info.verb === 'get') {
      const path = info.path.replace(/\/$/, '') || '/';
      if (PUBLIC_PATHS.has(path) || path.startsWith('/livez/') || path.startsWith('/readyz/') || path.startsWith('/healthz/')) {
        return { allowed: true };
      }
      // identities of a logical cluster (its service accounts) read its discovery, as kube's
      // bootstrap policy lets every authenticated user; others learn nothing of a cluster
      if (user.cluster !== undefined && user.cluster === info.cluster && isDiscoveryPath(info.path)) return { allowed: true };
    }
    return { allowed: false, reason: 'no RBAC policy matched' };
  }
}
