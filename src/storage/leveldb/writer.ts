// The single writer. Transactions queue up; while one batch is being written, the next ones
// gather, and then go to LevelDB together in one atomic batch (group commit). Each op gets its own
// revision; preconditions are checked against the latest state including earlier ops of the group.
// A batch is only acknowledged (and its events published) after LevelDB accepted it, so an
// acknowledged write survives the death of the process (and power loss with sync).

import type { AbstractBatchOperation } from 'abstract-level';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  PreconditionFailed, type Indexer, type KV, type StorageEvent, type TxnOp, type TxnOpResult,
} from '../interface.js';
import { resourceOfKey } from '../keys.js';
import { DELETED_MARK, META_RESOURCE_PREFIX, META_REVISION, encodeLatest, encodeValue, eventRow, indexRow, latestRow, versionRow } from './encoding.js';
import type { DB } from './store.js';

interface Pending {
  ops: TxnOp[];
  resolve: (r: TxnOpResult[]) => void;
  reject: (e: unknown) => void;
}

export interface WriterOptions {
  sync: boolean;
  indexers: Record<string, Indexer>;
  /** The current versions of keys (undefined: absent), in one read. */
  readLatest: (keys: string[]) => Promise<(KV | undefined)[]>;
  knownResources: Set<string>;
  onCommit: (events: StorageEvent[]) => void;
}

type Row = AbstractBatchOperation<DB, string, string>;

const MAX_GROUP = 512;

export class Writer {
  revision: number;
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly db: DB, revision: number, private readonly opts: WriterOptions) {
    this.revision = revision;
  }

  submit(ops: TxnOp[]): Promise<TxnOpResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      // A transaction may have arrived after the loop saw an empty queue.
      if (this.queue.length) this.kick();
    });
  }

  /** Transactions waiting for the next group (diagnostics). */
  queued(): number {
    return this.queue.length;
  }

  /** Resolves when every queued transaction has been written. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    while (this.queue.length) {
      const group = this.queue.splice(0, MAX_GROUP);
      await this.commitGroup(group);
    }
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    const rows: Row[] = [];
    // The current state of every key the group touches, read at once: one read per group rather
    // than one per transaction, each waiting its turn on a busy event loop (under load that made
    // a create queue behind a hundred reads). Only this writer changes the store, so the state
    // stays current while the group is checked; `latest` then also follows the group's own ops.
    const keys = [...new Set(group.flatMap((p) => p.ops.map((op) => op.key)))];
    const latest = new Map<string, KV | undefined>();
    try {
      const found = await this.opts.readLatest(keys);
      keys.forEach((k, i) => latest.set(k, found[i]));
    } catch (e) {
      for (const p of group) p.reject(e);
      return;
    }
    const accepted: { p: Pending; results: TxnOpResult[]; events: StorageEvent[] }[] = [];
    const newResources: string[] = [];
    let rev = this.revision;

    for (const p of group) {
      try {
        const currents = this.checkPreconditions(p.ops, latest);
        const results: TxnOpResult[] = [];
        const events: StorageEvent[] = [];
        p.ops.forEach((op, i) => {
          rev++;
          const prev = currents[i];
          const resource = resourceOfKey(op.key);
          if (!this.opts.knownResources.has(resource) && !newResources.includes(resource)) newResources.push(resource);
          let ev: StorageEvent;
          if (op.type === 'put') {
            const value = op.value;
            const json = JSON.stringify(withoutResourceVersion(value));
            const createRevision = prev ? prev.createRevision : rev;
            rows.push({ type: 'put', key: versionRow(op.key, rev), value: encodeValue(createRevision, json) });
            const index = this.indexRows(rows, op.key, prev, value);
            rows.push({ type: 'put', key: latestRow(op.key), value: encodeLatest(rev, index) });
            rows.push({ type: 'put', key: eventRow(resource, rev), value: (prev ? 'M' : 'A') + op.key });
            (value.metadata ??= {}).resourceVersion = String(rev);
            const kv: KV = { key: op.key, value, modRevision: rev, createRevision, index };
            ev = prev ? { type: 'MODIFIED', kv, prev } : { type: 'ADDED', kv };
            latest.set(op.key, kv);
          } else {
            const old = prev!;
            rows.push({ type: 'put', key: versionRow(op.key, rev), value: DELETED_MARK });
            rows.push({ type: 'del', key: latestRow(op.key) });
            rows.push({ type: 'put', key: eventRow(resource, rev), value: 'D' + op.key });
            const value = { ...old.value, metadata: { ...old.value.metadata, resourceVersion: String(rev) } };
            const kv: KV = { key: op.key, value, modRevision: rev, createRevision: old.createRevision };
            ev = { type: 'DELETED', kv, prev: old };
            this.indexRows(rows, op.key, old, undefined);
            latest.set(op.key, undefined);
          }
          events.push(ev);
          results.push({ kv: ev.kv, ...(prev ? { prev } : {}) });
        });
        accepted.push({ p, results, events });
      } catch (e) {
        p.reject(e);
      }
    }
    if (accepted.length === 0) return;
    for (const r of newResources) rows.push({ type: 'put', key: META_RESOURCE_PREFIX + r, value: '' });
    rows.push({ type: 'put', key: META_REVISION, value: String(rev) });
    try {
      await this.db.batch(rows, { sync: this.opts.sync });
    } catch (e) {
      for (const a of accepted) a.p.reject(e);
      return;
    }
    this.revision = rev;
    for (const r of newResources) this.opts.knownResources.add(r);
    this.opts.onCommit(accepted.flatMap((a) => a.events));
    for (const a of accepted) a.p.resolve(a.results);
  }

  private checkPreconditions(ops: TxnOp[], latest: Map<string, KV | undefined>): (KV | undefined)[] {
    const seen = new Set<string>();
    const currents: (KV | undefined)[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (seen.has(op.key)) throw new Error(`transaction touches ${op.key} twice`);
      seen.add(op.key);
      const cur = latest.get(op.key);
      const expect = op.expect ?? (op.type === 'delete' ? 'exists' : undefined);
      if (op.type === 'delete' && !cur) throw new PreconditionFailed(i, op.key, 'notFound');
      if (expect === 'absent' && cur) throw new PreconditionFailed(i, op.key, 'exists', cur);
      if (expect === 'exists' && !cur) throw new PreconditionFailed(i, op.key, 'notFound');
      if (typeof expect === 'object') {
        if (!cur) throw new PreconditionFailed(i, op.key, 'notFound');
        if (cur.modRevision !== expect.revision) throw new PreconditionFailed(i, op.key, 'revision', cur);
      }
      currents.push(cur);
    }
    return currents;
  }

  /**
   * Index rows of a write: the old entries (as recorded with the previous version, or recomputed)
   * go, the new ones come. Returns the new values, recorded with the new version.
   */
  private indexRows(rows: Row[], key: string, prev: KV | undefined, newValue: KubeObject | undefined): Record<string, string[]> {
    const recorded: Record<string, string[]> = {};
    for (const [name, indexer] of Object.entries(this.opts.indexers)) {
      const before = prev ? (prev.index?.[name] ?? indexer(key, prev.value)) : [];
      const after = newValue ? indexer(key, newValue) : [];
      for (const v of before) if (!after.includes(v)) rows.push({ type: 'del', key: indexRow(name, v, key) });
      for (const v of after) if (!before.includes(v)) rows.push({ type: 'put', key: indexRow(name, v, key), value: '' });
      if (after.length) recorded[name] = after;
    }
    return recorded;
  }
}

/** The stored JSON keeps the resourceVersion field (its place in the key order) but not its value. */
function withoutResourceVersion(value: KubeObject): KubeObject {
  if (!value.metadata || value.metadata.resourceVersion === undefined) return value;
  return { ...value, metadata: { ...value.metadata, resourceVersion: '' } };
}
