// Compaction: forget history up to a revision. Walks each resource's event log up to the target;
// for every event, the versions it superseded (and, for a delete, its marker) are no longer
// visible at any revision >= target, so they go, together with the event row, in chunks.
//
// Under sustained writes compaction must keep up with the write rate (a minute of history at
// 1,000 writes/s is 60,000 events), on the event loop that also serves requests. So a chunk of
// events is handled at once: each key once, at its newest event in the chunk (which supersedes
// all its older versions), and the keys' version lookups in parallel, a few event-loop turns per
// chunk instead of one per event (59,000 events of creates balanced by deletes, idle process:
// 2.3 s instead of 3.3 s; on a loaded event loop each saved turn is worth more).

import type { AbstractBatchOperation } from 'abstract-level';
import { META_COMPACTED, eventRow, parseEventRow, versionRow, versionsEnd } from './encoding.js';
import type { DB } from './store.js';

const CHUNK = 1000;
/** Version lookups in flight at once (LevelDB work runs on libuv's small thread pool). */
const PARALLEL = 32;

type Op = AbstractBatchOperation<DB, string, string>;

/** The rows superseded by each key's newest event of a chunk. */
async function superseded(db: DB, newest: Map<string, { rev: number; deleted: boolean }>): Promise<Op[]> {
  const ops: Op[] = [];
  const entries = [...newest];
  for (let i = 0; i < entries.length; i += PARALLEL) {
    const found = await Promise.all(entries.slice(i, i + PARALLEL).map(([key, { rev }]) =>
      // versions older than rev: the rows after versionRow(key, rev) within the key's range
      db.keys({ gt: versionRow(key, rev), lt: versionsEnd(key) }).all()));
    for (const rows of found) for (const k of rows) ops.push({ type: 'del', key: k });
  }
  for (const [key, { rev, deleted }] of newest) if (deleted) ops.push({ type: 'del', key: versionRow(key, rev) });
  return ops;
}

export async function compact(db: DB, resources: string[], target: number): Promise<void> {
  for (const resource of resources) {
    const it = db.iterator({ gte: eventRow(resource, 0), lte: eventRow(resource, target) });
    try {
      for (;;) {
        const batch = await it.nextv(CHUNK);
        if (batch.length === 0) break;
        const newest = new Map<string, { rev: number; deleted: boolean }>();
        const ops: Op[] = [];
        for (const [row, val] of batch) {
          // the log is in revision order: a later event of a key replaces the earlier one
          newest.set(val.slice(1), { rev: parseEventRow(row), deleted: val[0] === 'D' });
          ops.push({ type: 'del', key: row });
        }
        ops.push(...(await superseded(db, newest)));
        await db.batch(ops);
      }
    } finally {
      await it.close();
    }
  }
  await db.put(META_COMPACTED, String(target));
}
