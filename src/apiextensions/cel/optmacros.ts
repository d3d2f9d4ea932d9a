// cel.OptionalTypes' macros, which @bufbuild/cel's parser does not expand:
//   o.optMap(x, e)     -> o.hasValue() ? optional.of(e with x bound to o.value()) : optional.none()
//   o.optFlatMap(x, e) -> o.hasValue() ? (e with x bound to o.value()) : optional.none()
// x is bound as cel-go's cel.bind does: a comprehension over no elements whose accumulator is x.

import { clone, create, type MessageInitShape } from '@bufbuild/protobuf';
import { ExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { children, maxId } from './twovar.js';

type Kind = NonNullable<MessageInitShape<typeof ExprSchema>['exprKind']>;

export function expandOptMacros(root: Expr, positions: Record<string, number>): Expr {
  let next = maxId(root) + 1n;
  const visit = (e: Expr): void => {
    children(e).forEach(visit);
    const k = e.exprKind;
    if (k.case !== 'callExpr' || !k.value.target || (k.value.function !== 'optMap' && k.value.function !== 'optFlatMap')) return;
    const c = k.value;
    const v = c.args[0]?.exprKind.case === 'identExpr' ? c.args[0].exprKind.value.name : undefined;
    if (c.args.length !== 2 || !v) return;
    const pos = positions[String(e.id)] ?? 0;
    const node = (exprKind: Kind): Expr => {
      const id = next++;
      positions[String(id)] = pos;
      return create(ExprSchema, { id, exprKind });
    };
    const target = c.target!;
    const call = (fn: string, args: Expr[], tgt?: Expr) => node({ case: 'callExpr', value: { function: fn, args, target: tgt } });
    const bind = node({ case: 'comprehensionExpr', value: {
      iterVar: '#unused', iterRange: node({ case: 'listExpr', value: { elements: [] } }), accuVar: v,
      accuInit: call('value', [], clone(ExprSchema, target)),
      loopCondition: node({ case: 'constExpr', value: { constantKind: { case: 'boolValue', value: false } } }),
      loopStep: node({ case: 'identExpr', value: { name: v } }), result: c.args[1],
    } });
    const some = c.function === 'optMap' ? call('of', [bind], node({ case: 'identExpr', value: { name: 'optional' } })) : bind;
    const none = call('none', [], node({ case: 'identExpr', value: { name: 'optional' } }));
    e.exprKind = create(ExprSchema, { exprKind: { case: 'callExpr', value: { function: '_?_:_', args: [call('hasValue', [], target), some, none] } } }).exprKind;
  };
  const out = clone(ExprSchema, root);
  visit(out);
  return out;
}
