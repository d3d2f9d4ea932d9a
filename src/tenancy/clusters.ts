// The record of which logical clusters exist. Each cluster has one small record object, stored at
// core.kplane.io/logicalclusters/<cluster>/cluster (kcp keeps a LogicalCluster named "cluster" in
// each workspace too). Its createRevision is the cluster's birth revision: the resourceVersion of
// the cluster's shared default objects. Lookups go through a bounded LRU cache that a watch keeps
// current, so idle clusters occupy no memory and busy ones cost no reads.

import { randomUUID } from 'node:crypto';
import { formatTime, type KubeObject } from '../apimachinery/object.js';
import type { ClusterInfo, ClusterSource } from '../storage/defaults-overlay.js';
import { PreconditionFailed, type KV, type Store, type Watch } from '../storage/interface.js';
import { clusterOfKey, objectKey, resourcePrefix } from '../storage/keys.js';
import { Lru } from '../util/lru.js';
import type { ClusterName } from './logicalcluster.js';

export const LOGICAL_CLUSTERS = { group: 'core.kplane.io', resource: 'logicalclusters' } as const;
const RECORD_NAME = 'cluster';

export interface ClusterOwner {
  /** The Workspace that made the cluster: its cluster, name and uid. */
  cluster: string;
  name: string;
  uid: string;
}

export interface LogicalClusterRecord extends KubeObject {
  spec: { owner?: ClusterOwner };
  status: { phase: 'Ready' | 'Terminating' };
}

function recordKey(cluster: string): string {
  return objectKey(LOGICAL_CLUSTERS, cluster as ClusterName, undefined, RECORD_NAME);
}


export class ClusterRegistry implements ClusterSource {
  /** Cluster name -> info, or null for "known not to exist". */
  private readonly cache = new Lru<string, ClusterInfo | null>(2048);
  private watch: Watch | undefined;

  constructor(private readonly store: Store) {}

  /** Keeps the cache in step with writes of cluster records. */
  start(): void {
    const prefix = resourcePrefix(LOGICAL_CLUSTERS);
    this.watch = this.store.watch(prefix, this.store.currentRevision(), {
      onEvents: (events) => {
        for (const ev of events) {
          const name = clusterOfKey(ev.kv.key)!;
          if (ev.type === 'DELETED') this.cache.set(name, null);
          else this.cache.set(name, this.fromRecord(ev.kv));
        }
      },
      onError: () => this.cache.clear(),
    });
  }

  stop(): void {
    this.watch?.stop();
  }

  /** Entries in the lookup cache (diagnostics). */
  cacheSize(): number {
    return this.cache.size;
  }

  fromRecord(kv: KV): ClusterInfo {
    return {
      name: clusterOfKey(kv.key)!,
      uid: kv.value.metadata.uid ?? '',
      birthRevision: kv.createRevision,
      creationTimestamp: kv.value.metadata.creationTimestamp ?? '',
      terminating: (kv.value as LogicalClusterRecord).status?.phase === 'Terminating',
    };
  }

  recordPrefix(cluster?: string): string {
    return cluster === undefined ? resourcePrefix(LOGICAL_CLUSTERS) : `${resourcePrefix(LOGICAL_CLUSTERS)}${cluster}/`;
  }

  async info(cluster: string, revision?: number): Promise<ClusterInfo | undefined> {
    const current = this.store.currentRevision();
    if (!revision || revision >= current) {
      const hit = this.cache.get(cluster);
      if (hit !== undefined) return hit ?? undefined;
      const kv = await this.store.get(recordKey(cluster));
      const info = kv ? this.fromRecord(kv) : null;
      this.cache.set(cluster, info);
      return info ?? undefined;
    }
    // A past revision: the current cluster answers if it was already born then.
    const now = await this.info(cluster);
    if (now && now.birthRevision <= revision) return now;
    const kv = await this.store.get(recordKey(cluster), { revision });
    return kv ? this.fromRecord(kv) : undefined;
  }

  async exists(cluster: string): Promise<boolean> {
    return (await this.info(cluster)) !== undefined;
  }

  async record(cluster: string): Promise<LogicalClusterRecord | undefined> {
    return (await this.store.get(recordKey(cluster)))?.value as LogicalClusterRecord | undefined;
  }

  async all(revision: number): Promise<ClusterInfo[]> {
    const page = await this.store.list(resourcePrefix(LOGICAL_CLUSTERS), { revision });
    return page.items.map((kv) => this.fromRecord(kv));
  }

  /** Brings a cluster to life. Idempotent: an existing record is returned as it is. */
  async create(cluster: ClusterName, owner: ClusterOwner | undefined, now: Date): Promise<ClusterInfo> {
    const value: LogicalClusterRecord = {
      apiVersion: 'core.kplane.io/v1alpha1',
      kind: 'LogicalCluster',
      metadata: {
        name: RECORD_NAME,
        uid: randomUUID(),
        creationTimestamp: formatTime(now),
        annotations: { 'kplane.io/path': cluster },
      },
      spec: owner ? { owner } : {},
      status: { phase: 'Ready' },
    };
    try {
      const [r] = await this.store.txn([{ type: 'put', key: recordKey(cluster), value, expect: 'absent' }]);
      return this.fromRecord(r!.kv);
    } catch (e) {
      if (e instanceof PreconditionFailed && e.current) return this.fromRecord(e.current);
      throw e;
    }
  }

  /** Marks a cluster as going away: it stays readable while its content is removed. */
  async markTerminating(cluster: ClusterName): Promise<void> {
    const kv = await this.store.get(recordKey(cluster));
    if (!kv || (kv.value as LogicalClusterRecord).status?.phase === 'Terminating') return;
    const value = structuredClone(kv.value) as LogicalClusterRecord;
    value.status = { phase: 'Terminating' };
    await this.store.txn([{ type: 'put', key: recordKey(cluster), value, expect: { revision: kv.modRevision } }]);
  }

  async remove(cluster: ClusterName): Promise<void> {
    try {
      await this.store.txn([{ type: 'delete', key: recordKey(cluster) }]);
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
    }
  }
}
