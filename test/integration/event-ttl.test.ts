// Events expire after the event TTL (kube-apiserver's --event-ttl), counted from their last write.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventTTLController, EXPIRY_INDEX, eventExpiryIndexer } from '../../src/controllers/event-ttl.js';
import { LevelStore } from '../../src/storage/leveldb/store.js';

describe('event TTL', () => {
  it('deletes events whose last write is older than the TTL, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kplane-ttl-'));
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => now;
    const store = await LevelStore.open({ path: dir, indexers: { [EXPIRY_INDEX]: eventExpiryIndexer(3600, clock) } });
    try {
      const ev = (name: string) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' } });
      const key = (c: string, name: string) => `core/events/${c}/default/${name}`;
      await store.txn([{ type: 'put', key: key('root', 'old'), value: ev('old') }]);
      await store.txn([{ type: 'put', key: key('root:acme', 'old'), value: ev('old') }]);
      await store.txn([{ type: 'put', key: 'core/configmaps/root/default/keep', value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } } }]);
      now += 30 * 60_000;
      await store.txn([{ type: 'put', key: key('root', 'fresh'), value: ev('fresh') }]);
      // rewritten: its hour starts again
      await store.txn([{ type: 'put', key: key('root:acme', 'old'), value: { ...ev('old'), count: 2 } }]);
      const ttl = new EventTTLController(store, 60_000, clock);
      now += 31 * 60_000;
      expect(await ttl.sweep()).toBe(1);
      expect(await store.get(key('root', 'old'))).toBeUndefined();
      expect(await store.get(key('root', 'fresh'))).toBeDefined();
      expect(await store.get(key('root:acme', 'old'))).toBeDefined();
      expect(await store.get('core/configmaps/root/default/keep')).toBeDefined();
      now += 60 * 60_000;
      expect(await ttl.sweep()).toBe(2);
      expect((await store.list('core/events/')).items).toEqual([]);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
