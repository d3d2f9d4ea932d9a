// kube's ip and cidr libraries: ip(s), isIP(s), ip.isCanonical(s), family, isUnspecified,
// isLoopback, isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast, string(ip); cidr(s),
// isCIDR(s), containsIP, containsCIDR, ip, masked, prefixLength, string(cidr). As Go's netip: no
// zones, no IPv4-mapped IPv6 addresses (kube refuses them), canonical text is netip's.

import { isIPv6 } from 'node:net';
import { CelScalar } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { Opaque, expect, fn, method } from './opaque.js';

const { DYN, BOOL, INT, STRING } = CelScalar;

export class IPValue extends Opaque {
  override readonly typeName = 'net.IP';
  constructor(readonly bytes: Uint8Array) { super(); }
  get v4(): boolean { return this.bytes.length === 4; }
  override toString(): string {
    const b = this.bytes;
    if (b.length === 4) return b.join('.');
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
    // longest run of two or more zero groups becomes ::
    let best = -1; let bestLen = 1;
    for (let i = 0; i < 8;) {
      if (groups[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) { best = i; bestLen = j - i; }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best < 0) return hex.join(':');
    return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
  }
}

export class CIDRValue extends Opaque {
  override readonly typeName = 'net.CIDR';
  constructor(readonly ip: IPValue, readonly bits: number) { super(); }
  override toString(): string { return `${this.ip.toString()}/${this.bits}`; }
  masked(): CIDRValue {
    const b = new Uint8Array(this.ip.bytes);
    for (let i = 0; i < b.length * 8; i++) if (i >= this.bits) b[i >> 3]! &= ~(0x80 >> (i & 7));
    return new CIDRValue(new IPValue(b), this.bits);
  }
  contains(ip: IPValue): boolean {
    if (ip.v4 !== this.ip.v4) return false;
    for (let i = 0; i < this.bits; i++) {
      const m = 0x80 >> (i & 7);
      if ((ip.bytes[i >> 3]! & m) !== (this.ip.bytes[i >> 3]! & m)) return false;
    }
    return true;
  }
}

const goq = (s: string) => JSON.stringify(s);

class AddrError extends Error {}

/** netip.ParseAddr, with its error texts ("ParseAddr(\"1.5Gi\"): unexpected character (at \"Gi\")"). */
function parseAddr(s: string): { bytes: Uint8Array; zone: boolean } {
  const fail = (msg: string, at?: string) =>
    new AddrError(`ParseAddr(${goq(s)}): ${msg}${at ? ` (at ${goq(at)})` : ''}`);
  for (const c of s) {
    if (c === '.') return { bytes: parseIPv4(s, fail), zone: false };
    if (c === ':') {
      const pct = s.indexOf('%');
      const addr = pct >= 0 ? s.slice(0, pct) : s;
      if (pct >= 0 && pct === s.length - 1) throw fail('zone must be a non-empty string');
      if (!isIPv6(addr)) throw fail('unable to parse IP');
      return { bytes: parseIPv6(addr), zone: pct >= 0 };
    }
    if (c === '%') throw fail('missing IPv6 address');
  }
  throw fail('unable to parse IP');
}

function parseIPv4(s: string, fail: (m: string, at?: string) => Error): Uint8Array {
  const out = new Uint8Array(4);
  let val = 0;
  let pos = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c >= '0' && c <= '9') {
      if (digits === 1 && val === 0) throw fail('IPv4 field has octet with leading zero');
      val = val * 10 + (c.charCodeAt(0) - 48);
      digits++;
      if (val > 255) throw fail('IPv4 field has value >255');
    } else if (c === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') throw fail('IPv4 field must have at least one digit', s.slice(i));
      if (pos === 3) throw fail('IPv4 address too long');
      out[pos++] = val;
      val = 0;
      digits = 0;
    } else throw fail('unexpected character', s.slice(i));
  }
  if (pos < 3) throw fail('IPv4 address too short');
  out[3] = val;
  return out;
}

function parseIPv6(s: string): Uint8Array {
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIPv4(g, (m) => new AddrError(m));
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = s.indexOf('::');
  const groups = dbl >= 0
    ? (() => { const h = parse(s.slice(0, dbl)); const t = parse(s.slice(dbl + 2)); return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t]; })()
    : parse(s);
  const b = new Uint8Array(16);
  groups.forEach((g, i) => { b[2 * i] = g >> 8; b[2 * i + 1] = g & 0xff; });
  return b;
}

function isMapped(b: Uint8Array): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

export function parseIP(s: string): IPValue {
  let a: { bytes: Uint8Array; zone: boolean };
  try {
    a = parseAddr(s);
  } catch (e) {
    throw new Error(`IP Address ${goq(s)} parse error during conversion from string: ${(e as Error).message}`);
  }
  if (a.zone) throw new Error(`IP address ${goq(s)} with zone value is not allowed`);
  if (isMapped(a.bytes)) throw new Error(`IPv4-mapped IPv6 address ${goq(s)} is not allowed`);
  return new IPValue(a.bytes);
}

/** netip.ParsePrefix as kube's cidr() reports it (its wrapping prefix appears twice, as in kube). */
export function parseCIDR(s: string): CIDRValue {
  const wrap = (msg: string) => new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${goq(s)}): ${msg}`);
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw wrap("no '/'");
  let a: { bytes: Uint8Array; zone: boolean };
  try { a = parseAddr(s.slice(0, slash)); } catch (e) { throw wrap((e as Error).message); }
  if (a.zone) throw wrap('IPv6 zones cannot be present in a prefix');
  const bitsText = s.slice(slash + 1);
  if ((bitsText.length > 1 && !(bitsText[0]! >= '1' && bitsText[0]! <= '9')) || !/^[+-]?[0-9]+$/.test(bitsText)) {
    throw wrap(`bad bits after slash: ${goq(bitsText)}`);
  }
  const bits = Number(bitsText);
  if (bits < 0 || bits > a.bytes.length * 8) throw wrap('prefix length out of range');
  if (isMapped(a.bytes)) throw new Error(`IPv4-mapped IPv6 address ${goq(s)} is not allowed`);
  return new CIDRValue(new IPValue(a.bytes), bits);
}

const ok = (f: () => unknown) => { try { f(); return true; } catch { return false; } };

const ip = (v: unknown, fn: string) => expect(v, IPValue, fn);
const cidr = (v: unknown, fn: string) => expect(v, CIDRValue, fn);

export const ipFuncs: CelFunc[] = [
  fn('ip', [STRING], DYN, (s: string) => parseIP(s)),
  fn('isIP', [STRING], BOOL, (s: string) => ok(() => parseIP(s))),
  fn('ip.isCanonical', [STRING], BOOL, (s: string) => parseIP(s).toString() === s),
  method('family', DYN, [], INT, function (this: unknown) { return ip(this, 'family').v4 ? 4n : 6n; }),
  method('isUnspecified', DYN, [], BOOL, function (this: unknown) { return ip(this, 'isUnspecified').bytes.every((x) => x === 0); }),
  method('isLoopback', DYN, [], BOOL, function (this: unknown) {
    const b = ip(this, 'isLoopback').bytes;
    return b.length === 4 ? b[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  }),
  method('isLinkLocalMulticast', DYN, [], BOOL, function (this: unknown) {
    const b = ip(this, 'isLinkLocalMulticast').bytes;
    return b.length === 4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
  }),
  method('isLinkLocalUnicast', DYN, [], BOOL, function (this: unknown) {
    const b = ip(this, 'isLinkLocalUnicast').bytes;
    return b.length === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
  }),
  method('isGlobalUnicast', DYN, [], BOOL, function (this: unknown) {
    const v = ip(this, 'isGlobalUnicast');
    const b = v.bytes;
    if (b.length === 4) {
      if (b.every((x) => x === 255) || b[0] === 127 || b[0]! >= 224 || (b[0] === 169 && b[1] === 254) || b.every((x) => x === 0)) return false;
      return true;
    }
    if (b.every((x) => x === 0) || (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) || b[0] === 0xff || (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80)) return false;
    return true;
  }),
  fn('cidr', [STRING], DYN, (s: string) => parseCIDR(s)),
  fn('isCIDR', [STRING], BOOL, (s: string) => ok(() => parseCIDR(s))),
  method('containsIP', DYN, [DYN], BOOL, function (this: unknown, o: unknown) {
    return cidr(this, 'containsIP').contains(typeof o === 'string' ? parseIP(o) : ip(o, 'containsIP'));
  }),
  method('containsCIDR', DYN, [DYN], BOOL, function (this: unknown, o: unknown) {
    const c = cidr(this, 'containsCIDR');
    const other = typeof o === 'string' ? parseCIDR(o) : cidr(o, 'containsCIDR');
    return other.bits >= c.bits && c.contains(other.ip);
  }),
  method('ip', DYN, [], DYN, function (this: unknown) { return cidr(this, 'ip').ip; }),
  method('masked', DYN, [], DYN, function (this: unknown) { return cidr(this, 'masked').masked(); }),
  method('prefixLength', DYN, [], INT, function (this: unknown) { return BigInt(cidr(this, 'prefixLength').bits); }),
];

/** string(ip) and string(cidr): @bufbuild/cel's string() knows no opaque values. */
export function opaqueString(v: unknown): string | undefined {
  return v instanceof IPValue || v instanceof CIDRValue ? v.toString() : undefined;
}
