// The garbage collector, following kube's semantics of ownerReferences, for all logical clusters:
// - when an owner is gone, dependents whose owners are all gone are deleted (background), and
//   references to vanished owners are removed from dependents that still have a live owner;
// - an owner deleted with propagationPolicy=Orphan keeps its "orphan" finalizer until every
//   dependent has lost its reference to it;
// - an owner deleted with propagationPolicy=Foreground keeps its "foregroundDeletion" finalizer
//   until no dependent that blocks owner deletion exists.
// Dependents are found through the store's owner index (cluster/uid -> keys), not by scanning,
// so the collector holds no per-object or per-cluster state in memory.

import { isStatusError, notFound } from '../apimachinery/errors.js';
import { deepCopy, parseApiVersion, type KubeObject, type OwnerReference } from '../apimachinery/object.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { isTombstone } from '../storage/defaults-overlay.js';
import type { Indexer, StorageEvent } from '../storage/interface.js';
import { clusterOfKey, parseKey } from '../storage/keys.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';
import { QueueController } from './base.js';

export const OWNER_INDEX = 'owner';

/** The store indexer behind dependent lookups: one entry per owner uid, scoped by logical cluster. */
export const ownerIndexer: Indexer = (key, value) => {
  const refs = value.metadata?.ownerReferences;
  if (!refs?.length) return [];
  const cluster = clusterOfKey(key);
  return [...new Set(refs.map((r) => `${cluster}/${r.uid}`))];
};

type OwnerState = 'present' | 'absent' | 'waiting';

export class GarbageCollector extends QueueController {
  private readonly informer: Informer;

  constructor(private readonly deps: ControllerDeps) {
    super(deps.log, { what: 'garbage collection', concurrency: 4 });
    this.informer = new Informer(deps.baseStore, '', { onEvent: (ev) => this.observe(ev) });
    this.informers.push(this.informer);
  }

  async start(): Promise<void> {
    this.informer.startFromNow();
  }

  private observe(ev: StorageEvent): void {
    const key = ev.kv.key;
    const gone = ev.type === 'DELETED' ? ev.kv.value : isTombstone(ev.kv.value) ? ev.prev?.value : undefined;
    if (gone) {
      if (isTombstone(gone)) return;
      if (gone.metadata.uid) this.queue.add(`gone|${clusterOfKey(key)}|${gone.metadata.uid}`);
      // A dependent went away: owners waiting for it in foreground deletion may now finish.
      for (const ref of gone.metadata.ownerReferences ?? []) {
        const ownerKey = this.ownerKey(key, gone, ref);
        if (ownerKey) this.queue.add(`deleting|${ownerKey}`);
      }
      return;
    }
    const obj = ev.kv.value;
    const fins = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && (fins.includes(FINALIZER_ORPHAN) || fins.includes(FINALIZER_FOREGROUND))) {
      this.queue.add(`deleting|${key}`);
    }
    if (obj.metadata.ownerReferences?.length) this.queue.add(`dependent|${key}`);
  }

  protected override async reconcile(task: string): Promise<void> {
    const [kind, a, b] = task.split('|') as [string, string, string?];
    if (kind === 'gone') {
      for (const dep of await this.deps.store.indexLookup(OWNER_INDEX, `${a}/${b}`)) await this.processDependent(dep);
    } else if (kind === 'dependent') {
      await this.processDependent(a);
    } else if (kind === 'deleting') {
      await this.processDeletingOwner(a);
    }
  }

  private typeOfKey(key: string): { type: ResourceType; cluster: ClusterName; namespace: string; name: string } | undefined {
    const k = parseKey(key);
    const type = this.deps.catalog.forCluster(k.cluster).forGroupResource(k.group, k.resource);
    return type ? { type, cluster: k.cluster, namespace: k.namespace ?? '', name: k.name } : undefined;
  }

  private ownerType(cluster: ClusterName, ref: OwnerReference): ResourceType | undefined {
    return this.deps.catalog.forCluster(cluster).forKind(parseApiVersion(ref.apiVersion).group, ref.kind);
  }

  private ownerKey(dependentKey: string, dependent: KubeObject, ref: OwnerReference): string | undefined {
    const cluster = parseKey(dependentKey).cluster;
    const type = this.ownerType(cluster, ref);
    if (!type) return undefined;
    return this.deps.registry.key(type, cluster, type.namespaced ? dependent.metadata.namespace ?? '' : '', ref.name);
  }

  private async ownerState(dependentKey: string, dependent: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const key = this.ownerKey(dependentKey, dependent, ref);
    // An owner of a kind this cluster does not serve cannot be verified: leave the dependent alone.
    if (!key) return 'present';
    const kv = await this.deps.store.get(key);
    if (!kv || kv.value.metadata.uid !== ref.uid) return 'absent';
    const m = kv.value.metadata;
    if (m.deletionTimestamp && (m.finalizers ?? []).includes(FINALIZER_FOREGROUND)) return 'waiting';
    return 'present';
  }

  private async processDependent(key: string): Promise<void> {
    const target = this.typeOfKey(key);
    if (!target) return;
    const kv = await this.deps.store.get(key);
    if (!kv) return;
    const obj = kv.value;
    const refs = obj.metadata.ownerReferences ?? [];
    if (!refs.length || obj.metadata.deletionTimestamp) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(key, obj, r)));
    const solid = refs.filter((_, i) => states[i] === 'present');
    const ctx = systemContext(target.cluster, target.namespace);
    if (solid.length > 0) {
      if (solid.length === refs.length) return;
      // Keep the live owners; drop references to vanished owners and to owners waiting on us.
      const keep = new Set(solid.map((r) => r.uid));
      await this.mutate(target.type, ctx, target.name, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => keep.has(r.uid));
        if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences;
      });
      return;
    }
    const waiting = states.includes('waiting');
    const hasDependents = obj.metadata.uid
      ? (await this.deps.store.indexLookup(OWNER_INDEX, `${target.cluster}/${obj.metadata.uid}`)).length > 0
      : false;
    try {
      await this.deps.registry.delete(ctx, target.type, target.name, {
        propagationPolicy: waiting && hasDependents ? 'Foreground' : 'Background',
        preconditions: { uid: obj.metadata.uid },
      });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }

  private async processDeletingOwner(key: string): Promise<void> {
    const target = this.typeOfKey(key);
    if (!target) return;
    const kv = await this.deps.store.get(key);
    if (!kv) return;
    const owner = kv.value;
    const uid = owner.metadata.uid;
    const fins = owner.metadata.finalizers ?? [];
    if (!owner.metadata.deletionTimestamp || !uid) return;
    const dependents = await this.deps.store.indexLookup(OWNER_INDEX, `${target.cluster}/${uid}`);
    if (fins.includes(FINALIZER_ORPHAN)) {
      for (const dep of dependents) {
        const d = this.typeOfKey(dep);
        if (!d) continue;
        await this.mutate(d.type, systemContext(d.cluster, d.namespace), d.name, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences;
        });
      }
      await this.removeFinalizer(target, FINALIZER_ORPHAN);
      return;
    }
    if (!fins.includes(FINALIZER_FOREGROUND)) return;
    let blocking = 0;
    for (const dep of dependents) {
      const dkv = await this.deps.store.get(dep);
      if (!dkv) continue;
      const ref = (dkv.value.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
      if (!ref) continue;
      if (ref.blockOwnerDeletion) blocking++;
      if (!dkv.value.metadata.deletionTimestamp) await this.processDependent(dep);
    }
    if (blocking === 0) await this.removeFinalizer(target, FINALIZER_FOREGROUND);
  }

  private async removeFinalizer(target: { type: ResourceType; cluster: ClusterName; namespace: string; name: string }, finalizer: string): Promise<void> {
    await this.mutate(target.type, systemContext(target.cluster, target.namespace), target.name, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    });
  }

  /** Read-modify-write through the registry (validation, deletion when the last finalizer goes). */
  private async mutate(type: ResourceType, ctx: ReturnType<typeof systemContext>, name: string, change: (o: KubeObject) => void): Promise<void> {
    try {
      await this.deps.registry.update(ctx, type, name, {
        updatedObject: (existing) => {
          if (!existing) throw notFound({ group: type.group, resource: type.resource }, name);
          const o = deepCopy(existing);
          change(o);
          return o;
        },
      });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
