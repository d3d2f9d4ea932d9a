// The HTTPS API server: one fastify instance serving every logical cluster under
// /clusters/<name>/..., plus health and version at the top level. The handler chain follows
// kube-apiserver's: authenticate, resolve the request, authorize (which also hides clusters that
// do not exist), then discovery, OpenAPI or the resource handlers.

import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { forbidden, StatusError, unsupportedMediaType } from '../apimachinery/errors.js';
import { ANONYMOUS, type Authenticator } from '../auth/authn.js';
import type { Authorizer } from '../auth/authz.js';
import type { UserInfo } from '../registry/types.js';
import { WILDCARD, type ClusterName } from '../tenancy/logicalcluster.js';
import type { ApiDeps } from './deps.js';
import { PageNotFound, serveNonResource } from './handlers/nonresource.js';
import { MAX_BODY_BYTES, serveResource } from './handlers/resource.js';
import { resolveRequestInfo, splitClusterPath, type RequestInfo } from './requestinfo.js';
import { sendError } from './respond.js';
import { serveUpgrades } from './websocket.js';

export interface ApiServerOptions {
  deps: Omit<ApiDeps, 'log'>;
  tls: { key: string; cert: string; ca: string };
  authenticator: Authenticator;
  authorizer: Authorizer;
  logger: Logger;
  /** Reports readiness for /readyz (false while starting or draining). */
  ready: () => boolean;
}

function notFoundStatus(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function pageNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('Content-Type', 'text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff')
    .send('404 page not found\n');
}

function clusterForbidden(user: UserInfo, cluster: string): StatusError {
  // One answer for "does not exist" and "not yours": no existence oracle.
  return forbidden({ group: 'core.kplane.io', resource: 'logicalclusters' }, cluster,
    `User "${user.username}" cannot access logical cluster "${cluster}": it does not exist or access is not granted`);
}

/** kube's authorization filter refusal (responsewriters.Forbidden) for an RBAC denial without a reason. */
function rbacForbidden(user: UserInfo, info: RequestInfo): StatusError {
  if (info.kind === 'nonresource') {
    return new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${info.verb} path "${info.path}"`, {});
  }
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const where = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  return forbidden({ group: info.group, resource: info.resource }, info.name,
    `User "${user.username}" cannot ${info.verb} resource "${resource}" in API group "${info.group}" ${where}`);
}

function healthBody(path: string, verbose: boolean, ok: boolean): string {
  const check = path.replace(/^\//, '').split('/')[0];
  if (!verbose) return ok ? 'ok' : `[-]${check === 'readyz' ? 'shutdown' : 'ping'} failed: reason withheld\n${check} check failed`;
  const lines = ['[+]ping ok', '[+]log ok', '[+]etcd ok'];
  if (check === 'readyz') lines.push(ok ? '[+]shutdown ok' : '[-]shutdown failed: reason withheld');
  lines.push(ok ? `${check} check passed` : `${check} check failed`);
  return lines.join('\n') + '\n';
}

export async function buildApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    https: { key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false },
    loggerInstance: opts.logger,
    // one concise line per request at debug level (onResponse below) instead of fastify's two at info
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 60_000,
    requestTimeout: 0,
  });
  const deps: ApiDeps = { ...opts.deps, log: app.log };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof PageNotFound) return pageNotFound(reply);
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
      // a Content-Type fastify cannot even parse: kube's handlers answer it as an unknown format
      return sendError(reply, unsupportedMediaType(req.method === 'PATCH'
        ? ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']
        : ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']), [], req.headers.accept);
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
      return sendError(reply, new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`));
    }
    if (!(err instanceof StatusError)) app.log.error({ err }, 'request failed');
    return sendError(reply, err, [], req.headers.accept);
  });
  app.setNotFoundHandler((_req, reply) => pageNotFound(reply));

  app.addHook('onResponse', (req, reply, done) => {
    req.log.debug({ verb: req.method, uri: req.url, code: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http');
    done();
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(req.url, 'https://kplane');
    const split = splitClusterPath(url.pathname);
    // credentials are judged for the logical cluster addressed: a service account token is only good in its own
    const user = (await opts.authenticator.authenticate(req.raw, { cluster: split.invalid === undefined ? split.cluster : undefined })) ?? ANONYMOUS;
    if (split.invalid !== undefined) {
      throw clusterForbidden(user, split.invalid);
    }
    const info: RequestInfo = resolveRequestInfo(req.method, split.rest, url.searchParams, split.cluster);
    const decision = opts.authorizer.authorize(user, info);
    const cluster = split.cluster;
    if (cluster && !decision.allowed) {
      // an identity of this very cluster (a service account) learns nothing new from kube's RBAC answer
      throw user.cluster === cluster ? rbacForbidden(user, info) : clusterForbidden(user, cluster);
    }
    if (!decision.allowed) {
      throw new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${req.method.toLowerCase()} path "${url.pathname}"`, {});
    }
    if (cluster && cluster !== WILDCARD) {
      const ci = await deps.clusters.info(cluster);
      if (!ci) throw clusterForbidden(user, cluster);
      if (ci.terminating && info.kind === 'resource' && info.verb === 'create') {
        throw forbidden({ group: info.group, resource: info.resource }, '',
          `unable to create new content in logical cluster ${cluster} because it is being deleted`);
      }
    }
    if (cluster === WILDCARD && (info.kind !== 'resource' || (info.verb !== 'list' && info.verb !== 'watch'))) {
      throw new StatusError(405, 'MethodNotAllowed', 'cross-cluster (/clusters/*) requests may only list and watch', {});
    }
    const health = info.kind === 'nonresource' ? /^\/(healthz|livez|readyz)(\/.*)?$/.exec(info.path) : null;
    // outside /clusters/<name> only health, version and the path list exist
    if (!cluster && !health && info.kind === 'nonresource' && !['/', '/version', '/version/'].includes(info.path)) {
      return pageNotFound(reply);
    }
    if (health && info.kind === 'nonresource') {
      const ok = health[1] !== 'readyz' || opts.ready();
      const verbose = url.searchParams.has('verbose');
      return reply.code(ok ? 200 : 500).header('Content-Type', 'text/plain; charset=utf-8')
        .header('X-Content-Type-Options', 'nosniff').send(healthBody(info.path, verbose, ok));
    }
    const types = deps.catalog.forCluster((cluster ?? 'root') as ClusterName);
    if (info.kind === 'resource') {
      // no route for a group/version that is not served: kube's plain 404, or its Status for a known group
      if (!types.servesGroupVersion(info.group, info.version)) {
        if (types.all.some((t) => t.group === info.group)) throw notFoundStatus();
        return pageNotFound(reply);
      }
      return serveResource(deps, req, reply, info, types, user);
    }
    return serveNonResource(deps, req, reply, info, types);
  };

  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/*', handler });
  app.route({ method: ['GET'], url: '/', handler });
  // requests with an Upgrade header take the same chain (a watch may then switch to WebSocket)
  serveUpgrades(app.server, app.routing);
  return app as unknown as FastifyInstance;
}
