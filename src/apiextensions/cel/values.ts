// Unstructured JSON as CEL values, typed by the rule's declared types (kube's UnstructuredToVal):
// integers are int, numbers double, byte/duration/date/date-time strings bytes/duration/timestamp,
// objects maps of their declared (escaped) fields only, additionalProperties maps, arrays lists,
// int-or-string int or string. Values CEL does not type are left out.

import { create } from '@bufbuild/protobuf';
import { DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import type { CelInput } from '@bufbuild/cel';
import type { CelT } from './types.js';
import { escapeName } from './escape.js';
import { KubeList } from './library/equality.js';

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(s: string): bigint | undefined {
  const m = /^([+-]?)((?:[0-9]*(?:\.[0-9]*)?(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(s);
  if (!m) return undefined;
  if (m[2] === '0') return 0n;
  let total = 0;
  for (const [, n, u] of m[2]!.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/g)) {
    if (n === '' || n === '.') return undefined;
    total += Number(n) * UNITS[u!]!;
  }
  const ns = BigInt(Math.round(total));
  return m[1] === '-' ? -ns : ns;
}

export function durationValue(ns: bigint): CelInput {
  return create(DurationSchema, { seconds: ns / 1000000000n, nanos: Number(ns % 1000000000n) });
}

function timestampValue(s: string): CelInput | undefined {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(ms)) return undefined;
  const frac = /\.(\d+)/.exec(s)?.[1] ?? '';
  const nanos = Number((frac + '000000000').slice(0, 9));
  return create(TimestampSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos });
}

function integer(v: number): bigint {
  return BigInt(Math.trunc(v));
}

export function toCelValue(v: unknown, t: CelT | undefined): CelInput {
  if (v === null || v === undefined) return null;
  switch (t?.kind) {
    case 'int': return typeof v === 'number' ? integer(v) : (v as CelInput);
    case 'double': return typeof v === 'number' ? v : (v as CelInput);
    case 'bytes': return typeof v === 'string' ? Uint8Array.from(Buffer.from(v, 'base64')) : (v as CelInput);
    case 'google.protobuf.Duration': {
      const ns = typeof v === 'string' ? parseGoDuration(v) : undefined;
      return ns === undefined ? (v as CelInput) : durationValue(ns);
    }
    case 'google.protobuf.Timestamp': return (typeof v === 'string' && timestampValue(v)) || (v as CelInput);
    case 'list': {
      if (!Array.isArray(v)) return v as CelInput;
      const items = v.map((x) => toCelValue(x, t.elem));
      return t.listType ? (new KubeList(items, t.listType, t.mapKeys ?? []) as unknown as CelInput) : items;
    }
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return v as CelInput;
      const m = new Map<string, CelInput>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, toCelValue(x, t.value));
      return m;
    }
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) return v as CelInput;
      const m = new Map<string, CelInput>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // a field declared under its own name (kube's admission types: request.namespace) is not
        // escaped; a schema's properties are declared escaped
        const name = t.fields.has(k) ? k : escapeName(k);
        if (name === undefined) continue;
        const ft = t.fields.get(name);
        if (ft) m.set(name, toCelValue(x, ft));
      }
      return m;
    }
  }
  // dyn (int-or-string) and anything untyped
  if (typeof v === 'number') return Number.isInteger(v) ? integer(v) : v;
  if (Array.isArray(v)) return v.map((x) => toCelValue(x, undefined));
  if (typeof v === 'object') {
    const m = new Map<string, CelInput>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, toCelValue(x, undefined));
    return m;
  }
  return v as CelInput;
}
