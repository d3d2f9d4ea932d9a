// One kplane process: storage, logical clusters, the registry, controllers and the HTTPS API
// server, wired together. `kplane serve` runs this; tests start it in-process on a free port.

import { setMaxListeners } from 'node:events';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { NamespaceLifecycle } from './admission/namespace-lifecycle.js';
import { RBACEscalationCheck } from './admission/rbac-escalation.js';
import { CertificateAdmission } from './admission/certificates.js';
import { PolicySource, rootWorkspaceLabels } from './admission/policy/source.js';
import { ValidatingAdmissionPolicyPlugin } from './admission/validating-policy/plugin.js';
import { MutatingWebhookPlugin, ValidatingWebhookPlugin } from './admission/webhook/plugin.js';
import { WebhookSource } from './admission/webhook/source.js';
import { PolicyStatusController } from './admission/validating-policy/status-controller.js';
import { PolicyParamAuthorization } from './admission/policy/param-authz.js';
import { MutatingAdmissionPolicyPlugin } from './admission/mutating-policy/plugin.js';
import { buildApiServer } from './apiserver/server.js';
import { Auditor } from './audit/auditor.js';
import { AnonymousAuthenticator } from './auth/anonymous.js';
import type { VersionInfo } from './apiserver/deps.js';
import {
  BearerTokenAuthenticator, ClientCertAuthenticator, ServiceAccountTokenAuthenticator, UnionAuthenticator, type TokenAuthenticator,
} from './auth/authn.js';
import { RBACAuthorizer } from './auth/rbac/authorizer.js';
import { RBACIndex } from './auth/rbac/index.js';
import { RegistryWorkspaceAdmins } from './tenancy/workspace-admins.js';
import { clientKeysInKubeForm, renderKubeconfig } from './auth/kubeconfig.js';
import { clusterURI, issue, loadOrCreatePki, type ServerPki } from './auth/pki.js';
import { loadOrCreateUserTokenKey, UserTokenAuthenticator } from './auth/user-tokens.js';
import { CSRSigningController } from './controllers/csr-signer.js';
import { loadOrCreateSigningKey, ServiceAccountTokens } from './auth/serviceaccount-tokens.js';
import { oidcAuthenticators } from './auth/oidc/authenticator.js';
import { loadAuthenticationConfiguration } from './auth/oidc/config.js';
import { TokenFileAuthenticator } from './auth/token-file.js';
import { IssuerDiscovery } from './apiserver/issuer-discovery.js';
import { ClusterRoleAggregationController } from './controllers/clusterrole-aggregation.js';
import type { Controller, ControllerDeps } from './controllers/context.js';
import { EventTTLController, EXPIRY_INDEX, eventExpiryIndexer } from './controllers/event-ttl.js';
import { GarbageCollector, OWNER_INDEX, ownerIndexer } from './controllers/garbage-collector.js';
import { NamespaceController } from './controllers/namespace.js';
import { ServiceAccountTokenController } from './controllers/serviceaccount-token.js';
import { WorkspaceController } from './controllers/workspace.js';
import { CRDFinalizerController } from './controllers/crd-finalizer.js';
import { CRDNamesController } from './controllers/crd-names.js';
import { Registry as MetricsRegistry } from 'prom-client';
import { SyncAdmission } from './sync/admission.js';
import { Syncer } from './sync/syncer.js';
import { CustomResourceIndex } from './apiextensions/served.js';
import { dnsServiceResolver, type ServiceResolver } from './apiextensions/conversion.js';
import { compiledCount } from './apiextensions/compiled.js';
import { resolveSchema } from './openapi/definitions.js';
import { AdmissionChain } from './registry/admission.js';
import { builtinResources } from './registry/builtin.js';
import { ResourceCatalog } from './registry/catalog.js';
import { Registry } from './registry/store.js';
import { DefaultsOverlay } from './storage/defaults-overlay.js';
import type { Store } from './storage/interface.js';
import { LevelStore } from './storage/leveldb/store.js';
import { bootstrapTemplates } from './tenancy/bootstrap.js';
import { ClusterRegistry } from './tenancy/clusters.js';
import { ROOT, type ClusterName } from './tenancy/logicalcluster.js';
import { KUBE_VERSION } from './version.js';

export interface KplaneConfig {
  dataDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The address clients use (status.url of workspaces, kubeconfigs); defaults to https://host:port. */
  externalURL?: string;
  logger?: Logger;
  logLevel?: string;
  /** fsync each commit (survives power loss; default survives process death). */
  fsync?: boolean;
  bookmarkIntervalMs?: number;
  /** How much history watch resumption and consistent paging can reach back (default 5 min). */
  historyWindowMs?: number;
  compactionIntervalMs?: number;
  /** Events kept in memory for watch resumption (kube's watch cache window); default 4096. */
  watchCacheSize?: number;
  /** How long an Event lives after its last write (kube-apiserver's --event-ttl); default 1 h. */
  eventTTLSeconds?: number;
  /** The clock of service account tokens (tests). */
  tokenClock?: () => Date;
  /**
   * How webhooks given as a service reference are reached, CRD conversion and admission webhooks
   * alike (default: the service's cluster DNS name, as kube); the syncer routes them to the
   * management cluster.
   */
  serviceResolver?: ServiceResolver;
  /** The former name of serviceResolver (used when that is not set). */
  conversionServiceResolver?: ServiceResolver;
  /** kube's --authentication-config: an AuthenticationConfiguration file (OIDC issuers). */
  authenticationConfigFile?: string;
  /** kube's --token-auth-file: static bearer tokens (CSV: token,user,uid,"group1,group2"). */
  tokenAuthFile?: string;
  /**
   * kube's --anonymous-auth: requests without credentials are system:anonymous. Off by default:
   * they get a 401, except on the top-level health checks and per-cluster issuer discovery.
   */
  anonymousAuth?: boolean;
  /** kube's --audit-policy-file (audit.k8s.io/v1 Policy); auditing needs it and auditLogPath. */
  auditPolicyFile?: string;
  /** kube's --audit-log-path: where events go, one JSON line each ("-": stdout). */
  auditLogPath?: string;
}

export const ADMIN_USER = 'kplane-admin';

/** How long stop() lets in-flight requests finish (kube-apiserver's ShutdownTimeout, 60 s). */
const DRAIN_TIMEOUT_MS = 60_000;

export class Kplane {
  private readonly controllers: Controller[] = [];
  private readonly abort = new AbortController();
  private compactTimer: NodeJS.Timeout | undefined;
  private readonly samples: { at: number; rev: number }[] = [];
  private readyFlag = false;
  url = '';
  /** Which custom resources each cluster serves (set while starting). */
  crdIndex: CustomResourceIndex | undefined;
  /** Every cluster's RBAC objects (set while starting). */
  rbacIndex: RBACIndex | undefined;
  /** The audit log, when configured. */
  audit: Auditor | undefined;
  /** Every cluster's admission webhook configurations (set while starting). */
  webhookSource: WebhookSource | undefined;
  /** Every cluster's admission policies and bindings (stopped with the process). */
  readonly policySources: PolicySource[] = [];
  /** Prometheus metrics of this process (GET /metrics). */
  readonly metrics = new MetricsRegistry();
  /** The syncer (set while starting). */
  syncer: Syncer | undefined;

  private constructor(
    readonly config: KplaneConfig,
    readonly log: Logger,
    readonly pki: ServerPki,
    readonly baseStore: LevelStore,
    readonly store: Store,
    readonly clusters: ClusterRegistry,
    readonly catalog: ResourceCatalog,
    readonly registry: Registry,
    readonly tokens: ServiceAccountTokens,
    private app: FastifyInstance | undefined,
  ) {}

  get caPem(): string {
    return this.pki.ca.certPem;
  }

  get adminKubeconfigPath(): string {
    return join(this.config.dataDir, 'admin.kubeconfig');
  }

  static async start(config: KplaneConfig): Promise<Kplane> {
    const log = config.logger ?? pino({ level: config.logLevel ?? 'info' });
    // authentication files first: one that does not load or validate stops the start (auth/oidc, auth/token-file.ts)
    const extraTokens: TokenAuthenticator[] = [
      ...(config.tokenAuthFile ? [await TokenFileAuthenticator.fromFile(config.tokenAuthFile)] : []),
      ...(config.authenticationConfigFile ? oidcAuthenticators(await loadAuthenticationConfiguration(config.authenticationConfigFile), {
        onReject: (reason) => log.debug({ reason }, 'OIDC token refused'),
      }) : []),
    ];
    // so is an audit policy that does not load (src/audit); the log needs both settings, as in kube
    if (!config.auditPolicyFile !== !config.auditLogPath) log.warn('audit needs both an audit policy file and an audit log path: auditing is off');
    const audit = config.auditPolicyFile && config.auditLogPath
      ? await Auditor.create({ policyFile: config.auditPolicyFile, logPath: config.auditLogPath, log }) : undefined;
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const pki = await loadOrCreatePki(join(config.dataDir, 'pki'), config.host);
    const baseStore = await LevelStore.open({
      path: join(config.dataDir, 'db'),
      sync: config.fsync ?? false,
      indexers: { [OWNER_INDEX]: ownerIndexer, [EXPIRY_INDEX]: eventExpiryIndexer(config.eventTTLSeconds ?? 3600) },
      watchCacheSize: config.watchCacheSize,
    });
    const clusters = new ClusterRegistry(baseStore);
    clusters.start();
    await clusters.create(ROOT, undefined, new Date());
    let self: Kplane | undefined;
    // the `kubernetes` Service and its endpoints point at kplane's URL, known once it listens
    const templates = bootstrapTemplates(pki.ca.certPem, () => self?.externalURLIfListening());
    const store = new DefaultsOverlay(baseStore, templates, clusters);
    const catalog = new ResourceCatalog(builtinResources);
    const admission = new AdmissionChain();
    const registry = new Registry({ store, admission });
    const namespaces = catalog.allTypes().find((t) => t.group === '' && t.resource === 'namespaces')!;
    const serviceAccountsType = catalog.allTypes().find((t) => t.group === '' && t.resource === 'serviceaccounts')!;
    const secretsType = catalog.allTypes().find((t) => t.group === '' && t.resource === 'secrets')!;
    admission.add(new NamespaceLifecycle(registry, namespaces));

    const signingKey = await loadOrCreateSigningKey(join(config.dataDir, 'pki'));
    const tokens = new ServiceAccountTokens(signingKey, { externalURL: () => self?.externalURL() ?? '', now: config.tokenClock });
    const k = new Kplane(config, log, pki, baseStore, store, clusters, catalog, registry, tokens, undefined);
    k.audit = audit;
    self = k;
    // every open watch listens for the drain signal
    setMaxListeners(0, k.abort.signal);
    // the custom resources each cluster serves, from its established CRDs
    // an imported CRD's conversion webhook is a service of the management cluster: the syncer routes
    // its calls through that API server's service proxy; every other service as configured
    const configured = config.serviceResolver ?? config.conversionServiceResolver ?? dnsServiceResolver;
    const serviceResolver: ServiceResolver = (ref, caller) => k.syncer?.resolveService(ref, caller) ?? configured(ref, caller);
    const crdIndex = new CustomResourceIndex(store, catalog, { serviceResolver });
    await crdIndex.start();
    k.crdIndex = crdIndex;
    // every cluster's RBAC objects (the bootstrap policy shared), for the authorizer
    const rbacIndex = new RBACIndex(baseStore, templates);
    await rbacIndex.start();
    k.rbacIndex = rbacIndex;
    const workspacesType = catalog.allTypes().find((t) => t.group === 'tenancy.kplane.io' && t.resource === 'workspaces')!;
    const authorizer = new RBACAuthorizer(rbacIndex, new RegistryWorkspaceAdmins(registry, workspacesType));
    admission.add(new RBACEscalationCheck(authorizer));
    admission.add(new CertificateAdmission(authorizer));
    // MutatingAdmissionPolicies of every cluster (and the provider's, from root): the first configurable
    // mutating plugin, before the mutating webhooks, as kube orders them
    const mapType = catalog.allTypes().find((t) => t.group === 'admissionregistration.k8s.io' && t.resource === 'mutatingadmissionpolicies')!;
    const mapBindingType = catalog.allTypes().find((t) => t.group === 'admissionregistration.k8s.io' && t.resource === 'mutatingadmissionpolicybindings')!;
    const mapSource = new PolicySource(baseStore, {
      group: 'admissionregistration.k8s.io', policyResource: 'mutatingadmissionpolicies', bindingResource: 'mutatingadmissionpolicybindings',
      workspaceLabels: rootWorkspaceLabels(registry, workspacesType),
    });
    await mapSource.start();
    k.policySources.push(mapSource);
    admission.add(new MutatingAdmissionPolicyPlugin({ registry, catalog, namespaces, source: mapSource, authorizer }));
    // every cluster's webhook configurations (one list-then-watch per kind); mutating webhooks after
    // the built-in mutating plugins, validating ones last (after the policies), as kube orders them
    const webhookSource = new WebhookSource(baseStore);
    await webhookSource.start();
    k.webhookSource = webhookSource;
    const webhookDeps = { registry, catalog, namespaces, source: webhookSource, serviceResolver, authorizer };
    admission.add(new MutatingWebhookPlugin(webhookDeps));
    // who may point policies and bindings at params (kube checks it in their strategies' validation)
    const vapType = catalog.allTypes().find((t) => t.group === 'admissionregistration.k8s.io' && t.resource === 'validatingadmissionpolicies')!;
    const vapBindingType = catalog.allTypes().find((t) => t.group === 'admissionregistration.k8s.io' && t.resource === 'validatingadmissionpolicybindings')!;
    admission.add(new PolicyParamAuthorization({
      authorizer, catalog, getPolicy: (type, cluster, name) => registry.tryGet(type, cluster, '', name),
      kinds: [{ policies: vapType, bindings: vapBindingType }, { policies: mapType, bindings: mapBindingType, swappedBindingMessage: true }],
    }));
    // ValidatingAdmissionPolicies of every cluster (and the provider's, from root), after the built-in validating plugins
    // (a provider-wide binding's workspace selector reads the labels of the tenant's Workspace in root)
    const vapSource = new PolicySource(baseStore, {
      group: 'admissionregistration.k8s.io', policyResource: 'validatingadmissionpolicies', bindingResource: 'validatingadmissionpolicybindings',
      workspaceLabels: rootWorkspaceLabels(registry, workspacesType),
    });
    await vapSource.start();
    k.policySources.push(vapSource);
    admission.add(new ValidatingAdmissionPolicyPlugin({ registry, catalog, namespaces, source: vapSource, authorizer }));
    admission.add(new ValidatingWebhookPlugin(webhookDeps));
    const deps: ControllerDeps = { registry, catalog, clusters, store, baseStore, log: log.child({ component: 'controllers' }) };
    // the syncer (src/sync): configured by ManagementClusters and PublishedResources in root; its
    // admission check runs last, after the webhooks, as an object's final form goes down
    const syncer = new Syncer({ ...deps, log: log.child({ component: 'syncer' }), metrics: k.metrics });
    admission.add(new SyncAdmission(syncer));
    k.syncer = syncer;
    const crdType = catalog.allTypes().find((t) => t.group === 'apiextensions.k8s.io' && t.resource === 'customresourcedefinitions');
    if (crdType) k.controllers.push(new CRDNamesController(deps, crdType, crdIndex), new CRDFinalizerController(deps, crdType, crdIndex));
    // status.observedGeneration and typeChecking of every cluster's ValidatingAdmissionPolicies (kube-controller-manager's)
    k.controllers.push(new PolicyStatusController({
      registry, catalog, source: vapSource, log: deps.log,
      policies: vapType,
    }));
    k.controllers.push(
      new WorkspaceController(deps, () => k.externalURL()),
      new NamespaceController(deps, pki.ca.certPem),
      new GarbageCollector(deps),
      new ClusterRoleAggregationController(deps),
      new ServiceAccountTokenController(deps, tokens, pki.ca.certPem),
      new CSRSigningController(deps, catalog.allTypes().find((t) => t.group === 'certificates.k8s.io' && t.resource === 'certificatesigningrequests')!, pki.ca),
      // expired Events are swept every tenth of their lifetime, at most once a minute
      new EventTTLController(baseStore, Math.min(60_000, (config.eventTTLSeconds ?? 3600) * 100)),
      syncer,
    );
    for (const c of k.controllers) await c.start();

    // every bearer token authenticator: the request chain's, and TokenReview's
    const bearerTokens = new BearerTokenAuthenticator(new ServiceAccountTokenAuthenticator(tokens, {
      getServiceAccount: (cluster, ns, name) => registry.tryGet(serviceAccountsType, cluster as ClusterName, ns, name),
      getSecret: (cluster, ns, name) => registry.tryGet(secretsType, cluster as ClusterName, ns, name),
    }, { onReject: (reason) => log.debug({ reason }, 'service account token refused') }), new UserTokenAuthenticator(
      await loadOrCreateUserTokenKey(join(config.dataDir, 'pki')),
      { externalURL: () => k.externalURL(), now: config.tokenClock, onReject: (reason) => log.debug({ reason }, 'user token refused') },
    ), ...extraTokens);
    k.app = await buildApiServer({
      deps: {
        registry, catalog, clusters,
        schemaFor: (type) => type.customResource?.decodeSchema ?? resolveSchema(type.schemaName),
        version: versionInfo(),
        shutdown: k.abort.signal,
        bookmarkIntervalMs: config.bookmarkIntervalMs ?? 60_000,
        tokens,
        authorizer,
        tokenAuthenticator: bearerTokens,
      },
      tls: { key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.ca.certPem },
      authenticator: ((a) => (audit ? audit.authenticator(a) : a))(
        new AnonymousAuthenticator(new UnionAuthenticator(new ClientCertAuthenticator(), bearerTokens), config.anonymousAuth ?? false)),
      audit,
      authorizer,
      logger: log,
      ready: () => k.readyFlag,
      metrics: () => k.metrics.metrics(),
      issuerDiscovery: new IssuerDiscovery({ keyId: signingKey.keyId, publicKey: signingKey.publicKey, issuerFor: (c) => tokens.issuerFor(c) }),
    });
    await k.app.listen({ host: config.host, port: config.port });
    const addr = k.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    k.url = `https://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
    await k.writeAdminKubeconfig();
    k.startCompaction();
    k.readyFlag = true;
    log.info({ url: k.url, dataDir: config.dataDir, revision: baseStore.currentRevision() }, 'kplane is serving');
    return k;
  }

  externalURL(): string {
    return this.config.externalURL ?? this.url;
  }

  /** The external URL, or undefined while kplane does not listen yet and none was configured. */
  externalURLIfListening(): string | undefined {
    return this.config.externalURL ?? (this.url || undefined);
  }

  /**
   * A kubeconfig for a user of a logical cluster, with a client certificate from kplane's CA,
   * scoped to the cluster (kplane://cluster/<name>) unless the user is in system:masters (the
   * provider's admin, unscoped).
   */
  async kubeconfigFor(cluster: string, user: string, groups: string[]): Promise<string> {
    const uris = groups.includes('system:masters') ? [] : [clusterURI(cluster)];
    const cert = await issue(this.pki.ca, { commonName: user, organizations: groups, uris, usage: 'client' });
    return renderKubeconfig({
      server: `${this.externalURL()}/clusters/${cluster}`,
      caPem: this.pki.ca.certPem,
      user,
      clientCertPem: cert.certPem,
      clientKeyPem: cert.keyPem,
      clusterName: `kplane-${cluster}`,
      contextName: cluster,
    });
  }

  private async writeAdminKubeconfig(): Promise<void> {
    const path = this.adminKubeconfigPath;
    const wanted = `${this.externalURL()}/clusters/root`;
    try {
      const existing = await readFile(path, 'utf8');
      const caData = Buffer.from(this.pki.ca.certPem).toString('base64');
      // one written by an older kplane with a PKCS#8 key is issued anew, so every client reads it
      if (existing.includes(`server: ${wanted}`) && existing.includes(caData) && clientKeysInKubeForm(existing)) return;
    } catch {
      // not written yet
    }
    await writeFile(path, await this.kubeconfigFor('root', ADMIN_USER, ['system:masters']), { mode: 0o600 });
  }

  /** Every interval, forget history older than the window (kube-apiserver compacts etcd every 5 minutes). */
  private startCompaction(): void {
    const interval = this.config.compactionIntervalMs ?? 60_000;
    const window = this.config.historyWindowMs ?? 5 * 60_000;
    const tick = async () => {
      const now = Date.now();
      this.samples.push({ at: now, rev: this.baseStore.currentRevision() });
      let target = 0;
      while (this.samples.length && this.samples[0]!.at <= now - window) target = this.samples.shift()!.rev;
      if (target > 0) {
        try {
          await this.baseStore.compact(target);
        } catch (err) {
          this.log.warn({ err }, 'compaction failed');
        }
      }
      this.compactTimer = setTimeout(() => void tick(), interval);
    };
    this.compactTimer = setTimeout(() => void tick(), interval);
  }

  /** Drains: stop accepting requests, end watches, let in-flight requests finish, close storage. */
  async stop(): Promise<void> {
    this.readyFlag = false;
    clearTimeout(this.compactTimer);
    this.abort.abort();
    // kube's ShutdownTimeout: requests still in flight then are cut, so a drain always ends
    const cut = setTimeout(() => this.app?.server.closeAllConnections(), DRAIN_TIMEOUT_MS);
    await this.app?.close();
    // the last events (of requests the drain finished) are written out
    await this.audit?.close();
    clearTimeout(cut);
    for (const c of this.controllers) await c.stop();
    this.crdIndex?.stop();
    this.rbacIndex?.stop();
    for (const s of this.policySources) s.stop();
    this.webhookSource?.stop();
    this.clusters.stop();
    await this.store.close();
    this.log.info('kplane stopped');
  }

  /**
   * Forgets all history, merges storage files and collects garbage; reports memory (diagnostics):
   * the process's figures, V8's own malloc use and LevelDB's memtables + block cache, so that native
   * allocator slack (rss minus the rest) can be told apart from data. The CRD index's counts show
   * what clusters with CRDs share (the bench prints them).
   */
  async maintenance(): Promise<NodeJS.MemoryUsage & { v8Malloced: number; leveldb: number; revision: number } & Record<string, number>> {
    // each step timed: the record says where a slow maintenance spends its time
    const t0 = performance.now();
    await this.settle();
    const t1 = performance.now();
    await this.baseStore.compact(this.baseStore.currentRevision());
    const t2 = performance.now();
    await this.baseStore.compactFiles();
    const t3 = performance.now();
    // a full collection without --expose-gc on the command line
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 3; i++) gc();
    return {
      ...process.memoryUsage(),
      v8Malloced: v8.getHeapStatistics().malloced_memory,
      leveldb: this.baseStore.nativeMemory(),
      revision: this.baseStore.currentRevision(),
      settleMs: Math.round(t1 - t0),
      compactMs: Math.round(t2 - t1),
      compactFilesMs: Math.round(t3 - t2),
      ...crdCounts(this.crdIndex),
      // clusters with stored RBAC objects: an idle one has none (the bootstrap policy is shared)
      rbacClusters: this.rbacIndex?.clusterCount() ?? 0,
    };
  }

  /**
   * Memory and the sizes of what the process holds, without changing any state (the soak samples
   * this between rounds): the heap as found and after a full collection (live data), open
   * connections, and the store's watchers, history, writer queue.
   */
  async diagnostics(): Promise<Record<string, number>> {
    const before = process.memoryUsage();
    v8.setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const after = process.memoryUsage();
    const connections = await new Promise<number>((r) => (this.app ? this.app.server.getConnections((_e, n) => r(n ?? 0)) : r(0)));
    return {
      rss: before.rss,
      heapTotal: before.heapTotal,
      heapUsed: before.heapUsed,
      heapUsedAfterGC: after.heapUsed,
      heapTotalAfterGC: after.heapTotal,
      arrayBuffers: after.arrayBuffers,
      v8Malloced: v8.getHeapStatistics().malloced_memory,
      external: after.external,
      leveldb: this.baseStore.nativeMemory(),
      connections,
      clusterCache: this.clusters.cacheSize(),
      ...this.baseStore.stats(),
    };
  }

  /** Waits until controllers have no queued work (tests). */
  async settle(): Promise<void> {
    for (const c of this.controllers) await c.idle();
  }
}

/** Clusters serving CRDs, distinct served sets and CRDs, distinct compiled specs (all shared by content). */
function crdCounts(index: CustomResourceIndex | undefined): Record<string, number> {
  if (!index) return {};
  const s = index.stats();
  return { crdClusters: s.clusters, crdSets: s.sets, crdServed: s.servedCRDs, crdCompiled: compiledCount() };
}

function versionInfo(): VersionInfo {
  const [major, minor] = KUBE_VERSION.replace(/^v/, '').split('.');
  return {
    major: major!,
    minor: minor!,
    gitVersion: `${KUBE_VERSION}+kplane`,
    gitCommit: 'kplane',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
