// Resource requests: /api(s)/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<sub>]].
// Routing (which method is served where), decoding, negotiation and option parsing happen here;
// semantics belong to the registry.

import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  badRequest, notFound, requestEntityTooLarge, StatusError, unsupportedMediaType,
} from '../../apimachinery/errors.js';
import { parseFieldSelector } from '../../apimachinery/fields.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { applyPatch } from '../../apimachinery/patch/apply.js';
import { decodeObject as decodeProtobuf, supportsKind } from '../../protobuf/index.js';
import type { ResourceSet } from '../../registry/catalog.js';
import { apiVersionOfType, type RequestContext, type ResourceType, type UserInfo } from '../../registry/types.js';
import type { ApiDeps } from '../deps.js';
import { conformObject, decodeObject, parseBody } from '../decode.js';
import { bodyFormat, negotiateOutput, PROTOBUF, type Offer } from '../negotiate.js';
import { isPretty, parseDeleteOptions, parseListOptions, parseWriteOptions } from '../options.js';
import type { ResourceRequestInfo } from '../requestinfo.js';
import { convertList, convertObject, send } from '../respond.js';
import { serveWatch } from './watch.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Methods each kind of path serves; anything else is 405, as kube's route table answers. */
const SUBRESOURCE_METHODS: Record<string, string[]> = {
  status: ['GET', 'PUT', 'PATCH'],
  finalize: ['PUT'],
};

function notServed(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
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

/** Which methods the path form allows, like the routes kube-apiserver installs. */
function allowedMethods(type: ResourceType, info: ResourceRequestInfo): string[] {
  if (info.subresource) return SUBRESOURCE_METHODS[info.subresource] ?? [];
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
  if (!type || info.extra.length) throw notServed();
  if (info.subresource && !type.subresources.includes(info.subresource)) throw notServed();
  if (!type.namespaced && info.namespace && info.resource !== 'namespaces') throw notServed();
  // a namespaced object is only addressable inside its namespace
  if (type.namespaced && !info.namespace && info.name) throw notServed();
  if (!allowedMethods(type, info).includes(req.method)) throw methodNotAllowed();
  const verb = info.verb;

  const query = new URL(req.url, 'http://x').searchParams;
  const pretty = isPretty(query, req.headers['user-agent']);
  const ctx: RequestContext = {
    cluster: info.cluster,
    namespace: type.namespaced ? info.namespace : '',
    user,
    now: new Date(),
    warnings: [],
  };
  const reg = deps.registry;
  const protobuf = supportsKind(apiVersionOfType(type), type.kind);
  const single: Offer = { table: true, metadata: 'object', protobuf, goType: goTypeName(type, false) };
  const output = negotiateOutput(req.headers.accept, verb === 'list' || verb === 'watch' || verb === 'deletecollection'
    ? { table: true, metadata: 'list', protobuf, stream: verb !== 'deletecollection', goType: goTypeName(type, true) }
    : single);

  switch (verb) {
    case 'get': {
      const opts = parseListOptions(query, type);
      const obj = await reg.get(ctx, type, info.name, { resourceVersion: opts.resourceVersion });
      return send(reply, 200, convertObject(type, obj, output, opts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    case 'list': {
      const opts = parseListOptions(query, type);
      const list = await reg.list(ctx, type, opts);
      return send(reply, 200, convertList(type, list, output, opts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    case 'watch': {
      const opts = parseListOptions(query, type);
      // a watch of one object is a watch with a metadata.name field selector
      if (info.name) opts.fieldSelector = parseFieldSelector(`metadata.name=${info.name}`);
      return serveWatch(deps, req, reply, ctx, type, opts, output);
    }
    case 'create': {
      const wopts = parseWriteOptions(query, 'CreateOptions');
      const obj = decodeBody(deps, req, type, wopts.fieldValidation, ctx.warnings);
      const created = await reg.create(ctx, type, obj, { dryRun: wopts.dryRun });
      return send(reply, 201, convertObject(type, created, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
    }
    case 'update': {
      const wopts = parseWriteOptions(query, 'UpdateOptions');
      const obj = decodeBody(deps, req, type, wopts.fieldValidation, ctx.warnings);
      if (obj.metadata.name !== info.name) {
        throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${info.name})`);
      }
      if (type.namespaced && obj.metadata.namespace && obj.metadata.namespace !== info.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const res = await reg.update(ctx, type, info.name, {
        updatedObject: () => obj,
        uidPrecondition: obj.metadata.uid,
      }, { dryRun: wopts.dryRun, subresource: info.subresource });
      return send(reply, res.created ? 201 : 200, convertObject(type, res.object, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
    }
    case 'patch': {
      const wopts = parseWriteOptions(query, 'PatchOptions');
      const fmt = bodyFormat(req.headers['content-type']);
      if (fmt !== 'json-patch' && fmt !== 'merge-patch' && fmt !== 'strategic-merge-patch') {
        throw unsupportedMediaType(req.headers['content-type'] ?? '', [
          'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json',
        ]);
      }
      const patchType = fmt === 'json-patch' ? 'json' : fmt === 'merge-patch' ? 'merge' : 'strategic';
      const text = bodyText(req);
      const schema = deps.schemaFor(type);
      const res = await reg.update(ctx, type, info.name, {
        updatedObject: (existing?: KubeObject) => {
          if (!existing) throw notFound({ group: type.group, resource: type.resource }, info.name);
          const patched = applyPatch(patchType, existing, text, schema);
          const decoded = conformObject({ type, schema, fieldValidation: wopts.fieldValidation }, patched);
          ctx.warnings.push(...decoded.warnings);
          if (decoded.object.metadata.name !== info.name) {
            throw badRequest(`the name of the object (${decoded.object.metadata.name ?? ''}) does not match the name on the URL (${info.name})`);
          }
          // A patch that names no resourceVersion applies to whatever is current.
          if (!patchNamesResourceVersion(text, patchType)) decoded.object.metadata.resourceVersion = existing.metadata.resourceVersion;
          return decoded.object;
        },
      }, { dryRun: wopts.dryRun, subresource: info.subresource });
      return send(reply, 200, convertObject(type, res.object, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
    }
    case 'delete': {
      const dopts = parseDeleteOptions(query, deleteBody(req));
      const res = await reg.delete(ctx, type, info.name, dopts);
      const code = !res.deleted && dopts.orphanDependents === false ? 202 : 200;
      const body = (res.object as KubeObject).kind === 'Status' ? res.object : convertObject(type, res.object as KubeObject, output, 'Metadata', ctx.now);
      return send(reply, code, body, output, pretty, ctx.warnings);
    }
    case 'deletecollection': {
      const dopts = parseDeleteOptions(query, deleteBody(req));
      const lopts = parseListOptions(query, type);
      const list = await reg.deleteCollection(ctx, type, lopts, dopts);
      return send(reply, 200, convertList(type, list, output, lopts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    default:
      throw methodNotAllowed();
  }
}

/** Decodes a create/update body of the request's content type. */
function decodeBody(deps: ApiDeps, req: FastifyRequest, type: ResourceType, fieldValidation: 'Ignore' | 'Warn' | 'Strict',
  warnings: string[]): KubeObject {
  const fmt = bodyFormat(req.headers['content-type']);
  const schema = deps.schemaFor(type);
  if (fmt === 'protobuf' && supportsKind(apiVersionOfType(type), type.kind)) {
    const decoded = decodeProtobuf(bodyBytes(req), { apiVersion: apiVersionOfType(type), kind: type.kind });
    // protobuf cannot carry unknown or duplicate fields: nothing for field validation to report
    return conformObject({ type, schema, fieldValidation: 'Ignore' }, { ...decoded.object, apiVersion: decoded.apiVersion, kind: decoded.kind }).object;
  }
  if (fmt !== 'json' && fmt !== 'yaml') {
    throw unsupportedMediaType(req.headers['content-type'] ?? '', ['application/json', 'application/yaml', PROTOBUF]);
  }
  const decoded = decodeObject({ type, schema, text: bodyText(req), format: fmt, fieldValidation });
  warnings.push(...decoded.warnings);
  return decoded.object;
}

/** A DELETE body is optional DeleteOptions (JSON, YAML or protobuf). */
function deleteBody(req: FastifyRequest): unknown {
  const bytes = bodyBytes(req);
  if (bytes.length === 0) return undefined;
  const fmt = bodyFormat(req.headers['content-type']);
  if (fmt === 'protobuf') return decodeProtobuf(bytes, { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' }).object;
  const text = bytes.toString('utf8');
  if (!text.trim()) return undefined;
  const parsed = parseBody(text, fmt === 'yaml' ? 'yaml' : 'json');
  if (parsed.error) throw badRequest(`couldn't get version/kind; json parse error: ${parsed.error}`);
  return parsed.value;
}

function patchNamesResourceVersion(text: string, patchType: string): boolean {
  if (patchType === 'json') return /"\/metadata\/resourceVersion"/.test(text);
  try {
    const p = JSON.parse(text) as { metadata?: { resourceVersion?: unknown } };
    return typeof p?.metadata?.resourceVersion === 'string' && p.metadata.resourceVersion !== '';
  } catch {
    return false;
  }
}
