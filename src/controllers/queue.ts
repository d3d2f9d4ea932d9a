// A work queue in the style of client-go's: keys are deduplicated while waiting, a key is never
// processed twice at once, failures are retried with exponential backoff.

export type Reconcile = (key: string) => Promise<void>;

export interface QueueOptions {
  concurrency?: number;
  /** First retry delay; doubles per failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onError?: (key: string, err: unknown, attempt: number) => void;
}

export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  /** Keys added again while being processed: they run once more afterwards. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly reconcile: Reconcile, private readonly opts: QueueOptions = {}) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.order.push(key);
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
    const limit = this.opts.concurrency ?? 4;
    while (this.running < limit && this.order.length && !this.stopped) {
      const key = this.order.shift()!;
      this.waiting.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key);
    }
    if (this.running === 0 && this.order.length === 0 && this.timers.size === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (err) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      this.opts.onError?.(key, err, attempt);
      const delay = Math.min((this.opts.baseDelayMs ?? 5) * 2 ** (attempt - 1), this.opts.maxDelayMs ?? 30_000);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }

  /** Resolves when nothing is queued, running or scheduled (tests, shutdown). */
  idle(): Promise<void> {
    if (this.running === 0 && this.order.length === 0 && this.timers.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.order.length = 0;
    this.waiting.clear();
    while (this.running > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
