// The ResourceTypes of a served CRD: one per served version, with the custom-resource strategy
// kube's apiextensions-apiserver applies (pkg/registry/customresource/strategy.go): generation
// starts at 1 and moves with every change outside metadata (and status, with a status
// subresource); status is written only through its subresource when there is one; validation is
// ObjectMeta, then the schema, then the CEL rules (skipped while the object has type errors).
// A ServedCRD is built from the compiled spec and the accepted names, both shared: every cluster
// holding the same definition is served the same objects.

import { field, type FieldError } from '../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../apimachinery/object.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { nameIsDNSSubdomain } from '../apimachinery/validation.js';
import { compareKubeAwareVersions } from '../discovery/priorities.js';
import { crdDefinitionName } from '../openapi/names.js';
import { resolveSchema } from '../openapi/definitions.js';
import { jsonEqual, keepAllButStatus } from '../registry/kinds/_util.js';
import type { ObjectConverter, RequestContext, ResourceType, StatusStrategy, Strategy, Verb } from '../registry/types.js';
import { createConverter, objectConverter, type Converter, type ServiceResolver } from './conversion.js';
import type { CompiledCRD, CompiledVersion } from './compiled.js';
import { validateScaleSpec, validateScaleStatus } from './scale.js';
import type { CustomResourceDefinitionNames } from './types.js';

const VERBS: Verb[] = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

let decodeSchemaNode: SchemaNode | undefined;

/** Bodies decode with typed ObjectMeta; the rest is kept as sent, for pruning by the schema. */
function decodeSchema(): SchemaNode {
  decodeSchemaNode ??= Object.freeze({
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: resolveSchema('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') ?? { type: 'object' },
    },
    additionalProperties: true,
  }) as SchemaNode;
  return decodeSchemaNode;
}

/**
 * A custom resource's schema as kube's CRD OpenAPI builder makes it for field management: the
 * version's schema with apiVersion and kind strings and metadata as ObjectMeta.
 */
function customResourceFieldSchema(root: SchemaNode | undefined): SchemaNode {
  const base = root ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return Object.freeze({
    ...base,
    type: 'object',
    properties: { ...(base.properties ?? {}), ...decodeSchema().properties },
  }) as SchemaNode;
}

/** Everything but metadata (and status, when it is a subresource): what bumps generation. */
function generationContent(obj: KubeObject, withoutStatus: boolean): Record<string, unknown> {
  const { metadata: _m, ...rest } = obj;
  if (withoutStatus) delete rest.status;
  return rest;
}

/** kube's hasBlockingErr: CEL rules do not run while the object breaks these schema constraints. */
const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

function blocking(errs: FieldError[]): boolean {
  return errs.some((e) => BLOCKING.has(e.type));
}

/** ValidateTypeMeta: the body's kind and apiVersion must be the endpoint's. */
function typeMetaErrors(obj: KubeObject, kind: string, apiVersion: string): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.kind !== kind) errs.push(field.invalid('kind', obj.kind ?? '', `must be ${kind}`));
  if (obj.apiVersion !== apiVersion) errs.push(field.invalid('apiVersion', obj.apiVersion ?? '', `must be ${apiVersion}`));
  return errs;
}

function validateVersioned(v: CompiledVersion, obj: KubeObject, old: KubeObject | undefined, kind: string, apiVersion: string,
  warnings: string[]): FieldError[] {
  // kube's validator stops at type meta errors, then the embedded objects, list types and CEL follow
  // (the rules still run after type meta errors: those do not block them)
  const typeErrs = typeMetaErrors(obj, kind, apiVersion);
  const errs = typeErrs.length ? typeErrs
    : [...v.schema.validate(obj, old), ...validateScaleSpec(obj, v.scale), ...validateScaleStatus(obj, v.scale)];
  return withRules(v, errs, obj, old, warnings);
}

/** The CEL rules after the schema's errors, unless those block them (hasBlockingErr). */
function withRules(v: CompiledVersion, errs: FieldError[], obj: KubeObject, old: KubeObject | undefined, warnings: string[]): FieldError[] {
  if (v.rules) {
    if (blocking(errs)) {
      // (kube's field.Invalid(nil, nil, ...): a nil path prints as "<nil>", the value as null)
      errs.push(field.invalid('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'));
    } else {
      // on an update, failures that ratcheting lets pass are warned about (as kube does)
      const r = v.rules.validateWithWarnings(obj, old);
      errs.push(...r.errors);
      warnings.push(...r.warnings);
    }
  }
  return errs;
}

/** The status subresource's validation: the status schema only, then the CEL rules of the whole object. */
function validateStatusUpdate(v: CompiledVersion, obj: KubeObject, old: KubeObject, kind: string, apiVersion: string,
  warnings: string[]): FieldError[] {
  const typeErrs = typeMetaErrors(obj, kind, apiVersion);
  if (typeErrs.length) return typeErrs;
  const errs = [...v.schema.validateStatus(obj, old), ...validateScaleStatus(obj, v.scale)];
  return withRules(v, errs, obj, old, warnings);
}

function strategyOf(v: CompiledVersion, kind: string, apiVersion: string): Strategy {
  const validateObject = (obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext) =>
    validateVersioned(v, obj, old, kind, apiVersion, ctx.warnings);
  const status: StatusStrategy | undefined = v.status ? {
    prepareForUpdate: keepAllButStatus,
    validateUpdate: (obj, old, ctx) => validateStatusUpdate(v, obj, old, kind, apiVersion, ctx.warnings),
  } : undefined;
  return {
    validateName: nameIsDNSSubdomain,
    // kube defaults by the object's kind: one of another kind (refused below) is not defaulted
    applyDefaults: (obj) => {
      if (obj.kind === kind) v.schema.applyDefaults(obj);
    },
    prepareForCreate(obj) {
      if (v.status) delete obj.status;
      obj.metadata.generation = 1;
    },
    validate: (obj, ctx) => validateObject(obj, undefined, ctx),
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate(obj, old) {
      if (v.status) {
        if (old.status === undefined) delete obj.status;
        else obj.status = deepCopy(old.status);
      }
      const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
      if (!jsonEqual(generationContent(obj, v.status), generationContent(old, v.status))) obj.metadata.generation = oldGen + 1;
    },
    validateUpdate: (obj, old, ctx) => validateObject(obj, old, ctx),
    status,
    selectableFields: v.selectable.size ? (obj) => {
      const out: Record<string, string> = {};
      for (const [label, read] of v.selectable) out[label] = read(obj) ?? '';
      return out;
    } : undefined,
    table: v.table,
  };
}

export interface ServedCRD {
  /** Identity of what is served: the spec's hash, the accepted names, terminating. */
  readonly key: string;
  readonly crdName: string;
  readonly compiled: CompiledCRD;
  readonly names: CustomResourceDefinitionNames;
  readonly terminating: boolean;
  /** One per served version, in the spec's order. */
  readonly types: readonly ResourceType[];
}

export function servedKey(compiled: CompiledCRD, names: CustomResourceDefinitionNames, terminating: boolean): string {
  return `${compiled.hash}|${JSON.stringify(names)}|${terminating ? 'T' : ''}`;
}

/** kube's defaultDeprecationWarning: names the newest served version that is not deprecated. */
function defaultDeprecationWarning(compiled: CompiledCRD, version: string, kind: string): string {
  const { group } = compiled.spec;
  const msg = `${group}/${version} ${kind} is deprecated`;
  const newer = [...compiled.versions.values()]
    .filter((x) => x.served && !x.deprecated && compareKubeAwareVersions(version, x.name) < 0)
    .map((x) => x.name)
    .sort((a, b) => compareKubeAwareVersions(b, a));
  return newer.length ? `${msg}; use ${group}/${newer[0]} ${kind}` : msg;
}

/** The schema engine of the version an object is in (stored objects may be of any version). */
function versionOf(compiled: CompiledCRD, apiVersion: string | undefined): CompiledVersion | undefined {
  const prefix = `${compiled.spec.group}/`;
  return apiVersion?.startsWith(prefix) ? compiled.versions.get(apiVersion.slice(prefix.length)) : undefined;
}

/** Any version's defaults can change a stored object on read. */
function anyDefaults(compiled: CompiledCRD): boolean {
  return [...compiled.versions.values()].some((x) => x.schema.hasDefaults);
}

/**
 * A read from storage as kube's decoding does it: defaulted by the schema of the version it is
 * stored in, converted, and, when that changed its version, pruned by the served version's schema.
 */
function storageRead(compiled: CompiledCRD, v: CompiledVersion, apiVersion: string, kind: string): ((stored: KubeObject) => KubeObject) | undefined {
  const defaults = anyDefaults(compiled);
  const storageApiVersion = `${compiled.spec.group}/${compiled.storageVersion}`;
  if (!defaults && apiVersion === storageApiVersion && compiled.versions.size === 1) return undefined;
  return (stored) => {
    const from = versionOf(compiled, stored.apiVersion);
    if (stored.apiVersion === apiVersion && !from?.schema.hasDefaults) return stored;
    const obj = deepCopy(stored);
    from?.schema.applyDefaults(obj);
    if (obj.apiVersion !== apiVersion) {
      obj.apiVersion = apiVersion;
      v.schema.prune(obj);
    }
    obj.kind = kind;
    return obj;
  };
}

/** The webhook converter of a served version: stored objects defaulted before, pruned after. */
function webhookConverter(compiled: CompiledCRD, converter: Converter, v: CompiledVersion, kind: string): ObjectConverter {
  const base = objectConverter(converter, kind, v.name, compiled.storageVersion);
  return {
    toServed: async (objs) => {
      const input = objs.map((o) => {
        const from = versionOf(compiled, o.apiVersion);
        if (!from?.schema.hasDefaults) return o;
        const c = deepCopy(o);
        from.schema.applyDefaults(c);
        return c;
      });
      const out = await base.toServed(input);
      return out.map((o, i) => {
        if (o === input[i]) return o;
        const c = deepCopy(o);
        v.schema.prune(c);
        return c;
      });
    },
    toStored: base.toStored,
  };
}

export interface ServeOptions {
  /** How conversion webhooks named by a service reference are reached (the syncer plugs in its own). */
  serviceResolver?: ServiceResolver;
}

export function buildServedCRD(compiled: CompiledCRD, names: CustomResourceDefinitionNames, terminating: boolean,
  opts: ServeOptions = {}): ServedCRD {
  const { spec } = compiled;
  const crdName = `${spec.names.plural}.${spec.group}`;
  const converter = spec.conversion?.strategy === 'Webhook'
    ? createConverter({ name: crdName, spec }, { serviceResolver: opts.serviceResolver }) : undefined;
  const storage = {
    group: spec.group, resource: names.plural, apiVersion: `${spec.group}/${compiled.storageVersion}`, kind: names.kind,
  };
  const types: ResourceType[] = [];
  const identity = servedKey(compiled, names, false);
  for (const v of compiled.versions.values()) {
    if (!v.served) continue;
    const strategy = strategyOf(v, names.kind, `${spec.group}/${v.name}`);
    const subresources = [...(v.status ? ['status'] : []), ...(v.scale ? ['scale'] : [])];
    const warning = v.deprecated ? v.deprecationWarning ?? defaultDeprecationWarning(compiled, v.name, names.kind) : undefined;
    const prune = (obj: KubeObject) => v.schema.prune(obj);
    let fieldSchema: SchemaNode | undefined;
    types.push(Object.freeze({
      group: spec.group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      singularName: names.singular ?? names.kind.toLowerCase(),
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      namespaced: spec.scope === 'Namespaced',
      verbs: VERBS,
      subresources,
      storage,
      strategy,
      schemaName: crdDefinitionName(spec.group, v.name, names.kind),
      warnings: warning ? [warning] : undefined,
      fromStorage: storageRead(compiled, v, `${spec.group}/${v.name}`, names.kind),
      converter: converter ? webhookConverter(compiled, converter, v, names.kind) : undefined,
      customResource: {
        crdName, identity, decodeSchema: decodeSchema(), prune, terminating, scale: v.scale,
        get fieldSchema() {
          return (fieldSchema ??= customResourceFieldSchema(v.schema.schemaNode));
        },
      },
    }));
  }
  return Object.freeze({ key: servedKey(compiled, names, terminating), crdName, compiled, names, terminating, types });
}
