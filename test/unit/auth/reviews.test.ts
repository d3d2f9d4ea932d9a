// The review kinds' logic against a fake Authorizer and TokenAuthenticator: what is asked of the
// authorizer (user, cluster, attributes), validation as kube words it, and the answers' shape.

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { StatusError } from '../../../src/apimachinery/errors.js';
import type { RequestInfo } from '../../../src/apiserver/requestinfo.js';
import type { TokenAuthenticator } from '../../../src/auth/authn.js';
import type { Authorizer, Decision, SubjectRules } from '../../../src/auth/authz.js';
import { localsubjectaccessreviews } from '../../../src/registry/kinds/localsubjectaccessreviews.js';
import { selfsubjectaccessreviews } from '../../../src/registry/kinds/selfsubjectaccessreviews.js';
import { selfsubjectreviews } from '../../../src/registry/kinds/selfsubjectreviews.js';
import { selfsubjectrulesreviews } from '../../../src/registry/kinds/selfsubjectrulesreviews.js';
import { subjectaccessreviews } from '../../../src/registry/kinds/subjectaccessreviews.js';
import { tokenreviews } from '../../../src/registry/kinds/tokenreviews.js';
import type { Registry } from '../../../src/registry/store.js';
import type { ResourceSet } from '../../../src/registry/catalog.js';
import type { ResourceType, UserInfo } from '../../../src/registry/types.js';

const alice: UserInfo = { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } };
const NOW = new Date('2026-01-02T03:04:05Z');

class FakeAuthorizer implements Authorizer {
  asked: { user: UserInfo; info: RequestInfo }[] = [];
  rulesAsked: [string, string, string][] = [];
  constructor(private readonly decide: (user: UserInfo, info: RequestInfo) => Decision | Error = () => ({ allowed: false })) {}
  async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
    this.asked.push({ user, info });
    const d = this.decide(user, info);
    if (d instanceof Error) throw d;
    return d;
  }
  async rulesFor(user: UserInfo, cluster: string, namespace: string): Promise<SubjectRules> {
    this.rulesAsked.push([user.username, cluster, namespace]);
    return {
      resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, { verbs: ['*'], apiGroups: ['apps'], resources: ['*'], resourceNames: ['x'] }],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
      incomplete: false,
    };
  }
}

function run(type: ResourceType, object: Partial<KubeObject>, opts: { authorizer?: Authorizer; tokenAuthenticator?: TokenAuthenticator; namespace?: string } = {}) {
  const obj = { kind: type.kind, apiVersion: `${type.group}/${type.version}`, metadata: {}, ...object } as KubeObject;
  return type.createOnly!.create({
    ctx: { cluster: 'root:acme' as never, namespace: opts.namespace ?? '', user: alice, now: NOW, warnings: [] },
    type, object: obj, dryRun: false,
    services: { registry: {} as Registry, types: {} as ResourceSet, authorizer: opts.authorizer, tokenAuthenticator: opts.tokenAuthenticator },
  });
}

async function statusError(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('SelfSubjectAccessReview', () => {
  it('asks the authorizer about the requesting user in the request\'s cluster', async () => {
    const authz = new FakeAuthorizer(() => ({ allowed: true, reason: 'because' }));
    const out = await run(selfsubjectaccessreviews, {
      spec: { resourceAttributes: { namespace: 'ns', verb: 'get', resource: 'configmaps', name: 'c', subresource: '', group: '' } },
    }, { authorizer: authz });
    expect(authz.asked).toEqual([{
      user: alice,
      info: { kind: 'resource', cluster: 'root:acme', prefix: 'api', group: '', version: '*', namespace: 'ns', resource: 'configmaps', name: 'c', subresource: '', verb: 'get', extra: [] },
    }]);
    expect(out).toEqual({
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {},
      spec: { resourceAttributes: { namespace: 'ns', verb: 'get', resource: 'configmaps', name: 'c' } },
      status: { allowed: true, reason: 'because' },
    });
  });

  it('judges non-resource paths and reports denials and evaluation errors', async () => {
    const authz = new FakeAuthorizer(() => ({ allowed: false, denied: true, reason: 'no' } as Decision));
    const out = await run(selfsubjectaccessreviews, { spec: { nonResourceAttributes: { path: '/metrics', verb: 'get' } } }, { authorizer: authz });
    expect(authz.asked[0]!.info).toEqual({ kind: 'nonresource', cluster: 'root:acme', path: '/metrics', verb: 'get' });
    expect(out.status).toEqual({ allowed: false, denied: true, reason: 'no' });
    const failing = new FakeAuthorizer(() => new Error('role "x" not found'));
    const selectors = await run(selfsubjectaccessreviews, {
      spec: { resourceAttributes: { verb: 'list', resource: 'pods', labelSelector: { rawSelector: 'a in (' }, fieldSelector: { rawSelector: 'x=y' } } },
    }, { authorizer: failing });
    expect(selectors.status).toEqual({
      allowed: false, evaluationError: 'role "x" not found; spec.resourceAttributes.labelSelector ignored due to parse error',
    });
  });

  it('wants exactly one of resourceAttributes and nonResourceAttributes, and empty metadata', async () => {
    const none = await statusError(run(selfsubjectaccessreviews, { spec: {} }, { authorizer: new FakeAuthorizer() }));
    expect(none.status.code).toBe(422);
    expect(none.status.message).toBe('.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified');
    expect(none.status.details).toMatchObject({ group: 'authorization.k8s.io', causes: [{ field: 'spec.resourceAttributes' }] });
    expect(none.status.details?.kind).toBeUndefined();
    const both = await statusError(run(selfsubjectaccessreviews, {
      spec: { resourceAttributes: {}, nonResourceAttributes: { path: '/x', verb: 'get' } },
    }, { authorizer: new FakeAuthorizer() }));
    expect(both.status.message).toBe('.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: {"Path":"/x","Verb":"get"}: cannot be specified in combination with resourceAttributes');
    const named = await statusError(run(selfsubjectaccessreviews, { metadata: { name: 'x' }, spec: { resourceAttributes: {} } }, { authorizer: new FakeAuthorizer() }));
    expect(named.status.details?.causes?.[0]).toMatchObject({ field: 'metadata', reason: 'FieldValueInvalid' });
    expect(named.status.message).toBe('.authorization.k8s.io "" is invalid: metadata: Invalid value: {"name":"x"}: must be empty');
    const selector = await statusError(run(selfsubjectaccessreviews, {
      spec: { resourceAttributes: { fieldSelector: {}, labelSelector: { rawSelector: 'a', requirements: [{ key: 'a', operator: 'In' }] } } },
    }, { authorizer: new FakeAuthorizer() }));
    expect(selector.status.details?.causes?.map((c) => c.field)).toEqual([
      'spec.resourceAttributes.fieldSelector.requirements', 'spec.resourceAttributes.labelSelector.rawSelector',
      'spec.resourceAttributes.labelSelector.requirements[0].values',
    ]);
  });
});

describe('SubjectAccessReview and LocalSubjectAccessReview', () => {
  it('judge the user of the spec, not the caller', async () => {
    const authz = new FakeAuthorizer(() => ({ allowed: true }));
    const out = await run(subjectaccessreviews, {
      spec: { resourceAttributes: { verb: 'get', group: 'apps', resource: 'deployments' }, user: 'system:serviceaccount:ns:sa', groups: ['g'], uid: '7', extra: { k: ['v'] } },
    }, { authorizer: authz });
    expect(authz.asked[0]!.user).toEqual({ username: 'system:serviceaccount:ns:sa', groups: ['g'], uid: '7', extra: { k: ['v'] }, cluster: 'root:acme' });
    expect(authz.asked[0]!.info).toMatchObject({ prefix: 'apis', group: 'apps', version: '*' });
    expect(out.spec).toEqual({ resourceAttributes: { verb: 'get', group: 'apps', resource: 'deployments' }, user: 'system:serviceaccount:ns:sa', groups: ['g'], extra: { k: ['v'] }, uid: '7' });
    const nobody = await statusError(run(subjectaccessreviews, { spec: { nonResourceAttributes: { path: '/', verb: 'get' } } }, { authorizer: authz }));
    expect(nobody.status.message).toBe('.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
  });

  it('LocalSubjectAccessReview: resource attributes in the namespace of the request only', async () => {
    const authz = new FakeAuthorizer(() => ({ allowed: true }));
    const ok = await run(localsubjectaccessreviews, { metadata: { namespace: 'ns' }, spec: { resourceAttributes: { namespace: 'ns', verb: 'get' }, user: 'bob' } },
      { authorizer: authz, namespace: 'ns' });
    expect(ok.metadata).toEqual({ namespace: 'ns' });
    expect(ok.status).toEqual({ allowed: true });
    const bad = await statusError(run(localsubjectaccessreviews, {
      metadata: { namespace: 'ns' }, spec: { resourceAttributes: { namespace: 'other' }, nonResourceAttributes: { path: '/', verb: 'get' }, user: 'bob' },
    }, { authorizer: authz, namespace: 'ns' }));
    expect(bad.status.details?.causes?.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.nonResourceAttributes: Invalid value: {"Path":"/","Verb":"get"}: cannot be specified in combination with resourceAttributes',
      'spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace',
      'spec.nonResourceAttributes: Invalid value: {"Path":"/","Verb":"get"}: disallowed on this kind of request',
    ]);
    expect(authz.asked).toHaveLength(1);
  });
});

describe('SelfSubjectRulesReview', () => {
  it('lists the authorizer\'s rules for the caller in the namespace', async () => {
    const authz = new FakeAuthorizer();
    const out = await run(selfsubjectrulesreviews, { metadata: { name: 'ignored' }, spec: { namespace: 'ns' } }, { authorizer: authz });
    expect(authz.rulesAsked).toEqual([['alice', 'root:acme', 'ns']]);
    expect(out).toEqual({
      kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: {},
      status: {
        resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, { verbs: ['*'], apiGroups: ['apps'], resources: ['*'], resourceNames: ['x'] }],
        nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
        incomplete: false,
      },
    });
    const none = await statusError(run(selfsubjectrulesreviews, { spec: {} }, { authorizer: authz }));
    expect(none.status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'no namespace on request' });
  });
});

describe('SelfSubjectReview and TokenReview', () => {
  it('SelfSubjectReview answers the caller, stamped now', async () => {
    const out = await run(selfsubjectreviews, { metadata: { name: 'x' } });
    expect(out).toEqual({
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: '2026-01-02T03:04:05Z' },
      status: { userInfo: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } } },
    });
  });

  it('TokenReview authenticates the token in the request\'s cluster', async () => {
    const asked: unknown[] = [];
    const authn: TokenAuthenticator = {
      async authenticateToken(token, target) {
        asked.push([token, structuredClone(target)]);
        if (token === 'expired') target.rejections?.push('token is expired');
        return token === 'good' ? { username: 'bob', groups: ['system:authenticated'], cluster: 'root:acme' } : undefined;
      },
    };
    const good = await run(tokenreviews, { spec: { token: 'good', audiences: ['api'] } }, { tokenAuthenticator: authn });
    expect(asked).toEqual([['good', { cluster: 'root:acme', audiences: ['api'], rejections: [] }]]);
    expect(good.status).toEqual({ authenticated: true, user: { username: 'bob', groups: ['system:authenticated'] }, audiences: ['api'] });
    const bad = await run(tokenreviews, { spec: { token: 'bad' } }, { tokenAuthenticator: authn });
    expect(bad.status).toEqual({ user: {}, error: 'invalid bearer token' });
    const expired = await run(tokenreviews, { spec: { token: 'expired' } }, { tokenAuthenticator: authn });
    expect(expired.status).toEqual({ user: {}, error: '[invalid bearer token, token is expired]' });
    const empty = await statusError(run(tokenreviews, { spec: {} }, { tokenAuthenticator: authn }));
    expect(empty.status.message).toBe('token is required for TokenReview in authentication');
  });
});
