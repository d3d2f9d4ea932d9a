// Every logical cluster's ValidatingWebhookConfigurations and MutatingWebhookConfigurations, in
// memory (kube's webhook configuration managers read informer caches the same way): one
// list-then-watch per resource over all clusters. A cluster that stores none has no entry, so an
// idle cluster costs nothing and a request there finds nothing to do in one map lookup. A
// tenant's webhooks are only ever found for that tenant's requests.
//
// Per cluster, the webhooks are listed as kube lists them: configurations by name, webhooks in
// order, each with the uid `<configuration>/<webhook>/<n>` (n counts repeated names). The list
// is built once per change of the cluster's configurations and shared by its requests.

import type { KubeObject } from '../../apimachinery/object.js';
import { Informer } from '../../controllers/informer.js';
import type { KV, Store, StorageEvent } from '../../storage/interface.js';
import { parseKey, resourcePrefix } from '../../storage/keys.js';
import { WebhookAccessor } from './accessor.js';

const GROUP = 'admissionregistration.k8s.io';

export type WebhookKind = 'validating' | 'mutating';

interface ClusterConfigurations {
  configurations: Map<string, KubeObject>;
  /** The webhooks in kube's order; rebuilt on the next read after a change. */
  webhooks?: readonly WebhookAccessor[];
}

const NONE: readonly WebhookAccessor[] = Object.freeze([]);

class ConfigurationIndex {
  readonly clusters = new Map<string, ClusterConfigurations>();
  private informer: Informer | undefined;

  constructor(private readonly store: Store, private readonly resource: string, private readonly kind: WebhookKind) {}

  async start(): Promise<void> {
    this.informer = new Informer(this.store, resourcePrefix({ group: GROUP, resource: this.resource }), {
      onList: (kv) => this.put(kv),
      onEvent: (ev: StorageEvent) => (ev.type === 'DELETED' ? this.remove(ev.kv) : this.put(ev.kv)),
      // relisted by the informer; until then the configurations are gone
      onError: () => this.clusters.clear(),
    }, 500);
    await this.informer.start();
  }

  stop(): void {
    this.informer?.stop();
  }

  webhooksOf(cluster: string): readonly WebhookAccessor[] {
    const c = this.clusters.get(cluster);
    if (!c) return NONE;
    c.webhooks ??= buildAccessors(c.configurations, this.kind);
    return c.webhooks;
  }

  private put(kv: KV): void {
    const key = parseKey(kv.key);
    let c = this.clusters.get(key.cluster);
    if (!c) this.clusters.set(key.cluster, (c = { configurations: new Map() }));
    c.configurations.set(key.name, kv.value as KubeObject);
    c.webhooks = undefined;
  }

  private remove(kv: KV): void {
    const key = parseKey(kv.key);
    const c = this.clusters.get(key.cluster);
    if (!c) return;
    c.configurations.delete(key.name);
    c.webhooks = undefined;
    if (c.configurations.size === 0) this.clusters.delete(key.cluster);
  }
}

function buildAccessors(configurations: Map<string, KubeObject>, kind: WebhookKind): WebhookAccessor[] {
  const out: WebhookAccessor[] = [];
  // sort.SliceStable by name (Go compares bytes; names are DNS subdomains, so plain order agrees)
  const names = [...configurations.keys()].sort();
  for (const name of names) {
    const cfg = configurations.get(name)!;
    const seen = new Map<string, number>();
    const list = Array.isArray(cfg.webhooks) ? (cfg.webhooks as unknown[]) : [];
    for (const w of list) {
      if (!w || typeof w !== 'object') continue;
      const hookName = typeof (w as { name?: unknown }).name === 'string' ? (w as { name: string }).name : '';
      const n = seen.get(hookName) ?? 0;
      seen.set(hookName, n + 1);
      out.push(new WebhookAccessor(`${name}/${hookName}/${n}`, name, w as Record<string, unknown>, kind));
    }
  }
  return out;
}

/** The webhook configurations of every cluster, both kinds. */
export class WebhookSource {
  private readonly validating: ConfigurationIndex;
  private readonly mutating: ConfigurationIndex;

  constructor(store: Store) {
    this.validating = new ConfigurationIndex(store, 'validatingwebhookconfigurations', 'validating');
    this.mutating = new ConfigurationIndex(store, 'mutatingwebhookconfigurations', 'mutating');
  }

  async start(): Promise<void> {
    await this.validating.start();
    await this.mutating.start();
  }

  stop(): void {
    this.validating.stop();
    this.mutating.stop();
  }

  /** The cluster's webhooks of one kind, in kube's order (the same array until they change). */
  webhooksFor(kind: WebhookKind, cluster: string): readonly WebhookAccessor[] {
    return (kind === 'validating' ? this.validating : this.mutating).webhooksOf(cluster);
  }

  /** Whether any cluster has a webhook configuration of this kind. */
  any(kind: WebhookKind): boolean {
    return (kind === 'validating' ? this.validating : this.mutating).clusters.size > 0;
  }

  /** Clusters holding configurations of each kind (diagnostics). */
  stats(): { validatingClusters: number; mutatingClusters: number } {
    return { validatingClusters: this.validating.clusters.size, mutatingClusters: this.mutating.clusters.size };
  }
}
