// kube's certificate admission plugins (plugin/pkg/admission/certificates), in one:
// - CertificateApproval: an update of certificatesigningrequests/approval needs the `approve`
//   verb on certificates.k8s.io `signers`, resourceName = the request's signerName or
//   "<domain>/*" (kube's IsAuthorizedForSignerName), besides the update of the subresource itself;
// - CertificateSigning: an update of certificatesigningrequests/status that changes the
//   certificate or the conditions needs `sign` on the signer the same way;
// - CertificateSubjectRestriction: a request for kubernetes.io/kube-apiserver-client may not ask
//   for the system:masters group.
// The authorizer is the request authorizer, in the request's logical cluster.

import { forbidden } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { Authorizer } from '../auth/authz.js';
import { parseCSR } from '../auth/csr.js';
import { resourceAttributes } from '../auth/rbac/authorizer.js';
import { KUBE_APISERVER_CLIENT_SIGNER, requestPem } from '../registry/kinds/certificatesigningrequests.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';
import type { UserInfo } from '../registry/types.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';

const GROUP = 'certificates.k8s.io';
const GR = { group: GROUP, resource: 'certificatesigningrequests' };

function signerName(o: KubeObject | undefined): string {
  const s = (o?.spec as { signerName?: unknown } | undefined)?.signerName;
  return typeof s === 'string' ? s : '';
}

function statusOf(o: KubeObject | undefined): { conditions?: unknown; certificate?: unknown } {
  return (o?.status ?? {}) as { conditions?: unknown; certificate?: unknown };
}

export class CertificateAdmission implements AdmissionPlugin {
  readonly name = 'CertificateApproval,CertificateSigning,CertificateSubjectRestriction';

  constructor(private readonly authorizer: Authorizer) {}

  /** IsAuthorizedForSignerName: the signer by name, or every signer of its domain. */
  private async authorizedFor(user: UserInfo, cluster: ClusterName, verb: string, signer: string): Promise<boolean> {
    const ask = async (name: string) =>
      (await this.authorizer.authorize(user, resourceAttributes(cluster, { verb, group: GROUP, resource: 'signers', name }))).allowed;
    return (await ask(signer)) || ask(`${signer.split('/')[0]}/*`);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.type.group !== GROUP || a.type.resource !== GR.resource) return;
    const name = a.object?.metadata.name ?? a.name;
    if (a.operation === 'CREATE' && a.object && signerName(a.object) === KUBE_APISERVER_CLIENT_SIGNER) {
      let orgs: string[];
      try {
        orgs = parseCSR(requestPem(a.object)).organizations;
      } catch (e) {
        throw forbidden(GR, name, `failed to parse CSR: ${(e as Error).message}`);
      }
      if (orgs.includes('system:masters')) {
        throw forbidden(GR, name, `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`);
      }
      return;
    }
    if (a.operation !== 'UPDATE') return;
    if (a.subresource === 'approval') {
      // the new object's signer: the approval endpoint cannot change it, but kube asks of it
      const signer = signerName(a.object);
      if (!(await this.authorizedFor(a.ctx.user, a.ctx.cluster, 'approve', signer))) {
        throw forbidden(GR, name, `user not permitted to approve requests with signerName ${JSON.stringify(signer)}`);
      }
    } else if (a.subresource === 'status') {
      const [n, o] = [statusOf(a.object), statusOf(a.oldObject)];
      if ((n.certificate ?? '') === (o.certificate ?? '') && JSON.stringify(n.conditions ?? []) === JSON.stringify(o.conditions ?? [])) return;
      const signer = signerName(a.oldObject);
      if (!(await this.authorizedFor(a.ctx.user, a.ctx.cluster, 'sign', signer))) {
        throw forbidden(GR, name, `user not permitted to sign requests with signerName ${JSON.stringify(signer)}`);
      }
    }
  }
}
