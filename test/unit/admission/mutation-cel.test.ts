// The patch types of MutatingAdmissionPolicy expressions: Object{...} / Object.<field>{...} and
// JSONPatch{...} literals typed where patch types are declared (and nowhere else), kube's return
// types (Object, list(JSONPatch)) and texts, jsonpatch.escapeKey, the values they build, kube's
// type-name check, and CEL values as JSON.

import { describe, expect, it } from 'vitest';
import { APPLY_CONFIGURATION_TYPE, compilePolicyExpression, JSON_PATCH_LIST_TYPE, policyVars } from '../../../src/admission/policy/cel.js';
import { celToJSON, JSONPatchValue, ObjectValue, typeNameMismatches } from '../../../src/apiextensions/cel/library/mutation.js';
import { T } from '../../../src/apiextensions/cel/types.js';

const vars = policyVars({ hasParams: false, hasAuthorizer: true });
const patch = { patchTypes: true };

function evaluate(expr: string, want = APPLY_CONFIGURATION_TYPE, object: unknown = new Map([['metadata', new Map([['name', 'n']])]])): unknown {
  const c = compilePolicyExpression(expr, vars, want, patch);
  if (!c.ok) throw new Error(c.detail);
  const r = c.value.program.eval({ object } as never, 1000000);
  if (r.value instanceof Error) throw r.value;
  return r.value;
}

const detail = (expr: string, want = APPLY_CONFIGURATION_TYPE, opts: { patchTypes?: boolean } = patch) => {
  const c = compilePolicyExpression(expr, vars, want, opts);
  return c.ok ? 'ok' : c.detail;
};

describe('patch types', () => {
  it('types Object literals with any field, and wants exactly Object from an ApplyConfiguration', () => {
    expect(detail("Object{spec: Object.spec{replicas: 3, selector: Object.spec.selector{matchLabels: {'a': 'b'}}}}")).toBe('ok');
    expect(detail('Object.spec{replicas: 3}')).toBe('must evaluate to Object but got Object.spec');
    expect(detail('{"a": 1}')).toBe('must evaluate to Object but got map(string, int)');
    expect(detail("Foo{a: 1}")).toContain("undeclared reference to 'Foo' (in container '')");
    // without patch types there are no such types (CRD rules, validations)
    expect(detail('Object{}', APPLY_CONFIGURATION_TYPE, {})).toContain("undeclared reference to 'Object' (in container '')");
    expect(detail('jsonpatch.escapeKey("a") == "a"', T.bool, {})).toContain("undeclared reference to 'jsonpatch'");
  });

  it('types JSONPatch literals by their fields, at the field\'s colon as cel-go reports them', () => {
    expect(detail("[JSONPatch{op: 'add', path: '/a', value: {'x': [1, 2]}}, JSONPatch{op: 'remove', path: '/b'}]", JSON_PATCH_LIST_TYPE)).toBe('ok');
    expect(detail('[JSONPatch{op: 1}]', JSON_PATCH_LIST_TYPE)).toBe(
      "compilation failed: ERROR: <input>:1:14: expected type of field 'op' is 'string' but provided type is 'int'\n | [JSONPatch{op: 1}]\n | .............^");
    expect(detail("[JSONPatch{op: 'add', pth: '/x'}]", JSON_PATCH_LIST_TYPE)).toBe(
      "compilation failed: ERROR: <input>:1:26: expected type of field 'pth' is '' but provided type is 'string'\n | [JSONPatch{op: 'add', pth: '/x'}]\n | .........................^");
    expect(detail('[]', JSON_PATCH_LIST_TYPE)).toBe('must evaluate to list(JSONPatch) but got list(dyn)');
    expect(detail("true ? [JSONPatch{op: 'add', path: '/a'}] : []", JSON_PATCH_LIST_TYPE)).toBe('ok');
  });

  it('builds the values the expressions describe', () => {
    const o = evaluate("Object{metadata: Object.metadata{labels: {'by': object.metadata.name}}, data: {'k': 'v'}, n: 2, list: [1, 2]}");
    expect(o).toBeInstanceOf(ObjectValue);
    expect(celToJSON(o)).toEqual({ metadata: { labels: { by: 'n' } }, data: { k: 'v' }, n: 2, list: [1, 2] });
    const ops = [...evaluate("[JSONPatch{op: 'add', path: '/metadata/labels/' + jsonpatch.escapeKey('example.com/a~b'), value: 'x'}]", JSON_PATCH_LIST_TYPE) as Iterable<JSONPatchValue>];
    expect(ops).toHaveLength(1);
    expect([ops[0]!.op, ops[0]!.path, celToJSON(ops[0]!.value)]).toEqual(['add', '/metadata/labels/example.com~1a~0b', 'x']);
  });

  it("checks Object type names against their field paths with kube's text", () => {
    const o = evaluate("Object{spec: Object.spec{selector: Object.spec.wrong{}, list: [Object.spec.list{}]}}");
    expect(typeNameMismatches(o, ['Object'])).toEqual([
      'unexpected type name "Object.spec.wrong", expected "Object.spec.selector", which matches field name path from root Object type',
    ]);
    const good = evaluate("Object{spec: Object.spec{items: [Object.spec.items{a: 1}], m: {'k': Object.spec.m{}}}}");
    expect(typeNameMismatches(good, ['Object'])).toEqual([]);
  });

  it('turns CEL values into JSON as kube converts them to unstructured', () => {
    expect(celToJSON(evaluate("Object{t: timestamp('2024-01-02T03:04:05Z'), d: duration('90m'), b: b'hi', u: 3u, z: null}"))).toEqual({
      t: '2024-01-02T03:04:05Z', d: '1h30m0s', b: 'aGk=', u: 3, z: null,
    });
    expect(() => celToJSON(evaluate('Object{m: {1: 2}}'))).toThrow('map key 1 is of type int64, not string');
  });
});
