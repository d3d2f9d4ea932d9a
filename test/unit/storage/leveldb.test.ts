import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { PreconditionFailed, RevisionCompacted, type StorageEvent } from '../../../src/storage/interface.js';
import { LevelStore } from '../../../src/storage/leveldb/store.js';

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data,
});
const key = (name: string, cluster = 'root') => `core/configmaps/${cluster}/default/${name}`;

function collect(store: LevelStore, prefix: string, from: number) {
  const events: StorageEvent[] = [];
  const errors: Error[] = [];
  const w = store.watch(prefix, from, { onEvents: (e) => events.push(...e), onError: (e) => errors.push(e) });
  return { events, errors, stop: () => w.stop() };
}

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('LevelStore', () => {
  let dir: string;
  let store: LevelStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-store-'));
    store = await LevelStore.open({ path: dir, watchCacheSize: 4 });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, reads and assigns increasing revisions', async () => {
    const [a] = await store.txn([{ type: 'put', key: key('a'), value: cm('a'), expect: 'absent' }]);
    const [b] = await store.txn([{ type: 'put', key: key('b'), value: cm('b'), expect: 'absent' }]);
    expect(a!.kv.modRevision).toBe(1);
    expect(b!.kv.modRevision).toBe(2);
    expect(store.currentRevision()).toBe(2);
    const got = await store.get(key('a'));
    expect(got?.value.metadata.resourceVersion).toBe('1');
    expect(got?.createRevision).toBe(1);
    await expect(store.txn([{ type: 'put', key: key('a'), value: cm('a'), expect: 'absent' }]))
      .rejects.toBeInstanceOf(PreconditionFailed);
  });

  it('compare-and-swap on revision', async () => {
    await store.txn([{ type: 'put', key: key('a'), value: cm('a'), expect: 'absent' }]);
    await store.txn([{ type: 'put', key: key('a'), value: cm('a', { x: '1' }), expect: { revision: 1 } }]);
    const err = await store.txn([{ type: 'put', key: key('a'), value: cm('a', { x: '2' }), expect: { revision: 1 } }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionFailed);
    expect((err as PreconditionFailed).reason).toBe('revision');
    expect((await store.get(key('a')))?.value.data).toEqual({ x: '1' });
  });

  it('reads old revisions and pages consistently while writes continue', async () => {
    for (const n of ['a', 'b', 'c', 'd']) await store.txn([{ type: 'put', key: key(n), value: cm(n) }]);
    const p1 = await store.list('core/configmaps/root/', { limit: 2, countRemaining: true });
    expect(p1.items.map((i) => i.value.metadata.name)).toEqual(['a', 'b']);
    expect(p1.more).toBe(true);
    expect(p1.remaining).toBe(2);
    await store.txn([{ type: 'delete', key: key('c') }]);
    await store.txn([{ type: 'put', key: key('bb'), value: cm('bb') }]);
    const p2 = await store.list('core/configmaps/root/', { limit: 2, revision: p1.revision, startAfter: p1.lastKey });
    expect(p2.items.map((i) => i.value.metadata.name)).toEqual(['c', 'd']);
    expect(p2.more).toBe(false);
    const now = await store.list('core/configmaps/root/');
    expect(now.items.map((i) => i.value.metadata.name)).toEqual(['a', 'b', 'bb', 'd']);
    expect((await store.get(key('c'), { revision: 4 }))?.value.metadata.name).toBe('c');
    expect(await store.get(key('c'))).toBeUndefined();
  });

  it('keeps clusters apart in key ranges', async () => {
    await store.txn([{ type: 'put', key: key('x', 'root:a'), value: cm('x') }]);
    await store.txn([{ type: 'put', key: key('x', 'root:ab'), value: cm('x') }]);
    await store.txn([{ type: 'put', key: key('x', 'root:a:b'), value: cm('x') }]);
    const l = await store.list('core/configmaps/root:a/');
    expect(l.items.map((i) => i.key)).toEqual([key('x', 'root:a')]);
    const all = await store.list('core/configmaps/');
    expect(all.items).toHaveLength(3);
  });

  it('watches live and resumes from memory and from disk', async () => {
    const live = collect(store, 'core/configmaps/root/', 0);
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) await store.txn([{ type: 'put', key: key(n), value: cm(n) }]);
    await store.txn([{ type: 'put', key: key('a'), value: cm('a', { v: '2' }) }]);
    await store.txn([{ type: 'delete', key: key('b') }]);
    await until(() => live.events.length === 8);
    expect(live.events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED', 'MODIFIED', 'DELETED']);
    const del = live.events[7]!;
    expect(del.kv.value.metadata.name).toBe('b');
    expect(del.kv.value.metadata.resourceVersion).toBe('8');
    // cache holds 4 events: revisions 5..8; resuming from 6 uses memory, from 1 uses the on-disk log
    const fromMem = collect(store, 'core/configmaps/root/', 6);
    const fromDisk = collect(store, 'core/configmaps/root/', 1);
    await until(() => fromMem.events.length === 2 && fromDisk.events.length === 7);
    expect(fromDisk.events.map((e) => e.kv.modRevision)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(fromDisk.events[6]!.type).toBe('DELETED');
    expect(fromDisk.events[5]!.prev?.value.data).toEqual({});
    live.stop();
    fromMem.stop();
    fromDisk.stop();
  });

  it('compaction expires old revisions with 410-style errors', async () => {
    for (const n of ['a', 'b', 'c']) await store.txn([{ type: 'put', key: key(n), value: cm(n) }]);
    await store.txn([{ type: 'put', key: key('a'), value: cm('a', { v: '2' }) }]);
    await store.txn([{ type: 'delete', key: key('b') }]);
    await store.compact(4);
    await expect(store.list('core/configmaps/root/', { revision: 3 })).rejects.toBeInstanceOf(RevisionCompacted);
    const at4 = await store.list('core/configmaps/root/', { revision: 4 });
    expect(at4.items.map((i) => i.value.metadata.name)).toEqual(['a', 'b', 'c']);
    // revision 2 is still in the in-memory window (4 events) and served from there; 0 is not
    const mem = collect(store, 'core/configmaps/root/', 2);
    await until(() => mem.events.length === 3);
    mem.stop();
    const w = collect(store, 'core/configmaps/root/', 0);
    await until(() => w.errors.length === 1);
    expect(w.errors[0]).toBeInstanceOf(RevisionCompacted);
    const ok = collect(store, 'core/configmaps/root/', 4);
    await until(() => ok.events.length === 1);
    expect(ok.events[0]!.type).toBe('DELETED');
    ok.stop();
  });

  it('survives reopen with revision and data intact', async () => {
    await store.txn([{ type: 'put', key: key('a'), value: cm('a') }]);
    await store.txn([{ type: 'put', key: key('b'), value: cm('b') }]);
    await store.close();
    store = await LevelStore.open({ path: dir });
    expect(store.currentRevision()).toBe(2);
    const [r] = await store.txn([{ type: 'put', key: key('c'), value: cm('c') }]);
    expect(r!.kv.modRevision).toBe(3);
    expect((await store.list('core/configmaps/')).items).toHaveLength(3);
  });

  it('group-commits concurrent transactions and keeps their order', async () => {
    const writes = Array.from({ length: 200 }, (_, i) =>
      store.txn([{ type: 'put', key: key(`k${String(i).padStart(3, '0')}`), value: cm(`k${i}`), expect: 'absent' }]));
    const res = await Promise.all(writes);
    expect(res.map((r) => r[0]!.kv.modRevision)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const dup = await Promise.allSettled([
      store.txn([{ type: 'put', key: key('z'), value: cm('z'), expect: 'absent' }]),
      store.txn([{ type: 'put', key: key('z'), value: cm('z'), expect: 'absent' }]),
    ]);
    expect(dup.map((d) => d.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('maintains secondary indexes', async () => {
    await store.close();
    store = await LevelStore.open({
      path: dir,
      indexers: { owner: (_k, v) => (v.metadata.ownerReferences ?? []).map((o) => o.uid) },
    });
    const child = cm('child');
    child.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'p', uid: 'u1' }];
    await store.txn([{ type: 'put', key: key('child'), value: child }]);
    expect(await store.indexLookup('owner', 'u1')).toEqual([key('child')]);
    await store.txn([{ type: 'delete', key: key('child') }]);
    expect(await store.indexLookup('owner', 'u1')).toEqual([]);
  });
});

describe('LevelStore format migration', () => {
  it('adds the current-version rows to a store written without them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kplane-store-migrate-'));
    try {
      let store = await LevelStore.open({ path: dir });
      await store.txn([{ type: 'put', key: key('a'), value: cm('a', { v: '1' }) }]);
      await store.txn([{ type: 'put', key: key('a'), value: cm('a', { v: '2' }) }]);
      await store.txn([{ type: 'put', key: key('gone'), value: cm('gone') }]);
      await store.txn([{ type: 'delete', key: key('gone') }]);
      await store.close();
      // make it look like a format-1 store: no l\0 rows, no format marker
      const { Level } = await import('level');
      const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      await db.open();
      const drop = [...await db.keys({ gte: 'l\0', lt: 'l\x01' }).all(), 'm\0format'];
      await db.batch(drop.map((k) => ({ type: 'del' as const, key: k })));
      await db.close();
      store = await LevelStore.open({ path: dir });
      expect((await store.get(key('a')))?.value.data).toEqual({ v: '2' });
      expect((await store.get(key('a')))?.modRevision).toBe(2);
      expect(await store.get(key('gone'))).toBeUndefined();
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
