// The CustomResourceDefinition object itself over HTTP on an in-process kplane: valid and invalid
// CRDs POSTed to a logical cluster, strict decoding, discovery of the resource, its table, the
// status subresource, generation, and the first DELETE marking the CRD. Every expected text is
// what kube-apiserver v1.34 answered the same request.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type RawResponse, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let creds: Credentials;
const CRDS = '/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(t.url, creds, { method, path, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

function crd(plural: string, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural, kind },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { color: { type: 'string' } } } } } },
      }],
      ...extra,
    },
  };
}

beforeAll(async () => {
  t = await startKplane();
  creds = credentialsOf(readFileSync(t.kubeconfig, 'utf8'));
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('customresourcedefinitions', () => {
  it('creates a CRD in kube\'s form: defaults, status cleared but for storedVersions, generation 1', async () => {
    const body = crd('widgets', 'Widget', {
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { namespace: 'default', name: 'conv' } } } },
    });
    (body.metadata as Record<string, unknown>).generation = 7;
    body.status = { storedVersions: ['v0'], acceptedNames: { plural: 'x', kind: 'X' } };
    const r = await req('POST', CRDS, body);
    expect(r.status).toBe(201);
    expect(r.json.metadata.generation).toBe(1);
    expect(JSON.stringify(r.json.spec)).toBe(JSON.stringify({
      group: 'example.com', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' }, scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { color: { type: 'string' } } } } } }, subresources: { status: {} } }],
      conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { namespace: 'default', name: 'conv', port: 443 } }, conversionReviewVersions: ['v1'] } },
    }));
    // (the CRD controllers may have accepted the names by now; storedVersions is the strategy's)
    expect(r.json.status.storedVersions).toEqual(['v1']);
    const got = await req('GET', `${CRDS}/widgets.example.com`);
    expect(got.status).toBe(200);
    expect(got.json.spec).toEqual(r.json.spec);
  });

  it('refuses an invalid CRD with kube\'s Invalid status', async () => {
    const body = crd('Foos', 'foo', { scope: 'Nowhere' });
    (body.metadata as Record<string, unknown>).name = 'x';
    const r = await req('POST', CRDS, body);
    expect(r.status).toBe(422);
    const label = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    expect(r.json).toMatchObject({
      kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422,
      message: `CustomResourceDefinition.apiextensions.k8s.io "x" is invalid: [metadata.name: Invalid value: "x": must be spec.names.plural+"."+spec.group, spec.scope: Unsupported value: "Nowhere": supported values: "Cluster", "Namespaced", spec.names.plural: Invalid value: "Foos": ${label}]`,
      details: {
        name: 'x', group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition',
        causes: [
          { reason: 'FieldValueInvalid', message: 'Invalid value: "x": must be spec.names.plural+"."+spec.group', field: 'metadata.name' },
          { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Nowhere": supported values: "Cluster", "Namespaced"', field: 'spec.scope' },
          { reason: 'FieldValueInvalid', message: `Invalid value: "Foos": ${label}`, field: 'spec.names.plural' },
        ],
      },
    });
  });

  it('reports errors of a single-version CRD at the internal form\'s paths', async () => {
    const body = crd('gadgets', 'Gadget', {
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'http://conv.example.com/x?a=b' } } },
    });
    const spec = body.spec as { versions: Record<string, unknown>[] };
    spec.versions[0]!.additionalPrinterColumns = [{ name: 'Color', type: 'text', jsonPath: 'spec.color' }];
    const r = await req('POST', CRDS, body);
    expect(r.status).toBe(422);
    expect(r.json.message).toBe('CustomResourceDefinition.apiextensions.k8s.io "gadgets.example.com" is invalid: ['
      + 'spec.additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string, '
      + 'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.color": must be a simple json path starting with ., '
      + 'spec.conversion.webhookClientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path], '
      + 'spec.conversion.webhookClientConfig.url: Invalid value: "a=b": query parameters are not permitted in the URL]');
  });

  it('decodes strictly as kube does', async () => {
    const body = crd('stricts', 'Strict');
    (body.spec as Record<string, unknown>).foo = 1;
    const r = await req('POST', `${CRDS}?fieldValidation=Strict`, body);
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: strict decoding error: unknown field "spec.foo"');
    const typed = crd('stricts', 'Strict');
    (typed.spec as { versions: Record<string, unknown>[] }).versions[0]!.served = 'yes';
    const bad = await req('POST', CRDS, typed);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal string into Go struct field CustomResourceDefinitionVersion.spec.versions.served of type bool');
  });

  it('is in discovery with its short names and category', async () => {
    const r = await req('GET', '/clusters/root/apis/apiextensions.k8s.io/v1');
    expect(r.status).toBe(200);
    const res = r.json.resources.filter((x: { name: string }) => x.name.startsWith('customresourcedefinitions'));
    expect(res).toEqual([
      {
        name: 'customresourcedefinitions', singularName: 'customresourcedefinition', namespaced: false, kind: 'CustomResourceDefinition',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['crd', 'crds'],
        // kube's, which stores CRDs as v1beta1 (apiextensions' LegacyCodec)
        categories: ['api-extensions'], storageVersionHash: 'jfWCUB31mvA=',
      },
      { name: 'customresourcedefinitions/status', singularName: '', namespaced: false, kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] },
    ]);
  });

  it('is in OpenAPI v3 under its group-version-kind: kubectl explain works', async () => {
    const doc = await req('GET', '/clusters/root/openapi/v3/apis/apiextensions.k8s.io/v1');
    expect(doc.status).toBe(200);
    const def = doc.json.components.schemas['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'];
    expect(def['x-kubernetes-group-version-kind']).toEqual([{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', version: 'v1' }]);
    const r = await kubectl(machineKubectl(), t.kubeconfig, ['explain', 'crd.spec.names']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('KIND:       CustomResourceDefinition');
    expect(r.stdout).toMatch(/plural\t<string> -required-/);
  });

  it('serves kube\'s default table', async () => {
    const r = await req('GET', CRDS, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(r.status).toBe(200);
    expect(r.json.columnDefinitions.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([['Name', 'string'], ['Created At', 'date']]);
    const row = r.json.rows.find((x: { cells: string[] }) => x.cells[0] === 'widgets.example.com');
    expect(row.cells[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('bumps generation on spec changes; status is the subresource\'s', async () => {
    const cur = (await req('GET', `${CRDS}/widgets.example.com`)).json;
    const next = structuredClone(cur);
    next.spec.versions[0].served = false;
    next.status.storedVersions = ['x'];
    const u = await req('PUT', `${CRDS}/widgets.example.com`, next);
    expect(u.status).toBe(200);
    expect(u.json.metadata.generation).toBe(cur.metadata.generation + 1);
    expect(u.json.status.storedVersions).toEqual(['v1']);
    // the status subresource keeps the spec (and, as kube's does, takes labels)
    const s = structuredClone(u.json);
    s.spec.scope = 'Cluster';
    s.metadata.labels = { a: 'b' };
    s.status.storedVersions = ['v1', 'v0'];
    const st = await req('PUT', `${CRDS}/widgets.example.com/status`, s);
    expect(st.status).toBe(200);
    expect(st.json.spec.scope).toBe('Namespaced');
    expect(st.json.metadata.labels).toEqual({ a: 'b' });
    expect(st.json.metadata.generation).toBe(u.json.metadata.generation);
    expect(st.json.status.storedVersions).toEqual(['v1', 'v0']);
  });

  it('refuses scope and kind changes once established', async () => {
    await eventually(async () => (await req('GET', `${CRDS}/widgets.example.com`)).json.status.conditions
      ?.some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True'), 10_000, 'Established');
    const cur = (await req('GET', `${CRDS}/widgets.example.com`)).json;
    cur.spec.scope = 'Cluster';
    cur.spec.names.kind = 'Gizmo';
    const r = await req('PUT', `${CRDS}/widgets.example.com`, cur);
    expect(r.status).toBe(422);
    // (v0 came into storedVersions through the status subresource above)
    expect(r.json.message).toBe('CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: [spec.scope: Invalid value: "Cluster": field is immutable, spec.names.kind: Invalid value: "Gizmo": field is immutable, '
      + 'status.storedVersions[1]: Invalid value: "v0": missing from spec.versions; v0 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v0 and removes v0 from status.storedVersions]');
  });

  it('marks the CRD on the first DELETE', async () => {
    const r = await req('DELETE', `${CRDS}/widgets.example.com`);
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('CustomResourceDefinition');
    expect(r.json.metadata.deletionTimestamp).toBeDefined();
    expect(r.json.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');
    expect(r.json.status.conditions).toContainEqual(expect.objectContaining({
      type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
      message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
    }));
  });
});
