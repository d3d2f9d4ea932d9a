// Warning headers on writes: unknown fields named with any character are acknowledged with the
// Warning bytes kube-apiserver sends (UTF-8, NewWarningHeader's quoting), or refused under Strict
// with nothing stored. A write is never stored behind a failed reply.

import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let creds: Credentials;
const CM = '/clusters/root/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  t = await startKplane();
  creds = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
});
afterAll(async () => {
  await t?.stop();
});

/** A request whose Warning headers are read as the bytes on the wire (UTF-8 quoted). */
function call(method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; warnings: string[]; json: any }> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, t.url), {
      method, ca: creds.ca, cert: creds.cert, key: creds.key,
      headers: { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const warnings: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          // Node gives header bytes as Latin-1 characters
          if (res.rawHeaders[i]!.toLowerCase() === 'warning') warnings.push(Buffer.from(res.rawHeaders[i + 1]!, 'latin1').toString('utf8'));
        }
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, warnings, json: text ? JSON.parse(text) : undefined });
      });
    });
    r.on('error', reject);
    r.end(body);
  });
}

// Field names as JSON source text, and the Warning header kube sends for each: the decoders quote
// the name as Go's %q does (NUL escaped, printable runes kept, a lone surrogate escape quoted as
// U+FFFD); the strategic-merge converter prints it raw with "%s", and NewWarningHeader then refuses
// a text with a control character (no header at all). `quoted` is what %q prints between its quotes.
const names: { src: string; quoted: string; json: string; smp: string | null }[] = [
  { src: '中', quoted: '中', json: String.raw`299 - "unknown field \"中\""`, smp: String.raw`299 - "unknown field \"中\""` },
  { src: String.raw`\u0000`, quoted: String.raw`\x00`, json: String.raw`299 - "unknown field \"\\x00\""`, smp: null },
  { src: '😀', quoted: '😀', json: String.raw`299 - "unknown field \"😀\""`, smp: String.raw`299 - "unknown field \"😀\""` },
  { src: String.raw`\ud83d`, quoted: '\ufffd', json: '299 - "unknown field \\"\ufffd\\""', smp: '299 - "unknown field \\"\ufffd\\""' },
  { src: String.raw`\udc00x`, quoted: '\ufffdx', json: '299 - "unknown field \\"\ufffdx\\""', smp: '299 - "unknown field \\"\ufffdx\\""' },
  { src: String.raw`a\"b\\c`, quoted: String.raw`a\"b\\c`, json: String.raw`299 - "unknown field \"a\\\"b\\\\c\""`, smp: String.raw`299 - "unknown field \"a\"b\\c\""` },
];

describe('unknown fields with any characters', () => {
  it('create, update and patch under Warn (the default) answer with kube\'s Warning bytes', async () => {
    for (const [i, { src, json, smp }] of names.entries()) {
      const name = `w${i}`;
      const body = (extra: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"k":"${extra}"},"${src}":1}`;
      const created = await call('POST', CM, body('1'));
      expect(created.status, src).toBe(201);
      expect(created.warnings, src).toEqual([json]);
      const updated = await call('PUT', `${CM}/${name}`, body('2'));
      expect(updated.status, src).toBe(200);
      expect(updated.warnings, src).toEqual([json]);
      const merge = await call('PATCH', `${CM}/${name}`, `{"data":{"k":"3"},"${src}":1}`, 'application/merge-patch+json');
      expect(merge.status, src).toBe(200);
      expect(merge.warnings, src).toEqual([json]);
      const strategic = await call('PATCH', `${CM}/${name}`, `{"data":{"k":"3"},"${src}":1}`, 'application/strategic-merge-patch+json');
      expect(strategic.status, src).toBe(200);
      expect(strategic.warnings, src).toEqual(smp === null ? [] : [smp]);
      const got = await raw(t.url, creds, { path: `${CM}/${name}` });
      expect(got.json.data).toEqual({ k: '3' });
    }
  });

  it('Strict refuses them with nothing stored', async () => {
    for (const [i, { src, quoted }] of names.entries()) {
      const name = `s${i}`;
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"${src}":1}`;
      const created = await call('POST', `${CM}?fieldValidation=Strict`, body);
      expect(created.status, src).toBe(400);
      expect(created.json.message).toBe(`ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "${quoted}"`);
      expect((await raw(t.url, creds, { path: `${CM}/${name}` })).status).toBe(404);
    }
    const base = await call('POST', CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict"},"data":{"k":"1"}}');
    expect(base.status).toBe(201);
    for (const { src } of names) {
      const put = await call('PUT', `${CM}/strict?fieldValidation=Strict`, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict"},"data":{"k":"2"},"${src}":1}`);
      expect(put.status, src).toBe(400);
      const patch = await call('PATCH', `${CM}/strict?fieldValidation=Strict`, `{"data":{"k":"3"},"${src}":1}`, 'application/merge-patch+json');
      expect(patch.status, src).toBe(422);
      expect(patch.json.reason).toBe('Invalid');
    }
    const got = await raw(t.url, creds, { path: `${CM}/strict` });
    expect(got.json.data).toEqual({ k: '1' });
    expect(got.json.metadata.resourceVersion).toBe(base.json.metadata.resourceVersion);
  });
});
