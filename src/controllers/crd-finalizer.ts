// Deleting a CRD deletes its custom resources (kube's CRDFinalizer): the first DELETE marks the
// CRD (finalizer customresourcecleanup.apiextensions.k8s.io, Terminating condition); this
// controller then sets Terminating/InstanceDeletionInProgress, deletes the instances of that
// logical cluster in bounded batches (their own finalizers are honoured), and once none is left
// reports InstanceDeletionCompleted and removes the finalizer, which removes the CRD.

import { isStatusError } from '../apimachinery/errors.js';
import { deepCopy } from '../apimachinery/object.js';
import { CRD_LIST_PAGE, CRD_RESOURCE, type CustomResourceIndex } from '../apiextensions/served.js';
import type { CustomResourceDefinition } from '../apiextensions/types.js';
import type { ResourceType } from '../registry/types.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { QueueController } from './base.js';
import { systemContext, type ControllerDeps } from './context.js';
import { setCondition } from './crd-names.js';
import { Informer } from './informer.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** Instances deleted per reconcile: one CRD's cleanup never holds the event loop for long. */
const DELETE_BATCH = 100;

export class CRDFinalizerController extends QueueController {
  private readonly informer: Informer;

  constructor(private readonly deps: ControllerDeps, private readonly type: ResourceType, private readonly index: CustomResourceIndex) {
    super(deps.log, { what: 'CRD cleanup', concurrency: 2 });
    const consider = (key: string, crd: CustomResourceDefinition) => {
      if (crd.metadata.deletionTimestamp && (crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) this.queue.add(key);
    };
    this.informer = new Informer(deps.store, scopePrefix(CRD_RESOURCE, '*'), {
      onList: (kv) => consider(kv.key, kv.value as never),
      onEvent: (ev) => {
        if (ev.type !== 'DELETED') consider(ev.kv.key, ev.kv.value as never);
      },
      onError: (err) => deps.log.warn({ err }, 'CRD informer restarted'),
    }, CRD_LIST_PAGE);
    this.informers.push(this.informer);
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  protected override async reconcile(key: string): Promise<void> {
    const { cluster, name } = parseKey(key);
    const kv = await this.deps.store.get(key);
    if (!kv) return;
    const crd = kv.value as never as CustomResourceDefinition;
    if (!crd.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const served = this.index.servedCRD(cluster, name);
    // never established: no instance can exist
    if (served) {
      const remaining = await this.deleteInstances(cluster, served.types[0]!);
      if (remaining > 0) {
        await this.setTerminating(cluster, crd, 'InstanceDeletionInProgress', 'CustomResource deletion is in progress');
        // finalizers of instances (or the batch limit) leave some: look again shortly
        setTimeout(() => this.queue.add(key), remaining > DELETE_BATCH ? 0 : 1000).unref();
        return;
      }
    }
    const done = await this.setTerminating(cluster, crd, 'InstanceDeletionCompleted', 'removed all instances', 'False');
    const next = deepCopy(done) as CustomResourceDefinition;
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    try {
      await this.deps.registry.update(systemContext(cluster, '', 'kube-apiserver'), this.type, name, { updatedObject: () => next });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** Deletes up to a batch of instances; answers how many are still stored. */
  private async deleteInstances(cluster: ClusterName, type: ResourceType): Promise<number> {
    const page = await this.deps.store.list(scopePrefix(type.storage, cluster), { limit: DELETE_BATCH + 1 });
    let remaining = page.items.length;
    for (const kv of page.items.slice(0, DELETE_BATCH)) {
      const obj = kv.value;
      if (obj.metadata.deletionTimestamp) continue; // waiting for its own finalizers
      try {
        const ctx = systemContext(cluster, type.namespaced ? obj.metadata.namespace ?? '' : '');
        const res = await this.deps.registry.delete(ctx, type, obj.metadata.name!, {});
        if (res.deleted) remaining--;
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
        remaining--;
      }
    }
    return remaining + (page.more ? 1 : 0);
  }

  private async setTerminating(cluster: ClusterName, crd: CustomResourceDefinition, reason: string, message: string,
    status: 'True' | 'False' = 'True'): Promise<CustomResourceDefinition> {
    const cur = (crd.status?.conditions ?? []).find((c) => c.type === 'Terminating');
    if (cur?.reason === reason && cur.status === status) return crd;
    const next = deepCopy(crd) as CustomResourceDefinition;
    setCondition(next, { type: 'Terminating', status, reason, message }, new Date());
    const res = await this.deps.registry.update(systemContext(cluster, '', 'kube-apiserver'), this.type, crd.metadata.name!, { updatedObject: () => next },
      { subresource: 'status' });
    return res.object as never;
  }
}
