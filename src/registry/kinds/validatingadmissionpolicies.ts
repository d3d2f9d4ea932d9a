// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (pkg/registry/admissionregistration/
// validatingadmissionpolicy, ValidateValidatingAdmissionPolicy). The spec's CEL expressions are
// compiled when validated; status (observedGeneration, typeChecking) is the type checker's, written
// through the status subresource by src/admission/validating-policy/status-controller.ts.

import { field, type FieldError } from '../../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { policyVars } from '../../admission/policy/cel.js';
import type { ResourceType, StatusStrategy } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  ADMISSION_GROUP, ADMISSION_VERBS, bumpGenerationOnSpecChange, defaultPolicySpec, matchConditionsUnchanged, policyTable, shapeList,
  shapeMatchResources, shapeParamKind, validateAuditAnnotations, validatePolicySpecCommon, validateValidation,
} from './_admissionregistration.js';
import { arrAt, child, ensureObj, index, isObj, objAt, omitEmpty, orderKeys, strAt } from './_util.js';

/** validateValidatingAdmissionPolicySpec. */
export function validatePolicySpec(p: KubeObject, ignoreMatchConditions = false): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(p.spec) ? p.spec : {};
  const { hasParams, variables } = validatePolicySpecCommon(spec, ignoreMatchConditions, errs);
  // every expression sees the authorizer but messageExpression (kube's validation environments)
  const vars = policyVars({ hasParams, variables, hasAuthorizer: true });
  const messageVars = policyVars({ hasParams, variables });
  const validations = arrAt(spec, 'validations') ?? [];
  const audits = arrAt(spec, 'auditAnnotations') ?? [];
  if (validations.length === 0 && audits.length === 0) {
    errs.push(field.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(field.required('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
  } else {
    validations.forEach((v, i) => errs.push(...validateValidation(v, vars, messageVars, index('spec.validations', i))));
    errs.push(...validateAuditAnnotations(arrAt(spec, 'auditAnnotations'), p, vars, 'spec.auditAnnotations'));
  }
  return errs;
}

const validatePolicy = (p: KubeObject, ignoreMatchConditions = false): FieldError[] =>
  coreObjectMetaErrors(p).concat(validatePolicySpec(p, ignoreMatchConditions));

/** validateValidatingAdmissionPolicyStatus. */
function validateStatus(p: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const warnings = arrAt(objAt(p.status, 'typeChecking'), 'expressionWarnings') ?? [];
  warnings.forEach((w, i) => {
    const path = index('status.typeChecking.expressionWarnings', i);
    if (!strAt(w, 'warning')) errs.push(field.required(child(path, 'warning')));
    if (!strAt(w, 'fieldRef').trim()) errs.push(field.required(child(path, 'fieldRef')));
  });
  return errs;
}

export function shapePolicySpec(spec: Record<string, unknown>): void {
  shapeParamKind(spec);
  shapeMatchResources(spec.matchConstraints);
  shapeList(spec.validations, ['expression', 'message', 'reason', 'messageExpression'], ['message', 'reason', 'messageExpression']);
  shapeList(spec.auditAnnotations, ['key', 'valueExpression'], []);
  shapeList(spec.matchConditions, ['name', 'expression'], []);
  shapeList(spec.variables, ['name', 'expression'], []);
  omitEmpty(spec, 'validations', 'auditAnnotations', 'matchConditions', 'variables');
}

export function shapeStatus(p: KubeObject): void {
  const status = ensureObj(p, 'status');
  // a nil *TypeChecking (what structured merge leaves once the warnings went) is omitted
  if (status.typeChecking === null) delete status.typeChecking;
  const tc = objAt(status, 'typeChecking');
  if (tc) {
    shapeList(tc.expressionWarnings, ['fieldRef', 'warning'], []);
    omitEmpty(tc, 'expressionWarnings');
  }
  omitEmpty(status, 'observedGeneration', 'conditions');
  orderKeys(status, ['observedGeneration', 'typeChecking', 'conditions']);
}

function shape(p: KubeObject): void {
  const spec = ensureObj(p, 'spec');
  shapePolicySpec(spec);
  orderKeys(spec, ['paramKind', 'matchConstraints', 'validations', 'failurePolicy', 'auditAnnotations', 'matchConditions', 'variables']);
  shapeStatus(p);
  orderKeys(p, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

const statusStrategy: StatusStrategy = {
  prepareForUpdate(p, old) {
    p.spec = deepCopy(old.spec);
  },
  validateUpdate: (p) => validateStatus(p),
};

export const validatingadmissionpolicies: ResourceType = {
  group: ADMISSION_GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicies',
  kind: 'ValidatingAdmissionPolicy',
  listKind: 'ValidatingAdmissionPolicyList',
  singularName: 'validatingadmissionpolicy',
  shortNames: [],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: [...ADMISSION_VERBS],
  subresources: ['status'],
  storage: { group: ADMISSION_GROUP, resource: 'validatingadmissionpolicies', apiVersion: `${ADMISSION_GROUP}/v1`, kind: 'ValidatingAdmissionPolicy' },
  schemaName: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy',
  // compiling the expressions costs more than decoding
  writeOffLoopBytes: 16 * 1024,
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(p) {
      defaultPolicySpec(p);
      shape(p);
    },
    prepareForCreate(p) {
      p.status = {};
      p.metadata.generation = 1;
    },
    validate: (p) => validatePolicy(p),
    canonicalize: shape,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate(p, old) {
      p.status = old.status === undefined ? {} : deepCopy(old.status);
      bumpGenerationOnSpecChange(p, old);
    },
    validateUpdate: (p, old) => validatePolicy(p, matchConditionsUnchanged(p, old)),
    status: statusStrategy,
    table: policyTable('Validations', 'Validations indicates the number of validation rules defined in this configuration', 'validations'),
  },
};
