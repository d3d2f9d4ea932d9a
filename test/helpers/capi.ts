// Cluster API's real CRDs as test data: read at test time from the Go module cache that
// scripts/tools.sh fills (it fetches sigs.k8s.io/cluster-api to build clusterctl), never
// committed. The cache root follows the script: $KPLANE_TOOLS_CACHE, else ~/.cache/kplane-tools.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { pinnedVersions } from '../harness/tools.js';

/** The module directory of the pinned Cluster API release (throws if scripts/tools.sh has not fetched it). */
export function capiModuleDir(): string {
  const cache = process.env.KPLANE_TOOLS_CACHE ?? path.join(process.env.HOME ?? os.tmpdir(), '.cache', 'kplane-tools');
  const dir = path.join(cache, 'gomod', 'sigs.k8s.io', `cluster-api@${pinnedVersions().clusterctl}`);
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run \`npm run tools\` (it fetches Cluster API into the module cache)`);
  return dir;
}

/** The CRD directories of the providers issue 8 installs: core, kubeadm bootstrap, kubeadm control plane. */
export const CAPI_CRD_DIRS = ['core/config/crd/bases', 'bootstrap/kubeadm/config/crd/bases', 'controlplane/kubeadm/config/crd/bases'] as const;

/**
 * Files of the Cluster API module for a path relative to it; a `*` in the last segment is a glob
 * (`core/config/crd/bases/*.yaml`). Sorted, so both servers of a comparison get the same order.
 */
export function capiFiles(rel: string): string[] {
  const dir = capiModuleDir();
  const base = path.basename(rel);
  if (!base.includes('*')) {
    const f = path.join(dir, rel);
    if (!existsSync(f)) throw new Error(`${f} is missing`);
    return [f];
  }
  const parent = path.join(dir, path.dirname(rel));
  const re = new RegExp(`^${base.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const out = readdirSync(parent).filter((n) => re.test(n)).sort().map((n) => path.join(parent, n));
  if (!out.length) throw new Error(`no file of ${parent} matches ${base}`);
  return out;
}

/** The objects of a (multi-document) YAML file, empty documents skipped. */
export function readObjects(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => !!o && typeof o === 'object');
}
