// The pure steps of a sync: a tenant object as it goes down, its downstream status as it comes up,
// related objects copied up, an imported CRD, and the small templates of a PublishedResource.
// Nothing here does I/O, so each rule is unit-tested on its own (test/unit/sync/transform.test.ts).

import { createHash } from 'node:crypto';
import { deepCopy, isPlainObject } from '../apimachinery/object.js';
import { clusterLabelValue, defaultDownstreamNamespace } from './naming.js';
import {
  ANN_GENERATION, ANN_NAME, ANN_NAMESPACE, ANN_PUBLISHED_BY, ANN_UID, ANN_WORKSPACE, LABEL_CLUSTER, LABEL_RELATED,
} from './types.js';

export type Obj = Record<string, unknown>;

/** Annotations that only make sense where they were written, never copied down or up. */
const LOCAL_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

function metaOf(o: Obj): Record<string, unknown> {
  return isPlainObject(o.metadata) ? o.metadata : {};
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

// ------------------------------------------------------------------ templates

export interface TemplateValues {
  [key: string]: string;
}

/** `{{ .Name }}`-style placeholders; an unknown one is an error (so a typo never renders as ""). */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k: string) => {
    if (!Object.prototype.hasOwnProperty.call(values, k)) throw new Error(`unknown template value .${k} (known: ${Object.keys(values).map((x) => `.${x}`).join(', ')})`);
    return values[k]!;
  });
}

/** Placeholders a template uses that are not in `known`. */
export function unknownTemplateKeys(template: string, known: readonly string[]): string[] {
  return [...template.matchAll(/\{\{\s*\.(\w+)\s*\}\}/g)].map((m) => m[1]!).filter((k) => !known.includes(k));
}

export const NAMESPACE_TEMPLATE_KEYS = ['Workspace', 'WorkspacePath', 'ClusterUID', 'Namespace', 'Hash'] as const;
export const NAME_TEMPLATE_KEYS = ['Name', 'Namespace'] as const;

/** The downstream namespace of a tenant namespace: the template's (lower-cased, made a DNS label) or the default. */
export function downstreamNamespace(template: string | undefined, clusterPath: string, clusterUid: string, namespace: string): string {
  if (!template) return defaultDownstreamNamespace({ clusterUid, clusterPath, namespace });
  const hash = createHash('sha256').update(`${clusterUid}\u0000${namespace}`).digest('hex').slice(0, 10);
  const out = renderTemplate(template, {
    Workspace: clusterPath.slice(clusterPath.lastIndexOf(':') + 1), WorkspacePath: clusterPath.replace(/:/g, '-'),
    ClusterUID: clusterUid, Namespace: namespace, Hash: hash,
  });
  return out.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}

// ------------------------------------------------------------------ down

export interface Origin {
  clusterPath: string;
  clusterUid: string;
}

/**
 * The downstream form of a tenant object: the same name, the mapped namespace, the tenant's labels
 * and annotations plus where it comes from; never uid, resourceVersion, managedFields, owners,
 * finalizers, generation or status (the management cluster's controllers own those there).
 */
export function toDownstream(obj: Obj, downstreamNs: string | undefined, origin: Origin): Obj {
  const m = metaOf(obj);
  const annotations = stringMap(m.annotations);
  for (const a of LOCAL_ANNOTATIONS) delete annotations[a];
  annotations[ANN_WORKSPACE] = origin.clusterPath;
  if (typeof m.namespace === 'string') annotations[ANN_NAMESPACE] = m.namespace;
  annotations[ANN_NAME] = String(m.name);
  annotations[ANN_UID] = String(m.uid ?? '');
  annotations[ANN_GENERATION] = String(m.generation ?? 1);
  const labels = { ...stringMap(m.labels), [LABEL_CLUSTER]: clusterLabelValue(origin.clusterUid) };
  const out: Obj = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: m.name, ...(downstreamNs ? { namespace: downstreamNs } : {}), labels, annotations } };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    out[k] = deepCopy(v);
  }
  return out;
}

/**
 * Whether `actual` already holds everything `desired` says (objects compared key by key, lists
 * and scalars exactly): the management cluster may add defaults, but a synced field edited there
 * differs, and the syncer writes it back (drift repair). Equal means no request at all.
 */
export function holds(actual: unknown, desired: unknown): boolean {
  if (isPlainObject(desired)) {
    if (!isPlainObject(actual)) return false;
    for (const [k, v] of Object.entries(desired)) if (!holds(actual[k], v)) return false;
    return true;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return false;
    return desired.every((v, i) => holds(actual[i], v));
  }
  return actual === desired;
}

/** Whether the downstream object is the copy of this tenant object (and not of an earlier one of the same name). */
export function isCopyOf(downstream: Obj, tenantUid: string | undefined): boolean {
  return stringMap(metaOf(downstream).annotations)[ANN_UID] === tenantUid;
}

// ------------------------------------------------------------------ up

/**
 * The tenant's view of the downstream status: observedGeneration (top-level and in conditions)
 * is about the downstream object's generations; it is told in the tenant object's. A value that
 * has caught up with the downstream spec we wrote means "caught up with the tenant generation we
 * wrote it from"; an older one means "not yet", which the tenant sees as one generation behind.
 */
export function statusUp(downstream: Obj, tenantGeneration: number, writtenAt?: number): unknown {
  const status = downstream.status;
  if (!isPlainObject(status)) return status === undefined ? undefined : deepCopy(status);
  const m = metaOf(downstream);
  const current = typeof m.generation === 'number' ? m.generation : undefined;
  // the downstream generation our last write made, when known: the management cluster's own
  // controllers bump it later (Cluster API's topology controller fills in refs), and a status
  // that has seen our write has seen the tenant's spec
  const dsGen = current === undefined ? undefined : Math.min(current, writtenAt ?? current);
  const written = Number(stringMap(m.annotations)[ANN_GENERATION] ?? tenantGeneration);
  const map = (g: unknown): unknown => {
    if (typeof g !== 'number' || dsGen === undefined) return g;
    if (g >= dsGen) return written;
    return Math.max(0, Math.min(written, tenantGeneration) - 1);
  };
  const out = deepCopy(status);
  if ('observedGeneration' in out) {
    out.observedGeneration = map(out.observedGeneration);
    // older than the tenant's first generation: "not observed", said by leaving it out (schemas
    // such as Cluster API's require status.observedGeneration >= 1)
    if (out.observedGeneration === 0) delete out.observedGeneration;
  }
  const fix = (conds: unknown): void => {
    if (!Array.isArray(conds)) return;
    for (const c of conds) if (isPlainObject(c) && 'observedGeneration' in c) c.observedGeneration = map(c.observedGeneration);
  };
  fix(out.conditions);
  // Cluster API v1beta2 keeps the v1beta1 conditions under status.deprecated.v1beta1
  if (isPlainObject(out.deprecated) && isPlainObject(out.deprecated.v1beta1)) fix(out.deprecated.v1beta1.conditions);
  return out;
}

/** A related object (a kubeconfig Secret) as the tenant gets it: owned by the tenant object, so it goes with it. */
export function relatedUp(downstream: Obj, namespace: string, owner: { apiVersion: string; kind: string; name: string; uid: string }, publishedBy: string): Obj {
  const m = metaOf(downstream);
  const labels: Record<string, string> = { ...stringMap(m.labels), [LABEL_RELATED]: 'true' };
  delete labels[LABEL_CLUSTER];
  const out: Obj = {
    apiVersion: downstream.apiVersion,
    kind: downstream.kind,
    metadata: {
      name: m.name, namespace, labels,
      annotations: { [ANN_PUBLISHED_BY]: publishedBy },
      ownerReferences: [{ ...owner, controller: true }],
    },
  };
  for (const [k, v] of Object.entries(downstream)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    out[k] = deepCopy(v);
  }
  return out;
}

/** A catalog object (a ClusterClass) as every bound workspace sees it: read-only, in a namespace of the same name. */
export function catalogUp(downstream: Obj, publishedBy: string): Obj {
  const m = metaOf(downstream);
  const out: Obj = {
    apiVersion: downstream.apiVersion,
    kind: downstream.kind,
    metadata: {
      name: m.name, ...(typeof m.namespace === 'string' ? { namespace: m.namespace } : {}),
      labels: stringMap(m.labels),
      annotations: { ...stringMap(m.annotations), [ANN_PUBLISHED_BY]: publishedBy },
    },
  };
  for (const a of LOCAL_ANNOTATIONS) delete (out.metadata as { annotations: Record<string, string> }).annotations[a];
  for (const [k, v] of Object.entries(downstream)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    out[k] = deepCopy(v);
  }
  return out;
}

// ------------------------------------------------------------------ schema import

/**
 * The CRD a bound workspace is served for a published resource: the management cluster's spec
 * (versions, storage version, served flags, schemas) and labels (Cluster API's contract labels,
 * clusterctl's), marked as imported. Conversion webhooks are kept as the management cluster has
 * them; kplane calls them through the management cluster (see src/sync/README.md).
 */
export function importedCRD(downstream: Obj, publishedBy: string): Obj {
  const m = metaOf(downstream);
  const spec = deepCopy((downstream.spec ?? {}) as Obj);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: m.name, labels: stringMap(m.labels), annotations: { [ANN_PUBLISHED_BY]: publishedBy } },
    spec,
  };
}

/**
 * Whether the tenant's copy of something the syncer writes differs from what it should be
 * (content, labels, annotations). `exact`: content the server does not default (a Secret's data)
 * must also have nothing more; otherwise server defaults on the copy are fine.
 */
export function differs(current: Obj | undefined, desired: Obj, exact = true): boolean {
  if (!current) return true;
  const cm = metaOf(current);
  const dm = metaOf(desired);
  if (!holds(cm.labels ?? {}, dm.labels ?? {}) || !holds(dm.labels ?? {}, cm.labels ?? {})) return true;
  if (!holds(cm.annotations ?? {}, dm.annotations ?? {})) return true;
  if (dm.ownerReferences !== undefined && !holds(cm.ownerReferences, dm.ownerReferences)) return true;
  for (const [k, v] of Object.entries(desired)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    if (!holds(current[k], v) || (exact && !holds(v, current[k]))) return true;
  }
  return false;
}
