// test/compat/accepted-differences.yaml: differences that are intended, each with its reason.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Difference } from './diff.js';

export interface AcceptedEntry {
  /** Scenario name: exact, a glob with *, or /regex/. */
  scenario: string;
  /** Step label glob (optional). */
  step?: string;
  /** Difference path glob, e.g. body.metadata.annotations["kubernetes.io/description"]. */
  path: string;
  /** Optional globs on the two values (JSON text, as in the report). */
  kube?: string;
  kplane?: string;
  /** What differs, in words. */
  what: string;
  /** Why the difference is intended. */
  reason: string;
}

function matcher(pattern: string): RegExp {
  if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) return new RegExp(pattern.slice(1, -1));
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export class Accepted {
  private readonly compiled: { entry: AcceptedEntry; scenario: RegExp; step?: RegExp; path: RegExp; kube?: RegExp; kplane?: RegExp }[];
  readonly used = new Map<AcceptedEntry, number>();

  constructor(readonly entries: AcceptedEntry[]) {
    this.compiled = entries.map((entry) => ({
      entry,
      scenario: matcher(entry.scenario),
      ...(entry.step ? { step: matcher(entry.step) } : {}),
      path: matcher(entry.path),
      ...(entry.kube !== undefined ? { kube: matcher(entry.kube) } : {}),
      ...(entry.kplane !== undefined ? { kplane: matcher(entry.kplane) } : {}),
    }));
  }

  static load(file: string): Accepted {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { accepted?: AcceptedEntry[] } | null;
    const entries = doc?.accepted ?? [];
    for (const e of entries) {
      if (!e.scenario || !e.path || !e.reason || !e.what) throw new Error(`${file}: every entry needs scenario, path, what and reason: ${JSON.stringify(e)}`);
    }
    return new Accepted(entries);
  }

  /** The entry that accepts this difference, if any. */
  match(scenario: string, step: string, d: Difference): AcceptedEntry | undefined {
    for (const c of this.compiled) {
      if (!c.scenario.test(scenario)) continue;
      if (c.step && !c.step.test(step)) continue;
      if (!c.path.test(d.path)) continue;
      if (c.kube && !c.kube.test(JSON.stringify(d.kube) ?? 'undefined')) continue;
      if (c.kplane && !c.kplane.test(JSON.stringify(d.kplane) ?? 'undefined')) continue;
      this.used.set(c.entry, (this.used.get(c.entry) ?? 0) + 1);
      return c.entry;
    }
    return undefined;
  }
}
