// admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicy (kube 1.34, beta:
// pkg/registry/admissionregistration/mutatingadmissionpolicy, validateMutatingAdmissionPolicy):
// kube's defaults (failurePolicy Fail, match resources), validation (match constraints limited
// to CREATE/UPDATE/CONNECT, match conditions, variables, mutations of patchType
// ApplyConfiguration or JSONPatch whose CEL expressions return Object / list(JSONPatch),
// reinvocationPolicy), generation, and the table. It has no status.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { APPLY_CONFIGURATION_TYPE, JSON_PATCH_LIST_TYPE, policyVars } from '../../admission/policy/cel.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  ADMISSION_GROUP, ADMISSION_VERBS, bumpGenerationOnSpecChange, celErrors, defaultPolicySpec, matchConditionsUnchanged, policyTable,
  shapeList, shapeMatchResources, shapeParamKind, validatePolicySpecCommon,
} from './_admissionregistration.js';
import { arrAt, child, ensureObj, index, isObj, objAt, omitEmpty, orderKeys, strAt, type Obj } from './_util.js';

/** supportedMutatingOperations (sorted, as sets.String lists them). */
export const MUTATING_OPERATIONS = ['*', 'CONNECT', 'CREATE', 'UPDATE'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
const PATCH_TYPES = ['ApplyConfiguration', 'JSONPatch'];

/** Only writes with a body may be mutated: each rule's operations. */
export function validateMutatingOperations(m: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const r of arrAt(m, 'resourceRules') ?? []) {
    for (const op of (isObj(r) && Array.isArray(r.operations) ? r.operations : [])) {
      if (!MUTATING_OPERATIONS.includes(String(op))) errs.push(field.notSupported(child(path, 'resourceRules.operations'), op, MUTATING_OPERATIONS));
    }
  }
  return errs;
}

/** validateMutation: the patch type and its expression. */
function validateMutation(m: unknown, vars: ReadonlyMap<string, import('../../apiextensions/cel/types.js').CelT>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const patchType = strAt(m, 'patchType');
  const ac = isObj(m) ? m.applyConfiguration : undefined;
  const jp = isObj(m) ? m.jsonPatch : undefined;
  const expression = (o: unknown, p: string, want: typeof APPLY_CONFIGURATION_TYPE) => {
    const expr = strAt(o, 'expression').trim();
    if (!expr) return [field.required(child(p, 'expression'))];
    return celErrors(child(p, 'expression'), expr, vars, want, { patchTypes: true });
  };
  const set = (v: unknown) => v !== undefined && v !== null;
  if (!patchType) errs.push(field.required(child(path, 'patchType')));
  else if (patchType === 'JSONPatch') {
    if (!set(jp)) errs.push(field.required(child(path, 'jsonPatch'), 'must be specified when patchType is JSONPatch'));
    else errs.push(...expression(jp, child(path, 'jsonPatch'), JSON_PATCH_LIST_TYPE));
    if (set(ac)) errs.push(field.invalid(child(path, 'applyConfiguration'), '{applyConfiguration}', 'must not be specified when patchType is JSONPatch'));
  } else if (patchType === 'ApplyConfiguration') {
    if (!set(ac)) errs.push(field.required(child(path, 'applyConfiguration'), 'must be specified when patchType is ApplyConfiguration'));
    else errs.push(...expression(ac, child(path, 'applyConfiguration'), APPLY_CONFIGURATION_TYPE));
    if (set(jp)) errs.push(field.invalid(child(path, 'jsonPatch'), '{jsonPatch}', 'must not be specified when patchType is ApplyConfiguration'));
  } else {
    errs.push(field.notSupported(child(path, 'patchType'), patchType, PATCH_TYPES));
  }
  return errs;
}

/** validateMutatingAdmissionPolicySpec. */
function validateSpec(p: KubeObject, ignoreMatchConditions: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(p.spec) ? p.spec : {};
  // the match constraints may name only the operations a mutation can act on
  const { hasParams, variables } = validatePolicySpecCommon(spec, ignoreMatchConditions, errs,
    (m) => validateMutatingOperations(m, 'spec.matchConstraints'));
  const mutations = arrAt(spec, 'mutations') ?? [];
  if (mutations.length === 0) errs.push(field.required('spec.mutations', 'mutations must contain at least one item'));
  else {
    const vars = policyVars({ hasParams, variables, hasAuthorizer: true });
    mutations.forEach((m, i) => errs.push(...validateMutation(m, vars, index('spec.mutations', i))));
  }
  const rp = strAt(spec, 'reinvocationPolicy');
  if (!rp) errs.push(field.required('spec.reinvocationPolicy'));
  else if (!REINVOCATION_POLICIES.includes(rp)) errs.push(field.notSupported('spec.reinvocationPolicy', rp, REINVOCATION_POLICIES));
  return errs;
}

const validate = (p: KubeObject, ignoreMatchConditions = false): FieldError[] =>
  coreObjectMetaErrors(p).concat(validateSpec(p, ignoreMatchConditions));

function shape(p: KubeObject): void {
  const spec = ensureObj(p, 'spec');
  shapeParamKind(spec);
  shapeMatchResources(spec.matchConstraints);
  shapeList(spec.variables, ['name', 'expression'], []);
  for (const m of arrAt(spec, 'mutations') ?? []) {
    if (!isObj(m)) continue;
    for (const k of ['applyConfiguration', 'jsonPatch']) {
      const o = objAt(m, k);
      if (o) omitEmpty(o, 'expression');
    }
    orderKeys(m, ['patchType', 'applyConfiguration', 'jsonPatch']);
  }
  shapeList(spec.matchConditions, ['name', 'expression'], []);
  omitEmpty(spec, 'variables', 'mutations', 'matchConditions', 'reinvocationPolicy');
  orderKeys(spec, ['paramKind', 'matchConstraints', 'variables', 'mutations', 'failurePolicy', 'matchConditions', 'reinvocationPolicy']);
  orderKeys(p, ['kind', 'apiVersion', 'metadata', 'spec']);
}

export const mutatingadmissionpolicies: ResourceType = {
  group: ADMISSION_GROUP,
  version: 'v1beta1',
  resource: 'mutatingadmissionpolicies',
  kind: 'MutatingAdmissionPolicy',
  listKind: 'MutatingAdmissionPolicyList',
  singularName: 'mutatingadmissionpolicy',
  shortNames: [],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: [...ADMISSION_VERBS],
  subresources: [],
  storage: { group: ADMISSION_GROUP, resource: 'mutatingadmissionpolicies', apiVersion: `${ADMISSION_GROUP}/v1beta1`, kind: 'MutatingAdmissionPolicy' },
  schemaName: 'io.k8s.api.admissionregistration.v1beta1.MutatingAdmissionPolicy',
  // compiling the expressions costs more than decoding
  writeOffLoopBytes: 16 * 1024,
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(p) {
      defaultPolicySpec(p);
      shape(p);
    },
    prepareForCreate(p) {
      p.metadata.generation = 1;
    },
    validate: (p) => validate(p),
    canonicalize: shape,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate: bumpGenerationOnSpecChange,
    validateUpdate: (p, old) => validate(p, matchConditionsUnchanged(p, old)),
    table: policyTable('Mutations', 'Mutation indicates the number of mutations rules defined in this configuration', 'mutations'),
  },
};
