// Impersonation (Impersonate-User, -Group, -Uid, -Extra-*), as kube's WithImpersonation filter
// does it: each thing asked for must be granted to the caller by the `impersonate` verb (users,
// serviceaccounts, groups; uids and userextras/<key> in authentication.k8s.io), checked in the
// logical cluster the request addresses. The identity assumed is scoped to that cluster, so a
// tenant's cluster-admin (who holds `impersonate` on everything there) cannot become anyone
// outside it, system:masters included; only a privileged caller may assume system:masters.

import type { IncomingMessage } from 'node:http';
import { forbidden } from '../apimachinery/errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../apimachinery/validation.js';
import type { UserInfo } from '../registry/types.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { refuseImpersonation } from './authn.js';
import type { Authorizer } from './authz.js';
import { isPrivileged, resourceAttributes } from './rbac/authorizer.js';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHN_GROUP = 'authentication.k8s.io';

/** Thrown when the caller may not even enter the cluster it impersonates in (the server answers with its door's 403). */
export class ImpersonationDoorDenied extends Error {}

function escapeHTML(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The user to serve the request as: the impersonated one when the request asks for it and the
 * caller is allowed, else undefined (no impersonation asked). Throws kube's 403 (or 500 for
 * headers without Impersonate-User) otherwise.
 */
export async function impersonate(req: IncomingMessage, requestor: UserInfo, cluster: ClusterName | undefined, authorizer: Authorizer): Promise<UserInfo | undefined> {
  const h = req.headersDistinct;
  const username = h['impersonate-user']?.[0] ?? '';
  const groups = h['impersonate-group'] ?? [];
  const uid = h['impersonate-uid']?.[0] ?? '';
  const extraHeaders = Object.keys(h).filter((k) => k.startsWith(EXTRA_PREFIX));
  if (!username && !groups.length && !uid && !extraHeaders.length) return undefined;
  // kube's 500 for groups, extras or a uid without a user
  if (!username) refuseImpersonation(req, requestor);

  const who = escapeHTML(requestor.username);
  const check = async (a: { group: string; resource: string; subresource?: string; namespace?: string; name: string }, describe: string): Promise<void> => {
    const d = await authorizer.authorize(requestor, cluster === undefined
      ? { kind: 'resource', cluster: undefined as unknown as ClusterName, prefix: 'api', version: '*', verb: 'impersonate' as never, subresource: '', namespace: '', extra: [], ...a }
      : resourceAttributes(cluster, { verb: 'impersonate', ...a }));
    if (d.allowed) return;
    if (d.door) throw new ImpersonationDoorDenied();
    const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
    throw forbidden({ group: a.group, resource: a.resource }, a.name,
      `User ${JSON.stringify(who)} cannot impersonate resource ${JSON.stringify(describe)} in API group ${JSON.stringify(a.group)} ${where}`);
  };

  const user: UserInfo = { username, groups: [] };
  const sa = username.startsWith(SA_PREFIX) ? username.slice(SA_PREFIX.length).split(':') : [];
  if (sa.length === 2 && isDNS1123Label(sa[0]!).length === 0 && isDNS1123Subdomain(sa[1]!).length === 0) {
    await check({ group: '', resource: 'serviceaccounts', namespace: sa[0]!, name: sa[1]! }, 'serviceaccounts');
    user.groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[0]}`);
  } else {
    await check({ group: '', resource: 'users', name: username }, 'users');
  }
  for (const g of groups) {
    await check({ group: '', resource: 'groups', name: g }, 'groups');
    user.groups.push(g);
  }
  const extra: Record<string, string[]> = {};
  for (const header of extraHeaders) {
    let key = header.slice(EXTRA_PREFIX.length);
    try { key = decodeURIComponent(key); } catch { /* kept as sent, as kube does */ }
    for (const v of h[header] ?? []) {
      await check({ group: AUTHN_GROUP, resource: 'userextras', subresource: key, name: v }, `userextras/${key}`);
      (extra[key] ??= []).push(v);
    }
  }
  if (uid) {
    await check({ group: AUTHN_GROUP, resource: 'uids', name: uid }, 'uids');
    user.uid = uid;
  }
  if (Object.keys(extra).length) user.extra = extra;
  // kube adds system:authenticated unless the identity is anonymous or already says which it is
  if (username !== 'system:anonymous' && !user.groups.some((g) => g === 'system:authenticated' || g === 'system:unauthenticated')) {
    user.groups.push('system:authenticated');
  }
  // the assumed identity is one of the cluster addressed (as its own identities are: the door lets
  // it in and RBAC decides, as in kube); only a privileged caller can assume system:masters
  if (!(isPrivileged(requestor) && user.groups.includes('system:masters'))) user.cluster = cluster ?? requestor.cluster;
  return user;
}
