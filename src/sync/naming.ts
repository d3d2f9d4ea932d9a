// Where a tenant's objects live in the management cluster (issue 11): the default namespace for
// one (logical cluster, namespace) pair and the label value that selects one logical cluster's
// objects. Both must be DNS-valid, stable for the life of the logical cluster, and never shared by
// two pairs, whatever the workspace path and namespace are. They are derived from the logical
// cluster's uid (src/tenancy/clusters.ts), not its path: a workspace deleted and created again
// under the same name is another cluster and never adopts its predecessor's downstream objects.
// A readable part (the workspace's last path segment and the namespace) helps the provider's
// operators; the hash makes the name unique.

import { createHash } from 'node:crypto';

/** DNS-1123 label limit. */
const MAX_LABEL = 63;
/** Characters of the readable parts (each), so that the whole stays a label. */
const READABLE = 20;
/** 13 base32 characters: 65 bits of the hash. */
const HASH_CHARS = 13;
const PREFIX = 'kp';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export interface TenantNamespace {
  /** The logical cluster's uid (its record's, stable for its whole life). */
  clusterUid: string;
  /** Its path, e.g. root:acme:team (for the readable part only). */
  clusterPath: string;
  /** The namespace in the logical cluster. */
  namespace: string;
}

function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

function hashOf(...parts: string[]): string {
  // NUL cannot occur in a uid or a namespace name: the parts cannot run into each other
  return base32(createHash('sha256').update(parts.join('\u0000')).digest(), HASH_CHARS);
}

/** Lower-case letters, digits and single dashes, trimmed to n characters, no dash at either end. */
function readable(s: string, n: number): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, n).replace(/^-+|-+$/g, '');
}

/** The default management-cluster namespace of a tenant namespace, e.g. kp-team-default-<hash>. */
export function defaultDownstreamNamespace(t: TenantNamespace): string {
  const segment = t.clusterPath.slice(t.clusterPath.lastIndexOf(':') + 1);
  const parts = [PREFIX, readable(segment, READABLE), readable(t.namespace, READABLE), hashOf(t.clusterUid, t.namespace)].filter((p) => p);
  const name = parts.join('-');
  if (name.length > MAX_LABEL) throw new Error(`internal: downstream namespace ${name} is longer than ${MAX_LABEL}`);
  return name;
}

/** The value of the label that selects one logical cluster's objects downstream (a valid label value). */
export function clusterLabelValue(clusterUid: string): string {
  return `${PREFIX}-${hashOf(clusterUid)}`;
}
