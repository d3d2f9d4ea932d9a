// The built-in apiextensions.k8s.io/v1 definitions as kube-apiserver v1.34 publishes them (all 24
// compared equal, v3 and v2, to the real server's /openapi documents when these facts were
// added); here the parts clients act on: the kind's GVK (kubectl explain), list semantics
// (server-side apply, strategic merge), required order, and the JSON-valued fields.

import { describe, expect, it } from 'vitest';
import { getDefinition, getDefinitionV2 } from '../../../src/openapi/definitions.js';

const P = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const def = (n: string): any => getDefinition(`${P}.${n}`);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const def2 = (n: string): any => getDefinitionV2(`${P}.${n}`);
const ref = (n: string) => ({ $ref: `#/components/schemas/${P}.${n}` });

describe('apiextensions.k8s.io/v1 definitions', () => {
  it('carry the group-version-kind of their kinds', () => {
    expect(def('CustomResourceDefinition')['x-kubernetes-group-version-kind']).toEqual([{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', version: 'v1' }]);
    expect(def('CustomResourceDefinitionList')['x-kubernetes-group-version-kind']).toEqual([{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinitionList', version: 'v1' }]);
    expect(def('CustomResourceDefinitionSpec')['x-kubernetes-group-version-kind']).toBeUndefined();
  });

  it('have kube\'s list semantics', () => {
    expect(def('CustomResourceDefinitionStatus').properties.conditions).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
    expect(def('CustomResourceDefinitionSpec').properties.versions['x-kubernetes-list-type']).toBe('atomic');
    expect(def('JSONSchemaProps').properties['x-kubernetes-validations']).toMatchObject({
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'], 'x-kubernetes-patch-merge-key': 'rule', 'x-kubernetes-patch-strategy': 'merge',
    });
  });

  it('list required fields in Go\'s order', () => {
    expect(def('CustomResourceColumnDefinition').required).toEqual(['name', 'type', 'jsonPath']);
    expect(def('CustomResourceDefinitionNames').required).toEqual(['plural', 'kind']);
    expect(def('ServiceReference').required).toEqual(['namespace', 'name']);
  });

  it('reference the JSON-valued types plainly, and pointer structs without a default', () => {
    const props = def('JSONSchemaProps').properties;
    expect(props.additionalProperties).toEqual(ref('JSONSchemaPropsOrBool'));
    expect(props.items).toEqual(ref('JSONSchemaPropsOrArray'));
    expect(props.not).toEqual(ref('JSONSchemaProps'));
    expect(props.default).toMatchObject({ allOf: [ref('JSON')] });
    expect(def('CustomResourceSubresources').properties.status).toEqual({
      allOf: [ref('CustomResourceSubresourceStatus')],
      description: 'status indicates the custom resource should serve a `/status` subresource. When enabled: 1. requests to the custom resource primary endpoint ignore changes to the `status` stanza of the object. 2. requests to the custom resource `/status` subresource ignore changes to anything other than the `status` stanza of the object.',
    });
    expect(def('CustomResourceDefinitionVersion').properties.schema.default).toBeUndefined();
    expect(def2(`JSONSchemaProps`).properties.additionalProperties).toEqual({ $ref: `#/definitions/${P}.JSONSchemaPropsOrBool` });
  });
});
