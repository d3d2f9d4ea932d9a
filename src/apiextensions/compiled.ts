// The compiled form of a CustomResourceDefinition's spec: per version its schema engine, CEL
// rules, table and selectable fields, plus its OpenAPI definitions. Compiled once per distinct
// spec content and shared by every logical cluster holding an identical definition (the CRD
// index holds references and releases them); nothing here knows a cluster.

import { createHash } from 'node:crypto';

import { registerCRDDefinitions, unregisterDefinitions } from '../openapi/definitions.js';
import type { TableConvertor } from '../registry/types.js';
import {
  compileRulesEngine, compileSchemaEngine, fieldReader, printerColumns, type RulesEngine, type SchemaEngine,
} from './engines.js';
import type { CustomResourceDefinitionSpec, CustomResourceDefinitionVersion, CustomResourceSubresourceScale } from './types.js';

export interface CompiledVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated: boolean;
  readonly deprecationWarning: string | undefined;
  readonly schema: SchemaEngine;
  readonly rules: RulesEngine | undefined;
  /** additionalPrinterColumns (or kube's default columns) as a table. */
  readonly table: TableConvertor;
  /** selectableFields: field label (e.g. "spec.color") -> value reader. */
  readonly selectable: ReadonlyMap<string, (obj: unknown) => string | undefined>;
  readonly status: boolean;
  readonly scale: CustomResourceSubresourceScale | undefined;
}

export interface CompiledCRD {
  /** Content hash of the spec. */
  readonly hash: string;
  readonly spec: CustomResourceDefinitionSpec;
  readonly versions: ReadonlyMap<string, CompiledVersion>;
  readonly storageVersion: string;
  /** The OpenAPI definition source of its served versions (src/openapi registerDefinitions). */
  readonly definitionSource: string;
}

interface Entry {
  compiled: CompiledCRD;
  refs: number;
}

const cache = new Map<string, Entry>();

/**
 * The identity of a spec. Stored CRDs are in one canonical encoding (the CRD strategy's), so the
 * JSON text is (cheaper than a key-sorted rendering of a Cluster API-sized schema; a spec written
 * with other key orders would only be compiled once more).
 */
export function specHash(spec: CustomResourceDefinitionSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 32);
}

function compileVersion(v: CustomResourceDefinitionVersion): CompiledVersion {
  const schema = v.schema?.openAPIV3Schema;
  const selectable = new Map<string, (obj: unknown) => string | undefined>();
  for (const f of v.selectableFields ?? []) selectable.set(f.jsonPath.replace(/^\./, ''), fieldReader(f.jsonPath));
  return Object.freeze({
    name: v.name,
    served: v.served,
    storage: v.storage,
    deprecated: v.deprecated === true,
    deprecationWarning: v.deprecationWarning,
    schema: compileSchemaEngine(schema),
    rules: compileRulesEngine(schema),
    table: printerColumns(v.additionalPrinterColumns),
    selectable,
    status: v.subresources?.status !== undefined && v.subresources.status !== null,
    scale: v.subresources?.scale ?? undefined,
  });
}

/**
 * The compiled form of a spec, taking a reference (release it with releaseCompiled). The spec is
 * assumed valid (the CRD strategy validated it before it was stored).
 */
export function acquireCompiled(spec: CustomResourceDefinitionSpec): CompiledCRD {
  const hash = specHash(spec);
  let e = cache.get(hash);
  if (!e) {
    const frozen = structuredClone(spec);
    const versions = new Map<string, CompiledVersion>();
    for (const v of frozen.versions ?? []) versions.set(v.name, compileVersion(v));
    const definitionSource = `crd:${hash}`;
    registerCRDDefinitions(definitionSource, [{ metadata: { name: `${frozen.names.plural}.${frozen.group}` }, spec: frozen as never }]);
    const storageVersion = frozen.versions.find((v) => v.storage)?.name ?? frozen.versions[0]?.name ?? '';
    e = { compiled: Object.freeze({ hash, spec: frozen, versions, storageVersion, definitionSource }), refs: 0 };
    cache.set(hash, e);
  }
  e.refs++;
  return e.compiled;
}

export function releaseCompiled(c: CompiledCRD): void {
  const e = cache.get(c.hash);
  if (!e || --e.refs > 0) return;
  cache.delete(c.hash);
  unregisterDefinitions(c.definitionSource);
}

/** How many distinct compiled specs are alive (bench, tests). */
export function compiledCount(): number {
  return cache.size;
}
