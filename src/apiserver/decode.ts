// Request body decoding, as kube-apiserver's typed decoders behave: JSON or YAML is parsed, the
// object is checked against its kind's schema the way Go's JSON decoder would (wrong types are
// errors, unknown fields are dropped), and unknown/duplicate fields are reported according to
// the fieldValidation directive (Strict: 400, Warn: warnings, Ignore: silence).

import { parse as parseYaml, YAMLParseError } from 'yaml';
import { badRequest, StatusError } from '../apimachinery/errors.js';
import { isPlainObject, parseApiVersion, type KubeObject } from '../apimachinery/object.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { findDuplicateFields, findUnknownFields, goJsonSyntaxError } from '../apimachinery/strict.js';
import { apiVersionOfType, type ResourceType } from '../registry/types.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface Decoded {
  object: KubeObject;
  warnings: string[];
}

/** Parses a body in the given format into a JSON value; syntax errors come back as Go would word them. */
export function parseBody(text: string, format: 'json' | 'yaml'): { value?: unknown; error?: string } {
  if (format === 'json') {
    try {
      return { value: JSON.parse(text) };
    } catch {
      return { error: goJsonSyntaxError(text) ?? 'invalid JSON' };
    }
  }
  try {
    const value = parseYaml(text, { version: '1.1', uniqueKeys: false, maxAliasCount: 100 }) as unknown;
    return { value };
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0]! : String(e);
    return { error: `error converting YAML to JSON: yaml: ${msg}` };
  }
}

/** kube's summarizeData: the start of a body for error messages. */
function summarize(text: string): string {
  if (text.length === 0) return '<empty>';
  return text.length > 30 ? `${text.slice(0, 30)} ...` : text;
}

/** The Go type name kube's decoder would print for a schema node. */
function goType(s: SchemaNode | undefined): string {
  if (!s) return 'interface {}';
  const def = s['x-kplane-go-type'];
  if (typeof def === 'string') return def;
  if (s['x-kubernetes-int-or-string']) return 'intstr.IntOrString';
  switch (s.type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return 'float64';
    case 'array': return `[]${goType(s.items)}`;
    case 'object':
      if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object') {
        return `map[string]${goType(s.additionalProperties)}`;
      }
      return 'struct';
    default: return 'interface {}';
  }
}

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

class TypeError_ extends Error {}

/**
 * Walks a value against its schema like Go's decoder: JSON null leaves the zero value (dropped),
 * unknown object fields are dropped, type mismatches throw with Go's message.
 */
function conform(v: unknown, s: SchemaNode | undefined, structName: string, fieldPath: string[]): unknown {
  if (v === null || v === undefined) return undefined;
  if (!s || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource']) return v;
  const mismatch = (what = jsonKind(v)): never => {
    const where = fieldPath.length ? `Go struct field ${structName}.${fieldPath.join('.')}` : 'Go value';
    throw new TypeError_(`json: cannot unmarshal ${what} into ${where} of type ${goType(s)}`);
  };
  if (s['x-kubernetes-int-or-string']) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) mismatch();
    return v;
  }
  switch (s.type) {
    case 'string':
      // resource.Quantity also accepts a bare number
      if (typeof v === 'number' && s['x-kplane-go-type'] === 'resource.Quantity') return String(v);
      if (typeof v !== 'string') mismatch();
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') mismatch();
      return v;
    case 'integer':
      if (typeof v !== 'number') mismatch();
      if (!Number.isInteger(v)) mismatch(`number ${v as number}`);
      return v;
    case 'number':
      if (typeof v !== 'number') mismatch();
      return v;
    case 'array': {
      if (!Array.isArray(v)) mismatch();
      return (v as unknown[]).map((item) => conform(item, s.items, structName, fieldPath) ?? zeroOf(s.items));
    }
    case 'object': {
      if (!isPlainObject(v)) mismatch();
      const obj = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      if (s.properties) {
        const struct = typeof s['x-kplane-go-type'] === 'string' ? (s['x-kplane-go-type'] as string).replace(/^.*\./, '') : structName;
        const inner = struct !== structName ? [] : fieldPath;
        for (const [k, val] of Object.entries(obj)) {
          const ps = s.properties[k];
          if (ps) {
            const c = conform(val, ps, struct, [...inner, k]);
            if (c !== undefined) out[k] = c;
          } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
            const c = conform(val, s.additionalProperties, struct, [...inner, k]);
            if (c !== undefined) out[k] = c;
          } else if (s.additionalProperties === true) {
            out[k] = val;
          }
          // else: unknown field, dropped (reported separately by findUnknownFields)
        }
        return out;
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        for (const [k, val] of Object.entries(obj)) {
          const c = conform(val, s.additionalProperties, structName, fieldPath);
          out[k] = c === undefined ? zeroOf(s.additionalProperties) : c;
        }
        return out;
      }
      return v;
    }
    default:
      return v;
  }
}

/** Go's zero value for a map or slice element that was null. */
function zeroOf(s: SchemaNode | undefined): unknown {
  switch (s?.type) {
    case 'string': return '';
    case 'integer':
    case 'number': return 0;
    case 'boolean': return false;
    default: return null;
  }
}

export interface DecodeRequest {
  type: ResourceType;
  schema: SchemaNode | undefined;
  text: string;
  format: 'json' | 'yaml';
  fieldValidation: FieldValidation;
}

/** Decodes a create/update body into an object of the endpoint's kind. */
export function decodeObject(req: DecodeRequest): Decoded {
  const { type, text } = req;
  const parsed = parseBody(text, req.format);
  if (parsed.error !== undefined) {
    throw badRequest(`the object provided is unrecognized (must be of type ${type.kind}): couldn't get version/kind; json parse error: ${parsed.error} (${summarize(text)})`);
  }
  const duplicates = req.format === 'json' && req.fieldValidation !== 'Ignore' ? findDuplicateFields(text) : [];
  return conformObject(req, parsed.value, duplicates);
}

/** Checks an already parsed value (e.g. a patch result) against the endpoint's kind. */
export function conformObject(req: Omit<DecodeRequest, 'text' | 'format'>, value: unknown, duplicates: string[] = []): Decoded {
  const { type } = req;
  if (!isPlainObject(value)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${type.kind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(value)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (${summarize(JSON.stringify(value))})`);
  }
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  const kind = typeof value.kind === 'string' ? value.kind : '';
  const expected = apiVersionOfType(type);
  const gv = parseApiVersion(apiVersion || expected);
  const gvk = { kind: kind || type.kind, version: gv.version };
  const cannot = (why: string) => badRequest(`${gvk.kind} in version "${gvk.version}" cannot be handled as a ${type.kind}: ${why}`);
  if (apiVersion && apiVersion !== expected) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected})`);
  }
  if (kind && kind !== type.kind) {
    throw cannot(`converting (${gv.group ? `${gv.group}.` : ''}${gv.version}.${kind}) to (${type.group || 'core'}.${type.kind}): unknown conversion`);
  }
  let obj: KubeObject;
  try {
    obj = conform(value, req.schema, type.kind, []) as KubeObject;
  } catch (e) {
    if (e instanceof TypeError_) throw cannot(e.message);
    throw e;
  }
  obj.apiVersion = expected;
  obj.kind = type.kind;
  obj.metadata ??= {};
  const warnings: string[] = [];
  if (req.fieldValidation !== 'Ignore') {
    const unknown = req.schema ? findUnknownFields(value, req.schema) : [];
    const problems = [...unknown, ...duplicates];
    if (problems.length) {
      if (req.fieldValidation === 'Strict') throw cannot(`strict decoding error: ${problems.join(', ')}`);
      warnings.push(...problems);
    }
  }
  return { object: obj, warnings };
}

export function isStatus(e: unknown): e is StatusError {
  return e instanceof StatusError;
}
