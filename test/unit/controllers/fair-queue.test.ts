import { describe, expect, it } from 'vitest';
import { FairQueue, RetryAfter } from '../../../src/controllers/fair-queue.js';
import { TokenBucket } from '../../../src/util/token-bucket.js';

const lane = (k: string) => k.split('/')[0]!;

describe('FairQueue', () => {
  it('takes turns between lanes: a tenant with many keys does not delay another tenant\'s one key', async () => {
    const order: string[] = [];
    const q = new FairQueue(lane, async (k) => { order.push(k); }, { concurrency: 1, laneRate: 10_000 });
    for (let i = 0; i < 50; i++) q.add(`noisy/${i}`);
    q.add('quiet/0');
    await q.idle();
    expect(order.indexOf('quiet/0')).toBeLessThanOrEqual(2);
    expect(order).toHaveLength(51);
  });
  it('deduplicates waiting keys and runs a key added while running once more afterwards', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const q = new FairQueue(lane, async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => { release = r; });
    }, { concurrency: 2, laneRate: 10_000 });
    q.add('a/1');
    q.add('a/1');
    await new Promise((r) => setImmediate(r));
    q.add('a/1'); // while running
    q.add('a/1');
    release();
    await q.idle();
    expect(runs).toBe(2);
  });
  it('never runs one key twice at once', async () => {
    let active = 0;
    let max = 0;
    const q = new FairQueue(lane, async () => {
      active++;
      max = Math.max(max, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
    }, { concurrency: 4, laneRate: 10_000 });
    for (let i = 0; i < 20; i++) {
      q.add('a/x');
      await new Promise((r) => setTimeout(r, 1));
    }
    await q.idle();
    expect(max).toBe(1);
  });
  it('retries a failing key with growing backoff; the events its own attempt causes do not make it spin', async () => {
    const times: number[] = [];
    // eslint-disable-next-line prefer-const
    let q: FairQueue;
    q = new FairQueue(lane, async (k) => {
      times.push(Date.now());
      if (times.length >= 4) return;
      q.add(k); // e.g. the failing reconcile wrote a condition, whose event queues the key again
      throw new Error('boom');
    }, { concurrency: 1, laneRate: 10_000, baseDelayMs: 20 });
    q.add('a/1');
    await q.idle();
    await q.idle();
    expect(times.length).toBeGreaterThanOrEqual(4);
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(q.failuresOf('a/1')).toBe(0);
    await q.stop();
  });
  it('limits the rate per lane, not for everyone', async () => {
    const done: string[] = [];
    const q = new FairQueue(lane, async (k) => { done.push(k); }, { concurrency: 4, laneRate: 1, laneBurst: 2 });
    for (let i = 0; i < 5; i++) q.add(`busy/${i}`);
    for (let i = 0; i < 3; i++) q.add(`other${i}/0`);
    await new Promise((r) => setTimeout(r, 50));
    // the busy lane has used its burst; every other lane got through
    expect(done.filter((k) => k.startsWith('busy/'))).toHaveLength(2);
    expect(done.filter((k) => k.startsWith('other'))).toHaveLength(3);
    expect(q.depth).toBe(3);
    await q.stop();
  });
});

describe('RetryAfter', () => {
  it('queues the key again after the delay, without counting a failure or logging one', async () => {
    const times: number[] = [];
    const errors: unknown[] = [];
    const q = new FairQueue(lane, async () => {
      times.push(Date.now());
      if (times.length === 1) throw new RetryAfter(30);
    }, { concurrency: 1, onError: (_k, e) => errors.push(e) });
    q.add('a/1');
    await q.idle();
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(28);
    expect(errors).toEqual([]);
    expect(q.failuresOf('a/1')).toBe(0);
  });
});

describe('TokenBucket', () => {
  it('gives the burst at once, then paces', async () => {
    const b = new TokenBucket(100, 3);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    const t0 = Date.now();
    await b.take();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5);
  });
});
