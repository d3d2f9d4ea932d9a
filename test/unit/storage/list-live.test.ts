// Lists from the live keys (src/storage/leveldb/list-live.ts) must answer exactly what a scan of
// every kept version answers, at any revision, with paging, filters and counting; their cost must
// not grow with deleted objects; and a batch that landed but is not yet acknowledged is invisible.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import type { KV, ListOptions, ListPage } from '../../../src/storage/interface.js';
import { DELETED_MARK, eventRow, latestRow, versionRow } from '../../../src/storage/leveldb/encoding.js';
import { listLive, MAX_EVENTS_AFTER } from '../../../src/storage/leveldb/list-live.js';
import { LevelStore, toKV, type DB } from '../../../src/storage/leveldb/store.js';

const cm = (name: string, ns: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data,
});
const key = (ns: string, name: string) => `core/configmaps/root/${ns}/${name}`;

/** What the version scan (the reference) answers. */
function scan(store: LevelStore, prefix: string, rev: number, opts: ListOptions): Promise<ListPage> {
  return (store as unknown as { scanVersions(p: string, r: number, o: ListOptions): Promise<ListPage> }).scanVersions(prefix, rev, opts);
}

/** The live-key path alone, from the first key. */
async function fromLiveKeys(store: LevelStore, prefix: string, rev: number, opts: ListOptions): Promise<ListPage | undefined> {
  const db = (store as unknown as { db: DB }).db;
  const snapshot = db.snapshot();
  try {
    return await listLive(db, snapshot, prefix, rev, opts, toKV);
  } finally {
    await snapshot.close();
  }
}

const shape = (p: ListPage) => ({
  keys: p.items.map((kv) => `${kv.key}@${kv.modRevision}/${kv.createRevision}:${JSON.stringify(kv.value.data)}`),
  revision: p.revision, more: p.more, lastKey: p.lastKey, remaining: p.remaining,
});

describe('LevelStore lists from live keys', () => {
  let dir: string;
  let store: LevelStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-listlive-'));
    store = await LevelStore.open({ path: dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers as the version scan does at every revision, with limits, startAfter, filters and counts', async () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const live = new Set<string>();
    const revisions: number[] = [];
    for (let i = 0; i < 400; i++) {
      const ns = rnd(3) === 0 ? 'b' : 'a';
      const k = key(ns, `o${rnd(40)}`);
      const op = live.has(k) ? (rnd(2) ? 'delete' : 'put') : 'put';
      await store.txn([op === 'put' ? { type: 'put', key: k, value: cm(k.split('/').pop()!, ns, { i: String(i) }) } : { type: 'delete', key: k }]);
      if (op === 'put') live.add(k);
      else live.delete(k);
      revisions.push(store.currentRevision());
    }
    const filter = (kv: KV) => Number((kv.value as { data?: Record<string, string> }).data?.i) % 2 === 0;
    const cases: ListOptions[] = [
      {}, { limit: 5 }, { limit: 5, countRemaining: true }, { limit: 3, filter },
      { startAfter: key('a', 'o2') }, { startAfter: key('a', 'o2'), limit: 4, countRemaining: true }, { filter },
    ];
    for (const rev of [0, ...revisions.filter((_, i) => i % 37 === 0)]) {
      for (const prefix of ['core/configmaps/root/a/', 'core/configmaps/root/', 'core/configmaps/']) {
        for (const o of cases) {
          const got = await store.list(prefix, { ...o, revision: rev });
          const want = await scan(store, prefix, rev || store.currentRevision(), o);
          expect(shape(got), `${prefix} at ${rev} ${JSON.stringify(o)}`).toEqual(shape(want));
          const fromLive = await fromLiveKeys(store, prefix, rev || store.currentRevision(), o);
          expect(shape(fromLive!), `live keys: ${prefix} at ${rev} ${JSON.stringify(o)}`).toEqual(shape(want));
        }
      }
    }
    expect((await store.list('core/configmaps/root/')).items.map((kv) => kv.key).sort()).toEqual([...live].sort());
  });

  it('falls back to the version scan for a revision with too many events after it', async () => {
    await store.txn([{ type: 'put', key: key('a', 'old'), value: cm('old', 'a') }]);
    const rev = store.currentRevision();
    for (let i = 0; i <= MAX_EVENTS_AFTER; i += 64) {
      await store.txn(Array.from({ length: 64 }, (_, j) => ({ type: 'put' as const, key: key('b', `n${i + j}`), value: cm(`n${i + j}`, 'b') })));
    }
    await store.txn([{ type: 'delete', key: key('a', 'old') }]);
    expect(await fromLiveKeys(store, 'core/configmaps/root/a/', rev, {})).toBeUndefined();
    const page = await store.list('core/configmaps/root/a/', { revision: rev });
    expect(page.items.map((kv) => kv.key)).toEqual([key('a', 'old')]);
  });

  it('does not see a batch that landed before it was acknowledged', async () => {
    await store.txn([{ type: 'put', key: key('a', 'x'), value: cm('x', 'a') }]);
    await store.txn([{ type: 'put', key: key('a', 'y'), value: cm('y', 'a', { v: '1' }) }]);
    const rev = store.currentRevision();
    // what the writer's next group puts into LevelDB before it bumps the revision: x deleted, y updated
    const db = (store as unknown as { db: DB }).db;
    await db.batch([
      { type: 'put', key: versionRow(key('a', 'x'), rev + 1), value: DELETED_MARK },
      { type: 'del', key: latestRow(key('a', 'x')) },
      { type: 'put', key: eventRow('core/configmaps', rev + 1), value: `D${key('a', 'x')}` },
      { type: 'put', key: versionRow(key('a', 'y'), rev + 2), value: `${rev} {"metadata":{"name":"y"},"data":{"v":"2"}}` },
      { type: 'put', key: latestRow(key('a', 'y')), value: String(rev + 2) },
      { type: 'put', key: eventRow('core/configmaps', rev + 2), value: `M${key('a', 'y')}` },
    ]);
    const fromLive = await fromLiveKeys(store, 'core/configmaps/root/a/', rev, {});
    const page = await store.list('core/configmaps/root/a/');
    expect(shape(fromLive!)).toEqual(shape(page));
    expect(page.revision).toBe(rev);
    expect(page.items.map((kv) => [kv.key, kv.modRevision, kv.value.data])).toEqual([
      [key('a', 'x'), rev - 1, {}],
      [key('a', 'y'), rev, { v: '1' }],
    ]);
  });

  it('does not read through the rows of deleted objects', async () => {
    for (let round = 0; round < 20; round++) {
      const names = Array.from({ length: 50 }, (_, i) => `r${round}-${i}`);
      await store.txn(names.map((n) => ({ type: 'put' as const, key: key('a', n), value: cm(n, 'a') })));
      if (round < 19) await store.txn(names.map((n) => ({ type: 'delete' as const, key: key('a', n) })));
    }
    const db = (store as unknown as { db: DB }).db;
    const reads = { rows: 0 };
    const iterator = db.iterator.bind(db);
    (db as { iterator: unknown }).iterator = (o: Parameters<DB['iterator']>[0]) => {
      const it = iterator(o);
      const nextv = it.nextv.bind(it);
      (it as { nextv: unknown }).nextv = async (n: number) => {
        const rows = await nextv(n);
        reads.rows += rows.length;
        return rows;
      };
      return it;
    };
    const page = await store.list('core/configmaps/root/a/');
    expect(page.items.map((kv) => kv.key)).toEqual(Array.from({ length: 50 }, (_, i) => key('a', `r19-${i}`)).sort());
    // 50 live keys among 1,900 rows of 950 deleted ones: the scan hands over to the live keys
    // after its first rows, as soon as it sees that most rows are dead
    expect(reads.rows).toBeLessThan(500);
  });
});
