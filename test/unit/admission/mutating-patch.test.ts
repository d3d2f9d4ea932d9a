// Applying mutations as kube's mutating/patch package does: an apply configuration merged with
// structured-merge-diff (associative lists by key, maps by field), refused on atomic fields and on
// fields the schema does not declare; a JSON patch applied with kube's semantics, a failed test
// leaving the object, a result that does not decode strictly a 500.

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { applyConfiguration, applyJSONPatch, PatchError, type PatchTarget } from '../../../src/admission/mutating-policy/patch.js';
import { APPLY_CONFIGURATION_TYPE, compilePolicyExpression, JSON_PATCH_LIST_TYPE, policyVars } from '../../../src/admission/policy/cel.js';
import { StatusError } from '../../../src/apimachinery/errors.js';
import { atomOf } from '../../../src/fieldmanager/schema.js';
import { resolveSchema } from '../../../src/openapi/definitions.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import { services } from '../../../src/registry/kinds/services.js';
import type { ResourceType } from '../../../src/registry/types.js';

const target = (type: ResourceType): PatchTarget => ({ type, atom: atomOf(resolveSchema(type.schemaName)), schema: resolveSchema(type.schemaName) });
const value = (expr: string, want = APPLY_CONFIGURATION_TYPE): unknown => {
  const c = compilePolicyExpression(expr, policyVars({ hasParams: false }), want, { patchTypes: true });
  if (!c.ok) throw new Error(c.detail);
  return c.value.program.eval({}, 1000000).value;
};
const svc = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'd', labels: { a: '1' } },
  spec: { ports: [{ name: 'web', port: 80, protocol: 'TCP' }, { name: 'admin', port: 8080, protocol: 'TCP' }], selector: { app: 'x' } },
});

describe('mutating policy patches', () => {
  it('merges an apply configuration: maps by field, associative lists by key', () => {
    const out = applyConfiguration(target(services), svc(), value(
      "Object{metadata: Object.metadata{labels: {'b': '2'}}, spec: Object.spec{ports: [Object.spec.ports{port: 8080, protocol: 'TCP', name: 'mgmt'}, Object.spec.ports{port: 9090, protocol: 'TCP', name: 'new'}]}}"));
    expect(out.metadata.labels).toEqual({ a: '1', b: '2' });
    expect((out.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'web', port: 80, protocol: 'TCP' }, { name: 'mgmt', port: 8080, protocol: 'TCP' }, { name: 'new', port: 9090, protocol: 'TCP' },
    ]);
  });

  it('refuses atomic fields, undeclared fields and misnamed Object types with kube\'s texts', () => {
    const err = (expr: string) => { try { applyConfiguration(target(services), svc(), value(expr)); return 'applied'; } catch (e) { return e instanceof PatchError ? e.message : String(e); } };
    expect(err("Object{spec: Object.spec{selector: {'app': 'y'}}}")).toBe('error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: .spec.selector');
    expect(err('Object{spec: Object.spec{nope: 1}}')).toBe('error applying patch: failed to convert patch object to typed object: .spec.nope: field not declared in schema');
    expect(err('Object{spec: Object.spec.x{type: "ClusterIP"}}')).toBe(
      'type mismatch: unexpected type name "Object.spec.x", expected "Object.spec", which matches field name path from root Object type');
  });

  it('applies a JSON patch, leaves the object when a test fails, and answers kube\'s errors', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { a: '1' } };
    const patched = applyJSONPatch(target(configmaps), cm, value("[JSONPatch{op: 'add', path: '/data/b', value: '2'}, JSONPatch{op: 'remove', path: '/data/a'}]", JSON_PATCH_LIST_TYPE));
    expect(patched.data).toEqual({ b: '2' });
    expect(applyJSONPatch(target(configmaps), cm, value("[JSONPatch{op: 'test', path: '/data/a', value: 'other'}, JSONPatch{op: 'add', path: '/data/c', value: '3'}]", JSON_PATCH_LIST_TYPE))).toBe(cm);
    expect(() => applyJSONPatch(target(configmaps), cm, value("[JSONPatch{op: 'replace', path: '/nothing/here', value: 'x'}]", JSON_PATCH_LIST_TYPE)))
      .toThrow(new PatchError('JSON Patch: replace operation does not apply: doc is missing path: /nothing/here: missing value'));
    let e: unknown;
    try { applyJSONPatch(target(configmaps), cm, value("[JSONPatch{op: 'add', path: '/spec', value: 'x'}]", JSON_PATCH_LIST_TYPE)); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(StatusError);
    expect((e as StatusError).status.code).toBe(500);
    expect((e as StatusError).status.message).toBe('Internal error occurred: strict decoding error: unknown field "spec"');
  });
});
