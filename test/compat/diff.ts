// Structural diff of two normalised JSON values, with JSON paths. Arrays of named things (objects
// with metadata.name, name or resource) are matched by name, so one missing item is one difference.

export const ABSENT = '(absent)';

export interface Difference {
  /** JSON path, e.g. body.items[name=a].metadata.labels["app"] */
  path: string;
  kube: unknown;
  kplane: unknown;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function keyPath(base: string, k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${base}.${k}` : `${base}["${k}"]`;
}

function itemKey(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const m = v.metadata;
  if (isObj(m) && typeof m.name === 'string') return typeof m.namespace === 'string' && m.namespace ? `${m.namespace}/${m.name}` : m.name;
  if (typeof v.name === 'string') return v.name;
  if (typeof v.resource === 'string') return v.resource;
  return undefined;
}

function keysOf(arr: unknown[]): string[] | undefined {
  const keys: string[] = [];
  for (const x of arr) {
    const k = itemKey(x);
    if (k === undefined) return undefined;
    keys.push(k);
  }
  return new Set(keys).size === keys.length ? keys : undefined;
}

export function diff(kube: unknown, kplane: unknown, path = 'body'): Difference[] {
  const out: Difference[] = [];
  walk(kube, kplane, path, out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: Difference[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = keysOf(a);
    const kb = keysOf(b);
    if (ka && kb && (ka.length || kb.length)) {
      if (ka.join('\u0000') !== kb.join('\u0000')) out.push({ path: `${path}[*] (names in order)`, kube: ka, kplane: kb });
      const mb = new Map(kb.map((k, i) => [k, b[i]]));
      for (let i = 0; i < ka.length; i++) {
        if (mb.has(ka[i]!)) walk(a[i], mb.get(ka[i]!), `${path}[${ka[i]}]`, out);
      }
      return;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(i < a.length ? a[i] : ABSENT, i < b.length ? b[i] : ABSENT, `${path}[${i}]`, out);
    return;
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(k in a ? a[k] : ABSENT, k in b ? b[k] : ABSENT, keyPath(path, k), out);
    return;
  }
  if (a === b) return;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return;
  out.push({ path, kube: a, kplane: b });
}

/** A value for the report: JSON, shortened. */
export function show(v: unknown, max = 400): string {
  if (v === ABSENT) return ABSENT;
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (v === undefined) s = 'undefined';
  else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
