// isLessThan / isGreaterThan / compareTo, shared by Quantity and Semver (one method per name, as
// @bufbuild/cel resolves methods by name and the receiver's class decides).

import { CelScalar } from '@bufbuild/cel';
import { method } from './opaque.js';
import type { CelFunc } from '@bufbuild/cel';
import { quantityCompare } from './quantity.js';
import { semverCompare } from './semver.js';

const { DYN, BOOL, INT } = CelScalar;

function compare(a: unknown, b: unknown, fn: string): number {
  const c = quantityCompare(a, b) ?? semverCompare(a, b);
  if (c === undefined) throw new Error(`no such overload: ${fn}`);
  return c;
}

export const compareFuncs: CelFunc[] = [
  method('isLessThan', DYN, [DYN], BOOL, function (this: unknown, o: unknown) { return compare(this, o, 'isLessThan') < 0; }),
  method('isGreaterThan', DYN, [DYN], BOOL, function (this: unknown, o: unknown) { return compare(this, o, 'isGreaterThan') > 0; }),
  method('compareTo', DYN, [DYN], INT, function (this: unknown, o: unknown) { return BigInt(Math.sign(compare(this, o, 'compareTo'))); }),
];
