// `kplane sync status`: the syncer's state as the provider's operator wants it at a glance — each
// management cluster (reachable? which version?) and each published resource (bound workspaces,
// objects in sync, failing objects, queue depth, why it is not ready), read from the root logical
// cluster's API and /metrics with an admin's kubeconfig.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownstreamClient } from '../sync/client.js';

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Item {
  metadata: { name: string };
  spec?: Record<string, unknown>;
  status?: { conditions?: Cond[]; version?: string; boundWorkspaces?: number; objectsInSync?: number; errors?: number };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

/** Per published resource, the metric's value (e.g. kplane_sync_queue_depth). */
function metric(text: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^${name}\\{published_resource="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out.set(m[1]!, m[2]!);
  return out;
}

export async function syncStatus(opts: { kubeconfig?: string; dataDir: string }): Promise<string> {
  const file = opts.kubeconfig ?? join(opts.dataDir, 'admin.kubeconfig');
  const client = await DownstreamClient.fromKubeconfig(await readFile(file, 'utf8'));
  try {
    // the admin kubeconfig names /clusters/root; the syncer's kinds live there
    const base = /\/clusters\/[^/]+$/.test(client.server) ? '' : '/clusters/root';
    const list = async (r: string): Promise<Item[]> => ((await client.get(`${base}/apis/sync.kplane.io/v1alpha1/${r}`)).items ?? []) as Item[];
    const [mcs, prs] = await Promise.all([list('managementclusters'), list('publishedresources')]);
    let metrics = '';
    try {
      // /metrics is outside any logical cluster
      const u = new URL(client.server);
      const c2 = await DownstreamClient.fromKubeconfig((await readFile(file, 'utf8')).replace(client.server, u.origin));
      metrics = await c2.getText('/metrics').catch(() => '');
      c2.close();
    } catch {
      metrics = '';
    }
    const ready = (i: Item): Cond | undefined => i.status?.conditions?.find((c) => c.type === 'Ready');
    let out = table([['MANAGEMENT CLUSTER', 'READY', 'VERSION', 'MESSAGE'],
      ...mcs.map((m) => [m.metadata.name, ready(m)?.status ?? 'Unknown', m.status?.version ?? '',
        ready(m)?.status === 'True' ? '' : [ready(m)?.reason, ready(m)?.message].filter(Boolean).join(': ')])]);
    const depth = metric(metrics, 'kplane_sync_queue_depth');
    out += '\n' + table([['PUBLISHED RESOURCE', 'RESOURCE', 'MODE', 'MANAGEMENT CLUSTER', 'READY', 'WORKSPACES', 'IN SYNC', 'FAILING', 'QUEUED', 'MESSAGE'],
      ...prs.map((p) => {
        const s = p.spec ?? {};
        return [p.metadata.name, [s.resource, s.group].filter(Boolean).join('.'), String(s.mode ?? 'Sync'), String(s.managementCluster ?? ''),
          ready(p)?.status ?? 'Unknown', String(p.status?.boundWorkspaces ?? 0), String(p.status?.objectsInSync ?? 0), String(p.status?.errors ?? 0),
          depth.get(p.metadata.name) ?? '-', ready(p)?.status === 'True' ? '' : [ready(p)?.reason, ready(p)?.message].filter(Boolean).join(': ')];
      })]);
    return out;
  } finally {
    client.close();
  }
}
