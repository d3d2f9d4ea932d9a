import { describe, expect, it } from 'vitest';
import {
  catalogUp, differs, downstreamNamespace, holds, importedCRD, isCopyOf, relatedUp, renderTemplate, statusUp, toDownstream, unknownTemplateKeys,
} from '../../../src/sync/transform.js';
import { defaultDownstreamNamespace } from '../../../src/sync/naming.js';
import { errorForTenant } from '../../../src/sync/tenant-errors.js';
import { DownstreamError } from '../../../src/sync/client.js';

const origin = { clusterPath: 'root:acme', clusterUid: 'uid-1' };

const tenantCluster = () => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster',
  metadata: {
    name: 'c1', namespace: 'default', uid: 'u-1', resourceVersion: '42', generation: 3, labels: { team: 'web' },
    annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    finalizers: ['sync.kplane.io/syncer'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'o1' }],
    managedFields: [{ manager: 'kubectl' }], creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: { topology: { version: 'v1.34.0' } },
  status: { phase: 'Provisioned' },
});

describe('toDownstream', () => {
  it('keeps name, labels, annotations and spec; maps the namespace; records the origin', () => {
    const d = toDownstream(tenantCluster(), 'kp-acme-default-x', origin);
    expect(d).toEqual({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster',
      metadata: {
        name: 'c1', namespace: 'kp-acme-default-x',
        labels: { team: 'web', 'sync.kplane.io/cluster': expect.stringMatching(/^kp-[a-z2-7]{13}$/) },
        annotations: {
          note: 'x', 'sync.kplane.io/workspace': 'root:acme', 'sync.kplane.io/namespace': 'default', 'sync.kplane.io/name': 'c1',
          'sync.kplane.io/uid': 'u-1', 'sync.kplane.io/generation': '3',
        },
      },
      spec: { topology: { version: 'v1.34.0' } },
    });
  });
  it('never copies uid, resourceVersion, finalizers, owners, managedFields or status', () => {
    const d = toDownstream(tenantCluster(), 'ns', origin) as { metadata: Record<string, unknown>; status?: unknown };
    for (const k of ['uid', 'resourceVersion', 'finalizers', 'ownerReferences', 'managedFields', 'generation', 'creationTimestamp']) expect(d.metadata[k]).toBeUndefined();
    expect(d.status).toBeUndefined();
  });
  it('does not share structure with the tenant object', () => {
    const t = tenantCluster();
    const d = toDownstream(t, 'ns', origin) as { spec: { topology: { version: string } } };
    d.spec.topology.version = 'changed';
    expect(t.spec.topology.version).toBe('v1.34.0');
  });
  it('labels two clusters differently', () => {
    const a = toDownstream(tenantCluster(), 'ns', origin) as { metadata: { labels: Record<string, string> } };
    const b = toDownstream(tenantCluster(), 'ns', { clusterPath: 'root:beta', clusterUid: 'uid-2' }) as { metadata: { labels: Record<string, string> } };
    expect(a.metadata.labels['sync.kplane.io/cluster']).not.toBe(b.metadata.labels['sync.kplane.io/cluster']);
  });
});

describe('holds (is the desired state already there?)', () => {
  it('accepts defaults the management cluster added', () => {
    expect(holds({ a: 1, b: { c: 2, d: 3 }, extra: true }, { a: 1, b: { c: 2 } })).toBe(true);
  });
  it('sees an edited field, a removed field and a changed list', () => {
    expect(holds({ a: 2 }, { a: 1 })).toBe(false);
    expect(holds({}, { a: 1 })).toBe(false);
    expect(holds({ l: [1, 2, 3] }, { l: [1, 2] })).toBe(false);
    expect(holds({ l: [{ x: 1, y: 2 }] }, { l: [{ x: 1 }] })).toBe(true);
  });
  it('compares scalars exactly (no type coercion)', () => {
    expect(holds('1', 1)).toBe(false);
    expect(holds(null, undefined)).toBe(false);
  });
});

describe('statusUp', () => {
  const down = (gen: number, observed: number, written: number) => ({
    metadata: { generation: gen, annotations: { 'sync.kplane.io/generation': String(written) } },
    status: {
      observedGeneration: observed, phase: 'Provisioned',
      conditions: [{ type: 'Available', status: 'True', observedGeneration: observed }, { type: 'NoGen', status: 'True' }],
      deprecated: { v1beta1: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: observed }] } },
    },
  });
  it('tells a caught-up status in the tenant generation it was written from', () => {
    const s = statusUp(down(2, 2, 7), 7) as { observedGeneration: number; conditions: { observedGeneration?: number }[]; deprecated: { v1beta1: { conditions: { observedGeneration: number }[] } } };
    expect(s.observedGeneration).toBe(7);
    expect(s.conditions[0]!.observedGeneration).toBe(7);
    expect(s.conditions[1]!.observedGeneration).toBeUndefined();
    expect(s.deprecated.v1beta1.conditions[0]!.observedGeneration).toBe(7);
  });
  it('tells a status behind the downstream spec as behind the tenant generation (kubectl wait keeps waiting)', () => {
    const s = statusUp(down(3, 2, 7), 7) as { observedGeneration: number };
    expect(s.observedGeneration).toBe(6);
  });
  it('a tenant generation newer than the one written is not yet observed', () => {
    const s = statusUp(down(2, 2, 7), 8) as { observedGeneration: number };
    expect(s.observedGeneration).toBe(7);
    expect(s.observedGeneration).toBeLessThan(8);
  });
  it('a status behind the downstream spec of a tenant\'s first generation has no observedGeneration (Cluster API\'s schema wants >= 1)', () => {
    // e.g. Cluster API's topology controller filled in spec.controlPlaneRef, or the deletion bumped the generation
    const s = statusUp(down(2, 1, 1), 1) as { observedGeneration?: number; phase: string; conditions: { observedGeneration?: number }[] };
    expect(s).not.toHaveProperty('observedGeneration');
    expect(s.phase).toBe('Provisioned');
    expect(s.conditions[0]!.observedGeneration).toBe(0);
  });
  it('a downstream generation bumped by the management cluster\'s own controllers after our write does not make the status stale', () => {
    // we wrote generation 2 (tenant generation 7); Cluster API's topology controller then made it 3
    const s = statusUp(down(3, 2, 7), 7, 2) as { observedGeneration: number };
    expect(s.observedGeneration).toBe(7);
    // but a status older than our write is still behind
    expect((statusUp(down(3, 1, 7), 7, 2) as { observedGeneration: number }).observedGeneration).toBe(6);
  });
  it('no status stays none', () => {
    expect(statusUp({ metadata: {} }, 1)).toBeUndefined();
  });
});

describe('related, catalog and imported objects', () => {
  it('a related Secret is owned by the tenant object and loses the downstream cluster label', () => {
    const s = relatedUp({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c1-kubeconfig', namespace: 'kp-x', uid: 'd', labels: { 'cluster.x-k8s.io/cluster-name': 'c1', 'sync.kplane.io/cluster': 'kp-x' } }, type: 'cluster.x-k8s.io/secret', data: { value: 'eA==' } },
      'default', { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'c1', uid: 'u-1' }, 'clusters');
    expect(s).toEqual({
      apiVersion: 'v1', kind: 'Secret',
      metadata: {
        name: 'c1-kubeconfig', namespace: 'default',
        labels: { 'cluster.x-k8s.io/cluster-name': 'c1', 'sync.kplane.io/related': 'true' },
        annotations: { 'sync.kplane.io/published-resource': 'clusters' },
        ownerReferences: [{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'c1', uid: 'u-1', controller: true }],
      },
      type: 'cluster.x-k8s.io/secret', data: { value: 'eA==' },
    });
  });
  it('a catalog copy keeps spec and status, and is marked', () => {
    const c = catalogUp({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'ClusterClass', metadata: { name: 'q', namespace: 'capi-classes', uid: 'x', resourceVersion: '9', labels: { a: 'b' } }, spec: { s: 1 }, status: { t: 2 } }, 'classes');
    expect(c).toEqual({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'ClusterClass',
      metadata: { name: 'q', namespace: 'capi-classes', labels: { a: 'b' }, annotations: { 'sync.kplane.io/published-resource': 'classes' } },
      spec: { s: 1 }, status: { t: 2 },
    });
  });
  it('an imported CRD keeps the spec and the contract labels', () => {
    const crd = importedCRD({ metadata: { name: 'clusters.cluster.x-k8s.io', uid: 'x', labels: { 'cluster.x-k8s.io/v1beta2': 'v1beta2' } }, spec: { group: 'cluster.x-k8s.io' }, status: { x: 1 } }, 'clusters');
    expect(crd).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
      metadata: { name: 'clusters.cluster.x-k8s.io', labels: { 'cluster.x-k8s.io/v1beta2': 'v1beta2' }, annotations: { 'sync.kplane.io/published-resource': 'clusters' } },
      spec: { group: 'cluster.x-k8s.io' },
    });
  });
  it('differs: exact for data, tolerant of server defaults otherwise', () => {
    const want = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', labels: { x: '1' } }, data: { k: 'v' } };
    expect(differs({ ...want, metadata: { name: 'a', labels: { x: '1' }, uid: 'u' } }, want)).toBe(false);
    expect(differs({ ...want, data: { k: 'v', old: 'o' } }, want)).toBe(true);
    expect(differs({ ...want, data: { k: 'v', old: 'o' } }, want, false)).toBe(false);
    expect(differs({ ...want, metadata: { name: 'a', labels: { x: '1', y: '2' } } }, want)).toBe(true);
    expect(differs(undefined, want)).toBe(true);
  });
  it('isCopyOf compares the recorded uid', () => {
    expect(isCopyOf({ metadata: { annotations: { 'sync.kplane.io/uid': 'u' } } }, 'u')).toBe(true);
    expect(isCopyOf({ metadata: { annotations: { 'sync.kplane.io/uid': 'u' } } }, 'v')).toBe(false);
  });
});

describe('templates', () => {
  it('renders known values and refuses unknown ones', () => {
    expect(renderTemplate('{{ .Name }}-kubeconfig', { Name: 'c1' })).toBe('c1-kubeconfig');
    expect(renderTemplate('{{.Name}}', { Name: 'c1' })).toBe('c1');
    expect(() => renderTemplate('{{ .Nmae }}', { Name: 'c1' })).toThrow(/unknown template value .Nmae/);
    expect(unknownTemplateKeys('{{ .A }}-{{ .B }}', ['A'])).toEqual(['B']);
  });
  it('the default namespace is the collision-free one; a template makes a DNS label', () => {
    expect(downstreamNamespace(undefined, 'root:acme', 'u', 'default')).toBe(defaultDownstreamNamespace({ clusterUid: 'u', clusterPath: 'root:acme', namespace: 'default' }));
    const n = downstreamNamespace('t-{{ .WorkspacePath }}-{{ .Namespace }}', 'root:Acme:team', 'u', 'Default_NS');
    expect(n).toBe('t-root-acme-team-default-ns');
    expect(downstreamNamespace('{{ .Hash }}', 'root:a', 'u1', 'n')).not.toBe(downstreamNamespace('{{ .Hash }}', 'root:a', 'u2', 'n'));
    expect(downstreamNamespace('x-{{ .Namespace }}', 'root:a', 'u', 'n'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});

describe('errorForTenant', () => {
  it('keeps code, reason and causes, with the tenant\'s namespace instead of the downstream one', () => {
    const e = errorForTenant(new DownstreamError(422, {
      kind: 'Status', code: 422, reason: 'Invalid', message: 'Cluster.cluster.x-k8s.io "c1" is invalid in kp-acme-default-abc',
      details: { name: 'c1', kind: 'Cluster', group: 'cluster.x-k8s.io', causes: [{ field: 'spec.topology.version', message: 'bad in kp-acme-default-abc' }] },
    }, 'x'), 'kp-acme-default-abc', 'default');
    expect(e.status).toMatchObject({ code: 422, reason: 'Invalid', message: 'Cluster.cluster.x-k8s.io "c1" is invalid in default' });
    expect(e.status.details!.causes).toEqual([{ field: 'spec.topology.version', message: 'bad in default' }]);
  });
  it('an unreachable management cluster is a 503', () => {
    expect(errorForTenant(new Error('connect ECONNREFUSED'), 'a', 'b').status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
  });
});
