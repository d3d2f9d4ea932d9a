// Resource requests: /api(s)/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<sub>]].
// Routing (which method is served where), decoding, negotiation and option parsing happen here;
// semantics belong to the registry.

import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  badRequest, forbidden, notFound, requestEntityTooLarge, StatusError, unsupportedMediaType,
} from '../../apimachinery/errors.js';
import { parseFieldSelector } from '../../apimachinery/fields.js';
import { appendAll } from '../../apimachinery/validation.js';
import { jsonDepthExceeds } from '../../apimachinery/strict.js';
import { formatTime, type KubeObject } from '../../apimachinery/object.js';
import { fieldManagerFor } from '../../fieldmanager/endpoint.js';
import { supportsKind } from '../../protobuf/index.js';
import type { ResourceSet } from '../../registry/catalog.js';
import {
  apiVersionOfType, type RequestContext, type ResourceType, type SubresourceHandler, type SubresourceServices, type UserInfo,
} from '../../registry/types.js';
import type { ApiDeps } from '../deps.js';
import type { FieldValidation } from '../decode.js';
import { decodeDeleteOptionsBody } from '../deleteoptions.js';
import { decodeObjectAsync, decodeProtobufAsync } from '../decode-pool.js';
import { checkNamespaceAndName, patchedObject, type PatchRequest } from '../patch-object.js';
import { appliedObject, managerOrUserAgent, parseApplyBody, sentWriteOptions, validatePatchOptions } from '../apply-object.js';
import { createOffLoop, patchOffLoop, updateOffLoop, writesOffLoop } from '../write-offload.js';
import { MAX_BODY_BYTES, readBody } from '../body.js';
import { requestQuery } from '../edge.js';
import { bodyFormat, negotiateOutput, PROTOBUF, type Offer } from '../negotiate.js';
import {
  checkObjectResourceVersion, checkReadResourceVersion, checkTableOptions, isPretty, parseDeleteOptions, parseGetOptions, parseListOptions,
  parseWriteOptions, bool,
} from '../options.js';
import type { ResourceRequestInfo } from '../requestinfo.js';
import { convertList, convertObject, send, trackWarnings, warningHeaders } from '../respond.js';
import { trackAuditAnnotations } from '../../audit/annotations.js';
import { rawListItem } from '../../registry/conversion.js';
import { listItem } from '../../registry/store.js';
import { serveScale } from './scale.js';
import { PageNotFound } from './nonresource.js';
import { serveWatch } from './watch.js';

/** Methods each kind of path serves; anything else is 405, as kube's route table answers. */
const SUBRESOURCE_METHODS: Record<string, string[]> = {
  status: ['GET', 'PUT', 'PATCH'],
  scale: ['GET', 'PUT', 'PATCH'],
  finalize: ['PUT'],
  approval: ['GET', 'PUT', 'PATCH'],
};

function notServed(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
/** Patches nested deeper than this are applied by a worker (the event loop's stack is smaller). */
const DEEP_PATCH_LEVELS = 1000;

/**
 * The patch type of a PATCH request, checked as kube does: go-restful's route only matches when
 * one of the (comma-separated) Content-Type values is a type the route consumes (otherwise its
 * own "415: Unsupported Media Type"), then the handler wants the header, up to its first ';', to be
 * exactly one of them.
 */
function patchTypeOf(contentType: string | undefined, builtin: boolean, customResource: boolean): 'json' | 'merge' | 'strategic' | 'apply' {
  const consumes = builtin ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
  const ct = contentType ?? '';
  // custom resources are served by apiextensions' own handler, without go-restful's routing check
  const routed = customResource || (ct !== '' && ct.split(',').some((part) => consumes.includes(part.split(';')[0]!.trim())));
  if (!routed) throw new StatusError(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
  const semi = ct.indexOf(';');
  const base = semi > 0 ? ct.slice(0, semi) : ct;
  switch (base) {
    case JSON_PATCH: return 'json';
    case MERGE_PATCH: return 'merge';
    case STRATEGIC_PATCH: if (builtin) return 'strategic'; break;
    case APPLY_PATCH: return 'apply';
  }
  throw unsupportedMediaType(consumes);
}

/** The body format of a create/update/delete body: no Content-Type means JSON, as in kube. */
function inputFormat(contentType: string | undefined): ReturnType<typeof bodyFormat> {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  return bodyFormat(contentType);
}

/** Reads the body where kube's handler reads it (after routing, negotiation and the 415 check). */
async function loadBody(req: FastifyRequest): Promise<void> {
  req.body = await readBody(req.raw);
}

export function bodyBytes(req: FastifyRequest): Buffer {
  const body = req.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
  if (buf.length > MAX_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
  return buf;
}

export function bodyText(req: FastifyRequest): string {
  return bodyBytes(req).toString('utf8');
}

/** A kind kube serves from Go types (strategic merge patches apply): core kinds and apiextensions' own. */
function isTypedKind(type: ResourceType): boolean {
  return type.schemaName.startsWith('io.k8s.api.') || type.schemaName.startsWith('io.k8s.apiextensions-apiserver.');
}

/** Which methods the path form allows, like the routes kube-apiserver installs. */
function allowedMethods(type: ResourceType, info: ResourceRequestInfo): string[] {
  // a never-stored resource has one route: POST on its collection
  if (type.createOnly) return ['POST'];
  if (info.subresource) return type.subresourceHandlers?.[info.subresource]?.methods ?? SUBRESOURCE_METHODS[info.subresource] ?? [];
  if (info.name) return ['GET', 'PUT', 'PATCH', 'DELETE'];
  // a namespaced kind across all namespaces can only be listed and watched
  if (type.namespaced && !info.namespace) return ['GET'];
  return ['GET', 'POST', 'DELETE'];
}

/** The internal Go type kube names in some 406 messages. */
function goTypeName(type: ResourceType, list: boolean): string {
  const pkg = type.storage.group === '' ? 'core' : type.storage.group.split('.')[0]!;
  if (!['core', 'rbac', 'coordination'].includes(pkg)) return list ? '*unstructured.UnstructuredList' : '*unstructured.Unstructured';
  return `*${pkg}.${type.storage.kind}${list ? 'List' : ''}`;
}

export async function serveResource(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply, info: ResourceRequestInfo,
  types: ResourceSet, user: UserInfo): Promise<FastifyReply | void> {
  const type = types.find(info.group, info.version, info.resource);
  if (!type || info.extra.length) {
    // a group of custom resources only is apiextensions' handler: what it does not serve is a plain 404
    if (!types.all.some((t) => t.group === info.group && !t.customResource)) throw new PageNotFound();
    throw notServed();
  }
  if (info.subresource && !type.subresources.includes(info.subresource)) throw notServed();
  if (type.customResource && !info.subresource && (type.namespaced ? !info.namespace && req.method !== 'GET' : !!info.namespace)) {
    // apiextensions' handler serves a custom resource only in its scope: elsewhere a plain 404
    throw new PageNotFound();
  }
  if (!type.namespaced && info.namespace && info.resource !== 'namespaces') throw notServed();
  // a namespaced object is only addressable inside its namespace
  if (type.namespaced && !info.namespace && info.name) throw notServed();
  // a never-stored resource has no object paths, and a namespaced one no path across namespaces
  if (type.createOnly && (info.name || (type.namespaced && !info.namespace))) throw notServed();
  if (!allowedMethods(type, info).includes(req.method)) throw methodNotAllowed();
  const verb = info.verb;

  const query = requestQuery(req.url);
  const pretty = isPretty(query, req.headers['user-agent']);
  const ctx: RequestContext = {
    cluster: info.cluster,
    namespace: type.namespaced ? info.namespace : '',
    user,
    now: new Date(),
    // a deprecated resource warns on every request, error answers included (kube's deprecation filter)
    warnings: type.warnings ? [...type.warnings] : [],
    auditAnnotations: {},
  };
  if (type.warnings) reply.header('Warning', warningHeaders(type.warnings));
  trackWarnings(req.raw, ctx.warnings);
  trackAuditAnnotations(req.raw, ctx.auditAnnotations!);
  const reg = deps.registry;
  if (info.subresource === 'scale' && type.customResource?.scale) {
    return serveScale(deps, req, reply, {
      info, type, ctx, query, pretty, patchTypeOf: (ct) => patchTypeOf(ct, false, true),
    });
  }
  const handler = info.subresource ? type.subresourceHandlers?.[info.subresource] : undefined;
  if (handler) return serveSubresource(deps, req, reply, { info, type, types, handler, ctx, query, pretty });
  if (type.createOnly) return serveCreateOnly(deps, req, reply, { info, type, types, ctx, query, pretty });
  const protobuf = supportsKind(apiVersionOfType(type), type.kind);
  const single: Offer = { table: true, metadata: 'object', protobuf, goType: goTypeName(type, false) };
  // a watch streams single objects: its metadata conversion is PartialObjectMetadata, not a list
  const output = negotiateOutput(req.headers.accept, verb === 'list' || verb === 'deletecollection'
    ? { table: true, metadata: 'list', protobuf, stream: verb === 'list', goType: goTypeName(type, true) }
    : verb === 'watch' ? { ...single, stream: true } : single);

  switch (verb) {
    case 'get': {
      const opts = parseGetOptions(query);
      checkReadResourceVersion(opts.resourceVersion, 'get');
      const obj = await reg.get(ctx, type, info.name, { resourceVersion: opts.resourceVersion });
      checkTableOptions(opts, output);
      return send(reply, 200, convertObject(type, obj, output, opts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    case 'list': {
      const opts = parseListOptions(query, type);
      // with a continue token the token's revision is used and resourceVersion is not parsed
      if (!opts.continue) checkReadResourceVersion(opts.resourceVersion, 'list');
      if (output.format === 'json' && !output.as && !pretty && !type.fromStorage && !type.converter) {
        // the common large response: items written from their stored JSON, not re-serialised
        const { metadata, kvs } = await reg.listKVs(ctx, type, opts);
        const items = kvs.map((kv) => (kv.raw !== undefined ? rawListItem(type, kv.raw, kv.modRevision) : undefined)
          ?? JSON.stringify(listItem(type, kv.value)));
        const body = `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(apiVersionOfType(type))},"metadata":${JSON.stringify(metadata)},"items":[${items.join(',')}]}\n`;
        if (ctx.warnings.length) reply.header('Warning', warningHeaders(ctx.warnings));
        return reply.code(200).header('Content-Type', 'application/json').header('Cache-Control', 'no-cache, private').send(Buffer.from(body));
      }
      const list = await reg.list(ctx, type, opts);
      checkTableOptions(opts, output);
      return send(reply, 200, convertList(type, list, output, opts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    case 'watch': {
      const opts = parseListOptions(query, type);
      checkReadResourceVersion(opts.resourceVersion, 'watch');
      checkTableOptions(opts, output);
      // a watch of one object is a watch with a metadata.name field selector
      if (info.name) opts.fieldSelector = parseFieldSelector(`metadata.name=${info.name}`);
      return serveWatch(deps, req, reply, ctx, type, opts, output);
    }
    case 'create': {
      const fmt = inputFormat(req.headers['content-type']);
      // (apiextensions' handler lists protobuf among what it accepts, then refuses it for custom resources)
      if (fmt !== 'json' && fmt !== 'yaml' && !(fmt === 'protobuf' && protobuf)) throw unsupportedMediaType(inputTypes(protobuf || !!type.customResource));
      await loadBody(req);
      const wopts = parseWriteOptions(query, 'CreateOptions');
      ctx.writeOptions = sentWriteOptions(query);
      ctx.fieldManager = managerOrUserAgent(wopts.fieldManager, req.headers['user-agent']);
      // a large body is decoded, prepared and validated off the event loop
      const prepared = await createOffLoop(reg, ctx, {
        type, schema: deps.schemaFor(type), bytes: bodyBytes(req), format: fmt, fieldValidation: wopts.fieldValidation,
      }, req.headers.accept);
      const obj = prepared ?? await decodeBody(deps, req, type, wopts.fieldValidation, ctx.warnings);
      if (type.customResource?.terminating) {
        throw forbidden({ group: type.group, resource: type.resource }, obj.metadata.name ?? '',
          'create not allowed while custom resource definition is terminating');
      }
      const created = await reg.create(ctx, type, obj, { dryRun: wopts.dryRun, prepared: !!prepared });
      return send(reply, 201, convertObject(type, created, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
    }
    case 'update': {
      await loadBody(req);
      const wopts = parseWriteOptions(query, 'UpdateOptions');
      ctx.writeOptions = sentWriteOptions(query);
      ctx.fieldManager = managerOrUserAgent(wopts.fieldManager, req.headers['user-agent']);
      // a large body is decoded and checked, then prepared and validated, off the event loop
      const fmt = inputFormat(req.headers['content-type']);
      const offLoop = fmt === 'json' || fmt === 'yaml' || (fmt === 'protobuf' && protobuf) ? await updateOffLoop(reg, ctx, {
        type, schema: deps.schemaFor(type), bytes: bodyBytes(req), format: fmt, fieldValidation: wopts.fieldValidation,
      }, { name: info.name, namespace: info.namespace, subresource: info.subresource ?? '' }, req.headers.accept) : undefined;
      const decoded = async (warnings: string[]) => {
        const obj = await decodeBody(deps, req, type, wopts.fieldValidation, warnings);
        checkNamespaceAndName(type, obj, info.name, info.namespace);
        return obj;
      };
      // (checked off the loop: its warnings are taken, the object is decoded again only to be created)
      const obj = offLoop ? undefined : await decoded(ctx.warnings);
      const res = await reg.update(ctx, type, info.name, {
        updatedObject: async () => {
          const o = obj ?? await decoded([]);
          checkObjectResourceVersion(o.metadata.resourceVersion);
          return o;
        },
        uidPrecondition: offLoop ? offLoop.uid : obj!.metadata.uid,
        preparedObject: offLoop?.preparedObject,
      }, { dryRun: wopts.dryRun, subresource: info.subresource });
      return send(reply, res.created ? 201 : 200, convertObject(type, res.object, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
    }
    case 'patch': {
      const patchType = patchTypeOf(req.headers['content-type'], isTypedKind(type), !!type.customResource);
      await loadBody(req);
      const wopts = parseWriteOptions(query, 'PatchOptions');
      ctx.writeOptions = sentWriteOptions(query);
      validatePatchOptions(patchType === 'apply', wopts.fieldManager, query.get('force'));
      ctx.fieldManager = managerOrUserAgent(wopts.fieldManager, req.headers['user-agent']);
      if (patchType === 'apply') return serveApply(deps, reply, { info, type, ctx, query, output, pretty, text: bodyText(req), wopts });
      const patch: PatchRequest = {
        type, schema: deps.schemaFor(type), patchType, text: bodyText(req), fieldValidation: wopts.fieldValidation,
        name: info.name, namespace: info.namespace,
      };
      const subresource = info.subresource ?? '';
      // a large patch is applied, decoded and validated off the event loop
      // (a deeply nested patch too: the worker's stack holds kube's 10,000 levels, the loop's not)
      const deep = jsonDepthExceeds(patch.text, DEEP_PATCH_LEVELS);
      const offLoop = writesOffLoop(reg, ctx.cluster, patch, deep ? Infinity : Buffer.byteLength(patch.text), req.headers.accept);
      const res = await reg.update(ctx, type, info.name, {
        updatedObject: (existing?: KubeObject) => {
          if (!existing) throw notFound({ group: type.group, resource: type.resource }, info.name);
          return patchedObject(patch, existing, ctx.warnings);
        },
        preparedObject: offLoop ? (existing, modRevision) => patchOffLoop(ctx, patch, existing, modRevision, subresource) : undefined,
      }, { dryRun: wopts.dryRun, subresource: info.subresource });
      return send(reply, 200, convertObject(type, res.object, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
    }
    case 'delete': {
      await loadBody(req);
      const dopts = parseDeleteOptions(query, deleteBody(req));
      const res = await reg.delete(ctx, type, info.name, dopts);
      const code = !res.deleted && dopts.orphanDependents === false ? 202 : 200;
      const body = (res.object as KubeObject).kind === 'Status' ? res.object : convertObject(type, res.object as KubeObject, output, 'Metadata', ctx.now);
      return send(reply, code, body, output, pretty, ctx.warnings);
    }
    case 'deletecollection': {
      await loadBody(req);
      const dopts = parseDeleteOptions(query, deleteBody(req));
      const lopts = parseListOptions(query, type);
      const list = await reg.deleteCollection(ctx, type, lopts, dopts);
      checkTableOptions(lopts, output);
      return send(reply, 200, convertList(type, list, output, lopts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    default:
      throw methodNotAllowed();
  }
}

/**
 * Server-side apply: the configuration applied to the live object by the endpoint's field
 * manager (creating the object when there is none), then stored as any update.
 */
async function serveApply(deps: ApiDeps, reply: FastifyReply, r: {
  info: ResourceRequestInfo; type: ResourceType; ctx: RequestContext; query: URLSearchParams; output: ReturnType<typeof negotiateOutput>;
  pretty: boolean; text: string; wopts: ReturnType<typeof parseWriteOptions>;
}): Promise<FastifyReply> {
  const { info, type, ctx, output } = r;
  const patch = parseApplyBody(r.text);
  const subresource = info.subresource ?? '';
  const req = {
    type, schema: deps.schemaFor(type), subresource, text: r.text, fieldValidation: r.wopts.fieldValidation,
    manager: r.wopts.fieldManager!, force: bool(r.query, 'force') ?? false, name: info.name, namespace: info.namespace,
  };
  const res = await deps.registry.update({ ...ctx, appliedFields: true }, type, info.name, {
    updatedObject: (existing?: KubeObject) => appliedObject(req, patch, existing, ctx.now, ctx.warnings),
  }, { dryRun: r.wopts.dryRun, subresource: info.subresource, forceAllowCreate: !subresource });
  return send(reply, res.created ? 201 : 200, convertObject(type, res.object, output, 'Metadata', ctx.now), output, r.pretty, ctx.warnings);
}

/** The served type a subresource handler's body decodes as (its own kind, e.g. TokenRequest). */
function subresourceBodyType(parent: ResourceType, handler: SubresourceHandler): ResourceType {
  // one per (parent, handler): what is derived from a type (its field manager) is cached by it
  let byHandler = bodyTypes.get(parent);
  if (!byHandler) bodyTypes.set(parent, byHandler = new WeakMap());
  let t = byHandler.get(handler);
  if (!t) {
    const { group, version, kind, schemaName } = handler.kind;
    const apiVersion = apiVersionOfType({ group, version });
    t = {
      ...parent, group, version, kind, listKind: `${kind}List`, schemaName, subresourceHandlers: undefined,
      storage: { group, resource: parent.resource, apiVersion, kind },
    };
    byHandler.set(handler, t);
  }
  return t;
}

const bodyTypes = new WeakMap<ResourceType, WeakMap<SubresourceHandler, ResourceType>>();

/** A create's field management where kube's create handler records it (objects that are never stored too). */
function trackCreate(type: ResourceType, subresource: string, obj: KubeObject, manager: string | undefined, userAgent: string | undefined, now: Date): void {
  const fm = fieldManagerFor(type, subresource);
  if (!fm) return;
  // as the Go object converts: the reviews' fields are all omitempty (empty strings, nulls and
  // empty lists are not there)
  const seen = omitEmpty(structuredClone(obj)) as KubeObject;
  seen.metadata ??= {};
  fm.update(undefined, seen, managerOrUserAgent(manager, userAgent), formatTime(now));
  obj.metadata ??= {};
  if (seen.metadata.managedFields) obj.metadata.managedFields = seen.metadata.managedFields;
  else delete obj.metadata.managedFields;
}

function omitEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(omitEmpty);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === null || x === '' || (Array.isArray(x) && x.length === 0)) delete o[k];
    else omitEmpty(x);
  }
  return o;
}

/** A subresource with its own handler (kube's NamedCreater): decode the body as its kind, call it, answer 201. */
async function serveSubresource(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply, r: {
  info: ResourceRequestInfo; type: ResourceType; types: ResourceSet; handler: SubresourceHandler;
  ctx: RequestContext; query: URLSearchParams; pretty: boolean;
}): Promise<FastifyReply> {
  const { info, handler, ctx } = r;
  const bodyType = subresourceBodyType(r.type, handler);
  const protobuf = supportsKind(apiVersionOfType(bodyType), bodyType.kind);
  const output = negotiateOutput(req.headers.accept, { table: false, metadata: false, protobuf });
  if (info.verb !== 'create') throw methodNotAllowed();
  const fmt = inputFormat(req.headers['content-type']);
  // kube's route consumes protobuf too: the 415 lists it even where kplane cannot decode it
  if (fmt !== 'json' && fmt !== 'yaml' && !(fmt === 'protobuf' && protobuf)) throw unsupportedMediaType(inputTypes(true));
  await loadBody(req);
  const wopts = parseWriteOptions(r.query, 'CreateOptions');
  ctx.writeOptions = sentWriteOptions(r.query);
  const obj = await decodeBody(deps, req, bodyType, wopts.fieldValidation, ctx.warnings);
  matchRequestNamespace(obj, r.type.namespaced ? info.namespace ?? '' : '');
  handler.applyDefaults?.(obj);
  trackCreate(bodyType, info.subresource ?? '', obj, wopts.fieldManager, req.headers['user-agent'], ctx.now);
  const out = await handler.create({
    ctx, parent: r.type, name: info.name, object: obj, dryRun: wopts.dryRun, services: handlerServices(deps, r.types),
  });
  return send(reply, 201, out, output, r.pretty, ctx.warnings);
}

/** The services a handler of its own (subresource, never-stored resource) may use. */
function handlerServices(deps: ApiDeps, types: ResourceSet): SubresourceServices {
  return { registry: deps.registry, types, tokens: deps.tokens, authorizer: deps.authorizer, tokenAuthenticator: deps.tokenAuthenticator };
}

/** POST of a never-stored resource (kube's create handler over a rest.Creater): decode, compute, answer 201. */
async function serveCreateOnly(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply, r: {
  info: ResourceRequestInfo; type: ResourceType; types: ResourceSet; ctx: RequestContext; query: URLSearchParams; pretty: boolean;
}): Promise<FastifyReply> {
  const { type, ctx } = r;
  const protobuf = supportsKind(apiVersionOfType(type), type.kind);
  const output = negotiateOutput(req.headers.accept, { table: false, metadata: false, protobuf });
  const fmt = inputFormat(req.headers['content-type']);
  if (fmt !== 'json' && fmt !== 'yaml' && !(fmt === 'protobuf' && protobuf)) throw unsupportedMediaType(inputTypes(true));
  await loadBody(req);
  const wopts = parseWriteOptions(r.query, 'CreateOptions');
  ctx.writeOptions = sentWriteOptions(r.query);
  const obj = await decodeBody(deps, req, type, wopts.fieldValidation, ctx.warnings);
  matchRequestNamespace(obj, type.namespaced ? r.info.namespace : '');
  trackCreate(type, '', obj, wopts.fieldManager, req.headers['user-agent'], ctx.now);
  const out = await type.createOnly!.create({ ctx, type, object: obj, dryRun: wopts.dryRun, services: handlerServices(deps, r.types) });
  return send(reply, 201, out, output, r.pretty, ctx.warnings);
}

/** rest.EnsureObjectNamespaceMatchesRequestNamespace, as the create handler runs it. */
function matchRequestNamespace(obj: KubeObject, expected: string): void {
  const objNamespace = obj.metadata.namespace ?? '';
  if (objNamespace === '') {
    if (expected) obj.metadata.namespace = expected;
  } else if (objNamespace !== expected) {
    if (expected === '') delete obj.metadata.namespace;
    else throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

function inputTypes(protobuf: boolean): string[] {
  return protobuf ? ['application/json', 'application/yaml', PROTOBUF] : ['application/json', 'application/yaml'];
}

/** Decodes a create/update body of the request's content type. */
async function decodeBody(deps: ApiDeps, req: FastifyRequest, type: ResourceType, fieldValidation: FieldValidation,
  warnings: string[]): Promise<KubeObject> {
  const fmt = inputFormat(req.headers['content-type']);
  const schema = deps.schemaFor(type);
  const protobuf = supportsKind(apiVersionOfType(type), type.kind);
  // protobuf cannot carry unknown or duplicate fields: nothing for field validation to report
  if (fmt === 'protobuf' && protobuf) return decodeProtobufAsync({ type, schema, bytes: bodyBytes(req) });
  if (fmt !== 'json' && fmt !== 'yaml') throw unsupportedMediaType(inputTypes(protobuf));
  const bytes = bodyBytes(req);
  // large bodies are decoded off the event loop
  const decoded = await decodeObjectAsync({ type, schema, text: bytes.toString('utf8'), bytes, format: fmt, fieldValidation });
  appendAll(warnings, decoded.warnings);
  return decoded.object;
}

/** A DELETE body is optional DeleteOptions; when there is one, kube reads the options from it alone. */
function deleteBody(req: FastifyRequest): { body?: unknown } {
  return decodeDeleteOptionsBody(bodyBytes(req), req.headers['content-type']);
}
