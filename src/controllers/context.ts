// Shared plumbing of kplane's in-process controllers: the system identity they act as, and a
// request context for one logical cluster (passed explicitly, like every cluster name).

import type { Logger } from 'pino';
import type { ResourceCatalog } from '../registry/catalog.js';
import type { Registry } from '../registry/store.js';
import type { RequestContext, UserInfo } from '../registry/types.js';
import type { Store } from '../storage/interface.js';
import type { ClusterRegistry } from '../tenancy/clusters.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';

export const SYSTEM_USER: UserInfo = { username: 'system:kplane:controller', groups: ['system:masters', 'system:authenticated'] };

/**
 * A controller's request context. Its writes are recorded in managedFields under the manager
 * kube's own component would have (kube-controller-manager's controllers, or kube-apiserver's
 * in-process ones such as the CRD controllers).
 */
export function systemContext(cluster: ClusterName, namespace = '', fieldManager = 'kube-controller-manager'): RequestContext {
  return { cluster, namespace, user: SYSTEM_USER, now: new Date(), warnings: [], fieldManager };
}

export interface ControllerDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  clusters: ClusterRegistry;
  /** The store with shared defaults (what clients see). */
  store: Store;
  /** The raw store underneath (purging a deleted cluster removes its tombstones too). */
  baseStore: Store;
  log: Logger;
}

export interface Controller {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no work is pending (tests). */
  idle(): Promise<void>;
}
