// What every published resource does, whatever its mode: follow the resource's CRD in the
// management cluster and serve it, as an imported CRD, in every bound logical cluster. The CRD
// objects are per cluster, but their compiled form is shared (src/apiextensions/compiled.ts keys
// it by spec content), so a thousand bound workspaces compile Cluster API's schema once.

import type { Logger } from 'pino';
import type { ResourceType } from '../registry/types.js';
import type { DownstreamClient } from './client.js';
import { resourcePath } from './client.js';
import { DownstreamInformer, type Obj } from './downstream-informer.js';
import { FairQueue, RetryAfter } from '../controllers/fair-queue.js';
import { TokenBucket } from '../util/token-bucket.js';
import type { SyncMetrics } from './metrics.js';
import { importedCRD } from './transform.js';
import type { BoundCluster, PublishedResourceSpec } from './types.js';
import type { Upstream } from './upstream.js';

export interface PublishedDeps {
  upstream: Upstream;
  crdType: ResourceType;
  log: Logger;
  metrics: SyncMetrics;
}

/** Keys of the work queue: one tenant object, or one cluster's imported CRD (and catalog). */
export const CLUSTER_WORK = '\u0001';
export const SEP = '\u0000';

export function laneOf(key: string): string {
  const i = key.indexOf(SEP);
  return i < 0 ? key : key.slice(0, i);
}

export abstract class PublishedSync {
  protected bound = new Map<string, BoundCluster>();
  protected crd: Obj | undefined;
  protected readonly queue: FairQueue;
  private crdInformer: DownstreamInformer | undefined;
  protected stopped = false;
  private readonly tenantQPS: number;
  private readonly writeBudgets = new Map<string, TokenBucket>();
  /** Why the resource cannot be served (its CRD is missing downstream...), for the PublishedResource's status. */
  problem: string | undefined = 'waiting for the CustomResourceDefinition in the management cluster';

  constructor(protected readonly deps: PublishedDeps, readonly name: string, readonly spec: PublishedResourceSpec,
    readonly client: DownstreamClient, tenantQPS: number) {
    this.tenantQPS = tenantQPS;
    // lanes (tenants) take turns; what is limited per tenant is its writes to the management
    // cluster (takeWrite), so a resync of unchanged objects is never slowed down by it
    this.queue = new FairQueue(laneOf, (key) => this.work(key), {
      concurrency: 8,
      onError: (key, err, attempt) => {
        deps.metrics.errors.inc({ published_resource: name });
        if (attempt <= 3 || attempt % 10 === 0) deps.log.warn({ publishedResource: name, key: key.split(SEP).join('/'), err: String(err), attempt }, 'sync failed');
      },
    });
  }

  get crdName(): string {
    return `${this.spec.resource}.${this.spec.group}`;
  }

  /** The storage version of the CRD downstream (what objects are synced as). */
  get version(): string | undefined {
    const versions = ((this.crd?.spec as { versions?: { name: string; storage?: boolean }[] } | undefined)?.versions ?? []);
    return versions.find((v) => v.storage)?.name;
  }

  /** The Service of the downstream CRD's conversion webhook, if it names one. */
  conversionService(): { namespace: string; name: string; port?: number } | undefined {
    const conv = (this.crd?.spec as { conversion?: { strategy?: string; webhook?: { clientConfig?: { service?: { namespace: string; name: string; port?: number } } } } } | undefined)?.conversion;
    return conv?.strategy === 'Webhook' ? conv.webhook?.clientConfig?.service : undefined;
  }

  start(): void {
    this.crdInformer = new DownstreamInformer(this.client, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      { fieldSelector: `metadata.name=${this.crdName}` }, {
        onUpsert: (crd) => {
          const firstTime = !this.crd;
          this.crd = crd;
          this.problem = undefined;
          for (const c of this.bound.keys()) this.queue.add(c + SEP + CLUSTER_WORK);
          if (firstTime) this.onCRD();
        },
        onDelete: () => {
          this.crd = undefined;
          this.problem = `the CustomResourceDefinition ${this.crdName} is gone from the management cluster`;
        },
        onSynced: () => {
          if (!this.crd) this.problem = `the management cluster has no CustomResourceDefinition ${this.crdName}`;
        },
        onError: (err) => this.deps.log.debug({ publishedResource: this.name, err: String(err) }, 'CRD watch'),
      });
    this.crdInformer.start();
  }

  /** The CRD is known for the first time: start following the resource itself. */
  protected abstract onCRD(): void;

  /** One tenant object's reconcile (keys other than a cluster's CRD work). */
  protected abstract reconcileObject(key: string): Promise<void>;

  /** After the CRD of a cluster is in place (catalog copies, ...). */
  protected async reconcileCluster(_cluster: string): Promise<void> {}

  setBound(bound: Map<string, BoundCluster>): void {
    const before = this.bound;
    this.bound = bound;
    for (const c of bound.keys()) if (!before.has(c) && this.crd) this.queue.add(c + SEP + CLUSTER_WORK);
    this.boundChanged(before);
  }

  protected boundChanged(_before: Map<string, BoundCluster>): void {}

  isBound(cluster: string): boolean {
    return this.bound.has(cluster);
  }

  get boundCount(): number {
    return this.bound.size;
  }

  private async work(key: string): Promise<void> {
    const started = Date.now();
    if (key.endsWith(SEP + CLUSTER_WORK)) {
      const cluster = laneOf(key);
      if (!this.bound.has(cluster) || !this.crd) return;
      await this.deps.upstream.upsert(cluster, this.deps.crdType, importedCRD(this.crd, this.name), false);
      await this.reconcileCluster(cluster);
      return;
    }
    await this.reconcileObject(key);
    this.deps.metrics.reconcileSeconds.observe({ published_resource: this.name }, (Date.now() - started) / 1000);
  }

  /**
   * Spends one of a tenant's management-cluster writes, or throws RetryAfter: the key is queued
   * again when the tenant has budget, without holding a worker meanwhile.
   */
  protected takeWrite(cluster: string): void {
    let b = this.writeBudgets.get(cluster);
    if (!b) {
      if (this.writeBudgets.size >= 10_000) for (const [c, x] of this.writeBudgets) if (x.full()) this.writeBudgets.delete(c);
      b = new TokenBucket(this.tenantQPS, Math.max(1, this.tenantQPS * 2));
      this.writeBudgets.set(cluster, b);
    }
    if (!b.tryTake()) throw new RetryAfter(Math.max(1, b.waitMs()));
  }

  /** The served type in a cluster, once its imported CRD is established there. */
  protected typeIn(cluster: string): ResourceType | undefined {
    const set = this.deps.upstream.catalog.forCluster(cluster as never);
    return (this.version && set.find(this.spec.group, this.version, this.spec.resource)) || set.forGroupResource(this.spec.group, this.spec.resource);
  }

  protected path(namespace?: string, name?: string, subresource?: string): string {
    return resourcePath({ group: this.spec.group, version: this.version!, resource: this.spec.resource }, namespace, name, subresource);
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.crdInformer?.stop();
    await this.queue.stop();
  }
}
