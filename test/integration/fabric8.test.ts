// A Java client in CI: fabric8 kubernetes-client 7.x (test/java/fabric8-probe, built by
// scripts/java-probe.sh) with a kubeconfig from `kplane kubeconfig` lists the namespaces of a
// logical cluster and watches its ConfigMaps over WebSocket, fabric8's default. It reads the
// client key as kplane writes it (SEC1 `EC PRIVATE KEY`; a PKCS#8 key made it fail with "Invalid
// DER: object is not integer") and must see the changes another client makes.

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';
import { BIN } from '../helpers/process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLUSTER = 'root:fabric8';

let t: TestKplane;
let admin: Credentials;
let classpath: string;

function run(cmd: string, args: string[], timeout: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd: ROOT, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else res({ stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  // the first build on a machine downloads fabric8 into ~/.m2 (a minute or so); later ones are cached
  const built = run('bash', ['scripts/java-probe.sh'], 600_000);
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  const ws = await raw(t.url, admin, {
    method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces', body: JSON.stringify({ metadata: { name: 'fabric8' } }),
  });
  expect(ws.status).toBe(201);
  await eventually(async () => (await raw(t.url, admin, { path: `/clusters/${CLUSTER}/api/v1/namespaces/default` })).status === 200, 20_000, 'cluster ready');
  classpath = (await built).stdout.trim();
}, 660_000);
afterAll(async () => {
  await t?.stop();
});

interface ProbeLine {
  type: 'namespaces' | 'watching' | 'event' | 'closed';
  items?: string[];
  watch?: string;
  action?: string;
  name?: string;
  data?: Record<string, string> | null;
  message?: string | null;
}

describe('fabric8 kubernetes-client', () => {
  it('lists namespaces and watches ConfigMaps over WebSocket with a `kplane kubeconfig` kubeconfig', async () => {
    // the kubeconfig exactly as a user gets it: the kplane command, asking the running kplane
    const issued = await run(BIN, ['kubeconfig', '--workspace', CLUSTER, '--user', 'duke', '--group', 'system:masters', '--data-dir', t.dir], 30_000);
    expect(credentialsOf(issued.stdout).key).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    const kubeconfig = join(t.dir, 'fabric8.kubeconfig');
    await writeFile(kubeconfig, issued.stdout, { mode: 0o600 });

    const java = spawn('java', ['-cp', classpath, 'io.kplane.probe.Fabric8Probe', kubeconfig, 'default', 'from-node'], {
      env: { PATH: process.env.PATH, HOME: t.dir, JAVA_HOME: process.env.JAVA_HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    java.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => java.on('exit', (code) => r(code)));
    const lines: ProbeLine[] = [];
    createInterface({ input: java.stdout }).on('line', (l) => lines.push(JSON.parse(l) as ProbeLine));
    try {
      await eventually(() => lines.some((l) => l.type === 'watching') || java.exitCode !== null, 60_000, 'the probe watching');
      expect(lines.find((l) => l.type === 'closed'), stderr).toBeUndefined();
      const watching = lines.find((l) => l.type === 'watching');
      expect(watching?.watch, stderr).toBe('WatchConnectionManager');

      const cm = `/clusters/${CLUSTER}/api/v1/namespaces/default/configmaps`;
      expect((await raw(t.url, admin, { method: 'POST', path: cm, body: JSON.stringify({ metadata: { name: 'from-node' }, data: { v: '1' } }) })).status).toBe(201);
      expect((await raw(t.url, admin, {
        method: 'PATCH', path: `${cm}/from-node`, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"v":"2"}}',
      })).status).toBe(200);
      expect((await raw(t.url, admin, { method: 'DELETE', path: `${cm}/from-node` })).status).toBe(200);
      expect(await exited, stderr).toBe(0);
    } finally {
      java.kill();
    }

    const listed = (await raw(t.url, admin, { path: `/clusters/${CLUSTER}/api/v1/namespaces` })).json.items.map((n: { metadata: { name: string } }) => n.metadata.name).sort();
    expect(lines.find((l) => l.type === 'namespaces')?.items).toEqual(listed);
    expect(listed).toContain('default');
    const events = lines.filter((l) => l.type === 'event');
    // the initial events of a watch without resourceVersion, then the changes made above
    expect(events.find((e) => e.name === 'kube-root-ca.crt')?.action).toBe('ADDED');
    expect(events.filter((e) => e.name === 'from-node').map((e) => [e.action, e.data])).toEqual([
      ['ADDED', { v: '1' }], ['MODIFIED', { v: '2' }], ['DELETED', { v: '2' }],
    ]);
  });
});
