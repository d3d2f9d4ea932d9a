// Admission webhooks by URL with the real kubectl and a real HTTPS webhook server on 127.0.0.1
// (a CA made by the test, its bundle in the configurations), in two logical clusters: denials with
// the webhook's message and code, warnings, JSON patch mutations (and reinvocation), failurePolicy
// Ignore vs Fail on an unreachable webhook, timeouts, namespace and object selectors, match
// conditions, dry-run, AdmissionReview v1beta1, a service reference through the resolver, and
// isolation: a tenant's webhook only ever sees that tenant's requests, and its slowness holds only
// that tenant's request.
//
// ADMISSION_WEBHOOKS_TARGET=kube runs the same checks (all but the workspace ones) against a real
// kube-apiserver (test/harness/management-cluster.ts): every expected text here is kube's.

import * as k8s from '@kubernetes/client-node';
import { kubeconfigRequest, type KubeconfigAnswer } from '../helpers/kubeconfig-request.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type TestKplane } from '../helpers/kplane.js';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { issueCertificate } from '../harness/pki.js';
import { ensureTools } from '../harness/tools.js';

const onKube = process.env.ADMISSION_WEBHOOKS_TARGET === 'kube';
const D = 'webhooks.kplane.test';
const SERVICE_HOST = `hooksvc.webhook-system.svc`;

let t: TestKplane | undefined;
let mc: ManagementCluster | undefined;
let kcA: string;
let kcB: string;
let server: Server;
let port = 0;
let closedPort = 0;
let caBundle = '';
/** Every review the webhook server got: its path, the ?timeout it was given, the review. */
const calls: { path: string; timeout: string | null; review: any }[] = [];
/** Responses the /slow webhook holds (ended when the test ends). */
const held: ServerResponse[] = [];
/** How often /first saw each object name. */
const firstSeen = new Map<string, number>();
/** The audit log both servers write (configmap writes at Metadata level). */
let auditDir = '';
const auditLog = () => join(auditDir, 'audit.log');
const AUDIT_POLICY = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources: [{group: "", resources: [configmaps]}]\n- level: None\n';

/** The annotations of the audit event of a configmap write (once it is in the log). */
async function auditAnnotations(verb: string, ns: string, name: string): Promise<Record<string, string>> {
  return eventually(async () => {
    const events = (await readFile(auditLog(), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const ev = events.find((e) => e.verb === verb && e.stage === 'ResponseComplete' && e.objectRef?.namespace === ns && e.objectRef?.name === name);
    return ev ? (ev.annotations ?? {}) as Record<string, string> : undefined;
  }, 15_000, `audit event of ${verb} ${ns}/${name}`);
}

/** YAML for kubectl with every string quoted (kubectl reads YAML 1.1, where a bare yes is a bool). */
const toYaml = (o: unknown): string => stringify(o, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });

const k = (args: string[], input?: string) => kubectl(machineKubectl(), kcA, args, input, 120_000);
const kB = (args: string[], input?: string) => kubectl(machineKubectl(), kcB, args, input, 120_000);

/** A raw request to a cluster of the test (paths from the API root), with its warnings. */
async function api(kubeconfig: string, method: string, path: string, body?: unknown): Promise<KubeconfigAnswer> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kubeconfigRequest(kc, method, path, body);
}

const apiA = (method: string, path: string, body?: unknown) => api(kcA, method, path, body);

const allowed = (review: any, extra: Record<string, unknown> = {}) => ({
  apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, ...extra },
});
const jsonPatch = (ops: unknown[]) => ({ patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });
const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
/** JSON patch operations setting a label (or annotation), whether the map exists or not. */
function setMeta(obj: any, field: 'labels' | 'annotations', key: string, value: string): unknown[] {
  return obj?.metadata?.[field] ? [{ op: 'add', path: `/metadata/${field}/${esc(key)}`, value }] : [{ op: 'add', path: `/metadata/${field}`, value: { [key]: value } }];
}

/** The webhook server's answers, by path. */
const handlers: Record<string, (review: any) => unknown> = {
  '/deny': (review) => {
    const labels = review.request.object?.metadata?.labels ?? {};
    if (labels.deny === 'yes') {
      return { ...allowed(review), response: { uid: review.request.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: 'label deny=yes is not allowed' }, warnings: ['the deny webhook refused it'] } };
    }
    if (labels.deny === 'teapot') return { ...allowed(review), response: { uid: review.request.uid, allowed: false, status: { code: 418, message: 'short and stout' } } };
    if (labels.deny === 'plain') return { ...allowed(review), response: { uid: review.request.uid, allowed: false } };
    return allowed(review, { warnings: [`the deny webhook looked at ${review.request.name || review.request.object?.metadata?.generateName}`] });
  },
  '/mutate': (review) => allowed(review, jsonPatch(setMeta(review.request.object, 'labels', 'mutated', 'yes'))),
  '/first': (review) => {
    const name = review.request.object.metadata.name ?? review.request.object.metadata.generateName;
    const n = (firstSeen.get(name) ?? 0) + 1;
    firstSeen.set(name, n);
    return allowed(review, jsonPatch(setMeta(review.request.object, 'annotations', 'first', String(n))));
  },
  '/second': (review) => (review.request.object.metadata.labels?.second
    ? allowed(review) : allowed(review, jsonPatch(setMeta(review.request.object, 'labels', 'second', 'done')))),
  '/v1beta1': (review) => {
    if (review.apiVersion !== 'admission.k8s.io/v1beta1') throw new Error(`v1beta1 webhook got ${review.apiVersion}`);
    // v1beta1 answers may leave out the uid and patchType
    return { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', response: { allowed: true, patch: jsonPatch(setMeta(review.request.object, 'labels', 'beta', 'yes')).patch } };
  },
  '/record': (review) => allowed(review),
  '/badpatch': (review) => allowed(review, { patchType: 'JSONPatch', patch: Buffer.from('{"op":"add"}').toString('base64') }),
  '/wronguid': (review) => ({ ...allowed(review), response: { uid: 'not-the-uid', allowed: true } }),
};

beforeAll(async () => {
  await ensureTools();
  const ca = issueCertificate({ subject: { commonName: 'admission-webhooks-test-ca' }, isCA: true });
  const serving = issueCertificate({ subject: { commonName: '127.0.0.1' }, issuer: ca, usages: ['server'], sans: ['127.0.0.1', SERVICE_HOST] });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'https://127.0.0.1');
      const review = JSON.parse(body);
      calls.push({ path: u.pathname, timeout: u.searchParams.get('timeout'), review });
      if (u.pathname === '/slow') {
        held.push(res);
        return;
      }
      const handler = handlers[u.pathname];
      if (!handler) {
        res.statusCode = 404;
        res.end('no such webhook');
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(handler(review)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // a port nothing listens on: bound once, then closed
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));

  auditDir = await mkdtemp(join(tmpdir(), 'kplane-webhook-audit-'));
  await writeFile(join(auditDir, 'policy.yaml'), AUDIT_POLICY);
  const audit = { auditPolicyFile: join(auditDir, 'policy.yaml'), auditLogPath: auditLog() };
  if (onKube) {
    mc = await startManagementCluster({ apiserverArgs: [`--audit-policy-file=${audit.auditPolicyFile}`, `--audit-log-path=${audit.auditLogPath}`] });
    kcA = mc.kubeconfigPath;
    kcB = mc.kubeconfigPath;
  } else {
    // a service reference `hooksvc.webhook-system` reaches the test's server
    t = await startKplane({
      ...audit,
      serviceResolver: async (ref) => {
        if (ref.name !== 'hooksvc' || ref.namespace !== 'webhook-system') throw new Error(`service "${ref.namespace}/${ref.name}" not found`);
        return { connect: { host: '127.0.0.1', port } };
      },
    });
    const admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
    for (const ws of ['wh-a', 'wh-b']) {
      const r = await raw(t.url, admin, { method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces', body: JSON.stringify({ metadata: { name: ws } }) });
      expect(r.status).toBe(201);
      await eventually(async () => (await raw(t!.url, admin, { path: `/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/${ws}` })).json?.status?.phase === 'Ready', 10_000, `${ws} Ready`);
    }
    kcA = await t.kubeconfigFor('root:wh-a');
    kcB = await t.kubeconfigFor('root:wh-b');
  }
}, 180_000);

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((r) => server?.close(r));
  await Promise.allSettled([t?.stop(), mc?.stop()]);
  if (auditDir) await rm(auditDir, { recursive: true, force: true });
});

/** A namespace labelled for one scenario (webhooks select their scenario's namespaces). */
async function namespace(name: string, kube = k): Promise<void> {
  const r = await kube(['create', '-f', '-'], toYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { scenario: name } } }));
  expect(r.stderr).toBe('');
}

function webhook(name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `${name}.${D}`,
    clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...extra,
  };
}

const configuration = (kind: 'Validating' | 'Mutating', name: string, webhooks: unknown[]) =>
  toYaml({ apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks });

const configMap = (ns: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = { a: '1' }) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data });

/** Creates a configuration with kubectl and waits until the server acts on it (a dry-run probe sees `ready`). */
async function install(kind: 'Validating' | 'Mutating', name: string, webhooks: unknown[], ready: () => Promise<boolean>, kube = k): Promise<void> {
  const r = await kube(['create', '-f', '-'], configuration(kind, name, webhooks));
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe(`${kind.toLowerCase()}webhookconfiguration.admissionregistration.k8s.io/${name} created`);
  await eventually(ready, 30_000, `${name} active`);
}

const probe = (kube: string, ns: string, labels: Record<string, string>, name = 'probe') =>
  api(kube, 'POST', `/api/v1/namespaces/${ns}/configmaps?dryRun=All`, configMap(ns, name, labels));

describe('validating webhooks', () => {
  const ns = 'wh-deny';
  beforeAll(async () => {
    await namespace(ns);
    await install('Validating', 'deny', [webhook('deny', '/deny', { namespaceSelector: { matchLabels: { scenario: ns } } })],
      async () => (await probe(kcA, ns, { deny: 'yes' })).status === 403);
  });

  it('denies with the webhook\'s message and code, and forwards its warnings (kubectl)', async () => {
    const r = await k(['create', '-f', '-'], toYaml(configMap(ns, 'denied', { deny: 'yes' })));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe('Warning: the deny webhook refused it\n'
      + 'Error from server (Forbidden): error when creating "STDIN": admission webhook "deny.webhooks.kplane.test" denied the request: label deny=yes is not allowed\n');
    const raw = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'denied', { deny: 'yes' }));
    expect(raw.status).toBe(403);
    expect(raw.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'admission webhook "deny.webhooks.kplane.test" denied the request: label deny=yes is not allowed',
    });
    expect(raw.warnings).toEqual(['299 - "the deny webhook refused it"']);
  });

  it('sends a DELETE\'s options as the client gave them', async () => {
    const dns = `${ns}-del`;
    await namespace(dns);
    expect((await k(['create', 'configmap', 'doomed', '-n', dns, '--from-literal=k=v'])).code).toBe(0);
    await install('Validating', 'deletes', [webhook('deletes', '/deny', {
      namespaceSelector: { matchLabels: { scenario: dns } },
      rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    })], async () => (await apiA('DELETE', `/api/v1/namespaces/${dns}/configmaps/doomed?dryRun=All`)).warnings.length > 0);
    const r = await k(['delete', 'configmap', 'doomed', '-n', dns, '--grace-period=5']);
    expect(r.stdout.trim()).toBe('configmap "doomed" deleted');
    const review = calls.filter((c) => c.path === '/deny' && c.review.request.operation === 'DELETE' && !c.review.request.dryRun).map((c) => c.review).at(-1);
    expect(review.request).toMatchObject({ name: 'doomed', namespace: dns, object: null, oldObject: { metadata: { name: 'doomed' } } });
    expect(review.request.options).toEqual({ kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 5, propagationPolicy: 'Background' });
  });

  it('keeps the code a webhook gives, and answers 400 without explanation when it gives none', async () => {
    const teapot = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'teapot', { deny: 'teapot' }));
    expect(teapot.status).toBe(418);
    expect(teapot.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 418,
      message: 'admission webhook "deny.webhooks.kplane.test" denied the request: short and stout',
    });
    const plain = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'plain', { deny: 'plain' }));
    expect(plain.status).toBe(400);
    expect(plain.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400,
      message: 'admission webhook "deny.webhooks.kplane.test" denied the request without explanation',
    });
  });

  it('sends an AdmissionReview v1 with the request\'s attributes and objects', async () => {
    const created = await k(['create', 'configmap', 'seen', '-n', ns, '--from-literal=k=v']);
    expect(created.stderr).toBe('Warning: the deny webhook looked at seen\n');
    const updated = await k(['label', 'configmap', 'seen', '-n', ns, 'x=y']);
    expect(updated.stdout.trim()).toBe('configmap/seen labeled');
    const reviews = calls.filter((c) => c.path === '/deny' && c.review.request.name === 'seen').map((c) => c.review);
    expect(reviews.map((r) => r.request.operation)).toEqual(['CREATE', 'UPDATE']);
    const [create, update] = reviews;
    expect(create.apiVersion).toBe('admission.k8s.io/v1');
    expect(create.kind).toBe('AdmissionReview');
    expect(create.request).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      resource: { group: '', version: 'v1', resource: 'configmaps' },
      requestKind: { group: '', version: 'v1', kind: 'ConfigMap' },
      requestResource: { group: '', version: 'v1', resource: 'configmaps' },
      name: 'seen', namespace: ns, operation: 'CREATE', dryRun: false, oldObject: null,
      // the options as kubectl sent them
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-create', fieldValidation: 'Strict' },
    });
    expect(create.request.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(create.request.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'seen', namespace: ns }, data: { k: 'v' } });
    expect(typeof create.request.userInfo.username).toBe('string');
    expect(create.request.userInfo.groups).toContain('system:authenticated');
    expect(update.request.options).toMatchObject({ kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-label' });
    expect(update.request.oldObject.metadata.labels).toBeUndefined();
    expect(update.request.object.metadata.labels).toEqual({ x: 'y' });
    // the per-webhook timeout is passed on
    expect(calls.find((c) => c.path === '/deny')!.timeout).toBe('10s');
  });

  it('lists the configurations as kubectl shows them', async () => {
    const r = await k(['get', 'validatingwebhookconfigurations', 'deny']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAME\s+WEBHOOKS\s+AGE\ndeny\s+1\s+\d+s\n$/);
    const got = JSON.parse((await k(['get', 'validatingwebhookconfiguration', 'deny', '-o', 'json'])).stdout);
    expect(got.metadata.generation).toBe(1);
    expect(got.webhooks[0]).toEqual({
      name: `deny.${D}`,
      clientConfig: { url: `https://127.0.0.1:${port}/deny`, caBundle },
      rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' }],
      failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: { matchLabels: { scenario: ns } }, objectSelector: {},
      sideEffects: 'None', timeoutSeconds: 10, admissionReviewVersions: ['v1'],
    });
  });
});

describe('configuration validation', () => {
  it('refuses invalid configurations with kube\'s field paths and texts (kubectl)', async () => {
    const r = await k(['create', '-f', '-'], configuration('Validating', 'invalid', [{
      name: 'hook', clientConfig: { url: 'http://127.0.0.1/x?q=1' }, timeoutSeconds: 40, admissionReviewVersions: ['v9'],
      rules: [{ operations: ['PATCH'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      matchConditions: [{ name: 'c', expression: '1 + 1' }],
    }]));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe('The ValidatingWebhookConfiguration "invalid" is invalid: \n'
      + '* webhooks[0].name: Invalid value: "hook": should be a domain with at least three segments separated by dots\n'
      + '* webhooks[0].rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"\n'
      + '* webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun\n'
      + '* webhooks[0].timeoutSeconds: Invalid value: 40: the timeout value must be between 1 and 30 seconds\n'
      + '* webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]\n'
      + '* webhooks[0].clientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL\n'
      + '* webhooks[0].matchConditions[0].expression: Invalid value: "1 + 1": must evaluate to bool but got int\n'
      + '* webhooks[0].admissionReviewVersions: Invalid value: ["v9"]: must include at least one of v1, v1beta1\n');
  });
  it('defaults a mutating webhook (reinvocationPolicy Never) and bumps the generation on change', async () => {
    expect((await k(['create', '-f', '-'], configuration('Mutating', 'defaults', [webhook('defaults', '/record', {
      objectSelector: { matchLabels: { never: 'matches' } }, clientConfig: { service: { namespace: 'webhook-system', name: 'hooksvc', path: '/record' }, caBundle },
    })]))).code).toBe(0);
    const got = JSON.parse((await k(['get', 'mutatingwebhookconfiguration', 'defaults', '-o', 'json'])).stdout);
    expect(got.webhooks[0]).toMatchObject({
      clientConfig: { service: { namespace: 'webhook-system', name: 'hooksvc', path: '/record', port: 443 } },
      failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, timeoutSeconds: 10, reinvocationPolicy: 'Never',
    });
    expect(got.metadata.generation).toBe(1);
    expect((await k(['patch', 'mutatingwebhookconfiguration', 'defaults', '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/timeoutSeconds","value":5}]'])).code).toBe(0);
    expect(JSON.parse((await k(['get', 'mutatingwebhookconfiguration', 'defaults', '-o', 'json'])).stdout).metadata.generation).toBe(2);
    expect((await k(['delete', 'mutatingwebhookconfiguration', 'defaults'])).code).toBe(0);
  });
});

describe('mutating webhooks', () => {
  const ns = 'wh-mutate';
  beforeAll(async () => {
    await namespace(ns);
    await install('Mutating', 'mutate', [webhook('mutate', '/mutate', { namespaceSelector: { matchLabels: { scenario: ns } } })],
      async () => (await probe(kcA, ns, {})).json?.metadata?.labels?.mutated === 'yes');
  });

  it('applies the webhook\'s JSON patch (kubectl create and apply)', async () => {
    expect((await k(['create', 'configmap', 'm1', '-n', ns, '--from-literal=a=b'])).stdout.trim()).toBe('configmap/m1 created');
    const got = JSON.parse((await k(['get', 'configmap', 'm1', '-n', ns, '-o', 'json'])).stdout);
    expect(got.metadata.labels).toEqual({ mutated: 'yes' });
    expect(got.data).toEqual({ a: 'b' });
    const applied = await k(['apply', '-f', '-'], toYaml(configMap(ns, 'm2', { own: 'label' })));
    expect(applied.stdout.trim()).toBe('configmap/m2 created');
    expect(JSON.parse((await k(['get', 'configmap', 'm2', '-n', ns, '-o', 'json'])).stdout).metadata.labels).toEqual({ mutated: 'yes', own: 'label' });
    // the audit event says which webhook mutated the object (the patch itself only from level Request on)
    const annotations = await auditAnnotations('create', ns, 'm1');
    expect(annotations['mutation.webhook.admission.k8s.io/round_0_index_0']).toBe(`{"configuration":"mutate","webhook":"mutate.${D}","mutated":true}`);
    expect(Object.keys(annotations).filter((key) => key.includes('webhook.admission.k8s.io'))).toEqual(['mutation.webhook.admission.k8s.io/round_0_index_0']);
  });

  it('matches a later webhook\'s object selector against the object as the earlier ones left it', async () => {
    // "selected" sorts after "mutate": it runs second and selects what the first one labelled
    await install('Mutating', 'selected', [webhook('selected', '/record', { namespaceSelector: { matchLabels: { scenario: ns } }, objectSelector: { matchLabels: { mutated: 'yes' } } })],
      async () => {
        const n = calls.length;
        await probe(kcA, ns, {});
        return calls.slice(n).some((c) => c.path === '/record');
      });
    expect((await k(['create', 'configmap', 'chained', '-n', ns])).code).toBe(0);
    const seen = calls.filter((c) => c.review.request.name === 'chained').map((c) => [c.path, c.review.request.object.metadata.labels]);
    expect(seen).toEqual([['/mutate', undefined], ['/record', { mutated: 'yes' }]]);
    expect((await k(['delete', 'mutatingwebhookconfiguration', 'selected'])).code).toBe(0);
  });

  it('shows a generateName create without its name, uid and creation time, and keeps the name it generates', async () => {
    const r = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(r.status).toBe(201);
    expect(r.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(r.json.metadata.labels).toEqual({ mutated: 'yes' });
    expect(r.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const review = calls.filter((c) => c.path === '/mutate' && c.review.request.object?.metadata?.generateName === 'gen-').at(-1)!.review;
    expect(review.request.name).toBeUndefined();
    expect(review.request.object.metadata.name).toBeUndefined();
    expect(review.request.object.metadata.uid).toBeUndefined();
    expect(review.request.object.metadata.creationTimestamp).toBeUndefined();
  });

  it('reinvokes an IfNeeded webhook once when a later webhook changed the object, a Never one not', async () => {
    const ns2 = 'wh-reinvoke';
    await namespace(ns2);
    const sel = { namespaceSelector: { matchLabels: { scenario: ns2 } } };
    // configurations run in name order: "a-first" before "b-second"
    await install('Mutating', 'a-first', [webhook('first', '/first', { ...sel, reinvocationPolicy: 'IfNeeded' })],
      async () => (await probe(kcA, ns2, {}, `probe-${Date.now()}`)).json?.metadata?.annotations?.first !== undefined);
    await install('Mutating', 'b-second', [webhook('second', '/second', sel)],
      async () => (await probe(kcA, ns2, {}, `probe2-${Date.now()}`)).json?.metadata?.labels?.second === 'done');
    expect((await k(['create', 'configmap', 'twice', '-n', ns2])).code).toBe(0);
    const got = JSON.parse((await k(['get', 'configmap', 'twice', '-n', ns2, '-o', 'json'])).stdout);
    expect(got.metadata.labels).toEqual({ second: 'done' });
    // called, then called again after b-second added its label
    expect(got.metadata.annotations).toEqual({ first: '2' });
    expect(calls.filter((c) => c.path === '/second' && c.review.request.name === 'twice')).toHaveLength(1);
    expect((await k(['patch', 'mutatingwebhookconfiguration', 'a-first', '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/reinvocationPolicy","value":"Never"}]'])).code).toBe(0);
    await eventually(async () => {
      const name = `probe3-${Date.now()}`;
      await probe(kcA, ns2, {}, name);
      return firstSeen.get(name) === 1;
    }, 30_000, 'a-first Never');
    expect((await k(['create', 'configmap', 'once', '-n', ns2])).code).toBe(0);
    expect(JSON.parse((await k(['get', 'configmap', 'once', '-n', ns2, '-o', 'json'])).stdout).metadata.annotations).toEqual({ first: '1' });
    for (const name of ['a-first', 'b-second']) expect((await k(['delete', 'mutatingwebhookconfiguration', name])).code).toBe(0);
  });

  it('speaks AdmissionReview v1beta1 to a webhook that only accepts it', async () => {
    const ns2 = 'wh-beta';
    await namespace(ns2);
    await install('Mutating', 'beta', [webhook('beta', '/v1beta1', { namespaceSelector: { matchLabels: { scenario: ns2 } }, admissionReviewVersions: ['v1beta1'] })],
      async () => (await probe(kcA, ns2, {})).json?.metadata?.labels?.beta === 'yes');
    const r = await apiA('POST', `/api/v1/namespaces/${ns2}/configmaps`, configMap(ns2, 'beta'));
    expect(r.status).toBe(201);
    expect(r.json.metadata.labels).toEqual({ beta: 'yes' });
  });

  it('fails a request whose webhook answers an undecodable patch or a wrong uid (failurePolicy Fail)', async () => {
    const ns2 = 'wh-broken';
    await namespace(ns2);
    await install('Mutating', 'broken', [
      webhook('badpatch', '/badpatch', { namespaceSelector: { matchLabels: { scenario: ns2 } }, objectSelector: { matchLabels: { hook: 'badpatch' } } }),
      webhook('wronguid', '/wronguid', { namespaceSelector: { matchLabels: { scenario: ns2 } }, objectSelector: { matchLabels: { hook: 'wronguid' } } }),
    ], async () => (await probe(kcA, ns2, { hook: 'wronguid' })).status === 500);
    const bad = await apiA('POST', `/api/v1/namespaces/${ns2}/configmaps`, configMap(ns2, 'bad', { hook: 'badpatch' }));
    expect(bad.status).toBe(500);
    expect(bad.json.message).toBe('Internal error occurred: failed calling webhook "badpatch.webhooks.kplane.test": received undecodable patch in webhook response: json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    const uid = await apiA('POST', `/api/v1/namespaces/${ns2}/configmaps`, configMap(ns2, 'uid', { hook: 'wronguid' }));
    expect(uid.status).toBe(500);
    expect(uid.json.message).toMatch(/^Internal error occurred: failed calling webhook "wronguid\.webhooks\.kplane\.test": received invalid webhook response: expected response\.uid="[0-9a-f-]{36}", got "not-the-uid"$/);
    expect(uid.json.reason).toBe('InternalError');
  });
});

describe('failures and timeouts', () => {
  it('lets an unreachable webhook pass under Ignore and fails the request under Fail', async () => {
    const ns = 'wh-unreachable';
    await namespace(ns);
    const sel = (v: string) => ({ namespaceSelector: { matchLabels: { scenario: ns } }, objectSelector: { matchLabels: { policy: v } } });
    const unreachable = { url: `https://127.0.0.1:${closedPort}/gone`, caBundle };
    await install('Validating', 'unreachable', [
      webhook('ignore', '/gone', { ...sel('ignore'), clientConfig: unreachable, failurePolicy: 'Ignore' }),
      webhook('fail', '/gone', { ...sel('fail'), clientConfig: unreachable, failurePolicy: 'Fail' }),
    ], async () => (await probe(kcA, ns, { policy: 'fail' })).status === 500);
    const ignored = await k(['create', '-f', '-'], toYaml(configMap(ns, 'ignored', { policy: 'ignore' })));
    expect(ignored.stderr).toBe('');
    expect(ignored.stdout.trim()).toBe('configmap/ignored created');
    expect((await auditAnnotations('create', ns, 'ignored'))['failed-open.validating.webhook.admission.k8s.io/round_0_index_0']).toBe(`ignore.${D}`);
    const failed = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'failed', { policy: 'fail' }));
    expect(failed.status).toBe(500);
    const message = `failed calling webhook "fail.${D}": failed to call webhook: Post "https://127.0.0.1:${closedPort}/gone?timeout=10s": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`;
    expect(failed.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
      message: `Internal error occurred: ${message}`, details: { causes: [{ message }] },
    });
  });

  it('gives up on a webhook after its timeout (context deadline), and a slow tenant holds only its own request', async () => {
    const ns = 'wh-slow';
    await namespace(ns);
    if (!onKube) await namespace(ns, kB);
    await install('Validating', 'slow', [webhook('slow', '/slow', { namespaceSelector: { matchLabels: { scenario: ns } }, timeoutSeconds: 1 })],
      async () => calls.some((c) => c.path === '/slow') || (await probe(kcA, ns, {})).status === 500);
    const started = Date.now();
    const order: string[] = [];
    const slow = apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'slow')).then((r) => {
      order.push('slow');
      return r;
    });
    // the other tenant (in kube, another namespace) is answered while the slow webhook holds A's request
    const other = (onKube ? apiA('GET', '/api/v1/namespaces/default/configmaps') : api(kcB, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'fast')))
      .then((r) => {
        order.push('other');
        return r;
      });
    const [s, o] = await Promise.all([slow, other]);
    expect(order).toEqual(['other', 'slow']);
    expect(o.status).toBe(onKube ? 200 : 201);
    expect(s.status).toBe(500);
    expect(s.json.message).toBe(`Internal error occurred: failed calling webhook "slow.${D}": failed to call webhook: Post "https://127.0.0.1:${port}/slow?timeout=1s": context deadline exceeded`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(calls.filter((c) => c.path === '/slow').at(-1)!.timeout).toBe('1s');
  });
});

describe('selectors and match conditions', () => {
  const ns = 'wh-select';
  const other = 'wh-select-other';
  beforeAll(async () => {
    await namespace(ns);
    await namespace(other);
    await install('Validating', 'select', [
      webhook('objects', '/record', { namespaceSelector: { matchLabels: { scenario: ns } }, objectSelector: { matchLabels: { watched: 'yes' } } }),
      webhook('conditions', '/record', {
        namespaceSelector: { matchLabels: { scenario: ns } },
        matchConditions: [
          { name: 'checked-only', expression: 'object.metadata.name.startsWith("checked-")' },
          { name: 'not-ignored', expression: '!has(object.metadata.labels) || !("ignore" in object.metadata.labels)' },
          { name: 'may-create', expression: 'authorizer.group("").resource("configmaps").namespace(request.namespace).check("create").allowed()' },
        ],
      }),
      webhook('broken-condition', '/record', {
        namespaceSelector: { matchLabels: { scenario: ns } }, objectSelector: { matchLabels: { broken: 'yes' } },
        matchConditions: [{ name: 'missing-key', expression: 'object.data.missing == "x"' }],
      }),
    ], async () => (await probe(kcA, ns, { broken: 'yes' })).status === 403);
  });

  it('calls a webhook only for objects its objectSelector matches (new or old labels) in namespaces its namespaceSelector matches', async () => {
    const before = calls.length;
    expect((await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'plain'))).status).toBe(201);
    expect((await apiA('POST', `/api/v1/namespaces/${other}/configmaps`, configMap(other, 'watched-elsewhere', { watched: 'yes' }))).status).toBe(201);
    expect(calls.slice(before)).toEqual([]);
    expect((await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'watched', { watched: 'yes' }))).status).toBe(201);
    expect(calls.slice(before).map((c) => c.review.request.name)).toEqual(['watched']);
    // an update that removes the label still matches by the old object
    const r = await k(['label', 'configmap', 'watched', '-n', ns, 'watched-']);
    expect(r.stdout.trim()).toBe('configmap/watched unlabeled');
    expect(calls.slice(before).map((c) => `${c.review.request.operation} ${c.review.request.name}`)).toEqual(['CREATE watched', 'UPDATE watched']);
  });

  it('calls a webhook only when all its match conditions hold, and fails the request when one errs (Fail)', async () => {
    const before = calls.length;
    expect((await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'unchecked'))).status).toBe(201);
    expect((await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'checked-ignored', { ignore: 'x' }))).status).toBe(201);
    expect(calls.slice(before)).toEqual([]);
    expect((await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'checked-one'))).status).toBe(201);
    expect(calls.slice(before).map((c) => c.review.request.name)).toEqual(['checked-one']);
    const broken = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'broken', { broken: 'yes' }));
    expect(broken.status).toBe(403);
    expect(broken.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'configmaps "broken" is forbidden: expression \'object.data.missing == "x"\' resulted in error: no such key: missing',
      details: { name: 'broken', kind: 'configmaps' },
    });
  });
});

describe('dry run', () => {
  it('tells the webhook about a dry run, and stores nothing', async () => {
    const ns = 'wh-dryrun';
    await namespace(ns);
    await install('Validating', 'dryrun', [webhook('dryrun', '/record', { namespaceSelector: { matchLabels: { scenario: ns } }, sideEffects: 'NoneOnDryRun' })],
      async () => {
        const n = calls.length;
        await probe(kcA, ns, {});
        return calls.slice(n).some((c) => c.review.request.namespace === ns);
      });
    const r = await k(['create', 'configmap', 'dry', '-n', ns, '--dry-run=server']);
    expect(r.stdout.trim()).toBe('configmap/dry created (server dry run)');
    const review = calls.filter((c) => c.review.request.name === 'dry').at(-1)!.review;
    expect(review.request.dryRun).toBe(true);
    expect(review.request.options).toMatchObject({ kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', dryRun: ['All'] });
    expect((await k(['get', 'configmap', 'dry', '-n', ns])).code).not.toBe(0);
  });
});

describe.skipIf(onKube)('logical clusters', () => {
  it('never calls a tenant\'s webhook for another tenant\'s requests, nor shows its configurations there', async () => {
    const ns = 'wh-isolated';
    await namespace(ns);
    await namespace(ns, kB);
    // A's webhook denies every configmap of that namespace
    await install('Validating', 'isolated', [webhook('isolated', '/deny', { namespaceSelector: { matchLabels: { scenario: ns } }, objectSelector: {} })],
      async () => (await probe(kcA, ns, { deny: 'yes' })).status === 403);
    const before = calls.length;
    const inB = await kB(['create', '-f', '-'], toYaml(configMap(ns, 'in-b', { deny: 'yes' })));
    expect(inB.stderr).toBe('');
    expect(inB.stdout.trim()).toBe('configmap/in-b created');
    expect(calls.slice(before)).toEqual([]);
    expect((await kB(['get', 'validatingwebhookconfigurations'])).stderr).toBe('No resources found\n');
    const inA = await apiA('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'in-a', { deny: 'yes' }));
    expect(inA.status).toBe(403);
  });

  it('reaches a service reference through the configured resolver (with the service\'s name for TLS)', async () => {
    const ns = 'wh-service';
    await namespace(ns, kB);
    await install('Mutating', 'service', [webhook('service', '', {
      namespaceSelector: { matchLabels: { scenario: ns } },
      clientConfig: { service: { namespace: 'webhook-system', name: 'hooksvc', path: '/mutate', port: 8443 }, caBundle },
    })], async () => (await probe(kcB, ns, {})).json?.metadata?.labels?.mutated === 'yes', kB);
    const r = await api(kcB, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'via-service'));
    expect(r.status).toBe(201);
    expect(r.json.metadata.labels).toEqual({ mutated: 'yes' });
    expect(calls.filter((c) => c.review.request.name === 'via-service').map((c) => [c.path, c.timeout])).toEqual([['/mutate', '10s']]);
    // a service the resolver does not know fails as kube words a failed dial
    expect((await kB(['patch', 'mutatingwebhookconfiguration', 'service', '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/clientConfig/service/name","value":"nosvc"}]'])).code).toBe(0);
    await eventually(async () => (await probe(kcB, ns, {})).status === 500, 30_000, 'nosvc');
    const failed = await api(kcB, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'no-service'));
    expect(failed.json.message).toBe('Internal error occurred: failed calling webhook "service.webhooks.kplane.test": failed to call webhook: Post "https://nosvc.webhook-system.svc:8443/mutate?timeout=10s": service "webhook-system/nosvc" not found');
  });
});
