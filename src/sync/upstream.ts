// The syncer's reads and writes in tenants' logical clusters: through the registry (validation,
// admission, managedFields under the syncer's manager), never around it, and only when something
// differs, so a resync of unchanged objects writes nothing.

import { isStatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { formatTime, isPlainObject } from '../apimachinery/object.js';
import { systemContext } from '../controllers/context.js';
import type { ResourceCatalog } from '../registry/catalog.js';
import type { Registry } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { differs, type Obj } from './transform.js';
import { SYNCER_MANAGER, type Condition } from './types.js';

export class Upstream {
  private readonly eventsType: ResourceType;
  private readonly namespacesType: ResourceType;
  /** The last Event written per object and reason, so a failure that repeats is one Event (with a count). */
  private readonly lastEvents = new Map<string, { name: string; message: string }>();

  constructor(readonly registry: Registry, readonly catalog: ResourceCatalog) {
    this.eventsType = catalog.allTypes().find((t) => t.group === '' && t.resource === 'events')!;
    this.namespacesType = catalog.allTypes().find((t) => t.group === '' && t.resource === 'namespaces')!;
  }

  ctx(cluster: string, namespace = ''): ReturnType<typeof systemContext> {
    return systemContext(cluster as ClusterName, namespace, SYNCER_MANAGER);
  }

  /** The served type of a resource in a cluster (a custom resource once its CRD is established there). */
  typeIn(cluster: string, group: string, resource: string): ResourceType | undefined {
    return this.catalog.forCluster(cluster as ClusterName).forGroupResource(group, resource);
  }

  get(cluster: string, type: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.registry.tryGet(type, cluster as ClusterName, namespace, name);
  }

  /**
   * Creates or updates an object to hold `desired` (labels, annotations the syncer sets, owner
   * references and content); does nothing when it already does. Annotations others set are kept.
   */
  async upsert(cluster: string, type: ResourceType, desired: Obj, exact = true): Promise<'created' | 'updated' | 'unchanged'> {
    const meta = desired.metadata as { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: unknown[] };
    const ns = type.namespaced ? meta.namespace ?? '' : '';
    const current = await this.get(cluster, type, ns, meta.name);
    if (!differs(current as Obj | undefined, desired, exact)) return 'unchanged';
    const ctx = this.ctx(cluster, ns);
    if (!current) {
      try {
        await this.registry.create(ctx, type, desired as unknown as KubeObject);
        return 'created';
      } catch (e) {
        if (!isStatusError(e, 'AlreadyExists')) throw e;
      }
    }
    await this.registry.update(ctx, type, meta.name, {
      updatedObject: (existing) => {
        if (!existing) return desired as unknown as KubeObject;
        const next: KubeObject = { apiVersion: desired.apiVersion as string, kind: desired.kind as string, metadata: { ...existing.metadata } };
        next.metadata.labels = meta.labels ?? {};
        next.metadata.annotations = { ...(existing.metadata.annotations ?? {}), ...(meta.annotations ?? {}) };
        if (meta.ownerReferences) next.metadata.ownerReferences = meta.ownerReferences as KubeObject['metadata']['ownerReferences'];
        for (const [k, v] of Object.entries(existing)) if (k === 'status') next[k] = v;
        for (const [k, v] of Object.entries(desired)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') next[k] = v;
        return next;
      },
    });
    return 'updated';
  }

  /** Writes status (through the status subresource when the kind has one) unless it is already that. */
  async setStatus(cluster: string, type: ResourceType, obj: KubeObject, status: unknown): Promise<boolean> {
    if (JSON.stringify(obj.status ?? null) === JSON.stringify(status ?? null)) return false;
    const ns = obj.metadata.namespace ?? '';
    await this.registry.update(this.ctx(cluster, ns), type, obj.metadata.name!, {
      updatedObject: (existing) => {
        const next = { ...existing! };
        if (status === undefined) delete next.status;
        else next.status = status;
        return next;
      },
    }, { subresource: type.subresources.includes('status') ? 'status' : '' });
    return true;
  }

  /** Adds or removes one finalizer (no write when it is already so). */
  async setFinalizer(cluster: string, type: ResourceType, obj: KubeObject, finalizer: string, present: boolean): Promise<boolean> {
    const fins = obj.metadata.finalizers ?? [];
    if (fins.includes(finalizer) === present) return false;
    const ns = obj.metadata.namespace ?? '';
    await this.registry.update(this.ctx(cluster, ns), type, obj.metadata.name!, {
      updatedObject: (existing) => {
        const cur = existing!.metadata.finalizers ?? [];
        const next = present ? (cur.includes(finalizer) ? cur : [...cur, finalizer]) : cur.filter((f) => f !== finalizer);
        return { ...existing!, metadata: { ...existing!.metadata, finalizers: next } };
      },
    });
    return true;
  }

  async delete(cluster: string, type: ResourceType, namespace: string, name: string): Promise<void> {
    try {
      await this.registry.delete(this.ctx(cluster, namespace), type, name, {});
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  async ensureNamespace(cluster: string, name: string): Promise<void> {
    if (await this.get(cluster, this.namespacesType, '', name)) return;
    try {
      await this.registry.create(this.ctx(cluster), this.namespacesType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
    }
  }

  /**
   * A Warning Event on a tenant object (kubectl describe shows it), once per distinct message:
   * the same failure again only bumps the count.
   */
  async warn(cluster: string, obj: KubeObject, reason: string, message: string, now = new Date()): Promise<void> {
    const ns = obj.metadata.namespace || 'default';
    const key = `${cluster}\u0000${ns}\u0000${obj.metadata.uid}\u0000${reason}`;
    const last = this.lastEvents.get(key);
    const ctx = this.ctx(cluster, ns);
    const ts = formatTime(now);
    if (last && last.message === message) {
      try {
        await this.registry.update(ctx, this.eventsType, last.name, {
          updatedObject: (existing) => ({ ...existing!, count: ((existing!.count as number) ?? 1) + 1, lastTimestamp: ts }),
        });
        return;
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
    const name = `${obj.metadata.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    await this.registry.create(ctx, this.eventsType, {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      reason, message, type: 'Warning', count: 1, firstTimestamp: ts, lastTimestamp: ts,
      source: { component: SYNCER_MANAGER }, reportingComponent: SYNCER_MANAGER, reportingInstance: '',
    });
    if (this.lastEvents.size > 10_000) this.lastEvents.clear();
    this.lastEvents.set(key, { name, message });
  }

  /** Forgets the Events of an object (it is in sync again). */
  forgetEvents(cluster: string, obj: KubeObject): void {
    const prefix = `${cluster}\u0000${obj.metadata.namespace || 'default'}\u0000${obj.metadata.uid}\u0000`;
    for (const k of this.lastEvents.keys()) if (k.startsWith(prefix)) this.lastEvents.delete(k);
  }
}

/** Sets a condition in a list (by type), keeping lastTransitionTime when the status did not change. */
export function setCondition(conditions: unknown, c: Condition, now: Date): Condition[] {
  const list = Array.isArray(conditions) ? (conditions.filter(isPlainObject) as unknown as Condition[]) : [];
  const old = list.find((x) => x.type === c.type);
  const next: Condition = { ...c, lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : formatTime(now) };
  return [...list.filter((x) => x.type !== c.type), next];
}
