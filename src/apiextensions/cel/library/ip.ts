// kube's ip and cidr libraries: ip(s), isIP(s), ip.isCanonical(s), family, isUnspecified,
// isLoopback, isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast, string(ip); cidr(s),
// isCIDR(s), containsIP, containsCIDR, ip, masked, prefixLength, string(cidr). As Go's netip: no
// zones, no IPv4-mapped IPv6 addresses (kube refuses them), canonical text is netip's.

import { isIPv4, isIPv6 } from 'node:net';
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

function parseAddr(s: string): Uint8Array | undefined {
  if (isIPv4(s)) {
    const parts = s.split('.');
    if (parts.some((p) => p.length > 1 && p[0] === '0')) return undefined; // netip refuses leading zeros
    return Uint8Array.from(parts.map(Number));
  }
  if (!isIPv6(s) || s.includes('%')) return undefined;
  const groups: number[] = [];
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseAddr(g);
        if (!v4 || v4.length !== 4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    const head = parse(s.slice(0, dbl));
    const tail = parse(s.slice(dbl + 2));
    if (!head || !tail) return undefined;
    groups.push(...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    const all = parse(s);
    if (!all) return undefined;
    groups.push(...all);
  }
  if (groups.length !== 8) return undefined;
  const b = new Uint8Array(16);
  groups.forEach((g, i) => { b[2 * i] = g >> 8; b[2 * i + 1] = g & 0xff; });
  return b;
}

function isMapped(b: Uint8Array): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

export function parseIP(s: string): IPValue {
  const b = parseAddr(s);
  if (!b) throw new Error(`IP Address "${s}" parse error during conversion from string: ParseAddr("${s}"): unable to parse IP`);
  if (isMapped(b)) throw new Error(`IPv4-mapped IPv6 address "${s}" is not allowed`);
  return new IPValue(b);
}

export function parseCIDR(s: string): CIDRValue {
  const slash = s.lastIndexOf('/');
  const addr = slash >= 0 ? parseAddr(s.slice(0, slash)) : undefined;
  const bitsText = slash >= 0 ? s.slice(slash + 1) : '';
  const bits = /^(0|[1-9][0-9]*)$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!addr || !(bits <= addr.length * 8)) {
    throw new Error(`network address "${s}" parse error during conversion from string: netip.ParsePrefix("${s}"): bad prefix`);
  }
  if (isMapped(addr)) throw new Error(`IPv4-mapped IPv6 address "${s}" is not allowed`);
  return new CIDRValue(new IPValue(addr), bits);
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
