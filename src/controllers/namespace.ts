// The namespace controller, for every logical cluster at once:
// - a new namespace gets its `default` ServiceAccount and `kube-root-ca.crt` ConfigMap (kube's
//   serviceaccount and root-ca-cert-publisher controllers); they come back if deleted, but never
//   in a namespace that is terminating;
// - a Terminating namespace is emptied like kube's namespaced-resources deleter does it: every
//   deletable namespaced resource is deleted (background propagation), then listed again; what is
//   still there (held by finalizers, or failures) is reported in the status conditions, and once
//   nothing is left the "kubernetes" finalizer is removed so the namespace goes away.
//
// All work for one namespace runs under one queue key, so ensuring the defaults and emptying the
// namespace never overlap. A default is only created after seeing the namespace active (and
// NamespaceLifecycle checks again); one whose create raced the deletion past both checks is taken
// back as soon as the create returns, before the emptying pass queued behind it counts anything.

import { isStatusError, type StatusError } from '../apimachinery/errors.js';
import { deepCopy, formatTime, type KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../registry/types.js';
import { isTombstone } from '../storage/defaults-overlay.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP, rootCABody, serviceAccountBody } from '../tenancy/bootstrap.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';
import { QueueController } from './base.js';

export interface NamespaceCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The finalizer token of the namespace controller in spec.finalizers. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/**
 * How long to wait before looking again at a namespace whose content waits on finalizers. Kube
 * waits (15 s estimate)/2 + 1; kplane also looks again as soon as an object of the namespace is
 * deleted, so this is only the fallback.
 */
const RETRY_REMAINING_MS = 8000;

/** The condition types the deleter maintains, in the order kube adds them. */
const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const OK_CONDITIONS: Record<string, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one deletion pass found, per resource ("resource.group") and per finalizer. */
export interface DeletionTotals {
  /** "resource.group" -> instances still there after deleting. */
  remaining: Map<string, number>;
  /** finalizer -> instances still carrying it. */
  finalizers: Map<string, number>;
  /** Messages of the resources whose deletion failed. */
  errors: string[];
}

/**
 * The conditions a deletion pass reports (failures and what remains; the rest are "ok"), merged
 * into the existing ones the way kube's namespace deleter does: existing conditions keep their
 * place and their lastTransitionTime unless their status changes, missing ones are appended in
 * kube's order. Returns undefined when nothing changes.
 */
export function deletionConditions(existing: readonly NamespaceCondition[], totals: DeletionTotals, now: string): NamespaceCondition[] | undefined {
  const fresh = new Map<string, NamespaceCondition>();
  const counted = (m: Map<string, number>, fmt: (k: string, n: number) => string) =>
    [...m.entries()].filter(([, n]) => n > 0).map(([k, n]) => fmt(k, n)).sort(byteOrder);
  if (totals.remaining.size) {
    fresh.set('NamespaceContentRemaining', {
      type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${counted(totals.remaining, (r, n) => `${r} has ${n} resource instances`).join(', ')}`,
    });
  }
  if (totals.finalizers.size) {
    fresh.set('NamespaceFinalizersRemaining', {
      type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${counted(totals.finalizers, (f, n) => `${f} in ${n} resource instances`).join(', ')}`,
    });
  }
  if (totals.errors.length) {
    const msgs = [...totals.errors].sort(byteOrder);
    fresh.set('NamespaceDeletionContentFailure', {
      type: 'NamespaceDeletionContentFailure', status: 'True', lastTransitionTime: now, reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  const out = existing.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const want = fresh.get(type) ?? { type, status: 'False', lastTransitionTime: now, ...OK_CONDITIONS[type]! };
    const old = out.find((c) => c.type === type);
    if (!old) {
      out.push(want);
      changed = true;
    } else if (old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
      if (old.status !== want.status) old.lastTransitionTime = now;
      old.status = want.status;
      old.reason = want.reason;
      old.message = want.message;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** spec.finalizers once the namespace controller's token is removed: a sorted set, as kube's finalize writes it. */
export function finalizedSpecFinalizers(finalizers: readonly string[]): string[] {
  return [...new Set(finalizers.filter((f) => f !== NAMESPACE_FINALIZER))].sort(byteOrder);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function errorText(e: unknown): string {
  if (isStatusError(e)) return (e as StatusError).status.message ?? e.message;
  return e instanceof Error ? e.message : String(e);
}

function find(deps: ControllerDeps, group: string, resource: string): ResourceType {
  return deps.catalog.allTypes().find((t) => t.group === group && t.resource === resource)!;
}

export class NamespaceController extends QueueController {
  private readonly namespaces: ResourceType;
  private readonly serviceAccounts: ResourceType;
  private readonly configMaps: ResourceType;
  /** "cluster/namespace" -> namespace key, for namespaces whose content waits on finalizers. */
  private readonly waiting = new Map<string, string>();
  /** One fallback look per waiting namespace (outside the queue: a stuck namespace is not "work"). */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: ControllerDeps, private readonly caPem: string) {
    super(deps.log, { what: 'namespace reconcile', concurrency: 4 });
    this.namespaces = find(deps, '', 'namespaces');
    this.serviceAccounts = find(deps, '', 'serviceaccounts');
    this.configMaps = find(deps, '', 'configmaps');
    const nsKey = (cluster: ClusterName, ns: string) => deps.registry.key(this.namespaces, cluster, '', ns);
    this.informers.push(
      // Real namespaces only: shared default namespaces are never terminating and have their defaults.
      new Informer(deps.baseStore, scopePrefix(this.namespaces.storage, '*'), {
        onList: (kv) => {
          if (!isTombstone(kv.value) && kv.value.metadata.deletionTimestamp) this.queue.add(kv.key);
        },
        onEvent: (ev) => {
          if (ev.type !== 'DELETED' && !isTombstone(ev.kv.value)) this.queue.add(ev.kv.key);
        },
      }),
      // The per-namespace defaults come back when deleted, and kube-root-ca.crt keeps the CA.
      new Informer(deps.store, scopePrefix(this.serviceAccounts.storage, '*'), {
        onEvent: (ev) => {
          const k = parseKey(ev.kv.key);
          if (ev.type === 'DELETED' && k.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(nsKey(k.cluster, k.namespace!));
        },
      }),
      new Informer(deps.store, scopePrefix(this.configMaps.storage, '*'), {
        onEvent: (ev) => {
          const k = parseKey(ev.kv.key);
          if (k.name !== ROOT_CA_CONFIGMAP) return;
          const data = ev.kv.value.data as Record<string, string> | undefined;
          if (ev.type === 'DELETED' || data?.['ca.crt'] !== this.caPem) this.queue.add(nsKey(k.cluster, k.namespace!));
        },
      }),
      // A namespace waiting on finalizers looks again as soon as one of its objects goes away.
      new Informer(deps.baseStore, '', {
        onEvent: (ev) => {
          if (this.waiting.size === 0) return;
          if (ev.type !== 'DELETED' && !isTombstone(ev.kv.value)) return;
          const k = parseKey(ev.kv.key);
          if (k.namespace === undefined) return;
          const key = this.waiting.get(`${k.cluster}/${k.namespace}`);
          if (key) this.queue.add(key);
        },
      }),
    );
  }

  async start(): Promise<void> {
    await this.informers[0]!.start();
    for (const i of this.informers.slice(1)) i.startFromNow();
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    await super.stop();
  }

  private retryLater(key: string): void {
    if (this.stopped || this.retries.has(key)) return;
    const t = setTimeout(() => {
      this.retries.delete(key);
      this.queue.add(key);
    }, RETRY_REMAINING_MS);
    t.unref?.();
    this.retries.set(key, t);
  }

  protected override async reconcile(key: string): Promise<void> {
    const { cluster, name } = parseKey(key);
    const ns = await this.deps.registry.tryGet(this.namespaces, cluster, '', name);
    if (!ns || !ns.metadata.deletionTimestamp) this.waiting.delete(`${cluster}/${name}`);
    if (!ns) return;
    if (ns.metadata.deletionTimestamp) return this.terminate(cluster, key, ns);
    await this.ensureDefaults(cluster, ns);
  }

  // ---------------------------------------------------------------- defaults

  private async ensureDefaults(cluster: ClusterName, ns: KubeObject): Promise<void> {
    const name = ns.metadata.name!;
    const ctx = systemContext(cluster, name);
    const create = async (type: ResourceType, body: KubeObject) => {
      // NamespaceLifecycle refuses creates in a terminating namespace; look first anyway, so a
      // deletion that began since this pass started is never raced needlessly.
      if (!(await this.stillActive(cluster, ns))) return;
      let created: KubeObject;
      try {
        created = await this.deps.registry.create(ctx, type, body);
      } catch (e) {
        // already there, or the namespace started terminating (or went away) meanwhile
        if (isStatusError(e, 'AlreadyExists') || isStatusError(e, 'Forbidden') || isStatusError(e, 'NotFound')) return;
        throw e;
      }
      // The create passed admission just before the namespace started terminating (or went
      // away: one without spec.finalizers goes without being emptied): take it back at once.
      if (!(await this.stillActive(cluster, ns))) {
        try {
          await this.deps.registry.delete(ctx, type, created.metadata.name!, { preconditions: { uid: created.metadata.uid } });
        } catch (e) {
          if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
        }
      }
    };
    if (!(await this.deps.registry.tryGet(this.serviceAccounts, cluster, name, DEFAULT_SERVICE_ACCOUNT))) {
      await create(this.serviceAccounts, serviceAccountBody(name));
    }
    const cm = await this.deps.registry.tryGet(this.configMaps, cluster, name, ROOT_CA_CONFIGMAP);
    if (!cm) {
      await create(this.configMaps, rootCABody(name, this.caPem));
    } else if ((cm.data as Record<string, string> | undefined)?.['ca.crt'] !== this.caPem) {
      if (!(await this.stillActive(cluster, ns))) return;
      const next = deepCopy(cm);
      next.data = { 'ca.crt': this.caPem };
      try {
        await this.deps.registry.update(ctx, this.configMaps, ROOT_CA_CONFIGMAP, { updatedObject: () => next });
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
  }

  private async stillActive(cluster: ClusterName, ns: KubeObject): Promise<boolean> {
    const now = await this.deps.registry.tryGet(this.namespaces, cluster, '', ns.metadata.name!);
    return !!now && now.metadata.uid === ns.metadata.uid && !now.metadata.deletionTimestamp;
  }

  // ---------------------------------------------------------------- deletion

  /** One pass of kube's namespaced-resources deleter over a terminating namespace. */
  private async terminate(cluster: ClusterName, key: string, ns: KubeObject): Promise<void> {
    const name = ns.metadata.name!;
    const waitKey = `${cluster}/${name}`;
    let current: KubeObject | undefined = ns;
    if ((ns.status as { phase?: string } | undefined)?.phase !== 'Terminating') {
      current = await this.updateStatus(cluster, name, ns.metadata.uid!, (o) => {
        o.status = { ...(o.status as object ?? {}), phase: 'Terminating' };
      });
      if (!current) return;
    }
    const spec = (current.spec ?? {}) as { finalizers?: string[] };
    if (!spec.finalizers?.length) {
      this.waiting.delete(waitKey);
      return;
    }

    const totals = await this.deleteAllContent(cluster, name);
    const now = formatTime(new Date());
    await this.updateStatus(cluster, name, ns.metadata.uid!, (o) => {
      const status = (o.status ?? {}) as { conditions?: NamespaceCondition[] };
      const conditions = deletionConditions(status.conditions ?? [], totals, now);
      if (conditions) o.status = { ...status, conditions };
    });
    if (totals.errors.length) {
      this.waiting.delete(waitKey);
      throw new Error(`namespace ${cluster}/${name}: ${totals.errors.join(', ')}`);
    }
    if (totals.remaining.size) {
      this.waiting.set(waitKey, key);
      this.retryLater(key);
      return;
    }
    this.waiting.delete(waitKey);
    await this.finalize(cluster, name, ns.metadata.uid!);
  }

  /**
   * Deletes every deletable namespaced resource of the cluster's served set (one version per
   * group and resource, as kube's preferred-version discovery), then lists each again and counts
   * what remains. Resources sharing storage (core and events.k8s.io events) count separately, as
   * they do in kube.
   */
  private async deleteAllContent(cluster: ClusterName, namespace: string): Promise<DeletionTotals> {
    const ctx = systemContext(cluster, namespace);
    const totals: DeletionTotals = { remaining: new Map(), finalizers: new Map(), errors: [] };
    const seen = new Set<string>();
    for (const type of this.deps.catalog.forCluster(cluster).all) {
      if (!type.namespaced || !type.verbs.includes('delete')) continue;
      const gr = `${type.group}/${type.resource}`;
      if (seen.has(gr)) continue;
      seen.add(gr);
      try {
        if (type.verbs.includes('deletecollection')) {
          await this.deps.registry.deleteCollection(ctx, type, {}, { propagationPolicy: 'Background' });
        } else if (type.verbs.includes('list')) {
          for (const item of (await this.deps.registry.list(ctx, type, {})).items) {
            try {
              await this.deps.registry.delete(ctx, type, item.metadata.name!, { propagationPolicy: 'Background' });
            } catch (e) {
              if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'MethodNotAllowed')) throw e;
            }
          }
        }
        if (!type.verbs.includes('list')) continue;
        const left = (await this.deps.registry.list(ctx, type, {})).items;
        if (!left.length) continue;
        totals.remaining.set(`${type.resource}.${type.group}`, left.length);
        let held = 0;
        for (const item of left) {
          for (const f of item.metadata.finalizers ?? []) {
            totals.finalizers.set(f, (totals.finalizers.get(f) ?? 0) + 1);
            held++;
          }
        }
        if (!held) {
          totals.errors.push(`unexpected items still remain in namespace: ${namespace} for gvr: ${type.group}/${type.version}, Resource=${type.resource}`);
        }
      } catch (e) {
        totals.errors.push(errorText(e));
      }
    }
    return totals;
  }

  /** Read-modify-write of the status subresource; undefined when the namespace (this uid) is gone. */
  private async updateStatus(cluster: ClusterName, name: string, uid: string, change: (o: KubeObject) => void): Promise<KubeObject | undefined> {
    let replaced = false;
    try {
      const r = await this.deps.registry.update(systemContext(cluster), this.namespaces, name, {
        // a subresource update never creates: existing is there
        updatedObject: (existing) => {
          replaced = existing!.metadata.uid !== uid;
          if (replaced) return existing!;
          const next = deepCopy(existing!);
          change(next);
          return next;
        },
      }, { subresource: 'status' });
      return replaced ? undefined : r.object;
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  /** Removes the controller's token from spec.finalizers; the namespace goes when none remain. */
  private async finalize(cluster: ClusterName, name: string, uid: string): Promise<void> {
    try {
      await this.deps.registry.update(systemContext(cluster), this.namespaces, name, {
        updatedObject: (existing) => {
          const next = deepCopy(existing!);
          const spec = (next.spec ?? {}) as { finalizers?: string[] };
          next.spec = { ...spec, finalizers: finalizedSpecFinalizers(spec.finalizers ?? []) };
          return next;
        },
        uidPrecondition: uid,
      }, { subresource: 'finalize' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }
}
