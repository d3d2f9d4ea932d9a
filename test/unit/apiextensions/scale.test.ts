import { describe, expect, it } from 'vitest';
import {
  applyScale, getScale, INVALID_SPEC_REPLICAS, scaleAfterUpdate, scaleForUpdate, scaleFromCustomResource, scaleTable,
  validateScaleSpec, validateScaleStatus,
} from '../../../src/apiextensions/scale.js';
import type { CustomResourceSubresourceScale } from '../../../src/apiextensions/types.js';
import { fieldErrorString, isStatusError, type StatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';

const paths: CustomResourceSubresourceScale = {
  specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector',
};

function cr(spec: unknown, status: unknown = { replicas: 2, labelSelector: 'app=web' }): KubeObject {
  return {
    apiVersion: 'example.com/v1', kind: 'Widget',
    metadata: { name: 'w', namespace: 'ns', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z', labels: { a: 'b' } },
    spec, status,
  } as KubeObject;
}

function statusOf(f: () => unknown): StatusError['status'] {
  try {
    f();
  } catch (e) {
    if (isStatusError(e)) return e.status;
    throw e;
  }
  throw new Error('no error');
}

describe('scale from a custom resource', () => {
  it('reads the paths into an autoscaling/v1 Scale with the metadata kube copies', () => {
    expect(getScale(cr({ replicas: 3 }), paths)).toEqual({
      apiVersion: 'autoscaling/v1', kind: 'Scale',
      metadata: { name: 'w', namespace: 'ns', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=web' },
    });
  });

  it('0 replicas are omitted from spec (omitempty); absent status and selector are 0 and left out', () => {
    const s = getScale(cr({ replicas: 0 }, null), paths);
    expect(s.spec).toEqual({});
    expect(s.status).toEqual({ replicas: 0 });
  });

  it('GET without spec replicas is an InternalError with kube\'s text', () => {
    expect(statusOf(() => getScale(cr({}), paths))).toMatchObject({
      code: 500, reason: 'InternalError', message: 'Internal error occurred: the spec replicas field ".spec.replicas" does not exist',
    });
    // a null on the way counts as missing
    expect(scaleFromCustomResource(cr(null), paths).specReplicasFound).toBe(false);
  });

  it.each([
    [{ replicas: 'three' }, '.spec.replicas accessor error: three is of the type string, expected int64'],
    [{ replicas: 1.5 }, '.spec.replicas accessor error: 1.5 is of the type float64, expected int64'],
    [{ replicas: null }, '.spec.replicas accessor error: <nil> is of the type <nil>, expected int64'],
    [{ replicas: { n: 1 } }, '.spec.replicas accessor error: map[n:1] is of the type map[string]interface {}, expected int64'],
    ['str', '.spec.replicas accessor error: str is of the type string, expected map[string]interface{}'],
    [[1, 2], '.spec.replicas accessor error: [1 2] is of the type []interface {}, expected map[string]interface{}'],
  ])('a wrongly typed path %j: unstructured\'s accessor error', (spec, message) => {
    // kube: an untyped 500 with this text; kplane: 400 (the object's own data is at fault)
    expect(statusOf(() => getScale(cr(spec), paths))).toMatchObject({ code: 400, reason: 'BadRequest', message });
    expect(statusOf(() => scaleAfterUpdate(cr(spec), paths))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it('a selector of the wrong type', () => {
    expect(statusOf(() => getScale(cr({ replicas: 1 }, { replicas: 1, labelSelector: 5 }), paths)).message)
      .toBe('.status.labelSelector accessor error: 5 is of the type int64, expected string');
  });
});

describe('scale update', () => {
  it('the Scale an update starts from has the sentinel when spec replicas are missing', () => {
    expect(scaleForUpdate(cr({}), paths).spec.replicas).toBe(INVALID_SPEC_REPLICAS);
    expect(scaleForUpdate(cr({ replicas: 4 }), paths).spec.replicas).toBe(4);
  });

  it('writes spec replicas (creating missing maps), takes the Scale\'s resourceVersion as precondition, leaves the input alone', () => {
    const old = cr(undefined);
    const scale = { ...scaleForUpdate(old, paths), spec: { replicas: 5 } };
    scale.metadata = { ...scale.metadata, resourceVersion: '9' };
    const out = applyScale(old, scale, paths);
    expect(out.spec).toEqual({ replicas: 5 });
    expect(out.metadata!.resourceVersion).toBe('9');
    expect(out.metadata!.labels).toEqual({ a: 'b' });
    expect(old.spec).toBeUndefined();
    expect(old.metadata!.resourceVersion).toBe('7');
    // no resourceVersion on the Scale: the current object's stays
    expect(applyScale(old, { ...scale, metadata: {} }, paths).metadata!.resourceVersion).toBe('7');
    // spec.replicas 0 is omitted from a Scale: it means 0
    expect(applyScale(cr({ replicas: 3 }), { ...scale, spec: {} }, paths).spec).toEqual({ replicas: 0 });
  });

  it('an update that leaves the sentinel in place is refused', () => {
    const old = cr({});
    expect(statusOf(() => applyScale(old, scaleForUpdate(old, paths), paths))).toMatchObject({
      code: 400, reason: 'BadRequest', message: 'the spec replicas field ".spec.replicas" cannot be empty',
    });
  });

  it('deep paths', () => {
    const deep = { specReplicasPath: '.spec.scaling.count', statusReplicasPath: '.status.scaling.count' };
    const out = applyScale(cr({ other: 1 }), { ...scaleForUpdate(cr({ scaling: { count: 1 } }), deep), spec: { replicas: 2 } }, deep);
    expect(out.spec).toEqual({ other: 1, scaling: { count: 2 } });
    expect(getScale(out, deep).spec.replicas).toBe(2);
  });
});

describe('ValidateScaleSpec / ValidateScaleStatus', () => {
  const errs = (obj: KubeObject) => [...validateScaleSpec(obj, paths), ...validateScaleStatus(obj, paths)].map(fieldErrorString);
  it.each<[unknown, unknown, string[]]>([
    [{ replicas: 1 }, { replicas: 1 }, []],
    [{}, {}, []],
    [{ replicas: -1 }, { replicas: -2 }, [
      '.spec.replicas: Invalid value: -1: should be a non-negative integer', '.status.replicas: Invalid value: -2: should be a non-negative integer']],
    [{ replicas: 2147483648 }, {}, ['.spec.replicas: Invalid value: 2147483648: should be less than or equal to 2147483647']],
    [{ replicas: 'x' }, { labelSelector: ['a'] }, [
      '.spec.replicas: Invalid value: 0: .spec.replicas accessor error: x is of the type string, expected int64',
      '.status.labelSelector: Invalid value: "": .status.labelSelector accessor error: [a] is of the type []interface {}, expected string']],
  ])('spec %j status %j', (spec, status, want) => {
    expect(errs(cr(spec, status))).toEqual(want);
  });

  it('nothing to check without a scale subresource', () => {
    expect(validateScaleSpec(cr({ replicas: -1 }), undefined)).toEqual([]);
    expect(validateScaleStatus(cr({}, { replicas: -1 }), undefined)).toEqual([]);
  });
});

describe('scaleTable', () => {
  it('Desired, Available and Age of the Scale', () => {
    const t = scaleTable(paths);
    expect(t.columns.map((c) => [c.name, c.type, c.description])).toEqual([
      ['Name', 'string', expect.any(String)],
      ['Desired', 'integer', 'Number of desired replicas'],
      ['Available', 'integer', 'Number of actual replicas'],
      ['Age', 'date', expect.stringContaining('CreationTimestamp')],
    ]);
    const scale = getScale(cr({ replicas: 3 }), paths) as unknown as KubeObject;
    expect(t.cells(scale, new Date('2024-01-01T00:00:10Z'))).toEqual(['w', 3, 2, '10s']);
  });
});
