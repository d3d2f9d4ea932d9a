// One webhook call as kube-apiserver's webhook rest client makes it (k8s.io/apiserver
// pkg/util/webhook + client-go rest): a JSON POST to <url>?timeout=30s over HTTPS trusting the
// caBundle, 30 s for the whole exchange, and the client's error texts (Go's `Post "<url>": ...`,
// rest.Result's status handling), so a failure reads as it does from kube. Used by CRD conversion
// and admission webhooks.

import https from 'node:https';

import { goQuote } from '../apimachinery/gofmt.js';

/** kube's defaultRequestTimeout for webhooks: the absolute limit, reading the body included. */
export const WEBHOOK_TIMEOUT_MS = 30_000;

/** Where the request is sent: the URL kube names in errors, and how to reach it. */
export interface WebhookTarget {
  /** The URL kube would POST to (without the ?timeout query); errors name it. */
  url: URL;
  /** Connect here instead of the URL's host and port (a resolved service). */
  connect?: { host: string; port: number };
  /** Send this path (and query) instead of the URL's (an API server's service proxy path). */
  path?: string;
  /** PEM certificates to trust; undefined: the system roots (Go's empty CAData). */
  ca?: string;
  /** Name the serving certificate must carry; default the URL's host. */
  serverName?: string;
  headers?: Record<string, string>;
  /** Client certificate and key (PEM), e.g. for a service proxy. */
  cert?: string;
  key?: string;
}

/** What a call gives: the decoded body, or the error text kube's client would report. */
export type WebhookResult = { ok: true; body: unknown } | { ok: false; error: string };

// Shared agents per trust configuration: keep-alive connections across calls, no per-cluster state.
const agents = new Map<string, https.Agent>();

function agentFor(t: WebhookTarget): https.Agent {
  const key = JSON.stringify([t.ca ?? '', t.cert ?? '', t.key ?? '']);
  let a = agents.get(key);
  if (!a) {
    // idle connections are dropped after 90 s (the agent's socket timeout)
    a = new https.Agent({ keepAlive: true, timeout: 90_000, maxCachedSessions: 100, ca: t.ca, cert: t.cert, key: t.key });
    if (agents.size > 256) agents.clear();
    agents.set(key, a);
  }
  return a;
}

/** time.Duration's String for whole milliseconds: 30s, 1m30s, 300ms. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const m = Math.floor(ms / 60_000);
  const s = `${(ms % 60_000) / 1000}s`;
  return m > 0 ? `${m}m${s}` : s;
}

/**
 * How the time limit reads when it passes: the client's own Timeout (CRD conversion: Go's
 * `Client.Timeout exceeded ...`), or the deadline of the call's context (admission webhooks,
 * whose timeoutSeconds is a context deadline: `context deadline exceeded`).
 */
export type DeadlineKind = 'client' | 'context';

/** POSTs a JSON body; never rejects (failures are kube's texts). */
export function postJSON(target: WebhookTarget, body: unknown, timeoutMs = WEBHOOK_TIMEOUT_MS, deadline: DeadlineKind = 'client'): Promise<WebhookResult> {
  const u = new URL(target.url);
  u.searchParams.set('timeout', goDuration(timeoutMs));
  const shown = u.toString();
  const payload = `${JSON.stringify(body)}\n`;
  const host = target.connect?.host ?? u.hostname.replace(/^\[|\]$/g, '');
  const port = target.connect?.port ?? (u.port ? Number(u.port) : 443);
  const serverName = target.serverName ?? u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let done = false;
    let phase: 'headers' | 'body' = 'headers';
    const finish = (r: WebhookResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = https.request({
      method: 'POST', host, port, path: target.path ?? `${u.pathname}${u.search}`, agent: agentFor(target),
      servername: isIPAddress(serverName) ? undefined : serverName,
      checkServerIdentity: (_h, cert) => checkIdentity(serverName, cert),
      headers: {
        Host: u.host, 'Content-Type': 'application/json', Accept: 'application/json, */*',
        'User-Agent': 'kube-apiserver-admission', 'Content-Length': Buffer.byteLength(payload), ...target.headers,
      },
    }, (res) => {
      phase = 'body';
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => finish({ ok: false, error: `unexpected error when reading response body. Please retry. Original error: ${e.message}` }));
      res.on('end', () => finish(interpretResponse(res.statusCode ?? 0, res.headers['content-type'], Buffer.concat(chunks).toString('utf8'))));
    });
    const timer = setTimeout(() => {
      const client = deadline === 'client';
      finish({
        ok: false,
        error: phase === 'headers'
          ? `Post ${goQuote(shown)}: context deadline exceeded${client ? ' (Client.Timeout exceeded while awaiting headers)' : ''}`
          : `unexpected error when reading response body. Please retry. Original error: context deadline exceeded${client ? ' (Client.Timeout or context cancellation while reading body)' : ''}`,
      });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => finish({ ok: false, error: `Post ${goQuote(shown)}: ${goNetError(e as NodeJS.ErrnoException, host, port)}` }));
    req.end(payload);
  });
}

const isIPAddress = (h: string): boolean => /^[0-9.]+$/.test(h) || h.includes(':');

/** The name check Go's crypto/x509 makes (HostnameError), with its text; undefined when the name is covered. */
function checkIdentity(name: string, cert: { subjectaltname?: string; subject?: { CN?: string | string[] } }): Error | undefined {
  const sans = (cert.subjectaltname ?? '').split(', ').filter(Boolean);
  const ips = sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11));
  const dns = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const lower = name.toLowerCase();
  if (isIPAddress(name) ? ips.includes(name) : dns.some((d) => matchesDNS(d.toLowerCase(), lower))) return undefined;
  const cn = [cert.subject?.CN ?? []].flat()[0];
  if (sans.length === 0 && cn !== undefined && matchesDNS(cn.toLowerCase(), lower)) {
    return identityError('x509: certificate relies on legacy Common Name field, use SANs instead');
  }
  if (isIPAddress(name) && ips.length === 0) return identityError(`x509: cannot validate certificate for ${name} because it doesn't contain any IP SANs`);
  const valid = (isIPAddress(name) ? ips : dns).join(', ');
  return identityError(valid ? `x509: certificate is valid for ${valid}, not ${name}` : `x509: certificate is not valid for any names, but wanted to match ${name}`);
}

function identityError(msg: string): Error {
  const e = new Error(msg) as NodeJS.ErrnoException;
  e.code = 'KPLANE_X509_NAME';
  return e;
}

function matchesDNS(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const i = host.indexOf('.');
  return i > 0 && host.slice(i + 1) === pattern.slice(2);
}

/** Go's net/http + crypto/tls texts for the failures a webhook call meets. */
function goNetError(e: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET': return 'read: connection reset by peer';
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `dial tcp: lookup ${host}: no such host`;
    case 'KPLANE_X509_NAME': return `tls: failed to verify certificate: ${e.message}`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default:
      if (e.code?.startsWith('ERR_SSL') || e.code?.startsWith('ERR_TLS')) return `remote error: tls: ${e.message}`;
      return e.message;
  }
}

/** Go's maxUnstructuredResponseTextBytes: how much of a non-Status error body is quoted. */
const MAX_ERROR_TEXT = 2048;

/** rest.Request.transformResponse + Result.Into for a JSON client, as kube's webhook client runs them. */
function interpretResponse(code: number, contentType: string | undefined, text: string): WebhookResult {
  const ct = contentType || 'application/json';
  if (code < 200 || code > 206) {
    const status = tryJSON(text);
    if (isFailureStatus(status)) return { ok: false, error: status.message ?? '' };
    const isText = !contentType || contentType.toLowerCase().startsWith('text/');
    return { ok: false, error: genericServerResponse(code, isText ? text.slice(0, MAX_ERROR_TEXT).trim() : 'unknown') };
  }
  if (text.length === 0) return { ok: false, error: `0-length response with status code: ${code} and content type: ${ct}` };
  const body = tryJSON(text);
  // kube decodes JSON or YAML; text that is neither JSON nor a YAML mapping reads as a YAML string
  if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
    const jsonKind = body === undefined || typeof body === 'string' ? 'string' : Array.isArray(body) ? 'array'
      : typeof body === 'number' ? 'number' : typeof body === 'boolean' ? 'bool' : 'null';
    if (jsonKind !== 'null') {
      return {
        ok: false,
        error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
      };
    }
  }
  if (isFailureStatus(body)) return { ok: false, error: body.message ?? '' };
  return { ok: true, body };
}

function tryJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isFailureStatus(v: unknown): v is { message?: string } {
  const o = v as Record<string, unknown> | undefined;
  return typeof o === 'object' && o !== null && o.kind === 'Status' && o.status === 'Failure';
}

/** errors.NewGenericServerResponse's message for a POST without a resource. */
function genericServerResponse(code: number, serverMessage: string): string {
  switch (code) {
    case 409: return 'the server reported a conflict';
    case 404: return 'the server could not find the requested resource';
    case 400: return 'the server rejected our request for an unknown reason';
    case 401: return 'the server has asked for the client to provide credentials';
    case 403: return serverMessage;
    case 406: return serverMessage && serverMessage !== 'unknown' ? serverMessage : 'the server was unable to respond with a content type that the client supports';
    case 415: return serverMessage;
    case 405: return 'the server does not allow this method on the requested resource';
    case 422: return 'the server rejected our request due to an error in our request';
    case 503: return 'the server is currently unable to handle the request';
    case 504: return 'the server was unable to return a response in the time allotted, but may still be processing the request';
    case 429: return 'the server has received too many requests and has asked us to try again later';
    default:
      if (code >= 500) return `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding`;
      return `the server responded with the status code ${code} but did not return more information`;
  }
}
