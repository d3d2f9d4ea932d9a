// The generic registry: one implementation of every verb for every kind, in the spirit of
// k8s.io/apiserver's registry/generic/registry/store.go. Kinds differ only by their Strategy.
// Handlers decode and negotiate; this file owns the semantics: preconditions, optimistic
// concurrency, generateName, finalizers and deletion, dry-run, resourceVersion rules, paging.

import { randomUUID } from 'node:crypto';
import {
  clientInputError, StatusError, alreadyExists, badRequest, conflict, field, generateNameConflict, invalid, isStatusError, notFound,
  OPTIMISTIC_LOCK_MESSAGE, resourceExpired, timeoutError, type FieldError, type Status,
} from '../apimachinery/errors.js';
import type { FieldSelector } from '../apimachinery/fields.js';
import type { LabelSelector } from '../apimachinery/labels.js';
import { generateName } from '../apimachinery/names.js';
import { deepCopy, formatTime, type KubeList, type KubeObject, type OwnerReference } from '../apimachinery/object.js';
import { appendAll, validateObjectMeta, validateObjectMetaUpdate } from '../apimachinery/validation.js';
import {
  PreconditionFailed, RevisionCompacted, type KV, type Store, type StorageEvent, type Watch,
} from '../storage/interface.js';
import { objectKey, scopePrefix } from '../storage/keys.js';
import { WILDCARD, type ClusterName } from '../tenancy/logicalcluster.js';
import { AdmissionChain, type AdmissionAttributes, type Operation } from './admission.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { canonicalOrder, dropEmptyMeta, toServed, toStored } from './conversion.js';
import { fieldManagerFor } from '../fieldmanager/endpoint.js';
import { decodeManagedFields } from '../fieldmanager/managedfields.js';
import { apiVersionOfType, type DeletionPropagation, type RequestContext, type ResourceType } from './types.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export interface GetOptions {
  resourceVersion?: string;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** '' for the main resource, or 'status', 'finalize', 'approval'. */
  subresource?: string;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: DeletionPropagation;
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** How an update computes the new object; PUT hands over an object, PATCH a function of the existing one. */
export interface UpdatedObjectInfo {
  /** The new object for the existing one (undefined when the update would create). */
  updatedObject(existing: KubeObject | undefined): KubeObject | Promise<KubeObject>;
  /**
   * The updated object after prepareUpdate and validateUpdate, computed elsewhere (a worker, for a
   * large patch); used instead of updatedObject for an existing object where preparesOffLoop.
   */
  preparedObject?(existing: KubeObject, modRevision: number): Promise<KubeObject>;
  /** A uid the existing object must have (from the request body). */
  uidPrecondition?: string;
}

export interface UpdateResult {
  object: KubeObject;
  created: boolean;
}

export interface DeleteResult {
  /** The object (pending deletion, or deleted when the kind returns it) or a Success Status. */
  object: KubeObject | Status;
  /** Removed from storage now (false: waiting for finalizers). */
  deleted: boolean;
}

export interface ObjectEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

export interface WatchOptions extends ListOptions {
  sendInitialEvents?: boolean;
}

export interface ObjectWatchSink {
  onEvents(events: ObjectEvent[]): void;
  onError(err: StatusError): void;
  /** All events up to this revision were delivered (for bookmarks). */
  onProgress(revision: number): void;
  /** The initial events (synthetic ADDED of the existing objects) are all delivered. */
  onInitialEventsEnd?(revision: number): void;
}

export interface ObjectWatch {
  stop(): void;
  requestProgress(): void;
}

export interface RegistryOptions {
  store: Store;
  admission?: AdmissionChain;
}

/** How long a read that names a future resourceVersion waits for it (kube: 3 s). */
const FUTURE_REVISION_WAIT_MS = 3000;
const MAX_UPDATE_ATTEMPTS = 16;

function qualified(type: ResourceType) {
  return { group: type.group, resource: type.resource };
}

/** The kind named in Invalid errors: kube validates the internal (storage) kind. */
function qualifiedKind(type: ResourceType, obj?: KubeObject) {
  if (type.toStorage) return { group: type.storage.group, kind: type.storage.kind };
  // a custom resource is unstructured: kube names the kind the object says it is
  if (type.customResource && obj?.kind) return { group: type.group, kind: obj.kind };
  return { group: type.group, kind: type.kind };
}

/** kube's metav1.ParseResourceVersion for request parameters. */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^[0-9]+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

function rvOf(obj: KubeObject): number {
  const rv = obj.metadata?.resourceVersion;
  return rv ? Number(rv) : 0;
}

export class Registry {
  readonly store: Store;
  readonly admission: AdmissionChain;

  constructor(opts: RegistryOptions) {
    this.store = opts.store;
    this.admission = opts.admission ?? new AdmissionChain();
  }

  key(type: ResourceType, cluster: ClusterName, namespace: string, name: string): string {
    return objectKey(type.storage, cluster, type.namespaced ? namespace : undefined, name);
  }

  private prefix(type: ResourceType, cluster: ClusterName, namespace: string): string {
    return scopePrefix(type.storage, cluster, type.namespaced && namespace ? namespace : undefined);
  }

  // ---------------------------------------------------------------- reads

  async get(ctx: RequestContext, type: ResourceType, name: string, opts: GetOptions = {}): Promise<KubeObject> {
    const rv = parseResourceVersion(opts.resourceVersion);
    if (rv !== undefined && rv > 0) await this.waitFor(rv);
    const kv = await this.store.get(this.key(type, ctx.cluster, ctx.namespace, name));
    if (!kv) throw notFound(qualified(type), name);
    return servedAsync(type, kv.value);
  }

  /** Reads the current object, or undefined. Internal callers (controllers) use this. */
  async tryGet(type: ResourceType, cluster: ClusterName, namespace: string, name: string): Promise<KubeObject | undefined> {
    const kv = await this.store.get(this.key(type, cluster, namespace, name));
    return kv ? servedAsync(type, kv.value) : undefined;
  }

  private async waitFor(rv: number): Promise<void> {
    if (rv <= this.store.currentRevision()) return;
    if (await this.store.waitForRevision(rv, FUTURE_REVISION_WAIT_MS)) return;
    const err = timeoutError(`Too large resource version: ${rv}, current: ${this.store.currentRevision()}`, 1);
    err.status.details!.causes = [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }];
    throw err;
  }

  private matcher(type: ResourceType, opts: ListOptions): ((obj: KubeObject) => boolean) | undefined {
    const ls = opts.labelSelector && !opts.labelSelector.empty ? opts.labelSelector : undefined;
    const fs = opts.fieldSelector && !opts.fieldSelector.empty ? opts.fieldSelector : undefined;
    if (!ls && !fs) return undefined;
    return (obj) => {
      if (ls && !ls.matches(obj.metadata.labels ?? {})) return false;
      if (fs && !fs.matches(selectableFields(type, obj))) return false;
      return true;
    };
  }

  /** Chooses the revision a list reads at, following kube's resourceVersion/resourceVersionMatch rules. */
  private async listRevision(opts: ListOptions, paging: boolean): Promise<{ revision: number; exact: boolean }> {
    const rv = parseResourceVersion(opts.resourceVersion);
    const match = opts.resourceVersionMatch ?? '';
    if (match === 'Exact') {
      await this.waitFor(rv!);
      return { revision: rv!, exact: true };
    }
    if (rv === undefined || rv === 0) return { revision: 0, exact: false };
    if (match === '' && paging) {
      await this.waitFor(rv);
      return { revision: rv, exact: true };
    }
    await this.waitFor(rv);
    return { revision: 0, exact: false };
  }

  async list(ctx: RequestContext, type: ResourceType, opts: ListOptions = {}): Promise<KubeList> {
    const { metadata, kvs } = await this.listKVs(ctx, type, opts);
    const items = type.converter
      ? (await type.converter.toServed(kvs.map((kv) => kv.value))).map((o) => (type.customResource ? o : withoutTypeMeta(o)))
      : kvs.map((kv) => listItem(type, kv.value));
    return { kind: type.listKind, apiVersion: apiVersionOfType(type), metadata, items };
  }

  /** A list page as stored records: large lists are answered from their stored JSON (see rawListItem). */
  async listKVs(ctx: RequestContext, type: ResourceType, opts: ListOptions = {}): Promise<{ metadata: KubeList['metadata']; kvs: KV[] }> {
    validateListOptions(opts, false);
    const prefix = this.prefix(type, ctx.cluster, ctx.namespace);
    const matches = this.matcher(type, opts);
    let limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    // kube serves resourceVersion=0 lists from its watch cache: the latest state, without a limit
    // (a continue token still gives where to start)
    const fromCache = opts.resourceVersion === '0';
    if (fromCache) limit = 0;
    let revision = 0;
    let startAfter: string | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      startAfter = prefix + c.after;
      revision = c.revision > 0 && !fromCache ? c.revision : 0;
    } else {
      const r = await this.listRevision(opts, limit > 0);
      revision = r.revision;
    }
    let page;
    try {
      page = await this.store.list(prefix, {
        revision,
        startAfter,
        limit,
        countRemaining: !matches,
        filter: matches ? (kv) => matches(toServed(type, kv.value)) : undefined,
      });
    } catch (e) {
      if (e instanceof RevisionCompacted) {
        if (opts.continue) throw continueExpired(prefix, startAfter);
        throw resourceExpired('The resourceVersion for the provided list is too old.');
      }
      throw e;
    }
    const metadata: KubeList['metadata'] = { resourceVersion: String(page.revision) };
    if (page.more && page.lastKey) {
      metadata.continue = encodeContinue(page.lastKey.slice(prefix.length), page.revision);
      if (page.remaining !== undefined) metadata.remainingItemCount = page.remaining;
    } else if (type.customResource) {
      // an unstructured list always carries its continue token, empty on the last page
      metadata.continue = '';
    }
    return { metadata, kvs: page.items };
  }

  /**
   * Starts a watch. Events come in revision order; with sendInitialEvents (or no resourceVersion /
   * resourceVersion 0) the existing objects come first as ADDED events.
   */
  async watch(ctx: RequestContext, type: ResourceType, opts: WatchOptions, target: ObjectWatchSink): Promise<ObjectWatch> {
    validateListOptions(opts, true);
    const sink = type.converter ? convertingSink(type.converter, target) : target;
    const prefix = this.prefix(type, ctx.cluster, ctx.namespace);
    const matches = this.matcher(type, opts);
    const rv = parseResourceVersion(opts.resourceVersion);
    const initial = opts.sendInitialEvents ?? (rv === undefined || rv === 0);
    let from: number;
    let initialItems: KV[] = [];
    if (initial) {
      if (rv) await this.waitFor(rv);
      // Everything at one revision, then every event after it: one consistent stream.
      const snapshot = await this.store.list(prefix, {
        filter: matches ? (kv) => matches(toServed(type, kv.value)) : undefined,
      });
      initialItems = snapshot.items;
      from = snapshot.revision;
    } else if (!rv) {
      // sendInitialEvents=false without a resourceVersion: from now on, nothing from before
      from = this.store.currentRevision();
    } else {
      // a resourceVersion ahead of the store is not waited for (kube's watch cache starts the
      // watch and delivers what comes after it: nothing until then, the stream simply stays open)
      from = rv;
    }
    const deliver = (events: StorageEvent[]) => {
      const out: ObjectEvent[] = [];
      for (const ev of events) {
        // nothing at or before the watch's revision, even when that revision is still ahead
        if (ev.kv.modRevision <= from) continue;
        const e = this.filterEvent(type, ev, matches);
        if (e) out.push(e);
      }
      if (out.length) sink.onEvents(out);
    };
    const w: Watch = this.store.watch(prefix, from, {
      onEvents: deliver,
      onError: (err) => sink.onError(watchError(err)),
      onProgress: (revision) => {
        if (revision >= from) sink.onProgress(revision);
      },
    });
    if (initialItems.length) sink.onEvents(initialItems.map((kv) => ({ type: 'ADDED', object: toServed(type, kv.value) })));
    if (initial) sink.onInitialEventsEnd?.(from);
    return { stop: () => w.stop(), requestProgress: () => w.requestProgress() };
  }

  /** A storage event as the watcher sees it, applying selector transitions like kube's cacher. */
  private filterEvent(type: ResourceType, ev: StorageEvent, matches?: (o: KubeObject) => boolean): ObjectEvent | undefined {
    const cur = toServed(type, ev.kv.value);
    if (!matches) return { type: ev.type, object: cur };
    if (ev.type === 'ADDED') return matches(cur) ? { type: 'ADDED', object: cur } : undefined;
    const prev = ev.prev ? toServed(type, ev.prev.value) : undefined;
    const prevMatches = prev ? matches(prev) : false;
    if (ev.type === 'DELETED') return prevMatches || matches(cur) ? { type: 'DELETED', object: cur } : undefined;
    const curMatches = matches(cur);
    if (curMatches && prevMatches) return { type: 'MODIFIED', object: cur };
    if (curMatches) return { type: 'ADDED', object: cur };
    if (prevMatches) {
      const gone = { ...prev!, metadata: { ...prev!.metadata, resourceVersion: cur.metadata.resourceVersion } };
      return { type: 'DELETED', object: gone };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- create

  /**
   * With `prepared`, the object already went through prepareCreate and validateCreate (a worker
   * does that for a large body; only where no admission plugin mutates: see preparesOffLoop).
   */
  async create(ctx: RequestContext, type: ResourceType, input: KubeObject, opts: WriteOptions & { prepared?: boolean } = {}): Promise<KubeObject> {
    let obj: KubeObject;
    if (opts.prepared) {
      obj = input;
    } else {
      obj = prepareCreate(ctx, type, input);
      await this.admit(this.attrs('CREATE', ctx, type, obj, undefined, opts), obj);
      validateCreate(ctx, type, obj);
    }
    await this.admission.validate(this.attrs('CREATE', ctx, type, obj, undefined, opts));
    const key = this.key(type, ctx.cluster, obj.metadata.namespace ?? '', obj.metadata.name!);
    canonicalOrder(obj);
    if (opts.dryRun) {
      const existing = await this.store.get(key);
      if (existing) throw this.createConflict(type, obj, existing);
      delete obj.metadata.resourceVersion; // nothing was written: no revision
      return obj;
    }
    try {
      const [r] = await this.store.txn([{ type: 'put', key, value: await storedAsync(type, obj), expect: 'absent' }]);
      return servedAsync(type, r!.kv.value);
    } catch (e) {
      if (e instanceof PreconditionFailed) throw this.createConflict(type, obj, e.current);
      throw e;
    }
  }

  private createConflict(type: ResourceType, obj: KubeObject, existing?: KV): StatusError {
    const name = obj.metadata.name!;
    const err = obj.metadata.generateName ? generateNameConflict(qualified(type), name, 1) : alreadyExists(qualified(type), name);
    if (existing?.value.metadata.deletionTimestamp) err.status.message = `object is being deleted: ${err.status.message}`;
    err.message = err.status.message!;
    return err;
  }

  /**
   * Whether a worker thread may run prepareCreate/validateCreate (prepareUpdate/validateUpdate):
   * only when no admission plugin mutates between them (strategies know nothing but the objects
   * and the RequestContext, so the steps are pure).
   */
  preparesOffLoop(cluster: string): boolean {
    return !this.admission.mutatesIn(cluster);
  }

  /**
   * Mutating admission, as kube's managedFields-validating wrapper runs it: managedFields a
   * plugin left invalid are put back as they were before admission, with kube's warning.
   */
  private async admit(attrs: AdmissionAttributes, obj: KubeObject): Promise<void> {
    // (nothing to watch where no plugin mutates: the common case costs nothing)
    if (!this.admission.mutatesIn(attrs.ctx.cluster)) return this.admission.admit(attrs);
    const before = structuredClone(obj.metadata.managedFields);
    await this.admission.admit(attrs);
    const after = obj.metadata.managedFields;
    if (!fieldManagerFor(attrs.type, attrs.subresource)) return;
    try {
      decodeManagedFields(after);
    } catch (e) {
      if (before === undefined) delete obj.metadata.managedFields;
      else obj.metadata.managedFields = before;
      attrs.ctx.warnings.push(`.metadata.managedFields was in an invalid state after admission; this could be caused by an outdated mutating admission controller; please fix your requests: ${(e as Error).message}`);
    }
  }

  private attrs(operation: Operation, ctx: RequestContext, type: ResourceType, object: KubeObject | undefined,
    oldObject: KubeObject | undefined, opts: WriteOptions, name?: string): AdmissionAttributes {
    return {
      operation, type, ctx, object, oldObject,
      subresource: opts.subresource ?? '',
      namespace: type.namespaced ? ctx.namespace : '',
      name: name ?? object?.metadata.name ?? oldObject?.metadata.name ?? '',
      dryRun: !!opts.dryRun,
      deleteOptions: operation === 'DELETE' ? deleteOptionsSent(opts as DeleteOptions) : undefined,
    };
  }

  // ---------------------------------------------------------------- update

  /** PUT (and PATCH through a function): kube's GuaranteedUpdate loop with optimistic concurrency. */
  async update(ctx: RequestContext, type: ResourceType, name: string, info: UpdatedObjectInfo,
    opts: WriteOptions & { forceAllowCreate?: boolean } = {}): Promise<UpdateResult> {
    const key = this.key(type, ctx.cluster, ctx.namespace, name);
    const subresource = opts.subresource ?? '';
    for (let attempt = 0; ; attempt++) {
      const existingKv = await this.store.get(key);
      const existing = existingKv ? await servedAsync(type, existingKv.value) : undefined;
      if (!existing) {
        if (subresource || !(type.strategy.allowCreateOnUpdate || opts.forceAllowCreate)) throw notFound(qualified(type), name);
        const obj = deepCopy(await info.updatedObject(undefined));
        if (rvOf(obj) !== 0) throw conflict(qualified(type), name, OPTIMISTIC_LOCK_MESSAGE);
        return { object: await this.createFromUpdate(ctx, type, obj, opts), created: true };
      }
      if (info.uidPrecondition && info.uidPrecondition !== existing.metadata.uid) {
        // kube's storage layer reports this one, naming its etcd key
        throw conflict(qualified(type), name,
          `StorageError: invalid object, Code: 4, Key: ${kubeStorageKey(type, ctx.namespace, name)}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${info.uidPrecondition}, UID in object meta: ${existing.metadata.uid ?? ''}`);
      }
      let obj: KubeObject;
      if (info.preparedObject && this.preparesOffLoop(ctx.cluster)) {
        obj = await info.preparedObject(existing, existingKv!.modRevision);
      } else {
        obj = prepareUpdate(ctx, type, name, existing, existingKv!.modRevision, await info.updatedObject(deepCopy(existing)), subresource);
        await this.admit(this.attrs('UPDATE', ctx, type, obj, existing, opts, name), obj);
        validateUpdate(ctx, type, obj, existing, subresource);
      }
      await this.admission.validate(this.attrs('UPDATE', ctx, type, obj, existing, opts, name));
      canonicalOrder(obj);
      if (shouldDeleteDuringUpdate(obj, existing)) {
        // the last finalizer is gone: the object goes, and the client sees what it wrote (as kube does)
        await this.deleteNow(ctx, type, key, existingKv!, obj, opts.dryRun);
        return { object: obj, created: false };
      }
      if (unchanged(obj, existing)) return { object: existing, created: false };
      if (opts.dryRun) return { object: obj, created: false };
      try {
        const [r] = await this.store.txn([{
          type: 'put', key, value: await storedAsync(type, obj), expect: { revision: existingKv!.modRevision },
        }]);
        return { object: await servedAsync(type, r!.kv.value), created: false };
      } catch (e) {
        if (e instanceof PreconditionFailed && attempt < MAX_UPDATE_ATTEMPTS) continue; // lost a race: re-read
        if (e instanceof PreconditionFailed) throw conflict(qualified(type), name, OPTIMISTIC_LOCK_MESSAGE);
        throw e;
      }
    }
  }

  private async createFromUpdate(ctx: RequestContext, type: ResourceType, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    delete obj.metadata.resourceVersion;
    return this.create(ctx, type, obj, opts);
  }

  // ---------------------------------------------------------------- delete

  async delete(ctx: RequestContext, type: ResourceType, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = this.key(type, ctx.cluster, ctx.namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(qualified(type), name);
      const existing = await servedAsync(type, kv.value);
      checkDeletePreconditions(type, name, existing, opts);
      await this.admission.validate(this.attrs('DELETE', ctx, type, undefined, existing, opts, name));
      try {
        return await this.deleteOnce(ctx, type, key, kv, existing, opts);
      } catch (e) {
        if (e instanceof PreconditionFailed && attempt < MAX_UPDATE_ATTEMPTS) continue;
        if (e instanceof PreconditionFailed && e.reason === 'notFound') throw notFound(qualified(type), name);
        if (e instanceof PreconditionFailed) throw conflict(qualified(type), name, OPTIMISTIC_LOCK_MESSAGE);
        throw e;
      }
    }
  }

  private async deleteOnce(ctx: RequestContext, type: ResourceType, key: string, kv: KV, existing: KubeObject,
    opts: DeleteOptions): Promise<DeleteResult> {
    const meta = existing.metadata;
    if (type.resource === 'namespaces' && type.group === '') return this.deleteNamespace(ctx, type, key, kv, existing, opts);
    // Deletion already pending: finalizers cannot be changed through DeleteOptions any more.
    if (meta.deletionTimestamp && (meta.finalizers?.length ?? 0) > 0) {
      return { object: existing, deleted: false };
    }
    const mark = type.strategy.markForDeletion;
    if (mark && !meta.deletionTimestamp) {
      const obj = deepCopy(existing);
      // only the timestamp: no generation bump, no grace period (as kube's CRD REST does it)
      obj.metadata.deletionTimestamp = formatTime(ctx.now);
      mark(obj, ctx.now);
      canonicalOrder(obj);
      if (opts.dryRun) return { object: obj, deleted: false };
      const [r] = await this.store.txn([{ type: 'put', key, value: await storedAsync(type, obj), expect: { revision: kv.modRevision } }]);
      return { object: await servedAsync(type, r!.kv.value), deleted: false };
    }
    const finalizers = gcFinalizers(type, existing, opts);
    if (finalizers.length > 0) {
      const obj = deepCopy(existing);
      obj.metadata.finalizers = finalizers;
      markAsDeleting(obj, ctx.now);
      canonicalOrder(obj);
      if (opts.dryRun) return { object: obj, deleted: false };
      const [r] = await this.store.txn([{ type: 'put', key, value: await storedAsync(type, obj), expect: { revision: kv.modRevision } }]);
      return { object: await servedAsync(type, r!.kv.value), deleted: false };
    }
    const gone = await this.deleteNow(ctx, type, key, kv, existing, opts.dryRun);
    return { object: this.finalizeDelete(type, gone ?? existing), deleted: true };
  }

  /** Removes the object from storage; returns the deleted object. */
  private async deleteNow(_ctx: RequestContext, type: ResourceType, key: string, kv: KV, existing: KubeObject,
    dryRun?: boolean): Promise<KubeObject | undefined> {
    if (dryRun) return existing;
    const [r] = await this.store.txn([{ type: 'delete', key, expect: { revision: kv.modRevision } }]);
    return servedAsync(type, r!.kv.value);
  }

  private finalizeDelete(type: ResourceType, obj: KubeObject): KubeObject | Status {
    if (type.strategy.returnDeletedObject) return obj;
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name: obj.metadata.name, group: type.group || undefined, kind: type.resource, uid: obj.metadata.uid },
    };
  }

  /**
   * Namespaces (kube's namespace REST): the first DELETE only marks the namespace Terminating (and
   * sets the orphan/foregroundDeletion finalizers the options ask for); the namespace controller
   * empties it and removes spec.finalizers. A later DELETE removes it once spec.finalizers is empty.
   */
  private async deleteNamespace(ctx: RequestContext, type: ResourceType, key: string, kv: KV, existing: KubeObject,
    opts: DeleteOptions): Promise<DeleteResult> {
    const spec = (existing.spec ?? {}) as { finalizers?: string[] };
    if (!existing.metadata.deletionTimestamp) {
      const obj = deepCopy(existing);
      obj.metadata.deletionTimestamp = formatTime(ctx.now);
      obj.status = { ...(obj.status as object ?? {}), phase: 'Terminating' };
      const current = obj.metadata.finalizers ?? [];
      const want = (f: string, has: boolean): boolean => {
        if (opts.orphanDependents !== undefined) return f === FINALIZER_ORPHAN ? opts.orphanDependents : !opts.orphanDependents;
        if (opts.propagationPolicy) return f === FINALIZER_ORPHAN ? opts.propagationPolicy === 'Orphan' : opts.propagationPolicy === 'Foreground';
        return has;
      };
      let finalizers = current;
      for (const f of [FINALIZER_ORPHAN, FINALIZER_FOREGROUND]) {
        const has = finalizers.includes(f);
        if (want(f, has) && !has) finalizers = [...finalizers, f];
        if (!want(f, has) && has) finalizers = finalizers.filter((x) => x !== f);
      }
      if (finalizers.length) obj.metadata.finalizers = finalizers;
      else delete obj.metadata.finalizers;
      canonicalOrder(obj);
      if (opts.dryRun) return { object: obj, deleted: false };
      const [r] = await this.store.txn([{ type: 'put', key, value: await storedAsync(type, obj), expect: { revision: kv.modRevision } }]);
      return { object: await servedAsync(type, r!.kv.value), deleted: false };
    }
    // still being emptied: nothing to do yet, the namespace is returned as it is
    if ((spec.finalizers?.length ?? 0) > 0) return { object: existing, deleted: false };
    if ((existing.metadata.finalizers?.length ?? 0) > 0) return { object: existing, deleted: false };
    const gone = await this.deleteNow(ctx, type, key, kv, existing, opts.dryRun);
    return { object: gone ?? existing, deleted: true };
  }

  async deleteCollection(ctx: RequestContext, type: ResourceType, listOpts: ListOptions, opts: DeleteOptions): Promise<KubeList> {
    const list = await this.list(ctx, type, { ...listOpts, limit: listOpts.limit });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      const itemCtx = { ...ctx, namespace: item.metadata.namespace ?? '' };
      try {
        await this.delete(itemCtx, type, item.metadata.name!, { ...opts, preconditions: undefined });
        deleted.push(item);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
    return { ...list, items: deleted };
  }
}

/** The options of a DELETE as its client set them (without dryRun, which admission has of its own). */
function deleteOptionsSent(o: DeleteOptions): AdmissionAttributes['deleteOptions'] {
  const out: NonNullable<AdmissionAttributes['deleteOptions']> = {};
  if (o.gracePeriodSeconds !== undefined) out.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.preconditions && (o.preconditions.uid || o.preconditions.resourceVersion)) out.preconditions = { ...o.preconditions };
  if (o.orphanDependents !== undefined) out.orphanDependents = o.orphanDependents;
  if (o.propagationPolicy) out.propagationPolicy = o.propagationPolicy;
  return out;
}

// ---------------------------------------------------------------- the pure steps of a write
// Everything a create or update does before admission and after it up to validation depends on
// the request and the objects alone: a worker thread runs these for large bodies (decode-pool.ts).

/** A create's object before mutating admission: a copy, defaulted, with its system fields. */
export function prepareCreate(ctx: RequestContext, type: ResourceType, input: KubeObject): KubeObject {
  const obj = deepCopy(input);
  obj.metadata ??= {};
  if (obj.metadata.resourceVersion) {
    // kube-apiserver's storage refuses this with an untyped (500) error: see clientInputError
    throw clientInputError('resourceVersion should not be set on objects to be created');
  }
  type.strategy.applyDefaults?.(obj);
  dedupOwnerReferences(ctx, obj);
  trackFields(ctx, type, '', undefined, obj);
  fillSystemFields(ctx, obj);
  return obj;
}

function dropNullsAndEmptyLists(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) dropNullsAndEmptyLists(x);
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      // (a condition's lastTransitionTime is a metav1.Time without omitempty: its zero is written)
      if ((x === null && k !== 'lastTransitionTime') || (Array.isArray(x) && x.length === 0)) delete o[k];
      else dropNullsAndEmptyLists(x);
    }
  }
}

/**
 * The field manager's record of a write (kube's UpdateNoErrors before admission): the writer
 * becomes the manager of what it changed, per subresource. Server-side apply brings its own.
 */
function trackFields(ctx: RequestContext, type: ResourceType, subresource: string, existing: KubeObject | undefined, obj: KubeObject): void {
  if (ctx.appliedFields) return;
  const fm = ctx.fieldManager === undefined ? undefined : fieldManagerFor(type, subresource);
  if (fm) {
    // the object as kube's field manager sees it, converted from its Go type (on a copy): empty
    // metadata maps omitted, the kind's own shape (a strategy's canonicalize: omitempty fields),
    // and for built-in kinds no nulls or empty lists (nil pointers, zero times with omitempty,
    // empty slices); a custom resource is unstructured and keeps what the client sent
    const { managedFields } = obj.metadata;
    const seen: KubeObject = deepCopy({ ...obj, metadata: { ...obj.metadata, managedFields: undefined } });
    dropEmptyMeta(seen.metadata);
    type.strategy.canonicalize?.(seen);
    if (!type.customResource) dropNullsAndEmptyLists(seen);
    if (managedFields !== undefined) seen.metadata.managedFields = managedFields;
    fm.update(existing, seen, ctx.fieldManager!, formatTime(ctx.now));
    if (seen.metadata.managedFields === undefined) delete obj.metadata.managedFields;
    else obj.metadata.managedFields = seen.metadata.managedFields as unknown[];
  }
  // nothing tracked: a create keeps nothing a client sent, an update what the object carries
  // (an endpoint without managers of its own, such as finalize, leaves them as they are)
  else if (!existing || !fieldManagerFor(type, '')) delete obj.metadata.managedFields;
}

function fillSystemFields(ctx: RequestContext, obj: KubeObject): void {
  delete obj.metadata.selfLink; // gone since kube 1.20
  // rest.BeforeCreate: a new object is not being deleted, whatever the client sent
  delete obj.metadata.deletionTimestamp;
  delete obj.metadata.deletionGracePeriodSeconds;
  obj.metadata.creationTimestamp = formatTime(ctx.now);
  obj.metadata.uid = randomUUID();
  if (obj.metadata.generateName && !obj.metadata.name) obj.metadata.name = generateName(obj.metadata.generateName);
}

/** rest.BeforeCreate: namespace, strategy preparation, validation, canonical form. */
export function validateCreate(ctx: RequestContext, type: ResourceType, obj: KubeObject): void {
  ensureNamespace(ctx, type, obj, true);
  type.strategy.prepareForCreate?.(obj, ctx);
  const name = obj.metadata.name ?? '';
  // kube's kind validators begin with ObjectMeta validation: metadata errors come first.
  const errs = validateObjectMeta(obj.metadata, type.namespaced, (n, prefix) => type.strategy.validateName(n, prefix, obj));
  appendAll(errs, type.strategy.validate(obj, ctx));
  if (errs.length) throw invalid(qualifiedKind(type, obj), name, errs);
  for (const w of type.strategy.warningsOnCreate?.(obj, ctx) ?? []) ctx.warnings.push(w);
  type.strategy.canonicalize?.(obj);
}

/**
 * An update's object before mutating admission (GuaranteedUpdate's tryUpdate): a copy of what the
 * client's update made of the existing object, defaulted, its resourceVersion checked.
 */
export function prepareUpdate(ctx: RequestContext, type: ResourceType, name: string, existing: KubeObject, modRevision: number,
  updated: KubeObject, subresource = ''): KubeObject {
  const obj = deepCopy(updated);
  obj.metadata ??= {};
  type.strategy.applyDefaults?.(obj);
  const newRv = rvOf(obj);
  if (newRv === 0) {
    if (!type.strategy.allowUnconditionalUpdate) {
      throw invalid({ group: type.group, kind: type.resource }, name,
        [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update' }]);
    }
    obj.metadata.resourceVersion = existing.metadata.resourceVersion;
  } else if (newRv !== modRevision) {
    throw conflict(qualified(type), name, OPTIMISTIC_LOCK_MESSAGE);
  }
  delete obj.metadata.selfLink;
  dedupOwnerReferences(ctx, obj);
  trackFields(ctx, type, subresource, existing, obj);
  return obj;
}

/** rest.BeforeUpdate plus the subresource rules. */
export function validateUpdate(ctx: RequestContext, type: ResourceType, obj: KubeObject, old: KubeObject, subresource: string): void {
  const meta = obj.metadata;
  if (type.namespaced) {
    if (meta.namespace && meta.namespace !== ctx.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = ctx.namespace;
  } else if (meta.namespace) {
    delete meta.namespace;
  }
  if (old.metadata.generation !== undefined) meta.generation = old.metadata.generation;
  else delete meta.generation;
  const s = type.strategy;
  if (subresource === 'status') {
    s.status!.prepareForUpdate(obj, old, ctx);
  } else if (subresource === 'finalize') {
    s.finalize!.prepareForUpdate(obj, old, ctx);
  } else if (subresource === 'approval') {
    s.approval!.prepareForUpdate(obj, old, ctx);
  } else {
    s.prepareForUpdate?.(obj, old, ctx);
  }
  if (!meta.uid) meta.uid = old.metadata.uid;
  if (old.metadata.creationTimestamp) meta.creationTimestamp = old.metadata.creationTimestamp;
  if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
  if (old.metadata.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) {
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  }
  const name = meta.name ?? '';
  // Like kube: the common metadata checks, then the kind's (which may repeat some, as kube's do).
  const errs: FieldError[] = [
    ...validateObjectMeta(meta, type.namespaced, s.validateName),
    ...validateObjectMetaUpdate(meta, old.metadata),
  ];
  const again = s.revalidatesMetadataOnUpdate ?? 'update';
  // (appendAll: a list of field errors can be longer than push(...) takes arguments)
  if (again === 'update') appendAll(errs, validateObjectMetaUpdate(meta, old.metadata));
  else if (again === 'create') appendAll(errs, validateObjectMeta(meta, type.namespaced, s.validateName));
  if (subresource === 'status') appendAll(errs, s.status!.validateUpdate(obj, old, ctx));
  else if (subresource === 'finalize') appendAll(errs, s.finalize!.validateUpdate(obj, old, ctx));
  else if (subresource === 'approval') appendAll(errs, s.approval!.validateUpdate(obj, old, ctx));
  else appendAll(errs, s.validateUpdate(obj, old, ctx));
  if (errs.length) throw invalid(qualifiedKind(type, obj), name, errs);
  if (subresource === '' || subresource === 'scale') for (const w of s.warningsOnUpdate?.(obj, old, ctx) ?? []) ctx.warnings.push(w);
  s.canonicalize?.(obj);
}

// ---------------------------------------------------------------- helpers

/** The etcd key kube-apiserver would use for an object (it appears in some of kube's error texts). */
function kubeStorageKey(type: ResourceType, namespace: string, name: string): string {
  const res = type.storage.group === '' || type.storage.group.endsWith('.k8s.io') ? type.storage.resource : `${type.storage.group}/${type.storage.resource}`;
  return type.namespaced ? `/registry/${res}/${namespace}/${name}` : `/registry/${res}/${name}`;
}

/** A list item as kube's typed lists carry it: without kind and apiVersion. */
export function listItem(type: ResourceType, stored: KubeObject): KubeObject {
  // items of an unstructured list (custom resources) keep their kind and apiVersion
  if (type.customResource) return toServed(type, stored);
  return withoutTypeMeta(toServed(type, stored));
}

function withoutTypeMeta(obj: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return rest as KubeObject;
}

/**
 * A watch sink that converts each batch of events (selection happened on the stored form, as a
 * conversion keeps metadata): batches are converted one after another, so the watcher still sees
 * them in revision order; progress and the end of the initial events wait for what came before.
 */
function convertingSink(converter: NonNullable<ResourceType['converter']>, sink: ObjectWatchSink): ObjectWatchSink {
  let chain: Promise<void> = Promise.resolve();
  let failed = false;
  const then = (step: () => Promise<void> | void) => {
    chain = chain.then(async () => {
      if (failed) return;
      try {
        await step();
      } catch (e) {
        failed = true;
        sink.onError(isStatusError(e) ? e : new StatusError(500, 'InternalError', e instanceof Error ? e.message : String(e)));
      }
    });
  };
  return {
    onEvents: (events) => then(async () => {
      const objects = await converter.toServed(events.map((e) => e.object));
      sink.onEvents(events.map((e, i) => ({ type: e.type, object: objects[i]! })));
    }),
    onError: (err) => then(() => sink.onError(err)),
    onProgress: (revision) => then(() => sink.onProgress(revision)),
    onInitialEventsEnd: sink.onInitialEventsEnd ? (revision) => then(() => sink.onInitialEventsEnd!(revision)) : undefined,
  };
}

/** The served form of a stored object, through the kind's converter when it has one (a webhook). */
async function servedAsync(type: ResourceType, stored: KubeObject): Promise<KubeObject> {
  if (!type.converter) return toServed(type, stored);
  return (await type.converter.toServed([stored]))[0]!;
}

async function storedAsync(type: ResourceType, served: KubeObject): Promise<KubeObject> {
  return type.converter ? type.converter.toStored(served) : toStored(type, served);
}

/** Values of the fields a field selector may use: metadata.name/namespace plus the kind's own. */
export function selectableFields(type: ResourceType, obj: KubeObject): Record<string, string> {
  const base: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (type.namespaced) base['metadata.namespace'] = obj.metadata.namespace ?? '';
  return type.strategy.selectableFields ? { ...base, ...type.strategy.selectableFields(obj) } : base;
}

/** kube's ValidateListOptions / validateWatchOptions: every violation is reported. */
function validateListOptions(opts: WatchOptions, watch: boolean): void {
  const errs: FieldError[] = [];
  const forbid = (f: string, detail: string) => errs.push({ type: 'FieldValueForbidden', field: f, value: '', detail });
  const match = opts.resourceVersionMatch ?? '';
  if (watch) {
    if (opts.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      forbid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (match) {
      if (opts.sendInitialEvents === undefined) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      if (match !== 'NotOlderThan') errs.push(field.notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (opts.continue) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match) {
      if (!opts.resourceVersion) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (opts.continue) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(field.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
      if (match === 'Exact' && opts.resourceVersion === '0') forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    if (opts.sendInitialEvents !== undefined) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
  if (opts.continue && opts.resourceVersion && opts.resourceVersion !== '0') {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
}

function continueExpired(prefix: string, startAfter?: string): StatusError {
  const err = resourceExpired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  if (startAfter) err.status.metadata.continue = encodeContinue(startAfter.slice(prefix.length), -1);
  return err;
}

function watchError(err: Error): StatusError {
  if (err instanceof RevisionCompacted) {
    return resourceExpired(`too old resource version: ${err.requested} (${err.compacted + 1})`);
  }
  if (err instanceof StatusError) return err;
  return new StatusError(500, 'InternalError', `Internal error occurred: ${err.message}`);
}

/** rest.EnsureObjectNamespaceMatchesRequestNamespace. */
function ensureNamespace(ctx: RequestContext, type: ResourceType, obj: KubeObject, _create: boolean): void {
  const requestNs = type.namespaced ? ctx.namespace : '';
  const objNs = obj.metadata.namespace ?? '';
  if (objNs === requestNs) return;
  if (objNs === '') {
    obj.metadata.namespace = requestNs;
    return;
  }
  if (requestNs === '') {
    delete obj.metadata.namespace;
    return;
  }
  throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
}

/** Duplicate owner references are dropped with a warning, as kube-apiserver does. */
function dedupOwnerReferences(ctx: RequestContext, obj: KubeObject): void {
  const refs = obj.metadata.ownerReferences;
  if (!refs || refs.length < 2) return;
  const seen = new Set<string>();
  const dups: string[] = [];
  const out: OwnerReference[] = [];
  for (const r of refs) {
    if (seen.has(r.uid)) {
      dups.push(r.uid);
      continue;
    }
    seen.add(r.uid);
    out.push(r);
  }
  if (dups.length) {
    obj.metadata.ownerReferences = out;
    ctx.warnings.push(`metadata.ownerReferences contains duplicate entries; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests. Duplicate UIDs found in metadata.ownerReferences: ${dups.map((d) => `"${d}"`).join(', ')}`);
  }
}

/** registry.ShouldDeleteDuringUpdate: the last finalizer of an object being deleted was removed. */
function shouldDeleteDuringUpdate(obj: KubeObject, existing: KubeObject): boolean {
  if ((obj.metadata.finalizers?.length ?? 0) > 0) return false;
  if (!existing.metadata.deletionTimestamp) return false;
  // namespaces also wait for their spec.finalizers
  const spec = obj.spec as { finalizers?: unknown[] } | undefined;
  if (obj.kind === 'Namespace' && (spec?.finalizers?.length ?? 0) > 0) return false;
  const grace = existing.metadata.deletionGracePeriodSeconds;
  return grace === undefined || grace === 0;
}

/** Stored state compared without resourceVersion: a no-op write is not a write (kube's GuaranteedUpdate). */
function unchanged(obj: KubeObject, existing: KubeObject): boolean {
  const a = { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
  const b = { ...existing, metadata: { ...existing.metadata, resourceVersion: undefined } };
  return JSON.stringify(a) === JSON.stringify(b);
}

/** rest.BeforeDelete's precondition check (kube names the kind, not the resource, here). */
function checkDeletePreconditions(type: ResourceType, name: string, existing: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  if (!p) return;
  const gk = { group: type.group, resource: type.kind };
  if (p.uid !== undefined && p.uid !== existing.metadata.uid) {
    throw conflict(gk, name,
      `the UID in the precondition (${p.uid}) does not match the UID in record (${existing.metadata.uid ?? ''}). The object might have been deleted and then recreated`);
  }
  if (p.resourceVersion !== undefined && p.resourceVersion !== existing.metadata.resourceVersion) {
    throw conflict(gk, name,
      `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${existing.metadata.resourceVersion ?? ''}). The object might have been modified`);
  }
}

/**
 * The finalizers an object gets when deleted: its own, with the garbage collector's orphan /
 * foregroundDeletion finalizer added or removed according to the propagation policy
 * (deletionFinalizersForGarbageCollection in kube).
 */
function gcFinalizers(type: ResourceType, existing: KubeObject, opts: DeleteOptions): string[] {
  const current = existing.metadata.finalizers ?? [];
  const defaultPolicy = type.strategy.defaultGarbageCollectionPolicy ?? 'Background';
  let orphan: boolean;
  let foreground: boolean;
  if (opts.orphanDependents !== undefined) {
    orphan = opts.orphanDependents;
    foreground = false;
  } else if (opts.propagationPolicy) {
    orphan = opts.propagationPolicy === 'Orphan';
    foreground = opts.propagationPolicy === 'Foreground';
  } else if (current.includes(FINALIZER_ORPHAN)) {
    orphan = true;
    foreground = false;
  } else if (current.includes(FINALIZER_FOREGROUND)) {
    orphan = false;
    foreground = true;
  } else {
    orphan = defaultPolicy === 'Orphan';
    foreground = false;
  }
  const out = current.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) out.push(FINALIZER_ORPHAN);
  if (foreground) out.push(FINALIZER_FOREGROUND);
  const same = out.length === current.length && out.every((f) => current.includes(f));
  return same ? current : out;
}

/** markAsDeleting: deletionTimestamp now (unless earlier), grace period 0, generation bumped once. */
function markAsDeleting(obj: KubeObject, now: Date): void {
  const meta = obj.metadata;
  if (!meta.deletionTimestamp && (meta.generation ?? 0) > 0) meta.generation! += 1;
  if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > now.getTime()) {
    meta.deletionTimestamp = formatTime(now);
  }
  meta.deletionGracePeriodSeconds = 0;
}

export { WILDCARD };
