// The embedded Store: multi-version objects in LevelDB (row layout in ./encoding.ts).
// Reads at any revision not yet compacted; writes are serialised by a group-committing writer
// (./writer.ts); watch fan-out and the in-memory history live in ../watch-hub.ts; compaction in
// ./compactor.ts.

import type { AbstractSnapshot } from 'abstract-level';
import { Level } from 'level';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  RevisionCompacted, type Indexer, type KV, type ListOptions, type ListPage, type Store, type StorageEvent,
  type TxnOp, type TxnOpResult, type Watch, type WatchSink,
} from '../interface.js';
import { resourceOfKey } from '../keys.js';
import { WatchHub } from '../watch-hub.js';
import { compact } from './compactor.js';
import { listLive } from './list-live.js';
import {
  DELETED_MARK, FORMAT, META_COMPACTED, META_FORMAT, META_RESOURCE_PREFIX, META_REVISION, SEP, SEP_END, decodeLatest, decodeValue, latestRow, eventRangeEnd, eventRangeStart, indexRangeEnd,
  indexRangeStart, parseEventRow, parseVersionRow, versionRow, versionScanEnd, versionScanStart, versionSeek, versionsEnd,
} from './encoding.js';
import { Writer } from './writer.js';

/** Rows a list scans before it judges whether the live keys are the cheaper way on. */
const SWITCH_AFTER_ROWS = 64;

export interface LevelStoreOptions {
  /** Directory of the LevelDB database. */
  path: string;
  /** fsync every commit group: survives power loss, not only process death. */
  sync?: boolean;
  /** Events kept in memory for watch resumption before falling back to the on-disk log. */
  watchCacheSize?: number;
  indexers?: Record<string, Indexer>;
  /** LevelDB block cache in bytes. */
  cacheSize?: number;
}

export type DB = Level<string, string>;

/**
 * A stored row as a KV. The object is parsed on first use: a list answered from the raw JSON, or
 * filtered by key, never parses it. The resourceVersion is not stored; it is the row's revision.
 */
class StoredKV implements KV {
  private parsed: KubeObject | undefined;

  constructor(
    readonly key: string,
    readonly modRevision: number,
    readonly createRevision: number,
    readonly raw: string,
    readonly index?: Readonly<Record<string, string[]>>,
  ) {}

  get value(): KubeObject {
    if (!this.parsed) {
      const v = JSON.parse(this.raw) as KubeObject;
      (v.metadata ??= {}).resourceVersion = String(this.modRevision);
      this.parsed = v;
    }
    return this.parsed;
  }
}

export function toKV(key: string, modRevision: number, createRevision: number, json: string, index?: Record<string, string[]>): KV {
  return new StoredKV(key, modRevision, createRevision, json, index);
}

/** Brings a store written by an older kplane to the current row layout (before serving). */
async function migrate(db: DB): Promise<void> {
  if ((await db.get(META_FORMAT)) === FORMAT) return;
  // format 1 had no l\0 rows: the newest version row of every key tells its current revision
  let batch: { type: 'put'; key: string; value: string }[] = [];
  let last: string | undefined;
  for await (const [row, val] of db.iterator({ gte: `k${SEP}`, lt: `k${SEP_END}` })) {
    const { key, rev } = parseVersionRow(row);
    if (key === last) continue;
    last = key;
    if (val !== DELETED_MARK) batch.push({ type: 'put', key: latestRow(key), value: String(rev) });
    if (batch.length >= 1000) {
      await db.batch(batch);
      batch = [];
    }
  }
  batch.push({ type: 'put', key: META_FORMAT, value: FORMAT });
  await db.batch(batch);
}

export class LevelStore implements Store {
  private readonly hub: WatchHub;
  private readonly writer: Writer;
  private compacted = 0;
  private readonly resources: Set<string>;
  private readonly revisionWaiters = new Set<{ rev: number; resolve: (ok: boolean) => void }>();
  private closed = false;

  private constructor(
    private readonly db: DB,
    revision: number,
    compacted: number,
    resources: Set<string>,
    opts: LevelStoreOptions,
  ) {
    this.compacted = compacted;
    this.resources = resources;
    this.hub = new WatchHub(
      opts.watchCacheSize ?? 4096,
      (prefix, after) => this.readHistory(prefix, after),
      () => this.writer.revision,
    );
    this.writer = new Writer(db, revision, {
      sync: opts.sync ?? false,
      indexers: opts.indexers ?? {},
      readLatest: (keys) => this.getLatest(keys),
      knownResources: this.resources,
      onCommit: (events) => this.onCommit(events),
    });
  }

  static async open(opts: LevelStoreOptions): Promise<LevelStore> {
    const db: DB = new Level<string, string>(opts.path, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
      ...(opts.cacheSize ? { cacheSize: opts.cacheSize } : {}),
    });
    await db.open();
    await migrate(db);
    const [rev, comp] = await db.getMany([META_REVISION, META_COMPACTED]);
    const resources = new Set<string>();
    for await (const k of db.keys({ gte: META_RESOURCE_PREFIX, lt: `${META_RESOURCE_PREFIX}\uffff` })) {
      resources.add(k.slice(META_RESOURCE_PREFIX.length));
    }
    return new LevelStore(db, rev ? Number(rev) : 0, comp ? Number(comp) : 0, resources, opts);
  }

  currentRevision(): number {
    return this.writer.revision;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  watcherCount(): number {
    return this.hub.watcherCount();
  }

  /** Sizes of what the store holds in memory (diagnostics). */
  stats(): Record<string, number> {
    return { ...this.hub.stats(), writerQueue: this.writer.queued(), revisionWaiters: this.revisionWaiters.size, revision: this.writer.revision, compacted: this.compacted };
  }

  resourcePrefixes(): string[] {
    return [...this.resources];
  }

  private checkRevision(rev: number): void {
    if (rev < this.compacted) throw new RevisionCompacted(rev, this.compacted);
  }

  async get(key: string, opts?: { revision?: number }): Promise<KV | undefined> {
    const rev = opts?.revision || this.writer.revision;
    this.checkRevision(rev);
    if (!opts?.revision) {
      // the current version: two point lookups instead of an iterator seek
      const latest = await this.db.get(latestRow(key));
      if (latest === undefined) return undefined;
      const { rev: modRev, index } = decodeLatest(latest);
      // a batch that landed but is not yet acknowledged is not visible: read at the revision instead
      if (modRev <= this.writer.revision) {
        const val = await this.db.get(versionRow(key, modRev));
        const dv = val === undefined ? undefined : decodeValue(val);
        if (dv) return toKV(key, modRev, dv.createRev, dv.json, index);
      }
    }
    const rows = await this.db.iterator({ gte: versionSeek(key, rev), lt: versionsEnd(key), limit: 1 }).all();
    if (rows.length === 0) return undefined;
    const [row, val] = rows[0]!;
    const dv = decodeValue(val);
    if (!dv) return undefined;
    return toKV(key, parseVersionRow(row).rev, dv.createRev, dv.json);
  }

  /** The current versions of keys, two reads for all of them (the writer's preconditions). */
  private async getLatest(keys: string[]): Promise<(KV | undefined)[]> {
    const snapshot = this.db.snapshot();
    try {
      const latest = (await this.db.getMany(keys.map(latestRow), { snapshot })).map((v) => (v === undefined ? undefined : decodeLatest(v)));
      const present = keys.flatMap((k, i) => (latest[i] ? [i] : []));
      const values = await this.db.getMany(present.map((i) => versionRow(keys[i]!, latest[i]!.rev)), { snapshot });
      const out: (KV | undefined)[] = keys.map(() => undefined);
      present.forEach((i, j) => {
        const dv = values[j] === undefined ? undefined : decodeValue(values[j]!);
        if (dv) out[i] = toKV(keys[i]!, latest[i]!.rev, dv.createRev, dv.json, latest[i]!.index);
      });
      return out;
    } finally {
      await snapshot.close();
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
    const rev = opts.revision || this.writer.revision;
    this.checkRevision(rev);
    const snapshot = this.db.snapshot();
    try {
      return await this.scanVersions(prefix, rev, opts, snapshot);
    } finally {
      await snapshot.close();
    }
  }

  /**
   * A list from the version rows. With a snapshot it is adaptive: once most rows visited were dead
   * (superseded versions, deleted objects the history window still keeps), the rest of the list
   * comes from the live keys (./list-live.ts), so churn does not make a list slower; where nearly
   * every row is live, the scan is the cheaper of the two and goes on.
   */
  private async scanVersions(prefix: string, rev: number, opts: ListOptions, snapshot?: AbstractSnapshot): Promise<ListPage> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const filter = opts.filter;
    const countRemaining = !!opts.countRemaining && !filter;
    const items: KV[] = [];
    let more = false;
    let remaining = 0;
    let lastKey: string | undefined;
    let current: string | undefined; // key whose versions we are inside
    let decided = false; // the version visible at rev for `current` has been handled
    let adaptive = !!snapshot;
    let visited = 0;
    let dead = 0;
    let rest: ListPage | undefined; // the list's remainder from the live keys
    const it = this.db.iterator({ gte: versionScanStart(prefix, opts.startAfter), lt: versionScanEnd(prefix), ...(snapshot ? { snapshot } : {}) });
    try {
      scan: for (;;) {
        // hand over between keys, while the page still takes items, when dead rows dominate
        if (adaptive && decided && current !== undefined && items.length < limit && visited >= SWITCH_AFTER_ROWS && dead * 2 > visited) {
          rest = await listLive(this.db, snapshot!, prefix, rev, { ...opts, startAfter: current, limit: limit === Infinity ? 0 : limit - items.length }, toKV);
          if (rest) break;
          adaptive = false; // too much changed after rev: the scan it is
        }
        const batch = await it.nextv(items.length >= limit ? 256 : visited < SWITCH_AFTER_ROWS ? SWITCH_AFTER_ROWS : 1024);
        if (batch.length === 0) break;
        visited += batch.length;
        for (const [row, val] of batch) {
          const { key, rev: r } = parseVersionRow(row);
          if (key !== current) {
            current = key;
            decided = false;
          }
          if (decided || r > rev) {
            dead++;
            continue;
          }
          decided = true;
          const dv = decodeValue(val);
          if (!dv) {
            dead++;
            continue; // deleted as of rev
          }
          if (items.length >= limit) {
            more = true;
            if (!countRemaining) break scan;
            remaining++;
            continue;
          }
          const kv = toKV(key, r, dv.createRev, dv.json);
          if (filter && !filter(kv)) continue;
          items.push(kv);
          lastKey = key;
        }
      }
    } finally {
      await it.close();
    }
    // A page read at an old revision is only valid if compaction did not overtake the scan.
    this.checkRevision(rev);
    if (rest) return { ...rest, items: items.concat(rest.items), ...(rest.more && rest.lastKey === undefined ? { lastKey } : {}) };
    const page: ListPage = { items, revision: rev, more };
    if (more) {
      page.lastKey = lastKey;
      if (countRemaining) page.remaining = remaining;
    }
    return page;
  }

  txn(ops: TxnOp[]): Promise<TxnOpResult[]> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return this.writer.submit(ops);
  }

  watch(prefix: string | string[], fromRevision: number, sink: WatchSink): Watch {
    // History still held in memory serves even revisions compaction removed from disk (kube's watch
    // cache works the same way); beyond it, the replay from disk reports RevisionCompacted.
    return this.hub.watch(typeof prefix === 'string' ? [prefix] : prefix, fromRevision, this.writer.revision, sink);
  }

  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.writer.revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        rev: revision,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          this.revisionWaiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.resolve(false), timeoutMs);
      this.revisionWaiters.add(w);
    });
  }

  private onCommit(events: StorageEvent[]): void {
    this.hub.publish(events);
    for (const w of this.revisionWaiters) if (this.writer.revision >= w.rev) w.resolve(true);
  }

  async indexLookup(name: string, value: string): Promise<string[]> {
    const start = indexRangeStart(name, value);
    const keys = await this.db.keys({ gte: start, lt: indexRangeEnd(name, value) }).all();
    return keys.map((k) => k.slice(start.length));
  }

  async indexScan(name: string, upTo: string, limit: number): Promise<{ value: string; key: string }[]> {
    const start = indexRangeStart(name, '').slice(0, -1); // "x\0<name>\0"
    const rows = await this.db.keys({ gte: start, lt: indexRangeEnd(name, upTo), limit }).all();
    return rows.map((row) => {
      const rest = row.slice(start.length);
      const cut = rest.indexOf(SEP);
      return { value: rest.slice(0, cut), key: rest.slice(cut + 1) };
    });
  }

  /** Events after afterRev for keys under prefix, from the on-disk log. */
  private async readHistory(prefix: string, afterRev: number): Promise<StorageEvent[]> {
    this.checkRevision(afterRev);
    if (prefix === '') {
      const all = await Promise.all(this.resourcePrefixes().map((r) => this.readHistory(`${r}/`, afterRev)));
      return all.flat().sort((a, b) => a.kv.modRevision - b.kv.modRevision);
    }
    const resource = resourceOfKey(prefix);
    const rows = await this.db.iterator({ gte: eventRangeStart(resource, afterRev), lt: eventRangeEnd(resource) }).all();
    const out: StorageEvent[] = [];
    for (const [row, val] of rows) {
      const key = val.slice(1);
      if (!key.startsWith(prefix)) continue;
      const rev = parseEventRow(row);
      const prev = val[0] === 'A' ? undefined : await this.get(key, { revision: rev - 1 });
      if (val[0] === 'D') {
        if (!prev) continue;
        const value = { ...prev.value, metadata: { ...prev.value.metadata, resourceVersion: String(rev) } };
        out.push({ type: 'DELETED', kv: { key, value, modRevision: rev, createRevision: prev.createRevision }, prev });
        continue;
      }
      const raw = await this.db.get(versionRow(key, rev));
      const dv = raw === undefined ? undefined : decodeValue(raw);
      if (!dv) continue;
      const kv = toKV(key, rev, dv.createRev, dv.json);
      out.push(prev ? { type: 'MODIFIED', kv, prev } : { type: 'ADDED', kv });
    }
    this.checkRevision(afterRev);
    return out;
  }

  async compact(revision: number): Promise<void> {
    const target = Math.min(revision, this.writer.revision);
    if (target <= this.compacted) return;
    // Readers at older revisions are refused from now on; then the rows they would need go.
    this.compacted = target;
    await compact(this.db, [...this.resources], target);
  }

  /** Asks LevelDB to merge its files now (reclaims space of compacted history and deleted keys). */
  async compactFiles(): Promise<void> {
    // `level` is classic-level in Node; its typings just do not list compactRange
    await (this.db as unknown as { compactRange(a: string, b: string): Promise<void> }).compactRange('\u0000', '\uffff');
  }

  /** LevelDB's own estimate of its memtables and block cache, in bytes (diagnostics). */
  nativeMemory(): number {
    return Number((this.db as unknown as { getProperty(p: string): string }).getProperty('leveldb.approximate-memory-usage'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.drain();
    this.hub.closeAll(new Error('store is closing'));
    for (const w of this.revisionWaiters) w.resolve(false);
    await this.db.close();
  }
}

export { SEP };
