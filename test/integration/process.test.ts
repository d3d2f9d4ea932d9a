// kplane as a process (`kplane serve` from bin/, as users run it): first start writes the PKI and
// admin.kubeconfig, SIGTERM drains and exits 0, and every acknowledged write survives kill -9.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, raw, type Credentials } from '../helpers/kplane.js';
import { BIN, startKplaneProcess, type KplaneProcess } from '../helpers/process.js';

const DIST = resolve(import.meta.dirname, '../../dist/cli/main.js');

async function serve(dataDir: string): Promise<KplaneProcess & { logs: string[] }> {
  const p = await startKplaneProcess(dataDir);
  return { ...p, logs: p.lines };
}

let dir: string;
beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  dir = await mkdtemp(join(tmpdir(), 'kplane-proc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The environment of a running process, from /proc. */
async function environOf(pid: number): Promise<Map<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return new Map(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

describe('bin/kplane', () => {
  it('execs Node in its own process with glibc malloc\'s thread cache off, unless the caller set tunables', async () => {
    const p = await startKplaneProcess(join(dir, 'launcher'), [], { GLIBC_TUNABLES: '' });
    try {
      // exec, not a child: the pid the caller holds is Node's, so its signals reach kplane
      expect(await readlink(`/proc/${p.child.pid}/exe`)).toBe(await realpath(process.execPath));
      expect((await environOf(p.child.pid!)).get('GLIBC_TUNABLES')).toBe('glibc.malloc.tcache_count=0');
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
    const q = await startKplaneProcess(join(dir, 'launcher'), [], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' });
    try {
      expect((await environOf(q.child.pid!)).get('GLIBC_TUNABLES')).toBe('glibc.malloc.arena_max=2');
    } finally {
      q.child.kill('SIGTERM');
      expect(await q.exited).toBe(0);
    }
  });

  it('runs Node on jemalloc where the machine has it, unless the caller asks for glibc', async () => {
    const jemalloc = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64']
      .map((d) => `${d}/libjemalloc.so.2`).find((f) => existsSync(f));
    const preloadOf = async (env: NodeJS.ProcessEnv) => {
      const p = await startKplaneProcess(join(dir, 'launcher'), [], env);
      try {
        const environ = await environOf(p.child.pid!);
        const maps = await readFile(`/proc/${p.child.pid}/maps`, 'utf8');
        return { preload: environ.get('LD_PRELOAD') ?? '', mapped: maps.includes('libjemalloc') };
      } finally {
        p.child.kill('SIGTERM');
        expect(await p.exited).toBe(0);
      }
    };
    // the machine decides: with libjemalloc2 installed it is loaded, without it glibc stays
    expect(await preloadOf({ LD_PRELOAD: '' })).toEqual(jemalloc ? { preload: jemalloc, mapped: true } : { preload: '', mapped: false });
    expect(await preloadOf({ LD_PRELOAD: '', KPLANE_ALLOCATOR: 'glibc' })).toEqual({ preload: '', mapped: false });
  });
});

describe('kplane serve', () => {
  it('writes its PKI and admin.kubeconfig once, and drains on SIGTERM', async () => {
    const p = await serve(join(dir, 'a'));
    const kubeconfig = await readFile(join(dir, 'a', 'admin.kubeconfig'), 'utf8');
    const creds = credentialsOf(kubeconfig);
    expect(creds.server).toBe(`${p.url}/clusters/root`);
    const r = await raw(p.url, creds, { path: '/clusters/root/api/v1/namespaces/default' });
    expect(r.status).toBe(200);
    const ca1 = await readFile(join(dir, 'a', 'pki', 'ca.crt'), 'utf8');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.logs.some((l) => l.includes('kplane stopped'))).toBe(true);

    const again = await serve(join(dir, 'a'));
    expect(await readFile(join(dir, 'a', 'pki', 'ca.crt'), 'utf8')).toBe(ca1);
    const creds2 = credentialsOf(await readFile(join(dir, 'a', 'admin.kubeconfig'), 'utf8'));
    expect((await raw(again.url, creds2, { path: '/clusters/root/api/v1/namespaces' })).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('issues kubeconfigs for users of a workspace', async () => {
    const data = join(dir, 'c');
    const p = await serve(data);
    try {
      const admin = credentialsOf(await readFile(join(data, 'admin.kubeconfig'), 'utf8'));
      const ws = await raw(p.url, admin, {
        method: 'POST', path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces',
        body: JSON.stringify({ metadata: { name: 'acme' } }),
      });
      expect(ws.status).toBe(201);
      const out = await new Promise<string>((resolve, reject) => {
        execFile(BIN, ['kubeconfig', '--workspace', 'root:acme', '--user', 'alice', '--group', 'system:masters', 'acme-admins', '--data-dir', data],
          (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
      });
      const alice = credentialsOf(out);
      expect(alice.server).toBe(`${p.url}/clusters/root:acme`);
      const r = await eventually(async () => {
        const res = await raw(p.url, alice, { path: '/clusters/root:acme/api/v1/namespaces/default' });
        return res.status === 200 ? res : undefined;
      }, 10_000, 'alice reads her workspace');
      expect(r.json.metadata.name).toBe('default');
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('keeps every acknowledged write across kill -9', async () => {
    const data = join(dir, 'b');
    const p = await serve(data);
    const creds: Credentials = credentialsOf(await readFile(join(data, 'admin.kubeconfig'), 'utf8'));
    const acked = new Map<string, { uid: string; rv: string }>();
    let n = 0;
    // Writers run concurrently; the process dies while some of them are in flight.
    const writer = async () => {
      for (;;) {
        const name = `cm-${n++}`;
        const r = await raw(p.url, creds, {
          method: 'POST', path: '/clusters/root/api/v1/namespaces/default/configmaps',
          body: JSON.stringify({ metadata: { name }, data: { n: name } }),
        }).catch(() => undefined);
        if (!r || r.status !== 201) return;
        acked.set(name, { uid: r.json.metadata.uid, rv: r.json.metadata.resourceVersion });
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    await eventually(() => acked.size >= 300, 30_000, '300 acknowledged writes');
    p.child.kill('SIGKILL');
    await Promise.all(writers);
    await p.exited;
    const q = await serve(data);
    try {
      const list = await raw(q.url, creds, { path: '/clusters/root/api/v1/namespaces/default/configmaps' });
      const stored = new Map<string, { metadata: { uid: string; resourceVersion: string } }>(
        list.json.items.map((i: { metadata: { name: string } }) => [i.metadata.name, i]));
      for (const [name, ack] of acked) {
        expect(stored.get(name)?.metadata.uid, name).toBe(ack.uid);
        expect(stored.get(name)?.metadata.resourceVersion, name).toBe(ack.rv);
      }
    } finally {
      q.child.kill('SIGTERM');
      await q.exited;
    }
  });
});
