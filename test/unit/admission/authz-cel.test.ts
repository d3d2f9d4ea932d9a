// The `authorizer` CEL variable of admission policies (kube's authz library): the checks it asks,
// their decisions, errors and costs, `authorizer.requestResource`, serviceAccount(), and the
// evaluation rerun until every check it made is decided (kplane's authorizer is asynchronous).

import { describe, expect, it } from 'vitest';
import type { CelInput } from '@bufbuild/cel';
import { compilePolicyExpression, policyVars } from '../../../src/admission/policy/cel.js';
import {
  AuthzSession, authorizerValue, evaluateWithAuthz, requestResourceCheck, type AuthzCheck, type AuthzUser,
} from '../../../src/apiextensions/cel/library/authz.js';
import { evalErrorText, isEvalError } from '../../../src/apiextensions/cel/runtime.js';
import { T } from '../../../src/apiextensions/cel/types.js';

const vars = policyVars({ hasParams: false, hasAuthorizer: true });
const alice: AuthzUser = { username: 'alice', groups: ['devs', 'system:authenticated'] };

function setup() {
  const asked: { user: AuthzUser; check: AuthzCheck }[] = [];
  const session = new AuthzSession(async (user, check) => {
    asked.push({ user, check });
    const allowed = check.kind === 'path' ? check.path === '/healthz' : check.verb === 'get' || user.username.startsWith('system:serviceaccount:');
    return { allowed, reason: allowed ? 'RBAC: allowed by test' : '' };
  });
  const a = authorizerValue(session, alice, 'root:acme');
  const activation: Record<string, CelInput> = {
    authorizer: a as unknown as CelInput,
    'authorizer.requestResource': requestResourceCheck(a, { group: 'apps', resource: 'deployments', subresource: '', namespace: 'ns', name: 'web' }) as unknown as CelInput,
  };
  return { asked, session, activation };
}

async function run(expr: string, want = T.bool) {
  const c = compilePolicyExpression(expr, vars, want);
  if (!c.ok) throw new Error(c.detail);
  const { asked, session, activation } = setup();
  const r = await evaluateWithAuthz(session, () => c.value.program.eval(activation, 1000000));
  return { value: isEvalError(r.value) ? `error: ${evalErrorText(r.value)}` : r.value, asked, cost: r.cost };
}

describe('authz CEL library', () => {
  it('type checks the library and its variables', () => {
    expect(compilePolicyExpression("authorizer.group('').resource('pods').namespace('default').name('x').check('get').allowed()", vars, T.bool).ok).toBe(true);
    expect(compilePolicyExpression('authorizer.requestResource.check("create").reason()', vars, T.string).ok).toBe(true);
    expect(compilePolicyExpression("authorizer.path('/healthz').check('get').errored() || authorizer.serviceAccount('ns', 'sa').group('').resource('pods').check('list').error() == ''", vars, T.bool).ok).toBe(true);
    const bad = compilePolicyExpression("authorizer.group('').check('get')", vars, T.bool);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.detail).toContain("found no matching overload for 'check' applied to 'kubernetes.authorization.GroupCheck.(string)'");
    // messageExpression has no authorizer
    const msg = compilePolicyExpression("authorizer.path('/x').check('get').reason()", policyVars({ hasParams: false }), T.string);
    expect(msg.ok).toBe(false);
    if (!msg.ok) expect(msg.detail).toContain("undeclared reference to 'authorizer'");
  });

  it('asks what the expression says, once per check, and answers from the decisions', async () => {
    const r = await run("authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').name('web').check('get').allowed()");
    expect(r.value).toBe(true);
    expect(r.asked).toEqual([{ user: alice, check: {
      kind: 'resource', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns', name: 'web', verb: 'get', fieldSelector: '', labelSelector: '',
    } }]);
    // two checks of which the second depends on the first: two rounds
    const two = await run("authorizer.group('').resource('pods').check('create').allowed() || authorizer.path('/healthz').check('get').allowed()");
    expect(two.value).toBe(true);
    expect(two.asked.map((x) => x.check.kind)).toEqual(['resource', 'path']);
    expect((await run("authorizer.group('').resource('pods').check('delete').reason()", T.string)).value).toBe('');
    expect((await run("authorizer.group('').resource('pods').check('get').reason()", T.string)).value).toBe('RBAC: allowed by test');
  });

  it('authorizer.requestResource is the request, serviceAccount() another identity of the same cluster', async () => {
    const r = await run("authorizer.requestResource.check('get').allowed()");
    expect(r.asked[0]!.check).toMatchObject({ group: 'apps', resource: 'deployments', namespace: 'ns', name: 'web', verb: 'get' });
    const sa = await run("authorizer.serviceAccount('kube-system', 'builder').group('').resource('secrets').check('delete').allowed()");
    expect(sa.value).toBe(true);
    expect(sa.asked[0]!.user).toEqual({ username: 'system:serviceaccount:kube-system:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'], cluster: 'root:acme' });
  });

  it("errors as kube's library, and a check costs 350000", async () => {
    expect((await run("authorizer.path('  ').check('get').allowed()")).value).toBe('error: path must not be empty');
    expect((await run("authorizer.group('').resource('').check('get').allowed()")).value).toBe('error: resource must not be empty');
    expect((await run("authorizer.serviceAccount('Not Valid', 'sa').path('/x').check('get').allowed()")).value).toBe('error: Invalid service account namespace');
    expect((await run("authorizer.serviceAccount('ns', 'Bad_Name').path('/x').check('get').allowed()")).value).toBe('error: Invalid service account name');
    const one = await run("authorizer.path('/healthz').check('get').allowed()");
    expect(one.cost).toBeGreaterThanOrEqual(350000);
    expect(one.cost).toBeLessThan(350100);
  });
});
