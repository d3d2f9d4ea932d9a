// Field management of one endpoint (a kind's resource or subresource), as kube-apiserver's default
// field manager stacks it (k8s.io/apimachinery managedfields/internal): version check, the
// last-applied upgrade path of kubectl, tracking from the first write, at most ten update managers,
// manager identifiers, times, and the metadata fields nobody owns, around the structured merge.

import { StatusError, badRequest } from '../apimachinery/errors.js';
import { goQuote } from '../apimachinery/gofmt.js';
import type { KubeObject } from '../apimachinery/object.js';
import { FieldSet, fieldElement, pathString, type Path } from './fieldpath.js';
import {
  decodeManagedFields, emptyManaged, encodeManagedFields, isReset, managerIdentifier, parseIdentifier, type Managed,
} from './managedfields.js';
import type { Atom } from './schema.js';
import { compare, toFieldSet, validateTyped } from './typed.js';
import { Conflicts, Updater, type Conflict, type Managers } from './updater.js';
import { compareStrings, goJSON } from './value.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_UPDATE_MANAGERS = 10;
const CURRENT_OPERATION = 'current-operation';
const BEFORE_FIRST_APPLY = 'before-first-apply';
const ANCIENT_CHANGES = 'ancient-changes';
/** apimachinery's TotalAnnotationSizeLimitB. */
const ANNOTATIONS_LIMIT = 256 * 1024;

/** The metadata nobody owns (stripMetaManager). */
const STRIPPED = FieldSet.of(
  [fieldElement('apiVersion')], [fieldElement('kind')], [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f) => [fieldElement('metadata'), fieldElement(f)]),
);

export interface EndpointScope {
  /** The served apiVersion and kind (apply bodies must name them). */
  apiVersion: string;
  kind: string;
  /** '' for the main resource, or the subresource (its managers are recorded with it). */
  subresource: string;
  atom: Atom;
  /** What the endpoint resets (e.g. status on the main resource): never owned. */
  resetFields?: FieldSet;
  /** The kind's empty object (what a create compares with, as kube's typed New()). */
  zero(): KubeObject;
}

function objectOf(v: unknown): KubeObject {
  return v as KubeObject;
}

function withoutManagedFields(o: KubeObject): KubeObject {
  if (!o.metadata || !('managedFields' in o.metadata)) return o;
  const { managedFields: _m, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

interface GVK {
  group: string;
  version: string;
  kind: string;
}

/**
 * An unstructured object's GroupVersionKind: schema.ParseGroupVersion of its apiVersion ("v1",
 * "apps/v1", "/v1" is the core v1 too), all empty when that does not parse ("a/b/c"); fields of
 * another type read as empty.
 */
function gvkOf(apiVersion: unknown, kind: unknown): GVK {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const k = typeof kind === 'string' ? kind : '';
  if (av === '' || av === '/') return { group: '', version: '', kind: k };
  const parts = av.split('/');
  if (parts.length === 1) return { group: '', version: av, kind: k };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]!, kind: k };
  return { group: '', version: '', kind: '' };
}

/** Go's GroupVersionKind.String. */
function gvkString(gvk: GVK): string {
  return `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

function metaString(o: KubeObject, key: 'namespace' | 'name'): string {
  const v = (o.metadata as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : '';
}

/** objectGVKNN: how kube names an object in field-manager errors. */
function objectName(o: KubeObject): string {
  return `${metaString(o, 'namespace')}/${metaString(o, 'name')}; ${gvkString(gvkOf(o.apiVersion, o.kind))}`;
}

const STRING_ENTRY_FIELDS = ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'];

/**
 * Unstructured.GetManagedFields is not nil: metadata.managedFields is a list whose items are maps
 * that convert to ManagedFieldsEntry (anything else reads as nil, and typed validation reports it).
 */
function hasManagedFields(o: KubeObject): boolean {
  const v = (o.metadata as Record<string, unknown> | undefined)?.managedFields;
  if (!Array.isArray(v)) return false;
  return v.every((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
    const e = item as Record<string, unknown>;
    for (const k of STRING_ENTRY_FIELDS) if (e[k] !== undefined && e[k] !== null && typeof e[k] !== 'string') return false;
    const t = e.time;
    return t === undefined || t === null || (typeof t === 'string' && !Number.isNaN(Date.parse(t)));
  });
}

function joinErrors(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : ['errors:', ...errs.map((e) => `  ${e}`)].join('\n');
}

function internalError(message: string): StatusError {
  return new StatusError(500, '', message, undefined);
}

export class FieldManager {
  private readonly updater: Updater;

  constructor(readonly scope: EndpointScope) {
    this.updater = new Updater(scope.atom, scope.resetFields);
  }

  private strip(fields: Managers, id: string): void {
    const vs = fields.get(id);
    if (!vs) return;
    const set = vs.set.difference(STRIPPED);
    if (set.empty) fields.delete(id);
    else fields.set(id, { ...vs, set });
  }

  /** The update stack below the skip-non-applied layer: cap(buildInfo(times(strip(merge)))). */
  private updateManaged(live: KubeObject, obj: KubeObject, managed: Managed, manager: string, now: string): void {
    const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: this.scope.apiVersion, subresource: this.scope.subresource });
    managed.fields = this.updater.update(withoutManagedFields(live), obj, this.scope.apiVersion, managed.fields, CURRENT_OPERATION);
    this.strip(managed.fields, CURRENT_OPERATION);
    const vs = managed.fields.get(CURRENT_OPERATION);
    if (vs) {
      managed.fields.delete(CURRENT_OPERATION);
      const previous = managed.fields.get(id);
      managed.fields.set(id, previous ? { ...vs, set: vs.set.union(previous.set) } : vs);
      managed.times.set(id, now);
    }
    this.capUpdateManagers(managed);
  }

  /**
   * FieldManager.UpdateNoErrors for a create (live undefined) or an update: records the writer as
   * the manager of what it added or changed and sets obj.metadata.managedFields.
   */
  update(live: KubeObject | undefined, obj: KubeObject, manager: string, now: string): void {
    const liveObj = live ?? this.scope.zero();
    let managed: Managed;
    const sent = obj.metadata?.managedFields;
    const fromLive = () => {
      try {
        return decodeManagedFields(liveObj.metadata?.managedFields);
      } catch {
        return emptyManaged();
      }
    };
    if (this.scope.subresource) managed = fromLive();
    else if (isReset(sent)) managed = emptyManaged();
    else {
      try {
        managed = decodeManagedFields(sent);
        if (managed.fields.size === 0) managed = fromLive();
      } catch {
        managed = fromLive();
      }
    }
    if (obj.metadata) delete obj.metadata.managedFields;
    // an existing object nobody manages is not tracked until something applies to it
    if (managed.fields.size === 0 && live?.metadata?.uid) return;
    if (validateTyped(obj, this.scope.atom, { allowDuplicates: true }).length
      || validateTyped(withoutManagedFields(liveObj), this.scope.atom, { allowDuplicates: true }).length) {
      return; // kube logs "[SHOULD NOT HAPPEN]" and stores the object without managedFields
    }
    try {
      this.updateManaged(liveObj, obj, managed, manager, now);
    } catch {
      return;
    }
    setManagedFields(obj, managed);
  }

  /**
   * FieldManager.Apply: the live object (undefined: the object does not exist yet) with the
   * configuration applied and its managedFields, or the live object unchanged when nothing changes.
   */
  apply(live: KubeObject | undefined, patch: KubeObject, manager: string, force: boolean, now: string): KubeObject {
    const liveObj = live ?? this.scope.zero();
    let managed: Managed;
    try {
      managed = decodeManagedFields(liveObj.metadata?.managedFields);
    } catch (e) {
      throw internalError(`failed to decode managed fields: ${(e as Error).message}`);
    }
    const gvk = gvkOf(patch.apiVersion, patch.kind);
    const want = gvkOf(this.scope.apiVersion, this.scope.kind);
    if (gvk.group !== want.group || gvk.version !== want.version || gvk.kind !== want.kind) {
      throw badRequest(`invalid object type: ${gvkString(gvk)}`);
    }
    const attempt = (force: boolean): KubeObject => this.applyOnce(liveObj, patch, copyManaged(managed), manager, force, now);
    let out: KubeObject;
    try {
      out = attempt(force);
    } catch (e) {
      // kubectl's client-side-apply upgrade: conflicts on fields its last-applied configuration
      // set to their live values are kubectl's own, and the apply goes through
      if (!(e instanceof Conflicts) || manager !== 'kubectl') throw conflictError(e);
      const allowed = this.allowedConflictsFromLastApplied(liveObj);
      if (!allowed) throw conflictError(e);
      const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length) throw conflictError(new Conflicts(remaining));
      out = attempt(true);
    }
    if (manager === 'kubectl' && hasLastApplied(out)) setLastApplied(out, buildLastApplied(patch));
    return out;
  }

  private applyOnce(liveObj: KubeObject, patch: KubeObject, managed: Managed, manager: string, force: boolean, now: string): KubeObject {
    let live = withoutManagedFields(liveObj);
    if (managed.fields.size === 0) {
      // skipNonApplied: whatever exists before the first apply belongs to "before-first-apply"
      this.updateManaged(this.scope.zero(), live, managed, BEFORE_FIRST_APPLY, now);
    }
    const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Apply', subresource: this.scope.subresource });
    if (hasManagedFields(patch)) throw badRequest('metadata.managedFields must be nil');
    const patchErrs = validateTyped(patch, this.scope.atom);
    if (patchErrs.length) throw internalError(`failed to create typed patch object (${objectName(patch)}): ${joinErrors(patchErrs)}`);
    const liveErrs = validateTyped(live, this.scope.atom, { allowDuplicates: true });
    if (liveErrs.length) throw internalError(`failed to create typed live object (${objectName(live)}): ${joinErrors(liveErrs)}`);
    const { object, managers } = this.updater.apply(live, patch, this.scope.apiVersion, managed.fields, id, force);
    managed.fields = managers;
    this.strip(managed.fields, id);
    let result: KubeObject;
    if (object !== undefined) {
      managed.times.set(id, now);
      result = objectOf(object);
    } else {
      result = structuredClone(live);
    }
    live = result;
    setManagedFields(live, managed);
    return live;
  }

  /** capManagersManager: the oldest update managers beyond ten merge into "ancient-changes". */
  private capUpdateManagers(managed: Managed): void {
    const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
    if (updaters.length <= MAX_UPDATE_MANAGERS) return;
    const secs = (id: string) => {
      const t = managed.times.get(id);
      return t ? Math.floor(Date.parse(t) / 1000) : 0;
    };
    updaters.sort((a, b) => secs(a) - secs(b) || (a < b ? -1 : a > b ? 1 : 0));
    const firstOfVersion = new Map<string, string>();
    let length = updaters.length;
    for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
      const id = updaters[i]!;
      const vs = managed.fields.get(id)!;
      const time = managed.times.get(id);
      const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: vs.apiVersion });
      const first = firstOfVersion.get(vs.apiVersion);
      if (first === undefined) {
        firstOfVersion.set(vs.apiVersion, id);
        continue;
      }
      if (!managed.fields.has(bucket)) {
        const s = managed.fields.get(first)!;
        managed.fields.delete(first);
        managed.fields.set(bucket, s);
      }
      managed.fields.set(bucket, { set: vs.set.union(managed.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
      managed.fields.delete(id);
      length--;
      managed.times.set(bucket, time);
    }
  }

  /** lastAppliedManager: the fields of the last-applied configuration that still hold their values. */
  private allowedConflictsFromLastApplied(live: KubeObject): FieldSet | undefined {
    const text = live.metadata?.annotations?.[LAST_APPLIED];
    if (!text) return undefined;
    let last: KubeObject;
    try {
      last = JSON.parse(text) as KubeObject;
    } catch {
      return undefined;
    }
    if (last?.apiVersion !== this.scope.apiVersion) return undefined;
    const liveTyped = withoutManagedFields(live);
    if (validateTyped(last, this.scope.atom).length || validateTyped(liveTyped, this.scope.atom).length) return undefined;
    const c = compare(last, liveTyped, this.scope.atom);
    return toFieldSet(last, this.scope.atom).difference(c.modified).difference(c.added).difference(c.removed);
  }
}

function copyManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

function setManagedFields(obj: KubeObject, managed: Managed): void {
  const entries = encodeManagedFields(managed);
  obj.metadata ??= {};
  if (entries) obj.metadata.managedFields = entries as unknown[];
  else delete obj.metadata.managedFields;
}

function hasLastApplied(o: KubeObject): boolean {
  return !!o.metadata?.annotations?.[LAST_APPLIED];
}

/** The applied configuration as kubectl's annotation holds it: Go's sorted-key JSON and a newline. */
function buildLastApplied(patch: KubeObject): string {
  const copy = structuredClone(patch);
  const ann = copy.metadata?.annotations;
  if (ann) delete ann[LAST_APPLIED];
  return `${goJSON(sortKeys(copy))}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function setLastApplied(o: KubeObject, value: string): void {
  o.metadata ??= {};
  const ann: Record<string, string> = { ...(o.metadata.annotations ?? {}), [LAST_APPLIED]: value };
  let size = 0;
  // ValidateAnnotationsSize counts bytes
  for (const [k, v] of Object.entries(ann)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > ANNOTATIONS_LIMIT) delete ann[LAST_APPLIED];
  o.metadata.annotations = ann;
}

/** printManager: how a manager reads in a conflict (Go's %q of its name, the apiVersion of an update). */
function printManager(id: string): string {
  let e: ReturnType<typeof parseIdentifier> & { time?: unknown };
  try {
    e = parseIdentifier(id);
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error('not an entry');
  } catch {
    return goQuote(id);
  }
  let time: string | undefined;
  if (e.time !== undefined && e.time !== null) {
    const ms = typeof e.time === 'string' ? Date.parse(e.time) : NaN;
    if (Number.isNaN(ms)) return goQuote(id);
    time = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  let s = goQuote(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${goQuote(e.subresource)}`;
  if (e.operation === 'Update') s += time ? ` using ${e.apiVersion ?? ''} at ${time}` : ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** NewConflictError: kube's 409 listing every conflicting manager and field. */
export function conflictError(e: unknown): unknown {
  if (!(e instanceof Conflicts)) return e;
  // (causes in the order of the conflicts; the message groups them by manager, sorted)
  const conflicts: Conflict[] = e.conflicts;
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.manager)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort(compareStrings)) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) })),
  });
}
