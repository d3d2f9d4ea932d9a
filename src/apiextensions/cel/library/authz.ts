// kube's authz library (k8s.io/apiserver/pkg/cel/library/authz.go): the `authorizer` variable of
// admission policies and its checks, authorizer.path(p).check(verb), authorizer.group(g)
// .resource(r).subresource(s).namespace(n).name(x).fieldSelector(f).labelSelector(l).check(verb),
// authorizer.serviceAccount(ns, name), `authorizer.requestResource`, and the Decision's allowed(),
// reason(), errored(), error(). A check costs 350,000, as in kube (about two per expression).
//
// Evaluation is synchronous and kplane's authorizer is not (a decision may read who administers a
// cluster), so checks go through a session: a decision the session already holds answers at once;
// one it does not is recorded and the evaluation fails with PENDING. The caller then resolves the
// recorded checks and evaluates again (evaluateWithAuthz): CEL is pure, so the second run takes
// the same path and finds its answers. The session is per request, as kube's caching authorizer.

import type { CelFunc } from '@bufbuild/cel';
import { CelScalar } from '@bufbuild/cel';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { chargeCost } from '../meter.js';
import { Opaque, expect, method } from './opaque.js';

const { DYN, STRING, BOOL } = CelScalar;

/** What a check asks (kube's authorizer.AttributesRecord). */
export type AuthzCheck =
  | { kind: 'path'; path: string; verb: string }
  | { kind: 'resource'; group: string; resource: string; subresource: string; namespace: string; name: string; verb: string;
    fieldSelector: string; labelSelector: string };

export interface AuthzUser { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]>; cluster?: string }

export interface AuthzDecision { allowed: boolean; reason: string; error?: string }

/** Decides checks for a user (kplane's authorizer for the request's logical cluster). */
export type AuthzDecider = (user: AuthzUser, check: AuthzCheck) => Promise<AuthzDecision>;

export const PENDING = 'kplane: authorization check pending';
const CHECK_COST = 350000;

export class AuthzSession {
  private readonly decisions = new Map<string, AuthzDecision>();
  private readonly pending = new Map<string, { user: AuthzUser; check: AuthzCheck }>();

  constructor(private readonly decide: AuthzDecider) {}

  /** The decision, or undefined after recording the check for resolve(). */
  lookup(user: AuthzUser, check: AuthzCheck): AuthzDecision | undefined {
    const key = JSON.stringify([user.username, user.uid ?? '', user.groups, user.extra ?? {}, user.cluster ?? '', check]);
    const d = this.decisions.get(key);
    if (d) return d;
    this.pending.set(key, { user, check });
    return undefined;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  async resolve(): Promise<void> {
    const todo = [...this.pending];
    this.pending.clear();
    await Promise.all(todo.map(async ([key, { user, check }]) => {
      let d: AuthzDecision;
      try {
        d = await this.decide(user, check);
      } catch (e) {
        d = { allowed: false, reason: '', error: e instanceof Error ? e.message : String(e) };
      }
      this.decisions.set(key, d);
    }));
  }
}

/** Runs a synchronous evaluation until every authorization check it made has its answer (at most `rounds` times). */
export async function evaluateWithAuthz<R>(session: AuthzSession | undefined, evaluate: () => R, rounds = 32): Promise<R> {
  let r = evaluate();
  for (let i = 0; session?.hasPending && i < rounds; i++) {
    await session.resolve();
    r = evaluate();
  }
  return r;
}

export class AuthorizerValue extends Opaque {
  override readonly typeName = 'kubernetes.authorization.Authorizer';
  /** cluster: the logical cluster checks are made in (a service account's identity is one of it). */
  constructor(readonly session: AuthzSession, readonly user: AuthzUser, readonly cluster?: string) { super(); }
}

export class PathCheckValue extends Opaque {
  override readonly typeName = 'kubernetes.authorization.PathCheck';
  constructor(readonly authorizer: AuthorizerValue, readonly path: string) { super(); }
}

export class GroupCheckValue extends Opaque {
  override readonly typeName = 'kubernetes.authorization.GroupCheck';
  constructor(readonly authorizer: AuthorizerValue, readonly group: string) { super(); }
}

interface ResourceFields { resource: string; subresource: string; namespace: string; name: string; fieldSelector: string; labelSelector: string }

export class ResourceCheckValue extends Opaque {
  override readonly typeName = 'kubernetes.authorization.ResourceCheck';
  constructor(readonly group: GroupCheckValue, readonly f: ResourceFields) { super(); }
  with(change: Partial<ResourceFields>): ResourceCheckValue {
    return new ResourceCheckValue(this.group, { ...this.f, ...change });
  }
}

export class DecisionValue extends Opaque {
  override readonly typeName = 'kubernetes.authorization.Decision';
  constructor(readonly d: AuthzDecision) { super(); }
}

/** The `authorizer` variable for the request's user. */
export function authorizerValue(session: AuthzSession, user: AuthzUser, cluster?: string): AuthorizerValue {
  return new AuthorizerValue(session, user, cluster);
}

/** The `authorizer.requestResource` variable: a ResourceCheck of the request's resource. */
export function requestResourceCheck(a: AuthorizerValue, r: { group: string; resource: string; subresource: string; namespace: string; name: string }): ResourceCheckValue {
  return new ResourceCheckValue(new GroupCheckValue(a, r.group), {
    resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, fieldSelector: '', labelSelector: '',
  });
}

function decision(a: AuthorizerValue, check: AuthzCheck): DecisionValue {
  chargeCost(CHECK_COST);
  const d = a.session.lookup(a.user, check);
  if (!d) throw new Error(PENDING);
  return new DecisionValue(d);
}

const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new Error('no such overload');
  return v;
};

/** ServiceAccountInfo.UserInfo: the account's name and groups, an identity of the same logical cluster. */
function serviceAccountUser(a: AuthorizerValue, namespace: string, name: string): AuthzUser {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
    ...(a.cluster !== undefined ? { cluster: a.cluster } : {}),
  };
}

export const authzFuncs: CelFunc[] = [
  method('path', DYN, [STRING], DYN, function (this: unknown, path: string) {
    const a = expect(this, AuthorizerValue, 'path');
    if (str(path).trim() === '') throw new Error('path must not be empty');
    return new PathCheckValue(a, path);
  }),
  method('group', DYN, [STRING], DYN, function (this: unknown, group: string) {
    return new GroupCheckValue(expect(this, AuthorizerValue, 'group'), str(group));
  }),
  method('serviceAccount', DYN, [STRING, STRING], DYN, function (this: unknown, namespace: string, name: string) {
    const a = expect(this, AuthorizerValue, 'serviceAccount');
    if (isDNS1123Subdomain(str(name)).length) throw new Error('Invalid service account name');
    if (isDNS1123Label(str(namespace)).length) throw new Error('Invalid service account namespace');
    return new AuthorizerValue(a.session, serviceAccountUser(a, namespace, name), a.cluster);
  }),
  method('resource', DYN, [STRING], DYN, function (this: unknown, resource: string) {
    const g = expect(this, GroupCheckValue, 'resource');
    if (str(resource).trim() === '') throw new Error('resource must not be empty');
    return new ResourceCheckValue(g, { resource, subresource: '', namespace: '', name: '', fieldSelector: '', labelSelector: '' });
  }),
  ...(['subresource', 'namespace', 'name', 'fieldSelector', 'labelSelector'] as const).map((f) =>
    method(f, DYN, [STRING], DYN, function (this: unknown, v: string) {
      return expect(this, ResourceCheckValue, f).with({ [f]: str(v) });
    })),
  method('check', DYN, [STRING], DYN, function (this: unknown, verb: string) {
    if (this instanceof PathCheckValue) return decision(this.authorizer, { kind: 'path', path: this.path, verb: str(verb) });
    const r = expect(this, ResourceCheckValue, 'check');
    return decision(r.group.authorizer, { kind: 'resource', group: r.group.group, ...r.f, verb: str(verb) });
  }),
  method('allowed', DYN, [], BOOL, function (this: unknown) { return expect(this, DecisionValue, 'allowed').d.allowed; }),
  method('reason', DYN, [], STRING, function (this: unknown) { return expect(this, DecisionValue, 'reason').d.reason; }),
  method('errored', DYN, [], BOOL, function (this: unknown) { return expect(this, DecisionValue, 'errored').d.error !== undefined; }),
  method('error', DYN, [], STRING, function (this: unknown) { return expect(this, DecisionValue, 'error').d.error ?? ''; }),
];
