// The CSR signer (kube-controller-manager's csrsigning controller) for signerName
// kubernetes.io/kube-apiserver-client, for every logical cluster at once, with kplane's CA.
//
// An approved, not failed, not yet issued CertificateSigningRequest of that signer is checked as
// kube's signer checks it (usages: client auth, optionally digital signature and key
// encipherment; anything else is a Failed condition, reason SignerValidationFailure) and signed:
// CN and O from the request's subject, client auth, valid for spec.expirationSeconds capped at
// kube's default --cluster-signing-duration (8760h) and the CA's own expiry. Unlike kube's signer,
// the certificate carries none of the request's SANs; it carries kplane's URI SAN
// kplane://cluster/<the CSR's cluster>, so it authenticates as that user in that cluster only: a
// tenant's approver can never mint an identity for another tenant, or an unscoped one.

import { isStatusError } from '../apimachinery/errors.js';
import { deepCopy, type KubeObject } from '../apimachinery/object.js';
import { parseCSR } from '../auth/csr.js';
import { clusterURI, signPublicKey, type CertificateAuthority } from '../auth/pki.js';
import { KUBE_APISERVER_CLIENT_SIGNER, requestPem } from '../registry/kinds/certificatesigningrequests.js';
import type { ResourceType } from '../registry/types.js';
import { isTombstone } from '../storage/defaults-overlay.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import { QueueController } from './base.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';

/** kube-controller-manager's default --cluster-signing-duration. */
export const MAX_SIGNING_SECONDS = 8760 * 3600;

interface Condition { type?: string; status?: string }

function conditions(csr: KubeObject): Condition[] {
  const s = csr.status as { conditions?: unknown } | undefined;
  return Array.isArray(s?.conditions) ? (s.conditions as Condition[]) : [];
}

function hasTrue(csr: KubeObject, type: string): boolean {
  return conditions(csr).some((c) => c.type === type && c.status === 'True');
}

/** Work for the signer: approved, not denied or failed, not issued, ours. */
function wanted(csr: KubeObject | undefined): csr is KubeObject {
  if (!csr || isTombstone(csr) || csr.metadata.deletionTimestamp) return false;
  const spec = (csr.spec ?? {}) as { signerName?: string };
  const status = (csr.status ?? {}) as { certificate?: string };
  return spec.signerName === KUBE_APISERVER_CLIENT_SIGNER && hasTrue(csr, 'Approved') && !hasTrue(csr, 'Denied')
    && !hasTrue(csr, 'Failed') && !status.certificate;
}

/** validAPIServerClientUsages. */
export function clientUsagesError(usages: string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'digital signature' || u === 'key encipherment') continue;
    if (u === 'client auth') clientAuth = true;
    else return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : 'missing required usage for client certificate: client auth';
}

export class CSRSigningController extends QueueController {
  constructor(private readonly deps: ControllerDeps, private readonly csrs: ResourceType, private readonly ca: CertificateAuthority) {
    super(deps.log, { what: 'certificate signing', concurrency: 2 });
    this.informers.push(new Informer(deps.store, scopePrefix(csrs.storage, '*'), {
      onList: (kv) => {
        if (wanted(kv.value)) this.queue.add(kv.key);
      },
      onEvent: (ev) => {
        if (ev.type !== 'DELETED' && wanted(ev.kv.value)) this.queue.add(ev.kv.key);
      },
    }));
  }

  async start(): Promise<void> {
    await this.informers[0]!.start();
  }

  protected override async reconcile(key: string): Promise<void> {
    const { cluster, name } = parseKey(key);
    const csr = await this.deps.registry.tryGet(this.csrs, cluster, '', name);
    if (!wanted(csr)) return;
    const spec = csr.spec as { usages?: string[]; expirationSeconds?: number };
    const failure = clientUsagesError(spec.usages ?? []);
    let certificate: string | undefined;
    if (!failure) {
      // validation parsed and checked the request on create; it cannot have changed since
      const parsed = parseCSR(requestPem(csr));
      const seconds = Math.min(spec.expirationSeconds ?? MAX_SIGNING_SECONDS, MAX_SIGNING_SECONDS);
      const pem = await signPublicKey(this.ca, parsed.request.publicKey, {
        commonName: parsed.commonName, organizations: parsed.organizations, uris: [clusterURI(cluster)], usage: 'client', validSeconds: seconds,
      });
      certificate = Buffer.from(pem, 'utf8').toString('base64');
    }
    try {
      await this.deps.registry.update(systemContext(cluster), this.csrs, name, {
        uidPrecondition: csr.metadata.uid,
        updatedObject: async (existing) => {
          if (!existing || !wanted(existing)) throw new Error('no longer to be signed');
          const next = deepCopy(existing);
          const status = (next.status ?? (next.status = {})) as { conditions?: unknown[]; certificate?: string };
          if (failure) {
            status.conditions = [...(status.conditions ?? []), {
              type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: failure,
            }];
          } else {
            status.certificate = certificate;
          }
          return next;
        },
      }, { subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'NotFound') || isStatusError(e, 'Conflict') || (e as Error).message === 'no longer to be signed') return;
      throw e;
    }
  }
}
