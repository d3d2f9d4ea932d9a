// The syncer's part of a tenant's request:
// - a create or update of a published object is checked by a server-side dry-run in the management
//   cluster, so a webhook's or CEL rule's rejection comes back in the tenant's own kubectl reply
//   (reference rules that refuse a value answer 422 before that);
// - what the provider serves into a workspace (imported CRDs, catalog copies, related copies) can
//   not be changed or deleted there, and a tenant cannot define a CRD the provider publishes to it.
// When the management cluster cannot be reached, a write is let through: its copy goes down later,
// and a failure then shows as a condition and an Event on the object.

import { forbidden, invalid, isStatusError } from '../apimachinery/errors.js';
import { SYSTEM_USER } from '../controllers/context.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.js';
import { DownstreamError } from './client.js';
import type { Syncer } from './syncer.js';
import { errorForTenant } from './tenant-errors.js';
import { ANN_PUBLISHED_BY } from './types.js';

const CRDS = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' };

export class SyncAdmission implements AdmissionPlugin {
  readonly name = 'kplane.io/Syncer';

  constructor(private readonly syncer: Syncer) {}

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.ctx.user.username === SYSTEM_USER.username) return;
    const cluster = a.ctx.cluster;
    const gr = { group: a.type.group, resource: a.type.resource };
    // what the provider serves here is read-only here
    const publishedBy = a.oldObject?.metadata.annotations?.[ANN_PUBLISHED_BY];
    if (publishedBy && (a.operation === 'UPDATE' || a.operation === 'DELETE') && this.syncer.publishedByName(publishedBy).some((s) => s.isBound(cluster))) {
      throw forbidden(gr, a.name, `it is provided by the published resource ${publishedBy} and cannot be changed in this workspace`);
    }
    if (a.operation === 'CREATE' && a.type.group === CRDS.group && a.type.resource === CRDS.resource
      && this.syncer.importsIn(cluster).some((s) => s.crdName === a.name)) {
      throw forbidden(gr, a.name, 'the provider publishes this resource to this workspace');
    }
    if (a.operation === 'CREATE' && a.namespace) {
      const catalog = this.syncer.importsIn(cluster).find((s) => s.spec.mode === 'Catalog' && s.spec.group === gr.group && s.spec.resource === gr.resource && s.spec.catalog?.namespace === a.namespace);
      if (catalog) throw forbidden(gr, a.name, `the namespace ${a.namespace} holds the provider's catalog (published resource ${catalog.name})`);
    }
    if (a.operation === 'CREATE') {
      const mirror = this.syncer.importsIn(cluster).find((s) => s.spec.mode === 'Mirror' && s.spec.group === gr.group && s.spec.resource === gr.resource);
      if (mirror) throw forbidden(gr, a.name, `the management cluster makes these for this workspace's objects (published resource ${mirror.name}): they are read-only here`);
    }
    if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || !a.object || !a.type.customResource) return;
    const synced = this.syncer.syncedFor(gr.group, gr.resource);
    if (!synced || !synced.isBound(cluster)) return;
    if (a.object.metadata.deletionTimestamp) return;
    const d = await synced.desired(cluster, a.object);
    if (!d.ok) throw invalid({ group: a.type.group, kind: a.type.kind }, a.name, d.errors);
    try {
      await synced.dryRun(cluster, a.object.metadata.namespace ?? '', d.object, d.namespace);
    } catch (e) {
      if (isStatusError(e)) throw e;
      if (e instanceof DownstreamError && e.status && e.code < 500) throw errorForTenant(e, d.namespace, a.object.metadata.namespace ?? '');
      // unreachable or failing: the write goes through; the syncer reports what happens later
    }
  }
}
