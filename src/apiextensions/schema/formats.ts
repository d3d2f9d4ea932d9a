// The string formats a custom resource's values are checked against: kube-openapi's strfmt.Default
// registry, limited to what apiextensions-apiserver supports at its compatibility version (the
// v1.0 set: 1.34 serves 1.33 compatibility, so k8s-short-name and k8s-long-name are not checked and
// the CRD create warns `unrecognized format`). Names are normalized like go-openapi's ("date-time"
// and "datetime" are one format). Each checker is a port of the Go function strfmt registers.

import { isIPv6 } from 'node:net';

export type FormatChecker = (s: string) => boolean;

/** go-openapi's name normalization: dashes removed. */
export function normalizeFormat(name: string): string {
  return name.replace(/-/g, '');
}

const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const CREDIT_CARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11})$/;
const ISBN10 = /^(?:[0-9]{9}X|[0-9]{10})$/;
const ISBN13 = /^(?:[0-9]{13})$/;
const HEX_COLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGB_PART = '\\s*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])\\s*';
// (RE2's \s is [\t\n\f\r ], narrower than JavaScript's)
const RGB_COLOR = new RegExp(`^rgb\\(${RGB_PART},${RGB_PART},${RGB_PART}\\)$`.replace(/\\s/g, '[\\t\\n\\f\\r ]'));
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const SSN = /^[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}$/;
const DATE_TIME_REST = /^([0-9]{2}):([0-9]{2}):([0-9]{2})([^\n][0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** Go's time.Parse("2006-01-02", s): the month and the day within it must exist. */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

/** strfmt.IsDateTime: a date, a "t", and a time compared digit-wise as strings. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const m = DATE_TIME_REST.exec(parts[1]!);
  if (!m) return false;
  return m[1]! <= '23' && m[2]! <= '59' && m[3]! <= '59';
}

/** Go's time.ParseDuration grammar ([-+]?([0-9]*(\.[0-9]*)?unit)+, or "0"). */
const GO_DURATION = /^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const DURATION_PART = /(([0-9]+)[\t\n\f\r ]*([A-Za-z\u00b5]+))/g;
const TIME_UNITS = [['ns', 'nano'], ['us', '\u00b5s', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'],
  ['d', 'day'], ['w', 'wk', 'week']];

/** strfmt.ParseDuration: Go's durations, else "<n> <unit>" pieces anywhere in the text. */
function isDuration(s: string): boolean {
  if (s === '0' || s === '+0' || s === '-0' || GO_DURATION.test(s)) return true;
  let ok = false;
  for (const m of s.matchAll(DURATION_PART)) {
    if (m[2]!.length > 19 || Number(m[2]) > 9223372036854775807) return false; // strconv.Atoi fails
    const unit = m[3]!.toLowerCase().trim();
    for (const variants of TIME_UNITS) {
      const last = variants.length - 1;
      variants.forEach((v, i) => {
        if ((i === last && unit.startsWith(v)) || v.toLowerCase() === unit) ok = true;
      });
    }
  }
  return ok;
}

function isISBN(s: string, version: 10 | 13): boolean {
  const x = s.replace(/[\t\n\f\r \-]+/g, '');
  let sum = 0;
  if (version === 10) {
    if (!ISBN10.test(x)) return false;
    for (let i = 0; i < 9; i++) sum += (i + 1) * (x.charCodeAt(i) - 48);
    sum += x[9] === 'X' ? 100 : 10 * (x.charCodeAt(9) - 48);
    return sum % 11 === 0;
  }
  if (!ISBN13.test(x)) return false;
  for (let i = 0; i < 12; i++) sum += (i % 2 ? 3 : 1) * (x.charCodeAt(i) - 48);
  return x.charCodeAt(12) - 48 - ((10 - (sum % 10)) % 10) === 0;
}

function isCreditCard(s: string): boolean {
  const x = s.replace(/[^0-9]+/g, '');
  if (!CREDIT_CARD.test(x)) return false;
  let sum = 0;
  let double = false;
  for (let i = x.length - 1; i >= 0; i--) {
    let n = x.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      sum += n >= 10 ? (n % 10) + 1 : n;
    } else {
      sum += n;
    }
    double = !double;
  }
  return sum % 10 === 0;
}

/** k8s.io/utils/net.ParseIPSloppy for dotted IPv4: leading zeros allowed (read as decimal). */
function isSloppyIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

function isSloppyIP(s: string): boolean {
  if (isSloppyIPv4(s)) return true;
  if (s.includes('%') || !s.includes(':')) return false;
  // IPv6 with an embedded IPv4 tail may have leading zeros there too
  const tail = s.lastIndexOf(':');
  const v4 = s.slice(tail + 1);
  if (v4.includes('.')) return isSloppyIPv4(v4) && isIPv6(`${s.slice(0, tail + 1)}0.0.0.0`);
  return isIPv6(s);
}

function isIPv4Format(s: string): boolean {
  return isSloppyIP(s) && s.includes('.');
}

/** Go's net.ParseIP(s) != nil && contains ":" (no zones, no leading zeros in an IPv4 tail). */
function isIPv6Format(s: string): boolean {
  return s.includes(':') && !s.includes('%') && isIPv6(s);
}

function isCIDR(s: string): boolean {
  const i = s.indexOf('/');
  if (i < 0) return false;
  const addr = s.slice(0, i);
  const mask = s.slice(i + 1);
  if (!/^[0-9]+$/.test(mask)) return false;
  const n = Number(mask);
  if (isSloppyIPv4(addr)) return n <= 32;
  return isSloppyIP(addr) && n <= 128;
}

const HEX = /^[0-9a-fA-F]+$/;

/** Go's net.ParseMAC: 6, 8 or 20 octets as xx:xx.., xx-xx.. or xxxx.xxxx.. */
function isMAC(s: string): boolean {
  if (s.length < 14) return false;
  const sizes = [6, 8, 20];
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false;
    const n = (s.length + 1) / 3;
    if (!sizes.includes(n)) return false;
    for (let i = 0; i < n; i++) {
      const x = i * 3;
      if (!HEX.test(s.slice(x, x + 2)) || (i < n - 1 && s[x + 2] !== s[2])) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false;
    const n = (2 * (s.length + 1)) / 5;
    if (!sizes.includes(n)) return false;
    for (let i = 0; i < n / 2; i++) {
      const x = i * 5;
      if (!HEX.test(s.slice(x, x + 4)) || (i < n / 2 - 1 && s[x + 4] !== '.')) return false;
    }
    return true;
  }
  return false;
}

/** Go's url.ParseRequestURI: an absolute URI or an absolute path, well-formed escapes and port. */
function isRequestURI(s: string): boolean {
  if (s === '' || /[\x00-\x1f\x7f]/.test(s)) return false;
  if (s === '*') return true;
  let rest = s;
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+\-.]*):/.exec(s);
  if (m) {
    scheme = m[1]!;
    rest = s.slice(m[0].length);
  } else if (s[0] === ':') {
    return false; // missing protocol scheme
  }
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) return scheme !== '';
  let path = rest;
  if (scheme && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    path = end < 0 ? '' : rest.slice(end);
    if (!validAuthority(authority)) return false;
  }
  return validEscapes(path);
}

function validEscapes(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!/^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) return false;
  }
  return true;
}

function validAuthority(a: string): boolean {
  const at = a.lastIndexOf('@');
  const host = at >= 0 ? a.slice(at + 1) : a;
  if (at >= 0 && !/^[A-Za-z0-9\-._~%!$&'()*+,;=:]*$/.test(a.slice(0, at))) return false;
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return false;
    const port = host.slice(close + 1);
    return port === '' || /^:[0-9]*$/.test(port);
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !/^[0-9]*$/.test(host.slice(colon + 1))) return false;
  // the ASCII characters Go's url package keeps unescaped in a host name (shouldEscape, encodeHost)
  return HOST_CHARS.test(colon >= 0 ? host.slice(0, colon) : host) && validEscapes(host);
}

const HOST_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%\u0080-\uffff]*$/;

/** net/mail.ParseAddress, for the forms people write: addr-spec, or a display name and <addr-spec>. */
const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const ADDR_SPEC = `(?:${DOT_ATOM}|${QUOTED})@(?:${DOT_ATOM}|\\[[^\\[\\]\\\\]*\\])`;
const EMAIL = new RegExp(`^[ \\t]*(?:${ADDR_SPEC}|(?:(?:${ATOM}|${QUOTED})(?:[ \\t]+(?:${ATOM}|${QUOTED}))*[ \\t]*)?<${ADDR_SPEC}>)[ \\t]*$`, 'u');

function isEmail(s: string): boolean {
  return EMAIL.test(s);
}

function isHostname(s: string): boolean {
  if (!HOSTNAME.test(s) || Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((p) => Buffer.byteLength(p) <= 63);
}

/** strfmt.Default by normalized name, restricted to the formats apiextensions keeps. */
const registry: ReadonlyMap<string, FormatChecker> = new Map<string, FormatChecker>([
  ['bsonobjectid', (s) => s.length === 24 && HEX.test(s)],
  ['uri', isRequestURI],
  ['email', isEmail],
  ['hostname', isHostname],
  ['ipv4', isIPv4Format],
  ['ipv6', isIPv6Format],
  ['cidr', isCIDR],
  ['mac', isMAC],
  ['uuid', (s) => UUID.test(s)],
  ['uuid3', (s) => UUID3.test(s)],
  ['uuid4', (s) => UUID4.test(s)],
  ['uuid5', (s) => UUID5.test(s)],
  ['isbn', (s) => isISBN(s, 10) || isISBN(s, 13)],
  ['isbn10', (s) => isISBN(s, 10)],
  ['isbn13', (s) => isISBN(s, 13)],
  ['creditcard', isCreditCard],
  ['ssn', (s) => s.length === 11 && SSN.test(s)],
  ['hexcolor', (s) => HEX_COLOR.test(s)],
  ['rgbcolor', (s) => RGB_COLOR.test(s)],
  ['byte', (s) => BASE64.test(s)],
  ['password', () => true],
  ['date', isDate],
  ['duration', isDuration],
  ['datetime', isDateTime],
]);

/** The checker of a string format kube validates, or undefined (the format is ignored). */
export function formatChecker(format: string): FormatChecker | undefined {
  return registry.get(normalizeFormat(format));
}

/** Whether kube keeps this format of a schema of this type (else it is stripped, with a warning at CRD create). */
export function isSupportedFormat(type: string, format: string): boolean {
  switch (type) {
    case '':
    case 'string':
      return registry.has(normalizeFormat(format));
    case 'integer':
      return format === 'int32' || format === 'int64';
    case 'number':
      return format === 'float' || format === 'double';
    default:
      return false;
  }
}
