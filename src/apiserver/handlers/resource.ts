// Resource requests: /api(s)/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<sub>]].
// Decoding, negotiation and option parsing happen here; semantics belong to the registry.

import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  badRequest, methodNotSupported, notFound, requestEntityTooLarge, StatusError, unsupportedMediaType,
} from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { applyPatch } from '../../apimachinery/patch/apply.js';
import type { ResourceSet } from '../../registry/catalog.js';
import type { RequestContext, ResourceType, UserInfo } from '../../registry/types.js';
import { conformObject, decodeObject, parseBody } from '../decode.js';
import { bodyFormat, negotiateOutput, SUPPORTED_MEDIA_TYPES } from '../negotiate.js';
import { isPretty, parseDeleteOptions, parseListOptions, parseWriteOptions } from '../options.js';
import type { ResourceRequestInfo } from '../requestinfo.js';
import { convertList, convertObject, send } from '../respond.js';
import type { ApiDeps } from '../deps.js';
import { serveWatch } from './watch.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Which verbs each subresource supports. */
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'update', 'patch'],
  finalize: ['update'],
};

function notServed(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function bodyText(req: FastifyRequest): string {
  const body = req.body;
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) {
    if (body.length > MAX_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
    return body.toString('utf8');
  }
  return String(body);
}

export async function serveResource(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply, info: ResourceRequestInfo,
  types: ResourceSet, user: UserInfo): Promise<FastifyReply | void> {
  const type = types.find(info.group, info.version, info.resource);
  if (!type || info.extra.length) throw notServed();
  if (info.subresource && !type.subresources.includes(info.subresource)) throw notServed();
  const verb = info.verb === 'head' ? 'get' : info.verb;
  if (info.subresource && !SUBRESOURCE_VERBS[info.subresource]?.includes(verb)) {
    throw methodNotSupported({ group: type.group, resource: `${type.resource}/${info.subresource}` }, verbAction(verb));
  }
  if (!info.subresource && !type.verbs.includes(verb as never)) throw methodNotSupported({ group: type.group, resource: type.resource }, verbAction(verb));
  if (type.namespaced && !info.namespace && (verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete' || verb === 'get')) {
    throw notServed();
  }
  if (!type.namespaced && info.namespace && info.resource !== 'namespaces') throw notServed();

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
  const readable = { table: true, metadata: true };

  switch (verb) {
    case 'get': {
      const output = negotiateOutput(req.headers.accept, readable);
      const opts = parseListOptions(query, type);
      const obj = await reg.get(ctx, type, info.name, { resourceVersion: opts.resourceVersion });
      return send(reply, 200, convertObject(type, obj, output, opts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    case 'list': {
      const output = negotiateOutput(req.headers.accept, readable);
      const opts = parseListOptions(query, type);
      const list = await reg.list(ctx, type, opts);
      return send(reply, 200, convertList(type, list, output, opts.includeObject, ctx.now), output, pretty, ctx.warnings);
    }
    case 'watch': {
      const output = negotiateOutput(req.headers.accept, readable);
      const opts = parseListOptions(query, type);
      if (info.name) {
        // a watch of one object is a watch with a metadata.name field selector
        const { parseFieldSelector } = await import('../../apimachinery/fields.js');
        opts.fieldSelector = parseFieldSelector(`metadata.name=${info.name}`);
      }
      return serveWatch(deps, req, reply, ctx, type, opts, output);
    }
    case 'create': {
      const output = negotiateOutput(req.headers.accept, { table: false, metadata: false });
      const wopts = parseWriteOptions(query, 'CreateOptions');
      const obj = decodeBody(deps, req, type, wopts.fieldValidation, ctx.warnings);
      if (info.name && obj.metadata.name && obj.metadata.name !== info.name) {
        throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
      }
      const created = await reg.create(ctx, type, obj, { dryRun: wopts.dryRun });
      return send(reply, 201, created, output, pretty, ctx.warnings);
    }
    case 'update': {
      const output = negotiateOutput(req.headers.accept, { table: false, metadata: false });
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
      return send(reply, res.created ? 201 : 200, res.object, output, pretty, ctx.warnings);
    }
    case 'patch': {
      const output = negotiateOutput(req.headers.accept, { table: false, metadata: false });
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
      return send(reply, 200, res.object, output, pretty, ctx.warnings);
    }
    case 'delete': {
      const output = negotiateOutput(req.headers.accept, { table: false, metadata: false });
      const dopts = parseDeleteOptions(query, deleteBody(req));
      const res = await reg.delete(ctx, type, info.name, dopts);
      const code = !res.deleted && dopts.orphanDependents === false ? 202 : 200;
      return send(reply, code, res.object, output, pretty, ctx.warnings);
    }
    case 'deletecollection': {
      const output = negotiateOutput(req.headers.accept, { table: false, metadata: false });
      const dopts = parseDeleteOptions(query, deleteBody(req));
      const lopts = parseListOptions(query, type);
      const list = await reg.deleteCollection(ctx, type, lopts, dopts);
      return send(reply, 200, list, output, pretty, ctx.warnings);
    }
    default:
      throw methodNotSupported({ group: type.group, resource: type.resource }, verb);
  }
}

function verbAction(verb: string): string {
  return verb;
}

/** Decodes a create/update body of the request's content type. */
function decodeBody(deps: ApiDeps, req: FastifyRequest, type: ResourceType, fieldValidation: 'Ignore' | 'Warn' | 'Strict',
  warnings: string[]): KubeObject {
  const fmt = bodyFormat(req.headers['content-type']);
  if (fmt !== 'json' && fmt !== 'yaml') throw unsupportedMediaType(req.headers['content-type'] ?? '', SUPPORTED_MEDIA_TYPES);
  const text = bodyText(req);
  const decoded = decodeObject({ type, schema: deps.schemaFor(type), text, format: fmt, fieldValidation });
  warnings.push(...decoded.warnings);
  return decoded.object;
}

/** A DELETE body is optional DeleteOptions (JSON or YAML). */
function deleteBody(req: FastifyRequest): unknown {
  const text = bodyText(req);
  if (!text.trim()) return undefined;
  const fmt = bodyFormat(req.headers['content-type']) === 'yaml' ? 'yaml' : 'json';
  const parsed = parseBody(text, fmt);
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
