// Storage keys: <group>/<resource>/<cluster>/[<namespace>/]<name>.
// Resource first, then logical cluster: one resource across every logical cluster is one
// contiguous key range (the syncer lists and watches exactly that), and one resource in one
// cluster or namespace is a sub-range. Names never contain '/', so segments are unambiguous.

import type { ClusterName } from '../tenancy/logicalcluster.js';

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  resource: string;
}

export function resourcePrefix(r: ResourceRef): string {
  return `${r.group || 'core'}/${r.resource}/`;
}

/** Prefix of every key of a resource in one cluster, or in one namespace of it. */
export function scopePrefix(r: ResourceRef, cluster: ClusterName | '*', namespace?: string): string {
  if (cluster === '*') return resourcePrefix(r);
  return namespace ? `${resourcePrefix(r)}${cluster}/${namespace}/` : `${resourcePrefix(r)}${cluster}/`;
}

export function objectKey(r: ResourceRef, cluster: ClusterName, namespace: string | undefined, name: string): string {
  return namespace ? `${resourcePrefix(r)}${cluster}/${namespace}/${name}` : `${resourcePrefix(r)}${cluster}/${name}`;
}

export interface ParsedKey {
  group: string;
  resource: string;
  cluster: ClusterName;
  namespace?: string;
  name: string;
}

export function parseKey(key: string): ParsedKey {
  const parts = key.split('/');
  const group = parts[0] === 'core' ? '' : parts[0]!;
  if (parts.length === 5) {
    return { group, resource: parts[1]!, cluster: parts[2] as ClusterName, namespace: parts[3]!, name: parts[4]! };
  }
  return { group, resource: parts[1]!, cluster: parts[2] as ClusterName, name: parts[3]! };
}

/** The "group/resource" part of a key or prefix, used to partition the event log. */
export function resourceOfKey(key: string): string {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  return second < 0 ? key : key.slice(0, second);
}

/** The logical cluster segment of a key, or undefined for a resource-wide prefix. */
export function clusterOfKey(key: string): string | undefined {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  if (second < 0) return undefined;
  const third = key.indexOf('/', second + 1);
  if (third < 0) return undefined;
  return key.slice(second + 1, third);
}
