// The watch hub's bounded structures: the history ring keeps the newest `capacity` events and a
// resumption from any revision in it gets exactly the events after that revision; the watcher
// index shrinks back to nothing when its watchers stop.

import { describe, expect, it } from 'vitest';
import type { StorageEvent } from '../../../src/storage/interface.js';
import { WatchHub } from '../../../src/storage/watch-hub.js';

const ev = (rev: number, ns: string): StorageEvent => ({
  type: 'ADDED',
  kv: { key: `core/configmaps/c${rev % 3}/${ns}/o${rev}`, value: { metadata: { name: `o${rev}` } }, modRevision: rev, createRevision: rev },
});

function hub(capacity: number, disk: (prefix: string, after: number) => StorageEvent[] = () => { throw new Error('read from disk'); }) {
  let rev = 0;
  const h = new WatchHub(capacity, async (p, a) => disk(p, a), () => rev);
  return { h, publish: (...evs: StorageEvent[]) => { rev = evs[evs.length - 1]!.kv.modRevision; h.publish(evs); }, rev: () => rev };
}

async function replay(h: WatchHub, prefixes: string[], from: number, current: number): Promise<number[]> {
  const got: number[] = [];
  const w = h.watch(prefixes, from, current, { onEvents: (e) => got.push(...e.map((x) => x.kv.modRevision)), onError: (e) => { throw e; } });
  await new Promise((r) => setImmediate(r));
  w.stop();
  return got;
}

describe('WatchHub', () => {
  it('keeps the newest events and resumes from any revision in the window with exactly the later ones', async () => {
    const { h, publish } = hub(64);
    for (let r = 1; r <= 200; r++) publish(ev(r, r % 2 ? 'a' : 'b'));
    expect(h.stats().historyEvents).toBe(64);
    for (let from = 136; from <= 200; from++) {
      const want = Array.from({ length: 200 - from }, (_, i) => from + 1 + i).filter((r) => r % 3 === 1 && r % 2 === 1);
      expect(await replay(h, ['core/configmaps/c1/a/'], from, 200), `from ${from}`).toEqual(want);
    }
  });

  it('bounds the window in bytes too: large objects push the oldest out, resumptions past them read durable history', async () => {
    const disk: number[] = [];
    let rev = 0;
    const h = new WatchHub(4096, async (_p, a) => {
      disk.push(a);
      return [];
    }, () => rev, 10_000);
    const big = (r: number): StorageEvent => ({ type: 'ADDED', kv: { key: `core/configmaps/c/ns/o${r}`, value: { metadata: {} }, modRevision: r, createRevision: r, raw: 'x'.repeat(3000) } });
    for (rev = 1; rev <= 10; rev++) h.publish([big(rev)]);
    rev = 10;
    expect(h.stats()).toMatchObject({ historyEvents: 3, historyBytes: 9000 });
    // within the window: from memory
    expect(await replay(h, ['core/configmaps/'], 8, 10)).toEqual([9, 10]);
    expect(disk).toEqual([]);
    // older than what the bytes left: the durable log
    await replay(h, ['core/configmaps/'], 2, 10);
    expect(disk).toEqual([2]);
  });

  it('goes to durable history for a revision older than the window', async () => {
    const asked: number[] = [];
    const { h, publish } = hub(8, (_p, after) => {
      asked.push(after);
      return [];
    });
    for (let r = 1; r <= 20; r++) publish(ev(r, 'a'));
    await replay(h, ['core/configmaps/'], 5, 20);
    expect(asked).toEqual([5]);
  });

  it('forgets stopped watchers and the index entries they made', async () => {
    const { h, publish } = hub(16);
    const watches = [];
    for (let i = 0; i < 50; i++) {
      const prefix = i % 5 === 0 ? 'core/configmaps/' : i % 5 === 1 ? '' : `core/configmaps/c${i % 3}/ns${i}/`;
      watches.push(h.watch([prefix], 0, 0, { onEvents: () => undefined, onError: () => undefined }));
    }
    await new Promise((r) => setImmediate(r));
    expect(h.stats()).toMatchObject({ watchers: 50, watchedResources: 1, watchedClusters: 3 });
    for (const w of watches) w.stop();
    publish(ev(1, 'a'));
    expect(h.stats()).toMatchObject({ watchers: 0, watchedResources: 0, watchedClusters: 0, historyEvents: 1 });
  });
});
