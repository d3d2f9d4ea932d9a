// NamespaceLifecycle, as in kube-apiserver: nothing is created in a namespace that does not exist
// or is being terminated, and the system namespaces cannot be deleted.

import { forbidden, notFound } from '../apimachinery/errors.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';
import type { Registry } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { IMMORTAL_NAMESPACES } from '../tenancy/bootstrap.js';

export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';

  constructor(private readonly registry: Registry, private readonly namespaces: ResourceType) {}

  async validate(a: AdmissionAttributes): Promise<void> {
    const isNamespace = a.type.group === '' && a.type.resource === 'namespaces';
    if (a.operation === 'DELETE' && isNamespace && !a.subresource && IMMORTAL_NAMESPACES.has(a.name)) {
      throw forbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
    }
    if (a.operation !== 'CREATE' || !a.type.namespaced || !a.namespace) return;
    const ns = await this.registry.tryGet(this.namespaces, a.ctx.cluster, '', a.namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, a.namespace);
    if (ns.metadata.deletionTimestamp) {
      const err = forbidden({ group: a.type.group, resource: a.type.resource }, a.name,
        `unable to create new content in namespace ${a.namespace} because it is being terminated`);
      err.status.details!.causes = [{
        reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace',
      }];
      throw err;
    }
  }
}
