// `kplane kubeconfig`: a kubeconfig for a user of one logical cluster, made offline from the data
// directory. By default a client certificate signed by kplane's CA (CN = user, O = groups) that
// carries the URI SAN kplane://cluster/<cluster>, so it authenticates as that user in that
// cluster only; with --token a user token (user-tokens.ts) bound the same way. Either expires
// after --ttl (a Go duration; --days N is N*24h).

import { InvalidArgumentError } from 'commander';
import { renderKubeconfig } from '../auth/kubeconfig.js';
import { clusterURI, importCA, issue } from '../auth/pki.js';
import { issueUserToken, userTokenKeyFromPem } from '../auth/user-tokens.js';
import { parseGoDuration } from '../apiextensions/cel/values.js';
import { parseClusterName } from '../tenancy/logicalcluster.js';
import { CliError, clusterExists, readDataDir, readUserTokenKeyPem } from './datadir.js';

/** The default lifetime: 8760h, the 365 days kplane always issued. */
export const DEFAULT_TTL = '8760h';

/** A Go duration (720h, 30m, 1h30m) as whole seconds, at least one. */
export function parseTTL(v: string): number {
  const ns = parseGoDuration(v);
  if (ns === undefined) throw new InvalidArgumentError('expected a duration such as 720h, 30m or 1h30m');
  const seconds = Number(ns / 1_000_000_000n);
  if (seconds < 1) throw new InvalidArgumentError('must be at least 1s');
  return seconds;
}

export interface KubeconfigOptions {
  workspace: string;
  user: string;
  group: string[];
  dataDir: string;
  server?: string;
  /** Lifetime in seconds (parseTTL); default 8760h. */
  ttl?: number;
  /** The older spelling of the lifetime, in days. */
  days?: number;
  /** A bearer token instead of a client certificate. */
  token?: boolean;
  /** The issue time (tests). */
  now?: Date;
}

export async function kubeconfigFor(opts: KubeconfigOptions): Promise<string> {
  const cluster = parseClusterName(opts.workspace);
  if (!cluster || cluster === '*') throw new InvalidArgumentError(`invalid workspace path ${JSON.stringify(opts.workspace)}`);
  if (opts.ttl !== undefined && opts.days !== undefined) throw new CliError('--ttl and --days both set the lifetime: give one');
  const ttlSeconds = opts.ttl ?? (opts.days !== undefined ? opts.days * 86_400 : parseTTL(DEFAULT_TTL));
  const dd = await readDataDir(opts.dataDir);
  if (!(await clusterExists(opts.dataDir, dd, cluster))) {
    throw new CliError(`logical cluster ${cluster} does not exist (create its Workspace first)`);
  }
  const server = opts.server ?? dd.server;
  const common = { server: `${server}/clusters/${cluster}`, caPem: dd.caCertPem, user: opts.user, clusterName: `kplane-${cluster}`, contextName: cluster };
  if (opts.token) {
    const key = await userTokenKeyFromPem(await readUserTokenKeyPem(opts.dataDir));
    // the issuer is kplane's own URL (the admin kubeconfig's), whatever --server clients use
    const { token } = await issueUserToken(key, {
      externalURL: dd.server, cluster, username: opts.user, groups: opts.group, ttlSeconds, now: opts.now,
    });
    return renderKubeconfig({ ...common, token });
  }
  const ca = await importCA(dd.caCertPem, dd.caKeyPem);
  const cert = await issue(ca, {
    commonName: opts.user, organizations: opts.group, uris: [clusterURI(cluster)], usage: 'client', validSeconds: ttlSeconds,
  });
  return renderKubeconfig({ ...common, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem });
}
