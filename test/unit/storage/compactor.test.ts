// Compaction keeps exactly what revisions >= the target can see: every list at those revisions
// answers as before, and nothing older stays behind (superseded versions, delete markers, event
// rows), across chunk boundaries of the event log.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { DELETED_MARK, parseVersionRow } from '../../../src/storage/leveldb/encoding.js';
import { LevelStore, type DB } from '../../../src/storage/leveldb/store.js';

const cm = (name: string, i: number): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { i: String(i) } });
const key = (name: string) => `core/configmaps/root/default/${name}`;

describe('compaction', () => {
  let dir: string;
  let store: LevelStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-compact-'));
    store = await LevelStore.open({ path: dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps what revisions from the target on see, and nothing older', async () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const live = new Set<string>();
    // more events than one chunk of the compactor, keys touched many times in and across chunks
    for (let i = 0; i < 2600; i++) {
      const k = key(`o${rnd(30)}`);
      if (live.has(k) && rnd(3) === 0) {
        await store.txn([{ type: 'delete', key: k }]);
        live.delete(k);
      } else {
        await store.txn([{ type: 'put', key: k, value: cm(k.split('/').pop()!, i) }]);
        live.add(k);
      }
    }
    const target = 1700;
    const view = async (rev: number) => (await store.list('core/configmaps/', { revision: rev })).items
      .map((kv) => `${kv.key}@${kv.modRevision}:${JSON.stringify(kv.value.data)}`);
    const revisions = [target, target + 1, 2000, 2599, 2600];
    const before = await Promise.all(revisions.map(view));
    await store.compact(target);
    expect(await Promise.all(revisions.map(view))).toEqual(before);

    const db = (store as unknown as { db: DB }).db;
    const rows = await db.iterator({ gte: 'k\0', lt: 'k\x01' }).all();
    const byKey = new Map<string, { rev: number; deleted: boolean }[]>();
    for (const [row, val] of rows) {
      const { key: k, rev } = parseVersionRow(row);
      byKey.set(k, [...(byKey.get(k) ?? []), { rev, deleted: val === DELETED_MARK }]);
    }
    for (const [k, versions] of byKey) {
      // at most one version at or below the target: the one visible there, and never a delete marker
      const old = versions.filter((v) => v.rev <= target);
      expect(old.length, k).toBeLessThanOrEqual(1);
      expect(old.some((v) => v.deleted), k).toBe(false);
    }
    const events = await db.keys({ gte: 'e\0', lt: 'e\x01' }).all();
    expect(events).toHaveLength(2600 - target);
  });
});
