// The workspace controller: a Workspace "acme" in cluster P brings logical cluster "P:acme" to life
// (status Initializing -> Ready, status.url, status.cluster). Deleting it removes the cluster: first
// its child workspaces (recursively, through their own finalizers), then every object stored in
// it, then its record, and finally the workspace's finalizer.

import { isStatusError } from '../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../apimachinery/object.js';
import { WORKSPACE_FINALIZER } from '../registry/kinds/workspaces.js';
import type { ResourceType } from '../registry/types.js';
import { PreconditionFailed } from '../storage/interface.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import { childCluster, splitCluster, type ClusterName } from '../tenancy/logicalcluster.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';
import { QueueController } from './base.js';

interface WorkspaceStatus {
  phase?: string;
  url?: string;
  cluster?: string;
}

const PURGE_BATCH = 200;

export class WorkspaceController extends QueueController {
  private readonly informer: Informer;
  private readonly type: ResourceType;

  constructor(private readonly deps: ControllerDeps, private readonly externalURL: () => string) {
    super(deps.log, { what: 'workspace reconcile', concurrency: 8 });
    this.type = deps.catalog.allTypes().find((t) => t.group === 'tenancy.kplane.io' && t.resource === 'workspaces')!;
    this.informer = new Informer(deps.store, scopePrefix(this.type.storage, '*'), {
      onList: (kv) => {
        const ws = kv.value;
        const status = (ws.status ?? {}) as WorkspaceStatus;
        if (ws.metadata.deletionTimestamp || status.phase !== 'Ready') this.queue.add(kv.key);
      },
      onEvent: (ev) => {
        if (ev.type !== 'DELETED') this.queue.add(ev.kv.key);
        else this.parentOf(ev.kv.key);
      },
      onError: (err) => deps.log.warn({ err }, 'workspace informer restarted'),
    });
    this.informers.push(this.informer);
  }

  /** A workspace inside cluster C finished deleting: C's own workspace may now finish too. */
  private parentOf(key: string): void {
    const { cluster } = parseKey(key);
    const up = splitCluster(cluster);
    if (up) this.queue.add(this.deps.registry.key(this.type, up.parent, '', up.name));
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  protected override async reconcile(key: string): Promise<void> {
    const { cluster, name } = parseKey(key);
    const ws = await this.deps.registry.tryGet(this.type, cluster, '', name);
    if (!ws) return;
    const child = childCluster(cluster, name);
    if (ws.metadata.deletionTimestamp) return this.finalize(cluster, ws, child);
    const info = await this.deps.clusters.create(child, { cluster, name, uid: ws.metadata.uid! }, new Date());
    void info;
    await this.setStatus(cluster, ws, { phase: 'Ready', url: `${this.externalURL()}/clusters/${child}`, cluster: child });
  }

  private async setStatus(cluster: ClusterName, ws: KubeObject, want: WorkspaceStatus): Promise<void> {
    const cur = (ws.status ?? {}) as WorkspaceStatus;
    if (cur.phase === want.phase && cur.url === want.url && cur.cluster === want.cluster) return;
    const next = deepCopy(ws);
    next.status = { ...cur, ...want };
    try {
      await this.deps.registry.update(systemContext(cluster, '', 'kplane'), this.type, ws.metadata.name!, { updatedObject: () => next },
        { subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e; // conflicts retry through the queue
    }
  }

  private async finalize(cluster: ClusterName, ws: KubeObject, child: ClusterName): Promise<void> {
    if (!(ws.metadata.finalizers ?? []).includes(WORKSPACE_FINALIZER)) return;
    const status = (ws.status ?? {}) as WorkspaceStatus;
    await this.setStatus(cluster, ws, { phase: 'Terminating', url: status.url ?? '', cluster: child });
    if (await this.deps.clusters.exists(child)) {
      await this.deps.clusters.markTerminating(child);
      // Children first: each goes through this same finalizer.
      const children = await this.deps.registry.list(systemContext(child), this.type, {});
      for (const c of children.items) {
        if (!c.metadata.deletionTimestamp) {
          try {
            await this.deps.registry.delete(systemContext(child), this.type, c.metadata.name!, {});
          } catch (e) {
            if (!isStatusError(e, 'NotFound')) throw e;
          }
        }
      }
      if (children.items.length > 0) return; // requeued when the last child is gone
      await this.purge(child);
      await this.deps.clusters.remove(child);
    }
    const latest = await this.deps.registry.tryGet(this.type, cluster, '', ws.metadata.name!);
    if (!latest) return;
    const next = deepCopy(latest);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== WORKSPACE_FINALIZER);
    try {
      await this.deps.registry.update(systemContext(cluster, '', 'kplane'), this.type, ws.metadata.name!, { updatedObject: () => next });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** Removes every stored key of a logical cluster, resource by resource, in batches. */
  private async purge(cluster: ClusterName): Promise<void> {
    const base = this.deps.baseStore;
    for (const resource of base.resourcePrefixes()) {
      if (resource === 'core.kplane.io/logicalclusters') continue;
      const prefix = `${resource}/${cluster}/`;
      for (;;) {
        const page = await base.list(prefix, { limit: PURGE_BATCH });
        if (page.items.length === 0) break;
        try {
          await base.txn(page.items.map((kv) => ({ type: 'delete' as const, key: kv.key, expect: { revision: kv.modRevision } })));
        } catch (e) {
          if (!(e instanceof PreconditionFailed)) throw e; // something changed underneath: list again
        }
      }
    }
  }
}
