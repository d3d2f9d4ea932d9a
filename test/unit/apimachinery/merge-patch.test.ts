import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../src/apimachinery/errors.js';
import { applyMergePatch } from '../../../src/apimachinery/patch/merge-patch.js';

const doc = { a: 1, b: { c: [1, 2, 3], d: 'x', e: null, f: { g: true } }, s: 'str' };

// Results as evanphx/json-patch v4 MergePatch (kube's) computes them.
describe('applyMergePatch', () => {
  it.each([
    [{}, doc],
    [{ a: null }, { b: doc.b, s: 'str' }],
    [{ zz: null }, doc],
    [{ b: { c: null, f: { g: null, h: 1 } } }, { ...doc, b: { d: 'x', e: null, f: { h: 1 } } }],
    [{ b: [1, null, { x: null }] }, { ...doc, b: [1, null, { x: null }] }],
    [{ b: { d: { y: null, z: 1 } } }, { ...doc, b: { ...doc.b, d: { z: 1 } } }],
    [{ a: { q: null, r: { s: null } } }, { ...doc, a: { r: {} } }],
    [{ n: { x: null, y: [{ z: null }, null] } }, { ...doc, n: { y: [{}, null] } }],
    [{ b: { e: { k: null, l: 2 } } }, { ...doc, b: { ...doc.b, e: { l: 2 } } }],
    [{ a: [{ q: null }] }, { ...doc, a: [{}] }],
    [{ b: 'str' }, { ...doc, b: 'str' }],
    [{ b: { f: [{ n: null }] } }, { ...doc, b: { ...doc.b, f: [{ n: null }] } }],
    [{ b: { c: [9] } }, { ...doc, b: { ...doc.b, c: [9] } }],
  ])('%j', (patch, want) => {
    expect(applyMergePatch(doc, patch)).toEqual(want);
  });

  it('turns an array patch into the document, nulls of its objects pruned', () => {
    expect(applyMergePatch(doc, [1, null, { a: null, b: 1 }])).toEqual([1, null, { b: 1 }]);
  });

  it.each([null, 1, 'x', true])('rejects %j as 400 Invalid JSON Patch', (patch) => {
    try {
      applyMergePatch(doc, patch);
      expect.unreachable();
    } catch (e) {
      expect((e as StatusError).code).toBe(400);
      expect((e as StatusError).message).toBe('Invalid JSON Patch');
    }
  });

  it('does not modify its inputs', () => {
    const patch = { b: { f: { g: null } } };
    const copyDoc = structuredClone(doc);
    const copyPatch = structuredClone(patch);
    applyMergePatch(doc, patch);
    expect(doc).toEqual(copyDoc);
    expect(patch).toEqual(copyPatch);
  });
});

describe('keys that look like prototypes', () => {
  it('keeps "__proto__" as a plain key', () => {
    const out = applyMergePatch({ a: 1 }, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['a', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
