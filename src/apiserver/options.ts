// Query parameters of resource requests (metav1 ListOptions, GetOptions, CreateOptions,
// UpdateOptions, PatchOptions, DeleteOptions), parsed and validated as kube-apiserver does.

import { badRequest, field, invalid, type FieldError } from '../apimachinery/errors.js';
import { parseFieldSelector } from '../apimachinery/fields.js';
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
}

/** kube's query-parameter booleans: absent is false, "0"/"false" (any case) false, anything else true. */
export function bool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?[0-9]+$/.test(v)) throw badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

export function parseListOptions(q: URLSearchParams, type: ResourceType): ListRequestOptions {
  const opts: ListRequestOptions = { allowWatchBookmarks: !!bool(q, 'allowWatchBookmarks'), includeObject: 'Metadata' };
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) {
    const sel = parseFieldSelector(fs);
    const supported = new Set(Object.keys(selectableFields(type, { metadata: {} })));
    for (const r of sel.requirements) {
      if (!supported.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
    }
    opts.fieldSelector = sel;
  }
  const limit = int(q, 'limit');
  if (limit !== undefined && limit > 0) opts.limit = limit;
  const cont = q.get('continue');
  if (cont) opts.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null && rv !== '') opts.resourceVersion = rv;
  const rvm = q.get('resourceVersionMatch');
  if (rvm) opts.resourceVersionMatch = rvm;
  const timeout = int(q, 'timeoutSeconds');
  if (timeout !== undefined) opts.timeoutSeconds = timeout;
  const sie = bool(q, 'sendInitialEvents');
  if (sie !== undefined) opts.sendInitialEvents = sie;
  const inc = q.get('includeObject');
  if (inc) {
    if (inc !== 'None' && inc !== 'Metadata' && inc !== 'Object') {
      throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(inc)}: supported values: "Metadata", "None", "Object"`);
    }
    opts.includeObject = inc;
  }
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

/** DeleteOptions from the body (if any) merged with query parameters, validated. */
export function parseDeleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const b = isPlainObject(body) ? body : {};
  const errs: FieldError[] = [];
  const dryRunValues = [...(Array.isArray(b.dryRun) ? (b.dryRun as string[]) : []), ...q.getAll('dryRun')];
  const opts: DeleteOptions = { dryRun: dryRunOf(dryRunValues, 'DeleteOptions') };
  const policy = (q.get('propagationPolicy') ?? b.propagationPolicy) as string | undefined;
  if (policy !== undefined && policy !== null) {
    if (!POLICIES.includes(policy)) errs.push(field.notSupported('propagationPolicy', policy, [...POLICIES, 'nil']));
    else opts.propagationPolicy = policy as DeletionPropagation;
  }
  const orphanQ = bool(q, 'orphanDependents');
  const orphan = orphanQ ?? (typeof b.orphanDependents === 'boolean' ? b.orphanDependents : undefined);
  if (orphan !== undefined) {
    opts.orphanDependents = orphan;
    if (opts.propagationPolicy) {
      errs.push(field.invalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
    }
  }
  const grace = int(q, 'gracePeriodSeconds') ?? (typeof b.gracePeriodSeconds === 'number' ? b.gracePeriodSeconds : undefined);
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
