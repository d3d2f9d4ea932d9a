// The audit log backend: lines appended, a bounded buffer that drops (and counts) rather than
// growing, everything buffered written out on close; the event's JSON as kube's.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogBackend } from '../../../src/audit/backend.js';
import { eventLine, microTime, withoutManagedFields, type AuditEvent } from '../../../src/audit/event.js';

let dir: string;
const log = pino({ level: 'silent' });
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'kplane-audit-unit-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe('audit log backend', () => {
  it('appends and writes out everything on close', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'old\n');
    const b = await LogBackend.open(path, log);
    for (let i = 0; i < 1000; i++) b.write(`{"n":${i}}\n`);
    await b.close();
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe('old');
    expect(lines[1000]).toBe('{"n":999}');
    expect(b.dropped).toBe(0);
    // closed: later events go nowhere
    b.write('{"late":true}\n');
    expect((await readFile(path, 'utf8')).includes('late')).toBe(false);
  });

  it('drops whole events past its bound instead of buffering without limit', async () => {
    const path = join(dir, 'b.log');
    const b = await LogBackend.open(path, log, 1024);
    const line = `{"pad":"${'x'.repeat(100)}"}\n`;
    // written in one go: the file cannot take them before the loop ends
    for (let i = 0; i < 1000; i++) b.write(line);
    await b.close();
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    expect(b.dropped).toBeGreaterThan(0);
    expect(lines.length + b.dropped).toBe(1000);
    for (const l of lines) expect(l + '\n').toBe(line);
  });

  it('refuses a log it cannot open', async () => {
    await expect(LogBackend.open(join(dir, 'missing', 'a.log'), log)).rejects.toThrow(/audit log .*ENOENT/);
  });
});

describe('audit event JSON', () => {
  it('writes kube\'s field order, leaving out empty fields', () => {
    const ev: AuditEvent = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'id', stage: 'ResponseComplete',
      requestURI: '/x', verb: 'get', user: {}, sourceIPs: [], userAgent: '',
      objectRef: { name: 'n', resource: 'pods', apiGroup: '', apiVersion: 'v1', namespace: 'd', subresource: '' },
      responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: 't0', stageTimestamp: 't1', annotations: { b: '2', a: '1' },
    };
    expect(eventLine(ev)).toBe('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id","stage":"ResponseComplete",'
      + '"requestURI":"/x","verb":"get","user":{},"objectRef":{"resource":"pods","namespace":"d","name":"n","apiVersion":"v1"},'
      + '"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"t0","stageTimestamp":"t1","annotations":{"a":"1","b":"2"}}\n');
  });

  it('formats MicroTime as kube does', () => {
    expect(microTime(Date.UTC(2026, 11, 3, 10, 29, 0, 123) * 1000 + 456)).toBe('2026-12-03T10:29:00.123456Z');
    expect(microTime(Date.UTC(2026, 0, 1) * 1000 + 7)).toBe('2026-01-01T00:00:00.000007Z');
  });

  it('drops managedFields from objects, list items and table rows without touching the original', () => {
    const obj = { kind: 'ConfigMap', metadata: { name: 'a', managedFields: [{}] } };
    expect(withoutManagedFields(obj)).toEqual({ kind: 'ConfigMap', metadata: { name: 'a' } });
    expect(obj.metadata.managedFields).toHaveLength(1);
    expect(withoutManagedFields({ kind: 'ConfigMapList', metadata: {}, items: [obj] })).toEqual({ kind: 'ConfigMapList', metadata: {}, items: [{ kind: 'ConfigMap', metadata: { name: 'a' } }] });
    expect(withoutManagedFields({ kind: 'Table', rows: [{ cells: [], object: obj }] })).toEqual({ kind: 'Table', rows: [{ cells: [], object: { kind: 'ConfigMap', metadata: { name: 'a' } } }] });
  });
});
