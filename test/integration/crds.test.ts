// CustomResourceDefinitions with the real kubectl and @kubernetes/client-node: a multi-version
// CRD with CEL rules, printer columns and subresources; kube's messages for invalid objects;
// defaults; pruning and Strict field validation; kubectl explain / get / scale / patch
// --subresource=status; a conversion webhook served by the test; a CRD of one workspace invisible
// in another; an informer on a custom resource; Cluster API's real CRDs (kubectl, clusterctl).
//
// CRDS_TARGET=kube runs the same checks (all but the workspace ones) against a real
// kube-apiserver (test/harness/management-cluster.ts): every expected text here is kube's.

import * as k8s from '@kubernetes/client-node';
import { kubeconfigRequest, type KubeconfigAnswer } from '../helpers/kubeconfig-request.js';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { CAPI_CRD_DIRS, capiModuleDir, readObjects } from '../helpers/capi.js';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type TestKplane } from '../helpers/kplane.js';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { issueCertificate } from '../harness/pki.js';
import { ensureTools, toolPath } from '../harness/tools.js';

const onKube = process.env.CRDS_TARGET === 'kube';
const G = 'crds.example.com';
const NS = 'crd';

let t: TestKplane | undefined;
let mc: ManagementCluster | undefined;
/** Kubeconfigs of workspace A (everything) and workspace B (isolation; kplane only). */
let kcA: string;
let kcB: string;
let kc: k8s.KubeConfig;

const k = (args: string[], input?: string) => kubectl(machineKubectl(), kcA, args, input, 120_000);
const kB = (args: string[], input?: string) => kubectl(machineKubectl(), kcB, args, input);

/** A raw request to workspace A (paths from the API root). */
function api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeconfigAnswer> {
  return kubeconfigRequest(kc, method, path, body, contentType);
}

const widgetsCRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${G}` },
  spec: {
    group: G,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wdg'], categories: ['all'] },
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: false,
        deprecated: true,
        deprecationWarning: `${G}/v1beta1 Widget is deprecated; use ${G}/v1`,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
      },
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'Widget is a test kind of issue 8.',
            properties: {
              spec: {
                type: 'object',
                description: 'spec is what the widget should be.',
                required: ['size'],
                'x-kubernetes-validations': [{ rule: 'self.minReplicas <= self.replicas', message: 'replicas must be at least minReplicas' }],
                properties: {
                  size: { type: 'string', description: 'size of the widget.', enum: ['small', 'medium', 'large'] },
                  replicas: { type: 'integer', description: 'replicas wanted.', minimum: 0, maximum: 10, default: 1 },
                  minReplicas: { type: 'integer', default: 0 },
                  color: { type: 'string', default: 'blue', pattern: '^[a-z]+$' },
                  owner: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'owner is immutable' }] },
                },
              },
              status: {
                type: 'object',
                properties: { replicas: { type: 'integer' }, phase: { type: 'string' }, selector: { type: 'string' } },
              },
            },
          },
        },
        subresources: {
          status: {},
          scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
        },
        additionalPrinterColumns: [
          { name: 'Size', type: 'string', jsonPath: '.spec.size' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1 },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
};

const NOT_CHECKED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

const widget = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  toYaml({ apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name, namespace: NS }, spec, ...extra });

async function waitEstablished(name: string, kubeconfig = kcA): Promise<void> {
  const r = await kubectl(machineKubectl(), kubeconfig, ['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s'], undefined, 90_000);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe(`customresourcedefinition.apiextensions.k8s.io/${name} condition met`);
}

beforeAll(async () => {
  await ensureTools();
  if (onKube) {
    mc = await startManagementCluster();
    kcA = mc.kubeconfigPath;
    kcB = mc.kubeconfigPath;
  } else {
    t = await startKplane();
    const admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
    for (const ws of ['crd-a', 'crd-b']) {
      const r = await raw(t.url, admin, { method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces', body: JSON.stringify({ metadata: { name: ws } }) });
      expect(r.status).toBe(201);
      await eventually(async () => (await raw(t!.url, admin, { path: `/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/${ws}` })).json?.status?.phase === 'Ready', 10_000, `${ws} Ready`);
    }
    kcA = await t.kubeconfigFor('root:crd-a');
    kcB = await t.kubeconfigFor('root:crd-b');
  }
  kc = new k8s.KubeConfig();
  kc.loadFromFile(kcA);
  expect((await k(['create', 'namespace', NS])).code).toBe(0);
});
afterAll(async () => {
  await Promise.allSettled([t?.stop(), mc?.stop()]);
});

describe('a multi-version CRD with CEL rules, printer columns and subresources', () => {
  it('is created and established', async () => {
    const r = await k(['create', '-f', '-'], toYaml(widgetsCRD));
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`customresourcedefinition.apiextensions.k8s.io/widgets.${G} created`);
    await waitEstablished(`widgets.${G}`);
    const crd = JSON.parse((await k(['get', 'crd', `widgets.${G}`, '-o', 'json'])).stdout);
    const conds = Object.fromEntries(crd.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, `${c.status} ${c.reason}`]));
    expect(conds).toEqual({ NamesAccepted: 'True NoConflicts', Established: 'True InitialNamesAccepted' });
    expect(crd.status.acceptedNames).toEqual({ plural: 'widgets', singular: 'widget', shortNames: ['wdg'], kind: 'Widget', listKind: 'WidgetList', categories: ['all'] });
    expect(crd.status.storedVersions).toEqual(['v1']);
    // served: kubectl's discovery finds the short name and the category
    await eventually(async () => (await k(['get', 'wdg', '-n', NS])).code === 0, 15_000, 'widgets served');
  });

  it('applies defaults and shows the printer columns', async () => {
    const r = await k(['create', '-f', '-'], widget('w1', { size: 'small' }));
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`widget.${G}/w1 created`);
    const w = JSON.parse((await k(['get', 'widget', 'w1', '-n', NS, '-o', 'json'])).stdout);
    expect(w.spec).toEqual({ size: 'small', replicas: 1, minReplicas: 0, color: 'blue' });
    const list = await k(['get', 'widgets', '-n', NS]);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/^NAME\s+SIZE\s+REPLICAS\s+AGE\nw1\s+small\s+1\s+\d+s\n$/);
    const wide = await k(['get', 'widgets', '-n', NS, '-o', 'wide']);
    // a null cell is printed empty
    expect(wide.stdout).toMatch(/^NAME\s+SIZE\s+REPLICAS\s+PHASE\s+AGE\nw1\s+small\s+1\s+\d+s\n$/);
    const all = await k(['get', 'all', '-n', NS, '-o', 'name']);
    expect(all.stdout.split('\n')).toContain(`widget.${G}/w1`);
  });

  it('refuses invalid objects with kube\'s messages', async () => {
    const enumErr = await k(['create', '-f', '-'], widget('bad', { size: 'tiny' }));
    expect(enumErr.code).not.toBe(0);
    // schema errors stop the CEL rules, which kube says as a second cause
    expect(enumErr.stderr).toBe([
      'The Widget "bad" is invalid: ',
      '* spec.size: Unsupported value: "tiny": supported values: "small", "medium", "large"',
      `* <nil>: Invalid value: null: ${NOT_CHECKED}`,
      '',
    ].join('\n'));
    const maxErr = await k(['create', '-f', '-'], widget('bad', { size: 'small', replicas: 11 }));
    expect(maxErr.stderr).toBe('The Widget "bad" is invalid: spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10\n');
    const patternErr = await k(['create', '-f', '-'], widget('bad', { size: 'small', color: 'Blue' }));
    expect(patternErr.stderr).toBe(`The Widget "bad" is invalid: spec.color: Invalid value: "Blue": spec.color in body should match '^[a-z]+$'\n`);
    const celErr = await k(['create', '-f', '-'], widget('bad', { size: 'small', replicas: 1, minReplicas: 3 }));
    expect(celErr.stderr).toBe('The Widget "bad" is invalid: spec: Invalid value: "object": replicas must be at least minReplicas\n');
    const required = await api('POST', `/apis/${G}/v1/namespaces/${NS}/widgets`, { apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: {} });
    expect(required.status).toBe(422);
    expect(required.json.message).toBe(`Widget.${G} "bad" is invalid: [spec.size: Required value, <nil>: Invalid value: null: ${NOT_CHECKED}]`);
    expect(required.json.details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.size' },
      { reason: 'FieldValueInvalid', message: `Invalid value: null: ${NOT_CHECKED}`, field: '<nil>' },
    ]);
    expect((await k(['get', 'widget', 'bad', '-n', NS])).stderr).toContain(`widgets.${G} "bad" not found`);
  });

  it('applies transition rules on update', async () => {
    expect((await k(['create', '-f', '-'], widget('owned', { size: 'small', owner: 'alice' }))).code).toBe(0);
    const r = await k(['patch', 'widget', 'owned', '-n', NS, '--type=merge', '-p', '{"spec":{"owner":"bob"}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Widget "owned" is invalid: spec.owner: Invalid value: "string": owner is immutable');
    const ok = await k(['patch', 'widget', 'owned', '-n', NS, '--type=merge', '-p', '{"spec":{"size":"large"}}']);
    expect(ok.stdout.trim()).toBe(`widget.${G}/owned patched`);
    const sm = await k(['patch', 'widget', 'owned', '-n', NS, '-p', '{"spec":{"size":"medium"}}']);
    expect(sm.code).not.toBe(0);
    expect(sm.stderr).toContain('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });

  it('prunes unknown fields with a warning, or refuses them under Strict', async () => {
    const strict = await k(['create', '--validate=strict', '-f', '-'], widget('u1', { size: 'small', extra: 1 }));
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.extra"');
    const warn = await k(['create', '--validate=warn', '-f', '-'], widget('u2', { size: 'small', extra: 1 }, { status: { bogus: true } }));
    expect(warn.code).toBe(0);
    expect(warn.stderr).toContain('Warning: unknown field "spec.extra"');
    const ignored = await k(['create', '--validate=false', '-f', '-'], widget('u3', { size: 'small', extra: 1 }));
    expect(ignored.stderr).toBe('');
    for (const n of ['u2', 'u3']) {
      const w = JSON.parse((await k(['get', 'widget', n, '-n', NS, '-o', 'json'])).stdout);
      expect(w.spec).toEqual({ size: 'small', replicas: 1, minReplicas: 0, color: 'blue' });
      expect(w.status).toBeUndefined();
    }
  });

  it('explains the custom resource', async () => {
    const r = await k(['explain', 'widgets.spec']);
    expect(r.stderr).toBe('');
    // kubectl renders the OpenAPI v3 document of the group version (indentation aside)
    expect(r.stdout.replace(/[ \t]+/g, ' ')).toBe([
      `GROUP: ${G}`, 'KIND: Widget', 'VERSION: v1', '', 'FIELD: spec <Object>', '', '',
      'DESCRIPTION:', ' spec is what the widget should be.', ' ', 'FIELDS:',
      ' color <string>', ' <no description>', '',
      ' minReplicas <integer>', ' <no description>', '',
      ' owner <string>', ' <no description>', '',
      ' replicas <integer>', ' replicas wanted.', '',
      ' size <string> -required-', ' enum: small, medium, large', ' size of the widget.', '', '', '',
    ].join('\n'));
  });

  it('explains the custom resource from the OpenAPI v2 document too', async () => {
    const r = await k(['explain', 'widgets.spec', '--output=plaintext-openapiv2']);
    expect(r.stderr).toBe('');
    expect(r.stdout.replace(/[ \t]+/g, ' ')).toBe([
      'KIND: Widget', `VERSION: ${G}/v1`, '', 'RESOURCE: spec <Object>', '', 'DESCRIPTION:', ' spec is what the widget should be.', '', 'FIELDS:',
      ' color <string>', '', ' minReplicas <integer>', '', ' owner <string>', '', ' replicas <integer>', ' replicas wanted.', '',
      ' size <string> -required-', ' size of the widget.', '', '',
    ].join('\n'));
  });

  it('scales through the scale subresource and patches status', async () => {
    const scaled = await k(['scale', 'widget', 'w1', '-n', NS, '--replicas=3']);
    expect(scaled.stderr).toBe('');
    expect(scaled.stdout.trim()).toBe(`widget.${G}/w1 scaled`);
    const status = await k(['patch', 'widget', 'w1', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","replicas":3,"selector":"app=w1"},"spec":{"size":"large"}}']);
    expect(status.stderr).toBe('');
    expect(status.stdout.trim()).toBe(`widget.${G}/w1 patched`);
    const w = JSON.parse((await k(['get', 'widget', 'w1', '-n', NS, '-o', 'json'])).stdout);
    expect(w.spec).toMatchObject({ size: 'small', replicas: 3 });
    expect(w.status).toEqual({ phase: 'Running', replicas: 3, selector: 'app=w1' });
    expect(w.metadata.generation).toBe(2);
    const wide = await k(['get', 'widget', 'w1', '-n', NS, '-o', 'wide']);
    expect(wide.stdout).toMatch(/\nw1\s+small\s+3\s+Running\s+\d+s\n$/);
    // status written through the main resource is ignored
    await k(['patch', 'widget', 'w1', '-n', NS, '--type=merge', '-p', '{"status":{"phase":"Lost"}}']);
    expect(JSON.parse((await k(['get', 'widget', 'w1', '-n', NS, '-o', 'json'])).stdout).status.phase).toBe('Running');
    const scale = await api('GET', `/apis/${G}/v1/namespaces/${NS}/widgets/w1/scale`);
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=w1' } });
    const tooMany = await k(['scale', 'widget', 'w1', '-n', NS, '--replicas=20']);
    expect(tooMany.stderr).toContain('spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10');
  });

  it('serves the deprecated version with conversion None', async () => {
    const r = await k(['get', `widgets.v1beta1.${G}`, 'w1', '-n', NS, '-o', 'json']);
    expect(r.stderr).toContain(`Warning: ${G}/v1beta1 Widget is deprecated; use ${G}/v1`);
    const w = JSON.parse(r.stdout);
    expect(w.apiVersion).toBe(`${G}/v1beta1`);
    expect(w.spec).toMatchObject({ size: 'small', replicas: 3 });
  });

  it('is reached by client-node\'s generic object API through discovery', async () => {
    const objs = k8s.KubernetesObjectApi.makeApiClient(kc);
    const created = await objs.create({ apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name: 'generic', namespace: NS }, spec: { size: 'large' } } as k8s.KubernetesObject);
    expect((created as { spec?: unknown }).spec).toEqual({ size: 'large', replicas: 1, minReplicas: 0, color: 'blue' });
    const list = await objs.list(`${G}/v1`, 'Widget', NS, undefined, undefined, undefined, 'metadata.name=generic');
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['generic']);
    const err = await objs.create({ apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name: 'generic2', namespace: NS }, spec: { size: 'huge' } } as k8s.KubernetesObject).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<string>).code).toBe(422);
    await objs.delete({ apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name: 'generic', namespace: NS } });
  });

  it('is authorized by RBAC like a built-in resource', async () => {
    const rbac = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'widget-reader', namespace: NS }, rules: [{ apiGroups: [G], resources: ['widgets'], verbs: ['get', 'list'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bob-reads', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'widget-reader' }, subjects: [{ kind: 'User', name: 'bob' }] },
    ];
    expect((await k(['create', '-f', '-'], rbac.map((o) => toYaml(o)).join('---\n'))).code).toBe(0);
    // bob: impersonated on kube, his own client certificate on kplane
    const bob = async (args: string[]) => (onKube ? k([...args, '--as=bob']) : kubectl(machineKubectl(), await t!.kubeconfigFor('root:crd-a', 'bob', []), args));
    const read = await eventually(async () => { const r = await bob(['get', 'widget', 'w1', '-n', NS]); return r.code === 0 ? r : false; }, 10_000, 'bob may read')
      .catch(async () => bob(['get', 'widget', 'w1', '-n', NS]));
    expect(read.stderr).toBe('');
    const write = await bob(['scale', 'widget', 'w1', '-n', NS, '--replicas=2']);
    expect(write.stderr).toBe(`Error from server (Forbidden): widgets.${G} "w1" is forbidden: User "bob" cannot patch resource "widgets/scale" in API group "${G}" in the namespace "${NS}"\n`);
    const status = await bob(['patch', 'widget', 'w1', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"x"}}']);
    expect(status.stderr).toBe(`Error from server (Forbidden): widgets.${G} "w1" is forbidden: User "bob" cannot get resource "widgets/status" in API group "${G}" in the namespace "${NS}"\n`);
    const can = await bob(['auth', 'can-i', 'list', `widgets.${G}`, '-n', NS]);
    expect(can.stdout.trim()).toBe('yes');
  });

  it('keeps a client-node informer on the custom resource in sync', async () => {
    const objs = kc.makeApiClient(k8s.CustomObjectsApi);
    const informer = k8s.makeInformer(kc, `/apis/${G}/v1/namespaces/${NS}/widgets`,
      () => objs.listNamespacedCustomObject({ group: G, version: 'v1', namespace: NS, plural: 'widgets' }) as never);
    const events: string[] = [];
    informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
    await informer.start();
    try {
      await eventually(() => informer.list(NS).some((o) => o.metadata?.name === 'w1'), 10_000, 'initial list');
      await objs.createNamespacedCustomObject({ group: G, version: 'v1', namespace: NS, plural: 'widgets', body: { apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name: 'inf' }, spec: { size: 'medium' } } });
      await eventually(() => events.includes('add inf'), 10_000, 'add event');
      expect((informer.get('inf', NS) as { spec?: { replicas?: number } } | undefined)?.spec?.replicas).toBe(1);
      await objs.patchNamespacedCustomObject({ group: G, version: 'v1', namespace: NS, plural: 'widgets', name: 'inf', body: { spec: { size: 'large' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await eventually(() => events.includes('update inf'), 10_000, 'update event');
      await objs.deleteNamespacedCustomObject({ group: G, version: 'v1', namespace: NS, plural: 'widgets', name: 'inf' });
      await eventually(() => events.includes('delete inf'), 10_000, 'delete event');
      expect(informer.get('inf', NS)).toBeUndefined();
    } finally {
      await informer.stop();
    }
  });
});

describe('a conversion webhook served by the test', () => {
  let server: Server;
  const reviews: { review: string; desiredAPIVersion: string; kinds: string[] }[] = [];
  let webhook!: { url: string; caBundle: string };
  const crdOf = (plural: string, kind: string, reviewVersions: string[]) => {
    const schema = (field: string) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { [field]: { type: 'string' } } } } } });
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${G}` },
      spec: {
        group: G,
        scope: 'Namespaced',
        names: { plural, kind },
        versions: [{ name: 'v1', served: true, storage: true, schema: schema('colour') }, { name: 'v2', served: true, storage: false, schema: schema('color') }],
        conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: reviewVersions, clientConfig: webhook } },
      },
    };
  };

  beforeAll(async () => {
    const ca = issueCertificate({ subject: { commonName: 'crds-test-webhook-ca' }, isCA: true });
    const serving = issueCertificate({ subject: { commonName: '127.0.0.1' }, issuer: ca, usages: ['server'], sans: ['127.0.0.1'] });
    // v1 spec.colour <-> v2 spec.color: a rename only a webhook can do
    server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const review = JSON.parse(body) as { apiVersion: string; request: { uid: string; desiredAPIVersion: string; objects: Record<string, any>[] } };
        reviews.push({ review: review.apiVersion, desiredAPIVersion: review.request.desiredAPIVersion, kinds: review.request.objects.map((o) => `${o.apiVersion} ${o.kind}`) });
        if (review.request.objects.some((o) => o.spec?.color === 'refused')) {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response: { uid: review.request.uid, convertedObjects: [], result: { status: 'Failure', message: 'refused colour' } } }));
          return;
        }
        const convertedObjects = review.request.objects.map((o) => {
          const out = { ...o, apiVersion: review.request.desiredAPIVersion, spec: { ...(o.spec ?? {}) } };
          if (review.request.desiredAPIVersion.endsWith('/v2') && 'colour' in out.spec) {
            out.spec.color = out.spec.colour;
            delete out.spec.colour;
          } else if (review.request.desiredAPIVersion.endsWith('/v1') && 'color' in out.spec) {
            out.spec.colour = out.spec.color;
            delete out.spec.color;
          }
          return out;
        });
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response: { uid: review.request.uid, convertedObjects, result: { status: 'Success' } } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    webhook = { url: `https://127.0.0.1:${port}/convert`, caBundle: Buffer.from(ca.certPem).toString('base64') };
    expect((await k(['create', '-f', '-'], toYaml(crdOf('paints', 'Paint', ['v1'])))).stdout.trim()).toBe(`customresourcedefinition.apiextensions.k8s.io/paints.${G} created`);
    await waitEstablished(`paints.${G}`);
    await eventually(async () => (await k(['get', `paints.v2.${G}`, '-n', NS])).code === 0, 15_000, 'paints served');
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it('converts on write and on read in either version', async () => {
    const created = await k(['create', '-f', '-'], toYaml({ apiVersion: `${G}/v2`, kind: 'Paint', metadata: { name: 'p', namespace: NS }, spec: { color: 'red' } }));
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe(`paint.${G}/p created`);
    const v1 = JSON.parse((await k(['get', `paints.v1.${G}`, 'p', '-n', NS, '-o', 'json'])).stdout);
    expect(v1.apiVersion).toBe(`${G}/v1`);
    expect(v1.spec).toEqual({ colour: 'red' });
    const v2 = JSON.parse((await k(['get', `paints.v2.${G}`, 'p', '-n', NS, '-o', 'json'])).stdout);
    expect(v2.apiVersion).toBe(`${G}/v2`);
    expect(v2.spec).toEqual({ color: 'red' });
    expect(reviews).toContainEqual({ review: 'apiextensions.k8s.io/v1', desiredAPIVersion: `${G}/v1`, kinds: [`${G}/v2 Paint`] });
    expect(reviews).toContainEqual({ review: 'apiextensions.k8s.io/v1', desiredAPIVersion: `${G}/v2`, kinds: [`${G}/v1 Paint`] });
    const list = await api('GET', `/apis/${G}/v2/namespaces/${NS}/paints`);
    expect(list.json.items.map((o: { apiVersion: string; spec: unknown }) => [o.apiVersion, o.spec])).toEqual([[`${G}/v2`, { color: 'red' }]]);
  });

  it('sends ConversionReview v1beta1 to a webhook that only speaks v1beta1', async () => {
    expect((await k(['create', '-f', '-'], toYaml(crdOf('inks', 'Ink', ['v1beta1'])))).code).toBe(0);
    await waitEstablished(`inks.${G}`);
    await eventually(async () => (await api('GET', `/apis/${G}/v2/namespaces/${NS}/inks`)).status === 200, 15_000, 'inks served');
    const created = await api('POST', `/apis/${G}/v2/namespaces/${NS}/inks`, { apiVersion: `${G}/v2`, kind: 'Ink', metadata: { name: 'i' }, spec: { color: 'blue' } });
    expect(created.status).toBe(201);
    expect(created.json.spec).toEqual({ color: 'blue' });
    expect((await api('GET', `/apis/${G}/v1/namespaces/${NS}/inks/i`)).json.spec).toEqual({ colour: 'blue' });
    expect(reviews).toContainEqual({ review: 'apiextensions.k8s.io/v1beta1', desiredAPIVersion: `${G}/v1`, kinds: [`${G}/v2 Ink`] });
  });

  it('answers the webhook\'s refusal as kube does', async () => {
    const r = await api('POST', `/apis/${G}/v2/namespaces/${NS}/paints`, { apiVersion: `${G}/v2`, kind: 'Paint', metadata: { name: 'refused' }, spec: { color: 'refused' } });
    // an untyped 500 (no reason), the webhook's message quoted
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `conversion webhook for ${G}/v2, Kind=Paint failed: refused colour`, code: 500 });
  });

  it('deletes the objects with their CRD', async () => {
    // kubectl waits for the CRD's finalizer: its objects are deleted first
    const r = await k(['delete', 'crd', `paints.${G}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`customresourcedefinition.apiextensions.k8s.io "paints.${G}" deleted`);
    expect((await api('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/paints.${G}`)).status).toBe(404);
    await eventually(async () => (await api('GET', `/apis/${G}/v2/namespaces/${NS}/paints`)).status === 404, 15_000, 'paints not served');
    // and kubectl's discovery no longer finds the resource
    await eventually(async () => (await k(['get', `paints.${G}`, '-n', NS])).stderr.includes('the server doesn\'t have a resource type'), 15_000, 'paints out of discovery');
  });
});

describe.skipIf(onKube)('workspaces', () => {
  it('keeps a CRD of workspace A invisible in workspace B', async () => {
    const r = await kB(['get', 'widgets', '-n', 'default']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: the server doesn\'t have a resource type "widgets"');
    const crds = await kB(['get', 'crds', '-o', 'name']);
    expect(crds.stdout.trim()).toBe('');
    // B can hold a different CRD of the same name
    const other = { ...widgetsCRD, spec: { ...widgetsCRD.spec, versions: [{ name: 'v9', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } };
    expect((await kB(['create', '-f', '-'], toYaml(other))).code).toBe(0);
    await waitEstablished(`widgets.${G}`, kcB);
    expect((await kB(['api-versions'])).stdout.split('\n')).toContain(`${G}/v9`);
    expect((await k(['api-versions'])).stdout.split('\n')).not.toContain(`${G}/v9`);
  });
});

describe('Cluster API v1.14 CRDs', () => {
  it('are applied with kubectl and served', async () => {
    const dir = capiModuleDir();
    for (const d of CAPI_CRD_DIRS) {
      // client-side apply: the largest CRD (ClusterClass, 195 KiB of JSON) still fits kube's
      // 256 KiB of annotations with its last-applied-configuration
      const r = await k(['apply', '-f', `${dir}/${d}`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^(customresourcedefinition\.apiextensions\.k8s\.io\/\S+ created\n)+$/);
    }
    // applied again: unchanged; then changed (a label, as a provider's contract label), which
    // kubectl sends as a strategic merge patch of the CRD
    const file = `${dir}/core/config/crd/bases/cluster.x-k8s.io_clusters.yaml`;
    const again = await k(['apply', '-f', file]);
    expect(again.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/clusters.cluster.x-k8s.io unchanged');
    const crd = readObjects(file)[0]!;
    const labelled = { ...crd, metadata: { ...(crd.metadata as object), labels: { 'cluster.x-k8s.io/v1beta2': 'v1beta2' } } };
    const changed = await k(['apply', '-f', '-'], toYaml(labelled));
    expect(changed.stderr).toBe('');
    expect(changed.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/clusters.cluster.x-k8s.io configured');
    expect(JSON.parse((await k(['get', 'crd', 'clusters.cluster.x-k8s.io', '-o', 'json'])).stdout).metadata.labels).toEqual({ 'cluster.x-k8s.io/v1beta2': 'v1beta2' });
    const w = await kubectl(machineKubectl(), kcA, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=90s'], undefined, 120_000);
    expect(w.code).toBe(0);
    await eventually(async () => (await k(['get', 'clusters.cluster.x-k8s.io', '-n', NS])).code === 0, 15_000, 'clusters served');
  });

  it('explains cluster.spec.topology', async () => {
    const r = await k(['explain', 'cluster.spec.topology']);
    expect(r.stderr).toBe('');
    // kube's text (indentation aside), from the v1beta2 schema in the OpenAPI v3 document
    expect(r.stdout.replace(/[ \t]+/g, ' ')).toBe([
      'GROUP: cluster.x-k8s.io', 'KIND: Cluster', 'VERSION: v1beta2', '', 'FIELD: topology <Object>', '', '',
      'DESCRIPTION:', ' topology encapsulates the topology for the cluster.', ' NOTE: It is required to enable the ClusterTopology',
      ' feature gate flag to activate managed topologies support.', ' ', 'FIELDS:',
      ' classRef <Object> -required-', ' classRef is the ref to the ClusterClass that should be used for the', ' topology.', '',
      ' controlPlane <Object>', ' controlPlane describes the cluster control plane.', '',
      ' variables <[]Object>', ' variables can be used to customize the Cluster through', ' patches. They must comply to the corresponding',
      ' VariableClasses defined in the ClusterClass.', '',
      ' version <string> -required-', ' version is the Kubernetes version of the cluster.', '',
      ' workers <Object>', ' workers encapsulates the different constructs that form the worker nodes', ' for the cluster.', '', '', '',
    ].join('\n'));
  });

  it('accepts a valid v1beta2 Cluster and shows kubectl get clusters columns', async () => {
    const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'c1', namespace: NS },
      spec: { topology: { classRef: { name: 'quick-start' }, version: 'v1.34.0', workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0' }] } } } };
    const r = await k(['create', '-f', '-'], toYaml(cluster));
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('cluster.cluster.x-k8s.io/c1 created');
    const get = await k(['get', 'clusters', '-n', NS]);
    expect(get.stdout).toMatch(/^NAME\s+CLUSTERCLASS\s+AVAILABLE\s+CP DESIRED\s+CP AVAILABLE\s+CP UP-TO-DATE\s+W DESIRED\s+W AVAILABLE\s+W UP-TO-DATE\s+PHASE\s+AGE\s+VERSION\nc1\s+quick-start\s+\d+s\s+v1\.34\.0\n$/);
    const bad = await k(['create', '-f', '-'], toYaml({ ...cluster, metadata: { name: 'c2', namespace: NS }, spec: { topology: { classRef: { name: 'quick-start' } } } }));
    expect(bad.stderr).toContain('The Cluster "c2" is invalid: \n* spec.topology.version: Required value');
  });

  it('is read by clusterctl describe cluster', async () => {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(toolPath('clusterctl'), ['describe', 'cluster', 'c1', '-n', NS, '--kubeconfig', kcA], {
        env: { PATH: process.env.PATH, HOME: dirname(kcA), CLUSTERCTL_DISABLE_VERSIONCHECK: 'true' }, timeout: 60_000,
      }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
    expect(out.stderr).toBe('');
    expect(out.stdout.replace(/[ \t]+/g, ' ')).toBe('NAME REPLICAS AVAILABLE READY UP TO DATE STATUS REASON SINCE MESSAGE \nCluster crd/c1, v1.34.0 \n');
  });

  it('accepts a ClusterClass and a MachineDeployment, refuses invalid ones, and scales the MachineDeployment', async () => {
    const ref = (apiVersion: string, kind: string, name: string) => ({ templateRef: { apiVersion, kind, name } });
    const cc = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'ClusterClass', metadata: { name: 'quick-start', namespace: NS },
      spec: {
        controlPlane: { ...ref('controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlaneTemplate', 'cp'), machineInfrastructure: ref('infrastructure.cluster.x-k8s.io/v1beta2', 'DockerMachineTemplate', 'cp') },
        infrastructure: ref('infrastructure.cluster.x-k8s.io/v1beta2', 'DockerClusterTemplate', 'infra'),
        variables: [{ name: 'region', required: false, schema: { openAPIV3Schema: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 0' }] } } }],
      } };
    expect((await k(['create', '-f', '-'], toYaml(cc))).stdout.trim()).toBe('clusterclass.cluster.x-k8s.io/quick-start created');
    // defaulted inside the variable's schema
    const got = JSON.parse((await k(['get', 'clusterclass', 'quick-start', '-n', NS, '-o', 'json'])).stdout);
    expect(got.spec.variables[0].schema.openAPIV3Schema['x-kubernetes-validations']).toEqual([{ rule: 'self.size() > 0', reason: 'FieldValueInvalid' }]);
    const badCC = await k(['create', '-f', '-'], toYaml({ ...cc, metadata: { name: 'bad', namespace: NS }, spec: { controlPlane: cc.spec.controlPlane } }));
    expect(badCC.stderr).toBe(`The ClusterClass "bad" is invalid: \n* spec.infrastructure: Required value\n* <nil>: Invalid value: null: ${NOT_CHECKED}\n`);
    const md = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'MachineDeployment', metadata: { name: 'md', namespace: NS },
      spec: { clusterName: 'c1', replicas: 1, selector: { matchLabels: { app: 'md' } },
        template: { metadata: { labels: { app: 'md' } }, spec: { clusterName: 'c1', version: 'v1.34.0',
          bootstrap: { configRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 'md' } },
          infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 'md' } } } } };
    expect((await k(['create', '-f', '-'], toYaml(md))).stdout.trim()).toBe('machinedeployment.cluster.x-k8s.io/md created');
    const badMD = await k(['create', '-f', '-'], toYaml({ ...md, metadata: { name: 'bad', namespace: NS }, spec: { ...md.spec, rollout: { after: 'yesterday' } } }));
    expect(badMD.stderr).toBe('The MachineDeployment "bad" is invalid: spec.rollout.after: Invalid value: "yesterday": spec.rollout.after in body must be of type date-time: "yesterday"\n');
    expect((await k(['patch', 'machinedeployment', 'md', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"app=md"}}'])).code).toBe(0);
    const scaled = await k(['scale', 'machinedeployment', 'md', '-n', NS, '--replicas=3']);
    expect(scaled.stdout.trim()).toBe('machinedeployment.cluster.x-k8s.io/md scaled');
    const get = await k(['get', 'machinedeployments', '-n', NS]);
    expect(get.stdout).toMatch(/^NAME\s+CLUSTER\s+AVAILABLE\s+DESIRED\s+CURRENT\s+READY\s+AVAILABLE\s+UP-TO-DATE\s+PHASE\s+AGE\s+VERSION\nmd\s+c1\s+3\s+1\s+\d+s\s+v1\.34\.0\n$/);
  });
});
