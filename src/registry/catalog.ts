// Which resources a logical cluster serves. Today every cluster serves the built-in kinds; CRDs
// (a later issue) add per-cluster kinds. A cluster's view is derived on demand from shared
// definitions, so an idle cluster holds none of it in memory.

import type { ClusterName } from '../tenancy/logicalcluster.js';
import type { ResourceType } from './types.js';

export class ResourceSet {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly byGroupResource = new Map<string, ResourceType>();

  constructor(readonly all: readonly ResourceType[]) {
    for (const t of all) {
      this.byPath.set(`${t.group}/${t.version}/${t.resource}`, t);
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

export class ResourceCatalog {
  private readonly builtins: ResourceSet;

  constructor(builtins: readonly ResourceType[]) {
    this.builtins = new ResourceSet(builtins);
  }

  /** What a logical cluster serves. The same shared set for every cluster until CRDs arrive. */
  forCluster(_cluster: ClusterName): ResourceSet {
    return this.builtins;
  }

  /** Every type known anywhere (controllers working across clusters). */
  allTypes(): readonly ResourceType[] {
    return this.builtins.all;
  }
}
