// The CRD index: which custom resources each logical cluster serves. It follows every CRD of
// every cluster (one list-then-watch over the CRD key range) and keeps, per cluster that has
// established CRDs, a reference to an interned set: clusters holding identical definitions share
// one set, one ResourceSet and one compiled form of each CRD. A cluster without CRDs has no entry
// at all, so an idle cluster costs nothing here.

import type { KubeObject } from '../apimachinery/object.js';
import { Informer } from '../controllers/informer.js';
import { ResourceSet, type ClusterResourceSource, type ResourceCatalog } from '../registry/catalog.js';
import type { ResourceType } from '../registry/types.js';
import { isTombstone } from '../storage/defaults-overlay.js';
import type { KV, Store, StorageEvent } from '../storage/interface.js';
import { parseKey, resourcePrefix } from '../storage/keys.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { acquireCompiled, releaseCompiled } from './compiled.js';
import { buildServedCRD, servedKey, type ServedCRD, type ServeOptions } from './customresource.js';
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from './types.js';
import { APIEXTENSIONS_GROUP } from './types.js';

/** The CRDs a cluster serves, interned: shared by every cluster with the same members. */
interface CRDSet {
  readonly key: string;
  readonly members: ReadonlyMap<string, ServedCRD>;
  readonly resources: ResourceSet;
}

interface Counted<T> {
  value: T;
  refs: number;
}

export const CRD_RESOURCE = { group: APIEXTENSIONS_GROUP, resource: 'customresourcedefinitions' };

/** CRDs listed per page by informers: a Cluster API CRD is up to ~0.3 MiB of JSON. */
export const CRD_LIST_PAGE = 20;

function conditionTrue(crd: CustomResourceDefinition, type: string): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** The names a CRD is served under, when it is served at all (established, names accepted). */
export function servedNames(crd: CustomResourceDefinition): CustomResourceDefinitionNames | undefined {
  if (!conditionTrue(crd, 'Established')) return undefined;
  const accepted = crd.status?.acceptedNames;
  if (!accepted?.plural || !accepted.kind) return undefined;
  return accepted;
}

export class CustomResourceIndex implements ClusterResourceSource {
  private readonly byCluster = new Map<string, CRDSet>();
  private readonly sets = new Map<string, Counted<CRDSet>>();
  private readonly served = new Map<string, Counted<ServedCRD>>();
  private readonly informer: Informer;
  private readonly listeners = new Set<(cluster: string) => void>();

  constructor(store: Store, private readonly catalog: ResourceCatalog, private readonly opts: ServeOptions = {}) {
    this.informer = new Informer(store, resourcePrefix(CRD_RESOURCE), {
      onList: (kv) => this.observe(kv, false),
      onEvent: (ev) => this.onEvent(ev),
    }, CRD_LIST_PAGE);
  }

  async start(): Promise<void> {
    this.catalog.setSource(this);
    await this.informer.start();
  }

  stop(): void {
    this.informer.stop();
  }

  setOf(cluster: ClusterName): ResourceSet | undefined {
    return this.byCluster.get(cluster)?.resources;
  }

  /** The served CRD of a cluster by name (controllers). */
  servedCRD(cluster: ClusterName, name: string): ServedCRD | undefined {
    return this.byCluster.get(cluster)?.members.get(name);
  }

  /** The served CRDs of a cluster (the naming controller: which names are taken). */
  servedCRDs(cluster: ClusterName): Iterable<ServedCRD> | undefined {
    return this.byCluster.get(cluster)?.members.values();
  }

  /** Called after a cluster's served set changed (tests, caches). */
  onChange(fn: (cluster: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Clusters with at least one served CRD, and distinct sets and CRDs alive (bench, tests). */
  stats(): { clusters: number; sets: number; servedCRDs: number } {
    return { clusters: this.byCluster.size, sets: this.sets.size, servedCRDs: this.served.size };
  }

  private onEvent(ev: StorageEvent): void {
    if (ev.type === 'DELETED' || isTombstone(ev.kv.value)) this.observe(ev.kv, true);
    else this.observe(ev.kv, false);
  }

  private observe(kv: KV, deleted: boolean): void {
    const { cluster, name } = parseKey(kv.key);
    const crd = kv.value as KubeObject as CustomResourceDefinition;
    const names = deleted ? undefined : servedNames(crd);
    const current = this.byCluster.get(cluster)?.members.get(name);
    if (!names) {
      if (current) this.replace(cluster, name, undefined);
      return;
    }
    const compiled = acquireCompiled(crd.spec);
    const terminating = !!crd.metadata.deletionTimestamp;
    const key = servedKey(compiled, names, terminating);
    if (current?.key === key) {
      releaseCompiled(compiled);
      return;
    }
    let entry = this.served.get(key);
    if (entry) {
      releaseCompiled(compiled);
    } else {
      entry = { value: buildServedCRD(compiled, names, terminating, this.opts), refs: 0 };
      this.served.set(key, entry);
    }
    entry.refs++;
    this.replace(cluster, name, entry.value);
  }

  /** Moves a cluster to the set with `name` replaced (or removed), releasing what it held. */
  private replace(cluster: string, name: string, next: ServedCRD | undefined): void {
    const old = this.byCluster.get(cluster);
    const members = new Map(old?.members ?? []);
    const prev = members.get(name);
    if (next) members.set(name, next);
    else members.delete(name);
    if (members.size === 0) this.byCluster.delete(cluster);
    else this.byCluster.set(cluster, this.internSet(members));
    if (old) this.releaseSet(old);
    if (prev) this.releaseServed(prev);
    this.catalog.clusterChanged(cluster);
    for (const fn of this.listeners) fn(cluster);
  }

  private internSet(members: Map<string, ServedCRD>): CRDSet {
    const names = [...members.keys()].sort();
    const key = names.map((n) => members.get(n)!.key).join('\n');
    let e = this.sets.get(key);
    if (!e) {
      const types: ResourceType[] = [...this.catalog.builtins.all];
      const sources: string[] = [];
      for (const n of names) {
        const s = members.get(n)!;
        types.push(...s.types);
        sources.push(s.compiled.definitionSource);
      }
      const sorted = new Map(names.map((n) => [n, members.get(n)!]));
      e = { value: { key, members: sorted, resources: new ResourceSet(types, sources) }, refs: 0 };
      this.sets.set(key, e);
    }
    e.refs++;
    return e.value;
  }

  private releaseSet(set: CRDSet): void {
    const e = this.sets.get(set.key);
    if (e && --e.refs <= 0) this.sets.delete(set.key);
  }

  private releaseServed(s: ServedCRD): void {
    const e = this.served.get(s.key);
    if (!e || --e.refs > 0) return;
    this.served.delete(s.key);
    releaseCompiled(s.compiled);
  }
}
