import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, raw } from '../helpers/kplane.js';
import { startManagementCluster, type ManagementCluster } from './management-cluster.js';
import { ensureTools, pinnedVersions, toolPath } from './tools.js';

const run = promisify(execFile);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('management cluster fixture (real etcd + kube-apiserver)', () => {
  let mc: ManagementCluster | undefined;

  // A cold build of the tools takes tens of minutes; a cached one, seconds.
  beforeAll(async () => {
    await ensureTools();
  }, 60 * 60_000);

  beforeAll(async () => {
    mc = await startManagementCluster();
  }, 120_000);

  afterAll(async () => {
    await mc?.stop();
  }, 60_000);

  const kubectl = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(
      toolPath('kubectl'),
      [`--kubeconfig=${mc!.kubeconfigPath}`, `--cache-dir=${path.join(mc!.dir, 'kubectl-cache')}`, ...args],
      { timeout: 60_000 },
    );
    return stdout;
  };

  it('serves the pinned Kubernetes version', async () => {
    const pinned = pinnedVersions()['kube-apiserver'];
    expect(mc!.serverVersion).toBe(pinned);
    const version = JSON.parse(await kubectl('version', '-o', 'json')) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string; major: string; minor: string };
    };
    expect(version.clientVersion.gitVersion).toBe(pinned);
    expect(version.serverVersion.gitVersion).toBe(pinned);
    expect(version.serverVersion.major).toBe('1');
    expect(version.serverVersion.minor).toBe(pinned.split('.')[1]);
  }, 120_000);

  it('creates and reads back a namespace and a configmap with kubectl', async () => {
    await kubectl('create', 'namespace', 'harness-test');
    await kubectl('-n', 'harness-test', 'create', 'configmap', 'cm1', '--from-literal=greeting=hello');
    const cm = JSON.parse(await kubectl('-n', 'harness-test', 'get', 'configmap', 'cm1', '-o', 'json')) as {
      kind: string;
      metadata: { name: string; namespace: string; uid: string };
      data: Record<string, string>;
    };
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata).toMatchObject({ name: 'cm1', namespace: 'harness-test' });
    expect(cm.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.data).toEqual({ greeting: 'hello' });
    // RBAC is on: the admin token is in system:masters, anonymous is not.
    expect((await kubectl('auth', 'can-i', '*', '*', '--all-namespaces')).trim()).toBe('yes');
  }, 120_000);

  it('lets @kubernetes/client-node list namespaces with the kubeconfig', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(mc!.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespace();
    const names = list.items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'harness-test']));
  }, 120_000);

  it('verifies TLS with the fixture CA and enforces RBAC for anonymous users', async () => {
    const get = (ca?: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = https.get(`${mc!.url}/api/v1/namespaces`, { ...(ca ? { ca } : {}), agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
    // Not trusted without the fixture's CA...
    await expect(get()).rejects.toThrow(/self[- ]signed|unable to verify|issuer/i);
    // ...trusted with it; anonymous may not list namespaces.
    expect(await get(mc!.caPem)).toBe(403);
  }, 120_000);

  it('stopApiserver() / startApiserver(): an outage of kube-apiserver alone, the data in etcd kept', async () => {
    await kubectl('create', 'configmap', 'before-outage', '-n', 'default', '--from-literal=k=v');
    const oldPid = mc!.pids.apiserver;
    const etcdPid = mc!.pids.etcd;
    await mc!.stopApiserver();
    expect(isAlive(oldPid)).toBe(false);
    expect(isAlive(etcdPid)).toBe(true);
    await expect(kubectl('get', 'namespaces')).rejects.toThrow(/refused/);
    await mc!.startApiserver();
    expect(mc!.pids.apiserver).not.toBe(oldPid);
    expect(isAlive(mc!.pids.apiserver)).toBe(true);
    expect(await kubectl('get', 'configmap', 'before-outage', '-n', 'default', '-o', 'jsonpath={.data.k}')).toBe('v');
    await mc!.startApiserver(); // running: nothing to do
  }, 120_000);

  it('stop() kills both processes and removes the temp dir', async () => {
    const cluster = mc!;
    const { pids, dir } = cluster;
    expect(isAlive(pids.etcd)).toBe(true);
    expect(isAlive(pids.apiserver)).toBe(true);
    await cluster.stop();
    mc = undefined;
    expect(isAlive(pids.etcd)).toBe(false);
    expect(isAlive(pids.apiserver)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await cluster.stop(); // idempotent
  }, 120_000);
});

describe('management cluster fixture with kube-controller-manager', () => {
  let mc: ManagementCluster | undefined;

  beforeAll(async () => {
    await ensureTools();
  }, 60 * 60_000);

  beforeAll(async () => {
    mc = await startManagementCluster({ withControllerManager: true });
  }, 180_000);

  afterAll(async () => {
    await mc?.stop();
  }, 60_000);

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> =>
    raw(mc!.url, { ca: mc!.caPem }, {
      method,
      path,
      headers: { authorization: `Bearer ${mc!.token}`, accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const until = (what: string, check: () => Promise<boolean>): Promise<boolean> => eventually(check, 60_000, what);

  it('runs the controller manager as its own process', () => {
    expect(mc!.pids.controllerManager).toBeGreaterThan(0);
    expect(isAlive(mc!.pids.controllerManager!)).toBe(true);
    expect(mc!.logs.controllerManager).toBeDefined();
  });

  it('gives a new namespace kube-root-ca.crt and a default ServiceAccount, and finishes deleting it', async () => {
    expect((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kcm-test' } })).status).toBe(201);
    await until('kube-root-ca.crt', async () => (await api('GET', '/api/v1/namespaces/kcm-test/configmaps/kube-root-ca.crt')).status === 200);
    const ca = await api('GET', '/api/v1/namespaces/kcm-test/configmaps/kube-root-ca.crt');
    expect(ca.json.data['ca.crt']).toBe(mc!.caPem);
    await until('default ServiceAccount', async () => (await api('GET', '/api/v1/namespaces/kcm-test/serviceaccounts/default')).status === 200);

    expect((await api('POST', '/api/v1/namespaces/kcm-test/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).status).toBe(201);
    const del = await api('DELETE', '/api/v1/namespaces/kcm-test');
    expect(del.status).toBe(200);
    expect(del.json.status.phase).toBe('Terminating');
    await until('namespace gone', async () => (await api('GET', '/api/v1/namespaces/kcm-test')).status === 404);
  }, 120_000);

  it('collects garbage: a dependent of a deleted owner goes away', async () => {
    const owner = await api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    expect(owner.status).toBe(201);
    const dep = await api('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.json.metadata.uid }] },
    });
    expect(dep.status).toBe(201);
    expect((await api('DELETE', '/api/v1/namespaces/default/configmaps/owner')).status).toBe(200);
    await until('dependent gone', async () => (await api('GET', '/api/v1/namespaces/default/configmaps/dependent')).status === 404);
  }, 120_000);

  it('stop() also stops the controller manager', async () => {
    const cluster = mc!;
    const pid = cluster.pids.controllerManager!;
    await cluster.stop();
    mc = undefined;
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
  }, 120_000);
});
