// Watch streams: newline-delimited JSON watch events over a chunked response, as kube-apiserver
// sends them: ADDED/MODIFIED/DELETED, BOOKMARK (with allowWatchBookmarks; the initial-events-end
// bookmark with sendInitialEvents) and a final ERROR event carrying a Status (e.g. 410 Expired).
// Over WebSocket (kube's HandleWS) each event is one message: a text message holding the same
// JSON line, or a binary message holding the protobuf WatchEvent without its length prefix; the
// end of the watch is a close frame (1000). Whatever fails before the watch starts is an ordinary
// HTTP Status reply, upgrade or not.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ObjectEvent, ObjectWatch } from '../../registry/store.js';
import { apiVersionOfType, type RequestContext, type ResourceType } from '../../registry/types.js';
import type { ApiDeps } from '../deps.js';
import type { Output } from '../negotiate.js';
import type { ListRequestOptions } from '../options.js';
import { encodeWatchEvent } from '../../protobuf/index.js';
import { convertObject, serialize, warningHeaders } from '../respond.js';
import { acceptWebSocket, isUpgrade, isWebSocketRequest, type AcceptedWebSocket } from '../websocket.js';

/**
 * One event reaches every watcher of its resource and cluster as the same object: its encoded
 * form is made once per (object, event type, wire format) and shared, as kube's cacher does.
 */
const encoded = new WeakMap<object, Map<string, Buffer>>();

function cachedLine(obj: object, key: string, encode: () => Buffer): Buffer {
  let m = encoded.get(obj);
  if (!m) encoded.set(obj, (m = new Map()));
  let b = m.get(key);
  if (!b) m.set(key, (b = encode()));
  return b;
}

/** A watcher that falls this far behind is cut off (kube closes unresponsive watchers too). */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

function defaultTimeoutSeconds(): number {
  // kube-apiserver: a random duration between the minimum request timeout (30 min) and twice that
  return 1800 + Math.floor(Math.random() * 1800);
}

/** Where the events of one watch go: a chunked HTTP response or a WebSocket. */
interface WatchSink {
  write(event: Buffer): void;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  end(): void;
  onClose(f: () => void): void;
}

function httpSink(req: FastifyRequest, reply: FastifyReply, ctx: RequestContext, output: Output): WatchSink {
  const res = reply.raw;
  reply.hijack();
  const headers: Record<string, string | string[]> = {
    'Content-Type': output.format === 'protobuf' ? 'application/vnd.kubernetes.protobuf;stream=watch' : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  };
  if (ctx.warnings.length) headers['Warning'] = warningHeaders(ctx.warnings);
  res.writeHead(200, headers);
  if (typeof res.flushHeaders === 'function') res.flushHeaders();
  return {
    write: (b) => res.write(b),
    buffered: () => res.writableLength,
    end: () => {
      if (!res.writableEnded) res.end();
    },
    onClose: (f) => {
      // a client that left while the watch was set up (its list, its history) closed before anyone
      // listened: without this its watcher would stay until the timeout, 30-60 min later
      if (req.raw.destroyed || res.destroyed || !res.socket || res.socket.destroyed) {
        queueMicrotask(f);
        return;
      }
      req.raw.on('close', f);
      res.on('close', f);
      res.on('error', f);
    },
  };
}

/** kube's websocketFramer: one message per event, text framing for JSON, binary for protobuf. */
function webSocketSink({ ws, close }: AcceptedWebSocket, output: Output): WatchSink {
  const binary = output.format === 'protobuf';
  return {
    // the HTTP stream's length prefix has no place in a message
    write: (b) => ws.send(binary ? b.subarray(4) : b, { binary }),
    buffered: () => ws.bufferedAmount,
    end: close,
    onClose: (f) => {
      ws.on('close', f);
      ws.on('error', f);
    },
  };
}

export async function serveWatch(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext,
  type: ResourceType, opts: ListRequestOptions, output: Output): Promise<void> {
  const pending: (Buffer | 'end')[] = [];
  let sink: WatchSink | undefined;
  let finished = false;
  let watch: ObjectWatch | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;

  // JSON: one event per line; protobuf: length-prefixed frames
  const line = (type_: string, object: unknown): Buffer => output.format === 'protobuf'
    ? encodeWatchEvent(type_, object as Record<string, unknown>)
    : serialize({ type: type_, object }, output.format === 'yaml' ? 'json' : output.format, false);
  const emit = (text: Buffer) => {
    if (finished) return;
    if (!sink) {
      pending.push(text);
      return;
    }
    sink.write(text);
    if (sink.buffered() > MAX_BUFFERED_BYTES) finish();
  };
  const bookmark = (rev: number, annotations?: Record<string, string>): KubeObject => ({
    kind: type.kind,
    apiVersion: apiVersionOfType(type),
    metadata: { resourceVersion: String(rev), ...(annotations ? { annotations } : {}) },
  });
  let stopFollowing: (() => void) | undefined;
  let tableHeadersSent = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    stopFollowing?.();
    clearTimeout(timeoutTimer);
    clearTimeout(bookmarkTimer);
    watch?.stop();
    deps.shutdown.removeEventListener('abort', finish);
    sink?.end();
  };

  watch = await deps.registry.watch(ctx, type, opts, {
    onEvents: (events: ObjectEvent[]) => {
      const now = new Date();
      for (const e of events) {
        // conversions (Table...) differ per request; plain objects are shared and cached
        if (output.as) {
          const converted = convertObject(type, e.object, output, opts.includeObject, now) as { columnDefinitions?: unknown };
          // a watch of Tables sends the columns with its first event only (kube's NoHeaders after it)
          if (output.as === 'Table') {
            if (tableHeadersSent) converted.columnDefinitions = null;
            tableHeadersSent = true;
          }
          emit(line(e.type, converted));
        }
        else emit(cachedLine(e.object, `${e.type}/${output.format}`, () => line(e.type, e.object)));
      }
    },
    onError: (err: StatusError) => {
      emit(line('ERROR', err.status));
      if (sink) finish();
      else pending.push('end');
    },
    onProgress: (rev) => {
      if (opts.allowWatchBookmarks) emit(line('BOOKMARK', bookmark(rev)));
    },
    onInitialEventsEnd: (rev) => {
      if (opts.allowWatchBookmarks || opts.sendInitialEvents) {
        emit(line('BOOKMARK', bookmark(rev, { 'k8s.io/initial-events-end': 'true' })));
      }
    },
  });

  // a custom resource's watch ends when its CRD is gone or serves something else (kube tears
  // down the storage of a changed CRD, which ends its watches)
  const cr = type.customResource;
  if (cr) {
    stopFollowing = deps.catalog.onClusterChange(ctx.cluster, () => {
      const now = deps.catalog.forCluster(ctx.cluster).find(type.group, type.version, type.resource);
      if (now?.customResource?.identity !== cr.identity) finish();
    });
  }

  // the watcher runs: from here on the answer is the stream (kube upgrades only now, too)
  if (isWebSocketRequest(req.headers) && isUpgrade(req.raw)) {
    reply.hijack();
    const accepted = await acceptWebSocket(req.raw);
    if (!accepted) {
      finish();
      return;
    }
    sink = webSocketSink(accepted, output);
    // kube's wsstream.IgnoreReceives: what the client sends is read and dropped
    accepted.ws.on('message', () => {});
  } else {
    sink = httpSink(req, reply, ctx, output);
  }
  sink.onClose(finish);
  for (const text of pending.splice(0)) {
    if (text === 'end') {
      finish();
      return;
    }
    sink.write(text);
  }

  const timeoutMs = (opts.timeoutSeconds && opts.timeoutSeconds > 0 ? opts.timeoutSeconds : defaultTimeoutSeconds()) * 1000;
  timeoutTimer = setTimeout(finish, timeoutMs);
  if (opts.allowWatchBookmarks) {
    // Bookmarks every interval, and one shortly before the timeout so clients can resume cheaply.
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      watch?.requestProgress();
      const next = Math.min(deps.bookmarkIntervalMs, deadline - 2000 - Date.now());
      if (next > 0) bookmarkTimer = setTimeout(tick, next);
    };
    // a watch that ends within 2 s gets no bookmark at all (kube's pre-timeout bookmark would be late)
    const first = Math.min(deps.bookmarkIntervalMs, timeoutMs - 2000);
    if (first > 0) bookmarkTimer = setTimeout(tick, first);
  }
  deps.shutdown.addEventListener('abort', finish);
}
