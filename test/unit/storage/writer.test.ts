// The group-committing writer reads the current state of a whole group in one go (not one read
// per transaction, which under load queued every create behind the others' reads), and checks
// each transaction's preconditions against that state as the group's earlier ops changed it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { PreconditionFailed } from '../../../src/storage/interface.js';
import { LevelStore, type DB } from '../../../src/storage/leveldb/store.js';

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
const key = (name: string) => `core/configmaps/root/default/${name}`;

describe('Writer', () => {
  let dir: string;
  let store: LevelStore;
  let reads: number;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-writer-'));
    store = await LevelStore.open({ path: dir });
    const db = (store as unknown as { db: DB }).db;
    const getMany = db.getMany.bind(db);
    const get = db.get.bind(db);
    reads = 0;
    (db as { getMany: unknown }).getMany = (...a: Parameters<typeof getMany>) => (reads++, getMany(...a));
    (db as { get: unknown }).get = (...a: Parameters<typeof get>) => (reads++, get(...a));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the state of a group of transactions at once', async () => {
    await store.txn([{ type: 'put', key: key('a0'), value: cm('a0') }]);
    // while one group is written, the next 200 gather into one
    const first = store.txn([{ type: 'put', key: key('w'), value: cm('w') }]);
    const rest = Promise.allSettled(Array.from({ length: 200 }, (_, i) => store.txn([{ type: 'put', key: key(`a${i}`), value: cm(`a${i}`), expect: 'absent' }])));
    await first;
    reads = 0;
    const results = await rest;
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(PreconditionFailed)]);
    // two reads (current-version pointers, then the versions of the keys that exist) for 200 transactions
    expect(reads).toBeLessThanOrEqual(2);
  });

  it('checks preconditions against the earlier transactions of the same group', async () => {
    const warm = store.txn([{ type: 'put', key: key('warm'), value: cm('warm') }]);
    const created = store.txn([{ type: 'put', key: key('x'), value: cm('x'), expect: 'absent' }]);
    const again = store.txn([{ type: 'put', key: key('x'), value: cm('x'), expect: 'absent' }]).catch((e: unknown) => e);
    const deleted = store.txn([{ type: 'delete', key: key('x') }]);
    const recreated = store.txn([{ type: 'put', key: key('x'), value: cm('x'), expect: 'absent' }]);
    await warm;
    const [c] = await created;
    expect(await again).toMatchObject({ reason: 'exists' });
    const [d] = await deleted;
    const [r] = await recreated;
    expect(d!.prev?.modRevision).toBe(c!.kv.modRevision);
    expect(r!.kv.createRevision).toBe(r!.kv.modRevision);
    expect((await store.get(key('x')))?.modRevision).toBe(r!.kv.modRevision);
  });
});
