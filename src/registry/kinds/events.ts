// core/v1 Event (pkg/registry/core/event, pkg/apis/core/validation/events.go), and the pieces the
// events.k8s.io/v1 view of the same storage shares (see eventsv1.ts).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isDNS1123Subdomain, isQualifiedName, validatePathSegmentName } from '../../apimachinery/validation.js';
import { column, nameColumn, timestampMillis, humanDuration } from '../table.js';
import type { RequestContext, ResourceType, TableConvertor } from '../types.js';
import {
  decodeError, ensureObj, isObj, isZeroTime, normalizeTimeField, numAt, objAt, omitEmpty, orderKeys, strAt, type Obj,
} from './_util.js';

export const EVENT_TYPE_NORMAL = 'Normal';
export const EVENT_TYPE_WARNING = 'Warning';

export const REPORTING_INSTANCE_LENGTH_LIMIT = 128;
export const ACTION_LENGTH_LIMIT = 128;
export const REASON_LENGTH_LIMIT = 128;
export const NOTE_LENGTH_LIMIT = 1024;

/** Which API a request came through; kube's event validation depends on it. */
export type EventAPI = 'v1' | 'events.k8s.io/v1';

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

function eventNamespace(ev: KubeObject, ctx?: RequestContext): string {
  return ev.metadata?.namespace ?? ctx?.namespace ?? '';
}

/** legacyValidateEvent: the rules every event passes, whichever API it is written through. */
export function legacyValidateEvent(ev: KubeObject, api: EventAPI, ctx?: RequestContext): FieldError[] {
  const errs: FieldError[] = [];
  const ns = eventNamespace(ev, ctx);
  const ioNs = strAt(ev.involvedObject, 'namespace');
  const reportingControllerField = api === 'v1' ? 'reportingComponent' : 'reportingController';
  if (isZeroTime(ev.eventTime)) {
    if (ioNs === '') {
      if (ns !== '' && ns !== 'default') errs.push(field.invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    } else if (ns !== ioNs) {
      errs.push(field.invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    }
  } else {
    if (ioNs === '' && ns !== 'default' && ns !== 'kube-system') {
      errs.push(field.invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    }
    const rc = strAt(ev, 'reportingComponent');
    if (rc === '') errs.push(field.required(reportingControllerField));
    for (const msg of isQualifiedName(rc)) errs.push(field.invalid(reportingControllerField, rc, msg));
    const ri = strAt(ev, 'reportingInstance');
    if (ri === '') errs.push(field.required('reportingInstance'));
    if (byteLen(ri) > REPORTING_INSTANCE_LENGTH_LIMIT) {
      errs.push(field.invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LENGTH_LIMIT} characters`));
    }
    const action = strAt(ev, 'action');
    if (action === '') errs.push(field.required('action'));
    if (byteLen(action) > ACTION_LENGTH_LIMIT) errs.push(field.invalid('action', '', `can have at most ${ACTION_LENGTH_LIMIT} characters`));
    const reason = strAt(ev, 'reason');
    if (reason === '') errs.push(field.required('reason'));
    if (byteLen(reason) > REASON_LENGTH_LIMIT) errs.push(field.invalid('reason', '', `can have at most ${REASON_LENGTH_LIMIT} characters`));
    if (byteLen(strAt(ev, 'message')) > NOTE_LENGTH_LIMIT) {
      errs.push(field.invalid('message', '', `can have at most ${NOTE_LENGTH_LIMIT} characters`));
    }
  }
  for (const msg of isDNS1123Subdomain(ns)) errs.push(field.invalid('namespace', ns, msg));
  return errs;
}

/** validateV1EventSeries. */
function validateV1EventSeries(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const series = objAt(ev, 'series');
  if (series) {
    if (numAt(series, 'count') < 2) errs.push(field.invalid('series.count', '', 'should be at least 2'));
    if (isZeroTime(series.lastObservedTime)) errs.push(field.required('series.lastObservedTime'));
  }
  return errs;
}

/** ValidateEventCreate on the core form of an event. */
export function validateEventCreate(ev: KubeObject, api: EventAPI, ctx?: RequestContext): FieldError[] {
  const errs = legacyValidateEvent(ev, api, ctx);
  if (api === 'v1') return errs;
  errs.push(...validateV1EventSeries(ev));
  if (isZeroTime(ev.eventTime)) errs.push(field.required('eventTime'));
  const type = strAt(ev, 'type');
  if (type !== EVENT_TYPE_NORMAL && type !== EVENT_TYPE_WARNING) errs.push(field.invalid('type', '', `has invalid value: ${type}`));
  if (!isZeroTime(ev.firstTimestamp)) errs.push(field.invalid('firstTimestamp', '', 'needs to be unset'));
  if (!isZeroTime(ev.lastTimestamp)) errs.push(field.invalid('lastTimestamp', '', 'needs to be unset'));
  if (numAt(ev, 'count') !== 0) errs.push(field.invalid('count', '', 'needs to be unset'));
  if (strAt(ev.source, 'component') !== '' || strAt(ev.source, 'host') !== '') errs.push(field.invalid('source', '', 'needs to be unset'));
  return errs;
}

// Immutable-field errors print kube's internal Go structs, which have no JSON tags.
function internalObjectReference(ref: unknown): Obj {
  return {
    Kind: strAt(ref, 'kind'), Namespace: strAt(ref, 'namespace'), Name: strAt(ref, 'name'), UID: strAt(ref, 'uid'),
    APIVersion: strAt(ref, 'apiVersion'), ResourceVersion: strAt(ref, 'resourceVersion'), FieldPath: strAt(ref, 'fieldPath'),
  };
}

function internalSource(src: unknown): Obj {
  return { Component: strAt(src, 'component'), Host: strAt(src, 'host') };
}

const timeValue = (v: unknown): unknown => (isZeroTime(v) ? null : v);

function immutable(path: string, changed: boolean, shown: unknown): FieldError[] {
  return changed ? [field.invalid(path, shown, 'field is immutable')] : [];
}

function refEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(internalObjectReference(a)) === JSON.stringify(internalObjectReference(b));
}

function seriesEqual(a: unknown, b: unknown): boolean {
  const na = !isObj(a);
  const nb = !isObj(b);
  if (na || nb) return na && nb;
  return numAt(a, 'count') === numAt(b, 'count') && timeValue(a.lastObservedTime) === timeValue(b.lastObservedTime);
}

/** ValidateEventUpdate on core forms. */
export function validateEventUpdate(ev: KubeObject, old: KubeObject, api: EventAPI, ctx?: RequestContext): FieldError[] {
  const errs = legacyValidateEvent(ev, api, ctx);
  if (api === 'v1') return errs;
  if (!seriesEqual(ev.series, old.series)) errs.push(...validateV1EventSeries(ev));
  errs.push(...immutable('involvedObject', !refEqual(ev.involvedObject, old.involvedObject), internalObjectReference(ev.involvedObject)));
  const str = (k: string): FieldError[] => immutable(k, strAt(ev, k) !== strAt(old, k), strAt(ev, k));
  errs.push(...str('reason'));
  errs.push(...str('message'));
  const srcNew = internalSource(ev.source);
  errs.push(...immutable('source', JSON.stringify(srcNew) !== JSON.stringify(internalSource(old.source)), srcNew));
  for (const k of ['firstTimestamp', 'lastTimestamp']) {
    errs.push(...immutable(k, timeValue(ev[k]) !== timeValue(old[k]), timeValue(ev[k])));
  }
  errs.push(...immutable('count', numAt(ev, 'count') !== numAt(old, 'count'), numAt(ev, 'count')));
  errs.push(...str('reason'));
  errs.push(...str('type'));
  // eventTime: sub-microsecond changes are tolerated; MicroTime values here are already microsecond precision.
  errs.push(...immutable('eventTime', timeValue(ev.eventTime) !== timeValue(old.eventTime), timeValue(ev.eventTime)));
  errs.push(...str('action'));
  const relNew = isObj(ev.related) ? internalObjectReference(ev.related) : null;
  const relOld = isObj(old.related) ? internalObjectReference(old.related) : null;
  errs.push(...immutable('related', JSON.stringify(relNew) !== JSON.stringify(relOld), relNew));
  errs.push(...immutable('reportingController', strAt(ev, 'reportingComponent') !== strAt(old, 'reportingComponent'), strAt(ev, 'reportingComponent')));
  errs.push(...str('reportingInstance'));
  return errs;
}

// ---- wire shapes ----

export const OBJECT_REFERENCE_KEYS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

/** corev1.ObjectReference: every field is omitempty. */
export function shapeObjectReference(ref: Obj): Obj {
  omitEmpty(ref, ...OBJECT_REFERENCE_KEYS);
  orderKeys(ref, OBJECT_REFERENCE_KEYS);
  return ref;
}

function shapeSource(o: Obj, k: string): void {
  const src = ensureObj(o, k);
  omitEmpty(src, 'component', 'host');
  orderKeys(src, ['component', 'host']);
}

function nullTime(o: Obj, k: string): void {
  if (isZeroTime(o[k])) o[k] = null;
}

/** The JSON kube serialises a core/v1 Event as. */
export function shapeCoreEvent(ev: KubeObject): void {
  shapeObjectReference(ensureObj(ev, 'involvedObject'));
  omitEmpty(ev, 'reason', 'message', 'count', 'type', 'action');
  shapeSource(ev, 'source');
  nullTime(ev, 'firstTimestamp');
  nullTime(ev, 'lastTimestamp');
  nullTime(ev, 'eventTime');
  if (isObj(ev.series)) {
    omitEmpty(ev.series, 'count');
    nullTime(ev.series, 'lastObservedTime');
    orderKeys(ev.series, ['count', 'lastObservedTime']);
  } else {
    delete ev.series;
  }
  if (isObj(ev.related)) shapeObjectReference(ev.related);
  else delete ev.related;
  if (typeof ev.reportingComponent !== 'string') ev.reportingComponent = '';
  if (typeof ev.reportingInstance !== 'string') ev.reportingInstance = '';
  orderKeys(ev, ['kind', 'apiVersion', 'metadata', 'involvedObject', 'reason', 'message', 'source', 'firstTimestamp',
    'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance']);
}

/** Normalises the time fields of a decoded event; throws kube's decode error for unparsable ones. */
export function normalizeEventTimes(ev: KubeObject, times: string[], microTimes: string[]): void {
  const fail = (msg: string | undefined): void => {
    if (msg) throw decodeError('Event', 'v1', msg);
  };
  for (const k of times) fail(normalizeTimeField(ev, k, false));
  for (const k of microTimes) fail(normalizeTimeField(ev, k, true));
  if (isObj(ev.series)) fail(normalizeTimeField(ev.series, 'lastObservedTime', true));
}

// ---- field selectors (event.ToSelectableFields) ----

export function coreEventSelectableFields(ev: KubeObject): Record<string, string> {
  const io = ev.involvedObject;
  let source = strAt(ev.source, 'component');
  if (source === '') source = strAt(ev, 'reportingComponent');
  return {
    'involvedObject.kind': strAt(io, 'kind'),
    'involvedObject.namespace': strAt(io, 'namespace'),
    'involvedObject.name': strAt(io, 'name'),
    'involvedObject.uid': strAt(io, 'uid'),
    'involvedObject.apiVersion': strAt(io, 'apiVersion'),
    'involvedObject.resourceVersion': strAt(io, 'resourceVersion'),
    'involvedObject.fieldPath': strAt(io, 'fieldPath'),
    reason: strAt(ev, 'reason'),
    reportingComponent: strAt(ev, 'reportingComponent'),
    source,
    type: strAt(ev, 'type'),
  };
}

// ---- table (printEvent) ----

function since(ts: unknown, now: Date): string {
  const ms = timestampMillis(ts);
  return ms === undefined ? '<unknown>' : humanDuration(now.getTime() - ms);
}

/** printEvent's cells for the core form of an event (the server always prints wide). */
export function coreEventCells(ev: KubeObject, now: Date): unknown[] {
  let first = since(ev.firstTimestamp, now);
  if (isZeroTime(ev.firstTimestamp)) first = since(ev.eventTime, now);
  let last = since(ev.lastTimestamp, now);
  if (isZeroTime(ev.lastTimestamp)) last = first;
  let count = numAt(ev, 'count');
  if (isObj(ev.series)) {
    last = since(ev.series.lastObservedTime, now);
    count = numAt(ev.series, 'count');
  } else if (count === 0) {
    count = 1;
  }
  const io = ev.involvedObject;
  const kind = strAt(io, 'kind').toLowerCase();
  const target = strAt(io, 'name') ? `${kind}/${strAt(io, 'name')}` : kind;
  const component = strAt(ev.source, 'component') || strAt(ev, 'reportingComponent');
  const instance = strAt(ev.source, 'host') || strAt(ev, 'reportingInstance');
  const source = instance ? `${component}, ${instance}` : component;
  return [last, strAt(ev, 'type'), strAt(ev, 'reason'), target, strAt(io, 'fieldPath'), source,
    strAt(ev, 'message').trim(), first, count, ev.metadata?.name ?? ''];
}

export const eventTableColumns = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.', { priority: 1 }),
  column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
  nameColumn(1),
];

const coreEventTable: TableConvertor = { columns: eventTableColumns, cells: coreEventCells };

export const CORE_EVENT_TIME_FIELDS = ['firstTimestamp', 'lastTimestamp'];
export const CORE_EVENT_MICRO_TIME_FIELDS = ['eventTime'];

export const events: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  listKind: 'EventList',
  singularName: 'event',
  shortNames: ['ev'],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: '', resource: 'events', apiVersion: 'v1', kind: 'Event' },
  schemaName: 'io.k8s.api.core.v1.Event',
  strategy: {
    // core/v1 event validation does not validate ObjectMeta itself: only the generic path-segment check applies.
    validateName: validatePathSegmentName,
    applyDefaults(ev) {
      normalizeEventTimes(ev, CORE_EVENT_TIME_FIELDS, CORE_EVENT_MICRO_TIME_FIELDS);
    },
    validate: (ev, ctx) => validateEventCreate(ev, 'v1', ctx),
    canonicalize: shapeCoreEvent,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    validateUpdate: (ev, old, ctx) => validateEventUpdate(ev, old, 'v1', ctx),
    selectableFields: coreEventSelectableFields,
    table: coreEventTable,
  },
};
