// kube's urls library: url(s), isURL(s), getScheme, getHost, getHostname, getPort,
// getEscapedPath, getQuery — Go's url.ParseRequestURI acceptance (an absolute URL or an absolute
// path) and url.URL's accessors.

import { CelScalar, listType, mapType } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { Opaque, expect, fn, method } from './opaque.js';

const { DYN, BOOL, STRING } = CelScalar;

export class URLValue extends Opaque {
  override readonly typeName = 'kubernetes.URL';
  constructor(readonly scheme: string, readonly host: string, readonly path: string, readonly rawQuery: string) { super(); }
  equals(o: unknown): boolean {
    return o instanceof URLValue && o.scheme === this.scheme && o.host === this.host && o.path === this.path && o.rawQuery === this.rawQuery;
  }
  get hostname(): string {
    const h = this.host;
    if (h.startsWith('[')) { const end = h.indexOf(']'); return end >= 0 ? h.slice(1, end) : h.slice(1); }
    const colon = h.lastIndexOf(':');
    return colon >= 0 ? h.slice(0, colon) : h;
  }
  get port(): string {
    const h = this.host;
    const colon = h.lastIndexOf(':');
    if (colon < 0 || (h.startsWith('[') && colon < h.indexOf(']'))) return '';
    return /^[0-9]*$/.test(h.slice(colon + 1)) ? h.slice(colon + 1) : '';
  }
}

function parseURL(s: string): URLValue {
  const fail = (why: string) => new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${why}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(s)) throw fail('net/url: invalid control character in URL');
  let rest = s.split('#')[0]!;
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) { scheme = m[1]!.toLowerCase(); rest = rest.slice(m[0].length); } else if (/^[0-9+.-]/.test(rest) && rest.includes(':') && !rest.startsWith('/')) {
    throw fail('first path segment in URL cannot contain colon');
  }
  if (!scheme && !rest.startsWith('/')) throw fail('invalid URI for request');
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) { rawQuery = rest.slice(q + 1); rest = rest.slice(0, q); }
  let host = '';
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    host = end >= 0 ? rest.slice(2, end) : rest.slice(2);
    rest = end >= 0 ? rest.slice(end) : '';
    const at = host.lastIndexOf('@');
    if (at >= 0) host = host.slice(at + 1);
  } else if (scheme && !rest.startsWith('/')) {
    // opaque URL (mailto:x): Go keeps it as Opaque, with no host or path
    return new URLValue(scheme, '', '', rawQuery);
  }
  return new URLValue(scheme, host, rest, rawQuery);
}

function query(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split(/[&]/)) {
    if (!part || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => { try { return decodeURIComponent(x.replace(/\+/g, ' ')); } catch { return undefined; } };
    const k = dec(eq >= 0 ? part.slice(0, eq) : part);
    const v = dec(eq >= 0 ? part.slice(eq + 1) : '');
    if (k === undefined || v === undefined) continue;
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

const u = (v: unknown, fn: string) => expect(v, URLValue, fn);

export const urlFuncs: CelFunc[] = [
  fn('url', [STRING], DYN, (s: string) => parseURL(s)),
  fn('isURL', [STRING], BOOL, (s: string) => { try { parseURL(s); return true; } catch { return false; } }),
  method('getScheme', DYN, [], STRING, function (this: unknown) { return u(this, 'getScheme').scheme; }),
  method('getHost', DYN, [], STRING, function (this: unknown) { return u(this, 'getHost').host; }),
  method('getHostname', DYN, [], STRING, function (this: unknown) { return u(this, 'getHostname').hostname; }),
  method('getPort', DYN, [], STRING, function (this: unknown) { return u(this, 'getPort').port; }),
  method('getEscapedPath', DYN, [], STRING, function (this: unknown) { return encodeURI(decodeURI(u(this, 'getEscapedPath').path)); }),
  method('getQuery', DYN, [], mapType(STRING, listType(STRING)), function (this: unknown) { return query(u(this, 'getQuery').rawQuery); }),
];
