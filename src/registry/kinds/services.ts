// core/v1 Service (pkg/registry/core/service, SetDefaults_Service; validation in
// ./_servicevalidation.ts). Served as an API object only: nothing proxies it. Cluster IPs and node ports are filled in as kube's allocators would, deterministically
// (./_servicealloc.ts), before validation — as kube's REST storage does in its BeginCreate hook.

import { field, invalid, type FieldError } from '../../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../../apimachinery/object.js';
import { nameIsDNS1035Label } from '../../apimachinery/validation.js';
import { loadModel } from '../../openapi/clientnode.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { RequestContext, ResourceType, StatusStrategy } from '../types.js';
import {
  allocate, goStrings, initIPFamilyFields, isExternalName, KUBERNETES_SERVICE_IP, needsHealthCheckNodePort,
  needsNodePort, normalizeClusterIPs, patchAllocatedValues, portsOf, SERVICE_CIDR, specOf,
} from './_servicealloc.js';
import {
  externallyAccessible, num, set, str, strList, validateClusterIPsRelatedFields, validateIPChanges, validateService, validateStatus,
} from './_servicevalidation.js';
import { ensureObj, isObj, jsonEqual, objAt, orderKeys, type Obj } from './_util.js';

export { PORT_PROTOCOLS, validateNonSpecialIP } from './_servicevalidation.js';

const SPEC_KEYS = [
  'ports', 'selector', 'clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP',
  'loadBalancerSourceRanges', 'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'publishNotReadyAddresses',
  'sessionAffinityConfig', 'ipFamilies', 'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass',
  'internalTrafficPolicy', 'trafficDistribution',
];
const PORT_KEYS = ['name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'];

/** SetDefaults_Service (and the ports' protocol / targetPort defaults). */
function applyServiceDefaults(svc: KubeObject): void {
  const spec = specOf(svc);
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && !set(objAt(objAt(spec, 'sessionAffinityConfig'), 'clientIP')?.timeoutSeconds)) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of portsOf(spec)) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = num(p.port);
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!set(spec.internalTrafficPolicy) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(str(spec.type))) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && !set(spec.allocateLoadBalancerNodePorts)) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === 'LoadBalancer') {
    const ingress = objAt(objAt(svc, 'status'), 'loadBalancer')?.ingress;
    for (const ing of Array.isArray(ingress) ? ingress.filter(isObj) : []) if (str(ing.ip) && !set(ing.ipMode)) ing.ipMode = 'VIP';
  }
}

/** dropTypeDependentFields: a type change sheds the values the old type needed, if unchanged. */
function dropTypeDependentFields(spec: Obj, old: Obj): void {
  if (!isExternalName(old) && isExternalName(spec)) {
    if (jsonEqual(spec.clusterIPs ?? null, old.clusterIPs ?? null)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (jsonEqual(spec.ipFamilies ?? null, old.ipFamilies ?? null)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  const nodePorts = (s: Obj) => portsOf(s).map((p) => num(p.nodePort));
  if (needsNodePort(old) && !needsNodePort(spec) && jsonEqual(nodePorts(spec), nodePorts(old))) {
    for (const p of portsOf(spec)) delete p.nodePort;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === old.healthCheckNodePort) {
    delete spec.healthCheckNodePort;
  }
  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (set(spec.allocateLoadBalancerNodePorts) && spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (set(spec.loadBalancerClass) && spec.loadBalancerClass === old.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(spec) && spec.externalTrafficPolicy === old.externalTrafficPolicy) {
    delete spec.externalTrafficPolicy;
  }
  if (!isExternalName(old) && isExternalName(spec) && spec.internalTrafficPolicy === old.internalTrafficPolicy) {
    delete spec.internalTrafficPolicy;
  }
}

/** kube's BeginCreate/BeginUpdate: IP family defaults and allocation; refusals are 422s. */
function allocateFor(svc: KubeObject, old: KubeObject | undefined, ctx: RequestContext): void {
  const spec = specOf(svc);
  const oldSpec = old ? specOf(old) : undefined;
  normalizeClusterIPs(spec, oldSpec);
  if (oldSpec) patchAllocatedValues(spec, oldSpec);
  const name = svc.metadata.name ?? '';
  let errs = initIPFamilyFields(spec, oldSpec, validateClusterIPsRelatedFields);
  if (!errs.length && !oldSpec) errs = requestedIPErrors(spec);
  if (!errs.length) errs = allocate(spec, { cluster: ctx.cluster, namespace: svc.metadata.namespace ?? ctx.namespace, name });
  if (errs.length) throw invalid({ group: '', kind: 'Service' }, name, errs);
}

/** What the IP allocator says of an address the client asked for. */
function requestedIPErrors(spec: Obj): FieldError[] {
  const ip = strList(spec.clusterIPs)[0];
  if (!ip || ip === 'None' || isExternalName(spec)) return [];
  const octets = ip.split('.').map(Number);
  const inRange = octets.length === 4 && octets[0] === 10 && octets[1]! >= 96 && octets[1]! <= 111;
  const failed = (why: string) => [field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs), `failed to allocate IP ${ip}: ${why}`)];
  if (!inRange) return failed(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`);
  if (ip === KUBERNETES_SERVICE_IP) return failed('provided IP is already allocated');
  return [];
}

/** How kube's JSON prints a Service: Go field order, status.loadBalancer always present. */
function shape(svc: KubeObject): void {
  const spec = specOf(svc);
  for (const p of portsOf(spec)) {
    if (p.nodePort === 0) delete p.nodePort;
    orderKeys(p, PORT_KEYS);
  }
  for (const k of ['healthCheckNodePort']) if (spec[k] === 0) delete spec[k];
  for (const k of SPEC_KEYS) if (spec[k] === null || spec[k] === '') delete spec[k];
  orderKeys(spec, SPEC_KEYS);
  const status = ensureObj(svc, 'status');
  ensureObj(status, 'loadBalancer');
  orderKeys(status, ['loadBalancer', 'conditions']);
  orderKeys(svc, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

/** services/status: the spec stays as stored (metadata changes pass, as in kube). */
export const serviceStatusStrategy: StatusStrategy = {
  prepareForUpdate(obj, old) {
    obj.spec = deepCopy(old.spec);
  },
  validateUpdate: (obj) => validateStatus(obj),
};

// ---- table (pkg/printers/internalversion printService) ----

/** The Go doc of a field, as kube's printers take it from SwaggerDoc(). */
export function fieldDoc(className: string, attr: string): string {
  const d = loadModel(className)?.attributes.find((a) => a.name === attr)?.description ?? '';
  return d.replace(/\n\nPossible enum values:[\s\S]*$/, '');
}

function externalIPCell(spec: Obj, status: Obj | undefined): string {
  const externalIPs = strList(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = new Set<string>();
      const ingress = objAt(status, 'loadBalancer')?.ingress;
      for (const ing of Array.isArray(ingress) ? ingress.filter(isObj) : []) {
        if (str(ing.ip)) lb.add(str(ing.ip));
        else if (str(ing.hostname)) lb.add(str(ing.hostname));
      }
      const lbs = [...lb].sort();
      if (externalIPs.length) return [...lbs, ...externalIPs].join(',');
      return lbs.length ? lbs.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function portsCell(spec: Obj): string {
  const s = portsOf(spec).map((p) => (num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${str(p.protocol)}` : `${num(p.port)}/${str(p.protocol)}`)).join(',');
  return s || '<none>';
}

function selectorCell(spec: Obj): string {
  const sel = isObj(spec.selector) ? Object.entries(spec.selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return sel.length ? sel.map(([k, v]) => `${k}=${str(v)}`).join(',') : '<none>';
}

export const services: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  listKind: 'ServiceList',
  singularName: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  storage: { group: '', resource: 'services', apiVersion: 'v1', kind: 'Service' },
  schemaName: 'io.k8s.api.core.v1.Service',
  strategy: {
    validateName: nameIsDNS1035Label,
    applyDefaults: applyServiceDefaults,
    prepareForCreate(svc, ctx) {
      svc.status = {};
      allocateFor(svc, undefined, ctx);
    },
    validate: validateService,
    canonicalize: shape,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    prepareForUpdate(svc, old, ctx) {
      svc.status = deepCopy(old.status ?? {});
      dropTypeDependentFields(specOf(svc), specOf(deepCopy(old)));
      allocateFor(svc, old, ctx);
    },
    validateUpdate: (svc, old) => validateIPChanges(specOf(svc), specOf(deepCopy(old))).concat(validateService(svc)),
    status: serviceStatusStrategy,
    table: {
      columns: [
        nameColumn(),
        column('Type', 'string', fieldDoc('V1ServiceSpec', 'type')),
        column('Cluster-IP', 'string', fieldDoc('V1ServiceSpec', 'clusterIP')),
        column('External-IP', 'string', fieldDoc('V1ServiceSpec', 'externalIPs')),
        column('Port(s)', 'string', fieldDoc('V1ServiceSpec', 'ports')),
        ageColumn(),
        column('Selector', 'string', fieldDoc('V1ServiceSpec', 'selector'), { priority: 1 }),
      ],
      cells(svc, now) {
        const spec = isObj(svc.spec) ? svc.spec : {};
        const ips = strList(spec.clusterIPs);
        return [svc.metadata.name ?? '', str(spec.type), ips[0] ?? '<none>', externalIPCell(spec, objAt(svc, 'status')),
          portsCell(spec), translateTimestampSince(svc.metadata.creationTimestamp, now), selectorCell(spec)];
      },
    },
  },
};
