// A binding's params (kube's generic.CollectParams): the paramKind resolved among the resources the
// binding's cluster serves (ConfigMaps, custom resources...), read through the Registry of that
// same logical cluster, by name or by label selector, namespaced ones in the paramRef's namespace
// or the request's. A selector reads at most MAX_PARAMS objects: the work per request is bounded.

import { labelSelectorFromMeta, type MetaLabelSelector } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { Registry } from '../../registry/store.js';
import type { RequestContext } from '../../registry/types.js';
import type { ClusterName } from '../../tenancy/logicalcluster.js';

const MAX_PARAMS = 100;

export interface ParamKind { apiVersion: string; kind: string }

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: MetaLabelSelector | null;
  parameterNotFoundAction?: string;
}

export type ParamsResult = { params: (KubeObject | null)[] } | { error: string };

export class ParamReader {
  constructor(private readonly registry: Registry, private readonly catalog: ResourceCatalog) {}

  async collect(cluster: string, paramKind: ParamKind | undefined, paramRef: ParamRef | undefined, requestNamespace: string): Promise<ParamsResult> {
    if (!paramKind || !paramRef) return { params: [null] };
    const slash = paramKind.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : paramKind.apiVersion.slice(0, slash);
    const version = slash < 0 ? paramKind.apiVersion : paramKind.apiVersion.slice(slash + 1);
    const type = this.catalog.forCluster(cluster as ClusterName).all
      .find((t) => t.group === group && t.version === version && t.kind === paramKind.kind && !t.createOnly);
    if (!type) return { error: `paramKind kind \`${paramKind.apiVersion}, Kind=${paramKind.kind}\` not known` };
    let namespace = '';
    if (type.namespaced) {
      namespace = paramRef.namespace || requestNamespace;
      if (!namespace) return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
    } else if (paramRef.namespace) {
      return { error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
    }
    let params: KubeObject[];
    if (paramRef.name) {
      if (paramRef.selector) return { error: 'paramRef.name and paramRef.selector are mutually exclusive' };
      const p = await this.registry.tryGet(type, cluster as ClusterName, namespace, paramRef.name);
      params = p ? [p] : [];
    } else if (paramRef.selector) {
      let labelSelector;
      try {
        labelSelector = labelSelectorFromMeta(paramRef.selector);
      } catch (e) {
        return { error: (e as Error).message };
      }
      const ctx: RequestContext = {
        cluster: cluster as ClusterName, namespace, now: new Date(), warnings: [],
        user: { username: 'system:kplane:admission-policy', groups: ['system:masters'] },
      };
      params = (await this.registry.list(ctx, type, { labelSelector, limit: MAX_PARAMS })).items;
    } else {
      return { error: 'one of name or selector must be provided' };
    }
    if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny') {
      return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
    }
    // list items carry no type meta; params always show their kind (kube's wrappedParam)
    return { params: params.map((p) => ({ ...p, apiVersion: paramKind.apiVersion, kind: paramKind.kind })) };
  }
}
