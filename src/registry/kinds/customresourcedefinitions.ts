// apiextensions.k8s.io/v1 CustomResourceDefinition (apiextensions-apiserver pkg/registry/
// customresourcedefinition): cluster-scoped, short names crd/crds, category api-extensions, kube's
// default Name/Created At table. Status is a subresource: cleared on create (but for the storage
// version in storedVersions), kept from the stored object on main-resource updates, which bump
// generation only when the spec changes. kube's status strategy keeps only the spec (its metadata
// reset is a no-op: it resets the new object's metadata from itself), so a status write may change
// labels and annotations; so may ours. The first DELETE only marks the CRD (finalizer
// customresourcecleanup.apiextensions.k8s.io, Terminating condition); a controller deletes its
// custom resources and then the CRD.

import type { KubeObject } from '../../apimachinery/object.js';
import { deepCopy, formatTime } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { setDefaultsCustomResourceDefinition } from '../../apiextensions/defaults.js';
import { formatChecker } from '../../apiextensions/schema/formats.js';
import { shapeCustomResourceDefinition, shapeStatus } from '../../apiextensions/shape.js';
import { APIEXTENSIONS_GROUP } from '../../apiextensions/types.js';
import {
  crdNameMessages, validateCustomResourceDefinition, validateCustomResourceDefinitionStatus, validateCustomResourceDefinitionUpdate,
} from '../../apiextensions/validation.js';
import { schemaHas } from '../../apiextensions/validation-schema.js';
import type { ResourceType, StatusStrategy } from '../types.js';
import { isObj, jsonEqual, orderKeys, type Obj } from './_util.js';

/** The finalizer a deleted CRD waits on while its custom resources are deleted. */
export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const specOf = (crd: KubeObject): Obj => (isObj(crd.spec) ? crd.spec : {});

/** Appends the storage version to status.storedVersions unless it is there (PrepareForCreate/Update). */
function recordStorageVersion(crd: KubeObject): void {
  const versions = Array.isArray(specOf(crd).versions) ? specOf(crd).versions as unknown[] : [];
  const storage = versions.find((v) => isObj(v) && v.storage === true) as Obj | undefined;
  if (!storage) return;
  const status: Obj = isObj(crd.status) ? crd.status : (crd.status = {});
  const stored = Array.isArray(status.storedVersions) ? status.storedVersions : [];
  if (!stored.includes(storage.name)) status.storedVersions = [...stored, storage.name];
}

/** The string formats of the CRD's schemas kube does not know ("unrecognized format" warnings). */
function unrecognizedFormats(crd: KubeObject): string[] {
  const out: string[] = [];
  const versions = Array.isArray(specOf(crd).versions) ? specOf(crd).versions as unknown[] : [];
  for (const v of versions) {
    const schema = isObj(v) && isObj(v.schema) && isObj(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    if (!schema) continue;
    schemaHas(schema, (s) => {
      if (typeof s.format === 'string' && s.format && s.type === 'string' && !formatChecker(s.format)) out.push(s.format);
      return false;
    });
  }
  return out;
}

/** apiextensions SetCRDCondition: a changed status moves lastTransitionTime. */
function setCondition(crd: KubeObject, cond: { type: string; status: string; reason: string; message: string }, now: Date): void {
  const status: Obj = isObj(crd.status) ? crd.status : (crd.status = {});
  const conds = Array.isArray(status.conditions) ? status.conditions as Obj[] : [];
  const existing = conds.find((c) => isObj(c) && c.type === cond.type);
  const time = formatTime(now);
  if (!existing) {
    status.conditions = [...conds, { ...cond, lastTransitionTime: time }];
    return;
  }
  if (existing.status !== cond.status || !existing.lastTransitionTime) existing.lastTransitionTime = time;
  existing.status = cond.status;
  existing.reason = cond.reason;
  existing.message = cond.message;
  status.conditions = conds;
}

/** The status subresource: only status (and, as in kube, metadata) changes; the spec is the stored one. */
export const crdStatusStrategy: StatusStrategy = {
  prepareForUpdate(crd, old) {
    crd.spec = deepCopy(old.spec);
  },
  validateUpdate: (crd) => validateCustomResourceDefinitionStatus(crd),
};

export const customresourcedefinitions: ResourceType = {
  group: APIEXTENSIONS_GROUP,
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  singularName: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  storage: {
    group: APIEXTENSIONS_GROUP, resource: 'customresourcedefinitions', apiVersion: `${APIEXTENSIONS_GROUP}/v1`, kind: 'CustomResourceDefinition',
  },
  schemaName: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  // validating a schema (and compiling its CEL rules) is costly: larger CRDs are written by a worker
  writeOffLoopBytes: 16 * 1024,
  // apiextensions-apiserver stores CRDs as v1beta1: discovery's storageVersionHash says so
  kubeStorageVersion: 'apiextensions.k8s.io/v1beta1',
  strategy: {
    // kube's CRD name validator: a DNS subdomain, and on create <plural>.<group>
    validateName: (name, prefix, crd) => [...nameIsDNSSubdomain(name, prefix), ...(crd ? crdNameMessages(crd, name) : [])],
    applyDefaults(crd) {
      setDefaultsCustomResourceDefinition(crd);
      shapeCustomResourceDefinition(crd);
    },
    prepareForCreate(crd) {
      crd.status = {};
      crd.metadata.generation = 1;
      recordStorageVersion(crd);
      shapeStatus(crd);
    },
    validate: (crd) => validateCustomResourceDefinition(crd),
    warningsOnCreate: (crd) => unrecognizedFormats(crd).map((f) => `unrecognized format "${f}"`),
    // the spec was shaped when decoded (applyDefaults); the strategy only rewrote the status
    canonicalize(crd) {
      shapeStatus(crd);
      orderKeys(crd, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate(crd, old) {
      crd.status = old.status === undefined ? {} : deepCopy(old.status);
      const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
      // both sides are shaped: JSON equality is kube's apiequality.Semantic on the typed specs
      if (!jsonEqual(crd.spec, old.spec)) crd.metadata.generation = oldGen + 1;
      recordStorageVersion(crd);
      shapeStatus(crd);
    },
    validateUpdate: (crd, old) => validateCustomResourceDefinitionUpdate(crd, old),
    warningsOnUpdate(crd, old) {
      // only formats the update introduces (ratcheting)
      const before = new Set(unrecognizedFormats(old));
      return unrecognizedFormats(crd).filter((f) => !before.has(f)).map((f) => `unrecognized format "${f}"`);
    },
    status: crdStatusStrategy,
    markForDeletion(crd, now) {
      const fins = Array.isArray(crd.metadata.finalizers) ? crd.metadata.finalizers : [];
      if (!fins.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) crd.metadata.finalizers = [...fins, CUSTOM_RESOURCE_CLEANUP_FINALIZER];
      setCondition(crd, {
        type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      }, now);
      // (the registry writes this copy as it is: in kube's field order)
      shapeStatus(crd);
    },
  },
};
