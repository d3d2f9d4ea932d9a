// kube's audit log end to end: kplane started with an audit.k8s.io/v1 Policy and a log file, the
// real kubectl in two logical clusters, and the log read back: the level of the first matching
// rule, the logical cluster as the tenancy.kplane.io/cluster annotation, objectRef, response
// codes, the authorization decision, Audit-ID given and returned, stages, nothing for None.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/event.js';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: true
rules:
  # kubectl's discovery and OpenAPI reads: not logged
  - level: None
    nonResourceURLs: ["/api*", "/openapi*", "/version"]
  - level: None
    resources: [{group: "", resources: ["namespaces"]}]
  - level: RequestResponse
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Request
    resources: [{group: "", resources: ["secrets"]}]
  - level: Metadata
`;

let t: TestKplane;
let dir: string;
let logPath: string;
let admin: Credentials;
let rootKc: string;
let acmeKc: string;
let bobKc: string;
const bin = machineKubectl();
const CLUSTER = 'tenancy.kplane.io/cluster';

async function events(): Promise<AuditEvent[]> {
  const text = await readFile(logPath, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditEvent);
}

/** Waits until the log holds events matching pred (the backend writes in the background). */
async function waitFor(pred: (e: AuditEvent) => boolean, what: string, count = 1): Promise<AuditEvent[]> {
  return eventually(async () => {
    const found = (await events()).filter(pred);
    return found.length >= count ? found : undefined;
  }, 10_000, what);
}

async function ok(kc: string, args: string[]): Promise<string> {
  const r = await kubectl(bin, kc, args);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-audit-'));
  logPath = join(dir, 'audit.log');
  await writeFile(join(dir, 'policy.yaml'), POLICY);
  t = await startKplane({ auditPolicyFile: join(dir, 'policy.yaml'), auditLogPath: logPath });
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  rootKc = t.kubeconfig;
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('audit log', () => {
  it('records a Workspace created in root at Metadata, with the cluster annotation and the decision', async () => {
    const ws = join(dir, 'ws.yaml');
    await writeFile(ws, 'apiVersion: tenancy.kplane.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: acme\n');
    await ok(rootKc, ['create', '-f', ws]);
    const [done] = await waitFor((e) => e.verb === 'create' && e.objectRef?.resource === 'workspaces' && e.stage === 'ResponseComplete', 'workspace create');
    expect(done!.kind).toBe('Event');
    expect(done!.apiVersion).toBe('audit.k8s.io/v1');
    expect(done!.level).toBe('Metadata');
    expect(done!.requestURI).toBe('/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces?fieldManager=kubectl-create&fieldValidation=Strict');
    // the name comes from the body (the path has none), as kube's LogRequestObject fills it in
    expect(done!.objectRef).toEqual({ resource: 'workspaces', name: 'acme', apiGroup: 'tenancy.kplane.io', apiVersion: 'v1alpha1' });
    expect(done!.responseStatus).toEqual({ metadata: {}, code: 201 });
    expect(done!.user.username).toBe('kplane-admin');
    expect(done!.user.groups).toContain('system:masters');
    expect(done!.userAgent).toMatch(/^kubectl/);
    expect(done!.sourceIPs).toEqual(['127.0.0.1']);
    expect(done!.annotations?.[CLUSTER]).toBe('root');
    expect(done!.annotations?.['authorization.k8s.io/decision']).toBe('allow');
    // (system:masters is allowed without a reason, as kube's privileged group authorizer does)
    expect(done!.annotations).toHaveProperty(['authorization.k8s.io/reason']);
    // Metadata: no bodies
    expect(done!.requestObject).toBeUndefined();
    expect(done!.responseObject).toBeUndefined();
    // both stages, one audit ID, kube's microsecond timestamps
    const stages = (await events()).filter((e) => e.auditID === done!.auditID).map((e) => e.stage);
    expect(stages).toEqual(['RequestReceived', 'ResponseComplete']);
    expect(done!.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(done!.stageTimestamp >= done!.requestReceivedTimestamp).toBe(true);
    await eventually(async () => (await raw(t.url, admin, { path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/acme' })).json?.status?.phase === 'Ready', 10_000, 'acme Ready');
    acmeKc = await t.kubeconfigFor('root:acme');
    bobKc = await t.kubeconfigFor('root:acme', 'bob', ['developers']);
  });

  it('records configmaps in root:acme at RequestResponse, without managedFields', async () => {
    await ok(acmeKc, ['create', 'configmap', 'cm1', '--from-literal=a=b']);
    const [done] = await waitFor((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.stage === 'ResponseComplete', 'configmap create');
    expect(done!.level).toBe('RequestResponse');
    expect(done!.annotations?.[CLUSTER]).toBe('root:acme');
    expect(done!.objectRef).toEqual({ resource: 'configmaps', namespace: 'default', name: 'cm1', apiVersion: 'v1' });
    expect(done!.responseStatus?.code).toBe(201);
    const reqObj = done!.requestObject as { kind: string; data: Record<string, string> };
    expect(reqObj.kind).toBe('ConfigMap');
    expect(reqObj.data).toEqual({ a: 'b' });
    const resObj = done!.responseObject as { metadata: Record<string, unknown> };
    expect(resObj.metadata.uid).toBeTruthy();
    // the policy's omitManagedFields
    expect(resObj.metadata).not.toHaveProperty('managedFields');
    // the RequestReceived event has no answer yet
    const received = (await events()).find((e) => e.auditID === done!.auditID && e.stage === 'RequestReceived')!;
    expect(received.responseStatus).toBeUndefined();
    expect(received.responseObject).toBeUndefined();
  });

  it('records a 404 with its Status', async () => {
    const r = await kubectl(bin, acmeKc, ['get', 'configmap', 'missing']);
    expect(r.code).not.toBe(0);
    const [done] = await waitFor((e) => e.objectRef?.name === 'missing' && e.stage === 'ResponseComplete', 'configmap 404');
    expect(done!.verb).toBe('get');
    expect(done!.responseStatus).toEqual({
      metadata: {}, status: 'Failure', message: 'configmaps "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'configmaps' }, code: 404,
    });
    // RequestResponse: the Status is the answer
    expect((done!.responseObject as { kind: string }).kind).toBe('Status');
  });

  it('records secrets at Request: the body, not the answer', async () => {
    await ok(acmeKc, ['create', 'secret', 'generic', 's1', '--from-literal=k=v']);
    const [done] = await waitFor((e) => e.verb === 'create' && e.objectRef?.resource === 'secrets' && e.stage === 'ResponseComplete', 'secret create');
    expect(done!.level).toBe('Request');
    expect((done!.requestObject as { data: Record<string, string> }).data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(done!.responseObject).toBeUndefined();
    expect(done!.responseStatus?.code).toBe(201);
  });

  it('records a forbidden request with the decision forbid', async () => {
    const r = await kubectl(bin, bobKc, ['get', 'secrets']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Forbidden');
    const [done] = await waitFor((e) => e.user.username === 'bob' && e.objectRef?.resource === 'secrets' && e.stage === 'ResponseComplete', 'bob 403');
    expect(done!.verb).toBe('list');
    expect(done!.responseStatus?.code).toBe(403);
    expect(done!.responseStatus?.reason).toBe('Forbidden');
    expect(done!.annotations?.['authorization.k8s.io/decision']).toBe('forbid');
    expect(done!.annotations?.[CLUSTER]).toBe('root:acme');
    // a list has no body: no request object even at Request
    expect(done!.requestObject).toBeUndefined();
  });

  it('records the impersonated user next to the authenticated one', async () => {
    const r = await kubectl(bin, acmeKc, ['get', 'configmap', 'cm1', '--as', 'carol', '--as-group', 'system:masters']);
    expect(r.code, r.stderr).toBe(0);
    const [done] = await waitFor((e) => e.impersonatedUser?.username === 'carol' && e.stage === 'ResponseComplete', 'impersonated get');
    expect(done!.user.username).toBe('kplane-admin');
    expect(done!.impersonatedUser).toEqual({ username: 'carol', groups: expect.arrayContaining(['system:masters']) });
    expect(done!.responseStatus?.code).toBe(200);
  });

  it('leaves out what the policy says None to', async () => {
    await ok(acmeKc, ['get', 'namespaces']);
    await ok(acmeKc, ['get', 'configmap', 'cm1']);
    // (kubectl's discovery ran for each command)
    await waitFor((e) => e.verb === 'get' && e.objectRef?.name === 'cm1' && !e.impersonatedUser && e.stage === 'ResponseComplete', 'configmap get');
    const all = await events();
    expect(all.filter((e) => e.objectRef?.resource === 'namespaces')).toEqual([]);
    expect(all.filter((e) => /^\/clusters\/[^/]+\/(api|apis|openapi)(\/[^/]+)?(\/v[^/]*)?(\?.*)?$/.test(e.requestURI) && !e.objectRef)).toEqual([]);
    expect(all.some((e) => e.requestURI.includes('/openapi/'))).toBe(false);
  });

  it('takes the Audit-ID of the request, or makes one, and returns it', async () => {
    const path = '/clusters/root:acme/api/v1/namespaces/default/configmaps/cm1';
    const given = await raw(t.url, admin, { path, headers: { 'Audit-ID': 'audit-test-1' } });
    expect(given.status).toBe(200);
    expect(given.headers['audit-id']).toBe('audit-test-1');
    await waitFor((e) => e.auditID === 'audit-test-1' && e.stage === 'ResponseComplete', 'given audit id');
    const made = await raw(t.url, admin, { path });
    const id = made.headers['audit-id'] as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [ev] = await waitFor((e) => e.auditID === id && e.stage === 'ResponseComplete', 'made audit id');
    expect(ev!.requestURI).toBe(path);
    expect((ev!.responseObject as { metadata: { name: string } }).metadata.name).toBe('cm1');
  });

  it('records a failed authentication once, at ResponseStarted, with no user', async () => {
    const r = await raw(t.url, { ca: admin.ca }, { path: '/clusters/root:acme/api/v1/namespaces/default/pods', headers: { Authorization: 'Bearer not-a-token' } });
    expect(r.status).toBe(401);
    const id = r.headers['audit-id'] as string;
    const [ev] = await waitFor((e) => e.auditID === id, '401 event');
    expect(ev!.stage).toBe('ResponseStarted');
    expect(ev!.user).toEqual({});
    expect(ev!.level).toBe('Metadata');
    expect(ev!.responseStatus).toMatchObject({ status: 'Failure', reason: 'Unauthorized', code: 401 });
    expect((await events()).filter((e) => e.auditID === id)).toHaveLength(1);
  });

  it('records a watch at ResponseStarted and ResponseComplete, without its stream', async () => {
    const r = await raw(t.url, admin, { path: '/clusters/root:acme/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1' });
    expect(r.status).toBe(200);
    const id = r.headers['audit-id'] as string;
    const evs = await waitFor((e) => e.auditID === id, 'watch events', 3);
    expect(evs.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    expect(evs.map((e) => e.verb)).toEqual(['watch', 'watch', 'watch']);
    expect(evs[1]!.responseStatus).toEqual({ metadata: {}, code: 200 });
    expect(evs[2]!.responseObject).toBeUndefined();
  });

  it('writes out every event before stop() returns', async () => {
    const before = (await events()).length;
    const burst = 50;
    await Promise.all(Array.from({ length: burst }, (_, i) =>
      raw(t.url, admin, { path: `/clusters/root:acme/api/v1/namespaces/default/configmaps/n${i}` })));
    await t.stop();
    const after = await events();
    // each 404 has RequestReceived and ResponseComplete
    expect(after.length - before).toBeGreaterThanOrEqual(burst * 2);
    expect(t.k.audit?.dropped).toBe(0);
    t = undefined as unknown as TestKplane;
  });
});
