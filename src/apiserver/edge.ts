// The HTTP edge as Go's net/http shapes it for kube-apiserver: what a request target means
// (decoded once, never cleaned), how big a request head may be, and the plain-text answers the
// server itself gives to requests no handler ever sees. kplane runs on Node's HTTP server, whose
// own answers (and fastify's JSON ones) must never reach a client.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { closeConnection } from './connection.js';

/**
 * http.DefaultMaxHeaderBytes (1 MiB), which kube-apiserver's secure server sets, plus the 4096
 * bytes of bufio slack Go's server allows on top: the request line and headers together.
 */
export const MAX_HEADER_BYTES = (1 << 20) + 4096;

/** A plain-text answer (kube's http.Error and Go's server texts), not a metav1.Status. */
export class PlainTextError extends Error {
  constructor(readonly code: number, readonly text: string) {
    super(text);
  }
}

/** The parsed request target: the path decoded as req.URL.Path is, the raw query. */
export interface RequestTarget {
  path: string;
  query: URLSearchParams;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * url.ParseRequestURI's path: every %XX decoded (%2F included, so it separates segments as in
 * kube), nothing cleaned (no "." or ".." resolution, no slash merging); a malformed escape makes
 * the whole request unparseable (Go's server answers it with a plain 400). Bytes that are not
 * UTF-8 become U+FFFD, as kube's JSON encoder writes them.
 */
export function parseRequestTarget(url: string): RequestTarget | undefined {
  const q = url.indexOf('?');
  let raw = q < 0 ? url : url.slice(0, q);
  // asterisk-form ("OPTIONS *"), and absolute-form (proxies): the path of the URL
  if (raw === '*') return { path: raw, query: parseQuery(q < 0 ? '' : url.slice(q + 1)) };
  if (!raw.startsWith('/')) {
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(raw);
    if (!m) return undefined;
    raw = raw.slice(m[0].length) || '/';
  }
  const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
  const path = unescape(raw, false);
  return path === undefined ? undefined : { path, query };
}

/** url.PathUnescape / QueryUnescape: %XX decoded ("+" is a space in a query), undefined for a bad escape. */
function unescape(s: string, query: boolean): string | undefined {
  if (!s.includes('%') && !(query && s.includes('+'))) return s;
  const bytes = Buffer.from(s, 'latin1');
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x25) {
      out[n++] = query && c === 0x2b ? 0x20 : c;
      continue;
    }
    const hi = i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1;
    const lo = i + 2 < bytes.length ? hexValue(bytes[i + 2]!) : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[n++] = hi * 16 + lo;
    i += 2;
  }
  return out.subarray(0, n).toString('utf8');
}

/**
 * req.URL.Query() (url.ParseQuery with its errors ignored): pairs split on "&", a pair with a
 * ";" or a bad escape is dropped, the rest kept in order.
 */
export function parseQuery(raw: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = unescape(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = unescape(eq < 0 ? '' : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined) continue;
    out.append(key, value);
  }
  return out;
}

/** The query of a request target, as kube's handlers read it. */
export function requestQuery(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return parseQuery(q < 0 ? '' : url.slice(q + 1));
}

const GO_ERROR_HEADERS = '\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n';

/**
 * Writes Go's server-level answer for a request it could not read ("400 Bad Request",
 * "431 Request Header Fields Too Large", ...) and closes the connection, as Go's conn.serve does.
 */
export function writeGoServerError(socket: Socket, status: string, body = status): void {
  closeConnection(socket, `HTTP/1.1 ${status}${GO_ERROR_HEADERS}${body}`);
}

/** Go's answer to a transfer coding other than "chunked" (RFC 7230: 501). */
const UNSUPPORTED_TE = { status: '501 Not Implemented', body: 'Unsupported transfer encoding' };

/** httpguts.ValidHostHeader's bytes. */
const VALID_HOST = /^[0-9A-Za-z!$%&'()*+,\-.:;=[\]_~]*$/;

/**
 * What Go's server refuses in a request head Node's parser accepted, as the status line and
 * body it writes, or undefined: only HTTP/1.x, exactly one valid Host on HTTP/1.1, and no
 * transfer coding but a single "chunked".
 */
export function goRequestRefusal(req: IncomingMessage): { status: string; body?: string } | undefined {
  if (req.httpVersionMajor !== 1) return { status: '505 HTTP Version Not Supported: unsupported protocol version' };
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) return { status: '400 Bad Request' };
  const host = req.headers.host;
  if (host === undefined) return req.httpVersionMinor >= 1 ? { status: '400 Bad Request: missing required Host header' } : undefined;
  if (!VALID_HOST.test(host)) return { status: '400 Bad Request: malformed Host header' };
  const te = req.headersDistinct['transfer-encoding'];
  if (te && (te.length !== 1 || te[0]!.trim().toLowerCase() !== 'chunked')) return UNSUPPORTED_TE;
  return undefined;
}

/** Whether Node's "Invalid header token" is at a line with a colon (a header whose name is bad). */
function headerNameRefused(err: NodeJS.ErrnoException & { bytesParsed?: number; rawPacket?: Buffer; reason?: string }): boolean {
  if (err.reason !== 'Invalid header token' || !err.rawPacket || err.bytesParsed === undefined) return false;
  const raw = err.rawPacket.toString('latin1');
  const start = raw.lastIndexOf('\n', err.bytesParsed - 1) + 1;
  const end = raw.indexOf('\n', err.bytesParsed);
  return raw.slice(start, end < 0 ? raw.length : end).includes(':');
}

/** Node's parser errors mapped to what Go's server answers for the same bytes. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return writeGoServerError(socket, '431 Request Header Fields Too Large');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      // Go accepts "chunked" only; any other transfer coding is a 501
      return writeGoServerError(socket, UNSUPPORTED_TE.status, UNSUPPORTED_TE.body);
    case 'HPE_INVALID_HEADER_TOKEN':
      // Go reads "Name With Space: v" as a header and refuses its name; a line without a colon,
      // or a bad byte in a value, is a plain 400
      return writeGoServerError(socket, headerNameRefused(err) ? '400 Bad Request: invalid header name' : '400 Bad Request');
    case 'ECONNRESET':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      // a read that failed or timed out: Go closes without a word
      socket.destroy();
      return;
    default:
      // Node's parser also refuses methods Go would route (any token): the one request kplane
      // cannot answer as kube does (kube: 405 MethodNotAllowed on a resource path)
      return writeGoServerError(socket, '400 Bad Request');
  }
}
