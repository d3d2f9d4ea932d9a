// Compiling one x-kubernetes-validations rule (apiextensions' compileRule): parse, type-check
// against the declared type of self (and oldSelf, optional with optionalOldSelf), require a bool
// (a string for messageExpression), estimate the cost, plan a metered program.

import { parse } from '@bufbuild/cel';
import type { Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { checkExpr, type CheckOptions } from './checker.js';
import { checkLiterals } from './literals.js';
import { expandTwoVar } from './twovar.js';
import { expandOptMacros } from './optmacros.js';
import { callOffset, MAX_CODE_POINTS, MAX_NESTING, nesting, recursionDepth } from './source.js';
import { estimateCost } from './cost.js';
import { displayIssues, type Located } from './issues.js';
import { program, type Program } from './runtime.js';
import type { CelT } from './types.js';
import { T, typeString } from './types.js';

export interface CompiledExpression {
  program: Program;
  usesOldSelf: boolean;
  maxCost: number;
  /** The type the expression evaluates to. */
  output: CelT;
}

export type CompileResult = { ok: true; value: CompiledExpression } | { ok: false; detail: string };

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

const noPosition = (source: string, message: string): CompileResult & { failedPhase: 'compile' } =>
  ({ ok: false, failedPhase: 'compile', detail: displayIssues(source, [{ offset: -1, message }]) });

/**
 * Whether an output type is the one wanted: the same kind (kube's CEL return types), and for the
 * patch types' object types (Object, list(JSONPatch)) the same type exactly (cel-go's IsExactType).
 */
function returns(want: CelT, output: CelT): boolean {
  if (want.kind === 'dyn') return true;
  if (output.kind !== want.kind) return false;
  if (want.kind === 'object' || (want.kind === 'list' && want.elem.kind === 'object')) return typeString(output) === typeString(want);
  return true;
}

export function compileExpression(source: string, vars: ReadonlyMap<string, CelT>, want: CelT, opts: CheckOptions = {}): CompileResult & { failedPhase?: 'compile' | 'type' | 'program' } {
  const size = [...source].length;
  if (size > MAX_CODE_POINTS) return noPosition(source, `expression code point size exceeds limit: size: ${size}, limit ${MAX_CODE_POINTS}`);
  if (nesting(source) > MAX_NESTING) return noPosition(source, `expression recursion limit exceeded: ${MAX_NESTING}`);
  try {
    return compileChecked(source, vars, want, opts);
  } catch (err) {
    // whatever the limits above let through must not take the process's stack
    if (err instanceof RangeError) return noPosition(source, 'max recursion depth exceeded');
    throw err;
  }
}

function compileChecked(source: string, vars: ReadonlyMap<string, CelT>, want: CelT, opts: CheckOptions): CompileResult & { failedPhase?: 'compile' | 'type' | 'program' } {
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
  const checked = checkExpr(expr, vars, opts);
  const literals = checked.issues.length ? undefined : checkLiterals(expr);
  if (literals?.issues.length) checked.issues.push(...literals.issues);
  if (checked.issues.length) {
    const byId = exprsById(expr, new Map());
    const located: Located[] = checked.issues.map((is) => {
      const codeUnits = positions[String(is.exprId)] ?? 0;
      const e = byId.get(is.exprId);
      const at = is.atColon ? Math.max(codeUnits, source.indexOf(':', codeUnits)) : e ? callOffset(source, e, codeUnits) : codeUnits;
      return { offset: [...source.slice(0, at)].length, message: is.message };
    });
    return { ok: false, failedPhase: 'compile', detail: displayIssues(source, located) };
  }
  // want dyn: any output (kube's cel.AnyType return type, e.g. authentication claim mappings)
  // the detail of a type failure is the type the expression has (cel-go's printed name)
  if (!returns(want, checked.output)) return { ok: false, failedPhase: 'type', detail: typeString(checked.output) };
  if (literals?.programError) return { ok: false, failedPhase: 'program', detail: literals.programError };
  return {
    ok: true,
    value: { program: program(expr), usesOldSelf: checked.references.has('oldSelf'), maxCost: estimateCost(expr, checked, vars.get('self') ?? T.dyn), output: checked.output },
  };
}

export const BOOL = T.bool;
export const STRING = T.string;
