// kube's semver library (SemverVersion 1): semver(s[, normalize]), isSemver(s[, normalize]),
// major, minor, patch, comparisons (blang/semver ordering: pre-releases before releases).

import { CelScalar } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { Opaque, expect, fn, method } from './opaque.js';

const { DYN, BOOL, INT, STRING } = CelScalar;

export class SemverValue extends Opaque {
  override readonly typeName = 'kubernetes.Semver';
  constructor(readonly major: bigint, readonly minor: bigint, readonly patch: bigint, readonly pre: string[]) { super(); }
}

const num = '(0|[1-9][0-9]*)';
const ident = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(`^${num}\\.${num}\\.${num}(?:-(${ident}(?:\\.${ident})*))?(?:\\+(${ident}(?:\\.${ident})*))?$`);

function normalize(s: string): string {
  let v = s.startsWith('v') ? s.slice(1) : s;
  const m = /^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(.*)$/.exec(v);
  if (!m) return v;
  const part = (x: string | undefined) => String(Number(x ?? '0'));
  v = `${part(m[1])}.${part(m[2])}.${part(m[3])}${m[4]}`;
  return v;
}

export function parseSemver(s: string, norm = false): SemverValue {
  const m = SEMVER.exec(norm ? normalize(s) : s);
  if (!m) throw new Error(`Could not parse Semver: ${s}`);
  const pre = m[4] ? m[4].split('.') : [];
  for (const p of pre) if (/^[0-9]+$/.test(p) && p.length > 1 && p[0] === '0') throw new Error(`Could not parse Semver: ${s}`);
  return new SemverValue(BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!), pre);
}

export function semverCompare(a: unknown, b: unknown): number | undefined {
  if (!(a instanceof SemverValue)) return undefined;
  const o = expect(b, SemverValue, 'compareTo');
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== o[k]) return a[k] < o[k] ? -1 : 1;
  if (!a.pre.length || !o.pre.length) return a.pre.length === o.pre.length ? 0 : a.pre.length ? -1 : 1;
  for (let i = 0; i < Math.min(a.pre.length, o.pre.length); i++) {
    const x = a.pre[i]!;
    const y = o.pre[i]!;
    if (x === y) continue;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn && yn) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.pre.length === o.pre.length ? 0 : a.pre.length < o.pre.length ? -1 : 1;
}

export const semverFuncs: CelFunc[] = [
  fn('semver', [STRING], DYN, (s: string) => parseSemver(s)),
  fn('semver', [STRING, BOOL], DYN, (s: string, n: boolean) => parseSemver(s, n)),
  fn('isSemver', [STRING], BOOL, (s: string) => { try { parseSemver(s); return true; } catch { return false; } }),
  fn('isSemver', [STRING, BOOL], BOOL, (s: string, n: boolean) => { try { parseSemver(s, n); return true; } catch { return false; } }),
  method('major', DYN, [], INT, function (this: unknown) { return expect(this, SemverValue, 'major').major; }),
  method('minor', DYN, [], INT, function (this: unknown) { return expect(this, SemverValue, 'minor').minor; }),
  method('patch', DYN, [], INT, function (this: unknown) { return expect(this, SemverValue, 'patch').patch; }),
];
