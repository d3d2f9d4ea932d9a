// HTTP/1.1 over TLS byte by byte, for requests no client library would send: undecodable or
// uncleaned paths, unknown methods, oversized heads, odd framing. Requests are written as given;
// the connection is read until the server closes it or `responses` answers have arrived.

import { connect, type TLSSocket } from 'node:tls';
import type { Credentials } from './kplane.js';

export interface RawHttpResponse {
  status: number;
  /** The status line's reason phrase, e.g. "Bad Request". */
  reason: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body, de-chunked. */
  body: Buffer;
  /** The response bytes exactly as received (head and body). */
  bytes: Buffer;
}

export interface RawHttpResult {
  responses: RawHttpResponse[];
  /** The server closed the connection (rather than the client after `responses` answers). */
  closedByServer: boolean;
}

/** One request's bytes: request line, headers (Host added unless given or null), CRLF, body. */
export function httpRequest(method: string, target: string, headers: Record<string, string | null> = {}, body?: Buffer | string): Buffer {
  const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const all: Record<string, string | null> = { Host: 'localhost', ...(b ? { 'Content-Length': String(b.length) } : {}), ...headers };
  const head = `${method} ${target} HTTP/1.1\r\n` + Object.entries(all).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

/** Parses as many complete responses as `data` holds; HEAD answers have no body. */
function parseResponses(data: Buffer, heads: boolean[], closed: boolean): RawHttpResponse[] {
  const out: RawHttpResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const lines = data.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      const k = l.slice(0, i).toLowerCase();
      const v = l.slice(i + 1).trim();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    let pos = end + 4;
    let body: Buffer;
    const status = Number(m[1]);
    if (heads[out.length] || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const nl = data.indexOf('\r\n', pos);
        if (nl < 0) return out;
        const size = parseInt(data.subarray(pos, nl).toString('latin1'), 16);
        pos = nl + 2;
        if (size === 0) {
          pos += 2;
          break;
        }
        if (pos + size > data.length) return out;
        parts.push(data.subarray(pos, pos + size));
        pos += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (pos + n > data.length) return out;
      body = data.subarray(pos, pos + n);
      pos += n;
    } else {
      // no framing: the body runs to the end of the connection
      if (!closed) return out;
      body = data.subarray(pos);
      pos = data.length;
    }
    if (status >= 100 && status < 200) {
      at = pos;
      continue;
    }
    out.push({ status, reason: m[2]!, headers, body: Buffer.from(body), bytes: Buffer.from(data.subarray(at, pos)) });
    at = pos;
  }
  return out;
}

export interface RawHttpOptions {
  /** How many responses to wait for before the client closes (default 1). */
  responses?: number;
  /** Requests whose answers have no body (HEAD), by index. */
  heads?: boolean[];
  timeoutMs?: number;
}

/** Writes `chunks` in order (waiting for drain) on one TLS connection and reads the answers. */
export function rawHttp(baseURL: string, creds: Credentials, chunks: (Buffer | string)[], opts: RawHttpOptions = {}): Promise<RawHttpResult> {
  const url = new URL(baseURL);
  const want = opts.responses ?? 1;
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    let settled = false;
    let socket: TLSSocket;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(Buffer.concat(received), opts.heads ?? [], true), closedByServer });
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new Error(`no ${want} answer(s) within ${opts.timeoutMs ?? 10_000} ms: ${Buffer.concat(received).toString('latin1').slice(0, 300)}`));
    }, opts.timeoutMs ?? 10_000);
    socket = connect({
      host: url.hostname, port: Number(url.port), ca: creds.ca, cert: creds.cert, key: creds.key,
      servername: 'localhost', ALPNProtocols: ['http/1.1'],
    }, () => {
      void (async () => {
        for (const c of chunks) {
          if (socket.destroyed) return;
          if (!socket.write(c)) await new Promise((r) => socket.once('drain', r));
        }
      })();
    });
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (parseResponses(Buffer.concat(received), opts.heads ?? [], false).length >= want) finish(false);
    });
    // a reset after the answer arrived still counts as the server closing
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}
