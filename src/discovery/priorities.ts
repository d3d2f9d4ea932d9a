// Group and version ordering of discovery, as kube-apiserver's aggregator does it: groups by
// descending group priority then name, versions by descending version priority then the
// "kube-aware" version order (GA > beta > alpha, higher numbers first).

/** [groupPriorityMinimum, versionPriority] of kube-apiserver's built-in group versions (v1.34). */
const BUILTIN_PRIORITIES: Record<string, readonly [number, number]> = {
  'v1': [18000, 1],
  'apps/v1': [17800, 15],
  'events.k8s.io/v1': [17750, 15],
  'events.k8s.io/v1beta1': [17750, 5],
  'authentication.k8s.io/v1': [17700, 15],
  'authentication.k8s.io/v1beta1': [17700, 9],
  'authentication.k8s.io/v1alpha1': [17700, 1],
  'authorization.k8s.io/v1': [17600, 15],
  'autoscaling/v2': [17500, 30],
  'autoscaling/v1': [17500, 15],
  'autoscaling/v2beta1': [17500, 9],
  'autoscaling/v2beta2': [17500, 1],
  'batch/v1': [17400, 15],
  'batch/v1beta1': [17400, 9],
  'batch/v2alpha1': [17400, 9],
  'certificates.k8s.io/v1': [17300, 15],
  'certificates.k8s.io/v1beta1': [17300, 9],
  'certificates.k8s.io/v1alpha1': [17300, 1],
  'networking.k8s.io/v1': [17200, 15],
  'networking.k8s.io/v1beta1': [17200, 9],
  'policy/v1': [17100, 15],
  'policy/v1beta1': [17100, 9],
  'rbac.authorization.k8s.io/v1': [17000, 15],
  'storage.k8s.io/v1': [16800, 15],
  'storage.k8s.io/v1beta1': [16800, 9],
  'storage.k8s.io/v1alpha1': [16800, 1],
  'apiextensions.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1beta1': [16700, 12],
  'admissionregistration.k8s.io/v1alpha1': [16700, 9],
  'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15],
  'coordination.k8s.io/v1beta1': [16500, 13],
  'coordination.k8s.io/v1alpha2': [16500, 12],
  'node.k8s.io/v1': [16300, 15],
  'node.k8s.io/v1beta1': [16300, 9],
  'node.k8s.io/v1alpha1': [16300, 1],
  'discovery.k8s.io/v1': [16200, 15],
  'discovery.k8s.io/v1beta1': [16200, 12],
  'resource.k8s.io/v1': [16200, 21],
  'resource.k8s.io/v1beta2': [16200, 15],
  'resource.k8s.io/v1beta1': [16200, 9],
  'resource.k8s.io/v1alpha3': [16200, 1],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
  'flowcontrol.apiserver.k8s.io/v1beta3': [16100, 18],
  'flowcontrol.apiserver.k8s.io/v1beta2': [16100, 15],
  'flowcontrol.apiserver.k8s.io/v1beta1': [16100, 12],
  'flowcontrol.apiserver.k8s.io/v1alpha1': [16100, 9],
  'internal.apiserver.k8s.io/v1alpha1': [16000, 9],
  'storagemigration.k8s.io/v1alpha1': [15800, 9],
  'apiregistration.k8s.io/v1': [20000, 15],
};

const BUILTIN_GROUPS = new Set(Object.keys(BUILTIN_PRIORITIES).map((gv) => (gv.includes('/') ? gv.slice(0, gv.indexOf('/')) : '')));

/** Priorities the CRD registration controller gives CRD group versions. */
export const CRD_GROUP_PRIORITY = 1000;
export const CRD_VERSION_PRIORITY = 100;

/**
 * True for API groups kube-apiserver serves itself. Other groups are served like CRDs (kplane's own
 * tenancy.kplane.io, later user CRDs): they differ in discovery details (priorities, verb order,
 * responseKind).
 */
export function isBuiltinGroup(group: string): boolean {
  return BUILTIN_GROUPS.has(group);
}

export function groupVersionPriority(group: string, version: string): { group: number; version: number } {
  const p = BUILTIN_PRIORITIES[group ? `${group}/${version}` : version];
  if (p) return { group: p[0], version: p[1] };
  return isBuiltinGroup(group)
    ? { group: groupPriority(group), version: 15 }
    : { group: CRD_GROUP_PRIORITY, version: CRD_VERSION_PRIORITY };
}

function groupPriority(group: string): number {
  let best = 0;
  for (const [gv, [g]] of Object.entries(BUILTIN_PRIORITIES)) {
    const name = gv.includes('/') ? gv.slice(0, gv.indexOf('/')) : '';
    if (name === group && g > best) best = g;
  }
  return best || CRD_GROUP_PRIORITY;
}

const KUBE_VERSION = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/;

/** k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings: >0 when a sorts before b. */
export function compareKubeAwareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma && !mb) return a < b ? 1 : -1;
  if (!ma) return -1;
  if (!mb) return 1;
  const type = (m: RegExpExecArray): number => (m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2);
  if (type(ma) !== type(mb)) return type(ma) - type(mb);
  const majorA = Number(ma[1]);
  const majorB = Number(mb[1]);
  if (majorA !== majorB) return majorA - majorB;
  return Number(ma[3] ?? 0) - Number(mb[3] ?? 0);
}

/** Versions of one group, most preferred first. */
export function sortVersions(group: string, versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort((a, b) => {
    const pa = groupVersionPriority(group, a).version;
    const pb = groupVersionPriority(group, b).version;
    if (pa !== pb) return pb - pa;
    return compareKubeAwareVersions(b, a);
  });
}

/** Group names in discovery order (the legacy group "" sorts first by its priority). */
export function sortGroups(groups: Iterable<string>, versionsOf: (group: string) => readonly string[]): string[] {
  const prio = new Map<string, number>();
  for (const g of new Set(groups)) {
    let best = -Infinity;
    for (const v of versionsOf(g)) best = Math.max(best, groupVersionPriority(g, v).group);
    prio.set(g, best);
  }
  return [...prio.keys()].sort((a, b) => {
    const d = prio.get(b)! - prio.get(a)!;
    if (d !== 0) return d;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
