// The review APIs per logical cluster, with the real kubectl: `auth whoami` (SelfSubjectReview),
// `auth can-i` (SelfSubjectAccessReview) and `auth can-i --list` (SelfSubjectRulesReview) for the
// admin and for a tenant user with a client certificate; SubjectAccessReview,
// LocalSubjectAccessReview and TokenReview over HTTPS; never stored, create only.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane,
} from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
let adminAcme: string;
let alice: string;
const bin = machineKubectl();
const AUTHZ = '/apis/authorization.k8s.io/v1';
const AUTHN = '/apis/authentication.k8s.io/v1';

const req = (method: string, path: string, body?: unknown) =>
  raw(t.url, admin, { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  for (const name of ['acme', 'other']) {
    expect((await req('POST', '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces', { metadata: { name } })).status).toBe(201);
    await eventually(async () => (await req('GET', `/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/${name}`)).json.status?.phase === 'Ready',
      15_000, `${name} Ready`);
  }
  // alice's group may read in acme's default namespace: that lets her in, and no further
  const rb = await req('POST', '/clusters/root:acme/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
    metadata: { name: 'acme-admins-view' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'acme-admins' }],
  });
  expect(rb.status).toBe(201);
  adminAcme = await t.kubeconfigFor('root:acme');
  alice = await t.kubeconfigFor('root:acme', 'alice', ['acme-admins']);
  // the authorizer's index sees the binding
  await eventually(async () => (await kubectl(bin, alice, ['get', 'configmaps', '-n', 'default'])).code === 0, 10_000, 'alice enters root:acme');
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('kubectl auth whoami', () => {
  it('names the admin', async () => {
    const r = await kubectl(bin, adminAcme, ['auth', 'whoami']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Username\s+kplane-admin/);
    expect(r.stdout).toMatch(/Groups\s+\[system:masters system:authenticated\]/);
  });

  it('names alice with her groups, as YAML too', async () => {
    const r = await kubectl(bin, alice, ['auth', 'whoami', '-o', 'yaml']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseYaml(r.stdout) as Record<string, any>;
    expect(doc.kind).toBe('SelfSubjectReview');
    expect(doc.apiVersion).toBe('authentication.k8s.io/v1');
    expect(doc.status).toEqual({ userInfo: { username: 'alice', groups: ['acme-admins', 'system:authenticated'] } });
    // never stored: a creation time, nothing else
    expect(Object.keys(doc.metadata)).toEqual(['creationTimestamp']);
    const plain = await kubectl(bin, alice, ['auth', 'whoami']);
    expect(plain.stdout).toMatch(/Username\s+alice/);
  });
});

describe('kubectl auth can-i', () => {
  it('answers yes for the admin and no for alice (exit code 1)', async () => {
    const yes = await kubectl(bin, adminAcme, ['auth', 'can-i', 'create', 'configmaps']);
    expect(yes).toMatchObject({ code: 0, stdout: 'yes\n' });
    const no = await kubectl(bin, alice, ['auth', 'can-i', 'create', 'configmaps']);
    expect(no.code).toBe(1);
    expect(no.stdout).toBe('no\n');
    const get = await kubectl(bin, alice, ['auth', 'can-i', 'get', 'configmaps', '-n', 'default']);
    expect(get).toMatchObject({ code: 0, stdout: 'yes\n' });
    const other = await kubectl(bin, alice, ['auth', 'can-i', 'get', 'configmaps', '-n', 'kube-system']);
    expect(other).toMatchObject({ code: 1, stdout: 'no\n' });
  });

  it('lists what alice may do in a namespace (--list)', async () => {
    const r = await kubectl(bin, alice, ['auth', 'can-i', '--list', '-n', 'default']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(lines.some((l) => /^selfsubjectreviews\.authentication\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/.test(l))).toBe(true);
    expect(lines.some((l) => /^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/.test(l))).toBe(true);
    const admin = await kubectl(bin, adminAcme, ['auth', 'can-i', '--list']);
    expect(admin.stdout).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });
});

describe('SubjectAccessReview, LocalSubjectAccessReview', () => {
  const attrs = { verb: 'create', resource: 'configmaps', namespace: 'default' };

  it('judge a named user in the request\'s cluster', async () => {
    const sar = (user: string, groups: string[]) => req('POST', `/clusters/root:acme${AUTHZ}/subjectaccessreviews`, {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { resourceAttributes: { ...attrs, verb: 'get' }, user, groups },
    });
    const allowed = await sar('alice', ['acme-admins']);
    expect(allowed.status).toBe(201);
    expect(allowed.json.spec).toEqual({ resourceAttributes: { ...attrs, verb: 'get' }, user: 'alice', groups: ['acme-admins'] });
    expect(allowed.json.status.allowed).toBe(true);
    expect(allowed.json.metadata.resourceVersion).toBeUndefined();
    expect((await sar('bob', ['others'])).json.status.allowed).toBe(false);
    const invalid = await req('POST', `/clusters/root:acme${AUTHZ}/subjectaccessreviews`, { spec: { resourceAttributes: attrs } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.message).toBe('.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
  });

  it('LocalSubjectAccessReview stays in the namespace of its path', async () => {
    const path = `/clusters/root:acme${AUTHZ}/namespaces/default/localsubjectaccessreviews`;
    const ok = await req('POST', path, { spec: { resourceAttributes: { ...attrs, verb: 'list' }, groups: ['acme-admins'], user: 'alice' } });
    expect(ok.status).toBe(201);
    // the namespace from the path, and the creator's managedFields, as kube answers
    expect(ok.json.metadata).toMatchObject({ namespace: 'default', managedFields: [{ manager: 'unknown', operation: 'Update', apiVersion: 'authorization.k8s.io/v1' }] });
    expect(Object.keys(ok.json.metadata).sort()).toEqual(['managedFields', 'namespace']);
    expect(ok.json.status.allowed).toBe(true);
    const elsewhere = await req('POST', path, { spec: { resourceAttributes: { ...attrs, namespace: 'kube-system' }, user: 'alice' } });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.json.message).toContain('spec.resourceAttributes.namespace: Invalid value: "kube-system": must match metadata.namespace');
    const wrongMeta = await req('POST', path, { metadata: { namespace: 'kube-system' }, spec: { resourceAttributes: attrs, user: 'alice' } });
    expect(wrongMeta.status).toBe(400);
    expect(wrongMeta.json.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });
});

describe('TokenReview', () => {
  it('authenticates a service account token in its own cluster only', async () => {
    const issued = await req('POST', '/clusters/root:acme/api/v1/namespaces/default/serviceaccounts/default/token', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {},
    });
    expect(issued.status).toBe(201);
    const token = issued.json.status.token as string;
    const sa = (await req('GET', '/clusters/root:acme/api/v1/namespaces/default/serviceaccounts/default')).json;
    const review = (cluster: string, audiences?: string[]) => req('POST', `/clusters/${cluster}${AUTHN}/tokenreviews`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) },
    });
    const mine = await review('root:acme');
    expect(mine.status).toBe(201);
    expect(mine.json.status.authenticated).toBe(true);
    expect(mine.json.status.user).toMatchObject({
      username: 'system:serviceaccount:default:default', uid: sa.metadata.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    expect(mine.json.status.user.extra['authentication.kubernetes.io/credential-id'][0]).toMatch(/^JTI=/);
    expect(mine.json.status.audiences).toEqual([`${t.url}/clusters/root:acme`]);
    const foreign = await review('root:other');
    expect(foreign.status).toBe(201);
    expect(foreign.json.status).toEqual({ user: {}, error: '[invalid bearer token, token of logical cluster "root:acme" is not valid for logical cluster "root:other"]' });
    // a token for the API is not one for another audience
    expect((await review('root:acme', ['vault'])).json.status).toEqual({
      user: {}, error: `[invalid bearer token, token audiences ["${t.url}/clusters/root:acme"] is invalid for the target audiences ["vault"]]`,
    });
    const garbage = await req('POST', `/clusters/root:acme${AUTHN}/tokenreviews`, { spec: { token: 'not-a-token' } });
    expect(garbage.json.status).toEqual({ user: {}, error: 'invalid bearer token' });
    const empty = await req('POST', `/clusters/root:acme${AUTHN}/tokenreviews`, { spec: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.message).toBe('token is required for TokenReview in authentication');
  });
});

describe('the review resources', () => {
  it('are create only, in discovery and OpenAPI', async () => {
    const authz = (await req('GET', `/clusters/root:acme${AUTHZ}`)).json;
    expect(authz.resources).toEqual([
      { name: 'localsubjectaccessreviews', singularName: 'localsubjectaccessreview', namespaced: true, kind: 'LocalSubjectAccessReview', verbs: ['create'] },
      { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
      { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
      { name: 'subjectaccessreviews', singularName: 'subjectaccessreview', namespaced: false, kind: 'SubjectAccessReview', verbs: ['create'] },
    ]);
    const authn = (await req('GET', `/clusters/root:acme${AUTHN}`)).json;
    expect(authn.resources.map((r: { name: string }) => r.name)).toEqual(['selfsubjectreviews', 'tokenreviews']);
    const v3 = (await req('GET', `/clusters/root:acme/openapi/v3${AUTHZ}`)).json;
    expect(Object.keys(v3.paths[`${AUTHZ}/selfsubjectaccessreviews`])).toEqual(['parameters', 'post']);
    expect(v3.components.schemas['io.k8s.api.authorization.v1.SelfSubjectAccessReview']).toBeDefined();
  });

  it('answer other verbs with 405, object paths with 404', async () => {
    const get = await req('GET', `/clusters/root:acme${AUTHZ}/selfsubjectaccessreviews`);
    expect(get.status).toBe(405);
    expect(get.json).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
    expect((await req('DELETE', `/clusters/root:acme${AUTHN}/tokenreviews`)).status).toBe(405);
    expect((await req('GET', `/clusters/root:acme${AUTHZ}/selfsubjectaccessreviews/x`)).status).toBe(404);
    expect((await req('POST', `/clusters/root:acme${AUTHZ}/localsubjectaccessreviews`, {})).status).toBe(404);
  });
});
