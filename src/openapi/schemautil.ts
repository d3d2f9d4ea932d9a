// Small helpers shared by the OpenAPI modules: schema JSON, references, canonical JSON.

/** An OpenAPI schema object as JSON. */
export type JsonSchema = Record<string, unknown>;

export const V3_REF_PREFIX = '#/components/schemas/';
export const V2_REF_PREFIX = '#/definitions/';

export function v3Ref(name: string): string {
  return V3_REF_PREFIX + name;
}

/** The definition name a `$ref` points to (v3 or v2 form), or undefined. */
export function refName(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  if (ref.startsWith(V3_REF_PREFIX)) return ref.slice(V3_REF_PREFIX.length);
  if (ref.startsWith(V2_REF_PREFIX)) return ref.slice(V2_REF_PREFIX.length);
  return undefined;
}

export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** Copy of an object with keys in code-point order (kube's published JSON sorts map keys). */
export function sortKeys<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out as T;
}

/** Deep copy with object keys sorted at every level. */
export function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortedDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** JSON with object keys sorted at every level. */
export function stableStringify(v: unknown): string {
  return JSON.stringify(sortedDeep(v));
}
