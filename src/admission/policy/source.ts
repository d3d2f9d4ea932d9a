// Every logical cluster's admission policies and their bindings, in memory (kube's policy source
// reads informer caches the same way): one list-then-watch per resource over all clusters. A
// cluster that stores none has no entry, so an idle cluster costs nothing and a request there
// finds nothing to do in one map lookup. A tenant's policies are found only for that tenant.
//
// Provider-wide policies: bindings stored in the root cluster carrying the label
// `admission.kplane.io/scope: provider` apply in every other logical cluster too (or in the
// workspaces the annotation `admission.kplane.io/workspace-selector` selects by their labels);
// their policy and params are read from root. Tenants neither see them (they live in root) nor
// bypass them (the server evaluates them on every request). The labels a selector reads are those
// of the cluster's top-level Workspace, the one stored in root: nested workspaces
// (root:acme:team) are selected as their tenant (root:acme) is, and no tenant can relabel itself
// out of a provider's policy, since only root's writers can change those labels.

import { labelSelectorFromMeta, parseLabelSelector, type LabelSelector } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { Informer } from '../../controllers/informer.js';
import type { KV, Store, StorageEvent } from '../../storage/interface.js';
import { parseKey, resourcePrefix } from '../../storage/keys.js';
import type { ResourceType } from '../../registry/types.js';
import { ROOT, type ClusterName } from '../../tenancy/logicalcluster.js';

export const PROVIDER_SCOPE_LABEL = 'admission.kplane.io/scope';
export const WORKSPACE_SELECTOR_ANNOTATION = 'admission.kplane.io/workspace-selector';

/** A policy with the bindings that name it, all from `cluster`. */
export interface PolicyHook {
  cluster: string;
  policy: KubeObject;
  bindings: KubeObject[];
}

interface ClusterPolicies {
  policies: Map<string, KubeObject>;
  /** policyName -> binding name -> binding. */
  bindings: Map<string, Map<string, KubeObject>>;
}

export interface PolicySourceOptions {
  group: string;
  policyResource: string;
  bindingResource: string;
  /** Labels of a workspace's cluster (for the provider's workspace selector); undefined when unknown. */
  workspaceLabels?(cluster: string): Promise<Record<string, string> | undefined>;
}

export class PolicySource {
  private readonly clusters = new Map<string, ClusterPolicies>();
  private readonly informers: Informer[] = [];
  /** Fired when a policy object changes or goes (compiled programs keyed by it may go). */
  private readonly listeners: ((cluster: string, policy: KubeObject | undefined, name: string) => void)[] = [];

  constructor(private readonly store: Store, private readonly opts: PolicySourceOptions) {}

  async start(): Promise<void> {
    for (const [resource, isPolicy] of [[this.opts.policyResource, true], [this.opts.bindingResource, false]] as const) {
      const informer = new Informer(this.store, resourcePrefix({ group: this.opts.group, resource }), {
        onList: (kv) => this.put(isPolicy, kv),
        onEvent: (ev: StorageEvent) => (ev.type === 'DELETED' ? this.remove(isPolicy, ev.kv) : this.put(isPolicy, ev.kv)),
        // relisted by the informer; until then the resource's objects are gone
        onError: () => this.forget(isPolicy),
      }, 500);
      this.informers.push(informer);
      await informer.start();
    }
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }

  onPolicyChange(fn: (cluster: string, policy: KubeObject | undefined, name: string) => void): void {
    this.listeners.push(fn);
  }

  /** Whether any cluster stores any policy (a mutating plugin is idle otherwise). */
  get empty(): boolean {
    return this.clusters.size === 0;
  }

  /**
   * Whether a policy may apply to a request in `cluster` (synchronous and cheap, without the
   * workspace selector: a provider binding in root counts for every cluster). A tenant's policies
   * never make another tenant's writes look mutable.
   */
  mayApplyIn(cluster: string): boolean {
    const own = this.clusters.get(cluster);
    if (own && own.policies.size && own.bindings.size) return true;
    if (cluster === ROOT) return false;
    const root = this.clusters.get(ROOT);
    if (!root) return false;
    for (const bindings of root.bindings.values()) for (const b of bindings.values()) if (isProviderBinding(b)) return true;
    return false;
  }

  /** The cluster's own policies (for the status controller). */
  policiesOf(cluster: string): Iterable<KubeObject> {
    return this.clusters.get(cluster)?.policies.values() ?? [];
  }

  /** Every cluster's policies (a status controller starting up). */
  *allPolicies(): Iterable<{ cluster: string; policy: KubeObject }> {
    for (const [cluster, c] of this.clusters) for (const policy of c.policies.values()) yield { cluster, policy };
  }

  policy(cluster: string, name: string): KubeObject | undefined {
    return this.clusters.get(cluster)?.policies.get(name);
  }

  /** The policies that may apply to a request in `cluster`: its own, then the provider's. */
  async hooksFor(cluster: string): Promise<PolicyHook[]> {
    const out = this.hooksOf(cluster, () => true);
    if (cluster === ROOT) return out;
    const root = this.clusters.get(ROOT);
    if (!root) return out;
    let labels: Record<string, string> | undefined | null = null;
    const selected = async (b: KubeObject): Promise<boolean> => {
      const sel = workspaceSelector(b);
      if (sel === undefined) return false;
      if (sel.empty) return true;
      if (labels === null) labels = (await this.opts.workspaceLabels?.(cluster)) ?? undefined;
      return !!labels && sel.matches(labels);
    };
    for (const [policyName, bindings] of root.bindings) {
      const policy = root.policies.get(policyName);
      if (!policy) continue;
      const chosen: KubeObject[] = [];
      for (const b of bindings.values()) if (isProviderBinding(b) && await selected(b)) chosen.push(b);
      if (chosen.length) out.push({ cluster: ROOT, policy, bindings: chosen });
    }
    return out;
  }

  private hooksOf(cluster: string, keep: (b: KubeObject) => boolean): PolicyHook[] {
    const c = this.clusters.get(cluster);
    if (!c) return [];
    const out: PolicyHook[] = [];
    for (const [name, policy] of c.policies) {
      const bindings = [...(c.bindings.get(name)?.values() ?? [])].filter(keep);
      if (bindings.length) out.push({ cluster, policy, bindings });
    }
    return out;
  }

  private entry(cluster: string): ClusterPolicies {
    let c = this.clusters.get(cluster);
    if (!c) this.clusters.set(cluster, (c = { policies: new Map(), bindings: new Map() }));
    return c;
  }

  private put(isPolicy: boolean, kv: KV): void {
    const key = parseKey(kv.key);
    const obj = kv.value as KubeObject;
    const c = this.entry(key.cluster);
    if (isPolicy) {
      c.policies.set(key.name, obj);
      for (const l of this.listeners) l(key.cluster, obj, key.name);
      return;
    }
    this.dropBinding(c, key.name);
    const spec = obj.spec as { policyName?: unknown } | undefined;
    const policyName = typeof spec?.policyName === 'string' ? spec.policyName : '';
    let m = c.bindings.get(policyName);
    if (!m) c.bindings.set(policyName, (m = new Map()));
    m.set(key.name, obj);
  }

  private dropBinding(c: ClusterPolicies, name: string): void {
    for (const [policyName, m] of c.bindings) {
      if (m.delete(name) && m.size === 0) c.bindings.delete(policyName);
    }
  }

  private remove(isPolicy: boolean, kv: KV): void {
    const key = parseKey(kv.key);
    const c = this.clusters.get(key.cluster);
    if (!c) return;
    if (isPolicy) {
      c.policies.delete(key.name);
      for (const l of this.listeners) l(key.cluster, undefined, key.name);
    } else this.dropBinding(c, key.name);
    if (c.policies.size === 0 && c.bindings.size === 0) this.clusters.delete(key.cluster);
  }

  private forget(isPolicy: boolean): void {
    for (const [name, c] of this.clusters) {
      if (isPolicy) c.policies.clear();
      else c.bindings.clear();
      if (c.policies.size === 0 && c.bindings.size === 0) this.clusters.delete(name);
    }
  }
}

/** The top-level workspace of a cluster below root ("root:acme:team" -> "acme"), undefined for root. */
export function topLevelWorkspace(cluster: string): string | undefined {
  const parts = cluster.split(':');
  return parts.length >= 2 && parts[0] === ROOT ? parts[1] : undefined;
}

/** workspaceLabels for PolicySourceOptions: the labels of the cluster's top-level Workspace in root. */
export function rootWorkspaceLabels(
  registry: { tryGet(type: ResourceType, cluster: ClusterName, namespace: string, name: string): Promise<KubeObject | undefined> },
  workspaces: ResourceType,
): (cluster: string) => Promise<Record<string, string> | undefined> {
  return async (cluster) => {
    const name = topLevelWorkspace(cluster);
    if (name === undefined) return undefined;
    const ws = await registry.tryGet(workspaces, ROOT, '', name);
    return ws ? ((ws.metadata.labels ?? {}) as Record<string, string>) : undefined;
  };
}

export function isProviderBinding(b: KubeObject): boolean {
  return b.metadata?.labels?.[PROVIDER_SCOPE_LABEL] === 'provider';
}

/** The provider binding's workspace selector: everything when absent, undefined (nothing) when invalid. */
function workspaceSelector(b: KubeObject): LabelSelector | undefined {
  const raw = b.metadata?.annotations?.[WORKSPACE_SELECTOR_ANNOTATION];
  if (raw === undefined) return labelSelectorFromMeta({});
  try {
    return parseLabelSelector(raw);
  } catch {
    return undefined;
  }
}
