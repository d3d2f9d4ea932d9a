// The namespace controller, for every logical cluster at once:
// - a new namespace gets its `default` ServiceAccount and `kube-root-ca.crt` ConfigMap (kube's
//   serviceaccount and root-ca-cert-publisher controllers); they come back if deleted;
// - a Terminating namespace is emptied resource by resource, its status conditions tell what is
//   left, and once empty the "kubernetes" finalizer is removed so the namespace goes away.

import { isStatusError } from '../apimachinery/errors.js';
import { deepCopy, formatTime, type KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../registry/types.js';
import { isTombstone } from '../storage/defaults-overlay.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP, rootCABody, serviceAccountBody } from '../tenancy/bootstrap.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { systemContext, type Controller, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';
import { WorkQueue } from './queue.js';

interface Condition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

const RETRY_REMAINING_MS = 1000;

function find(deps: ControllerDeps, group: string, resource: string): ResourceType {
  return deps.catalog.allTypes().find((t) => t.group === group && t.resource === resource)!;
}

export class NamespaceController implements Controller {
  private readonly queue: WorkQueue;
  private readonly informers: Informer[];
  private readonly namespaces: ResourceType;
  private readonly serviceAccounts: ResourceType;
  private readonly configMaps: ResourceType;

  constructor(private readonly deps: ControllerDeps, private readonly caPem: string) {
    this.namespaces = find(deps, '', 'namespaces');
    this.serviceAccounts = find(deps, '', 'serviceaccounts');
    this.configMaps = find(deps, '', 'configmaps');
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: 4,
      onError: (key, err, attempt) => deps.log.warn({ key, err, attempt }, 'namespace reconcile failed'),
    });
    const nsKey = (cluster: ClusterName, ns: string) => deps.registry.key(this.namespaces, cluster, '', ns);
    this.informers = [
      // Real namespaces only: shared default namespaces are never terminating and have their defaults.
      new Informer(deps.baseStore, scopePrefix(this.namespaces.storage, '*'), {
        onList: (kv) => {
          if (kv.value.metadata.deletionTimestamp) this.queue.add(kv.key);
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
    ];
  }

  async start(): Promise<void> {
    await this.informers[0]!.start();
    this.informers[1]!.startFromNow();
    this.informers[2]!.startFromNow();
  }

  async stop(): Promise<void> {
    for (const i of this.informers) i.stop();
    await this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async reconcile(key: string): Promise<void> {
    const { cluster, name } = parseKey(key);
    const ns = await this.deps.registry.tryGet(this.namespaces, cluster, '', name);
    if (!ns) return;
    if (ns.metadata.deletionTimestamp) return this.terminate(cluster, ns);
    await this.ensureDefaults(cluster, name);
  }

  private async ensureDefaults(cluster: ClusterName, ns: string): Promise<void> {
    const ctx = systemContext(cluster, ns);
    const create = async (type: ResourceType, body: KubeObject) => {
      try {
        await this.deps.registry.create(ctx, type, body);
      } catch (e) {
        // already there, or the namespace started terminating meanwhile
        if (!isStatusError(e, 'AlreadyExists') && !isStatusError(e, 'Forbidden') && !isStatusError(e, 'NotFound')) throw e;
      }
    };
    if (!(await this.deps.registry.tryGet(this.serviceAccounts, cluster, ns, DEFAULT_SERVICE_ACCOUNT))) {
      await create(this.serviceAccounts, serviceAccountBody(ns));
    }
    const cm = await this.deps.registry.tryGet(this.configMaps, cluster, ns, ROOT_CA_CONFIGMAP);
    if (!cm) {
      await create(this.configMaps, rootCABody(ns, this.caPem));
    } else if ((cm.data as Record<string, string> | undefined)?.['ca.crt'] !== this.caPem) {
      const next = deepCopy(cm);
      next.data = { 'ca.crt': this.caPem };
      await this.deps.registry.update(ctx, this.configMaps, ROOT_CA_CONFIGMAP, { updatedObject: () => next });
    }
  }

  /** One pass of emptying a terminating namespace; finalizes it when nothing is left. */
  private async terminate(cluster: ClusterName, ns: KubeObject): Promise<void> {
    const name = ns.metadata.name!;
    const ctx = systemContext(cluster, name);
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    const seen = new Set<string>();
    let failures = 0;
    for (const type of this.deps.catalog.forCluster(cluster).all) {
      if (!type.namespaced || !type.verbs.includes('delete')) continue;
      const storage = `${type.storage.group}/${type.storage.resource}`;
      if (seen.has(storage)) continue;
      seen.add(storage);
      const list = await this.deps.registry.list(ctx, type, {});
      for (const item of list.items) {
        const label = `${type.resource}.${type.group}`;
        remaining.set(label, (remaining.get(label) ?? 0) + 1);
        for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
        if (item.metadata.deletionTimestamp) continue;
        try {
          await this.deps.registry.delete(ctx, type, item.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) failures++;
        }
      }
    }
    if (remaining.size > 0) {
      // Deleted items without finalizers are already gone; look again for what truly remains.
      await this.setConditions(cluster, ns, remaining, finalizers, failures);
      this.queue.addAfter(this.deps.registry.key(this.namespaces, cluster, '', name), RETRY_REMAINING_MS);
      return;
    }
    await this.finalize(cluster, name);
  }

  private async setConditions(cluster: ClusterName, ns: KubeObject, remaining: Map<string, number>,
    finalizers: Map<string, number>, failures: number): Promise<void> {
    const now = formatTime(new Date());
    const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const conds: Condition[] = [
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', lastTransitionTime: now, reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', lastTransitionTime: now, reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      failures
        ? { type: 'NamespaceDeletionContentFailure', status: 'True', lastTransitionTime: now, reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures} remaining` }
        : { type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: now, reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      {
        type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeResourcesRemain',
        message: `Some resources are remaining: ${sorted(remaining).map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`,
      },
      finalizers.size
        ? {
          type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${sorted(finalizers).map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`,
        }
        : { type: 'NamespaceFinalizersRemaining', status: 'False', lastTransitionTime: now, reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ];
    const status = (ns.status ?? {}) as { conditions?: Condition[] };
    const old = status.conditions ?? [];
    const merged = conds.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      return prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message ? prev : c;
    });
    if (JSON.stringify(merged) === JSON.stringify(old)) return;
    const next = deepCopy(ns);
    next.status = { ...(next.status as object), conditions: merged };
    try {
      await this.deps.registry.update(systemContext(cluster), this.namespaces, ns.metadata.name!, { updatedObject: () => next },
        { subresource: 'status' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }

  private async finalize(cluster: ClusterName, name: string): Promise<void> {
    const ns = await this.deps.registry.tryGet(this.namespaces, cluster, '', name);
    if (!ns) return;
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if (!(spec.finalizers ?? []).includes('kubernetes')) return;
    const next = deepCopy(ns);
    next.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== 'kubernetes') };
    try {
      await this.deps.registry.update(systemContext(cluster), this.namespaces, name, { updatedObject: () => next },
        { subresource: 'finalize' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
