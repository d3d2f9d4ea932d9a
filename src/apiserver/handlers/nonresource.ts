// Non-resource paths inside a logical cluster: version, the root path list, discovery and OpenAPI.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { serveDiscovery } from '../../discovery/index.js';
import { serveOpenAPI } from '../../openapi/index.js';
import type { ResourceSet } from '../../registry/catalog.js';
import type { ApiDeps } from '../deps.js';
import type { NonResourceRequestInfo } from '../requestinfo.js';
import { requestQuery } from '../edge.js';
import { isPretty } from '../options.js';
import { serialize } from '../respond.js';
import { methodNotAllowed } from './resource.js';

/** kube-apiserver's answer for a path no route serves: plain text, not a Status. */
export class PageNotFound extends Error {}

function notFound(): Error {
  return new PageNotFound('404 page not found');
}

/**
 * kube serves /version, /api, /api/<v> and /apis/<g>/<v> through go-restful routes that take GET
 * only (any other method, HEAD included, is its 405 where GET would answer); the other
 * non-resource paths (/, /apis, /apis/<g>, /openapi/..., health) answer every method as a GET.
 */
function isRestfulPath(path: string): boolean {
  return path === '/version' || path === '/version/' || /^\/api(\/[^/]+)?$/.test(path) || /^\/apis\/[^/]+\/[^/]+$/.test(path);
}

function json(reply: FastifyReply, body: unknown, pretty: boolean, contentType = 'application/json'): FastifyReply {
  return reply.code(200).header('Content-Type', contentType).header('Cache-Control', 'no-cache, private')
    .send(Buffer.from(serialize(body, 'json', pretty)));
}

export async function serveNonResource(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply,
  info: NonResourceRequestInfo, types: ResourceSet): Promise<FastifyReply> {
  const query = requestQuery(req.url);
  const pretty = isPretty(query, req.headers['user-agent']);
  const path = info.path;
  const getOnly = req.method !== 'GET' && isRestfulPath(path);
  if (path === '/version' || path === '/version/') {
    if (getOnly) throw methodNotAllowed();
    return json(reply, deps.version, true);
  }
  if (path === '/') {
    return json(reply, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] }, true);
  }
  const discovery = serveDiscovery(types.all, {
    path,
    accept: req.headers.accept,
    ifNoneMatch: req.headers['if-none-match'],
  }, { serverAddress: req.headers.host ?? '' });
  if (discovery) {
    if (getOnly) throw methodNotAllowed();
    reply.code(discovery.status).headers(discovery.headers);
    if (discovery.body === undefined) return reply.send();
    return reply.send(Buffer.from(pretty && discovery.headers['Content-Type']?.startsWith('application/json')
      ? JSON.stringify(JSON.parse(discovery.body), null, 2) + '\n' : discovery.body));
  }
  if (path.startsWith('/openapi/')) {
    const r = serveOpenAPI(types.all, {
      path,
      hash: query.get('hash') ?? undefined,
      accept: req.headers.accept,
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    }, { basePath: `/clusters/${info.cluster ?? 'root'}`, definitionSources: types.definitionSources });
    if (r) {
      reply.code(r.status).headers(r.headers);
      return r.body === undefined ? reply.send() : reply.send(r.body);
    }
  }
  throw notFound();
}
