// RBAC per logical cluster, end to end with the real kubectl: a workspace's spec.admins
// administer it; what a tenant admin grants with Roles and RoleBindings is what others may do,
// and nothing more (kube's 403 texts); escalation and binding of roles one does not hold are
// refused; impersonation needs the grant; a Workspace's creator administers the new cluster and
// the clusters below it; the bootstrap policy is there without copies; other tenants' clusters
// answer exactly as absent ones.

import { readFile } from 'node:fs/promises';
import { request, Agent } from 'node:https';
import { join } from 'node:path';
import { issue, loadOrCreatePki } from '../../src/auth/pki.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
const bin = machineKubectl();
let alice: string; // acme-admins in root:acme
let bob: string; // a plain user of root:acme
let bobCreds: Credentials;

const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const req = (creds: Credentials, method: string, path: string, body?: unknown) =>
  raw(t.url, creds, { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function createWorkspace(cluster: string, name: string, spec: Record<string, unknown> = {}, creds = admin): Promise<void> {
  const r = await req(creds, 'POST', `/clusters/${cluster}${WS}`, { metadata: { name }, spec });
  expect(r.status, r.text).toBe(201);
  await eventually(async () => (await req(admin, 'GET', `/clusters/${cluster}${WS}/${name}`)).json.status?.phase === 'Ready', 10_000, `${name} Ready`);
}

async function ok(kc: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(bin, kc, args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function refused(kc: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(bin, kc, args, input);
  expect(r.code, `kubectl ${args.join(' ')} should fail: ${r.stdout}`).not.toBe(0);
  return r.stderr;
}

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  await createWorkspace('root', 'acme', { admins: [{ kind: 'Group', name: 'acme-admins' }] });
  await createWorkspace('root', 'other');
  alice = await t.kubeconfigFor('root:acme', 'alice', ['acme-admins']);
  bob = await t.kubeconfigFor('root:acme', 'bob', ['developers']);
  bobCreds = credentialsOf(await readFile(bob, 'utf8'));
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('RBAC in a logical cluster', () => {
  it('lets the workspace admins (spec.admins) administer it', async () => {
    expect(await ok(alice, ['get', 'ns', '-o', 'name'])).toContain('namespace/default');
    await ok(alice, ['create', 'configmap', 'c1', '--from-literal=a=b']);
    await ok(alice, ['create', 'namespace', 'dev']);
    await ok(alice, ['create', 'secret', 'generic', 's1', '-n', 'dev']);
    await ok(alice, ['delete', 'secret', 's1', '-n', 'dev']);
  });

  it('serves the bootstrap roles in every cluster without storing them', async () => {
    expect(await ok(alice, ['get', 'clusterrole', 'view', '-o', 'jsonpath={.metadata.name}'])).toBe('view');
    expect(t.k.rbacIndex!.clusterCount()).toBeLessThanOrEqual(1);
  });

  it("denies an identity of the cluster without a binding everything, with kube's 403 texts, and strangers at the door", async () => {
    // bob's certificate is issued for root:acme: he may enter it, and RBAC there grants him nothing yet
    const r = await req(bobCreds, 'GET', '/clusters/root:acme/api/v1/namespaces/default/configmaps');
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"');
    // a certificate of root:other is a stranger in root:acme, even with acme's admin group
    const stranger = credentialsOf(await readFile(await t.kubeconfigFor('root:other', 'bob', ['acme-admins']), 'utf8'));
    const s = await req(stranger, 'GET', '/clusters/root:acme/api/v1/namespaces/default/configmaps');
    expect(s.status).toBe(403);
    expect(s.json.message).toContain('cannot access logical cluster "root:acme"');
  });

  it('grants exactly what a Role and RoleBinding grant', async () => {
    await ok(alice, ['create', 'role', 'cm-reader', '-n', 'default', '--verb=get,list', '--resource=configmaps']);
    await ok(alice, ['create', 'rolebinding', 'bob-cm', '-n', 'default', '--role=cm-reader', '--user=bob']);
    await eventually(async () => (await kubectl(bin, bob, ['get', 'configmaps', '-n', 'default'])).code === 0, 10_000, 'bob may list');
    expect(await ok(bob, ['get', 'configmap', 'c1', '-n', 'default', '-o', 'jsonpath={.data.a}'])).toBe('b');
    expect(await refused(bob, ['get', 'secrets', '-n', 'default'])).toContain(
      'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default"');
    expect(await refused(bob, ['get', 'configmaps', '-n', 'kube-system'])).toContain(
      'User "bob" cannot list resource "configmaps" in API group "" in the namespace "kube-system"');
    expect(await refused(bob, ['create', 'configmap', 'c2', '-n', 'default'])).toContain(
      'configmaps is forbidden: User "bob" cannot create resource "configmaps" in API group "" in the namespace "default"');
    expect(await refused(bob, ['delete', 'configmap', 'c1', '-n', 'default'])).toContain(
      'configmaps "c1" is forbidden: User "bob" cannot delete resource "configmaps" in API group "" in the namespace "default"');
    // a member reads discovery (system:discovery) and may ask what they may do (system:basic-user)
    expect(await ok(bob, ['api-resources', '-o', 'name'])).toContain('configmaps');
  });

  it('honours resourceNames and ClusterRoles bound in a namespace', async () => {
    await ok(alice, ['create', 'configmap', 'c3', '-n', 'dev']);
    await ok(alice, ['create', 'configmap', 'c4', '-n', 'dev']);
    await ok(alice, ['create', 'clusterrole', 'cm-c3', '--verb=get', '--resource=configmaps', '--resource-name=c3']);
    await ok(alice, ['create', 'rolebinding', 'bob-c3', '-n', 'dev', '--clusterrole=cm-c3', '--user=bob']);
    await eventually(async () => (await kubectl(bin, bob, ['get', 'configmap', 'c3', '-n', 'dev'])).code === 0, 10_000, 'bob may get c3');
    expect(await refused(bob, ['get', 'configmap', 'c4', '-n', 'dev'])).toContain('configmaps "c4" is forbidden');
  });

  it('lets a service account do what its RoleBinding grants, with its token', async () => {
    await ok(alice, ['create', 'serviceaccount', 'robot', '-n', 'dev']);
    await ok(alice, ['create', 'rolebinding', 'robot-view', '-n', 'dev', '--clusterrole=view', '--serviceaccount=dev:robot']);
    const token = (await ok(alice, ['create', 'token', 'robot', '-n', 'dev'])).trim();
    await eventually(async () => (await kubectl(bin, alice, ['--token', token, '--client-certificate=', '--client-key=', 'get', 'configmaps', '-n', 'dev'])).code === 0,
      10_000, 'robot may list configmaps');
    const r = await raw(t.url, { ca: admin.ca }, { method: 'GET', path: '/clusters/root:acme/api/v1/namespaces/default/configmaps', headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('configmaps is forbidden: User "system:serviceaccount:dev:robot" cannot list resource "configmaps" in API group "" in the namespace "default"');
  });

  it('refuses escalation through a Role and binding a role one does not hold', async () => {
    // bob may manage roles and bindings in dev, but holds nothing else there
    await ok(alice, ['create', 'role', 'rbac-manager', '-n', 'dev', '--verb=create,get,list,update', '--resource=roles,rolebindings']);
    await ok(alice, ['create', 'rolebinding', 'bob-rbac', '-n', 'dev', '--role=rbac-manager', '--user=bob']);
    await eventually(async () => (await kubectl(bin, bob, ['get', 'roles', '-n', 'dev'])).code === 0, 10_000, 'bob may list roles');
    const escalate = await refused(bob, ['create', 'role', 'secrets', '-n', 'dev', '--verb=get', '--resource=secrets']);
    expect(escalate).toContain('roles.rbac.authorization.k8s.io "secrets" is forbidden: user "bob" (groups=["developers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:');
    expect(escalate).toContain('{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}');
    const bind = await refused(bob, ['create', 'rolebinding', 'bob-admin', '-n', 'dev', '--clusterrole=admin', '--user=bob']);
    expect(bind).toContain('rolebindings.rbac.authorization.k8s.io "bob-admin" is forbidden: user "bob"');
    // a role within what bob holds is fine
    await ok(bob, ['create', 'role', 'role-reader', '-n', 'dev', '--verb=get', '--resource=roles']);
    // with `bind` on the admin ClusterRole bob may bind it, and with `escalate` write any role
    await ok(alice, ['create', 'role', 'binder', '-n', 'dev', '--verb=bind,escalate', '--resource=clusterroles,roles']);
    await ok(alice, ['create', 'rolebinding', 'bob-binder', '-n', 'dev', '--role=binder', '--user=bob']);
    await eventually(async () => (await kubectl(bin, bob, ['create', 'rolebinding', 'bob-admin', '-n', 'dev', '--clusterrole=admin', '--user=bob'])).code === 0,
      10_000, 'bob may bind admin');
    await ok(bob, ['create', 'role', 'secrets', '-n', 'dev', '--verb=get', '--resource=secrets']);
  });

  it('lets a user impersonate only with the grant, and only inside the cluster', async () => {
    expect(await refused(bob, ['get', 'configmaps', '-n', 'default', '--as=carol'])).toContain(
      'users "carol" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
    await ok(alice, ['create', 'clusterrole', 'impersonate-carol', '--verb=impersonate', '--resource=users', '--resource-name=carol']);
    await ok(alice, ['create', 'clusterrolebinding', 'bob-as-carol', '--clusterrole=impersonate-carol', '--user=bob']);
    await ok(alice, ['create', 'rolebinding', 'carol-cm', '-n', 'default', '--role=cm-reader', '--user=carol']);
    await eventually(async () => (await kubectl(bin, bob, ['get', 'configmaps', '-n', 'default', '--as=carol'])).code === 0, 10_000, 'bob as carol');
    expect(await refused(bob, ['get', 'configmaps', '-n', 'default', '--as=dave'])).toContain('users "dave" is forbidden');
    expect(await refused(bob, ['get', 'configmaps', '-n', 'default', '--as=carol', '--as-group=system:masters'])).toContain(
      'groups "system:masters" is forbidden: User "bob" cannot impersonate resource "groups"');
    // even a tenant's cluster-admin who may impersonate anyone does not become privileged
    const r = await raw(t.url, credentialsOf(await readFile(alice, 'utf8')), {
      method: 'GET', path: '/clusters/root:other/api/v1/namespaces', headers: { 'Impersonate-User': 'x', 'Impersonate-Group': 'system:masters' },
    });
    expect(r.status).toBe(403);
    expect(r.json.message).toContain('cannot access logical cluster "root:other"');
    const inAcme = await raw(t.url, credentialsOf(await readFile(alice, 'utf8')), {
      method: 'GET', path: '/clusters/root/api/v1/namespaces', headers: { 'Impersonate-User': 'x', 'Impersonate-Group': 'system:masters' },
    });
    expect(inAcme.status).toBe(403);
  });

  it('makes the creator of a workspace its administrator, and admins of a parent admins below', async () => {
    await ok(alice, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: 'team' } }));
    await eventually(async () => (await req(admin, 'GET', `/clusters/root:acme${WS}/team`)).json.status?.phase === 'Ready', 10_000, 'team Ready');
    const ws = await req(admin, 'GET', `/clusters/root:acme${WS}/team`);
    expect(JSON.parse(ws.json.metadata.annotations['tenancy.kplane.io/owner'] as string).username).toBe('alice');
    const aliceCreds = credentialsOf(await readFile(alice, 'utf8'));
    const inTeam = await raw(t.url, aliceCreds, { method: 'POST', path: '/clusters/root:acme:team/api/v1/namespaces', body: JSON.stringify({ metadata: { name: 'x' } }) });
    expect(inTeam.status, inTeam.text).toBe(201);
    // the owner annotation is the server's: a client cannot forge or change it
    const forged = await req(admin, 'POST', `/clusters/root${WS}`, { metadata: { name: 'forged', annotations: { 'tenancy.kplane.io/owner': '{"username":"bob"}' } } });
    expect(JSON.parse(forged.json.metadata.annotations['tenancy.kplane.io/owner'] as string).username).toBe('kplane-admin');
    // bob may not enter team: no grant there nor in its parent's workspaces/content
    const bobTeam = await req(bobCreds, 'GET', '/clusters/root:acme:team/api/v1/namespaces');
    expect(bobTeam.status).toBe(403);
    // access on workspaces/content in the parent lets bob in (as a member: RBAC there decides the rest)
    await ok(alice, ['create', 'clusterrole', 'team-access', '--verb=access', '--resource=workspaces/content', '--resource-name=team']);
    await kubectl(bin, alice, ['patch', 'clusterrole', 'team-access', '--type=json', '-p', '[{"op":"replace","path":"/rules/0/apiGroups","value":["tenancy.kplane.io"]}]']);
    await ok(alice, ['create', 'clusterrolebinding', 'bob-team', '--clusterrole=team-access', '--user=bob']);
    const entered = await eventually(async () => {
      const r = await req(bobCreds, 'GET', '/clusters/root:acme:team/api/v1/namespaces');
      return r.json.message?.includes('cannot list resource "namespaces"') ? r : undefined;
    }, 10_000, 'bob enters team');
    expect(entered.status).toBe(403);
  });

  it("answers another tenant's cluster exactly like an absent one", async () => {
    const other = await req(bobCreds, 'GET', '/clusters/root:other/api/v1/namespaces');
    const absent = await req(bobCreds, 'GET', '/clusters/root:absent/api/v1/namespaces');
    expect(other.status).toBe(403);
    expect(absent.status).toBe(403);
    expect(other.json.message.replaceAll('root:other', 'X')).toBe(absent.json.message.replaceAll('root:absent', 'X'));
  });

  it("refuses a client certificate of another CA with kube's 401, even one that says system:masters", async () => {
    const foreign = await loadOrCreatePki(join(t.dir, 'foreign-pki'), '127.0.0.1');
    const cert = await issue(foreign.ca, { commonName: 'kplane-admin', organizations: ['system:masters'], usage: 'client' });
    const r = await raw(t.url, { ca: admin.ca, cert: cert.certPem, key: cert.keyPem }, { path: '/clusters/root/api/v1/namespaces' });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('answers a stranger as fast for an existing cluster as for an absent one (first byte, within noise)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: bobCreds.ca, cert: bobCreds.cert, key: bobCreds.key });
    const firstByte = (cluster: string) => new Promise<number>((resolve, reject) => {
      const start = process.hrtime.bigint();
      const r = request(new URL(`/clusters/${cluster}/api/v1/namespaces/default/secrets`, t.url), { agent }, (res) => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        res.resume();
        res.on('end', () => (res.statusCode === 403 ? resolve(ms) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      r.on('error', reject);
      r.end();
    });
    try {
      for (let i = 0; i < 20; i++) await firstByte(i % 2 ? 'root:other' : 'root:nope'); // warm-up
      const existing: number[] = [];
      const absent: number[] = [];
      // interleaved, so the machine's load falls on both alike
      for (let i = 0; i < 300; i++) {
        existing.push(await firstByte('root:other'));
        absent.push(await firstByte('root:nope'));
      }
      const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
      const [e, a] = [median(existing), median(absent)];
      expect(Math.abs(e - a), `median first byte: existing ${e.toFixed(3)} ms, absent ${a.toFixed(3)} ms`).toBeLessThan(Math.max(0.5, 0.25 * Math.min(e, a)));
    } finally {
      agent.destroy();
    }
  }, 120_000);
});
