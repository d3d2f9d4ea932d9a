// admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration and MutatingWebhookConfiguration
// (pkg/registry/admissionregistration/{validating,mutating}webhookconfiguration and
// pkg/apis/admissionregistration/validation): kube's v1 defaults, validation with its field paths
// and texts (create and update options), the Go wire shape, generation and the kubectl table.
// Both kinds are built here; validatingwebhookconfigurations.ts and mutatingwebhookconfigurations.ts
// only name them.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain, validateLabelSelector, type LabelSelectorSpec,
} from '../../apimachinery/validation.js';
import { validateWebhookService, validateWebhookURL } from '../../apiextensions/webhookconfig.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import {
  ADMISSION_GROUP, ADMISSION_VERBS, FAILURE_POLICIES, shapeLabelSelector, shapeList, validateMatchConditions, validateRuleWithOperations,
} from './_admissionregistration.js';
import { arrAt, child, index, isObj, jsonEqual, lenOf, orderKeys, type Obj } from './_util.js';

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** AcceptedAdmissionReviewVersions: what this server (and the one before it) speaks. */
export const ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const ALL_SIDE_EFFECTS = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
export const NO_SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];

const webhooksOf = (o: KubeObject): Obj[] => (arrAt(o, 'webhooks') ?? []).map((w) => (isObj(w) ? w : {}));

// ---- defaults (pkg/apis/admissionregistration/v1/defaults.go) ----

function defaultWebhook(w: Obj, mutating: boolean): void {
  if (!isSet(w.failurePolicy)) w.failurePolicy = 'Fail';
  if (!isSet(w.matchPolicy)) w.matchPolicy = 'Equivalent';
  if (!isSet(w.namespaceSelector)) w.namespaceSelector = {};
  if (!isSet(w.objectSelector)) w.objectSelector = {};
  if (!isSet(w.timeoutSeconds)) w.timeoutSeconds = 10;
  if (mutating && !isSet(w.reinvocationPolicy)) w.reinvocationPolicy = 'Never';
  for (const r of arrAt(w, 'rules') ?? []) if (isObj(r) && !isSet(r.scope)) r.scope = '*';
  const cc = isObj(w.clientConfig) ? w.clientConfig : undefined;
  if (cc && isObj(cc.service) && !isSet(cc.service.port)) cc.service.port = 443;
}

// ---- validation (validateValidatingWebhook / validateMutatingWebhook) ----

export interface WebhookValidationOptions {
  ignoreMatchConditions: boolean;
  requireNoSideEffects: boolean;
  requireRecognizedAdmissionReviewVersion: boolean;
  requireUniqueWebhookNames: boolean;
  allowInvalidLabelValueInSelector: boolean;
}

const CREATE_OPTIONS: WebhookValidationOptions = {
  ignoreMatchConditions: false,
  requireNoSideEffects: true,
  requireRecognizedAdmissionReviewVersion: true,
  requireUniqueWebhookNames: true,
  allowInvalidLabelValueInSelector: false,
};

/** utilvalidation.IsFullyQualifiedName. */
function fullyQualifiedNameErrors(path: string, name: string): FieldError[] {
  if (!name) return [field.required(path)];
  const errs = isDNS1123Subdomain(name);
  if (errs.length) return [field.invalid(path, name, errs.join(','))];
  if (name.split('.').length < 3) return [field.invalid(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function validateClientConfig(cc: unknown, path: string): FieldError[] {
  const c: Obj = isObj(cc) ? cc : {};
  const hasURL = isSet(c.url);
  const hasService = isSet(c.service);
  if (hasURL === hasService) return [field.required(path, 'exactly one of url or service is required')];
  if (hasURL) return validateWebhookURL(child(path, 'url'), str(c.url), true);
  const s: Obj = isObj(c.service) ? c.service : {};
  const port = typeof s.port === 'number' ? s.port : 443;
  // kube passes the service's name as the namespace and the other way round (so a missing
  // namespace is reported as service.name, and the reverse)
  return validateWebhookService(child(path, 'service'), str(s.namespace), str(s.name), isSet(s.path) ? str(s.path) : undefined, port);
}

function validateWebhook(w: Obj, mutating: boolean, opts: WebhookValidationOptions, path: string): FieldError[] {
  const errs = fullyQualifiedNameErrors(child(path, 'name'), str(w.name));
  (arrAt(w, 'rules') ?? []).forEach((r, i) => errs.push(...validateRuleWithOperations(r, index(child(path, 'rules'), i))));
  if (isSet(w.failurePolicy) && !FAILURE_POLICIES.includes(String(w.failurePolicy))) {
    errs.push(field.notSupported(child(path, 'failurePolicy'), w.failurePolicy, FAILURE_POLICIES));
  }
  if (isSet(w.matchPolicy) && !MATCH_POLICIES.includes(String(w.matchPolicy))) {
    errs.push(field.notSupported(child(path, 'matchPolicy'), w.matchPolicy, MATCH_POLICIES));
  }
  const allowed = opts.requireNoSideEffects ? NO_SIDE_EFFECTS : ALL_SIDE_EFFECTS;
  if (!isSet(w.sideEffects)) errs.push(field.required(child(path, 'sideEffects'), `must specify one of ${allowed.join(', ')}`));
  else if (!allowed.includes(String(w.sideEffects))) errs.push(field.notSupported(child(path, 'sideEffects'), w.sideEffects, allowed));
  if (typeof w.timeoutSeconds === 'number' && (w.timeoutSeconds > 30 || w.timeoutSeconds < 1)) {
    errs.push(field.invalid(child(path, 'timeoutSeconds'), w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  const selectorOpts = { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector };
  for (const sel of ['namespaceSelector', 'objectSelector']) {
    if (isSet(w[sel])) errs.push(...validateLabelSelector(w[sel] as LabelSelectorSpec, child(path, sel), selectorOpts));
  }
  if (mutating && isSet(w.reinvocationPolicy) && !REINVOCATION_POLICIES.includes(String(w.reinvocationPolicy))) {
    errs.push(field.notSupported(child(path, 'reinvocationPolicy'), w.reinvocationPolicy, REINVOCATION_POLICIES));
  }
  errs.push(...validateClientConfig(w.clientConfig, child(path, 'clientConfig')));
  if (!opts.ignoreMatchConditions) errs.push(...validateMatchConditions(arrAt(w, 'matchConditions'), false, child(path, 'matchConditions')));
  return errs;
}

/** validateAdmissionReviewVersions. */
function validateAdmissionReviewVersions(versions: unknown[] | undefined, requireRecognized: boolean, path: string): FieldError[] {
  const list = (versions ?? []).map(str);
  if (list.length < 1) return [field.required(path, `must specify one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  list.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(field.invalid(index(path, i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(field.invalid(index(path, i), v, msg));
    if (ADMISSION_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (requireRecognized && !accepted) errs.push(field.invalid(path, list, `must include at least one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/** validate{Validating,Mutating}WebhookConfiguration (ObjectMeta is validated by the registry first). */
export function validateWebhookConfiguration(o: KubeObject, mutating: boolean, opts: WebhookValidationOptions = CREATE_OPTIONS): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  webhooksOf(o).forEach((w, i) => {
    const path = index('webhooks', i);
    errs.push(...validateWebhook(w, mutating, opts, path));
    errs.push(...validateAdmissionReviewVersions(arrAt(w, 'admissionReviewVersions'), opts.requireRecognizedAdmissionReviewVersion, child(path, 'admissionReviewVersions')));
    const name = str(w.name);
    if (opts.requireUniqueWebhookNames && name) {
      if (names.has(name)) errs.push(field.duplicate(child(path, 'name'), name));
      else names.add(name);
    }
  });
  return errs;
}

function selectorHasInvalidLabelValue(w: Obj): boolean {
  return ['namespaceSelector', 'objectSelector'].some((sel) => isSet(w[sel]) && validateLabelSelector(w[sel] as LabelSelectorSpec, sel).length > 0);
}

/** The options of Validate{Validating,Mutating}WebhookConfigurationUpdate: what the stored object already got away with. */
export function updateOptions(o: KubeObject, old: KubeObject): WebhookValidationOptions {
  const now = webhooksOf(o);
  const before = webhooksOf(old);
  const oldNames = before.map((w) => str(w.name));
  return {
    ignoreMatchConditions: now.length === before.length && before.every((w, i) => jsonEqual(w.matchConditions ?? undefined, now[i]!.matchConditions ?? undefined)),
    requireNoSideEffects: before.every((w) => NO_SIDE_EFFECTS.includes(str(w.sideEffects))),
    requireRecognizedAdmissionReviewVersion: before.every((w) => {
      const versions = (arrAt(w, 'admissionReviewVersions') ?? []).map(str);
      return versions.length === 0 || versions.some((v) => ADMISSION_REVIEW_VERSIONS.includes(v));
    }),
    requireUniqueWebhookNames: new Set(oldNames).size === oldNames.length,
    allowInvalidLabelValueInSelector: before.some(selectorHasInvalidLabelValue),
  };
}

// ---- wire shape (Go field order, omitempty) ----

function dropNull(o: Obj, ...keys: string[]): void {
  for (const k of keys) if (o[k] === null) delete o[k];
}

function shapeWebhook(w: Obj, mutating: boolean): void {
  const cc = isObj(w.clientConfig) ? w.clientConfig : (w.clientConfig = {});
  dropNull(cc, 'url', 'service');
  if (cc.caBundle === '' || cc.caBundle === null) delete cc.caBundle;
  if (isObj(cc.service)) {
    dropNull(cc.service, 'path', 'port');
    orderKeys(cc.service, ['namespace', 'name', 'path', 'port']);
  }
  orderKeys(cc, ['url', 'service', 'caBundle']);
  shapeList(w.rules, ['operations', 'apiGroups', 'apiVersions', 'resources', 'scope'], ['operations', 'apiGroups', 'apiVersions', 'resources']);
  shapeLabelSelector(w.namespaceSelector);
  shapeLabelSelector(w.objectSelector);
  shapeList(w.matchConditions, ['name', 'expression'], []);
  dropNull(w, 'failurePolicy', 'matchPolicy', 'namespaceSelector', 'objectSelector', 'timeoutSeconds', 'reinvocationPolicy');
  for (const k of ['rules', 'matchConditions']) if (Array.isArray(w[k]) && (w[k] as unknown[]).length === 0) delete w[k];
  dropNull(w, 'rules', 'matchConditions');
  // sideEffects and admissionReviewVersions have no omitempty: validation makes them present
  orderKeys(w, ['name', 'clientConfig', 'rules', 'failurePolicy', 'matchPolicy', 'namespaceSelector', 'objectSelector', 'sideEffects',
    'timeoutSeconds', 'admissionReviewVersions', ...(mutating ? ['reinvocationPolicy'] : []), 'matchConditions']);
}

function shape(o: KubeObject, mutating: boolean): void {
  const list = arrAt(o, 'webhooks');
  if (list) for (const w of list) if (isObj(w)) shapeWebhook(w, mutating);
  if (o.webhooks === null || (Array.isArray(o.webhooks) && o.webhooks.length === 0)) delete o.webhooks;
  orderKeys(o, ['kind', 'apiVersion', 'metadata', 'webhooks']);
}

// ---- the kinds ----

const WEBHOOKS_DESCRIPTION = 'Webhooks indicates the number of webhooks registered in this configuration';

/** The ResourceType of one of the two webhook configuration kinds. */
export function webhookConfigurationType(kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration'): ResourceType {
  const mutating = kind === 'MutatingWebhookConfiguration';
  const resource = `${kind.toLowerCase()}s`;
  const validate = (o: KubeObject, opts?: WebhookValidationOptions): FieldError[] => validateWebhookConfiguration(o, mutating, opts);
  return {
    group: ADMISSION_GROUP,
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singularName: kind.toLowerCase(),
    shortNames: [],
    categories: ['api-extensions'],
    namespaced: false,
    verbs: [...ADMISSION_VERBS],
    subresources: [],
    storage: { group: ADMISSION_GROUP, resource, apiVersion: `${ADMISSION_GROUP}/v1`, kind },
    schemaName: `io.k8s.api.admissionregistration.v1.${kind}`,
    // match conditions are compiled when validated
    writeOffLoopBytes: 16 * 1024,
    strategy: {
      validateName: nameIsDNSSubdomain,
      applyDefaults(o) {
        for (const w of webhooksOf(o)) defaultWebhook(w, mutating);
        shape(o, mutating);
      },
      prepareForCreate(o) {
        o.metadata.generation = 1;
      },
      validate: (o) => validate(o),
      canonicalize: (o) => shape(o, mutating),
      allowCreateOnUpdate: false,
      allowUnconditionalUpdate: false,
      prepareForUpdate(o, old) {
        const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
        if (!jsonEqual(o.webhooks ?? [], old.webhooks ?? [])) o.metadata.generation = oldGen + 1;
      },
      validateUpdate: (o, old) => validate(o, updateOptions(o, old)),
      // the update validator validates ObjectMeta as on create (genericvalidation.ValidateObjectMeta)
      revalidatesMetadataOnUpdate: 'create',
      table: {
        columns: [nameColumn(), column('Webhooks', 'integer', WEBHOOKS_DESCRIPTION), ageColumn()],
        cells: (o, now) => [o.metadata.name ?? '', lenOf(o.webhooks), translateTimestampSince(o.metadata.creationTimestamp, now)],
      },
    },
  };
}
