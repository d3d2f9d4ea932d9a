// The field-level parts of CustomResourceDefinition validation (apiextensions-apiserver
// pkg/apis/apiextensions/validation validation.go): names, printer columns, subresources, selectable
// fields, conversion, deprecation warnings, stored versions. Paths are the internal form's
// (see internal.ts); messages are kube's.

import { field, OMIT_VALUE, type FieldError } from '../apimachinery/errors.js';
import { isDNS1035Label } from '../apimachinery/validation.js';
import { isObj, type Obj } from '../registry/kinds/_util.js';
import type { InternalConversion, InternalVersion } from './internal.js';
import { validFieldPath } from './selectable-path.js';
import { validateCABundle, validateWebhookService, validateWebhookURL } from './webhookconfig.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A string as Go's encoding/json writes it (with its HTML-safe escapes). */
export function goJSONString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Invalid for a value kube passes as a *string: the field error prints it as JSON (json.Marshal of
 * the pointer), not %q, so e.g. a non-breaking space stays as it is.
 */
export function invalidStringPtr(path: string, value: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path, value: OMIT_VALUE, detail: `${goJSONString(value)}: ${detail}` };
}

/** ValidateCustomResourceDefinitionNames (spec.names and status.acceptedNames). */
export function validateNames(names: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const dns = (p: string, v: string, prefix = ''): void => {
    const msgs = isDNS1035Label(prefix ? v.toLowerCase() : v);
    if (v && msgs.length) errs.push(field.invalid(`${path}.${p}`, v, prefix + msgs.join(',')));
  };
  const plural = str(names.plural);
  const kind = str(names.kind);
  const listKind = str(names.listKind);
  dns('plural', plural);
  dns('singular', str(names.singular));
  dns('kind', kind, 'may have mixed case, but should otherwise match: ');
  dns('listKind', listKind, 'may have mixed case, but should otherwise match: ');
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s, i) => {
    const msgs = isDNS1035Label(str(s));
    if (msgs.length) errs.push(field.invalid(`${path}.shortNames[${i}]`, s, msgs.join(',')));
  });
  // kind and listKind may not be the same or parsing becomes ambiguous
  if (kind && kind === listKind) errs.push(field.invalid(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  (Array.isArray(names.categories) ? names.categories : []).forEach((c, i) => {
    const msgs = isDNS1035Label(str(c));
    if (msgs.length) errs.push(field.invalid(`${path}.categories[${i}]`, c, msgs.join(',')));
  });
  return errs;
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

/**
 * ValidateCustomResourceColumnDefinition. kube checks jsonPath only as a "simple json path" here
 * (an unparsable path is accepted and fails when the table is built), so we do too.
 */
export function validateColumn(col: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(col.type);
  const format = str(col.format);
  const jsonPath = str(col.jsonPath);
  if (!str(col.name)) errs.push(field.required(`${path}.name`));
  if (!type) errs.push(field.required(`${path}.type`, `must be one of ${COLUMN_TYPES.join(',')}`));
  else if (!COLUMN_TYPES.includes(type)) errs.push(field.invalid(`${path}.type`, type, `must be one of ${COLUMN_TYPES.join(',')}`));
  if (format && !COLUMN_FORMATS.includes(format)) errs.push(field.invalid(`${path}.format`, format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  // the internal field is JSONPath, and so is kube's path
  if (!jsonPath) errs.push(field.required(`${path}.JSONPath`));
  else errs.push(...validateSimpleJSONPath(jsonPath, `${path}.JSONPath`));
  return errs;
}

/** validateSimpleJSONPath. */
export function validateSimpleJSONPath(s: string, path: string): FieldError[] {
  if (s.length === 0) return [field.invalid(path, s, 'must not be empty')];
  if (s[0] !== '.') return [field.invalid(path, s, 'must be a simple json path starting with .')];
  return [];
}

/** ValidateCustomResourceDefinitionSubresources. */
export function validateSubresources(sub: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!sub || !isObj(sub.scale)) return errs;
  const scale = sub.scale;
  const under = (key: string, prefixes: string[], msg: string, optional: boolean): void => {
    const p = `${path}.scale.${key}`;
    const v = scale[key];
    if (optional && (typeof v !== 'string' || v === '')) return;
    const s = str(v);
    if (!s) {
      errs.push(field.required(p));
      return;
    }
    const simple = validateSimpleJSONPath(s, p);
    if (simple.length) errs.push(...simple);
    // labelSelectorPath is a *string
    else if (!prefixes.some((pre) => s.startsWith(pre))) errs.push(optional ? invalidStringPtr(p, s, msg) : field.invalid(p, s, msg));
  };
  under('specReplicasPath', ['.spec.'], 'should be a json path under .spec', false);
  under('statusReplicasPath', ['.status.'], 'should be a json path under .status', false);
  under('labelSelectorPath', ['.spec.', '.status.'], 'should be a json path under either .spec or .status', true);
  return errs;
}

/** The most selectable fields a version may declare (MaxSelectableFields). */
export const MAX_SELECTABLE_FIELDS = 8;

/** ValidateCustomResourceSelectableFields against the version's (structural) schema. */
export function validateSelectableFields(fields: Obj[], schema: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const p = `${path}[${i}].jsonPath`;
    const jsonPath = str(f.jsonPath);
    if (!jsonPath) {
      errs.push(field.required(p));
      return;
    }
    const r = validFieldPath(jsonPath, schema, false);
    if (r.error !== undefined) {
      errs.push(field.invalid(p, jsonPath, `is an invalid path: ${r.error}`));
      return;
    }
    if (r.root === 'metadata') errs.push(field.invalid(p, jsonPath, 'must not point to fields in metadata'));
    const type = r.schema?.type;
    if (type !== 'string' && type !== 'boolean' && type !== 'integer') {
      errs.push(field.invalid(p, jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (unique.has(r.path)) errs.push(field.duplicate(p, jsonPath));
    else unique.add(r.path);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS) errs.push(field.tooMany(path, unique.size, MAX_SELECTABLE_FIELDS));
  return errs;
}

/** ConversionReview versions this server understands (acceptedConversionReviewVersions). */
export const CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

export function hasValidConversionReviewVersionOrEmpty(versions: unknown[] | undefined): boolean {
  return !versions || versions.length === 0 || versions.some((v) => CONVERSION_REVIEW_VERSIONS.includes(str(v)));
}

function validateConversionReviewVersions(versions: unknown[] | undefined, requireRecognized: boolean, path: string): FieldError[] {
  if (!versions || versions.length === 0) return [field.required(path)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((raw, i) => {
    const v = str(raw);
    if (seen.has(v)) {
      errs.push(field.invalid(`${path}[${i}]`, v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(field.invalid(`${path}[${i}]`, v, msg));
    if (CONVERSION_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (requireRecognized && !accepted) {
    errs.push(field.invalid(path, versions, `must include at least one of ${CONVERSION_REVIEW_VERSIONS.join(', ')}`));
  }
  return errs;
}

/** validateCustomResourceConversion. */
export function validateConversion(c: InternalConversion | undefined, requireRecognized: boolean, allowInvalidCABundle: boolean,
  path: string): FieldError[] {
  if (!c) return [];
  const errs = validateEnum(`${path}.strategy`, c.strategy, ['None', 'Webhook']);
  const cfgPath = `${path}.webhookClientConfig`;
  if (c.strategy === 'Webhook') {
    const cc = c.webhookClientConfig;
    if (!cc) {
      errs.push(field.required(cfgPath, 'required when strategy is set to Webhook'));
    } else {
      const hasURL = typeof cc.url === 'string';
      if (hasURL === isObj(cc.service)) errs.push(field.required(cfgPath, 'exactly one of url or service is required'));
      else if (hasURL) errs.push(...validateWebhookURL(`${cfgPath}.url`, cc.url as string, true));
      else {
        const svc = cc.service as Obj;
        errs.push(...validateWebhookService(`${cfgPath}.service`, str(svc.name), str(svc.namespace),
          typeof svc.path === 'string' ? svc.path : undefined, typeof svc.port === 'number' ? svc.port : 0));
      }
      const ca = str(cc.caBundle);
      if (ca && !allowInvalidCABundle) errs.push(...validateCABundle(`${cfgPath}.caBundle`, ca));
    }
    errs.push(...validateConversionReviewVersions(c.conversionReviewVersions, requireRecognized, `${path}.conversionReviewVersions`));
  } else {
    if (c.webhookClientConfig) errs.push(field.forbidden(cfgPath, 'should not be set when strategy is not set to Webhook'));
    if (c.conversionReviewVersions && c.conversionReviewVersions.length > 0) {
      errs.push(field.forbidden(`${path}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'));
    }
  }
  return errs;
}

/** validateEnumStrings with required = true. */
export function validateEnum(path: string, value: string, accepted: string[]): FieldError[] {
  if (value === '') return [field.required(path)];
  return accepted.includes(value) ? [] : [field.notSupported(path, value, accepted)];
}

/** The most bytes a deprecationWarning may have. */
const MAX_DEPRECATION_WARNING = 256;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** validateDeprecationWarning: messages for spec.versions[i].deprecationWarning. */
export function deprecationWarningErrors(v: InternalVersion): string[] {
  const w = v.deprecationWarning;
  if (!v.deprecated && w !== undefined) return ['can only be set for deprecated versions'];
  if (w === undefined) return [];
  const msgs: string[] = [];
  const bytes = Buffer.byteLength(w, 'utf8');
  if (bytes > MAX_DEPRECATION_WARNING) msgs.push(`must be <= ${MAX_DEPRECATION_WARNING} characters long`);
  if (bytes === 0) msgs.push('must not be an empty string');
  let offset = 0;
  for (const ch of w) {
    // unicode.IsPrint; a control character is never printable, so Go's IsControl branch never fires
    if (!PRINTABLE.test(ch)) {
      msgs.push(`must only contain printable UTF-8 characters; non-printable character found at index ${offset}`);
      break;
    }
    offset += Buffer.byteLength(ch, 'utf8');
  }
  return msgs;
}

/** ValidateCustomResourceDefinitionStoredVersions. */
export function validateStoredVersions(stored: unknown, versions: InternalVersion[], path: string): FieldError[] {
  const list = Array.isArray(stored) ? stored.map(str) : [];
  if (list.length === 0) return [field.invalid(path, Array.isArray(stored) ? stored : null, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const remaining = new Map<string, number>();
  list.forEach((v, i) => remaining.set(v, i));
  for (const v of versions) {
    const has = remaining.has(v.name);
    if (v.storage && !has) errs.push(field.invalid(path, list, `must have the storage version ${v.name}`));
    if (has) remaining.delete(v.name);
  }
  // (Go ranges over a map here: with several missing versions kube's order varies; ours is the list's)
  for (const [v, i] of remaining) {
    errs.push(field.invalid(`${path}[${i}]`, v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
  }
  return errs;
}
