// The real kubectl against kplane: the machine's default kubectl and kubectl 1.27 (version skew).

import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, machineKubectl, startKplane, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;

beforeAll(async () => {
  t = await startKplane();
});
afterAll(async () => {
  await t?.stop();
});

const manifest = (name: string, data: Record<string, string>, extra = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: kc
  labels:
    app: demo
${extra}data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}
`;

for (const version of [undefined, '1.27']) {
  const label = version ? `kubectl ${version}` : 'default kubectl';
  describe(label, () => {
    const bin = () => machineKubectl(version);
    const k = (args: string[], input?: string) => kubectl(bin(), t.kubeconfig, args, input);
    const ns = version ? 'kc127' : 'kc';
    const m = (name: string, data: Record<string, string>) => manifest(name, data).replace('namespace: kc', `namespace: ${ns}`);

    it('creates and reads objects in every output format', async () => {
      expect((await k(['create', 'namespace', ns])).code).toBe(0);
      const created = await k(['create', '-f', '-'], m('one', { a: '1' }));
      expect(created.stderr).toBe('');
      expect(created.stdout.trim()).toBe('configmap/one created');
      const y = await k(['get', 'configmap', 'one', '-n', ns, '-o', 'yaml']);
      expect(y.code).toBe(0);
      expect(y.stdout).toContain('name: one');
      expect(y.stdout).toContain('a: "1"');
      const j = JSON.parse((await k(['get', 'cm', 'one', '-n', ns, '-o', 'json'])).stdout);
      expect(j).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'one', namespace: ns, labels: { app: 'demo' } }, data: { a: '1' } });
      const list = await k(['get', 'configmaps', '-n', ns]);
      expect(list.stdout).toMatch(/^NAME\s+DATA\s+AGE\n/);
      expect(list.stdout).toMatch(/\none\s+1\s+\d+s\n/);
      const wide = await k(['get', 'ns', ns, '-o', 'wide']);
      expect(wide.stdout).toMatch(new RegExp(`^NAME\\s+STATUS\\s+AGE\\n${ns}\\s+Active\\s+`));
      const names = await k(['get', 'cm', '-n', ns, '-o', 'name']);
      expect(names.stdout.split('\n')).toContain('configmap/one');
    });

    it('labels, annotates and patches with all three patch types', async () => {
      expect((await k(['label', 'cm', 'one', '-n', ns, 'tier=web'])).stdout.trim()).toBe('configmap/one labeled');
      expect((await k(['annotate', 'cm', 'one', '-n', ns, 'note=hello'])).stdout.trim()).toMatch(/^configmap\/one annotated?$/);
      expect((await k(['patch', 'cm', 'one', '-n', ns, '--type=merge', '-p', '{"data":{"b":"2"}}'])).code).toBe(0);
      expect((await k(['patch', 'cm', 'one', '-n', ns, '--type=json', '-p', '[{"op":"add","path":"/data/c","value":"3"}]'])).code).toBe(0);
      expect((await k(['patch', 'cm', 'one', '-n', ns, '-p', '{"data":{"d":"4"}}'])).code).toBe(0);
      const j = JSON.parse((await k(['get', 'cm', 'one', '-n', ns, '-o', 'json'])).stdout);
      expect(j.metadata.labels).toEqual({ app: 'demo', tier: 'web' });
      expect(j.metadata.annotations).toEqual({ note: 'hello' });
      expect(j.data).toEqual({ a: '1', b: '2', c: '3', d: '4' });
      const sel = await k(['get', 'cm', '-n', ns, '-l', 'tier=web', '-o', 'name']);
      expect(sel.stdout.trim()).toBe('configmap/one');
    });

    it('applies, re-applies and diffs', async () => {
      const first = await k(['apply', '-f', '-'], m('applied', { x: '1' }));
      expect(first.stdout.trim()).toBe('configmap/applied created');
      const again = await k(['apply', '-f', '-'], m('applied', { x: '1' }));
      expect(again.stdout.trim()).toBe('configmap/applied unchanged');
      const changed = await k(['apply', '-f', '-'], m('applied', { x: '2' }));
      expect(changed.stdout.trim()).toBe('configmap/applied configured');
      const j = JSON.parse((await k(['get', 'cm', 'applied', '-n', ns, '-o', 'json'])).stdout);
      expect(j.data).toEqual({ x: '2' });
      expect(j.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"x":"2"');
      const same = await k(['diff', '-f', '-'], m('applied', { x: '2' }));
      expect(same.code).toBe(0);
      const diff = await k(['diff', '-f', '-'], m('applied', { x: '3' }));
      expect(diff.code).toBe(1);
      expect(diff.stdout).toContain('+  x: "3"');
    });

    it('deletes and waits for deletion', async () => {
      await k(['create', 'cm', 'gone', '-n', ns]);
      const waiter = k(['wait', '--for=delete', 'cm/gone', '-n', ns, '--timeout=30s']);
      await k(['delete', 'cm', 'gone', '-n', ns, '--wait=false']);
      const w = await waiter;
      expect(w.code).toBe(0);
      expect((await k(['get', 'cm', 'gone', '-n', ns])).stderr).toContain('NotFound');
    });

    it('streams changes with get -w', async () => {
      const child = spawn(bin(), ['get', 'cm', '-n', ns, '-w', '--output-watch-events'], {
        env: { PATH: process.env.PATH, HOME: dirname(t.kubeconfig), KUBECONFIG: t.kubeconfig },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await eventually(() => out.includes('one'), 20_000, 'initial watch output');
        await k(['create', 'cm', 'watched', '-n', ns]);
        await eventually(() => /ADDED\s+watched/.test(out), 20_000, 'watch event for the new object');
      } finally {
        child.kill();
      }
    });

    it('explains kinds and lists API resources', async () => {
      const ex = await k(['explain', 'configmap.data']);
      expect(ex.code).toBe(0);
      expect(ex.stdout).toContain('FIELD: data');
      const res = await k(['api-resources']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/configmaps\s+cm\s+v1\s+true\s+ConfigMap/);
      expect(res.stdout).toMatch(/workspaces\s+ws\s+tenancy\.kplane\.io\/v1alpha1\s+false\s+Workspace/);
      // --raw paths are absolute on the server: the logical cluster is part of them
      const raw = await k(['get', '--raw', '/clusters/root/api/v1/namespaces/default']);
      expect(JSON.parse(raw.stdout).metadata.name).toBe('default');
    });

    it('reports server errors as kube does', async () => {
      const bad = await k(['create', 'cm', 'Bad_Name', '-n', ns]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('is invalid');
      const missing = await k(['get', 'cm', 'nope', '-n', ns]);
      expect(missing.stderr.trim()).toBe('Error from server (NotFound): configmaps "nope" not found');
    });
  });
}
