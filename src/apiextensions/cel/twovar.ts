// cel-go's two-variable comprehensions (ext.TwoVarComprehensions, in kube since 1.32):
// all(k, v, p), exists(k, v, p), existsOne(k, v, p), transformList(i, v, [f,] e),
// transformMap(k, v, [f,] e). @bufbuild/cel's parser knows only the one-variable macros, so these
// arrive as plain calls; expandTwoVar turns them into comprehensions with iterVar2 (which the
// checker types: index/key and element/value), and lowerTwoVar rewrites those for the planner,
// which has one iteration variable: it iterates over the indices or keys and reads the value by
// indexing the range.

import { clone, create, type MessageInitShape } from '@bufbuild/protobuf';
import { ExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

export const ITER_KEYS = '@kplane_iter_keys';
export const MAP_INSERT = '@kplane_map_insert';
const ACCU = '@result';

type Kind = NonNullable<MessageInitShape<typeof ExprSchema>['exprKind']>;

export function children(e: Expr): Expr[] {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr': return k.value.operand ? [k.value.operand] : [];
    case 'callExpr': return [...(k.value.target ? [k.value.target] : []), ...k.value.args];
    case 'listExpr': return k.value.elements;
    case 'structExpr': return k.value.entries.flatMap((en) => [...(en.keyKind.case === 'mapKey' ? [en.keyKind.value] : []), ...(en.value ? [en.value] : [])]);
    case 'comprehensionExpr': return [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result].filter((x): x is Expr => !!x);
    default: return [];
  }
}

export function maxId(e: Expr): bigint {
  return children(e).reduce((m, c) => { const x = maxId(c); return x > m ? x : m; }, e.id);
}

const identName = (e: Expr | undefined) => (e?.exprKind.case === 'identExpr' ? e.exprKind.value.name : undefined);

const MACROS: Record<string, number[]> = { all: [3], exists: [3], existsOne: [3], exists_one: [3], transformList: [3, 4], transformMap: [3, 4] };

/**
 * Expands the two-variable macros in place (on a copy); new nodes take the call's position.
 * Returns the expression and the positions to add to the source info.
 */
export function expandTwoVar(root: Expr, positions: Record<string, number>): Expr {
  let next = maxId(root) + 1n;
  const node = (exprKind: Kind, pos: number): Expr => {
    const id = next++;
    positions[String(id)] = pos;
    return create(ExprSchema, { id, exprKind });
  };
  const visit = (e: Expr): void => {
    children(e).forEach(visit);
    const k = e.exprKind;
    if (k.case !== 'callExpr' || !k.value.target) return;
    const c = k.value;
    const arities = MACROS[c.function];
    const v1 = identName(c.args[0]);
    const v2 = identName(c.args[1]);
    if (!arities?.includes(c.args.length) || !v1 || !v2) return;
    const pos = positions[String(e.id)] ?? 0;
    const ident = (name: string) => node({ case: 'identExpr', value: { name } }, pos);
    const call = (fn: string, ...args: Expr[]) => node({ case: 'callExpr', value: { function: fn, args } }, pos);
    const bool = (b: boolean) => node({ case: 'constExpr', value: { constantKind: { case: 'boolValue', value: b } } }, pos);
    const int = (n: bigint) => node({ case: 'constExpr', value: { constantKind: { case: 'int64Value', value: n } } }, pos);
    const list = (...elements: Expr[]) => node({ case: 'listExpr', value: { elements } }, pos);
    const map = () => node({ case: 'structExpr', value: { entries: [] } }, pos);
    const [, , a, b] = c.args as [Expr, Expr, Expr, Expr | undefined];
    let init: Expr; let cond: Expr; let step: Expr; let result: Expr;
    switch (c.function) {
      case 'all':
        init = bool(true); cond = call('@not_strictly_false', ident(ACCU)); step = call('_&&_', ident(ACCU), a); result = ident(ACCU); break;
      case 'exists':
        init = bool(false); cond = call('@not_strictly_false', call('!_', ident(ACCU))); step = call('_||_', ident(ACCU), a); result = ident(ACCU); break;
      case 'existsOne': case 'exists_one':
        init = int(0n); cond = bool(true); step = call('_?_:_', a, call('_+_', ident(ACCU), int(1n)), ident(ACCU));
        result = call('_==_', ident(ACCU), int(1n)); break;
      case 'transformList': {
        const add = call('_+_', ident(ACCU), list(b ?? a));
        init = list(); cond = bool(true); step = b ? call('_?_:_', a, add, ident(ACCU)) : add; result = ident(ACCU); break;
      }
      default: {
        const ins = call(MAP_INSERT, ident(ACCU), ident(v1), b ?? a);
        init = map(); cond = bool(true); step = b ? call('_?_:_', a, ins, ident(ACCU)) : ins; result = ident(ACCU); break;
      }
    }
    e.exprKind = create(ExprSchema, { exprKind: { case: 'comprehensionExpr', value: {
      iterVar: v1, iterVar2: v2, iterRange: c.target, accuVar: ACCU, accuInit: init, loopCondition: cond, loopStep: step, result,
    } } }).exprKind;
  };
  const out = clone(ExprSchema, root);
  visit(out);
  return out;
}

function substitute(e: Expr, name: string, replacement: () => Expr): void {
  if (identName(e) === name) { e.exprKind = replacement().exprKind; return; }
  const k = e.exprKind;
  if (k.case === 'comprehensionExpr') {
    const c = k.value;
    for (const x of [c.iterRange, c.accuInit]) if (x) substitute(x, name, replacement);
    // an inner comprehension's own variables shadow the outer ones
    if (c.iterVar === name || c.iterVar2 === name || c.accuVar === name) return;
    for (const x of [c.loopCondition, c.loopStep, c.result]) if (x) substitute(x, name, replacement);
    return;
  }
  for (const ch of children(e)) substitute(ch, name, replacement);
}

/** Rewrites comprehensions with two variables (in place) into ones the planner runs. */
export function lowerTwoVar(e: Expr): void {
  for (const ch of children(e)) lowerTwoVar(ch);
  const k = e.exprKind;
  if (k.case !== 'comprehensionExpr' || !k.value.iterVar2) return;
  const c = k.value;
  const range = c.iterRange!;
  const v1 = c.iterVar;
  const valueOf = () => create(ExprSchema, { exprKind: { case: 'callExpr', value: { function: '_[_]', args: [clone(ExprSchema, range), create(ExprSchema, { exprKind: { case: 'identExpr', value: { name: v1 } } })] } } });
  for (const x of [c.loopCondition, c.loopStep]) if (x) substitute(x, c.iterVar2, valueOf);
  c.iterRange = create(ExprSchema, { id: range.id, exprKind: { case: 'callExpr', value: { function: ITER_KEYS, args: [range] } } });
  c.iterVar2 = '';
}
