// Fan-out of committed events to watchers, plus a bounded in-memory history (the "watch cache"
// window) so that most watch resumptions never touch disk. Backend independent.
//
// Watchers are indexed by resource and logical cluster, so an event reaches only the watchers of
// its own resource and cluster (plus cross-cluster watchers): thousands of tenants with a watch
// each cost one map lookup per event, not a scan.

import { clusterOfKey, resourceOfKey } from './keys.js';
import type { StorageEvent, Watch, WatchSink } from './interface.js';

interface Entry {
  prefixes: string[];
  /** Revision of the last event offered: an event matching two prefixes is delivered once. */
  lastRev: number;
  sink: WatchSink;
  /** Events that arrived while the history replay was running. */
  pending: StorageEvent[] | undefined;
  /** A progress notification was asked for during the replay. */
  progressWanted: boolean;
  stopped: boolean;
}

interface ResourceWatchers {
  byCluster: Map<string, Set<Entry>>;
  anyCluster: Set<Entry>;
}

/** Loads events with revision > afterRev for keys under prefix from durable history. */
export type HistoryReader = (prefix: string, afterRev: number) => Promise<StorageEvent[]>;

function matches(e: Entry, key: string): boolean {
  for (const p of e.prefixes) if (key.startsWith(p)) return true;
  return false;
}

/**
 * The window is also bounded in bytes (of the events' stored JSON, object and previous object):
 * 4,096 events of Cluster API-sized CRDs would otherwise hold a gigabyte. Older resumptions read
 * the durable log instead, as they do past the event count.
 */
export const WATCH_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** What an event without its stored text is counted as. */
const UNKNOWN_EVENT_BYTES = 1024;

function eventBytes(ev: StorageEvent): number {
  return (ev.kv.raw?.length ?? UNKNOWN_EVENT_BYTES) + (ev.prev ? ev.prev.raw?.length ?? UNKNOWN_EVENT_BYTES : 0);
}

export class WatchHub {
  private readonly ring: (StorageEvent | undefined)[];
  private readonly ringBytes: number[];
  private head = 0; // next write position
  private size = 0;
  private bytes = 0;
  private readonly watchers = new Map<string, ResourceWatchers>();
  /** Watchers of every key (prefix ''): controllers such as the garbage collector. */
  private readonly everything = new Set<Entry>();
  private count = 0;
  /** Watch starts whose history came from memory / from the durable log (diagnostics). */
  private replays = { memory: 0, disk: 0 };

  constructor(
    capacity: number,
    private readonly readHistory: HistoryReader,
    private readonly currentRevision: () => number,
    private readonly maxBytes = WATCH_CACHE_MAX_BYTES,
  ) {
    this.ring = new Array(Math.max(1, capacity));
    this.ringBytes = new Array(this.ring.length).fill(0);
  }

  /** Number of active watchers (metrics). */
  watcherCount(): number {
    return this.count;
  }

  /** Sizes of what the hub holds (diagnostics: the soak checks these stay bounded). */
  stats(): {
    watchers: number; watchedResources: number; watchedClusters: number; historyEvents: number; historyBytes: number;
    replaysFromMemory: number; replaysFromDisk: number;
  } {
    let clusters = 0;
    for (const rw of this.watchers.values()) clusters += rw.byCluster.size;
    return {
      watchers: this.count, watchedResources: this.watchers.size, watchedClusters: clusters, historyEvents: this.size, historyBytes: this.bytes,
      replaysFromMemory: this.replays.memory, replaysFromDisk: this.replays.disk,
    };
  }

  /** Delivers committed events, in revision order. */
  publish(events: StorageEvent[]): void {
    const batches = new Map<Entry, StorageEvent[]>();
    for (const ev of events) {
      this.remember(ev);
      for (const e of this.everything) this.offer(e, ev, batches);
      const rw = this.watchers.get(resourceOfKey(ev.kv.key));
      if (!rw) continue;
      const cluster = clusterOfKey(ev.kv.key);
      const scoped = cluster === undefined ? undefined : rw.byCluster.get(cluster);
      if (scoped) for (const e of scoped) this.offer(e, ev, batches);
      for (const e of rw.anyCluster) this.offer(e, ev, batches);
    }
    for (const [e, evs] of batches) {
      if (!e.stopped) e.sink.onEvents(evs);
    }
  }

  private offer(e: Entry, ev: StorageEvent, batches: Map<Entry, StorageEvent[]>): void {
    if (e.stopped || e.lastRev === ev.kv.modRevision || !matches(e, ev.kv.key)) return;
    e.lastRev = ev.kv.modRevision;
    if (e.pending) {
      e.pending.push(ev);
      return;
    }
    let b = batches.get(e);
    if (!b) batches.set(e, (b = []));
    b.push(ev);
  }

  private remember(ev: StorageEvent): void {
    if (this.size === this.ring.length) this.forgetOldest();
    const n = eventBytes(ev);
    this.ring[this.head] = ev;
    this.ringBytes[this.head] = n;
    this.bytes += n;
    this.head = (this.head + 1) % this.ring.length;
    this.size++;
    // over the byte bound: the oldest go (the newest always stays)
    while (this.bytes > this.maxBytes && this.size > 1) this.forgetOldest();
  }

  private forgetOldest(): void {
    const start = (this.head - this.size + this.ring.length) % this.ring.length;
    this.bytes -= this.ringBytes[start]!;
    this.ring[start] = undefined;
    this.ringBytes[start] = 0;
    this.size--;
  }

  /** Events after `afterRev` from memory, or undefined when the window does not reach back that far. */
  private fromMemory(prefixes: string[], afterRev: number, currentRev: number): StorageEvent[] | undefined {
    if (afterRev >= currentRev) return [];
    if (this.size === 0) return undefined;
    const start = (this.head - this.size + this.ring.length) % this.ring.length;
    const oldest = this.ring[start]!;
    if (oldest.kv.modRevision > afterRev + 1) return undefined;
    // the ring is in revision order: the first event after afterRev by binary search, so that a
    // watch from a recent revision (an informer's list) does not walk the whole window
    const at = (i: number) => this.ring[(start + i) % this.ring.length]!;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at(mid).kv.modRevision > afterRev) hi = mid;
      else lo = mid + 1;
    }
    const out: StorageEvent[] = [];
    for (let i = lo; i < this.size; i++) {
      const ev = at(i);
      if (prefixes.some((p) => ev.kv.key.startsWith(p))) out.push(ev);
    }
    return out;
  }

  /**
   * Registers a watcher for keys under any of the prefixes that sees every event after fromRevision.
   * Live events that arrive during the replay of history are held back and delivered after it.
   */
  watch(prefixes: string[], fromRevision: number, currentRev: number, sink: WatchSink): Watch {
    // Hold live events back until the history is delivered, even when it comes from memory:
    // the caller is not ready for events before watch() returns.
    const entry: Entry = { prefixes, lastRev: 0, sink, pending: [], progressWanted: false, stopped: false };
    const mem = this.fromMemory(prefixes, fromRevision, currentRev);
    this.add(entry);
    this.replays[mem ? 'memory' : 'disk']++;
    const history = mem ? Promise.resolve(mem) : this.readAll(prefixes, fromRevision);
    history.then(
      (hist) => {
        if (entry.stopped) return;
        const last = hist.length ? hist[hist.length - 1]!.kv.modRevision : fromRevision;
        const held = entry.pending!.filter((ev) => ev.kv.modRevision > last);
        entry.pending = undefined;
        const all = hist.length ? hist.concat(held) : held;
        if (all.length) sink.onEvents(all);
        if (entry.progressWanted) this.progress(entry);
      },
      (err: unknown) => {
        if (entry.stopped) return;
        this.remove(entry);
        sink.onError(err instanceof Error ? err : new Error(String(err)));
      },
    );
    return {
      stop: () => this.remove(entry),
      requestProgress: () => {
        if (entry.pending) entry.progressWanted = true;
        else this.progress(entry);
      },
    };
  }

  /** Events are delivered synchronously at commit, so a live watcher is always up to date. */
  private progress(e: Entry): void {
    e.progressWanted = false;
    if (!e.stopped) e.sink.onProgress?.(this.currentRevision());
  }

  private async readAll(prefixes: string[], afterRev: number): Promise<StorageEvent[]> {
    if (prefixes.length === 1) return this.readHistory(prefixes[0]!, afterRev);
    const parts = await Promise.all(prefixes.map((p) => this.readHistory(p, afterRev)));
    const seen = new Set<number>();
    return parts.flat().sort((a, b) => a.kv.modRevision - b.kv.modRevision).filter((ev) => {
      if (seen.has(ev.kv.modRevision)) return false;
      seen.add(ev.kv.modRevision);
      return true;
    });
  }

  private add(e: Entry): void {
    for (const prefix of e.prefixes) {
      if (prefix === '') {
        this.everything.add(e);
        continue;
      }
      const res = resourceOfKey(prefix);
      let rw = this.watchers.get(res);
      if (!rw) this.watchers.set(res, (rw = { byCluster: new Map(), anyCluster: new Set() }));
      const cluster = clusterOfKey(prefix);
      if (cluster === undefined) rw.anyCluster.add(e);
      else {
        let set = rw.byCluster.get(cluster);
        if (!set) rw.byCluster.set(cluster, (set = new Set()));
        set.add(e);
      }
    }
    this.count++;
  }

  private remove(e: Entry): void {
    if (e.stopped) return;
    e.stopped = true;
    this.count--;
    for (const prefix of e.prefixes) {
      if (prefix === '') {
        this.everything.delete(e);
        continue;
      }
      const res = resourceOfKey(prefix);
      const rw = this.watchers.get(res);
      if (!rw) continue;
      const cluster = clusterOfKey(prefix);
      if (cluster === undefined) rw.anyCluster.delete(e);
      else {
        const set = rw.byCluster.get(cluster);
        set?.delete(e);
        if (set && set.size === 0) rw.byCluster.delete(cluster);
      }
      if (rw.anyCluster.size === 0 && rw.byCluster.size === 0) this.watchers.delete(res);
    }
  }

  /** Ends every watcher (store shutdown). */
  closeAll(err: Error): void {
    for (const e of [...this.everything]) {
      this.remove(e);
      e.sink.onError(err);
    }
    for (const rw of [...this.watchers.values()]) {
      const entries = new Set([...rw.anyCluster, ...[...rw.byCluster.values()].flatMap((s) => [...s])]);
      for (const e of entries) {
        if (e.stopped) continue;
        this.remove(e);
        e.sink.onError(err);
      }
    }
  }
}
