// kube's audit.k8s.io/v1 Event, as kube-apiserver writes it to its log backend: the same fields
// in the same order (Go's encoding of the struct, omitempty fields left out when empty).
//
// The logical cluster a request addressed is recorded as the event annotation
// "tenancy.kplane.io/cluster" (e.g. "root:acme"), not as a new field: the Event stays kube's
// schema, so kube's tooling reads kplane's log unchanged, and annotations are where kube puts
// what components add to an event (authorization.k8s.io/decision and reason, admission's).
// Requests outside /clusters/<name> (health, version) carry no cluster annotation.

import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Status } from '../apimachinery/errors.js';
import type { UserInfo } from '../registry/types.js';
import type { Level, Stage } from './policy.js';

export const CLUSTER_ANNOTATION = 'tenancy.kplane.io/cluster';
export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
export const REASON_ANNOTATION = 'authorization.k8s.io/reason';
export const AUDIT_ID_HEADER = 'Audit-Id';

/** authentication.k8s.io/v1 UserInfo. */
export interface EventUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** metav1.Status as the event carries it: only the bounded fields. */
export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: Status['details'];
  code?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: EventUser;
  impersonatedUser?: EventUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Microseconds since the epoch, as precisely as the process clock goes. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** metav1.MicroTime: RFC 3339 in UTC with six fractional digits ("2006-01-02T15:04:05.000000Z"). */
export function microTime(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // ...T15:04:05.123Z
  return `${iso.slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
}

export function eventUser(u: UserInfo): EventUser {
  const out: EventUser = {};
  if (u.username) out.username = u.username;
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

const MAX_USER_AGENT = 1024;

/** kube truncates a longer User-Agent (the client's, never to be trusted). */
export function userAgentOf(req: IncomingMessage): string | undefined {
  const ua = req.headers['user-agent'];
  if (!ua) return undefined;
  return ua.length > MAX_USER_AGENT ? `${ua.slice(0, MAX_USER_AGENT)}...TRUNCATED` : ua;
}

function headerValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/**
 * kube's utilnet.SourceIPs: the X-Forwarded-For addresses, X-Real-Ip unless already listed, then
 * the connection's peer unless it is the last one listed. All but the peer are the client's word.
 */
export function sourceIPs(req: IncomingMessage): string[] {
  const ips: string[] = [];
  for (const part of headerValue(req.headers['x-forwarded-for']).split(',')) {
    const ip = part.trim();
    if (isIP(ip)) ips.push(ip);
  }
  const real = headerValue(req.headers['x-real-ip']).trim();
  if (isIP(real) && !ips.includes(real)) ips.push(real);
  let peer = req.socket?.remoteAddress ?? '';
  if (peer.startsWith('::ffff:') && isIP(peer.slice(7)) === 4) peer = peer.slice(7);
  if (isIP(peer) && ips[ips.length - 1] !== peer) ips.push(peer);
  return ips;
}

/** The event's copy of a Status (LogResponseObject copies only the bounded fields). */
export function responseStatusOf(s: Status, code: number): ResponseStatus {
  const out: ResponseStatus = { metadata: {} };
  if (s.status) out.status = s.status;
  if (s.message) out.message = s.message;
  if (s.reason) out.reason = s.reason;
  if (s.details && Object.keys(s.details).length) out.details = s.details;
  if (code) out.code = code;
  return out;
}

/** An object without its metadata.managedFields (and its list items' or table rows' objects without theirs), not mutating it. */
export function withoutManagedFields(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const o = obj as Record<string, unknown>;
  let out = o;
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object' && 'managedFields' in meta) {
    const { managedFields: _drop, ...rest } = meta;
    out = { ...out, metadata: rest };
  }
  if (Array.isArray(o.items)) out = { ...out, items: o.items.map(withoutManagedFields) };
  if (o.kind === 'Table' && Array.isArray(o.rows)) {
    out = {
      ...out,
      rows: o.rows.map((r: unknown) => (r && typeof r === 'object' && 'object' in r
        ? { ...(r as Record<string, unknown>), object: withoutManagedFields((r as Record<string, unknown>).object) } : r)),
    };
  }
  return out;
}

const REF_ORDER: (keyof ObjectReference)[] = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'];

/** The event as kube's log backend writes it: one JSON object per line, fields in the Go struct's order, empty ones left out. */
export function eventLine(ev: AuditEvent): string {
  let ref: ObjectReference | undefined;
  if (ev.objectRef) {
    ref = {};
    for (const k of REF_ORDER) if (ev.objectRef[k]) ref[k] = ev.objectRef[k];
  }
  const out = {
    kind: ev.kind, apiVersion: ev.apiVersion, level: ev.level, auditID: ev.auditID, stage: ev.stage,
    requestURI: ev.requestURI, verb: ev.verb, user: ev.user, impersonatedUser: ev.impersonatedUser,
    sourceIPs: ev.sourceIPs?.length ? ev.sourceIPs : undefined, userAgent: ev.userAgent || undefined,
    objectRef: ref, responseStatus: ev.responseStatus, requestObject: ev.requestObject, responseObject: ev.responseObject,
    requestReceivedTimestamp: ev.requestReceivedTimestamp, stageTimestamp: ev.stageTimestamp,
    // a Go map: keys in byte order
    annotations: ev.annotations && Object.keys(ev.annotations).length ? sortedKeys(ev.annotations) : undefined,
  };
  return JSON.stringify(out) + '\n';
}

function sortedKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = m[k]!;
  return out;
}
