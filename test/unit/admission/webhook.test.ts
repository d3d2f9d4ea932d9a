// Admission webhooks without the network: the index of every cluster's configurations (kube's
// order and uids, nothing of one tenant in another), ShouldCallHook (rules, selectors, matchPolicy
// Equivalent, match conditions and their errors), the checks made before a call (dry run and
// sideEffects, review versions), the AdmissionReview sent and kube's checks of the response, and
// how a denial becomes a Status.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStatusError, type StatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { WebhookAccessor } from '../../../src/admission/webhook/accessor.js';
import { denial, WebhookDispatcher, versionedObjects, type WebhookDeps } from '../../../src/admission/webhook/dispatcher.js';
import { admissionReview, reviewVersionOf, verifyAdmissionResponse } from '../../../src/admission/webhook/review.js';
import { WebhookSource } from '../../../src/admission/webhook/source.js';
import type { Authorizer } from '../../../src/auth/authz.js';
import type { AdmissionAttributes } from '../../../src/registry/admission.js';
import { builtinResources } from '../../../src/registry/builtin.js';
import { ResourceCatalog } from '../../../src/registry/catalog.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import { events } from '../../../src/registry/kinds/events.js';
import { namespaces } from '../../../src/registry/kinds/namespaces.js';
import type { Registry } from '../../../src/registry/store.js';
import { objectKey } from '../../../src/storage/keys.js';
import { LevelStore } from '../../../src/storage/leveldb/store.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';
import { eventually } from '../../helpers/kplane.js';

const G = 'admissionregistration.k8s.io';
const rule = { operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' };
const hook = (o: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'h.example.com', clientConfig: { url: 'https://127.0.0.1:1/x' }, rules: [rule], failurePolicy: 'Fail', matchPolicy: 'Equivalent',
  namespaceSelector: {}, objectSelector: {}, sideEffects: 'None', timeoutSeconds: 10, admissionReviewVersions: ['v1'], ...o,
});
const accessor = (o: Record<string, unknown> = {}, kind: 'validating' | 'mutating' = 'validating') => new WebhookAccessor('cfg/h.example.com/0', 'cfg', hook(o), kind);

const attrs = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE', type: configmaps, subresource: '', namespace: 'team', name: 'x', dryRun: false,
  ctx: { cluster: 'root:a' as ClusterName, namespace: 'team', user: { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] }, now: new Date(), warnings: [] },
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team', labels: { app: 'a' } }, data: { k: 'v' } },
  ...over,
});

describe('the configuration index', () => {
  let dir: string;
  let store: LevelStore;
  let source: WebhookSource;
  const put = (resource: string, cluster: string, obj: KubeObject) =>
    store.txn([{ type: 'put', key: objectKey({ group: G, resource }, cluster as ClusterName, undefined, obj.metadata.name!), value: obj }]);
  const del = (resource: string, cluster: string, name: string) =>
    store.txn([{ type: 'delete', key: objectKey({ group: G, resource }, cluster as ClusterName, undefined, name) }]);
  const cfg = (name: string, hooks: string[]): KubeObject => ({ metadata: { name }, webhooks: hooks.map((n) => hook({ name: n })) } as KubeObject);
  const uids = (kind: 'validating' | 'mutating', cluster: string) => source.webhooksFor(kind, cluster).map((w) => w.uid);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-webhook-source-'));
    store = await LevelStore.open({ path: dir });
    await put('validatingwebhookconfigurations', 'root:a', cfg('zeta', ['z.example.com']));
    source = new WebhookSource(store);
    await source.start();
  });
  afterEach(async () => {
    source.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists a cluster\'s webhooks as kube does: configurations by name, webhooks in order, repeated names counted', async () => {
    expect(uids('validating', 'root:a')).toEqual(['zeta/z.example.com/0']);
    await put('validatingwebhookconfigurations', 'root:a', cfg('alpha', ['a.example.com', 'b.example.com', 'a.example.com']));
    await eventually(() => uids('validating', 'root:a').length === 4, 5_000, 'alpha indexed');
    expect(uids('validating', 'root:a')).toEqual(['alpha/a.example.com/0', 'alpha/b.example.com/0', 'alpha/a.example.com/1', 'zeta/z.example.com/0']);
    // the same list until a change
    expect(source.webhooksFor('validating', 'root:a')).toBe(source.webhooksFor('validating', 'root:a'));
  });

  it('holds nothing for a cluster without configurations, and forgets a cluster whose last one goes', async () => {
    expect(uids('validating', 'root:b')).toEqual([]);
    expect(uids('mutating', 'root:a')).toEqual([]);
    expect(source.any('validating')).toBe(true);
    expect(source.any('mutating')).toBe(false);
    await put('mutatingwebhookconfigurations', 'root:b', cfg('m', ['m.example.com']));
    await eventually(() => source.any('mutating'), 5_000, 'mutating indexed');
    expect(uids('mutating', 'root:b')).toEqual(['m/m.example.com/0']);
    expect(uids('mutating', 'root:a')).toEqual([]);
    await del('validatingwebhookconfigurations', 'root:a', 'zeta');
    await eventually(() => !source.any('validating'), 5_000, 'zeta gone');
    expect(source.stats()).toEqual({ validatingClusters: 0, mutatingClusters: 1 });
  });
});

describe('ShouldCallHook', () => {
  const catalog = new ResourceCatalog(builtinResources);
  const nsLabels: Record<string, Record<string, string>> = { team: { tier: 'gold' } };
  const registry = {
    tryGet: async (_t: unknown, _c: unknown, _ns: string, name: string) => (nsLabels[name] ? { metadata: { name, labels: nsLabels[name] } } : undefined),
  } as unknown as Registry;
  // alice may read secrets in her namespace, nobody else anything
  const authorizer = {
    authorize: async (user: { username: string }, info: { kind: string; resource?: string; namespace?: string; verb?: string; cluster?: string }) =>
      ({ allowed: user.username === 'alice' && info.resource === 'secrets' && info.namespace === 'team' && info.verb === 'get' && info.cluster === 'root:a' }),
    rulesFor: async () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }),
  } as unknown as Authorizer;
  const deps: WebhookDeps = { registry, catalog, namespaces, source: {} as WebhookSource, authorizer };
  const d = new WebhookDispatcher(deps);
  const should = async (h: WebhookAccessor, a = attrs()) => d.shouldCall(h, a, d.matchInput(a), versionedObjects(a));
  const failure = async (p: Promise<unknown>): Promise<StatusError> => {
    try {
      await p;
    } catch (e) {
      if (isStatusError(e)) return e;
      throw e;
    }
    throw new Error('expected a Status error');
  };

  it('never calls a webhook without rules', async () => {
    expect(await should(accessor({ rules: [] }))).toBeUndefined();
    expect(await should(accessor({ rules: undefined }))).toBeUndefined();
  });

  it('matches rules, the namespace selector and the object selector (new or old object)', async () => {
    expect((await should(accessor()))?.resource).toEqual({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' });
    expect(await should(accessor(), attrs({ operation: 'DELETE', object: undefined, oldObject: attrs().object }))).toBeUndefined();
    expect(await should(accessor({ namespaceSelector: { matchLabels: { tier: 'silver' } } }))).toBeUndefined();
    expect(await should(accessor({ namespaceSelector: { matchLabels: { tier: 'gold' } } }))).toBeDefined();
    expect(await should(accessor({ objectSelector: { matchLabels: { app: 'b' } } }))).toBeUndefined();
    const relabel = attrs({ operation: 'UPDATE', oldObject: { metadata: { name: 'x', labels: { app: 'b' } } } });
    expect(await should(accessor({ objectSelector: { matchLabels: { app: 'b' } } }), relabel)).toBeDefined();
  });

  it('answers a namespace that does not exist with its 404 (when the rules match)', async () => {
    const a = attrs({ namespace: 'gone' });
    const e = await failure(should(accessor({ namespaceSelector: { matchLabels: { tier: 'gold' } } }), a));
    expect(e.status).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "gone" not found' });
    expect(await should(accessor({ rules: [{ ...rule, resources: ['secrets'] }], namespaceSelector: { matchLabels: { tier: 'gold' } } }), a)).toBeUndefined();
  });

  it('sends a request to an equivalent resource under matchPolicy Equivalent, not under Exact', async () => {
    const eventsV1Rule = { operations: ['CREATE'], apiGroups: ['events.k8s.io'], apiVersions: ['v1'], resources: ['events'], scope: '*' };
    const ev: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'team' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', message: 'm' };
    const a = attrs({ type: events, object: ev, name: 'e' });
    const inv = await should(accessor({ rules: [eventsV1Rule] }), a);
    expect(inv?.resource).toEqual({ group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event' });
    expect(inv?.type.group).toBe('events.k8s.io');
    // the webhook sees the object in its version
    const objs = await versionedObjects(a)(inv!.type);
    expect(objs.object).toMatchObject({ apiVersion: 'events.k8s.io/v1', kind: 'Event', regarding: { kind: 'Pod', name: 'p' }, note: 'm' });
    expect(await should(accessor({ rules: [eventsV1Rule], matchPolicy: 'Exact' }), a)).toBeUndefined();
  });

  it('evaluates match conditions: any false skips, an error fails the request under Fail and skips it under Ignore', async () => {
    const conds = (expression: string, failurePolicy = 'Fail') => accessor({ failurePolicy, matchConditions: [{ name: 'c', expression }] });
    expect(await should(conds('object.data.k == "v" && request.userInfo.username == "alice"'))).toBeDefined();
    expect(await should(conds('object.data.k == "other"'))).toBeUndefined();
    const e = await failure(should(conds('object.data.missing == "x"')));
    expect(e.status).toMatchObject({
      code: 403, reason: 'Forbidden',
      message: 'configmaps "x" is forbidden: expression \'object.data.missing == "x"\' resulted in error: no such key: missing',
    });
    expect(await should(conds('object.data.missing == "x"', 'Ignore'))).toBeUndefined();
    // the authorizer decides for the request's user in the request's cluster
    const canRead = "request.namespace == 'team' && authorizer.group('').resource('secrets').namespace('team').check('get').allowed()";
    expect(await should(conds(canRead))).toBeDefined();
    expect(await should(conds(canRead), attrs({ ctx: { ...attrs().ctx, user: { username: 'bob', groups: [] } } }))).toBeUndefined();
    // a false condition wins over an erring one
    expect(await should(accessor({ matchConditions: [{ name: 'a', expression: 'object.data.missing == "x"' }, { name: 'b', expression: 'false' }] }))).toBeUndefined();
  });
});

describe('before the call', () => {
  const d = new WebhookDispatcher({ registry: {} as Registry, catalog: new ResourceCatalog(builtinResources), namespaces, source: {} as WebhookSource });
  const inv = (o: Record<string, unknown>) => ({ hook: accessor(o), resource: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' }, type: configmaps });
  const objs = { object: attrs().object, oldObject: undefined, name: 'x' };

  it('refuses a dry run for a webhook that may have side effects with kube\'s 400', async () => {
    const r = await d.call(inv({ sideEffects: 'Some' }), attrs({ dryRun: true }), objs, false);
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.error.status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'admission webhook "h.example.com" does not support dry run' });
    expect(await d.call(inv({ sideEffects: undefined }), attrs({ dryRun: true }), objs, false)).toEqual({ kind: 'callError', reason: 'Webhook SideEffects is nil' });
  });
  it('needs an AdmissionReview version it speaks', async () => {
    expect(reviewVersionOf(['v2', 'v1beta1', 'v1'])).toBe('v1beta1');
    expect(await d.call(inv({ admissionReviewVersions: ['v2'] }), attrs(), objs, false)).toEqual({
      kind: 'callError', reason: 'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)',
    });
  });
});

describe('the AdmissionReview', () => {
  it('carries the request as kube\'s CreateV1AdmissionReview (Go field order, omitempty)', () => {
    const a = attrs();
    const { uid, body } = admissionReview('v1', a, { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' }, { object: a.object, oldObject: undefined, name: 'x' });
    expect(JSON.stringify(body)).toBe(JSON.stringify({
      kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1',
      request: {
        uid, kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' },
        requestKind: { group: '', version: 'v1', kind: 'ConfigMap' }, requestResource: { group: '', version: 'v1', resource: 'configmaps' },
        name: 'x', namespace: 'team', operation: 'CREATE', userInfo: { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] },
        object: a.object, oldObject: null, dryRun: false, options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
      },
    }));
    const del = admissionReview('v1beta1', attrs({ operation: 'DELETE', subresource: 'status', dryRun: true }), { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' },
      { object: undefined, oldObject: a.object, name: '' });
    expect(del.body.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(del.body.request).toMatchObject({ subResource: 'status', requestSubResource: 'status', object: null, dryRun: true, options: { kind: 'DeleteOptions', dryRun: ['All'] } });
    expect('name' in (del.body.request as object)).toBe(false);
  });

  it('is answered as VerifyAdmissionResponse checks it', () => {
    const ok = (response: Record<string, unknown>, apiVersion = 'admission.k8s.io/v1') => ({ apiVersion, kind: 'AdmissionReview', response: { uid: 'u', ...response } });
    expect(verifyAdmissionResponse('v1', 'u', false, {})).toBe('webhook response was absent');
    expect(verifyAdmissionResponse('v1', 'u', false, ok({ uid: 'other', allowed: true }))).toBe('expected response.uid="u", got "other"');
    expect(verifyAdmissionResponse('v1', 'u', false, ok({ allowed: true }, 'admission.k8s.io/v1beta1')))
      .toBe('expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview');
    expect(verifyAdmissionResponse('v1', 'u', false, ok({ allowed: true, patch: 'W10=' }))).toBe('validating webhook may not return response.patch');
    expect(verifyAdmissionResponse('v1', 'u', false, ok({ allowed: true, patchType: 'JSONPatch' }))).toBe('validating webhook may not return response.patchType');
    expect(verifyAdmissionResponse('v1', 'u', true, ok({ allowed: true, patch: 'W10=' }))).toBe('webhook returned response.patch but not response.patchType');
    expect(verifyAdmissionResponse('v1', 'u', true, ok({ allowed: true, patchType: 'JSONPatch' }))).toBe('webhook returned response.patchType but not response.patch');
    expect(verifyAdmissionResponse('v1', 'u', true, ok({ allowed: true, patch: 'W10=', patchType: 'JSONPatch', warnings: ['w'], auditAnnotations: { a: 'b' } }))).toEqual({
      allowed: true, result: undefined, patch: 'W10=', patchType: 'JSONPatch', auditAnnotations: { a: 'b' }, warnings: ['w'],
    });
    // v1beta1: no uid or kind checks, a patch is a JSON patch
    expect(verifyAdmissionResponse('v1beta1', 'u', true, { response: { allowed: false, patch: 'W10=', status: { message: 'no' } } })).toMatchObject({
      allowed: false, patch: 'W10=', patchType: 'JSONPatch', result: { message: 'no' },
    });
  });

  it('turns a denial into kube\'s Status (ToStatusErr)', () => {
    expect(denial('h', { code: 403, reason: 'Forbidden', message: 'nope' }).status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message: 'admission webhook "h" denied the request: nope',
    });
    expect(denial('h', { code: 200, reason: 'Conflict' }).status).toMatchObject({ code: 400, reason: 'Conflict', message: 'admission webhook "h" denied the request: Conflict' });
    expect(denial('h', undefined).status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, message: 'admission webhook "h" denied the request without explanation',
    });
  });
});
