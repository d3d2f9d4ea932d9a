// Audit in the request chain, as kube-apiserver's audit filters do it (WithAuditInit, WithAudit,
// WithFailedAuthenticationAudit, the authorization filter's annotations):
//
// - every request gets an audit ID: the client's Audit-ID header, else a new UUID, returned in
//   the Audit-Id response header (only while auditing is configured: kplane's default sends none);
// - once the caller is authenticated, the policy decides the level from the authenticated user and
//   the request (impersonation is not yet applied, as in kube); None ends auditing of the request;
// - RequestReceived then, ResponseStarted when the head of a long-running answer (watch) is
//   written, ResponseComplete when the answer is done (or the client left), Panic instead when the
//   handler failed unexpectedly (a 500 that is no Status of kplane's own);
// - a request whose authentication failed has one event, ResponseStarted, with an empty user;
// - the Request and RequestResponse levels add the request body (as sent, JSON) and the answer
//   (JSON or protobuf, recorded as JSON; watch streams are not recorded, as kube records no
//   watch events either).
//
// server.ts installs the hooks and reports the authorization decision; kplane.ts wraps the
// request authenticator, where the authenticated user (or the failure) is first known.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { isStatusError, type Status } from '../apimachinery/errors.js';
import { parseRequestTarget, PlainTextError } from '../apiserver/edge.js';
import { PageNotFound } from '../apiserver/handlers/nonresource.js';
import { decodeObject as decodeProtobuf } from '../protobuf/index.js';
import { resolveRequestInfo, splitClusterPath, type RequestInfo } from '../apiserver/requestinfo.js';
import { ANONYMOUS, type Authenticator } from '../auth/authn.js';
import type { Decision } from '../auth/authz.js';
import type { UserInfo } from '../registry/types.js';
import { auditAnnotationsOf } from './annotations.js';
import { LogBackend, type AuditBackend } from './backend.js';
import {
  AUDIT_ID_HEADER, CLUSTER_ANNOTATION, DECISION_ANNOTATION, eventLine, eventUser, microTime, nowMicros, REASON_ANNOTATION,
  responseStatusOf, sourceIPs, userAgentOf, withoutManagedFields, type AuditEvent, type ObjectReference, type ResponseStatus,
} from './event.js';
import { attributesOf, auditVerb, loadAuditPolicy, PolicyChecker, type Level, type RequestAuditConfig, type Stage } from './policy.js';

/** kube-apiserver's long-running requests (BasicLongRunningRequestCheck): they also get ResponseStarted. */
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
/** Verbs whose body kube logs as the request object (LogRequestObject, LogRequestPatch). */
const BODY_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const ORDER: Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const atLeast = (l: Level, min: Level) => ORDER.indexOf(l) >= ORDER.indexOf(min);

interface RequestRecord {
  auditID: string;
  /** Microseconds since the epoch. */
  received: number;
  res: ServerResponse;
  config?: RequestAuditConfig;
  /** Present unless the level is None. */
  event?: AuditEvent;
  info?: RequestInfo;
  requestor?: UserInfo;
  failedAuthentication?: boolean;
  longRunning?: boolean;
  started?: boolean;
  bodyLogged?: boolean;
  status?: Status;
  panic?: string;
  done?: boolean;
}

export interface AuditOptions {
  policyFile: string;
  logPath: string;
  log: Logger;
}

export class Auditor {
  private readonly records = new WeakMap<IncomingMessage, RequestRecord>();

  constructor(private readonly checker: PolicyChecker, private readonly backend: AuditBackend) {}

  /** Loads the policy (whose errors stop the start) and opens the log. */
  static async create(opts: AuditOptions): Promise<Auditor> {
    const { policy, warnings } = await loadAuditPolicy(opts.policyFile);
    for (const w of warnings) opts.log.warn({ file: opts.policyFile }, `audit policy: ${w}`);
    return new Auditor(new PolicyChecker(policy), await LogBackend.open(opts.logPath, opts.log));
  }

  /** Events the log could not keep up with. */
  get dropped(): number {
    return this.backend.dropped;
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  // (any logger: server.ts's instance carries pino's type)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  install(app: FastifyInstance<any, IncomingMessage, ServerResponse, any>): void {
    app.addHook('onRequest', (req, reply, done) => {
      this.received(req.raw, reply.raw);
      done();
    });
    app.addHook('onError', (req, _reply, err, done) => {
      this.failed(req.raw, err);
      done();
    });
    app.addHook('onSend', (req, reply, payload, done) => {
      this.sending(req, reply, payload);
      done(null, payload);
    });
  }

  /** The request chain's authenticator, telling the auditor who the caller is (or that authentication failed). */
  authenticator(inner: Authenticator): Authenticator {
    return {
      authenticate: async (req, target) => {
        let user: UserInfo | undefined;
        try {
          user = await inner.authenticate(req, target);
        } catch (e) {
          this.begin(req, undefined);
          throw e;
        }
        this.begin(req, user ?? ANONYMOUS);
        return user;
      },
    };
  }

  /** The authorizer's decision for the request, and the user it was made for (the impersonated one, if any). */
  authorized(req: IncomingMessage, user: UserInfo, decision: Decision): void {
    const rec = this.records.get(req);
    const ev = rec?.event;
    if (!ev) return;
    if (user !== rec.requestor) ev.impersonatedUser = eventUser(user);
    ev.annotations = { ...ev.annotations, [DECISION_ANNOTATION]: decision.allowed ? 'allow' : 'forbid', [REASON_ANNOTATION]: decision.reason ?? '' };
  }

  private received(req: IncomingMessage, res: ServerResponse): void {
    const incoming = req.headers['audit-id'];
    const auditID = typeof incoming === 'string' && incoming !== '' ? incoming : randomUUID();
    res.setHeader(AUDIT_ID_HEADER, auditID);
    const rec: RequestRecord = { auditID, received: nowMicros(), res };
    this.records.set(req, rec);
    res.once('close', () => this.complete(req, rec));
  }

  private begin(req: IncomingMessage, user: UserInfo | undefined): void {
    const rec = this.records.get(req);
    if (!rec || rec.config) return;
    const target = parseRequestTarget(req.url ?? '/');
    if (!target) return;
    const method = req.method ?? 'GET';
    const split = splitClusterPath(target.path);
    const cluster = split.invalid === undefined ? split.cluster : undefined;
    // a path whose cluster name is invalid addresses no cluster: it is a non-resource path as a whole
    const info: RequestInfo = split.invalid !== undefined
      ? { kind: 'nonresource', path: target.path, verb: method.toLowerCase() }
      : resolveRequestInfo(method, split.rest, target.query, cluster);
    const attrs = attributesOf(info, user);
    // non-resource rules see the path as sent (kube's), below the cluster prefix
    if (info.kind === 'nonresource') attrs.path = split.invalid !== undefined ? target.path : split.rest;
    const config = this.checker.evaluate(attrs);
    rec.config = config;
    if (config.level === 'None') return;
    rec.info = info;
    rec.requestor = user;
    rec.failedAuthentication = user === undefined;
    const verb = auditVerb(info);
    rec.longRunning = info.kind === 'resource' && (LONG_RUNNING_VERBS.has(verb) || LONG_RUNNING_SUBRESOURCES.has(info.subresource));
    let objectRef: ObjectReference | undefined;
    if (info.kind === 'resource') {
      objectRef = {
        resource: info.resource, namespace: info.namespace, name: info.name,
        apiGroup: info.group, apiVersion: info.version, subresource: info.subresource,
      };
    }
    rec.event = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: config.level, auditID: rec.auditID, stage: 'RequestReceived',
      requestURI: req.url ?? '/', verb, user: user ? eventUser(user) : {}, sourceIPs: sourceIPs(req), userAgent: userAgentOf(req),
      objectRef, requestReceivedTimestamp: microTime(rec.received), stageTimestamp: microTime(rec.received),
      annotations: cluster ? { [CLUSTER_ANNOTATION]: cluster } : undefined,
    };
    // a failed authentication has its one event when the 401 is written (kube's failed-authentication audit)
    if (rec.failedAuthentication) return;
    this.emit(rec, 'RequestReceived');
    if (rec.longRunning) this.watchHead(rec);
  }

  /** ResponseStarted of a long-running request: when its head is written (kube's auditResponseWriter.WriteHeader). */
  private watchHead(rec: RequestRecord): void {
    const res = rec.res;
    const writeHead = res.writeHead;
    res.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
      res.writeHead = writeHead;
      if (!rec.started) {
        rec.started = true;
        rec.event!.responseStatus = this.responseStatus(rec, Number(args[0]));
        this.emit(rec, 'ResponseStarted');
      }
      return writeHead.apply(res, args);
    }) as ServerResponse['writeHead'];
  }

  private failed(req: IncomingMessage, err: unknown): void {
    const rec = this.records.get(req);
    if (!rec?.event) return;
    if (isStatusError(err)) rec.status = err.status;
    // kplane's plain-text answers (Go's and kube's own texts) are no failures of the handler
    else if (!(err instanceof PageNotFound) && !(err instanceof PlainTextError)) rec.panic = err instanceof Error ? err.message : String(err);
  }

  private sending(req: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const rec = this.records.get(req.raw);
    const ev = rec?.event;
    if (!rec || !ev || !rec.info) return;
    const level = ev.level;
    const resourceRequest = rec.info.kind === 'resource';
    if (resourceRequest && !rec.bodyLogged && BODY_VERBS.has(ev.verb)) {
      rec.bodyLogged = true;
      this.logRequestObject(rec, req);
    }
    const ct = String(reply.getHeader('content-type') ?? '').toLowerCase();
    const text = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined;
    const protobuf = ct.startsWith('application/vnd.kubernetes.protobuf');
    if ((!isJSON(ct) && !protobuf) || text === undefined) return;
    const wantResponse = resourceRequest && atLeast(level, 'RequestResponse');
    // a Status answer that was not thrown (delete's Success): its fields go to responseStatus
    const maybeStatus = !rec.status && (protobuf || startsLikeStatus(text));
    if (!wantResponse && !maybeStatus) return;
    let obj: unknown;
    try {
      // (kube records the answer in JSON whatever the client asked for)
      obj = protobuf ? protobufJSON(Buffer.from(text)) : JSON.parse(text.toString());
    } catch {
      return;
    }
    if (maybeStatus && isStatusObject(obj)) rec.status = obj;
    if (wantResponse) ev.responseObject = rec.config!.omitManagedFields ? withoutManagedFields(obj) : obj;
  }

  /** kube's LogRequestObject / LogRequestPatch: the body as sent (in JSON), and the object's name where the path has none. */
  private logRequestObject(rec: RequestRecord, req: FastifyRequest): void {
    const ev = rec.event!;
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) return;
    const patch = ev.verb === 'patch';
    const wantObject = atLeast(ev.level, 'Request');
    // at Metadata only a create or update is read, for its name
    if (!wantObject && ev.verb !== 'create' && ev.verb !== 'update') return;
    const ct = String(req.headers['content-type'] ?? '').toLowerCase();
    let obj: unknown;
    try {
      // recorded in JSON, as kube re-encodes a request object
      obj = ct.startsWith('application/vnd.kubernetes.protobuf') ? protobufJSON(body)
        : ct.includes('yaml') ? parseYaml(body.toString('utf8')) : JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    const meta = !patch && obj && typeof obj === 'object' ? (obj as { metadata?: Record<string, unknown> }).metadata : undefined;
    if (meta && typeof meta === 'object' && ev.objectRef) {
      const ref = ev.objectRef;
      const str = (v: unknown) => (typeof v === 'string' ? v : '');
      ref.namespace ||= str(meta.namespace);
      ref.name ||= str(meta.name);
      ref.uid ||= str(meta.uid);
      ref.resourceVersion ||= str(meta.resourceVersion);
    }
    if (wantObject) ev.requestObject = !patch && rec.config!.omitManagedFields ? withoutManagedFields(obj) : obj;
  }

  private responseStatus(rec: RequestRecord, code: number): ResponseStatus {
    return rec.status ? responseStatusOf(rec.status, code) : { metadata: {}, code };
  }

  private complete(req: IncomingMessage, rec: RequestRecord): void {
    this.records.delete(req);
    const ev = rec.event;
    if (!ev || rec.done) return;
    rec.done = true;
    const res = rec.res;
    // what admission added (policies' audit annotations) is on the events from now on
    const added = auditAnnotationsOf(req);
    if (added && Object.keys(added).length) ev.annotations = { ...ev.annotations, ...added };
    if (rec.panic !== undefined) {
      ev.responseStatus = { metadata: {}, status: 'Failure', message: `APIServer panic'd: ${rec.panic}`, reason: 'InternalError', code: 500 };
      this.emit(rec, 'Panic');
      return;
    }
    // an upgraded watch answers on the socket itself (101); a client that left before any answer: kube's faked 200
    const upgraded = !res.headersSent && rec.longRunning && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (res.headersSent || upgraded) {
      ev.responseStatus = this.responseStatus(rec, res.headersSent ? res.statusCode : 101);
    } else {
      ev.responseStatus = rec.status ? responseStatusOf(rec.status, rec.status.code) : { metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 };
    }
    if (rec.failedAuthentication) {
      this.emit(rec, 'ResponseStarted');
      return;
    }
    if (rec.longRunning && !rec.started) {
      rec.started = true;
      this.emit(rec, 'ResponseStarted');
    }
    this.emit(rec, 'ResponseComplete');
  }

  private emit(rec: RequestRecord, stage: Stage): void {
    if (rec.config!.omitStages.includes(stage)) return;
    const ev = rec.event!;
    ev.stage = stage;
    ev.stageTimestamp = stage === 'RequestReceived' ? ev.requestReceivedTimestamp : microTime(nowMicros());
    this.backend.write(eventLine(ev));
  }
}

function isJSON(ct: string): boolean {
  return ct.startsWith('application/json') || ct.includes('+json');
}

/** A protobuf body (kube's envelope) in its JSON form. */
function protobufJSON(bytes: Buffer): Record<string, unknown> {
  const d = decodeProtobuf(bytes);
  return { ...d.object, apiVersion: d.apiVersion, kind: d.kind };
}

function startsLikeStatus(text: string | Buffer): boolean {
  const head = (typeof text === 'string' ? text.slice(0, 64) : text.subarray(0, 64).toString('latin1')).replace(/\s/g, '');
  return head.startsWith('{"kind":"Status"');
}

function isStatusObject(o: unknown): o is Status {
  return !!o && typeof o === 'object' && (o as { kind?: unknown }).kind === 'Status' && typeof (o as { code?: unknown }).code === 'number';
}
