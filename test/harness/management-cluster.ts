// Test fixture: a real etcd + kube-apiserver (the pinned binaries from
// .tools/bin, see tools.ts) on free loopback ports in a fresh temp dir.
//
//   const mc = await startManagementCluster();
//   ... use mc.kubeconfigPath / mc.url + mc.token + mc.caPem ...
//   await mc.stop();
//
// The API server runs with RBAC, a static admin token (user in
// system:masters), a ServiceAccount token signing key pair and a serving
// certificate issued by a CA written into the temp dir, so clients verify TLS.
// By default only etcd and kube-apiserver run: there is no controller
// manager, so e.g. namespaces never finish terminating and no default
// ServiceAccounts appear. With `withControllerManager: true` a
// kube-controller-manager runs too (the controllers of CONTROLLER_MANAGER_
// DEFAULT_CONTROLLERS: namespace lifecycle, garbage collection, default
// ServiceAccounts and their tokens, kube-root-ca.crt, ClusterRole aggregation).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { issueCertificate } from './pki.js';
import { toolPath } from './tools.js';

export interface ManagementClusterOptions {
  /** Extra kube-apiserver flags (`--name=value`), appended after the defaults (a later flag wins). */
  apiserverArgs?: string[];
  /** Extra etcd flags. */
  etcdArgs?: string[];
  /** How long to wait for etcd + kube-apiserver to become ready. Default 90 s. */
  startupTimeoutMs?: number;
  /** Parent of the temp dir. Default os.tmpdir(). */
  tmpRoot?: string;
  /**
   * Also run kube-controller-manager against the API server (leader election
   * off, the admin token's kubeconfig, no per-controller credentials). `true`
   * runs CONTROLLER_MANAGER_DEFAULT_CONTROLLERS; an object picks the
   * controllers (`--controllers` names) and extra flags.
   */
  withControllerManager?: boolean | { controllers?: string[]; args?: string[] };
}

/** The kube-controller-manager controllers `withControllerManager: true` runs. */
export const CONTROLLER_MANAGER_DEFAULT_CONTROLLERS: readonly string[] = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
];

export interface ManagementCluster {
  /** https://127.0.0.1:<port> of kube-apiserver. */
  url: string;
  /** Bearer token of the admin user (in group system:masters). */
  token: string;
  /** Name of the admin user the token authenticates as. */
  user: string;
  /** PEM file of the CA that issued the serving certificate (also the client CA). */
  caFile: string;
  caPem: string;
  /** PEM private key of that CA, for tests that want to mint client certificates. */
  caKeyFile: string;
  /** Admin kubeconfig (CA data embedded, token auth). */
  kubeconfigPath: string;
  /** Temp dir holding certificates, keys, etcd data and the logs. Removed by stop(). */
  dir: string;
  /** http://127.0.0.1:<port> of etcd. */
  etcdUrl: string;
  /** gitVersion kube-apiserver reports on /version, e.g. v1.34.10. */
  serverVersion: string;
  /** Log files of the processes (inside dir); controllerManager only withControllerManager. */
  logs: { etcd: string; apiserver: string; controllerManager?: string };
  /** Process ids (for assertions that they are gone after stop()). */
  pids: { etcd: number; apiserver: number; controllerManager?: number };
  /**
   * Stops only kube-apiserver (SIGTERM, then SIGKILL after a grace period), keeping etcd and its
   * data: an outage of the management cluster's API. Idempotent.
   */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again, same port and flags, after stopApiserver(); resolves once /readyz is 200 (pids.apiserver is updated). */
  startApiserver(timeoutMs?: number): Promise<void>;
  /** Stops all processes (SIGTERM, then SIGKILL after a grace period), awaits their exit and removes dir. Idempotent. */
  stop(): Promise<void>;
}

const SERVICE_CIDR = '10.0.0.0/24';
const SERVICE_IP = '10.0.0.1'; // first address of SERVICE_CIDR: the `kubernetes` Service
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const ADMIN_USER = 'kplane-admin';
const STOP_GRACE_MS = 10_000;
const POLL_MS = 50;

// ---------------------------------------------------------------- cleanup --
// Every child started here, so that a test that throws, or a worker that
// exits, leaves nothing behind. Children also get SIGKILL from the kernel if
// this process dies (setpriv --pdeathsig), which covers SIGKILL of the worker.
const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHooked = false;

function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = (): void => {
    for (const { child, dir } of live) {
      try {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    live.clear();
  };
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Re-raise with default disposition once no one else handles the signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}

const SETPRIV = '/usr/bin/setpriv';
const useSetpriv = existsSync(SETPRIV);

/** A child process the fixtures started (also used by capi.ts). */
export interface Proc {
  child: ChildProcess;
  name: string;
  logFile: string;
  exited: Promise<void>;
}

/**
 * Starts `bin` with its output appended to logFile; it is killed when this process exits or
 * dies (and `dir` removed). `env` is added to this process's environment.
 */
export function startProcess(name: string, bin: string, args: string[], logFile: string, dir: string, env: Record<string, string> = {}): Proc {
  const fd = openSync(logFile, 'a');
  const [cmd, argv] = useSetpriv ? [SETPRIV, ['--pdeathsig', 'KILL', '--', bin, ...args]] : [bin, args];
  let child: ChildProcess;
  try {
    child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], cwd: dir, env: { ...process.env, ...env } });
  } finally {
    closeSync(fd);
  }
  const entry = { child, dir };
  live.add(entry);
  hookProcessExit();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  }).then(() => {
    live.delete(entry);
  });
  child.on('error', (err) => {
    try {
      writeFileSync(logFile, `\n[harness] failed to start ${bin}: ${err.message}\n`, { flag: 'a' });
    } catch {
      /* dir may be gone */
    }
  });
  return { child, name, logFile, exited };
}

export function isRunning(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once it exited. */
export async function stopProcess(p: Proc): Promise<void> {
  if (!isRunning(p)) return p.exited;
  p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    p.exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && isRunning(p)) p.child.kill('SIGKILL');
  await p.exited;
}

export function logTail(file: string, lines = 40): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ------------------------------------------------------------- utilities --
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

interface HttpResult {
  status: number;
  body: string;
}

export function httpGet(url: string, opts: { ca?: string; token?: string; timeoutMs?: number; insecure?: boolean } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'GET',
        headers,
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.insecure ? { rejectUnauthorized: false } : {}),
        timeout: opts.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout GET ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `check` every POLL_MS until it returns true, a watched process exits
 * (fails at once), or the deadline passes. Resolves to a description of the
 * last failure on timeout so the caller can report it.
 */
export async function waitFor(
  what: string,
  deadline: number,
  procs: Proc[],
  check: () => Promise<boolean>,
): Promise<void> {
  let last = '';
  for (;;) {
    for (const p of procs) {
      if (!isRunning(p)) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) while waiting for ${what}`);
      }
    }
    try {
      if (await check()) return;
      last = '';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise<void>((r) => setTimeout(r, POLL_MS));
  }
}

// ---------------------------------------------------------------- crypto --
interface Pki {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

function makePki(): Pki {
  const ca = issueCertificate({ subject: { commonName: 'kplane-test-ca' }, isCA: true });
  const serving = issueCertificate({
    subject: { commonName: 'kube-apiserver' },
    issuer: ca,
    usages: ['server'],
    sans: [
      '127.0.0.1',
      SERVICE_IP,
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
  });
  return { caPem: ca.certPem, caKeyPem: ca.keyPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

// --------------------------------------------------------------- fixture --
/** Starts etcd + kube-apiserver; see the module comment. Retries on a port clash. */
export async function startManagementCluster(opts: ManagementClusterOptions = {}): Promise<ManagementCluster> {
  const attempts = 3;
  for (let i = 1; ; i++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (i < attempts && /address already in use/i.test((err as Error).message)) continue;
      throw err;
    }
  }
}

async function startOnce(opts: ManagementClusterOptions): Promise<ManagementCluster> {
  const started = Date.now();
  const deadline = started + (opts.startupTimeoutMs ?? 90_000);
  const cmOpts = opts.withControllerManager;
  const needed = cmOpts ? (['etcd', 'kube-apiserver', 'kube-controller-manager'] as const) : (['etcd', 'kube-apiserver'] as const);
  for (const t of needed) {
    if (!existsSync(toolPath(t))) throw new Error(`${toolPath(t)} is missing: call ensureTools() first (or run \`npm run tools\`)`);
  }

  const tmpRoot = opts.tmpRoot ?? os.tmpdir();
  sweepStaleDirs(tmpRoot);
  const dir = mkdtempSync(path.join(tmpRoot, DIR_PREFIX));
  writeFileSync(path.join(dir, OWNER_FILE), `${process.pid}\n`);
  const file = (name: string): string => path.join(dir, name);
  const procs: Proc[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      // apiserver first so it does not log etcd connection errors while stopping.
      for (const p of [...procs].reverse()) await stopProcess(p);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    // Credentials.
    const pki = makePki();
    writeFileSync(file('ca.crt'), pki.caPem);
    writeFileSync(file('ca.key'), pki.caKeyPem, { mode: 0o600 });
    writeFileSync(file('apiserver.crt'), pki.certPem);
    writeFileSync(file('apiserver.key'), pki.keyPem, { mode: 0o600 });
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file('sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(file('sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    const token = randomBytes(32).toString('hex');
    // token,user,uid,"group1,group2"
    writeFileSync(file('tokens.csv'), `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });

    const [etcdPort, etcdPeerPort, apiPort, cmPort] = await distinctFreePorts(4);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const url = `https://127.0.0.1:${apiPort}`;
    const logs: ManagementCluster['logs'] = { etcd: file('etcd.log'), apiserver: file('kube-apiserver.log') };

    // etcd: single member, no fsync (test data is throwaway), quiet logs.
    mkdirSync(file('etcd-data'), { mode: 0o700 });
    const etcd = startProcess(
      'etcd',
      toolPath('etcd'),
      [
        '--name=kplane',
        `--data-dir=${file('etcd-data')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=kplane=${peerUrl}`,
        '--initial-cluster-state=new',
        '--unsafe-no-fsync=true',
        '--log-level=warn',
        ...(opts.etcdArgs ?? []),
      ],
      logs.etcd,
      dir,
    );
    procs.push(etcd);
    await waitFor('etcd /health', deadline, [etcd], async () => {
      const r = await httpGet(`${etcdUrl}/health`, { timeoutMs: 2_000 });
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    });

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${file('pki')}`,
      `--tls-cert-file=${file('apiserver.crt')}`,
      `--tls-private-key-file=${file('apiserver.key')}`,
      `--client-ca-file=${file('ca.crt')}`,
      `--token-auth-file=${file('tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=true',
      `--service-account-issuer=${SA_ISSUER}`,
      `--service-account-key-file=${file('sa.pub')}`,
      `--service-account-signing-key-file=${file('sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      // No endpoints for the `kubernetes` Service: 127.0.0.1 is not a valid
      // endpoint address, so the default lease reconciler only logs errors.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      ...(opts.apiserverArgs ?? []),
    ];
    const startApiserverProc = (): Proc => startProcess('kube-apiserver', toolPath('kube-apiserver'), apiserverArgs, logs.apiserver, dir);
    let apiserver = startApiserverProc();
    procs.push(apiserver);

    await waitFor('kube-apiserver /readyz', deadline, procs, async () => {
      const r = await httpGet(`${url}/readyz`, { ca: pki.caPem, token, timeoutMs: 5_000 });
      return r.status === 200;
    });
    // Bootstrap objects: the default namespace (bootstrap controller) and RBAC
    // defaults (part of readyz, checked anyway so a test can rely on them).
    for (const p of [
      '/api/v1/namespaces/default',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin',
    ]) {
      await waitFor(`${p} to exist`, deadline, procs, async () => {
        const r = await httpGet(`${url}${p}`, { ca: pki.caPem, token });
        return r.status === 200;
      });
    }
    const v = await httpGet(`${url}/version`, { ca: pki.caPem, token });
    const serverVersion = (JSON.parse(v.body) as { gitVersion: string }).gitVersion;

    const kubeconfigPath = file('admin.kubeconfig');
    writeFileSync(
      kubeconfigPath,
      toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kplane-mc', cluster: { server: url, 'certificate-authority-data': Buffer.from(pki.caPem).toString('base64') } }],
        users: [{ name: ADMIN_USER, user: { token } }],
        contexts: [{ name: 'kplane-mc', context: { cluster: 'kplane-mc', user: ADMIN_USER, namespace: 'default' } }],
        'current-context': 'kplane-mc',
        preferences: {},
      }),
      { mode: 0o600 },
    );

    let controllerManager: Proc | undefined;
    if (cmOpts) {
      const controllers = (typeof cmOpts === 'object' && cmOpts.controllers) || CONTROLLER_MANAGER_DEFAULT_CONTROLLERS;
      logs.controllerManager = file('kube-controller-manager.log');
      mkdirSync(file('kcm-pki'), { mode: 0o700 });
      controllerManager = startProcess(
        'kube-controller-manager',
        toolPath('kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          `--controllers=${controllers.join(',')}`,
          '--leader-elect=false',
          '--use-service-account-credentials=false',
          `--root-ca-file=${file('ca.crt')}`,
          `--service-account-private-key-file=${file('sa.key')}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${cmPort}`,
          `--cert-dir=${file('kcm-pki')}`,
          '--profiling=false',
          ...((typeof cmOpts === 'object' && cmOpts.args) || []),
        ],
        logs.controllerManager,
        dir,
      );
      procs.push(controllerManager);
      const cmUrl = `https://127.0.0.1:${cmPort}`;
      await waitFor('kube-controller-manager /healthz', deadline, procs, async () => {
        const r = await httpGet(`${cmUrl}/healthz`, { insecure: true, timeoutMs: 2_000 });
        return r.status === 200;
      });
      // The controllers are at work once the default namespace has what they add.
      const wants: string[] = [];
      if (controllers.includes('root-ca-certificate-publisher-controller')) wants.push('/api/v1/namespaces/default/configmaps/kube-root-ca.crt');
      if (controllers.includes('serviceaccount-controller')) wants.push('/api/v1/namespaces/default/serviceaccounts/default');
      for (const p of wants) {
        await waitFor(`${p} to exist`, deadline, procs, async () => {
          const r = await httpGet(`${url}${p}`, { ca: pki.caPem, token });
          return r.status === 200;
        });
      }
    }

    const pids: ManagementCluster['pids'] = {
      etcd: etcd.child.pid!,
      apiserver: apiserver.child.pid!,
      ...(controllerManager ? { controllerManager: controllerManager.child.pid! } : {}),
    };
    return {
      url,
      token,
      user: ADMIN_USER,
      caFile: file('ca.crt'),
      caPem: pki.caPem,
      caKeyFile: file('ca.key'),
      kubeconfigPath,
      dir,
      etcdUrl,
      serverVersion,
      logs,
      pids,
      async stopApiserver() {
        await stopProcess(apiserver);
      },
      async startApiserver(timeoutMs = 60_000) {
        if (stopped) throw new Error('the management cluster was stopped');
        if (isRunning(apiserver)) return;
        const i = procs.indexOf(apiserver);
        apiserver = startApiserverProc();
        procs[i] = apiserver;
        pids.apiserver = apiserver.child.pid!;
        const until = Date.now() + timeoutMs;
        await waitFor('kube-apiserver /readyz after a restart', until, [etcd, apiserver], async () => {
          const r = await httpGet(`${url}/readyz`, { ca: pki.caPem, token, timeoutMs: 5_000 });
          return r.status === 200;
        });
      },
      stop,
    };
  } catch (err) {
    const tails = procs.map((p) => `--- ${p.name} log (${p.logFile}), last lines ---\n${logTail(p.logFile)}`).join('\n');
    await stop().catch(() => undefined);
    const e = new Error(
      `management cluster failed to start after ${Date.now() - started} ms: ${(err as Error).message}\n${tails}`,
    );
    (e as Error & { cause?: unknown }).cause = err;
    throw e;
  }
}

const DIR_PREFIX = 'kplane-mc-';
const OWNER_FILE = 'owner.pid';

/**
 * Removes fixture dirs left by processes that were SIGKILLed (their etcd and
 * kube-apiserver died with them through the parent-death signal, but nothing
 * could remove the dir).
 */
function sweepStaleDirs(root: string): void {
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => e.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = path.join(root, e);
    try {
      const owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
      if (owner > 0 && owner !== process.pid && !pidAlive(owner)) rmSync(dir, { recursive: true, force: true });
    } catch {
      /* not ours, or being created right now */
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
