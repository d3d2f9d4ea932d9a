// Test fixture: a real Cluster API management cluster on top of the
// management-cluster fixture (etcd + kube-apiserver, see management-cluster.ts).
//
//   const mc = await startManagementCluster();
//   const capi = await startClusterAPI(mc);
//   ... kubectl apply -f - <<< capi.renderCluster({ name: 'c1', namespace: 'team-a' }) ...
//   await capi.stop();
//   await mc.stop();
//
// What `clusterctl init --infrastructure docker` would have installed, but with
// the managers running as local processes instead of Deployments (there are
// no nodes, and no cert-manager):
//
// - the CRDs of Cluster API core, the kubeadm bootstrap and control-plane
//   providers and CAPD, read from the Go module cache scripts/tools.sh fills
//   (never committed), with the labels their kustomizations add (contract
//   labels, cluster.x-k8s.io/provider) plus clusterctl's own, and the
//   conversion webhooks their kustomize patches enable, pointed at the owning
//   manager's webhook server on 127.0.0.1;
// - one webhook CA and a serving certificate per manager (SAN 127.0.0.1) in
//   <mc.dir>/capi/<manager>/certs (tls.crt, tls.key);
// - each provider's Mutating/ValidatingWebhookConfigurations, rewritten from
//   `service:` references to `url: https://127.0.0.1:<port><path>`;
// - the four managers (.tools/bin/capi-core, capi-kubeadm-bootstrap,
//   capi-kubeadm-control-plane, capd) with the admin kubeconfig, leader
//   election off, diagnostics off, health probes on free loopback ports,
//   ClusterTopology on; CAPD with POD_IP=127.0.0.1 so the API servers of its
//   in-memory workload clusters listen on loopback. Logs go to
//   <mc.dir>/capi/<manager>.log;
// - the clusterctl inventory: the providers.clusterctl.cluster.x-k8s.io CRD
//   and one Provider per manager (what `clusterctl describe`/`upgrade` read);
// - the in-memory ClusterClass of CAPD's templates (DevCluster/DevMachine with
//   the inMemory backend) in its own namespace (default capi-classes).
//
// Limits that come from CAPD itself: its in-memory server binds a debug port
// 19000 and workload-cluster ports from 20000 up on all interfaces, fixed, so
// two of these fixtures cannot run at once on one machine; the webhook
// servers also listen on all interfaces (the port is free and chosen here).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, parseAllDocuments, stringify as toYaml } from 'yaml';
import { distinctFreePorts, httpGet, isRunning, logTail, startProcess, stopProcess, waitFor, type ManagementCluster, type Proc } from './management-cluster.js';
import { issueCertificate } from './pki.js';
import { pinnedVersions, toolPath, type ToolName } from './tools.js';

const run = promisify(execFile);

type Obj = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> };

export interface ClusterAPIOptions {
  /** Namespace of the in-memory ClusterClass and its templates. Default `capi-classes`. */
  classNamespace?: string;
  /** Name of that ClusterClass. Default `in-memory` (the template's). */
  className?: string;
  /**
   * Overrides every `startupDuration` of the in-memory DevMachineTemplates (VM,
   * node, API server, etcd: the template says 10s for the VM, 2s for the rest),
   * e.g. `'1s'` for faster tests. Jitter is kept.
   */
  machineStartupDuration?: string;
  /** Extra flags per manager, appended after the defaults. */
  managerArgs?: Partial<Record<ManagerName, string[]>>;
  /** Bound on the whole start-up (install, managers ready, class reconciled). Default 180 s. */
  startupTimeoutMs?: number;
}

export type ManagerName = 'core' | 'bootstrap' | 'controlPlane' | 'infrastructure';

export interface RenderClusterOptions {
  name: string;
  namespace: string;
  /** spec.topology.version. Default the pinned kube-apiserver version (v1.34.x). */
  kubernetesVersion?: string;
  /** Default 1. */
  controlPlaneReplicas?: number;
  /** Replicas of MachineDeployment md-0 (class default-worker). 0 (default) leaves out the workers. */
  workerReplicas?: number;
  /** Other template variables (SERVICE_CIDR, POD_CIDR, SERVICE_DOMAIN, ...). */
  vars?: Record<string, string>;
}

export interface ClusterAPI {
  /** The management cluster's admin kubeconfig (the managers use it too). */
  kubeconfigPath: string;
  classNamespace: string;
  className: string;
  /** Log file of each manager. */
  logs: Record<ManagerName, string>;
  /** Process id of each manager. */
  pids: Record<ManagerName, number>;
  /** https://127.0.0.1:<port> of each manager's webhook server. */
  webhookUrls: Record<ManagerName, string>;
  /** Milliseconds spent in each start-up phase. */
  timings: Record<string, number>;
  /** A v1beta2 Cluster (YAML) from CAPD's cluster-template-in-memory.yaml, using this fixture's ClusterClass. */
  renderCluster(opts: RenderClusterOptions): string;
  /** Stops the managers (SIGTERM, then SIGKILL). Leaves the management cluster running. Idempotent. */
  stop(): Promise<void>;
}

// ------------------------------------------------------------ module data --
function toolsCache(): string {
  return process.env.KPLANE_TOOLS_CACHE ?? path.join(process.env.HOME ?? os.tmpdir(), '.cache', 'kplane-tools');
}

/** sigs.k8s.io/cluster-api and sigs.k8s.io/cluster-api/test of the pinned release in the module cache. */
export function capiModuleDirs(): { core: string; test: string } {
  const v = pinnedVersions().clusterctl;
  const root = path.join(toolsCache(), 'gomod', 'sigs.k8s.io');
  const dirs = { core: path.join(root, `cluster-api@${v}`), test: path.join(root, 'cluster-api', `test@${v}`) };
  for (const d of Object.values(dirs)) {
    if (!existsSync(d)) throw new Error(`${d} is missing: run \`npm run tools\` (it fetches Cluster API into the module cache)`);
  }
  return dirs;
}

interface ProviderDef {
  manager: ManagerName;
  tool: ToolName;
  /** The provider's directory in the module (holds config/). */
  dir: string;
  /** clusterctl inventory. */
  providerName: string;
  type: 'CoreProvider' | 'BootstrapProvider' | 'ControlPlaneProvider' | 'InfrastructureProvider';
  featureGates: string[];
  env?: Record<string, string>;
}

function providerDefs(): ProviderDef[] {
  const { core, test } = capiModuleDirs();
  return [
    { manager: 'core', tool: 'capi-core', dir: path.join(core, 'core'), providerName: 'cluster-api', type: 'CoreProvider', featureGates: ['ClusterTopology=true'] },
    { manager: 'bootstrap', tool: 'capi-kubeadm-bootstrap', dir: path.join(core, 'bootstrap', 'kubeadm'), providerName: 'kubeadm', type: 'BootstrapProvider', featureGates: [] },
    {
      manager: 'controlPlane',
      tool: 'capi-kubeadm-control-plane',
      dir: path.join(core, 'controlplane', 'kubeadm'),
      providerName: 'kubeadm',
      type: 'ControlPlaneProvider',
      featureGates: ['ClusterTopology=true'],
    },
    {
      manager: 'infrastructure',
      tool: 'capd',
      dir: path.join(test, 'infrastructure', 'docker'),
      providerName: 'docker',
      type: 'InfrastructureProvider',
      featureGates: ['ClusterTopology=true'],
      env: { POD_IP: '127.0.0.1' },
    },
  ];
}

/** clusterctl's cluster.x-k8s.io/provider value for a provider (ManifestLabel). */
function manifestLabel(p: ProviderDef): string {
  const prefix = { CoreProvider: '', BootstrapProvider: 'bootstrap-', ControlPlaneProvider: 'control-plane-', InfrastructureProvider: 'infrastructure-' }[p.type];
  return `${prefix}${p.providerName}`;
}

function readDocs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Obj => !!o && typeof o === 'object');
}

interface Kustomization {
  resources?: string[];
  patches?: { path?: string }[];
  labels?: { pairs?: Record<string, string> }[];
  namespace?: string;
  namePrefix?: string;
}

function readKustomization(dir: string): Kustomization {
  return (parseYaml(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) ?? {}) as Kustomization;
}

function labelPairs(k: Kustomization): Record<string, string> {
  return Object.assign({}, ...(k.labels ?? []).map((l) => l.pairs ?? {})) as Record<string, string>;
}

const CLUSTERCTL_LABEL = 'clusterctl.cluster.x-k8s.io';

function meta(o: Obj): Record<string, unknown> {
  o.metadata ??= {};
  return o.metadata;
}

function addLabels(o: Obj, labels: Record<string, string>): void {
  const m = meta(o);
  m.labels = { ...((m.labels as Record<string, string> | undefined) ?? {}), ...labels };
}

interface ProviderInstall {
  namespace: string;
  /** labels every object of the provider gets (kustomize default + clusterctl). */
  labels: Record<string, string>;
  crds: Obj[];
  webhookConfigs: Obj[];
}

/** The provider's CRDs and webhook configurations, as kustomize + clusterctl would render them for a loopback webhook server. */
function providerInstall(p: ProviderDef, webhookUrl: string, caBundle: string): ProviderInstall {
  const config = path.join(p.dir, 'config');
  const def = readKustomization(path.join(config, 'default'));
  const crdK = readKustomization(path.join(config, 'crd'));
  if (!def.namespace) throw new Error(`${config}/default/kustomization.yaml has no namespace`);
  const labels: Record<string, string> = { ...labelPairs(def), [CLUSTERCTL_LABEL]: '' };
  labels['cluster.x-k8s.io/provider'] = manifestLabel(p);

  // Conversion patches, by CRD name.
  const conversions = new Map<string, Record<string, unknown>>();
  for (const patch of crdK.patches ?? []) {
    if (!patch.path) continue;
    for (const doc of readDocs(path.join(config, 'crd', patch.path))) {
      const spec = doc.spec as { conversion?: { strategy?: string; webhook?: Record<string, unknown> } } | undefined;
      const name = doc.metadata?.name as string | undefined;
      if (doc.kind !== 'CustomResourceDefinition' || !name || spec?.conversion?.strategy !== 'Webhook') continue;
      const webhook = spec.conversion.webhook ?? {};
      const svc = (webhook.clientConfig as { service?: { path?: string } } | undefined)?.service;
      conversions.set(name, {
        strategy: 'Webhook',
        webhook: { ...webhook, clientConfig: { url: `${webhookUrl}${svc?.path ?? '/convert'}`, caBundle } },
      });
    }
  }

  const crds: Obj[] = [];
  const crdLabels = { ...labelPairs(crdK), ...labels };
  for (const res of crdK.resources ?? []) {
    for (const crd of readDocs(path.join(config, 'crd', res))) {
      if (crd.kind !== 'CustomResourceDefinition') continue;
      addLabels(crd, crdLabels);
      const conv = conversions.get(meta(crd).name as string);
      if (conv) (crd.spec as Record<string, unknown>).conversion = conv;
      crds.push(crd);
    }
  }

  const webhookConfigs: Obj[] = [];
  const manifests = path.join(config, 'webhook', 'manifests.yaml');
  if (existsSync(manifests)) {
    for (const wc of readDocs(manifests)) {
      if (wc.kind !== 'MutatingWebhookConfiguration' && wc.kind !== 'ValidatingWebhookConfiguration') continue;
      const m = meta(wc);
      m.name = `${def.namePrefix ?? ''}${m.name as string}`;
      addLabels(wc, labels);
      for (const w of (wc.webhooks as { clientConfig?: { service?: { path?: string } } }[] | undefined) ?? []) {
        const p2 = w.clientConfig?.service?.path ?? '/';
        w.clientConfig = { url: `${webhookUrl}${p2}`, caBundle } as never;
      }
      webhookConfigs.push(wc);
    }
  }
  return { namespace: def.namespace, labels, crds, webhookConfigs };
}

// ------------------------------------------------------------- templates --
/**
 * Substitutes clusterctl-style variables: `${VAR}`, `${VAR:=default}` and
 * `${VAR:-default}`. A variable without a value or default is an error.
 */
export function substituteVariables(text: string, vars: Record<string, string>): string {
  const missing = new Set<string>();
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[=-]((?:[^}"]|"[^"]*")*))?\}/g, (_m, name: string, dflt: string | undefined) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    if (dflt !== undefined) return dflt;
    missing.add(name);
    return '';
  });
  if (missing.size) throw new Error(`template variables without a value: ${[...missing].join(', ')}`);
  return out;
}

function templatesDir(): string {
  return path.join(capiModuleDirs().test, 'infrastructure', 'docker', 'templates');
}

/** The in-memory ClusterClass and its templates, in `namespace`, the class named `className`. */
function classObjects(namespace: string, className: string, startupDuration: string | undefined): Obj[] {
  const text = substituteVariables(readFileSync(path.join(templatesDir(), 'clusterclass-in-memory.yaml'), 'utf8'), {});
  const objs = parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Obj => !!o && typeof o === 'object');
  for (const o of objs) {
    meta(o).namespace = namespace;
    if (o.kind === 'ClusterClass') meta(o).name = className;
    if (startupDuration && o.kind === 'DevMachineTemplate') {
      type Provisioned = { provisioning?: { startupDuration?: string } };
      const spec = o.spec as { template?: { spec?: { backend?: { inMemory?: Record<string, Provisioned> } } } } | undefined;
      const inMemory = spec?.template?.spec?.backend?.inMemory ?? {};
      for (const part of Object.values(inMemory)) if (part?.provisioning) part.provisioning.startupDuration = startupDuration;
    }
  }
  if (!objs.some((o) => o.kind === 'ClusterClass')) throw new Error('clusterclass-in-memory.yaml has no ClusterClass');
  return objs;
}

/** A Cluster from CAPD's cluster-template-in-memory.yaml whose topology uses the ClusterClass `className` in `classNamespace`. */
export function renderInMemoryCluster(opts: RenderClusterOptions & { classNamespace: string; className: string }): string {
  const vars: Record<string, string> = {
    CLUSTER_NAME: opts.name,
    NAMESPACE: opts.namespace,
    KUBERNETES_VERSION: opts.kubernetesVersion ?? pinnedVersions()['kube-apiserver'],
    CONTROL_PLANE_MACHINE_COUNT: String(opts.controlPlaneReplicas ?? 1),
    WORKER_MACHINE_COUNT: String(opts.workerReplicas ?? 0),
    ...opts.vars,
  };
  const text = substituteVariables(readFileSync(path.join(templatesDir(), 'cluster-template-in-memory.yaml'), 'utf8'), vars);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Obj);
  const cluster = docs.find((d) => d?.kind === 'Cluster');
  if (!cluster) throw new Error('cluster-template-in-memory.yaml has no Cluster');
  const topology = (cluster.spec as { topology: { classRef: Record<string, string>; workers?: unknown } }).topology;
  topology.classRef = { ...topology.classRef, name: opts.className, namespace: opts.classNamespace };
  if (!opts.workerReplicas) delete topology.workers;
  return docs.map((d) => toYaml(d)).join('---\n');
}

// --------------------------------------------------------------- fixture --
async function kubectl(mc: ManagementCluster, args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
  const child = run(toolPath('kubectl'), [`--kubeconfig=${mc.kubeconfigPath}`, `--cache-dir=${path.join(mc.dir, 'kubectl-cache')}`, ...args], {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return (await child).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Server-side apply of objects as clusterctl (one field manager). */
async function apply(mc: ManagementCluster, objs: Obj[], file: string): Promise<void> {
  writeFileSync(file, objs.map((o) => toYaml(o)).join('---\n'));
  await kubectl(mc, ['apply', '--server-side', '--force-conflicts', '--field-manager=clusterctl', '-f', file]);
}

/** Installs Cluster API into `mc` and starts its managers; see the module comment. */
export async function startClusterAPI(mc: ManagementCluster, opts: ClusterAPIOptions = {}): Promise<ClusterAPI> {
  const started = Date.now();
  const deadline = started + (opts.startupTimeoutMs ?? 180_000);
  const timings: Record<string, number> = {};
  let t = Date.now();
  const phase = (name: string): void => {
    const now = Date.now();
    timings[name] = now - t;
    t = now;
  };
  const classNamespace = opts.classNamespace ?? 'capi-classes';
  const className = opts.className ?? 'in-memory';
  const version = pinnedVersions().clusterctl;
  const defs = providerDefs();
  for (const d of defs) {
    if (!existsSync(toolPath(d.tool))) throw new Error(`${toolPath(d.tool)} is missing: call ensureTools() first (or run \`npm run tools\`)`);
  }
  const base = path.join(mc.dir, 'capi');
  mkdirSync(base, { recursive: true });

  const procs: Proc[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all(procs.map((p) => stopProcess(p)));
    })();
    return stopped;
  };

  try {
    // Ports and certificates.
    const ports = await distinctFreePorts(defs.length * 2);
    const ca = issueCertificate({ subject: { commonName: 'capi-webhook-ca' }, isCA: true });
    const caBundle = Buffer.from(ca.certPem).toString('base64');
    writeFileSync(path.join(base, 'webhook-ca.crt'), ca.certPem);
    const mgrs = defs.map((d, i) => {
      const webhookPort = ports[2 * i]!;
      const healthPort = ports[2 * i + 1]!;
      const certDir = path.join(base, d.manager, 'certs');
      mkdirSync(certDir, { recursive: true });
      const serving = issueCertificate({ subject: { commonName: `${d.tool}-webhook` }, issuer: ca, usages: ['server'], sans: ['127.0.0.1', 'localhost'] });
      writeFileSync(path.join(certDir, 'tls.crt'), serving.certPem);
      writeFileSync(path.join(certDir, 'tls.key'), serving.keyPem, { mode: 0o600 });
      const webhookUrl = `https://127.0.0.1:${webhookPort}`;
      return { def: d, webhookPort, healthPort, certDir, webhookUrl, install: providerInstall(d, webhookUrl, caBundle), logFile: path.join(base, `${d.tool}.log`) };
    });
    phase('certificates');

    // Namespaces, CRDs (+ the clusterctl inventory CRD), webhook configurations.
    const { core } = capiModuleDirs();
    const inventoryCrds = readDocs(path.join(core, 'cmd', 'clusterctl', 'config', 'manifest', 'clusterctl-api.yaml'));
    for (const o of inventoryCrds) addLabels(o, { [`${CLUSTERCTL_LABEL}/core`]: 'inventory' });
    const namespaces: Obj[] = mgrs.map((m) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: m.install.namespace, labels: m.install.labels } }));
    await apply(mc, [...namespaces, ...inventoryCrds, ...mgrs.flatMap((m) => m.install.crds)], path.join(base, 'crds.yaml'));
    await kubectl(mc, ['wait', '--for=condition=Established', 'crd', '-l', CLUSTERCTL_LABEL, '--timeout=60s']);
    await kubectl(mc, ['wait', '--for=condition=Established', 'crd/providers.clusterctl.cluster.x-k8s.io', '--timeout=60s']);
    phase('crds');
    await apply(mc, mgrs.flatMap((m) => m.install.webhookConfigs), path.join(base, 'webhooks.yaml'));
    phase('webhookConfigurations');

    // The managers.
    for (const m of mgrs) {
      const d = m.def;
      const args = [
        `--kubeconfig=${mc.kubeconfigPath}`,
        '--leader-elect=false',
        `--webhook-port=${m.webhookPort}`,
        `--webhook-cert-dir=${m.certDir}`,
        `--health-addr=127.0.0.1:${m.healthPort}`,
        // "0" turns the controller-runtime metrics (diagnostics) server off.
        '--diagnostics-address=0',
        ...(d.featureGates.length ? [`--feature-gates=${d.featureGates.join(',')}`] : []),
        ...(opts.managerArgs?.[d.manager] ?? []),
      ];
      const env = { POD_NAMESPACE: m.install.namespace, POD_NAME: `${d.tool}-local`, POD_UID: `${d.tool}-local`, ...d.env };
      procs.push(startProcess(d.tool, toolPath(d.tool), args, m.logFile, mc.dir, env));
    }
    for (const m of mgrs) {
      await waitFor(`${m.def.tool} /readyz`, deadline, procs, async () => {
        const r = await httpGet(`http://127.0.0.1:${m.healthPort}/readyz`, { timeoutMs: 2_000 });
        return r.status === 200;
      });
    }
    phase('managersReady');

    // The clusterctl inventory, then the ClusterClass (through the webhooks).
    const providers: Obj[] = mgrs.map((m) => ({
      apiVersion: 'clusterctl.cluster.x-k8s.io/v1alpha3',
      kind: 'Provider',
      metadata: { name: manifestLabel(m.def), namespace: m.install.namespace, labels: { ...m.install.labels, [`${CLUSTERCTL_LABEL}/core`]: 'inventory' } },
      providerName: m.def.providerName,
      type: m.def.type,
      version,
    }));
    await apply(mc, providers, path.join(base, 'inventory.yaml'));
    phase('inventory');
    const cls = classObjects(classNamespace, className, opts.machineStartupDuration);
    await apply(mc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: classNamespace } }, ...cls], path.join(base, 'clusterclass.yaml'));
    const remaining = Math.max(10, Math.round((deadline - Date.now()) / 1000));
    await kubectl(mc, ['wait', '-n', classNamespace, '--for=condition=VariablesReady', `clusterclass/${className}`, `--timeout=${remaining}s`], undefined, remaining * 1000 + 10_000);
    phase('clusterClass');

    const byManager = <T>(f: (m: (typeof mgrs)[number], p: Proc) => T): Record<ManagerName, T> =>
      Object.fromEntries(mgrs.map((m, i) => [m.def.manager, f(m, procs[i]!)])) as Record<ManagerName, T>;
    return {
      kubeconfigPath: mc.kubeconfigPath,
      classNamespace,
      className,
      logs: byManager((m) => m.logFile),
      pids: byManager((_m, p) => p.child.pid!),
      webhookUrls: byManager((m) => m.webhookUrl),
      timings,
      renderCluster: (o) => renderInMemoryCluster({ ...o, classNamespace, className }),
      stop,
    };
  } catch (err) {
    const tails = procs
      .map((p) => `--- ${p.name} log (${p.logFile})${isRunning(p) ? '' : ' [exited]'}, last lines ---\n${logTail(p.logFile, 25)}`)
      .join('\n');
    await stop().catch(() => undefined);
    const e = new Error(`Cluster API failed to start after ${Date.now() - started} ms: ${(err as Error).message}\n${tails}`);
    (e as Error & { cause?: unknown }).cause = err;
    throw e;
  }
}
