// The kplane command line's refusals: kubeconfigs only for logical clusters that exist (asked of the
// running kplane, or read from the store when it is stopped), only for server URLs that are URLs,
// a clear message for a missing data directory, and help texts that show defaults as typed.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, raw } from '../helpers/kplane.js';
import { BIN, startKplaneProcess } from '../helpers/process.js';

const DIST = resolve(import.meta.dirname, '../../dist/cli/main.js');

interface Run { code: number; stdout: string; stderr: string }

function kplane(args: string[], cwd?: string): Promise<Run> {
  return new Promise((res) => {
    execFile(BIN, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  dir = await mkdtemp(join(tmpdir(), 'kplane-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kplane kubeconfig', () => {
  it('issues kubeconfigs only for logical clusters that exist, running or stopped', async () => {
    const data = join(dir, 'd');
    const p = await startKplaneProcess(data);
    const kc = (ws: string) => kplane(['kubeconfig', '--workspace', ws, '--user', 'alice', '--data-dir', data]);
    try {
      const admin = credentialsOf(await readFile(join(data, 'admin.kubeconfig'), 'utf8'));
      const created = await raw(p.url, admin, {
        method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces',
        body: JSON.stringify({ metadata: { name: 'acme' } }),
      });
      expect(created.status).toBe(201);
      // a Workspace just created counts, whether or not its controller has finished
      const ok = await kc('root:acme');
      expect(ok.code).toBe(0);
      expect(credentialsOf(ok.stdout).server).toBe(`${p.url}/clusters/root:acme`);
      expect((await kc('root')).code).toBe(0);
      for (const absent of ['root:nope', 'root:nope:deeper']) {
        const r = await kc(absent);
        expect(r.code, absent).not.toBe(0);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`logical cluster ${absent} does not exist`);
      }
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
    // stopped: the store is read directly
    const absent = await kc('root:nope');
    expect(absent.code).not.toBe(0);
    expect(absent.stderr).toContain('logical cluster root:nope does not exist');
    const present = await kc('root:acme');
    expect(present.stderr).toBe('');
    expect(present.code).toBe(0);
  });

  it('refuses a --server that is not a URL', async () => {
    for (const bad of ['notaurl', 'ftp://kplane.example.com', '127.0.0.1:6443']) {
      const r = await kplane(['kubeconfig', '--workspace', 'root', '--user', 'a', '--data-dir', join(dir, 'd'), '--server', bad]);
      expect(r.code, bad).not.toBe(0);
      expect(r.stderr).toContain(`option '--server <url>' argument '${bad}' is invalid`);
    }
  });

  it('explains a missing data directory instead of a bare ENOENT', async () => {
    const r = await kplane(['kubeconfig', '--workspace', 'root', '--user', 'a'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/^ENOENT/);
    expect(r.stderr).toContain('".kplane" is not the data directory of a kplane that has been started');
    expect(r.stderr).toContain('--data-dir');
  });
});

describe('kplane serve --external-url', () => {
  it('refuses a value that is not an http(s) URL', async () => {
    const r = await kplane(['serve', '--data-dir', join(dir, 'never'), '--external-url', 'notaurl']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("option '--external-url <url>' argument 'notaurl' is invalid");
  });
});

describe('kplane serve --help', () => {
  it('shows defaults as they are typed', async () => {
    const r = await kplane(['serve', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('--listen <host:port> address to serve HTTPS on (default: "127.0.0.1:6443")');
    expect(text).not.toContain('{"host"');
    expect(text).toContain('--event-ttl <seconds>');
  });
});
