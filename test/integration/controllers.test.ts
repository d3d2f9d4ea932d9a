// The in-process controllers against a real kplane over HTTPS: ClusterRole aggregation in every
// logical cluster (and none of its storage in untouched ones), namespace deletion with kube's
// status conditions, and namespace defaults that never come back in a terminating namespace.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/apimachinery/object.js';
import type { AdmissionAttributes } from '../../src/registry/admission.js';
import type { StorageEvent } from '../../src/storage/interface.js';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type RawRequest, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let creds: Credentials;
const call = (req: RawRequest) => raw(t.url, creds, req);
const json = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
  call({ method, path, headers: { 'Content-Type': contentType }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const RBAC = 'apis/rbac.authorization.k8s.io/v1';
const AGG = 'rbac.authorization.k8s.io/aggregate-to';

type Rule = Record<string, string[]>;
const rule = (resource: string, verbs = ['get']): Rule => ({ verbs, apiGroups: ['example.com'], resources: [resource] });
const clusterRole = (name: string, labels: Record<string, string>, rules?: Rule[], selectors?: Record<string, string>[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
  metadata: { name, labels },
  ...(rules ? { rules } : {}),
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors.map((matchLabels) => ({ matchLabels })) } } : {}),
});

/** JSON with sorted keys: rules compare by content, not by the key order the server writes. */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

async function rulesOf(cluster: string, name: string): Promise<Rule[] | null> {
  const r = await json('GET', `/clusters/${cluster}/${RBAC}/clusterroles/${name}`);
  expect(r.status).toBe(200);
  return r.json.rules ?? null;
}

/** ClusterRoles stored for a cluster (real rows and tombstones), as opposed to shared templates. */
async function storedClusterRoles(cluster: string): Promise<string[]> {
  const page = await t.k.baseStore.list(`rbac.authorization.k8s.io/clusterroles/${cluster}/`);
  return page.items.map((kv) => kv.value.metadata.name!);
}

async function workspace(name: string): Promise<string> {
  const r = await json('POST', `/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces`, {
    apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name },
  });
  expect(r.status).toBe(201);
  return eventually(async () => {
    const w = await json('GET', `/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/${name}`);
    return w.json?.status?.phase === 'Ready' ? (w.json.status.cluster as string) : undefined;
  }, 10_000, `workspace ${name}`);
}

beforeAll(async () => {
  t = await startKplane();
  creds = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
});
afterAll(async () => {
  await t?.stop();
});

describe('clusterrole aggregation', () => {
  it('follows source roles as they appear, change and disappear, in kube order and without duplicates', async () => {
    const base = `/clusters/root/${RBAC}/clusterroles`;
    expect((await json('POST', base, clusterRole('agg', {}, undefined, [{ 'ex/agg': 'b' }, { 'ex/agg': 'a' }]))).status).toBe(201);
    expect((await json('POST', base, clusterRole('src-z', { 'ex/agg': 'a' }, [rule('z'), rule('shared')]))).status).toBe(201);
    expect((await json('POST', base, clusterRole('src-a', { 'ex/agg': 'a' }, [rule('a'), rule('shared')]))).status).toBe(201);
    expect((await json('POST', base, clusterRole('src-b', { 'ex/agg': 'b' }, [rule('b')]))).status).toBe(201);
    const want = [rule('b'), rule('a'), rule('shared'), rule('z')];
    await eventually(async () => canon(await rulesOf('root', 'agg')) === canon(want), 10_000, 'aggregated rules');

    // a source changes
    const z = await json('GET', `${base}/src-z`);
    expect((await json('PUT', `${base}/src-z`, { ...z.json, rules: [rule('z', ['list'])] })).status).toBe(200);
    const want2 = [rule('b'), rule('a'), rule('shared'), rule('z', ['list'])];
    await eventually(async () => canon(await rulesOf('root', 'agg')) === canon(want2), 10_000, 'changed source');

    // a source loses its label, another goes away
    expect((await json('PATCH', `${base}/src-a`, { metadata: { labels: { 'ex/agg': null } } }, 'application/merge-patch+json')).status).toBe(200);
    expect((await json('DELETE', `${base}/src-b`)).status).toBe(200);
    await eventually(async () => canon(await rulesOf('root', 'agg')) === canon([rule('z', ['list'])]), 10_000, 'fewer sources');

    // nothing left to aggregate
    expect((await json('DELETE', `${base}/src-z`)).status).toBe(200);
    await eventually(async () => (await rulesOf('root', 'agg')) === null, 10_000, 'no sources');
  });

  it('does not write an aggregated role whose rules are already right', async () => {
    const base = `/clusters/root/${RBAC}/clusterroles`;
    expect((await json('POST', base, clusterRole('stable-src', { 'ex/stable': 'x' }, [rule('s')]))).status).toBe(201);
    const created = await json('POST', base, clusterRole('stable', {}, [rule('s')], [{ 'ex/stable': 'x' }]));
    expect(created.status).toBe(201);
    // an unrelated role changes: the aggregated role is recomputed but not rewritten
    expect((await json('POST', base, clusterRole('stable-other', {}, [rule('o')]))).status).toBe(201);
    await t.k.settle();
    const after = await json('GET', `${base}/stable`);
    expect(after.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
  });

  it('keeps rules the creator wrote while nothing matches, replaces them once something does (as kube\'s forced apply)', async () => {
    const base = `/clusters/root/${RBAC}/clusterroles`;
    expect((await json('POST', base, clusterRole('own', {}, [rule('mine')], [{ 'ex/own': 'x' }]))).status).toBe(201);
    // any ClusterRole change makes the controller look at every aggregated role
    expect((await json('POST', base, clusterRole('own-unrelated', {}, [rule('u')]))).status).toBe(201);
    await t.k.settle();
    expect(await rulesOf('root', 'own')).toEqual([rule('mine')]);
    expect((await json('POST', base, clusterRole('own-src', { 'ex/own': 'x' }, [rule('src')]))).status).toBe(201);
    await eventually(async () => canon(await rulesOf('root', 'own')) === canon([rule('src')]), 10_000, 'taken over');
    expect((await json('DELETE', `${base}/own-src`)).status).toBe(200);
    await eventually(async () => (await rulesOf('root', 'own')) === null, 10_000, 'removed with the last source');
  });

  it('leaves untouched clusters without any stored ClusterRole, and aggregates per cluster once touched', async () => {
    const a = await workspace('agg-a');
    const b = await workspace('agg-b');
    await t.k.settle();
    expect(await storedClusterRoles(a)).toEqual([]);
    expect(await storedClusterRoles(b)).toEqual([]);
    const viewBefore = await rulesOf(a, 'view');
    const editBefore = await rulesOf(a, 'edit');
    const adminBefore = await rulesOf(a, 'admin');

    // a tenant extends view in cluster a: view, edit and admin of a follow, b is not touched
    expect((await json('POST', `/clusters/${a}/${RBAC}/clusterroles`, clusterRole('acme-view', { [`${AGG}-view`]: 'true' }, [rule('widgets')]))).status).toBe(201);
    // view <- acme-view, system:aggregate-to-view (by name); edit <- system:aggregate-to-edit, view; admin <- edit, system:aggregate-to-admin
    const editOnly = editBefore!.slice(0, editBefore!.length - viewBefore!.length);
    const adminOnly = adminBefore!.slice(editBefore!.length);
    const view = [rule('widgets'), ...viewBefore!];
    const edit = [...editOnly, ...view];
    await eventually(async () => canon(await rulesOf(a, 'view')) === canon(view), 10_000, 'view in a');
    await eventually(async () => canon(await rulesOf(a, 'edit')) === canon(edit), 10_000, 'edit in a');
    await eventually(async () => canon(await rulesOf(a, 'admin')) === canon([...edit, ...adminOnly]), 10_000, 'admin in a');
    await t.k.settle();
    expect(await storedClusterRoles(a)).toEqual(['acme-view', 'admin', 'edit', 'view']);
    expect(await storedClusterRoles(b)).toEqual([]);
    expect(await storedClusterRoles('root')).not.toContain('admin');
    expect(await rulesOf(b, 'view')).toEqual(viewBefore);

    // it goes away again: back to the bootstrap rules
    expect((await json('DELETE', `/clusters/${a}/${RBAC}/clusterroles/acme-view`)).status).toBe(200);
    await eventually(async () => canon(await rulesOf(a, 'admin')) === canon(adminBefore), 10_000, 'admin back');
    expect(await rulesOf(a, 'edit')).toEqual(editBefore);
    expect(await rulesOf(a, 'view')).toEqual(viewBefore);
  });

  it('follows the deletion of a bootstrap source role (a shared template)', async () => {
    const c = await workspace('agg-c');
    const edit = await rulesOf(c, 'edit');
    const view = await rulesOf(c, 'view');
    expect((await json('DELETE', `/clusters/${c}/${RBAC}/clusterroles/system:aggregate-to-view`)).status).toBe(200);
    await eventually(async () => (await rulesOf(c, 'view')) === null, 10_000, 'view emptied');
    await eventually(async () => canon(await rulesOf(c, 'edit')) === canon(edit!.slice(0, edit!.length - view!.length)), 10_000, 'edit without view');
  });
});

describe('namespace deletion', () => {
  const R = '/clusters/root';

  async function namespaceEvents(name: string, from: number): Promise<{ events: StorageEvent[]; stop(): void }> {
    const events: StorageEvent[] = [];
    const w = t.k.store.watch(`core/namespaces/root/${name}`, from, { onEvents: (e) => events.push(...e), onError: () => undefined });
    return { events, stop: () => w.stop() };
  }

  it('deletes what it can at once, reports nothing remaining and removes the namespace', async () => {
    const from = t.k.baseStore.currentRevision();
    const w = await namespaceEvents('gone-at-once', from);
    expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone-at-once' } })).status).toBe(201);
    expect((await json('POST', `${R}/api/v1/namespaces/gone-at-once/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).status).toBe(201);
    expect((await json('POST', `${R}/api/v1/namespaces/gone-at-once/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } })).status).toBe(201);
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/gone-at-once/serviceaccounts/default`)).status === 200, 10_000, 'default sa');
    expect((await json('DELETE', `${R}/api/v1/namespaces/gone-at-once`)).status).toBe(200);
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/gone-at-once`)).status === 404, 10_000, 'namespace gone');
    await eventually(() => w.events.some((e) => e.type === 'DELETED'), 5000, 'DELETED event');
    w.stop();
    const withConditions = w.events.filter((e) => (e.kv.value.status as { conditions?: unknown[] } | undefined)?.conditions);
    expect(withConditions.length).toBeGreaterThan(0);
    for (const e of withConditions) {
      const conds = (e.kv.value.status as { conditions: { type: string; status: string; reason: string }[] }).conditions;
      expect(conds.map((c) => [c.type, c.status, c.reason])).toEqual([
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
        ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
        ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers'],
      ]);
    }
    expect((await json('GET', `${R}/api/v1/namespaces/gone-at-once/configmaps`)).json.items).toEqual([]);
  });

  it('reports only what finalizers hold, and finishes as soon as they let go', async () => {
    const ns = 'held';
    expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    for (const [res, kind, name, fin] of [
      ['configmaps', 'ConfigMap', 'held', 'example.com/hold'], ['configmaps', 'ConfigMap', 'free', undefined],
      ['secrets', 'Secret', 'held', 'example.com/hold'], ['secrets', 'Secret', 'also', 'example.com/other'],
    ] as const) {
      const body = { apiVersion: 'v1', kind, metadata: { name, ...(fin ? { finalizers: [fin] } : {}) } };
      expect((await json('POST', `${R}/api/v1/namespaces/${ns}/${res}`, body)).status).toBe(201);
    }
    expect((await json('DELETE', `${R}/api/v1/namespaces/${ns}`)).status).toBe(200);
    const conds = await eventually(async () => {
      const r = await json('GET', `${R}/api/v1/namespaces/${ns}`);
      const c = r.json?.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined;
      return c?.length === 5 ? c : undefined;
    }, 10_000, 'conditions');
    expect(conds[3]).toMatchObject({
      type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps. has 1 resource instances, secrets. has 2 resource instances',
    });
    expect(conds[4]).toMatchObject({
      type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain',
      message: 'Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances, example.com/other in 1 resource instances',
    });
    expect(conds[2]).toMatchObject({ type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted' });
    // no default came back while terminating
    expect((await json('GET', `${R}/api/v1/namespaces/${ns}/serviceaccounts/default`)).status).toBe(404);
    expect((await json('GET', `${R}/api/v1/namespaces/${ns}/configmaps`)).json.items.map((i: KubeObject) => i.metadata.name)).toEqual(['held']);

    // one finalizer goes: the report follows
    expect((await json('PATCH', `${R}/api/v1/namespaces/${ns}/secrets/also`, { metadata: { finalizers: null } }, 'application/merge-patch+json')).status).toBe(200);
    await eventually(async () => {
      const r = await json('GET', `${R}/api/v1/namespaces/${ns}`);
      return r.json.status.conditions[3].message === 'Some resources are remaining: configmaps. has 1 resource instances, secrets. has 1 resource instances';
    }, 10_000, 'updated report');
    for (const res of ['configmaps', 'secrets']) {
      expect((await json('PATCH', `${R}/api/v1/namespaces/${ns}/${res}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json')).status).toBe(200);
    }
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/${ns}`)).status === 404, 10_000, 'namespace gone');
  });

  it('keeps spec finalizers of others, sorted, and never re-adds its own', async () => {
    const ns = 'custom-fin';
    expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    expect((await json('PUT', `${R}/api/v1/namespaces/${ns}/finalize`, {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: ['z.example.com/x', 'kubernetes', 'a.example.com/y'] },
    })).status).toBe(200);
    expect((await json('DELETE', `${R}/api/v1/namespaces/${ns}`)).status).toBe(200);
    const got = await eventually(async () => {
      const r = await json('GET', `${R}/api/v1/namespaces/${ns}`);
      return r.json.spec.finalizers.includes('kubernetes') ? undefined : r.json;
    }, 10_000, 'finalized');
    expect(got.spec.finalizers).toEqual(['a.example.com/y', 'z.example.com/x']);
    expect(got.status.conditions[3]).toMatchObject({ status: 'False', reason: 'ContentRemoved' });
    expect((await json('PUT', `${R}/api/v1/namespaces/${ns}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } })).status).toBe(200);
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/${ns}`)).status === 404, 10_000, 'namespace gone');
  });
});

describe('namespace defaults racing a deletion', () => {
  const R = '/clusters/root';
  /** Namespace name -> what to do when the controller's create of its default ServiceAccount passes admission. */
  const onDefaultCreate = new Map<string, () => Promise<void>>();
  let hooked = false;

  function hook(): void {
    if (hooked) return;
    hooked = true;
    // Runs after NamespaceLifecycle admitted the create: the deletion lands between the
    // controller's check and its write, the narrowest window there is.
    t.k.registry.admission.add({
      name: 'test-race',
      validate: async (a: AdmissionAttributes) => {
        if (a.operation !== 'CREATE' || a.type.resource !== 'serviceaccounts' || a.name !== 'default') return;
        const act = onDefaultCreate.get(a.namespace);
        if (!act) return;
        onDefaultCreate.delete(a.namespace);
        await act();
      },
    });
  }

  function defaultsEvents(ns: string, from: number): { events: StorageEvent[]; stop(): void } {
    const events: StorageEvent[] = [];
    const w = t.k.baseStore.watch([`core/serviceaccounts/root/${ns}/`, `core/configmaps/root/${ns}/`], from, {
      onEvents: (e) => events.push(...e), onError: () => undefined,
    });
    return { events, stop: () => w.stop() };
  }

  it('a default created as the namespace starts terminating is removed with the content and not counted', async () => {
    hook();
    const ns = 'race-terminating';
    const from = t.k.baseStore.currentRevision();
    const w = defaultsEvents(ns, from);
    let deletedAt = 0;
    onDefaultCreate.set(ns, async () => {
      const r = await json('DELETE', `${R}/api/v1/namespaces/${ns}`);
      expect(r.status).toBe(200);
      deletedAt = Number(r.json.metadata.resourceVersion);
    });
    const nsEvents: StorageEvent[] = [];
    const nw = t.k.store.watch(`core/namespaces/root/${ns}`, from, { onEvents: (e) => nsEvents.push(...e), onError: () => undefined });
    expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/${ns}`)).status === 404, 10_000, 'namespace gone');
    await t.k.settle();
    w.stop();
    nw.stop();
    expect(deletedAt).toBeGreaterThan(0);
    // the ServiceAccount slipped in (created after the deletion) and was taken back; the
    // ConfigMap was never created in the terminating namespace
    const sa = w.events.filter((e) => e.kv.key.endsWith('/default'));
    expect(sa.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(w.events.filter((e) => e.type === 'ADDED' && e.kv.modRevision > deletedAt && !e.kv.key.startsWith('core/serviceaccounts/'))).toEqual([]);
    const reported = nsEvents.map((e) => (e.kv.value.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions)
      .filter((c) => c).map((c) => c!.find((x) => x.type === 'NamespaceContentRemaining')!.status);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((s) => s === 'False')).toBe(true);
  });

  it('a default created just before its namespace vanished is taken back', async () => {
    hook();
    const ns = 'race-vanished';
    const from = t.k.baseStore.currentRevision();
    const w = defaultsEvents(ns, from);
    onDefaultCreate.set(ns, async () => {
      // without spec.finalizers, a deleted namespace goes at once, content and all left behind
      const f = await json('PUT', `${R}/api/v1/namespaces/${ns}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } });
      expect(f.status).toBe(200);
      expect((await json('DELETE', `${R}/api/v1/namespaces/${ns}`)).status).toBe(200);
      expect((await json('DELETE', `${R}/api/v1/namespaces/${ns}`)).status).toBe(200);
    });
    expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/${ns}`)).status === 404, 10_000, 'namespace gone');
    await t.k.settle();
    w.stop();
    expect(await t.k.baseStore.list(`core/serviceaccounts/root/${ns}/`)).toMatchObject({ items: [] });
    expect(await t.k.baseStore.list(`core/configmaps/root/${ns}/`)).toMatchObject({ items: [] });
    expect(w.events.filter((e) => e.kv.key.startsWith('core/configmaps/'))).toEqual([]);

    // the name is free again: a new namespace gets its defaults as usual
    expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)).status === 200, 10_000, 'defaults');
    expect((await json('GET', `${R}/api/v1/namespaces/${ns}/serviceaccounts/default`)).status).toBe(200);
  });

  it('many namespaces deleted right after creation end up empty and gone', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `quick-${i}`);
    await Promise.all(names.map(async (ns) => {
      expect((await json('POST', `${R}/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
      expect((await json('DELETE', `${R}/api/v1/namespaces/${ns}`)).status).toBe(200);
    }));
    for (const ns of names) {
      await eventually(async () => (await json('GET', `${R}/api/v1/namespaces/${ns}`)).status === 404, 10_000, `${ns} gone`);
    }
    await t.k.settle();
    for (const ns of names) {
      expect((await t.k.baseStore.list(`core/serviceaccounts/root/${ns}/`)).items).toEqual([]);
      expect((await t.k.baseStore.list(`core/configmaps/root/${ns}/`)).items).toEqual([]);
    }
  });
});
