// What kube's service REST storage does around the strategy (pkg/registry/core/service/storage:
// normalizeClusterIPs, patchAllocatedValues, initIPFamilyFields, the IP and node-port allocators),
// for a kplane that proxies nothing: every logical cluster is an IPv4 single-stack cluster with the
// service range 10.96.0.0/12 and node ports 30000-32767, and "allocation" is deterministic — an
// address or port derived from the Service's cluster, namespace and name, so no allocator state
// exists per cluster. Values are valid and stable, not guaranteed unique across Services (about a
// million addresses; node ports of different Services may coincide); 10.96.0.1 is never handed
// out, it is the `kubernetes` Service's.

import { createHash } from 'node:crypto';
import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isObj, jsonEqual, type Obj } from './_util.js';

export const SERVICE_CIDR = '10.96.0.0/12';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const NODE_PORT_RANGE = { base: 30000, size: 2768 } as const;
const IPV4 = 'IPv4';
const IPV6 = 'IPv6';
const CLUSTER_FAMILIES = new Set([IPV4]);

export const specOf = (svc: KubeObject): Obj => (isObj(svc.spec) ? svc.spec : (svc.spec = {}));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const portsOf = (spec: Obj): Obj[] => (Array.isArray(spec.ports) ? spec.ports.filter(isObj) : []);

export const isExternalName = (spec: Obj): boolean => spec.type === 'ExternalName';
export const isHeadless = (spec: Obj): boolean => strs(spec.clusterIPs)[0] === 'None' || spec.clusterIP === 'None';
const needsClusterIP = (spec: Obj): boolean => !isExternalName(spec);
export const needsNodePort = (spec: Obj): boolean => spec.type === 'NodePort'
  || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
export const needsHealthCheckNodePort = (spec: Obj): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/** A []string bad value as kube prints it (JSON; nil when absent). */
export function goStrings(v: unknown): string[] | null {
  return Array.isArray(v) ? strs(v) : null;
}

function hash32(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\0')).digest().readUInt32BE(0);
}

/** A stable address in 10.96.0.0/12, never the network, broadcast or kubernetes Service address. */
export function clusterIPFor(cluster: string, namespace: string, name: string): string {
  const size = 1 << 20;
  const offset = 2 + (hash32('clusterIP', cluster, namespace, name) % (size - 3));
  const n = (10 << 24) + (96 << 16) + offset;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function nodePortFor(used: Set<number>, ...seed: string[]): number {
  let p = NODE_PORT_RANGE.base + (hash32('nodePort', ...seed) % NODE_PORT_RANGE.size);
  while (used.has(p)) p = NODE_PORT_RANGE.base + ((p - NODE_PORT_RANGE.base + 1) % NODE_PORT_RANGE.size);
  used.add(p);
  return p;
}

/** normalizeClusterIPs: keeps the singular and plural clusterIP fields in step. */
export function normalizeClusterIPs(spec: Obj, old: Obj | undefined): void {
  const ip = str(spec.clusterIP);
  const ips = strs(spec.clusterIPs);
  // an old client sets the singular field only (on update: only once the Service has IPs)
  if (old && strs(old.clusterIPs).length === 0) return;
  if (ip && ips.length === 0) {
    spec.clusterIPs = [ip];
    return;
  }
  if (!old) return;
  const same = jsonEqual(old.clusterIPs ?? null, spec.clusterIPs ?? null);
  if (str(old.clusterIP) && !ip && same) delete spec.clusterIPs;
  if (ip && ip !== str(old.clusterIP) && same) (spec.clusterIPs as string[])[0] = ip;
}

/** patchAllocatedValues: an update that omits allocated values keeps the old ones. */
export function patchAllocatedValues(spec: Obj, old: Obj): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!str(spec.clusterIP) && str(old.clusterIP)) spec.clusterIP = old.clusterIP;
    if (strs(spec.clusterIPs).length === 0 && strs(old.clusterIPs).length > 0) spec.clusterIPs = [...strs(old.clusterIPs)];
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const usedBy = (s: Obj) => new Set(portsOf(s).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n !== 0));
    const newUsed = usedBy(spec);
    const used = new Set([...usedBy(old)].filter((n) => newUsed.has(n)));
    const byName = new Map(portsOf(old).map((p) => [str(p.name), p.nodePort]));
    for (const p of portsOf(spec)) {
      const was = byName.get(str(p.name));
      if (!p.nodePort && typeof was === 'number' && !used.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort && old.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

const familyOf = (ip: string): string => (ip.includes(':') ? IPV6 : IPV4);

/**
 * initIPFamilyFields for a single-stack IPv4 cluster: defaults ipFamilyPolicy and ipFamilies and
 * refuses what this cluster cannot serve. `loose` validates the clusterIP fields first (kube's
 * ValidateServiceClusterIPsRelatedFields, passed in to avoid a module cycle). Returns errors.
 */
export function initIPFamilyFields(spec: Obj, old: Obj | undefined, loose: (spec: Obj) => FieldError[]): FieldError[] {
  if (isExternalName(spec)) return [];
  if (spec.ipFamilyPolicy === undefined || spec.ipFamilyPolicy === null) {
    if (old && typeof old.ipFamilyPolicy === 'string') spec.ipFamilyPolicy = old.ipFamilyPolicy;
    else if (spec.clusterIP === 'None' && !hasSelector(spec)) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  const pre = loose(spec);
  if (pre.length) return pre;
  const errs: FieldError[] = [];
  const policy = spec.ipFamilyPolicy as string;
  const families = strs(spec.ipFamilies);
  const ips = strs(spec.clusterIPs);
  if (policy === 'SingleStack') {
    if (ips.length === 2) errs.push(field.invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (families.length === 2) errs.push(field.invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] === 'None') break;
    const fam = familyOf(ips[i]!);
    if (i >= families.length) {
      if (!CLUSTER_FAMILIES.has(fam)) errs.push(field.invalid(`spec.clusterIPs[${i}]`, goStrings(spec.clusterIPs), `${fam} is not configured on this cluster`));
      else families.push(fam);
    }
  }
  if (errs.length) return errs;
  if (spec.clusterIP === 'None' && !hasSelector(spec)) {
    // headless and selectorless: may be dual-stack even on a single-stack cluster
    if (families.length === 0) families.push(IPV4);
    if (families.length < 2 && policy !== 'SingleStack') families.push(families[0] === IPV4 ? IPV6 : IPV4);
    spec.ipFamilies = families;
    return [];
  }
  if (policy === 'RequireDualStack') errs.push(field.invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  families.forEach((f, i) => {
    if (!CLUSTER_FAMILIES.has(f)) errs.push(field.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (errs.length) return errs;
  spec.ipFamilies = families.length ? families : [IPV4];
  return [];
}

function hasSelector(spec: Obj): boolean {
  return isObj(spec.selector) && Object.keys(spec.selector).length > 0;
}

/** The allocators' part: a clusterIP for a Service that needs one, node ports where required. */
export function allocate(spec: Obj, ids: { cluster: string; namespace: string; name: string }): FieldError[] {
  if (needsClusterIP(spec) && !isHeadless(spec)) {
    const ips = strs(spec.clusterIPs);
    if (ips.length === 0 || ips[0] === '') {
      const ip = clusterIPFor(ids.cluster, ids.namespace, ids.name);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip, ...ips.slice(1)];
    }
  }
  const errs: FieldError[] = [];
  if (needsNodePort(spec)) {
    const ports = portsOf(spec);
    const used = new Set<number>();
    ports.forEach((p, i) => {
      if (typeof p.nodePort !== 'number' || p.nodePort === 0) return;
      if (p.nodePort < NODE_PORT_RANGE.base || p.nodePort >= NODE_PORT_RANGE.base + NODE_PORT_RANGE.size) {
        errs.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.base}-${NODE_PORT_RANGE.base + NODE_PORT_RANGE.size - 1}`));
      }
      used.add(p.nodePort);
    });
    ports.forEach((p, i) => {
      if (!p.nodePort) p.nodePort = nodePortFor(used, ids.cluster, ids.namespace, ids.name, String(i));
    });
  }
  if (needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort) {
    const used = new Set(portsOf(spec).map((p) => p.nodePort as number));
    spec.healthCheckNodePort = nodePortFor(used, ids.cluster, ids.namespace, ids.name, 'healthCheck');
  }
  return errs;
}
