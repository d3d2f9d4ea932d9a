// kube's AST validators (cel.ValidateRegexLiterals, ValidateDurationLiterals,
// ValidateTimestampLiterals) and its regex library's compilation of constant patterns at program
// creation: a literal argument that cannot be what the function needs is refused at CRD time.

import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { RE2JS } from '@bufbuild/re2';
import { parseGoDuration } from './values.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export interface LiteralIssues {
  /** Compile-time issues (shown as compile errors), by the literal's expression id. */
  issues: { exprId: bigint; message: string }[];
  /** A constant find/findAll pattern that does not compile: "program instantiation failed: ...". */
  programError?: string;
}

function stringLiteral(e: Expr | undefined): string | undefined {
  return e?.exprKind.case === 'constExpr' && e.exprKind.value.constantKind.case === 'stringValue' ? e.exprKind.value.constantKind.value : undefined;
}

function regexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function checkLiterals(root: Expr): LiteralIssues {
  const out: LiteralIssues = { issues: [] };
  const visit = (e: Expr | undefined): void => {
    if (!e) return;
    const k = e.exprKind;
    switch (k.case) {
      case 'selectExpr': visit(k.value.operand); return;
      case 'listExpr': k.value.elements.forEach(visit); return;
      case 'structExpr': k.value.entries.forEach((en) => { visit(en.value); if (en.keyKind.case === 'mapKey') visit(en.keyKind.value); }); return;
      case 'comprehensionExpr': [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result].forEach(visit); return;
      case 'callExpr': {
        const c = k.value;
        visit(c.target);
        c.args.forEach(visit);
        const arg = c.target ? c.args[0] : c.args[c.function === 'matches' ? 1 : 0];
        const lit = stringLiteral(arg);
        if (lit === undefined || !arg) return;
        if (c.function === 'matches' && regexError(lit) !== undefined) out.issues.push({ exprId: arg.id, message: 'invalid matches argument' });
        else if (c.function === 'duration' && !c.target && parseGoDuration(lit) === undefined) out.issues.push({ exprId: arg.id, message: 'invalid duration argument' });
        else if (c.function === 'timestamp' && !c.target && (!RFC3339.test(lit) || Number.isNaN(Date.parse(lit)))) out.issues.push({ exprId: arg.id, message: 'invalid timestamp argument' });
        else if ((c.function === 'find' || c.function === 'findAll') && c.target && out.programError === undefined) {
          const err = regexError(lit);
          if (err !== undefined) out.programError = err;
        }
      }
    }
  };
  visit(root);
  return out;
}
