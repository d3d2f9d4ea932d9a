// What a PATCH makes of the existing object, as kube's patch handler computes it before the
// registry's update: the patch applied, the result decoded into the kind, the namespace and name
// checked. Pure (the request and the existing object only): the handler runs it inline, a worker
// thread for a large patch (write-offload.ts).

import { badRequest } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { applyPatch } from '../apimachinery/patch/apply.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { appendAll } from '../apimachinery/validation.js';
import type { ResourceType } from '../registry/types.js';
import { decodePatchResult, type FieldValidation } from './decode.js';
import { checkObjectResourceVersion } from './options.js';

export type PatchType = 'json' | 'merge' | 'strategic';

export interface PatchRequest {
  type: ResourceType;
  schema: SchemaNode | undefined;
  patchType: PatchType;
  text: string;
  fieldValidation: FieldValidation;
  /** The name and namespace of the request's path. */
  name: string;
  namespace: string | undefined;
}

/** The patched object of the existing one (a copy the patch may change); decoding warnings are appended. */
export function patchedObject(req: PatchRequest, existing: KubeObject, warnings: string[]): KubeObject {
  const { type, schema, patchType, text, fieldValidation } = req;
  const patchStrictErrors: string[] = [];
  const patched = applyPatch(patchType, existing, text, schema, { fieldValidation, strictErrors: patchStrictErrors });
  const decoded = decodePatchResult({ type, schema, fieldValidation, patchType, patchText: text, existing, patchStrictErrors }, patched);
  appendAll(warnings, decoded.warnings);
  checkNamespaceAndName(type, decoded.object, req.name, req.namespace);
  // A patch that names no resourceVersion applies to whatever is current.
  if (!patchNamesResourceVersion(text, patchType)) decoded.object.metadata.resourceVersion = existing.metadata.resourceVersion;
  checkObjectResourceVersion(decoded.object.metadata.resourceVersion);
  return decoded.object;
}

/**
 * rest.EnsureObjectNamespaceMatchesRequestNamespace then checkName, as the update and patch
 * handlers run them on the decoded object.
 */
export function checkNamespaceAndName(type: ResourceType, obj: KubeObject, name: string, namespace: string | undefined): void {
  const expected = type.namespaced ? namespace ?? '' : '';
  const objNamespace = obj.metadata.namespace ?? '';
  if (objNamespace !== expected) {
    if (objNamespace === '') obj.metadata.namespace = expected;
    else if (expected === '') delete obj.metadata.namespace;
    else throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const objName = obj.metadata.name ?? '';
  if (objName === '') throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  if (objName !== name) throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
}

function patchNamesResourceVersion(text: string, patchType: PatchType): boolean {
  if (patchType === 'json') return /"\/metadata\/resourceVersion"/.test(text);
  try {
    const p = JSON.parse(text) as { metadata?: { resourceVersion?: unknown } };
    return typeof p?.metadata?.resourceVersion === 'string' && p.metadata.resourceVersion !== '';
  } catch {
    return false;
  }
}
