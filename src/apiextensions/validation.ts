// Validation of an apiextensions.k8s.io/v1 CustomResourceDefinition as kube-apiserver does it
// (apiextensions-apiserver pkg/apis/apiextensions/validation validation.go): on the internal form
// (internal.ts), so paths and their order are kube's. The generic ObjectMeta checks are the
// registry's; everything CRD-specific, including the `<plural>.<group>` name rule, is here. Each
// version's openAPIV3Schema goes to the structural-schema checks and the CEL compiler
// (schemachecks.ts).

import { createHash } from 'node:crypto';

import { field, type FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../apimachinery/validation.js';
import { isObj, validateImmutableField, type Obj } from '../registry/kinds/_util.js';
import { Lru } from '../util/lru.js';
import { goVersions, toInternalSpec, type InternalSpec, type InternalVersion } from './internal.js';
import { nonStructuralErrors, validateCRDSchema } from './schema/index.js';
import { schemaErrors, type SchemaCheckOptions } from './schemachecks.js';
import type { JSONSchemaProps } from './types.js';
import {
  deprecationWarningErrors, hasValidConversionReviewVersionOrEmpty, invalidStringPtr, validateColumn, validateConversion, validateEnum,
  validateNames, validateSelectableFields, validateStoredVersions, validateSubresources,
} from './validation-fields.js';
import { validateAPIApproval, validatePreserveUnknownFields } from './validation-approval.js';
import {
  hasInvalidMapListKeysMapSet, hasNonAtomicSetItems, OPENAPI_V3_TYPES, schemaHas, statusRootErrors,
} from './validation-schema.js';
import { validateCABundle } from './webhookconfig.js';

interface Options extends SchemaCheckOptions {
  requireRecognizedConversionReviewVersion: boolean;
  requireImmutableNames: boolean;
  requireOpenAPISchema: boolean;
  allowInvalidCABundle: boolean;
}

const CREATE_OPTIONS: Options = {
  allowDefaults: true,
  requireRecognizedConversionReviewVersion: true,
  requireImmutableNames: false,
  requireOpenAPISchema: true,
  requireValidPropertyType: true,
  requireStructuralSchema: true,
  requirePrunedDefaults: true,
  requireAtomicSetType: true,
  requireMapListKeysMapSetValidation: true,
  // the CRD is not established yet
  allowInvalidCABundle: true,
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const specOf = (crd: KubeObject): Obj => (isObj(crd.spec) ? crd.spec : {});
const statusOf = (crd: KubeObject): Obj => (isObj(crd.status) ? crd.status : {});

/**
 * The rule ValidateCustomResourceDefinition's name validator adds: kube runs it on generateName
 * too (as the prefix it is, so any generateName but the exact name fails), then on the name.
 */
/** The CRD's name rule, part of its name validator: messages for a name (or generateName) that is not <plural>.<group>. */
export function crdNameMessages(crd: KubeObject, name: string): string[] {
  const spec = specOf(crd);
  const names = isObj(spec.names) ? spec.names : {};
  return name !== `${str(names.plural)}.${str(spec.group)}` ? ['must be spec.names.plural+"."+spec.group'] : [];
}

// Spec validation (schemas, CEL compilation: tens of milliseconds for a large CRD) is a pure
// function of the shaped spec and the options. The syncer installs the same CRDs into thousands of
// logical clusters: valid specs are remembered by content hash, so each is checked once. (Errors
// are not kept: they can hold whole schemas, and a tenant could fill the cache with them.)
const VALID_SPECS_CACHE_SIZE = 1024;
const validSpecs = new Lru<string, true>(VALID_SPECS_CACHE_SIZE);

function specErrors(spec: Obj, opts: Options): FieldError[] {
  const key = createHash('sha256').update(JSON.stringify(opts)).update('\0').update(JSON.stringify(spec)).digest('base64');
  if (validSpecs.get(key)) return [];
  const errs = validateSpec(toInternalSpec(spec), opts, 'spec');
  if (errs.length === 0) validSpecs.set(key, true);
  return errs;
}

/** ValidateCustomResourceDefinition without the generic ObjectMeta checks (the registry runs those). */
export function validateCustomResourceDefinition(crd: KubeObject): FieldError[] {
  const spec = toInternalSpec(specOf(crd));
  return [
    ...specErrors(specOf(crd), CREATE_OPTIONS),
    ...validateCustomResourceDefinitionStatus(crd),
    ...validateStoredVersions(statusOf(crd).storedVersions, spec.versions, 'status.storedVersions'),
    ...validateAPIApproval(crd, undefined),
    ...validatePreserveUnknownFields(crd, undefined),
  ];
}

/** ValidateCustomResourceDefinitionUpdate without ValidateObjectMetaUpdate (the registry's). */
export function validateCustomResourceDefinitionUpdate(crd: KubeObject, old: KubeObject): FieldError[] {
  const spec = toInternalSpec(specOf(crd));
  const oldSpec = toInternalSpec(specOf(old));
  const opts: Options = {
    ...CREATE_OPTIONS,
    ...ratchets(oldSpec),
    requireRecognizedConversionReviewVersion: !oldSpec.conversion || hasValidConversionReviewVersionOrEmpty(oldSpec.conversion.conversionReviewVersions),
    requireImmutableNames: isEstablished(old),
    requireOpenAPISchema: allVersionsSpecifyOpenAPISchema(oldSpec),
    allowInvalidCABundle: allowInvalidCABundle(old, oldSpec),
  };
  const errs = specErrors(specOf(crd), opts);
  if (opts.requireImmutableNames) {
    // these affect the storage and cannot be changed once served
    errs.push(...validateImmutableField(spec.scope, oldSpec.scope, 'spec.scope'));
    errs.push(...validateImmutableField(str(spec.names.kind), str(oldSpec.names.kind), 'spec.names.kind'));
  }
  // these make the CRD's name, which is immutable
  errs.push(...validateImmutableField(spec.group, oldSpec.group, 'spec.group'));
  errs.push(...validateImmutableField(str(spec.names.plural), str(oldSpec.names.plural), 'spec.names.plural'));
  return [
    ...errs,
    ...validateCustomResourceDefinitionStatus(crd),
    ...validateStoredVersions(statusOf(crd).storedVersions, spec.versions, 'status.storedVersions'),
    ...validateAPIApproval(crd, old),
    ...validatePreserveUnknownFields(crd, old),
  ];
}

/** ValidateCustomResourceDefinitionStatus: the accepted names follow the spec's naming rules. */
export function validateCustomResourceDefinitionStatus(crd: KubeObject): FieldError[] {
  const accepted = statusOf(crd).acceptedNames;
  return validateNames(isObj(accepted) ? accepted : {}, 'status.acceptedNames');
}

// ---- ratchets: a rule the stored CRD already breaks is not enforced on its updates ----

/** requireValidPropertyType, requireStructuralSchema, requireAtomicSetType, requireMapListKeysMapSetValidation of an update. */
function ratchets(old: InternalSpec): Partial<Options> {
  return {
    requireValidPropertyType: !specHas(old, (s) => typeof s.type === 'string' && s.type !== '' && !OPENAPI_V3_TYPES.includes(s.type)),
    requireStructuralSchema: !schemasOf(old).some((s) => nonStructuralErrors(s as JSONSchemaProps, '').length > 0),
    requirePrunedDefaults: !schemasOf(old).some(hasUnprunedDefaults),
    requireAtomicSetType: !specHas(old, hasNonAtomicSetItems),
    requireMapListKeysMapSetValidation: !specHas(old, hasInvalidMapListKeysMapSet),
  };
}

/** schemaHasUnprunedDefaults: a default that pruning would change (the schema checks' own finding). */
function hasUnprunedDefaults(schema: Obj): boolean {
  if (!schemaHas(schema, (x) => x.default !== undefined)) return false;
  return validateCRDSchema(schema as JSONSchemaProps, '', { requirePrunedDefaults: true })
    .some((e) => e.field.endsWith('.default') && e.detail === 'must not have unknown fields');
}

function isEstablished(crd: KubeObject): boolean {
  const conds = statusOf(crd).conditions;
  return Array.isArray(conds) && conds.some((c) => isObj(c) && c.type === 'Established' && c.status === 'True');
}

function allVersionsSpecifyOpenAPISchema(spec: InternalSpec): boolean {
  if (isObj(spec.validation?.openAPIV3Schema)) return true;
  return spec.versions.every((v) => isObj(v.schema?.openAPIV3Schema));
}

/** An invalid caBundle may stay while the CRD is not established, or if the stored one is invalid too. */
function allowInvalidCABundle(old: KubeObject, oldSpec: InternalSpec): boolean {
  if (!isEstablished(old)) return true;
  const ca = str(oldSpec.conversion?.webhookClientConfig?.caBundle);
  if (!ca) return false;
  return validateCABundle('caBundle', ca).length > 0;
}

function getSubresourcesForVersion(spec: InternalSpec, v: InternalVersion): Obj | undefined {
  return spec.versions.some((x) => x.subresources) ? v.subresources : spec.subresources;
}

function hasStatus(sub: Obj | undefined): boolean {
  return isObj(sub?.status);
}

/** validateCustomResourceDefinitionSpec. */
function validateSpec(spec: InternalSpec, opts: Options, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(field.required(`${path}.group`));
  else {
    const msgs = isDNS1123Subdomain(spec.group);
    if (msgs.length) errs.push(field.invalid(`${path}.group`, spec.group, msgs.join(',')));
    else if (spec.group.split('.').length < 2) errs.push(field.invalid(`${path}.group`, spec.group, 'should be a domain with at least one dot'));
  }
  errs.push(...validateEnum(`${path}.scope`, spec.scope, ['Cluster', 'Namespaced']));
  const preserve = spec.preserveUnknownFields === true;
  // pruning (preserveUnknownFields false, always so in v1) needs structural schemas
  const o: Options = preserve ? opts : { ...opts, requireStructuralSchema: true };
  if (opts.requireOpenAPISchema) {
    if (!isObj(spec.validation?.openAPIV3Schema)) {
      spec.versions.forEach((v, i) => {
        if (!isObj(v.schema?.openAPIV3Schema)) errs.push(field.required(`${path}.versions[${i}].schema.openAPIV3Schema`));
      });
    }
  } else if (!preserve && !isObj(spec.validation?.openAPIV3Schema)) {
    spec.versions.forEach((v, i) => {
      if (v.served && !isObj(v.schema?.openAPIV3Schema)) {
        errs.push(field.required(`${path}.versions[${i}].schema.openAPIV3Schema`, 'because otherwise all fields are pruned'));
      }
    });
  }
  if (o.allowDefaults && specHas(spec, (s) => s.default !== undefined) && preserve) {
    errs.push(field.invalid(`${path}.preserveUnknownFields`, true, 'must be false in order to use defaults in the schema'));
  }

  let storageCount = 0;
  const seen = new Set<string>();
  let unique = true;
  spec.versions.forEach((v, i) => {
    if (v.storage) storageCount++;
    if (seen.has(v.name)) unique = false;
    else seen.add(v.name);
    const msgs = isDNS1035Label(v.name);
    if (msgs.length) errs.push(field.invalid(`${path}.versions[${i}].name`, v.name, msgs.join(',')));
    errs.push(...validateVersion(v, `${path}.versions[${i}]`, hasStatus(getSubresourcesForVersion(spec, v)), o));
  });
  // (the top-level vs per-version exclusivity checks cannot fail for a v1 object: conversion only
  // moves fields that are identical in every version, and clears them there)
  if (!unique) errs.push(field.invalid(`${path}.versions`, goVersions(spec), 'must contain unique version names'));
  if (storageCount !== 1) errs.push(field.invalid(`${path}.versions`, goVersions(spec), 'must have exactly one version marked as storage version'));
  if (spec.version) {
    const msgs = isDNS1035Label(spec.version);
    if (msgs.length) errs.push(field.invalid(`${path}.version`, spec.version, msgs.join(',')));
  }

  const names = spec.names;
  for (const n of ['plural', 'singular', 'kind', 'listKind']) if (!str(names[n])) errs.push(field.required(`${path}.names.${n}`));
  errs.push(...validateNames(names, `${path}.names`));
  const anyStatus = hasStatus(spec.subresources) || spec.versions.some((v) => hasStatus(v.subresources));
  errs.push(...validateValidation(spec.validation, anyStatus, o, `${path}.validation`));
  errs.push(...validateSubresources(spec.subresources, `${path}.subresources`));
  (spec.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, `${path}.additionalPrinterColumns[${i}]`)));
  if (spec.selectableFields) {
    if (!spec.validation) errs.push(field.invalid(`${path}.selectableFields`, '', 'may only be set when validations.schema is included'));
    else errs.push(...validateSelectableFields(spec.selectableFields, schemaOf(spec.validation), `${path}.selectableFields`));
  }
  if (spec.conversion && spec.conversion.strategy !== 'None' && preserve) {
    errs.push(field.invalid(`${path}.conversion.strategy`, spec.conversion.strategy, 'must be None if spec.preserveUnknownFields is true'));
  }
  errs.push(...validateConversion(spec.conversion, o.requireRecognizedConversionReviewVersion, o.allowInvalidCABundle, `${path}.conversion`));
  return errs;
}

const schemaOf = (v: Obj | undefined): Obj | undefined => (isObj(v?.openAPIV3Schema) ? v.openAPIV3Schema : undefined);

/** validateCustomResourceDefinitionVersion. */
function validateVersion(v: InternalVersion, path: string, statusEnabled: boolean, opts: Options): FieldError[] {
  // (deprecationWarning is a *string: its value prints as JSON)
  const errs: FieldError[] = deprecationWarningErrors(v).map((m) => invalidStringPtr(`${path}.deprecationWarning`, v.deprecationWarning ?? '', m));
  errs.push(...validateValidation(v.schema, statusEnabled, opts, `${path}.schema`));
  errs.push(...validateSubresources(v.subresources, `${path}.subresources`));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, `${path}.additionalPrinterColumns[${i}]`)));
  if (v.selectableFields) {
    const schema = schemaOf(v.schema);
    if (!schema) errs.push(field.invalid(`${path}.selectableFields`, '', 'may only be set when `version.schema.openAPIV3Schema` is not included'));
    else errs.push(...validateSelectableFields(v.selectableFields, schema, `${path}.selectableFields`));
  }
  return errs;
}

/** validateCustomResourceDefinitionValidation: one CustomResourceValidation (top-level or a version's). */
function validateValidation(v: Obj | undefined, statusEnabled: boolean, opts: Options, path: string): FieldError[] {
  const schema = schemaOf(v);
  if (!schema) return [];
  const errs: FieldError[] = statusEnabled ? statusRootErrors(schema, path) : [];
  errs.push(...schemaErrors(schema, `${path}.openAPIV3Schema`, opts));
  return errs;
}

function schemasOf(spec: InternalSpec): Obj[] {
  return [schemaOf(spec.validation), ...spec.versions.map((v) => schemaOf(v.schema))].filter((s): s is Obj => s !== undefined);
}

/** HasSchemaWith over every schema of the spec. */
function specHas(spec: InternalSpec, pred: (s: Obj) => boolean): boolean {
  return schemasOf(spec).some((s) => schemaHas(s, pred));
}
