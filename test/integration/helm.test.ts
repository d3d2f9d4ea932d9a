// A real Helm 4 (built by scripts/tools.sh from the module proxy) against a tenant's workspace:
// install, list, status, upgrade (changed values, a removed resource and a removed field),
// history, rollback, uninstall of test/fixtures/charts/kplane-demo (ConfigMaps, a Secret, a
// ServiceAccount, a Role and RoleBinding, a CRD from crds/ and a custom resource of it), with
// Helm 4's default server-side apply and, for a second release, the client-side path
// (--server-side=false: create, then three-way patches) and its migration to server-side apply.
// The tenant is an ordinary group (acme-admins, the Workspace's spec.admins), never system:masters:
// its kubeconfig comes from `kplane kubeconfig --group acme-admins` as in the README's journey.
//
// HELM_TARGET=kube runs the same file against a real kube-apiserver + etcd (test/harness): the
// tenant is the admin's token impersonating alice in group acme-admins, which a ClusterRoleBinding
// makes cluster-admin, as spec.admins does in kplane. Every expectation here holds there; only the
// isolation of two tenants' releases is kplane's alone.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type TestKplane } from '../helpers/kplane.js';
import { BIN } from '../helpers/process.js';
import { startManagementCluster, type ManagementCluster } from '../harness/management-cluster.js';
import { ensureTools, toolPath } from '../harness/tools.js';

const onKube = process.env.HELM_TARGET === 'kube';
const CHART = resolve(import.meta.dirname, '../fixtures/charts/kplane-demo');
const NS = 'apps';
const CRD = 'gadgets.charts.kplane.test';

let t: TestKplane | undefined;
let mc: ManagementCluster | undefined;
let dir: string;
/** The tenant's kubeconfig (acme-admins in root:acme, or impersonated on kube). */
let kcA: string;
/** A second tenant's (globex-admins in root:globex); kplane only. */
let kcB: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function helm(args: string[], kubeconfig = kcA, timeoutMs = 180_000): Promise<Run> {
  const home = join(dir, kubeconfig === kcB ? 'home-b' : 'home-a');
  return new Promise((res) => {
    execFile(toolPath('helm'), args, {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        KUBECONFIG: kubeconfig,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * client-go's reflector logs this when `--wait` ends its watches by cancelling their context and
 * the read error of the cancelled stream wins the race with the context (handleAnyWatch selects
 * between the two): the client's own doing, whichever server it talks to.
 */
const CANCELLED_WATCH = /^I\d{4} [\d:.]+ +\d+ reflector\.go:\d+\] "Warning: watch ended with error" .* err="an error on the server \(\\"unable to decode an event from the watch stream: context canceled\\"\) has prevented the request from succeeding"\n/gm;

/** A helm command that must succeed without a word on stderr (no warnings either). */
async function helmOk(args: string[], kubeconfig = kcA): Promise<string> {
  const r = await helm(args, kubeconfig);
  const stderr = r.stderr.replace(CANCELLED_WATCH, '');
  expect({ code: r.code, stderr }, `helm ${args.join(' ')}\n${r.stdout}`).toEqual({ code: 0, stderr: '' });
  return r.stdout;
}

const k = (args: string[], kubeconfig = kcA) => kubectl(machineKubectl(), kubeconfig, args, undefined, 120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function getJson(kind: string, name: string, ns: string | undefined = NS, kubeconfig = kcA): Promise<any> {
  const r = await k(['get', kind, name, ...(ns ? ['-n', ns] : []), '-o', 'json', '--show-managed-fields'], kubeconfig);
  expect(r.stderr, `get ${kind} ${name}`).toBe('');
  return JSON.parse(r.stdout);
}

async function absent(kind: string, name: string, ns = NS, kubeconfig = kcA): Promise<string> {
  const r = await k(['get', kind, name, '-n', ns, '-o', 'name'], kubeconfig);
  expect(r.code).not.toBe(0);
  return r.stderr.trim();
}

/** managedFields without the times: [manager, operation, apiVersion, subresource?, fieldsV1]. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function managed(obj: any): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (obj.metadata.managedFields ?? []).map((m: any) => {
    expect(m.fieldsType).toBe('FieldsV1');
    expect(m.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    return [m.manager, m.operation, m.apiVersion, ...(m.subresource ? [m.subresource] : []), m.fieldsV1];
  });
}

/** Helm's release Secrets in a namespace: name → [status label, version label]. */
async function releaseSecrets(ns = NS, kubeconfig = kcA): Promise<Record<string, string[]>> {
  const r = await k(['get', 'secrets', '-n', ns, '-l', 'owner=helm', '-o', 'json'], kubeconfig);
  expect(r.stderr).toBe('');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const items = JSON.parse(r.stdout).items as any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return Object.fromEntries(items.map((s: any) => {
    expect(s.type).toBe('helm.sh/release.v1');
    return [s.metadata.name, [s.metadata.labels.name, s.metadata.labels.status, s.metadata.labels.version]];
  }));
}

/** The decoded release Helm stored (base64 of gzip of JSON, inside the Secret's base64). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function storedRelease(name: string, ns = NS, kubeconfig = kcA): Promise<any> {
  const s = await getJson('secret', name, ns, kubeconfig);
  const { gunzipSync } = await import('node:zlib');
  return JSON.parse(gunzipSync(Buffer.from(Buffer.from(s.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8'));
}

const LABELS = (release: string) => ({
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/managed-by': 'Helm',
  'app.kubernetes.io/name': 'kplane-demo',
  'helm.sh/chart': 'kplane-demo-0.1.0',
});
const ANNOTATIONS = (release: string, ns = NS) => ({ 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns });

async function tenantKubeconfig(workspace: string, user: string, group: string): Promise<string> {
  const r = await new Promise<Run>((res) => {
    execFile(BIN, ['kubeconfig', '--data-dir', t!.dir, '--workspace', workspace, '--user', user, '--group', group], { timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? 1 : 0, stdout, stderr });
    });
  });
  expect(r.stderr).toBe('');
  const path = join(dir, `${user}.kubeconfig`);
  await writeFile(path, r.stdout, { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  await ensureTools();
  dir = await mkdtemp(join(tmpdir(), 'kplane-helm-'));
  if (onKube) {
    mc = await startManagementCluster();
    const admin = mc.kubeconfigPath;
    const crb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'acme-admins' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'acme-admins' }],
    };
    const r = await kubectl(machineKubectl(), admin, ['create', '-f', '-'], toYaml(crb));
    expect(r.stderr).toBe('');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cfg = parseYaml(await readFile(admin, 'utf8')) as any;
    cfg.users[0].user = { ...cfg.users[0].user, as: 'alice', 'as-groups': ['acme-admins'] };
    kcA = join(dir, 'alice.kubeconfig');
    await writeFile(kcA, toYaml(cfg), { mode: 0o600 });
  } else {
    t = await startKplane();
    const admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
    for (const [ws, group] of [['acme', 'acme-admins'], ['globex', 'globex-admins']] as const) {
      const r = await raw(t.url, admin, {
        method: 'POST',
        path: '/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces',
        body: JSON.stringify({ metadata: { name: ws }, spec: { admins: [{ kind: 'Group', name: group }] } }),
      });
      expect(r.status, r.text).toBe(201);
      await eventually(async () => (await raw(t!.url, admin, { path: `/clusters/root/apis/tenancy.kplane.io/v1alpha1/workspaces/${ws}` })).json?.status?.phase === 'Ready', 10_000, `${ws} Ready`);
    }
    kcA = await tenantKubeconfig('root:acme', 'alice', 'acme-admins');
    kcB = await tenantKubeconfig('root:globex', 'gina', 'globex-admins');
  }
  // the tenant is not the provider's admin
  const who = await k(['auth', 'whoami', '-o', 'json']);
  expect(who.stderr).toBe('');
  const groups = JSON.parse(who.stdout).status.userInfo.groups as string[];
  expect(groups).toContain('acme-admins');
  expect(groups).not.toContain('system:masters');
}, 900_000);

afterAll(async () => {
  await Promise.allSettled([t?.stop(), mc?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('helm 4 with server-side apply (its default)', () => {
  it('is the pinned Helm 4', async () => {
    const v = await helmOk(['version', '--short']);
    expect(v.trim()).toMatch(/^v4\.\d+\.\d+/);
  });

  it('installs the chart: CRD first, then every resource, and the release as a Secret', async () => {
    const out = await helmOk(['install', 'demo', CHART, '-n', NS, '--create-namespace', '--wait', '--timeout', '2m']);
    expect(out).toMatch(/^NAME: demo\nLAST DEPLOYED: .+\nNAMESPACE: apps\nSTATUS: deployed\nREVISION: 1\nDESCRIPTION: Install complete\n/);
    expect(out).toContain('NOTES:\ndemo-kplane-demo says hello (revision 1).\n');

    const crd = await getJson('crd', CRD, undefined);
    expect(crd.status.conditions.find((c: { type: string }) => c.type === 'Established').status).toBe('True');

    const cm = await getJson('configmap', 'demo-kplane-demo-config');
    expect(cm.metadata.labels).toEqual(LABELS('demo'));
    expect(cm.metadata.annotations).toEqual(ANNOTATIONS('demo'));
    expect(cm.data).toEqual({
      greeting: 'hello', logLevel: 'info', features: 'alpha,beta', revision: '1',
      'app.properties': 'greeting=hello\nfeature.alpha=on\nfeature.beta=on\n',
    });
    expect(managed(cm)).toEqual([[
      'helm', 'Apply', 'v1', {
        'f:data': { 'f:app.properties': {}, 'f:features': {}, 'f:greeting': {}, 'f:logLevel': {}, 'f:revision': {} },
        'f:metadata': {
          'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
          'f:labels': { 'f:app.kubernetes.io/instance': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:app.kubernetes.io/name': {}, 'f:helm.sh/chart': {} },
        },
      },
    ]]);
    expect((await getJson('configmap', 'demo-kplane-demo-extra')).data).toEqual({ colour: 'blue' });

    const secret = await getJson('secret', 'demo-kplane-demo-db');
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ username: Buffer.from('app').toString('base64'), password: Buffer.from('s3cret').toString('base64') });
    expect(secret.stringData).toBeUndefined();

    const sa = await getJson('serviceaccount', 'demo-kplane-demo');
    expect(sa.automountServiceAccountToken).toBe(false);
    const role = await getJson('role', 'demo-kplane-demo-reader');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['charts.kplane.test'], resources: ['gadgets'], verbs: ['get', 'list'] },
    ]);
    const rb = await getJson('rolebinding', 'demo-kplane-demo-reader');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-kplane-demo-reader' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'demo-kplane-demo', namespace: NS }]);

    const gadget = await getJson('gadget', 'demo-kplane-demo');
    expect(gadget.spec).toEqual({ size: 'small', replicas: 1, owner: 'demo-kplane-demo', ports: [{ name: 'http', port: 80 }] });
    expect(managed(gadget)).toEqual([[
      'helm', 'Apply', 'charts.kplane.test/v1', {
        'f:metadata': {
          'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
          'f:labels': { 'f:app.kubernetes.io/instance': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:app.kubernetes.io/name': {}, 'f:helm.sh/chart': {} },
        },
        'f:spec': { 'f:owner': {}, 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:replicas': {}, 'f:size': {} },
      },
    ]]);

    expect(await releaseSecrets()).toEqual({ 'sh.helm.release.v1.demo.v1': ['demo', 'deployed', '1'] });
    const rel = await storedRelease('sh.helm.release.v1.demo.v1');
    expect(rel).toMatchObject({ name: 'demo', namespace: NS, version: 1, info: { status: 'deployed' }, apply_method: 'ssa' });
  });

  it('lists and shows the release', async () => {
    const list = JSON.parse(await helmOk(['list', '-n', NS, '-o', 'json']));
    expect(list).toEqual([expect.objectContaining({ name: 'demo', namespace: NS, revision: '1', status: 'deployed', chart: 'kplane-demo-0.1.0', app_version: '1.0.0' })]);
    const all = JSON.parse(await helmOk(['list', '--all-namespaces', '-o', 'json']));
    expect(all.map((r: { name: string; namespace: string }) => `${r.namespace}/${r.name}`)).toEqual([`${NS}/demo`]);

    const status = JSON.parse(await helmOk(['status', 'demo', '-n', NS, '-o', 'json']));
    expect(status).toMatchObject({ name: 'demo', namespace: NS, version: 1, info: { status: 'deployed', description: 'Install complete' } });
    const text = await helmOk(['status', 'demo', '-n', NS]);
    expect(text).toMatch(/^NAME: demo\n/);
    expect(text).toContain('STATUS: deployed\nREVISION: 1\n');
    // the resources as tables, as kube's Table answers print them
    // the sections come in any order (a Go map), the rows in the release's order
    const section = (title: string) => new RegExp(`\n==> ${title.replace(/[/.]/g, '\\$&')}\n((?:.+\n)+)\n`).exec(text)?.[1]?.split('\n').filter(Boolean).map((l) => l.trim().split(/\s{2,}/));
    expect(section('v1/ConfigMap')?.map((r) => r.slice(0, 2)).sort()).toEqual([['NAME', 'DATA'], ['demo-kplane-demo-config', '5'], ['demo-kplane-demo-extra', '1']]);
    expect(section('v1/Secret')?.map((r) => r.slice(0, 3))).toEqual([['NAME', 'TYPE', 'DATA'], ['demo-kplane-demo-db', 'Opaque', '2']]);
    expect(section('v1/ServiceAccount')?.map((r) => r.slice(0, 2))).toEqual([['NAME', 'SECRETS'], ['demo-kplane-demo', '0']]);
    expect(section('v1/Role')?.map((r) => r[0])).toEqual(['NAME', 'demo-kplane-demo-reader']);
    expect(section('v1/RoleBinding')?.map((r) => r.slice(0, 2))).toEqual([['NAME', 'ROLE'], ['demo-kplane-demo-reader', 'Role/demo-kplane-demo-reader']]);
    // the CRD's printer columns
    expect(section('v1/Gadget')).toEqual([['NAME', 'SIZE', 'REPLICAS'], ['demo-kplane-demo', 'small', '1']]);

    const values = JSON.parse(await helmOk(['get', 'values', 'demo', '-n', NS, '--all', '-o', 'json']));
    expect(values.greeting).toBe('hello');
    const manifest = await helmOk(['get', 'manifest', 'demo', '-n', NS]);
    expect(manifest).toContain('kind: Gadget');
  });

  it('upgrades with changed values: fields change, a removed field and a removed resource go', async () => {
    const out = await helmOk([
      'upgrade', 'demo', CHART, '-n', NS, '--wait', '--timeout', '2m',
      '--set', 'greeting=bonjour', '--set', 'logLevel=null', '--set', 'extra.enabled=false',
      '--set', 'gadget.size=large', '--set', 'gadget.replicas=3', '--set', 'rbac.verbs={get,list}',
      '--set', 'database.password=n3w',
    ]);
    expect(out).toMatch(/^Release "demo" has been upgraded\. Happy Helming!\nNAME: demo\n/);
    expect(out).toContain('STATUS: deployed\nREVISION: 2\nDESCRIPTION: Upgrade complete\n');

    const cm = await getJson('configmap', 'demo-kplane-demo-config');
    expect(cm.data).toEqual({
      greeting: 'bonjour', features: 'alpha,beta', revision: '2',
      'app.properties': 'greeting=bonjour\nfeature.alpha=on\nfeature.beta=on\n',
    });
    expect(managed(cm)).toEqual([[
      'helm', 'Apply', 'v1', {
        'f:data': { 'f:app.properties': {}, 'f:features': {}, 'f:greeting': {}, 'f:revision': {} },
        'f:metadata': {
          'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
          'f:labels': { 'f:app.kubernetes.io/instance': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:app.kubernetes.io/name': {}, 'f:helm.sh/chart': {} },
        },
      },
    ]]);
    expect(await absent('configmap', 'demo-kplane-demo-extra')).toBe('Error from server (NotFound): configmaps "demo-kplane-demo-extra" not found');
    expect((await getJson('secret', 'demo-kplane-demo-db')).data.password).toBe(Buffer.from('n3w').toString('base64'));
    expect((await getJson('role', 'demo-kplane-demo-reader')).rules[0].verbs).toEqual(['get', 'list']);
    expect((await getJson('gadget', 'demo-kplane-demo')).spec).toEqual({ size: 'large', replicas: 3, owner: 'demo-kplane-demo', ports: [{ name: 'http', port: 80 }] });

    expect(await releaseSecrets()).toEqual({
      'sh.helm.release.v1.demo.v1': ['demo', 'superseded', '1'],
      'sh.helm.release.v1.demo.v2': ['demo', 'deployed', '2'],
    });
  });

  it('refuses a bad value with the server\'s validation error: a failed revision, the objects as they were', async () => {
    const r = await helm(['upgrade', 'demo', CHART, '-n', NS, '--set', 'gadget.size=huge']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Gadget.charts.kplane.test "demo-kplane-demo" is invalid: spec.size: Unsupported value: "huge": supported values: "small", "medium", "large"');
    expect((await getJson('gadget', 'demo-kplane-demo')).spec.size).toBe('large');
    const list = JSON.parse(await helmOk(['list', '-n', NS, '-o', 'json']));
    expect(list).toEqual([expect.objectContaining({ name: 'demo', revision: '3', status: 'failed' })]);
  });

  it('shows the history', async () => {
    const h = JSON.parse(await helmOk(['history', 'demo', '-n', NS, '-o', 'json']));
    expect(h.map((e: { revision: number; status: string; description: string; chart: string }) => [e.revision, e.status, e.description, e.chart])).toEqual([
      [1, 'superseded', 'Install complete', 'kplane-demo-0.1.0'],
      [2, 'deployed', 'Upgrade complete', 'kplane-demo-0.1.0'],
      [3, 'failed', expect.stringContaining('Upgrade "demo" failed'), 'kplane-demo-0.1.0'],
    ]);
  });

  it('rolls back to revision 1: the values, the field and the resource return', async () => {
    const out = await helmOk(['rollback', 'demo', '1', '-n', NS, '--wait', '--timeout', '2m']);
    expect(out.trim()).toBe('Rollback was a success! Happy Helming!');
    const cm = await getJson('configmap', 'demo-kplane-demo-config');
    expect(cm.data).toEqual({
      greeting: 'hello', logLevel: 'info', features: 'alpha,beta', revision: '1',
      'app.properties': 'greeting=hello\nfeature.alpha=on\nfeature.beta=on\n',
    });
    expect((await getJson('configmap', 'demo-kplane-demo-extra')).data).toEqual({ colour: 'blue' });
    expect((await getJson('secret', 'demo-kplane-demo-db')).data.password).toBe(Buffer.from('s3cret').toString('base64'));
    expect((await getJson('role', 'demo-kplane-demo-reader')).rules[0].verbs).toEqual(['get', 'list', 'watch']);
    expect((await getJson('gadget', 'demo-kplane-demo')).spec).toEqual({ size: 'small', replicas: 1, owner: 'demo-kplane-demo', ports: [{ name: 'http', port: 80 }] });
    const h = JSON.parse(await helmOk(['history', 'demo', '-n', NS, '-o', 'json']));
    expect(h.map((e: { revision: number; status: string; description: string }) => [e.revision, e.status, e.description])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'superseded', 'Upgrade complete'],
      [3, 'failed', expect.stringContaining('Upgrade "demo" failed')],
      [4, 'deployed', 'Rollback to 1'],
    ]);
  });

  it('uninstalls: every resource and release Secret is gone, the CRD stays (Helm keeps CRDs)', async () => {
    const out = await helmOk(['uninstall', 'demo', '-n', NS, '--wait', '--timeout', '2m']);
    expect(out.trim()).toBe('release "demo" uninstalled');
    for (const [kind, name, plural] of [
      ['configmap', 'demo-kplane-demo-config', 'configmaps'],
      ['configmap', 'demo-kplane-demo-extra', 'configmaps'],
      ['secret', 'demo-kplane-demo-db', 'secrets'],
      ['serviceaccount', 'demo-kplane-demo', 'serviceaccounts'],
      ['role', 'demo-kplane-demo-reader', 'roles.rbac.authorization.k8s.io'],
      ['rolebinding', 'demo-kplane-demo-reader', 'rolebindings.rbac.authorization.k8s.io'],
      ['gadget', 'demo-kplane-demo', 'gadgets.charts.kplane.test'],
    ] as const) {
      expect(await absent(kind, name)).toBe(`Error from server (NotFound): ${plural} "${name}" not found`);
    }
    expect(await releaseSecrets()).toEqual({});
    expect(JSON.parse(await helmOk(['list', '-n', NS, '-o', 'json']))).toEqual([]);
    expect((await getJson('crd', CRD, undefined)).metadata.name).toBe(CRD);
    const r = await helm(['status', 'demo', '-n', NS]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error: release: not found');
  });
});

describe('helm 4 with client-side apply (--server-side=false), then migrated to server-side apply', () => {
  const CNS = 'csa';

  it('installs with create and upgrades with three-way patches', async () => {
    const out = await helmOk(['install', 'csa', CHART, '-n', CNS, '--create-namespace', '--server-side=false']);
    expect(out).toContain('STATUS: deployed\nREVISION: 1\n');
    const cm1 = await getJson('configmap', 'csa-kplane-demo-config', CNS);
    expect(managed(cm1)).toEqual([[
      'helm', 'Update', 'v1', {
        'f:data': { '.': {}, 'f:app.properties': {}, 'f:features': {}, 'f:greeting': {}, 'f:logLevel': {}, 'f:revision': {} },
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
          'f:labels': { '.': {}, 'f:app.kubernetes.io/instance': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:app.kubernetes.io/name': {}, 'f:helm.sh/chart': {} },
        },
      },
    ]]);
    expect((await storedRelease('sh.helm.release.v1.csa.v1', CNS)).apply_method).toBe('csa');

    // "auto" keeps the previous release's method: strategic merge for built-in kinds, merge patch for the CR
    const up = await helmOk([
      'upgrade', 'csa', CHART, '-n', CNS,
      '--set', 'greeting=hi', '--set', 'logLevel=null', '--set', 'extra.enabled=false', '--set', 'gadget.size=medium',
      '--set', 'gadget.ports[0].name=https', '--set', 'gadget.ports[0].port=443', '--set', 'rbac.verbs={get}',
    ]);
    expect(up).toContain('STATUS: deployed\nREVISION: 2\n');
    expect((await getJson('configmap', 'csa-kplane-demo-config', CNS)).data).toEqual({
      greeting: 'hi', features: 'alpha,beta', revision: '2', 'app.properties': 'greeting=hi\nfeature.alpha=on\nfeature.beta=on\n',
    });
    expect(await absent('configmap', 'csa-kplane-demo-extra', CNS)).toBe('Error from server (NotFound): configmaps "csa-kplane-demo-extra" not found');
    expect((await getJson('role', 'csa-kplane-demo-reader', CNS)).rules[0].verbs).toEqual(['get']);
    const g = await getJson('gadget', 'csa-kplane-demo', CNS);
    expect(g.spec).toEqual({ size: 'medium', replicas: 1, owner: 'csa-kplane-demo', ports: [{ name: 'https', port: 443 }] });
    expect(managed(g)).toEqual([[
      'helm', 'Update', 'charts.kplane.test/v1', {
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
          'f:labels': { '.': {}, 'f:app.kubernetes.io/instance': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:app.kubernetes.io/name': {}, 'f:helm.sh/chart': {} },
        },
        'f:spec': { '.': {}, 'f:owner': {}, 'f:ports': { '.': {}, 'k:{"name":"https"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:replicas': {}, 'f:size': {} },
      },
    ]]);
    expect((await storedRelease('sh.helm.release.v1.csa.v2', CNS)).apply_method).toBe('csa');
  });

  it('moves the release to server-side apply: Helm rewrites its Update entries into one Apply entry', async () => {
    const up = await helmOk(['upgrade', 'csa', CHART, '-n', CNS, '--server-side=true', '--reuse-values', '--set', 'greeting=hej']);
    expect(up).toContain('STATUS: deployed\nREVISION: 3\n');
    const cm = await getJson('configmap', 'csa-kplane-demo-config', CNS);
    expect(cm.data.greeting).toBe('hej');
    expect(managed(cm)).toEqual([[
      'helm', 'Apply', 'v1', {
        'f:data': { 'f:app.properties': {}, 'f:features': {}, 'f:greeting': {}, 'f:revision': {} },
        'f:metadata': {
          'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
          'f:labels': { 'f:app.kubernetes.io/instance': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:app.kubernetes.io/name': {}, 'f:helm.sh/chart': {} },
        },
      },
    ]]);
    expect((await storedRelease('sh.helm.release.v1.csa.v3', CNS)).apply_method).toBe('ssa');
    expect((await helmOk(['uninstall', 'csa', '-n', CNS])).trim()).toBe('release "csa" uninstalled');
    expect(await releaseSecrets(CNS)).toEqual({});
  });
});

describe.skipIf(onKube)('two tenants, one release name', () => {
  it('each installs "demo" in its own workspace and sees only its own release', async () => {
    await helmOk(['install', 'demo', CHART, '-n', NS, '--create-namespace', '--set', 'greeting=acme']);
    await helmOk(['install', 'demo', CHART, '-n', NS, '--create-namespace', '--set', 'greeting=globex', '--set', 'gadget.size=large'], kcB);
    await helmOk(['upgrade', 'demo', CHART, '-n', NS, '--set', 'greeting=globex2'], kcB);

    const la = JSON.parse(await helmOk(['list', '-A', '-o', 'json']));
    const lb = JSON.parse(await helmOk(['list', '-A', '-o', 'json'], kcB));
    expect(la.map((r: { name: string; revision: string }) => [r.name, r.revision])).toEqual([['demo', '1']]);
    expect(lb.map((r: { name: string; revision: string }) => [r.name, r.revision])).toEqual([['demo', '2']]);
    expect(await releaseSecrets()).toEqual({ 'sh.helm.release.v1.demo.v1': ['demo', 'deployed', '1'] });
    expect(await releaseSecrets(NS, kcB)).toEqual({
      'sh.helm.release.v1.demo.v1': ['demo', 'superseded', '1'],
      'sh.helm.release.v1.demo.v2': ['demo', 'deployed', '2'],
    });
    expect((await getJson('configmap', 'demo-kplane-demo-config')).data.greeting).toBe('acme');
    expect((await getJson('configmap', 'demo-kplane-demo-config', NS, kcB)).data.greeting).toBe('globex2');
    expect((await getJson('gadget', 'demo-kplane-demo')).spec.size).toBe('small');

    // one tenant's uninstall leaves the other's release alone
    await helmOk(['uninstall', 'demo', '-n', NS], kcB);
    expect(JSON.parse(await helmOk(['list', '-A', '-o', 'json'], kcB))).toEqual([]);
    expect(JSON.parse(await helmOk(['list', '-A', '-o', 'json'])).map((r: { name: string }) => r.name)).toEqual(['demo']);
    expect((await getJson('configmap', 'demo-kplane-demo-config')).data.greeting).toBe('acme');

    // and neither tenant's credentials reach the other's workspace
    // (client-go's ServerVersion reads a 403 Status as "unknown": the door's answer is below)
    const foreign = await helm(['list', '-A', '--kube-apiserver', `${t!.url}/clusters/root:globex`]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toContain('Error: kubernetes cluster unreachable');
    const door = await k(['get', 'secrets', '-A', '--server', `${t!.url}/clusters/root:globex`]);
    expect(door.stderr.trim()).toBe('Error from server (Forbidden): logicalclusters.core.kplane.io "root:globex" is forbidden: User "alice" cannot access logical cluster "root:globex": it does not exist or access is not granted');
  });
});
