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

const scalars = ['bool', 'double', 'int', 'uint', 'google.protobuf.Timestamp', 'google.protobuf.Duration'];
function isScalar(t: CelT): boolean {
  if (t.kind === 'opaque' && t.name === 'optional_type') return isScalar(t.params[0]!);
  return scalars.includes(t.kind);
}

class Coster {
  private readonly sizes = new Map<bigint, number>();
  /** Comprehension variables in scope (their sizes come from their types, not from self's). */
  private readonly locals: string[] = [];

  constructor(private readonly checked: Checked, private readonly selfSize: number) {}

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
    // kube's size estimator reads a path from self and drops its first element, so any global
    // identifier (self, oldSelf, a type name like int) has the size of self
    if (k.case === 'identExpr' && !this.locals.includes(k.value.name)) return this.selfSize;
    if (k.case === 'structExpr') return k.value.entries.length;
    const t = this.type(e);
    if (t && 'maxElements' in t && t.maxElements !== undefined) return t.maxElements;
    // cel-go's computeTypeSize: a computed scalar (or optional scalar) has size 1
    return t && isScalar(t) ? 1 : MAX_UINT64;
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
        const outer = add(this.cost(c.iterRange!), this.cost(c.accuInit!));
        this.locals.push(c.accuVar);
        const base = add(outer, this.cost(c.result!));
        if (isBind) { this.locals.pop(); return base; }
        this.locals.push(c.iterVar, c.iterVar2);
        const iteration = add(this.cost(c.loopCondition!), this.cost(c.loopStep!));
        this.locals.length -= 3;
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
    const overloads = this.checked.overloads.get(e.id) ?? [];
    if (!overloads.length) return 0;
    // a namespaced function's "target" (sets in sets.contains) is part of its name
    const targetCost = c.target && overloads[0]!.member ? this.cost(c.target) : 0;
    const sum = argCosts.reduce(add, targetCost);
    let best = 0;
    let size: number | undefined;
    for (const o of overloads) {
      // namespaced functions (sets.contains) are parsed as calls on an identifier
      const cc = o.member ? { ...c, function: o.name } : { function: o.name, args: c.args };
      const r = this.kubeCost(cc, o.id) ?? this.celCost(cc, o.id);
      best = Math.max(best, r.cost);
      if (r.size !== undefined) size = Math.max(size ?? 0, r.size);
    }
    if (size !== undefined) this.sizes.set(e.id, size);
    return add(targetCost, add(best, argumentsCost(c.function, argCosts, sum - targetCost)));
  }

  private elemSize(list: Expr): number {
    const t = this.type(list);
    const el = t?.kind === 'list' ? t.elem : undefined;
    return el && el.kind !== 'param' && 'maxElements' in el && el.maxElements !== undefined ? el.maxElements : MAX_UINT64;
  }

  /** kube's library.CostEstimator.EstimateCallCost (the function's own cost, without its arguments'). */
  private kubeCost(c: { target?: Expr; function: string; args: Expr[] }, id: string): { cost: number; size?: number } | undefined {
    const args = c.args;
    const t = c.target;
    const sz = (x: Expr) => this.size(x);
    switch (c.function) {
      case 'isSorted': case 'sum': case 'max': case 'min': case 'indexOf': case 'lastIndexOf': {
        if (!t) return undefined;
        const tt = this.type(t);
        if (tt?.kind !== 'list') return { cost: factor(sz(t), 0.1) };
        const el = tt.elem;
        const elCost = el.kind === 'string' || el.kind === 'bytes' ? add(1, factor(this.elemSize(t), 0.1)) : 1;
        return { cost: mul(sz(t), elCost) };
      }
      case 'url': return args.length === 1 ? { cost: factor(sz(args[0]!), 0.1), size: sz(args[0]!) } : undefined;
      case 'lowerAscii': case 'upperAscii': case 'substring': case 'trim':
        return t ? { cost: factor(sz(t), 0.1), size: sz(t) } : undefined;
      case 'replace': return t && args.length >= 2 ? { cost: factor(sz(t), 0.2) } : undefined;
      case 'split': {
        if (!t) return undefined;
        const lit = args[1]?.exprKind.case === 'constExpr' && args[1].exprKind.value.constantKind.case === 'int64Value'
          ? Number(args[1].exprKind.value.constantKind.value) : undefined;
        return { cost: factor(sz(t), 0.2), size: lit ?? sz(t) };
      }
      case 'join': {
        if (!t) return undefined;
        const n = sz(t);
        let total = mul(n, this.elemSize(t));
        if (args.length) total = add(total, mul(sz(args[0]!), n > 0 ? n - 1 : 0));
        return { cost: factor(total, 0.1), size: total };
      }
      case 'find': case 'findAll':
        return t && args.length ? { cost: mul(factor(add(sz(t), 1), 0.1), factor(sz(args[0]!), 0.25)), size: sz(t) } : undefined;
      case 'cidr': case 'isIP': case 'isCIDR': case 'quantity': case 'isQuantity': case 'semver': case 'isSemver':
        return args.length ? { cost: factor(sz(args[0]!), 0.1) } : undefined;
      case 'ip':
        if (t) return { cost: 1 };
        return args.length ? { cost: factor(sz(args[0]!), 0.1) } : undefined;
      case 'ip.isCanonical': return args.length ? { cost: factor(sz(args[0]!), 0.2) } : undefined;
      case 'masked': case 'prefixLength': case 'family': case 'isUnspecified': case 'isLoopback': case 'isLinkLocalMulticast':
      case 'isLinkLocalUnicast': case 'isGlobalUnicast': case 'format.named': case 'sign': case 'asInteger': case 'isInteger':
      case 'asApproximateFloat': case 'isGreaterThan': case 'isLessThan': case 'compareTo': case 'add': case 'sub': case 'major':
      case 'minor': case 'patch': case 'getScheme': case 'getHostname': case 'getHost': case 'getPort': case 'getEscapedPath': case 'getQuery':
        return { cost: 1 };
      case 'containsIP': return args.length ? { cost: add(factor(32, 0.1), id.includes('(string)') ? factor(sz(args[0]!), 0.1) : 0) } : undefined;
      case 'containsCIDR':
        return args.length ? { cost: add(add(add(factor(32, 0.1), factor(16, 0.1)), 1), id.includes('(string)') ? factor(sz(args[0]!), 0.1) : 0) } : undefined;
      case 'validate': return args.length ? { cost: factor(factor(sz(args[0]!), 0.1), 128 * 0.25) } : undefined;
      case '_==_': {
        const lt = this.type(args[0]!);
        if (lt?.kind === 'opaque') {
          if (lt.name === 'net.IP' || lt.name === 'net.CIDR' || lt.name === 'kubernetes.Quantity' || lt.name === 'kubernetes.Semver') return { cost: 1 };
          if (lt.name === 'kubernetes.NamedFormat') return { cost: factor(64, 0.1) };
          if (lt.name === 'kubernetes.URL') return { cost: factor(1, 0.1) };
        }
        return undefined;
      }
    }
    return undefined;
  }

  /** cel-go's own estimates of its standard functions (checker/cost.go functionCost). */
  private celCost(c: { target?: Expr; function: string; args: Expr[] }, id: string): { cost: number; size?: number } {
    const args = c.args;
    const sz = (x: Expr) => this.size(x);
    const tsize = c.target ? sz(c.target) : 0;
    switch (c.function) {
      case '_&&_': case '_||_': return { cost: 0 };
      case '_?_:_': return { cost: 0 };
      case 'format': return c.target ? { cost: factor(tsize, 0.1) } : { cost: 1 };
      case 'bytes': case 'string':
        if (id === 'bytes(string) bytes' || id === 'string(bytes) string') return { cost: factor(sz(args[0]!), 0.1), size: sz(args[0]!) };
        return { cost: 1 };
      case 'strings.quote': return { cost: factor(sz(args[0]!), 0.1) };
      // ext.Sets' estimators: the product of the lists' sizes (twice for equivalent)
      case 'sets.contains': case 'sets.intersects': return { cost: add(mul(sz(args[0]!), sz(args[1]!)), 1) };
      case 'sets.equivalent': return { cost: add(factor(mul(sz(args[0]!), sz(args[1]!)), 2), 1) };
      case 'startsWith': case 'endsWith': return c.target ? { cost: factor(sz(args[0]!), 0.1) } : { cost: 1 };
      case '@in': return id === '@in(A, list(A)) bool' ? { cost: sz(args[1]!) } : { cost: 1 };
      case 'matches': {
        const [str, re] = c.target ? [tsize, sz(args[0]!)] : [sz(args[0]!), sz(args[1]!)];
        return { cost: mul(factor(add(str, 1), 0.1), factor(re, 0.25)) };
      }
      case 'contains': return c.target ? { cost: mul(factor(tsize, 0.1), factor(sz(args[0]!), 0.1)) } : { cost: 1 };
      case '_+_': {
        const total = add(sz(args[0]!), sz(args[1]!));
        if (id === '_+_(list(A), list(A)) list(A)') return { cost: 1, size: total };
        if (id === '_+_(string, string) string' || id === '_+_(bytes, bytes) bytes') return { cost: factor(total, 0.1), size: total };
        return { cost: 1 };
      }
      case '_<_': case '_<=_': case '_>_': case '_>=_': case '_==_': case '_!=_':
        // ordering costs 1 except for strings and bytes, which (like equality) walk the shorter operand
        if (c.function.length === 3 || c.function[1] === '<' || c.function[1] === '>') {
          if (c.function !== '_==_' && c.function !== '_!=_' && !/\((string|bytes), \1\)/.test(id)) return { cost: 1 };
        }
        return { cost: factor(Math.min(sz(args[0]!), sz(args[1]!)), 0.1) };
    }
    return { cost: 1 };
  }
}

/** The arguments' part of a call's cost: all of them, but only the costlier branch of ?:. */
function argumentsCost(fn: string, argCosts: number[], all: number): number {
  if (fn === '_?_:_') return add(argCosts[0]!, Math.max(argCosts[1]!, argCosts[2]!));
  return all;
}

/** The estimated maximum cost of one evaluation of a checked expression. */
export function estimateCost(root: Expr, checked: Checked, self: CelT): number {
  return new Coster(checked, 'maxElements' in self && self.maxElements !== undefined ? self.maxElements : MAX_UINT64).cost(root);
}
