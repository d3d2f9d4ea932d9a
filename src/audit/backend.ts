// kube's audit log backend (--audit-log-path): one JSON event per line, appended to a file, or
// written to stdout for "-".
//
// Writing never holds up a request: lines go into the file's write stream, which writes them in
// the background (several at once while a write is in flight: fs.WriteStream's writev). What the
// stream has not written yet is bounded: past MAX_BUFFERED_BYTES (a disk slower than the request
// rate, or a stuck stdout) further events are dropped and counted, a warning says how many, and
// memory stays bounded instead of growing with every request. (kube's log backend blocks the
// request by default, --audit-log-mode=blocking; its batch mode drops too when its buffer is full.)
// No rotation: use logrotate with copytruncate, or a path that an external collector reads.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from 'pino';

/** How much the backend holds that the file has not taken yet. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** At most one drop warning this often. */
const DROP_WARNING_INTERVAL_MS = 10_000;

export interface AuditBackend {
  write(line: string): void;
  /** Events dropped because the output could not keep up (or failed). */
  readonly dropped: number;
  /** Writes out what is buffered (and closes a file). */
  close(): Promise<void>;
}

export class LogBackend implements AuditBackend {
  dropped = 0;
  private closed = false;
  private failed: Error | undefined;
  private lastWarning = 0;
  private droppedSinceWarning = 0;

  private constructor(
    private readonly out: WriteStream | NodeJS.WriteStream,
    private readonly ownsStream: boolean,
    private readonly log: Logger,
    private readonly limit: number,
  ) {
    out.on('error', (err: Error) => {
      // the first failure is logged; from then on every event counts as dropped
      if (!this.failed) log.error({ err }, 'audit log: write failed; events are dropped from now on');
      this.failed = err;
    });
  }

  /** Opens (creates, appends to) the log; fails when the file cannot be opened, as kube's start does. */
  static async open(path: string, log: Logger, limit = MAX_BUFFERED_BYTES): Promise<LogBackend> {
    if (path === '-') return new LogBackend(process.stdout, false, log, limit);
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', () => resolve());
      stream.once('error', (e) => reject(new Error(`audit log ${JSON.stringify(path)}: ${e.message}`)));
    });
    return new LogBackend(stream, true, log, limit);
  }

  write(line: string): void {
    if (this.closed) return;
    if (this.failed || this.out.writableLength + line.length > this.limit) {
      this.drop();
      return;
    }
    this.out.write(line);
  }

  private drop(): void {
    this.dropped++;
    this.droppedSinceWarning++;
    const now = Date.now();
    if (now - this.lastWarning >= DROP_WARNING_INTERVAL_MS) {
      this.log.warn({ dropped: this.droppedSinceWarning, droppedTotal: this.dropped, buffered: this.out.writableLength },
        'audit log: the output does not keep up, events dropped');
      this.lastWarning = now;
      this.droppedSinceWarning = 0;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const out = this.out;
    if (this.failed) {
      if (this.ownsStream) out.destroy();
      return;
    }
    if (this.ownsStream) {
      await new Promise<void>((resolve) => {
        out.once('error', () => resolve());
        (out as WriteStream).end(() => resolve());
      });
      return;
    }
    // stdout stays open: only wait until it took what was written
    if (out.writableLength > 0) {
      await new Promise<void>((resolve) => {
        out.once('error', () => resolve());
        out.once('drain', () => resolve());
      });
    }
  }
}
