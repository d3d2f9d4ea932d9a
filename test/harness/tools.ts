// Locates the pinned Kubernetes tool binaries built by scripts/tools.sh
// (`npm run tools`) into <repo>/.tools/bin, and builds them on demand.
//
// A test that needs a tool calls `await ensureTools()` (e.g. in beforeAll) and
// then `toolPath('kubectl')`. A missing tool is built through the project's own
// script; if that fails the test fails: it is never skipped.
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ToolName =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kubectl'
  | 'clusterctl'
  | 'etcd'
  | 'helm'
  // The Cluster API managers test/harness/capi.ts runs out of cluster.
  | 'capi-core'
  | 'capi-kubeadm-bootstrap'
  | 'capi-kubeadm-control-plane'
  | 'capd';

export const TOOL_NAMES: readonly ToolName[] = [
  'kube-apiserver',
  'kube-controller-manager',
  'kubectl',
  'clusterctl',
  'etcd',
  'helm',
  'capi-core',
  'capi-kubeadm-bootstrap',
  'capi-kubeadm-control-plane',
  'capd',
];

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the directory holding the pinned tool binaries. */
export const TOOLS_BIN_DIR = path.join(REPO_ROOT, '.tools', 'bin');

const TOOLS_SCRIPT = path.join(REPO_ROOT, 'scripts', 'tools.sh');

/** Absolute path of a pinned tool binary in .tools/bin (it may not exist yet: see ensureTools). */
export function toolPath(name: ToolName): string {
  if (!TOOL_NAMES.includes(name)) throw new Error(`unknown tool ${JSON.stringify(name)}`);
  return path.join(TOOLS_BIN_DIR, name);
}

/**
 * Versions of the installed tools, from .tools/bin/VERSIONS (written by
 * scripts/tools.sh), e.g. `{ 'kube-apiserver': 'v1.34.12', etcd: 'v3.6.16', ... }`.
 * Throws if the file is missing.
 */
export function toolVersions(): Record<string, string> {
  return parseKeyValues(readFileSync(path.join(TOOLS_BIN_DIR, 'VERSIONS'), 'utf8'));
}

/** The versions scripts/tools.sh pins, keyed by tool name. */
export function pinnedVersions(): Record<ToolName, string> {
  const script = readFileSync(TOOLS_SCRIPT, 'utf8');
  const pin = (v: string): string => {
    const m = new RegExp(`^${v}=(\\S+)`, 'm').exec(script);
    if (!m) throw new Error(`${TOOLS_SCRIPT} does not pin ${v}`);
    return m[1]!;
  };
  const kube = pin('KUBE_VERSION');
  const capi = pin('CAPI_VERSION');
  return {
    'kube-apiserver': kube,
    'kube-controller-manager': kube,
    kubectl: kube,
    etcd: pin('ETCD_VERSION'),
    clusterctl: capi,
    helm: pin('HELM_VERSION'),
    'capi-core': capi,
    'capi-kubeadm-bootstrap': capi,
    'capi-kubeadm-control-plane': capi,
    capd: capi,
  };
}

function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const i = t.indexOf('=');
    if (i > 0) out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when every tool binary exists and matches the versions pinned in scripts/tools.sh. */
export function toolsUpToDate(): boolean {
  if (!TOOL_NAMES.every((t) => isExecutable(toolPath(t)))) return false;
  let installed: Record<string, string>;
  try {
    installed = toolVersions();
  } catch {
    return false;
  }
  const pinned = pinnedVersions();
  return TOOL_NAMES.every((t) => installed[t] === pinned[t]);
}

let building: Promise<void> | undefined;

/**
 * Makes sure all pinned tools are in .tools/bin, running scripts/tools.sh (what
 * `npm run tools` runs) if any is missing or stale. The script serialises
 * concurrent builds across processes with a lock; within one process calls
 * share one run. Rejects, with the script's exit status, if the build fails.
 * A cold build takes tens of minutes on a small machine; a cached one seconds.
 */
export function ensureTools(): Promise<void> {
  if (toolsUpToDate()) return Promise.resolve();
  building ??= runToolsScript().finally(() => {
    building = undefined;
  });
  return building;
}

function runToolsScript(): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stderr.write(`[harness] tools missing or stale in ${TOOLS_BIN_DIR}; running scripts/tools.sh\n`);
    // Both of the script's streams go to our stderr so test reporters stay clean.
    const child = spawn('bash', [TOOLS_SCRIPT], { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && toolsUpToDate()) resolve();
      else if (code === 0) reject(new Error(`scripts/tools.sh succeeded but tools in ${TOOLS_BIN_DIR} are still missing or stale`));
      else reject(new Error(`scripts/tools.sh failed (${signal ?? `exit ${code}`}); run \`npm run tools\` to see why`));
    });
  });
}
