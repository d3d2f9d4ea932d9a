// admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicyBinding (kube 1.34, beta:
// validateMutatingAdmissionPolicyBinding): the binding spec ValidatingAdmissionPolicyBindings
// share, without validation actions, its match resources limited to the operations a mutation
// may match.

import type { FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { ADMISSION_GROUP, ADMISSION_VERBS, bindingStrategy, validateBindingSpec } from './_admissionregistration.js';
import { validateMutatingOperations } from './mutatingadmissionpolicies.js';

function validate(b: KubeObject): FieldError[] {
  const spec = (b.spec ?? {}) as Record<string, unknown>;
  return coreObjectMetaErrors(b).concat(validateBindingSpec(b))
    .concat(spec.matchResources && typeof spec.matchResources === 'object' ? validateMutatingOperations(spec.matchResources, 'spec.matchResources') : []);
}

export const mutatingadmissionpolicybindings: ResourceType = {
  group: ADMISSION_GROUP,
  version: 'v1beta1',
  resource: 'mutatingadmissionpolicybindings',
  kind: 'MutatingAdmissionPolicyBinding',
  listKind: 'MutatingAdmissionPolicyBindingList',
  singularName: 'mutatingadmissionpolicybinding',
  shortNames: [],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: [...ADMISSION_VERBS],
  subresources: [],
  storage: { group: ADMISSION_GROUP, resource: 'mutatingadmissionpolicybindings', apiVersion: `${ADMISSION_GROUP}/v1beta1`, kind: 'MutatingAdmissionPolicyBinding' },
  schemaName: 'io.k8s.api.admissionregistration.v1beta1.MutatingAdmissionPolicyBinding',
  strategy: bindingStrategy(['policyName', 'paramRef', 'matchResources'], validate),
};
