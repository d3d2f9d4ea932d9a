// @kubernetes/client-node against kplane: typed CRUD, errors, watch resumption and an informer.

import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKplane, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  // a small watch cache, so that a watch can reach behind it into compacted history
  t = await startKplane({ watchCacheSize: 16 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(t.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'cn' } } });
});
afterAll(async () => {
  await t?.stop();
});

describe('client-node', () => {
  it('does typed CRUD and surfaces Status errors', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'a' }, data: { k: 'v' } } });
    expect(created.metadata?.uid).toBeTruthy();
    const read = await core.readNamespacedConfigMap({ name: 'a', namespace: 'cn' });
    expect(read.data).toEqual({ k: 'v' });
    read.data = { k: 'w' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'cn', body: read });
    expect(replaced.data).toEqual({ k: 'w' });
    const err = await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'cn', body: read }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<string>).code).toBe(409);
    const list = await core.listNamespacedConfigMap({ namespace: 'cn' });
    expect(list.items.map((i) => i.metadata?.name).sort()).toEqual(['a', 'kube-root-ca.crt']);
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'cn' });
    const gone = await core.readNamespacedConfigMap({ name: 'a', namespace: 'cn' }).catch((e: unknown) => e);
    expect((gone as k8s.ApiException<string>).code).toBe(404);
  });

  it('resumes a watch from a resourceVersion', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'w1' } } });
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'w2' } } });
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'cn' });
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch('/api/v1/namespaces/cn/configmaps', { resourceVersion: first.metadata!.resourceVersion! },
      (type: string, obj: k8s.V1ConfigMap) => seen.push(`${type} ${obj.metadata?.name}`), () => undefined);
    try {
      await eventually(() => seen.length >= 2, 10_000, 'resumed events');
      expect(seen.slice(0, 2)).toEqual(['ADDED w2', 'DELETED w1']);
    } finally {
      req.abort();
    }
  });

  it('keeps an informer cache in sync', async () => {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/cn/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'cn' }));
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (o: k8s.V1ConfigMap) => added.push(o.metadata!.name!));
    informer.on('delete', (o: k8s.V1ConfigMap) => deleted.push(o.metadata!.name!));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'inf' } } });
      await eventually(() => added.includes('inf'), 10_000, 'informer add');
      await core.deleteNamespacedConfigMap({ name: 'inf', namespace: 'cn' });
      await eventually(() => deleted.includes('inf'), 10_000, 'informer delete');
      expect(informer.list().map((o) => o.metadata?.name)).not.toContain('inf');
    } finally {
      await informer.stop();
    }
  });

  it('gets 410 Gone for a watch from a compacted revision', async () => {
    const old = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'old' } } });
    for (let i = 0; i < 20; i++) await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: `newer-${i}` } } });
    await t.k.baseStore.compact(t.k.baseStore.currentRevision());
    let status: { code?: number; reason?: string } | undefined;
    const watch = new k8s.Watch(kc);
    const req = await watch.watch('/api/v1/namespaces/cn/configmaps', { resourceVersion: old.metadata!.resourceVersion! },
      (type: string, obj: { code?: number; reason?: string }) => {
        if (type === 'ERROR') status = obj;
      }, () => undefined);
    try {
      await eventually(() => status, 10_000, 'ERROR event');
      expect(status).toMatchObject({ code: 410, reason: 'Expired' });
    } finally {
      req.abort();
    }
  });
});
