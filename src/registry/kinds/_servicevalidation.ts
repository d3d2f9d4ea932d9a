// The validation of core/v1 Services (pkg/apis/core/validation: ValidateService,
// ValidateServiceUpdate's IP checks, ValidateServiceStatusUpdate), in kube's order of checks.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  appendAll, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidIPForLegacyField, isValidPortName, isValidPortNum,
  validateLabels,
} from '../../apimachinery/validation.js';
import { coreObjectMetaErrors } from './_core.js';
import { goStrings, isExternalName, isHeadless, needsHealthCheckNodePort, portsOf, specOf } from './_servicealloc.js';
import { isObj, objAt, type Obj } from './_util.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const FAMILIES = ['IPv4', 'IPv6'];
const FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_MODES = ['Proxy', 'VIP'];
const MAX_AFFINITY_SECONDS = 86400;
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const set = (v: unknown): boolean => v !== undefined && v !== null;
export const strList = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => str(x)) : []);

/** apiservice.ExternallyAccessible: reachable from outside the cluster network. */
export function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort'
    || (spec.type === 'ClusterIP' && strList(spec.externalIPs).length > 0);
}

/** The (protocol, port) key kube checks for duplicates: a core.ServicePort, printed as JSON. */
function portKey(p: Obj): Obj {
  return { Name: '', Protocol: str(p.protocol), AppProtocol: null, Port: num(p.port), TargetPort: 0, NodePort: 0 };
}

function validatePort(p: Obj, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(field.required(`${path}.name`));
  else if (name) {
    for (const m of isDNS1123Label(name)) errs.push(field.invalid(`${path}.name`, name, m));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    else names.add(name);
  }
  for (const m of isValidPortNum(num(p.port))) errs.push(field.invalid(`${path}.port`, num(p.port), m));
  if (!p.protocol) errs.push(field.required(`${path}.protocol`));
  else if (!PORT_PROTOCOLS.includes(str(p.protocol))) errs.push(field.notSupported(`${path}.protocol`, p.protocol, PORT_PROTOCOLS));
  const target = p.targetPort;
  if (typeof target === 'string') for (const m of isValidPortName(target)) errs.push(field.invalid(`${path}.targetPort`, target, m));
  else for (const m of isValidPortNum(num(target))) errs.push(field.invalid(`${path}.targetPort`, num(target), m));
  if (typeof p.appProtocol === 'string') for (const m of isQualifiedName(p.appProtocol)) errs.push(field.invalid(`${path}.appProtocol`, p.appProtocol, m));
  return errs;
}

/** ValidateNonSpecialIP: addresses nothing can be reached at. */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  if (isValidIPForLegacyField(ip, false).length) return [field.invalid(path, ip, 'must be a valid IP address')];
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const lower = ip.toLowerCase();
  const errs: FieldError[] = [];
  if (v4 ? ip === '0.0.0.0' : /^[0:]+$/.test(lower)) errs.push(field.invalid(path, ip, `may not be unspecified (${ip})`));
  if (v4 ? v4[1] === '127' : lower === '::1') errs.push(field.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (v4 ? v4[1] === '169' && v4[2] === '254' : /^fe[89ab]/.test(lower)) errs.push(field.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (v4 ? v4[1] === '224' && v4[2] === '0' && v4[3] === '0' : lower.startsWith('ff02:')) errs.push(field.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields (also the allocator's loose pre-validation). */
export function validateClusterIPsRelatedFields(spec: Obj): FieldError[] {
  if (isExternalName(spec)) return [];
  const errs: FieldError[] = [];
  const ip = str(spec.clusterIP);
  const ips = strList(spec.clusterIPs);
  if (ip) {
    if (ips.length === 0) errs.push(field.required('spec.clusterIPs'));
    else if (ips[0] !== ip) errs.push(field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs), 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  strList(spec.ipFamilies).forEach((f, i) => {
    if (!FAMILIES.includes(f)) errs.push(field.notSupported(`spec.ipFamilies[${i}]`, f, FAMILIES));
    if (seen.has(f)) errs.push(field.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (set(spec.ipFamilyPolicy) && !FAMILY_POLICIES.includes(str(spec.ipFamilyPolicy))) {
    errs.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, FAMILY_POLICIES));
  }
  let bad = false;
  ips.forEach((v, i) => {
    if (i === 0 && v === 'None') {
      if (ips.length > 1) {
        bad = true;
        errs.push(field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs), "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(v);
    if (msgs.length) bad = true;
    for (const m of msgs) errs.push(field.invalid(`spec.clusterIPs[${i}]`, v, m));
  });
  if (ips.length > 2) errs.push(field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs), 'may only hold up to 2 values'));
  if (bad) return errs;
  if (ips.length > 1 && ips[0]!.includes(':') === ips[1]!.includes(':')) {
    errs.push(field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs), 'may specify no more than one IP for each IP family'));
  }
  const families = strList(spec.ipFamilies);
  if (!isHeadless(spec)) {
    ips.forEach((v, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && v.includes(':')) errs.push(field.invalid(`spec.clusterIPs[${i}]`, v, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !v.includes(':')) errs.push(field.invalid(`spec.clusterIPs[${i}]`, v, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateSessionAffinity(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const aff = str(spec.sessionAffinity);
  if (!aff) errs.push(field.required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(aff)) errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  const when = 'when session affinity type is ClientIP';
  if (aff === 'ClientIP') {
    const cfg = objAt(spec, 'sessionAffinityConfig');
    const clientIP = objAt(cfg, 'clientIP');
    if (!cfg) errs.push(field.required('spec.sessionAffinityConfig', when));
    else if (!clientIP) errs.push(field.required('spec.sessionAffinityConfig.clientIP', when));
    else if (!set(clientIP.timeoutSeconds)) errs.push(field.required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', when));
    else if (num(clientIP.timeoutSeconds) <= 0 || num(clientIP.timeoutSeconds) > MAX_AFFINITY_SECONDS) {
      errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', num(clientIP.timeoutSeconds), `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
    }
  } else if (aff === 'None' && set(spec.sessionAffinityConfig)) {
    errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  return errs;
}

function validateTypeSpecific(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ips = strList(spec.clusterIPs);
  switch (spec.type) {
    case 'LoadBalancer':
      if (isHeadless(spec)) errs.push(field.invalid('spec.clusterIPs[0]', ips[0] ?? '', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (isHeadless(spec)) errs.push(field.invalid('spec.clusterIPs[0]', ips[0] ?? '', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (ips.length) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (strList(spec.ipFamilies).length) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (set(spec.ipFamilyPolicy)) errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = str(spec.externalName).replace(/\.$/, '');
      if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(field.invalid('spec.externalName', cname, m));
      else errs.push(field.required('spec.externalName'));
      break;
    }
    default:
  }
  return errs;
}

function validateTraffic(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const etp = str(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(field.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(field.required('spec.externalTrafficPolicy'));
  else if (!TRAFFIC_POLICIES.includes(etp)) errs.push(field.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  const hc = num(spec.healthCheckNodePort);
  if (!needsHealthCheckNodePort(spec)) {
    if (hc !== 0) errs.push(field.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) errs.push(field.required('spec.healthCheckNodePort'));
  else for (const m of isValidPortNum(hc)) errs.push(field.invalid('spec.healthCheckNodePort', hc, m));
  if (!set(spec.internalTrafficPolicy)) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(str(spec.type))) errs.push(field.required('spec.internalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(str(spec.internalTrafficPolicy))) {
    errs.push(field.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (set(spec.loadBalancerClass)) {
    if (spec.type !== 'LoadBalancer') errs.push(field.forbidden('spec.loadBalancerClass', "may only be used when service type is 'LoadBalancer'"));
    else for (const m of isQualifiedName(str(spec.loadBalancerClass))) errs.push(field.invalid('spec.loadBalancerClass', spec.loadBalancerClass, m));
  }
  return errs;
}

/** ValidateService, in kube's order of checks. */
export function validateService(svc: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(svc);
  const spec = specOf(svc);
  const ports = portsOf(spec);
  if (ports.length === 0 && !isHeadless(spec) && !isExternalName(spec)) errs.push(field.required('spec.ports'));
  appendAll(errs, validateTypeSpecific(spec));
  const names = new Set<string>();
  ports.forEach((p, i) => appendAll(errs, validatePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (isObj(spec.selector)) appendAll(errs, validateLabels(spec.selector as Record<string, string>, 'spec.selector'));
  appendAll(errs, validateSessionAffinity(spec));
  appendAll(errs, validateClusterIPsRelatedFields(spec));
  strList(spec.externalIPs).forEach((ip, i) => {
    const msgs = isValidIP(ip);
    if (msgs.length) for (const m of msgs) errs.push(field.invalid(`spec.externalIPs[${i}]`, ip, m));
    else appendAll(errs, validateNonSpecialIP(ip, `spec.externalIPs[${i}]`));
  });
  if (!spec.type) errs.push(field.required('spec.type'));
  else if (!SERVICE_TYPES.includes(str(spec.type))) errs.push(field.notSupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (num(p.nodePort) !== 0) errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!num(p.nodePort)) return;
    const k = `${str(p.protocol)}/${num(p.nodePort)}`;
    if (nodePorts.has(k)) errs.push(field.duplicate(`spec.ports[${i}].nodePort`, num(p.nodePort)));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${str(p.protocol)}/${num(p.port)}`;
    if (seen.has(k)) errs.push(field.duplicate(`spec.ports[${i}]`, portKey(p)));
    seen.add(k);
  });
  const ranges = strList(spec.loadBalancerSourceRanges);
  if (ranges.length && spec.type !== 'LoadBalancer') {
    errs.push(field.forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
  }
  appendAll(errs, validateTraffic(spec));
  return errs;
}

/** validateUpgradeDowngradeClusterIPs / IPFamilies: the primary IP and family stay. */
export function validateIPChanges(spec: Obj, old: Obj): FieldError[] {
  if (isExternalName(spec) || isExternalName(old) || (isHeadless(spec) && isHeadless(old))) return [];
  const errs: FieldError[] = [];
  const ips = strList(spec.clusterIPs);
  const oldIPs = strList(old.clusterIPs);
  const shown = goStrings(spec.clusterIPs);
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(field.invalid(`spec.clusterIPs[${i}]`, shown, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(field.invalid('spec.clusterIPs[0]', shown, 'primary clusterIP can not be unset'));
    else if (ips[0] !== oldIPs[0]) errs.push(field.invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(field.invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
  }
  const fams = strList(spec.ipFamilies);
  const oldFams = strList(old.ipFamilies);
  if (oldFams.length && fams.length && fams[0] !== oldFams[0]) {
    errs.push(field.invalid('spec.ipFamilies[0]', fams, 'may not change once set'));
  }
  return errs;
}

export function validateStatus(svc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ingress = objAt(objAt(svc, 'status'), 'loadBalancer')?.ingress;
  if (!Array.isArray(ingress)) return errs;
  if (specOf(svc).type !== 'LoadBalancer' && ingress.length) {
    return [field.forbidden('status.loadBalancer.ingress', "may only be used when `spec.type` is 'LoadBalancer'")];
  }
  ingress.filter(isObj).forEach((ing, i) => {
    const path = `status.loadBalancer.ingress[${i}]`;
    if (str(ing.ip)) for (const m of isValidIP(str(ing.ip))) errs.push(field.invalid(`${path}.ip`, ing.ip, m));
    if (!set(ing.ipMode)) {
      if (str(ing.ip)) errs.push(field.required(`${path}.ipMode`, 'must be specified when `ip` is set'));
    } else if (!str(ing.ip)) errs.push(field.forbidden(`${path}.ipMode`, 'may not be specified when `ip` is not set'));
    else if (!IP_MODES.includes(str(ing.ipMode))) errs.push(field.notSupported(`${path}.ipMode`, ing.ipMode, IP_MODES));
    if (str(ing.hostname)) {
      for (const m of isDNS1123Subdomain(str(ing.hostname))) errs.push(field.invalid(`${path}.hostname`, ing.hostname, m));
      if (isValidIP(str(ing.hostname)).length === 0) errs.push(field.invalid(`${path}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

