// CEL equality and ordering of runtime values for kube's library functions (lists' indexOf/min/max,
// sets): numbers compare across int/uint/double, lists and maps element-wise.

import { isCelList, isCelMap, isCelUint } from '@bufbuild/cel';
import type { CelList, CelMap } from '@bufbuild/cel';

function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (isCelUint(v)) return (v as { value: bigint }).value;
  return undefined;
}

function msgSeconds(v: unknown): number | undefined {
  const m = v as { message?: { seconds?: bigint; nanos?: number }; seconds?: bigint; nanos?: number } | null;
  const s = m?.message ?? m;
  if (s && typeof s === 'object' && typeof s.seconds === 'bigint') return Number(s.seconds) + (s.nanos ?? 0) / 1e9;
  return undefined;
}

export function celEquals(a: unknown, b: unknown): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    // eslint-disable-next-line eqeqeq
    return na == nb;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (isCelList(a) && isCelList(b)) {
    const la = a as CelList;
    const lb = b as CelList;
    if (la.size !== lb.size) return false;
    for (let i = 0; i < la.size; i++) if (!celEquals(la.get(i), lb.get(i))) return false;
    return true;
  }
  if (isCelMap(a) && isCelMap(b)) {
    const ma = a as CelMap;
    const mb = b as CelMap;
    if (ma.size !== mb.size) return false;
    for (const [k, v] of ma.entries()) {
      if (!mb.has(k) || !celEquals(v, mb.get(k))) return false;
    }
    return true;
  }
  const sa = msgSeconds(a);
  const sb = msgSeconds(b);
  if (sa !== undefined && sb !== undefined) return sa === sb;
  return a === b;
}

export function celCompare(a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  const sa = msgSeconds(a);
  const sb = msgSeconds(b);
  if (sa !== undefined && sb !== undefined) return sa - sb;
  throw new Error('no such overload');
}
