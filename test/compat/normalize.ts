// Normalisation of responses before comparison: every value that is volatile by nature (uids,
// timestamps, resourceVersion values, continue tokens, generated name suffixes, ages in Tables,
// the server's address and CA, kplane's /clusters/<name> prefix) becomes a placeholder that keeps
// what is comparable (present or not, null or not, equal to a captured value, increased).

import type { Target } from './client.js';

/** A resourceVersion captured into a variable. */
export interface RvVar {
  name: string;
  value: bigint;
  /** From a list (or bookmark): a "current" revision, not the revision of one object. */
  list: boolean;
}

export interface NormNotes {
  /** Objects that carried metadata.managedFields (compared, their times masked). */
  managedFields: number;
  /** Kube-only system objects removed from lists and watches, by description. */
  filtered: Map<string, number>;
}

export interface NormContext {
  target: Target;
  rvVars: RvVar[];
  /** Generated name -> placeholder, learnt from objects with metadata.generateName. */
  generated: Map<string, string>;
  /** generateName prefixes sent in requests: <prefix> + 5 generated characters in any string become <prefix><suffix>. */
  generateNames: Set<string>;
  notes: NormNotes;
  /** The columns of the last Table seen: a watch of Tables sends them in its first event only. */
  tableColumns?: unknown[];
}

export function newNotes(): NormNotes {
  return { managedFields: 0, filtered: new Map() };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d|y))+$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
/** A timestamp inside a longer string (e.g. an object serialised into an error message). */
const EMBEDDED_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g;
const AGE_COLUMNS = new Set(['age', 'last seen', 'first seen']);

/**
 * Objects a kube-apiserver (or its controller manager) creates for itself that kplane has no
 * reason to have: they are removed from kube's lists and watch streams. Everything else kube has
 * and kplane lacks is a difference.
 */
const KUBE_ONLY: { what: string; match: (kind: string, ns: string, name: string) => boolean }[] = [
  { what: 'Service default/kubernetes and its Endpoints/EndpointSlice', match: (k, ns, n) => ns === 'default' && n === 'kubernetes' && /^(Service|Endpoints|EndpointSlice)$/.test(k) },
  { what: 'ConfigMap kube-system/extension-apiserver-authentication (front-proxy/client CA for aggregated API servers)', match: (k, ns, n) => k === 'ConfigMap' && ns === 'kube-system' && n === 'extension-apiserver-authentication' },
  { what: 'ConfigMap kube-system/kube-apiserver-legacy-service-account-token-tracking', match: (k, ns, n) => k === 'ConfigMap' && ns === 'kube-system' && n === 'kube-apiserver-legacy-service-account-token-tracking' },
  { what: 'Lease kube-system/apiserver-<id> (API server identity)', match: (k, ns, n) => k === 'Lease' && ns === 'kube-system' && /^apiserver-/.test(n) },
];

export function isKubeOnly(obj: unknown, listKind?: string): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as { kind?: string; metadata?: { namespace?: string; name?: string } };
  const kind = o.kind ?? (listKind?.endsWith('List') ? listKind.slice(0, -4) : '');
  const ns = o.metadata?.namespace ?? '';
  const name = o.metadata?.name ?? '';
  return KUBE_ONLY.find((k) => k.match(kind, ns, name))?.what;
}

function note(ctx: NormContext, what: string): void {
  ctx.notes.filtered.set(what, (ctx.notes.filtered.get(what) ?? 0) + 1);
}

function rel(a: bigint, b: bigint): '<' | '=' | '>' {
  return a < b ? '<' : a > b ? '>' : '=';
}

/** A resourceVersion as its relations to the captured resourceVersions. */
export function rvToken(v: string, list: boolean, ctx: NormContext): string {
  if (!/^\d+$/.test(v)) return v; // "", "0" handled below, anything else is kept as it is
  if (v === '0') return '0';
  const n = BigInt(v);
  const parts: string[] = [];
  for (const c of ctx.rvVars) {
    let r: string = rel(n, c.value);
    // A current (list) revision can equal an object's revision or not, depending on unrelated
    // writes in between: only "not older" is stable then.
    if ((list || c.list) && (r === '=' || r === (list ? '>' : '<'))) r = list ? '>=' : '<=';
    parts.push(`${r}${c.name}`);
  }
  return parts.length ? `<rv ${parts.join(' ')}>` : '<rv>';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function normalizeString(s: string, ctx: NormContext): string {
  let out = s;
  if (ctx.target.rootCA && out.includes(ctx.target.rootCA.trim())) out = out.split(ctx.target.rootCA.trim()).join('<root-ca>');
  if (ctx.target.rootCA && out === Buffer.from(ctx.target.rootCA).toString('base64')) return '<root-ca base64>';
  if (ctx.target.prefix) out = out.replace(new RegExp(`${escapeRegExp(ctx.target.prefix)}(?=/|$|\\?|")`, 'g'), '');
  const host = new URL(ctx.target.origin).host;
  if (out.includes(host)) out = out.split(host).join('<server>');
  for (const [name, placeholder] of ctx.generated) if (out.includes(name)) out = out.split(name).join(placeholder);
  for (const g of ctx.generateNames) {
    if (out.includes(g)) out = out.replace(new RegExp(`${escapeRegExp(g)}[bcdfghjklmnpqrstvwxz2456789]{5}(?![a-z0-9])`, 'g'), `${g}<suffix>`);
  }
  out = out.replace(UUID, '<uid>');
  // resourceVersion numbers inside messages
  out = out.replace(/(too old resource version: )(\d+) \((\d+)\)/gi, (_m, p: string, a: string, b: string) => `${p}${rvToken(a, false, ctx)} (${rvToken(b, true, ctx)})`);
  out = out.replace(/(Too large resource version: )(\d+), current: (\d+)/g, (_m, p: string, a: string, b: string) => `${p}${rvToken(a, false, ctx)}, current: ${rvToken(b, true, ctx)}`);
  // objects serialised into messages (e.g. a rejected patch result): their resourceVersion and times
  out = out.replace(/(\\*"resourceVersion\\*"\s*:\s*\\*")(\d+)/g, (_m, p: string, a: string) => `${p}${rvToken(a, false, ctx)}`);
  if (!RFC3339.test(out)) out = out.replace(EMBEDDED_TIME, '<time>');
  out = out.replace(/(ResourceVersion in (?:precondition|object meta): )(\d+)/g, (_m, p: string, a: string) => `${p}${rvToken(a, false, ctx)}`);
  out = out.replace(/(the ResourceVersion in the (?:precondition|record) \()(\d+)\)/g, (_m, p: string, a: string) => `${p}${rvToken(a, false, ctx)})`);
  out = out.replace(/(the ResourceVersion in record \()(\d+)\)/g, (_m, p: string, a: string) => `${p}${rvToken(a, false, ctx)})`);
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Learns generated names (metadata.generateName + 5 random characters) anywhere in a body. */
export function learnGeneratedNames(v: unknown, ctx: NormContext): void {
  if (Array.isArray(v)) {
    for (const x of v) learnGeneratedNames(x, ctx);
    return;
  }
  if (!isObj(v)) return;
  const m = v.metadata;
  if (isObj(m) && typeof m.generateName === 'string' && m.generateName && typeof m.name === 'string'
    && m.name.startsWith(m.generateName) && m.name.length === m.generateName.length + 5) {
    ctx.generated.set(m.name, `${m.generateName}<suffix>`);
  }
  for (const x of Object.values(v)) learnGeneratedNames(x, ctx);
}

export interface NormalizeOptions {
  /** The body is one watch event's object of this type. */
  eventType?: string;
  /** Remove kube-only system objects from lists (kube's responses only). */
  dropKubeOnly?: boolean;
}

/** Returns a normalised deep copy of a JSON body. */
export function normalizeBody(body: unknown, ctx: NormContext, opts: NormalizeOptions = {}): unknown {
  learnGeneratedNames(body, ctx);
  return walk(body, ctx, opts, opts.eventType === 'BOOKMARK');
}

function walk(v: unknown, ctx: NormContext, opts: NormalizeOptions, listish: boolean): unknown {
  if (typeof v === 'string') return normalizeString(v, ctx);
  if (Array.isArray(v)) return v.map((x) => walk(x, ctx, opts, false));
  if (!isObj(v)) return v;
  const kind = typeof v.kind === 'string' ? v.kind : '';
  const isList = listish || kind.endsWith('List') || kind === 'Table' || Array.isArray(v.items);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'metadata' && isObj(x)) {
      out[k] = walkMetadata(x, ctx, opts, isList);
    } else if (k === 'items' && Array.isArray(x)) {
      let items = x;
      if (opts.dropKubeOnly) {
        items = x.filter((it) => {
          const what = isKubeOnly(it, kind);
          if (what) note(ctx, what);
          return !what;
        });
      }
      out[k] = items.map((it) => walk(it, ctx, opts, false));
    } else if (k === 'rows' && kind === 'Table' && Array.isArray(x) && opts.dropKubeOnly) {
      out[k] = x.filter((row) => {
        const what = isObj(row) ? isKubeOnly(row.object) : undefined;
        if (what) note(ctx, what);
        return !what;
      }).map((row) => walk(row, ctx, opts, false));
    } else if (k === 'causes' && Array.isArray(x) && x.length > 1 && x.every((c) => isObj(c) && c.reason === 'FieldManagerConflict')) {
      // kube lists an apply's conflicts in the order of a Go map's iteration: compared as a set
      const causes = x.map((c) => walk(c, ctx, opts, false));
      out[k] = causes.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
    } else {
      out[k] = walkField(k, x, ctx, opts);
    }
  }
  if (kind === 'Table') normalizeTableAges(out, ctx);
  // a service account token (a signed JWT, base64 in a Secret) differs on every issue: its claims are compared
  if (kind === 'Secret' && v.type === 'kubernetes.io/service-account-token' && isObj(v.data) && isObj(out.data) && typeof v.data.token === 'string') {
    out.data = { ...out.data, token: normalizeJwt(Buffer.from(v.data.token, 'base64').toString('utf8'), ctx) };
  }
  if (kind === 'TokenRequest') normalizeTokenRequest(v, out, ctx);
  if (kind === 'SelfSubjectRulesReview' && isObj(out.status)) sortRules(out.status, ctx);
  return out;
}

/**
 * The issuer of service account tokens, which is also the default API audience: kube's
 * `--service-account-issuer` of the test harness (test/harness/management-cluster.ts), kplane's
 * per-cluster `<url>/clusters/<cluster>`. Both become `<issuer>`.
 */
const KUBE_SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

function issuerOf(ctx: NormContext): string {
  return ctx.target.name === 'kube' ? KUBE_SA_ISSUER : `${ctx.target.origin}${ctx.target.prefix}`;
}

function normalizeIssuerString(s: unknown, ctx: NormContext): unknown {
  if (typeof s !== 'string') return s;
  return s === issuerOf(ctx) ? '<issuer>' : normalizeString(s, ctx);
}

/**
 * A JWT (service account token): its signature, key and random jti differ on every issue, and
 * kplane adds claims of its own (`kplane.io/...`, the logical cluster). What is compared is the
 * header's alg and whether it names a key, and the claims with times relative to `iat` (exp as
 * `<iat+3600>`), the issuer and API audience as `<issuer>`, uids and jti as `<uid>`. Anything
 * that is not a JWT stays a string.
 */
export function normalizeJwt(token: string, ctx: NormContext): unknown {
  const parts = token.split('.');
  if (parts.length !== 3) return normalizeString(token, ctx);
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return normalizeString(token, ctx);
  }
  if (!isObj(header) || !isObj(claims)) return normalizeString(token, ctx);
  const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
  const rel = (n: unknown): unknown => (typeof n === 'number' && iat !== undefined ? (n === iat ? '<iat>' : `<iat${n > iat ? '+' : ''}${n - iat}>`) : n);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(claims).sort()) {
    if (k.startsWith('kplane.io/')) continue;
    const x = claims[k];
    if (k === 'iat') out[k] = typeof x === 'number' ? '<iat>' : x;
    else if (k === 'exp' || k === 'nbf') out[k] = rel(x);
    else if (k === 'iss') out[k] = normalizeIssuerString(x, ctx);
    else if (k === 'aud') out[k] = Array.isArray(x) ? x.map((a) => normalizeIssuerString(a, ctx)) : normalizeIssuerString(x, ctx);
    else if (k === 'kubernetes.io' && isObj(x)) {
      const priv: Record<string, unknown> = {};
      for (const pk of Object.keys(x).sort()) priv[pk] = pk === 'warnafter' ? rel(x[pk]) : walk(x[pk], ctx, {}, false);
      out[k] = priv;
    } else out[k] = walk(x, ctx, {}, false);
  }
  return { jwt: { alg: header.alg, kid: typeof header.kid === 'string' && header.kid !== '' ? '<kid>' : header.kid, claims: out } };
}

/** TokenRequest answers: the token's claims, the default audience, expirationTimestamp relative to creationTimestamp. */
/**
 * A SelfSubjectRulesReview lists rules in the order the authorizer's caches yield bindings: Go
 * map order in kube-apiserver, different from run to run. Compared as sets, in JSON order.
 */
function sortRules(status: Record<string, unknown>, ctx: NormContext): void {
  for (const k of ['resourceRules', 'nonResourceRules']) {
    const rules = status[k];
    if (Array.isArray(rules)) rules.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  note(ctx, 'SelfSubjectRulesReview rules sorted (kube lists them in Go map order)');
}

function normalizeTokenRequest(v: Record<string, unknown>, out: Record<string, unknown>, ctx: NormContext): void {
  if (isObj(v.spec) && isObj(out.spec) && Array.isArray(v.spec.audiences)) {
    out.spec = { ...out.spec, audiences: v.spec.audiences.map((a) => normalizeIssuerString(a, ctx)) };
  }
  if (!isObj(v.status) || !isObj(out.status)) return;
  const status: Record<string, unknown> = { ...out.status };
  if (typeof v.status.token === 'string') status.token = normalizeJwt(v.status.token, ctx);
  const created = isObj(v.metadata) && typeof v.metadata.creationTimestamp === 'string' ? Date.parse(v.metadata.creationTimestamp) : NaN;
  const expires = typeof v.status.expirationTimestamp === 'string' ? Date.parse(v.status.expirationTimestamp) : NaN;
  if (!Number.isNaN(created) && !Number.isNaN(expires)) status.expirationTimestamp = `<creationTimestamp+${(expires - created) / 1000}s>`;
  out.status = status;
}

/** Service IPs and node ports come from each server's own allocator (kplane's are derived, kube's random). */
const ALLOCATED_IP = /\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;
const ALLOCATED_NODE_PORT = /(\d):3[0-2]\d{3}\//g;

function walkField(k: string, x: unknown, ctx: NormContext, opts: NormalizeOptions): unknown {
  if ((k === 'nodePort' || k === 'healthCheckNodePort') && typeof x === 'number' && x >= 30000 && x <= 32767) return '<node-port>';
  if ((k === 'clusterIP' || k === 'clusterIPs' || k === 'cells' || k === 'message') && (typeof x === 'string' || Array.isArray(x))) {
    const mask = (v: unknown): unknown => (typeof v === 'string'
      ? normalizeString(v, ctx).replace(ALLOCATED_IP, '<cluster-ip>').replace(ALLOCATED_NODE_PORT, '$1:<node-port>/') : walk(v, ctx, opts, false));
    return Array.isArray(x) ? x.map(mask) : mask(x);
  }
  if (typeof x === 'string') {
    if (k === 'uid' && x) return '<uid>';
    if ((k === 'creationTimestamp' || k === 'deletionTimestamp' || k === 'lastTransitionTime') && x) return '<time>';
    if (k === 'resourceVersion') return rvToken(x, false, ctx);
    if (k === 'serverAddress') return '<server>';
    if (k === 'serverRelativeURL') return normalizeString(x, ctx).replace(/hash=[0-9A-Fa-f]+/, 'hash=<hash>');
  }
  return walk(x, ctx, opts, false);
}

function fieldKeys(v: Record<string, unknown>, ctx: NormContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[normalizeString(k, ctx)] = isObj(x) ? fieldKeys(x, ctx) : x;
  return out;
}

function walkMetadata(m: Record<string, unknown>, ctx: NormContext, opts: NormalizeOptions, list: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(m)) {
    if (k === 'managedFields') {
      // compared entry by entry, times masked. kube orders entries by operation, then by the
      // second of their time, then by manager: writes the two servers saw in one second or in
      // two come out in another order, so entries are compared in an order without the time.
      ctx.notes.managedFields++;
      if (!Array.isArray(x)) {
        out[k] = walk(x, ctx, opts, false);
        continue;
      }
      const entries = x.map((e) => {
        if (!isObj(e)) return walk(e, ctx, opts, false);
        const w = walk(e, ctx, opts, false) as Record<string, unknown>;
        // field set keys name list items by their keys (an owner's uid, a generated name)
        if (isObj(e.fieldsV1)) w.fieldsV1 = fieldKeys(e.fieldsV1, ctx);
        if (typeof e.time === 'string') w.time = '<time>';
        return w;
      });
      const key = (e: unknown) => (isObj(e) ? [e.operation, e.manager, e.apiVersion, e.subresource].map((v) => String(v ?? '')).join('\u0000') : '');
      out[k] = entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      continue;
    }
    if (k === 'resourceVersion' && typeof x === 'string') out[k] = rvToken(x, list, ctx);
    else if (k === 'continue' && typeof x === 'string') out[k] = x ? '<continue>' : '';
    else out[k] = walkField(k, x, ctx, opts);
  }
  return out;
}

function normalizeTableAges(table: Record<string, unknown>, ctx: NormContext): void {
  if (Array.isArray(table.columnDefinitions)) ctx.tableColumns = table.columnDefinitions;
  const cols = table.columnDefinitions ?? ctx.tableColumns;
  const rows = table.rows;
  if (!Array.isArray(cols) || !Array.isArray(rows)) return;
  const ageIdx = cols.map((c, i) => (isObj(c) && typeof c.name === 'string' && AGE_COLUMNS.has(c.name.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
  // "Created At" columns (type date) of rbac tables hold creation timestamps
  const dateIdx = cols.map((c, i) => (isObj(c) && c.type === 'date' ? i : -1)).filter((i) => i >= 0);
  for (const row of rows) {
    if (!isObj(row) || !Array.isArray(row.cells)) continue;
    for (const i of ageIdx) {
      const c = row.cells[i];
      if (typeof c === 'string' && DURATION.test(c)) row.cells[i] = '<age>';
    }
    for (const i of dateIdx) {
      const c = row.cells[i];
      if (typeof c === 'string' && RFC3339.test(c)) row.cells[i] = '<time>';
    }
  }
}

/** Reads a dotted path (a.b[0].c, or a["k.with.dots"]) from a JSON value. */
export function getPath(v: unknown, path: string): unknown {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]+)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push(m[3]!);
  }
  let cur: unknown = v;
  for (const p of parts) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
