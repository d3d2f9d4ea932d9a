// List-then-watch over a storage prefix for in-process controllers, like client-go's reflector:
// every existing object is handed over once, then every event; if the watch breaks (e.g. history
// compacted while the process was busy) it lists again.

import type { KV, Store, StorageEvent, Watch } from '../storage/interface.js';

export interface InformerHandlers {
  /** Called for every object found by a (re)list. */
  onList?(kv: KV): void;
  onEvent(ev: StorageEvent): void;
  onError?(err: Error): void;
}

export class Informer {
  private watch: Watch | undefined;
  private stopped = false;

  /**
   * @param pageSize list in pages of this many objects at one revision, yielding the event loop
   *   between pages (large objects such as CRDs: neither the memory of one huge list nor one long
   *   task); unset lists everything at once.
   */
  constructor(private readonly store: Store, private readonly prefix: string, private readonly handlers: InformerHandlers,
    private readonly pageSize?: number) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    if (!this.pageSize) {
      const page = await this.store.list(this.prefix);
      if (this.handlers.onList) for (const kv of page.items) this.handlers.onList(kv);
      this.startWatch(page.revision);
      return;
    }
    let revision = 0;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.store.list(this.prefix, { revision, startAfter, limit: this.pageSize });
      revision = page.revision;
      if (this.handlers.onList) for (const kv of page.items) this.handlers.onList(kv);
      if (!page.more || !page.lastKey || this.stopped) break;
      startAfter = page.lastKey;
      await new Promise((r) => setImmediate(r));
    }
    this.startWatch(revision);
  }

  /** Starts from the current revision, skipping the initial list (for controllers that only react). */
  startFromNow(): void {
    this.startWatch(this.store.currentRevision());
  }

  private startWatch(from: number): void {
    if (this.stopped) return;
    this.watch = this.store.watch(this.prefix, from, {
      onEvents: (events) => {
        for (const ev of events) this.handlers.onEvent(ev);
      },
      onError: (err) => {
        this.handlers.onError?.(err);
        if (!this.stopped) setTimeout(() => void this.start().catch((e: Error) => this.handlers.onError?.(e)), 100);
      },
    });
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
  }
}
