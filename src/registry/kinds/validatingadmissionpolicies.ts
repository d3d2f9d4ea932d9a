// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (pkg/registry/admissionregistration/
// validatingadmissionpolicy, ValidateValidatingAdmissionPolicy). The spec's CEL expressions are
// compiled when validated; status (observedGeneration, typeChecking) is the type checker's, written
// through the status subresource by src/admission/validating-policy/status-controller.ts.

import { field, type FieldError } from '../../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { policyVars } from '../../admission/policy/cel.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType, StatusStrategy } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  ADMISSION_GROUP, ADMISSION_VERBS, defaultMatchResources, FAILURE_POLICIES, shapeList, shapeMatchResources,
  validateAuditAnnotations, validateMatchConditions, validateMatchResources, validateParamKind, validateValidation, validateVariables,
} from './_admissionregistration.js';
import { arrAt, child, ensureObj, index, isObj, jsonEqual, lenOf, objAt, omitEmpty, orderKeys, semanticEqual, strAt } from './_util.js';

/** validateValidatingAdmissionPolicySpec. */
export function validatePolicySpec(p: KubeObject, ignoreMatchConditions = false): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(p.spec) ? p.spec : {};
  const fp = spec.failurePolicy;
  if (fp === undefined || fp === null) errs.push(field.required('spec.failurePolicy'));
  else if (!FAILURE_POLICIES.includes(String(fp))) errs.push(field.notSupported('spec.failurePolicy', fp, FAILURE_POLICIES));
  const hasParams = isObj(spec.paramKind);
  if (hasParams) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!isObj(spec.matchConstraints)) errs.push(field.required('spec.matchConstraints'));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    // at least one resourceRule gives the expressions their types
    if (lenOf(spec.matchConstraints.resourceRules) === 0) errs.push(field.required('spec.matchConstraints.resourceRules'));
  }
  if (!ignoreMatchConditions) errs.push(...validateMatchConditions(arrAt(spec, 'matchConditions'), hasParams, 'spec.matchConditions'));
  const variables = validateVariables(arrAt(spec, 'variables'), hasParams, 'spec.variables', errs);
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
  if (isObj(spec.paramKind)) {
    omitEmpty(spec.paramKind, 'apiVersion', 'kind');
    orderKeys(spec.paramKind, ['apiVersion', 'kind']);
  }
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

/** ignoreValidatingAdmissionPolicyMatchConditions: unchanged paramKind and matchConditions are not checked again. */
export function matchConditionsUnchanged(p: KubeObject, old: KubeObject): boolean {
  return semanticEqual(objAt(p.spec, 'paramKind'), objAt(old.spec, 'paramKind'))
    && semanticEqual(arrAt(p.spec, 'matchConditions'), arrAt(old.spec, 'matchConditions'));
}

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
      const spec = ensureObj(p, 'spec');
      if (spec.failurePolicy === undefined || spec.failurePolicy === null) spec.failurePolicy = 'Fail';
      defaultMatchResources(spec.matchConstraints);
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
      const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
      if (!jsonEqual(p.spec, old.spec)) p.metadata.generation = oldGen + 1;
    },
    validateUpdate: (p, old) => validatePolicy(p, matchConditionsUnchanged(p, old)),
    status: statusStrategy,
    table: {
      columns: [
        nameColumn(),
        column('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
        column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
        ageColumn(),
      ],
      cells(p, now) {
        const pk = objAt(p.spec, 'paramKind');
        return [
          p.metadata.name ?? '', lenOf(arrAt(p.spec, 'validations')),
          pk ? `${strAt(pk, 'apiVersion')}/${strAt(pk, 'kind')}` : '<unset>',
          translateTimestampSince(p.metadata.creationTimestamp, now),
        ];
      },
    },
  },
};
