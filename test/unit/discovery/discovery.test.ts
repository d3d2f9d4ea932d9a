import { createHash } from 'node:crypto';

import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

import {
  aggregatedDiscovery, aggregatedDiscoveryETag, apiGroup, apiGroupList, apiResourceList, apiVersions, compareKubeAwareVersions,
  negotiateDiscovery, serveDiscovery, servedSetKey, sortVersions, storageVersionHash,
} from '../../../src/discovery/index.js';
import type { ResourceType } from '../../../src/registry/types.js';
import { SAMPLE, configmaps, namespaces, roles, sampleType, workspaces } from './sample-types.js';

const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGG_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const CLIENT_GO_ACCEPT = `${AGG_V2},${AGG_V2BETA1},application/json`;

describe('storageVersionHash', () => {
  it('is base64 of the first 8 bytes of sha256(group/version/kind)', () => {
    expect(storageVersionHash('', 'v1', 'ConfigMap')).toBe('qFsyl6wFWjQ=');
    expect(storageVersionHash('', 'v1', 'Namespace')).toBe('Q3oi5N2YM8M=');
    expect(storageVersionHash('', 'v1', 'Event')).toBe('r2yiGXH7wu8=');
    const expected = createHash('sha256').update('rbac.authorization.k8s.io/v1/Role').digest().subarray(0, 8).toString('base64');
    expect(storageVersionHash('rbac.authorization.k8s.io', 'v1', 'Role')).toBe(expected);
  });
});

describe('legacy discovery documents', () => {
  it('/api is APIVersions without apiVersion', () => {
    expect(JSON.stringify(apiVersions({ serverAddress: '10.0.0.1:6443' }))).toBe(
      '{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}]}',
    );
  });

  it('/api/v1 lists resources and subresources in path order, with kube field order', () => {
    const list = apiResourceList(SAMPLE, '', 'v1')!;
    expect(list.apiVersion).toBeUndefined();
    expect(list.resources.map((r) => r.name)).toEqual(['configmaps', 'events', 'namespaces', 'namespaces/finalize', 'namespaces/status']);
    const json = JSON.stringify(list);
    expect(json.startsWith('{"kind":"APIResourceList","groupVersion":"v1","resources":[')).toBe(true);
    expect(json).toContain(
      '{"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap",'
      + '"verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["cm"],"storageVersionHash":"qFsyl6wFWjQ="}',
    );
    expect(json).toContain(
      '{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["create","delete","get","list","patch","update","watch"],'
      + '"shortNames":["ns"],"storageVersionHash":"Q3oi5N2YM8M="},'
      + '{"name":"namespaces/finalize","singularName":"","namespaced":false,"kind":"Namespace","verbs":["update"]},'
      + '{"name":"namespaces/status","singularName":"","namespaced":false,"kind":"Namespace","verbs":["get","patch","update"]}',
    );
  });

  it('group versions carry apiVersion v1; storage version hash follows the storage kind', () => {
    const events = apiResourceList(SAMPLE, 'events.k8s.io', 'v1')!;
    expect(events.apiVersion).toBe('v1');
    expect(events.groupVersion).toBe('events.k8s.io/v1');
    // events.k8s.io/v1 events are stored as core/v1 events, like kube
    expect(events.resources[0]!.storageVersionHash).toBe('r2yiGXH7wu8=');
    expect(apiResourceList(SAMPLE, 'rbac.authorization.k8s.io', 'v2')).toBeUndefined();
  });

  it('CRD-like groups use apiextensions verb order and list the status subresource after its resource', () => {
    const list = apiResourceList(SAMPLE, 'tenancy.kplane.io', 'v1alpha1')!;
    expect(list.resources).toEqual([
      {
        name: 'workspaces', singularName: 'workspace', namespaced: false, kind: 'Workspace',
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        shortNames: ['ws'], categories: ['kplane'], storageVersionHash: storageVersionHash('tenancy.kplane.io', 'v1alpha1', 'Workspace'),
      },
      { name: 'workspaces/status', singularName: '', namespaced: false, kind: 'Workspace', verbs: ['get', 'patch', 'update'] },
    ]);
  });

  it('/apis orders groups by kube priority, CRD-like groups last', () => {
    const list = apiGroupList(SAMPLE);
    expect(list.kind).toBe('APIGroupList');
    expect(list.groups.map((g) => g.name)).toEqual(['events.k8s.io', 'rbac.authorization.k8s.io', 'coordination.k8s.io', 'tenancy.kplane.io']);
    expect(JSON.stringify(list.groups[1])).toBe(
      '{"name":"rbac.authorization.k8s.io","versions":[{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}],'
      + '"preferredVersion":{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}}',
    );
  });

  it('/apis/<g> is an APIGroup with type meta; versions most preferred first', () => {
    const beta = sampleType({ group: 'coordination.k8s.io', version: 'v1beta1', resource: 'leases', kind: 'Lease', schemaName: 'io.k8s.api.coordination.v1beta1.Lease' });
    const alpha = sampleType({ group: 'coordination.k8s.io', version: 'v1alpha2', resource: 'leasecandidates', kind: 'LeaseCandidate', schemaName: 'x' });
    const g = apiGroup([...SAMPLE, alpha, beta], 'coordination.k8s.io')!;
    expect(JSON.stringify(g).startsWith('{"kind":"APIGroup","apiVersion":"v1","name":"coordination.k8s.io","versions":[')).toBe(true);
    expect(g.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha2']);
    expect(g.preferredVersion.version).toBe('v1');
    expect(apiGroup(SAMPLE, 'apps')).toBeUndefined();
  });

  it('sorts versions the kube-aware way', () => {
    expect(sortVersions('example.com', ['v1alpha1', 'v2', 'v1beta2', 'v1', 'v10', 'foo', 'v1beta1'])).toEqual(
      ['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'foo'],
    );
    expect(compareKubeAwareVersions('v1', 'v1beta1')).toBeGreaterThan(0);
  });
});

describe('aggregated discovery', () => {
  it('/api has the legacy group with an empty metadata', () => {
    const doc = aggregatedDiscovery(SAMPLE, 'api');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(doc.items).toHaveLength(1);
    const json = JSON.stringify(doc);
    expect(json.startsWith('{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":{},"versions":[{"version":"v1","resources":[')).toBe(true);
    const ns = doc.items[0]!.versions[0]!.resources.find((r) => r.resource === 'namespaces')!;
    expect(JSON.stringify(ns)).toBe(
      '{"resource":"namespaces","responseKind":{"group":"","version":"","kind":"Namespace"},"scope":"Cluster","singularResource":"namespace",'
      + '"verbs":["create","delete","get","list","patch","update","watch"],"shortNames":["ns"],"subresources":['
      + '{"subresource":"finalize","responseKind":{"group":"","version":"","kind":"Namespace"},"verbs":["update"]},'
      + '{"subresource":"status","responseKind":{"group":"","version":"","kind":"Namespace"},"verbs":["get","patch","update"]}]}',
    );
    expect(doc.items[0]!.versions[0]!.freshness).toBe('Current');
  });

  it('/apis lists named groups in priority order; CRD-like resources fill responseKind', () => {
    const doc = aggregatedDiscovery(SAMPLE, 'apis');
    expect(doc.items.map((i) => i.metadata.name)).toEqual(['events.k8s.io', 'rbac.authorization.k8s.io', 'coordination.k8s.io', 'tenancy.kplane.io']);
    const ws = doc.items[3]!.versions[0]!.resources[0]!;
    expect(ws.responseKind).toEqual({ group: 'tenancy.kplane.io', version: 'v1alpha1', kind: 'Workspace' });
    expect(ws.subresources).toEqual([{ subresource: 'status', responseKind: { group: 'tenancy.kplane.io', version: 'v1alpha1', kind: 'Workspace' }, verbs: ['get', 'patch', 'update'] }]);
    expect(ws.categories).toEqual(['kplane']);
  });

  it('ETag is the SHA-512 of the list without type meta, like kube', () => {
    const doc = aggregatedDiscovery(SAMPLE, 'apis');
    const expected = createHash('sha512').update(JSON.stringify({ metadata: {}, items: doc.items })).digest('hex').toUpperCase();
    expect(aggregatedDiscoveryETag(doc)).toBe(expected);
    expect(aggregatedDiscoveryETag(aggregatedDiscovery(SAMPLE, 'apis', 'v2beta1'))).toBe(expected);
  });
});

describe('negotiateDiscovery', () => {
  it('selects aggregated v2 for client-go', () => {
    expect(negotiateDiscovery(CLIENT_GO_ACCEPT)).toEqual({
      kind: 'aggregated', version: 'v2', mediaType: 'application/json', contentType: AGG_V2,
    });
  });
  it('does not serve v2beta1 (AggregatedDiscoveryRemoveBetaType is on in 1.34) unless asked to', () => {
    expect(negotiateDiscovery(`${AGG_V2BETA1},application/json`)).toMatchObject({ kind: 'legacy', contentType: 'application/json' });
    expect(negotiateDiscovery(AGG_V2BETA1)).toMatchObject({ kind: 'notAcceptable' });
    expect(negotiateDiscovery(AGG_V2BETA1, { allowV2Beta1: true })).toMatchObject({ kind: 'aggregated', version: 'v2beta1' });
  });
  it('handles plain, wildcard, yaml, quality values and unsupported types', () => {
    expect(negotiateDiscovery(undefined)).toMatchObject({ kind: 'legacy', mediaType: 'application/json' });
    expect(negotiateDiscovery('application/json, */*')).toMatchObject({ kind: 'legacy', mediaType: 'application/json' });
    expect(negotiateDiscovery('*/*')).toMatchObject({ kind: 'legacy', mediaType: 'application/json' });
    expect(negotiateDiscovery('application/yaml')).toMatchObject({ kind: 'legacy', mediaType: 'application/yaml' });
    expect(negotiateDiscovery('application/json;q=0.5, application/yaml')).toMatchObject({ kind: 'legacy', mediaType: 'application/yaml' });
    expect(negotiateDiscovery('application/vnd.kubernetes.protobuf')).toMatchObject({ kind: 'notAcceptable' });
    expect(negotiateDiscovery('application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).toMatchObject({
      kind: 'aggregated', mediaType: 'application/yaml', contentType: 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    });
  });
});

describe('serveDiscovery', () => {
  const opts = { serverAddress: '127.0.0.1:6443' };

  it('serves aggregated discovery with ETag, Vary and Cache-Control, and 304 on a matching If-None-Match', () => {
    const r = serveDiscovery(SAMPLE, { path: '/apis', accept: CLIENT_GO_ACCEPT }, opts)!;
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toBe(AGG_V2);
    expect(r.headers.Vary).toBe('Accept');
    expect(r.headers['Cache-Control']).toBe('public');
    const etag = r.headers.ETag!;
    expect(etag).toMatch(/^"[0-9A-F]{128}"$/);
    expect(JSON.parse(r.body!).kind).toBe('APIGroupDiscoveryList');
    const again = serveDiscovery(SAMPLE, { path: '/apis/', accept: CLIENT_GO_ACCEPT, ifNoneMatch: etag }, opts)!;
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers.ETag).toBe(etag);
    const other = serveDiscovery(SAMPLE, { path: '/apis', accept: CLIENT_GO_ACCEPT, ifNoneMatch: '"nope"' }, opts)!;
    expect(other.status).toBe(200);
  });

  it('changes the ETag when the served set changes', () => {
    const a = serveDiscovery(SAMPLE, { path: '/api', accept: CLIENT_GO_ACCEPT }, opts)!;
    const fewer = SAMPLE.filter((t) => t !== configmaps);
    const b = serveDiscovery(fewer, { path: '/api', accept: CLIENT_GO_ACCEPT }, opts)!;
    expect(a.headers.ETag).not.toBe(b.headers.ETag);
    const same = serveDiscovery([...SAMPLE].reverse(), { path: '/api', accept: CLIENT_GO_ACCEPT }, opts)!;
    expect(same.headers.ETag).toBe(a.headers.ETag);
  });

  it('serves legacy documents as JSON or YAML, 404 for unknown groups, 406 for unsupported media types', () => {
    const api = serveDiscovery(SAMPLE, { path: '/api', accept: 'application/json, */*' }, opts)!;
    expect(api.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(api.body!).serverAddressByClientCIDRs[0].serverAddress).toBe('127.0.0.1:6443');
    const v1 = serveDiscovery(SAMPLE, { path: '/api/v1' }, opts)!;
    expect(JSON.parse(v1.body!).groupVersion).toBe('v1');
    const yaml = serveDiscovery(SAMPLE, { path: '/apis/rbac.authorization.k8s.io/v1', accept: 'application/yaml' }, opts)!;
    expect(yaml.headers['Content-Type']).toBe('application/yaml');
    expect(yaml.body).toContain('groupVersion: rbac.authorization.k8s.io/v1');
    // a group's preferredVersion is the same value as its first version: written out, never as an alias
    const group = serveDiscovery(SAMPLE, { path: '/apis/rbac.authorization.k8s.io', accept: 'application/yaml' }, opts)!;
    expect(group.status).toBe(200);
    expect(group.body).not.toMatch(/[&*]a1/);
    expect(parseYaml(group.body!).preferredVersion).toEqual(parseYaml(group.body!).versions[0]);
    const missing = serveDiscovery(SAMPLE, { path: '/apis/apps' }, opts)!;
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('404 page not found\n');
    expect(serveDiscovery(SAMPLE, { path: '/apis/rbac.authorization.k8s.io/v9' }, opts)!.status).toBe(404);
    expect(() => serveDiscovery(SAMPLE, { path: '/api', accept: 'application/vnd.kubernetes.protobuf' }, opts)).toThrow(/only the following media types/);
    expect(serveDiscovery(SAMPLE, { path: '/apis/rbac.authorization.k8s.io/v1/roles' }, opts)).toBeUndefined();
  });

  it('keys caches by content, not by array identity', () => {
    const copy: ResourceType[] = SAMPLE.map((t) => ({ ...t }));
    expect(servedSetKey(copy)).toBe(servedSetKey(SAMPLE));
    expect(servedSetKey([roles, namespaces])).not.toBe(servedSetKey([roles]));
    expect(servedSetKey([{ ...workspaces, shortNames: [] }])).not.toBe(servedSetKey([workspaces]));
  });
});
