// The syncer: reads its configuration (ManagementClusters and PublishedResources in the root
// logical cluster, the Workspaces that select tenants), keeps one connection per management
// cluster and one PublishedSync per published resource, and tells each which logical clusters it
// is offered to. Everything it learns comes from watches, in process (kplane's own store) and
// downstream (one watch per published resource): at rest it sends the management cluster nothing.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Registry as MetricsRegistry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { labelSelectorFromMeta } from '../apimachinery/labels.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { Controller, ControllerDeps } from '../controllers/context.js';
import { Informer } from '../controllers/informer.js';
import { WorkQueue } from '../controllers/queue.js';
import type { ResolvedServiceReference, ServiceCaller } from '../apiextensions/conversion.js';
import type { WebhookTarget } from '../apiextensions/webhook-post.js';
import type { ResourceType } from '../registry/types.js';
import { parseKey, resourcePrefix, scopePrefix } from '../storage/keys.js';
import { ROOT, childCluster, type ClusterName } from '../tenancy/logicalcluster.js';
import { CatalogResource } from './catalog-resource.js';
import { MirrorResource } from './mirror-resource.js';
import { DownstreamClient } from './client.js';
import { DownstreamNamespaces } from './downstream-namespaces.js';
import { syncMetrics, type SyncMetrics } from './metrics.js';
import type { PublishedSync } from './published.js';
import { validateReferenceRules } from './references.js';
import { OpenStackCredentials } from './openstack/credentials.js';
import { SyncedResource } from './synced-resource.js';
import { NAMESPACE_TEMPLATE_KEYS, NAME_TEMPLATE_KEYS, unknownTemplateKeys } from './transform.js';
import {
  MANAGEMENT_CLUSTERS, PUBLISHED_RESOURCES, type BoundCluster, type Condition, type ManagementClusterSpec,
  type PublishedResourceSpec,
} from './types.js';
import { Upstream, setCondition } from './upstream.js';

const CRD_FILES = ['sync.kplane.io_managementclusters.yaml', 'sync.kplane.io_publishedresources.yaml'];
const WORKSPACES = { group: 'tenancy.kplane.io', resource: 'workspaces' };
const SECRETS = { group: '', resource: 'secrets' };
/** How often counts in PublishedResource status are refreshed (in process only). */
const STATUS_PERIOD_MS = 5_000;

interface Connection {
  /** What the connection was made from: a new kubeconfig or qps makes a new one. */
  fingerprint: string;
  client: DownstreamClient;
  namespaces: DownstreamNamespaces;
  tenantQPS: number;
  version?: string;
}

interface Published {
  fingerprint: string;
  syncs: PublishedSync[];
}

export interface SyncerDeps extends ControllerDeps {
  metrics: MetricsRegistry;
}

/** kplane's own CRDs of the syncer's configuration, parsed once. */
function syncCRDs(): KubeObject[] {
  return CRD_FILES.flatMap((f) => parseAllDocuments(readFileSync(fileURLToPath(new URL(`../../crds/${f}`, import.meta.url)), 'utf8'))
    .map((d) => d.toJS() as KubeObject).filter((o) => o?.kind === 'CustomResourceDefinition'));
}

export class Syncer implements Controller {
  readonly upstream: Upstream;
  readonly metrics: SyncMetrics;
  private readonly crdType: ResourceType;
  private readonly secretsType: ResourceType;
  private readonly queue: WorkQueue;
  private readonly informers: Informer[] = [];
  private readonly connections = new Map<string, Connection>();
  private readonly published = new Map<string, Published>();
  /** Logical cluster -> the labels of the Workspace that made it. */
  private readonly workspaces = new Map<string, Record<string, string>>();
  private statusTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: SyncerDeps) {
    this.upstream = new Upstream(deps.registry, deps.catalog);
    this.crdType = deps.catalog.allTypes().find((t) => t.group === 'apiextensions.k8s.io' && t.resource === 'customresourcedefinitions')!;
    this.secretsType = deps.catalog.allTypes().find((t) => t.group === '' && t.resource === 'secrets')!;
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: 2, baseDelayMs: 200, maxDelayMs: 30_000,
      onError: (key, err, attempt) => deps.log.warn({ key, err: String(err), attempt }, 'syncer configuration'),
    });
    this.metrics = syncMetrics(deps.metrics, {
      gauges: () => [...this.published.values()].map((p) => p.syncs[0]!).map((s) => ({
        name: s.name, queueDepth: s.queueDepth, bound: s.boundCount,
        inSync: (s as SyncedResource | CatalogResource | MirrorResource).stats.inSync, failing: (s as SyncedResource | CatalogResource | MirrorResource).stats.failing,
      })),
      requests: () => [...this.connections].map(([name, c]) => ({ name, count: c.client.requests })),
    });
  }

  *allSyncs(): Iterable<PublishedSync> {
    for (const p of this.published.values()) yield* p.syncs;
  }

  async start(): Promise<void> {
    // the configuration kinds are CRDs of the root logical cluster
    for (const crd of syncCRDs()) await this.upstream.upsert(ROOT, this.crdType, crd as never, false);
    const watch = (prefix: string, onKey: (key: string) => void): Informer => {
      const i = new Informer(this.deps.store, prefix, { onList: (kv) => onKey(kv.key), onEvent: (ev) => onKey(ev.kv.key) });
      this.informers.push(i);
      return i;
    };
    const mcs = watch(scopePrefix(MANAGEMENT_CLUSTERS, ROOT), (k) => this.queue.add(`mc/${parseKey(k).name}`));
    const prs = watch(scopePrefix(PUBLISHED_RESOURCES, ROOT), (k) => this.queue.add(`pr/${parseKey(k).name}`));
    // kubeconfig Secrets: only those a ManagementCluster names matter; cheap to look
    const secrets = watch(scopePrefix(SECRETS, ROOT), () => {
      for (const name of this.connectionNames()) this.queue.add(`mc/${name}`);
    });
    const workspaces = watch(resourcePrefix(WORKSPACES), () => this.queue.add('bind'));
    // which workspaces are bound is known before any published resource starts: a sync that
    // started with none bound would take every tenant's objects for unbound ones
    await workspaces.start();
    await this.rebind();
    for (const i of [mcs, prs]) await i.start();
    secrets.startFromNow();
    this.statusTimer = setInterval(() => {
      for (const name of this.published.keys()) this.queue.add(`pr-status/${name}`);
    }, STATUS_PERIOD_MS);
    this.statusTimer.unref();
  }

  private connectionNames(): string[] {
    return [...this.connections.keys()];
  }

  private reconcile(key: string): Promise<void> {
    const i = key.indexOf('/');
    const kind = i < 0 ? key : key.slice(0, i);
    const name = i < 0 ? '' : key.slice(i + 1);
    if (kind === 'mc') return this.reconcileManagementCluster(name);
    if (kind === 'pr') return this.reconcilePublished(name);
    if (kind === 'pr-status') return this.writePublishedStatus(name);
    if (kind === 'ns-gc') return this.collectNamespaces(name);
    return this.rebind();
  }

  private typeInRoot(r: { group: string; resource: string }): ResourceType | undefined {
    return this.upstream.typeIn(ROOT, r.group, r.resource);
  }

  // ------------------------------------------------------------ management clusters

  private async reconcileManagementCluster(name: string): Promise<void> {
    const type = this.typeInRoot(MANAGEMENT_CLUSTERS);
    if (!type) throw new Error('the ManagementCluster CRD is not established yet');
    const mc = await this.upstream.get(ROOT, type, '', name);
    const old = this.connections.get(name);
    if (!mc || mc.metadata.deletionTimestamp) {
      if (old) this.closeConnection(name, old);
      return;
    }
    const spec = (mc.spec ?? {}) as ManagementClusterSpec;
    const ref = spec.kubeconfigSecretRef ?? { namespace: '', name: '' };
    const secret = await this.upstream.get(ROOT, this.secretsType, ref.namespace, ref.name);
    const data = (secret?.data ?? {}) as Record<string, string>;
    const key = ref.key ?? 'kubeconfig';
    if (!secret || data[key] === undefined) {
      if (old) this.closeConnection(name, old);
      await this.setReady(type, mc, 'False', 'KubeconfigNotFound', secret ? `the Secret ${ref.namespace}/${ref.name} has no key ${key}` : `the Secret ${ref.namespace}/${ref.name} does not exist`);
      return;
    }
    const text = Buffer.from(data[key]!, 'base64').toString('utf8');
    const fingerprint = createHash('sha256').update(`${text}\u0000${spec.qps ?? 50}\u0000${spec.tenantQPS ?? 10}`).digest('hex');
    if (old && old.fingerprint === fingerprint && old.version) {
      await this.setReady(type, mc, 'True', 'Connected', '', old.version);
      return;
    }
    if (old) this.closeConnection(name, old);
    let client: DownstreamClient;
    try {
      client = await DownstreamClient.fromKubeconfig(text, spec.qps ?? 50);
    } catch (e) {
      await this.setReady(type, mc, 'False', 'InvalidKubeconfig', (e as Error).message);
      return;
    }
    let version: string;
    try {
      version = String((await client.get('/version')).gitVersion ?? '');
    } catch (e) {
      client.close();
      await this.setReady(type, mc, 'False', 'Unreachable', (e as Error).message);
      throw e; // retried with backoff
    }
    const namespaces = new DownstreamNamespaces(client);
    namespaces.start();
    this.connections.set(name, { fingerprint, client, namespaces, tenantQPS: spec.tenantQPS ?? 10, version });
    await this.setReady(type, mc, 'True', 'Connected', '', version);
    for (const pr of this.published.keys()) this.queue.add(`pr/${pr}`);
    await this.requeuePublishedFor(name);
  }

  private async requeuePublishedFor(mc: string): Promise<void> {
    const type = this.typeInRoot(PUBLISHED_RESOURCES);
    if (!type) return;
    const page = await this.deps.store.list(scopePrefix(PUBLISHED_RESOURCES, ROOT));
    for (const kv of page.items) if ((kv.value.spec as PublishedResourceSpec | undefined)?.managementCluster === mc) this.queue.add(`pr/${kv.value.metadata.name}`);
    void type;
  }

  private closeConnection(name: string, c: Connection): void {
    this.connections.delete(name);
    for (const [pr, p] of this.published) {
      if (p.fingerprint.startsWith(`${c.fingerprint}/`)) {
        this.published.delete(pr);
        for (const s of p.syncs) void s.stop();
        this.queue.add(`pr/${pr}`);
      }
    }
    c.namespaces.stop();
    c.client.close();
  }

  private async setReady(type: ResourceType, obj: KubeObject, status: Condition['status'], reason: string, message: string, version?: string): Promise<void> {
    const cur = (obj.status ?? {}) as { conditions?: unknown; version?: string };
    const next: Record<string, unknown> = {
      ...cur,
      observedGeneration: obj.metadata.generation ?? 1,
      conditions: setCondition(cur.conditions, { type: 'Ready', status, reason, message, observedGeneration: obj.metadata.generation ?? 1 }, new Date()),
    };
    if (version !== undefined) next.version = version;
    await this.upstream.setStatus(ROOT, type, obj, next);
  }

  // ------------------------------------------------------------ published resources

  private async reconcilePublished(name: string): Promise<void> {
    const type = this.typeInRoot(PUBLISHED_RESOURCES);
    if (!type) throw new Error('the PublishedResource CRD is not established yet');
    const pr = await this.upstream.get(ROOT, type, '', name);
    const old = this.published.get(name);
    if (!pr || pr.metadata.deletionTimestamp) {
      if (old) {
        this.published.delete(name);
        for (const s of old.syncs) await s.stop();
      }
      return;
    }
    const spec = (pr.spec ?? {}) as PublishedResourceSpec;
    const invalid = validatePublishedSpec(spec);
    if (invalid) {
      await this.stopPublished(name);
      await this.setReady(type, pr, 'False', 'Invalid', invalid);
      return;
    }
    const conn = this.connections.get(spec.managementCluster);
    if (!conn) {
      await this.stopPublished(name);
      await this.setReady(type, pr, 'False', 'ManagementClusterNotReady', `the ManagementCluster ${spec.managementCluster} is not connected`);
      return;
    }
    const fingerprint = `${conn.fingerprint}/${JSON.stringify(spec)}`;
    if (old?.fingerprint === fingerprint) return;
    await this.stopPublished(name);
    const common = { upstream: this.upstream, crdType: this.crdType, log: this.deps.log, metrics: this.metrics, store: this.deps.store };
    const syncs: PublishedSync[] = [];
    if ((spec.mode ?? 'Sync') === 'Catalog') {
      syncs.push(new CatalogResource(common, name, spec, conn.client, conn.tenantQPS, spec.catalog!.namespace));
    } else if (spec.mode === 'Mirror') {
      syncs.push(new MirrorResource({ ...common, namespaces: conn.namespaces }, name, spec, conn.client, conn.tenantQPS));
    } else {
      syncs.push(new SyncedResource({
        ...common, namespaces: conn.namespaces,
        clusterUid: async (c) => (await this.deps.clusters.info(c))?.uid,
        copyGone: () => this.queue.addAfter(`ns-gc/${spec.managementCluster}`, 1_000),
      }, name, spec, conn.client, conn.tenantQPS));
      if (spec.credentials?.openstack) syncs.push(new OpenStackCredentials({ ...common, namespaces: conn.namespaces }, name, spec, conn.client, conn.tenantQPS));
    }
    if (spec.group === 'cluster.x-k8s.io' && spec.resource === 'clusters' && (spec.mode ?? 'Sync') === 'Sync') {
      // clusterctl checks its provider inventory: every workspace that may order Clusters sees the
      // provider's (one mirror per published clusters resource, not per Cluster API resource)
      syncs.push(new CatalogResource(common, name, {
        ...spec, mode: 'Catalog', group: 'clusterctl.cluster.x-k8s.io', resource: 'providers', related: [], references: [],
      }, conn.client, conn.tenantQPS, undefined));
    }
    this.published.set(name, { fingerprint, syncs });
    const bound = await this.boundFor(spec);
    for (const s of syncs) {
      s.setBound(bound);
      s.start();
    }
    await this.writePublishedStatus(name);
  }

  private async stopPublished(name: string): Promise<void> {
    const old = this.published.get(name);
    if (!old) return;
    this.published.delete(name);
    for (const s of old.syncs) await s.stop();
  }

  private async writePublishedStatus(name: string): Promise<void> {
    const type = this.typeInRoot(PUBLISHED_RESOURCES);
    const p = this.published.get(name);
    if (!type || !p) return;
    const pr = await this.upstream.get(ROOT, type, '', name);
    if (!pr) return;
    const main = p.syncs[0]! as SyncedResource | CatalogResource | MirrorResource;
    // the mirrored clusterctl inventory is optional: a management cluster without clusterctl's CRD still serves
    const problem = main.problem;
    const cur = (pr.status ?? {}) as { conditions?: unknown };
    await this.upstream.setStatus(ROOT, type, pr, {
      ...cur,
      observedGeneration: pr.metadata.generation ?? 1,
      boundWorkspaces: main.boundCount,
      objectsInSync: main.stats.inSync,
      errors: main.stats.failing,
      conditions: setCondition(cur.conditions, problem
        ? { type: 'Ready', status: 'False', reason: 'NotServed', message: problem, observedGeneration: pr.metadata.generation ?? 1 }
        : { type: 'Ready', status: 'True', reason: 'Serving', message: '', observedGeneration: pr.metadata.generation ?? 1 }, new Date()),
    });
  }

  // ------------------------------------------------------------ bindings

  /** The logical clusters a published resource is offered to: Ready workspaces whose labels match. */
  private async boundFor(spec: PublishedResourceSpec, memo?: Map<string, Promise<Map<string, BoundCluster>>>): Promise<Map<string, BoundCluster>> {
    // published resources with the same selector share one (immutable) map: nothing per tenant
    // is held once per published resource
    const k = JSON.stringify(spec.workspaceSelector ?? {});
    const hit = memo?.get(k);
    if (hit) return hit;
    const compute = async (): Promise<Map<string, BoundCluster>> => {
      const sel = labelSelectorFromMeta(spec.workspaceSelector ?? {});
      const out = new Map<string, BoundCluster>();
      let n = 0;
      for (const [cluster, labels] of this.workspaces) {
        // thousands of workspaces: let requests in between
        if (++n % 500 === 0) await new Promise((r) => setImmediate(r));
        if (!sel.matches(labels)) continue;
        // a cluster being deleted stays bound: its objects' deletions must still tear down their copies
        const info = await this.deps.clusters.info(cluster);
        if (info) out.set(cluster, { cluster, uid: info.uid });
      }
      return out;
    };
    const p = compute();
    memo?.set(k, p);
    return p;
  }

  private async rebind(): Promise<void> {
    const page = await this.deps.store.list(resourcePrefix(WORKSPACES));
    this.workspaces.clear();
    for (const kv of page.items) {
      const k = parseKey(kv.key);
      const ws = kv.value;
      // Ready workspaces, and those being deleted after they were (see boundFor)
      const phase = (ws.status as { phase?: string } | undefined)?.phase;
      if (phase !== 'Ready' && !(phase === 'Terminating' && ws.metadata.deletionTimestamp)) continue;
      this.workspaces.set(childCluster(k.cluster as ClusterName, k.name), { ...(ws.metadata.labels ?? {}) });
    }
    const memo = new Map<string, Promise<Map<string, BoundCluster>>>();
    for (const p of this.published.values()) {
      for (const s of p.syncs) s.setBound(await this.boundFor(s.spec, memo));
    }
    for (const name of this.connections.keys()) this.queue.addAfter(`ns-gc/${name}`, 2_000);
  }

  /** Downstream namespaces of workspaces no resource is offered to any more, once empty, go. */
  private async collectNamespaces(mc: string): Promise<void> {
    const conn = this.connections.get(mc);
    if (!conn) return;
    const synced = [...this.allSyncs()].filter((s): s is SyncedResource => s instanceof SyncedResource && s.client === conn.client);
    const removed = await conn.namespaces.collect(
      (ns) => synced.some((s) => s.holdsObjectsIn(ns)),
      (cluster) => synced.some((s) => s.isBound(cluster)),
    );
    if (removed.length) this.deps.log.info({ managementCluster: mc, namespaces: removed }, 'removed unbound downstream namespaces');
  }

  // ------------------------------------------------------------ lifecycle

  /**
   * The management cluster's route to a conversion webhook Service of an imported CRD, or
   * undefined (not a published CRD's, or not the Service its downstream CRD names: a tenant's own
   * CRD never reaches the provider's services).
   */
  resolveService(ref: ResolvedServiceReference, caller?: ServiceCaller): Promise<Omit<WebhookTarget, 'url'>> | undefined {
    if (!caller?.crd) return undefined;
    for (const s of this.allSyncs()) {
      if (s.crdName !== caller.crd) continue;
      const svc = s.conversionService();
      if (!svc || svc.namespace !== ref.namespace || svc.name !== ref.name || (svc.port ?? 443) !== ref.port) continue;
      return Promise.resolve(s.client.serviceProxy(ref));
    }
    return undefined;
  }

  /** The published resource serving a group/resource in Sync mode, if any. */
  syncedFor(group: string, resource: string): SyncedResource | undefined {
    for (const s of this.allSyncs()) if (s instanceof SyncedResource && s.spec.group === group && s.spec.resource === resource) return s;
    return undefined;
  }

  /** The published resources whose CRD a cluster is served (their imported CRDs are the provider's). */
  importsIn(cluster: string): PublishedSync[] {
    return [...this.allSyncs()].filter((s) => s.isBound(cluster));
  }

  publishedByName(name: string): PublishedSync[] {
    return this.published.get(name)?.syncs ?? [];
  }

  async idle(): Promise<void> {
    await this.queue.idle();
    for (const s of this.allSyncs()) await s.idle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const i of this.informers) i.stop();
    await this.queue.stop();
    for (const name of [...this.published.keys()]) await this.stopPublished(name);
    for (const [name, c] of [...this.connections]) this.closeConnection(name, c);
    void this.stopped;
  }
}

/** What the CRD schema cannot say about a PublishedResource (templates, reference rules); undefined when valid. */
export function validatePublishedSpec(spec: PublishedResourceSpec): string | undefined {
  const errs: string[] = [];
  if (spec.namespaceTemplate) {
    const bad = unknownTemplateKeys(spec.namespaceTemplate, NAMESPACE_TEMPLATE_KEYS);
    if (bad.length) errs.push(`spec.namespaceTemplate: unknown value .${bad[0]}`);
    else if (!spec.namespaceTemplate.includes('{{')) errs.push('spec.namespaceTemplate: must depend on the workspace and namespace (a template without placeholders maps every tenant into one namespace)');
  }
  (spec.related ?? []).forEach((r, i) => {
    if (!r.nameTemplate === !r.namePath) errs.push(`spec.related[${i}]: exactly one of nameTemplate and namePath is required`);
    const bad = unknownTemplateKeys(r.nameTemplate ?? '', NAME_TEMPLATE_KEYS);
    if (bad.length) errs.push(`spec.related[${i}].nameTemplate: unknown value .${bad[0]}`);
    if (r.namePath && !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(r.namePath)) errs.push(`spec.related[${i}].namePath: must be a dotted field path such as spec.writeConnectionSecretToRef.name`);
    if (r.direction === 'Down' && r.labelSelector) errs.push(`spec.related[${i}].labelSelector: may only be set for direction Up`);
  });
  for (const e of validateReferenceRules(spec.references ?? [], 'spec.references')) errs.push(`${e.field}: ${e.detail || e.type}`);
  if ((spec.mode ?? 'Sync') === 'Catalog' && !spec.catalog?.namespace) errs.push('spec.catalog.namespace: Required value');
  (spec.fieldsUp ?? []).forEach((f, i) => {
    if (!/^spec(\.[A-Za-z0-9_]+)+$/.test(f)) errs.push(`spec.fieldsUp[${i}]: must be a dotted path under spec, such as spec.controlPlaneRef`);
  });
  return errs.length ? errs.join('; ') : undefined;
}
