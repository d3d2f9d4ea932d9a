import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConversionError, createConverter, objectConverter, type ConversionCRD, type ServiceResolver,
} from '../../../src/apiextensions/conversion.js';
import type { CustomResourceConversion } from '../../../src/apiextensions/types.js';
import { goDuration, WEBHOOK_TIMEOUT_MS } from '../../../src/apiextensions/webhook-post.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { createCA, issue } from '../../../src/auth/pki.js';

// A conversion webhook served over HTTPS on 127.0.0.1 by the test. Each test sets `reply` (what it
// answers for a review) and reads `reviews` (what kplane sent). The expected error texts are the
// ones kube-apiserver v1.34.10 answered for the same webhook answers.

type Review = { kind: string; apiVersion: string; request: { uid: string; desiredAPIVersion: string; objects: KubeObject[] } };
type Reply = (r: Review) => { code?: number; contentType?: string; body: unknown } | 'hang';

let server: https.Server;
let port = 0;
let caBundle = '';
let otherCaBundle = '';
let reply: Reply;
const reviews: { url: string; headers: Record<string, unknown>; review: Review }[] = [];

const convertAll = (r: Review): KubeObject[] => r.request.objects.map((o) => ({ ...o, apiVersion: r.request.desiredAPIVersion }));
const ok = (r: Review, objs = convertAll(r), extra: Record<string, unknown> = {}) => ({
  body: { apiVersion: r.apiVersion, kind: 'ConversionReview', response: { uid: r.request.uid, convertedObjects: objs, result: { status: 'Success' }, ...extra } },
});

beforeAll(async () => {
  const ca = await createCA('hook-ca');
  const other = await createCA('other-ca');
  const kp = await issue(ca, { commonName: 'hook', ips: ['127.0.0.1'], dnsNames: ['hooksvc.default.svc'], usage: 'server' });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  otherCaBundle = Buffer.from(other.certPem).toString('base64');
  server = https.createServer({ cert: kp.certPem, key: kp.keyPem }, (req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const review = JSON.parse(text) as Review;
      reviews.push({ url: req.url ?? '', headers: req.headers, review });
      const r = reply(review);
      if (r === 'hang') return;
      res.writeHead(r.code ?? 200, { 'Content-Type': r.contentType ?? 'application/json' });
      res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function crd(conversion: CustomResourceConversion): ConversionCRD {
  return {
    name: 'gadgets.example.com',
    spec: {
      group: 'example.com', names: { plural: 'gadgets', kind: 'Gadget', listKind: 'GadgetList' },
      versions: [{ name: 'v1', served: true, storage: true }, { name: 'v2', served: true, storage: false }],
      conversion,
    },
  };
}

const webhook = (over: Partial<{ url: string; caBundle: string; versions: string[] }> = {}): CustomResourceConversion => ({
  strategy: 'Webhook',
  webhook: {
    conversionReviewVersions: over.versions ?? ['v1'],
    clientConfig: { url: over.url ?? `https://127.0.0.1:${port}/convert`, caBundle: over.caBundle ?? caBundle },
  },
});

function gadget(name: string, version = 'v1', extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: `example.com/${version}`, kind: 'Gadget',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, labels: { app: 'x' } },
    spec: { x: 1 }, ...extra,
  } as KubeObject;
}

async function failure(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConversionError);
    const s = (e as ConversionError).status;
    return { code: s.code, reason: s.reason ?? '', message: s.message ?? '' };
  }
  throw new Error('conversion did not fail');
}

describe('strategy None', () => {
  const conv = createConverter(crd({ strategy: 'None' }));

  it('rewrites apiVersion only', async () => {
    const g = gadget('a');
    expect(await conv.convert(g, 'v2')).toEqual({ ...g, apiVersion: 'example.com/v2' });
    expect(g.apiVersion).toBe('example.com/v1');
    expect(await conv.convert(g, 'v1')).toBe(g);
    expect(await conv.convertList([gadget('a'), gadget('b', 'v2')], 'v2')).toEqual([gadget('a', 'v2'), gadget('b', 'v2')]);
  });

  it('refuses versions the CRD does not have, with kube\'s texts (an untyped 500)', async () => {
    expect(await failure(conv.convert(gadget('a'), 'v3')))
      .toEqual({ code: 500, reason: '', message: 'request to convert CR to an invalid group/version: example.com/v3' });
    expect((await failure(conv.convert(gadget('a', 'v9'), 'v2'))).message).toBe('request to convert CR from an invalid group/version: example.com/v9');
    expect((await failure(conv.convertList([gadget('a'), gadget('b', 'v9')], 'v2'))).message)
      .toBe('request to convert CR list failed, list index 1 has invalid group/version: example.com/v9');
  });

  it('an unknown strategy is refused when the converter is built', () => {
    expect(() => createConverter(crd({ strategy: 'Magic' }))).toThrow('unknown conversion strategy "Magic" for CRD gadgets.example.com');
  });
});

describe('strategy Webhook', () => {
  it('POSTs an apiextensions.k8s.io/v1 ConversionReview to <url>?timeout=30s and keeps the original metadata but labels and annotations', async () => {
    reviews.length = 0;
    reply = (r) => ok(r, convertAll(r).map((o) => ({
      ...o, spec: { y: 2 }, metadata: { ...o.metadata, labels: { app: 'y' }, annotations: { a: 'b' }, generation: 99, finalizers: ['x/y'] },
    })));
    const out = await createConverter(crd(webhook())).convert(gadget('a'), 'v2');
    expect(out).toEqual({
      apiVersion: 'example.com/v2', kind: 'Gadget',
      metadata: { name: 'a', namespace: 'default', uid: 'uid-a', generation: 1, labels: { app: 'y' }, annotations: { a: 'b' } },
      spec: { y: 2 },
    });
    expect(reviews).toHaveLength(1);
    const { url, headers, review } = reviews[0]!;
    expect(url).toBe('/convert?timeout=30s');
    expect(headers['content-type']).toBe('application/json');
    expect(review.kind).toBe('ConversionReview');
    expect(review.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(review.request.desiredAPIVersion).toBe('example.com/v2');
    expect(review.request.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(review.request.objects).toEqual([gadget('a')]);
    expect(WEBHOOK_TIMEOUT_MS).toBe(30_000);
  });

  it('speaks v1beta1 when it comes first in conversionReviewVersions, and refuses when neither is listed', async () => {
    reviews.length = 0;
    reply = (r) => ({ body: { ...ok(r).body, response: { uid: 'v1beta1 does not check it', convertedObjects: convertAll(r), result: { status: 'Success' } } } });
    await createConverter(crd(webhook({ versions: ['v9', 'v1beta1', 'v1'] }))).convert(gadget('a'), 'v2');
    expect(reviews[0]!.review.apiVersion).toBe('apiextensions.k8s.io/v1beta1');
    // v1beta1 answers are not checked for their type (only what the decoder refuses)
    const beta = createConverter(crd(webhook({ versions: ['v1beta1'] })));
    reply = (r) => ({ body: { response: { uid: '', convertedObjects: convertAll(r), result: { status: 'Success' } } } });
    expect((await beta.convert(gadget('a'), 'v2')).apiVersion).toBe('example.com/v2');
    reply = (r) => ({ body: { ...ok(r).body, apiVersion: 'apiextensions.k8s.io/v1' } });
    expect((await failure(beta.convert(gadget('a'), 'v2'))).message)
      .toBe('conversion webhook for example.com/v1, Kind=Gadget failed: converting (v1.ConversionReview) to (v1beta1.ConversionReview): unknown conversion');
    expect((await failure(createConverter(crd(webhook({ versions: ['v9'] }))).convert(gadget('a'), 'v2'))).message)
      .toBe('no supported conversion review versions');
  });

  it('objects already in the version are not sent; one already there is returned as is', async () => {
    reviews.length = 0;
    const conv = createConverter(crd(webhook()));
    const g = gadget('a', 'v2');
    expect(await conv.convert(g, 'v2')).toBe(g);
    // an object of only apiVersion and kind is converted without the webhook
    expect(await conv.convert({ apiVersion: 'example.com/v1', kind: 'Gadget' } as KubeObject, 'v2')).toEqual({ apiVersion: 'example.com/v2', kind: 'Gadget' });
    expect(reviews).toHaveLength(0);
  });

  const pre = 'conversion webhook for example.com/v1, Kind=Gadget';
  it.each<[string, Reply, (uid: string) => string]>([
    ['a wrong uid', (r) => ok(r, undefined, { uid: 'nope' }), (uid) => `${pre} failed: expected response.uid="${uid}", got "nope"`],
    ['a failure with a message', (r) => ok(r, undefined, { result: { status: 'Failure', message: 'no way' } }), () => `${pre} failed: no way`],
    ['a failure without one', (r) => ok(r, undefined, { result: { status: 'Failure' } }), () => `${pre} failed: response.result.status was 'Failure', not 'Success'`],
    ['no result status', (r) => ok(r, undefined, { result: {} }), () => `${pre} failed: response.result.status was '', not 'Success'`],
    ['too few objects', (r) => ok(r, []), () => `${pre} returned 0 objects, expected 1`],
    ['objects left in the old version', (r) => ok(r, r.request.objects),
      () => `${pre} returned invalid object at index 0: invalid groupVersion (expected example.com/v2, received example.com/v1)`],
    ['another kind', (r) => ok(r, convertAll(r).map((o) => ({ ...o, kind: 'Other' }))),
      () => `${pre} returned invalid object at index 0: invalid kind (expected Gadget, received Other)`],
    ['another name', (r) => ok(r, convertAll(r).map((o) => ({ ...o, metadata: { ...o.metadata, name: 'zz' } }))),
      () => `${pre} returned invalid object: must have the same name: a != zz`],
    ['no metadata', (r) => ok(r, convertAll(r).map(({ metadata: _m, ...o }) => o as KubeObject)),
      () => `${pre} returned invalid object: must have the same name: a != `],
    ['invalid labels', (r) => ok(r, convertAll(r).map((o) => ({ ...o, metadata: { ...o.metadata, labels: { 'bad key!': 'v' } } }))),
      () => `${pre} returned invalid metadata: metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ['invalid annotations (kube names the path metadata.annotation)', (r) => ok(r, convertAll(r).map((o) => ({ ...o, metadata: { ...o.metadata, annotations: { 'bad key!': 'v' } } }))),
      () => `${pre} returned invalid metadata: metadata.annotation: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ['a label that is no string', (r) => ok(r, convertAll(r).map((o) => ({ ...o, metadata: { ...o.metadata, labels: { a: 1 } } } as unknown as KubeObject))),
      () => `${pre} returned invalid metadata: metadata.labels[a] must be a string, but is int64 in converted object`],
    ['no response', (r) => ({ body: { apiVersion: r.apiVersion, kind: 'ConversionReview' } }), () => `${pre} failed: no response provided`],
    ['a v1beta1 review for a v1 request', (r) => ({ body: { ...ok(r).body, apiVersion: 'apiextensions.k8s.io/v1beta1' } }),
      () => `${pre} failed: converting (v1beta1.ConversionReview) to (v1.ConversionReview): unknown conversion`],
    ['another kind', (r) => ({ body: { ...ok(r).body, kind: 'Foo' } }),
      () => `${pre} failed: no kind "Foo" is registered for version "apiextensions.k8s.io/v1" in scheme "pkg/runtime/scheme.go:110"`],
    ['no apiVersion', (r) => ({ body: { kind: 'ConversionReview', response: ok(r).body.response } }),
      () => `${pre} failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got /, Kind=ConversionReview`],
    ['no kind', (r) => ({ body: { response: ok(r).body.response } }),
      () => `${pre} failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got /, Kind=`],
    ['HTTP 500 with text', () => ({ code: 500, contentType: 'text/plain', body: 'boom\n' }),
      () => `${pre} failed: an error on the server ("boom") has prevented the request from succeeding`],
    ['HTTP 404', () => ({ code: 404, contentType: 'text/plain', body: 'nf' }), () => `${pre} failed: the server could not find the requested resource`],
    ['HTTP 403 with a Status', () => ({ code: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'denied here', code: 403 } }),
      () => `${pre} failed: denied here`],
    ['a body that is no JSON', () => ({ body: 'hello' }),
      () => `${pre} failed: couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`],
    ['an empty body', () => ({ body: '' }), () => `${pre} failed: 0-length response with status code: 200 and content type: application/json`],
  ])('%s: kube\'s error', async (_name, r, message) => {
    reviews.length = 0;
    reply = r;
    const got = await failure(createConverter(crd(webhook())).convert(gadget('a'), 'v2'));
    expect(got).toEqual({ code: 500, reason: '', message: message(reviews[0]!.review.request.uid) });
  });

  it('trusts only the caBundle: another CA is refused as Go refuses it', async () => {
    reply = (r) => ok(r);
    expect((await failure(createConverter(crd(webhook({ caBundle: otherCaBundle }))).convert(gadget('a'), 'v2'))).message)
      .toBe(`${pre} failed: Post "https://127.0.0.1:${port}/convert?timeout=30s": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
  });

  it('checks the serving certificate\'s names', async () => {
    reply = (r) => ok(r);
    expect((await failure(createConverter(crd(webhook({ url: `https://localhost:${port}/convert` }))).convert(gadget('a'), 'v2'))).message)
      .toBe(`${pre} failed: Post "https://localhost:${port}/convert?timeout=30s": tls: failed to verify certificate: x509: certificate is valid for hooksvc.default.svc, not localhost`);
  });

  it('connection refused', async () => {
    expect((await failure(createConverter(crd(webhook({ url: 'https://127.0.0.1:1/convert' }))).convert(gadget('a'), 'v2'))).message)
      .toBe(`${pre} failed: Post "https://127.0.0.1:1/convert?timeout=30s": dial tcp 127.0.0.1:1: connect: connection refused`);
  });

  it('gives up after the timeout, naming it in the query as Go does', async () => {
    reviews.length = 0;
    reply = () => 'hang';
    const started = Date.now();
    const got = await failure(createConverter(crd(webhook()), { timeoutMs: 300 }).convert(gadget('a'), 'v2'));
    expect(got.message).toBe(`${pre} failed: Post "https://127.0.0.1:${port}/convert?timeout=300ms": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(reviews[0]!.url).toBe('/convert?timeout=300ms');
    expect([goDuration(30_000), goDuration(90_000), goDuration(1500)]).toEqual(['30s', '1m30s', '1.5s']);
  });

  it('a service reference goes through the pluggable resolver; the certificate is checked for <service>.<namespace>.svc', async () => {
    reviews.length = 0;
    reply = (r) => ok(r);
    const asked: unknown[] = [];
    const resolver: ServiceResolver = async (ref) => {
      asked.push(ref);
      if (ref.name !== 'hooksvc') throw new Error(`service ${JSON.stringify(ref.name)} not found`);
      return { connect: { host: '127.0.0.1', port } };
    };
    const svc = (name: string): CustomResourceConversion => ({
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { namespace: 'default', name, path: '/convert', port: 8443 }, caBundle } },
    });
    const out = await createConverter(crd(svc('hooksvc')), { serviceResolver: resolver }).convert(gadget('a'), 'v2');
    expect(out.apiVersion).toBe('example.com/v2');
    expect(asked).toEqual([{ namespace: 'default', name: 'hooksvc', port: 8443, path: '/convert' }]);
    expect(reviews[0]!.headers.host).toBe('hooksvc.default.svc:8443');
    expect((await failure(createConverter(crd(svc('nosvc')), { serviceResolver: resolver }).convert(gadget('a'), 'v2'))).message)
      .toBe(`${pre} failed: Post "https://nosvc.default.svc:8443/convert?timeout=30s": service "nosvc" not found`);
  });

  it('converts a list in one review, in order, sending only what is not in the version yet', async () => {
    reviews.length = 0;
    reply = (r) => ok(r);
    const conv = createConverter(crd(webhook()));
    const objs = [gadget('a'), gadget('b', 'v2'), gadget('c')];
    const out = await conv.convertList(objs, 'v2');
    expect(out.map((o) => [o.metadata!.name, o.apiVersion])).toEqual([['a', 'example.com/v2'], ['b', 'example.com/v2'], ['c', 'example.com/v2']]);
    expect(out[1]).toBe(objs[1]);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.review.request.objects.map((o) => o.metadata!.name)).toEqual(['a', 'c']);
    expect(await conv.convertList([], 'v2')).toEqual([]);
  });

  it('list errors use kube\'s list wording (the list kind, "converted object at index i")', async () => {
    reply = (r) => ok(r, convertAll(r).map((o, i) => (i === 1 ? { ...o, metadata: { ...o.metadata, uid: 'other' } } : o)));
    const conv = createConverter(crd(webhook()));
    expect((await failure(conv.convertList([gadget('a'), gadget('b')], 'v2'))).message)
      .toBe('conversion webhook for example.com/v1, Kind=GadgetList returned invalid converted object at index 1: must have the same UID: uid-b != other');
    reply = (r) => ok(r, convertAll(r).slice(1));
    expect((await failure(conv.convertList([gadget('a'), gadget('b')], 'v2'))).message)
      .toBe('conversion webhook for example.com/v1, Kind=GadgetList returned 1 objects, expected 2');
  });

  it('objectConverter: the registry\'s converter for a served version, one review per read', async () => {
    reviews.length = 0;
    reply = (r) => ok(r);
    const oc = objectConverter(createConverter(crd(webhook())), 'Gadget', 'v2', 'v1');
    const served = await oc.toServed([gadget('a'), gadget('b')]);
    expect(served.map((o) => o.apiVersion)).toEqual(['example.com/v2', 'example.com/v2']);
    expect((await oc.toStored(served[0]!)).apiVersion).toBe('example.com/v1');
    expect(reviews.map((r) => r.review.request.objects.length)).toEqual([2, 1]);
    reply = (r) => ok(r, []);
    expect((await failure(oc.toServed([gadget('a'), gadget('b')]))).message).toBe(`${pre} returned 0 objects, expected 2`);
  });
});
