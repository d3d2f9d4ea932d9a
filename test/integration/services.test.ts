// Services, Endpoints and EndpointSlices in a logical cluster: the `kubernetes` Service that
// kubectl cluster-info and e2e tooling look for (a shared template, never stored per cluster),
// kubectl's listings of all three, and kube's validation through kubectl.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
let acme: string;
let port: number;

const req = (method: string, path: string, body?: unknown) =>
  raw(t.url, admin, { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const k = (args: string[], input?: string) => kubectl(machineKubectl(), acme, args, input);

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  port = Number(new URL(t.url).port);
  expect((await req('POST', '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces', { metadata: { name: 'acme' } })).status).toBe(201);
  await eventually(async () => (await req('GET', '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/acme')).json.status?.phase === 'Ready', 10_000, 'acme Ready');
  acme = await t.kubeconfigFor('root:acme');
});
afterAll(async () => {
  await t?.stop();
});

describe('the kubernetes Service of a logical cluster', () => {
  it('is what kubectl cluster-info finds', async () => {
    const r = await k(['cluster-info']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Kubernetes control plane is running at https://127.0.0.1:${port}/clusters/root:acme`);
  });

  it('points at kplane itself: ClusterIP 10.96.0.1:443, endpoints at kplane\'s address', async () => {
    const svc = await req('GET', '/clusters/root:acme/api/v1/namespaces/default/services/kubernetes');
    expect(svc.status).toBe(200);
    expect(svc.json.spec).toMatchObject({
      clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], type: 'ClusterIP',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
    });
    const ep = await req('GET', '/clusters/root:acme/api/v1/namespaces/default/endpoints/kubernetes');
    expect(ep.json.subsets).toEqual([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]);
    expect(ep.headers.warning).toContain('v1 Endpoints is deprecated in v1.33+');
    const slice = await req('GET', '/clusters/root:acme/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
    expect(slice.json).toMatchObject({
      addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }], metadata: { labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    });
    // distinct objects per cluster, one template
    const rootSvc = await req('GET', '/clusters/root/api/v1/namespaces/default/services/kubernetes');
    expect(rootSvc.json.metadata.uid).not.toBe(svc.json.metadata.uid);
  });

  it('is a shared template: nothing is stored for it in any cluster', async () => {
    for (const prefix of ['core/services/', 'core/endpoints/', 'discovery.k8s.io/endpointslices/']) {
      expect((await t.k.baseStore.list(prefix)).items.map((kv) => kv.key), prefix).toEqual([]);
    }
  });

  it('is listed by kubectl get svc,ep,endpointslices -A', async () => {
    const r = await k(['get', 'svc,ep,endpointslices', '-A']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
    expect(r.stdout).toMatch(/^default\s+service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\d+s$/m);
    expect(r.stdout).toMatch(/^NAMESPACE\s+NAME\s+ENDPOINTS\s+AGE$/m);
    expect(r.stdout).toMatch(new RegExp(`^default\\s+endpoints/kubernetes\\s+127\\.0\\.0\\.1:${port}\\s+\\d+s$`, 'm'));
    expect(r.stdout).toMatch(/^NAMESPACE\s+NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
    expect(r.stdout).toMatch(new RegExp(`^default\\s+endpointslice\\.discovery\\.k8s\\.io/kubernetes\\s+IPv4\\s+${port}\\s+127\\.0\\.0\\.1\\s+\\d+s$`, 'm'));
  });
});

describe('services through kubectl', () => {
  it('creates services with allocated, valid values and short names', async () => {
    expect((await k(['create', 'service', 'clusterip', 'web', '--tcp=80:8080'])).stdout.trim()).toBe('service/web created');
    expect((await k(['create', 'service', 'nodeport', 'np', '--tcp=80:8080'])).code).toBe(0);
    const web = JSON.parse((await k(['get', 'svc', 'web', '-o', 'json'])).stdout);
    expect(web.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(web.spec.clusterIP).not.toBe('10.96.0.1');
    expect(web.spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
    const np = JSON.parse((await k(['get', 'svc', 'np', '-o', 'json'])).stdout);
    expect(np.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(np.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    const wide = await k(['get', 'svc', '-o', 'wide']);
    expect(wide.stdout).toMatch(new RegExp(`^np\\s+NodePort\\s+10\\.\\S+\\s+<none>\\s+80:${np.spec.ports[0].nodePort}/TCP\\s+\\d+s\\s+app=np$`, 'm'));
    expect((await k(['get', 'ep'])).code).toBe(0);
  });

  it('refuses what kube refuses, with kube\'s causes', async () => {
    const svc = (spec: unknown) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec });
    const badPort = await k(['create', '-f', '-'], svc({ ports: [{ port: 0 }] }));
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr).toContain('The Service "bad" is invalid');
    expect(badPort.stderr).toContain('spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive');
    const badType = await req('POST', '/clusters/root:acme/api/v1/namespaces/default/services', JSON.parse(svc({ type: 'Magic', ports: [{ port: 80 }] })));
    expect(badType.status).toBe(422);
    expect(badType.json.details.causes).toContainEqual({
      reason: 'FieldValueNotSupported', field: 'spec.type',
      message: 'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    });
    const dup = await req('POST', '/clusters/root:acme/api/v1/namespaces/default/services', JSON.parse(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] })));
    expect(dup.json.details.causes).toEqual([{
      reason: 'FieldValueDuplicate', field: 'spec.ports[1]',
      message: 'Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}',
    }]);
    expect((await req('GET', '/clusters/root:acme/api/v1/namespaces/default/services/bad')).status).toBe(404);
  });

  it('keeps the kubernetes Service a real object once written (copy on write)', async () => {
    const r = await k(['label', 'svc', 'kubernetes', 'touched=yes']);
    expect(r.code).toBe(0);
    const svc = await req('GET', '/clusters/root:acme/api/v1/namespaces/default/services/kubernetes');
    expect(svc.json.metadata.labels).toMatchObject({ touched: 'yes', component: 'apiserver' });
    expect(svc.json.spec.clusterIP).toBe('10.96.0.1');
    expect((await t.k.baseStore.list('core/services/root:acme/default/kubernetes')).items).toHaveLength(1);
    expect((await req('GET', '/clusters/root/api/v1/namespaces/default/services/kubernetes')).json.metadata.labels.touched).toBeUndefined();
  });
});
