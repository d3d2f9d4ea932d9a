// The deploy manifests are valid for a real kube-apiserver (server-side dry run with the pinned
// kubectl against the management-cluster fixture).

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools, toolPath } from '../harness/tools.js';

const run = promisify(execFile);
let mc: ManagementCluster;

beforeAll(async () => {
  await ensureTools();
  mc = await startManagementCluster();
}, 600_000);
afterAll(async () => {
  await mc?.stop();
});

describe('deploy/kplane.yaml', () => {
  it('passes a server-side dry run', async () => {
    const file = resolve(import.meta.dirname, '../../deploy/kplane.yaml');
    // the namespace must exist for the namespaced objects' dry run
    await run(toolPath('kubectl'), ['--kubeconfig', mc.kubeconfigPath, 'create', 'namespace', 'kplane-system']);
    const { stdout } = await run(toolPath('kubectl'), ['--kubeconfig', mc.kubeconfigPath, 'apply', '--dry-run=server', '-f', file]);
    expect(stdout).toContain('statefulset.apps/kplane created (server dry run)');
    expect(stdout).toContain('service/kplane created (server dry run)');
    expect(stdout).toContain('serviceaccount/kplane created (server dry run)');
  });
});
