// Query parameters of resource requests (metav1 ListOptions, GetOptions, CreateOptions,
// UpdateOptions, PatchOptions, DeleteOptions), parsed and validated as kube-apiserver does.

import { badRequest, clientInputError, field, invalid, type FieldError } from '../apimachinery/errors.js';
import { parseFieldSelector } from '../apimachinery/fields.js';
import { goQuote } from '../apimachinery/gofmt.js';
import { parseLabelSelector } from '../apimachinery/labels.js';
import { isPlainObject } from '../apimachinery/object.js';
import type { DeleteOptions, WatchOptions } from '../registry/store.js';
import { selectableFields } from '../registry/store.js';
import type { DeletionPropagation, ResourceType } from '../registry/types.js';
import type { FieldValidation } from './decode.js';
import type { IncludeObject } from './respond.js';

export interface ListRequestOptions extends WatchOptions {
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  includeObject: IncludeObject;
  badIncludeObject?: string;
}

/** kube's query-parameter booleans: absent is false, "0"/"false" (any case) false, anything else true. */
export function bool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(v, 10, 64)'s error text, or undefined when v parses. */
export function goParseIntError(v: string): string | undefined {
  if (!/^[+-]?[0-9]+$/.test(v)) return `strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`;
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) return `strconv.ParseInt: parsing ${goQuote(v)}: value out of range`;
  return undefined;
}

/** strconv.ParseUint(v, 10, 64)'s error text, or undefined when v parses. */
export function goParseUintError(v: string): string | undefined {
  if (!/^[0-9]+$/.test(v)) return `strconv.ParseUint: parsing ${goQuote(v)}: invalid syntax`;
  if (BigInt(v) > UINT64_MAX) return `strconv.ParseUint: parsing ${goQuote(v)}: value out of range`;
  return undefined;
}

/**
 * An int64 query parameter, converted as kube's parameter codec does: the first value, any text
 * that strconv.ParseInt refuses (the empty string included) is a 400 with its error as the message.
 */
function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const err = goParseIntError(v);
  if (err) throw badRequest(err);
  return Number(v);
}

/**
 * A resourceVersion parameter of a read, as the storage layer parses it: a get or watch that names
 * one that is not an unsigned integer fails with an untyped error (500), a list with a 400.
 */
export function checkReadResourceVersion(rv: string | undefined, verb: 'get' | 'list' | 'watch'): void {
  if (rv === undefined || rv === '' || rv === '0') return;
  const err = goParseUintError(rv);
  if (!err) return;
  const msg = `resourceVersion: Invalid value: ${goQuote(rv)}: ${err}`;
  if (verb === 'list') throw badRequest(`invalid resource version: ${msg}`);
  throw clientInputError(msg);
}

/**
 * The resourceVersion of an object being written, as etcd3's versioner reads it: anything but an
 * unsigned integer is an untyped (500) error carrying strconv's text.
 */
export function checkObjectResourceVersion(rv: unknown): void {
  if (typeof rv !== 'string' || rv === '') return;
  const err = goParseUintError(rv);
  if (err) throw clientInputError(err);
}

/**
 * A field selector's labels, as the scheme converts them: kinds registered with a field label
 * conversion function (those with selectable fields of their own) answer "field label not
 * supported"; the rest get the default conversion, which knows metadata.name and
 * metadata.namespace only (cluster-scoped kinds included).
 */
function checkFieldLabel(type: ResourceType, label: string): void {
  // custom resources: metadata.name, metadata.namespace and the CRD's selectableFields
  if (type.strategy.selectableFields || type.customResource) {
    if (!(label in selectableFields(type, { metadata: {} }))) throw badRequest(`field label not supported: ${label}`);
    return;
  }
  if (label !== 'metadata.name' && label !== 'metadata.namespace') {
    throw badRequest(`${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
}

/** TableOptions: what a conversion to a Table reads from the query. */
export interface TableRequestOptions {
  includeObject: IncludeObject;
  /** An includeObject value kube refuses, reported only when a Table is actually served. */
  badIncludeObject?: string;
}

/** GetOptions: only the resourceVersion (and a table's includeObject) matter to a get. */
export function parseGetOptions(q: URLSearchParams): TableRequestOptions & { resourceVersion?: string } {
  const rv = q.get('resourceVersion');
  return { resourceVersion: rv !== null && rv !== '' ? rv : undefined, ...tableOptionsOf(q) };
}

function tableOptionsOf(q: URLSearchParams): TableRequestOptions {
  const inc = q.get('includeObject');
  if (!inc) return { includeObject: 'Metadata' };
  if (inc !== 'None' && inc !== 'Metadata' && inc !== 'Object') return { includeObject: 'Metadata', badIncludeObject: inc };
  return { includeObject: inc };
}

/**
 * ValidateTableOptions, run (as kube does) only when the response is converted to a Table: the
 * request has been served by then, the conversion fails with a 400.
 */
export function checkTableOptions(opts: TableRequestOptions, output: { as?: string }): void {
  if (output.as !== 'Table' || opts.badIncludeObject === undefined) return;
  throw badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${goQuote(opts.badIncludeObject)}: must be 'Metadata', 'Object', 'None', or empty`);
}

export function parseListOptions(q: URLSearchParams, type: ResourceType): ListRequestOptions {
  const opts: ListRequestOptions = { allowWatchBookmarks: !!bool(q, 'allowWatchBookmarks'), includeObject: 'Metadata' };
  // url.Values -> v1.ListOptions converts fields in struct order (the integers can fail), then the
  // selectors are parsed converting to the internal version
  const rv = q.get('resourceVersion');
  if (rv !== null && rv !== '') opts.resourceVersion = rv;
  const rvm = q.get('resourceVersionMatch');
  if (rvm) opts.resourceVersionMatch = rvm;
  const timeout = int(q, 'timeoutSeconds');
  if (timeout !== undefined) opts.timeoutSeconds = timeout;
  const limit = int(q, 'limit');
  if (limit !== undefined && limit > 0) opts.limit = limit;
  const cont = q.get('continue');
  if (cont) opts.continue = cont;
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) {
    const sel = parseFieldSelector(fs);
    for (const r of sel.requirements) checkFieldLabel(type, r.field);
    opts.fieldSelector = sel;
  }
  const sie = bool(q, 'sendInitialEvents');
  if (sie !== undefined) opts.sendInitialEvents = sie;
  Object.assign(opts, tableOptionsOf(q));
  return opts;
}

/** dryRun: every value must be "All" (the only dry-run mode). */
function dryRunOf(values: string[], optionsKind: string): boolean {
  if (values.some((v) => v !== 'All')) {
    throw invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [field.notSupported('dryRun', values, ['All'])]);
  }
  return values.length > 0;
}

export interface WriteRequestOptions {
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
}

export function parseWriteOptions(q: URLSearchParams, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): WriteRequestOptions {
  const dryRun = dryRunOf(q.getAll('dryRun'), optionsKind);
  const fv = q.get('fieldValidation') ?? '';
  let fieldValidation: FieldValidation = 'Warn';
  if (fv === 'Ignore' || fv === 'Warn' || fv === 'Strict') fieldValidation = fv;
  else if (fv !== '') {
    throw invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [
      field.notSupported('fieldValidation', fv, ['', 'Ignore', 'Strict', 'Warn']),
    ]);
  }
  const fm = q.get('fieldManager') ?? undefined;
  if (fm !== undefined && fm.length > 128) {
    throw invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [field.tooLong('fieldManager', fm, 128)]);
  }
  return { dryRun, fieldManager: fm, fieldValidation };
}

const POLICIES = ['Foreground', 'Background', 'Orphan'];

/**
 * DeleteOptions, validated: from the body when the request has one (kube then ignores the query),
 * else from the query parameters.
 */
export function parseDeleteOptions(q: URLSearchParams, from: { body?: unknown }): DeleteOptions {
  const hasBody = from.body !== undefined;
  const b = hasBody && isPlainObject(from.body) ? from.body : {};
  const errs: FieldError[] = [];
  // url.Values -> DeleteOptions converts gracePeriodSeconds first: the one field that can fail
  const graceQ = hasBody ? undefined : int(q, 'gracePeriodSeconds');
  const dryRunValues = hasBody ? (Array.isArray(b.dryRun) ? (b.dryRun as string[]) : []) : q.getAll('dryRun');
  const opts: DeleteOptions = { dryRun: dryRunOf(dryRunValues, 'DeleteOptions') };
  const policy = (hasBody ? b.propagationPolicy : q.get('propagationPolicy') ?? undefined) as string | undefined;
  if (policy !== undefined && policy !== null) {
    if (!POLICIES.includes(policy)) errs.push(field.notSupported('propagationPolicy', policy, [...POLICIES, 'nil']));
    else opts.propagationPolicy = policy as DeletionPropagation;
  }
  const orphan = hasBody ? (typeof b.orphanDependents === 'boolean' ? b.orphanDependents : undefined) : bool(q, 'orphanDependents');
  if (orphan !== undefined) {
    opts.orphanDependents = orphan;
    if (opts.propagationPolicy) {
      errs.push(field.invalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
    }
  }
  const grace = hasBody ? (typeof b.gracePeriodSeconds === 'number' ? b.gracePeriodSeconds : undefined) : graceQ;
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  if (isPlainObject(b.preconditions)) {
    const p = b.preconditions;
    opts.preconditions = {};
    if (typeof p.uid === 'string') opts.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string') opts.preconditions.resourceVersion = p.resourceVersion;
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', errs);
  return opts;
}

export function isPretty(q: URLSearchParams, userAgent: string | undefined): boolean {
  const p = q.get('pretty');
  if (p !== null) return p === 'true' || p === '1' || p === '';
  // kube pretty-prints for curl, wget and browsers
  return !!userAgent && /^(curl|Wget|Mozilla\/)/.test(userAgent);
}
