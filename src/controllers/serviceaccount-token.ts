// The service account token controller (kube-controller-manager's serviceaccount-token
// controller), for every logical cluster at once:
// - a Secret of type kubernetes.io/service-account-token whose service account exists gets a
//   legacy (non-expiring) token in data.token, kplane's CA in data["ca.crt"], its namespace in
//   data.namespace and the annotation kubernetes.io/service-account.uid;
// - such a Secret whose service account does not exist (or has another uid) is deleted, and so
//   are all of them when their service account is deleted;
// - a deleted token Secret is removed from its service account's `secrets` list.
//
// Queue keys: "secret\0<storage key>" (reconcile one Secret), "sa\0<cluster>\0<ns>\0<name>\0<uid>"
// (a service account went away), "ref\0<cluster>\0<ns>\0<sa name>\0<sa uid>\0<secret name>" (a
// token Secret went away).

import { isStatusError } from '../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../apimachinery/object.js';
import type { ServiceAccountTokens } from '../auth/serviceaccount-tokens.js';
import { SECRET_TYPE_SERVICE_ACCOUNT_TOKEN, SERVICE_ACCOUNT_NAME_KEY } from '../registry/kinds/secrets.js';
import type { ResourceType } from '../registry/types.js';
import { isTombstone } from '../storage/defaults-overlay.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';
import { QueueController } from './base.js';

export const SERVICE_ACCOUNT_UID_KEY = 'kubernetes.io/service-account.uid';
const SEP = '\0';

function find(deps: ControllerDeps, group: string, resource: string): ResourceType {
  return deps.catalog.allTypes().find((t) => t.group === group && t.resource === resource)!;
}

function isTokenSecret(obj: KubeObject | undefined): obj is KubeObject {
  return !!obj && !isTombstone(obj) && obj.type === SECRET_TYPE_SERVICE_ACCOUNT_TOKEN;
}

function dataOf(secret: KubeObject): Record<string, string> {
  const d = secret.data;
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, string>) : {};
}

/** kube's IsServiceAccountToken: a token Secret of this service account (by name, and uid when annotated). */
export function isTokenSecretOf(secret: KubeObject, sa: { name: string; uid: string }): boolean {
  if (!isTokenSecret(secret)) return false;
  const ann = secret.metadata.annotations ?? {};
  if (ann[SERVICE_ACCOUNT_NAME_KEY] !== sa.name) return false;
  const uid = ann[SERVICE_ACCOUNT_UID_KEY];
  return !uid || uid === sa.uid;
}

export class ServiceAccountTokenController extends QueueController {
  private readonly secrets: ResourceType;
  private readonly serviceAccounts: ResourceType;
  private readonly caData: string;

  constructor(private readonly deps: ControllerDeps, private readonly tokens: ServiceAccountTokens, caPem: string) {
    super(deps.log, { what: 'service account token reconcile', concurrency: 4, showKey: (key) => key.split(SEP).join('/') });
    this.secrets = find(deps, '', 'secrets');
    this.serviceAccounts = find(deps, '', 'serviceaccounts');
    this.caData = Buffer.from(caPem, 'utf8').toString('base64');
    this.informers.push(
      new Informer(deps.store, scopePrefix(this.secrets.storage, '*'), {
        onList: (kv) => {
          if (isTokenSecret(kv.value)) this.queue.add(`secret${SEP}${kv.key}`);
        },
        onEvent: (ev) => {
          const secret = ev.kv.value;
          if (!isTokenSecret(secret)) return;
          if (ev.type !== 'DELETED') {
            this.queue.add(`secret${SEP}${ev.kv.key}`);
            return;
          }
          const k = parseKey(ev.kv.key);
          const ann = secret.metadata.annotations ?? {};
          const saName = ann[SERVICE_ACCOUNT_NAME_KEY];
          if (saName) this.queue.add(['ref', k.cluster, k.namespace, saName, ann[SERVICE_ACCOUNT_UID_KEY] ?? '', k.name].join(SEP));
        },
      }),
      new Informer(deps.store, scopePrefix(this.serviceAccounts.storage, '*'), {
        onEvent: (ev) => {
          if (ev.type !== 'DELETED') return;
          const k = parseKey(ev.kv.key);
          this.queue.add(['sa', k.cluster, k.namespace, k.name, ev.kv.value.metadata?.uid ?? ''].join(SEP));
        },
      }),
    );
  }

  async start(): Promise<void> {
    // service accounts first: the initial list of secrets then sees every deletion after it
    this.informers[1]!.startFromNow();
    await this.informers[0]!.start();
  }

  protected override async reconcile(key: string): Promise<void> {
    const [kind, ...rest] = key.split(SEP);
    if (kind === 'secret') return this.syncSecret(rest[0]!);
    if (kind === 'sa') {
      const [cluster, namespace, name, uid] = rest as [ClusterName, string, string, string];
      return this.deleteTokens(cluster, namespace, name, uid);
    }
    if (kind === 'ref') {
      const [cluster, namespace, saName, saUid, secretName] = rest as [ClusterName, string, string, string, string];
      return this.removeSecretReference(cluster, namespace, saName, saUid, secretName);
    }
  }

  private async liveServiceAccount(cluster: ClusterName, namespace: string, name: string, uid: string): Promise<KubeObject | undefined> {
    const sa = await this.deps.registry.tryGet(this.serviceAccounts, cluster, namespace, name);
    if (!sa || (uid && sa.metadata.uid !== uid)) return undefined;
    return sa;
  }

  private async deleteSecret(cluster: ClusterName, namespace: string, name: string, uid: string | undefined): Promise<void> {
    try {
      await this.deps.registry.delete(systemContext(cluster, namespace), this.secrets, name, { preconditions: uid ? { uid } : undefined });
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }

  private async syncSecret(storageKey: string): Promise<void> {
    const { cluster, namespace, name } = parseKey(storageKey);
    const ns = namespace!;
    const secret = await this.deps.registry.tryGet(this.secrets, cluster, ns, name);
    if (!isTokenSecret(secret) || secret.metadata.deletionTimestamp) return;
    const ann = secret.metadata.annotations ?? {};
    const saName = ann[SERVICE_ACCOUNT_NAME_KEY];
    if (!saName) return;
    const sa = await this.liveServiceAccount(cluster, ns, saName, ann[SERVICE_ACCOUNT_UID_KEY] ?? '');
    if (!sa) {
      await this.deleteSecret(cluster, ns, name, secret.metadata.uid);
      return;
    }
    if (!this.updateNeeded(secret)) return;
    const saRef = { namespace: ns, name: sa.metadata.name!, uid: sa.metadata.uid ?? '' };
    try {
      await this.deps.registry.update(systemContext(cluster, ns), this.secrets, name, {
        uidPrecondition: secret.metadata.uid,
        updatedObject: async (existing) => {
          if (!existing) throw new Error('gone');
          const next = deepCopy(existing);
          const data = { ...dataOf(next) };
          if (data['ca.crt'] !== this.caData) data['ca.crt'] = this.caData;
          if (!data.namespace) data.namespace = Buffer.from(ns, 'utf8').toString('base64');
          if (!data.token) {
            data.token = Buffer.from(await this.tokens.issueLegacy(cluster, saRef, name), 'utf8').toString('base64');
          }
          next.data = data;
          next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [SERVICE_ACCOUNT_NAME_KEY]: saRef.name, [SERVICE_ACCOUNT_UID_KEY]: saRef.uid };
          return next;
        },
      });
    } catch (e) {
      // changed or gone meanwhile: the event of that change queues this secret again
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'NotFound') || (e instanceof Error && e.message === 'gone')) return;
      throw e;
    }
  }

  private updateNeeded(secret: KubeObject): boolean {
    const data = dataOf(secret);
    return data['ca.crt'] !== this.caData || !data.namespace || !data.token;
  }

  /** A service account went away: its token Secrets go too. */
  private async deleteTokens(cluster: ClusterName, namespace: string, name: string, uid: string): Promise<void> {
    const page = await this.deps.store.list(scopePrefix(this.secrets.storage, cluster, namespace));
    for (const kv of page.items) {
      const secret = kv.value;
      if (isTokenSecret(secret) && isTokenSecretOf(secret, { name, uid })) {
        await this.deleteSecret(cluster, namespace, secret.metadata.name!, secret.metadata.uid);
      }
    }
  }

  /** A token Secret went away: its service account no longer lists it. */
  private async removeSecretReference(cluster: ClusterName, namespace: string, saName: string, saUid: string, secretName: string): Promise<void> {
    const sa = await this.liveServiceAccount(cluster, namespace, saName, saUid);
    const refs = Array.isArray(sa?.secrets) ? (sa.secrets as { name?: string }[]) : [];
    if (!sa || !refs.some((r) => r?.name === secretName)) return;
    try {
      await this.deps.registry.update(systemContext(cluster, namespace), this.serviceAccounts, saName, {
        uidPrecondition: sa.metadata.uid,
        updatedObject: (existing) => {
          if (!existing) throw new Error('gone');
          const next = deepCopy(existing);
          next.secrets = (Array.isArray(next.secrets) ? next.secrets as { name?: string }[] : []).filter((r) => r?.name !== secretName);
          return next;
        },
      });
    } catch (e) {
      if (isStatusError(e, 'NotFound') || (e instanceof Error && e.message === 'gone')) return;
      throw e;
    }
  }
}
