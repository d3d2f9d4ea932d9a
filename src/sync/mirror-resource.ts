// A published resource in Mirror mode: what the management cluster's controllers make for a
// tenant's synced objects (Cluster API's Machines, MachineDeployments, control planes, ...) in the
// tenant's downstream namespaces appears read-only in the tenant's own namespace, status included,
// so `clusterctl describe cluster` and `kubectl get machines` show the tree. One watch
// downstream; the owning tenant of an object is the one its namespace was made for.

import type { KubeObject } from '../apimachinery/object.js';
import { isPlainObject } from '../apimachinery/object.js';
import { RetryAfter } from '../controllers/fair-queue.js';
import { DownstreamInformer, cacheKey, metaOf, type Obj } from './downstream-informer.js';
import type { DownstreamNamespaces } from './downstream-namespaces.js';
import { PublishedSync, SEP, type PublishedDeps } from './published.js';
import { statusUp } from './transform.js';
import { ANN_PUBLISHED_BY } from './types.js';

export interface MirrorDeps extends PublishedDeps {
  namespaces: DownstreamNamespaces;
}

/** Every string equal to `from` (a downstream namespace named in a reference) told as `to`. */
function renamed(v: unknown, from: string, to: string): unknown {
  if (v === from) return to;
  if (Array.isArray(v)) return v.map((x) => renamed(x, from, to));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renamed(x, from, to)]));
  return v;
}

export class MirrorResource extends PublishedSync {
  private objects: DownstreamInformer | undefined;
  private readonly mirrored = new Set<string>();

  constructor(protected override readonly deps: MirrorDeps, name: string, spec: PublishedSync['spec'],
    client: PublishedSync['client'], tenantQPS: number) {
    super(deps, name, spec, client, tenantQPS);
  }

  get stats(): { inSync: number; failing: number } {
    return { inSync: this.mirrored.size, failing: 0 };
  }

  protected onCRD(): void {
    const observe = (o: Obj): void => {
      const m = metaOf(o);
      const origin = m.namespace ? this.deps.namespaces.origin(m.namespace) : undefined;
      if (origin && this.bound.has(origin.cluster)) this.queue.add([origin.cluster, m.namespace, m.name].join(SEP));
    };
    this.objects = new DownstreamInformer(this.client, this.path(), {}, { onUpsert: observe, onDelete: observe });
    this.objects.start();
  }

  protected async reconcileObject(key: string): Promise<void> {
    const [cluster, dsNs, name] = key.split(SEP) as [string, string, string];
    const origin = this.deps.namespaces.origin(dsNs);
    if (!origin) return;
    const type = this.typeIn(cluster);
    if (!type) throw new RetryAfter(250); // its imported CRD is not served there yet
    const down = this.objects?.cache.get(cacheKey(dsNs, name));
    const current = await this.deps.upstream.get(cluster, type, origin.namespace, name);
    if (!down || !this.bound.has(cluster)) {
      this.mirrored.delete(key);
      if (current?.metadata.annotations?.[ANN_PUBLISHED_BY] === this.name) await this.deps.upstream.delete(cluster, type, origin.namespace, name);
      return;
    }
    if (current && current.metadata.annotations?.[ANN_PUBLISHED_BY] !== this.name) return; // the tenant's own object of that name
    const m = metaOf(down);
    const copy = renamed({
      apiVersion: down.apiVersion, kind: down.kind,
      metadata: { name, namespace: origin.namespace, labels: { ...(m.labels ?? {}) }, annotations: { ...(m.annotations ?? {}), [ANN_PUBLISHED_BY]: this.name } },
      ...Object.fromEntries(Object.entries(down).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'status')),
    }, dsNs, origin.namespace) as Obj;
    await this.deps.upstream.upsert(cluster, type, copy, false);
    const now = await this.deps.upstream.get(cluster, type, origin.namespace, name);
    if (now && down.status !== undefined) {
      const status = renamed(statusUp(down, now.metadata.generation ?? 1), dsNs, origin.namespace);
      await this.deps.upstream.setStatus(cluster, type, now as KubeObject, status);
    }
    this.mirrored.add(key);
  }

  override async stop(): Promise<void> {
    this.objects?.stop();
    await super.stop();
  }
}
