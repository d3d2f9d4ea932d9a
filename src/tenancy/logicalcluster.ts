// A logical cluster's name is a value that travels explicitly with every request and every storage
// key; nothing reads it from ambient state. Names are paths: "root", "root:acme", "root:acme:team".

declare const brand: unique symbol;
/** A validated logical-cluster path such as "root:acme". */
export type ClusterName = string & { readonly [brand]: 'ClusterName' };

export const ROOT = 'root' as ClusterName;
/** The wildcard used by privileged cross-cluster list/watch requests: /clusters/*\/... */
export const WILDCARD = '*' as ClusterName;

const SEGMENT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses a cluster path; returns undefined when it is not a valid name. */
export function parseClusterName(s: string): ClusterName | undefined {
  if (s === '*') return WILDCARD;
  if (s.length === 0 || s.length > 1024) return undefined;
  const parts = s.split(':');
  if (parts[0] !== 'root') return undefined;
  for (const p of parts) if (p.length > 63 || !SEGMENT.test(p)) return undefined;
  return s as ClusterName;
}

export function childCluster(parent: ClusterName, workspace: string): ClusterName {
  return `${parent}:${workspace}` as ClusterName;
}

/** "root:acme:team" -> {parent: "root:acme", name: "team"}; root has no parent. */
export function splitCluster(c: ClusterName): { parent: ClusterName; name: string } | undefined {
  const i = c.lastIndexOf(':');
  if (i < 0) return undefined;
  return { parent: c.slice(0, i) as ClusterName, name: c.slice(i + 1) };
}

export function isWildcard(c: ClusterName): boolean {
  return c === WILDCARD;
}
