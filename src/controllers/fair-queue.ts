// The controllers' work queue (WorkQueue in queue.ts is one lane of it; the syncer has one lane per tenant): client-go's semantics (a key waits once, is never processed twice at
// once, is retried with exponential backoff) with one lane per tenant. Lanes take turns, and each
// lane has its own rate limit, so a tenant with 10,000 changed objects, or whose objects keep
// failing, delays nobody else: the next tenant's key is always at most one turn away.

import { TokenBucket } from '../util/token-bucket.js';

export interface FairQueueOptions {
  concurrency: number;
  /** Keys per second one lane may start; unset: lanes only take turns (limit the expensive part instead, with RetryAfter). */
  laneRate?: number;
  laneBurst?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onError?: (key: string, err: unknown, attempt: number) => void;
}

interface Lane {
  keys: string[];
  bucket: TokenBucket | undefined;
}

/** Thrown by a reconcile that may not go on yet (its lane's write budget is spent): queued again after `ms`, not a failure. */
export class RetryAfter extends Error {
  constructor(readonly ms: number) {
    super(`retry in ${ms} ms`);
  }
}

/** Idle lanes' buckets are forgotten past this many (a full bucket is what a new one is anyway). */
const MAX_IDLE_BUCKETS = 10_000;

export class FairQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Every lane's rate limit, kept while the lane is idle (else each new key would get a fresh burst). */
  private readonly buckets = new Map<string, TokenBucket>();
  /** Lanes with waiting keys, in turn order. */
  private readonly turn: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private wake: NodeJS.Timeout | undefined;
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly laneOf: (key: string) => string, private readonly reconcile: (key: string) => Promise<void>,
    private readonly opts: FairQueueOptions) {}

  /** Keys waiting (not running), for the queue-depth metric. */
  get depth(): number {
    return this.waiting.size;
  }

  /** How often a key has failed in a row (0: it has not, or it succeeded since). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    const name = this.laneOf(key);
    let lane = this.lanes.get(name);
    if (!lane) {
      let bucket = this.buckets.get(name);
      if (!bucket && this.opts.laneRate !== undefined) {
        if (this.buckets.size >= MAX_IDLE_BUCKETS) for (const [n, b] of this.buckets) if (!this.lanes.has(n) && b.full()) this.buckets.delete(n);
        const rate = this.opts.laneRate;
        bucket = new TokenBucket(rate, this.opts.laneBurst ?? Math.max(1, rate * 2));
        this.buckets.set(name, bucket);
      }
      lane = { keys: [], bucket };
      this.lanes.set(name, lane);
    }
    if (!lane.keys.length) this.turn.push(name);
    lane.keys.push(key);
    this.pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, delayMs);
    this.timers.add(t);
  }

  private pump(): void {
    let soonest = Infinity;
    // each pass gives every lane with waiting keys one chance
    let passes = this.turn.length;
    while (this.running < this.opts.concurrency && passes-- > 0 && !this.stopped) {
      const name = this.turn.shift()!;
      const lane = this.lanes.get(name)!;
      if (lane.bucket && !lane.bucket.tryTake()) {
        soonest = Math.min(soonest, lane.bucket.waitMs());
        this.turn.push(name);
        continue;
      }
      const key = lane.keys.shift()!;
      if (lane.keys.length) this.turn.push(name);
      else this.lanes.delete(name);
      this.waiting.delete(key);
      this.active.add(key);
      this.running++;
      passes = this.turn.length;
      void this.run(key);
    }
    if (soonest !== Infinity && !this.wake && !this.stopped) {
      this.wake = setTimeout(() => {
        this.wake = undefined;
        this.pump();
      }, Math.max(1, soonest));
    }
    if (this.running === 0 && this.waiting.size === 0 && this.timers.size === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (err) {
      // the retry is scheduled: changes seen meanwhile wait for it (a failing object must not spin)
      this.dirty.delete(key);
      if (err instanceof RetryAfter) {
        this.addAfter(key, err.ms);
        return;
      }
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      this.opts.onError?.(key, err, attempt);
      this.addAfter(key, Math.min((this.opts.baseDelayMs ?? 50) * 2 ** (attempt - 1), this.opts.maxDelayMs ?? 60_000));
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }

  /** Resolves when nothing is waiting, running or scheduled for a retry. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.size === 0 && this.timers.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.wake) clearTimeout(this.wake);
    this.lanes.clear();
    this.turn.length = 0;
    this.waiting.clear();
    while (this.running > 0) await new Promise((r) => setTimeout(r, 5));
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
