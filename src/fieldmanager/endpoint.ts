// The field manager of a served resource or subresource: its schema (the built-in kind's OpenAPI
// definition, or the CRD version's), the fields the endpoint resets, and the kind's empty object.
// Built once per (resource type, subresource) and shared by every logical cluster.

import type { KubeObject } from '../apimachinery/object.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { resolveSchema } from '../openapi/definitions.js';
import { apiVersionOfType, type ResourceType } from '../registry/types.js';
import { FieldManager } from './fieldmanager.js';
import { FieldSet, fieldElement, type PathElement } from './fieldpath.js';
import { atomOf } from './schema.js';

const managers = new WeakMap<ResourceType, Map<string, FieldManager | null>>();

function paths(...ps: string[][]): FieldSet {
  return FieldSet.of(...ps.map((p) => p.map((f): PathElement => fieldElement(f))));
}

/** GetResetFields of kube's strategies: what each endpoint of a kind wipes before storing. */
function resetFields(type: ResourceType, subresource: string): FieldSet | undefined {
  const is = (group: string, resource: string) => type.group === group && type.resource === resource;
  const csr = is('certificates.k8s.io', 'certificatesigningrequests');
  switch (subresource) {
    // (a CSR's spec is immutable: its strategy resets spec and status)
    case '': return type.subresources.includes('status') ? (csr ? paths(['spec'], ['status']) : paths(['status'])) : undefined;
    case 'status':
      if (csr) return paths(['spec'], ['status', 'conditions']);
      // the status strategies of CRDs and ValidatingAdmissionPolicies reset metadata too
      if (is('apiextensions.k8s.io', 'customresourcedefinitions') || is('admissionregistration.k8s.io', 'validatingadmissionpolicies')) {
        return paths(['metadata'], ['spec']);
      }
      return paths(['spec']);
    case 'approval': return paths(['spec'], ['status', 'certificate']);
    case 'finalize': return paths(['status']);
    default: return undefined;
  }
}

/**
 * The empty object of a built-in kind as Go's typed New() renders it: struct fields that are not
 * pointers appear empty, scalars without omitempty with their zero value (kube-openapi marks both
 * with a zero default). A create is compared with it, so `spec` of a Service is not "added".
 */
function zeroOf(node: SchemaNode | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(node?.properties ?? {})) {
    const d = p.default;
    if (d === undefined) continue;
    if (typeof d === 'object' && d !== null && !Array.isArray(d) && Object.keys(d).length === 0) out[k] = zeroOf(p);
    else if (d === '' || d === 0 || d === false) out[k] = d;
  }
  return out;
}

/**
 * Fields of a kind's zero value that Go writes as null (pointers and slices without omitempty):
 * present in the empty object a create is compared with, so adding them is a change of a value,
 * not a new member (no "." entry).
 */
const NULL_IN_ZERO: Record<string, Record<string, Record<string, null>>> = {
  'io.k8s.api.authentication.v1.TokenRequest': { spec: { audiences: null, expirationSeconds: null, boundObjectRef: null } },
};

/** The field manager of a resource (or subresource) type; undefined where kube keeps no managedFields. */
export function fieldManagerFor(type: ResourceType, subresource = ''): FieldManager | undefined {
  let bySub = managers.get(type);
  if (!bySub) {
    bySub = new Map();
    managers.set(type, bySub);
  }
  let fm = bySub.get(subresource);
  if (fm === undefined) {
    fm = build(type, subresource);
    bySub.set(subresource, fm);
  }
  return fm ?? undefined;
}

function build(type: ResourceType, subresource: string): FieldManager | null {
  const custom = type.customResource;
  const schema = custom ? custom.fieldSchema : resolveSchema(type.schemaName);
  const apiVersion = apiVersionOfType(type);
  let zero: Record<string, unknown> | undefined;
  return new FieldManager({
    apiVersion,
    kind: type.kind,
    subresource,
    atom: atomOf(schema),
    resetFields: resetFields(type, subresource),
    zero: () => {
      // a custom resource's New() is an empty unstructured object of its kind
      if (custom) return { apiVersion, kind: type.kind, metadata: {} } as KubeObject;
      if (!zero) {
        zero = zeroOf(schema);
        for (const [field, nulls] of Object.entries(NULL_IN_ZERO[type.schemaName] ?? {})) {
          zero[field] = { ...(zero[field] as object | undefined), ...nulls };
        }
      }
      return structuredClone(zero) as KubeObject;
    },
  });
}
