// A small client of the management cluster's API (a real kube-apiserver): JSON requests, server-side
// apply, dry-run, and watch streams, with the credentials of a kubeconfig (client-node reads it:
// certificates, tokens, exec plugins). One keep-alive agent per management cluster, and one token
// bucket limiting what all tenants together send there.

import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { TokenBucket } from '../util/token-bucket.js';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** A non-2xx answer: the management cluster's metav1.Status. */
export class DownstreamError extends Error {
  constructor(readonly code: number, readonly status: Record<string, unknown> | undefined, message: string) {
    super(message);
  }

  get reason(): string | undefined {
    return typeof this.status?.reason === 'string' ? this.status.reason : undefined;
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof DownstreamError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof DownstreamError && e.code === 409;
}

/** The path of a collection or an object: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise. */
export function resourcePath(gvr: GroupVersionResource, namespace?: string, name?: string, subresource?: string): string {
  let p = gvr.group === '' ? `/api/${gvr.version}` : `/apis/${gvr.group}/${gvr.version}`;
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${gvr.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchHandle {
  stop(): void;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Marks a request whose answer is text, not JSON. */
const TEXT = 'text/plain';
const USER_AGENT = 'kplane-syncer';

export class DownstreamClient {
  private constructor(
    readonly server: string,
    /** The server URL's path (a proxy's, e.g. /k8s/clusters/c-1; '' for an API server itself), before every request path. */
    private readonly prefix: string,
    private readonly base: RequestOptions,
    private readonly secure: boolean,
    private readonly bucket: TokenBucket,
  ) {}

  /** A client for the current context of a kubeconfig. */
  static async fromKubeconfig(text: string, qps = 50): Promise<DownstreamClient> {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server);
    const opts: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const secure = url.protocol === 'https:';
    const agentOpts = { keepAlive: true, maxSockets: 32 };
    const base: RequestOptions = {
      ...opts,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (secure ? 443 : 80),
      agent: secure ? new Agent({ ...agentOpts, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized }) : new HttpAgent(agentOpts),
    };
    return new DownstreamClient(cluster.server.replace(/\/+$/, ''), url.pathname.replace(/\/+$/, ''), base, secure, new TokenBucket(qps, Math.max(qps, 10)));
  }

  /** Requests sent so far (watches included): what the syncer costs the management cluster. */
  requests = 0;

  /** One request; 2xx answers their JSON body, anything else throws DownstreamError. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = REQUEST_TIMEOUT_MS): Promise<Record<string, unknown>> {
    await this.bucket.take();
    this.requests++;
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers: Record<string, string | number> = { ...(this.base.headers as Record<string, string>), accept: 'application/json', 'user-agent': USER_AGENT };
    if (payload) {
      headers['content-type'] = contentType;
      headers['content-length'] = payload.length;
    }
    const send = this.secure ? request : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send({ ...this.base, method, path: this.prefix + path, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            parsed = undefined;
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300 && contentType === TEXT) resolve({ text });
          else if (code >= 200 && code < 300 && parsed) resolve(parsed);
          else {
            const msg = typeof parsed?.message === 'string' ? parsed.message : `${method} ${path}: HTTP ${code} ${text.slice(0, 200)}`;
            reject(new DownstreamError(code, parsed?.kind === 'Status' ? parsed : undefined, msg));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get(path: string): Promise<Record<string, unknown>> {
    return this.request('GET', path);
  }

  /** A GET of a text document (/metrics). */
  async getText(path: string): Promise<string> {
    return String((await this.request('GET', path, undefined, TEXT)).text);
  }

  /** Server-side apply as the syncer's field manager (force: the syncer owns what it sends). */
  apply(path: string, obj: unknown, opts: { dryRun?: boolean; fieldManager?: string; timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
    const q = new URLSearchParams({ fieldManager: opts.fieldManager ?? 'kplane-syncer', force: 'true' });
    if (opts.dryRun) q.set('dryRun', 'All');
    return this.request('PATCH', `${path}?${q}`, obj, 'application/apply-patch+yaml', opts.timeoutMs);
  }

  delete(path: string, body?: unknown): Promise<Record<string, unknown>> {
    return this.request('DELETE', path, body);
  }

  /**
   * A watch stream. Events arrive in order; onClose is called once when the stream ends for any
   * reason (the caller decides whether to re-watch or list again).
   */
  watch(path: string, query: Record<string, string>, onEvent: (ev: WatchEvent) => void, onClose: (err?: Error) => void): WatchHandle {
    const q = new URLSearchParams({ ...query, watch: '1', allowWatchBookmarks: 'true' });
    this.requests++;
    const headers = { ...(this.base.headers as Record<string, string>), accept: 'application/json', 'user-agent': USER_AGENT };
    let closed = false;
    const close = (err?: Error): void => {
      if (closed) return;
      closed = true;
      onClose(err);
    };
    const send = this.secure ? request : httpRequest;
    const req = send({ ...this.base, method: 'GET', path: `${this.prefix}${path}?${q}`, headers }, (res) => {
      if ((res.statusCode ?? 0) !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => close(new DownstreamError(res.statusCode ?? 0, undefined, `watch ${path}: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`)));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent);
          } catch (e) {
            req.destroy(e as Error);
            return;
          }
        }
      });
      res.on('end', () => close());
      res.on('error', (e) => close(e));
    });
    req.on('error', (e) => close(e));
    req.end();
    return {
      stop: () => {
        closed = true;
        req.destroy();
      },
    };
  }

  /**
   * How to reach a Service of the management cluster through its API server's service proxy
   * (a webhook target for src/apiextensions/webhook-post.ts): that server's address, CA and the
   * syncer's credentials.
   */
  serviceProxy(ref: { namespace: string; name: string; port: number; path: string }): {
    connect: { host: string; port: number }; path: string; ca?: string; cert?: string; key?: string; serverName: string; headers: Record<string, string>;
  } {
    const b = this.base as RequestOptions & { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
    const pem = (v: unknown): string | undefined => (v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
    const auth = (b.headers as Record<string, string> | undefined)?.Authorization ?? (b.headers as Record<string, string> | undefined)?.authorization;
    return {
      connect: { host: String(b.hostname), port: Number(b.port) },
      path: `${this.prefix}/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/services/https:${encodeURIComponent(ref.name)}:${ref.port}/proxy${ref.path}`,
      ca: pem(b.ca), cert: pem(b.cert), key: pem(b.key), serverName: String(b.hostname),
      headers: auth ? { Authorization: auth } : {},
    };
  }

  close(): void {
    (this.base.agent as Agent | HttpAgent).destroy();
  }
}
