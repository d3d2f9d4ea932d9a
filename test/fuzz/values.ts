// Values for the fuzz test, drawn from the served OpenAPI v3 schemas: mostly well-formed objects
// (so requests get past decoding and reach validation, admission and storage), then mutated in
// the ways clients and attackers get things wrong.

import { NASTY_NUMBERS, NASTY_STRINGS, type Random } from './random.js';

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export type Components = Record<string, Schema>;

function deref(schema: Schema, components: Components): Schema {
  let s = schema;
  for (let i = 0; i < 8; i++) {
    const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]!.$ref : undefined);
    if (!ref) return s;
    s = components[ref.replace('#/components/schemas/', '')] ?? {};
  }
  return s;
}

function plausibleString(r: Random, name: string, format: string | undefined): string {
  if (format === 'date-time') return r.pick(['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.123456Z', 'yesterday']);
  if (format === 'byte') return r.pick(['aGVsbG8=', 'not base64!', '']);
  if (name === 'apiVersion' || name === 'kind') return r.pick(['v1', 'Pod', 'ConfigMap', '']);
  if (name === 'namespace' || name === 'name') return r.pick(['fuzz-a', 'x', 'default', r.pick(NASTY_STRINGS)]);
  if (r.chance(0.7)) return r.pick(['x', 'value', 'a-b.c', 'example.com/x', 'Foo', '10', 'TCP']);
  return r.pick(NASTY_STRINGS);
}

/** A value for a schema: mostly of the right type, sometimes any nasty value at all. */
export function valueFor(schema: Schema, components: Components, r: Random, depth = 0, name = ''): unknown {
  const s = deref(schema, components);
  if (r.chance(0.03)) return anyValue(r, 0);
  if (s.enum?.length) return r.chance(0.9) ? r.pick(s.enum) : 'NotAnEnumValue';
  if (s['x-kubernetes-int-or-string']) return r.chance(0.5) ? r.int(0, 65535) : r.pick(['http', '50%', 'x']);
  switch (s.type ?? (s.properties ? 'object' : undefined)) {
    case 'string': return plausibleString(r, name, s.format);
    case 'integer': return r.chance(0.8) ? r.int(0, 100) : r.pick(NASTY_NUMBERS);
    case 'number': return r.chance(0.8) ? r.next() * 10 : r.pick(NASTY_NUMBERS);
    case 'boolean': return r.chance(0.5);
    case 'array': {
      if (depth > 6) return [];
      const n = r.chance(0.8) ? r.int(0, 3) : r.int(0, 40);
      return Array.from({ length: n }, () => valueFor(s.items ?? {}, components, r, depth + 1, name));
    }
    case 'object': {
      if (depth > 6) return {};
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(k) || r.chance(depth === 0 ? 0.7 : 0.35)) out[k] = valueFor(v, components, r, depth + 1, k);
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        for (let i = r.int(0, 3); i > 0; i--) {
          out[r.chance(0.8) ? `k${i}` : r.pick(NASTY_STRINGS)] = valueFor(s.additionalProperties, components, r, depth + 1);
        }
      }
      if (r.chance(0.05)) out[r.pick(['unknownField', '中', 'x'.repeat(300), ''])] = anyValue(r, 0);
      return out;
    }
    default: return anyValue(r, depth);
  }
}

/** Any JSON value, of any shape. */
export function anyValue(r: Random, depth: number): unknown {
  switch (r.int(0, depth > 3 ? 3 : 5)) {
    case 0: return r.pick(NASTY_STRINGS);
    case 1: return r.pick(NASTY_NUMBERS);
    case 2: return r.pick([true, false, null]);
    case 3: return r.int(-5, 5);
    case 4: return Array.from({ length: r.int(0, 3) }, () => anyValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(0, 3) }, (_, i) => [`f${i}`, anyValue(r, depth + 1)]));
  }
}

/** Replaces one value somewhere inside obj with a value of another shape. */
export function mutate(obj: unknown, r: Random): unknown {
  if (obj === null || typeof obj !== 'object' || r.chance(0.2)) return anyValue(r, 0);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(obj) ? [...obj] : { ...(obj as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return anyValue(r, 0);
  const k = r.pick(keys);
  (copy as Record<string, unknown>)[k] = mutate((copy as Record<string, unknown>)[k], r);
  return copy;
}

/** Nested arrays or objects `depth` levels deep, as JSON text (decoders must bound this). */
export function deepJSON(depth: number, open: string, close: string): string {
  return open.repeat(depth) + close.repeat(depth);
}
