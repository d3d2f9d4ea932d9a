import { describe, expect, it } from 'vitest';

import {
  definitionClosure, definitionSourceHash, getDefinition, getDefinitionV2, registerCRDDefinitions, registerDefinitions, resolveSchema,
  unregisterDefinitions, type JsonSchema,
} from '../../../src/openapi/index.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';
const RBAC = 'io.k8s.api.rbac.v1';

type Props = Record<string, JsonSchema>;
const props = (name: string): Props => getDefinition(name)!.properties as Props;

/** Every kind kplane serves, with its list, and the meta kinds the API documents reference. */
const SERVED_KINDS: [string, string, string][] = [
  [`${CORE}.Namespace`, '', 'Namespace'], [`${CORE}.ConfigMap`, '', 'ConfigMap'], [`${CORE}.Secret`, '', 'Secret'],
  [`${CORE}.ServiceAccount`, '', 'ServiceAccount'], [`${CORE}.Event`, '', 'Event'], [`${CORE}.LimitRange`, '', 'LimitRange'],
  [`${CORE}.ResourceQuota`, '', 'ResourceQuota'], ['io.k8s.api.events.v1.Event', 'events.k8s.io', 'Event'],
  ['io.k8s.api.coordination.v1.Lease', 'coordination.k8s.io', 'Lease'], [`${RBAC}.Role`, 'rbac.authorization.k8s.io', 'Role'],
  [`${RBAC}.ClusterRole`, 'rbac.authorization.k8s.io', 'ClusterRole'], [`${RBAC}.RoleBinding`, 'rbac.authorization.k8s.io', 'RoleBinding'],
  [`${RBAC}.ClusterRoleBinding`, 'rbac.authorization.k8s.io', 'ClusterRoleBinding'],
  ['io.kplane.tenancy.v1alpha1.Workspace', 'tenancy.kplane.io', 'Workspace'],
];

describe('built-in definitions', () => {
  it.each(SERVED_KINDS)('%s and its list are complete', (name, group, kind) => {
    const version = name.split('.').at(-2)!;
    const def = getDefinition(name)!;
    expect(def).toBeDefined();
    expect(def.type).toBe('object');
    expect(typeof def.description).toBe('string');
    expect(def['x-kubernetes-group-version-kind']).toEqual([{ group, kind, version }]);
    const p = def.properties as Props;
    expect(p.apiVersion!.type).toBe('string');
    expect(p.kind!.description).toMatch(/^Kind is a string value/);
    expect(p.metadata).toEqual({
      allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }],
      ...(name.startsWith('io.kplane') ? {} : { default: {} }),
      description: expect.stringMatching(/metadata/),
    });
    const list = getDefinition(`${name}List`)!;
    expect(list.required).toEqual(['items']);
    expect(list['x-kubernetes-group-version-kind']).toEqual([{ group, kind: `${kind}List`, version }]);
    expect(((list.properties as Props).items!.items as JsonSchema)).toMatchObject(
      name.startsWith('io.kplane') ? { $ref: `#/components/schemas/${name}` } : { allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} },
    );
    // every reachable definition resolves
    for (const n of definitionClosure([name, `${name}List`])) expect(getDefinition(n), n).toBeDefined();
  });

  it('keeps descriptions of fields, including reference-typed ones client-node drops', () => {
    const cm = props(`${CORE}.ConfigMap`);
    expect(cm.data!.description).toMatch(/^Data contains the configuration data/);
    expect(cm.immutable!.type).toBe('boolean');
    expect(cm.binaryData).toEqual({
      additionalProperties: { format: 'byte', type: 'string' }, description: expect.any(String), type: 'object',
    });
    expect(props(`${RBAC}.RoleBinding`).roleRef!.description).toMatch(/^RoleRef can reference a Role/);
    expect(props('io.k8s.api.coordination.v1.LeaseSpec').renewTime).toEqual({
      allOf: [{ $ref: `#/components/schemas/${META}.MicroTime` }],
      description: 'renewTime is a time when the current holder of a lease has last updated the lease.',
    });
  });

  it('marks required fields and gives required scalars their zero default', () => {
    expect(getDefinition(`${RBAC}.PolicyRule`)!.required).toEqual(['verbs']);
    expect(getDefinition(`${RBAC}.RoleBinding`)!.required).toEqual(['roleRef']);
    expect([...getDefinition(`${CORE}.Event`)!.required as string[]].sort()).toEqual(['involvedObject', 'metadata']);
    expect([...getDefinition(`${META}.OwnerReference`)!.required as string[]].sort()).toEqual(['apiVersion', 'kind', 'name', 'uid']);
    expect(props(`${RBAC}.Subject`).name).toMatchObject({ default: '', type: 'string' });
    expect(props(`${META}.APIResource`).namespaced).toMatchObject({ default: false, type: 'boolean' });
    expect(props('io.k8s.api.events.v1.EventSeries').count).toMatchObject({ default: 0, format: 'int32', type: 'integer' });
    // pointers get no {} default
    expect(props(`${CORE}.Event`).series!.default).toBeUndefined();
    expect(props(`${CORE}.Event`).involvedObject!.default).toEqual({});
  });

  it('carries kube strategic-merge-patch and list/map metadata', () => {
    const om = props(`${META}.ObjectMeta`);
    expect(om.ownerReferences).toMatchObject({
      'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid',
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'],
    });
    expect(om.finalizers).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' });
    expect(om.managedFields!['x-kubernetes-list-type']).toBe('atomic');
    expect(props(`${CORE}.ServiceAccount`).secrets).toMatchObject({
      'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-list-map-keys': ['name'],
    });
    expect(props(`${CORE}.NamespaceStatus`).conditions).toMatchObject({ 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-list-type': 'map' });
    expect(props(`${CORE}.LimitRangeSpec`).limits!['x-kubernetes-list-type']).toBe('atomic');
    expect(props(`${RBAC}.Role`).rules!['x-kubernetes-list-type']).toBe('atomic');
    expect(props(`${RBAC}.PolicyRule`).verbs!['x-kubernetes-list-type']).toBe('atomic');
    expect(getDefinition(`${RBAC}.RoleRef`)!['x-kubernetes-map-type']).toBe('atomic');
    expect(getDefinition(`${CORE}.ObjectReference`)!['x-kubernetes-map-type']).toBe('atomic');
    expect(props(`${CORE}.NamespaceStatus`).phase!.enum).toEqual(['Active', 'Terminating']);
  });

  it('describes the custom apimachinery types like kube', () => {
    expect(getDefinition(`${META}.Time`)).toMatchObject({ format: 'date-time', type: 'string' });
    expect(getDefinition('io.k8s.apimachinery.pkg.api.resource.Quantity')!.oneOf).toEqual([{ type: 'string' }, { type: 'number' }]);
    expect(getDefinition('io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toMatchObject({
      format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }],
    });
    expect(props(`${CORE}.LimitRangeItem`).max!.additionalProperties).toEqual({
      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
    });
    expect(props(`${META}.WatchEvent`).object!.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension' }]);
    expect(getDefinition('io.k8s.nope.v1.Thing')).toBeUndefined();
  });

  it('takes Workspace from the CRD', () => {
    const ws = getDefinition('io.kplane.tenancy.v1alpha1.Workspace')!;
    const status = (ws.properties as Props).status!;
    const sp = status.properties as Props;
    expect(sp.phase!.enum).toEqual(['Initializing', 'Ready', 'Terminating']);
    expect(sp.url!.type).toBe('string');
    expect(sp.cluster!.type).toBe('string');
    expect(sp.conditions).toMatchObject({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
    expect((ws.properties as Props).spec).toMatchObject({ type: 'object' });
  });

  it('has a swagger 2.0 form: definitions refs, no allOf wrappers, no defaults', () => {
    const cm = getDefinitionV2(`${CORE}.ConfigMap`)!;
    expect((cm.properties as Props).metadata).toEqual({
      $ref: `#/definitions/${META}.ObjectMeta`, description: expect.stringMatching(/metadata/),
    });
    expect(JSON.stringify(getDefinitionV2(`${CORE}.ConfigMapList`))).not.toMatch(/allOf|"default"|components/);
    expect(getDefinitionV2('io.k8s.apimachinery.pkg.api.resource.Quantity')).toMatchObject({ type: 'string' });
    expect(getDefinitionV2('io.k8s.apimachinery.pkg.api.resource.Quantity')!.oneOf).toBeUndefined();
    // a property named "default" is not a default value
    expect((getDefinitionV2(`${CORE}.LimitRangeItem`)!.properties as Props).default).toBeDefined();
  });
});

describe('resolveSchema', () => {
  it('resolves ConfigMap with references followed', () => {
    const cm = resolveSchema(`${CORE}.ConfigMap`)!;
    expect(cm.type).toBe('object');
    expect(cm.properties!.data!.additionalProperties).toMatchObject({ type: 'string' });
    const meta = cm.properties!.metadata!;
    expect(meta.type).toBe('object');
    expect(meta.properties!.labels!.additionalProperties).toMatchObject({ type: 'string' });
    expect(meta.properties!.ownerReferences).toMatchObject({
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'], 'x-kubernetes-patch-merge-key': 'uid',
    });
    expect(meta.properties!.ownerReferences!.items!.required).toEqual(expect.arrayContaining(['uid', 'name']));
    expect(meta.properties!.creationTimestamp).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('resolves Role and shares nodes between kinds', () => {
    const role = resolveSchema(`${RBAC}.Role`)!;
    const rule = role.properties!.rules!.items!;
    expect(rule.required).toEqual(['verbs']);
    expect(rule.properties!.verbs).toMatchObject({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' });
    const cm = resolveSchema(`${CORE}.ConfigMap`)!;
    expect(role.properties!.metadata!.properties).toBe(cm.properties!.metadata!.properties);
    expect(resolveSchema(`${RBAC}.Role`)).toBe(role);
    expect(resolveSchema(`${META}.ObjectMeta`)!.properties).toBe(cm.properties!.metadata!.properties);
  });

  it('gives custom types structural forms', () => {
    const port = resolveSchema('io.k8s.apimachinery.pkg.util.intstr.IntOrString')!;
    expect(port['x-kubernetes-int-or-string']).toBe(true);
    expect(port.type).toBeUndefined();
    expect(resolveSchema('io.k8s.apimachinery.pkg.api.resource.Quantity')!.type).toBeUndefined();
    const mf = resolveSchema(`${META}.ManagedFieldsEntry`)!;
    expect(mf.properties!.fieldsV1).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    const lr = resolveSchema(`${CORE}.LimitRangeItem`)!;
    expect(lr.properties!.max!.additionalProperties).toMatchObject({ description: expect.stringMatching(/^Quantity/) });
    const ws = resolveSchema('io.kplane.tenancy.v1alpha1.Workspace')!;
    expect(ws.properties!.status!.properties!.conditions!.items!.required).toContain('lastTransitionTime');
    expect(ws.properties!.metadata!.properties!.name!.type).toBe('string');
  });
});

describe('registered definition sources', () => {
  const crd = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced' as const,
      names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'integer', minimum: 1, default: 3 },
                  port: { 'x-kubernetes-int-or-string': true },
                  color: { type: 'string', nullable: true, enum: ['red', 'blue'] },
                },
                required: ['size', 'color'],
              },
            },
          },
        },
      }],
    },
  };

  it('serves CRD schemas per source and changes the source hash with the content', () => {
    registerCRDDefinitions('test:a', [crd]);
    const h1 = definitionSourceHash('test:a');
    expect(getDefinition('com.example.v1.Widget')).toBeUndefined();
    const w = getDefinition('com.example.v1.Widget', ['test:a'])!;
    expect(w['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    const spec = ((w.properties as Props).spec!.properties as Props);
    expect(spec.port!.anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    const node = resolveSchema('com.example.v1.Widget', ['test:a'])!;
    expect(node.properties!.metadata!.properties!.name!.type).toBe('string');
    expect(node.properties!.spec!.properties!.size!.default).toBe(3);
    // v2: no defaults, no anyOf, nullable fields untyped and not required, validations kept
    const v2 = getDefinitionV2('com.example.v1.Widget', ['test:a'])!;
    const v2spec = (v2.properties as Props).spec!;
    expect((v2spec.properties as Props).size).toEqual({ minimum: 1, type: 'integer' });
    expect((v2spec.properties as Props).color).toEqual({ enum: ['red', 'blue'] });
    expect(v2spec.required).toEqual(['size']);
    expect((v2.properties as Props).metadata!.$ref).toBe(`#/definitions/${META}.ObjectMeta`);

    const changed = structuredClone(crd);
    (changed.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.size as JsonSchema).maximum = 9;
    registerCRDDefinitions('test:a', [changed]);
    expect(definitionSourceHash('test:a')).not.toBe(h1);
    expect((resolveSchema('com.example.v1.Widget', ['test:a'])!.properties!.spec!.properties!.size as Record<string, unknown>).maximum).toBe(9);
    expect(unregisterDefinitions('test:a')).toBe(true);
    expect(getDefinition('com.example.v1.Widget', ['test:a'])).toBeUndefined();
  });

  it('looks sources up in order before the built-ins', () => {
    registerDefinitions('test:b', { 'io.example.v1.Thing': { type: 'object', description: 'b' } });
    registerDefinitions('test:c', { 'io.example.v1.Thing': { type: 'object', description: 'c' } });
    expect(getDefinition('io.example.v1.Thing', ['test:c', 'test:b'])!.description).toBe('c');
    expect(getDefinition('io.example.v1.Thing', ['test:b', 'test:c'])!.description).toBe('b');
    unregisterDefinitions('test:b');
    unregisterDefinitions('test:c');
  });
});
