// Logical clusters through the admin Workspace API: creation and readiness, isolation of equal
// names, nesting, deletion of everything a workspace holds, no existence oracle, and the
// privileged cross-cluster view (/clusters/*).

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';

const req = (creds: Credentials, method: string, path: string, body?: unknown) =>
  raw(t.url, creds, { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function createWorkspace(parent: string, name: string): Promise<void> {
  const r = await req(admin, 'POST', `/clusters/${parent}${WS}`, { metadata: { name } });
  expect(r.status).toBe(201);
  expect(r.json.status.phase).toBe('Initializing');
  await eventually(async () => (await req(admin, 'GET', `/clusters/${parent}${WS}/${name}`)).json.status?.phase === 'Ready', 10_000, `${name} Ready`);
}

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
});
afterAll(async () => {
  await t?.stop();
});

describe('workspaces', () => {
  it('brings a logical cluster to life with kube defaults', async () => {
    await createWorkspace('root', 'acme');
    const ws = (await req(admin, 'GET', `/clusters/root${WS}/acme`)).json;
    expect(ws.status).toEqual({ phase: 'Ready', url: `${t.url}/clusters/root:acme`, cluster: 'root:acme' });
    expect(ws.metadata.finalizers).toEqual(['tenancy.kplane.io/workspace']);
    const ns = await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces');
    expect(ns.json.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    for (const n of ['default', 'kube-system', 'kube-public']) {
      expect((await req(admin, 'GET', `/clusters/root:acme/api/v1/namespaces/${n}/serviceaccounts/default`)).status).toBe(200);
      expect((await req(admin, 'GET', `/clusters/root:acme/api/v1/namespaces/${n}/configmaps/kube-root-ca.crt`)).json.data['ca.crt']).toBe(admin.ca);
    }
    const roles = await req(admin, 'GET', '/clusters/root:acme/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin');
    expect(roles.status).toBe(200);
    // defaults are distinct objects per cluster
    const rootDefault = (await req(admin, 'GET', '/clusters/root/api/v1/namespaces/default')).json;
    const acmeDefault = (await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/default')).json;
    expect(acmeDefault.metadata.uid).not.toBe(rootDefault.metadata.uid);
  });

  it('gives a new namespace its default service account and root CA', async () => {
    expect((await req(admin, 'POST', '/clusters/root:acme/api/v1/namespaces', { metadata: { name: 'team' } })).status).toBe(201);
    await eventually(async () => (await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/team/serviceaccounts/default')).status === 200, 10_000, 'default SA');
    await eventually(async () => (await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/team/configmaps/kube-root-ca.crt')).status === 200, 10_000, 'root CA');
  });

  it('knows the fields of its schema: unknown spec fields are refused (Strict), warned (Warn), pruned', async () => {
    const body = (name: string) => ({ apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name }, spec: { foo: 1 } });
    const strict = await req(admin, 'POST', `/clusters/root${WS}?fieldValidation=Strict`, body('strictws'));
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('Workspace in version "v1alpha1" cannot be handled as a Workspace: strict decoding error: unknown field "spec.foo"');
    expect((await req(admin, 'GET', `/clusters/root${WS}/strictws`)).status).toBe(404);
    const warn = await req(admin, 'POST', `/clusters/root${WS}?fieldValidation=Warn`, body('warnws'));
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toBe('299 - "unknown field \\"spec.foo\\""');
    expect(warn.json.spec).toEqual({});
    const ignore = await req(admin, 'POST', `/clusters/root${WS}?fieldValidation=Ignore`, body('ignorews'));
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
    expect(ignore.json.spec).toEqual({});
  });

  it('describes itself without hard line breaks (kubectl explain wraps descriptions itself)', async () => {
    const doc = (await req(admin, 'GET', '/clusters/root/openapi/v3/apis/tenancy.kplane.io/v1alpha1')).json;
    const broken: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (!v || typeof v !== 'object') return;
      for (const [k, c] of Object.entries(v)) {
        if (k === 'description' && typeof c === 'string' && c.includes('\n')) broken.push(path);
        walk(c, `${path}.${k}`);
      }
    };
    for (const [name, def] of Object.entries(doc.components.schemas)) if (name.startsWith('io.kplane.')) walk(def, name);
    expect(broken).toEqual([]);
    const explain = await kubectl(machineKubectl(), t.kubeconfig, ['explain', 'workspace.status']);
    expect(explain.code).toBe(0);
    expect(explain.stdout.replace(/\s+/g, ' ')).toContain('cluster is the path of the workspace\'s logical cluster, e.g. "root:acme". It is set when the workspace is initialized and never changes.');
  });

  it('keeps objects with equal names in two workspaces apart', async () => {
    await createWorkspace('root', 'other');
    for (const [c, v] of [['root:acme', 'a'], ['root:other', 'b']]) {
      const r = await req(admin, 'POST', `/clusters/${c}/api/v1/namespaces/default/configmaps`, { metadata: { name: 'same' }, data: { v: v! } });
      expect(r.status).toBe(201);
    }
    expect((await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/default/configmaps/same')).json.data).toEqual({ v: 'a' });
    expect((await req(admin, 'GET', '/clusters/root:other/api/v1/namespaces/default/configmaps/same')).json.data).toEqual({ v: 'b' });
    await req(admin, 'DELETE', '/clusters/root:other/api/v1/namespaces/default/configmaps/same');
    expect((await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/default/configmaps/same')).status).toBe(200);
    const all = await req(admin, 'GET', '/clusters/root:acme/api/v1/configmaps');
    expect(all.json.items.some((i: { metadata: { name: string; namespace: string } }) => i.metadata.name === 'same')).toBe(true);
    // a continue token cannot leave its cluster
    const page = await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/default/configmaps?limit=1');
    const other = await req(admin, 'GET', `/clusters/root:other/api/v1/namespaces/default/configmaps?limit=5&continue=${encodeURIComponent(page.json.metadata.continue)}`);
    for (const i of other.json.items ?? []) expect(i.metadata.name).not.toBe('same');
  });

  it('nests workspaces', async () => {
    await createWorkspace('root:acme', 'team');
    const child = (await req(admin, 'GET', `/clusters/root:acme${WS}/team`)).json;
    expect(child.status.cluster).toBe('root:acme:team');
    expect((await req(admin, 'GET', '/clusters/root:acme:team/api/v1/namespaces/default')).status).toBe(200);
  });

  it('answers an absent cluster exactly like a cluster the caller may not see', async () => {
    // mallory's certificate is issued for another cluster: she may not enter root:acme
    const userKc = await t.kubeconfigFor('root:elsewhere', 'mallory', ['tenants']);
    const mallory = credentialsOf(await readFile(userKc, 'utf8'));
    const existing = await req(mallory, 'GET', '/clusters/root:acme/api/v1/namespaces');
    const absent = await req(mallory, 'GET', '/clusters/root:nope/api/v1/namespaces');
    expect(existing.status).toBe(403);
    expect(absent.status).toBe(403);
    expect(absent.json.reason).toBe(existing.json.reason);
    expect(absent.json.message.replaceAll('root:nope', 'X')).toBe(existing.json.message.replaceAll('root:acme', 'X'));
    // the admin sees the same answer for a cluster that does not exist
    const adminAbsent = await req(admin, 'GET', '/clusters/root:nope/api/v1/namespaces');
    expect(adminAbsent.status).toBe(403);
  });

  it('lists a resource across all clusters for privileged users only', async () => {
    const all = await req(admin, 'GET', '/clusters/*/api/v1/configmaps?labelSelector=');
    expect(all.status).toBe(200);
    const names = all.json.items.filter((i: { metadata: { name: string } }) => i.metadata.name === 'same');
    expect(names).toHaveLength(1);
    const userKc = await t.kubeconfigFor('root:acme', 'mallory', ['tenants']);
    const mallory = credentialsOf(await readFile(userKc, 'utf8'));
    expect((await req(mallory, 'GET', '/clusters/*/api/v1/configmaps')).status).toBe(403);
    expect((await req(admin, 'POST', '/clusters/*/api/v1/namespaces/default/configmaps', { metadata: { name: 'x' } })).status).toBe(405);
  });

  it('is driven with kubectl', async () => {
    const k = (args: string[], input?: string) => kubectl(machineKubectl(), t.kubeconfig, args, input);
    const created = await k(['create', '-f', '-'], 'apiVersion: tenancy.kplane.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: viakubectl\n');
    expect(created.stdout.trim()).toBe('workspace.tenancy.kplane.io/viakubectl created');
    expect((await k(['wait', '--for=jsonpath={.status.phase}=Ready', 'workspace/viakubectl', '--timeout=30s'])).code).toBe(0);
    const list = await k(['get', 'workspaces']);
    expect(list.stdout).toMatch(/^NAME\s+PHASE\s+URL\s+AGE\n/);
    expect(list.stdout).toMatch(new RegExp(`viakubectl\\s+Ready\\s+${t.url.replace(/\./g, '\\.')}/clusters/root:viakubectl\\s+\\d+s`));
  });

  it('deletes everything a workspace holds, children first', async () => {
    await req(admin, 'POST', '/clusters/root:acme:team/api/v1/namespaces/default/configmaps', { metadata: { name: 'deep' } });
    const del = await req(admin, 'DELETE', `/clusters/root${WS}/acme`);
    expect(del.status).toBe(200);
    await eventually(async () => (await req(admin, 'GET', `/clusters/root${WS}/acme`)).status === 404, 20_000, 'workspace gone');
    expect((await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces')).status).toBe(403);
    expect((await req(admin, 'GET', '/clusters/root:acme:team/api/v1/namespaces')).status).toBe(403);
    // nothing of it is left in storage
    for (const prefix of t.k.baseStore.resourcePrefixes()) {
      for (const c of ['root:acme', 'root:acme:team']) {
        const left = await t.k.baseStore.list(`${prefix}/${c}/`);
        expect(left.items, `${prefix} in ${c}`).toEqual([]);
      }
    }
    // the other workspace is untouched; a new workspace of the same name starts empty
    expect((await req(admin, 'GET', '/clusters/root:other/api/v1/namespaces/default')).status).toBe(200);
    await createWorkspace('root', 'acme');
    expect((await req(admin, 'GET', '/clusters/root:acme/api/v1/namespaces/team')).status).toBe(404);
  });
});
