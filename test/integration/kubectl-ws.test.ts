// `kubectl ws`, the plugin (bin/kubectl-ws on PATH) driven by the real kubectl, and `kplane ws`:
// create with --enter, current, use (absolute, relative), .., -, tree, a refused target that
// leaves the kubeconfig untouched, and the kubeconfig as kcp's plugin leaves it (a
// workspace.kplane.io/current context and cluster with the workspace's URL, the user's entries
// unchanged, the previous workspace remembered). Runs the built plugin: `npm test` builds first.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, machineKubectl, startKplane, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let dir: string;
let kc: string;
let PATH: string;
const bin = machineKubectl();
const PLUGIN = resolve(import.meta.dirname, '../../bin/kubectl-ws');
const KPLANE = resolve(import.meta.dirname, '../../bin/kplane');

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { env: { PATH, HOME: dir, KUBECONFIG: kc }, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const ws = (...args: string[]) => run(bin, ['ws', ...args]);
const config = async () => parse(await readFile(kc, 'utf8')) as {
  'current-context': string;
  clusters: { name: string; cluster: { server: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  users: { name: string }[];
};
const serverOf = async (context: string) => {
  const c = await config();
  const ctx = c.contexts.find((x) => x.name === context)!.context;
  return c.clusters.find((x) => x.name === ctx.cluster)!.cluster.server;
};

beforeAll(async () => {
  t = await startKplane();
  dir = await mkdtemp(join(tmpdir(), 'kplane-ws-'));
  await symlink(PLUGIN, join(dir, 'kubectl-ws'));
  PATH = `${dir}:${dirname(bin)}:${dirname(process.execPath)}:${process.env.PATH}`;
  kc = join(dir, 'config');
  await writeFile(kc, await readFile(t.kubeconfig, 'utf8'), { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl ws', () => {
  it('prints the current workspace', async () => {
    const r = await ws();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Current workspace is "root".\n');
  });

  it('creates a workspace and enters it, editing the kubeconfig as kcp does', async () => {
    const original = await config();
    const r = await ws('create', 'acme', '--enter');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Workspace "acme" created. Waiting for it to be ready...\nWorkspace "acme" is ready to use.\nCurrent workspace is "root:acme".\n');
    const c = await config();
    expect(c['current-context']).toBe('workspace.kplane.io/current');
    expect(await serverOf('workspace.kplane.io/current')).toBe(`${t.url}/clusters/root:acme`);
    expect(await serverOf('workspace.kplane.io/previous')).toBe(`${t.url}/clusters/root`);
    // the user's own entries are as they were
    for (const u of original.users) expect(c.users.map((x) => x.name)).toContain(u.name);
    expect(await serverOf(original['current-context'])).toBe(`${t.url}/clusters/root`);
    // kubectl now works in root:acme
    const ns = await kubectl(bin, kc, ['get', 'ns', 'default', '-o', 'name']);
    expect(ns.stdout.trim()).toBe('namespace/default');
    expect((await ws()).stdout).toBe('Current workspace is "root:acme".\n');
  });

  it('moves relative, up, back, and absolute, and draws the tree', async () => {
    expect((await ws('create', 'team')).code).toBe(0);
    expect((await ws('create', 'team', '--ignore-existing')).stdout).toContain('already exists');
    expect((await ws('team')).stdout).toBe('Current workspace is "root:acme:team".\n');
    expect((await ws('..')).stdout).toBe('Current workspace is "root:acme".\n');
    expect((await ws('-')).stdout).toBe('Current workspace is "root:acme:team".\n');
    expect((await ws('-')).stdout).toBe('Current workspace is "root:acme".\n');
    expect((await ws('use', 'root')).stdout).toBe('Current workspace is "root".\n');
    expect((await ws('create', 'other')).code).toBe(0);
    const tree = await ws('tree');
    expect(tree.stdout).toBe(['.', '└── root', '    ├── acme', '    │   └── team', '    └── other', ''].join('\n'));
  });

  it('refuses a workspace that does not exist or may not be entered, leaving the kubeconfig untouched', async () => {
    const before = await readFile(kc, 'utf8');
    const r = await ws('use', 'root:nonexistent');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: workspace "root:nonexistent" does not exist or you may not enter it\n');
    expect((await ws('..')).stderr).toBe('error: workspace "root" has no parent\n');
    expect((await ws('use', 'Bad_Name')).stderr).toBe('error: invalid workspace path "Bad_Name"\n');
    expect(await readFile(kc, 'utf8')).toBe(before);
    // a tenant's user of root:acme may not enter root:other
    const alice = join(dir, 'alice.kubeconfig');
    await writeFile(alice, await t.k.kubeconfigFor('root:acme', 'alice', ['a']), { mode: 0o600 });
    const denied = await run(bin, ['ws', '--kubeconfig', alice, 'use', 'root:other']);
    expect(denied.stderr).toBe('error: workspace "root:other" does not exist or you may not enter it\n');
  });

  it('is also `kplane ws`', async () => {
    const r = await run(KPLANE, ['ws', 'use', 'root:acme']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Current workspace is "root:acme".\n');
    expect((await run(KPLANE, ['ws', '--help'])).stdout).toContain('kubectl ws create NAME');
  });
});
