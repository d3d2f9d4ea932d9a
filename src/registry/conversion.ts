// Moving objects between the served form of a ResourceType and its storage form. Most kinds are
// stored as served; events.k8s.io/v1 Events are stored as core/v1 Events.

import type { KubeObject } from '../apimachinery/object.js';
import { apiVersionOfType, type ResourceType } from './types.js';

/** The served form of a stored object. Shared storage objects are not mutated. */
export function toServed(type: ResourceType, stored: KubeObject): KubeObject {
  if (type.fromStorage) return type.fromStorage(stored);
  const apiVersion = apiVersionOfType(type);
  if (stored.apiVersion === apiVersion && stored.kind === type.kind) return stored;
  return { ...stored, apiVersion, kind: type.kind };
}

/** The storage form of a served object (owned by the caller; may be reused). */
export function toStored(type: ResourceType, served: KubeObject): KubeObject {
  if (type.toStorage) return type.toStorage(served);
  served.apiVersion = type.storage.apiVersion;
  served.kind = type.storage.kind;
  return served;
}

/** kube's field order for ObjectMeta; keeps responses looking like kube-apiserver's. */
const META_ORDER = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
];

const OMIT_EMPTY = ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields', 'generateName'];

/** omitempty: Go drops empty maps and lists of ObjectMeta from what it stores, returns and converts (in place). */
export function dropEmptyMeta(meta: Record<string, unknown>): void {
  for (const k of OMIT_EMPTY) {
    const v = meta[k];
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0)
      || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) delete meta[k];
  }
}

/** Puts kind, apiVersion, metadata first and metadata's fields in kube's order (in place). */
export function canonicalOrder(obj: KubeObject): KubeObject {
  const meta = obj.metadata ?? {};
  const orderedMeta: Record<string, unknown> = {};
  for (const k of META_ORDER) if (meta[k] !== undefined) orderedMeta[k] = meta[k];
  // always present, so stored JSON has its place (filled from the revision when read; see rawListItem)
  orderedMeta.resourceVersion = meta.resourceVersion ?? '';
  // Go writes map keys sorted; so do we, so responses read like kube-apiserver's.
  if (meta.labels) orderedMeta.labels = sortedMap(meta.labels);
  if (meta.annotations) orderedMeta.annotations = sortedMap(meta.annotations);
  dropEmptyMeta(orderedMeta);
  for (const k of Object.keys(meta)) if (!META_ORDER.includes(k) && meta[k] !== undefined) orderedMeta[k] = meta[k];
  const { kind, apiVersion, metadata: _m, ...rest } = obj;
  for (const k of Object.keys(obj)) delete obj[k];
  if (kind !== undefined) obj.kind = kind;
  if (apiVersion !== undefined) obj.apiVersion = apiVersion;
  obj.metadata = orderedMeta;
  Object.assign(obj, rest);
  return obj;
}

/**
 * A list item's JSON straight from its stored text: without kind and apiVersion, with the
 * resourceVersion placeholder filled in. Undefined when the text is not in the canonical layout
 * canonicalOrder writes (older data, other writers): the caller then serialises the object.
 */
export function rawListItem(type: ResourceType, raw: string, resourceVersion: number): string | undefined {
  const head = `{"kind":${JSON.stringify(type.storage.kind)},"apiVersion":${JSON.stringify(type.storage.apiVersion)},`;
  if (!raw.startsWith(head)) return undefined;
  const placeholder = raw.indexOf('"resourceVersion":""', head.length);
  if (placeholder < 0) return undefined;
  const at = placeholder + '"resourceVersion":"'.length;
  // items of an unstructured list (custom resources) keep their kind and apiVersion
  const typeMeta = type.customResource ? `"kind":${JSON.stringify(type.kind)},"apiVersion":${JSON.stringify(apiVersionOfType(type))},` : '';
  return `{${typeMeta}${raw.slice(head.length, at)}${resourceVersion}${raw.slice(at)}`;
}

function sortedMap(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}
