// Test fixtures: an in-process kplane on a free loopback port with a throw-away data dir, raw
// HTTPS requests as the admin (or anyone), the machine's kubectl binaries, and polling helpers.

import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { Kplane, type KplaneConfig } from '../../src/kplane.js';

export interface TestKplane {
  k: Kplane;
  dir: string;
  url: string;
  kubeconfig: string;
  /** Writes a kubeconfig for a cluster and user, returns its path. */
  kubeconfigFor(cluster: string, user?: string, groups?: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startKplane(overrides: Partial<KplaneConfig> = {}): Promise<TestKplane> {
  const dir = await mkdtemp(join(tmpdir(), 'kplane-test-'));
  const k = await Kplane.start({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: process.env.KPLANE_TEST_LOG ?? 'silent' }),
    ...overrides,
  });
  let n = 0;
  return {
    k,
    dir,
    url: k.url,
    kubeconfig: k.adminKubeconfigPath,
    async kubeconfigFor(cluster, user = 'kplane-admin', groups = ['system:masters']) {
      const path = join(dir, `kc-${++n}.kubeconfig`);
      await writeFile(path, await k.kubeconfigFor(cluster, user, groups), { mode: 0o600 });
      return path;
    },
    async stop() {
      await k.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Credentials {
  ca: string;
  cert?: string;
  key?: string;
}

/** Credentials from a kubeconfig file written by kplane. */
export function credentialsOf(kubeconfigText: string): Credentials & { server: string } {
  const kc = parseYaml(kubeconfigText) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  };
  const d = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return {
    server: kc.clusters[0]!.cluster.server,
    ca: d(kc.clusters[0]!.cluster['certificate-authority-data'])!,
    cert: d(kc.users[0]!.user['client-certificate-data']),
    key: d(kc.users[0]!.user['client-key-data']),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One HTTPS request to baseURL + path; the body is parsed as JSON when it is JSON. */
export function raw(baseURL: string, creds: Credentials, req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.path, baseURL);
  // Node sends DELETE bodies without framing unless told their length
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  return new Promise((resolve, reject) => {
    const r = request(url, {
      method: req.method ?? 'GET',
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      headers: {
        ...(body !== undefined && !req.headers?.['Content-Type'] ? { 'Content-Type': 'application/json' } : {}),
        ...(body !== undefined ? { 'Content-Length': String(body.length) } : {}),
        ...(req.headers ?? {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    if (body !== undefined) r.write(body);
    r.end();
  });
}

/** The kubectl binaries of this machine: the default one and the gcloud-provided versioned ones. */
export function machineKubectl(version?: string): string {
  const found = (process.env.PATH ?? '').split(':').map((d) => join(d, 'kubectl')).find((p) => existsSync(p));
  if (!found) throw new Error('kubectl is not on PATH');
  if (!version) return found;
  const versioned = join(dirname(realpathSync(found)), `kubectl.${version}`);
  if (!existsSync(versioned)) throw new Error(`${versioned} is missing`);
  return versioned;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with a kubeconfig, never touching the user's own config. */
export function kubectl(bin: string, kubeconfig: string, args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, {
      env: { PATH: process.env.PATH, HOME: dirname(kubeconfig), KUBECONFIG: kubeconfig, KUBECTL_EXTERNAL_DIFF: '' },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Polls until fn returns a truthy value, or fails after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Holds every watch's set-up (the registry's watch call, i.e. its initial list) until released,
 * as a slow list would: for tests of clients that leave while their watch is being set up.
 */
export function holdWatchSetup(k: Kplane): { inSetup: Promise<void>; release(): void; registered: Promise<void>; restore(): void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inSetup = new Promise<void>((r) => (entered = r));
  let done!: () => void;
  const registered = new Promise<void>((r) => (done = r));
  const registry = k.registry;
  const original = registry.watch.bind(registry);
  registry.watch = async (...args: Parameters<typeof original>) => {
    entered();
    await gate;
    const w = await original(...args);
    done();
    return w;
  };
  return { inSetup, release, registered, restore: () => { registry.watch = original; } };
}
