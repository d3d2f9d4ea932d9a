// The worker's write steps (write-offload.ts runWriteJob, run here on the test's thread) give what
// the inline path gives: the same prepared object, the same errors, a large Invalid Status as the
// very bytes its JSON would be.

import { describe, expect, it } from 'vitest';
import { field, invalid, isStatusError, largeInvalidOf, type Status } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { decodeObject } from '../../../src/apiserver/decode.js';
import type { WorkerJob, WorkerResult } from '../../../src/apiserver/decode-pool.js';
import { renderLargeStatus } from '../../../src/apiserver/large-status.js';
import { patchedObject } from '../../../src/apiserver/patch-object.js';
import { runWriteJob, type WriteJob } from '../../../src/apiserver/write-offload.js';
import { resolveSchema } from '../../../src/openapi/definitions.js';
import { builtinResources } from '../../../src/registry/builtin.js';
import { prepareCreate, prepareUpdate, validateCreate, validateUpdate } from '../../../src/registry/store.js';
import type { RequestContext } from '../../../src/registry/types.js';

const configmaps = builtinResources.find((t) => t.resource === 'configmaps')!;
const schema = resolveSchema(configmaps.schemaName);
const now = Date.parse('2026-01-02T03:04:05Z');
const user = { username: 'u', groups: ['g'] };
const ctx = (): RequestContext => ({ cluster: 'root:a' as RequestContext['cluster'], namespace: 'default', user, now: new Date(now), warnings: [] });
const write = (patch?: WriteJob['patch']): WriteJob => ({
  kind: builtinResources.indexOf(configmaps), ctx: { cluster: 'root:a', namespace: 'default', user, now }, patch,
});
const job = (text: string, w: WriteJob, fieldValidation: WorkerJob['fieldValidation'] = 'Warn'): WorkerJob & { write: WriteJob } => ({
  id: 1, type: { ...configmaps, storage: { group: '' } }, text: w.patch ? text : '', bytes: w.patch ? undefined : Buffer.from(text),
  format: 'json', fieldValidation, write: w,
});

/** The inline path's answer: the prepared object, or the thrown Status. */
function inline(fn: (c: RequestContext) => KubeObject): { object?: KubeObject; status?: Status; warnings: string[] } {
  const c = ctx();
  try {
    return { object: fn(c), warnings: c.warnings };
  } catch (e) {
    if (!isStatusError(e)) throw e;
    return { status: e.status, warnings: c.warnings };
  }
}

const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, uid: undefined } });
const renderedText = (r: WorkerResult) => Buffer.concat(('rendered' in r ? r.rendered ?? [] : []).map((u) => Buffer.from(u))).toString('utf8');

describe('large writes in a worker', () => {
  it('a create: the object prepareCreate and validateCreate make inline, with its warnings', () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u1' }, { apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u1' }] }, data: { k: 'v' }, unknown: 1 });
    const r = runWriteJob(job(body, write()));
    const want = inline((c) => {
      const d = decodeObject({ type: configmaps, schema, text: body, format: 'json', fieldValidation: 'Warn' });
      c.warnings.push(...d.warnings);
      const obj = prepareCreate(c, configmaps, d.object);
      validateCreate(c, configmaps, obj);
      return obj;
    });
    expect('written' in r).toBe(true);
    if (!('written' in r)) return;
    expect(strip(JSON.parse(r.written.json) as KubeObject)).toEqual(strip(JSON.parse(JSON.stringify(want.object)) as KubeObject));
    expect(r.written.warnings).toEqual(want.warnings);
    expect(r.written.warnings).toHaveLength(2); // the unknown field, the duplicate owner reference
  });

  it('a create of a kind whose strategy allocates (a Service: addresses derived from the request, no state)', () => {
    const services = builtinResources.find((t) => t.resource === 'services')!;
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    const r = runWriteJob({ ...job(body, write()), type: { ...services, storage: { group: '' } }, write: { ...write(), kind: builtinResources.indexOf(services) } });
    const want = inline((c) => {
      const obj = prepareCreate(c, services, decodeObject({ type: services, schema: resolveSchema(services.schemaName), text: body, format: 'json', fieldValidation: 'Warn' }).object);
      validateCreate(c, services, obj);
      return obj;
    });
    expect('written' in r && strip(JSON.parse(r.written.json) as KubeObject)).toEqual(strip(JSON.parse(JSON.stringify(want.object)) as KubeObject));
    expect(JSON.stringify(want.object)).toMatch(/"clusterIP":"10\./);
  });

  it('a create of thousands of failing items: the Invalid Status rendered as the bytes of its JSON', () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'f', finalizers: new Array<string>(5000).fill('a') } });
    const r = runWriteJob(job(body, write()));
    const want = inline((c) => {
      const obj = prepareCreate(c, configmaps, decodeObject({ type: configmaps, schema, text: body, format: 'json', fieldValidation: 'Warn' }).object);
      validateCreate(c, configmaps, obj);
      return obj;
    });
    expect(want.status && largeInvalidOf(want.status)).toBeDefined();
    expect(renderedText(r)).toBe(`${JSON.stringify(want.status)}\n`);
    // the stand-in the event loop gets carries kube's code and reason
    expect('status' in r && r.status).toMatchObject({ code: 422, reason: 'Invalid', details: { name: 'f', kind: 'ConfigMap' } });
  });

  it('a patch: applied, prepared and validated as the handler and the registry do inline', () => {
    const existing: KubeObject = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 't', namespace: 'default', uid: 'x', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' },
      data: { a: '1' },
    };
    const cases: [string, 'merge' | 'strategic' | 'json'][] = [
      [JSON.stringify({ data: { b: '2' }, metadata: { labels: { l: 'v' } } }), 'merge'],
      [JSON.stringify({ metadata: { finalizers: new Array<string>(3000).fill('a') } }), 'strategic'],
      [JSON.stringify({ metadata: { finalizers: new Array<string>(3000).fill('a') } }), 'merge'],
      [JSON.stringify({ metadata: { name: 'other' } }), 'merge'],
      [JSON.stringify({ metadata: { resourceVersion: '3' } }), 'merge'],
      ['[{"op":"add","path":"/data/c","value":"3"}]', 'json'],
    ];
    for (const [text, patchType] of cases) {
      const req = { type: configmaps, schema, patchType, text, fieldValidation: 'Strict' as const, name: 't', namespace: 'default' };
      const r = runWriteJob(job(text, write({ patchType, name: 't', namespace: 'default', subresource: '', existing: JSON.stringify(existing), modRevision: 7 }), 'Strict'));
      const want = inline((c) => {
        const obj = prepareUpdate(c, configmaps, 't', existing, 7, patchedObject(req, structuredClone(existing), c.warnings));
        validateUpdate(c, configmaps, obj, existing, '');
        return obj;
      });
      if (want.object) {
        expect('written' in r && JSON.parse(r.written.json), text.slice(0, 40)).toEqual(JSON.parse(JSON.stringify(want.object)));
      } else if (largeInvalidOf(want.status!)) {
        expect(renderedText(r), text.slice(0, 40)).toBe(`${JSON.stringify(want.status)}\n`);
      } else {
        expect('status' in r && r.status, text.slice(0, 40)).toEqual(want.status);
      }
    }
  });

  it('an update: checked first (its uid and resourceVersion), then prepared and validated as inline', () => {
    const existing: KubeObject = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 't', namespace: 'default', uid: 'x', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' },
    };
    const update = { name: 't', namespace: 'default', subresource: '' };
    const bodies = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 't', uid: 'x', resourceVersion: '7' }, data: { a: '1' }, unknown: 1 },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 't', finalizers: new Array<string>(3000).fill('a') } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 't', resourceVersion: '3' } },
    ];
    for (const b of bodies) {
      const body = JSON.stringify(b);
      const checked = runWriteJob(job(body, { ...write(), update }));
      const d = decodeObject({ type: configmaps, schema, text: body, format: 'json', fieldValidation: 'Warn' });
      expect('written' in checked && checked.written).toEqual({ json: JSON.stringify({ metadata: { uid: b.metadata.uid, resourceVersion: b.metadata.resourceVersion } }), warnings: d.warnings });
      const r = runWriteJob(job(body, { ...write(), update: { ...update, existing: JSON.stringify(existing), modRevision: 7 } }));
      const want = inline((c) => {
        const obj = prepareUpdate(c, configmaps, 't', existing, 7, d.object);
        validateUpdate(c, configmaps, obj, existing, '');
        return obj;
      });
      if (want.object) expect('written' in r && JSON.parse(r.written.json)).toEqual(JSON.parse(JSON.stringify(want.object)));
      else if (largeInvalidOf(want.status!)) expect(renderedText(r)).toBe(`${JSON.stringify(want.status)}\n`);
      else expect('status' in r && r.status).toEqual(want.status);
    }
  });

  it('renders in buffers of their own, so that they can be handed over', () => {
    const err = invalid({ group: '', kind: 'K' }, 'x', Array.from({ length: 20_000 }, (_, i) => field.invalid(`f${i}`, 'v'.repeat(50), 'bad')));
    const buffers = renderLargeStatus(err.status, largeInvalidOf(err.status)!);
    expect(buffers.length).toBeGreaterThan(1);
    for (const b of buffers) expect(b.byteOffset === 0 && b.buffer.byteLength === b.length).toBe(true);
    expect(Buffer.concat(buffers).toString('utf8')).toBe(`${JSON.stringify(err.status)}\n`);
  });
});
