// API semantics over raw HTTPS, against an in-process kplane: verbs, preconditions, paging,
// resourceVersion rules, selectors, dry-run, field validation, errors as metav1.Status.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type RawRequest, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let creds: Credentials;
const call = (req: RawRequest) => raw(t.url, creds, req);
const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call({ method, path, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const R = '/clusters/root';
const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data,
});

beforeAll(async () => {
  t = await startKplane();
  creds = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
});
afterAll(async () => {
  await t?.stop();
});

describe('health and version', () => {
  it('serves livez, readyz, healthz and version without credentials', async () => {
    for (const p of ['/livez', '/readyz', '/healthz']) {
      const r = await raw(t.url, { ca: creds.ca }, { path: p });
      expect(r.status).toBe(200);
      expect(r.text).toBe('ok');
    }
    const v = await raw(t.url, { ca: creds.ca }, { path: '/version' });
    expect(v.json.gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });

  it("answers requests without credentials with kube's 401 Status (anonymous authentication is off)", async () => {
    const r = await raw(t.url, { ca: creds.ca }, { path: `${R}/api/v1/namespaces` });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect((await raw(t.url, { ca: creds.ca }, { path: `${R}/version` })).status).toBe(401);
    expect((await raw(t.url, { ca: creds.ca }, { path: '/apis' })).status).toBe(401);
  });

  it('with --anonymous-auth serves them as system:anonymous, whom RBAC admits to the public paths only', async () => {
    const open = await startKplane({ anonymousAuth: true });
    try {
      const ca = open.k.caPem;
      const r = await raw(open.url, { ca }, { path: '/clusters/root/api/v1/namespaces' });
      expect(r.status).toBe(403);
      expect(r.json.message).toContain('User "system:anonymous" cannot access logical cluster "root"');
      expect((await raw(open.url, { ca }, { path: '/healthz' })).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});

describe('logical cluster defaults', () => {
  it('root has the system namespaces, default service accounts and root CA config maps', async () => {
    const ns = await json('GET', `${R}/api/v1/namespaces`);
    expect(ns.status).toBe(200);
    expect(ns.json.items.map((n: { metadata: { name: string } }) => n.metadata.name))
      .toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const sa = await json('GET', `${R}/api/v1/namespaces/kube-system/serviceaccounts/default`);
    expect(sa.status).toBe(200);
    const ca = await json('GET', `${R}/api/v1/namespaces/default/configmaps/kube-root-ca.crt`);
    expect(ca.json.data['ca.crt']).toBe(creds.ca);
  });
});

describe('CRUD and optimistic concurrency', () => {
  it('creates, reads, updates with resourceVersion checks and deletes', async () => {
    const created = await json('POST', `${R}/api/v1/namespaces/default/configmaps`, cm('crud', { a: '1' }));
    expect(created.status).toBe(201);
    const meta = created.json.metadata;
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.creationTimestamp).toMatch(/Z$/);
    expect(meta.namespace).toBe('default');

    const dup = await json('POST', `${R}/api/v1/namespaces/default/configmaps`, cm('crud'));
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "crud" already exists', details: { name: 'crud', kind: 'configmaps' } });

    const upd = await json('PUT', `${R}/api/v1/namespaces/default/configmaps/crud`, { ...created.json, data: { a: '2' } });
    expect(upd.status).toBe(200);
    expect(Number(upd.json.metadata.resourceVersion)).toBeGreaterThan(Number(meta.resourceVersion));

    const stale = await json('PUT', `${R}/api/v1/namespaces/default/configmaps/crud`, { ...created.json, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "crud": the object has been modified; please apply your changes to the latest version and try again',
    });
    const got = await json('GET', `${R}/api/v1/namespaces/default/configmaps/crud`);
    expect(got.json.data).toEqual({ a: '2' });

    const del = await json('DELETE', `${R}/api/v1/namespaces/default/configmaps/crud`);
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'crud', kind: 'configmaps', uid: meta.uid } });
    expect((await json('GET', `${R}/api/v1/namespaces/default/configmaps/crud`)).status).toBe(404);
  });

  it('generates names', async () => {
    const r = await json('POST', `${R}/api/v1/namespaces/default/configmaps`, { metadata: { generateName: 'gen-' }, data: {} });
    expect(r.status).toBe(201);
    expect(r.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('a created object is never being deleted, whatever deletion fields the client sent (rest.BeforeCreate)', async () => {
    const body = { metadata: { name: 'not-deleting', deletionTimestamp: '2026-01-02T03:04:05Z', deletionGracePeriodSeconds: 30, finalizers: ['example.com/keep'] }, data: {} };
    const r = await json('POST', `${R}/api/v1/namespaces/default/configmaps`, body);
    expect(r.status).toBe(201);
    expect([r.json.metadata.deletionTimestamp, r.json.metadata.deletionGracePeriodSeconds]).toEqual([undefined, undefined]);
    const got = await json('GET', `${R}/api/v1/namespaces/default/configmaps/not-deleting`);
    expect(got.json.metadata.deletionTimestamp).toBeUndefined();
    expect((await json('PATCH', `${R}/api/v1/namespaces/default/configmaps/not-deleting`, { metadata: { finalizers: null } },
      { 'Content-Type': 'application/merge-patch+json' })).status).toBe(200);
  });

  it('dry-run changes nothing', async () => {
    const r = await json('POST', `${R}/api/v1/namespaces/default/configmaps?dryRun=All`, cm('dry'));
    expect(r.status).toBe(201);
    expect(r.json.metadata.resourceVersion).toBeUndefined();
    expect((await json('GET', `${R}/api/v1/namespaces/default/configmaps/dry`)).status).toBe(404);
  });
});

describe('paging and resource versions', () => {
  it('pages at one consistent revision and expires old tokens with 410', async () => {
    await json('POST', `${R}/api/v1/namespaces`, { metadata: { name: 'paging' } });
    for (let i = 0; i < 5; i++) await json('POST', `${R}/api/v1/namespaces/paging/configmaps`, cm(`p${i}`));
    const p1 = await json('GET', `${R}/api/v1/namespaces/paging/configmaps?limit=2`);
    expect(p1.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['kube-root-ca.crt', 'p0']);
    expect(p1.json.metadata.remainingItemCount).toBe(4);
    await json('POST', `${R}/api/v1/namespaces/paging/configmaps`, cm('p1a'));
    const p2 = await json('GET', `${R}/api/v1/namespaces/paging/configmaps?limit=10&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
    expect(p2.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(p2.json.metadata.resourceVersion).toBe(p1.json.metadata.resourceVersion);

    await t.k.baseStore.compact(t.k.baseStore.currentRevision());
    const expired = await json('GET', `${R}/api/v1/namespaces/paging/configmaps?limit=2&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
    expect(expired.status).toBe(410);
    expect(expired.json.reason).toBe('Expired');
    expect(expired.json.metadata.continue).toBeTruthy();
  });

  it('answers a too-large resourceVersion with a 504 Timeout and the ResourceVersionTooLarge cause', async () => {
    const r = await json('GET', `${R}/api/v1/namespaces/default/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`);
    expect(r.status).toBe(504);
    expect(r.json.details.causes[0].reason).toBe('ResourceVersionTooLarge');
  }, 20_000);
});

describe('selectors', () => {
  it('filters lists by label and field selectors', async () => {
    await json('POST', `${R}/api/v1/namespaces`, { metadata: { name: 'sel' } });
    await json('POST', `${R}/api/v1/namespaces/sel/configmaps`, cm('a', {}, { tier: 'web', env: 'prod' }));
    await json('POST', `${R}/api/v1/namespaces/sel/configmaps`, cm('b', {}, { tier: 'db', env: 'prod' }));
    await json('POST', `${R}/api/v1/namespaces/sel/configmaps`, cm('c', {}, { tier: 'web' }));
    const names = async (q: string) => (await json('GET', `${R}/api/v1/namespaces/sel/configmaps?${q}`)).json.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    expect(await names('labelSelector=tier%3Dweb')).toEqual(['a', 'c']);
    expect(await names('labelSelector=tier+in+(web,db),env')).toEqual(['a', 'b']);
    expect(await names('labelSelector=!env')).toEqual(['c', 'kube-root-ca.crt']);
    expect(await names('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    const bad = await json('GET', `${R}/api/v1/namespaces/sel/configmaps?fieldSelector=data.x%3D1`);
    expect(bad.status).toBe(400);
    // configmaps have no field label conversion in kube: the scheme's default conversion answers
    expect(bad.json.message).toBe('"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });
});

describe('bad input', () => {
  it('rejects malformed JSON with a 400 Status and stores nothing', async () => {
    const r = await call({ method: 'POST', path: `${R}/api/v1/namespaces/default/configmaps`, body: '{"metadata": {"name": "x"' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(r.json.message).toContain('unexpected end of JSON input');
  });

  it('rejects invalid names with 422 and field causes', async () => {
    const r = await json('POST', `${R}/api/v1/namespaces/default/configmaps`, cm('Bad_Name'));
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    expect((await json('GET', `${R}/api/v1/namespaces/default/configmaps/Bad_Name`)).status).toBe(404);
  });

  it('rejects bodies over 3 MiB with 413', async () => {
    const big = JSON.stringify(cm('big', { x: 'a'.repeat(3 * 1024 * 1024) }));
    const r = await call({ method: 'POST', path: `${R}/api/v1/namespaces/default/configmaps`, body: big });
    expect(r.status).toBe(413);
    expect(r.json.reason).toBe('RequestEntityTooLarge');
    expect((await json('GET', `${R}/api/v1/namespaces/default/configmaps/big`)).status).toBe(404);
  });

  it('reports unknown fields: 400 with Strict, a Warning header with Warn', async () => {
    const body = { ...cm('strict'), bogus: 1 };
    const strict = await json('POST', `${R}/api/v1/namespaces/default/configmaps?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('unknown field "bogus"');
    const warn = await json('POST', `${R}/api/v1/namespaces/default/configmaps?fieldValidation=Warn`, body);
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"bogus\\"');
    expect(warn.json.bogus).toBeUndefined();
  });
});

describe('namespaces', () => {
  it('terminates, empties and removes a namespace; refuses new content meanwhile', async () => {
    await json('POST', `${R}/api/v1/namespaces`, { metadata: { name: 'doomed' } });
    await json('POST', `${R}/api/v1/namespaces/doomed/configmaps`, { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: {} });
    const del = await json('DELETE', `${R}/api/v1/namespaces/doomed`);
    expect(del.status).toBe(200);
    expect(del.json.status.phase).toBe('Terminating');
    const refused = await json('POST', `${R}/api/v1/namespaces/doomed/configmaps`, cm('late'));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('because it is being terminated');
    await eventually(async () => {
      const ns = await json('GET', `${R}/api/v1/namespaces/doomed`);
      return ns.json.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
    }, 10_000, 'finalizer condition');
    const held = await json('GET', `${R}/api/v1/namespaces/doomed/configmaps/held`);
    await json('PUT', `${R}/api/v1/namespaces/doomed/configmaps/held`, { ...held.json, metadata: { ...held.json.metadata, finalizers: [] } });
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/doomed`)).status === 404, 15_000, 'namespace removal');
  });

  it('forbids deleting system namespaces', async () => {
    const r = await json('DELETE', `${R}/api/v1/namespaces/kube-system`);
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });
});

describe('garbage collection', () => {
  const ns = `${R}/api/v1/namespaces/gc/configmaps`;
  const owned = (name: string, owner: { metadata: { name: string; uid: string } }, block = false) => ({
    metadata: {
      name,
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, ...(block ? { blockOwnerDeletion: true } : {}) }],
    },
  });
  beforeAll(async () => {
    await json('POST', `${R}/api/v1/namespaces`, { metadata: { name: 'gc' } });
  });

  it('deletes dependents in the background', async () => {
    const owner = (await json('POST', ns, cm('bg-owner'))).json;
    await json('POST', ns, owned('bg-dep', owner));
    expect((await json('DELETE', `${ns}/bg-owner`)).status).toBe(200);
    await eventually(async () => (await json('GET', `${ns}/bg-dep`)).status === 404, 10_000, 'dependent collected');
  });

  it('keeps a foreground owner until blocking dependents are gone', async () => {
    const owner = (await json('POST', ns, cm('fg-owner'))).json;
    await json('POST', ns, { ...owned('fg-dep', owner, true), metadata: { ...owned('fg-dep', owner, true).metadata, finalizers: ['example.com/hold'] } });
    const del = await json('DELETE', `${ns}/fg-owner`, { propagationPolicy: 'Foreground' });
    expect(del.status).toBe(200);
    expect(del.json.metadata.finalizers).toEqual(['foregroundDeletion']);
    await eventually(async () => (await json('GET', `${ns}/fg-dep`)).json.metadata?.deletionTimestamp, 10_000, 'dependent deleting');
    expect((await json('GET', `${ns}/fg-owner`)).status).toBe(200);
    const dep = (await json('GET', `${ns}/fg-dep`)).json;
    await json('PUT', `${ns}/fg-dep`, { ...dep, metadata: { ...dep.metadata, finalizers: [] } });
    await eventually(async () => (await json('GET', `${ns}/fg-owner`)).status === 404, 10_000, 'owner gone after its dependent');
  });

  it('orphans dependents when asked', async () => {
    const owner = (await json('POST', ns, cm('or-owner'))).json;
    await json('POST', ns, owned('or-dep', owner));
    expect((await json('DELETE', `${ns}/or-owner`, { propagationPolicy: 'Orphan' })).status).toBe(200);
    await eventually(async () => (await json('GET', `${ns}/or-owner`)).status === 404, 10_000, 'owner gone');
    const dep = await json('GET', `${ns}/or-dep`);
    expect(dep.status).toBe(200);
    expect(dep.json.metadata.ownerReferences).toBeUndefined();
  });

  it('collects a dependent whose owner never existed', async () => {
    await json('POST', ns, owned('dangling', { metadata: { name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' } }));
    await eventually(async () => (await json('GET', `${ns}/dangling`)).status === 404, 10_000, 'dangling dependent collected');
  });
});

describe('more bad input', () => {
  it('rejects malformed YAML and wrong kinds with a 400 Status and stores nothing', async () => {
    const yaml = await call({
      method: 'POST', path: `${R}/api/v1/namespaces/default/configmaps`,
      headers: { 'Content-Type': 'application/yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n',
    });
    expect(yaml.status).toBe(400);
    expect(yaml.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    const wrong = await json('POST', `${R}/api/v1/namespaces/default/configmaps`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrongkind' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toContain('cannot be handled as a ConfigMap');
    expect((await json('GET', `${R}/api/v1/namespaces/default/configmaps/wrongkind`)).status).toBe(404);
  });

  it('creates from YAML bodies', async () => {
    const r = await call({
      method: 'POST', path: `${R}/api/v1/namespaces/default/configmaps`,
      headers: { 'Content-Type': 'application/yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  a: "1"\n',
    });
    expect(r.status).toBe(201);
    expect(r.json.data).toEqual({ a: '1' });
  });
});
