// Bounded evaluation. @bufbuild/cel tracks no cost, so each comprehension's loop condition is
// wrapped in a metering call that adds the cost of one iteration (the identifiers, selections and
// calls it evaluates, as cel-go's actual cost counts them) and ends the loop once the per-call
// limit is spent: one tenant's rule cannot hold the event loop longer than its budget.
// Non-loop work is bounded by the expression's size. Evaluation is synchronous, so one meter for
// the process is enough.

import { clone, create } from '@bufbuild/protobuf';
import { ExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { celEnv, celFunc, CelScalar, isCelError, isCelList, isCelMap, plan } from '@bufbuild/cel';
import type { CelInput, CelList, CelMap, CelValue } from '@bufbuild/cel';
import { kubeFuncs } from './library/index.js';
import { meter } from './meter.js';
import { ITER_KEYS, lowerTwoVar, MAP_INSERT } from './twovar.js';
import { mutationFuncs, rewriteStructs } from './library/mutation.js';

/** k8s.io/apiserver/pkg/apis/cel PerCallLimit: the largest cost one evaluation may have. */
export const PER_CALL_LIMIT = 1000000;
/** RuntimeCELCostBudget: the cost all rules of one object's validation may use together. */
export const RUNTIME_CEL_COST_BUDGET = 10000000;

const TICK = '@kplane_meter';

export { chargeCost } from './meter.js';

const tick = celFunc(TICK, [CelScalar.BOOL, CelScalar.INT], CelScalar.BOOL, (cond: boolean, cost: bigint) => {
  meter.used += Number(cost);
  if (meter.used > meter.limit) {
    meter.exceeded = true;
    return false;
  }
  return cond;
});

const iterKeys = celFunc(ITER_KEYS, [CelScalar.DYN], CelScalar.DYN, (r: unknown) => {
  if (isCelList(r)) return [...Array((r as CelList).size).keys()].map(BigInt);
  if (isCelMap(r)) return [...(r as CelMap).keys()];
  throw new Error(`type mismatch: iterable vs ${typeof r}`);
});

const mapInsert = celFunc(MAP_INSERT, [CelScalar.DYN, CelScalar.DYN, CelScalar.DYN], CelScalar.DYN, (m: unknown, k: unknown, v: unknown) => {
  const out = new Map((m as CelMap).entries());
  if ((m as CelMap).has(k as string)) throw new Error(`insert failed: key ${String(k)} already exists`);
  out.set(k as string, v as CelValue);
  return out;
});

const env = celEnv({ funcs: [...kubeFuncs, ...mutationFuncs, tick, iterKeys, mapInsert] });

/** Nodes cel-go's runtime charges for (identifiers, selections, calls), outside nested loops. */
function nodeCost(e: Expr | undefined): number {
  if (!e) return 0;
  const k = e.exprKind;
  switch (k.case) {
    case 'identExpr': return 1;
    case 'selectExpr': return (k.value.testOnly ? 0 : 1) + nodeCost(k.value.operand);
    case 'callExpr': return 1 + nodeCost(k.value.target) + k.value.args.reduce((s, a) => s + nodeCost(a), 0);
    // list and map literals cost 10 and 30 (cel-go's ListCreateBaseCost, MapCreateBaseCost)
    case 'listExpr': return k.value.elements.reduce((s, a) => s + nodeCost(a), 10);
    case 'structExpr': return k.value.entries.reduce((s, en) => s + nodeCost(en.value) + (en.keyKind.case === 'mapKey' ? nodeCost(en.keyKind.value) : 0), 30);
    case 'comprehensionExpr': return nodeCost(k.value.iterRange) + nodeCost(k.value.accuInit) + nodeCost(k.value.result);
    default: return 0;
  }
}

function meterLoops(e: Expr | undefined): void {
  if (!e) return;
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr': meterLoops(k.value.operand); return;
    case 'callExpr': meterLoops(k.value.target); k.value.args.forEach(meterLoops); return;
    case 'listExpr': k.value.elements.forEach(meterLoops); return;
    case 'structExpr': k.value.entries.forEach((en) => { meterLoops(en.value); if (en.keyKind.case === 'mapKey') meterLoops(en.keyKind.value); }); return;
    case 'comprehensionExpr': {
      const c = k.value;
      [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].forEach(meterLoops);
      const cost = Math.max(1, nodeCost(c.loopCondition) + nodeCost(c.loopStep));
      const cost64 = create(ExprSchema, { exprKind: { case: 'constExpr', value: { constantKind: { case: 'int64Value', value: BigInt(cost) } } } });
      c.loopCondition = create(ExprSchema, {
        id: c.loopCondition?.id ?? 0n,
        exprKind: { case: 'callExpr', value: { function: TICK, args: [c.loopCondition!, cost64] } },
      });
    }
  }
}

export interface Program {
  eval(bindings: Record<string, CelInput>, limit: number): { value: CelValue | Error; cost: number; exceeded: boolean };
}

export function program(expr: Expr): Program {
  const metered = clone(ExprSchema, expr);
  // Object{...} and JSONPatch{...} literals (mutation policies) build their values by a call
  rewriteStructs(metered);
  lowerTwoVar(metered);
  meterLoops(metered);
  const base = nodeCost(metered);
  const run = plan(env, metered);
  return {
    eval(bindings, limit) {
      meter.used = base;
      meter.limit = limit;
      meter.exceeded = false;
      const value = run(bindings as never) as CelValue | Error;
      const out = { value, cost: meter.used, exceeded: meter.exceeded || meter.used > limit };
      meter.used = 0;
      return out;
    },
  };
}

/** cel-go's texts for @bufbuild/cel's evaluation errors. */
export function evalErrorText(e: Error): string {
  const m = e.message;
  let r: RegExpExecArray | null;
  if ((r = /^field not found: (.*)$/.exec(m))) return `no such key: ${r[1]}`;
  if (/^int overflow|^uint overflow|overflow during/.test(m)) return 'integer overflow';
  if (/divide by zero/.test(m)) return 'division by zero';
  if (/modulus by zero|modulo by zero/.test(m)) return 'modulus by zero';
  // @bufbuild/cel 0.6.1 reports a list's bound as -1; the strings extension's is the length
  if ((r = /^index (-?\d+) out of bounds \[0, (-?\d+)\)$/.exec(m))) return r[2] === '-1' ? `index out of bounds: ${r[1]}` : `index out of range: ${r[1]}`;
  if (/^Cannot convert .* to a BigInt$/.test(m)) return "type conversion error from 'string' to 'int'";
  if (/^Failed to parse duration/.test(m)) return "type conversion error from 'string' to 'google.protobuf.Duration'";
  if (/^Failed to parse timestamp/.test(m)) return "type conversion error from 'string' to 'google.protobuf.Timestamp'";
  if (/^Unable to convert string '.*' to bool$/.test(m)) return "type conversion error from 'string' to 'bool'";
  return m;
}

export const isEvalError = (v: unknown): v is Error => isCelError(v);
