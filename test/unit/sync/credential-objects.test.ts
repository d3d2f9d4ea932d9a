// A tenant OpenStack credential Secret → its three management-cluster objects (src/sync/openstack/objects.ts):
// the CAPO identityRef Secret, the resource-set Secret whose manifest is the workload cluster's
// kube-system/cloud-config, and the ClusterResourceSet selecting the tenant's Clusters; errors produce nothing.

import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { clusterLabelValue } from '../../../src/sync/naming.js';
import {
  ANN_CREDENTIALS_ERROR, credentialObjects, isCredentialSecret, MANIFEST_KEY, RESOURCE_SET_SECRET_TYPE,
  type CredentialObjects,
} from '../../../src/sync/openstack/objects.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');

const appCred = `clouds:
  openstack:
    auth:
      auth_url: https://keystone.example:5000/v3
      application_credential_id: 7f3a1c
      application_credential_secret: s3cret
    region_name: RegionOne
`;

function secret(data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'kplane.io/openstack-clouds',
    metadata: { name: 'os', namespace: 'default', uid: 'u-1' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    ...extra,
  } as KubeObject;
}

const origin = { clusterPath: 'root:acme', clusterUid: 'cluster-uid', publishedBy: 'clusters', namespace: 'kp-acme-default-x' };

function objects(s: KubeObject, spec = {}): CredentialObjects {
  const out = credentialObjects(s, origin, spec);
  if (!out.ok) throw new Error(out.error.message);
  return out.objects;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function workloadSecret(o: CredentialObjects): any {
  const docs = parseAllDocuments(unb64((o.resourceSet.data as Record<string, string>)[MANIFEST_KEY]));
  expect(docs).toHaveLength(1);
  return docs[0]!.toJS();
}

describe('credentialObjects', () => {
  it('makes the identityRef Secret, the resource-set Secret and a Reconcile ClusterResourceSet, all marked with their origin', () => {
    const o = objects(secret({ 'clouds.yaml': appCred }));
    const label = clusterLabelValue('cluster-uid');
    for (const x of [o.identity, o.resourceSet, o.clusterResourceSet]) {
      expect(x.metadata).toMatchObject({
        namespace: 'kp-acme-default-x',
        labels: { 'sync.kplane.io/cluster': label, 'sync.kplane.io/credentials': 'openstack' },
        annotations: {
          'sync.kplane.io/workspace': 'root:acme', 'sync.kplane.io/namespace': 'default', 'sync.kplane.io/name': 'os',
          'sync.kplane.io/uid': 'u-1', 'sync.kplane.io/published-resource': 'clusters',
        },
      });
    }
    expect((o.identity.metadata as { name: string }).name).toBe('os');
    expect(Object.keys(o.identity.data as object)).toEqual(['clouds.yaml']);
    expect(parse(unb64((o.identity.data as Record<string, string>)['clouds.yaml']))).toEqual(parse(appCred));
    expect(o.resourceSet).toMatchObject({ metadata: { name: 'os-cloud-config' }, type: RESOURCE_SET_SECRET_TYPE });
    expect(o.clusterResourceSet).toMatchObject({
      apiVersion: 'addons.cluster.x-k8s.io/v1beta2', kind: 'ClusterResourceSet', metadata: { name: 'os-cloud-config' },
      spec: { clusterSelector: { matchLabels: { 'sync.kplane.io/cluster': label } }, resources: [{ kind: 'Secret', name: 'os-cloud-config' }], strategy: 'Reconcile' },
    });
    const w = workloadSecret(o);
    expect(w).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cloud-config', namespace: 'kube-system' }, type: 'Opaque' });
    expect(Object.keys(w.data)).toEqual(['cloud.conf']);
    expect(unb64(w.data['cloud.conf'])).toContain('application-credential-secret=s3cret\n');
  });

  it('carries the CA: cacert in the identity Secret, and next to cloud.conf under the name ca-file points at', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const y = appCred.replace('    region_name', '    cacert: /home/me/ca.pem\n    region_name');
    const o = objects(secret({ 'clouds.yaml': y, cacert: pem }));
    expect(unb64((o.identity.data as Record<string, string>).cacert)).toBe(pem);
    expect(parse(unb64((o.identity.data as Record<string, string>)['clouds.yaml'])).clouds.openstack.cacert).toBeUndefined();
    const w = workloadSecret(o);
    const conf = unb64(w.data['cloud.conf']);
    const caFile = /^ca-file=(.*)$/m.exec(conf)![1]!;
    expect(unb64(w.data[caFile.slice(caFile.lastIndexOf('/') + 1)])).toBe(pem);
    expect(caFile.startsWith('/etc/config/')).toBe(true);
  });

  it('applies the PublishedResource\'s LoadBalancer overrides and cloud name', () => {
    const two = `${appCred}  other:\n    auth: {auth_url: "https://o/v3", application_credential_id: a, application_credential_secret: b}\n    region_name: R2\n`;
    const o = objects(secret({ 'clouds.yaml': two }), { cloudName: 'other', loadBalancer: { useOctavia: false, createMonitor: false } });
    const conf = unb64(workloadSecret(o).data['cloud.conf']);
    expect(conf).toContain('region=R2\n');
    expect(conf).toContain('use-octavia=false\n');
    expect(conf).toContain('create-monitor=false\n');
    expect(conf).toContain('manage-security-groups=true\n');
  });

  it('produces nothing for a missing clouds.yaml, an invalid one, or a name too long for "<name>-cloud-config"', () => {
    const missing = credentialObjects(secret({}), origin, {});
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.message).toBe('data[clouds.yaml]: Required value');
    const bad = credentialObjects(secret({ 'clouds.yaml': appCred.replace(/ *region_name.*\n/, '') }), origin, {});
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toBe('clouds.openstack.region_name: Required value');
    const long = secret({ 'clouds.yaml': appCred });
    long.metadata.name = 'x'.repeat(245);
    const r = credentialObjects(long, origin, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe('metadata.name');
  });

  it('knows a credential Secret by its type or its label', () => {
    expect(isCredentialSecret(secret({}))).toBe(true);
    expect(isCredentialSecret(secret({}, { type: 'Opaque' }))).toBe(false);
    const labelled = secret({}, { type: 'Opaque' });
    labelled.metadata.labels = { 'sync.kplane.io/credentials': 'openstack' };
    expect(isCredentialSecret(labelled)).toBe(true);
    expect(isCredentialSecret(undefined)).toBe(false);
    expect(ANN_CREDENTIALS_ERROR).toBe('sync.kplane.io/credentials-error');
  });
});
