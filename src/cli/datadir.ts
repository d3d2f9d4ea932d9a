// What `kplane kubeconfig` reads from a kplane data directory, and how it learns whether a logical
// cluster exists: by asking the running kplane as its admin (admin.kubeconfig) for the cluster's
// Workspace (the running server holds the LevelDB lock; a Workspace just created counts before
// its controller has made the cluster); when no kplane answers there, by reading the cluster
// record in the store itself.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LevelStore } from '../storage/leveldb/store.js';
import { ClusterRegistry } from '../tenancy/clusters.js';
import { ROOT, splitCluster, type ClusterName } from '../tenancy/logicalcluster.js';

export class CliError extends Error {}

export interface DataDir {
  caCertPem: string;
  caKeyPem: string;
  /** The admin kubeconfig's server URL without the /clusters/root path. */
  server: string;
  admin: { certPem: string; keyPem: string };
}

async function readIn(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`${join(dir, file)} not found: ${JSON.stringify(dir)} is not the data directory of a kplane that has been started (pass --data-dir DIR, as given to kplane serve)`);
    }
    throw e;
  }
}

export async function readDataDir(dir: string): Promise<DataDir> {
  const caCertPem = await readIn(dir, join('pki', 'ca.crt'));
  const caKeyPem = await readIn(dir, join('pki', 'ca.key'));
  const kc = parseYaml(await readIn(dir, 'admin.kubeconfig')) as {
    clusters?: { cluster?: { server?: string } }[];
    users?: { user?: Record<string, string> }[];
  };
  const server = /^(.*)\/clusters\/root$/.exec(kc.clusters?.[0]?.cluster?.server ?? '')?.[1];
  const user = kc.users?.[0]?.user ?? {};
  const d = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');
  if (!server) throw new CliError(`cannot find the server URL in ${join(dir, 'admin.kubeconfig')}; pass --server`);
  return { caCertPem, caKeyPem, server, admin: { certPem: d(user['client-certificate-data']), keyPem: d(user['client-key-data']) } };
}

/** The user-token signing key (pki/user-token.key), which kplane makes when it starts. */
export async function readUserTokenKeyPem(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, 'pki', 'user-token.key'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`${join(dir, 'pki', 'user-token.key')} not found: start (or restart) kplane with this version once, it makes the key tokens are signed with`);
    }
    throw e;
  }
}

/** GET <server><path> as the admin: the status, or why no answer came. */
function askServer(dd: DataDir, path: string): Promise<number | Error> {
  return new Promise((resolve) => {
    const r = request(new URL(`${dd.server}${path}`), {
      ca: dd.caCertPem, cert: dd.admin.certPem, key: dd.admin.keyPem, timeout: 5000,
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('timeout', () => r.destroy(new Error('no answer within 5 s')));
    r.on('error', (e) => resolve(e));
    r.end();
  });
}

/**
 * Whether the logical cluster exists. The admin may see every cluster, so a 403 for the parent
 * means the parent is absent (kplane answers absent and forbidden alike), a 404 that it has no
 * such Workspace.
 */
export async function clusterExists(dir: string, dd: DataDir, cluster: ClusterName): Promise<boolean> {
  const split = splitCluster(cluster);
  if (!split) return cluster === ROOT; // a top-level cluster other than root has no Workspace to make it
  const status = await askServer(dd, `/clusters/${split.parent}/apis/tenancy.kplane.io/v1alpha1/workspaces/${encodeURIComponent(split.name)}`);
  if (status === 200) return true;
  if (status === 403 || status === 404) return false;
  if (typeof status === 'number') throw new CliError(`kplane at ${dd.server} answered ${status} when asked whether ${cluster} exists`);
  // No answer (kplane stopped, or its URL not reachable from here): read the store, which only a
  // stopped kplane leaves unlocked.
  if (!existsSync(join(dir, 'db'))) return false;
  let store: LevelStore;
  try {
    store = await LevelStore.open({ path: join(dir, 'db') });
  } catch (e) {
    throw new CliError(`cannot tell whether ${cluster} exists: kplane at ${dd.server} did not answer (${status.message}) and its store cannot be read (${(e as Error).message})`);
  }
  try {
    return await new ClusterRegistry(store).exists(cluster);
  } finally {
    await store.close();
  }
}
