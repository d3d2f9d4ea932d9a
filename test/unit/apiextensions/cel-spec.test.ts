// The base language on @bufbuild/cel with this module's checker, against cel-spec's conformance
// data (@bufbuild/cel-spec): in the suites below, every test that needs no declarations gets the
// type cel-go's checker gives it, and those with a bool, int or string result evaluate to it. The
// suites left out use features outside kube's CRD environment (proto messages, wrappers, the math,
// bindings, block and encoder extensions) or mixed-type literals, which kube's
// HomogeneousAggregateLiterals refuses.

import { describe, expect, it } from 'vitest';
import { parse } from '@bufbuild/cel';
import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';
import type { SerializedIncrementalTest, SerializedIncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { checkExpr } from '../../../src/apiextensions/cel/checker.js';
import { program } from '../../../src/apiextensions/cel/runtime.js';
import { typeString } from '../../../src/apiextensions/cel/types.js';

const SUITES = ["basic/self_eval_nonzeroish","basic/functions","comparisons/ne_literal","comparisons/lt_literal","comparisons/gt_literal","comparisons/lte_literal","comparisons/gte_literal","conversions/bytes","conversions/double","conversions/int","conversions/string","conversions/uint","conversions/bool","conversions/identity","fields/map_has","fp_math/fp_math","integer_math/int64_math","integer_math/uint64_math","lists/concatenation","lists/index","lists/in","lists/size","logic/conditional","logic/AND","logic/OR","logic/NOT","macros/exists_one","macros/map","macros/filter","macros/nested","parse/nest","parse/repeat","parse/string_literals","parse/bytes_literals","parse/selectors","plumbing/min","plumbing/eval_results","string/size","string/starts_with","string/ends_with","string/matches","string/concatenation","string/contains","string/bytes_concat","string_ext/char_at","string_ext/index_of","string_ext/last_index_of","string_ext/ascii_casing","string_ext/replace","string_ext/split","string_ext/substring","string_ext/trim","string_ext/join","string_ext/quote","string_ext/value_errors","timestamps/timestamp_selectors","timestamps/timestamp_selectors_tz","timestamps/timestamp_equality","timestamps/duration_equality","timestamps/timestamp_arithmetic","timestamps/comparisons","timestamps/duration_converters","type_deductions/complex_initializers","type_deductions/indexing","type_deductions/functions"];

function collect(s: SerializedIncrementalTestSuite, path: string, out: Map<string, SerializedIncrementalTest[]>): void {
  for (const sub of s.suites ?? []) collect(sub, path ? `${path}/${sub.name}` : sub.name, out);
  const usable = (s.tests ?? []).filter((t) => {
    const o = t.original as Record<string, unknown>;
    return t.type && !o.typeEnv && !o.bindings && !o.disableCheck && !o.container && !t.error;
  });
  if (usable.length) out.set(path, usable);
}

const bySuite = new Map<string, SerializedIncrementalTest[]>();
collect(conformance, '', bySuite);

describe.each(SUITES)('%s', (suite) => {
  it.each((bySuite.get(suite) ?? []).map((t) => [t.original.name ?? t.original.expr, t] as const))('%s', (_name, t) => {
    const parsed = parse(t.original.expr);
    const checked = checkExpr(parsed.expr, new Map());
    expect(checked.issues).toEqual([]);
    expect(typeString(checked.output)).toBe(t.type);
    const v = (t.original as { value?: Record<string, unknown> }).value;
    if (v && ('boolValue' in v || 'int64Value' in v || 'stringValue' in v)) {
      const want = 'boolValue' in v ? v.boolValue : 'int64Value' in v ? BigInt(v.int64Value as string) : v.stringValue;
      expect(program(parsed.expr).eval({}, 1e7).value).toEqual(want);
    }
  });
});
