// Request bodies, read where kube's handlers read them (after authentication, authorization and
// routing) and bounded as kube bounds them: more than MaxRequestBodyBytes (3 MiB) is a 413
// RequestEntityTooLarge. Go's server then keeps reading what the client still sends, so the
// client sees the answer instead of a reset connection (kubectl's "write: broken pipe"); kplane
// does the same up to a bound, then closes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestEntityTooLarge } from '../apimachinery/errors.js';
import { closeConnection } from './connection.js';

/** kube-apiserver's --max-request-bytes default (genericapiserver MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * How much of a refused body is read and dropped before the connection is closed: enough for a
 * client that wrote a few times the limit to read its 413; a client streaming without end is cut.
 */
export const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

const bodies = new WeakMap<IncomingMessage, Promise<Buffer>>();
/** Requests that said "Expect: 100-continue", with the response to send the 100 on. */
const awaitingContinue = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * Holds back "100 Continue" until a handler reads the body, as Go's server does (Node would send it
 * at once): a request refused before its body is read (401, 403, 404, 405, 415) is not uploaded.
 */
export function deferContinue(req: IncomingMessage, res: ServerResponse): void {
  awaitingContinue.set(req, res);
}

/** The request body (read once; later calls share the result), or a 413 when it exceeds the limit. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  let p = bodies.get(req);
  if (!p) bodies.set(req, (p = read(req, limit)));
  return p;
}

function read(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (req.readableEnded || declared === 0) return Promise.resolve(Buffer.alloc(0));
  const res = awaitingContinue.get(req);
  awaitingContinue.delete(req);
  // a declared length over the limit is refused without inviting the body
  if (res && !(declared > limit)) res.writeContinue();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const tooLarge = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      discard(req, received);
      reject(requestEntityTooLarge(`limit is ${limit}`));
    };
    const onData = (c: Buffer) => {
      received += c.length;
      if (received > limit) return tooLarge();
      chunks.push(c);
    };
    const onEnd = () => {
      req.off('error', onError);
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (e: Error) => reject(e);
    req.on('error', onError);
    // a declared length over the limit is refused before reading it, as kube's LimitedReader would
    if (declared > limit) return tooLarge();
    req.on('data', onData);
    req.on('end', onEnd);
  });
}

/** Go's maxPostHandlerReadBytes: what its server still reads of a body the handler left. */
const MAX_POST_HANDLER_READ_BYTES = 256 * 1024;

/**
 * Will the connection close once the answer is out, for a body no handler read? Then the answer
 * says "Connection: close" (as Go's server writes it), so the client does not send its next
 * request on a connection that is about to go away.
 */
export function closesAfterReply(req: IncomingMessage): boolean {
  if (req.complete || req.destroyed || bodies.has(req)) return false;
  const declared = Number(req.headers['content-length']);
  // a client still waiting for its "100 Continue" will not send the body here: Go closes too
  return !(declared <= MAX_POST_HANDLER_READ_BYTES) || awaitingContinue.has(req);
}

/**
 * A body no handler read (a refused request, a GET with a body), once the answer is out: a small
 * one is dropped as it arrives and the connection kept; beyond Go's 256 KiB, or chunked, Go's
 * server closes instead (closeWriteAndWait), and so does kplane: its side first, the rest after
 * a grace period in which the client reads the answer.
 */
export function limitUnreadBody(req: IncomingMessage): void {
  if (!closesAfterReply(req)) return;
  closeConnection(req.socket);
}

/** Reads and drops the rest of a refused body; past MAX_DISCARD_BYTES the connection is closed. */
function discard(req: IncomingMessage, already: number): void {
  let dropped = 0;
  const onData = (c: Buffer) => {
    dropped += c.length;
    if (dropped > MAX_DISCARD_BYTES - Math.min(already, MAX_DISCARD_BYTES)) {
      req.off('data', onData);
      req.socket.destroy();
    }
  };
  req.on('data', onData);
  req.on('error', () => {});
  req.resume();
}
