// Conversion of custom resources between a CRD's versions (apiextensions-apiserver
// pkg/apiserver/conversion): strategy None rewrites apiVersion; Webhook sends a ConversionReview
// (apiextensions.k8s.io/v1 or v1beta1, the first of conversionReviewVersions kplane speaks) to
// clientConfig.url or a service, and checks the answer as kube's webhook converter does, with its
// error texts. A Converter is a pure function of the CRD's spec (and the process-wide service
// resolver): one instance serves every logical cluster holding the same CRD.

import { randomUUID } from 'node:crypto';

import { aggregateMessage, fieldErrorString, StatusError } from '../apimachinery/errors.js';
import { goQuote } from '../apimachinery/gofmt.js';
import type { KubeObject } from '../apimachinery/object.js';
import { validateAnnotations, validateLabels } from '../apimachinery/validation.js';
import type { ObjectConverter } from '../registry/types.js';
import { goTypeName } from './jsonpath.js';
import type { CustomResourceDefinitionSpec, ServiceReference } from './types.js';
import { goDuration, postJSON, WEBHOOK_TIMEOUT_MS, type WebhookTarget } from './webhook-post.js';

/** A failed conversion: kube answers it as an untyped 500 with this message. */
export class ConversionError extends StatusError {
  constructor(message: string) {
    super(500, '', message);
  }
}

/** A webhook's service reference with kube's defaults applied (port 443, path ""). */
export interface ResolvedServiceReference { namespace: string; name: string; port: number; path: string }

/**
 * How a `clientConfig.service` is reached: kube dials the Service's endpoint and verifies the
 * certificate for <name>.<namespace>.svc with the caBundle; a resolver may instead send the call
 * elsewhere (e.g. through an API server's service proxy, with that server's CA and credentials).
 * Errors thrown are reported after kube's `Post "https://<name>.<namespace>.svc:<port><path>..."`.
 */
export type ServiceResolver = (ref: ResolvedServiceReference, caller?: ServiceCaller) => Promise<Omit<WebhookTarget, 'url'>>;

/** Who calls a service: a CRD's conversion webhook (its name), for resolvers that route by it. */
export interface ServiceCaller {
  crd?: string;
}

/** kube's defaultServiceResolver: the service's cluster DNS name. */
export const dnsServiceResolver: ServiceResolver = async (ref) => {
  if (!ref.name || !ref.namespace || !ref.port) throw new Error('cannot resolve an empty service name or namespace or port');
  return { connect: { host: `${ref.name}.${ref.namespace}.svc`, port: ref.port } };
};

export interface ConverterOptions {
  serviceResolver?: ServiceResolver;
  /** The webhook's time limit (kube: 30 s); tests shorten it. */
  timeoutMs?: number;
}

export interface Converter {
  /** Converts one object (any of the CRD's versions) to `version`; an object already there is returned as is. */
  convert(obj: KubeObject, version: string): Promise<KubeObject>;
  /**
   * Converts many objects in one ConversionReview (kube's list conversion): objects already in
   * `version` are not sent. Errors name `kind` (default the CRD's listKind) as kube names the list's.
   */
  convertList(objs: readonly KubeObject[], version: string, kind?: string): Promise<KubeObject[]>;
}

/** The CRD fields a converter depends on. */
export type ConversionCRD = { name: string; spec: Pick<CustomResourceDefinitionSpec, 'group' | 'names' | 'versions' | 'conversion'> };

/** NewConverter: the CRD's converter (errors for an unknown strategy, as kube's factory). */
export function createConverter(crd: ConversionCRD, opts: ConverterOptions = {}): Converter {
  const { group } = crd.spec;
  const valid = new Set(crd.spec.versions.map((v) => `${group}/${v.name}`));
  const strategy = crd.spec.conversion?.strategy ?? 'None';
  let convertObjects: (objs: KubeObject[], to: string, gvk: string, single: boolean) => Promise<KubeObject[]>;
  if (strategy === 'None') convertObjects = async (objs, to) => objs.map((o) => ({ ...o, apiVersion: to }));
  else if (strategy === 'Webhook') convertObjects = webhookConverter(crd, opts);
  else throw new Error(`unknown conversion strategy ${goQuote(strategy)} for CRD ${crd.name}`);

  const checkVersions = (objs: readonly KubeObject[], to: string, list: boolean): void => {
    if (!valid.has(to)) throw new ConversionError(`request to convert CR to an invalid group/version: ${to}`);
    objs.forEach((o, i) => {
      if (valid.has(o.apiVersion ?? '')) return;
      throw new ConversionError(list
        ? `request to convert CR list failed, list index ${i} has invalid group/version: ${o.apiVersion ?? ''}`
        : `request to convert CR from an invalid group/version: ${o.apiVersion ?? ''}`);
    });
  };

  return Object.freeze({
    async convert(obj: KubeObject, version: string): Promise<KubeObject> {
      const to = `${group}/${version}`;
      checkVersions([obj], to, false);
      if (obj.apiVersion === to) return obj;
      const [out] = await convertObjects([obj], to, gvkString(obj.apiVersion, obj.kind), true);
      return out!;
    },
    async convertList(objs: readonly KubeObject[], version: string, kind = crd.spec.names.listKind ?? `${crd.spec.names.kind}List`): Promise<KubeObject[]> {
      const to = `${group}/${version}`;
      checkVersions(objs, to, true);
      const pending = objs.filter((o) => o.apiVersion !== to);
      if (pending.length === 0) return [...objs];
      const converted = await convertObjects(pending, to, gvkString(pending[0]!.apiVersion, kind), false);
      let next = 0;
      return objs.map((o) => (o.apiVersion === to ? o : converted[next++]!));
    },
  });
}

/**
 * The registry's ObjectConverter for one served version: stored objects come back in one review
 * (errors worded as kube's per-object conversion words them), served objects go to the storage version.
 */
export function objectConverter(converter: Converter, kind: string, servedVersion: string, storageVersion: string): ObjectConverter {
  return Object.freeze({
    toServed: (objs: KubeObject[]) => (objs.length === 1
      ? converter.convert(objs[0]!, servedVersion).then((o) => [o])
      : converter.convertList(objs, servedVersion, kind)),
    toStored: (obj: KubeObject) => converter.convert(obj, storageVersion),
  });
}

/** GroupVersionKind.String(): "group/version, Kind=Kind" (a core version prints as "/v1"). */
function gvkString(apiVersion: string | undefined, kind: string | undefined): string {
  const av = apiVersion ?? '';
  const [g, v] = av.includes('/') ? av.split('/', 2) as [string, string] : ['', av];
  return `${g}/${v}, Kind=${kind ?? ''}`;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The webhook strategy: builds the target once per CRD (a service is resolved per call). */
function webhookConverter(crd: ConversionCRD, opts: ConverterOptions):
  (objs: KubeObject[], to: string, gvk: string, single: boolean) => Promise<KubeObject[]> {
  const webhook = crd.spec.conversion?.webhook;
  const cc = webhook?.clientConfig ?? {};
  const caPem = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : '';
  // kube: a caBundle of only whitespace counts as none (system roots)
  const ca = caPem.trim() === '' ? undefined : caPem;
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const resolver = opts.serviceResolver ?? dnsServiceResolver;
  const reviewVersion = (webhook?.conversionReviewVersions ?? []).find((v) => v === 'v1' || v === 'v1beta1');

  const target = async (): Promise<WebhookTarget | string> => {
    if (cc.service) {
      const ref = serviceRef(cc.service);
      const url = new URL(`https://${ref.name}.${ref.namespace}.svc:${ref.port}${ref.path}`);
      try {
        const resolved = await resolver(ref, { crd: crd.name });
        return { ca, serverName: `${ref.name}.${ref.namespace}.svc`, ...resolved, url };
      } catch (e) {
        url.searchParams.set('timeout', goDuration(timeoutMs));
        return `Post ${goQuote(url.toString())}: ${(e as Error).message}`;
      }
    }
    if (!cc.url) return `failed calling webhook ${goQuote(`conversion_webhook_for_${crd.name}`)}: webhook configuration must have either service or URL`;
    return { url: new URL(cc.url), ca };
  };

  return async (objs, to, gvk, single) => {
    if (single && isEmptyObject(objs[0]!)) return [{ ...objs[0]!, apiVersion: to }];
    if (!reviewVersion) throw new ConversionError('no supported conversion review versions');
    const t = await target();
    if (typeof t === 'string') throw new ConversionError(`conversion webhook for ${gvk} failed: ${t}`);
    const uid = randomUUID();
    const apiVersion = `apiextensions.k8s.io/${reviewVersion}`;
    const review = {
      kind: 'ConversionReview', apiVersion,
      request: { uid, desiredAPIVersion: to, objects: objs },
      response: { uid: '', convertedObjects: null, result: { metadata: {} } },
    };
    const r = await postJSON(t, review, timeoutMs);
    if (!r.ok) throw new ConversionError(`conversion webhook for ${gvk} failed: ${r.error}`);
    const converted = convertedObjects(r.body, reviewVersion, uid);
    if (typeof converted === 'string') throw new ConversionError(`conversion webhook for ${gvk} failed: ${converted}`);
    if (converted.length !== objs.length) {
      throw new ConversionError(`conversion webhook for ${gvk} returned ${converted.length} objects, expected ${objs.length}`);
    }
    return objs.map((original, i) => checkConverted(original, converted[i], to, gvk, single ? undefined : i));
  };
}

function serviceRef(s: ServiceReference): ResolvedServiceReference {
  return { namespace: s.namespace, name: s.name, port: s.port ?? 443, path: s.path ?? '' };
}

/** isEmptyUnstructuredObject: nothing but apiVersion and kind (kube converts it without the webhook). */
function isEmptyObject(o: KubeObject): boolean {
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  return keys.length === 2 && keys.includes('kind') && keys.includes('apiVersion');
}

/** getConvertedObjectsFromResponse: the converted objects, or the error text. */
function convertedObjects(body: unknown, reviewVersion: string, uid: string): unknown[] | string {
  const review = isMap(body) ? body : {};
  const av = typeof review.apiVersion === 'string' ? review.apiVersion : '';
  const kind = typeof review.kind === 'string' ? review.kind : '';
  const expected = `apiextensions.k8s.io/${reviewVersion}`;
  const registered = kind === 'ConversionReview' && (av === 'apiextensions.k8s.io/v1' || av === 'apiextensions.k8s.io/v1beta1');
  if (av !== '' && kind !== '' && !registered) {
    // kube's decoder knows only the two ConversionReviews
    return `no kind ${goQuote(kind)} is registered for version ${goQuote(av)} in scheme "pkg/runtime/scheme.go:110"`;
  }
  if (registered && av !== expected) {
    // the decoder has no conversion between the two ConversionReview versions
    const got = av.slice('apiextensions.k8s.io/'.length);
    return `converting (${got}.ConversionReview) to (${reviewVersion}.ConversionReview): unknown conversion`;
  }
  if (reviewVersion === 'v1' && (av !== expected || kind !== 'ConversionReview')) {
    return `expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${gvkString(av, kind)}`;
  }
  const response = review.response;
  if (!isMap(response)) return 'no response provided';
  const gotUID = typeof response.uid === 'string' ? response.uid : '';
  if (reviewVersion === 'v1' && gotUID !== uid) return `expected response.uid=${goQuote(uid)}, got ${goQuote(gotUID)}`;
  const result = isMap(response.result) ? response.result : {};
  const status = typeof result.status === 'string' ? result.status : '';
  if (status !== 'Success') {
    if (typeof result.message === 'string' && result.message) return result.message;
    return `response.result.status was '${status}', not 'Success'`;
  }
  return Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
}

/** The checks kube makes of one converted object; `index` undefined for a single object's wording. */
function checkConverted(original: KubeObject, converted: unknown, to: string, gvk: string, index: number | undefined): KubeObject {
  const invalid = index === undefined
    ? (m: string) => new ConversionError(`conversion webhook for ${gvk} returned invalid object at index 0: ${m}`)
    : (m: string) => new ConversionError(`conversion webhook for ${gvk} returned invalid converted object at index ${index}: ${m}`);
  if (!isMap(converted) || typeof converted.kind !== 'string' || converted.kind === '') {
    const text = `Object 'Kind' is missing in '${JSON.stringify(converted)}'`;
    if (index === undefined) throw new ConversionError(text);
    throw invalid(text);
  }
  const out = converted as KubeObject;
  const gotGV = typeof out.apiVersion === 'string' ? out.apiVersion : '';
  if (gotGV !== to) throw invalid(`invalid groupVersion (expected ${to}, received ${gotGV})`);
  if (out.kind !== original.kind) throw invalid(`invalid kind (expected ${original.kind}, received ${out.kind})`);
  const err = sameIdentity(original, out);
  if (err) {
    if (index === undefined) throw new ConversionError(`conversion webhook for ${gvk} returned invalid object: ${err}`);
    throw invalid(err);
  }
  const metaErr = restoreObjectMeta(original, out);
  if (metaErr) {
    throw new ConversionError(index === undefined
      ? `conversion webhook for ${gvk} returned invalid metadata: ${metaErr}`
      : `conversion webhook for ${gvk} returned invalid metadata in object at index ${index}: ${metaErr}`);
  }
  return out;
}

/** validateConvertedObject: kind, name, namespace and uid must not change. */
function sameIdentity(a: KubeObject, b: KubeObject): string | undefined {
  const get = (o: KubeObject, k: 'name' | 'namespace' | 'uid'): string => {
    const v = isMap(o.metadata) ? o.metadata[k] : undefined;
    return typeof v === 'string' ? v : '';
  };
  if (a.kind !== b.kind) return `must have the same kind: ${a.kind} != ${b.kind}`;
  if (get(a, 'name') !== get(b, 'name')) return `must have the same name: ${get(a, 'name')} != ${get(b, 'name')}`;
  if (get(a, 'namespace') !== get(b, 'namespace')) return `must have the same namespace: ${get(a, 'namespace')} != ${get(b, 'namespace')}`;
  if (get(a, 'uid') !== get(b, 'uid')) return `must have the same UID: ${get(a, 'uid')} != ${get(b, 'uid')}`;
  return undefined;
}

/**
 * restoreObjectMeta: the converted object gets the original's metadata back, except labels and
 * annotations, which the webhook may change (validated when it did). Mutates `converted`.
 */
function restoreObjectMeta(original: KubeObject, converted: KubeObject): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(converted, 'metadata')) return 'missing metadata in converted object';
  const response = converted.metadata as unknown;
  if (!isMap(response)) return `invalid metadata of type ${goTypeName(response)} in converted object`;
  const meta: Record<string, unknown> = original.metadata === undefined ? {} : structuredClone(original.metadata);
  if (!isMap(meta)) return `invalid metadata of type ${goTypeName(meta)} in input object`;
  for (const fld of ['labels', 'annotations'] as const) {
    const got = response[fld];
    if (got === undefined || got === null) {
      delete meta[fld];
      continue;
    }
    if (!isMap(got)) return `invalid metadata.${fld} of type ${goTypeName(got)} in converted object`;
    const orig = meta[fld];
    if (orig !== undefined && orig !== null && !isMap(orig)) return `invalid metadata.${fld} of type ${goTypeName(orig)} in original object`;
    const before = (orig ?? {}) as Record<string, unknown>;
    let changed = Object.keys(before).length !== Object.keys(got).length;
    for (const [k, v] of Object.entries(got)) {
      if (typeof v !== 'string') return `metadata.${fld}[${k}] must be a string, but is ${goTypeName(v)} in converted object`;
      if (before[k] !== v) changed = true;
    }
    if (changed) {
      const errs = fld === 'labels'
        ? validateLabels(got as Record<string, string>, 'metadata.labels')
        : validateAnnotations(got as Record<string, string>, 'metadata.annotation');
      if (errs.length) return aggregateMessage(errs.map(fieldErrorString));
    }
    meta[fld] = got;
  }
  converted.metadata = meta as KubeObject['metadata'];
  return undefined;
}
