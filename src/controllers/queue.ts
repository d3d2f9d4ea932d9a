// The work queue of kplane's in-process controllers, in the style of client-go's: keys are
// deduplicated while waiting, a key is never processed twice at once, failures are retried with
// exponential backoff. It is the fair queue (fair-queue.ts) with a single lane.

import { FairQueue } from './fair-queue.js';

export type Reconcile = (key: string) => Promise<void>;

export interface QueueOptions {
  concurrency?: number;
  /** First retry delay; doubles per failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onError?: (key: string, err: unknown, attempt: number) => void;
}

export class WorkQueue extends FairQueue {
  constructor(reconcile: Reconcile, opts: QueueOptions = {}) {
    super(() => '', reconcile, {
      concurrency: opts.concurrency ?? 4, baseDelayMs: opts.baseDelayMs ?? 5, maxDelayMs: opts.maxDelayMs ?? 30_000, onError: opts.onError,
    });
  }
}
