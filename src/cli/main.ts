// The kplane command line: `kplane serve` runs the server; `kplane kubeconfig` issues a
// kubeconfig for a user of a logical cluster, signed by the server's CA.

import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { SlicedProfiler } from '../util/cpu-profile.js';
import { Kplane } from '../kplane.js';
import { runWs } from './ws/main.js';
import { syncStatus } from './sync-status.js';
import { DEFAULT_TTL, kubeconfigFor, parseTTL, type KubeconfigOptions } from './kubeconfig.js';
import { KPLANE_VERSION, KUBE_VERSION } from '../version.js';

function parseListen(v: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:6443');
  const port = Number(m[2]);
  if (port > 65535) throw new InvalidArgumentError('port out of range');
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

/** An absolute http(s) URL with a host, without the /clusters/... path. */
function serverURL(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError('expected a URL such as https://kplane.example.com:6443');
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname) {
    throw new InvalidArgumentError('expected an https URL such as https://kplane.example.com:6443');
  }
  return v.replace(/\/+$/, '');
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function buildCli(): Command {
  const program = new Command('kplane')
    .description('Multi-tenant virtual control planes: many kube-compatible logical clusters in one process')
    .version(`kplane ${KPLANE_VERSION} (Kubernetes API ${KUBE_VERSION})`);

  program.command('serve')
    .description('run the API server on the embedded LevelDB store')
    .option('--data-dir <dir>', 'where the store, PKI and admin.kubeconfig live', '.kplane')
    // A string default, parsed in the action: help shows it as the user would type it.
    .option('--listen <host:port>', 'address to serve HTTPS on', (v: string) => (parseListen(v), v), '127.0.0.1:6443')
    .option('--external-url <url>', 'the URL clients reach kplane at (default: https://<listen>)', serverURL)
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .option('--fsync', 'fsync every commit (survive power loss, not only process crashes)', false)
    .option('--history-window <seconds>', 'how far back watches can resume and paged lists stay consistent', positiveInt, 300)
    .option('--event-ttl <seconds>', 'how long Events live after their last write (kube-apiserver: 1 h)', positiveInt, 3600)
    .option('--authentication-config <file>', "kube's AuthenticationConfiguration file: OIDC issuers (jwt authenticators)")
    .option('--token-auth-file <file>', 'static bearer tokens, CSV: token,user,uid,"group1,group2"')
    .option('--audit-policy-file <file>', "kube's audit Policy (audit.k8s.io/v1): which requests are logged, at what level")
    .option('--audit-log-path <file>', 'the audit log: one JSON Event per line, appended ("-" for stdout)')
    .option('--anonymous-auth', 'serve requests without credentials as system:anonymous (default: 401, except health checks and issuer discovery)', false)
    .action(async (opts: {
      dataDir: string; listen: string; externalUrl?: string; logLevel: string; fsync: boolean; historyWindow: number; eventTtl: number;
      authenticationConfig?: string; tokenAuthFile?: string; auditPolicyFile?: string; auditLogPath?: string; anonymousAuth: boolean;
    }) => {
      const log = pino({ level: opts.logLevel });
      const listen = parseListen(opts.listen);
      let k: Kplane | undefined;
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'draining');
        (k ? k.stop() : Promise.resolve()).then(() => process.exit(0), (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        });
      };
      // Handlers first: a signal that arrives while starting must not find the default action.
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      if (process.env.KPLANE_MAINTENANCE_SIGNAL === '1') {
        // Diagnostics (benchmarks): SIGUSR2 compacts history and files, collects garbage, reports memory.
        process.on('SIGUSR2', () => void k?.maintenance().then((m) => log.info(m, 'maintenance done')));
      } else if (process.env.KPLANE_MAINTENANCE_SIGNAL === 'report') {
        // Diagnostics (the soak): SIGUSR2 reports memory and internal sizes, changing nothing; with
        // KPLANE_CPU_PROFILE_DIR it also ends one CPU profile there and starts the next.
        const dir = process.env.KPLANE_CPU_PROFILE_DIR;
        const prof = dir ? new SlicedProfiler(dir) : undefined;
        await prof?.start();
        process.on('SIGUSR2', () => void (async () => {
          const profile = await prof?.cut();
          log.info({ ...(await k!.diagnostics()), ...(profile ? { profile } : {}) }, 'diagnostics');
        })());
      }
      k = await Kplane.start({
        dataDir: opts.dataDir,
        host: listen.host,
        port: listen.port,
        externalURL: opts.externalUrl,
        logger: log,
        fsync: opts.fsync,
        historyWindowMs: opts.historyWindow * 1000,
        eventTTLSeconds: opts.eventTtl,
        authenticationConfigFile: opts.authenticationConfig,
        tokenAuthFile: opts.tokenAuthFile,
        auditPolicyFile: opts.auditPolicyFile,
        auditLogPath: opts.auditLogPath,
        anonymousAuth: opts.anonymousAuth,
      });
      if (stopping) return shutdown('startup');
      log.info({ kubeconfig: k.adminKubeconfigPath }, `admin kubeconfig written; try: kubectl --kubeconfig ${k.adminKubeconfigPath} get workspaces`);
    });

  program.command('kubeconfig')
    .description('print a kubeconfig for a user of a logical cluster, valid there only (a client certificate signed by the kplane CA, or --token)')
    .requiredOption('--workspace <cluster>', 'logical cluster path, e.g. root:acme')
    .requiredOption('--user <name>', 'user name (certificate CN)')
    .option('--group <group...>', 'groups (certificate O), repeatable', [])
    .option('--data-dir <dir>', 'the kplane data directory', '.kplane')
    .option('--server <url>', 'kplane URL (default: the one in admin.kubeconfig)', serverURL)
    .option('--ttl <duration>', `lifetime, a Go duration such as 720h or 30m (default ${DEFAULT_TTL})`, parseTTL)
    .option('--days <n>', 'lifetime in days (the older spelling of --ttl)', positiveInt)
    .option('--token', 'a signed bearer token for the user instead of a client certificate', false)
    .action(async (opts: KubeconfigOptions) => {
      process.stdout.write(await kubeconfigFor(opts));
    });
  const sync = program.command('sync').description("the syncer's state");
  sync.command('status')
    .description('management clusters and published resources: reachable, bound workspaces, objects in sync, failing, queued')
    .option('--kubeconfig <file>', "an admin's kubeconfig for the root logical cluster (default: <data-dir>/admin.kubeconfig)")
    .option('--data-dir <dir>', 'the kplane data directory', '.kplane')
    .action(async (opts: { kubeconfig?: string; dataDir: string }) => {
      process.stdout.write(await syncStatus(opts));
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `kplane ws ...` is the kubectl ws plugin, its arguments its own (kubectl passes them unparsed)
  if (argv[2] === 'ws') return runWs(argv.slice(3));
  await buildCli().parseAsync(argv);
}
