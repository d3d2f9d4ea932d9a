// LevelDB row layout. One keyspace, four row families, '\0' separated (object keys never hold '\0'):
//   k\0<key>\0<inverted rev>   one row per version of an object: "<createRev> <json>" or "D" (deleted)
//   e\0<group/resource>\0<rev> the event log, per resource: "<A|M|D><key>"
//   x\0<index>\0<value>\0<key> secondary index rows (latest state only)
//   l\0<key>                   the revision of a live key's newest version (absent once deleted), and
//                              the index values written with it
//   m\0<name>                  metadata: current and compacted revision, resource prefixes, format
// Versions are keyed by inverted revision so the newest version of a key sorts first: reading a key
// at revision R is one seek to k\0<key>\0<inv(R)>. Reading the current version, by far the most
// common read, is two point lookups (l\0<key>, then its version row), which LevelDB does several
// times cheaper than an iterator seek.

const REV_WIDTH = 14; // hex digits of Number.MAX_SAFE_INTEGER
const MAX_REV = Number.MAX_SAFE_INTEGER;

export const SEP = '\0';
/** The character after SEP: the upper bound of a "<prefix>\0..." range. */
export const SEP_END = '\x01';
/** Sorts after every character an object key may contain. */
export const HIGH = '\uffff';

export function hexRev(rev: number): string {
  return rev.toString(16).padStart(REV_WIDTH, '0');
}

export function invRev(rev: number): string {
  return hexRev(MAX_REV - rev);
}

export function parseInvRev(s: string): number {
  return MAX_REV - parseInt(s, 16);
}

export function versionRow(key: string, rev: number): string {
  return `k${SEP}${key}${SEP}${invRev(rev)}`;
}

/** First row of a key's versions at or below `rev`. */
export function versionSeek(key: string, rev: number): string {
  return versionRow(key, rev);
}

export function versionsEnd(key: string): string {
  return `k${SEP}${key}${SEP_END}`;
}

/** Range start for "keys with this prefix", optionally strictly after a key. */
export function versionScanStart(prefix: string, startAfter?: string): string {
  if (startAfter !== undefined && startAfter >= prefix) return `k${SEP}${startAfter}${SEP_END}`;
  return `k${SEP}${prefix}`;
}

export function versionScanEnd(prefix: string): string {
  return `k${SEP}${prefix}${HIGH}`;
}

/** Splits a version row into object key and revision. */
export function parseVersionRow(row: string): { key: string; rev: number } {
  const cut = row.lastIndexOf(SEP);
  return { key: row.slice(2, cut), rev: parseInvRev(row.slice(cut + 1)) };
}

export function eventRow(resource: string, rev: number): string {
  return `e${SEP}${resource}${SEP}${hexRev(rev)}`;
}

export function eventRangeStart(resource: string, afterRev: number): string {
  return eventRow(resource, afterRev + 1);
}

export function eventRangeEnd(resource: string): string {
  return `e${SEP}${resource}${SEP_END}`;
}

export function parseEventRow(row: string): number {
  return parseInt(row.slice(row.lastIndexOf(SEP) + 1), 16);
}

export function indexRow(index: string, value: string, key: string): string {
  return `x${SEP}${index}${SEP}${value}${SEP}${key}`;
}

export function indexRangeStart(index: string, value: string): string {
  return `x${SEP}${index}${SEP}${value}${SEP}`;
}

export function indexRangeEnd(index: string, value: string): string {
  return `x${SEP}${index}${SEP}${value}${SEP_END}`;
}

export function latestRow(key: string): string {
  return `l${SEP}${key}`;
}

/** An l\0 row's value: the revision, and the index values recorded with it when there are any. */
export function encodeLatest(rev: number, index: Record<string, string[]>): string {
  return Object.keys(index).length ? `${rev} ${JSON.stringify(index)}` : String(rev);
}

export function decodeLatest(v: string): { rev: number; index?: Record<string, string[]> } {
  const sp = v.indexOf(' ');
  if (sp < 0) return { rev: Number(v) };
  return { rev: Number(v.slice(0, sp)), index: JSON.parse(v.slice(sp + 1)) as Record<string, string[]> };
}

export const META_REVISION = `m${SEP}revision`;
/** Row layout generation: 2 added the l\0 rows. */
export const META_FORMAT = `m${SEP}format`;
export const FORMAT = '2';
export const META_COMPACTED = `m${SEP}compacted`;
export const META_RESOURCE_PREFIX = `m${SEP}resource${SEP}`;

export const DELETED_MARK = 'D';

export function encodeValue(createRev: number, json: string): string {
  return `${createRev} ${json}`;
}

/** Returns undefined for a delete marker. */
export function decodeValue(v: string): { createRev: number; json: string } | undefined {
  if (v === DELETED_MARK) return undefined;
  const sp = v.indexOf(' ');
  return { createRev: parseInt(v.slice(0, sp), 10), json: v.slice(sp + 1) };
}
