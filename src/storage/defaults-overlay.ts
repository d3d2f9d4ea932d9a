// Shared defaults for every logical cluster, stored once.
//
// A new logical cluster must look like a fresh kube cluster (namespaces default, kube-system...,
// their `default` ServiceAccounts and kube-root-ca.crt ConfigMaps, the bootstrap RBAC roles), yet
// an idle cluster may cost next to nothing. So these objects are *templates*: stored nowhere per
// cluster, they appear in reads of every cluster that exists, with a uid derived from the cluster
// and the key, and the cluster's birth revision as resourceVersion. Writing one materialises a real
// object (copy-on-write); deleting one stores a small tombstone so the template stays hidden.
// Watchers see ordinary kube events: writes of a template key are translated (virtual -> real is
// MODIFIED, deleting is DELETED), and a cluster's birth shows its templates as ADDED.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../apimachinery/object.js';
import {
  PreconditionFailed, type KV, type ListOptions, type ListPage, type Store, type StorageEvent, type TxnOp,
  type TxnOpResult, type Watch, type WatchSink,
} from './interface.js';
import { clusterOfKey, resourceOfKey } from './keys.js';

export interface Template {
  /** Key relative to "<group>/<resource>/<cluster>/": "<name>" or "<namespace>/<name>". */
  relKey: string;
  /** The object without uid, resourceVersion and creationTimestamp. Shared: never mutated. */
  body: KubeObject;
}

export interface TemplateSet {
  /** Templates of a resource ("group/resource"), sorted by relKey; undefined when it has none. */
  forResource(resource: string): readonly Template[] | undefined;
}

export interface ClusterInfo {
  name: string;
  uid: string;
  birthRevision: number;
  creationTimestamp: string;
  /** Being deleted: readable, but nothing new may be created in it. */
  terminating?: boolean;
}

/** Where logical clusters are recorded. */
export interface ClusterSource {
  /** The cluster as it exists at a revision (default: now). */
  info(cluster: string, revision?: number): Promise<ClusterInfo | undefined>;
  /** All clusters at a revision, in storage key order. */
  all(revision: number): Promise<ClusterInfo[]>;
  /** Key prefix of the cluster records, for one cluster or all. */
  recordPrefix(cluster?: string): string;
  /** Reads a cluster record's KV (a birth event). */
  fromRecord(kv: KV): ClusterInfo;
}

const TOMBSTONE_API_VERSION = 'internal.kplane.io/v1';

/** What the overlay stores for a deleted template object (tests build them too). */
export function tombstone(name: string): KubeObject {
  return { apiVersion: TOMBSTONE_API_VERSION, kind: 'Tombstone', metadata: { name } };
}

/** How a stored tombstone's JSON begins (JSON.stringify keeps the key order above). */
const TOMBSTONE_PREFIX = `{"apiVersion":"${TOMBSTONE_API_VERSION}","kind":"Tombstone"`;

/** A tombstone KV, judged from its raw text when there is one (no parse of every listed object). */
function isTombstoneKV(kv: KV): boolean {
  if (kv.raw !== undefined) return kv.raw.startsWith(TOMBSTONE_PREFIX);
  return isTombstone(kv.value);
}

export function isTombstone(v: KubeObject): boolean {
  return v.kind === 'Tombstone' && v.apiVersion === TOMBSTONE_API_VERSION;
}

/** A stable, unique uid for a template object in one cluster. */
function templateUid(clusterUid: string, key: string): string {
  const h = createHash('sha1').update(clusterUid).update('\0').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function resourceSegment(key: string): string {
  return resourceOfKey(key) + '/';
}

/** Relative key of a full key: what follows "<group>/<resource>/<cluster>/". */
function relKeyOf(key: string): { cluster: string; rel: string } | undefined {
  const cluster = clusterOfKey(key);
  if (cluster === undefined) return undefined;
  return { cluster, rel: key.slice(resourceSegment(key).length + cluster.length + 1) };
}

export class DefaultsOverlay implements Store {
  private readonly lookupCache = new Map<string, Map<string, Template>>();

  constructor(
    private readonly base: Store,
    private readonly templates: TemplateSet,
    private readonly clusters: ClusterSource,
  ) {}

  private template(key: string): Template | undefined {
    const resource = resourceOfKey(key);
    const ts = this.templates.forResource(resource);
    if (!ts) return undefined;
    let byRel = this.lookupCache.get(resource);
    if (!byRel) this.lookupCache.set(resource, (byRel = new Map(ts.map((t) => [t.relKey, t]))));
    const rk = relKeyOf(key);
    return rk ? byRel.get(rk.rel) : undefined;
  }

  private virtual(key: string, t: Template, c: ClusterInfo): KV {
    const { name, namespace, ...meta } = t.body.metadata;
    const metadata = {
      name,
      ...(namespace ? { namespace } : {}),
      uid: templateUid(c.uid, key),
      resourceVersion: String(c.birthRevision),
      creationTimestamp: c.creationTimestamp,
      ...meta,
    };
    // the template's managers wrote it when the cluster was created
    if (Array.isArray(meta.managedFields)) {
      metadata.managedFields = meta.managedFields.map((e) => {
        const { manager, operation, apiVersion, ...fields } = e as Record<string, unknown>;
        return { manager, operation, apiVersion, time: c.creationTimestamp, ...fields };
      });
    }
    return { key, value: { ...t.body, metadata }, modRevision: c.birthRevision, createRevision: c.birthRevision };
  }

  private async virtualAt(key: string, t: Template, revision: number): Promise<KV | undefined> {
    const c = await this.clusters.info(clusterOfKey(key)!, revision);
    return c && c.birthRevision <= revision ? this.virtual(key, t, c) : undefined;
  }

  currentRevision(): number {
    return this.base.currentRevision();
  }
  compactedRevision(): number {
    return this.base.compactedRevision();
  }
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    return this.base.waitForRevision(revision, timeoutMs);
  }
  indexLookup(name: string, value: string): Promise<string[]> {
    return this.base.indexLookup(name, value);
  }
  indexScan(name: string, upTo: string, limit: number): Promise<{ value: string; key: string }[]> {
    return this.base.indexScan(name, upTo, limit);
  }
  resourcePrefixes(): string[] {
    return this.base.resourcePrefixes();
  }
  compact(revision: number): Promise<void> {
    return this.base.compact(revision);
  }
  close(): Promise<void> {
    return this.base.close();
  }

  async get(key: string, opts?: { revision?: number }): Promise<KV | undefined> {
    const kv = await this.base.get(key, opts);
    if (kv) return isTombstoneKV(kv) ? undefined : kv;
    const t = this.template(key);
    if (!t) return undefined;
    return this.virtualAt(key, t, opts?.revision || this.base.currentRevision());
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
    const ts = this.templates.forResource(resourceOfKey(prefix));
    if (!ts) return this.base.list(prefix, opts);
    const revision = opts.revision || this.base.currentRevision();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const countRemaining = !!opts.countRemaining && !opts.filter;
    const virtuals = await this.virtualsIn(prefix, ts, revision, opts.startAfter);
    let vi = 0;
    let baseItems: KV[] = [];
    let bi = 0;
    let baseMore = true;
    let baseCursor = opts.startAfter;
    const items: KV[] = [];
    let more = false;
    let remaining = 0;
    let lastKey: string | undefined;
    for (;;) {
      if (bi >= baseItems.length && baseMore) {
        // an unlimited list reads the base in one pass; a page reads a little more than it needs
        const page = await this.base.list(prefix, { revision, startAfter: baseCursor, limit: limit === Infinity ? 0 : Math.max(limit + 1, 500) });
        baseItems = page.items;
        bi = 0;
        baseMore = page.more;
        baseCursor = page.lastKey;
      }
      const b = baseItems[bi];
      const v = virtuals[vi];
      if (!b && !v) break;
      let kv: KV;
      if (b && (!v || b.key <= v.key)) {
        if (v && b.key === v.key) vi++; // a real object or tombstone shadows its template
        bi++;
        if (isTombstoneKV(b)) continue;
        kv = b;
      } else {
        vi++;
        kv = v!;
      }
      if (items.length >= limit) {
        more = true;
        if (!countRemaining) break;
        remaining++;
        continue;
      }
      if (opts.filter && !opts.filter(kv)) continue;
      items.push(kv);
      lastKey = kv.key;
    }
    const page: ListPage = { items, revision, more };
    if (more) {
      page.lastKey = lastKey;
      if (countRemaining) page.remaining = remaining;
    }
    return page;
  }

  /** Template objects visible under prefix at revision, after startAfter, in key order. */
  private async virtualsIn(prefix: string, ts: readonly Template[], revision: number, startAfter?: string): Promise<KV[]> {
    const scoped = clusterOfKey(prefix);
    let clusters: ClusterInfo[];
    if (scoped !== undefined) {
      const c = await this.clusters.info(scoped, revision);
      clusters = c && c.birthRevision <= revision ? [c] : [];
    } else {
      clusters = await this.clusters.all(revision);
    }
    const res = resourceSegment(prefix);
    const out: KV[] = [];
    for (const c of clusters) {
      for (const t of ts) {
        const key = `${res}${c.name}/${t.relKey}`;
        if (!key.startsWith(prefix) || (startAfter !== undefined && key <= startAfter)) continue;
        out.push(this.virtual(key, t, c));
      }
    }
    return out;
  }

  async txn(ops: TxnOp[]): Promise<TxnOpResult[]> {
    const shadow = new Map<number, { current?: KV; virtual?: KV }>();
    const translated: TxnOp[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const t = this.template(op.key);
      if (!t) {
        translated.push(op);
        continue;
      }
      const baseKv = await this.base.get(op.key);
      const tomb = !!baseKv && isTombstone(baseKv.value);
      const virtual = baseKv ? undefined : await this.virtualAt(op.key, t, this.base.currentRevision());
      const current = tomb ? undefined : (baseKv ?? virtual);
      const expect = op.expect ?? (op.type === 'delete' ? 'exists' : undefined);
      if (expect === 'absent' && current) throw new PreconditionFailed(i, op.key, 'exists', current);
      if ((expect === 'exists' || op.type === 'delete') && !current) throw new PreconditionFailed(i, op.key, 'notFound');
      if (typeof expect === 'object') {
        if (!current) throw new PreconditionFailed(i, op.key, 'notFound');
        if (current.modRevision !== expect.revision) throw new PreconditionFailed(i, op.key, 'revision', current);
      }
      // Pin the base write to the state just read: a concurrent writer makes it fail as a conflict.
      const baseExpect = baseKv ? { revision: baseKv.modRevision } : ('absent' as const);
      const name = op.key.slice(op.key.lastIndexOf('/') + 1);
      translated.push(op.type === 'put'
        ? { type: 'put', key: op.key, value: op.value, expect: baseExpect }
        : { type: 'put', key: op.key, value: tombstone(name), expect: baseExpect });
      shadow.set(i, { current, virtual });
    }
    let results: TxnOpResult[];
    try {
      results = await this.base.txn(translated);
    } catch (e) {
      if (e instanceof PreconditionFailed && shadow.has(e.index)) {
        throw new PreconditionFailed(e.index, e.key, 'revision');
      }
      throw e;
    }
    return results.map((r, i) => {
      const s = shadow.get(i);
      if (!s) return r;
      const op = ops[i]!;
      if (op.type === 'delete') {
        const cur = s.current!;
        const rev = r.kv.modRevision;
        const value = { ...cur.value, metadata: { ...cur.value.metadata, resourceVersion: String(rev) } };
        return { kv: { key: op.key, value, modRevision: rev, createRevision: cur.createRevision }, prev: cur };
      }
      return s.current ? { kv: r.kv, prev: s.current } : { kv: r.kv };
    });
  }

  watch(prefix: string | string[], fromRevision: number, sink: WatchSink): Watch {
    const prefixes = typeof prefix === 'string' ? [prefix] : prefix;
    const withTemplates = prefixes.filter((p) => this.templates.forResource(resourceOfKey(p)));
    if (withTemplates.length === 0) return this.base.watch(prefixes, fromRevision, sink);
    // Cluster births make templates appear: watch the records of the clusters in scope as well.
    const records = new Set<string>();
    for (const p of withTemplates) {
      const c = clusterOfKey(p);
      records.add(this.clusters.recordPrefix(c));
    }
    // Translation may wait on reads (a template's cluster); one promise chain keeps events and
    // progress in order. Events of ordinary keys need no translation: while nothing is queued on
    // the chain they pass through synchronously, which is the common case and keeps fan-out cheap.
    let chain: Promise<void> | undefined;
    let failed = false;
    const enqueue = (step: () => void | Promise<void>) => {
      const run = (chain ?? Promise.resolve()).then(step).catch((err: unknown) => {
        failed = true;
        sink.onError(err instanceof Error ? err : new Error(String(err)));
      });
      chain = run;
      void run.then(() => {
        if (chain === run) chain = undefined;
      });
    };
    return this.base.watch([...prefixes, ...records], fromRevision, {
      onProgress: (rev) => {
        if (!chain) sink.onProgress?.(rev);
        else enqueue(() => {
          if (!failed) sink.onProgress?.(rev);
        });
      },
      onEvents: (events) => {
        if (!chain && events.every((ev) => this.passesThrough(ev, prefixes))) {
          if (!failed) sink.onEvents(events);
          return;
        }
        enqueue(async () => {
          if (failed) return;
          const out: StorageEvent[] = [];
          for (const ev of events) await this.translate(ev, prefixes, out);
          if (out.length) sink.onEvents(out);
        });
      },
      onError: (err) => {
        if (!chain) sink.onError(err);
        else enqueue(() => sink.onError(err));
      },
    });
  }

  /** An event that needs no translation: an ordinary key under a watched prefix. */
  private passesThrough(ev: StorageEvent, prefixes: string[]): boolean {
    const key = ev.kv.key;
    return prefixes.some((p) => key.startsWith(p)) && !this.template(key);
  }

  private async translate(ev: StorageEvent, prefixes: string[], out: StorageEvent[]): Promise<void> {
    const key = ev.kv.key;
    if (!prefixes.some((p) => key.startsWith(p))) {
      // A cluster record: on birth, the cluster's templates under the watched prefixes appear.
      if (ev.type !== 'ADDED') return;
      const c = this.clusters.fromRecord(ev.kv);
      for (const p of prefixes) {
        const ts = this.templates.forResource(resourceOfKey(p));
        if (!ts) continue;
        const res = resourceSegment(p);
        for (const t of ts) {
          const k = `${res}${c.name}/${t.relKey}`;
          if (k.startsWith(p)) out.push({ type: 'ADDED', kv: this.virtual(k, t, c) });
        }
      }
      return;
    }
    const t = this.template(key);
    if (!t) {
      out.push(ev);
      return;
    }
    const rev = ev.kv.modRevision;
    const deletedView = (from: KV): KV => ({
      key, modRevision: rev, createRevision: from.createRevision,
      value: { ...from.value, metadata: { ...from.value.metadata, resourceVersion: String(rev) } },
    });
    if (ev.type === 'ADDED') {
      // Nothing was stored: the template was visible until now.
      const virtual = await this.virtualAt(key, t, rev - 1);
      if (isTombstone(ev.kv.value)) {
        if (virtual) out.push({ type: 'DELETED', kv: deletedView(virtual), prev: virtual });
      } else {
        out.push(virtual ? { type: 'MODIFIED', kv: ev.kv, prev: virtual } : { type: 'ADDED', kv: ev.kv });
      }
      return;
    }
    const prevTomb = !!ev.prev && isTombstone(ev.prev.value);
    if (ev.type === 'DELETED') {
      if (!prevTomb && !isTombstone(ev.kv.value)) out.push(ev);
      return;
    }
    const newTomb = isTombstone(ev.kv.value);
    if (prevTomb && newTomb) return;
    if (prevTomb) out.push({ type: 'ADDED', kv: ev.kv });
    else if (newTomb) out.push({ type: 'DELETED', kv: deletedView(ev.prev!), prev: ev.prev! });
    else out.push(ev);
  }
}
