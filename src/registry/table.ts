// Shared helpers for `as=Table` responses: kube's column descriptions, its age formatting
// (k8s.io/apimachinery/pkg/util/duration.HumanDuration) and the default table convertor
// (k8s.io/apiserver/pkg/registry/rest.NewDefaultTableConvertor) served for kinds without a printer.

import type { KubeObject } from '../apimachinery/object.js';
import type { TableColumn, TableConvertor } from './types.js';

/** metav1.ObjectMeta{}.SwaggerDoc()["name"]. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"]. */
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column as kube declares it; format and priority default to "" and 0. */
export function column(
  name: string, type: TableColumn['type'], description: string, opts: { format?: string; priority?: number } = {},
): TableColumn {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** The "Name" column every kube printer starts with. */
export const nameColumn = (priority = 0): TableColumn =>
  column('Name', 'string', NAME_DESCRIPTION, { format: 'name', priority });

/** The "Age" column (a string cell rendered by translateTimestampSince). */
export const ageColumn = (): TableColumn => column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * kube's duration.HumanDuration: "5s", "3m2s", "10m", "5h3m", "10h", "2d3h", "30d", "2y5d", "10y".
 * Go truncates towards zero when converting durations to whole units; so do we.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = Math.trunc(ms / SECOND) % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = Math.trunc(ms / MINUTE) % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Go's zero time.Time, which kube treats as unset. */
const ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/** Milliseconds since the epoch of a metav1.Time / MicroTime value, or undefined when unset or unparsable. */
export function timestampMillis(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return undefined;
  // Go's zero time (0001-01-01T00:00:00Z) counts as unset.
  if (ms === ZERO_TIME_MS) return undefined;
  return ms;
}


/** kube printers' translateTimestampSince: "<unknown>" for an unset time, else HumanDuration(now - ts). */
export function translateTimestampSince(ts: unknown, now: Date): string {
  const ms = timestampMillis(ts);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now.getTime() - ms);
}

/** Go's zero time formatted as RFC 3339 (what the default convertor prints for a missing timestamp). */
export const ZERO_TIME_RFC3339 = '0001-01-01T00:00:00Z';

/** RFC 3339 in UTC with second precision, as Go's `t.UTC().Format(time.RFC3339)`. */
export function formatRFC3339(ts: unknown): string {
  const ms = timestampMillis(ts);
  if (ms === undefined) return ZERO_TIME_RFC3339;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

/** rest.NewDefaultTableConvertor: Name + Created At (a "date" column with an RFC 3339 cell). */
export const defaultTableConvertor: TableConvertor = {
  columns: [
    nameColumn(),
    column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION),
  ],
  cells(obj: KubeObject): unknown[] {
    return [obj.metadata?.name ?? '', formatRFC3339(obj.metadata?.creationTimestamp)];
  },
};

/** The table convertor of a kind: its own, or the default one. */
export function tableConvertorOf(t: { strategy: { table?: TableConvertor } }): TableConvertor {
  return t.strategy.table ?? defaultTableConvertor;
}
