// The scenario format of the differential compatibility suite: YAML files under scenarios/, one
// theme per file, many scenarios per file. See README.md in this directory.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One HTTP request, sent to both servers. */
export interface RequestStep {
  /** A label for the report (default: METHOD path). */
  name?: string;
  method?: string;
  /** Relative to the API root: /api/v1/..., /apis/<g>/<v>/..., /openapi/v3, ... May hold a query. */
  path: string;
  /** Query parameters added to the path's (values are URL-encoded). */
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  /** Shorthands for the Accept and Content-Type headers. */
  accept?: string;
  contentType?: string;
  /** An object (sent as JSON, or YAML when the Content-Type is YAML) or a raw string. */
  body?: unknown;
  /** A ConfigMap (or Secret, with stringData) body of about this many bytes (for size limits). */
  largeBody?: { bytes: number; name: string; kind?: 'ConfigMap' | 'Secret'; into?: 'data' | 'annotation' | 'finalizers' };
  /** Variables to save from the response body: { var: 'metadata.resourceVersion' }. Per server. */
  capture?: Record<string, string>;
  /** The status code kube must answer (checks the scenario itself; kube is the specification). */
  expect?: number;
  /** What to compare: everything (default), only the status code and Status reason, or nothing. */
  compare?: 'full' | 'status' | 'none';
  /**
   * Compare only one element of a list in the answer: `<list path>[<field>=<value>]`, e.g.
   * `items[metadata.name={id}.example.com]` of aggregated discovery, where other scenarios'
   * groups come and go.
   */
  pick?: string;
}

/** Opens a watch (GET with watch=1 added unless the path is a /watch/ path) and keeps it open. */
export interface WatchStep {
  watch: { id: string; path: string; query?: Record<string, string | number | boolean>; headers?: Record<string, string>; accept?: string };
}

/** Collects events of an open watch and compares the sequence. */
export interface CollectStep {
  collect: {
    id: string;
    /** Stop after this many events (all types, bookmarks included). */
    count?: number;
    /** Or wait for the server to end the stream (e.g. timeoutSeconds, an ERROR event). */
    untilClosed?: boolean;
    /** Or stop after the first event of this type (e.g. DELETED), inclusive. */
    untilType?: string;
    /** Give up after this long (default 15 s); the number of events received is compared. */
    timeoutMs?: number;
  };
}

export interface WaitCondition {
  status?: number;
  /** A dotted path into the response body. */
  path?: string;
  equals?: unknown;
  /** The path is absent (or the array at path is empty with length: 0). */
  absent?: boolean;
  length?: number;
  /** The array at path has an element whose `field` equals `value`. */
  contains?: { field: string; value: unknown };
  /** status.conditions has a condition of this type and status. */
  condition?: { type: string; status: string };
  /** A Warning header of the answer contains this text (e.g. a policy's Warn took effect). */
  warning?: string;
}

/**
 * Polls a GET (or another request, e.g. a dry-run POST until an admission policy takes effect)
 * until a condition holds (no fixed sleeps); compares whether it held and, optionally, the last response.
 */
export interface WaitStep {
  wait: {
    path: string;
    /** Default GET; with a body (JSON) for writes. */
    method?: string;
    body?: unknown;
    contentType?: string;
    query?: Record<string, string | number | boolean>;
    until: WaitCondition;
    timeoutMs?: number;
    /** Also compare the final response like a request step. */
    compareFinal?: boolean;
    capture?: Record<string, string>;
    /** Accept header of the polled GET (default application/json). */
    accept?: string;
    /** Other headers of the polled GET (e.g. Impersonate-User: poll until a grant takes effect). */
    headers?: Record<string, string>;
  };
}

/**
 * Creates every object of a YAML file read at test time (not committed): `capi:<path>` is a path
 * in the pinned Cluster API module of the Go module cache (`*` globs in the last segment). An
 * object that already exists counts as created, so every scenario of a theme can apply the same
 * files (cluster-scoped objects of a fixed name, created once per server).
 */
export interface ApplyFileStep {
  applyFile: string;
}

/** Polls an object until status.conditions holds a condition (e.g. a CRD's Established=True). */
export interface WaitForStep {
  waitFor: {
    /** A CustomResourceDefinition's name (shorthand for its path), or the path of any object. */
    crd?: string;
    path?: string;
    condition: string;
    /** Default "True". */
    status?: string;
    timeoutMs?: number;
  };
}

export type Step = RequestStep | WatchStep | CollectStep | WaitStep | ApplyFileStep | WaitForStep;

export interface Scenario {
  name: string;
  description?: string;
  /** How many per-scenario namespaces the runner creates: {ns}, {ns2}, ... (default 1). */
  namespaces?: number;
  /** Steps run on both servers but not compared; a failure (status >= 400) on either is reported. */
  setup?: Step[];
  steps: Step[];
  /** Filled in by the loader. */
  theme: string;
  file: string;
}

export function isWatch(s: Step): s is WatchStep {
  return (s as WatchStep).watch !== undefined;
}
export function isCollect(s: Step): s is CollectStep {
  return (s as CollectStep).collect !== undefined;
}
export function isWait(s: Step): s is WaitStep {
  return (s as WaitStep).wait !== undefined;
}
export function isApplyFile(s: Step): s is ApplyFileStep {
  return (s as ApplyFileStep).applyFile !== undefined;
}
export function isWaitFor(s: Step): s is WaitForStep {
  return (s as WaitForStep).waitFor !== undefined;
}
export function isRequest(s: Step): s is RequestStep {
  return !isWatch(s) && !isCollect(s) && !isWait(s) && !isApplyFile(s) && !isWaitFor(s);
}

/** A short label of a step for the report. */
export function stepLabel(s: Step, index: number): string {
  if (isWatch(s)) return `#${index + 1} watch ${s.watch.id} ${s.watch.path}`;
  if (isCollect(s)) return `#${index + 1} collect ${s.collect.id}`;
  if (isWait(s)) return `#${index + 1} wait ${s.wait.path}`;
  if (isApplyFile(s)) return `#${index + 1} applyFile ${s.applyFile}`;
  if (isWaitFor(s)) return `#${index + 1} waitFor ${s.waitFor.crd ?? s.waitFor.path} ${s.waitFor.condition}`;
  return `#${index + 1} ${s.name ?? `${(s.method ?? 'GET').toUpperCase()} ${s.path}`}`;
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

function checkStep(file: string, scenario: string, s: unknown, i: number): Step {
  if (!s || typeof s !== 'object') fail(file, `${scenario}: step ${i + 1} is not a mapping`);
  const o = s as Record<string, unknown>;
  if ('watch' in o) {
    const w = o.watch as WatchStep['watch'];
    if (!w?.id || !w.path) fail(file, `${scenario}: watch step ${i + 1} needs id and path`);
  } else if ('collect' in o) {
    const c = o.collect as CollectStep['collect'];
    if (!c?.id || (c.count === undefined && !c.untilClosed && !c.untilType)) fail(file, `${scenario}: collect step ${i + 1} needs id and count, untilType or untilClosed`);
  } else if ('wait' in o) {
    const w = o.wait as WaitStep['wait'];
    if (!w?.path || !w.until) fail(file, `${scenario}: wait step ${i + 1} needs path and until`);
  } else if ('applyFile' in o) {
    if (typeof o.applyFile !== 'string' || !o.applyFile.startsWith('capi:')) fail(file, `${scenario}: applyFile step ${i + 1} needs capi:<path>`);
  } else if ('waitFor' in o) {
    const w = o.waitFor as WaitForStep['waitFor'];
    if (!w?.condition || (!w.crd === !w.path)) fail(file, `${scenario}: waitFor step ${i + 1} needs a condition and one of crd, path`);
  } else {
    if (typeof o.path !== 'string') fail(file, `${scenario}: step ${i + 1} needs a path`);
    const known = new Set(['name', 'method', 'path', 'query', 'headers', 'accept', 'contentType', 'body', 'largeBody', 'capture', 'expect', 'compare', 'pick']);
    for (const k of Object.keys(o)) if (!known.has(k)) fail(file, `${scenario}: step ${i + 1} has an unknown key ${k}`);
  }
  return o as unknown as Step;
}

/** Loads every scenarios/*.yaml (sorted), checking the shape and that names are unique. */
export function loadScenarios(dir: string): Scenario[] {
  const out: Scenario[] = [];
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = path.join(dir, f);
    const doc = parseYaml(readFileSync(file, 'utf8')) as { theme?: string; scenarios?: unknown[] };
    const theme = doc?.theme ?? f.replace(/\.yaml$/, '');
    if (!Array.isArray(doc?.scenarios)) fail(f, 'needs a scenarios list');
    for (const raw of doc.scenarios) {
      const s = raw as Partial<Scenario>;
      if (!s?.name) fail(f, 'a scenario has no name');
      if (names.has(s.name)) fail(f, `duplicate scenario name ${s.name}`);
      names.add(s.name);
      if (!Array.isArray(s.steps) || s.steps.length === 0) fail(f, `${s.name}: needs steps`);
      const steps = s.steps.map((st, i) => checkStep(f, s.name!, st, i));
      const setup = (s.setup ?? []).map((st, i) => checkStep(f, s.name!, st, i));
      out.push({ ...s, name: s.name, steps, setup, theme, file: f } as Scenario);
    }
  }
  return out;
}
