// kube's validatingadmissionpolicy-status-controller (kube-controller-manager), for every logical
// cluster: when a policy's generation is newer than its status.observedGeneration, type check it
// against the schemas its cluster serves and write status {observedGeneration, typeChecking:
// {expressionWarnings}} through the status subresource, applied (server-side, forced) as kube's
// controller applies it, so structured merge leaves what it leaves in kube. kube
// writes no conditions. Policies come from the admission plugin's source (its informers), so the
// controller holds nothing of its own per cluster.

import { formatTime, type KubeObject } from '../../apimachinery/object.js';
import { fieldManagerFor } from '../../fieldmanager/endpoint.js';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { isStatusError } from '../../apimachinery/errors.js';
import { systemContext, type Controller } from '../../controllers/context.js';
import { WorkQueue } from '../../controllers/queue.js';
import { resolveSchema } from '../../openapi/definitions.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { Registry } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import type { ClusterName } from '../../tenancy/logicalcluster.js';
import type { PolicySource } from '../policy/source.js';
import { typeCheckPolicy, type TypeResolver } from './typecheck.js';
import type { Logger } from 'pino';

/** The field manager kube's controller applies status with. */
export const STATUS_CONTROLLER_MANAGER = 'validatingadmissionpolicy-status';

export interface StatusControllerDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  source: PolicySource;
  policies: ResourceType;
  log: Logger;
}

/** The types a cluster serves, as the type checker resolves them. */
export function clusterTypeResolver(catalog: ResourceCatalog, cluster: string): TypeResolver {
  const set = catalog.forCluster(cluster as ClusterName);
  return {
    kindFor: (group, version, resource) => set.find(group, version, resource)?.kind,
    schemaFor: (gvk): SchemaNode | undefined => {
      const t = set.all.find((x) => x.group === gvk.group && x.version === gvk.version && x.kind === gvk.kind && !x.createOnly);
      if (!t) return undefined;
      return t.customResource ? t.customResource.fieldSchema : resolveSchema(t.schemaName);
    },
  };
}

const generationOf = (p: KubeObject): number => (typeof p.metadata.generation === 'number' ? p.metadata.generation : 0);
const observedOf = (p: KubeObject): number => {
  const g = (p.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  return typeof g === 'number' ? g : 0;
};

export class PolicyStatusController implements Controller {
  private readonly queue: WorkQueue;

  constructor(private readonly deps: StatusControllerDeps) {
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: 2,
      onError: (key, err, attempt) => deps.log.warn({ key, err, attempt }, 'policy status failed'),
    });
    deps.source.onPolicyChange((cluster, policy, name) => {
      if (policy && generationOf(policy) > observedOf(policy)) this.queue.add(`${cluster}\u0000${name}`);
    });
  }

  async start(): Promise<void> {
    // policies the source already held when the controller came up
    for (const { cluster, policy } of this.deps.source.allPolicies()) {
      if (generationOf(policy) > observedOf(policy)) this.queue.add(`${cluster}\u0000${policy.metadata.name ?? ''}`);
    }
  }

  async stop(): Promise<void> {
    await this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async reconcile(key: string): Promise<void> {
    const [cluster, name] = key.split('\u0000') as [string, string];
    const policy = this.deps.source.policy(cluster, name);
    if (!policy || generationOf(policy) <= observedOf(policy)) return;
    const resolver = clusterTypeResolver(this.deps.catalog, cluster);
    // kube's controller applies the status (server-side apply, forced) as its own manager
    const ctx = { ...systemContext(cluster as ClusterName, '', STATUS_CONTROLLER_MANAGER), appliedFields: true };
    try {
      await this.deps.registry.update(ctx, this.deps.policies, name, {
        updatedObject: (existing?: KubeObject) => {
          if (!existing) throw new Error('gone');
          const warnings = typeCheckPolicy(existing, resolver);
          const patch: KubeObject = {
            apiVersion: existing.apiVersion, kind: existing.kind, metadata: { name },
            status: { observedGeneration: generationOf(existing), typeChecking: warnings.length ? { expressionWarnings: warnings } : {} },
          };
          return fieldManagerFor(this.deps.policies, 'status')!.apply(existing, patch, STATUS_CONTROLLER_MANAGER, true, formatTime(ctx.now));
        },
      }, { subresource: 'status' });
    } catch (err) {
      // a policy deleted meanwhile has no status to write
      if (isStatusError(err) && err.status.code === 404) return;
      throw err;
    }
  }
}
