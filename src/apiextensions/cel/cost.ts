// Static cost estimation of a checked rule (cel-go checker/cost.go with kube's CostEstimator and
// PresenceTestHasCost(false)): identifiers and selections cost 1, calls 1 plus their arguments,
// string work 0.1 per character, regexes 0.25 per pattern character, list/map literals 10/30,
// comprehensions the range's largest size times the cost of one iteration. Sizes come from the
// declared types (maxLength/maxItems/maxProperties or the request-size estimates of decltypes.ts).
// Only the maximum is used by kube (the CRD limits), so only the maximum is computed here.

import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Checked } from './checker.js';
import type { CelT } from './types.js';

export const MAX_UINT64 = 18446744073709551615;

const sat = (n: number) => (n >= MAX_UINT64 ? MAX_UINT64 : n);
const add = (a: number, b: number) => sat(a + b);
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : sat(a * b));
const factor = (a: number, f: number) => (a === 0 ? 0 : sat(Math.ceil(a * f)));

class Coster {
  private readonly sizes = new Map<bigint, number>();

  constructor(private readonly checked: Checked) {}

  private type(e: Expr): CelT | undefined {
    return this.checked.types.get(e.id);
  }

  /** The largest size (characters, bytes, elements) an expression's value can have. */
  size(e: Expr): number {
    const known = this.sizes.get(e.id);
    if (known !== undefined) return known;
    const k = e.exprKind;
    if (k.case === 'constExpr') {
      const c = k.value.constantKind;
      if (c.case === 'stringValue') return [...c.value].length;
      if (c.case === 'bytesValue') return c.value.length;
      return 1;
    }
    if (k.case === 'listExpr') return k.value.elements.length;
    if (k.case === 'structExpr') return k.value.entries.length;
    const t = this.type(e);
    if (t && 'maxElements' in t && t.maxElements !== undefined) return t.maxElements;
    return MAX_UINT64;
  }

  cost(e: Expr): number {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr': return 0;
      case 'identExpr': return 1;
      case 'selectExpr': {
        const operand = this.cost(k.value.operand!);
        if (k.value.testOnly) return operand;
        const t = this.type(k.value.operand!);
        return add(operand, t && (t.kind === 'map' || t.kind === 'object' || t.kind === 'param') ? 1 : 0);
      }
      case 'listExpr': return k.value.elements.reduce((s, x) => add(s, this.cost(x)), 10);
      case 'structExpr': return k.value.entries.reduce((s, en) =>
        add(add(s, en.keyKind.case === 'mapKey' ? this.cost(en.keyKind.value) : 0), this.cost(en.value!)), 30);
      case 'comprehensionExpr': {
        const c = k.value;
        const isBind = c.iterRange?.exprKind.case === 'listExpr' && c.iterRange.exprKind.value.elements.length === 0
          && c.loopCondition?.exprKind.case === 'constExpr' && c.accuVar !== '@result';
        const base = add(add(this.cost(c.iterRange!), this.cost(c.accuInit!)), this.cost(c.result!));
        if (isBind) return base;
        const iteration = add(this.cost(c.loopCondition!), this.cost(c.loopStep!));
        const n = this.size(c.iterRange!);
        if (c.accuInit?.exprKind.case === 'listExpr' || c.accuInit?.exprKind.case === 'structExpr') this.sizes.set(e.id, n);
        return add(base, mul(n, iteration));
      }
      case 'callExpr': return this.call(e, k.value);
    }
    return 0;
  }

  private call(e: Expr, c: { target?: Expr; function: string; args: Expr[] }): number {
    const args = c.args;
    if (c.function === 'dyn' && args.length === 1) {
      const s = this.sizes.get(args[0]!.id);
      if (s !== undefined) this.sizes.set(e.id, s);
      return add(1, this.cost(args[0]!));
    }
    const argCosts = args.map((a) => this.cost(a));
    const targetCost = c.target ? this.cost(c.target) : 0;
    const sum = argCosts.reduce(add, targetCost);
    const tsize = c.target ? this.size(c.target) : 0;
    const overloads = this.checked.overloads.get(e.id) ?? [];
    const ids = new Set(overloads.map((o) => o.id));
    const has = (...xs: string[]) => xs.some((x) => ids.has(x));
    switch (c.function) {
      case '_&&_': case '_||_': return sum;
      case '_?_:_': return add(argCosts[0]!, Math.max(argCosts[1]!, argCosts[2]!));
      case '_==_': case '_!=_': case '_<_': case '_<=_': case '_>_': case '_>=_': {
        if (c.function[1] === '<' || c.function[1] === '>') {
          if (!has(...['string', 'bytes'].map((t) => `${c.function}(${t}, ${t}) bool`))) return add(sum, 1);
        }
        return add(sum, factor(Math.min(this.size(args[0]!), this.size(args[1]!)), 0.1));
      }
      case '_+_': {
        const total = add(this.size(args[0]!), this.size(args[1]!));
        if (has('_+_(list(A), list(A)) list(A)')) { this.sizes.set(e.id, total); return add(sum, 1); }
        if (has('_+_(string, string) string', '_+_(bytes, bytes) bytes')) { this.sizes.set(e.id, total); return add(sum, factor(total, 0.1)); }
        return add(sum, 1);
      }
      case '@in':
        if (has('@in(A, list(A)) bool')) return add(sum, this.size(args[1]!));
        return add(sum, 1);
      case 'startsWith': case 'endsWith': return add(sum, factor(this.size(args[0]!), 0.1));
      case 'contains': return add(sum, mul(factor(tsize, 0.1), factor(this.size(args[0]!), 0.1)));
      case 'matches': {
        const [str, re] = c.target ? [tsize, this.size(args[0]!)] : [this.size(args[0]!), this.size(args[1]!)];
        return add(sum, mul(factor(add(str, 1), 0.1), factor(re, 0.25)));
      }
      case 'find': case 'findAll':
        return add(sum, mul(factor(add(tsize, 1), 0.1), factor(this.size(args[0]!), 0.25)));
      case 'format': return add(sum, factor(tsize, 0.1));
      case 'string': case 'bytes': case 'quote': case 'strings.quote':
        return add(sum, factor(args[0] ? this.size(args[0]) : 0, 0.1));
      // kube's library.CostEstimator: list functions walk the list, parsers walk the string
      case 'isSorted': case 'sum': case 'max': case 'min': case 'indexOf': case 'lastIndexOf':
        if (c.target && this.type(c.target)?.kind === 'list') {
          const elem = this.type(c.target);
          const elemSize = elem?.kind === 'list' && (elem.elem.kind === 'string' || elem.elem.kind === 'bytes') ? factor(this.size(c.target), 0) : 0;
          return add(sum, mul(tsize, add(1, elemSize)));
        }
        return add(sum, factor(tsize, 0.1));
      case 'url': case 'isURL': case 'quantity': case 'isQuantity': case 'ip': case 'isIP': case 'cidr': case 'isCIDR':
      case 'semver': case 'isSemver': case 'ip.isCanonical': case 'containsIP': case 'containsCIDR':
        return add(sum, factor(this.size(args[0] ?? c.target!), 0.1));
      case 'validate':
        return add(sum, factor(this.size(args[0]!), 0.1));
      case 'split': case 'lowerAscii': case 'upperAscii': case 'replace': case 'trim': case 'substring':
      case 'charAt': case 'join':
        return add(sum, factor(tsize, 0.1));
      case 'sets.contains': case 'sets.equivalent': case 'sets.intersects':
        return add(sum, mul(this.size(args[0]!), this.size(args[1]!)));
    }
    return add(sum, 1);
  }
}

/** The estimated maximum cost of one evaluation of a checked expression. */
export function estimateCost(root: Expr, checked: Checked): number {
  return new Coster(checked).cost(root);
}
