// Which fields a decoder knows: a CRD's structural schema knows none under an object without
// properties (pruned, and reported under fieldValidation Strict/Warn), kube's typed built-ins treat
// such an object as opaque. kplane's own CRDs (Workspace) and CRDs registered per source alike.

import { describe, expect, it } from 'vitest';
import { findUnknownFields } from '../../../src/apimachinery/strict.js';
import { registerCRDDefinitions, resolveSchema, unregisterDefinitions } from '../../../src/openapi/definitions.js';
import type { CRDLike } from '../../../src/openapi/crd.js';

describe('structural schemas of CRDs', () => {
  it('know only the declared fields under Workspace.spec', () => {
    const ws = resolveSchema('io.kplane.tenancy.v1alpha1.Workspace')!;
    expect(Object.keys(ws.properties!.spec!.properties!)).toEqual(['admins']);
    expect(findUnknownFields({
      apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name: 'a' },
      spec: { foo: 1, admins: [{ kind: 'User', name: 'x', extra: 1 }] }, status: { phase: 'Ready', bar: 2 },
    }, ws)).toEqual(['unknown field "spec.foo"', 'unknown field "spec.admins[0].extra"', 'unknown field "status.bar"']);
  });

  it('leave preserve-unknown-fields and typed built-in opaque objects open', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
        }],
      },
    } as unknown as CRDLike;
    registerCRDDefinitions('test:structural', [crd]);
    try {
      const g = resolveSchema('com.example.v1.Gadget', ['test:structural'])!;
      expect(g.properties!.spec!.properties).toEqual({});
      expect(g.properties!.extra!.properties).toBeUndefined();
      expect(findUnknownFields({ spec: { a: 1 }, extra: { b: 2 } }, g)).toEqual(['unknown field "spec.a"']);
    } finally {
      unregisterDefinitions('test:structural');
    }
    // a built-in RawExtension-like opaque object stays open
    const wev = resolveSchema('io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent')!;
    expect(findUnknownFields({ type: 'ADDED', object: { anything: 1 } }, wev)).toEqual([]);
  });
});
