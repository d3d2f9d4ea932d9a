// The HTTPS API server: one fastify instance serving every logical cluster under
// /clusters/<name>/..., plus health and version at the top level. The handler chain follows
// kube-apiserver's: authenticate, impersonation (checked by the authorizer), resolve the request, authorize,
// then discovery, OpenAPI or the resource handlers. fastify only routes: every method reaches the
// one handler, bodies are read by the handlers (body.ts), and no answer of fastify's or Node's own
// reaches a client (edge.ts gives Go's server texts, everything else is a metav1.Status).
//
// Logical clusters and existence: inside /clusters/<name>, a caller who may not enter the cluster
// (the authorizer's door, src/auth/rbac/authorizer.ts) gets one answer, the cluster 403, on every
// path and every method, decided before the body or the cluster's record is looked at, from what
// does not depend on the cluster's existence (its name, bindings and Workspace). So an absent cluster
// and someone else's cluster cannot be told apart by anyone who may not enter them: not through
// health or version paths, not through unknown paths or methods, not through any encoding of the
// name (the path is decoded once, as Go's server does, and never cleaned).

import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { forbidden, StatusError } from '../apimachinery/errors.js';
import { ANONYMOUS, type Authenticator } from '../auth/authn.js';
import type { Authorizer } from '../auth/authz.js';
import { impersonate, ImpersonationDoorDenied } from '../auth/impersonation.js';
import type { UserInfo } from '../registry/types.js';
import { WILDCARD, type ClusterName } from '../tenancy/logicalcluster.js';
import type { ApiDeps } from './deps.js';
import { PageNotFound, serveNonResource } from './handlers/nonresource.js';
import { serveResource } from './handlers/resource.js';
import { closesAfterReply, deferContinue, limitUnreadBody } from './body.js';
import {
  answerClientError, goRequestRefusal, MAX_HEADER_BYTES, parseRequestTarget, PlainTextError, writeGoServerError,
} from './edge.js';
import { resolveRequestInfo, splitClusterPath, type RequestInfo } from './requestinfo.js';
import { sendError, warningsOf } from './respond.js';
import { serveUpgrades } from './websocket.js';
import { closeConnection } from './connection.js';
import type { IssuerDiscovery } from './issuer-discovery.js';
import type { Auditor } from '../audit/auditor.js';

export interface ApiServerOptions {
  deps: Omit<ApiDeps, 'log'>;
  tls: { key: string; cert: string; ca: string };
  authenticator: Authenticator;
  authorizer: Authorizer;
  logger: Logger;
  /** Reports readiness for /readyz (false while starting or draining). */
  ready: () => boolean;
  /** Serves /clusters/<c>/.well-known/openid-configuration and /openid/v1/jwks (issuer-discovery.ts). */
  issuerDiscovery?: IssuerDiscovery;
  /** kube's audit log (src/audit): its hooks, and the decision of each request; the authenticator passed here reports to it too. */
  audit?: Auditor;
  /** Prometheus text for GET /metrics (process-wide: system:masters and system:monitoring only, as kube's bootstrap RBAC allows). */
  metrics?: () => Promise<string>;
}

function notFoundStatus(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function pageNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('Content-Type', 'text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff')
    .send('404 page not found\n');
}

function plainText(reply: FastifyReply, code: number, text: string): FastifyReply {
  return reply.code(code).header('Content-Type', 'text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff').send(text);
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
  // handler and errorHandler are function declarations below: frameworkErrors needs both
  const app = Fastify({
    https: {
      key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false,
      // Go's limit on the request head (kube serves 64 KiB URLs and headers); Host is checked below
      maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false,
    },
    loggerInstance: opts.logger,
    // one concise line per request at debug level (onResponse below) instead of fastify's two at info
    logController: new LogController({ disableRequestLogging: true }),
    // the handler answers kube's 503 while draining
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 60_000,
    requestTimeout: 0,
    exposeHeadRoutes: false,
    clientErrorHandler: answerClientError,
    // a path fastify's router cannot decode: Go's parser decides (it accepts more, e.g. %FF)
    frameworkErrors: (_err, req, reply) => {
      handler(req, reply).catch((e: unknown) => errorHandler(e, req, reply));
    },
  });
  const deps: ApiDeps = { ...opts.deps, log: app.log };

  // fastify reads no body: every method is routed as bodyless, the handlers read bodies themselves
  // after authorization, as kube's do (body.ts); CONNECT never reaches a route in Node
  const methods = METHODS.filter((m) => m !== 'CONNECT');
  for (const m of methods) app.addHttpMethod(m, { hasBody: false, overrideExisting: true });
  app.removeAllContentTypeParsers();

  function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (err instanceof PageNotFound) return pageNotFound(reply);
    if (err instanceof PlainTextError) return plainText(reply, err.code, err.text);
    // Go's status text where Node's differs (its "Payload Too Large")
    if (err instanceof StatusError && err.status.code === 413) reply.raw.statusMessage = 'Request Entity Too Large';
    if (!(err instanceof StatusError)) app.log.error({ err }, 'request failed');
    return sendError(reply, err, warningsOf(req.raw), req.headers.accept);
  }
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_req, reply) => pageNotFound(reply));
  // CONNECT (which Node never routes): kube has no such route, its plain 404, and the connection closes
  app.server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    closeConnection(socket, 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n' +
      'Content-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n');
  });
  // "Expect: 100-continue": the 100 is sent when a handler reads the body (body.ts), not before
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    deferContinue(req, res);
    app.server.emit('request', req, res);
  });
  // an Expect other than 100-continue: Go's empty 417, and the connection closes
  app.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(417, { 'Content-Length': '0', Connection: 'close' }).end();
  });

  app.addHook('onSend', (req, reply, payload, done) => {
    if (closesAfterReply(req.raw)) reply.header('Connection', 'close');
    done(null, payload);
  });
  opts.audit?.install(app);
  app.addHook('onResponse', (req, reply, done) => {
    req.log.debug({ verb: req.method, uri: req.url, code: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http');
    done();
  });

  async function handler(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const target = parseRequestTarget(req.url);
    // what Go's server refuses before any handler: an undecodable path, a bad head (edge.ts)
    if (!target) return goServerError(reply, '400 Bad Request');
    const refusal = goRequestRefusal(req.raw);
    if (refusal) return goServerError(reply, refusal.status, refusal.body);
    // Go's server answers "OPTIONS *" itself (globalOptionsHandler): an empty 200
    if (target.path === '*' && req.method === 'OPTIONS') return reply.code(200).header('Content-Length', '0').send();
    if (deps.shutdown.aborted) {
      // kube's WithWaitGroup while draining: new requests are told to retry elsewhere
      reply.header('Retry-After', '1').header('X-Content-Type-Options', 'nosniff');
      throw new StatusError(503, 'ServiceUnavailable', 'apiserver is shutting down');
    }
    reply.raw.once('finish', () => limitUnreadBody(req.raw));
    const split = splitClusterPath(target.path);
    // credentials are judged for the logical cluster addressed: a service account token is only good in its own
    const requestor = (await opts.authenticator.authenticate(req.raw, { cluster: split.invalid === undefined ? split.cluster : undefined })) ?? ANONYMOUS;
    if (split.invalid !== undefined) throw clusterForbidden(requestor, split.invalid);
    const cluster = split.cluster;
    let user = requestor;
    try {
      user = (await impersonate(req.raw, requestor, cluster, opts.authorizer)) ?? requestor;
    } catch (e) {
      if (e instanceof ImpersonationDoorDenied && cluster) throw clusterForbidden(requestor, cluster);
      throw e;
    }
    const info: RequestInfo = resolveRequestInfo(req.method, split.rest, target.query, cluster);
    const decision = await opts.authorizer.authorize(user, info);
    opts.audit?.authorized(req.raw, user, decision);
    if (!decision.allowed) {
      // the door (see the top of this file): one answer for absent and forbidden clusters
      if (cluster && decision.door) throw clusterForbidden(user, cluster);
      // inside a cluster the caller may enter, kube's RBAC answer says nothing about existence
      if (cluster) throw rbacForbidden(user, info);
      throw new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${req.method.toLowerCase()} path "${target.path}"`, {});
    }
    // service account issuer discovery: answered from the cluster's name alone, before its record is read
    if (opts.issuerDiscovery && (await opts.issuerDiscovery.serve(req.method, cluster, split.rest, reply))) return reply;
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
    if (!cluster && info.kind === 'nonresource' && info.path === '/metrics' && opts.metrics) {
      if (!user.groups.some((g) => g === 'system:masters' || g === 'system:monitoring')) {
        throw new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot get path "/metrics"`, {});
      }
      return reply.code(200).header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8').send(await opts.metrics());
    }
    // outside /clusters/<name> only health, version and the path list exist
    if (!cluster && !health && info.kind === 'nonresource' && !['/', '/version', '/version/'].includes(info.path)) {
      return pageNotFound(reply);
    }
    if (health && info.kind === 'nonresource') {
      const ok = health[1] !== 'readyz' || opts.ready();
      const verbose = target.query.has('verbose');
      return reply.code(ok ? 200 : 500).header('Content-Type', 'text/plain; charset=utf-8')
        .header('X-Content-Type-Options', 'nosniff').send(healthBody(info.path, verbose, ok));
    }
    const types = deps.catalog.forCluster((cluster ?? 'root') as ClusterName);
    if (info.kind === 'resource') {
      // no route for a group/version that is not served: kube's plain 404, or its Status for a known group
      if (!types.servesGroupVersion(info.group, info.version)) {
        // (a custom resource group is apiextensions' handler: its plain 404 too)
        if (types.all.some((t) => t.group === info.group && !t.customResource)) throw notFoundStatus();
        return pageNotFound(reply);
      }
      return serveResource(deps, req, reply, info, types, user);
    }
    return serveNonResource(deps, req, reply, info, types);
  }

  /** Go's server-level answer: written on the connection, which then closes. */
  function goServerError(reply: FastifyReply, status: string, body?: string): void {
    reply.hijack();
    writeGoServerError(reply.raw.socket!, status, body);
  }

  app.route({ method: methods, url: '/*', handler });
  app.route({ method: methods, url: '/', handler });
  // requests with an Upgrade header take the same chain (a watch may then switch to WebSocket)
  serveUpgrades(app.server, app.routing);
  return app as unknown as FastifyInstance;
}
