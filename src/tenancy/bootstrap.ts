// What every logical cluster starts with: the objects a fresh kube-apiserver and its controllers
// create (system namespaces, their default ServiceAccounts and kube-root-ca.crt ConfigMaps, the
// bootstrap RBAC roles, and the `kubernetes` Service with its Endpoints and EndpointSlice, which
// point at kplane itself). They are served as shared templates (src/storage/defaults-overlay.ts):
// one copy in memory for all clusters, zero bytes per cluster on disk.

import type { KubeObject } from '../apimachinery/object.js';
import { FieldManager } from '../fieldmanager/fieldmanager.js';
import { atomOf } from '../fieldmanager/schema.js';
import { resolveSchema } from '../openapi/definitions.js';
import { KUBERNETES_SERVICE_IP } from '../registry/kinds/_servicealloc.js';
import type { Template, TemplateSet } from '../storage/defaults-overlay.js';

/** Namespaces that exist in every cluster and cannot be deleted (NamespaceLifecycle's immortal ones). */
export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;
export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-public', 'kube-system']);

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DEFAULT_SERVICE_ACCOUNT = 'default';

const RBAC = 'rbac.authorization.k8s.io/v1';
const bootstrapMeta = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

export function namespaceBody(name: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function serviceAccountBody(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
}

export function rootCABody(namespace: string, caPem: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: ROOT_CA_CONFIGMAP, namespace,
      annotations: {
        'kubernetes.io/description': 'The CA bundle that signs this logical cluster\'s serving certificate; clients inside the cluster use it to verify the API server.',
      },
    },
    data: { 'ca.crt': caPem },
  };
}

export const KUBERNETES_SERVICE = 'kubernetes';

/** Where kplane is reached: the host and port of its URL; the address kind for an EndpointSlice. */
export function selfAddress(url: string): { address: string; port: number; type: 'IPv4' | 'IPv6' | 'FQDN' } {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 443;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return { address: host, port, type: 'IPv4' };
  if (host.includes(':')) return { address: host, port, type: 'IPv6' };
  if (host === 'localhost') return { address: '127.0.0.1', port, type: 'IPv4' };
  return { address: host, port, type: 'FQDN' };
}

/** The `kubernetes` Service in default, as kube-apiserver keeps it (ClusterIP 10.96.0.1:443). */
export function kubernetesServiceBody(targetPort: number): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort }],
      clusterIP: KUBERNETES_SERVICE_IP, clusterIPs: [KUBERNETES_SERVICE_IP], type: 'ClusterIP', sessionAffinity: 'None',
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

/**
 * Its Endpoints and EndpointSlice: kplane's own address. Endpoints hold IPs only, so a kplane
 * reached by a DNS name has an FQDN EndpointSlice and Endpoints without subsets.
 */
export function kubernetesEndpointsBodies(url: string): { endpoints: KubeObject; slice: KubeObject } {
  const self = selfAddress(url);
  // each in its type's Go field order, as kube's JSON prints them
  const port = { name: 'https', port: self.port, protocol: 'TCP' };
  const slicePort = { name: 'https', protocol: 'TCP', port: self.port };
  const endpoints: KubeObject = {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    ...(self.type === 'FQDN' ? {} : { subsets: [{ addresses: [{ ip: self.address }], ports: [port] }] }),
  };
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { 'kubernetes.io/service-name': KUBERNETES_SERVICE } },
    addressType: self.type,
    endpoints: [{ addresses: [self.address], conditions: { ready: true } }],
    ports: [slicePort],
  };
  return { endpoints, slice };
}

type Rule = Record<string, string[]>;

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** Rules aggregated into view / edit / admin, for the APIs a logical cluster serves. */
const viewRules: Rule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'persistentvolumeclaims', 'pods', 'replicationcontrollers', 'serviceaccounts', 'services', 'events', 'limitranges', 'resourcequotas', 'resourcequotas/status', 'namespaces/status'], verbs: read },
  { apiGroups: [''], resources: ['namespaces'], verbs: read },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: read },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: read },
];
const editRules: Rule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'serviceaccounts', 'events'], verbs: write },
  { apiGroups: [''], resources: ['secrets'], verbs: read },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: write },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: write },
];
const adminRules: Rule[] = [
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: [...write, ...read] },
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
];

function clusterRole(name: string, rules: Rule[], extra: Partial<KubeObject> = {}, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: RBAC, kind: 'ClusterRole',
    metadata: { name, labels: { ...bootstrapMeta.labels, ...labels }, annotations: bootstrapMeta.annotations },
    ...extra,
    rules,
  };
}

/**
 * An aggregated role as kube bootstraps it. Its rules are precomputed: what the
 * clusterrole-aggregation controller computes from the roles below (selector by selector, the
 * matching roles by name, each rule once), so no cluster ever needs a copy of its own.
 */
function aggregated(name: string, selectors: string[], rules: Rule[], labels: Record<string, string> = {}): KubeObject {
  return clusterRole(name, rules, {
    aggregationRule: { clusterRoleSelectors: selectors.map((s) => ({ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${s}`]: 'true' } })) },
  }, labels);
}

function clusterRoleBinding(name: string, role: string, subjects: { kind: string; name: string }[]): KubeObject {
  return {
    apiVersion: RBAC, kind: 'ClusterRoleBinding',
    metadata: { name, labels: bootstrapMeta.labels, annotations: bootstrapMeta.annotations },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ apiGroup: 'rbac.authorization.k8s.io', ...s })),
  };
}

const discoveryURLs = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const publicURLs = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

function clusterRoles(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    // admin <- edit, system:aggregate-to-admin; edit <- system:aggregate-to-edit, view; view <- system:aggregate-to-view
    aggregated('admin', ['admin'], [...editRules, ...viewRules, ...adminRules]),
    aggregated('edit', ['edit'], [...editRules, ...viewRules], { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }),
    aggregated('view', ['view'], viewRules, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }),
    clusterRole('system:aggregate-to-admin', adminRules, {}, { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }),
    clusterRole('system:aggregate-to-edit', editRules, {}, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }),
    clusterRole('system:aggregate-to-view', viewRules, {}, { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    clusterRole('system:discovery', [{ nonResourceURLs: discoveryURLs, verbs: ['get'] }]),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: publicURLs, verbs: ['get'] }]),
  ];
}

/** Names of the bootstrap ClusterRoles every cluster starts with. */
export const BOOTSTRAP_CLUSTER_ROLES: ReadonlySet<string> = new Set(clusterRoles().map((r) => r.metadata.name!));

function clusterRoleBindings(): KubeObject[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
    clusterRoleBinding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [
      { kind: 'Group', name: 'system:authenticated' },
      { kind: 'Group', name: 'system:unauthenticated' },
    ]),
  ];
}

/**
 * The managedFields kube's component records when it creates a template object: an Update of
 * everything the body sets, less the fields set after field management (a namespace's spec
 * finalizers and status). Entries carry no time: the overlay gives them the cluster's creation time.
 */
function recordedBy(manager: string, schemaName: string, body: KubeObject, unrecorded: string[] = [], applier?: { manager: string; fields: string[] }): KubeObject {
  const fm = new FieldManager({
    apiVersion: body.apiVersion!, kind: body.kind!, subresource: '', atom: atomOf(resolveSchema(schemaName)),
    zero: () => ({}) as KubeObject,
  });
  const seen = structuredClone(body) as Record<string, unknown> & KubeObject;
  for (const f of [...unrecorded, ...(applier?.fields ?? [])]) delete seen[f];
  fm.update(undefined, seen, manager, '');
  const entries = (seen.metadata.managedFields ?? []) as Array<Record<string, unknown>>;
  if (applier) {
    // an applier's fields (the aggregated rules of the clusterrole-aggregation controller)
    const applied = Object.fromEntries(applier.fields.map((f) => [`f:${f}`, {}]));
    entries.unshift({ manager: applier.manager, operation: 'Apply', apiVersion: body.apiVersion, fieldsType: 'FieldsV1', fieldsV1: applied });
  }
  return entries.length ? { ...body, metadata: { ...body.metadata, managedFields: entries } } : body;
}

function toTemplates(objects: KubeObject[]): Template[] {
  return objects
    // kind first, as kube's JSON prints objects
    .map((o) => ({ kind: o.kind, apiVersion: o.apiVersion, ...o }))
    .map((body) => ({ relKey: body.metadata.namespace ? `${body.metadata.namespace}/${body.metadata.name}` : body.metadata.name!, body }))
    .sort((a, b) => (a.relKey < b.relKey ? -1 : a.relKey > b.relKey ? 1 : 0));
}

function freeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  }
  return v;
}

/**
 * The shared defaults of every logical cluster, for a kplane whose CA is caPem and which is
 * reached at selfURL() (undefined until kplane listens: the `kubernetes` Service, Endpoints and
 * EndpointSlice, which need its port, appear from then on; built once, shared by every cluster).
 */
export function bootstrapTemplates(caPem: string, selfURL: () => string | undefined = () => undefined): TemplateSet {
  const byResource = new Map<string, Template[]>([
    ['core/namespaces', toTemplates(SYSTEM_NAMESPACES.map((ns) => recordedBy('kube-apiserver', 'io.k8s.api.core.v1.Namespace', namespaceBody(ns), ['spec', 'status'])))],
    ['core/serviceaccounts', toTemplates(SYSTEM_NAMESPACES.map(serviceAccountBody))],
    ['core/configmaps', toTemplates(SYSTEM_NAMESPACES.map((ns) => recordedBy('kube-controller-manager', 'io.k8s.api.core.v1.ConfigMap', rootCABody(ns, caPem))))],
    ['rbac.authorization.k8s.io/clusterroles', toTemplates(clusterRoles().map((r) => recordedBy('kube-apiserver', 'io.k8s.api.rbac.v1.ClusterRole', r, [],
      r.aggregationRule ? { manager: 'clusterrole-aggregation-controller', fields: ['rules'] } : undefined)))],
    ['rbac.authorization.k8s.io/clusterrolebindings', toTemplates(clusterRoleBindings().map((b) => recordedBy('kube-apiserver', 'io.k8s.api.rbac.v1.ClusterRoleBinding', b)))],
  ]);
  // Templates are shared by every cluster's reads: make accidental mutation loud.
  for (const ts of byResource.values()) freeze(ts);
  const SELF_RESOURCES = ['core/services', 'core/endpoints', 'discovery.k8s.io/endpointslices'];
  let selfBuilt = false;
  const buildSelf = (): void => {
    const url = selfURL();
    if (selfBuilt || !url) return;
    const { endpoints, slice } = kubernetesEndpointsBodies(url);
    const bodies = [kubernetesServiceBody(selfAddress(url).port), endpoints, slice];
    SELF_RESOURCES.forEach((r, i) => byResource.set(r, freeze(toTemplates([bodies[i]!]))));
    selfBuilt = true;
  };
  return {
    forResource: (resource) => {
      if (!selfBuilt && SELF_RESOURCES.includes(resource)) buildSelf();
      return byResource.get(resource);
    },
  };
}
