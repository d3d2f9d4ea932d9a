// events.k8s.io/v1 Event: a second view of the core/v1 events storage (pkg/registry/events/rest).
// Objects are stored as core/v1 Events; toStorage/fromStorage implement kube's conversion
// (pkg/apis/events/v1/conversion.go). Validation is kube's event validation for requests through
// events.k8s.io/v1 (stricter than core/v1), reporting core field names as kube does.
//
// The strategy accepts events in either form (it converts served-form objects to the core form
// first), so it does not depend on whether the store converts before or after calling it.

import type { KubeObject } from '../../apimachinery/object.js';
import { deepCopy } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  CORE_EVENT_MICRO_TIME_FIELDS, CORE_EVENT_TIME_FIELDS, coreEventCells, coreEventSelectableFields, eventTableColumns,
  normalizeEventTimes, shapeCoreEvent, shapeObjectReference, validateEventCreate, validateEventUpdate,
} from './events.js';
import { ensureObj, isObj, isZeroTime, numAt, omitEmpty, orderKeys, type Obj } from './_util.js';

export const EVENTS_V1_API_VERSION = 'events.k8s.io/v1';

function assign(o: Obj, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

/** Convert_v1_Event_To_core_Event: events.k8s.io/v1 -> core/v1 (the storage form). */
export function eventV1ToCore(ev: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: 'v1', metadata: deepCopy(ev.metadata ?? {}) };
  out.involvedObject = isObj(ev.regarding) ? deepCopy(ev.regarding) : {};
  assign(out, 'reason', ev.reason);
  assign(out, 'message', ev.note);
  out.source = isObj(ev.deprecatedSource) ? deepCopy(ev.deprecatedSource) : {};
  out.firstTimestamp = ev.deprecatedFirstTimestamp ?? null;
  out.lastTimestamp = ev.deprecatedLastTimestamp ?? null;
  assign(out, 'count', ev.deprecatedCount);
  assign(out, 'type', ev.type);
  out.eventTime = ev.eventTime ?? null;
  if (isObj(ev.series)) out.series = deepCopy(ev.series);
  assign(out, 'action', ev.action);
  if (isObj(ev.related)) out.related = deepCopy(ev.related);
  out.reportingComponent = typeof ev.reportingController === 'string' ? ev.reportingController : '';
  out.reportingInstance = typeof ev.reportingInstance === 'string' ? ev.reportingInstance : '';
  shapeCoreEvent(out);
  return out;
}

/** The JSON kube serialises an events.k8s.io/v1 Event as. */
export function shapeEventV1(ev: KubeObject): void {
  if (isZeroTime(ev.eventTime)) ev.eventTime = null;
  if (isObj(ev.series)) {
    ev.series.count = numAt(ev.series, 'count');
    if (isZeroTime(ev.series.lastObservedTime)) ev.series.lastObservedTime = null;
    orderKeys(ev.series, ['count', 'lastObservedTime']);
  } else {
    delete ev.series;
  }
  omitEmpty(ev, 'reportingController', 'reportingInstance', 'action', 'reason', 'note', 'type', 'deprecatedCount');
  shapeObjectReference(ensureObj(ev, 'regarding'));
  if (isObj(ev.related)) shapeObjectReference(ev.related);
  else delete ev.related;
  const src = ensureObj(ev, 'deprecatedSource');
  omitEmpty(src, 'component', 'host');
  orderKeys(src, ['component', 'host']);
  if (isZeroTime(ev.deprecatedFirstTimestamp)) ev.deprecatedFirstTimestamp = null;
  if (isZeroTime(ev.deprecatedLastTimestamp)) ev.deprecatedLastTimestamp = null;
  orderKeys(ev, ['kind', 'apiVersion', 'metadata', 'eventTime', 'series', 'reportingController', 'reportingInstance',
    'action', 'reason', 'regarding', 'related', 'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp',
    'deprecatedLastTimestamp', 'deprecatedCount']);
}

/** Convert_core_Event_To_v1_Event: core/v1 (storage) -> events.k8s.io/v1. */
export function coreEventToV1(ev: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: EVENTS_V1_API_VERSION, metadata: deepCopy(ev.metadata ?? {}) };
  out.eventTime = ev.eventTime ?? null;
  if (isObj(ev.series)) out.series = deepCopy(ev.series);
  assign(out, 'reportingController', ev.reportingComponent);
  assign(out, 'reportingInstance', ev.reportingInstance);
  assign(out, 'action', ev.action);
  assign(out, 'reason', ev.reason);
  out.regarding = isObj(ev.involvedObject) ? deepCopy(ev.involvedObject) : {};
  if (isObj(ev.related)) out.related = deepCopy(ev.related);
  assign(out, 'note', ev.message);
  assign(out, 'type', ev.type);
  out.deprecatedSource = isObj(ev.source) ? deepCopy(ev.source) : {};
  out.deprecatedFirstTimestamp = ev.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = ev.lastTimestamp ?? null;
  assign(out, 'deprecatedCount', ev.count);
  shapeEventV1(out);
  return out;
}

/** Whether an event object is in the core/v1 (storage) form rather than the events.k8s.io/v1 one. */
export function isCoreEventForm(ev: KubeObject): boolean {
  if (ev.apiVersion === 'v1') return true;
  if (ev.apiVersion === EVENTS_V1_API_VERSION) return false;
  return 'involvedObject' in ev || 'message' in ev || 'reportingComponent' in ev || 'firstTimestamp' in ev;
}

const asCore = (ev: KubeObject): KubeObject => (isCoreEventForm(ev) ? ev : eventV1ToCore(ev));

const V1_TIME_FIELDS = ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp'];
const V1_MICRO_TIME_FIELDS = ['eventTime'];

/** Field selectors kube accepts for events.k8s.io/v1 (mapped onto the core event's fields). */
const V1_FIELD_LABELS: Record<string, string> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  type: 'type',
};

export const eventsV1: ResourceType = {
  group: 'events.k8s.io',
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
  toStorage: eventV1ToCore,
  fromStorage: coreEventToV1,
  schemaName: 'io.k8s.api.events.v1.Event',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(ev) {
      if (isCoreEventForm(ev)) normalizeEventTimes(ev, CORE_EVENT_TIME_FIELDS, CORE_EVENT_MICRO_TIME_FIELDS);
      else normalizeEventTimes(ev, V1_TIME_FIELDS, V1_MICRO_TIME_FIELDS);
    },
    validate(ev, ctx) {
      return coreObjectMetaErrors(ev).concat(validateEventCreate(asCore(ev), 'events.k8s.io/v1', ctx));
    },
    canonicalize(ev) {
      if (isCoreEventForm(ev)) shapeCoreEvent(ev);
      else shapeEventV1(ev);
    },
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    validateUpdate(ev, old, ctx) {
      return validateEventUpdate(asCore(ev), asCore(old), 'events.k8s.io/v1', ctx);
    },
    selectableFields(ev) {
      const core = coreEventSelectableFields(asCore(ev));
      const out: Record<string, string> = {};
      for (const [label, coreLabel] of Object.entries(V1_FIELD_LABELS)) out[label] = core[coreLabel] ?? '';
      return out;
    },
    table: {
      columns: eventTableColumns,
      cells: (ev, now) => coreEventCells(asCore(ev), now),
    },
  },
};

