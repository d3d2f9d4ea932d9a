// Which resources a logical cluster serves: the built-in kinds, plus the custom resources of the
// cluster's established CRDs. A cluster without CRDs is served the one shared built-in set; a
// cluster with CRDs gets a set shared by every cluster holding the same definitions (interned by
// the CRD index, src/apiextensions/served.ts), so nothing is built or held per tenant.

import type { ClusterName } from '../tenancy/logicalcluster.js';
import type { ResourceType } from './types.js';

export class ResourceSet {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly byGroupResource = new Map<string, ResourceType>();

  /**
   * @param definitionSources OpenAPI definition sources (src/openapi registerDefinitions keys) of
   *   the set's custom resources, searched before the built-in definitions.
   */
  constructor(readonly all: readonly ResourceType[], readonly definitionSources: readonly string[] = []) {
    for (const t of all) {
      // a built-in comes first and wins over a CRD claiming its group, version and resource
      if (!this.byPath.has(`${t.group}/${t.version}/${t.resource}`)) this.byPath.set(`${t.group}/${t.version}/${t.resource}`, t);
      if (!this.byKind.has(`${t.group}/${t.kind}`)) this.byKind.set(`${t.group}/${t.kind}`, t);
      if (!this.byGroupResource.has(`${t.group}/${t.resource}`)) this.byGroupResource.set(`${t.group}/${t.resource}`, t);
    }
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  /** The served type of a kind in a group (the first served version). */
  forKind(group: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${group}/${kind}`);
  }

  forGroupResource(group: string, resource: string): ResourceType | undefined {
    return this.byGroupResource.get(`${group}/${resource}`);
  }

  /** Does the group serve this version at all (for 404 vs. unknown resource)? */
  servesGroupVersion(group: string, version: string): boolean {
    return this.all.some((t) => t.group === group && t.version === version);
  }
}

/** Where the custom resources of a cluster come from (the CRD index). */
export interface ClusterResourceSource {
  /** The cluster's served set when it serves custom resources, undefined when only the built-ins. */
  setOf(cluster: ClusterName): ResourceSet | undefined;
}

export class ResourceCatalog {
  readonly builtins: ResourceSet;
  private source: ClusterResourceSource | undefined;

  constructor(builtins: readonly ResourceType[]) {
    this.builtins = new ResourceSet(builtins);
  }

  private readonly watchers = new Map<string, Set<() => void>>();

  /**
   * Calls fn whenever the cluster's served set changes (a CRD established, changed or gone), until
   * the returned function is called. Held only while someone listens (open watches).
   */
  onClusterChange(cluster: ClusterName, fn: () => void): () => void {
    let set = this.watchers.get(cluster);
    if (!set) this.watchers.set(cluster, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.watchers.get(cluster) === set) this.watchers.delete(cluster);
    };
  }

  /** The source reports a change of a cluster's served set. */
  clusterChanged(cluster: string): void {
    for (const fn of [...(this.watchers.get(cluster) ?? [])]) fn();
  }

  /** Plugs in the CRD index (once, at start-up). */
  setSource(source: ClusterResourceSource): void {
    this.source = source;
  }

  /** What a logical cluster serves. */
  forCluster(cluster: ClusterName): ResourceSet {
    return this.source?.setOf(cluster) ?? this.builtins;
  }

  /** Every built-in type (controllers working across clusters on built-in kinds). */
  allTypes(): readonly ResourceType[] {
    return this.builtins.all;
  }
}
