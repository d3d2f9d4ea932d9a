// Closing a connection the way Go's server does (closeWriteAndWait): our side first, so the last
// answer is flushed and the client can read it while it is still sending, then the socket is torn
// down after rstAvoidanceDelay whether or not the client closes its side. A client that never
// closes must not hold the connection open, nor a drain that waits for every connection to end.

import type { Duplex } from 'node:stream';

/** Go's rstAvoidanceDelay: how long a closing connection waits before it is torn down. */
export const CLOSE_GRACE_MS = 500;

/** Ends the connection after `last` (if any), and destroys it CLOSE_GRACE_MS later at the latest. */
export function closeConnection(socket: Duplex, last?: string | Buffer): void {
  if (socket.destroyed) return;
  // already ending (an answer that said "Connection: close"): the grace still applies, since
  // destroying now would reset the connection under the answer the client has yet to read
  if (socket.writable) {
    if (last === undefined) socket.end();
    else socket.end(last);
  }
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}
