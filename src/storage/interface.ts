// The storage contract: a multi-version key/value store of JSON objects with one monotonically
// increasing revision per store. The revision of an object's last write is its resourceVersion.
// The embedded implementation is LevelDB (./leveldb); an etcd backend can implement the same
// contract later. Keys are opaque strings here; src/storage/keys.ts gives them their structure.

import type { KubeObject } from '../apimachinery/object.js';

export interface KV {
  key: string;
  /** The object with metadata.resourceVersion set to modRevision. Shared: never mutate. */
  readonly value: KubeObject;
  /**
   * The stored JSON text when the backend has it (resourceVersion present but empty): lets large
   * lists be answered without parsing and re-serialising every object.
   */
  readonly raw?: string;
  /**
   * The secondary-index values recorded when this version was written (backend-internal): lets a
   * write remove exactly the old entries even for indexes that depend on time.
   */
  readonly index?: Readonly<Record<string, string[]>>;
  /** Revision of the write that produced this value. */
  modRevision: number;
  /** Revision at which the key was (last) created. */
  createRevision: number;
}

export interface ListOptions {
  /** Read at this revision (0 or undefined: the current revision). Older than the compacted revision: Expired. */
  revision?: number;
  /** Only keys strictly greater than this key (a continue token's position). */
  startAfter?: string;
  /** At most this many matching items; 0 or undefined: all. */
  limit?: number;
  /** Predicate applied before counting against limit. */
  filter?: (kv: KV) => boolean;
  /** Count the live keys after the page (kube's remainingItemCount). Ignored with a filter. */
  countRemaining?: boolean;
}

export interface ListPage {
  items: KV[];
  /** The revision the page was read at. */
  revision: number;
  /** More keys exist after `lastKey`. */
  more: boolean;
  /** Key of the last item examined (the continue position) when more is true. */
  lastKey?: string;
  remaining?: number;
}

/** Precondition of one write in a transaction. */
export type Expect = { revision: number } | 'absent' | 'exists';

export type TxnOp =
  | { type: 'put'; key: string; value: KubeObject; expect?: Expect }
  | { type: 'delete'; key: string; expect?: Expect };

export interface TxnOpResult {
  /** The written value (for a delete: the deleted value, resourceVersion = the delete's revision). */
  kv: KV;
  prev?: KV;
}

/** A transaction's precondition failed; nothing was written. */
export class PreconditionFailed extends Error {
  constructor(
    readonly index: number,
    readonly key: string,
    readonly reason: 'exists' | 'notFound' | 'revision',
    readonly current?: KV,
  ) {
    super(`precondition failed on ${key}: ${reason}`);
    this.name = 'PreconditionFailed';
  }
}

/** A read or watch asked for a revision that compaction has removed. */
export class RevisionCompacted extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`revision ${requested} has been compacted (oldest available ${compacted + 1})`);
    this.name = 'RevisionCompacted';
  }
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: EventType;
  /** For DELETED: the last value, with modRevision = the delete's revision. */
  kv: KV;
  prev?: KV;
}

export interface WatchSink {
  /** Called in revision order, synchronously from the commit path: do not block. */
  onEvents(events: StorageEvent[]): void;
  /** The watch ended from the store's side (compaction overtook a replay, store closing...). */
  onError(err: Error): void;
  /** Answer to requestProgress(): every event up to this revision has been delivered. */
  onProgress?(revision: number): void;
}

export interface Watch {
  stop(): void;
  /** Asks for an onProgress() call, ordered after every event delivered so far (for bookmarks). */
  requestProgress(): void;
}

export interface Store {
  /** Revision of the last committed write. */
  currentRevision(): number;
  compactedRevision(): number;
  get(key: string, opts?: { revision?: number }): Promise<KV | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListPage>;
  /** Applies all ops atomically, one revision per op, or none when a precondition fails. */
  txn(ops: TxnOp[]): Promise<TxnOpResult[]>;
  /** Events for keys starting with any of the prefixes with revision > fromRevision, then live events. */
  watch(prefix: string | string[], fromRevision: number, sink: WatchSink): Watch;
  /** Resolves once currentRevision() >= revision, or false after timeoutMs. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean>;
  /** Keys whose indexer produced `value` for index `name`. */
  indexLookup(name: string, value: string): Promise<string[]>;
  /** Index entries of `name` with values up to `upTo` (inclusive), in value order; at most `limit`. */
  indexScan(name: string, upTo: string, limit: number): Promise<{ value: string; key: string }[]>;
  /** Resource prefixes ("group/resource") that have ever held a key. */
  resourcePrefixes(): string[];
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** Secondary index: values under which a key can be found, computed from the stored object. */
export type Indexer = (key: string, value: KubeObject) => string[];
