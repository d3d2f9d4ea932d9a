import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../src/apimachinery/errors.js';
import {
  applyJsonPatch, applyJsonPatchText, decodeJsonPatch, goJsonScalar, MAX_JSON_PATCH_OPERATIONS,
} from '../../../src/apimachinery/patch/json-patch.js';

const doc = { a: 1, b: { c: [1, 2, 3], d: 'x', e: null, f: { g: true } }, s: 'a<b', n: 1.5, arr: [{ k: 1 }, { k: 2 }], 'sl/ash': 1, 'ti~lde': 2 };
const apply = (patch: string) => applyJsonPatchText(doc, patch, 'Ignore') as Record<string, unknown>;
const FAILED = 'the server rejected our request due to an error in our request';

// Outcomes as evanphx/json-patch v4 (kube's) computes them.
describe('operations', () => {
  it.each([
    ['[{"op":"add","path":"/z","value":1}]', { z: 1 }],
    ['[{"op":"add","path":"/z"}]', { z: null }],
    ['[{"op":"add","path":"/","value":1}]', { '': 1 }],
    ['[{"op":"add","path":"/z","value":{"n":null}}]', { z: { n: null } }],
    ['[{"op":"replace","path":"/a","value":2}]', { a: 2 }],
    ['[{"op":"replace","path":"/zz","value":2}]', { zz: 2 }],
    ['[{"op":"copy","from":"/b/f","path":"/g"}]', { g: { g: true } }],
    ['[{"op":"copy","from":"/zz","path":"/g"}]', { g: null }],
    ['[{"op":"test","path":"/sl~1ash","value":1},{"op":"test","path":"/ti~0lde","value":2},{"op":"remove","path":"/sl~1ash"}]', { 'sl/ash': undefined }],
  ])('%s', (patch, changed) => {
    const out = apply(patch);
    for (const [k, v] of Object.entries(changed)) expect(out[k]).toEqual(v);
  });

  it.each([
    ['[{"op":"add","path":"/b/c/1","value":9}]', [1, 9, 2, 3]],
    ['[{"op":"add","path":"/b/c/-","value":9}]', [1, 2, 3, 9]],
    ['[{"op":"add","path":"/b/c/3","value":9}]', [1, 2, 3, 9]],
    ['[{"op":"add","path":"/b/c/-1","value":9}]', [1, 2, 3, 9]],
    ['[{"op":"add","path":"/b/c/-4","value":9}]', [9, 1, 2, 3]],
    ['[{"op":"add","path":"/b/c/01","value":9}]', [1, 9, 2, 3]],
    ['[{"op":"add","path":"/b/c/+1","value":9}]', [1, 9, 2, 3]],
    ['[{"op":"remove","path":"/b/c/0"}]', [2, 3]],
    ['[{"op":"remove","path":"/b/c/-1"}]', [1, 2]],
    ['[{"op":"replace","path":"/b/c/-1","value":0}]', [1, 2, 0]],
    ['[{"op":"move","from":"/b/c/0","path":"/b/c/-"}]', [2, 3, 1]],
    ['[{"op":"add","path":"/b/c/1","value":9},{"op":"test","path":"/b/c","value":[1,9,2,3]}]', [1, 9, 2, 3]],
  ])('%s', (patch, list) => {
    expect((apply(patch).b as { c: unknown }).c).toEqual(list);
  });

  it('moves and replaces the root', () => {
    expect(apply('[{"op":"move","from":"/a","path":"/b/a"}]')).toMatchObject({ b: { a: 1 } });
    expect(apply('[{"op":"move","from":"/a","path":"/b/a"}]').a).toBeUndefined();
    expect(apply('[{"op":"replace","path":"","value":{"q":1}}]')).toEqual({ q: 1 });
    expect(applyJsonPatchText(doc, '[{"op":"replace","path":"","value":[1]}]')).toEqual([1]);
    // evanphx silently ignores a scalar root replacement
    expect(apply('[{"op":"replace","path":"","value":5}]')).toEqual(doc);
  });

  it.each([
    '[{"op":"test","path":"/a","value":1}]',
    '[{"op":"test","path":"/n","value":1.5}]',
    // kube's encoder escapes <, > and & and test compares JSON text
    '[{"op":"test","path":"/s","value":"a\\u003cb"}]',
    '[{"op":"test","path":"/b","value":{"c":[1, 2, 3],"d":"x","e":null,"f":{"g":true}}}]',
    '[{"op":"test","path":"/zz","value":null}]',
    '[{"op":"test","path":"/b/e","value":null}]',
    '[{"op":"test","path":"/b/c/-1","value":3}]',
    '[{"op":"test","path":"/arr","value":[{"k":1},{"k":2}]}]',
  ])('test passes: %s', (patch) => {
    expect(apply(patch)).toEqual(doc);
  });

  it.each([
    '[{"op":"test","path":"/a","value":1.0}]',
    '[{"op":"test","path":"/a","value":"1"}]',
    '[{"op":"test","path":"/s","value":"a<b"}]',
    '[{"op":"test","path":"/n","value":1.50}]',
    '[{"op":"test","path":"/b","value":{"c":[1,2,3],"d":"x","f":{"g":true}}}]',
    '[{"op":"test","path":"/zz","value":1}]',
    '[{"op":"test","path":"/a"}]',
    '[{"op":"test","path":"/b/c/9","value":1}]',
    '[{"op":"test","path":"","value":{"a":1}}]',
    '[{"op":"add","path":"/b/c/4","value":9}]',
    '[{"op":"add","path":"/b/c/-5","value":9}]',
    '[{"op":"add","path":"/b/c/x","value":9}]',
    '[{"op":"add","path":"/x/y","value":1}]',
    '[{"op":"add","path":"","value":1}]',
    '[{"op":"add","path":"a","value":1}]',
    '[{"op":"add","path":"/a/x","value":1}]',
    '[{"op":"add","path":"/b/e/x","value":1}]',
    '[{"op":"remove","path":"/zz"}]',
    '[{"op":"remove","path":"/b/c/3"}]',
    '[{"op":"remove","path":"/b/c/-4"}]',
    '[{"op":"replace","path":"/b/c/5","value":2}]',
    '[{"op":"move","from":"/zz","path":"/q"}]',
    '[{"op":"move","from":"/a","path":"/nope/x"}]',
    '[{"op":"move","path":"/x"}]',
    '[{"op":"copy","from":"/b/c/9","path":"/b2"}]',
    '[{"op":"bogus","path":"/a"}]',
    '[{"path":"/a"}]',
    '[null]',
    '[{"op":"add","path":1,"value":1}]',
    '[{"op":"add","path":null,"value":1}]',
  ])('fails with 422: %s', (patch) => {
    try {
      apply(patch);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StatusError);
      expect((e as StatusError).code).toBe(422);
      expect((e as StatusError).reason).toBe('Invalid');
      expect((e as StatusError).message).toBe(FAILED);
      expect((e as StatusError).status.details).toEqual({});
    }
  });

  it('limits the bytes copies may add', () => {
    const big = { a: 'x'.repeat(1000) };
    const ops = decodeJsonPatch('[{"op":"copy","from":"/a","path":"/b"},{"op":"copy","from":"/a","path":"/c"}]', 'Ignore');
    expect(applyJsonPatch(big, ops, 2100)).toMatchObject({ b: big.a, c: big.a });
    expect(() => applyJsonPatch(big, ops, 2000)).toThrow(FAILED);
  });

  it('does not modify the original', () => {
    const copy = structuredClone(doc);
    apply('[{"op":"remove","path":"/b/c/0"},{"op":"add","path":"/b/f/h","value":1}]');
    expect(doc).toEqual(copy);
  });
});

describe('decoding', () => {
  it.each([
    ['[', 'Warn', 'error decoding patch: unexpected end of JSON input'],
    ['[', 'Ignore', 'unexpected end of JSON input'],
    ['{}', 'Strict', 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'],
    ['{}', 'Ignore', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['"x"', 'Warn', 'error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp'],
    ['[1]', 'Warn', 'error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp'],
    ['[1]', 'Ignore', 'json: cannot unmarshal number into Go value of type jsonpatch.Operation'],
    ['[[1]]', 'Ignore', 'json: cannot unmarshal array into Go value of type jsonpatch.Operation'],
    ['[{"op":"add","path":{}}]', 'Warn', 'error decoding patch: json: cannot unmarshal object into Go struct field jsonPatchOp.path of type string'],
    ['[{"op":"add"},{"from":true}]', 'Warn', 'error decoding patch: json: cannot unmarshal bool into Go struct field jsonPatchOp.from of type string'],
  ] as const)('%s (%s) -> 400 %s', (body, fv, message) => {
    try {
      decodeJsonPatch(body, fv);
      expect.unreachable();
    } catch (e) {
      expect((e as StatusError).code).toBe(400);
      expect((e as StatusError).reason).toBe('BadRequest');
      expect((e as StatusError).message).toBe(message);
    }
  });

  it('accepts null and empty patches', () => {
    expect(decodeJsonPatch('null')).toEqual([]);
    expect(decodeJsonPatch('[]')).toEqual([]);
    expect(decodeJsonPatch('[null]')).toHaveLength(1);
  });

  it('reports strict decoding errors in document order', () => {
    const errs: string[] = [];
    decodeJsonPatch('[{"op":"add","Op":"x","foo":1,"op":"remove","value":{"a":1,"a":2}},{"value":[{"x":1,"x":2}],"foo":1,"foo":2}]', 'Warn', errs);
    expect(errs).toEqual([
      'json patch unknown field "[0].Op"',
      'json patch unknown field "[0].foo"',
      'json patch duplicate field "[0].op"',
      'json patch duplicate field "[0].value.a"',
      'json patch duplicate field "[1].value[0].x"',
      'json patch unknown field "[1].foo"',
    ]);
  });

  it('answers 413 past 10000 operations', () => {
    const body = `[${Array(MAX_JSON_PATCH_OPERATIONS + 1).fill('{"op":"test","path":"/a","value":1}').join(',')}]`;
    try {
      decodeJsonPatch(body);
      expect.unreachable();
    } catch (e) {
      expect((e as StatusError).code).toBe(413);
      expect((e as StatusError).message).toBe('Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
    }
    expect(decodeJsonPatch(`[${Array(MAX_JSON_PATCH_OPERATIONS).fill('null').join(',')}]`)).toHaveLength(MAX_JSON_PATCH_OPERATIONS);
  });
});

describe('goJsonScalar', () => {
  it.each([
    [1, '1'], [1.5, '1.5'], [-0.25, '-0.25'], [1e21, '1e+21'], [1e-7, '1e-7'], [123456789, '123456789'], [true, 'true'], [null, 'null'],
    ['a<b>&', '"a\\u003cb\\u003e\\u0026"'], ['q"\\', '"q\\"\\\\"'], ['\n\t\u0001', '"\\n\\t\\u0001"'], ['\u2028', '"\\u2028"'], ['é', '"é"'],
  ] as const)('%j -> %s', (v, want) => expect(goJsonScalar(v)).toBe(want));
});
