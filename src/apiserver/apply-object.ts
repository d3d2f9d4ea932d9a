// Server-side apply (PATCH with application/apply-patch+yaml), as kube's applyPatcher computes the
// object before the registry's update: the body read as YAML (JSON is YAML), the configuration
// applied to the live object (or to the kind's empty object: apply creates) by the endpoint's field
// manager, the result decoded as the kind, its namespace and name checked.

import { badRequest, conflict, field, invalid, type FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { fieldManagerFor } from '../fieldmanager/endpoint.js';
import type { ResourceType } from '../registry/types.js';
import { decodePatchResult, parseBody, type FieldValidation } from './decode.js';
import { checkNamespaceAndName } from './patch-object.js';

export interface ApplyRequest {
  type: ResourceType;
  schema: SchemaNode | undefined;
  subresource: string;
  text: string;
  fieldValidation: FieldValidation;
  manager: string;
  force: boolean;
  name: string;
  namespace: string | undefined;
}

/** The apply body as kube's yaml.Unmarshal into a map reads it, or its 400. */
export function parseApplyBody(text: string): KubeObject {
  const parsed = parseBody(text, 'yaml');
  if ('error' in parsed && parsed.error !== undefined) {
    throw badRequest(`error decoding YAML: error converting YAML to JSON: ${parsed.error}`);
  }
  const v = parsed.value;
  if (v === null || v === undefined) return {} as KubeObject;
  if (typeof v !== 'object' || Array.isArray(v)) {
    const what = Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool';
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  return v as KubeObject;
}

/** The applied object for the live one (undefined: the object does not exist, apply creates it). */
export function appliedObject(req: ApplyRequest, patch: KubeObject, live: KubeObject | undefined, now: Date, warnings: string[]): KubeObject {
  const fm = fieldManagerFor(req.type, req.subresource);
  if (!fm) throw badRequest('server-side apply is not supported for this resource');
  const out = fm.apply(live, patch, req.manager, req.force, now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  // decoded as the kind: typed metadata, a custom resource's pruning and defaults
  const decoded = decodePatchResult({
    type: req.type, schema: req.schema, fieldValidation: 'Ignore', patchType: 'merge', patchText: JSON.stringify(out),
    existing: live ?? out, patchStrictErrors: [],
  }, out);
  for (const w of decoded.warnings) warnings.push(w);
  const obj = decoded.object;
  if (obj.metadata?.uid && !live) {
    throw conflict({ group: req.type.group, resource: req.type.resource }, req.name,
      `uid mismatch: the provided object specified uid ${obj.metadata.uid}, and no existing object was found`);
  }
  checkNamespaceAndName(req.type, obj, req.name, req.namespace);
  if (live && (patch.metadata?.resourceVersion === undefined || patch.metadata.resourceVersion === '')) {
    obj.metadata.resourceVersion = live.metadata.resourceVersion;
  }
  return obj;
}

/** ValidatePatchOptions: an apply needs a field manager; only an apply may be forced. */
export function validatePatchOptions(apply: boolean, fieldManager: string | undefined, force: string | null): void {
  const errs: FieldError[] = [];
  if (apply && !fieldManager) errs.push(field.required('fieldManager', 'is required for apply patch'));
  if (!apply && force !== null) errs.push(field.forbidden('force', 'may not be specified for non-apply patch'));
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', errs);
}

/** managerOrUserAgent: the named field manager, else the user agent up to its first '/' (printable, at most 128 bytes). */
export function managerOrUserAgent(manager: string | undefined, userAgent: string | undefined): string {
  if (manager) return manager;
  const prefix = (userAgent ?? '').split('/')[0]!;
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (/\p{C}/u.test(ch) && ch !== ' ') continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > 128) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** The options a client sent with a write, as an AdmissionReview's options carry them. */
export function sentWriteOptions(query: URLSearchParams): { fieldManager?: string; fieldValidation?: string } {
  return { fieldManager: query.get('fieldManager') || undefined, fieldValidation: query.get('fieldValidation') || undefined };
}
