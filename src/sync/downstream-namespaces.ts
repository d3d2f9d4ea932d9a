// The management-cluster namespaces the syncer made, one per (logical cluster, namespace): created
// on demand, labelled with the logical cluster they belong to, known from one watch (so a resync
// asks nothing when they exist).

import type { DownstreamClient } from './client.js';
import { DownstreamError } from './client.js';
import { DownstreamInformer } from './downstream-informer.js';
import { clusterLabelValue } from './naming.js';
import { ANN_NAMESPACE, ANN_WORKSPACE, LABEL_CLUSTER } from './types.js';

export interface NamespaceOrigin {
  cluster: string;
  namespace: string;
  uid: string;
}

export class DownstreamNamespaces {
  private readonly informer: DownstreamInformer;
  private readonly made = new Set<string>();

  constructor(private readonly client: DownstreamClient) {
    this.informer = new DownstreamInformer(client, '/api/v1/namespaces', { labelSelector: LABEL_CLUSTER }, { onUpsert() {}, onDelete() {} });
  }

  start(): void {
    this.informer.start();
  }

  async ensure(name: string, origin: NamespaceOrigin): Promise<void> {
    const cached = this.informer.cache.get(name) as { metadata?: { deletionTimestamp?: string } } | undefined;
    if ((cached && !cached.metadata?.deletionTimestamp) || this.made.has(name)) return;
    try {
      await this.client.request('POST', '/api/v1/namespaces', {
        apiVersion: 'v1', kind: 'Namespace',
        metadata: {
          name,
          labels: { [LABEL_CLUSTER]: clusterLabelValue(origin.uid) },
          annotations: { [ANN_WORKSPACE]: origin.cluster, [ANN_NAMESPACE]: origin.namespace },
        },
      });
    } catch (e) {
      if (!(e instanceof DownstreamError && e.code === 409)) throw e;
    }
    this.made.add(name);
    if (this.made.size > 100_000) this.made.clear();
  }

  /**
   * Deletes the namespaces nothing needs any more: empty of synced objects (`holdsObjects`) and
   * belonging to a (cluster, namespace) that is no longer bound (`stillBound`). The namespace's
   * deletion removes whatever the management cluster's controllers left in it.
   */
  async collect(holdsObjects: (ns: string) => boolean, stillBound: (cluster: string, namespace: string) => boolean): Promise<string[]> {
    if (!this.informer.hasSynced) return [];
    const removed: string[] = [];
    for (const [name, obj] of this.informer.cache) {
      const m = (obj.metadata ?? {}) as { annotations?: Record<string, string>; deletionTimestamp?: string };
      const cluster = m.annotations?.[ANN_WORKSPACE];
      if (m.deletionTimestamp || !cluster || holdsObjects(name) || stillBound(cluster, m.annotations?.[ANN_NAMESPACE] ?? '')) continue;
      try {
        await this.client.delete(`/api/v1/namespaces/${encodeURIComponent(name)}`);
      } catch (e) {
        if (!(e instanceof DownstreamError && e.code === 404)) throw e;
      }
      this.made.delete(name);
      removed.push(name);
    }
    return removed;
  }

  /** The tenant (logical cluster, namespace) a downstream namespace was made for, if the syncer made it. */
  origin(name: string): { cluster: string; namespace: string } | undefined {
    const a = ((this.informer.cache.get(name)?.metadata ?? {}) as { annotations?: Record<string, string> }).annotations;
    const cluster = a?.[ANN_WORKSPACE];
    return cluster ? { cluster, namespace: a?.[ANN_NAMESPACE] ?? '' } : undefined;
  }

  forget(name: string): void {
    this.made.delete(name);
  }

  stop(): void {
    this.informer.stop();
  }
}
