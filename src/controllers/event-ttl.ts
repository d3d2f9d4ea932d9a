// Events expire: kube-apiserver stores them with an etcd lease of --event-ttl (1 h), renewed on
// every write, and etcd deletes them when it runs out. kplane indexes each event's expiry time when
// it is written and deletes the expired ones periodically, for all logical clusters at once.

import { PreconditionFailed, type Indexer, type Store } from '../storage/interface.js';
import type { Controller } from './context.js';

export const EXPIRY_INDEX = 'expires';
const EVENTS_PREFIX = 'core/events/';
const BATCH = 500;

function expiryValue(epochSeconds: number): string {
  return String(Math.floor(epochSeconds)).padStart(12, '0');
}

/** Indexes events (core/v1 and events.k8s.io/v1 share storage) by when they expire. */
export function eventExpiryIndexer(ttlSeconds: number, now: () => number = Date.now): Indexer {
  return (key) => (key.startsWith(EVENTS_PREFIX) ? [expiryValue(now() / 1000 + ttlSeconds)] : []);
}

export class EventTTLController implements Controller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly store: Store, private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  async start(): Promise<void> {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep().then(() => undefined, () => undefined).finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.intervalMs);
  }

  /** Deletes every event whose expiry has passed. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const due = await this.store.indexScan(EXPIRY_INDEX, expiryValue(this.now() / 1000), BATCH);
      if (due.length === 0) return deleted;
      for (const { key, value } of due) {
        const kv = await this.store.get(key);
        if (!kv) continue;
        // an entry left behind by a later write is not this event's expiry any more
        const current = kv.index?.[EXPIRY_INDEX];
        if (current && !current.includes(value)) continue;
        try {
          await this.store.txn([{ type: 'delete', key, expect: { revision: kv.modRevision } }]);
          deleted++;
        } catch (e) {
          // written again meanwhile: its expiry moved on
          if (!(e instanceof PreconditionFailed)) throw e;
        }
      }
      if (due.length < BATCH) return deleted;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async idle(): Promise<void> {
    await this.running;
  }
}
