import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  openapiV2Document, openapiV2Object, openapiV3Document, openapiV3Index, openapiV3Object, openapiV3Paths, operationIdAndTags,
  registerCRDDefinitions, serveOpenAPI, unregisterDefinitions,
} from '../../../src/openapi/index.js';
import type { ResourceType } from '../../../src/registry/types.js';
import { SAMPLE, configmaps, namespaces, roles, sampleType, workspaces } from '../discovery/sample-types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

function refs(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x);
      else refs(x, out);
    }
  }
  return out;
}

/** What kubectl's QueryParamVerifierV3 does: find the PATCH for the GVK and look at its own parameters. */
function supportsFieldValidation(doc: Obj, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(doc.paths as Obj)) {
    const op = item.patch;
    if (!op) continue;
    const g = op['x-kubernetes-group-version-kind'];
    if (g?.group !== gvk.group || g?.version !== gvk.version || g?.kind !== gvk.kind) continue;
    return (op.parameters ?? []).some((p: Obj) => p.name === 'fieldValidation');
  }
  return false;
}

describe('operation ids', () => {
  it('follows kube-apiserver GetOperationIDAndTags', () => {
    expect(operationIdAndTags('listNamespacedConfigMap', '/api/v1/namespaces/{namespace}/configmaps'))
      .toEqual({ operationId: 'listCoreV1NamespacedConfigMap', tags: ['core_v1'] });
    expect(operationIdAndTags('deletecollectionNamespacedRole', '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles'))
      .toEqual({ operationId: 'deleteRbacAuthorizationV1CollectionNamespacedRole', tags: ['rbacAuthorization_v1'] });
    expect(operationIdAndTags('readWorkspaceStatus', '/apis/tenancy.kplane.io/v1alpha1/workspaces/{name}/status'))
      .toEqual({ operationId: 'readTenancyKplaneIoV1alpha1WorkspaceStatus', tags: ['tenancyKplaneIo_v1alpha1'] });
    expect(operationIdAndTags('getAPIVersions', '/api/')).toEqual({ operationId: 'getCoreAPIVersions', tags: ['core'] });
  });
});

describe('OpenAPI v3 documents', () => {
  const core = openapiV3Object(SAMPLE, 'api/v1')!;

  it('publishes every operation of a namespaced resource', () => {
    expect(core.openapi).toBe('3.0.0');
    expect(core.info).toEqual({ title: 'Kubernetes', version: '1.34' });
    const paths = core.paths as Obj;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining([
      '/api/v1/', '/api/v1/configmaps', '/api/v1/namespaces/{namespace}/configmaps', '/api/v1/namespaces/{namespace}/configmaps/{name}',
      '/api/v1/watch/configmaps', '/api/v1/watch/namespaces/{namespace}/configmaps', '/api/v1/watch/namespaces/{namespace}/configmaps/{name}',
      '/api/v1/namespaces/{name}/status', '/api/v1/namespaces/{name}/finalize',
    ]));
    const coll = paths['/api/v1/namespaces/{namespace}/configmaps'];
    expect(Object.keys(coll).sort()).toEqual(['delete', 'get', 'parameters', 'post']);
    expect(coll.get).toMatchObject({
      description: 'list or watch objects of kind ConfigMap', operationId: 'listCoreV1NamespacedConfigMap', tags: ['core_v1'],
      'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': { group: '', kind: 'ConfigMap', version: 'v1' },
    });
    expect(coll.get.parameters.map((p: Obj) => p.name)).toEqual([
      'allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch',
      'sendInitialEvents', 'timeoutSeconds', 'watch',
    ]);
    expect(coll.parameters.map((p: Obj) => p.name)).toEqual(['namespace', 'pretty']);
    expect(coll.parameters[0]).toEqual({
      description: 'object name and auth scope, such as for teams and projects', in: 'path', name: 'namespace', required: true,
      schema: { type: 'string', uniqueItems: true },
    });
    expect(coll.post.operationId).toBe('createCoreV1NamespacedConfigMap');
    expect(coll.post.requestBody).toEqual({ content: { '*/*': { schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap' } } }, required: true });
    expect(Object.keys(coll.post.responses)).toEqual(['200', '201', '202', '401']);
    expect(coll.delete.operationId).toBe('deleteCoreV1CollectionNamespacedConfigMap');
    expect(coll.delete.parameters.map((p: Obj) => p.name)).toContain('gracePeriodSeconds');
    expect(coll.delete.parameters.map((p: Obj) => p.name)).not.toContain('watch');
    const list = coll.get.responses['200'].content;
    expect(Object.keys(list)).toEqual([
      'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;stream=watch',
      'application/vnd.kubernetes.protobuf;stream=watch',
    ]);
    const item = paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    expect(item.patch.operationId).toBe('patchCoreV1NamespacedConfigMap');
    expect(Object.keys(item.patch.requestBody.content)).toEqual([
      'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
    ]);
    expect(item.patch.requestBody.content['application/json-patch+json'].schema.$ref).toBe('#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    expect(item.delete.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status');
    expect(paths['/api/v1/watch/namespaces/{namespace}/configmaps/{name}'].get['x-kubernetes-action']).toBe('watch');
    expect(paths['/api/v1/watch/configmaps'].get.operationId).toBe('watchCoreV1ConfigMapListForAllNamespaces');
    expect(paths['/api/v1/configmaps'].get.operationId).toBe('listCoreV1ConfigMapForAllNamespaces');
  });

  it('has the fieldValidation, dryRun and fieldManager parameters on POST, PUT and PATCH', () => {
    const paths = core.paths as Obj;
    for (const [path, method] of [
      ['/api/v1/namespaces/{namespace}/configmaps', 'post'], ['/api/v1/namespaces/{namespace}/configmaps/{name}', 'put'],
      ['/api/v1/namespaces/{namespace}/configmaps/{name}', 'patch'], ['/api/v1/namespaces/{name}/status', 'patch'],
    ] as const) {
      const names = paths[path][method].parameters.map((p: Obj) => p.name);
      expect(names, `${method} ${path}`).toEqual(expect.arrayContaining(['dryRun', 'fieldManager', 'fieldValidation']));
    }
    expect(paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch.parameters.map((p: Obj) => p.name)).toContain('force');
    expect(supportsFieldValidation(core, { group: '', version: 'v1', kind: 'ConfigMap' })).toBe(true);
    expect(supportsFieldValidation(core, { group: '', version: 'v1', kind: 'Namespace' })).toBe(true);
    const rbac = openapiV3Object(SAMPLE, 'apis/rbac.authorization.k8s.io/v1')!;
    expect(supportsFieldValidation(rbac, { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' })).toBe(true);
    const ws = openapiV3Object(SAMPLE, 'apis/tenancy.kplane.io/v1alpha1')!;
    expect(supportsFieldValidation(ws, { group: 'tenancy.kplane.io', version: 'v1alpha1', kind: 'Workspace' })).toBe(true);
  });

  it('publishes subresources of cluster-scoped kinds', () => {
    const paths = core.paths as Obj;
    const status = paths['/api/v1/namespaces/{name}/status'];
    expect(status.get.operationId).toBe('readCoreV1NamespaceStatus');
    expect(status.put.description).toBe('replace status of the specified Namespace');
    expect(status.patch.operationId).toBe('patchCoreV1NamespaceStatus');
    const finalize = paths['/api/v1/namespaces/{name}/finalize'];
    expect(Object.keys(finalize).sort()).toEqual(['parameters', 'put']);
    expect(finalize.put.operationId).toBe('replaceCoreV1NamespaceFinalize');
    // a path with a single operation has all its parameters on the path item
    expect(finalize.put.parameters).toBeUndefined();
    expect(finalize.parameters.map((p: Obj) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'name', 'pretty']);
    expect(paths['/api/v1/namespaces/{name}'].delete.operationId).toBe('deleteCoreV1Namespace');
  });

  it('includes every referenced definition', () => {
    for (const gv of openapiV3Paths(SAMPLE)) {
      const doc = openapiV3Object(SAMPLE, gv)!;
      const schemas = (doc.components as Obj).schemas as Obj;
      for (const r of refs(doc)) {
        expect(r.startsWith('#/components/schemas/'), r).toBe(true);
        expect(schemas[r.slice('#/components/schemas/'.length)], `${gv}: ${r}`).toBeDefined();
      }
    }
    const schemas = (core.components as Obj).schemas as Obj;
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind']).toEqual([
      { group: '', kind: 'DeleteOptions', version: 'v1' },
      { group: 'coordination.k8s.io', kind: 'DeleteOptions', version: 'v1' },
      { group: 'events.k8s.io', kind: 'DeleteOptions', version: 'v1' },
      { group: 'rbac.authorization.k8s.io', kind: 'DeleteOptions', version: 'v1' },
    ]);
    expect(schemas['io.k8s.api.rbac.v1.Role']).toBeUndefined();
  });

  it('publishes CRD-like kinds the way apiextensions-apiserver does', () => {
    const doc = openapiV3Object(SAMPLE, 'apis/tenancy.kplane.io/v1alpha1')!;
    expect(doc.info).toEqual({ title: 'Kubernetes CRD Swagger', version: 'v0.1.0' });
    const paths = doc.paths as Obj;
    expect(Object.keys(paths).sort()).toEqual([
      '/apis/tenancy.kplane.io/v1alpha1/workspaces', '/apis/tenancy.kplane.io/v1alpha1/workspaces/{name}',
      '/apis/tenancy.kplane.io/v1alpha1/workspaces/{name}/status',
    ]);
    const item = paths['/apis/tenancy.kplane.io/v1alpha1/workspaces/{name}'];
    expect(Object.keys(item.patch.requestBody.content)).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    expect(Object.keys(item.get.responses['200'].content)).toEqual(['application/json', 'application/yaml']);
    expect(item.get.parameters.map((p: Obj) => p.name)).toEqual(['resourceVersion']);
    expect(paths['/apis/tenancy.kplane.io/v1alpha1/workspaces'].get.description).toBe('list objects of kind Workspace');
    expect((doc.components as Obj).schemas['io.kplane.tenancy.v1alpha1.Workspace']).toBeDefined();
  });

  it('has the small documents of the index', () => {
    expect(openapiV3Paths(SAMPLE)).toEqual([
      'api', 'api/v1', 'apis', 'apis/coordination.k8s.io', 'apis/coordination.k8s.io/v1', 'apis/events.k8s.io', 'apis/events.k8s.io/v1',
      'apis/rbac.authorization.k8s.io', 'apis/rbac.authorization.k8s.io/v1', 'apis/tenancy.kplane.io/v1alpha1', 'version',
    ]);
    expect(Object.keys(openapiV3Object(SAMPLE, 'api')!.paths as Obj)).toEqual(['/api/']);
    expect((openapiV3Object(SAMPLE, 'api')!.paths as Obj)['/api/'].get.operationId).toBe('getCoreAPIVersions');
    expect((openapiV3Object(SAMPLE, 'apis/rbac.authorization.k8s.io')!.paths as Obj)['/apis/rbac.authorization.k8s.io/'].get.operationId)
      .toBe('getRbacAuthorizationAPIGroup');
    expect(Object.keys((openapiV3Object(SAMPLE, 'version')!.components as Obj).schemas)).toEqual(['io.k8s.apimachinery.pkg.version.Info']);
    expect(openapiV3Object(SAMPLE, 'apis/apps/v1')).toBeUndefined();
    expect(openapiV3Object(SAMPLE, 'apis/tenancy.kplane.io')).toBeUndefined();
  });
});

describe('OpenAPI v3 index and hashes', () => {
  it('points at hashed URLs below the cluster prefix', () => {
    const index = JSON.parse(openapiV3Index(SAMPLE, '/clusters/root').body.toString('utf8')) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual(openapiV3Paths(SAMPLE));
    const doc = openapiV3Document(SAMPLE, 'api/v1')!;
    expect(doc.etag).toBe(createHash('sha512').update(doc.body).digest('hex').toUpperCase());
    expect(index.paths['api/v1']!.serverRelativeURL).toBe(`/clusters/root/openapi/v3/api/v1?hash=${doc.etag}`);
    expect(index.paths['apis/rbac.authorization.k8s.io/v1']!.serverRelativeURL)
      .toMatch(/^\/clusters\/root\/openapi\/v3\/apis\/rbac\.authorization\.k8s\.io\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('is stable for identical content and changes with the content', () => {
    const a = openapiV3Document(SAMPLE, 'api/v1')!.etag;
    const copy: ResourceType[] = SAMPLE.map((t) => ({ ...t })).reverse();
    expect(openapiV3Document(copy, 'api/v1')!.etag).toBe(a);
    expect(openapiV3Document([configmaps, namespaces], 'api/v1')!.etag).not.toBe(a);
    // unrelated group versions do not change a document
    const rbac = openapiV3Document(SAMPLE, 'apis/rbac.authorization.k8s.io/v1')!.etag;
    const widget = sampleType({ group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', schemaName: 'com.example.v1.Widget' });
    expect(openapiV3Document([...SAMPLE, widget], 'apis/rbac.authorization.k8s.io/v1')!.etag).toBe(rbac);
  });

  it('shares documents between clusters serving the same group version', () => {
    const widget = sampleType({ group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', schemaName: 'com.example.v1.Widget' });
    const a = openapiV3Document(SAMPLE, 'api/v1')!;
    const b = openapiV3Document([widget, ...SAMPLE], 'api/v1')!;
    expect(b).toBe(a);
    const ia = JSON.parse(openapiV3Index(SAMPLE, '/clusters/root:a').body.toString());
    const ib = JSON.parse(openapiV3Index(SAMPLE, '/clusters/root:b').body.toString());
    expect(ia.paths['api/v1'].serverRelativeURL.replace('root:a', 'root:b')).toBe(ib.paths['api/v1'].serverRelativeURL);
  });

  it('changes when a cluster gains a CRD schema', () => {
    const widget = sampleType({ group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', schemaName: 'com.example.v1.Widget' });
    const crd = (max: number) => ({
      spec: {
        group: 'example.com', scope: 'Namespaced' as const, names: { kind: 'Widget', plural: 'widgets' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { size: { type: 'integer', maximum: max } } } } }],
      },
    });
    registerCRDDefinitions('test:cluster-x', [crd(5)]);
    const opts = { definitionSources: ['test:cluster-x'] };
    const types = [...SAMPLE, widget];
    const before = JSON.parse(openapiV3Index(types, '/clusters/root:x', opts).body.toString('utf8')).paths['apis/example.com/v1'].serverRelativeURL;
    const doc = openapiV3Object(types, 'apis/example.com/v1', opts)!;
    expect(((doc.components as Obj).schemas['com.example.v1.Widget'].properties.size)).toEqual({ maximum: 5, type: 'integer' });
    registerCRDDefinitions('test:cluster-x', [crd(6)]);
    const after = JSON.parse(openapiV3Index(types, '/clusters/root:x', opts).body.toString('utf8')).paths['apis/example.com/v1'].serverRelativeURL;
    expect(after).not.toBe(before);
    unregisterDefinitions('test:cluster-x');
  });
});

describe('serveOpenAPI', () => {
  const opts = { basePath: '/clusters/root', now: () => new Date('2026-01-02T03:04:05Z') };

  it('serves immutable documents for the current hash, 304 on If-None-Match, 301 for a stale hash', () => {
    const doc = openapiV3Document(SAMPLE, 'api/v1')!;
    const ok = serveOpenAPI(SAMPLE, { path: '/openapi/v3/api/v1', hash: doc.etag, accept: 'application/json' }, opts)!;
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatchObject({
      'Content-Type': 'application/json', 'Cache-Control': 'public, immutable', Expires: 'Sat, 02 Jan 2027 03:04:05 UTC',
      ETag: `"${doc.etag}"`, Vary: 'Accept',
    });
    expect(ok.body!.equals(doc.body)).toBe(true);
    const cached = serveOpenAPI(SAMPLE, { path: '/openapi/v3/api/v1', hash: doc.etag, ifNoneMatch: `"${doc.etag}"` }, opts)!;
    expect(cached.status).toBe(304);
    expect(cached.body).toBeUndefined();
    const stale = serveOpenAPI(SAMPLE, { path: '/openapi/v3/api/v1', hash: 'ABC' }, opts)!;
    expect(stale.status).toBe(301);
    expect(stale.headers.Location).toBe(`/clusters/root/openapi/v3/api/v1?hash=${doc.etag}`);
    const noHash = serveOpenAPI(SAMPLE, { path: '/openapi/v3/api/v1' }, opts)!;
    expect(noHash.headers['Cache-Control']).toBe('no-cache, private');
    expect(noHash.headers.Expires).toBeUndefined();
    expect(serveOpenAPI(SAMPLE, { path: '/openapi/v3/apis/apps/v1' }, opts)!.status).toBe(404);
    expect(serveOpenAPI(SAMPLE, { path: '/openapi/v3/api/v1', accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' }, opts)!.status).toBe(406);
    expect(serveOpenAPI(SAMPLE, { path: '/api/v1' }, opts)).toBeUndefined();
  });

  it('serves the index as kube does: text/plain, no validators', () => {
    const r = serveOpenAPI(SAMPLE, { path: '/openapi/v3' }, opts)!;
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^text\/plain/);
    expect(r.headers.ETag).toBeUndefined();
    expect(JSON.parse(r.body!.toString()).paths.api.serverRelativeURL).toMatch(/^\/clusters\/root\/openapi\/v3\/api\?hash=/);
  });

  it('serves /openapi/v2 as JSON or protobuf with one ETag, 406 otherwise', () => {
    const json = serveOpenAPI(SAMPLE, { path: '/openapi/v2', accept: 'application/json' }, opts)!;
    expect(json.headers['Content-Type']).toBe('application/json');
    const pb = serveOpenAPI(SAMPLE, { path: '/openapi/v2', accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' }, opts)!;
    expect(pb.status).toBe(200);
    expect(pb.headers['Content-Type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(pb.headers.ETag).toBe(json.headers.ETag);
    expect(pb.body![0]).toBe(0x0a); // field 1 (swagger), length-delimited
    expect(serveOpenAPI(SAMPLE, { path: '/openapi/v2', accept: 'text/html' }, opts)!.status).toBe(406);
    expect(serveOpenAPI(SAMPLE, { path: '/openapi/v2', ifNoneMatch: json.headers.ETag }, opts)!.status).toBe(304);
  });
});

describe('OpenAPI v2 document', () => {
  it('is a swagger 2.0 document of all served paths with v2 definitions', () => {
    const doc = openapiV2Object(SAMPLE) as Obj;
    expect(doc.swagger).toBe('2.0');
    expect(doc.securityDefinitions.BearerToken).toEqual({ description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/', '/apis/', '/version/', '/api/v1/', '/apis/rbac.authorization.k8s.io/', '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles',
      '/apis/tenancy.kplane.io/v1alpha1/workspaces/{name}/status',
    ]));
    const put = doc.paths['/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}'].put;
    expect(put.parameters[0]).toEqual({ in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.rbac.v1.Role' } });
    expect(put.parameters.map((p: Obj) => p.name)).toEqual(['body', 'dryRun', 'fieldManager', 'fieldValidation']);
    expect(put).toMatchObject({ consumes: ['*/*'], schemes: ['https'], operationId: 'replaceRbacAuthorizationV1NamespacedRole' });
    for (const r of refs(doc)) {
      expect(r.startsWith('#/definitions/'), r).toBe(true);
      expect(doc.definitions[r.slice('#/definitions/'.length)], r).toBeDefined();
    }
    const text = openapiV2Document(SAMPLE).body.toString();
    expect(text).not.toMatch(/"allOf"|"oneOf"|"anyOf"|"default":/);
  });

  it('differs per served set', () => {
    expect(openapiV2Document([roles, workspaces]).etag).not.toBe(openapiV2Document(SAMPLE).etag);
  });

});
