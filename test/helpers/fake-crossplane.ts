// A test stand-in for Crossplane and one provider (test/fixtures/crossplane's CRDs) in a management
// cluster: it watches Buckets, ProviderConfigs and XNetworks there (@kubernetes/client-node's Watch) and
// writes what Crossplane would (status, the connection Secret) with the real kubectl. A Bucket is
// reconciled only against a namespaced ProviderConfig of its own namespace; every providerConfigRef it
// ever saw is kept, so a test can tell whether one reached the provider's ClusterProviderConfig.

import * as k8s from '@kubernetes/client-node';
import { kubectl } from './kplane.js';

const BUCKETS = 'buckets.storage.example.kplane.io';
const PROVIDER_CONFIGS = 'providerconfigs.storage.example.kplane.io';
const XNETWORKS = 'xnetworks.example.kplane.io';

interface Meta { name: string; namespace: string; uid: string; generation?: number; deletionTimestamp?: string }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { apiVersion: string; kind: string; metadata: Meta; spec?: any; status?: any };

interface Condition { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime?: string }

export interface SeenRef { namespace: string; name: string; ref: unknown }

/** The endpoint the fake provider gives a Bucket (its namespace in it: tenants can tell theirs). */
export const bucketEndpoint = (namespace: string, name: string): string => `https://${name}.${namespace}.buckets.example.test`;

export class FakeCrossplane {
  /** Every providerConfigRef of every Bucket reconciled, in order. */
  readonly refsSeen: SeenRef[] = [];
  /** Reconcile and watch errors (a test expects none). */
  readonly errors: string[] = [];
  /** Watches started again after an error. */
  watchRestarts = 0;
  private readonly kc = new k8s.KubeConfig();
  private readonly queue = new Set<string>();
  /** Buckets as last seen by the watch: namespace/name -> object (to find a namespace's Buckets, and a deleted one's Secret). */
  private readonly buckets = new Map<string, Obj>();
  private readonly requests: { abort(): void }[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly kubeconfigPath: string, private readonly kubectlBin: string) {
    this.kc.loadFromFile(kubeconfigPath);
  }

  async start(): Promise<void> {
    await Promise.all([
      this.watch(`/apis/storage.example.kplane.io/v1alpha1/buckets`, (type, o) => {
        const k = `${o.metadata.namespace}/${o.metadata.name}`;
        if (type === 'DELETED') {
          this.buckets.delete(k);
          this.enqueue(`deleted-bucket/${k}/${o.spec?.writeConnectionSecretToRef?.name ?? ''}`);
          return;
        }
        this.buckets.set(k, o);
        this.enqueue(`bucket/${k}`);
      }),
      this.watch(`/apis/storage.example.kplane.io/v1alpha1/providerconfigs`, (_type, o) => {
        for (const k of this.buckets.keys()) if (k.startsWith(`${o.metadata.namespace}/`)) this.enqueue(`bucket/${k}`);
      }),
      this.watch(`/apis/example.kplane.io/v1alpha1/xnetworks`, (type, o) => {
        if (type !== 'DELETED') this.enqueue(`xnetwork/${o.metadata.namespace}/${o.metadata.name}`);
      }),
    ]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.requests) r.abort();
    await this.running;
  }

  private async watch(path: string, on: (type: string, o: Obj) => void): Promise<void> {
    const w = new k8s.Watch(this.kc);
    const restart = (err: unknown): void => {
      if (this.stopped) return;
      // 429: the watch cache of a just-established CRD is still initializing (kube-apiserver says so)
      if (err && !/Too Many Requests/.test(String(err))) this.errors.push(`watch ${path}: ${String(err)}`);
      if (err) this.watchRestarts++;
      // a new watch without a resourceVersion starts with every object again (ADDED)
      setTimeout(() => void this.watch(path, on).catch(restart), err ? 500 : 0);
    };
    const req = await w.watch(path, {}, (type: string, o: Obj) => on(type, o), restart);
    this.requests.push(req);
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.running ??= (async () => {
      while (this.queue.size && !this.stopped) {
        const next = this.queue.values().next().value as string;
        this.queue.delete(next);
        try {
          await this.reconcile(next);
        } catch (e) {
          this.errors.push(`${next}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      this.running = undefined;
    })();
  }

  private async run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return kubectl(this.kubectlBin, this.kubeconfigPath, args, input, 60_000);
  }

  private async get(args: string[]): Promise<Obj | undefined> {
    const r = await this.run(['get', ...args, '-o', 'json']);
    if (r.code === 0) return JSON.parse(r.stdout) as Obj;
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
  }

  private async must(args: string[], input?: string): Promise<void> {
    const r = await this.run(args, input);
    if (r.code !== 0 && !/NotFound|not found/.test(r.stderr)) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  }

  private async reconcile(key: string): Promise<void> {
    const [kind, ns, name, secret] = key.split('/') as [string, string, string, string | undefined];
    if (kind === 'deleted-bucket') {
      // as Crossplane unpublishes a deleted managed resource's connection details
      if (secret) await this.must(['delete', 'secret', secret, '-n', ns, '--ignore-not-found']);
      return;
    }
    if (kind === 'xnetwork') return this.reconcileXNetwork(ns, name);
    return this.reconcileBucket(ns, name);
  }

  private async reconcileBucket(ns: string, name: string): Promise<void> {
    const b = await this.get([BUCKETS, name, '-n', ns]);
    if (!b || b.metadata.deletionTimestamp) return;
    const ref = b.spec?.providerConfigRef as { kind?: string; name?: string } | undefined;
    this.refsSeen.push({ namespace: ns, name, ref });
    const gen = b.metadata.generation ?? 1;
    let failure: string | undefined;
    if (ref?.kind !== 'ProviderConfig' || !ref.name) {
      failure = `providerConfigRef ${JSON.stringify(ref)}: only a namespaced ProviderConfig is served here`;
    } else if (!(await this.get([PROVIDER_CONFIGS, ref.name, '-n', ns]))) {
      failure = `cannot get referenced ProviderConfig: ProviderConfig ${JSON.stringify(ref.name)} not found in namespace ${JSON.stringify(ns)}`;
    }
    const endpoint = bucketEndpoint(ns, name);
    let conditions: Condition[];
    let atProvider: Record<string, string> | undefined;
    if (failure) {
      conditions = [
        { type: 'Synced', status: 'False', reason: 'ReconcileError', message: failure, observedGeneration: gen },
        { type: 'Ready', status: 'False', reason: 'Unavailable', message: '', observedGeneration: gen },
      ];
      atProvider = b.status?.atProvider;
    } else {
      const secretName = b.spec?.writeConnectionSecretToRef?.name as string | undefined;
      if (secretName) {
        await this.must(['apply', '--server-side', '--field-manager=fake-crossplane', '-f', '-'], JSON.stringify({
          apiVersion: 'v1', kind: 'Secret', type: 'connection.crossplane.io/v1alpha1',
          metadata: {
            name: secretName, namespace: ns,
            ownerReferences: [{ apiVersion: b.apiVersion, kind: b.kind, name, uid: b.metadata.uid, controller: true }],
          },
          data: { endpoint: Buffer.from(endpoint).toString('base64'), region: Buffer.from(String(b.spec.forProvider.region)).toString('base64') },
        }));
      }
      conditions = [
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: '', observedGeneration: gen },
        { type: 'Ready', status: 'True', reason: 'Available', message: '', observedGeneration: gen },
      ];
      atProvider = { id: `${ns}.${name}`, endpoint, storageClass: String(b.spec.forProvider.storageClass ?? 'Standard') };
    }
    await this.writeStatus(BUCKETS, b, { ...(atProvider ? { atProvider } : {}), conditions });
  }

  private async reconcileXNetwork(ns: string, name: string): Promise<void> {
    const x = await this.get([XNETWORKS, name, '-n', ns]);
    if (!x || x.metadata.deletionTimestamp) return;
    const gen = x.metadata.generation ?? 1;
    await this.writeStatus(XNETWORKS, x, {
      networkId: `net-${ns}-${name}`,
      conditions: [
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: '', observedGeneration: gen },
        { type: 'Ready', status: 'True', reason: 'Available', message: '', observedGeneration: gen },
      ],
    });
  }

  /** Writes status unless it already says this (a write's own event then changes nothing). */
  private async writeStatus(resource: string, o: Obj, status: { conditions: Condition[] } & Record<string, unknown>): Promise<void> {
    const old = (o.status?.conditions ?? []) as Condition[];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    status.conditions = status.conditions.map((c) => {
      const prev = old.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime! : now };
    });
    const same = JSON.stringify(sortKeys({ ...(o.status ?? {}) })) === JSON.stringify(sortKeys({ ...(o.status ?? {}), ...status }));
    if (same) return;
    await this.must(['patch', resource, o.metadata.name, '-n', o.metadata.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}
