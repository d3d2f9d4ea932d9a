// `kplane serve` as a child process, as users run it (bin/kplane), with its JSON log lines
// parsed: tests and the benchmark wait on log messages instead of sleeping.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/kplane');

export interface KplaneProcess {
  child: ChildProcess;
  url: string;
  /** Parsed log records (stdout) in order. */
  records: Record<string, unknown>[];
  /** Raw output lines, stderr included (for failure messages). */
  lines: string[];
  exited: Promise<number | null>;
  /** The first record with this msg logged after the first `after` records. */
  waitFor(msg: string, after?: number, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export async function startKplaneProcess(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<KplaneProcess> {
  const child = spawn(BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const records: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log record
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr!.on('data', (d: Buffer) => lines.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => {
    r(code);
    for (const w of [...waiters]) w();
  }));
  const waitFor = (msg: string, after = 0, timeoutMs = 60_000) => new Promise<Record<string, unknown>>((res, rej) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for "${msg}"`)), timeoutMs);
    const check = () => {
      const found = records.slice(after).find((r) => r.msg === msg);
      if (found) done(undefined, found);
      else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`kplane exited before logging "${msg}":\n${lines.slice(-20).join('\n')}`));
    };
    const done = (err?: Error, rec?: Record<string, unknown>) => {
      clearTimeout(timer);
      waiters.delete(check);
      if (err) rej(err);
      else res(rec!);
    };
    waiters.add(check);
    check();
  });
  const serving = await waitFor('kplane is serving', 0, 30_000);
  return { child, url: serving.url as string, records, lines, exited, waitFor };
}
