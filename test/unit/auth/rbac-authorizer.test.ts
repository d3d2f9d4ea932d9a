// The RBAC index and authorizer over a real store: the bootstrap policy in every cluster without
// entries, stored objects overriding and tombstones hiding templates, what a binding grants and
// the door (members by binding, everyone-groups not counting, Workspace admins, parent grants on
// workspaces/content, scoped identities), decisions' reasons as kube words them.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { resourceAttributes, RBACAuthorizer, type WorkspaceAdmins } from '../../../src/auth/rbac/authorizer.js';
import { RBACIndex } from '../../../src/auth/rbac/index.js';
import type { UserInfo } from '../../../src/registry/types.js';
import { tombstone } from '../../../src/storage/defaults-overlay.js';
import { objectKey } from '../../../src/storage/keys.js';
import { LevelStore } from '../../../src/storage/leveldb/store.js';
import { bootstrapTemplates } from '../../../src/tenancy/bootstrap.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';

const RBAC = 'rbac.authorization.k8s.io';
let dir: string;
let store: LevelStore;
let index: RBACIndex;
let workspaces: Map<string, WorkspaceAdmins>;
let authz: RBACAuthorizer;

const cl = (s: string) => s as ClusterName;
const user = (username: string, groups: string[] = [], cluster?: string): UserInfo => ({ username, groups: [...groups, 'system:authenticated'], ...(cluster ? { cluster } : {}) });

async function put(resource: string, cluster: string, obj: KubeObject): Promise<void> {
  await store.txn([{ type: 'put', key: objectKey({ group: RBAC, resource }, cl(cluster), obj.metadata.namespace, obj.metadata.name!), value: obj }]);
}

const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleRef: { kind: string; name: string }, subjects: Record<string, string>[], namespace?: string): KubeObject => ({
  apiVersion: `${RBAC}/v1`, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects,
});

const get = (cluster: string, resource: string, namespace = '', name = '', group = '') =>
  resourceAttributes(cl(cluster), { verb: 'get', group, resource, namespace, name });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-rbac-'));
  store = await LevelStore.open({ path: dir });
  index = new RBACIndex(store, bootstrapTemplates('ca'));
  await index.start();
  workspaces = new Map();
  authz = new RBACAuthorizer(index, { adminsOf: async (c) => workspaces.get(c) });
});

afterEach(async () => {
  index.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('RBAC index', () => {
  it('serves the bootstrap policy in every cluster, with no entry for a cluster that stores nothing', () => {
    expect(index.clusterRole('root:x', 'view')?.length).toBeGreaterThan(0);
    expect([...index.clusterRoleBindings('root:y')].map((b) => b.name)).toContain('system:discovery');
    expect(index.clusterCount()).toBe(0);
  });

  it('lets a stored object replace a template, and a tombstone hide it, in that cluster only', async () => {
    await put('clusterroles', 'root:a', { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    await put('clusterroles', 'root:b', tombstone('view'));
    expect(index.clusterRole('root:a', 'view')).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    expect(index.clusterRole('root:b', 'view')).toBeUndefined();
    expect(index.clusterRole('root:c', 'view')?.length).toBeGreaterThan(1);
    await store.txn([{ type: 'delete', key: objectKey({ group: RBAC, resource: 'clusterroles' }, cl('root:a'), undefined, 'view') }]);
    expect(index.clusterRole('root:a', 'view')?.length).toBeGreaterThan(1);
  });
});

describe('RBAC authorizer', () => {
  it("allows what a RoleBinding grants in its namespace, with kube's reason, and nothing else", async () => {
    await put('roles', 'root:a', { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'r', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
    await put('rolebindings', 'root:a', binding('RoleBinding', 'b', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'bob' }], 'dev'));
    const bob = user('bob');
    expect(await authz.authorize(bob, get('root:a', 'configmaps', 'dev', 'x'))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "b/dev" of Role "r" to User "bob"' });
    expect((await authz.authorize(bob, get('root:a', 'configmaps', 'prod', 'x'))).allowed).toBe(false);
    expect((await authz.authorize(bob, get('root:a', 'secrets', 'dev', 'x'))).allowed).toBe(false);
    // bob is a member of root:a (a binding names him), a stranger of root:b
    expect((await authz.authorize(bob, get('root:a', 'secrets', 'dev'))).door).toBeUndefined();
    expect(await authz.authorize(bob, get('root:b', 'configmaps', 'dev', 'x'))).toEqual({ allowed: false, door: true });
  });

  it('finds the bindings naming the caller among many, and follows their updates and deletions', async () => {
    await put('roles', 'root:a', { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'r', namespace: 'dev' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
    for (let i = 0; i < 300; i++) await put('rolebindings', 'root:a', binding('RoleBinding', `o${i}`, { kind: 'Role', name: 'r' }, [{ kind: 'User', name: `other${i}` }], 'dev'));
    await put('rolebindings', 'root:a', binding('RoleBinding', 'g', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'x' }, { kind: 'Group', name: 'devs' }], 'dev'));
    const bob = user('bob', ['devs']);
    expect((await authz.authorize(bob, get('root:a', 'configmaps', 'dev', 'c'))).reason).toBe('RBAC: allowed by RoleBinding "g/dev" of Role "r" to Group "devs"');
    await put('rolebindings', 'root:a', binding('RoleBinding', 'g', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'x' }], 'dev'));
    expect((await authz.authorize(bob, get('root:a', 'configmaps', 'dev', 'c'))).door).toBe(true);
    expect((await authz.authorize(user('x'), get('root:a', 'configmaps', 'dev', 'c'))).allowed).toBe(true);
    await store.txn([{ type: 'delete', key: objectKey({ group: RBAC, resource: 'rolebindings' }, cl('root:a'), 'dev', 'g') }]);
    expect((await authz.authorize(user('x'), get('root:a', 'configmaps', 'dev', 'c'))).door).toBe(true);
    expect((await authz.authorize(user('other7'), get('root:a', 'configmaps', 'dev', 'c'))).allowed).toBe(true);
  });

  it('does not count bindings to the groups everyone is in as membership', async () => {
    await put('clusterrolebindings', 'root:a', binding('ClusterRoleBinding', 'all', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Group', name: 'system:authenticated' }]));
    expect(await authz.authorize(user('eve'), get('root:a', 'configmaps', 'dev'))).toEqual({ allowed: false, door: true });
  });

  it('matches service account subjects by namespace, defaulting to the binding\'s', async () => {
    await put('rolebindings', 'root:a', binding('RoleBinding', 'sa', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'robot' }], 'dev'));
    const robot = { username: 'system:serviceaccount:dev:robot', groups: ['system:serviceaccounts', 'system:authenticated'], cluster: 'root:a' };
    expect((await authz.authorize(robot, get('root:a', 'configmaps', 'dev'))).reason).toBe('RBAC: allowed by RoleBinding "sa/dev" of ClusterRole "view" to ServiceAccount "robot/dev"');
    // the same name scoped to another cluster does not even get in
    expect((await authz.authorize({ ...robot, cluster: 'root:b' }, get('root:a', 'configmaps', 'dev'))).door).toBe(true);
  });

  it('makes Workspace creators and spec.admins administrators, scoped identities only for their own cluster', async () => {
    workspaces.set('root:acme', { owner: { username: 'carol' }, admins: [{ kind: 'Group', name: 'acme-admins' }] });
    expect((await authz.authorize(user('carol'), get('root:acme', 'secrets', 'kube-system'))).allowed).toBe(true);
    expect((await authz.authorize(user('x', ['acme-admins']), get('root:acme', 'secrets'))).reason).toContain('spec.admins');
    expect((await authz.authorize(user('x', ['acme-admins'], 'root:acme'), get('root:acme', 'secrets'))).allowed).toBe(true);
    expect((await authz.authorize(user('x', ['acme-admins'], 'root:other'), get('root:acme', 'secrets'))).door).toBe(true);
    // the owner recorded with a cluster is that cluster's identity, not a global user of that name
    workspaces.set('root:acme:team', { owner: { username: 'dave', cluster: 'root:acme' }, admins: [] });
    expect((await authz.authorize(user('dave', [], 'root:acme'), get('root:acme:team', 'secrets'))).allowed).toBe(true);
    expect((await authz.authorize(user('dave'), get('root:acme:team', 'secrets'))).door).toBe(true);
    // administrators of a parent administer its children
    expect((await authz.authorize(user('carol'), get('root:acme:team', 'secrets'))).allowed).toBe(true);
  });

  it('lets a parent grant access or admin on workspaces/content of a child', async () => {
    workspaces.set('root:p:c', { admins: [] });
    await put('clusterroles', 'root:p', { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'enter-c' }, rules: [{ apiGroups: ['tenancy.kplane.io'], resources: ['workspaces/content'], resourceNames: ['c'], verbs: ['access'] }] });
    await put('clusterrolebindings', 'root:p', binding('ClusterRoleBinding', 'f', { kind: 'ClusterRole', name: 'enter-c' }, [{ kind: 'User', name: 'frank' }]));
    const d = await authz.authorize(user('frank'), get('root:p:c', 'secrets'));
    expect(d).toEqual({ allowed: false });
    expect((await authz.authorize(user('frank'), { kind: 'nonresource', cluster: cl('root:p:c'), path: '/api', verb: 'get' })).allowed).toBe(true);
    workspaces.set('root:p:other', { admins: [] });
    expect((await authz.authorize(user('frank'), get('root:p:other', 'secrets'))).door).toBe(true);
  });

  it('lists the rules of SelfSubjectRulesReview and honours system:masters only unscoped', async () => {
    const masters = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
    expect(await authz.authorize(masters, get('root:any', 'secrets'))).toEqual({ allowed: true });
    expect((await authz.authorize({ ...masters, cluster: 'root:a' }, get('root:b', 'secrets'))).door).toBe(true);
    const rules = await authz.rulesFor(masters, 'root:any', 'default');
    expect(rules.resourceRules).toContainEqual({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    expect(rules.nonResourceRules).toContainEqual({ verbs: ['get'], nonResourceURLs: expect.arrayContaining(['/api', '/version']) });
    expect(await authz.rulesFor(user('nobody'), 'root:any', 'default')).toEqual({ resourceRules: [], nonResourceRules: [], incomplete: false });
  });
});
