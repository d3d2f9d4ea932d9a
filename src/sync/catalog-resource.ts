// A published resource in Catalog mode: the provider's objects of one management-cluster
// namespace (ClusterClasses, say) appear read-only in every bound workspace, in a namespace of the
// same name. Also used for clusterctl's provider inventory (every namespace), so that clusterctl's
// checks pass against a tenant's logical cluster. One watch downstream; per bound cluster one
// reconcile that writes only what differs.

import { isPlainObject } from '../apimachinery/object.js';
import { scopePrefix } from '../storage/keys.js';
import type { Store } from '../storage/interface.js';
import { RetryAfter } from '../controllers/fair-queue.js';
import { DownstreamInformer, metaOf, type Obj } from './downstream-informer.js';
import { CLUSTER_WORK, PublishedSync, SEP, type PublishedDeps } from './published.js';
import { catalogUp } from './transform.js';
import { ANN_PUBLISHED_BY } from './types.js';

export interface CatalogDeps extends PublishedDeps {
  store: Store;
}

export class CatalogResource extends PublishedSync {
  private objects: DownstreamInformer | undefined;
  private synced = new Set<string>();

  constructor(protected override readonly deps: CatalogDeps, name: string, spec: PublishedSync['spec'],
    client: PublishedSync['client'], tenantQPS: number, private readonly namespace: string | undefined) {
    super(deps, name, spec, client, tenantQPS);
  }

  get stats(): { inSync: number; failing: number } {
    return { inSync: this.synced.size, failing: 0 };
  }

  protected onCRD(): void {
    this.objects = new DownstreamInformer(this.client, this.path(this.namespace), {}, {
      onSynced: () => this.all(),
      onUpsert: () => this.all(),
      onDelete: () => this.all(),
    });
    this.objects.start();
  }

  private all(): void {
    for (const c of this.bound.keys()) this.queue.add(c + SEP + CLUSTER_WORK);
  }

  protected reconcileObject(): Promise<void> {
    return Promise.resolve();
  }

  protected override async reconcileCluster(cluster: string): Promise<void> {
    const type = this.typeIn(cluster);
    // retried (with backoff) until both are there: nothing else would bring this cluster back
    if (!type) throw new RetryAfter(250); // its imported CRD is not served there yet: waiting, not failing
    if (!this.objects?.hasSynced) throw new RetryAfter(250); // the downstream list is not done yet
    const want = new Set<string>();
    for (const o of this.objects.cache.values()) {
      const m = metaOf(o);
      if (m.namespace) {
        want.add(`${m.namespace}/${m.name}`);
        await this.deps.upstream.ensureNamespace(cluster, m.namespace);
      } else {
        want.add(String(m.name));
      }
      await this.deps.upstream.upsert(cluster, type, catalogUp(o, this.name));
    }
    // copies of objects that are gone downstream go too
    const page = await this.deps.store.list(scopePrefix({ group: this.spec.group, resource: this.spec.resource }, cluster as never));
    for (const kv of page.items) {
      const m = kv.value.metadata;
      if (m.annotations?.[ANN_PUBLISHED_BY] !== this.name) continue;
      const k = m.namespace ? `${m.namespace}/${m.name}` : String(m.name);
      if (!want.has(k)) await this.deps.upstream.delete(cluster, type, m.namespace ?? '', m.name!);
    }
    this.synced.add(cluster);
  }

  protected override boundChanged(): void {
    for (const c of this.synced) if (!this.bound.has(c)) this.synced.delete(c);
  }

  /** Whether an object in a cluster is one of this catalog's copies (tenants may not change those). */
  isCopy(obj: Obj | undefined): boolean {
    const a = obj && isPlainObject(obj.metadata) ? (obj.metadata.annotations as Record<string, string> | undefined) : undefined;
    return a?.[ANN_PUBLISHED_BY] === this.name;
  }

  override async stop(): Promise<void> {
    this.objects?.stop();
    await super.stop();
  }
}
