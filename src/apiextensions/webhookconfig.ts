// Validation of a webhook client configuration (k8s.io/apiserver pkg/util/webhook validation.go):
// url (checked as Go's net/url parses it), service reference and caBundle, with kube's texts.

import { X509Certificate } from 'node:crypto';

import { field, type FieldError } from '../apimachinery/errors.js';
import { goQuote, isDNS1123Subdomain, isValidPortNum } from '../apimachinery/validation.js';

interface GoURL {
  scheme: string;
  host: string;
  user?: string;
  fragment: string;
  rawQuery: string;
}

class URLError extends Error {}

/** The parts of Go's url.Parse that webhook validation reads; throws with Go's error text. */
export function goParseURL(raw: string): GoURL {
  const fail = (msg: string): never => {
    throw new URLError(`parse ${goQuote(raw)}: ${msg}`);
  };
  let rest = raw;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = unescape(rest.slice(hash + 1), fail);
    rest = rest.slice(0, hash);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(rest)) fail('net/url: invalid control character in URL');
  let scheme = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) fail('missing protocol scheme');
      scheme = rest.slice(0, i).toLowerCase();
      rest = rest.slice(i + 1);
    }
    break;
  }
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = '';
  let user: string | undefined;
  if (!rest.startsWith('/')) {
    if (scheme) return { scheme, host, fragment, rawQuery }; // opaque
    const colon = rest.indexOf(':');
    const slash = rest.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) fail('first path segment in URL cannot contain colon');
  }
  if ((scheme || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      user = authority.slice(0, at);
      if (!/^[-_.~!$&'()*+,;=:%0-9A-Za-z]*$/.test(user)) fail('net/url: invalid userinfo');
      authority = authority.slice(at + 1);
    }
    host = parseHost(authority, fail);
  }
  return { scheme, host, user, fragment, rawQuery };
}

function parseHost(host: string, fail: (msg: string) => never): string {
  let port = '';
  if (host.startsWith('[')) {
    const end = host.lastIndexOf(']');
    if (end < 0) fail('missing \']\' in host');
    port = host.slice(end + 1);
    if (port && !port.startsWith(':')) fail(`invalid port ${goQuote(port)} after host`);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) port = host.slice(colon);
  }
  if (port && !/^:[0-9]*$/.test(port)) fail(`invalid port ${goQuote(port)} after host`);
  return unescape(host, fail);
}

function unescape(s: string, fail: (msg: string) => never): string {
  const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(s);
  if (bad) fail(`invalid URL escape ${goQuote(`%${bad[1]}`)}`);
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const FORM = '; desired format: https://host[/path]';

/** webhook.ValidateWebhookURL. */
export function validateWebhookURL(path: string, url: string, forceHttps: boolean): FieldError[] {
  let u: GoURL;
  try {
    u = goParseURL(url);
  } catch (e) {
    if (!(e instanceof URLError)) throw e;
    return [field.required(path, `url must be a valid URL: ${e.message}${FORM}`)];
  }
  const errs: FieldError[] = [];
  if (forceHttps && u.scheme !== 'https') errs.push(field.invalid(path, u.scheme, `'https' is the only allowed URL scheme${FORM}`));
  if (!u.host) errs.push(field.invalid(path, u.host, `host must be specified${FORM}`));
  if (u.user !== undefined) errs.push(field.invalid(path, u.user, 'user information is not permitted in the URL'));
  if (u.fragment) errs.push(field.invalid(path, u.fragment, 'fragments are not permitted in the URL'));
  if (u.rawQuery) errs.push(field.invalid(path, u.rawQuery, 'query parameters are not permitted in the URL'));
  return errs;
}

/** webhook.ValidateWebhookService. */
export function validateWebhookService(path: string, name: string, namespace: string, urlPath: string | undefined, port: number): FieldError[] {
  const errs: FieldError[] = [];
  if (!name) errs.push(field.required(`${path}.name`));
  if (!namespace) errs.push(field.required(`${path}.namespace`));
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(field.invalid(`${path}.port`, port, `port is not valid: ${portErrs.join(', ')}`));
  if (urlPath === undefined || urlPath === '/' || urlPath === '') return errs;
  const p = `${path}.path`;
  if (urlPath === '//') return [...errs, field.invalid(p, urlPath, 'segment[0] may not be empty')];
  if (!urlPath.startsWith('/')) errs.push(field.invalid(p, urlPath, "must start with a '/'"));
  let check = urlPath.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (!step) {
      errs.push(field.invalid(p, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const msg of isDNS1123Subdomain(step)) errs.push(field.invalid(p, urlPath, `segment[${i}]: ${msg}`));
  });
  return errs;
}

/** webhook.ValidateCABundle: the bundle (base64 in JSON) must hold a PEM certificate client-go can load. */
export function validateCABundle(path: string, caBundle: string): FieldError[] {
  const err = caBundleError(Buffer.from(caBundle, 'base64').toString('latin1'));
  return err ? [field.invalid(path, caBundle, `unable to load root certificates: ${err}`)] : [];
}

const PEM_BLOCK = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** client-go's rootCertPool + createErrorParsingCAData, on the bundle's text. */
function caBundleError(pem: string): string | undefined {
  const certs = [...pem.matchAll(PEM_BLOCK)].filter((b) => b[1] === 'CERTIFICATE' && !/^[\w-]+:/m.test(b[2]!));
  const parses = certs.map((b) => {
    try {
      new X509Certificate(Buffer.from(b[2]!.replace(/\s+/g, ''), 'base64'));
      return true;
    } catch {
      return false;
    }
  });
  // x509.CertPool.AppendCertsFromPEM succeeds with any one certificate
  if (parses.includes(true)) return undefined;
  if (certs.length === 0) return pem.trim() ? 'unable to parse bytes as PEM block' : 'no valid certificate authority data seen';
  return 'failed to parse certificate: x509: malformed certificate';
}
