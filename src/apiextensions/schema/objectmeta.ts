// Embedded resources (x-kubernetes-embedded-resource): their apiVersion, kind and ObjectMeta, as
// structural objectmeta validates them (Validate: required type meta, a parseable group version,
// a DNS-1035-like kind, ObjectMeta rules with path-segment names) and coerces them on decode
// (Coerce: metadata re-encoded as a typed ObjectMeta, unknown metadata fields reported).

import { field, fieldErrorString, type FieldError } from '../../apimachinery/errors.js';
import { isDNS1035Label, validateObjectMeta, validatePathSegmentName } from '../../apimachinery/validation.js';
import type { ObjectMeta } from '../../apimachinery/object.js';
import type { Node } from './node.js';
import { child, index, isObject, key } from './paths.js';
import { decodeObjectMeta, decodeObjectMetaDropping } from './typed-meta.js';
import { sortedDeep } from '../../openapi/schemautil.js';

/** schema.ParseGroupVersion's error, if any. */
function groupVersionError(gv: string): string | undefined {
  if (gv === '' || gv === '/') return undefined;
  return gv.split('/').length > 2 ? `unexpected GroupVersion string: ${gv}` : undefined;
}

function validateEmbedded(path: string, o: Record<string, unknown>, errs: FieldError[]): void {
  if (!('apiVersion' in o)) errs.push(field.required(child(path, 'apiVersion'), ''));
  if (!('kind' in o)) errs.push(field.required(child(path, 'kind'), ''));
  if ('apiVersion' in o) {
    const v = o.apiVersion;
    const p = child(path, 'apiVersion');
    if (typeof v !== 'string') errs.push(field.invalid(p, sortedDeep(v), 'must be a string'));
    else if (v === '') errs.push(field.invalid(p, v, 'must not be empty'));
    else {
      const e = groupVersionError(v);
      if (e) errs.push(field.invalid(p, v, e));
    }
  }
  if ('kind' in o) {
    const v = o.kind;
    const p = child(path, 'kind');
    if (typeof v !== 'string') errs.push(field.invalid(p, sortedDeep(v), 'must be a string'));
    else if (v === '') errs.push(field.invalid(p, v, 'must not be empty'));
    else {
      const msgs = isDNS1035Label(v.toLowerCase());
      if (msgs.length) errs.push(field.invalid(p, v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
    }
  }
  if ('metadata' in o) {
    const p = child(path, 'metadata');
    const d = decodeObjectMeta(o.metadata);
    if (d.error) {
      errs.push(field.invalid(p, sortedDeep(o.metadata), d.error)); // (Go prints maps with sorted keys)
    } else {
      const meta = { ...(d.value ?? {}) } as ObjectMeta;
      if (!meta.name) meta.name = 'fakename'; // kube sets one so that a name is not required
      for (const e of validateObjectMeta(meta, !!meta.namespace, validatePathSegmentName, p)) errs.push(e);
    }
  }
}

function walk(path: string, n: Node | undefined, v: unknown, errs: FieldError[], root = false): void {
  if (!n || !(n.needsObjectWalk || root)) return;
  if (Array.isArray(v)) {
    if (n.items) for (let i = 0; i < v.length; i++) walk(index(path, i), n.items, v[i], errs);
    return;
  }
  if (!isObject(v)) return;
  if (n.embeddedResource || root) validateEmbedded(path, v, errs);
  const ap = typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const p = n.properties?.get(k);
    if (p) walk(child(path, k), p, v[k], errs);
    else if (ap) walk(key(path, k), ap, v[k], errs);
  }
}

/**
 * objectmeta.Validate(ctx, path, obj, schema, isResourceRoot): the embedded resources (and with
 * isResourceRoot, obj itself as one).
 */
export function validateEmbeddedResources(n: Node, obj: unknown, path: string, isResourceRoot = false): FieldError[] {
  const errs: FieldError[] = [];
  walk(path, n, obj, errs, isResourceRoot);
  return errs;
}

/** A decoding failure of an embedded resource's type or object meta (kube answers 400 with it). */
export class MetadataCoercionError extends Error {
  /** The message is the field error, or for the root's metadata Go's decoding error alone (as kube words it). */
  constructor(readonly fieldError: FieldError, message = fieldErrorString(fieldError)) {
    super(message);
    this.name = 'MetadataCoercionError';
  }
}

/** Re-encodes one object's metadata as ObjectMeta; returns the unknown field paths. */
export function coerceMetadata(o: Record<string, unknown>, path: string, drop: boolean): string[] {
  if (!('metadata' in o)) return [];
  const metaPath = child(path, 'metadata');
  const d = drop ? decodeObjectMetaDropping(o.metadata) : decodeObjectMeta(o.metadata);
  if (d.error) throw new MetadataCoercionError(field.invalid(metaPath, sortedDeep(o.metadata), d.error), path ? undefined : d.error);
  if (d.value === undefined) {
    delete o.metadata;
    return [];
  }
  o.metadata = d.value;
  return d.unknown.map((u) => `${metaPath}.${u}`);
}

function coerceWalk(path: string, n: Node | undefined, v: unknown, drop: boolean, unknown: string[], root = false): void {
  if (!n || !(n.needsObjectWalk || root)) return;
  if (Array.isArray(v)) {
    if (n.items) for (let i = 0; i < v.length; i++) coerceWalk(index(path, i), n.items, v[i], drop, unknown);
    return;
  }
  if (!isObject(v)) return;
  if (n.embeddedResource || root) {
    for (const k of ['apiVersion', 'kind']) {
      if (k in v && typeof v[k] !== 'string') {
        if (drop) delete v[k];
        else throw new MetadataCoercionError(field.invalid(child(path, k), sortedDeep(v[k]), 'must be a string'));
      }
    }
    unknown.push(...coerceMetadata(v, path, drop));
  }
  const ap = typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const p = n.properties?.get(k);
    if (p) coerceWalk(child(path, k), p, v[k], drop, unknown);
    else if (ap) coerceWalk(key(path, k), ap, v[k], drop, unknown);
  }
}

/**
 * objectmeta.CoerceWithOptions: re-encodes the metadata of the embedded resources (with
 * isResourceRoot, of obj too); returns the sorted unknown metadata field paths. Throws
 * MetadataCoercionError for malformed type or object meta unless drop.
 */
export function coerceEmbeddedResources(n: Node, obj: unknown, drop: boolean, path = '', isResourceRoot = false): string[] {
  const unknown: string[] = [];
  coerceWalk(path, n, obj, drop, unknown, isResourceRoot);
  return unknown.sort();
}
