// HTTPS clients of the two servers under comparison: plain requests and long-running watches.

import https from 'node:https';

export interface Target {
  name: 'kube' | 'kplane';
  /** https://127.0.0.1:<port> */
  origin: string;
  /** '' for kube, '/clusters/root' for kplane. */
  prefix: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  /** The CA bundle the server publishes in kube-root-ca.crt ConfigMaps. */
  rootCA: string;
  agent: https.Agent;
  /** Not started (COMPAT_KUBE_ONLY): every request fails at once without a connection. */
  offline?: boolean;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Warning header values, one per header line. */
  warnings: string[];
  text: string;
  json: unknown;
  /** A transport error instead of a response (e.g. the server closed the connection). */
  error?: string;
}

export interface OutgoingRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function headersFor(t: Target, req: OutgoingRequest): Record<string, string | number> {
  const h: Record<string, string | number> = { ...req.headers };
  if (t.token) h['Authorization'] = `Bearer ${t.token}`;
  if (req.body) h['Content-Length'] = req.body.length;
  return h;
}

function warningsOf(rawHeaders: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'warning') out.push(rawHeaders[i + 1]!);
  }
  return out;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function send(t: Target, req: OutgoingRequest, timeoutMs = 30_000): Promise<Response> {
  if (t.offline) return Promise.resolve({ status: 0, headers: {}, warnings: [], text: '', json: undefined, error: `${t.name} not started` });
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Response) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    const r = https.request(new URL(t.prefix + req.path, t.origin), {
      method: req.method,
      ca: t.ca,
      cert: t.cert,
      key: t.key,
      agent: t.agent,
      headers: headersFor(t, req),
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        finish({ status: res.statusCode ?? 0, headers: res.headers, warnings: warningsOf(res.rawHeaders), text, json: parseJson(text) });
      });
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, headers: res.headers, warnings: [], text: '', json: undefined, error: e.message }));
    });
    r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    r.on('error', (e) => finish({ status: 0, headers: {}, warnings: [], text: '', json: undefined, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    if (req.body) r.write(req.body);
    r.end();
  });
}

export interface WatchEvent {
  type: string;
  object: unknown;
  /** A line that was not a JSON watch event. */
  raw?: string;
}

/** An open watch: the response head, the events so far, and whether the server ended it. */
export class OpenWatch {
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  warnings: string[] = [];
  /** Body of a non-200 answer. */
  text = '';
  error: string | undefined;
  readonly events: WatchEvent[] = [];
  /** Events already handed out by take(). */
  private taken = 0;
  closed = false;
  private buffer = '';
  private waiters: (() => void)[] = [];
  private readonly req: ReturnType<typeof https.request>;
  readonly ready: Promise<void>;

  constructor(t: Target, path: string, headers: Record<string, string>) {
    let markReady!: () => void;
    this.ready = new Promise((r) => (markReady = r));
    this.req = https.request(new URL(t.prefix + path, t.origin), {
      method: 'GET',
      ca: t.ca,
      cert: t.cert,
      key: t.key,
      // A watch holds its connection: not from the shared pool.
      agent: false,
      headers: headersFor(t, { method: 'GET', path, headers }),
    }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      this.warnings = warningsOf(res.rawHeaders);
      markReady();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (this.status !== 200) {
          this.text += chunk;
          return;
        }
        this.buffer += chunk;
        let nl: number;
        while ((nl = this.buffer.indexOf('\n')) >= 0) {
          const line = this.buffer.slice(0, nl).trim();
          this.buffer = this.buffer.slice(nl + 1);
          if (line) this.push(line);
        }
        this.notify();
      });
      const end = () => {
        if (this.buffer.trim()) this.push(this.buffer.trim());
        this.buffer = '';
        this.closed = true;
        markReady();
        this.notify();
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
    });
    this.req.on('error', (e) => {
      this.error = (e as NodeJS.ErrnoException).code ?? e.message;
      this.closed = true;
      markReady();
      this.notify();
    });
    this.req.end();
  }

  private push(line: string): void {
    try {
      const e = JSON.parse(line) as { type?: string; object?: unknown };
      this.events.push({ type: String(e.type), object: e.object });
    } catch {
      this.events.push({ type: '<not JSON>', object: undefined, raw: line });
    }
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `count` more events arrived (or the stream ended, or the timeout), and hands them out. */
  async take(opts: { count?: number; untilClosed?: boolean; untilType?: string; timeoutMs: number }): Promise<{ events: WatchEvent[]; timedOut: boolean }> {
    const deadline = Date.now() + opts.timeoutMs;
    let want = opts.count ?? Infinity;
    const enough = () => {
      if (opts.untilType !== undefined) {
        const i = this.events.findIndex((e, j) => j >= this.taken && e.type === opts.untilType);
        if (i >= 0) want = i - this.taken + 1;
        return i >= 0 || this.closed;
      }
      return this.closed || this.events.length - this.taken >= want;
    };
    while (!enough() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const timedOut = !enough();
    const end = opts.untilClosed ? this.events.length : Math.min(this.events.length, this.taken + want);
    const events = this.events.slice(this.taken, end);
    this.taken = end;
    return { events, timedOut };
  }

  close(): void {
    this.req.destroy();
  }
}
