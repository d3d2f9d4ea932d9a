// A real Cluster API management cluster (test/harness/capi.ts) on the real
// etcd + kube-apiserver fixture: a Cluster from CAPD's in-memory template,
// using a ClusterClass of another namespace, becomes Available; clusterctl
// reads its kubeconfig and describes it; kubectl lists the workload cluster's
// (in-memory) nodes through that kubeconfig; deleting the Cluster finishes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterAPI, type ClusterAPI } from '../harness/capi.js';
import { logTail, startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools, pinnedVersions, toolPath } from '../harness/tools.js';

const run = promisify(execFile);

describe('Cluster API management cluster fixture (real managers, CAPD in-memory backend)', () => {
  let mc: ManagementCluster | undefined;
  let capi: ClusterAPI | undefined;
  let home: string | undefined;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = Date.now() - t0;
    }
  };

  beforeAll(async () => {
    await ensureTools();
  }, 60 * 60_000);

  beforeAll(async () => {
    mc = await timed('managementCluster', () => startManagementCluster());
    capi = await timed('clusterAPI', () => startClusterAPI(mc!, { machineStartupDuration: '1s' }));
    home = mkdtempSync(path.join(os.tmpdir(), 'kplane-clusterctl-home-'));
  }, 300_000);

  afterAll(async () => {
    await timed('stop', async () => {
      await capi?.stop();
      await mc?.stop();
    });
    if (home) rmSync(home, { recursive: true, force: true });
    const lines = Object.entries(timings).map(([k, v]) => `  ${k.padEnd(20)} ${(v / 1000).toFixed(1)} s`);
    const inner = Object.entries(capi?.timings ?? {}).map(([k, v]) => `    clusterAPI.${k.padEnd(22)} ${(v / 1000).toFixed(1)} s`);
    process.stderr.write(`[capi.test] phase timings:\n${lines.join('\n')}\n${inner.join('\n')}\n`);
  }, 120_000);

  const kubectl = async (args: string[], kubeconfig = mc!.kubeconfigPath, timeoutMs = 120_000): Promise<string> => {
    try {
      const { stdout } = await run(toolPath('kubectl'), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(home!, 'kubectl-cache')}`, ...args], {
        timeout: timeoutMs,
      });
      return stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr || e.message}\n${e.stdout ?? ''}${managerLogs()}`);
    }
  };
  const clusterctl = async (args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(toolPath('clusterctl'), [`--kubeconfig=${mc!.kubeconfigPath}`, ...args], {
        timeout: 120_000,
        env: {
          ...process.env,
          CLUSTERCTL_DISABLE_VERSIONCHECK: 'true',
          HOME: home!,
          XDG_CONFIG_HOME: path.join(home!, '.config'),
        },
      });
      return stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`clusterctl ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  };
  const managerLogs = (): string =>
    capi ? Object.entries(capi.logs).map(([k, f]) => `\n--- ${k} (${f}) ---\n${logTail(f, 15)}`).join('') : '';

  it('installs what clusterctl init would: labelled CRDs with loopback conversion webhooks, the provider inventory', async () => {
    const crd = JSON.parse(await kubectl(['get', 'crd', 'devclusters.infrastructure.cluster.x-k8s.io', '-o', 'json'])) as {
      metadata: { labels: Record<string, string> };
      spec: { conversion: { strategy: string; webhook: { clientConfig: { url: string; caBundle: string } } } };
    };
    expect(crd.metadata.labels).toMatchObject({
      'cluster.x-k8s.io/v1beta1': 'v1beta1',
      'cluster.x-k8s.io/v1beta2': 'v1beta2',
      'cluster.x-k8s.io/provider': 'infrastructure-docker',
      'clusterctl.cluster.x-k8s.io': '',
    });
    expect(crd.spec.conversion.strategy).toBe('Webhook');
    expect(crd.spec.conversion.webhook.clientConfig.url).toBe(`${capi!.webhookUrls.infrastructure}/convert`);
    const providers = JSON.parse(await kubectl(['get', 'providers.clusterctl.cluster.x-k8s.io', '-A', '-o', 'json'])) as {
      items: { metadata: { name: string; namespace: string }; type: string; version: string }[];
    };
    expect(providers.items.map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.type} ${p.version}`).sort()).toEqual(
      [
        'capi-system/cluster-api CoreProvider',
        'capi-kubeadm-bootstrap-system/bootstrap-kubeadm BootstrapProvider',
        'capi-kubeadm-control-plane-system/control-plane-kubeadm ControlPlaneProvider',
        'capd-system/infrastructure-docker InfrastructureProvider',
      ]
        .map((l) => `${l} ${pinnedVersions().clusterctl}`)
        .sort(),
    );
    const classes = await kubectl(['get', 'clusterclasses', '-n', capi!.classNamespace, '-o', 'name']);
    expect(classes.trim()).toBe(`clusterclass.cluster.x-k8s.io/${capi!.className}`);
  }, 120_000);

  it('provisions an in-memory Cluster from a ClusterClass in another namespace, serves it through clusterctl, and deletes it', async () => {
    const ns = 'team-a';
    const name = 'c1';
    expect(capi!.classNamespace).toBe('capi-classes');
    await kubectl(['create', 'namespace', ns]);

    const clusterYaml = capi!.renderCluster({ name, namespace: ns, controlPlaneReplicas: 1, workerReplicas: 0 });
    expect(clusterYaml).toContain('namespace: capi-classes');
    const file = path.join(home!, 'cluster.yaml');
    writeFileSync(file, clusterYaml);
    await timed('applyCluster', () => kubectl(['apply', '-f', file]));

    const wait = await timed('clusterAvailable', () =>
      kubectl(['wait', '-n', ns, '--for=condition=Available', `cluster/${name}`, '--timeout=240s'], mc!.kubeconfigPath, 260_000),
    );
    expect(wait).toContain(`cluster.cluster.x-k8s.io/${name} condition met`);

    // The topology controller made the control plane and infrastructure from the class.
    const cluster = JSON.parse(await kubectl(['get', '-n', ns, `cluster/${name}`, '-o', 'json'])) as {
      apiVersion: string;
      spec: { topology: { classRef: { name: string; namespace: string } }; controlPlaneRef: { kind: string }; infrastructureRef: { kind: string } };
    };
    expect(cluster.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(cluster.spec.topology.classRef).toEqual({ name: capi!.className, namespace: 'capi-classes' });
    expect(cluster.spec.controlPlaneRef.kind).toBe('KubeadmControlPlane');
    expect(cluster.spec.infrastructureRef.kind).toBe('DevCluster');

    // Older API versions are served through the managers' conversion webhooks.
    for (const resource of [
      'clusters.v1beta1.cluster.x-k8s.io',
      'kubeadmcontrolplanes.v1beta1.controlplane.cluster.x-k8s.io',
      'devclusters.v1beta1.infrastructure.cluster.x-k8s.io',
    ]) {
      const got = JSON.parse(await kubectl(['get', '-n', ns, resource, '-l', `cluster.x-k8s.io/cluster-name=${name}`, '-o', 'json'])) as {
        items: { apiVersion: string }[];
      };
      expect(got.items.length, resource).toBeGreaterThan(0);
      expect(got.items[0]!.apiVersion, resource).toMatch(/\/v1beta1$/);
    }

    const kubeconfig = await timed('getKubeconfig', () => clusterctl(['get', 'kubeconfig', name, '-n', ns]));
    expect(kubeconfig).toContain('kind: Config');
    const wkc = path.join(home!, 'workload.kubeconfig');
    writeFileSync(wkc, kubeconfig, { mode: 0o600 });
    const nodes = JSON.parse(await timed('workloadGetNodes', () => kubectl(['get', 'nodes', '-o', 'json'], wkc))) as {
      items: { metadata: { name: string } }[];
    };
    const machines = JSON.parse(await kubectl(['get', '-n', ns, 'machines', '-l', `cluster.x-k8s.io/cluster-name=${name}`, '-o', 'json'])) as {
      items: { status?: { nodeRef?: { name: string } } }[];
    };
    expect(machines.items).toHaveLength(1);
    expect(nodes.items.map((n) => n.metadata.name).sort()).toEqual(machines.items.map((m) => m.status?.nodeRef?.name).sort());

    const tree = await timed('describeCluster', () => clusterctl(['describe', 'cluster', name, '-n', ns]));
    // v1beta2 tree: one line per object, with its status (Available / Ready).
    expect(tree).toMatch(new RegExp(`^Cluster ${ns}/${name}\\b.*\\bTrue\\s+Available\\b`, 'm'));
    expect(tree).toMatch(new RegExp(`DevCluster ${ns}/${name}-`));
    expect(tree).toMatch(new RegExp(`KubeadmControlPlane ${ns}/${name}-.*\\bTrue\\s+Available\\b`));
    expect(tree).toMatch(new RegExp(`Machine ${ns}/${name}-.*\\bTrue\\s+Ready\\b`));

    await timed('deleteCluster', () => kubectl(['delete', '-n', ns, `cluster/${name}`, '--wait=true', '--timeout=180s'], mc!.kubeconfigPath, 200_000));
    const left = await kubectl(['get', '-n', ns, 'clusters,machines,kubeadmcontrolplanes,devclusters,devmachines', '-o', 'name']);
    expect(left.trim()).toBe('');
  }, 600_000);
});
