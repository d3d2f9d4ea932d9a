// A small HTTPS client for load: keep-alive connections, a fixed number in flight, latencies kept.

import { Agent, request } from 'node:https';

export interface Target {
  name: string;
  /** Base URL including any logical-cluster prefix, e.g. https://127.0.0.1:6443/clusters/root */
  base: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

export interface Reply {
  status: number;
  body: string;
}

export class Client {
  private readonly agent: Agent;

  constructor(readonly target: Target, sockets = 64) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, ca: target.ca, cert: target.cert, key: target.key });
  }

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
    const url = new URL(this.target.base + path);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.agent,
        headers: {
          Accept: 'application/json',
          ...(data ? { 'Content-Type': contentType, 'Content-Length': String(data.length) } : {}),
          ...(this.target.token ? { Authorization: `Bearer ${this.target.token}` } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  /** Opens a watch and calls onEvent per event line; returns a function that closes it. */
  watch(path: string, onEvent: (ev: { type: string; object: { metadata: { name: string; resourceVersion: string } } }) => void): Promise<() => void> {
    const url = new URL(this.target.base + path);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: 'GET',
        agent: new Agent({ keepAlive: false, ca: this.target.ca, cert: this.target.cert, key: this.target.key }),
        headers: { Accept: 'application/json', ...(this.target.token ? { Authorization: `Bearer ${this.target.token}` } : {}) },
      }, (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) onEvent(JSON.parse(line));
          }
        });
        res.on('error', () => undefined);
        resolve(() => req.destroy());
      });
      req.on('error', (e) => reject(e));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs n tasks with `concurrency` in flight; returns per-task latencies (ms) and wall time. */
export async function load(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = new Array(n);
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = process.hrtime.bigint();
      await task(i);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
