// CustomResourceDefinition create/update/status validation through the registry's own write steps
// (prepareCreate/validateCreate, prepareUpdate/validateUpdate), against kube-apiserver v1.34's
// answers: crd-validation.cases.json holds request bodies and what the real kube-apiserver
// answered them (its Invalid message, or the created object's spec and status), recorded with
// `?dryRun=All` POSTs. Schema-structure and CEL errors are H1's and H2's tests.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../harness/pki.js';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { prepareCreate, prepareUpdate, validateCreate, validateUpdate } from '../../../src/registry/store.js';
import { customresourcedefinitions as crds, CUSTOM_RESOURCE_CLEANUP_FINALIZER } from '../../../src/registry/kinds/customresourcedefinitions.js';
import type { RequestContext } from '../../../src/registry/types.js';

interface Case {
  name: string;
  crd: KubeObject;
  message?: string;
  object?: { spec: unknown; status: unknown };
}

const cases = JSON.parse(readFileSync(new URL('./crd-validation.cases.json', import.meta.url), 'utf8')) as Case[];

function ctx(): RequestContext {
  return { cluster: 'root' as RequestContext['cluster'], namespace: '', user: { username: 'admin', groups: ['system:masters'] }, now: new Date('2026-01-02T03:04:05Z'), warnings: [] };
}

/** The create path: the stored object, or the Invalid message. */
function create(body: KubeObject, c = ctx()): { obj?: KubeObject; message?: string } {
  try {
    const obj = prepareCreate(c, crds, body);
    validateCreate(c, crds, obj);
    return { obj };
  } catch (e) {
    if (isStatusError(e)) return { message: e.status.message };
    throw e;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function update(old: KubeObject, mutate: (o: Loose) => void, subresource = '', c = ctx()): { obj?: Loose; message?: string } {
  const next = structuredClone(old);
  mutate(next);
  try {
    const obj = prepareUpdate(c, crds, old.metadata.name!, old, Number(old.metadata.resourceVersion), next);
    validateUpdate(c, crds, obj, old, subresource);
    return { obj };
  } catch (e) {
    if (isStatusError(e)) return { message: e.status.message };
    throw e;
  }
}

describe('CustomResourceDefinition create (answers of kube-apiserver v1.34)', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const r = create(structuredClone(tc.crd));
      if (tc.message !== undefined) expect(r.message).toBe(tc.message);
      else {
        expect(r.message).toBeUndefined();
        // key order too: kube's encoder writes Go's field order
        expect(JSON.stringify({ spec: r.obj!.spec, status: r.obj!.status })).toBe(JSON.stringify(tc.object));
      }
    });
  }

  it('sets generation 1 and clears the status but for the storage version', () => {
    const body = structuredClone(cases.find((c) => c.object)!.crd);
    body.metadata.generation = 7;
    body.status = { storedVersions: ['v0'], acceptedNames: { plural: 'x', kind: 'X' }, conditions: [{ type: 'Established', status: 'True' }] };
    const { obj } = create(body);
    expect(obj!.metadata.generation).toBe(1);
    expect(obj!.status).toEqual({ conditions: null, acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
  });

  it('applies the <plural>.<group> rule to generateName too, as kube\'s name validator does', () => {
    const body: Loose = structuredClone(cases.find((c) => c.object)!.crd);
    body.metadata = { generateName: `${body.metadata.name}-` };
    const { message } = create(body);
    const name = /"([^"]+)" is invalid/.exec(message!)![1]!;
    expect(name).toMatch(new RegExp(`^${body.metadata.generateName.replace(/\./g, '\\.')}[a-z0-9]{5}$`));
    // kube-apiserver v1.34's answer, with its generated name
    expect(message).toBe(`CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: [metadata.generateName: Invalid value: "${body.metadata.generateName}": must be spec.names.plural+"."+spec.group, metadata.name: Invalid value: "${name}": must be spec.names.plural+"."+spec.group]`);
  });

  it('warns of unrecognized string formats', () => {
    const c = ctx();
    create({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'warns.example.com' },
      spec: {
        group: 'example.com', scope: 'Cluster', names: { plural: 'warns', kind: 'Warn' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
          a: { type: 'string', format: 'foo' }, b: { type: 'string', format: 'int32' }, c: { type: 'integer', format: 'bar' },
          d: { type: 'string', format: 'date-time' }, e: { type: 'string', format: 'k8s-short-name' },
        } } } }],
      },
    }, c);
    // kube's order follows Go's map iteration: compare as sets
    expect(new Set(c.warnings)).toEqual(new Set(['unrecognized format "int32"', 'unrecognized format "k8s-short-name"', 'unrecognized format "foo"']));
  });
});

const BASE: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'bases.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'bases', kind: 'Base' },
    conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://conv.example.com/x' } } },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } }, subresources: { status: {} } }],
  },
};

/** BASE as stored once the CRD controllers have accepted its names and established it. */
function established(): Loose {
  const { obj } = create(structuredClone(BASE));
  obj!.metadata.resourceVersion = '5';
  obj!.status = {
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    acceptedNames: { plural: 'bases', singular: 'base', kind: 'Base', listKind: 'BaseList' },
    storedVersions: ['v1'],
  };
  return obj!;
}

const INVALID = 'CustomResourceDefinition.apiextensions.k8s.io "bases.example.com" is invalid: ';

describe('CustomResourceDefinition update (answers of kube-apiserver v1.34)', () => {
  it('refuses changes of scope and kind once established, and of group and plural always', () => {
    const r = update(established(), (o) => {
      o.spec.scope = 'Cluster';
      o.spec.names.kind = 'Other';
      o.spec.names.plural = 'others';
      o.spec.group = 'other.com';
    });
    expect(r.message).toBe(`${INVALID}[spec.scope: Invalid value: "Cluster": field is immutable, spec.names.kind: Invalid value: "Other": field is immutable, spec.group: Invalid value: "other.com": field is immutable, spec.names.plural: Invalid value: "others": field is immutable]`);
  });

  it('allows scope and kind changes while not established', () => {
    const old = established();
    old.status.conditions = null;
    const r = update(old, (o) => {
      o.spec.scope = 'Cluster';
      o.spec.names.kind = 'Other';
    });
    expect(r.message).toBeUndefined();
  });

  it('keeps a previously stored version in spec.versions', () => {
    const r = update(established(), (o) => {
      o.spec.versions[0].name = 'v2';
    });
    expect(r.message).toBe(`${INVALID}status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions`);
  });

  it('bumps generation on spec changes only, and ignores status', () => {
    const old = established();
    const r = update(old, (o) => {
      o.spec.versions[0].served = false;
      o.status.storedVersions = ['x'];
    });
    expect(r.obj!.metadata.generation).toBe(2);
    expect(r.obj!.status).toEqual(old.status);
    const same = update(old, (o) => {
      o.metadata.labels = { a: 'b' };
    });
    expect(same.obj!.metadata.generation).toBe(1);
  });

  it('records a new storage version in storedVersions', () => {
    const r = update(established(), (o) => {
      o.spec.versions[0].storage = false;
      o.spec.versions.push({ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } });
    });
    expect(r.message).toBeUndefined();
    expect(r.obj!.status.storedVersions).toEqual(['v1', 'v2']);
  });

  it('checks the caBundle once established', () => {
    const r = update(established(), (o) => {
      o.spec.conversion.webhook.clientConfig.caBundle = 'Zm9v';
    });
    expect(r.message).toBe(`${INVALID}spec.conversion.webhookClientConfig.caBundle: Invalid value: "Zm9v": unable to load root certificates: unable to parse bytes as PEM block`);
  });

  it('accepts a caBundle with a PEM certificate once established', () => {
    const ca = issueCertificate({ subject: { commonName: 'conversion-ca' }, isCA: true });
    const r = update(established(), (o) => {
      o.spec.conversion.webhook.clientConfig.caBundle = Buffer.from(ca.certPem).toString('base64');
    });
    expect(r.message).toBeUndefined();
    // garbage after the certificate is fine too (x509.CertPool takes what it can parse)
    const garbage = update(established(), (o) => {
      o.spec.conversion.webhook.clientConfig.caBundle = Buffer.from(`${ca.certPem}\nnot pem`).toString('base64');
    });
    expect(garbage.message).toBeUndefined();
  });

  it('requires a known ConversionReview version when the stored CRD has one', () => {
    const r = update(established(), (o) => {
      o.spec.conversion.webhook.conversionReviewVersions = ['v9'];
    });
    expect(r.message).toBe(`${INVALID}spec.conversion.conversionReviewVersions: Invalid value: ["v9"]: must include at least one of v1, v1beta1`);
  });

  it('does not enforce schema rules the stored CRD already breaks (ratchets)', () => {
    // refused on create ...
    const body: Loose = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "foos.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "foos", "kind": "Foo"}, "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": {"s": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}, "t": {"type": "fancy"}}}}}]}};
    expect(create(structuredClone(body)).message).toBe("CustomResourceDefinition.apiextensions.k8s.io \"foos.example.com\" is invalid: [spec.validation.openAPIV3Schema.properties[s].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set, spec.validation.openAPIV3Schema.properties[t].type: Unsupported value: \"fancy\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"]");
    // ... but a CRD stored that way (by an older server) stays updatable
    const old: Loose = create(structuredClone({ ...body, spec: { ...body.spec, versions: [{ ...body.spec.versions[0], schema: { openAPIV3Schema: { type: 'object' } } }] } })).obj;
    old.metadata.resourceVersion = '5';
    old.spec.versions[0].schema = structuredClone(body.spec.versions[0].schema);
    const r = update(old, (o) => {
      o.spec.versions[0].additionalPrinterColumns = [{ name: 'A', type: 'string', jsonPath: '.s' }];
    });
    expect(r.message).toBeUndefined();
    expect(r.obj.metadata.generation).toBe(2);
  });

  it('does not require pruned defaults of a CRD stored with unpruned ones', () => {
    const body: Loose = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "foos.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "foos", "kind": "Foo"}, "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": {"a": {"type": "object", "default": {"x": 1}, "properties": {"y": {"type": "integer"}}}}}}}]}};
    expect(create(structuredClone(body)).message).toBe("CustomResourceDefinition.apiextensions.k8s.io \"foos.example.com\" is invalid: spec.validation.openAPIV3Schema.properties[a].default: Invalid value: {\"x\":1}: must not have unknown fields");
    const old: Loose = create(structuredClone({ ...body, spec: { ...body.spec, versions: [{ ...body.spec.versions[0], schema: { openAPIV3Schema: { type: 'object' } } }] } })).obj;
    old.metadata.resourceVersion = '5';
    old.spec.versions[0].schema = structuredClone(body.spec.versions[0].schema);
    expect(update(old, (o) => {
      o.spec.names.shortNames = ['fo'];
    }).message).toBeUndefined();
  });

  it('does not repeat the <plural>.<group> name rule', () => {
    const r = update(established(), (o) => {
      o.spec.names.plural = 'others';
    });
    expect(r.message).toBe(`${INVALID}spec.names.plural: Invalid value: "others": field is immutable`);
  });
});

describe('CustomResourceDefinition status subresource', () => {
  it('keeps the spec, takes status and metadata (as kube does), defaults empty storedVersions', () => {
    const old = established();
    const r = update(old, (o) => {
      o.spec.scope = 'Cluster';
      o.metadata.labels = { a: 'b' };
      o.metadata.generation = 5;
      o.status.storedVersions = [];
    }, 'status');
    expect(r.message).toBeUndefined();
    expect(r.obj!.spec).toEqual(old.spec);
    expect(r.obj!.metadata.labels).toEqual({ a: 'b' });
    expect(r.obj!.metadata.generation).toBe(1);
    expect(r.obj!.status.storedVersions).toEqual(['v1']);
  });

  it('validates the accepted names', () => {
    const r = update(established(), (o) => {
      o.status.acceptedNames.plural = 'Bad_';
    }, 'status');
    expect(r.message).toBe(`${INVALID}status.acceptedNames.plural: Invalid value: "Bad_": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  });
});

describe('CustomResourceDefinition deletion', () => {
  it('is first marked: the cleanup finalizer and a Terminating condition', () => {
    const obj = established();
    crds.strategy.markForDeletion!(obj, new Date('2026-02-03T04:05:06.789Z'));
    expect(obj.metadata.finalizers).toEqual([CUSTOM_RESOURCE_CLEANUP_FINALIZER]);
    expect(Object.keys(obj.status.conditions[2])).toEqual(['type', 'status', 'lastTransitionTime', 'reason', 'message']);
    expect(obj.status.conditions[2]).toEqual({
      type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
      message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon', lastTransitionTime: '2026-02-03T04:05:06Z',
    });
  });
});

describe('CustomResourceDefinition resource', () => {
  it('is served as kube serves it', () => {
    expect({ ...crds, strategy: undefined }).toMatchObject({
      group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false,
      shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'],
      schemaName: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    });
    // kube's default table (Name, Created At)
    expect(crds.strategy.table).toBeUndefined();
  });
});
