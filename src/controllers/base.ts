// What every queue-driven controller shares: informers turn storage events into keys, a work queue
// hands each key to reconcile (deduplicated, retried with backoff), and stopping and idling work
// the same everywhere. A controller decides which informers it has and in which order they start.

import type { Logger } from 'pino';
import type { Controller } from './context.js';
import type { Informer } from './informer.js';
import { WorkQueue } from './queue.js';

export interface QueueControllerOptions {
  /** Names the work in log lines: "<what> failed". */
  what: string;
  concurrency: number;
  /** How a key is shown in log lines. */
  showKey?: (key: string) => string;
}

export abstract class QueueController implements Controller {
  protected readonly queue: WorkQueue;
  /** Stopped with the controller; subclasses add theirs and start them in start(). */
  protected readonly informers: Informer[] = [];

  constructor(log: Logger, opts: QueueControllerOptions) {
    const show = opts.showKey ?? ((key: string) => key);
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: opts.concurrency,
      onError: (key, err, attempt) => log.warn({ key: show(key), err, attempt }, `${opts.what} failed`),
    });
  }

  abstract start(): Promise<void>;

  protected abstract reconcile(key: string): Promise<void>;

  async stop(): Promise<void> {
    for (const i of this.informers) i.stop();
    await this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}
