// A management cluster's answer, told to the tenant: the same code, reason and causes (a webhook's
// or CEL rule's message reaches the tenant's kubectl as it was written), with the management
// cluster's namespace replaced by the tenant's, so no provider-side name leaks into the reply.

import { StatusError, type StatusCause, type StatusReason } from '../apimachinery/errors.js';
import { DownstreamError } from './client.js';

export function errorForTenant(e: unknown, downstreamNs: string | undefined, tenantNs: string): StatusError {
  const swap = (s: string | undefined): string | undefined => (s && downstreamNs ? s.split(downstreamNs).join(tenantNs) : s);
  if (e instanceof DownstreamError && e.status) {
    const st = e.status as { message?: string; reason?: StatusReason; code?: number; details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] } };
    const d = st.details;
    return new StatusError(st.code ?? e.code, st.reason ?? '', swap(st.message) ?? '', d ? {
      name: d.name, group: d.group, kind: d.kind,
      causes: d.causes?.map((c) => ({ ...c, message: swap(c.message) })),
    } : undefined);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new StatusError(503, 'ServiceUnavailable', `the management cluster could not be reached: ${swap(message)}`);
}
