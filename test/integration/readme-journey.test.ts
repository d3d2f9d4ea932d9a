// The README's first steps, run as written: the shell block after "Then, in another shell:" is
// executed with bash in a fresh directory next to a running `kplane serve --data-dir .kplane`
// (`npx kplane` is this checkout's bin/kplane, kubectl the machine's). Every command must succeed
// except the one its comment says is Forbidden, which must fail with kube's message: the tenant
// journey works without system:masters.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { machineKubectl } from '../helpers/kplane.js';
import { BIN, startKplaneProcess, type KplaneProcess } from '../helpers/process.js';

let dir: string;
let p: KplaneProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-readme-'));
  p = await startKplaneProcess(join(dir, '.kplane'));
}, 60_000);

afterAll(async () => {
  p?.child.kill('SIGTERM');
  await p?.exited;
  await rm(dir, { recursive: true, force: true });
});

/** The README's block, each command followed by a line reporting its exit code. */
async function readmeScript(): Promise<{ script: string; commands: string[] }> {
  const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const block = /Then, in another shell:\n\n```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  const out: string[] = [];
  const commands: string[] = [];
  let inHeredoc = false;
  let pending = '';
  for (const line of block.split('\n')) {
    out.push(line.replace(/^npx kplane /, `${BIN} `));
    if (inHeredoc) {
      if (line === 'EOF') {
        inHeredoc = false;
        commands.push(pending);
        out.push(`echo "@@rc $?"`);
      }
      continue;
    }
    if (!line.trim() || line.startsWith('export ')) continue;
    if (line.includes('<<EOF')) {
      inHeredoc = true;
      pending = line;
      continue;
    }
    commands.push(line);
    out.push(`echo "@@rc $?"`);
  }
  return { script: out.join('\n'), commands };
}

it('runs the README tenant journey as written', async () => {
  const { script, commands } = await readmeScript();
  await writeFile(join(dir, 'journey.sh'), script);
  const kubectlDir = dirname(machineKubectl());
  const r = await new Promise<{ stdout: string; stderr: string }>((res) => {
    execFile('bash', ['journey.sh'], { cwd: dir, env: { PATH: `${kubectlDir}:${process.env.PATH}`, HOME: dir }, timeout: 120_000 }, (_e, stdout, stderr) => res({ stdout, stderr }));
  });
  const codes = [...r.stdout.matchAll(/^@@rc (\d+)$/gm)].map((m) => Number(m[1]));
  expect(codes.length, r.stdout + r.stderr).toBe(commands.length);
  commands.forEach((c, i) => {
    const forbidden = c.includes('# Forbidden');
    expect(codes[i] !== 0, `${c}\n${r.stderr}`).toBe(forbidden);
  });
  expect(r.stdout).toContain('root:acme');
  expect(r.stderr).toContain('secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default"');
  // the tenant's admin sees only their own cluster
  expect(await readFile(join(dir, 'alice.kubeconfig'), 'utf8')).toContain('/clusters/root:acme');
}, 180_000);
