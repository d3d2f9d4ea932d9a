// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding (pkg/registry/admissionregistration/
// validatingadmissionpolicybinding, ValidateValidatingAdmissionPolicyBinding).

import type { FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { ADMISSION_GROUP, ADMISSION_VERBS, bindingStrategy, validateBindingSpec, validateValidationActions } from './_admissionregistration.js';

function validate(b: KubeObject): FieldError[] {
  return coreObjectMetaErrors(b).concat(validateBindingSpec(b))
    .concat(validateValidationActions((b.spec as Record<string, unknown> | undefined)?.validationActions, 'spec.validationActions'));
}

export const validatingadmissionpolicybindings: ResourceType = {
  group: ADMISSION_GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicybindings',
  kind: 'ValidatingAdmissionPolicyBinding',
  listKind: 'ValidatingAdmissionPolicyBindingList',
  singularName: 'validatingadmissionpolicybinding',
  shortNames: [],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: [...ADMISSION_VERBS],
  subresources: [],
  storage: { group: ADMISSION_GROUP, resource: 'validatingadmissionpolicybindings', apiVersion: `${ADMISSION_GROUP}/v1`, kind: 'ValidatingAdmissionPolicyBinding' },
  schemaName: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
  strategy: bindingStrategy(['policyName', 'paramRef', 'matchResources', 'validationActions'], validate),
};
