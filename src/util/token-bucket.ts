// A token bucket: `rate` tokens per second, at most `burst` saved up. take() waits for a token
// (FIFO among waiters); tryTake() answers at once whether one was available.

export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly rate: number, private readonly burst: number) {
    this.tokens = burst;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1 || this.waiters.length) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether it has saved up its whole burst (an idle bucket, the same as a new one). */
  full(): boolean {
    this.refill();
    return this.tokens >= this.burst && !this.waiters.length;
  }

  /** Milliseconds until a token is available (0 if one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || !this.waiters.length) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.tokens >= 1 && this.waiters.length) {
        this.tokens -= 1;
        this.waiters.shift()!();
      }
      this.schedule();
    }, Math.max(1, this.waitMs()));
    this.timer.unref?.();
  }
}
