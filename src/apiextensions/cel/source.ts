// Where cel-go puts things in an expression's source, and its parser's limits: positions of
// calls, conditionals and has() (which @bufbuild/cel places elsewhere), bracket nesting and
// recursion depth.

import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/** The index of the last character of the string literal (one or three quotes) that starts at i. */
function stringEnd(source: string, i: number): number {
  const c = source[i]!;
  const q = source.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
  let j = i + q.length;
  while (j < source.length && !source.startsWith(q, j)) j += source[j] === '\\' ? 2 : 1;
  return j + q.length - 1;
}

const operator = /^(_.*_|!_|-_|@.*)$/;

/** cel-go places a call's position at its '(' where @bufbuild/cel places it at the name. */
export function callOffset(source: string, e: Expr, offset: number): number {
  // has(x.f) is at its '(' too (@bufbuild/cel: at the 'h')
  if (e.exprKind.case === 'selectExpr' && e.exprKind.value.testOnly && source.startsWith('has', offset)) {
    const open = source.indexOf('(', offset);
    return open >= 0 ? open : offset;
  }
  if (e.exprKind.case !== 'callExpr') return offset;
  if (e.exprKind.value.function === '_?_:_') return ternaryOffset(source, offset);
  if (operator.test(e.exprKind.value.function)) {
    // an operator is at its symbol (@bufbuild/cel sometimes places it at the blank before)
    let i = offset;
    while (i < source.length && /\s/.test(source[i]!)) i++;
    return i;
  }
  let i = offset;
  if (source[i] === '.') i++;
  while (i < source.length && /[\w.\s]/.test(source[i]!)) {
    i++;
    if (source[i] === '(') return i;
  }
  return offset;
}

/** cel-go places a conditional at its '?': the first one outside brackets and strings from its start. */
function ternaryOffset(source: string, offset: number): number {
  let depth = 0;
  for (let i = offset; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'") i = stringEnd(source, i); else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '?' && depth === 0) return i;
  }
  return offset;
}

/** cel-go's parser limits: expression size and nesting (this checker and planner recurse too). */
export const MAX_CODE_POINTS = 100000;
export const MAX_NESTING = 250;

/** The deepest nesting of brackets outside string literals. */
export function nesting(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'") i = stringEnd(source, i); else if (c === '(' || c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return max;
}

/**
 * How deep cel-go's parser would recurse: one level per operator, call, literal list/map or
 * macro (selections and leaves are free), counted without recursion.
 */
export function recursionDepth(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 0]];
  while (stack.length) {
    const [e, d0] = stack.pop()!;
    const k = e.exprKind;
    const d = k.case === 'selectExpr' || k.case === 'identExpr' || k.case === 'constExpr' ? d0 : d0 + 1;
    if (d > max) max = d;
    const kids = k.case === 'selectExpr' ? [k.value.operand] : k.case === 'callExpr' ? [k.value.target, ...k.value.args]
      : k.case === 'listExpr' ? k.value.elements : k.case === 'structExpr' ? k.value.entries.flatMap((en) => [en.value, en.keyKind.case === 'mapKey' ? en.keyKind.value : undefined])
        : k.case === 'comprehensionExpr' ? [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result] : [];
    for (const x of kids) if (x) stack.push([x, d]);
  }
  return max;
}
