// Lists that cost what the live objects cost, not what the history window holds.
//
// A scan of the version rows (k\0) visits every version still kept under the prefix: superseded
// versions and the versions and delete markers of deleted objects, for as long as the history
// window (default 5 min) keeps them. Under churn — creates balanced by deletes, updates — that is
// many times the live objects, and a namespace of constant size got slower to list with every
// minute of load (measured by the soak in bench/soak.ts: 347 -> 753 us per listed object over
// three 30 s rounds). etcd answers a range from its in-memory key index for the same reason.
//
// Here the l\0 rows (one per live key: its newest revision) name the live keys; the version each
// points at is fetched by point lookup. For a list at revision R, a key whose newest version is
// newer than R, or that was deleted after R, is exactly a key with an event after R in the
// resource's event log: those few keys are read at R from their version rows. Everything is read
// from one LevelDB snapshot, so a batch landing meanwhile (even one not yet acknowledged, whose
// events are in the same atomic batch as its l\0 rows) cannot make the two disagree.
//
// Where nearly every version row is live (no churn), the plain scan is cheaper than a point lookup
// per key (10,000 ConfigMaps: 26 vs 40 ms), so the store scans first and hands the rest of the list
// over to this once dead rows dominate what it has seen (store.ts, scanVersions).

import type { AbstractSnapshot } from 'abstract-level';
import type { KV, ListOptions, ListPage } from '../interface.js';
import { resourceOfKey } from '../keys.js';
import {
  HIGH, decodeLatest, decodeValue, eventRangeEnd, eventRangeStart, latestRow, parseVersionRow, versionRow, versionSeek, versionsEnd,
} from './encoding.js';
import type { DB } from './store.js';

/** Beyond this many events after R, the version scan is cheaper than correcting for them. */
export const MAX_EVENTS_AFTER = 4096;

type MakeKV = (key: string, modRevision: number, createRevision: number, json: string, index?: Record<string, string[]>) => KV;

/** Keys under prefix with an event after rev, sorted; undefined when there are too many. */
async function touchedAfter(db: DB, snapshot: AbstractSnapshot, prefix: string, rev: number): Promise<string[] | undefined> {
  const resource = resourceOfKey(prefix);
  const rows = await db.values({ gte: eventRangeStart(resource, rev), lt: eventRangeEnd(resource), limit: MAX_EVENTS_AFTER + 1, snapshot }).all();
  if (rows.length > MAX_EVENTS_AFTER) return undefined;
  const keys = new Set<string>();
  for (const v of rows) {
    const key = v.slice(1);
    if (key.startsWith(prefix)) keys.add(key);
  }
  return [...keys].sort();
}

/** A key as it was at rev, from its version rows. */
async function readAt(db: DB, snapshot: AbstractSnapshot, key: string, rev: number, make: MakeKV): Promise<KV | undefined> {
  const rows = await db.iterator({ gte: versionSeek(key, rev), lt: versionsEnd(key), limit: 1, snapshot }).all();
  if (rows.length === 0) return undefined;
  const [row, val] = rows[0]!;
  const dv = decodeValue(val);
  return dv ? make(key, parseVersionRow(row).rev, dv.createRev, dv.json) : undefined;
}

/** One candidate, in key order: a live key at its newest version, or a key to read at rev. */
type Slot = { key: string; modRev: number; index?: Record<string, string[]> } | { key: string; touched: true };

/**
 * The list of prefix at rev from the live keys, or undefined when the prefix is not within one
 * resource or too much happened after rev (the caller then scans the version rows).
 */
export async function listLive(db: DB, snapshot: AbstractSnapshot, prefix: string, rev: number, opts: ListOptions, make: MakeKV): Promise<ListPage | undefined> {
  if (!prefix.startsWith(`${resourceOfKey(prefix)}/`)) return undefined;
  const touched = await touchedAfter(db, snapshot, prefix, rev);
  if (!touched) return undefined;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const filter = opts.filter;
  const countRemaining = !!opts.countRemaining && !filter;
  const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
  let t = after === undefined ? 0 : touched.findIndex((k) => k > after);
  if (t < 0) t = touched.length;
  const items: KV[] = [];
  let more = false;
  let remaining = 0;
  let lastKey: string | undefined;

  // Feeds one slot; false once the page is full and nothing more needs counting.
  const take = (key: string, kv: KV | undefined): boolean => {
    if (!kv) return true;
    if (items.length >= limit) {
      more = true;
      if (!countRemaining) return false;
      remaining++;
      return true;
    }
    if (filter && !filter(kv)) return true;
    items.push(kv);
    lastKey = key;
    return true;
  };

  const it = db.iterator({
    ...(after === undefined ? { gte: latestRow(prefix) } : { gt: latestRow(after) }),
    lt: latestRow(prefix) + HIGH,
    snapshot,
  });
  try {
    for (let done = false; !done;) {
      const batch = await it.nextv(items.length >= limit ? 1024 : Math.min(1024, Math.max(16, limit - items.length)));
      const end = batch.length === 0;
      const slots: Slot[] = [];
      const upTo = end ? undefined : batch[batch.length - 1]![0].slice(2);
      // touched keys up to this batch's last key (all of them after the last batch) go in key order
      const pushTouchedBefore = (key: string | undefined) => {
        while (t < touched.length && (key === undefined || touched[t]! <= key)) slots.push({ key: touched[t++]!, touched: true });
      };
      for (const [row, val] of batch) {
        const key = row.slice(2);
        pushTouchedBefore(key);
        if (slots.length && slots[slots.length - 1]!.key === key) continue; // touched: read at rev
        const { rev: modRev, index } = decodeLatest(val);
        slots.push({ key, modRev, ...(index ? { index } : {}) });
      }
      if (end) pushTouchedBefore(undefined);
      else pushTouchedBefore(upTo);
      if (slots.length === 0) break;

      const counting = items.length >= limit;
      const direct = slots.filter((s): s is Extract<Slot, { modRev: number }> => 'modRev' in s);
      // a page that is full only counts what remains: live keys need no value then
      const values = counting ? [] : await db.getMany(direct.map((s) => versionRow(s.key, s.modRev)), { snapshot });
      let d = 0;
      for (const s of slots) {
        let kv: KV | undefined;
        if ('touched' in s) kv = await readAt(db, snapshot, s.key, rev, make);
        else {
          const i = d++;
          if (counting || items.length >= limit) {
            if (!take(s.key, PRESENT)) { done = true; break; }
            continue;
          }
          const dv = values[i] === undefined ? undefined : decodeValue(values[i]!);
          kv = dv ? make(s.key, s.modRev, dv.createRev, dv.json, s.index) : undefined;
        }
        if (!take(s.key, kv)) { done = true; break; }
      }
      if (end) break;
    }
  } finally {
    await it.close();
  }
  const page: ListPage = { items, revision: rev, more };
  if (more) {
    page.lastKey = lastKey;
    if (countRemaining) page.remaining = remaining;
  }
  return page;
}

/** Stands for "a live object" where only counting is left (never stored in a page). */
const PRESENT = {} as KV;
