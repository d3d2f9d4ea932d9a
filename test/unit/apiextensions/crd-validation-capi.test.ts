// Cluster API v1.14's real CRDs (core, kubeadm bootstrap, kubeadm control plane; read from the Go
// module cache, see test/helpers/capi.ts) through the CRD create path: all accepted without
// warnings, stored in the form kube-apiserver v1.34 answers (checked byte for byte against
// dry-run POSTs to the real server when this test was written: same spec and status, same key
// order), and their spec validation shared by content.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { prepareCreate, validateCreate } from '../../../src/registry/store.js';
import { customresourcedefinitions as crds } from '../../../src/registry/kinds/customresourcedefinitions.js';
import type { RequestContext } from '../../../src/registry/types.js';
import { CAPI_CRD_DIRS, capiFiles } from '../../helpers/capi.js';

const ctx = (): RequestContext => ({
  cluster: 'root' as RequestContext['cluster'], namespace: '', user: { username: 'admin', groups: ['system:masters'] }, now: new Date(), warnings: [],
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const bodies = CAPI_CRD_DIRS.flatMap((d) => capiFiles(`${d}/*.yaml`)).map((f) => parse(readFileSync(f, 'utf8')) as Loose);

function create(body: KubeObject, c = ctx()): Loose {
  const obj = prepareCreate(c, crds, body);
  validateCreate(c, crds, obj);
  return obj;
}

describe('Cluster API CRDs', () => {
  it('are all found', () => {
    expect(bodies.map((b: Loose) => b.metadata.name)).toContain('clusters.cluster.x-k8s.io');
    expect(bodies.length).toBeGreaterThanOrEqual(17);
  });

  for (const body of bodies) {
    it(`${body.metadata.name} is accepted in kube's form`, () => {
      const c = ctx();
      const obj = create(body, c);
      expect(c.warnings).toEqual([]);
      expect(obj.status).toEqual({ conditions: null, acceptedNames: { plural: '', kind: '' }, storedVersions: [obj.spec.versions.find((v: { storage: boolean }) => v.storage).name] });
      // what kube stores is its own encoding again: shaping a stored CRD changes nothing
      const again = create(structuredClone({ ...obj, metadata: { name: obj.metadata.name } }));
      expect(JSON.stringify(again.spec)).toBe(JSON.stringify(obj.spec));
    });
  }

  it('keeps spec validation by content, never an object\'s own fields', () => {
    const body: Loose = structuredClone(bodies.find((b: Loose) => b.metadata.name === 'clusters.cluster.x-k8s.io')!);
    body.spec.versions[0].additionalPrinterColumns = [{ name: '', type: 'string', jsonPath: '.spec.x' }];
    const fail = (b: KubeObject): string => {
      try {
        create(b);
      } catch (e) {
        if (isStatusError(e)) return e.status.message ?? '';
        throw e;
      }
      return '';
    };
    const first = fail(structuredClone(body));
    expect(first).toContain('additionalPrinterColumns[0].name: Required value');
    // the same spec under another (wrong) name: the spec errors again, plus this object's name error
    const other = structuredClone(body);
    other.metadata.name = 'other.cluster.x-k8s.io';
    const second = fail(other);
    expect(second).toContain('metadata.name: Invalid value: "other.cluster.x-k8s.io": must be spec.names.plural+"."+spec.group');
    expect(second).toContain('additionalPrinterColumns[0].name: Required value');
    expect(fail(structuredClone(body))).toBe(first);
    // a valid spec, remembered, under a wrong name
    const valid = structuredClone(bodies.find((b: Loose) => b.metadata.name === 'clusters.cluster.x-k8s.io')!);
    create(structuredClone(valid));
    valid.metadata.name = 'other.cluster.x-k8s.io';
    expect(fail(valid)).toBe('CustomResourceDefinition.apiextensions.k8s.io "other.cluster.x-k8s.io" is invalid: metadata.name: Invalid value: "other.cluster.x-k8s.io": must be spec.names.plural+"."+spec.group');
  });
});
