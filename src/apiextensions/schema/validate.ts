// kube-openapi's SchemaValidator as apiextensions-apiserver runs it on a custom resource
// (validation.ValidateCustomResource): the same validators in the same order (type, junctors,
// string, format, number, slice, enum, object), the same messages ("spec.replicas in body must be
// of type integer: \"string\""), the same best-failure choice among anyOf/oneOf branches (by match
// count), and the same translation into field errors (kubeOpenAPIResultToFieldErrors). Properties
// are visited in sorted order where kube walks a Go map.

import { field, type FieldError } from '../../apimachinery/errors.js';
import { goQuote, runeCount } from '../../apimachinery/gofmt.js';
import { goFormatFloat, isInt64 } from './gonum.js';
import { correlateIndex, correlateKey, unchanged, type Correlation } from './correlation.js';
import type { Node } from './node.js';

/** kube-openapi error codes that kubeOpenAPIResultToFieldErrors treats specially. */
const enum Code { Plain, InvalidType, Required, TooLong, Enum, MaxItems, TooManyProperties, Other }

/** One kube-openapi error: its name (the value's path in the message), value and text. */
interface OpenAPIError {
  code: Code;
  name: string;
  value: unknown;
  message: string;
  /** the limit of TooLong / MaxItems / TooManyProperties, the values of Enum */
  valid?: number;
  values?: readonly unknown[];
}

type Kind = 'nil' | 'boolean' | 'string' | 'integer' | 'number' | 'array' | 'object';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    case 'number': return isInt64(v) ? 'integer' : 'number';
    case 'object': return Array.isArray(v) ? 'array' : 'object';
    default: return 'object';
  }
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function invalidType(name: string, typeName: string, value: string): OpenAPIError {
  return { code: Code.InvalidType, name, value, message: `${name} in body must be of type ${typeName}: ${goQuote(value)}` };
}

function other(name: string, value: unknown, message: string): OpenAPIError {
  return { code: Code.Other, name, value, message };
}

/** The type validator; returns its match count (1 when it passed). */
function checkType(n: Node, data: unknown, kind: Kind, name: string, out: OpenAPIError[]): number {
  if (kind === 'nil') {
    if (n.types.length > 0 && !n.nullable) {
      out.push(invalidType(name, n.types.join(','), 'null'));
      return 0;
    }
    return 1;
  }
  const isFloatInt = kind === 'number' && Number.isInteger(data) && n.types.includes('integer');
  const isIntFloat = kind === 'integer' && n.types.includes('number');
  const ok = n.types.includes(kind) || isFloatInt || isIntFloat;
  if (n.format && kind !== 'string' && kind !== 'array' && !ok) {
    const goFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'float64' : '';
    out.push(invalidType(name, n.format, goFormat));
    return 0;
  }
  if (n.format && !n.types.includes('number') && !n.types.includes('integer') && (kind === 'string' || kind === 'array')) return 1;
  if (!ok) {
    out.push(invalidType(name, n.types.join(','), kind));
    return 0;
  }
  return 1;
}

interface Run {
  errors: OpenAPIError[];
  count: number;
}

/** A junctor's branch: validated with the same correlation, never ratcheted itself (a plain validator). */
function run(n: Node, data: unknown, name: string, corr: Correlation | undefined): Run {
  const errors: OpenAPIError[] = [];
  const count = validateNode(n, data, name, errors, corr, false);
  return { errors, count };
}

/** allOf / anyOf / oneOf / not; returns the match count. */
function checkJunctors(n: Node, data: unknown, name: string, out: OpenAPIError[], corr: Correlation | undefined): number {
  let count = 0;
  if (n.anyOf) {
    let best: Run | undefined;
    let first: Run | undefined;
    for (const b of n.anyOf) {
      const r = run(b, data, name, corr);
      if (r.errors.length === 0) {
        best = undefined;
        first = r;
        break;
      }
      if (!best || r.count > best.count) best = r;
    }
    if (!first) out.push({ code: Code.Plain, name, value: '', message: `${goQuote(name)} must validate at least one schema (anyOf)` });
    if (best) {
      for (const e of best.errors) out.push(e);
      count += best.count;
    } else if (first) {
      count += first.count;
    }
  }
  if (n.oneOf) {
    let best: Run | undefined;
    let first: Run | undefined;
    let validated = 0;
    for (const b of n.oneOf) {
      const r = run(b, data, name, corr);
      if (r.errors.length === 0) {
        validated++;
        best = undefined;
        first ??= r;
        continue;
      }
      if (validated === 0 && (!best || r.count > best.count)) best = r;
    }
    if (validated !== 1) {
      const more = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      out.push({ code: Code.Plain, name, value: '', message: `${goQuote(name)} must validate one and only one schema (oneOf). ${more}` });
      if (best) {
        for (const e of best.errors) out.push(e);
        count += best.count;
      }
    } else if (first) {
      count += first.count;
    }
  }
  if (n.allOf) {
    let validated = 0;
    for (const b of n.allOf) {
      const r = run(b, data, name, corr);
      if (r.errors.length === 0) validated++;
      for (const e of r.errors) out.push(e);
      count += r.count;
    }
    if (validated !== n.allOf.length) {
      out.push({ code: Code.Plain, name, value: '', message: `${goQuote(name)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}` });
    }
  }
  if (n.not && run(n.not, data, name, corr).errors.length === 0) {
    out.push({ code: Code.Plain, name, value: '', message: `${goQuote(name)} must not validate the schema (not)` });
  }
  return count + 1;
}

function checkString(n: Node, s: string, name: string, out: OpenAPIError[]): void {
  if (n.maxLength !== undefined && runeCount(s) > n.maxLength) {
    out.push({ code: Code.TooLong, name, value: s, message: `${name} in body should be at most ${n.maxLength} chars long`, valid: n.maxLength });
    return;
  }
  if (n.minLength !== undefined && runeCount(s) < n.minLength) {
    out.push(other(name, s, `${name} in body should be at least ${n.minLength} chars long`));
    return;
  }
  if (n.pattern !== undefined) {
    if (n.patternInvalid !== undefined) {
      out.push(other(name, s, `${name} in body should match '${n.pattern}, but pattern is invalid: ${n.patternInvalid}'`));
    } else if (!n.patternTest!.test(s)) {
      out.push(other(name, s, `${name} in body should match '${n.pattern}'`));
    }
  }
}

/** swag.IsFloat64AJSONInteger: integral within JSON's exact range (with kube's small tolerance). */
function isJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > 2 ** 53) return false;
  if (Number.isInteger(f)) return true;
  const diff = Math.abs(f - Math.round(f));
  return diff < 1e-9 * Math.max(1, Math.abs(f));
}

/** The number validator: multipleOf, minimum, maximum (in kube's merge order). */
function checkNumber(n: Node, v: number, kind: Kind, name: string, out: OpenAPIError[]): void {
  const int = kind === 'integer';
  if (n.multipleOf !== undefined) {
    const factor = int ? Math.trunc(n.multipleOf) : n.multipleOf;
    const shown = int ? String(factor) : goFormatFloat(factor);
    if (factor <= 0) {
      out.push(other(name, factor, `factor MultipleOf declared for ${name} must be positive: ${shown}`));
    } else if (int ? v % factor !== 0 : !isJSONInteger(factor < 1 ? (1 / factor) * v : v / factor)) {
      out.push(other(name, v, `${name} in body should be a multiple of ${shown}`));
    }
  }
  if (n.minimum !== undefined) {
    const min = int ? Math.trunc(n.minimum) : n.minimum;
    if (n.exclusiveMinimum ? v <= min : v < min) {
      const shown = int ? String(min) : goFormatFloat(min);
      out.push(other(name, v, `${name} in body should be greater than ${n.exclusiveMinimum ? '' : 'or equal to '}${shown}`));
    }
  }
  if (n.maximum !== undefined) {
    const max = int ? Math.trunc(n.maximum) : n.maximum;
    if (n.exclusiveMaximum ? v >= max : v > max) {
      const shown = int ? String(max) : goFormatFloat(max);
      out.push(other(name, v, `${name} in body should be less than ${n.exclusiveMaximum ? '' : 'or equal to '}${shown}`));
    }
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  if (ka.length !== Object.keys(ob).length) return false;
  return ka.every((k) => hasOwn(ob, k) && deepEqual((a as Record<string, unknown>)[k], ob[k]));
}

/**
 * basicCommonValidator's enum match: Go converts the value to each enum value's type first, so an
 * integer meets a string enum as the rune it numbers (reflect's int-to-string conversion).
 */
function enumMatches(data: unknown, e: unknown): boolean {
  if (data === null || data === undefined || e === null || e === undefined) return false;
  if (typeof e === 'string' && typeof data === 'number' && isInt64(data)) {
    const cp = data >= 0 && data <= 0x10ffff && !(data >= 0xd800 && data <= 0xdfff) ? data : 0xfffd;
    return String.fromCodePoint(cp) === e;
  }
  return deepEqual(data, e);
}

function checkEnum(n: Node, data: unknown, name: string, out: OpenAPIError[]): void {
  for (const e of n.enum!) if (enumMatches(data, e)) return;
  out.push({ code: Code.Enum, name, value: data, message: `${name} in body should be one of ${JSON.stringify(n.enum)}`, values: n.enum });
}

function checkArray(n: Node, a: unknown[], name: string, out: OpenAPIError[], corr: Correlation | undefined): number {
  let count = 0;
  if (n.items) for (let i = 0; i < a.length; i++) count += validateNode(n.items, a[i], `${name}[${i}]`, out, correlateIndex(corr, n, a, i));
  if (n.minItems !== undefined && a.length < n.minItems) {
    out.push(other(name, a.length, `${name} in body should have at least ${n.minItems} items`));
  }
  if (n.maxItems !== undefined && a.length > n.maxItems) {
    out.push({ code: Code.MaxItems, name, value: a.length, message: `${name} in body should have at most ${n.maxItems} items`, valid: n.maxItems });
  }
  if (n.uniqueItems) {
    outer: for (let i = 1; i < a.length; i++) {
      for (let j = 0; j < i; j++) {
        if (deepEqual(a[i], a[j]) || (a[i] === null && a[j] === null)) {
          out.push(other(name, '', `${name} in body shouldn't contain duplicates`));
          break outer;
        }
      }
    }
  }
  return count + 1;
}

function checkObject(n: Node, o: Record<string, unknown>, name: string, out: OpenAPIError[], corr: Correlation | undefined): number {
  let count = 0;
  const keys = Object.keys(o);
  if (n.minProperties !== undefined && keys.length < n.minProperties) {
    out.push(other(name, keys.length, `${name} in body should have at least ${n.minProperties} properties`));
  }
  if (n.maxProperties !== undefined && keys.length > n.maxProperties) {
    out.push({ code: Code.TooManyProperties, name, value: keys.length, message: `${name} in body should have at most ${n.maxProperties} properties`, valid: n.maxProperties });
  }
  const ap = n.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!n.properties?.has(k)) out.push(other(name, k, `${name}.${k} in body is a forbidden property`));
    }
  } else if (ap && typeof ap === 'object') {
    for (const k of keys) {
      if (!n.properties?.has(k)) count += validateNode(ap, o[k], `${name}.${k}`, out, correlateKey(corr, n, o, k));
    }
  }
  if (n.properties) {
    for (const k of n.propertyNames) {
      if (!hasOwn(o, k)) continue;
      // (the root's apiVersion and kind are never ratcheted)
      const c = name === '' && (k === 'apiVersion' || k === 'kind') ? undefined : correlateKey(corr, n, o, k);
      count += validateNode(n.properties.get(k)!, o[k], name ? `${name}.${k}` : k, out, c);
    }
  }
  if (n.required) {
    for (const k of n.required) {
      if (!hasOwn(o, k)) out.push({ code: Code.Required, name: `${name}.${k}`, value: undefined, message: `${name}.${k} in body is required` });
    }
  }
  return count;
}

/**
 * SchemaValidator.Validate: appends the errors, returns the match count. With a correlation (an
 * update), the errors of a value equal to its old self are dropped (ratchetingValueValidator).
 */
export function validateNode(n: Node, data: unknown, name: string, out: OpenAPIError[], corr?: Correlation, ratchet = true): number {
  if (corr && ratchet) {
    const mine: OpenAPIError[] = [];
    const count = validateNode(n, data, name, mine, corr, false);
    if (mine.length && !unchanged(n, data, corr.old)) for (const e of mine) out.push(e);
    return count;
  }
  const kind = kindOf(data);
  const typed = n.types.length > 0 || n.format !== '';
  if (kind === 'nil') {
    const c = typed ? checkType(n, data, kind, name, out) : 0;
    if (n.enum) checkEnum(n, data, name, out);
    return c;
  }
  let count = 0;
  if (typed) count += checkType(n, data, kind, name, out) + 1;
  count += (n.anyOf || n.oneOf || n.allOf || n.not ? checkJunctors(n, data, name, out, corr) : 1) + 1;
  if (kind === 'string') {
    checkString(n, data as string, name, out);
    count++;
    if (n.formatCheck) {
      if (!n.formatCheck(data as string)) out.push(invalidType(name, n.format, data as string));
      count++;
    }
  } else if (kind === 'integer' || kind === 'number') {
    checkNumber(n, data as number, kind, name, out);
    count += 2;
  } else if (kind === 'array') {
    count += checkArray(n, data as unknown[], name, out, corr) + 1;
  }
  if (n.enum) checkEnum(n, data, name, out);
  count++;
  if (kind === 'object') count += checkObject(n, data as Record<string, unknown>, name, out, corr) + 1;
  return count + 1;
}

/** The field path of an error named `name` under the validator's base path. */
function errorPath(base: string, name: string): string {
  if (name === '' || name === '.') return base || '<nil>';
  const rel = name.startsWith('.') ? name.slice(1) : name;
  return base ? `${base}.${rel}` : rel;
}

/** kubeOpenAPIResultToFieldErrors, over kube-openapi's de-duplicated error list. */
export function toFieldErrors(errs: readonly OpenAPIError[], base: string): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    if (seen.has(e.message)) continue;
    seen.add(e.message);
    if (e.code === Code.Plain) {
      out.push(field.invalid(base || '<nil>', '', e.message));
      continue;
    }
    const path = errorPath(base, e.name);
    const value = e.value === undefined || e.value === null ? '' : e.value;
    switch (e.code) {
      case Code.Required:
        out.push(field.required(path, ''));
        break;
      case Code.Enum:
        out.push(field.notSupported(path, e.value ?? null, e.values!.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))));
        break;
      case Code.TooLong:
        out.push(field.tooLong(path, '', e.valid ?? -1));
        break;
      case Code.MaxItems:
      case Code.TooManyProperties:
        out.push(field.tooMany(path, e.value as number, e.valid ?? -1));
        break;
      case Code.InvalidType:
        out.push(field.typeInvalid(path, value, e.message));
        break;
      default:
        out.push(field.invalid(path, value, e.message));
    }
  }
  return out;
}

/**
 * Validates a value against a compiled schema the way kube-openapi does; errors under `base`. With
 * `old` (an update), unchanged values are ratcheted.
 */
export function openAPIValidate(n: Node, data: unknown, base: string, old?: { value: unknown }): FieldError[] {
  const errs: OpenAPIError[] = [];
  validateNode(n, data, '', errs, old ? { old: old.value } : undefined);
  return errs.length ? toFieldErrors(errs, base) : [];
}
