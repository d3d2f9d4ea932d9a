import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { serviceaccounts } from '../../../src/registry/kinds/serviceaccounts.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = serviceaccounts.strategy;
const c = ctx('p1');
const WARNING = 'metadata.annotations[kubernetes.io/enforce-mountable-secrets]: deprecated in v1.32+; prefer separate namespaces to isolate access to mounted secrets';

describe('serviceaccounts', () => {
  it('matches kube discovery', () => {
    expect(serviceaccounts).toMatchObject({
      group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', listKind: 'ServiceAccountList',
      singularName: 'serviceaccount', shortNames: ['sa'], categories: [], namespaced: true, subresources: ['token'],
      schemaName: 'io.k8s.api.core.v1.ServiceAccount',
    });
    expect(serviceaccounts.subresourceHandlers?.token).toMatchObject({
      methods: ['POST'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
    });
    expect(s.allowCreateOnUpdate).toBe(false);
    expect(s.allowUnconditionalUpdate).toBe(true);
    expect(s.validateName('a.b', false)).toEqual([]);
  });
  it('keeps only the names of secret references (checked against v1.34)', () => {
    const sa: KubeObject = { metadata: { name: 'sa1' }, secrets: [{ name: 'x', kind: 'Secret', uid: 'u' }, { namespace: 'y' }] };
    s.prepareForCreate!(sa, c);
    expect(sa.secrets).toEqual([{ name: 'x' }, {}]);
    const upd: KubeObject = { metadata: { name: 'sa1' }, secrets: [{ name: 'z', apiVersion: 'v1' }] };
    s.prepareForUpdate!(upd, sa, c);
    expect(upd.secrets).toEqual([{ name: 'z' }]);
  });
  it('warns about the enforce-mountable-secrets annotation when it is added', () => {
    const sa: KubeObject = { metadata: { name: 'sa1', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } } };
    expect(s.warningsOnCreate!(sa, c)).toEqual([WARNING]);
    expect(s.warningsOnUpdate!(sa, { metadata: { name: 'sa1' } }, c)).toEqual([WARNING]);
    expect(s.warningsOnUpdate!(sa, sa, c)).toEqual([]);
    expect(s.warningsOnCreate!({ metadata: { name: 'x' } }, c)).toEqual([]);
  });
  it('validates finalizers like core validation', () => {
    expect(errs(s.validate({ metadata: { name: 'x', finalizers: ['foo'] } }, c))).toEqual([
      'metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(s.validateUpdate({ metadata: { name: 'x' } }, { metadata: { name: 'x' } }, c)).toEqual([]);
  });
  it('drops empty lists when serialising', () => {
    const sa: KubeObject = { metadata: { name: 'x' }, secrets: [], imagePullSecrets: [{ name: 'p', extra: 1 }] };
    s.canonicalize!(sa);
    expect(sa).toEqual({ metadata: { name: 'x' }, imagePullSecrets: [{ name: 'p' }] });
  });
  it('prints Name, Secrets, Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Secrets', 'Age']);
    expect(s.table!.cells({ metadata: { name: 'sa', creationTimestamp: ago(9 * 86400) }, secrets: [{ name: 'a' }, { name: 'b' }] }, NOW))
      .toEqual(['sa', 2, '9d']);
  });
});
