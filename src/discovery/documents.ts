// Discovery documents of one logical cluster, computed from the resources it serves. The objects
// are built with kube-apiserver's field order so that JSON.stringify gives the bytes kube sends:
//
//   /api                  APIVersions (kind only, no apiVersion: kube strips it for /api)
//   /apis                 APIGroupList (from the aggregator: group priority order)
//   /apis/<g>             APIGroup
//   /api/v1               APIResourceList without apiVersion (legacy group)
//   /apis/<g>/<v>         APIResourceList with apiVersion v1
//   aggregated            apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api and /apis
//
// Built-in groups follow kube-apiserver's registry (sorted verbs, responseKind without group and
// version); other groups (kplane's tenancy.kplane.io, later CRDs) follow apiextensions-apiserver.

import { createHash } from 'node:crypto';

import type { ResourceType } from '../registry/types.js';
import { isBuiltinGroup, sortGroups, sortVersions } from './priorities.js';

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

export interface APIVersions {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs: ServerAddressByClientCIDR[];
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion?: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  metadata: { name?: string };
  versions: APIVersionDiscovery[];
}

export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1';
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

/** apiextensions-apiserver's (unsorted) verb order for custom resources. */
const CRD_VERB_ORDER = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

interface SubresourceInfo {
  verbs: string[];
  /** Kind the subresource reads and writes when not the parent's. */
  kind?: GroupVersionKind;
}

/** Subresources kube serves, with their verbs. Unknown ones default to get/patch/update. */
const SUBRESOURCES: Record<string, SubresourceInfo> = {
  status: { verbs: ['get', 'patch', 'update'] },
  finalize: { verbs: ['update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  token: { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  approval: { verbs: ['get', 'patch', 'update'] },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  resize: { verbs: ['get', 'patch', 'update'] },
};

const HANDLER_VERBS: Record<string, string> = { POST: 'create' };

/** A subresource's verbs and kind: from its handler when the type has one (e.g. serviceaccounts/token), else kube's table. */
export function subresourceInfo(name: string, type?: ResourceType): SubresourceInfo {
  const handler = type?.subresourceHandlers?.[name];
  if (handler) {
    const { group, version, kind } = handler.kind;
    return { verbs: handler.methods.map((m) => HANDLER_VERBS[m]!).sort(), kind: { group, version, kind } };
  }
  return SUBRESOURCES[name] ?? { verbs: ['get', 'patch', 'update'] };
}

/** kube's storage version hash: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

function storageHashOf(t: ResourceType): string {
  const av = t.kubeStorageVersion ?? t.storage.apiVersion;
  const i = av.indexOf('/');
  const group = i < 0 ? '' : av.slice(0, i);
  const version = i < 0 ? av : av.slice(i + 1);
  return storageVersionHash(group, version, t.storage.kind);
}

function groupVersionString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function served(types: readonly ResourceType[]): Map<string, Map<string, ResourceType[]>> {
  const byGroup = new Map<string, Map<string, ResourceType[]>>();
  for (const t of types) {
    let versions = byGroup.get(t.group);
    if (!versions) byGroup.set(t.group, (versions = new Map()));
    let list = versions.get(t.version);
    if (!list) versions.set(t.version, (list = []));
    list.push(t);
  }
  return byGroup;
}

function verbsOf(t: ResourceType): string[] {
  if (isBuiltinGroup(t.group)) return [...new Set(t.verbs)].sort();
  return CRD_VERB_ORDER.filter((v) => t.verbs.includes(v as ResourceType['verbs'][number]));
}

// ---------------------------------------------------------------------------------------------
// legacy (unaggregated) documents

export interface APIVersionsOptions {
  /** host:port clients should use, e.g. "10.0.0.1:6443" (kube's --advertise-address and port). */
  serverAddress: string;
}

/** GET /api */
export function apiVersions(opts: APIVersionsOptions): APIVersions {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: opts.serverAddress }],
  };
}

function groupEntry(name: string, versions: string[], withTypeMeta: boolean): APIGroup {
  const gvs = versions.map((v) => ({ groupVersion: groupVersionString(name, v), version: v }));
  const g: APIGroup = withTypeMeta ? { kind: 'APIGroup', apiVersion: 'v1', name, versions: gvs, preferredVersion: gvs[0]! } : {
    name, versions: gvs, preferredVersion: gvs[0]!,
  };
  return g;
}

/** Non-legacy groups in discovery order with their versions, most preferred first. */
export function servedGroups(types: readonly ResourceType[]): { name: string; versions: string[] }[] {
  const byGroup = served(types);
  byGroup.delete('');
  const versionsOf = (g: string): string[] => sortVersions(g, byGroup.get(g)!.keys());
  return sortGroups(byGroup.keys(), versionsOf).map((name) => ({ name, versions: versionsOf(name) }));
}

/** GET /apis */
export function apiGroupList(types: readonly ResourceType[]): APIGroupList {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: servedGroups(types).map((g) => groupEntry(g.name, g.versions, false)),
  };
}

/** GET /apis/<group>; undefined when the group is not served (404). */
export function apiGroup(types: readonly ResourceType[], group: string): APIGroup | undefined {
  if (!group) return undefined;
  const g = servedGroups(types).find((x) => x.name === group);
  return g ? groupEntry(g.name, g.versions, true) : undefined;
}

function apiResources(list: readonly ResourceType[], builtin: boolean): APIResource[] {
  const out: { path: string; r: APIResource }[] = [];
  const sorted = [...list].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  for (const t of sorted) {
    const main: APIResource = {
      name: t.resource,
      singularName: t.singularName,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: verbsOf(t),
    };
    if (t.shortNames.length) main.shortNames = [...t.shortNames];
    if (t.categories.length) main.categories = [...t.categories];
    // only a stored resource has a storage version (kube: storages that are StorageVersionProviders)
    if (!t.createOnly) main.storageVersionHash = storageHashOf(t);
    out.push({ path: t.resource, r: main });
    const subs = builtin ? [...t.subresources].sort() : [...t.subresources].sort(crdSubresourceOrder);
    for (const s of subs) {
      const info = subresourceInfo(s, t);
      const r: APIResource = { name: `${t.resource}/${s}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: [...info.verbs] };
      if (info.kind) {
        // kube sets group/version only for subresources of another kind (GroupVersionKindProvider).
        const withGV: APIResource = {
          name: r.name, singularName: '', namespaced: t.namespaced, group: info.kind.group, version: info.kind.version,
          kind: info.kind.kind, verbs: r.verbs,
        };
        out.push({ path: r.name, r: withGV });
      } else {
        out.push({ path: r.name, r });
      }
    }
  }
  // kube-apiserver registers storage paths in sorted order; CRDs list each resource with its subresources.
  if (builtin) out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out.map((x) => x.r);
}

function crdSubresourceOrder(a: string, b: string): number {
  const rank = (s: string): number => (s === 'status' ? 0 : s === 'scale' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when the group version is not served. */
export function apiResourceList(types: readonly ResourceType[], group: string, version: string): APIResourceList | undefined {
  const list = types.filter((t) => t.group === group && t.version === version);
  if (!list.length) return undefined;
  const resources = apiResources(list, isBuiltinGroup(group));
  return group
    ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionString(group, version), resources }
    : { kind: 'APIResourceList', groupVersion: version, resources };
}

// ---------------------------------------------------------------------------------------------
// aggregated discovery

function resourceDiscovery(list: readonly ResourceType[], group: string, version: string): APIResourceDiscovery[] {
  const builtin = isBuiltinGroup(group);
  const sorted = [...list].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  return sorted.map((t) => {
    // Built-in resources leave group and version of responseKind empty (kube's installer only
    // fills them for storages implementing GroupVersionKindProvider); CRDs fill them.
    const responseKind: GroupVersionKind = builtin ? { group: '', version: '', kind: t.kind } : { group, version, kind: t.kind };
    const r: APIResourceDiscovery = {
      resource: t.resource,
      responseKind,
      scope: t.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: t.singularName,
      verbs: verbsOf(t),
    };
    if (t.shortNames.length) r.shortNames = [...t.shortNames];
    if (t.categories.length) r.categories = [...t.categories];
    const subs = builtin ? [...t.subresources].sort() : [...t.subresources].sort(crdSubresourceOrder);
    if (subs.length) {
      r.subresources = subs.map((s) => {
        const info = subresourceInfo(s, t);
        return { subresource: s, responseKind: info.kind ? { ...info.kind } : { ...responseKind }, verbs: [...info.verbs] };
      });
    }
    return r;
  });
}

export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

/**
 * Aggregated discovery for /api (scope 'api': the legacy group) or /apis (scope 'apis': all named
 * groups in priority order).
 */
export function aggregatedDiscovery(
  types: readonly ResourceType[], scope: 'api' | 'apis', version: AggregatedDiscoveryVersion = 'v2',
): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] = [];
  if (scope === 'api') {
    const core = types.filter((t) => t.group === '');
    const versions = sortVersions('', core.map((t) => t.version));
    if (versions.length) {
      items.push({
        metadata: {},
        versions: versions.map((v) => ({
          version: v, resources: resourceDiscovery(core.filter((t) => t.version === v), '', v), freshness: 'Current' as const,
        })),
      });
    }
  } else {
    for (const g of servedGroups(types)) {
      items.push({
        metadata: { name: g.name },
        versions: g.versions.map((v) => ({
          version: v,
          resources: resourceDiscovery(types.filter((t) => t.group === g.name && t.version === v), g.name, v),
          freshness: 'Current' as const,
        })),
      });
    }
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/**
 * kube's ETag of an aggregated discovery document: uppercase hex SHA-512 of the JSON of the v2
 * list without its type meta (hash computed before the encoder sets kind/apiVersion).
 */
export function aggregatedDiscoveryETag(doc: APIGroupDiscoveryList): string {
  const { metadata, items } = doc;
  return createHash('sha512').update(JSON.stringify({ metadata, items })).digest('hex').toUpperCase();
}
