// The OpenStack credential transform of a Sync-mode PublishedResource with spec.credentials.openstack
// (issue 11, point 6). Every tenant Secret of type kplane.io/openstack-clouds (or labelled
// sync.kplane.io/credentials: openstack) in a bound workspace becomes, in its mapped namespace of the
// management cluster, the three objects of ./objects.ts: the CAPO identityRef Secret, the resource-set
// Secret with the workload cluster's cloud.conf, and the ClusterResourceSet that applies it.
//
// Driven by watches only: tenant Secrets (one in-process watch over every logical cluster), and the
// downstream Secrets and ClusterResourceSets it wrote (two watches, by label). At rest it sends nothing.
//
// - Invalid clouds.yaml: nothing is written downstream (a Secret that was valid before keeps its last
//   valid copies, so running clusters keep working); the tenant Secret gets the annotation
//   sync.kplane.io/credentials-error with the field error, and one Warning Event (reason InvalidCloudsYAML).
//   Secrets have no status, so the annotation is the readable marker; it is removed once the Secret is valid.
// - Cleanup is by label and annotations, not a finalizer: the downstream objects say which tenant Secret
//   they come from, so a tenant Secret that is gone (deleted, label removed, its workspace deleted) has its
//   copies deleted, also after a restart (the downstream list finds them). A finalizer would keep the
//   tenant's Secret (and namespace, and workspace) from going whenever the syncer or this
//   PublishedResource is not running, for objects that hold nothing but derived data.
// - A downstream Secret of the same name that is not this tenant Secret's copy (Cluster API's
//   <cluster>-kubeconfig, another controller's) is never taken over: the tenant gets an error instead.

import { isStatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { Informer } from '../../controllers/informer.js';
import type { ResourceType } from '../../registry/types.js';
import type { Store } from '../../storage/interface.js';
import { parseKey, resourcePrefix } from '../../storage/keys.js';
import { isConflict, isNotFound, resourcePath } from '../client.js';
import { DownstreamInformer, cacheKey, metaOf, type Obj } from '../downstream-informer.js';
import type { DownstreamNamespaces } from '../downstream-namespaces.js';
import { PublishedSync, SEP, type PublishedDeps } from '../published.js';
import { errorForTenant } from '../tenant-errors.js';
import { downstreamNamespace, holds } from '../transform.js';
import { ANN_NAME, ANN_NAMESPACE, ANN_WORKSPACE, type BoundCluster } from '../types.js';
import {
  ANN_CREDENTIALS_ERROR, CREDENTIALS_OPENSTACK, CRS_GROUP, CRS_RESOURCE, CRS_VERSION, LABEL_CREDENTIALS,
  credentialObjects, isCredentialSecret, type OpenStackCredentialsSpec,
} from './objects.js';

export interface CredentialsDeps extends PublishedDeps {
  store: Store;
  namespaces: DownstreamNamespaces;
}

const SECRETS = { group: '', resource: 'secrets' };
const SECRETS_GVR = { group: '', version: 'v1', resource: 'secrets' };
const CRS_GVR = { group: CRS_GROUP, version: CRS_VERSION, resource: CRS_RESOURCE };
const SELECTOR = `${LABEL_CREDENTIALS}=${CREDENTIALS_OPENSTACK}`;

type Kind = 'Secret' | 'ClusterResourceSet';

export class OpenStackCredentials extends PublishedSync {
  private readonly secretsType: ResourceType;
  private readonly downSecrets: DownstreamInformer;
  private readonly downCRS: DownstreamInformer;
  private upstreamInformer: Informer | undefined;
  /** Tenant key (cluster\0namespace\0name) -> its downstream objects ("Kind namespace/name" -> object). */
  private readonly copies = new Map<string, Map<string, Obj>>();
  private readonly inSync = new Set<string>();
  private readonly failing = new Set<string>();
  private synced = 0;

  constructor(protected override readonly deps: CredentialsDeps, name: string, spec: PublishedSync['spec'],
    client: PublishedSync['client'], tenantQPS: number) {
    super(deps, name, spec, client, tenantQPS);
    this.secretsType = deps.upstream.catalog.allTypes().find((t) => t.group === '' && t.resource === 'secrets')!;
    const handlers = (kind: Kind) => ({
      onUpsert: (o: Obj) => this.observeDownstream(kind, o, false),
      onDelete: (o: Obj) => this.observeDownstream(kind, o, true),
      onSynced: () => this.downstreamSynced(),
      onError: (err: Error) => deps.log.debug({ publishedResource: name, kind, err: String(err) }, 'credentials downstream watch'),
    });
    this.downSecrets = new DownstreamInformer(client, resourcePath(SECRETS_GVR), { labelSelector: SELECTOR }, handlers('Secret'));
    this.downCRS = new DownstreamInformer(client, resourcePath(CRS_GVR), { labelSelector: SELECTOR }, handlers('ClusterResourceSet'));
    this.problem = 'waiting for the Secrets and ClusterResourceSets of the management cluster (is Cluster API\'s addons CRD installed?)';
  }

  private get options(): OpenStackCredentialsSpec {
    return this.spec.credentials?.openstack ?? {};
  }

  get stats(): { inSync: number; failing: number } {
    return { inSync: this.inSync.size, failing: this.failing.size };
  }

  /** Not a CRD import: the downstream watches first, then the tenants' Secrets. */
  override start(): void {
    this.downSecrets.start();
    this.downCRS.start();
  }

  protected onCRD(): void {}

  private downstreamSynced(): void {
    if (++this.synced < 2 || this.stopped) return;
    this.problem = undefined;
    this.upstreamInformer = new Informer(this.deps.store, resourcePrefix(SECRETS), {
      onList: (kv) => this.observeUpstream(kv.key, kv.value),
      onEvent: (ev) => this.observeUpstream(ev.kv.key, ev.kv.value, ev.prev?.value),
      onError: (err) => this.deps.log.debug({ publishedResource: this.name, err: String(err) }, 'credentials upstream watch'),
    }, 500);
    void this.upstreamInformer.start();
  }

  private observeUpstream(storageKey: string, value: KubeObject | undefined, prev?: KubeObject): void {
    const k = parseKey(storageKey);
    const key = [k.cluster, k.namespace ?? '', k.name].join(SEP);
    // a Secret that is (or was) a credential one, or one whose copies exist
    if ((this.bound.has(k.cluster) && (isCredentialSecret(value) || isCredentialSecret(prev))) || this.copies.has(key)) this.queue.add(key);
  }

  private observeDownstream(kind: Kind, o: Obj, deleted: boolean): void {
    const m = metaOf(o);
    const a = m.annotations ?? {};
    if (!a[ANN_WORKSPACE] || !a[ANN_NAME]) return;
    const key = [a[ANN_WORKSPACE], a[ANN_NAMESPACE] ?? '', a[ANN_NAME]].join(SEP);
    const id = `${kind} ${cacheKey(m.namespace, m.name)}`;
    let set = this.copies.get(key);
    if (deleted) {
      set?.delete(id);
      if (set && !set.size) this.copies.delete(key);
    } else {
      if (!set) this.copies.set(key, (set = new Map()));
      set.set(id, o);
    }
    // drift repair, and cleanup of copies whose tenant Secret is gone
    if (this.synced >= 2) this.queue.add(key);
  }

  protected override boundChanged(before: Map<string, BoundCluster>): void {
    if (!this.upstreamInformer) return;
    const added = [...this.bound.keys()].filter((c) => !before.has(c));
    void (async () => {
      for (const c of added) {
        const page = await this.deps.store.list(`${resourcePrefix(SECRETS)}${c}/`);
        for (const kv of page.items) this.observeUpstream(kv.key, kv.value);
      }
    })().catch((err) => this.deps.log.warn({ err: String(err) }, 'credentials relist after binding change'));
  }

  protected async reconcileObject(key: string): Promise<void> {
    const [cluster, namespace, name] = key.split(SEP) as [string, string, string];
    const up = await this.deps.upstream.get(cluster, this.secretsType, namespace, name);
    const existing = this.copies.get(key) ?? new Map<string, Obj>();
    if (!up || up.metadata.deletionTimestamp || !isCredentialSecret(up)) {
      // gone (or no longer a credential Secret): so go its copies
      this.inSync.delete(key);
      this.failing.delete(key);
      for (const [id, o] of existing) await this.deleteDownstream(id.startsWith('Secret ') ? 'Secret' : 'ClusterResourceSet', o);
      return;
    }
    const b = this.bound.get(cluster);
    if (!b) {
      // no longer offered to this workspace: left as it is (as SyncedResource leaves its copies)
      this.inSync.delete(key);
      this.failing.delete(key);
      return;
    }
    const dsNs = downstreamNamespace(this.spec.namespaceTemplate, cluster, b.uid, namespace);
    const out = credentialObjects(up, { clusterPath: cluster, clusterUid: b.uid, publishedBy: this.name, namespace: dsNs }, this.options);
    if (!out.ok) {
      await this.markInvalid(cluster, up, out.error.reason, out.error.message);
      return;
    }
    const wanted: [Kind, Obj][] = [['Secret', out.objects.identity], ['Secret', out.objects.resourceSet], ['ClusterResourceSet', out.objects.clusterResourceSet]];
    // never take over an object of the same name that is not this Secret's copy
    for (const [kind, o] of wanted) {
      const m = metaOf(o);
      const id = `${kind} ${cacheKey(dsNs, m.name)}`;
      if (existing.has(id)) continue;
      const current = await this.getDownstream(kind, dsNs, m.name!);
      const ca = current ? metaOf(current).annotations ?? {} : undefined;
      if (ca && (ca[ANN_WORKSPACE] !== cluster || (ca[ANN_NAMESPACE] ?? '') !== namespace || ca[ANN_NAME] !== name)) {
        await this.markInvalid(cluster, up, 'NameTaken', `a ${kind} "${m.name}" that does not come from this Secret exists where its copies go: rename the Secret`);
        return;
      }
    }
    try {
      await this.deps.namespaces.ensure(dsNs, { cluster, namespace, uid: b.uid });
      // the ClusterResourceSet last, so that it never names a Secret not yet written
      for (const [kind, o] of wanted) {
        const m = metaOf(o);
        const cur = existing.get(`${kind} ${cacheKey(dsNs, m.name)}`);
        if (cur && holds(cur, o) && holds((o as { data?: unknown }).data, (cur as { data?: unknown }).data)) continue;
        await this.client.apply(this.pathOf(kind, dsNs, m.name), o);
        this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'down' });
      }
    } catch (e) {
      this.inSync.delete(key);
      this.failing.add(key);
      await this.deps.upstream.warn(cluster, up, 'DownstreamRejected', errorForTenant(e, dsNs, namespace).message);
      throw e; // retried with backoff
    }
    // what an earlier name of the Secret's objects left (none today; kept for renames of the scheme)
    const keep = new Set(wanted.map(([kind, o]) => `${kind} ${cacheKey(dsNs, metaOf(o).name)}`));
    for (const [id, o] of existing) if (!keep.has(id)) await this.deleteDownstream(id.startsWith('Secret ') ? 'Secret' : 'ClusterResourceSet', o);
    await this.setErrorAnnotation(cluster, up, undefined);
    this.failing.delete(key);
    this.inSync.add(key);
    this.deps.upstream.forgetEvents(cluster, up);
  }

  /** The annotation tells the tenant; the Event is written when the message is new (not on every resync). */
  private async markInvalid(cluster: string, up: KubeObject, reason: string, message: string): Promise<void> {
    const key = [cluster, up.metadata.namespace ?? '', up.metadata.name].join(SEP);
    this.inSync.delete(key);
    this.failing.add(key);
    if (await this.setErrorAnnotation(cluster, up, message)) await this.deps.upstream.warn(cluster, up, reason, message);
  }

  private async setErrorAnnotation(cluster: string, up: KubeObject, message: string | undefined): Promise<boolean> {
    if (up.metadata.annotations?.[ANN_CREDENTIALS_ERROR] === message) return false;
    const ns = up.metadata.namespace ?? '';
    try {
      await this.deps.upstream.registry.update(this.deps.upstream.ctx(cluster, ns), this.secretsType, up.metadata.name!, {
        updatedObject: (cur) => {
          const annotations = { ...(cur!.metadata.annotations ?? {}) };
          if (message === undefined) delete annotations[ANN_CREDENTIALS_ERROR];
          else annotations[ANN_CREDENTIALS_ERROR] = message;
          return { ...cur!, metadata: { ...cur!.metadata, annotations } };
        },
      });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return false;
      throw e;
    }
    return true;
  }

  private pathOf(kind: Kind, namespace: string | undefined, name: string | undefined): string {
    return resourcePath(kind === 'Secret' ? SECRETS_GVR : CRS_GVR, namespace, name);
  }

  private async getDownstream(kind: Kind, namespace: string, name: string): Promise<Obj | undefined> {
    try {
      return await this.client.get(this.pathOf(kind, namespace, name));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async deleteDownstream(kind: Kind, o: Obj): Promise<void> {
    const m = metaOf(o);
    if (m.deletionTimestamp) return;
    try {
      await this.client.delete(this.pathOf(kind, m.namespace, m.name), { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: m.uid } });
      this.deps.metrics.writes.inc({ published_resource: this.name, direction: 'down' });
    } catch (e) {
      // gone already, or a newer object of that name (its uid precondition fails): its own events bring it back
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  override async stop(): Promise<void> {
    this.upstreamInformer?.stop();
    this.downSecrets.stop();
    this.downCRS.stop();
    await super.stop();
  }
}
