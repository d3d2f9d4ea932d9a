// The syncer's configuration kinds (sync.kplane.io/v1alpha1, CRDs in crds/, served in the root
// logical cluster) and the names it marks objects with. Upstream is a tenant's logical cluster;
// downstream is the management cluster.

import type { MetaLabelSelector } from '../apimachinery/labels.js';
import type { OpenStackCredentialsSpec } from './openstack/objects.js';
import type { ReferenceRule } from './references.js';

export const SYNC_GROUP = 'sync.kplane.io';
export const SYNC_VERSION = 'v1alpha1';
export const MANAGEMENT_CLUSTERS = { group: SYNC_GROUP, resource: 'managementclusters' } as const;
export const PUBLISHED_RESOURCES = { group: SYNC_GROUP, resource: 'publishedresources' } as const;

/** The field manager of every write the syncer makes, upstream and downstream. */
export const SYNCER_MANAGER = 'kplane-syncer';
/** Keeps a tenant object until its downstream copy is gone. */
export const SYNC_FINALIZER = 'sync.kplane.io/syncer';

// On downstream objects (and their namespaces): where they come from.
export const ANN_WORKSPACE = 'sync.kplane.io/workspace';
export const ANN_NAMESPACE = 'sync.kplane.io/namespace';
export const ANN_NAME = 'sync.kplane.io/name';
export const ANN_UID = 'sync.kplane.io/uid';
/** The tenant object's metadata.generation the downstream spec was written from. */
export const ANN_GENERATION = 'sync.kplane.io/generation';
/** Selects one logical cluster's downstream objects (value: clusterLabelValue of its uid). */
export const LABEL_CLUSTER = 'sync.kplane.io/cluster';

// On upstream objects the syncer writes (imported CRDs, catalog copies, related objects).
/** The PublishedResource an imported CRD or a catalog copy comes from: tenants cannot change them. */
export const ANN_PUBLISHED_BY = 'sync.kplane.io/published-resource';
/** Marks a related object copied up (a kubeconfig Secret). */
export const LABEL_RELATED = 'sync.kplane.io/related';

export interface SecretKeyRef {
  namespace: string;
  name: string;
  key?: string;
}

export interface ManagementClusterSpec {
  kubeconfigSecretRef: SecretKeyRef;
  qps?: number;
  tenantQPS?: number;
}

export interface RelatedResource {
  group?: string;
  resource: string;
  /** The related object's name: a template of the owner's name ("{{ .Name }}-kubeconfig")... */
  nameTemplate?: string;
  /** ...or a field of the owner holding it (a Crossplane connection Secret: spec.writeConnectionSecretToRef.name). */
  namePath?: string;
  /** Up (default): the management cluster's object copied to the tenant. Down: the tenant's object (a ProviderConfig's credentials Secret) copied into the synced object's namespace, owned by its copy. */
  direction?: 'Up' | 'Down';
  /** Up only. */
  labelSelector?: string;
}

export interface PublishedResourceSpec {
  managementCluster: string;
  group: string;
  resource: string;
  workspaceSelector?: MetaLabelSelector;
  mode?: 'Sync' | 'Catalog' | 'Mirror';
  catalog?: { namespace: string };
  namespaceTemplate?: string;
  /** Fields the management cluster's controllers set in spec, copied up where the tenant left them empty (dotted paths). */
  fieldsUp?: string[];
  related?: RelatedResource[];
  references?: ReferenceRule[];
  /** Tenant credential Secrets turned into what workload clusters need (Sync mode; src/sync/openstack/credentials.ts). */
  credentials?: { openstack?: OpenStackCredentialsSpec };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** A tenant logical cluster a published resource is offered to. */
export interface BoundCluster {
  /** Its path, e.g. root:acme. */
  cluster: string;
  /** Its uid (the logical cluster record's). */
  uid: string;
}
