// Resources that are never stored, as kube-apiserver serves a rest.Creater without a store (the
// review APIs: SelfSubjectAccessReview, TokenReview, ...): POST on the collection computes an answer
// from the body and the request, nothing is written, and every other verb is 405. Discovery lists
// them with the verb create only and no storage version hash; OpenAPI publishes the one operation.
// A kind file describes one with createOnlyResource and registers it in builtin.ts like any kind.

import type { CreateOnlyHandler, ResourceType, Strategy } from './types.js';

export interface CreateOnlySpec {
  group: string;
  version: string;
  /** Plural resource name; the singular name and schema name follow from kind. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** OpenAPI definition package, e.g. "io.k8s.api.authorization.v1". */
  schemaPackage: string;
  create: CreateOnlyHandler['create'];
}

/** Nothing is stored: the generic store's hooks are never reached. */
const NOTHING_STORED: Strategy = {
  validateName: () => [],
  validate: () => [],
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: false,
  validateUpdate: () => [],
};

export function createOnlyResource(spec: CreateOnlySpec): ResourceType {
  const apiVersion = spec.group ? `${spec.group}/${spec.version}` : spec.version;
  return {
    group: spec.group,
    version: spec.version,
    resource: spec.resource,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    singularName: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: spec.namespaced,
    verbs: ['create'],
    subresources: [],
    storage: { group: spec.group, resource: spec.resource, apiVersion, kind: spec.kind },
    schemaName: `${spec.schemaPackage}.${spec.kind}`,
    strategy: NOTHING_STORED,
    createOnly: { create: spec.create },
  };
}
