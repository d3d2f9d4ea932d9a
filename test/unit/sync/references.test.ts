import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  applyReferenceRules, CLUSTER_API_CLUSTER_RULES, CROSSPLANE_COMPOSITE_RULES, CROSSPLANE_MANAGED_RESOURCE_RULES,
  REFUSE_MESSAGE, validateReferenceRules, type ReferenceContext, type ReferenceRule,
} from '../../../src/sync/references.js';
import { defaultDownstreamNamespace } from '../../../src/sync/naming.js';
import { fieldErrorString, type FieldError } from '../../../src/apimachinery/errors.js';
import { setDefaultsCustomResourceDefinition } from '../../../src/apiextensions/defaults.js';
import { validateCustomResourceDefinition } from '../../../src/apiextensions/validation.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';

const ME = { clusterUid: 'uid-acme-team', clusterPath: 'root:acme:team' };
const OTHER = { clusterUid: 'uid-globex', clusterPath: 'root:globex' };
/** The tenant's namespaces map with the real naming; no other namespace is refused. */
const ctx: ReferenceContext = { mapNamespace: (ns) => defaultDownstreamNamespace({ ...ME, namespace: ns }) };
const mine = (ns: string) => defaultDownstreamNamespace({ ...ME, namespace: ns });
/** Only namespaces that exist in the workspace may be named. */
const strictCtx: ReferenceContext = { mapNamespace: (ns) => (['default', 'dev'].includes(ns) ? mine(ns) : undefined) };

function ok(obj: Record<string, unknown>, rules: readonly ReferenceRule[], c: ReferenceContext = ctx): Record<string, unknown> {
  const r = applyReferenceRules(obj, rules, c);
  if (!r.ok) throw new Error(`unexpected errors: ${r.errors.map(fieldErrorString).join('; ')}`);
  return r.object;
}

function errs(obj: Record<string, unknown>, rules: readonly ReferenceRule[], c: ReferenceContext = ctx): string[] {
  const r = applyReferenceRules(obj, rules, c);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.object)}`);
  return r.errors.map(fieldErrorString);
}

const vstrings = (rules: unknown, path = 'spec.references') => validateReferenceRules(rules, path).map(fieldErrorString);

describe('Rewrite', () => {
  const rule: ReferenceRule = { path: 'spec.classRef.namespace', action: 'Rewrite', namespaces: { 'capi-classes': 'capi-classes' } };

  it('passes a listed namespace through and maps the tenant\'s own', () => {
    expect(ok({ spec: { classRef: { namespace: 'capi-classes' } } }, [rule])).toEqual({ spec: { classRef: { namespace: 'capi-classes' } } });
    expect(ok({ spec: { classRef: { namespace: 'dev' } } }, [rule])).toEqual({ spec: { classRef: { namespace: mine('dev') } } });
  });

  it('maps a listed namespace to another downstream value', () => {
    const r: ReferenceRule = { ...rule, namespaces: { shared: 'provider-shared-classes' } };
    expect(ok({ spec: { classRef: { namespace: 'shared' } } }, [r])).toEqual({ spec: { classRef: { namespace: 'provider-shared-classes' } } });
  });

  it('maps another tenant\'s downstream namespace into the tenant\'s own', () => {
    const theirs = defaultDownstreamNamespace({ ...OTHER, namespace: 'default' });
    const out = ok({ spec: { classRef: { namespace: theirs } } }, [rule]);
    const got = (out.spec as { classRef: { namespace: string } }).classRef.namespace;
    expect(got).toBe(mine(theirs));
    expect(got).not.toBe(theirs);
    expect(got).toMatch(/^kp-team-/);
  });

  it('leaves an absent, null or empty value as it is', () => {
    expect(ok({ spec: { classRef: { name: 'c' } } }, [rule])).toEqual({ spec: { classRef: { name: 'c' } } });
    expect(ok({ spec: {} }, [rule])).toEqual({ spec: {} });
    expect(ok({}, [rule])).toEqual({});
    expect(ok({ spec: { classRef: { namespace: null } } }, [rule])).toEqual({ spec: { classRef: { namespace: null } } });
    expect(ok({ spec: { classRef: { namespace: '' } } }, [rule])).toEqual({ spec: { classRef: { namespace: '' } } });
  });

  it('refuses a non-string with field.invalid at its path', () => {
    expect(errs({ spec: { classRef: { namespace: 42 } } }, [rule]))
      .toEqual(['spec.classRef.namespace: Invalid value: 42: must be a namespace name (a string)']);
    expect(errs({ spec: { classRef: { namespace: { a: 1 } } } }, [rule])[0]).toMatch(/^spec\.classRef\.namespace: Invalid value: \{"a":1\}/);
  });

  it('refuses a value that is no namespace name', () => {
    const e = applyReferenceRules({ spec: { classRef: { namespace: 'Not_A/Name' } } }, [rule], ctx);
    expect(e.ok).toBe(false);
    if (!e.ok) {
      expect(e.errors[0].type).toBe('FieldValueInvalid');
      expect(e.errors[0].field).toBe('spec.classRef.namespace');
      expect(e.errors[0].detail).toMatch(/^must be a namespace name: a lowercase RFC 1123 label/);
    }
  });

  it('with otherwise: Refuse refuses any unlisted namespace, naming the listed ones', () => {
    const r: ReferenceRule = { ...rule, otherwise: 'Refuse' };
    expect(errs({ spec: { classRef: { namespace: 'dev' } } }, [r]))
      .toEqual(['spec.classRef.namespace: Forbidden: may not name namespace "dev": only "capi-classes"']);
    expect(ok({ spec: { classRef: { namespace: 'capi-classes' } } }, [r])).toEqual({ spec: { classRef: { namespace: 'capi-classes' } } });
    const two: ReferenceRule = { ...r, namespaces: { a: 'a', b: 'b', c: 'c' } };
    expect(errs({ spec: { classRef: { namespace: 'x' } } }, [two]))
      .toEqual(['spec.classRef.namespace: Forbidden: may not name namespace "x": only "a", "b" or "c"']);
    const none: ReferenceRule = { path: 'spec.ns', action: 'Rewrite', otherwise: 'Refuse' };
    expect(errs({ spec: { ns: 'x' } }, [none])).toEqual(['spec.ns: Forbidden: may not name namespace "x": no namespace may be named here']);
  });

  it('refuses a namespace the context does not map, with a message the tenant understands', () => {
    expect(errs({ spec: { classRef: { namespace: 'kube-system' } } }, [rule], strictCtx))
      .toEqual(['spec.classRef.namespace: Forbidden: may not name namespace "kube-system": only "capi-classes" or a namespace of this workspace']);
    expect(ok({ spec: { classRef: { namespace: 'default' } } }, [rule], strictCtx)).toEqual({ spec: { classRef: { namespace: mine('default') } } });
  });

  it('checks the listed namespaces first: a tenant namespace of that name is not mapped', () => {
    expect(ok({ spec: { classRef: { namespace: 'capi-classes' } } }, [rule], { mapNamespace: () => 'never' }))
      .toEqual({ spec: { classRef: { namespace: 'capi-classes' } } });
  });

  it('does not take inherited properties for listed namespaces', () => {
    const out = ok({ spec: { classRef: { namespace: 'constructor' } } }, [rule]);
    expect((out.spec as { classRef: { namespace: unknown } }).classRef.namespace).toBe(mine('constructor'));
  });

  it('rewrites every element of a list of namespace names (a path ending in [*])', () => {
    const r: ReferenceRule = { path: 'spec.namespaces[*]', action: 'Rewrite', namespaces: { shared: 'shared' } };
    expect(ok({ spec: { namespaces: ['a', 'shared', ''] } }, [r])).toEqual({ spec: { namespaces: [mine('a'), 'shared', ''] } });
    expect(errs({ spec: { namespaces: ['a', 7] } }, [r])).toEqual(['spec.namespaces[1]: Invalid value: 7: must be a namespace name (a string)']);
  });
});

describe('Force', () => {
  it('sets the value, replacing what the tenant wrote', () => {
    const r: ReferenceRule = { path: 'spec.providerConfigRef.kind', action: 'Force', value: 'ProviderConfig' };
    expect(ok({ spec: { providerConfigRef: { kind: 'ClusterProviderConfig', name: 'x' } } }, [r]))
      .toEqual({ spec: { providerConfigRef: { kind: 'ProviderConfig', name: 'x' } } });
  });

  it('creates missing (or null) parent objects', () => {
    const r: ReferenceRule = { path: 'spec.a.b.c', action: 'Force', value: 1 };
    expect(ok({}, [r])).toEqual({ spec: { a: { b: { c: 1 } } } });
    expect(ok({ spec: { a: null } }, [r])).toEqual({ spec: { a: { b: { c: 1 } } } });
  });

  it('sets any JSON value, a fresh copy each time', () => {
    const value = { kind: 'ProviderConfig', extra: [1, { x: true }] };
    const r: ReferenceRule = { path: 'spec.refs[*].ref', action: 'Force', value };
    const out = ok({ spec: { refs: [{}, { ref: 'old' }] } }, [r]);
    const refs = (out.spec as { refs: { ref: unknown }[] }).refs;
    expect(refs[0].ref).toEqual(value);
    expect(refs[1].ref).toEqual(value);
    expect(refs[0].ref).not.toBe(value);
    expect(refs[0].ref).not.toBe(refs[1].ref);
  });

  it('under [*] sets the field in every existing element and never creates elements', () => {
    const r: ReferenceRule = { path: 'spec.resourceRefs[*].namespace', action: 'Force', value: 'x' };
    expect(ok({ spec: { resourceRefs: [{ name: 'a' }, { name: 'b', namespace: 'y' }] } }, [r]))
      .toEqual({ spec: { resourceRefs: [{ name: 'a', namespace: 'x' }, { name: 'b', namespace: 'x' }] } });
    expect(ok({ spec: { resourceRefs: [] } }, [r])).toEqual({ spec: { resourceRefs: [] } });
    expect(ok({ spec: {} }, [r])).toEqual({ spec: {} });
    expect(ok({}, [r])).toEqual({});
    expect(ok({ spec: { resourceRefs: null } }, [r])).toEqual({ spec: { resourceRefs: null } });
  });

  it('refuses non-object elements and wrong-typed parents, since the value cannot be set', () => {
    const r: ReferenceRule = { path: 'spec.resourceRefs[*].namespace', action: 'Force', value: 'x' };
    expect(errs({ spec: { resourceRefs: [{}, 'str', null, [1]] } }, [r])).toEqual([
      'spec.resourceRefs[1]: Invalid value: "str": must be an object',
      'spec.resourceRefs[2]: Invalid value: null: must be an object',
      'spec.resourceRefs[3]: Invalid value: [1]: must be an object',
    ]);
    expect(errs({ spec: { resourceRefs: { namespace: 'y' } } }, [r])).toEqual(['spec.resourceRefs: Invalid value: {"namespace":"y"}: must be a list']);
    expect(errs({ spec: 'oops' }, [{ path: 'spec.a', action: 'Force', value: 1 }])).toEqual(['spec: Invalid value: "oops": must be an object']);
  });

  it('walks nested lists', () => {
    const r: ReferenceRule = { path: 'spec.groups[*].members[*].ns', action: 'Force', value: 'n' };
    expect(ok({ spec: { groups: [{ members: [{}, { ns: 'a' }] }, {}, { members: [] }] } }, [r]))
      .toEqual({ spec: { groups: [{ members: [{ ns: 'n' }, { ns: 'n' }] }, {}, { members: [] }] } });
  });

  it('is safe against keys such as __proto__', () => {
    const obj = JSON.parse('{"spec":{}}') as Record<string, unknown>;
    const out = ok(obj, [{ path: 'spec.__proto__.polluted', action: 'Force', value: 'yes' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out.spec as object, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"spec":{"__proto__":{"polluted":"yes"}}}');
  });
});

describe('Default', () => {
  const r: ReferenceRule = { path: 'spec.providerConfigRef.name', action: 'Default', value: 'default' };

  it('sets the value only where absent or null', () => {
    expect(ok({ spec: {} }, [r])).toEqual({ spec: { providerConfigRef: { name: 'default' } } });
    expect(ok({ spec: { providerConfigRef: { name: null } } }, [r])).toEqual({ spec: { providerConfigRef: { name: 'default' } } });
    expect(ok({ spec: { providerConfigRef: { name: 'mine' } } }, [r])).toEqual({ spec: { providerConfigRef: { name: 'mine' } } });
    expect(ok({ spec: { providerConfigRef: { name: '' } } }, [r])).toEqual({ spec: { providerConfigRef: { name: '' } } });
  });

  it('under [*] fills only the elements that lack the field', () => {
    const d: ReferenceRule = { path: 'spec.refs[*].kind', action: 'Default', value: 'Secret' };
    expect(ok({ spec: { refs: [{ kind: 'ConfigMap' }, {}] } }, [d])).toEqual({ spec: { refs: [{ kind: 'ConfigMap' }, { kind: 'Secret' }] } });
    expect(errs({ spec: { refs: [1] } }, [d])).toEqual(['spec.refs[0]: Invalid value: 1: must be an object']);
  });
});

describe('Refuse', () => {
  it('refuses any present value without allowed', () => {
    const r: ReferenceRule = { path: 'spec.crossplane.resourceRefs', action: 'Refuse' };
    expect(errs({ spec: { crossplane: { resourceRefs: [] } } }, [r])).toEqual([`spec.crossplane.resourceRefs: Forbidden: ${REFUSE_MESSAGE}`]);
    expect(errs({ spec: { crossplane: { resourceRefs: false } } }, [r])).toHaveLength(1);
    expect(ok({ spec: { crossplane: {} } }, [r])).toEqual({ spec: { crossplane: {} } });
    expect(ok({ spec: { crossplane: { resourceRefs: null } } }, [r])).toEqual({ spec: { crossplane: { resourceRefs: null } } });
  });

  it('lets allowed values through, compared as JSON', () => {
    const r: ReferenceRule = { path: 'spec.ref', action: 'Refuse', allowed: ['self', { kind: 'X', name: 'a' }] };
    expect(ok({ spec: { ref: 'self' } }, [r])).toEqual({ spec: { ref: 'self' } });
    expect(ok({ spec: { ref: { name: 'a', kind: 'X' } } }, [r])).toEqual({ spec: { ref: { name: 'a', kind: 'X' } } });
    expect(errs({ spec: { ref: { name: 'a', kind: 'X', namespace: 'b' } } }, [r])).toEqual([`spec.ref: Forbidden: ${REFUSE_MESSAGE}`]);
    expect(errs({ spec: { ref: 'other' } }, [r])).toHaveLength(1);
  });

  it('reports every offending element with its index', () => {
    const r: ReferenceRule = { path: 'spec.resourceRefs[*].namespace', action: 'Refuse' };
    expect(errs({ spec: { resourceRefs: [{ name: 'a' }, { namespace: 'x' }, 'str', { namespace: 'y' }] } }, [r])).toEqual([
      `spec.resourceRefs[1].namespace: Forbidden: ${REFUSE_MESSAGE}`,
      `spec.resourceRefs[3].namespace: Forbidden: ${REFUSE_MESSAGE}`,
    ]);
    expect(ok({ spec: { resourceRefs: [] } }, [r])).toEqual({ spec: { resourceRefs: [] } });
    expect(ok({ spec: { resourceRefs: 'not a list' } }, [r])).toEqual({ spec: { resourceRefs: 'not a list' } });
  });

  it('checks label and annotation keys', () => {
    const r: ReferenceRule = { path: 'metadata.annotations["crossplane.io/external-name"]', action: 'Refuse' };
    expect(errs({ metadata: { annotations: { 'crossplane.io/external-name': 'someone-elses-bucket' } } }, [r]))
      .toEqual([`metadata.annotations[crossplane.io/external-name]: Forbidden: ${REFUSE_MESSAGE}`]);
    expect(ok({ metadata: { annotations: { other: 'x' } } }, [r])).toEqual({ metadata: { annotations: { other: 'x' } } });
  });
});

describe('Strip', () => {
  it('deletes the field and leaves the rest', () => {
    const r: ReferenceRule = { path: 'spec.resourceRef', action: 'Strip' };
    expect(ok({ spec: { resourceRef: { name: 'x' }, region: 'eu' } }, [r])).toEqual({ spec: { region: 'eu' } });
    expect(ok({ spec: { region: 'eu' } }, [r])).toEqual({ spec: { region: 'eu' } });
    expect(ok({ spec: 'weird' }, [r])).toEqual({ spec: 'weird' });
    expect(ok({ spec: { resourceRef: null } }, [r])).toEqual({ spec: {} });
  });

  it('deletes the field of each element, passing non-objects over', () => {
    const r: ReferenceRule = { path: 'spec.refs[*].namespace', action: 'Strip' };
    expect(ok({ spec: { refs: [{ name: 'a', namespace: 'x' }, 3, null, { name: 'b' }] } }, [r]))
      .toEqual({ spec: { refs: [{ name: 'a' }, 3, null, { name: 'b' }] } });
    expect(ok({ spec: { refs: [] } }, [r])).toEqual({ spec: { refs: [] } });
  });

  it('deletes one annotation by its key', () => {
    const r: ReferenceRule = { path: 'metadata.annotations["crossplane.io/external-name"]', action: 'Strip' };
    expect(ok({ metadata: { name: 'b', annotations: { 'crossplane.io/external-name': 'x', keep: 'y' } } }, [r]))
      .toEqual({ metadata: { name: 'b', annotations: { keep: 'y' } } });
  });
});

describe('applyReferenceRules', () => {
  it('never changes the object given', () => {
    const obj = { spec: { classRef: { namespace: 'dev' }, refs: [{ namespace: 'a' }], gone: 1 } };
    const before = structuredClone(obj);
    const out = ok(obj, [
      { path: 'spec.classRef.namespace', action: 'Rewrite' },
      { path: 'spec.refs[*].namespace', action: 'Force', value: 'b' },
      { path: 'spec.gone', action: 'Strip' },
      { path: 'spec.added', action: 'Default', value: { a: 1 } },
    ]);
    expect(obj).toEqual(before);
    expect(out).not.toBe(obj);
    expect(out).toEqual({ spec: { classRef: { namespace: mine('dev') }, refs: [{ namespace: 'b' }], added: { a: 1 } } });
  });

  it('applies the rules in order, each to the result of the ones before', () => {
    const a = ok({}, [{ path: 'spec.x', action: 'Default', value: 1 }, { path: 'spec.x', action: 'Force', value: 2 }]);
    expect(a).toEqual({ spec: { x: 2 } });
    const b = ok({}, [{ path: 'spec.x', action: 'Force', value: 2 }, { path: 'spec.x', action: 'Default', value: 1 }]);
    expect(b).toEqual({ spec: { x: 2 } });
    // a Refuse after a Force checks the forced value
    expect(errs({}, [{ path: 'spec.x', action: 'Force', value: 2 }, { path: 'spec.x', action: 'Refuse', allowed: [1] }])).toHaveLength(1);
  });

  it('collects the errors of every rule, not just the first', () => {
    expect(errs({ spec: { a: 1, b: 2 } }, [{ path: 'spec.a', action: 'Refuse' }, { path: 'spec.b', action: 'Rewrite' }])).toEqual([
      `spec.a: Forbidden: ${REFUSE_MESSAGE}`,
      'spec.b: Invalid value: 2: must be a namespace name (a string)',
    ]);
  });

  it('throws on a rule that would not pass validation (the provider\'s mistake)', () => {
    expect(() => applyReferenceRules({}, [{ path: 'metadata.name', action: 'Strip' }], ctx)).toThrow(/metadata/);
    expect(() => applyReferenceRules({}, [{ path: 'spec..x', action: 'Strip' }], ctx)).toThrow(/empty field name/);
    expect(() => applyReferenceRules({}, [{ path: 'spec.x', action: 'Drop' as never }], ctx)).toThrow(/unknown action/);
  });
});

// ---- presets against realistic objects ----

const v1beta2Cluster = () => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'Cluster',
  metadata: { name: 'prod', namespace: 'default', labels: { env: 'prod' } },
  spec: {
    clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] } },
    topology: {
      classRef: { name: 'openstack-scs', namespace: 'capi-classes' },
      version: 'v1.33.4',
      controlPlane: { replicas: 3 },
      workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: 2 }] },
      variables: [{ name: 'flavor', value: 'SCS-4V-8' }],
    },
  },
});

describe('CLUSTER_API_CLUSTER_RULES', () => {
  const rules = CLUSTER_API_CLUSTER_RULES('capi-classes');

  it('are valid rules', () => {
    expect(validateReferenceRules(rules, 'spec.references')).toEqual([]);
  });

  it('keep a v1beta2 Cluster naming the provider\'s ClusterClass namespace as it is', () => {
    const c = v1beta2Cluster();
    expect(ok(c, rules)).toEqual(c);
  });

  it('map a ClusterClass of the tenant\'s own namespace', () => {
    const c = v1beta2Cluster();
    c.spec.topology.classRef.namespace = 'dev';
    const out = ok(c, rules) as ReturnType<typeof v1beta2Cluster>;
    expect(out.spec.topology.classRef).toEqual({ name: 'openstack-scs', namespace: mine('dev') });
    expect(out.spec.topology.workers).toEqual(c.spec.topology.workers);
  });

  it('map another tenant\'s downstream namespace into the tenant\'s own', () => {
    const c = v1beta2Cluster();
    const theirs = defaultDownstreamNamespace({ ...OTHER, namespace: 'default' });
    c.spec.topology.classRef.namespace = theirs;
    const out = ok(c, rules) as ReturnType<typeof v1beta2Cluster>;
    expect(out.spec.topology.classRef.namespace).toBe(mine(theirs));
  });

  it('leave a classRef without namespace (the Cluster\'s own) and a Cluster without topology alone', () => {
    const c = v1beta2Cluster();
    delete (c.spec.topology.classRef as { namespace?: string }).namespace;
    expect(ok(c, rules)).toEqual(c);
    const plain = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'p' }, spec: { controlPlaneRef: { apiGroup: 'x', kind: 'K', name: 'n' } } };
    expect(ok(plain, rules)).toEqual(plain);
  });

  it('use the class namespace given', () => {
    const c = v1beta2Cluster();
    c.spec.topology.classRef.namespace = 'capi-classes';
    const out = ok(c, CLUSTER_API_CLUSTER_RULES('scs-classes')) as ReturnType<typeof v1beta2Cluster>;
    expect(out.spec.topology.classRef.namespace).toBe(mine('capi-classes'));
  });

  it('also map v1beta1\'s classNamespace and ref namespaces', () => {
    const v1 = {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'old' },
      spec: {
        topology: { class: 'c', classNamespace: 'dev', version: 'v1.32.0' },
        infrastructureRef: { kind: 'OpenStackCluster', name: 'old', namespace: 'default' },
        controlPlaneRef: { kind: 'KubeadmControlPlane', name: 'old', namespace: 'capi-classes' },
      },
    };
    const out = ok(v1, rules) as typeof v1;
    expect(out.spec.topology.classNamespace).toBe(mine('dev'));
    expect(out.spec.infrastructureRef.namespace).toBe(mine('default'));
    expect(out.spec.controlPlaneRef.namespace).toBe(mine('capi-classes')); // only the class may be shared
  });
});

const namespacedBucket = () => ({
  apiVersion: 'storage.example.kplane.io/v1alpha1',
  kind: 'Bucket',
  metadata: { name: 'logs', namespace: 'default', annotations: { 'crossplane.io/external-name': 'acme-logs' } },
  spec: {
    forProvider: { region: 'eu-de-1', storageClass: 'Standard', tags: { team: 'ops' } },
    managementPolicies: ['*'],
    writeConnectionSecretToRef: { name: 'logs-conn' },
  } as Record<string, unknown>,
});

describe('CROSSPLANE_MANAGED_RESOURCE_RULES', () => {
  it('are valid rules', () => {
    expect(validateReferenceRules(CROSSPLANE_MANAGED_RESOURCE_RULES, 'spec.references')).toEqual([]);
  });

  it('give a Bucket without providerConfigRef the namespaced ProviderConfig "default"', () => {
    const out = ok(namespacedBucket(), CROSSPLANE_MANAGED_RESOURCE_RULES);
    expect((out.spec as Record<string, unknown>).providerConfigRef).toEqual({ name: 'default', kind: 'ProviderConfig' });
    expect((out.spec as Record<string, unknown>).forProvider).toEqual(namespacedBucket().spec.forProvider);
  });

  it('never let a Bucket name a ClusterProviderConfig', () => {
    const b = namespacedBucket();
    b.spec.providerConfigRef = { name: 'provider-admin', kind: 'ClusterProviderConfig' };
    expect((ok(b, CROSSPLANE_MANAGED_RESOURCE_RULES).spec as Record<string, unknown>).providerConfigRef)
      .toEqual({ name: 'provider-admin', kind: 'ProviderConfig' });
  });

  it('keep the tenant\'s own ProviderConfig name', () => {
    const b = namespacedBucket();
    b.spec.providerConfigRef = { name: 'team-creds' };
    expect((ok(b, CROSSPLANE_MANAGED_RESOURCE_RULES).spec as Record<string, unknown>).providerConfigRef)
      .toEqual({ name: 'team-creds', kind: 'ProviderConfig' });
  });

  it('are frozen: a caller cannot weaken them', () => {
    expect(Object.isFrozen(CROSSPLANE_MANAGED_RESOURCE_RULES)).toBe(true);
    expect(Object.isFrozen(CROSSPLANE_COMPOSITE_RULES)).toBe(true);
  });
});

describe('CROSSPLANE_COMPOSITE_RULES', () => {
  it('are valid rules', () => {
    expect(validateReferenceRules(CROSSPLANE_COMPOSITE_RULES, 'spec.references')).toEqual([]);
  });

  it('strip resourceRefs from a Crossplane v2 namespaced XR and keep the rest', () => {
    const xr = {
      apiVersion: 'example.kplane.io/v1alpha1', kind: 'XNetwork',
      metadata: { name: 'net', namespace: 'default' },
      spec: {
        region: 'eu-de-1', cidrBlock: '10.1.0.0/16',
        crossplane: {
          compositionRef: { name: 'xnetworks-openstack' },
          compositionSelector: { matchLabels: { provider: 'openstack' } },
          resourceRefs: [{ apiVersion: 'storage.example.kplane.io/v1alpha1', kind: 'Bucket', name: 'provider-state' }],
        },
      },
    };
    const out = ok(xr, CROSSPLANE_COMPOSITE_RULES);
    expect(out.spec).toEqual({
      region: 'eu-de-1', cidrBlock: '10.1.0.0/16',
      crossplane: { compositionRef: { name: 'xnetworks-openstack' }, compositionSelector: { matchLabels: { provider: 'openstack' } } },
    });
  });

  it('strip a claim\'s resourceRef', () => {
    const claim = { apiVersion: 'example.kplane.io/v1alpha1', kind: 'Network', metadata: { name: 'n' }, spec: { region: 'x', resourceRef: { apiVersion: 'example.kplane.io/v1alpha1', kind: 'XNetwork', name: 'someone-elses' } } };
    expect(ok(claim, CROSSPLANE_COMPOSITE_RULES).spec).toEqual({ region: 'x' });
  });
});

// ---- validation ----

describe('validateReferenceRules', () => {
  it('accepts well-formed rules of every action and an absent list', () => {
    expect(vstrings([
      { path: 'spec.topology.classRef.namespace', action: 'Rewrite', namespaces: { 'capi-classes': 'capi-classes' }, otherwise: 'MapNamespace' },
      { path: 'spec.resourceRefs[*].namespace', action: 'Refuse', allowed: ['a', null, { x: 1 }] },
      { path: 'spec.namespaces[*]', action: 'Rewrite', otherwise: 'Refuse' },
      { path: 'spec.providerConfigRef.kind', action: 'Force', value: 'ProviderConfig' },
      { path: 'spec.a', action: 'Default', value: { nested: [1, 'x', false] } },
      { path: 'spec.a', action: 'Default', value: 0 },
      { path: 'spec.crossplane.resourceRefs', action: 'Strip' },
      { path: 'metadata.labels.team', action: 'Force', value: 'x' },
      { path: 'metadata.annotations["crossplane.io/external-name"]', action: 'Strip' },
      { path: 'spec.groups[*].members[*].ns', action: 'Force', value: 'n' },
    ])).toEqual([]);
    expect(vstrings(undefined)).toEqual([]);
    expect(vstrings([])).toEqual([]);
  });

  it('rejects a list that is not one and elements that are not objects', () => {
    expect(vstrings({ path: 'x' })).toEqual(['spec.references: Invalid value: {"path":"x"}: must be a list of reference rules']);
    expect(vstrings(['x'])).toEqual(['spec.references[0]: Invalid value: "x": must be an object']);
  });

  it('rejects unknown and missing actions', () => {
    expect(vstrings([{ path: 'spec.a', action: 'Delete' }]))
      .toEqual(['spec.references[0].action: Unsupported value: "Delete": supported values: "Rewrite", "Force", "Default", "Refuse", "Strip"']);
    expect(vstrings([{ path: 'spec.a', action: 'strip' }])[0]).toMatch(/^spec\.references\[0\]\.action: Unsupported value: "strip"/);
    expect(vstrings([{ path: 'spec.a' }])).toEqual(['spec.references[0].action: Required value']);
  });

  it('rejects missing, empty and ill-formed paths', () => {
    const at = (path: unknown) => vstrings([{ path, action: 'Strip' }]);
    expect(at(undefined)).toEqual(['spec.references[0].path: Required value']);
    expect(at('')).toEqual(['spec.references[0].path: Required value']);
    expect(at(3)).toEqual(['spec.references[0].path: Invalid value: 3: must be a string']);
    expect(at('spec..x')).toEqual(['spec.references[0].path: Invalid value: "spec..x": empty field name at 5']);
    expect(at('[*].x')).toEqual(['spec.references[0].path: Invalid value: "[*].x": must start with a field name']);
    expect(at('.spec')).toEqual(['spec.references[0].path: Invalid value: ".spec": must start with a field name']);
    expect(at('spec.')).toEqual(['spec.references[0].path: Invalid value: "spec.": must not end with a dot']);
    expect(at('spec.[*]')[0]).toMatch(/must follow a field name/);
    expect(at('spec.a[0]')[0]).toMatch(/expected \[\*\] or \["key"\]/);
    expect(at('spec.a[*]b')[0]).toMatch(/expected "\.", "\[\*\]" or \["key"\]/);
    expect(at('spec.a b')[0]).toMatch(/field name "a b" may only have/);
    expect(at('spec["unterminated')[0]).toMatch(/unterminated/);
    expect(at('spec[""]')[0]).toMatch(/the key must not be empty/);
  });

  it('forbid metadata except label and annotation keys, and apiVersion and kind', () => {
    const at = (path: string) => vstrings([{ path, action: 'Strip' }]);
    const owns = 'spec.references[0].path: Forbidden: the syncer owns metadata: only metadata.labels.<key> and metadata.annotations.<key> may be named';
    expect(at('metadata.name')).toEqual([owns]);
    expect(at('metadata.namespace')).toEqual([owns]);
    expect(at('metadata.ownerReferences[*].uid')).toEqual([owns]);
    expect(at('metadata.labels')).toEqual([owns]);
    expect(at('metadata.annotations')).toEqual([owns]);
    expect(at('metadata.labels.a.b')).toEqual([owns]);
    expect(at('metadata')).toEqual([owns]);
    expect(at('metadata.labels.team')).toEqual([]);
    expect(at('apiVersion')).toEqual(['spec.references[0].path: Forbidden: the syncer owns apiVersion and kind']);
    expect(at('kind')).toEqual(['spec.references[0].path: Forbidden: the syncer owns apiVersion and kind']);
  });

  it('allow a path ending in [*] only for Rewrite and Refuse', () => {
    expect(vstrings([{ path: 'spec.ns[*]', action: 'Refuse' }])).toEqual([]);
    expect(vstrings([{ path: 'spec.ns[*]', action: 'Strip' }]))
      .toEqual(['spec.references[0].path: Forbidden: may end in [*] only for Rewrite and Refuse (Strip names a field of each element)']);
    expect(vstrings([{ path: 'spec.ns[*]', action: 'Force', value: 'x' }])).toHaveLength(1);
  });

  it('require a value for Force and Default, and forbid it elsewhere', () => {
    expect(vstrings([{ path: 'spec.a', action: 'Force' }]))
      .toEqual(['spec.references[0].value: Required value: Force sets this value (to remove a field, use Strip)']);
    expect(vstrings([{ path: 'spec.a', action: 'Default', value: null }]))
      .toEqual(['spec.references[0].value: Required value: Default sets this value (to remove a field, use Strip)']);
    expect(vstrings([{ path: 'spec.a', action: 'Refuse', value: 'x' }]))
      .toEqual(['spec.references[0].value: Forbidden: may only be set for Force and Default']);
    expect(vstrings([{ path: 'spec.a', action: 'Force', value: () => 1 }])[0]).toMatch(/value: Invalid value: .*must be a JSON value/);
    expect(vstrings([{ path: 'spec.a', action: 'Force', value: Number.NaN }])[0]).toMatch(/must be a JSON value/);
  });

  it('forbid namespaces and otherwise on actions other than Rewrite, and allowed on actions other than Refuse', () => {
    expect(vstrings([{ path: 'spec.a', action: 'Strip', namespaces: { a: 'a' }, otherwise: 'Refuse' }])).toEqual([
      'spec.references[0].namespaces: Forbidden: may only be set for Rewrite',
      'spec.references[0].otherwise: Forbidden: may only be set for Rewrite',
    ]);
    expect(vstrings([{ path: 'spec.a', action: 'Rewrite', allowed: ['a'] }]))
      .toEqual(['spec.references[0].allowed: Forbidden: may only be set for Refuse']);
    expect(vstrings([{ path: 'spec.a', action: 'Refuse', allowed: 'a' }]))
      .toEqual(['spec.references[0].allowed: Invalid value: "a": must be a list of values']);
  });

  it('check Rewrite\'s namespaces and otherwise', () => {
    expect(vstrings([{ path: 'spec.a', action: 'Rewrite', otherwise: 'Map' }]))
      .toEqual(['spec.references[0].otherwise: Unsupported value: "Map": supported values: "MapNamespace", "Refuse"']);
    expect(vstrings([{ path: 'spec.a', action: 'Rewrite', namespaces: ['a'] }]))
      .toEqual(['spec.references[0].namespaces: Invalid value: ["a"]: must be a map of namespace names']);
    expect(vstrings([{ path: 'spec.a', action: 'Rewrite', namespaces: { a: 1 } }]))
      .toEqual(['spec.references[0].namespaces[a]: Invalid value: 1: must be a namespace name (a string)']);
    const bad = vstrings([{ path: 'spec.a', action: 'Rewrite', namespaces: { Bad_Key: 'ok', ok: 'bad.value' } }]);
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^spec\.references\[0\]\.namespaces: Invalid value: "Bad_Key": must be a namespace name/);
    expect(bad[1]).toMatch(/^spec\.references\[0\]\.namespaces\[ok\]: Invalid value: "bad\.value": must be a namespace name: must not contain dots/);
  });

  it('report every error of every rule at its own index', () => {
    const e: FieldError[] = validateReferenceRules([
      { path: 'spec.a', action: 'Strip' },
      { path: 'metadata.name', action: 'Nope' },
    ], 'spec.references');
    expect(e.map((x) => [x.type, x.field])).toEqual([
      ['FieldValueNotSupported', 'spec.references[1].action'],
      ['FieldValueForbidden', 'spec.references[1].path'],
    ]);
  });
});

// ---- fixtures ----

describe('Crossplane v2-shaped fixtures', () => {
  const dir = join(import.meta.dirname, '../../fixtures/crossplane');
  const files = {
    'xnetworks.example.kplane.io.yaml': { kind: 'XNetwork', scope: 'Namespaced' },
    'buckets.storage.example.kplane.io.yaml': { kind: 'Bucket', scope: 'Namespaced' },
    'providerconfigs.storage.example.kplane.io.yaml': { kind: 'ProviderConfig', scope: 'Namespaced' },
    'clusterproviderconfigs.storage.example.kplane.io.yaml': { kind: 'ClusterProviderConfig', scope: 'Cluster' },
  };

  for (const [file, want] of Object.entries(files)) {
    it(`${file} is a valid structural CRD (${want.scope} ${want.kind}, status subresource)`, () => {
      const crd = parse(readFileSync(join(dir, file), 'utf8')) as KubeObject;
      setDefaultsCustomResourceDefinition(crd);
      (crd as Record<string, unknown>).status = { storedVersions: ['v1alpha1'] };
      expect(validateCustomResourceDefinition(crd).map(fieldErrorString)).toEqual([]);
      const spec = crd.spec as { names: { kind: string }; scope: string; versions: { subresources?: { status?: unknown }; additionalPrinterColumns?: { name: string }[] }[] };
      expect(spec.names.kind).toBe(want.kind);
      expect(spec.scope).toBe(want.scope);
      expect(spec.versions[0].subresources?.status).toEqual({});
      if (want.kind === 'XNetwork' || want.kind === 'Bucket') {
        expect(spec.versions[0].additionalPrinterColumns?.map((c) => c.name).slice(0, 2)).toEqual(['SYNCED', 'READY']);
      }
    });
  }
});
