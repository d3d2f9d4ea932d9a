import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { events } from '../../../src/registry/kinds/events.js';
import { coreEventToV1, eventV1ToCore, eventsV1 } from '../../../src/registry/kinds/eventsv1.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const core = events.strategy;
const v1 = eventsV1.strategy;
const EVENT_TIME = '2017-09-19T13:49:16.000000Z';

function coreEvent(ns: string, involved: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'test', namespace: ns }, involvedObject: involved, ...extra };
}

describe('events: API metadata', () => {
  it('core/v1 matches kube discovery', () => {
    expect(events).toMatchObject({
      group: '', version: 'v1', resource: 'events', kind: 'Event', listKind: 'EventList', singularName: 'event',
      shortNames: ['ev'], categories: [], namespaced: true, subresources: [], schemaName: 'io.k8s.api.core.v1.Event',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      storage: { group: '', resource: 'events', apiVersion: 'v1', kind: 'Event' },
    });
    expect(core.allowCreateOnUpdate).toBe(true);
    expect(core.allowUnconditionalUpdate).toBe(true);
  });
  it('events.k8s.io/v1 shares the core storage', () => {
    expect(eventsV1).toMatchObject({
      group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', listKind: 'EventList', singularName: 'event',
      shortNames: ['ev'], categories: [], namespaced: true, schemaName: 'io.k8s.api.events.v1.Event',
      storage: { group: '', resource: 'events', apiVersion: 'v1', kind: 'Event' },
    });
    expect(v1.allowCreateOnUpdate).toBe(true);
  });
  it('names: path segments for core/v1, DNS subdomains for events.k8s.io', () => {
    expect(core.validateName('Foo_Bar', false)).toEqual([]);
    expect(core.validateName('a/b', false)).toEqual(["may not contain '/'"]);
    expect(v1.validateName('Foo_Bar', false)).not.toEqual([]);
  });
});

describe('core/v1 events: legacy validation', () => {
  const NS_MISMATCH = (v: string) => `involvedObject.namespace: Invalid value: "${v}": does not match event.namespace`;
  it.each<[string, KubeObject, string[]]>([
    ['namespace mismatch', coreEvent('foo', { namespace: 'bar', kind: 'Pod' }), [NS_MISMATCH('bar')]],
    ['cluster-scoped object in default', coreEvent('default', { apiVersion: 'v1', kind: 'Node' }), []],
    ['namespaced object in its namespace', coreEvent('foo', { apiVersion: 'batch/v1', kind: 'Job', namespace: 'foo' }), []],
    ['cluster-scoped object outside default', coreEvent('foo', { apiVersion: 'v1', kind: 'Node' }), [NS_MISMATCH('')]],
    ['object in another namespace', coreEvent('default', { apiVersion: 'batch/v1', kind: 'Job', namespace: 'foo' }), [NS_MISMATCH('foo')]],
    ['bad namespace', coreEvent('aoeu-_-aoeu', { kind: 'Pod', namespace: 'aoeu-_-aoeu' }), [
      "namespace: Invalid value: \"aoeu-_-aoeu\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]],
  ])('%s', (_n, ev, want) => expect(errs(core.validate(ev, ctx(ev.metadata.namespace)))).toEqual(want));

  it('with eventTime set, requires the reporting fields (named reportingComponent in core/v1)', () => {
    const ev = coreEvent('p1', {}, { eventTime: EVENT_TIME });
    expect(errs(core.validate(ev, ctx('p1')))).toEqual([
      'involvedObject.namespace: Invalid value: "": does not match event.namespace',
      'reportingComponent: Required value',
      'reportingComponent: Invalid value: "": name part must be non-empty',
      "reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ]);
  });
  it('limits lengths in bytes', () => {
    const ev = coreEvent('kube-system', { kind: 'Node' }, {
      eventTime: EVENT_TIME, reportingComponent: 'k8s.io/c', reportingInstance: 'i'.repeat(129), action: 'a'.repeat(129),
      reason: 'r'.repeat(129), message: 'é'.repeat(513),
    });
    expect(errs(core.validate(ev, ctx('kube-system')))).toEqual([
      'reportingInstance: Invalid value: "": can have at most 128 characters',
      'action: Invalid value: "": can have at most 128 characters',
      'reason: Invalid value: "": can have at most 128 characters',
      'message: Invalid value: "": can have at most 1024 characters',
    ]);
  });
  it('updates only re-run the legacy rules', () => {
    const old = coreEvent('foo', { kind: 'Pod', namespace: 'foo' }, { reason: 'A' });
    expect(core.validateUpdate(coreEvent('foo', { kind: 'Pod', namespace: 'foo', name: 'x' }, { reason: 'B' }), old, ctx('foo'))).toEqual([]);
  });
  it('normalises times when decoding and rejects bad ones', () => {
    const ev = coreEvent('foo', {}, { firstTimestamp: '2020-01-01T00:00:00.5+01:00', eventTime: null });
    core.applyDefaults!(ev);
    expect(ev.firstTimestamp).toBe('2019-12-31T23:00:00Z');
    expect(() => core.applyDefaults!(coreEvent('foo', {}, { eventTime: '2020-01-01T00:00:00Z' }))).toThrow(
      'Event in version "v1" cannot be handled as a Event: parsing time "2020-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"');
  });
  it('serialises like kube (null times, empty source, reporting fields always present)', () => {
    const ev: KubeObject = {
      kind: 'Event', apiVersion: 'v1', metadata: { name: 'ev1', namespace: 'p1' },
      involvedObject: { name: 'x', kind: 'Pod', namespace: 'p1', uid: '' }, message: 'hi', reason: 'R', count: 0,
    };
    core.canonicalize!(ev);
    expect(JSON.stringify(ev)).toBe(JSON.stringify({
      kind: 'Event', apiVersion: 'v1', metadata: { name: 'ev1', namespace: 'p1' },
      involvedObject: { kind: 'Pod', namespace: 'p1', name: 'x' }, reason: 'R', message: 'hi', source: {},
      firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '',
    }));
  });
});

describe('events.k8s.io/v1: validation', () => {
  const valid = (): KubeObject => ({
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'test', namespace: 'kube-system' },
    regarding: { apiVersion: 'v1', kind: 'Node' }, eventTime: EVENT_TIME, reportingController: 'k8s.io/my-controller',
    reportingInstance: 'node-xyz', action: 'Do', reason: 'Because', type: 'Normal',
  });
  const c = ctx('kube-system');
  it('accepts a valid event', () => expect(v1.validate(valid(), c)).toEqual([]));
  it('reports kube\'s messages with core field names (but reportingController)', () => {
    const ev: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'ev3', namespace: 'p1' },
      type: 'Foo', deprecatedCount: 3, series: { count: 1 } };
    expect(errs(v1.validate(ev, ctx('p1')))).toEqual([
      'involvedObject.namespace: Invalid value: "": does not match event.namespace',
      'series.count: Invalid value: "": should be at least 2',
      'series.lastObservedTime: Required value',
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: Foo',
      'count: Invalid value: "": needs to be unset',
    ]);
  });
  it.each<[string, Record<string, unknown>, string[]]>([
    ['not qualified reportingController', { reportingController: 'my-contr@ller' }, [
      "reportingController: Invalid value: \"my-contr@ller\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]],
    ['missing reason', { reason: undefined }, ['reason: Required value']],
    ['missing action', { action: '' }, ['action: Required value']],
    ['deprecated fields set', { deprecatedFirstTimestamp: '2020-01-01T00:00:00Z', deprecatedLastTimestamp: '2020-01-01T00:00:00Z',
      deprecatedSource: { component: 'x' } }, [
      'firstTimestamp: Invalid value: "": needs to be unset', 'lastTimestamp: Invalid value: "": needs to be unset',
      'source: Invalid value: "": needs to be unset']],
    ['bad type', { type: 'Info' }, ['type: Invalid value: "": has invalid value: Info']],
    ['valid series', { series: { count: 2, lastObservedTime: EVENT_TIME } }, []],
    ['non-standard finalizer', { metadata: { name: 'test', namespace: 'kube-system', finalizers: ['x'] } },
      ['metadata.finalizers[0]: Invalid value: "x": name is neither a standard finalizer name nor is it fully qualified']],
  ])('%s', (_n, patch, want) => {
    expect(errs(v1.validate({ ...valid(), ...patch } as KubeObject, c))).toEqual(want);
  });
  it('also accepts the storage (core) form', () => {
    expect(v1.validate(eventV1ToCore(valid()), c)).toEqual([]);
  });
  it('makes nearly everything immutable on update', () => {
    const old = valid();
    const ev: KubeObject = { ...valid(), action: 'Do2', regarding: { kind: 'Pod', name: 'y', namespace: 'p1' },
      deprecatedFirstTimestamp: '2019-12-31T23:00:00Z', reportingController: 'k8s.io/other', related: { kind: 'Pod' } };
    expect(errs(v1.validateUpdate(ev, old, c))).toEqual([
      'involvedObject: Invalid value: {"Kind":"Pod","Namespace":"p1","Name":"y","UID":"","APIVersion":"","ResourceVersion":"","FieldPath":""}: field is immutable',
      'firstTimestamp: Invalid value: "2019-12-31T23:00:00Z": field is immutable',
      'action: Invalid value: "Do2": field is immutable',
      'related: Invalid value: {"Kind":"Pod","Namespace":"","Name":"","UID":"","APIVersion":"","ResourceVersion":"","FieldPath":""}: field is immutable',
      'reportingController: Invalid value: "k8s.io/other": field is immutable',
    ]);
  });
  it('allows changing the series, validating the new one', () => {
    const old = { ...valid(), series: { count: 2, lastObservedTime: EVENT_TIME } };
    expect(v1.validateUpdate({ ...valid(), series: { count: 3, lastObservedTime: '2017-09-19T13:50:00.000000Z' } }, old, c)).toEqual([]);
    expect(errs(v1.validateUpdate({ ...valid(), series: { count: 1, lastObservedTime: EVENT_TIME } }, old, c)))
      .toEqual(['series.count: Invalid value: "": should be at least 2']);
  });
  it('an unchanged update is valid', () => {
    expect(v1.validateUpdate(valid(), valid(), c)).toEqual([]);
  });
});

describe('events.k8s.io/v1 <-> core/v1 conversion', () => {
  const full: KubeObject = {
    kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name: 'e', namespace: 'p1', uid: 'u1' },
    eventTime: EVENT_TIME, series: { count: 2, lastObservedTime: '2017-09-19T13:50:00.000000Z' },
    reportingController: 'k8s.io/c', reportingInstance: 'i', action: 'Do', reason: 'Because',
    regarding: { kind: 'Pod', namespace: 'p1', name: 'x', uid: 'u', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec' },
    related: { kind: 'Node', name: 'n' }, note: 'hello', type: 'Warning',
    deprecatedSource: { component: 'kubelet', host: 'h' }, deprecatedFirstTimestamp: '2017-09-19T13:00:00Z',
    deprecatedLastTimestamp: '2017-09-19T13:10:00Z', deprecatedCount: 4,
  };
  it('maps every field', () => {
    expect(eventV1ToCore(full)).toEqual({
      kind: 'Event', apiVersion: 'v1', metadata: { name: 'e', namespace: 'p1', uid: 'u1' },
      involvedObject: full.regarding, reason: 'Because', message: 'hello', source: { component: 'kubelet', host: 'h' },
      firstTimestamp: '2017-09-19T13:00:00Z', lastTimestamp: '2017-09-19T13:10:00Z', count: 4, type: 'Warning',
      eventTime: EVENT_TIME, series: full.series, action: 'Do', related: { kind: 'Node', name: 'n' },
      reportingComponent: 'k8s.io/c', reportingInstance: 'i',
    });
  });
  it('round-trips', () => {
    expect(coreEventToV1(eventV1ToCore(full))).toEqual(full);
    const minimal: KubeObject = { kind: 'Event', apiVersion: 'v1', metadata: { name: 'ev1', namespace: 'p1' },
      involvedObject: { kind: 'Pod', namespace: 'p1', name: 'x' }, reason: 'R', message: 'hi', source: {},
      firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '' };
    expect(eventV1ToCore(coreEventToV1(minimal))).toEqual(minimal);
  });
  it('renders an old-style core event as events.k8s.io/v1 like kube', () => {
    const coreEv: KubeObject = { kind: 'Event', apiVersion: 'v1', metadata: { name: 'ev1', namespace: 'p1' },
      involvedObject: { kind: 'Pod', namespace: 'p1', name: 'x' }, reason: 'R', message: 'hi', source: {},
      firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '' };
    expect(JSON.stringify(coreEventToV1(coreEv))).toBe(JSON.stringify({
      kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name: 'ev1', namespace: 'p1' }, eventTime: null,
      reason: 'R', regarding: { kind: 'Pod', namespace: 'p1', name: 'x' }, note: 'hi', deprecatedSource: {},
      deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null,
    }));
  });
  it('does not share nested objects with its input', () => {
    const out = eventV1ToCore(full);
    (out.involvedObject as Record<string, unknown>).name = 'changed';
    expect((full.regarding as Record<string, unknown>).name).toBe('x');
  });
});

describe('events: field selectors', () => {
  const ev: KubeObject = {
    apiVersion: 'v1', metadata: { name: 'e', namespace: 'p1' },
    involvedObject: { kind: 'Pod', namespace: 'p1', name: 'x', uid: 'u', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec' },
    reason: 'R', type: 'Normal', reportingComponent: 'rc', source: {},
  };
  it('core/v1 (ToSelectableFields; source falls back to reportingComponent)', () => {
    expect(core.selectableFields!(ev)).toEqual({
      'involvedObject.kind': 'Pod', 'involvedObject.namespace': 'p1', 'involvedObject.name': 'x', 'involvedObject.uid': 'u',
      'involvedObject.apiVersion': 'v1', 'involvedObject.resourceVersion': '5', 'involvedObject.fieldPath': 'spec',
      reason: 'R', reportingComponent: 'rc', source: 'rc', type: 'Normal',
    });
    expect(core.selectableFields!({ ...ev, source: { component: 'kubelet' } }).source).toBe('kubelet');
  });
  it('events.k8s.io/v1 labels (no source)', () => {
    const want = {
      reason: 'R', 'regarding.kind': 'Pod', 'regarding.namespace': 'p1', 'regarding.name': 'x', 'regarding.uid': 'u',
      'regarding.apiVersion': 'v1', 'regarding.resourceVersion': '5', 'regarding.fieldPath': 'spec',
      reportingController: 'rc', type: 'Normal',
    };
    expect(v1.selectableFields!(coreEventToV1(ev))).toEqual(want);
    expect(v1.selectableFields!(ev)).toEqual(want);
  });
});

describe('events: table (printEvent, wide)', () => {
  it('has kube\'s columns', () => {
    expect(core.table!.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0],
      ['First Seen', 1], ['Count', 1], ['Name', 1],
    ]);
    expect(core.table!.columns.at(-1)!.format).toBe('name');
    expect(v1.table!.columns).toBe(core.table!.columns);
  });
  it('old-style event without times', () => {
    const ev = coreEvent('p1', { kind: 'Pod', namespace: 'p1', name: 'x' }, { message: ' hi\n', reason: 'R', source: {} });
    ev.metadata.name = 'ev1';
    expect(core.table!.cells(ev, NOW)).toEqual(['<unknown>', '', 'R', 'pod/x', '', '', 'hi', '<unknown>', 1, 'ev1']);
  });
  it('old-style event with timestamps and count', () => {
    const ev = coreEvent('p1', { kind: 'Node', fieldPath: 'spec' }, {
      firstTimestamp: ago(3600), lastTimestamp: ago(65), count: 7, type: 'Warning', reason: 'R',
      source: { component: 'kubelet', host: 'node1' },
    });
    expect(core.table!.cells(ev, NOW)).toEqual(['65s', 'Warning', 'R', 'node', 'spec', 'kubelet, node1', '', '60m', 7, 'test']);
  });
  it('new-style event: eventTime, series, reporting controller and instance', () => {
    const ev = eventV1ToCore({ apiVersion: 'events.k8s.io/v1', metadata: { name: 'ev2' }, eventTime: '2024-05-01T11:59:56.000000Z',
      reportingController: 'a.io/c', reportingInstance: 'i', type: 'Normal', reason: 'R', note: 'n',
      regarding: { kind: 'Pod', name: 'x' } });
    expect(core.table!.cells(ev, NOW)).toEqual(['4s', 'Normal', 'R', 'pod/x', '', 'a.io/c, i', 'n', '4s', 1, 'ev2']);
    ev.series = { count: 5, lastObservedTime: '2024-05-01T11:59:58.000000Z' };
    expect(core.table!.cells(ev, NOW).slice(0, 1)).toEqual(['2s']);
    expect(core.table!.cells(ev, NOW)[8]).toBe(5);
    expect(v1.table!.cells(coreEventToV1(ev), NOW)).toEqual(core.table!.cells(ev, NOW));
  });
});
