// core/v1 Namespace (pkg/registry/core/namespace, pkg/apis/core/validation ValidateNamespace*).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { deepCopy } from '../../apimachinery/object.js';
import { nameIsDNSLabel } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType, StatusStrategy } from '../types.js';
import { coreObjectMetaErrors, validateFinalizerName } from './_core.js';
import { arrAt, child, ensureObj, index, isObj, objAt, omitEmpty, orderKeys, strAt } from './_util.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
export const LABEL_METADATA_NAME = 'kubernetes.io/metadata.name';
export const NAMESPACE_ACTIVE = 'Active';
export const NAMESPACE_TERMINATING = 'Terminating';

function validateNamespace(ns: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(ns);
  const path = child('spec', 'finalizers');
  for (const f of arrAt(ns.spec, 'finalizers') ?? []) {
    // kube reports every spec finalizer against "spec.finalizers" (no index) here.
    if (typeof f === 'string') errs.push(...validateFinalizerName(f, path));
  }
  return errs;
}

/** Namespace's wire shape: spec and status are structs (always present); empty lists are omitted. */
function shape(ns: KubeObject): void {
  const spec = ensureObj(ns, 'spec');
  omitEmpty(spec, 'finalizers');
  const status = ensureObj(ns, 'status');
  omitEmpty(status, 'phase', 'conditions');
  // NamespaceCondition.lastTransitionTime is a non-pointer metav1.Time: Go writes null when unset
  for (const c of arrAt(status, 'conditions') ?? []) {
    if (isObj(c) && c.lastTransitionTime === undefined) c.lastTransitionTime = null;
  }
  orderKeys(ns, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

function setNameLabel(ns: KubeObject): void {
  const name = ns.metadata?.name;
  if (!name) return;
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [LABEL_METADATA_NAME]: name };
}

/** The status subresource (namespaceStatusStrategy). */
export const namespaceStatusStrategy: StatusStrategy = {
  prepareForUpdate(obj, old) {
    obj.spec = deepCopy(old.spec);
  },
  validateUpdate(obj) {
    const phase = strAt(obj.status, 'phase');
    const path = 'status.Phase';
    if (!obj.metadata?.deletionTimestamp) {
      if (phase !== NAMESPACE_ACTIVE) return [field.invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty")];
    } else if (phase !== NAMESPACE_TERMINATING) {
      return [field.invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
    }
    return [];
  },
};

/**
 * The finalize subresource (PUT /api/v1/namespaces/{name}/finalize, namespaceFinalizeStrategy): it
 * may change spec.finalizers; status is kept. Not part of the Strategy contract: the store looks it
 * up through `subresourceStrategies` of this module.
 */
export const namespaceFinalizeStrategy: StatusStrategy = {
  prepareForUpdate(obj, old) {
    obj.status = deepCopy(old.status);
  },
  validateUpdate(obj) {
    const errs: FieldError[] = [];
    const path = child('spec', 'finalizers');
    (arrAt(obj.spec, 'finalizers') ?? []).forEach((f, i) => {
      if (typeof f === 'string') errs.push(...validateFinalizerName(f, index(path, i)));
    });
    return errs;
  },
};

/** Strategies of the subresources, by name. */
export const subresourceStrategies: Record<string, StatusStrategy> = {
  status: namespaceStatusStrategy,
  finalize: namespaceFinalizeStrategy,
};

export const namespaces: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  singularName: 'namespace',
  shortNames: ['ns'],
  categories: [],
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['finalize', 'status'],
  storage: { group: '', resource: 'namespaces', apiVersion: 'v1', kind: 'Namespace' },
  schemaName: 'io.k8s.api.core.v1.Namespace',
  strategy: {
    validateName: nameIsDNSLabel,
    applyDefaults(ns) {
      // SetDefaults_Namespace + SetDefaults_NamespaceStatus
      setNameLabel(ns);
      if (isObj(ns.status) && !strAt(ns.status, 'phase')) ns.status.phase = NAMESPACE_ACTIVE;
      if (ns.status === undefined || ns.status === null) ns.status = { phase: NAMESPACE_ACTIVE };
    },
    prepareForCreate(ns) {
      ns.status = { phase: NAMESPACE_ACTIVE };
      const spec = ensureObj(ns, 'spec');
      const fins = (arrAt(spec, 'finalizers') ?? []).slice();
      if (!fins.includes(FINALIZER_KUBERNETES)) fins.push(FINALIZER_KUBERNETES);
      spec.finalizers = fins;
    },
    validate: validateNamespace,
    canonicalize(ns) {
      setNameLabel(ns);
      shape(ns);
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    prepareForUpdate(ns, old) {
      const spec = ensureObj(ns, 'spec');
      const oldFins = objAt(old, 'spec')?.finalizers;
      if (oldFins === undefined) delete spec.finalizers;
      else spec.finalizers = deepCopy(oldFins);
      ns.status = deepCopy(old.status);
    },
    validateUpdate(ns) {
      return validateNamespace(ns);
    },
    status: namespaceStatusStrategy,
    finalize: namespaceFinalizeStrategy,
    returnDeletedObject: true,
    selectableFields(ns) {
      return { 'status.phase': strAt(ns.status, 'phase') };
    },
    table: {
      columns: [
        nameColumn(),
        column('Status', 'string', 'The status of the namespace'),
        ageColumn(),
      ],
      cells(ns, now) {
        return [ns.metadata.name ?? '', strAt(ns.status, 'phase'), translateTimestampSince(ns.metadata.creationTimestamp, now)];
      },
    },
  },
};
