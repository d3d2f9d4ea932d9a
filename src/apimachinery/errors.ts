// metav1.Status errors and field errors with kube-apiserver's codes, reasons and message formats.
// Every error that leaves the API server is a StatusError; anything else becomes a 500.

import { goQuote } from './gofmt.js';

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone'
  | 'Invalid' | 'ServerTimeout' | 'Timeout' | 'TooManyRequests' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | 'InternalError' | 'Expired' | 'ServiceUnavailable' | '';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    // Go's encoder omits empty strings and lists of these omitempty fields
    if (!reason) delete this.status.reason;
    if (details) {
      const d: StatusDetails = {};
      for (const [k, v] of Object.entries(details) as [keyof StatusDetails, unknown][]) {
        if (v === undefined || v === '' || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
        (d as Record<string, unknown>)[k] = v;
      }
      this.status.details = d;
    }
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason {
    return this.status.reason ?? '';
  }
}

export function isStatusError(e: unknown, reason?: StatusReason): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}

/** A group and resource ("configmaps", "roles.rbac.authorization.k8s.io"), as kube prints them. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export interface GroupKind {
  group: string;
  kind: string;
}

function groupKindString(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${groupResourceString(gr)} "${name}" not found`, {
    name, group: gr.group || undefined, kind: gr.resource,
  });
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${groupResourceString(gr)} "${name}" already exists`, {
    name, group: gr.group || undefined, kind: gr.resource,
  });
}

export function generateNameConflict(gr: GroupResource, name: string, retryAfterSeconds: number): StatusError {
  return new StatusError(409, 'AlreadyExists',
    `${groupResourceString(gr)} "${name}" already exists, the server was not able to generate a unique name for the object`,
    { name, group: gr.group || undefined, kind: gr.resource, retryAfterSeconds });
}

export function conflict(gr: GroupResource, name: string, reason: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${reason}`, {
    name, group: gr.group || undefined, kind: gr.resource,
  });
}

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function forbidden(gr: GroupResource, name: string, reason: string): StatusError {
  const subject = name ? `${groupResourceString(gr)} "${name}"` : groupResourceString(gr);
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${reason}`, {
    name: name || undefined, group: gr.group || undefined, kind: gr.resource,
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message);
}

export function methodNotSupported(gr: GroupResource, action: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${groupResourceString(gr)}"`, {
    group: gr.group || undefined, kind: gr.resource,
  });
}

export function resourceExpired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Gone', message);
}

/**
 * Where kube-apiserver answers a client's malformed input with an untyped error (a 500 with no
 * reason and its decoder's or storage's own text: an undecodable DeleteOptions body, a
 * resourceVersion that is no number, a strategic merge patch of the wrong shape), kplane keeps the
 * text but answers 400 BadRequest. One tenant's mistakes must not read as the provider's failure:
 * 5xx rates page operators, and clients treat a 5xx as a server fault worth retrying. Each place is
 * listed in test/compat/accepted-differences.yaml.
 */
export function clientInputError(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function internalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}

export function timeoutError(message: string, retryAfterSeconds = 0): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function requestEntityTooLarge(message: string): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** The handlers' 415 (negotiation.NewUnsupportedMediaTypeError): the accepted types, no details. */
export function unsupportedMediaType(supported: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`);
}

export function notAcceptable(supported: string[]): StatusError {
  return new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${supported.join(', ')}`);
}

export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a field error whose value is not printed. */
export const OMIT_VALUE: unique symbol = Symbol('omit');

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value: unknown;
  detail: string;
}

/** Formats a bad value the way Go's %v / %q would for the values we validate. */
function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // Go's json.Marshal escapes <, >, & and the JS line separators (a CEL rule `a > b` shows as `a \u003e b`)
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function fieldErrorBody(e: FieldError): string {
  let s: string;
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'FieldValueTooLong'
    || e.type === 'InternalError' || e.value === OMIT_VALUE) {
    s = typeText[e.type];
  } else {
    s = `${typeText[e.type]}: ${formatValue(e.value)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const field = {
  required: (path: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: path, value: '', detail }),
  invalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field: path, value, detail }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: path, value, detail: '' }),
  notFound: (path: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: path, value, detail: '' }),
  forbidden: (path: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: path, value: '', detail }),
  notSupported: (path: string, value: unknown, valid: string[]): FieldError => ({
    type: 'FieldValueNotSupported', field: path, value,
    detail: valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '',
  }),
  tooLong: (path: string, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong', field: path, value, detail: `may not be more than ${max} bytes`,
  }),
  tooLongMaxLength: (path: string, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong', field: path, value, detail: max >= 0 ? `may not be longer than ${max}` : 'value is too long',
  }),
  tooMany: (path: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany', field: path, value: actual >= 0 ? actual : OMIT_VALUE,
    detail: max >= 0 ? `must have at most ${max} items` : 'has too many items',
  }),
  typeInvalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: path, value, detail }),
  internal: (path: string, err: Error): FieldError => ({ type: 'InternalError', field: path, value: null, detail: err.message }),
};

/** Joins errors like utilerrors.Aggregate: one error alone, several in brackets; duplicates dropped. */
export function aggregateMessage(messages: string[]): string {
  const uniq = [...new Set(messages)];
  return uniq.length === 1 ? uniq[0]! : `[${uniq.join(', ')}]`;
}

/**
 * From this many field errors on, an Invalid error's message and causes are built only when read.
 * kube keeps every error, in the message and as causes (apierrors.NewInvalid has no limit), so a
 * body of a few MiB can make a reply of hundreds; sendError streams such a Status from the field
 * errors in slices (large-status.ts) instead of building it in one piece on the event loop.
 */
export const LARGE_INVALID_ERRORS = 1000;

const LARGE = Symbol('large Invalid');

/** What a large Invalid Status is made of, while its message and causes have not been replaced. */
export interface LargeInvalid {
  /** The message up to the aggregated field errors: `Kind "name" is invalid: `. */
  prefix: string;
  errs: readonly FieldError[];
}

export function largeInvalidOf(status: Status): LargeInvalid | undefined {
  return (status as { [LARGE]?: LargeInvalid })[LARGE];
}

/** 422 Invalid with field causes, as apierrors.NewInvalid. */
export function invalid(gk: GroupKind, name: string, errs: FieldError[]): StatusError {
  const prefix = `${groupKindString(gk)} "${name}" is invalid: `;
  const details = { name, group: gk.group || undefined, kind: gk.kind || undefined };
  if (errs.length < LARGE_INVALID_ERRORS) {
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    return new StatusError(422, 'Invalid', prefix + aggregateMessage(errs.map(fieldErrorString)), { ...details, causes });
  }
  const err = new StatusError(422, 'Invalid', '', details);
  const status = err.status as Status & { [LARGE]?: LargeInvalid };
  const d = status.details!;
  status[LARGE] = { prefix, errs };
  let message: string | undefined;
  let causes: StatusCause[] | undefined;
  // (redefining keeps the properties' places, so the JSON is in the same order either way)
  Object.defineProperty(status, 'message', {
    enumerable: true, configurable: true,
    get: () => (message ??= prefix + aggregateMessage(errs.map(fieldErrorString))),
    set: (v: string) => { message = v; delete status[LARGE]; },
  });
  Object.defineProperty(d, 'causes', {
    enumerable: true, configurable: true,
    get: () => (causes ??= errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }))),
    set: (v: StatusCause[]) => { causes = v; delete status[LARGE]; },
  });
  Object.defineProperty(err, 'message', {
    enumerable: false, configurable: true,
    get: () => status.message,
    set: (v: string) => { status.message = v; },
  });
  return err;
}
