// Validation of names, labels, annotations and ObjectMeta with kube-apiserver's exact messages
// (k8s.io/apimachinery util/validation, api/validation, apis/meta/v1/validation, api/validation/path).
// String validators return messages ([] = valid); field validators return FieldErrors whose order
// follows kube's code. Go measures lengths in UTF-8 bytes, so do we.

import { field, type FieldError } from './errors.js';
import type { ObjectMeta, OwnerReference } from './object.js';

/**
 * Appends a list to another; `push(...list)` passes every element as an argument and throws a
 * RangeError past about 120k of them, which one request's field errors can reach.
 */
export function appendAll<T>(to: T[], list: readonly T[]): void {
  for (let i = 0; i < list.length; i++) to.push(list[i]!);
}

/** kube's ValidateNameFunc: messages for a name, or for a generateName prefix when `prefix` is true. */
export type NameValidator = (name: string, prefix: boolean) => string[];

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export { goIsPrint, goQuote } from './gofmt.js';
import { goIsPrint, goQuote } from './gofmt.js';

// ---- k8s.io/apimachinery/pkg/util/validation ----

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // kube joins examples as "'a',  or 'b', " (two spaces): keep its exact punctuation.
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

const qnameCharFmt = '[A-Za-z0-9]';
const qnameExtCharFmt = '[-A-Za-z0-9_.]';
const qualifiedNameFmt = `(${qnameCharFmt}${qnameExtCharFmt}*)?${qnameCharFmt}`;
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);

/** A qualified name without prefix that is valid: one regex for the common case (ASCII, at most 63). */
const plainQualifiedNameRe = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function isQualifiedName(value: string): string[] {
  if (plainQualifiedNameRe.test(value)) return [];
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [`a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`
      + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (utf8Length(name) > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LABEL_VALUE_MAX_LENGTH = 63;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123_LABEL_MAX_LENGTH = 63;
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a label can only differ by its dots: say so plainly.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push(maxLenError(63));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

const wildcardDNS1123SubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardDNS1123SubdomainRe = new RegExp(`^${wildcardDNS1123SubdomainFmt}$`);

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!wildcardDNS1123SubdomainRe.test(value)) {
    errs.push(regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
      wildcardDNS1123SubdomainFmt, '*.example.com'));
  }
  return errs;
}

const cIdentifierFmt = '[A-Za-z_][A-Za-z0-9_]*';
const cIdentifierRe = new RegExp(`^${cIdentifierFmt}$`);

export function isCIdentifier(value: string): string[] {
  if (cIdentifierRe.test(value)) return [];
  return [regexError("a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'",
    cIdentifierFmt, 'my_name', 'MY_NAME', 'MyName')];
}

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function isInRange(value: number, min: number, max: number): string[] {
  return value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (utf8Length(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPercent(percent: string): string[] {
  if (/^[0-9]+%$/.test(percent)) return [];
  return [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

export function isHTTPHeaderName(value: string): string[] {
  if (/^[-A-Za-z0-9]+$/.test(value)) return [];
  return [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')];
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';

export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${envVarNameFmt}$`).test(value)) {
    errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
      envVarNameFmt, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  }
  return errs.concat(hasChDirPrefix(value));
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!new RegExp(`^${configMapKeyFmt}$`).test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
      configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  return errs.concat(hasChDirPrefix(value));
}

// ---- IP addresses (util/validation/ip.go; parsing as k8s.io/utils/net ParseIPSloppy and Go's netip) ----

interface ParsedIP {
  bytes: number[]; // 16 bytes
  v4: boolean; // written as a dotted quad
  strictOk: boolean; // netip.ParseAddr would accept it (no leading zeros, <= 4 hex digits a group)
}

function parseIPv4(s: string): { bytes: number[]; strictOk: boolean } | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  let strictOk = true;
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return undefined;
    const n = Number(p.length > 8 ? '999' : p);
    if (n > 255) return undefined;
    if (p.length > 1 && p[0] === '0') strictOk = false;
    bytes.push(n);
  }
  return { bytes, strictOk };
}

function parseIP(s: string): ParsedIP | undefined {
  const v4 = parseIPv4(s);
  if (v4) return { bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4.bytes], v4: true, strictOk: v4.strictOk };
  if (!s.includes(':')) return undefined;
  let strictOk = true;
  let head = s;
  let tail4: number[] | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const p = parseIPv4(s.slice(lastColon + 1));
    if (!p) return undefined;
    if (!p.strictOk) strictOk = false;
    tail4 = p.bytes;
    head = s.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0 && head.indexOf('::', dbl + 1) >= 0) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]+$/.test(g)) return undefined;
      const stripped = g.replace(/^0+(?=.)/, '');
      if (stripped.length > 4) return undefined;
      if (g.length > 4) strictOk = false;
      out.push(parseInt(stripped, 16));
    }
    return out;
  };
  const want = tail4 ? 6 : 8;
  let groups: number[];
  if (dbl >= 0) {
    const left = groupsOf(head.slice(0, dbl));
    const right = groupsOf(head.slice(dbl + 2));
    if (!left || !right || left.length + right.length >= want) return undefined;
    groups = [...left, ...new Array<number>(want - left.length - right.length).fill(0), ...right];
  } else {
    const all = groupsOf(head);
    if (!all || all.length !== want) return undefined;
    groups = all;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  if (tail4) bytes.push(...tail4);
  return { bytes, v4: false, strictOk };
}

function isV4Mapped(b: number[]): boolean {
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** Go's net.IP.String(): dotted quad for IPv4 (and IPv4-mapped), RFC 5952 for IPv6. */
function ipString(b: number[]): string {
  if (isV4Mapped(b)) return b.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const left = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const right = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${left}::${right}`;
}

const invalidIPMsg = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** kube's IsValidIP: a strictly valid IP address in canonical form. */
export function isValidIP(value: string): string[] {
  const ip = parseIP(value);
  if (!ip) return [invalidIPMsg];
  const errs: string[] = [];
  // Go checks the mapped form on netip's parse, which failed if there were leading zeros.
  if (!ip.strictOk) errs.push('must not have leading 0s');
  else if (!ip.v4 && isV4Mapped(ip.bytes)) errs.push('must not be an IPv4-mapped IPv6 address');
  if (errs.length) return errs;
  const canonical = ipString(ip.bytes);
  if (value !== canonical) errs.push(`must be in canonical form (${goQuote(canonical)})`);
  return errs;
}

/** kube's IsValidIPForLegacyField: a sloppily parsed IP, optionally strict. */
export function isValidIPForLegacyField(value: string, strict: boolean): string[] {
  const ip = parseIP(value);
  if (!ip) return [invalidIPMsg];
  const errs: string[] = [];
  if (strict && !ip.strictOk) errs.push('must not have leading 0s');
  else if (strict && !ip.v4 && isV4Mapped(ip.bytes)) errs.push('must not be an IPv4-mapped IPv6 address');
  return errs;
}

export function validateIP(path: string, value: string): FieldError[] {
  return isValidIP(value).map((m) => field.invalid(path, value, m));
}

// ---- name validators (api/validation/generic.go, api/validation/path) ----

/** Prefixes may end in '-': kube swaps the last two characters for "a" before validating. */
function maskTrailingDash(name: string): string {
  if (name.length > 1 && name.endsWith('-')) return `${name.slice(0, -2)}a`;
  return name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
export const validateNamespaceName: NameValidator = nameIsDNSLabel;
/** Names that anything may be (CertificateSigningRequest...). */
export const nameIsAnything: NameValidator = () => [];

export function isPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return isPathSegmentPrefix(name);
}

export function isPathSegmentPrefix(name: string): string[] {
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** path.ValidatePathSegmentName: the rule for RBAC names and, on every write, for all names. */
export const validatePathSegmentName: NameValidator = (name, prefix) => (prefix ? isPathSegmentPrefix(name) : isPathSegmentName(name));

// ---- labels, annotations, selectors (apis/meta/v1/validation) ----

export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((m) => field.invalid(path, name, m));
}

export function validateLabels(labels: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  // (values repeat: each distinct one is checked once)
  const checkedValues = new Map<string, string[]>();
  if (!labels) return errs;
  for (const k of Object.keys(labels)) {
    const v = labels[k]!;
    appendAll(errs, validateLabelName(k, path));
    // kube reports a bad label value at the labels path itself, not under its key.
    let msgs = checkedValues.get(String(v));
    if (!msgs) checkedValues.set(String(v), (msgs = isValidLabelValue(String(v))));
    for (const m of msgs) errs.push(field.invalid(path, v, m));
  }
  return errs;
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    size += utf8Length(k) + utf8Length(String(v ?? ''));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, '<value omitted>', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export interface LabelSelectorRequirementSpec {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementSpec[] | null;
}

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
  allowUnknownOperatorInRequirement?: boolean;
}

export function validateLabelSelector(selector: LabelSelectorSpec | undefined | null, path: string,
  opts: LabelSelectorValidationOptions = {}): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    appendAll(errs, validateLabelSelectorRequirement(expr, `${path}.matchExpressions[${i}]`, opts));
  });
  return errs;
}

export function validateLabelSelectorRequirement(req: LabelSelectorRequirementSpec, path: string,
  opts: LabelSelectorValidationOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(field.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(field.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      if (!opts.allowUnknownOperatorInRequirement) errs.push(field.invalid(`${path}.operator`, req.operator ?? '', 'not a valid selector operator'));
  }
  appendAll(errs, validateLabelName(req.key ?? '', `${path}.key`));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(field.invalid(`${path}.values[${i}]`, v, m));
    });
  }
  return errs;
}

// ---- ownerReferences, finalizers, managedFields (api/validation/objectmeta.go) ----

function parseGroupVersion(gv: string): { group: string; version: string } | undefined {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const slashes = gv.split('/').length - 1;
  if (slashes === 0) return { group: '', version: gv };
  if (slashes === 1) {
    const i = gv.indexOf('/');
    return { group: gv.slice(0, i), version: gv.slice(i + 1) };
  }
  return undefined;
}

/** An owner reference as Go would marshal it (field order and omitempty as metav1.OwnerReference). */
function ownerRefValue(ref: OwnerReference): Record<string, unknown> {
  const v: Record<string, unknown> = { apiVersion: ref.apiVersion ?? '', kind: ref.kind ?? '', name: ref.name ?? '', uid: ref.uid ?? '' };
  if (ref.controller !== undefined && ref.controller !== null) v.controller = ref.controller;
  if (ref.blockOwnerDeletion !== undefined && ref.blockOwnerDeletion !== null) v.blockOwnerDeletion = ref.blockOwnerDeletion;
  return v;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const gv = parseGroupVersion(ref.apiVersion ?? '') ?? { group: '', version: '' };
    const kind = ref.kind ?? '';
    if (!gv.version) errs.push(field.invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!kind) errs.push(field.invalid(`${path}.kind`, kind, 'must not be empty'));
    if (!ref.name) errs.push(field.invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
      errs.push(field.invalid(path, ownerRefValue(ref), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${kind}/${ref.name ?? ''}`;
      if (firstController) {
        errs.push(field.invalid(path, (refs ?? []).map(ownerRefValue),
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export const FINALIZER_ORPHAN_DEPENDENTS = 'orphan';
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';
const standardFinalizers = new Set(['kubernetes', FINALIZER_ORPHAN_DEPENDENTS, FINALIZER_DELETE_DEPENDENTS]);

export function validateFinalizers(finalizers: string[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let orphan = false;
  let foreground = false;
  // (a list may repeat one name many times: each distinct name is checked once)
  const checked = new Map<string, string[]>();
  for (const f of finalizers ?? []) {
    let msgs = checked.get(f);
    if (!msgs) checked.set(f, (msgs = isQualifiedName(f)));
    for (const m of msgs) errs.push(field.invalid(path, f, m));
    if (f === FINALIZER_ORPHAN_DEPENDENTS) orphan = true;
    if (f === FINALIZER_DELETE_DEPENDENTS) foreground = true;
  }
  if (orphan && foreground) {
    errs.push(field.invalid(path, finalizers, `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`));
  }
  return errs;
}

/**
 * The extra finalizer rule of built-in (pkg/apis/core/validation) kinds: a finalizer without '/'
 * must be one of the standard ones. Paths are indexed (metadata.finalizers[0]).
 */
export function validateKubeFinalizerNames(finalizers: string[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (finalizers ?? []).forEach((f, i) => {
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(field.invalid(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/**
 * The warnings kube gives custom resources for finalizers (apiextensions customresource validator):
 * for each finalizer added (all on create, those not in `oldFinalizers` on update), sorted.
 */
export function finalizerWarnings(finalizers: string[] | undefined | null, path = 'metadata.finalizers',
  oldFinalizers?: string[] | null): string[] {
  const old = new Set(oldFinalizers ?? []);
  const added = [...new Set(finalizers ?? [])].filter((f) => !old.has(f)).sort(goStringCompare);
  const warnings: string[] = [];
  for (const f of added) {
    for (const m of isQualifiedName(f)) warnings.push(`${path}: ${goQuote(f)}: ${m}`);
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      warnings.push(f.includes('.')
        ? `${path}: ${goQuote(f)}: prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`
        : `${path}: ${goQuote(f)}: prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers`);
    }
  }
  return warnings;
}

/** Go's string ordering: by UTF-8 bytes, i.e. by code point. */
export function goStringCompare(a: string, b: string): number {
  if (a === b) return 0;
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

function formatRune(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function validateFieldManager(manager: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (utf8Length(manager) > 128) errs.push(field.tooLong(path, '<value omitted>', 128));
  let pos = 0;
  for (const ch of manager) {
    if (!goIsPrint(ch)) {
      errs.push(field.invalid(path, manager, `invalid character ${formatRune(ch.codePointAt(0)!)} (at position ${pos})`));
    }
    pos += utf8Length(ch);
  }
  return errs;
}

interface ManagedFieldsEntryLike {
  manager?: string;
  operation?: string;
  fieldsType?: string;
  subresource?: string;
}

export function validateManagedFields(entries: unknown[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((raw, i) => {
    const e = (raw ?? {}) as ManagedFieldsEntryLike;
    const p = `${path}[${i}]`;
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      errs.push(field.invalid(`${p}.operation`, e.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(field.invalid(`${p}.fieldsType`, e.fieldsType, 'must be `FieldsV1`'));
    appendAll(errs, validateFieldManager(e.manager ?? '', `${p}.manager`));
    if (utf8Length(e.subresource ?? '') > 256) errs.push(field.tooLong(`${p}.subresource`, '<value omitted>', 256));
  });
  return errs;
}

export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';

export interface ObjectMetaValidationOptions {
  /** Add the finalizer-name rule of built-in kinds validated by pkg/apis/core/validation. */
  kubeFinalizers?: boolean;
}

/** kube's ValidateObjectMetaAccessor (create): name, namespace, generation, labels, annotations... */
export function validateObjectMeta(meta: ObjectMeta | undefined | null, namespaced: boolean, nameFn: NameValidator,
  path = 'metadata', opts: ObjectMetaValidationOptions = {}): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(field.invalid(`${path}.generateName`, m.generateName, msg));
  }
  if (!m.name) {
    errs.push(field.required(`${path}.name`, 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name, false)) errs.push(field.invalid(`${path}.name`, m.name, msg));
  }
  if (namespaced) {
    if (!m.namespace) errs.push(field.required(`${path}.namespace`));
    else for (const msg of validateNamespaceName(m.namespace, false)) errs.push(field.invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(field.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if ((m.generation ?? 0) < 0) errs.push(field.invalid(`${path}.generation`, m.generation, IS_NEGATIVE_ERROR_MSG));
  appendAll(errs, validateLabels(m.labels, `${path}.labels`));
  appendAll(errs, validateAnnotations(m.annotations, `${path}.annotations`));
  appendAll(errs, validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  appendAll(errs, validateFinalizers(m.finalizers, `${path}.finalizers`));
  appendAll(errs, validateManagedFields(m.managedFields, `${path}.managedFields`));
  if (opts.kubeFinalizers) appendAll(errs, validateKubeFinalizerNames(m.finalizers, `${path}.finalizers`));
  return errs;
}

function sameTime(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): string | number | null => {
    if (v === undefined || v === null || v === '') return null;
    const t = typeof v === 'string' ? Date.parse(v) : NaN;
    // metav1.Time has second precision: equal instants are equal whatever their spelling.
    return Number.isNaN(t) ? String(v) : Math.floor(t / 1000);
  };
  return norm(a) === norm(b);
}

function nullable(v: unknown): unknown {
  return v === undefined || v === '' ? null : v;
}

/** kube's ValidateObjectMetaAccessorUpdate. */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined | null, oldMeta: ObjectMeta | undefined | null,
  path = 'metadata', opts: ObjectMetaValidationOptions = {}): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const old = new Set(o.finalizers ?? []);
    const extra = [...new Set((n.finalizers ?? []).filter((f) => !old.has(f)))].sort(goStringCompare);
    if (extra.length) {
      errs.push(field.forbidden(`${path}.finalizers`,
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map(goQuote).join(', ')}}`));
    }
  }
  if (!n.resourceVersion) errs.push(field.invalid(`${path}.resourceVersion`, n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(field.invalid(`${path}.generation`, n.generation ?? 0, 'must not be decremented'));
  const immutable = (name: string, nv: unknown, ov: unknown, equal: (a: unknown, b: unknown) => boolean) => {
    if (!equal(nv, ov)) errs.push(field.invalid(`${path}.${name}`, nv, FIELD_IMMUTABLE_ERROR_MSG));
  };
  const sameString = (a: unknown, b: unknown) => (a ?? '') === (b ?? '');
  immutable('name', n.name ?? '', o.name ?? '', sameString);
  immutable('namespace', n.namespace ?? '', o.namespace ?? '', sameString);
  immutable('uid', n.uid ?? '', o.uid ?? '', sameString);
  immutable('creationTimestamp', nullable(n.creationTimestamp), o.creationTimestamp, sameTime);
  immutable('deletionTimestamp', nullable(n.deletionTimestamp), o.deletionTimestamp, sameTime);
  immutable('deletionGracePeriodSeconds', n.deletionGracePeriodSeconds ?? null, o.deletionGracePeriodSeconds ?? null,
    (a, b) => a === b);
  appendAll(errs, validateLabels(n.labels, `${path}.labels`));
  appendAll(errs, validateAnnotations(n.annotations, `${path}.annotations`));
  appendAll(errs, validateOwnerReferences(n.ownerReferences, `${path}.ownerReferences`));
  appendAll(errs, validateManagedFields(n.managedFields, `${path}.managedFields`));
  if (opts.kubeFinalizers) appendAll(errs, validateKubeFinalizerNames(n.finalizers, `${path}.finalizers`));
  return errs;
}
