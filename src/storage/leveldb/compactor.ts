// Compaction: forget history up to a revision. Walks each resource's event log up to the target;
// for every event, the versions it superseded (and, for a delete, its marker) are no longer
// visible at any revision >= target, so they go, together with the event row, in chunks.

import type { AbstractBatchOperation } from 'abstract-level';
import { META_COMPACTED, eventRow, parseEventRow, versionRow, versionsEnd } from './encoding.js';
import type { DB } from './store.js';

const CHUNK = 1000;

export async function compact(db: DB, resources: string[], target: number): Promise<void> {
  for (const resource of resources) {
    const it = db.iterator({ gte: eventRow(resource, 0), lte: eventRow(resource, target) });
    try {
      let ops: AbstractBatchOperation<DB, string, string>[] = [];
      for (;;) {
        const batch = await it.nextv(CHUNK);
        if (batch.length === 0) break;
        for (const [row, val] of batch) {
          const rev = parseEventRow(row);
          const key = val.slice(1);
          // Older versions of key: rows after versionRow(key, rev) within the key's range.
          const older = await db.keys({ gt: versionRow(key, rev), lt: versionsEnd(key) }).all();
          for (const k of older) ops.push({ type: 'del', key: k });
          if (val[0] === 'D') ops.push({ type: 'del', key: versionRow(key, rev) });
          ops.push({ type: 'del', key: row });
        }
        if (ops.length >= CHUNK) {
          await db.batch(ops);
          ops = [];
        }
      }
      if (ops.length) await db.batch(ops);
    } finally {
      await it.close();
    }
  }
  await db.put(META_COMPACTED, String(target));
}
