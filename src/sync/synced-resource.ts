// A published resource in Sync mode: every tenant object goes down into its mapped namespace of
// the management cluster, and its status and related objects (the `<cluster>-kubeconfig` Secret)
// come back up. One reconcile per tenant object makes both sides agree; it is driven by three
// kinds of events, all from watches (nothing polls): the tenant objects of every logical cluster
// (one in-process watch), their downstream copies (one watch, selected by label), and the related
// objects (one watch each).

import type { KubeObject } from '../apimachinery/object.js';
import { Informer } from '../controllers/informer.js';
import type { ResourceType } from '../registry/types.js';
import type { Store } from '../storage/interface.js';
import { objectKey, parseKey, resourcePrefix } from '../storage/keys.js';
import { DownstreamError, isNotFound, resourcePath } from './client.js';
import { RetryAfter } from '../controllers/fair-queue.js';
import { DownstreamInformer, cacheKey, metaOf, type Obj } from './downstream-informer.js';
import type { DownstreamNamespaces } from './downstream-namespaces.js';
import { PublishedSync, SEP, type PublishedDeps } from './published.js';
import { applyReferenceRules } from './references.js';
import {
  downstreamNamespace, holds, isCopyOf, relatedUp, renderTemplate, statusUp, toDownstream,
} from './transform.js';
import {
  ANN_NAME, ANN_NAMESPACE, ANN_WORKSPACE, LABEL_CLUSTER, SYNC_FINALIZER, type BoundCluster, type RelatedResource,
} from './types.js';
import { setCondition } from './upstream.js';
import { errorForTenant } from './tenant-errors.js';

/** The condition the syncer adds to a tenant object's status: whether its downstream copy is up to date. */
export const SYNCED_CONDITION = 'KplaneSynced';

export interface SyncedDeps extends PublishedDeps {
  store: Store;
  namespaces: DownstreamNamespaces;
  /** A logical cluster's uid (its record's), when it exists. */
  clusterUid(cluster: string): Promise<string | undefined>;
  /** A downstream copy is gone (its namespace may be empty now). */
  copyGone?(): void;
}

interface Related {
  spec: RelatedResource;
  /** Up: the management cluster's objects; Down: the copies (selected by LABEL_CLUSTER). */
  informer: DownstreamInformer;
  gvr: { group: string; version: string; resource: string };
  /** Down: the tenants' objects, all logical clusters at once. */
  upstream?: Informer;
  /** Down: tenant object (cluster SEP namespace SEP name) -> the keys of the synced objects naming it, and back. */
  named?: Map<string, Set<string>>;
  names?: Map<string, string>;
}

export class SyncedResource extends PublishedSync {
  private objects: DownstreamInformer | undefined;
  private readonly related: Related[] = [];
  private upstreamInformer: Informer | undefined;
  private upstreamStarted = false;
  /** Upstream key -> downstream cache key (namespace/name) of its copy. */
  private readonly copies = new Map<string, string>();
  /** Downstream namespace -> the tenant (cluster, namespace) it belongs to. */
  private readonly owners = new Map<string, { cluster: string; namespace: string }>();
  private readonly inSync = new Set<string>();
  /** The downstream generation each of the syncer's writes made (see statusUp). */
  private readonly writtenAt = new Map<string, number>();
  private readonly failing = new Set<string>();
  /** When the change a key is queued for was seen, and on which side (for the lag metric). */
  private readonly seen = new Map<string, { at: number; side: 'up' | 'down' }>();

  constructor(protected override readonly deps: SyncedDeps, name: string, spec: PublishedSync['spec'],
    client: PublishedSync['client'], tenantQPS: number) {
    super(deps, name, spec, client, tenantQPS);
  }

  /** Whether any copy of this resource lives in a downstream namespace (namespace garbage collection). */
  holdsObjectsIn(ns: string): boolean {
    if (!this.objects) return true;
    for (const k of this.objects.cache.keys()) if (k.startsWith(`${ns}/`)) return true;
    return false;
  }

  get stats(): { inSync: number; failing: number } {
    return { inSync: this.inSync.size, failing: this.failing.size };
  }

  protected onCRD(): void {
    // tenant objects are looked at once every downstream cache is filled: before that, a copy
    // not in the cache is not yet known, not missing (a restart must not write or delete anything)
    let waiting = 1 + (this.spec.related ?? []).length;
    const synced = (): void => {
      if (--waiting !== 0) return;
      this.upstreamStarted = true;
      // tenants' related objects: only changes matter (every synced object naming one reads it when reconciled)
      for (const r of this.related) r.upstream?.startFromNow();
      void this.upstreamInformer?.start();
      // copies whose tenant object went while nobody watched are looked at too
      for (const key of this.copies.keys()) this.enqueue(key, 'down');
    };
    this.objects = new DownstreamInformer(this.client, this.path(), { labelSelector: LABEL_CLUSTER }, {
      onSynced: synced,
      onUpsert: (o) => this.observeDownstream(o),
      onDelete: (o) => {
        this.observeDownstream(o);
        this.deps.copyGone?.();
      },
      onError: (err) => this.deps.log.debug({ publishedResource: this.name, err: String(err) }, 'downstream watch'),
    });
    this.objects.start();
    for (const spec of this.spec.related ?? []) {
      // related objects are of built-in kinds (Secrets, ConfigMaps): their one version is v1
      const gvr = { group: spec.group ?? '', version: 'v1', resource: spec.resource };
      const down = spec.direction === 'Down';
      // Down: only the syncer's copies are watched (a downstream edit or delete is repaired)
      const selector: Record<string, string> = down ? { labelSelector: LABEL_CLUSTER } : spec.labelSelector ? { labelSelector: spec.labelSelector } : {};
      const informer = new DownstreamInformer(this.client, resourcePath(gvr), selector, {
        onSynced: synced,
        onUpsert: (o) => this.observeRelated(spec, o),
        onDelete: (o) => this.observeRelated(spec, o),
      });
      const r: Related = { spec, informer, gvr };
      if (down) {
        r.named = new Map();
        r.names = new Map();
        r.upstream = new Informer(this.deps.store, resourcePrefix({ group: gvr.group, resource: gvr.resource }), {
          onEvent: (ev) => this.observeRelatedUpstream(r, ev.kv.key),
        }, 500);
      }
      this.related.push(r);
      informer.start();
    }
    this.upstreamInformer = new Informer(this.deps.store, resourcePrefix({ group: this.spec.group, resource: this.spec.resource }), {
      onList: (kv) => this.observeUpstream(kv.key),
      onEvent: (ev) => this.observeUpstream(ev.kv.key),
    }, 500);
  }

  private enqueue(key: string, side: 'up' | 'down'): void {
    if (!this.seen.has(key)) this.seen.set(key, { at: Date.now(), side });
    this.queue.add(key);
  }

  private observeUpstream(storageKey: string): void {
    const k = parseKey(storageKey);
    const key = [k.cluster, k.namespace ?? '', k.name].join(SEP);
    if (this.bound.has(k.cluster) || this.copies.has(key)) this.enqueue(key, 'up');
  }

  private observeDownstream(o: Obj): void {
    const m = metaOf(o);
    if (!this.upstreamStarted) {
      // before every cache is filled, only remember where copies are; the upstream list queues them
      const a = m.annotations ?? {};
      if (a[ANN_WORKSPACE] && a[ANN_NAME]) this.copies.set([a[ANN_WORKSPACE], a[ANN_NAMESPACE] ?? '', a[ANN_NAME]].join(SEP), cacheKey(m.namespace, m.name));
      if (m.namespace && a[ANN_WORKSPACE]) this.owners.set(m.namespace, { cluster: a[ANN_WORKSPACE], namespace: a[ANN_NAMESPACE] ?? '' });
      return;
    }
    const a = m.annotations ?? {};
    const cluster = a[ANN_WORKSPACE];
    if (!cluster || !a[ANN_NAME]) return;
    const key = [cluster, a[ANN_NAMESPACE] ?? '', a[ANN_NAME]].join(SEP);
    this.copies.set(key, cacheKey(m.namespace, m.name));
    if (m.namespace) this.owners.set(m.namespace, { cluster, namespace: a[ANN_NAMESPACE] ?? '' });
    this.enqueue(key, 'down');
  }

  /** A related object changed: its owner is the object whose name renders to its name, in the same namespace. */
  private observeRelated(spec: RelatedResource, o: Obj): void {
    const m = metaOf(o);
    const owner = m.namespace ? this.owners.get(m.namespace) : undefined;
    if (!owner || !this.objects) return;
    for (const [ck, ds] of this.objects.cache) {
      if (!ck.startsWith(`${m.namespace}/`)) continue;
      const dm = metaOf(ds);
      if (this.relatedName(spec, ds, owner.namespace) === m.name) {
        this.enqueue([owner.cluster, owner.namespace, String(dm.name)].join(SEP), 'down');
      }
    }
  }

  /** A tenant's object a Down entry copies changed: the synced objects naming it are looked at again. */
  private observeRelatedUpstream(r: Related, storageKey: string): void {
    const k = parseKey(storageKey);
    for (const owner of r.named?.get([k.cluster, k.namespace ?? '', k.name].join(SEP)) ?? []) this.enqueue(owner, 'up');
  }

  /** Remembers which tenant object a synced object names (undefined: none, or the synced object is gone). */
  private indexDown(r: Related, owner: string, target: string | undefined): void {
    const before = r.names!.get(owner);
    if (before === target) return;
    if (before !== undefined) {
      const set = r.named!.get(before);
      set?.delete(owner);
      if (set && !set.size) r.named!.delete(before);
    }
    if (target === undefined) {
      r.names!.delete(owner);
      return;
    }
    r.names!.set(owner, target);
    let set = r.named!.get(target);
    if (!set) r.named!.set(target, (set = new Set()));
    set.add(owner);
  }

  /** The related object's name for an object (its downstream copy or the tenant's: names and spec agree). */
  private relatedName(spec: RelatedResource, obj: Obj | KubeObject, namespace: string): string | undefined {
    if (spec.namePath) {
      let v: unknown = obj;
      for (const part of spec.namePath.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
      return typeof v === 'string' && v ? v : undefined;
    }
    try {
      return renderTemplate(spec.nameTemplate ?? '', { Name: String(metaOf(obj as Obj).name), Namespace: namespace });
    } catch {
      return undefined;
    }
  }

  protected override boundChanged(before: Map<string, BoundCluster>): void {
    // objects of a cluster bound from now on, or no longer, are looked at again
    const changed = new Set<string>();
    for (const c of this.bound.keys()) if (!before.has(c)) changed.add(c);
    for (const c of before.keys()) if (!this.bound.has(c)) changed.add(c);
    if (!changed.size || !this.upstreamStarted) return;
    void (async () => {
      for (const c of changed) {
        const page = await this.deps.store.list(`${resourcePrefix({ group: this.spec.group, resource: this.spec.resource })}${c}/`);
        for (const kv of page.items) this.observeUpstream(kv.key);
      }
    })().catch((err) => this.deps.log.warn({ err: String(err) }, 'relist after binding change'));
  }

  async downstreamNamespaceOf(cluster: string, namespace: string): Promise<string | undefined> {
    if (!namespace) return undefined;
    const uid = this.bound.get(cluster)?.uid ?? (await this.deps.clusterUid(cluster));
    if (!uid) return undefined;
    return downstreamNamespace(this.spec.namespaceTemplate, cluster, uid, namespace);
  }

  /** The downstream form of a tenant object, or the field errors of its references. */
  async desired(cluster: string, obj: KubeObject): Promise<{ ok: true; object: Obj; namespace?: string } | { ok: false; errors: import('../apimachinery/errors.js').FieldError[] }> {
    const b = this.bound.get(cluster);
    const uid = b?.uid ?? (await this.deps.clusterUid(cluster)) ?? '';
    const dsNs = obj.metadata.namespace ? downstreamNamespace(this.spec.namespaceTemplate, cluster, uid, obj.metadata.namespace) : undefined;
    const base = toDownstream(obj as unknown as Obj, dsNs, { clusterPath: cluster, clusterUid: uid });
    const r = applyReferenceRules(base, this.spec.references ?? [], {
      mapNamespace: (ns) => downstreamNamespace(this.spec.namespaceTemplate, cluster, uid, ns),
    });
    if (!r.ok) return r;
    return { ok: true, object: r.object, namespace: dsNs };
  }

  protected async reconcileObject(key: string): Promise<void> {
    const [cluster, namespace, name] = key.split(SEP) as [string, string, string];
    const seen = this.seen.get(key);
    this.seen.delete(key);
    const copyKey = this.copies.get(key) ?? cacheKey(await this.downstreamNamespaceOf(cluster, namespace), name);
    const down = this.objects?.cache.get(copyKey);
    // whether the tenant object exists is read from storage: a type not served (yet) is no absence
    const stored = await this.deps.store.get(objectKey({ group: this.spec.group, resource: this.spec.resource }, cluster as never, namespace || undefined, name));
    const type = this.typeIn(cluster);
    if (stored && !type) throw new RetryAfter(250); // its imported CRD is not served there yet: waiting, not failing
    const up = stored && type ? await this.deps.upstream.get(cluster, type, namespace, name) : undefined;
    if (!up || !type) {
      // the tenant object is gone (or its whole cluster): so goes its copy
      this.inSync.delete(key);
      this.failing.delete(key);
      for (const r of this.related) if (r.names) this.indexDown(r, key, undefined);
      if (down && !metaOf(down).deletionTimestamp) await this.deleteDownstream(down);
      if (!down) {
        this.copies.delete(key);
        this.writtenAt.delete(key);
      }
      return;
    }
    if (!this.bound.has(cluster)) {
      // no longer offered to this workspace: stop syncing, and never keep the tenant's object from going
      this.inSync.delete(key);
      await this.deps.upstream.setFinalizer(cluster, type, up, SYNC_FINALIZER, false);
      return;
    }
    if (up.metadata.deletionTimestamp) {
      if (down && isCopyOf(down, up.metadata.uid)) {
        if (!metaOf(down).deletionTimestamp) await this.deleteDownstream(down);
        await this.copyStatusUp(cluster, type, up, down);
        return; // its DELETED event brings us back
      }
      if (await this.downstreamExists(copyKey)) return;
      this.copies.delete(key);
      this.inSync.delete(key);
      await this.deps.upstream.setFinalizer(cluster, type, up, SYNC_FINALIZER, false);
      return;
    }
    if (await this.deps.upstream.setFinalizer(cluster, type, up, SYNC_FINALIZER, true)) return; // the write's event brings us back
    const d = await this.desired(cluster, up);
    if (!d.ok) {
      const message = d.errors.map((e) => `${e.field}: ${e.detail ?? e.type}`).join('; ');
      await this.markNotSynced(cluster, type, up, 'ReferenceRefused', message);
      return;
    }
    let current = down && isCopyOf(down, up.metadata.uid) ? down : undefined;
    if (down && !current) {
      // a copy of an earlier object of the same name (deleted and created again): it goes first
      if (!metaOf(down).deletionTimestamp) await this.deleteDownstream(down);
      return;
    }
    if (!current || !holds(current, d.object)) {
      this.takeWrite(cluster);
      if (d.namespace) await this.deps.namespaces.ensure(d.namespace, { cluster, namespace, uid: this.bound.get(cluster)!.uid });
      try {
        const before = current ? metaOf(current).generation : undefined;
        current = await this.client.apply(this.path(d.namespace, name), d.object);
        // only a write that changed the spec there (a new generation) gives controllers something new to observe
        const g = metaOf(current).generation;
        if (typeof g === 'number' && g !== before) this.writtenAt.set(key, g);
      } catch (e) {
        if (d.namespace && isNotFound(e)) this.deps.namespaces.forget(d.namespace); // deleted downstream: made again
        const rejected = e instanceof DownstreamError && e.status !== undefined && e.code < 500;
        await this.markNotSynced(cluster, type, up, rejected ? 'DownstreamRejected' : 'ManagementClusterUnavailable', errorForTenant(e, d.namespace, namespace).message);
        throw e;
      }
      this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'down' });
      if (seen?.side === 'up') this.deps.metrics.lagSeconds.observe({ published_resource: this.name, direction: 'down' }, (Date.now() - seen.at) / 1000);
      this.copies.set(key, cacheKey(d.namespace, name));
      if (d.namespace) this.owners.set(d.namespace, { cluster, namespace });
    }
    if (await this.copyFieldsUp(cluster, type, up, current)) return; // the write's event brings us back
    const wrote = await this.copyStatusUp(cluster, type, up, current);
    const warnings = [...await this.copyRelatedUp(cluster, up, d.namespace), ...await this.copyRelatedDown(cluster, up, d.namespace, current)];
    if (wrote && seen?.side === 'down') this.deps.metrics.lagSeconds.observe({ published_resource: this.name, direction: 'up' }, (Date.now() - seen.at) / 1000);
    this.failing.delete(key);
    this.inSync.add(key);
    // a related object that is another's is told (once per message: the same one again bumps its count)
    if (!warnings.length) this.deps.upstream.forgetEvents(cluster, up);
    for (const w of warnings) await this.deps.upstream.warn(cluster, up, 'RelatedObjectConflict', w);
  }

  /** A server-side dry-run of the tenant's write in the management cluster (the syncer's admission). */
  async dryRun(cluster: string, namespace: string, object: Obj, dsNs: string | undefined): Promise<void> {
    if (!this.version) return;
    const b = this.bound.get(cluster);
    if (dsNs && b) await this.deps.namespaces.ensure(dsNs, { cluster, namespace, uid: b.uid });
    const m = metaOf(object);
    await this.client.apply(this.path(dsNs, m.name), object, { dryRun: true, timeoutMs: 10_000 });
  }

  private async downstreamExists(copyKey: string): Promise<boolean> {
    const [ns, name] = copyKey.includes('/') ? copyKey.split('/') : [undefined, copyKey];
    try {
      await this.client.get(this.path(ns, name));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  private async deleteDownstream(down: Obj): Promise<void> {
    const m = metaOf(down);
    const cluster = (m.annotations ?? {})[ANN_WORKSPACE];
    if (cluster) this.takeWrite(cluster);
    try {
      await this.client.delete(this.path(m.namespace, m.name), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: m.uid } });
      this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'down' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * spec.fieldsUp: fields the management cluster's controllers fill in (Cluster API's topology
   * controller sets a Cluster's controlPlaneRef and infrastructureRef) copied into the tenant's
   * object where the tenant left them empty; a tenant's own value always wins.
   */
  private async copyFieldsUp(cluster: string, type: ResourceType, up: KubeObject, down: Obj): Promise<boolean> {
    const get = (o: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
    const missing = (this.spec.fieldsUp ?? []).map((p) => p.split('.')).filter((p) => get(down, p) !== undefined && get(up, p) === undefined);
    if (!missing.length) return false;
    await this.deps.upstream.registry.update(this.deps.upstream.ctx(cluster, up.metadata.namespace ?? ''), type, up.metadata.name!, {
      updatedObject: (existing) => {
        const next = JSON.parse(JSON.stringify(existing)) as Record<string, unknown>;
        for (const p of missing) {
          let o = next;
          for (const k of p.slice(0, -1)) o = (o[k] && typeof o[k] === 'object' ? o[k] : (o[k] = {})) as Record<string, unknown>;
          if (o[p[p.length - 1]!] === undefined) o[p[p.length - 1]!] = get(down, p);
        }
        return next as unknown as KubeObject;
      },
    });
    this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'up' });
    return true;
  }

  /** Status up, observedGeneration told in the tenant's generations, plus the syncer's own condition. */
  private async copyStatusUp(cluster: string, type: ResourceType, up: KubeObject, down: Obj): Promise<boolean> {
    const gen = up.metadata.generation ?? 1;
    const key = [cluster, up.metadata.namespace ?? '', up.metadata.name].join(SEP);
    const status = (statusUp(down, gen, this.writtenAt.get(key)) ?? {}) as Record<string, unknown>;
    status.conditions = setCondition(status.conditions, {
      type: SYNCED_CONDITION, status: 'True', reason: 'Synced', message: '', observedGeneration: gen,
    }, new Date());
    const wrote = await this.deps.upstream.setStatus(cluster, type, up, withOldTransitionTimes(status, up.status));
    if (wrote) this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'up' });
    return wrote;
  }

  private async markNotSynced(cluster: string, type: ResourceType, up: KubeObject, reason: string, message: string): Promise<void> {
    const key = [cluster, up.metadata.namespace ?? '', up.metadata.name].join(SEP);
    this.inSync.delete(key);
    this.failing.add(key);
    const status = { ...((up.status ?? {}) as Record<string, unknown>) };
    status.conditions = setCondition(status.conditions, {
      type: SYNCED_CONDITION, status: 'False', reason, message, observedGeneration: up.metadata.generation ?? 1,
    }, new Date());
    await this.deps.upstream.setStatus(cluster, type, up, status);
    await this.deps.upstream.warn(cluster, up, reason, message);
  }

  /** Related objects up; returns why some were not written (an object of that name that is another's). */
  private async copyRelatedUp(cluster: string, up: KubeObject, dsNs: string | undefined): Promise<string[]> {
    const warnings: string[] = [];
    if (!dsNs) return warnings;
    const ns = up.metadata.namespace!;
    for (const r of this.related) {
      if (r.spec.direction === 'Down') continue;
      const name = this.relatedName(r.spec, up, ns);
      if (!name) continue;
      const type = this.deps.upstream.typeIn(cluster, r.gvr.group, r.gvr.resource);
      if (!type) continue;
      const down = r.informer.cache.get(`${dsNs}/${name}`);
      const current = await this.deps.upstream.get(cluster, type, ns, name);
      // an object of that name that is no copy of ours (the tenant's own Secret) is never overwritten or deleted
      const ours = !current || current.metadata.annotations?.['sync.kplane.io/published-resource'] === this.name;
      // ...nor one that is the copy of another owner's (two Buckets naming one connection Secret: the first keeps it)
      const refs = current?.metadata.ownerReferences ?? [];
      const other = ours && refs.length && !refs.some((o) => o.uid === up.metadata.uid) ? refs.find((o) => o.controller) ?? refs[0] : undefined;
      if (other) {
        warnings.push(`${type.kind} ${JSON.stringify(name)} is not written: it belongs to ${other.kind} ${JSON.stringify(other.name)}`);
        continue;
      }
      if (!down || !ours) {
        if (current && ours) await this.deps.upstream.delete(cluster, type, ns, name);
        continue;
      }
      const copy = relatedUp(down, ns, { apiVersion: up.apiVersion!, kind: up.kind!, name: up.metadata.name!, uid: up.metadata.uid! }, this.name);
      const r2 = await this.deps.upstream.upsert(cluster, type, copy);
      if (r2 !== 'unchanged') this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'up' });
    }
    return warnings;
  }

  /**
   * Related objects down (a ProviderConfig's credentials Secret): the tenant's object of that name in
   * the same namespace goes into the downstream namespace, owned by the downstream copy of every
   * synced object there naming it, so the management cluster's garbage collector removes it with
   * the last of them. Written only when it differs; a downstream edit or delete is repaired.
   */
  private async copyRelatedDown(cluster: string, up: KubeObject, dsNs: string | undefined, owner: Obj): Promise<string[]> {
    const warnings: string[] = [];
    const ns = up.metadata.namespace;
    const om = metaOf(owner);
    if (!dsNs || !ns || !om.uid) return warnings;
    const key = [cluster, ns, up.metadata.name].join(SEP);
    for (const r of this.related) {
      if (r.spec.direction !== 'Down') continue;
      const name = this.relatedName(r.spec, up, ns);
      // known before the tenant's object is read: a change after the read queues this object again
      this.indexDown(r, key, name ? [cluster, ns, name].join(SEP) : undefined);
      await this.releaseDown(r, dsNs, om.uid, name);
      if (!name) continue;
      const type = this.deps.upstream.typeIn(cluster, r.gvr.group, r.gvr.resource);
      if (!type) continue;
      const path = resourcePath(r.gvr, dsNs, name);
      const tenant = await this.deps.upstream.get(cluster, type, ns, name);
      let down = r.informer.cache.get(cacheKey(dsNs, name));
      if (!tenant) {
        // the tenant's object is gone: so goes its copy
        if (down && isRelatedCopy(down, cluster, ns)) await this.deleteRelated(cluster, path, down);
        continue;
      }
      if (!down) {
        // not one of the syncer's copies (those are in the cache): one of the management cluster's own is never taken over
        try {
          down = await this.client.get(path);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        if (down && !isRelatedCopy(down, cluster, ns)) {
          warnings.push(`${type.kind} ${JSON.stringify(name)} is not copied down: the management cluster has an object of that name that is not the syncer's`);
          continue;
        }
      }
      const uid = this.bound.get(cluster)?.uid ?? (await this.deps.clusterUid(cluster)) ?? '';
      const desired = toDownstream(tenant as unknown as Obj, dsNs, { clusterPath: cluster, clusterUid: uid });
      (desired.metadata as Record<string, unknown>).ownerReferences = this.downOwners(r, dsNs, ns, name, owner);
      if (down && holds(down, desired)) continue;
      this.takeWrite(cluster);
      await this.client.apply(path, desired);
      this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'down' });
    }
    return warnings;
  }

  /** The downstream copies (this one included) of the synced objects in a namespace naming a related object. */
  private downOwners(r: Related, dsNs: string, ns: string, name: string, owner: Obj): { apiVersion: string; kind: string; name: string; uid: string }[] {
    const byUid = new Map<string, Obj>();
    byUid.set(String(metaOf(owner).uid), owner);
    for (const [ck, ds] of this.objects?.cache ?? []) {
      const m = metaOf(ds);
      if (!ck.startsWith(`${dsNs}/`) || !m.uid || m.deletionTimestamp || byUid.has(m.uid)) continue;
      if (this.relatedName(r.spec, ds, ns) === name) byUid.set(m.uid, ds);
    }
    return [...byUid.values()].map((o) => ({ apiVersion: String(o.apiVersion), kind: String(o.kind), name: String(metaOf(o).name), uid: String(metaOf(o).uid) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.uid.localeCompare(b.uid));
  }

  /** Copies an owner no longer names (its reference changed): deleted when it was their only owner, else their other owners fix them. */
  private async releaseDown(r: Related, dsNs: string, ownerUid: string, keep: string | undefined): Promise<void> {
    for (const [ck, copy] of r.informer.cache) {
      if (!ck.startsWith(`${dsNs}/`)) continue;
      const m = metaOf(copy);
      if (m.name === keep) continue;
      const refs = ((copy.metadata as { ownerReferences?: { uid: string }[] }).ownerReferences ?? []);
      if (!refs.some((o) => o.uid === ownerUid)) continue;
      const others = refs.filter((o) => o.uid !== ownerUid).map((o) => o.uid);
      const cluster = (m.annotations ?? {})[ANN_WORKSPACE];
      if (!others.length) {
        if (cluster) await this.deleteRelated(cluster, resourcePath(r.gvr, dsNs, m.name), copy);
        continue;
      }
      for (const ds of this.objects?.cache.values() ?? []) {
        const dm = metaOf(ds);
        const a = dm.annotations ?? {};
        if (dm.uid && others.includes(dm.uid) && a[ANN_WORKSPACE]) this.enqueue([a[ANN_WORKSPACE], a[ANN_NAMESPACE] ?? '', a[ANN_NAME] ?? dm.name].join(SEP), 'down');
      }
    }
  }

  private async deleteRelated(cluster: string, path: string, copy: Obj): Promise<void> {
    this.takeWrite(cluster);
    try {
      await this.client.delete(path, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: metaOf(copy).uid } });
      this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'down' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  override async stop(): Promise<void> {
    this.objects?.stop();
    for (const r of this.related) {
      r.informer.stop();
      r.upstream?.stop();
    }
    this.upstreamInformer?.stop();
    await super.stop();
  }
}

/** Whether a downstream object is the syncer's copy of a tenant's object of this cluster and namespace. */
function isRelatedCopy(o: Obj, cluster: string, namespace: string): boolean {
  const a = metaOf(o).annotations ?? {};
  return a[ANN_WORKSPACE] === cluster && a[ANN_NAMESPACE] === namespace;
}

/** Keeps the lastTransitionTime of conditions whose status did not change (a resync writes nothing). */
function withOldTransitionTimes(status: Record<string, unknown>, old: unknown): Record<string, unknown> {
  const oldConds = (old as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions;
  if (!Array.isArray(oldConds) || !Array.isArray(status.conditions)) return status;
  const byType = new Map(oldConds.map((c) => [c.type, c]));
  status.conditions = (status.conditions as { type: string; status: string; lastTransitionTime?: string }[]).map((c) => {
    const o = byType.get(c.type);
    return c.type === SYNCED_CONDITION && o && o.status === c.status && o.lastTransitionTime ? { ...c, lastTransitionTime: o.lastTransitionTime } : c;
  });
  return status;
}
