// kube's semver library (SemverVersion 1): semver(s[, normalize]), isSemver(s[, normalize]),
// major, minor, patch, comparisons (blang/semver ordering: pre-releases before releases).

import { CelScalar } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { Opaque, expect, fn, method } from './opaque.js';

const { DYN, BOOL, INT, STRING } = CelScalar;

export class SemverValue extends Opaque {
  override readonly typeName = 'kubernetes.Semver';
  constructor(readonly major: bigint, readonly minor: bigint, readonly patch: bigint, readonly pre: string[]) { super(); }
  equals(o: unknown): boolean { return o instanceof SemverValue && semverCompare(this, o) === 0; }
}

const numbers = /^[0-9]+$/;
const alphanum = /^[0-9A-Za-z-]+$/;
const leadingZero = (p: string) => p.length > 1 && p[0] === '0';
const q = (s: string) => JSON.stringify(s);

/** blang/semver v4 Parse, with its error texts. */
function parse(s: string): SemverValue {
  if (s === '') throw new Error('Version string empty');
  const dot1 = s.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : s.indexOf('.', dot1 + 1);
  if (dot2 < 0) throw new Error('No Major.Minor.Patch elements found');
  const parts = [s.slice(0, dot1), s.slice(dot1 + 1, dot2), s.slice(dot2 + 1)];
  const [maj, min] = parts as [string, string];
  for (const [p, n] of [[maj, 'major'], [min, 'minor']] as const) {
    if (!numbers.test(p)) throw new Error(`Invalid character(s) found in ${n} number ${q(p)}`);
    if (leadingZero(p)) throw new Error(`${n[0]!.toUpperCase()}${n.slice(1)} number must not contain leading zeroes ${q(p)}`);
  }
  let patch = parts[2]!;
  let build: string[] = [];
  let pre: string[] = [];
  const plus = patch.indexOf('+');
  if (plus >= 0) { build = patch.slice(plus + 1).split('.'); patch = patch.slice(0, plus); }
  const dash = patch.indexOf('-');
  if (dash >= 0) { pre = patch.slice(dash + 1).split('.'); patch = patch.slice(0, dash); }
  if (!numbers.test(patch)) throw new Error(`Invalid character(s) found in patch number ${q(patch)}`);
  if (leadingZero(patch)) throw new Error(`Patch number must not contain leading zeroes ${q(patch)}`);
  for (const p of pre) {
    if (p === '') throw new Error('Prerelease is empty');
    if (numbers.test(p)) { if (leadingZero(p)) throw new Error(`Numeric PreRelease version must not contain leading zeroes ${q(p)}`); } else if (!alphanum.test(p)) {
      throw new Error(`Invalid character(s) found in prerelease ${q(p)}`);
    }
  }
  for (const b of build) {
    if (b === '') throw new Error('Build meta data is empty');
    if (!alphanum.test(b)) throw new Error(`Invalid character(s) found in build meta data ${q(b)}`);
  }
  return new SemverValue(BigInt(maj), BigInt(min), BigInt(patch), pre);
}

/** kube's normalizeAndParse: no "v" prefix, no leading zeros, missing minor/patch filled with 0. */
function normalizeAndParse(s: string): SemverValue {
  if (s.startsWith('v')) s = s.slice(1);
  const dot1 = s.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : s.indexOf('.', dot1 + 1);
  const parts = dot1 < 0 ? [s] : dot2 < 0 ? [s.slice(0, dot1), s.slice(dot1 + 1)] : [s.slice(0, dot1), s.slice(dot1 + 1, dot2), s.slice(dot2 + 1)];
  for (let i = 0; i < parts.length; i++) {
    let p = parts[i]!;
    if (p.length > 1) {
      p = p.replace(/^0+/, '');
      if (p === '' || !/[0-9]/.test(p[0]!)) p = `0${p}`;
      parts[i] = p;
    }
  }
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1]!)) throw new Error('short version cannot contain PreRelease/Build meta data');
    while (parts.length < 3) parts.push('0');
  }
  return parse(parts.join('.'));
}

export function parseSemver(s: string, norm = false): SemverValue {
  return norm ? normalizeAndParse(s) : parse(s);
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
