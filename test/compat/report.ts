// compat-report.md: what was compared and how, known gaps, accepted differences with their
// reasons, and every remaining difference with its scenario, step, JSON path and both values.

import { writeFile } from 'node:fs/promises';
import type { Accepted, AcceptedEntry } from './accepted.js';
import { show } from './diff.js';
import type { ScenarioOutcome } from './run.js';

export interface ReportMeta {
  kubeVersion: string;
  durationMs: number;
  scenariosTotal: number;
}

const NORMALISATION = [
  '`metadata.uid`, every `uid` field and UUIDs inside strings become `<uid>`.',
  '`creationTimestamp`, `deletionTimestamp` and `lastTransitionTime` values become `<time>` (null and absent stay as they are).',
  'resourceVersion values become `<rv …>` with their relation to every resourceVersion captured earlier in the scenario '
    + '(`=rv1`, `>rv1`, …); a list\'s or bookmark\'s revision is a "current" revision, related to others only by `>=`/`<` '
    + '(unrelated writes move it); inside Status messages the numbers of known messages are treated alike.',
  '`metadata.continue` becomes `<continue>` when non-empty (presence compared, the token is opaque); `remainingItemCount` is compared as is.',
  '`metadata.managedFields` entries are compared with their `time` as `<time>`.',
  'Names made from `metadata.generateName` become `<generateName><suffix>` wherever they appear.',
  'Table cells of the Age / Last Seen / First Seen columns that are durations become `<age>`.',
  'kplane\'s `/clusters/root` path prefix is removed from strings; each server\'s `host:port` becomes `<server>`; '
    + 'each server\'s CA bundle (as published in `kube-root-ca.crt`) becomes `<root-ca>`; `serverAddress` becomes `<server>`; '
    + 'OpenAPI `?hash=` values become `<hash>`.',
  'kube-only system objects (the `kubernetes` Service/Endpoints, kube-system/extension-apiserver-authentication, '
    + 'kube-system/kube-apiserver-legacy-service-account-token-tracking, kube-system/apiserver-* identity Leases) are removed from kube\'s lists and watch streams.',
  'Headers compared: the status code, Content-Type (media type plus the as/g/v parameters, not charset) and every Warning header; '
    + 'Date, Audit-Id, priority-and-fairness and other transport headers are not compared.',
  'Discovery (`/api`, `/apis`, `/api/v1`, `/apis/<g>[/<v>]`, aggregated v2) is compared for the groups both serve; '
    + 'in kube\'s answers only the resources kplane serves are kept (with all their subresources, so a missing subresource shows). '
    + 'kplane\'s own group (tenancy.kplane.io) is left out. OpenAPI v3 index entries are compared for those groups; OpenAPI documents '
    + 'by structure (paths, operations, parameters, responses, schema shapes without descriptions) for the paths of resources kplane serves '
    + 'and the schemas reachable from them.',
  'The resources of group/versions that appeared after the suite started (groups of CRDs) are sorted by name in both discovery answers: '
    + 'kube lists them in its CRD informer\'s (random) order.',
];

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export async function writeReport(file: string, outcomes: ScenarioOutcome[], accepted: Accepted, meta: ReportMeta): Promise<{ diffCount: number }> {
  const lines: string[] = [];
  const identical = outcomes.filter((o) => !o.errors.length && o.steps.length === 0);
  const differing = outcomes.filter((o) => o.steps.some((s) => s.diffs.length));
  const broken = outcomes.filter((o) => o.errors.length);
  const acceptedOnly = outcomes.filter((o) => !o.errors.length && o.steps.length && o.steps.every((s) => !s.diffs.length));
  const diffCount = differing.reduce((n, o) => n + o.steps.reduce((m, s) => m + s.diffs.length, 0), 0);

  lines.push('# kplane compatibility report', '');
  lines.push(`kube-apiserver ${meta.kubeVersion} (etcd, kube-controller-manager) vs kplane (logical cluster root); ${new Date().toISOString()}; ${Math.round(meta.durationMs / 1000)} s.`, '');
  lines.push(`- scenarios run: ${outcomes.length}${outcomes.length !== meta.scenariosTotal ? ` (of ${meta.scenariosTotal})` : ''}`);
  lines.push(`- identical: ${identical.length}`);
  lines.push(`- differ only in accepted ways: ${acceptedOnly.length}`);
  lines.push(`- differ: ${differing.length} (${diffCount} differences)`);
  lines.push(`- broken scenarios (kube does not do what the scenario expects): ${broken.length}`, '');

  const themes = [...new Set(outcomes.map((o) => o.scenario.theme))];
  lines.push('| theme | scenarios | identical | accepted only | differ | broken |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const th of themes) {
    const os = outcomes.filter((o) => o.scenario.theme === th);
    lines.push(`| ${th} | ${os.length} | ${os.filter((o) => identical.includes(o)).length} | ${os.filter((o) => acceptedOnly.includes(o)).length} | ${os.filter((o) => differing.includes(o)).length} | ${os.filter((o) => broken.includes(o)).length} |`);
  }
  lines.push('');

  lines.push('## Normalisation', '', 'Before comparison, both answers are normalised alike:', '');
  for (const n of NORMALISATION) lines.push(`- ${n}`);
  const notes = new Map<string, number>();
  for (const o of outcomes) for (const n of o.notes) notes.set(n.replace(/ \(\d+x\)$/, ''), (notes.get(n.replace(/ \(\d+x\)$/, '')) ?? 0) + 1);
  if (notes.size) {
    lines.push('', 'Filtering applied in this run (scenarios affected):', '');
    for (const [n, c] of [...notes].sort()) lines.push(`- ${n} (${c})`);
  }
  lines.push('');

  const mfK = outcomes.reduce((n, o) => n + o.managedFields.kube, 0);
  const mfP = outcomes.reduce((n, o) => n + o.managedFields.kplane, 0);
  lines.push(`- **managedFields**: compared on every object; kube returned them on ${mfK} objects, kplane on ${mfP}.`, '');

  lines.push('## Accepted differences', '');
  const byEntry = new Map<AcceptedEntry, { scenario: string; step: string; path: string; kube: unknown; kplane: unknown }[]>();
  for (const o of outcomes) for (const st of o.steps) for (const a of st.accepted) {
    const l = byEntry.get(a.entry) ?? [];
    l.push({ scenario: o.scenario.name, step: st.label, path: a.d.path, kube: a.d.kube, kplane: a.d.kplane });
    byEntry.set(a.entry, l);
  }
  if (!accepted.entries.length) lines.push('(none)');
  for (const e of accepted.entries) {
    const hits = byEntry.get(e) ?? [];
    lines.push(`### ${e.what}`, '', `- scenarios: \`${e.scenario}\`, path: \`${e.path}\``, `- reason: ${e.reason}`, `- matched ${hits.length} differences in ${new Set(hits.map((h) => h.scenario)).size} scenarios`);
    if (hits[0]) lines.push(`- e.g. ${hits[0].scenario} / ${hits[0].step} / \`${hits[0].path}\`: kube ${show(hits[0].kube, 160)}, kplane ${show(hits[0].kplane, 160)}`);
    lines.push('');
  }

  if (broken.length) {
    lines.push('## Broken scenarios', '', 'Kube (the specification) did not do what these scenarios expect; fix the scenario.', '');
    for (const o of broken) {
      lines.push(`- **${o.scenario.name}** (${o.scenario.file})`);
      for (const e of o.errors) lines.push(`  - ${esc(e.slice(0, 600))}`);
    }
    lines.push('');
  }

  lines.push('## Differences by kind', '',
    'The same difference seen in several scenarios, grouped (JSON path with item names as `*`, scenario ids removed from values).', '');
  const groups = new Map<string, { path: string; kube: string; kplane: string; scenarios: Set<string>; count: number }>();
  const unId = (s: string) => s.replace(/compat-s\d{3}(-\d+)?/g, 'compat-<id>').replace(/\bs\d{3}-/g, '<id>-');
  for (const o of differing) for (const st of o.steps) for (const d of st.diffs) {
    const path = d.path.replace(/\[[^\]]*\]/g, '[*]');
    const kube = unId(show(d.kube, 200));
    const kplane = unId(show(d.kplane, 200));
    const key = `${path}\u0000${kube}\u0000${kplane}`;
    const g = groups.get(key) ?? { path, kube, kplane, scenarios: new Set<string>(), count: 0 };
    g.scenarios.add(o.scenario.name);
    g.count++;
    groups.set(key, g);
  }
  lines.push('| scenarios | path | kube | kplane | e.g. |', '| ---: | --- | --- | --- | --- |');
  for (const g of [...groups.values()].sort((a, b) => b.scenarios.size - a.scenarios.size || b.count - a.count)) {
    const eg = [...g.scenarios].slice(0, 3).join('; ') + (g.scenarios.size > 3 ? '; …' : '');
    lines.push(`| ${g.scenarios.size} | \`${esc(g.path)}\` | ${esc(g.kube)} | ${esc(g.kplane)} | ${esc(eg)} |`);
  }
  lines.push('');

  lines.push('## Differences', '');
  if (!differing.length) lines.push('None.');
  for (const th of themes) {
    const os = differing.filter((o) => o.scenario.theme === th);
    if (!os.length) continue;
    lines.push(`### ${th}`, '');
    for (const o of os) {
      lines.push(`#### ${o.scenario.name}`, '');
      if (o.scenario.description) lines.push(`${o.scenario.description}`, '');
      lines.push('| step | path | kube | kplane |', '| --- | --- | --- | --- |');
      for (const st of o.steps) for (const d of st.diffs) {
        lines.push(`| ${esc(st.label)} | \`${esc(d.path)}\` | ${esc(show(d.kube))} | ${esc(show(d.kplane))} |`);
      }
      lines.push('');
    }
  }

  lines.push('## Identical scenarios', '');
  for (const o of identical) lines.push(`- ${o.scenario.theme}: ${o.scenario.name}`);
  lines.push('');
  await writeFile(file, lines.join('\n'));
  return { diffCount };
}
