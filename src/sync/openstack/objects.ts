// What one tenant OpenStack credential Secret becomes in the management cluster (issue 11, point 6), as
// pure data: the CAPO identityRef Secret, a ClusterResourceSet Secret holding the workload cluster's
// `kube-system/cloud-config` Secret (cloud.conf for the OpenStack cloud-controller-manager), and the
// ClusterResourceSet that applies it to every Cluster the tenant has in that namespace. This is the
// pattern of SCS's openstack-csp-helper, with kplane's origin annotations and cluster label on all three.
//
// No I/O: src/sync/openstack/credentials.ts decides when to write; test/unit/sync/credential-objects.test.ts
// checks the shapes.

import { posix } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { KubeObject } from '../../apimachinery/object.js';
import { clusterLabelValue } from '../naming.js';
import type { Obj } from '../transform.js';
import { ANN_NAME, ANN_NAMESPACE, ANN_PUBLISHED_BY, ANN_UID, ANN_WORKSPACE, LABEL_CLUSTER } from '../types.js';
import {
  CACERT_KEY, CLOUDS_YAML_KEY, CloudConfError, OPENSTACK_CLOUDS_SECRET_TYPE, renderCloudConf, type LoadBalancerOptions,
} from './cloudconf.js';

/** On a tenant Secret of another type: "transform me" (value `openstack`). On the downstream objects: what made them. */
export const LABEL_CREDENTIALS = 'sync.kplane.io/credentials';
export const CREDENTIALS_OPENSTACK = 'openstack';
/** On the tenant Secret while its clouds.yaml cannot be used: the reason, as a field error. Removed once it can. */
export const ANN_CREDENTIALS_ERROR = 'sync.kplane.io/credentials-error';
/** The Secret type Cluster API's ClusterResourceSet controller accepts as a resource. */
export const RESOURCE_SET_SECRET_TYPE = 'addons.cluster.x-k8s.io/resource-set';
export const CRS_GROUP = 'addons.cluster.x-k8s.io';
export const CRS_VERSION = 'v1beta2';
export const CRS_RESOURCE = 'clusterresourcesets';
/** The Secret the OpenStack cloud-controller-manager's chart mounts (at /etc/config) in the workload cluster. */
export const WORKLOAD_SECRET = { namespace: 'kube-system', name: 'cloud-config' } as const;
export const CLOUD_CONF_KEY = 'cloud.conf';
/** The key of the resource-set Secret that holds the workload cluster's manifest. */
export const MANIFEST_KEY = 'cloud-config.yaml';
export const CLOUD_CONFIG_SUFFIX = '-cloud-config';
const MAX_NAME = 253;

export interface OpenStackCredentialsSpec {
  loadBalancer?: Partial<LoadBalancerOptions>;
  cloudName?: string;
}

/** Whether a tenant Secret is one the credential transform reads. */
export function isCredentialSecret(s: KubeObject | undefined): boolean {
  if (!s) return false;
  return s.type === OPENSTACK_CLOUDS_SECRET_TYPE || s.metadata.labels?.[LABEL_CREDENTIALS] === CREDENTIALS_OPENSTACK;
}

export interface CredentialOrigin {
  /** The tenant's logical cluster path and uid. */
  clusterPath: string;
  clusterUid: string;
  /** The PublishedResource whose spec.credentials.openstack asks for this. */
  publishedBy: string;
  /** The mapped namespace in the management cluster. */
  namespace: string;
}

export interface CredentialObjects {
  identity: Obj;
  resourceSet: Obj;
  clusterResourceSet: Obj;
}

export type CredentialOutcome = { ok: true; objects: CredentialObjects } | { ok: false; error: CloudConfError };

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function decoded(data: Record<string, unknown>, key: string): string | undefined {
  const v = data[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

/**
 * The three downstream objects of a tenant credential Secret, or the one thing wrong with it (nothing is
 * produced then). Every object carries the origin annotations and the tenant's cluster label; the
 * ClusterResourceSet selects by that label, which every synced Cluster of the tenant carries.
 */
export function credentialObjects(secret: KubeObject, origin: CredentialOrigin, spec: OpenStackCredentialsSpec): CredentialOutcome {
  const name = secret.metadata.name!;
  const crsName = `${name}${CLOUD_CONFIG_SUFFIX}`;
  if (crsName.length > MAX_NAME) {
    return { ok: false, error: new CloudConfError('metadata.name', 'Invalid', `must be at most ${MAX_NAME - CLOUD_CONFIG_SUFFIX.length} characters: the management cluster gets "<name>${CLOUD_CONFIG_SUFFIX}" objects`, name) };
  }
  const data = (secret.data ?? {}) as Record<string, unknown>;
  const cloudsYaml = decoded(data, CLOUDS_YAML_KEY);
  if (cloudsYaml === undefined) return { ok: false, error: new CloudConfError(`data[${CLOUDS_YAML_KEY}]`, 'Required') };
  const out = renderCloudConf({ cloudsYaml, caCert: decoded(data, CACERT_KEY), cloudName: spec.cloudName, loadBalancer: spec.loadBalancer });
  if (!out.ok) return out;
  const r = out.result;

  const labels = { [LABEL_CLUSTER]: clusterLabelValue(origin.clusterUid), [LABEL_CREDENTIALS]: CREDENTIALS_OPENSTACK };
  const annotations = {
    [ANN_WORKSPACE]: origin.clusterPath, [ANN_NAMESPACE]: secret.metadata.namespace ?? '', [ANN_NAME]: name,
    [ANN_UID]: secret.metadata.uid ?? '', [ANN_PUBLISHED_BY]: origin.publishedBy,
  };
  const meta = (n: string) => ({ name: n, namespace: origin.namespace, labels: { ...labels }, annotations: { ...annotations } });

  const identityData: Record<string, string> = { [CLOUDS_YAML_KEY]: b64(r.identitySecretData['clouds.yaml']) };
  if (r.identitySecretData.cacert !== undefined) identityData[CACERT_KEY] = b64(r.identitySecretData.cacert);

  // the workload cluster's Secret: cloud.conf, and the CA under the file name cloud.conf's ca-file points at
  const workloadData: Record<string, string> = { [CLOUD_CONF_KEY]: b64(r.cloudConf) };
  if (r.caCert !== undefined && r.caFile) workloadData[posix.basename(r.caFile)] = b64(r.caCert);
  const manifest = toYaml({
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name: WORKLOAD_SECRET.name, namespace: WORKLOAD_SECRET.namespace },
    type: 'Opaque', data: workloadData,
  }, { lineWidth: 0 });

  return {
    ok: true,
    objects: {
      identity: { apiVersion: 'v1', kind: 'Secret', metadata: meta(name), type: 'Opaque', data: identityData },
      resourceSet: { apiVersion: 'v1', kind: 'Secret', metadata: meta(crsName), type: RESOURCE_SET_SECRET_TYPE, data: { [MANIFEST_KEY]: b64(manifest) } },
      clusterResourceSet: {
        apiVersion: `${CRS_GROUP}/${CRS_VERSION}`, kind: 'ClusterResourceSet', metadata: meta(crsName),
        spec: {
          clusterSelector: { matchLabels: { [LABEL_CLUSTER]: labels[LABEL_CLUSTER] } },
          resources: [{ kind: 'Secret', name: crsName }],
          // Reconcile, not ApplyOnce: a rotated application credential (the tenant edits its Secret) must
          // reach clusters that already exist; ApplyOnce would leave them with the revoked one.
          strategy: 'Reconcile',
        },
      },
    },
  };
}
