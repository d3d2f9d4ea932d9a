// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding (pkg/registry/admissionregistration/
// validatingadmissionpolicybinding, ValidateValidatingAdmissionPolicyBinding).

import type { FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  ADMISSION_GROUP, ADMISSION_VERBS, defaultMatchResources, paramRefCell, shapeMatchResources, shapeParamRef,
  validateMatchResources, validateParamRef, validatePolicyName, validateValidationActions,
} from './_admissionregistration.js';
import { ensureObj, jsonEqual, omitEmpty, orderKeys, strAt } from './_util.js';

/** The spec parts both binding kinds share. */
export function validateBindingSpec(b: KubeObject): FieldError[] {
  return validatePolicyName(strAt(b.spec, 'policyName'), 'spec.policyName')
    .concat(validateParamRef((b.spec as Record<string, unknown> | undefined)?.paramRef, 'spec.paramRef'))
    .concat(validateMatchResources((b.spec as Record<string, unknown> | undefined)?.matchResources, 'spec.matchResources'));
}

function validate(b: KubeObject): FieldError[] {
  return coreObjectMetaErrors(b).concat(validateBindingSpec(b))
    .concat(validateValidationActions((b.spec as Record<string, unknown> | undefined)?.validationActions, 'spec.validationActions'));
}

export function shapeBindingSpec(b: KubeObject, order: string[]): void {
  const spec = ensureObj(b, 'spec');
  shapeParamRef(spec.paramRef);
  shapeMatchResources(spec.matchResources);
  omitEmpty(spec, 'policyName', 'validationActions');
  orderKeys(spec, order);
  orderKeys(b, ['kind', 'apiVersion', 'metadata', 'spec']);
}

export const bindingTable = {
  columns: [
    nameColumn(),
    column('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    column('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn(),
  ],
  cells: (b: KubeObject, now: Date): unknown[] =>
    [b.metadata.name ?? '', strAt(b.spec, 'policyName'), paramRefCell(b), translateTimestampSince(b.metadata.creationTimestamp, now)],
};

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
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(b) {
      defaultMatchResources(ensureObj(b, 'spec').matchResources);
      shapeBindingSpec(b, ['policyName', 'paramRef', 'matchResources', 'validationActions']);
    },
    prepareForCreate(b) {
      b.metadata.generation = 1;
    },
    validate,
    canonicalize: (b) => shapeBindingSpec(b, ['policyName', 'paramRef', 'matchResources', 'validationActions']),
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate(b, old) {
      const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
      if (!jsonEqual(b.spec, old.spec)) b.metadata.generation = oldGen + 1;
    },
    validateUpdate: (b) => validate(b),
    table: bindingTable,
  },
};
