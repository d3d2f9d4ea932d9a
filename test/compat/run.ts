// The differential compatibility suite: every scenario of test/compat/scenarios/*.yaml runs
// against a real kube-apiserver (with etcd and kube-controller-manager) and an in-process kplane,
// with the same admin identity; the answers are normalised and compared. Differences go to
// compat-report.md; the last line printed is `compat: N of M scenarios identical`.
//
//   npm run test:compat            (tsx test/compat/run.ts)
//   COMPAT_ONLY=<regex>            run only the scenarios whose name matches
//   COMPAT_CONCURRENCY=<n>         scenarios in flight at once (default 6)
//   COMPAT_KUBE_ONLY=1             run against kube only: checks that no scenario is broken
//
// Exit code 1 when a scenario differs in a way test/compat/accepted-differences.yaml does not
// accept, or a scenario is broken (kube does not do what it expects).

import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { capiFiles, readObjects } from '../helpers/capi.js';
import { credentialsOf, startKplane, type TestKplane } from '../helpers/kplane.js';
import { CONTROLLER_MANAGER_DEFAULT_CONTROLLERS, startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools } from '../harness/tools.js';
import { Accepted, type AcceptedEntry } from './accepted.js';
import { OpenWatch, send, type OutgoingRequest, type Response, type Target, type WatchEvent } from './client.js';
import { diff, type Difference } from './diff.js';
import { filterPair, isDocumentPath, orderCustomResources, setCommonGroupVersions, setStartupGroupVersions } from './discovery.js';
import { getPath, isKubeOnly, newNotes, normalizeBody, normalizeString, type NormContext, type NormNotes } from './normalize.js';
import { writeReport } from './report.js';
import {
  isApplyFile, isCollect, isRequest, isWait, isWaitFor, isWatch, loadScenarios, stepLabel,
  type ApplyFileStep, type CollectStep, type RequestStep, type Scenario, type Step, type WaitCondition, type WaitForStep, type WaitStep, type WatchStep,
} from './scenario.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** How long both servers keep history (watch resumption, exact reads, continue tokens). */
const HISTORY_SECONDS = 5;
const REPO = path.resolve(HERE, '..', '..');

export interface StepOutcome {
  label: string;
  /** Differences not accepted. */
  diffs: Difference[];
  /** Differences accepted, with the entry that accepts each. */
  accepted: { d: Difference; entry: AcceptedEntry }[];
}

export interface ScenarioOutcome {
  scenario: Scenario;
  steps: StepOutcome[];
  /** The scenario itself is broken: kube does not do what it says (kube is the specification). */
  errors: string[];
  ms: number;
  /** Objects with managedFields in kube's answers / kplane's. */
  managedFields: { kube: number; kplane: number };
  /** Filtering notes (discovery, kube-only objects). */
  notes: Set<string>;
}

// ------------------------------------------------------------------ per-target state --

interface Side {
  t: Target;
  vars: Record<string, string>;
  ctx: NormContext;
  watches: Map<string, OpenWatch>;
}

function newSide(t: Target, vars: Record<string, string>, notes: NormNotes): Side {
  return { t, vars: { ...vars }, ctx: { target: t, rvVars: [], generated: new Map(), generateNames: new Set(), notes }, watches: new Map() };
}

const VAR = /\{([A-Za-z_][\w]*)\}/g;

function subst(s: string, vars: Record<string, string>, encode = false): string {
  return s.replace(VAR, (m, name: string) => (name in vars ? (encode ? encodeURIComponent(vars[name]!) : vars[name]!) : m));
}

function substDeep(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return subst(v, vars);
  if (Array.isArray(v)) return v.map((x) => substDeep(x, vars));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[subst(k, vars)] = substDeep(x, vars);
    return out;
  }
  return v;
}

function buildPath(p: string, query: Record<string, string | number | boolean> | undefined, vars: Record<string, string>): string {
  const q = p.indexOf('?');
  let out = q < 0 ? subst(p, vars) : `${subst(p.slice(0, q), vars)}?${subst(p.slice(q + 1), vars, true)}`;
  if (query && Object.keys(query).length) {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) sp.append(k, subst(String(v), vars));
    out += (out.includes('?') ? '&' : '?') + sp.toString().replace(/\+/g, '%20');
  }
  return out;
}

function headerMap(h: Record<string, string> | undefined, accept: string | undefined, contentType: string | undefined, vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = subst(v, vars);
  const has = (name: string) => Object.keys(out).some((k) => k.toLowerCase() === name);
  if (accept !== undefined) out['Accept'] = accept;
  else if (!has('accept')) out['Accept'] = 'application/json';
  if (contentType !== undefined) out['Content-Type'] = contentType;
  return out;
}

function buildRequest(step: RequestStep, vars: Record<string, string>): OutgoingRequest {
  const headers = headerMap(step.headers, step.accept, step.contentType, vars);
  let body: Buffer | undefined;
  const ct = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (step.largeBody) {
    const pad = 'x'.repeat(step.largeBody.bytes);
    const kind = step.largeBody.kind ?? 'ConfigMap';
    const name = subst(step.largeBody.name, vars);
    // finalizers: as many invalid ones (not qualified names, 64 bytes each) as make the bytes
    const finalizers = () => new Array<string>(Math.ceil(step.largeBody!.bytes / 64)).fill('f'.repeat(61));
    body = Buffer.from(JSON.stringify(step.largeBody.into === 'annotation'
      ? { apiVersion: 'v1', kind, metadata: { name, annotations: { big: pad } } }
      : step.largeBody.into === 'finalizers' ? { apiVersion: 'v1', kind, metadata: { name, finalizers: finalizers() } }
        : { apiVersion: 'v1', kind, metadata: { name }, [kind === 'Secret' ? 'stringData' : 'data']: { big: pad } }));
  } else if (typeof step.body === 'string') {
    body = Buffer.from(subst(step.body, vars));
  } else if (step.body !== undefined) {
    const b = substDeep(step.body, vars);
    body = Buffer.from(ct && /yaml/i.test(ct) ? toYaml(b) : JSON.stringify(b));
  }
  if (body && !ct) headers['Content-Type'] = 'application/json';
  return { method: (step.method ?? 'GET').toUpperCase(), path: buildPath(step.path, step.query, vars), headers, ...(body ? { body } : {}) };
}

// ------------------------------------------------------------------ comparison --

function contentTypeKey(h: Record<string, string | string[] | undefined>): string {
  const raw = h['content-type'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v) return '(none)';
  const [type, ...params] = v.split(';').map((s) => s.trim());
  const kept = params.filter((p) => /^(as|g|v|stream)=/i.test(p)).map((p) => p.replace(/^[^=]+/, (k) => k.toLowerCase())).sort();
  return [type!.toLowerCase(), ...kept].join(';');
}

function bodyOf(r: Response): unknown {
  if (r.json !== undefined) return r.json;
  const ct = contentTypeKey(r.headers);
  if (/protobuf|cbor/.test(ct)) return r.text ? `<binary ${ct}>` : '';
  if (/yaml/.test(ct) && r.text) {
    try {
      return parseYaml(r.text) as unknown;
    } catch {
      return r.text;
    }
  }
  return r.text;
}

function compareResponses(reqPath: string, k: Response, p: Response, ks: Side, ps: Side, mode: 'full' | 'status', notes: Set<string>, filterDocuments = true): Difference[] {
  const out: Difference[] = [];
  if (k.error || p.error) {
    if ((k.error ?? '') !== (p.error ?? '')) out.push({ path: 'transport', kube: k.error ?? 'response', kplane: p.error ?? 'response' });
  }
  if (k.status !== p.status) out.push({ path: 'status', kube: k.status, kplane: p.status });
  if (mode === 'status') {
    const reason = (r: Response) => (r.json && typeof r.json === 'object' && (r.json as { kind?: string }).kind === 'Status' ? (r.json as { reason?: string }).reason : undefined);
    if (reason(k) !== reason(p)) out.push({ path: 'body.reason', kube: reason(k), kplane: reason(p) });
    return out;
  }
  const kct = contentTypeKey(k.headers);
  const pct = contentTypeKey(p.headers);
  if (kct !== pct) out.push({ path: 'header Content-Type', kube: kct, kplane: pct });
  const kw = k.warnings.map((w) => normalizeString(w, ks.ctx));
  const pw = p.warnings.map((w) => normalizeString(w, ps.ctx));
  out.push(...diff(kw, pw, 'header Warning'));
  let kb = bodyOf(k);
  let pb = bodyOf(p);
  if (filterDocuments && isDocumentPath(reqPath) && k.status === 200 && p.status === 200) {
    const f = filterPair(reqPath, kb, pb);
    kb = f.kube;
    pb = f.kplane;
    for (const n of f.notes) notes.add(`${reqPath.split('?')[0]}: ${n}`);
  }
  const kn = normalizeBody(orderCustomResources(kb), ks.ctx, { dropKubeOnly: true });
  const pn = normalizeBody(orderCustomResources(pb), ps.ctx);
  const kk = kindOf(kn);
  const pk = kindOf(pn);
  if (kk !== pk && (kk === 'Status' || pk === 'Status')) {
    // different kinds of answer: one difference, not a field-by-field list
    out.push({ path: 'body', kube: brief(kn), kplane: brief(pn) });
    return out;
  }
  out.push(...diff(kn, pn, 'body'));
  return out;
}

function kindOf(v: unknown): string | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { kind?: unknown }).kind === 'string' ? (v as { kind: string }).kind : undefined;
}

/** A short description of an answer: a Status's reason and message, or an object's kind and name. */
function brief(v: unknown): string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v)?.slice(0, 300) ?? 'undefined';
  const o = v as { kind?: string; reason?: string; message?: string; metadata?: { name?: string; namespace?: string } };
  if (o.kind === 'Status') return `Status ${o.reason ?? ''}: ${o.message ?? ''}`;
  return `${o.kind ?? '(no kind)'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}`;
}

function capture(side: Side, spec: Record<string, string> | undefined, body: unknown): void {
  if (!spec) return;
  for (const [name, p] of Object.entries(spec)) {
    const v = getPath(body, p);
    const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    side.vars[name] = s;
    if (/resourceVersion$/.test(p) && /^\d+$/.test(s)) {
      const kind = (body as { kind?: string } | undefined)?.kind ?? '';
      const list = p === 'metadata.resourceVersion' && (kind.endsWith('List') || kind === 'Table');
      side.ctx.rvVars = side.ctx.rvVars.filter((r) => r.name !== name);
      side.ctx.rvVars.push({ name, value: BigInt(s), list });
    }
  }
}

// ------------------------------------------------------------------ steps --

/** COMPAT_DUMP=<dir>: write both raw answers of every request step there (debugging). */
async function dump(scenario: string, label: string, k: Response, p: Response): Promise<void> {
  const dir = process.env.COMPAT_DUMP;
  if (!dir) return;
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const base = `${scenario}--${label}`.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 180);
  const fmt = (r: Response) => `${r.status} ${r.error ?? ''}\n${JSON.stringify(r.headers, null, 1)}\nwarnings: ${JSON.stringify(r.warnings)}\n\n${r.json !== undefined ? JSON.stringify(r.json, null, 2) : r.text}`;
  await writeFile(path.join(dir, `${base}.kube.txt`), fmt(k));
  await writeFile(path.join(dir, `${base}.kplane.txt`), fmt(p));
}

function learnGenerateName(side: Side, req: OutgoingRequest): void {
  if (!req.body || req.body.length > 100_000) return;
  const m = /"generateName"\s*:\s*"([^"]+)"|generateName:\s*(\S+)/.exec(req.body.toString('utf8'));
  const g = m?.[1] ?? m?.[2];
  if (g) side.ctx.generateNames.add(g.replace(/^['"]|['"]$/g, ''));
}

async function runRequest(step: RequestStep, ks: Side, ps: Side, notes: Set<string>, errors: string[], label: string, scenario: string): Promise<Difference[]> {
  const kreq = buildRequest(step, ks.vars);
  const preq = buildRequest(step, ps.vars);
  learnGenerateName(ks, kreq);
  learnGenerateName(ps, preq);
  const [k, p] = await Promise.all([send(ks.t, kreq), send(ps.t, preq)]);
  await dump(scenario, label, k, p);
  if (step.expect !== undefined && k.status !== step.expect) {
    errors.push(`${label}: kube answered ${k.status}, the scenario expects ${step.expect}: ${k.text.slice(0, 300)}`);
  }
  capture(ks, step.capture, k.json);
  capture(ps, step.capture, p.json);
  if (step.pick) {
    const kp = pickOne(k, subst(step.pick, ks.vars));
    const pp = pickOne(p, subst(step.pick, ps.vars));
    return compareResponses(kreq.path, kp, pp, ks, ps, step.compare === 'status' ? 'status' : 'full', notes, false);
  }
  if (step.compare === 'none') {
    // still learn generated names etc.
    normalizeBody(k.json, ks.ctx);
    normalizeBody(p.json, ps.ctx);
    return [];
  }
  return compareResponses(kreq.path, k, p, ks, ps, step.compare === 'status' ? 'status' : 'full', notes);
}

/** The answer with its body cut down to the one list element `<list>[<field>=<value>]` names (null if none; errors kept whole). */
function pickOne(r: Response, pick: string): Response {
  const m = /^(.*)\[([^=\]]+)=([^\]]*)\]$/.exec(pick);
  if (!m) throw new Error(`pick ${pick}: not <list>[<field>=<value>]`);
  const list = getPath(r.json, m[1]!);
  const one = Array.isArray(list) ? list.find((x) => String(getPath(x, m[2]!)) === m[3]) : undefined;
  return { ...r, json: r.status === 200 ? one ?? null : r.json };
}

function watchRequest(step: WatchStep, vars: Record<string, string>): { path: string; headers: Record<string, string> } {
  const w = step.watch;
  let p = buildPath(w.path, w.query, vars);
  if (!/\/watch\//.test(p.split('?')[0]!) && !/[?&]watch=/.test(p)) p += (p.includes('?') ? '&' : '?') + 'watch=1';
  return { path: p, headers: headerMap(w.headers, w.accept, undefined, vars) };
}

async function openWatches(step: WatchStep, ks: Side, ps: Side): Promise<Difference[]> {
  const open = async (s: Side) => {
    const { path: p, headers } = watchRequest(step, s.vars);
    const w = new OpenWatch(s.t, p, headers);
    s.watches.set(step.watch.id, w);
    await Promise.race([w.ready, new Promise((r) => setTimeout(r, 15_000))]);
    if (w.status !== 200) await w.take({ untilClosed: true, timeoutMs: 5_000 });
    return w;
  };
  const [k, p] = await Promise.all([open(ks), open(ps)]);
  const out: Difference[] = [];
  if (k.status !== p.status) out.push({ path: 'status', kube: k.status, kplane: p.status });
  if ((k.error ?? '') !== (p.error ?? '')) out.push({ path: 'transport', kube: k.error ?? 'response', kplane: p.error ?? 'response' });
  const kct = contentTypeKey(k.headers);
  const pct = contentTypeKey(p.headers);
  if (kct !== pct) out.push({ path: 'header Content-Type', kube: kct, kplane: pct });
  out.push(...diff(k.warnings.map((w) => normalizeString(w, ks.ctx)), p.warnings.map((w) => normalizeString(w, ps.ctx)), 'header Warning'));
  if (k.status !== 200 || p.status !== 200) {
    const parse = (t: string) => {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    };
    out.push(...diff(normalizeBody(parse(k.text), ks.ctx), normalizeBody(parse(p.text), ps.ctx), 'body'));
  }
  return out;
}

function eventsOf(events: WatchEvent[], side: Side, dropKubeOnly: boolean): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    if (dropKubeOnly && e.type !== 'BOOKMARK' && e.type !== 'ERROR') {
      const what = isKubeOnly(e.object);
      if (what) {
        side.ctx.notes.filtered.set(what, (side.ctx.notes.filtered.get(what) ?? 0) + 1);
        continue;
      }
    }
    out.push(e.raw !== undefined ? { type: e.type, raw: e.raw } : { type: e.type, object: normalizeBody(e.object, side.ctx, { eventType: e.type }) });
  }
  return out;
}

async function collect(step: CollectStep, ks: Side, ps: Side, errors: string[], label: string): Promise<Difference[]> {
  const c = step.collect;
  const kw = ks.watches.get(c.id);
  const pw = ps.watches.get(c.id);
  if (!kw || !pw) {
    errors.push(`${label}: no open watch ${c.id}`);
    return [];
  }
  const opts = {
    ...(c.count !== undefined ? { count: c.count } : {}),
    ...(c.untilClosed ? { untilClosed: true } : {}),
    ...(c.untilType ? { untilType: c.untilType } : {}),
    timeoutMs: c.timeoutMs ?? 15_000,
  };
  const [k, p] = await Promise.all([kw.take(opts), pw.take(opts)]);
  if (k.timedOut) errors.push(`${label}: kube sent ${k.events.length} events within ${opts.timeoutMs} ms, the scenario expects ${c.untilClosed ? 'the stream to end' : c.untilType ? `a ${c.untilType} event` : c.count}`);
  const out: Difference[] = [];
  if (k.timedOut !== p.timedOut) {
    out.push({
      path: 'events (received)',
      kube: k.timedOut ? `${k.events.length}, timed out` : `${k.events.length}${c.untilClosed ? ', stream ended' : ''}`,
      kplane: p.timedOut ? `${p.events.length}, timed out` : `${p.events.length}${c.untilClosed ? ', stream ended' : ''}`,
    });
  }
  out.push(...diff(eventsOf(k.events, ks, true), eventsOf(p.events, ps, false), 'events'));
  return out;
}

function conditionHolds(u: WaitCondition, r: Response): boolean {
  if (u.status !== undefined && r.status !== u.status) return false;
  if (u.warning !== undefined && !r.warnings.some((w) => w.includes(u.warning!))) return false;
  if (u.warning !== undefined && u.path === undefined) return true;
  if (u.path === undefined) return u.status !== undefined ? true : r.status < 400;
  const v = getPath(r.json, u.path);
  if (u.condition) return Array.isArray(v) && v.some((c) => getPath(c, 'type') === u.condition!.type && getPath(c, 'status') === u.condition!.status);
  if (u.absent) return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (u.length !== undefined) return Array.isArray(v) && v.length === u.length;
  if (u.contains) return Array.isArray(v) && v.some((x) => getPath(x, u.contains!.field) === u.contains!.value);
  if ('equals' in u) return JSON.stringify(v) === JSON.stringify(u.equals);
  return v !== undefined;
}

async function poll(side: Side, step: WaitStep): Promise<{ met: boolean; last: Response; req: OutgoingRequest }> {
  const w = step.wait;
  const req = buildRequest({ method: w.method ?? 'GET', path: w.path, query: w.query, headers: w.headers, accept: w.accept, contentType: w.contentType, body: w.body }, side.vars);
  const until = substDeep(w.until, side.vars) as WaitCondition;
  const deadline = Date.now() + (w.timeoutMs ?? 60_000);
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    const last = await send(side.t, req);
    if (conditionHolds(until, last)) return { met: true, last, req };
    if (Date.now() > deadline || side.t.offline) return { met: false, last, req };
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function runWait(step: WaitStep, ks: Side, ps: Side, notes: Set<string>, errors: string[], label: string): Promise<Difference[]> {
  const [k, p] = await Promise.all([poll(ks, step), poll(ps, step)]);
  if (!k.met) errors.push(`${label}: the condition never held on kube (last answer ${k.last.status}: ${k.last.text.slice(0, 300)})`);
  capture(ks, step.wait.capture, k.last.json);
  capture(ps, step.wait.capture, p.last.json);
  const out: Difference[] = [];
  if (k.met !== p.met) out.push({ path: 'condition', kube: k.met ? 'held' : `timed out (last ${k.last.status})`, kplane: p.met ? 'held' : `timed out (last status ${p.last.status})` });
  if (step.wait.compareFinal || (!p.met && k.met)) out.push(...compareResponses(k.req.path, k.last, p.last, ks, ps, 'full', notes));
  return out;
}

/** waitFor as a wait: status.conditions holds the condition. */
function waitForAsWait(step: WaitForStep): WaitStep {
  const w = step.waitFor;
  const p = w.crd ? `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${w.crd}` : w.path!;
  return { wait: { path: p, until: { path: 'status.conditions', condition: { type: w.condition, status: w.status ?? 'True' } }, timeoutMs: w.timeoutMs ?? 30_000 } };
}

/** The collection an object of a file is created in (only the kinds test files hold). */
function collectionOf(o: Record<string, unknown>): string {
  if (o.apiVersion === 'apiextensions.k8s.io/v1' && o.kind === 'CustomResourceDefinition') return '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  throw new Error(`applyFile: no collection known for ${String(o.apiVersion)} ${String(o.kind)}`);
}

/** Creates every object of the files on both servers; AlreadyExists counts as created. */
async function runApplyFile(step: ApplyFileStep, ks: Side, ps: Side, errors: string[], label: string): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const file of capiFiles(step.applyFile.slice('capi:'.length))) {
    for (const o of readObjects(file)) {
      const req: OutgoingRequest = { method: 'POST', path: collectionOf(o), headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(o)) };
      const [k, p] = await Promise.all([send(ks.t, req), send(ps.t, req)]);
      const outcome = (r: Response) => (r.status === 201 || r.status === 409 ? 'created' : `${r.status} ${brief(r.json ?? r.text)}`);
      const name = `${path.basename(file)} ${String((o.metadata as { name?: string } | undefined)?.name)}`;
      if (outcome(k) !== 'created') errors.push(`${label}: ${name}: kube answered ${outcome(k)}`);
      if (outcome(k) !== outcome(p)) out.push({ path: name, kube: outcome(k), kplane: outcome(p) });
    }
  }
  return out;
}

async function runStep(step: Step, ks: Side, ps: Side, notes: Set<string>, errors: string[], label: string, scenario: string): Promise<Difference[]> {
  if (isApplyFile(step)) return runApplyFile(step, ks, ps, errors, label);
  if (isWaitFor(step)) return runWait(waitForAsWait(step), ks, ps, notes, errors, label);
  if (isWatch(step)) return openWatches(step, ks, ps);
  if (isCollect(step)) return collect(step, ks, ps, errors, label);
  if (isWait(step)) return runWait(step, ks, ps, notes, errors, label);
  if (isRequest(step)) return runRequest(step, ks, ps, notes, errors, label, scenario);
  return [];
}

// ------------------------------------------------------------------ scenarios --

async function waitOk(t: Target, p: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const r = await send(t, { method: 'GET', path: p, headers: { Accept: 'application/json' } });
    if (r.status === 200) return true;
    if (Date.now() > deadline) return false;
    await new Promise((res) => setTimeout(res, delay));
  }
}

/** Creates the scenario's namespaces on a server and waits for what the controllers add to them. */
async function prepareNamespaces(t: Target, names: string[], id: string): Promise<string | undefined> {
  if (t.offline) return undefined;
  for (const ns of names) {
    const r = await send(t, {
      method: 'POST',
      path: '/api/v1/namespaces',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'compat.kplane.io/scenario': id } } })),
    });
    if (r.status !== 201) return `${t.name}: creating namespace ${ns} answered ${r.status}: ${r.text.slice(0, 200)}`;
  }
  for (const ns of names) {
    for (const p of [`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`, `/api/v1/namespaces/${ns}/serviceaccounts/default`]) {
      if (!(await waitOk(t, p, 30_000))) return `${t.name}: ${p} did not appear within 30 s`;
    }
  }
  return undefined;
}

async function runScenario(s: Scenario, index: number, kube: Target, kplane: Target, accepted: Accepted): Promise<ScenarioOutcome> {
  const started = Date.now();
  const id = `s${String(index + 1).padStart(3, '0')}`;
  const nsCount = s.namespaces ?? 1;
  const nsNames = Array.from({ length: nsCount }, (_, i) => (i === 0 ? `compat-${id}` : `compat-${id}-${i + 1}`));
  const vars: Record<string, string> = { id };
  nsNames.forEach((n, i) => (vars[i === 0 ? 'ns' : `ns${i + 1}`] = n));
  const kNotes = newNotes();
  const pNotes = newNotes();
  const ks = newSide(kube, vars, kNotes);
  const ps = newSide(kplane, vars, pNotes);
  const out: ScenarioOutcome = { scenario: s, steps: [], errors: [], ms: 0, managedFields: { kube: 0, kplane: 0 }, notes: new Set() };
  try {
    const [ke, pe] = await Promise.all([prepareNamespaces(kube, nsNames, id), prepareNamespaces(kplane, nsNames, id)]);
    if (ke) out.errors.push(`setup: ${ke}`);
    if (pe) out.steps.push({ label: 'setup: namespaces', diffs: [{ path: 'setup', kube: 'ok', kplane: pe }], accepted: [] });
    for (const [i, step] of (s.setup ?? []).entries()) {
      const label = `setup ${stepLabel(step, i)}`;
      if (isRequest(step)) {
        const [k, p] = await Promise.all([send(kube, buildRequest(step, ks.vars)), send(kplane, buildRequest(step, ps.vars))]);
        capture(ks, step.capture, k.json);
        capture(ps, step.capture, p.json);
        normalizeBody(k.json, ks.ctx);
        normalizeBody(p.json, ps.ctx);
        if (k.status >= 400 || k.status === 0) out.errors.push(`${label}: kube answered ${k.status}: ${k.text.slice(0, 300)}`);
        if ((p.status >= 400 || p.status === 0) && k.status < 400) {
          out.steps.push({ label, diffs: [{ path: 'setup status', kube: k.status, kplane: `${p.status} ${p.text.slice(0, 300)}` }], accepted: [] });
        }
      } else {
        const errs: string[] = [];
        const diffs = await runStep(step, ks, ps, out.notes, errs, label, s.name);
        out.errors.push(...errs);
        // CRDs that kplane did not create or establish: say so at the setup step, not only later
        if ((isApplyFile(step) || isWaitFor(step)) && diffs.length && !errs.length) out.steps.push({ label, diffs, accepted: [] });
      }
    }
    for (const [i, step] of s.steps.entries()) {
      const label = stepLabel(step, i);
      let diffs: Difference[];
      try {
        diffs = await runStep(step, ks, ps, out.notes, out.errors, label, s.name);
      } catch (err) {
        out.errors.push(`${label}: runner error: ${(err as Error).stack ?? String(err)}`);
        continue;
      }
      const so: StepOutcome = { label, diffs: [], accepted: [] };
      for (const d of diffs) {
        const entry = accepted.match(s.name, label, d);
        if (entry) so.accepted.push({ d, entry });
        else so.diffs.push(d);
      }
      if (so.diffs.length || so.accepted.length) out.steps.push(so);
    }
  } finally {
    for (const side of [ks, ps]) for (const w of side.watches.values()) w.close();
  }
  out.managedFields = { kube: kNotes.managedFields, kplane: pNotes.managedFields };
  for (const [what, n] of kNotes.filtered) out.notes.add(`kube-only object removed from kube's answers: ${what} (${n}x)`);
  out.ms = Date.now() - started;
  return out;
}

/** The group/versions both servers serve, from their discovery documents. */
async function commonGroupVersions(kube: Target, kplane: Target): Promise<string[]> {
  const gvs = async (t: Target): Promise<Set<string>> => {
    const out = new Set<string>();
    const h = { Accept: 'application/json' };
    const api = (await send(t, { method: 'GET', path: '/api', headers: h })).json as { versions?: string[] };
    for (const v of api?.versions ?? []) out.add(v);
    const apis = (await send(t, { method: 'GET', path: '/apis', headers: h })).json as { groups?: { versions?: { groupVersion: string }[] }[] };
    for (const g of apis?.groups ?? []) for (const v of g.versions ?? []) out.add(v.groupVersion);
    return out;
  };
  const [k, p] = await Promise.all([gvs(kube), gvs(kplane)]);
  setStartupGroupVersions(k, p);
  return [...k].filter((gv) => p.has(gv));
}

async function pool<T, R>(items: T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

// ------------------------------------------------------------------ main --

async function main(): Promise<number> {
  const t0 = Date.now();
  const all = loadScenarios(path.join(HERE, 'scenarios'));
  const only = process.env.COMPAT_ONLY ? new RegExp(process.env.COMPAT_ONLY) : undefined;
  const scenarios = only ? all.filter((s) => only.test(s.name) || only.test(s.theme)) : all;
  const accepted = Accepted.load(path.join(HERE, 'accepted-differences.yaml'));
  process.stdout.write(`compat: ${scenarios.length} scenarios from ${new Set(scenarios.map((s) => s.file)).size} files\n`);

  await ensureTools();
  let mc: ManagementCluster | undefined;
  let kp: TestKplane | undefined;
  const stopAll = async () => {
    await Promise.allSettled([mc?.stop(), kp?.stop()]);
  };
  const onSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Both keep about the same history (kube-apiserver compacts etcd every interval, to the
    // revision of the interval before), so that expiry (410 Gone) can be compared within seconds.
    // COMPAT_KUBE_ONLY: no kplane; its side answers nothing, and only "broken" is reported
    // (checks scenarios of features kplane does not have yet against kube, the specification).
    const kubeOnly = !!process.env.COMPAT_KUBE_ONLY;
    [mc, kp] = await Promise.all([
      // (kube-controller-manager's defaults and the status controller of ValidatingAdmissionPolicies)
      startManagementCluster({
        withControllerManager: { controllers: [...CONTROLLER_MANAGER_DEFAULT_CONTROLLERS, 'validatingadmissionpolicy-status-controller'] },
        // MutatingAdmissionPolicy is beta in 1.34 and off by default: its two resources of
        // admissionregistration.k8s.io/v1beta1 served (and no other v1beta1 resource), as kplane serves them
        apiserverArgs: [
          `--etcd-compaction-interval=${HISTORY_SECONDS}s`,
          '--runtime-config=admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies=true,admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicybindings=true',
          '--feature-gates=MutatingAdmissionPolicy=true',
        ],
      }),
      kubeOnly ? undefined : startKplane({ historyWindowMs: HISTORY_SECONDS * 1000, compactionIntervalMs: 1000 }),
    ]);
    const creds = kp ? credentialsOf(await readFile(kp.kubeconfig, 'utf8')) : { ca: '', server: '' };
    const agentOpts = { keepAlive: true, maxSockets: 32 };
    const kube: Target = { name: 'kube', origin: mc.url, prefix: '', ca: mc.caPem, token: mc.token, rootCA: mc.caPem, agent: new https.Agent(agentOpts) };
    const kplane: Target = {
      name: 'kplane', origin: kp?.url ?? 'https://127.0.0.1:1', prefix: '/clusters/root', ca: creds.ca,
      ...(creds.cert ? { cert: creds.cert } : {}), ...(creds.key ? { key: creds.key } : {}),
      rootCA: creds.ca, agent: new https.Agent(agentOpts), ...(kp ? {} : { offline: true }),
    };
    if (kp) setCommonGroupVersions(await commonGroupVersions(kube, kplane));
    const started = Date.now();
    process.stdout.write(`compat: kube ${mc.serverVersion} at ${mc.url}, ${kp ? `kplane at ${kp.url}/clusters/root` : 'no kplane (COMPAT_KUBE_ONLY)'} (ready in ${started - t0} ms)\n`);
    const concurrency = Number(process.env.COMPAT_CONCURRENCY ?? 6);
    const outcomes = await pool(scenarios, concurrency, async (s, i) => {
      const o = await runScenario(s, all.indexOf(s), kube, kplane, accepted);
      const nd = o.steps.reduce((n, st) => n + st.diffs.length, 0);
      const na = o.steps.reduce((n, st) => n + st.accepted.length, 0);
      const mark = o.errors.length ? 'BROKEN' : kubeOnly ? 'kube ok' : nd ? 'DIFF  ' : na ? 'accept' : 'same  ';
      process.stdout.write(`${mark} ${s.theme}: ${s.name}${nd && !kubeOnly ? ` (${nd} differences)` : ''}${na && !kubeOnly ? ` (${na} accepted)` : ''}${o.errors.length ? ` (${o.errors.length} scenario errors)` : ''} [${o.ms} ms]\n`);
      for (const e of o.errors) process.stdout.write(`         ! ${e.split('\n')[0]}\n`);
      void i;
      return o;
    });
    kube.agent.destroy();
    kplane.agent.destroy();
    if (kubeOnly) {
      const broken = outcomes.filter((o) => o.errors.length).length;
      process.stdout.write(`compat (kube only): ${outcomes.length - broken} of ${outcomes.length} scenarios not broken (${Math.round((Date.now() - t0) / 1000)} s)\n`);
      return broken ? 1 : 0;
    }
    const reportPath = process.env.COMPAT_REPORT ?? path.join(REPO, 'compat-report.md');
    const summary = await writeReport(reportPath, outcomes, accepted, {
      kubeVersion: mc.serverVersion,
      durationMs: Date.now() - t0,
      scenariosTotal: all.length,
    });
    const identical = outcomes.filter((o) => !o.errors.length && o.steps.length === 0).length;
    const differing = outcomes.filter((o) => o.steps.some((s) => s.diffs.length)).length;
    const acceptedOnly = outcomes.filter((o) => !o.errors.length && o.steps.length > 0 && o.steps.every((s) => s.diffs.length === 0)).length;
    const broken = outcomes.filter((o) => o.errors.length).length;
    process.stdout.write(`compat: ${differing} differ, ${acceptedOnly} differ only as accepted, ${broken} broken; ${summary.diffCount} differences; report in ${path.relative(process.cwd(), reportPath)} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    process.stdout.write(`compat: ${identical} of ${outcomes.length} scenarios identical\n`);
    return differing || broken ? 1 : 0;
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`compat: failed: ${(err as Error).stack ?? String(err)}\n`);
  process.stdout.write('compat: 0 of 0 scenarios identical\n');
  process.exitCode = 2;
});
