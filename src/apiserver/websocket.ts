// WebSocket requests as kube-apiserver takes them. Node hands every request that carries an
// `Upgrade` header to the server's 'upgrade' listeners instead of the HTTP request path, so
// serveUpgrades routes them into the same handler chain as every other request (authentication,
// authorization, cluster checks, Status errors all unchanged) over a response bound to the socket.
// Only a watch takes the upgrade (handlers/watch.ts, after its watcher started, as kube's
// serveWatchHandler does); every other path answers as a plain HTTP request that ignores Upgrade,
// as Go's net/http does: those (and SPDY, bodies) are handed back to Node's HTTP parser without
// the Upgrade, on the same connection.
//
// The handshake follows golang.org/x/net/websocket, which kube's watch handler uses: its checks,
// its order and its raw refusals (e.g. `403 Forbidden` with no body for a request without an
// Origin: websocket.Handler refuses a "null origin").

import { ServerResponse, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { closeConnection } from './connection.js';

/** wsstream's connectionUpgradeRegex */
const CONNECTION_UPGRADE = /(^|.*,\s*)upgrade($|\s*,)/;

/** wsstream.IsWebSocketRequest: `Upgrade: websocket` and `upgrade` among the Connection tokens. */
export function isWebSocketRequest(headers: IncomingHttpHeaders): boolean {
  if (String(headers.upgrade ?? '').toLowerCase() !== 'websocket') return false;
  return CONNECTION_UPGRADE.test(String(headers.connection ?? '').toLowerCase());
}

interface Upgrade {
  socket: Duplex;
  head: Buffer;
  res: ServerResponse;
}

/** Requests that came through 'upgrade': their socket and the bytes already read past the headers. */
const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/** Whether a request came through 'upgrade' (so its socket can be taken over). */
export function isUpgrade(req: IncomingMessage): boolean {
  return upgrades.has(req);
}

/** Serves requests with an Upgrade header through `routing` (fastify's request handler). */
export function serveUpgrades(server: Server, routing: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (req.method !== 'GET' || !isWebSocketRequest(req.headers) || !mayBeWatch(req.url ?? '/')) {
      replayAsHttp(server, req, socket, head);
      return;
    }
    // Node's HTTP parser has let go of this socket: one response (if it is no watch after all),
    // then the connection closes
    const res = new ServerResponse(req);
    upgrades.set(req, { socket, head, res });
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.on('finish', () => {
      res.detachSocket(socket as Socket);
      closeConnection(socket);
    });
    routing(req, res);
  });
}

/**
 * Whether the handler chain may take a request for a watch (`watch` in its query or a /watch/
 * path): only a watch takes the upgrade, everything else can go back to Node's HTTP parser.
 * Generous on purpose: a false yes only costs the connection its keep-alive.
 */
function mayBeWatch(url: string): boolean {
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // malformed percent-encoding: the raw form decides
  }
  return /watch/i.test(url) || /watch/i.test(decoded);
}

/**
 * Anything but a WebSocket handshake of a watch (a WebSocket GET of a list, SPDY for exec, a
 * request with a body) is the plain HTTP request it also is: its head without the upgrade, then
 * what followed, go back to Node's HTTP parser on the same connection, which reads the body and
 * keeps the connection alive as usual.
 */
function replayAsHttp(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    let value = req.rawHeaders[i + 1]!;
    if (/^upgrade$/i.test(name)) continue;
    if (/^connection$/i.test(name)) {
      value = value.split(',').map((v) => v.trim()).filter((v) => v && v.toLowerCase() !== 'upgrade').join(', ');
      if (!value) continue;
    }
    lines.push(`${name}: ${value}`);
  }
  // header values came in as latin1: the same bytes go back
  socket.unshift(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), head]));
  server.emit(socket instanceof TLSSocket ? 'secureConnection' : 'connection', socket);
}

const wss = new WebSocketServer(<ServerOptions & { closeTimeout: number }>{
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  // x/net/websocket's DefaultMaxPayloadBytes for what a client sends (kube reads and ignores it)
  maxPayload: 32 << 20,
  // x/net/websocket echoes the one protocol offered (more than one is refused before this)
  handleProtocols: (protocols: Set<string>) => protocols.values().next().value ?? false,
  // a client that never answers our close frame (the connection is half closed by then anyway;
  // ws 8.23 takes this option, @types/ws does not list it yet)
  closeTimeout: 5000,
});

/** Go's url.ParseRequestURI accepts an absolute URI or an absolute path, without control characters. */
function parsesAsRequestURI(origin: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(origin)) return false;
  if (origin.startsWith('/')) return true;
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(origin)) return false;
  try {
    new URL(origin);
    return true;
  } catch {
    return false;
  }
}

/** An accepted WebSocket and kube's way to end it. */
export interface AcceptedWebSocket {
  ws: WebSocket;
  /** x/net/websocket's Close: a close frame with 1000, then the connection closes (no waiting). */
  close(): void;
}

/**
 * Completes the WebSocket handshake of a request that came through serveUpgrades, or refuses it
 * as x/net/websocket does (undefined then; the connection is closed).
 */
export function acceptWebSocket(req: IncomingMessage): Promise<AcceptedWebSocket | undefined> {
  const up = upgrades.get(req);
  if (!up) return Promise.resolve(undefined);
  const { socket, head, res } = up;
  // from here on the socket is the handshake's, not the HTTP response's
  res.detachSocket(socket as Socket);
  const refusal = handshakeRefusal(req);
  if (refusal) {
    closeConnection(socket, refusal);
    return Promise.resolve(undefined);
  }
  // a client gone while the watch was set up: ws would destroy the socket without a word
  if (socket.destroyed || !socket.readable || !socket.writable) {
    socket.destroy();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let done = false;
    // ws refuses a few handshakes x/net accepts (e.g. a key that is not 16 bytes of base64) on its own
    socket.once('close', () => {
      if (!done) resolve(undefined);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      done = true;
      resolve({
        ws,
        close: () => {
          if (ws.readyState === ws.OPEN) ws.close(1000);
          closeConnection(socket);
        },
      });
    });
  });
}

/** x/net/websocket's refusals, in its order: the raw response to write, or undefined to go on. */
function handshakeRefusal(req: IncomingMessage): string | undefined {
  const h = req.headers;
  const raw = (status: string, text = '', header = '') => `HTTP/1.1 ${status}\r\n${header}\r\n${text}`;
  if (req.method !== 'GET') return raw('405 Method Not Allowed', 'bad method');
  if (!h['sec-websocket-key']) return raw('400 Bad Request', 'mismatch challenge/response');
  if (h['sec-websocket-version'] !== '13') {
    return raw('400 Bad Request', 'missing or bad WebSocket Version', 'Sec-WebSocket-Version: 13\r\n');
  }
  // websocket.Handler's checkOrigin: an Origin is required and must parse
  if (!h.origin || !parsesAsRequestURI(h.origin)) return raw('403 Forbidden');
  // more than one subprotocol offered: x/net wants the server to pick one, kube's watch does not
  const protocols = String(h['sec-websocket-protocol'] ?? '').trim();
  if (protocols && protocols.split(',').length > 1) return raw('400 Bad Request');
  return undefined;
}
