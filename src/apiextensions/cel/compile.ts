// Compiling one x-kubernetes-validations rule (apiextensions' compileRule): parse, type-check
// against the declared type of self (and oldSelf, optional with optionalOldSelf), require a bool
// (a string for messageExpression), estimate the cost, plan a metered program.

import { parse } from '@bufbuild/cel';
import type { Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { checkExpr } from './checker.js';
import { checkLiterals } from './literals.js';
import { expandTwoVar } from './twovar.js';
import { expandOptMacros } from './optmacros.js';
import { estimateCost } from './cost.js';
import { displayIssues, type Located } from './issues.js';
import { program, type Program } from './runtime.js';
import type { CelT } from './types.js';
import { T } from './types.js';

export interface CompiledExpression {
  program: Program;
  usesOldSelf: boolean;
  maxCost: number;
}

export type CompileResult = { ok: true; value: CompiledExpression } | { ok: false; detail: string };

const operator = /^(_.*_|!_|-_|@.*)$/;

/** cel-go places a call's position at its '(' where @bufbuild/cel places it at the name. */
function callOffset(source: string, e: Expr, offset: number): number {
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
    if (c === '"' || c === "'") {
      const q = source.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < source.length && !source.startsWith(q, j)) j += source[j] === '\\' ? 2 : 1;
      i = j + q.length - 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '?' && depth === 0) return i;
  }
  return offset;
}

function exprsById(e: Expr | undefined, out: Map<bigint, Expr>): Map<bigint, Expr> {
  if (!e) return out;
  out.set(e.id, e);
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr': exprsById(k.value.operand, out); break;
    case 'callExpr': exprsById(k.value.target, out); k.value.args.forEach((a) => exprsById(a, out)); break;
    case 'listExpr': k.value.elements.forEach((a) => exprsById(a, out)); break;
    case 'structExpr': k.value.entries.forEach((en) => { exprsById(en.value, out); if (en.keyKind.case === 'mapKey') exprsById(en.keyKind.value, out); }); break;
    case 'comprehensionExpr': [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result].forEach((a) => exprsById(a, out)); break;
  }
  return out;
}

interface SyntaxErrorLike { location?: { start?: { offset?: number } }; rawMessage?: string; message: string }

/** cel-go's parser limits: expression size and nesting (this checker and planner recurse too). */
const MAX_CODE_POINTS = 100000;
const MAX_NESTING = 250;

/** The deepest nesting of brackets outside string literals. */
function nesting(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      const q = source.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < source.length && !source.startsWith(q, j)) j += source[j] === '\\' ? 2 : 1;
      i = j + q.length - 1;
    } else if (c === '(' || c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return max;
}

/**
 * How deep cel-go's parser would recurse: one level per operator, call, literal list/map or
 * macro (selections and leaves are free), counted without recursion.
 */
function recursionDepth(root: Expr): number {
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

const noPosition = (source: string, message: string): CompileResult & { failedPhase: 'compile' } =>
  ({ ok: false, failedPhase: 'compile', detail: displayIssues(source, [{ offset: -1, message }]) });

export function compileExpression(source: string, vars: ReadonlyMap<string, CelT>, want: CelT): CompileResult & { failedPhase?: 'compile' | 'type' | 'program' } {
  const size = [...source].length;
  if (size > MAX_CODE_POINTS) return noPosition(source, `expression code point size exceeds limit: size: ${size}, limit ${MAX_CODE_POINTS}`);
  if (nesting(source) > MAX_NESTING) return noPosition(source, `expression recursion limit exceeded: ${MAX_NESTING}`);
  try {
    return compileChecked(source, vars, want);
  } catch (err) {
    // whatever the limits above let through must not take the process's stack
    if (err instanceof RangeError) return noPosition(source, 'max recursion depth exceeded');
    throw err;
  }
}

function compileChecked(source: string, vars: ReadonlyMap<string, CelT>, want: CelT): CompileResult & { failedPhase?: 'compile' | 'type' | 'program' } {
  let parsed: ParsedExpr & { expr: Expr };
  try {
    parsed = parse(source);
  } catch (err) {
    const e = err as SyntaxErrorLike;
    const codeUnits = e.location?.start?.offset ?? 0;
    const offset = [...source.slice(0, codeUnits)].length;
    return { ok: false, failedPhase: 'compile', detail: displayIssues(source, [{ offset, message: `Syntax error: ${e.rawMessage ?? e.message}` }]) };
  }
  if (recursionDepth(parsed.expr) > MAX_NESTING) return noPosition(source, 'max recursion depth exceeded');
  const positions = { ...(parsed.sourceInfo?.positions ?? {}) };
  const expr = expandOptMacros(expandTwoVar(parsed.expr, positions), positions);
  const checked = checkExpr(expr, vars);
  const literals = checked.issues.length ? undefined : checkLiterals(expr);
  if (literals?.issues.length) checked.issues.push(...literals.issues);
  if (checked.issues.length) {
    const byId = exprsById(expr, new Map());
    const located: Located[] = checked.issues.map((is) => {
      const codeUnits = positions[String(is.exprId)] ?? 0;
      const e = byId.get(is.exprId);
      const at = e ? callOffset(source, e, codeUnits) : codeUnits;
      return { offset: [...source.slice(0, at)].length, message: is.message };
    });
    return { ok: false, failedPhase: 'compile', detail: displayIssues(source, located) };
  }
  if (checked.output.kind !== want.kind) return { ok: false, failedPhase: 'type', detail: '' };
  if (literals?.programError) return { ok: false, failedPhase: 'program', detail: literals.programError };
  return {
    ok: true,
    value: { program: program(expr), usesOldSelf: checked.references.has('oldSelf'), maxCost: estimateCost(expr, checked, vars.get('self') ?? T.dyn) },
  };
}

export const BOOL = T.bool;
export const STRING = T.string;
