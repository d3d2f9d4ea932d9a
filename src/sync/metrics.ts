// The syncer's Prometheus metrics, labelled by published resource only (never by workspace: a
// provider with thousands of tenants must not get thousands of series per metric).

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SyncMetrics {
  errors: Counter<'published_resource'>;
  writes: Counter<'published_resource' | 'direction'>;
  reconcileSeconds: Histogram<'published_resource'>;
  /** From a change seen (upstream or downstream) to its copy written on the other side. */
  lagSeconds: Histogram<'published_resource' | 'direction'>;
}

export interface SyncGaugeSource {
  /** Per published resource: queue depth, bound workspaces, objects in sync, objects failing. */
  gauges(): { name: string; queueDepth: number; bound: number; inSync: number; failing: number }[];
  /** Per management cluster: requests sent to it so far. */
  requests(): { name: string; count: number }[];
}

export function syncMetrics(registry: Registry, source: SyncGaugeSource): SyncMetrics {
  const labelNames = ['published_resource'] as const;
  const gauge = (name: string, help: string, pick: (g: ReturnType<SyncGaugeSource['gauges']>[number]) => number): void => {
    new Gauge({
      name, help, labelNames, registers: [registry],
      collect() {
        this.reset();
        for (const g of source.gauges()) this.set({ published_resource: g.name }, pick(g));
      },
    });
  };
  gauge('kplane_sync_queue_depth', 'Objects waiting to be synced.', (g) => g.queueDepth);
  gauge('kplane_sync_bound_workspaces', 'Workspaces a published resource is offered to.', (g) => g.bound);
  gauge('kplane_sync_objects_in_sync', 'Tenant objects whose downstream copy and status are up to date.', (g) => g.inSync);
  gauge('kplane_sync_objects_failing', 'Tenant objects whose last sync failed.', (g) => g.failing);
  new Counter({
    name: 'kplane_sync_downstream_requests_total', help: 'Requests sent to a management cluster (watches counted once each).',
    labelNames: ['management_cluster'], registers: [registry],
    collect() {
      this.reset();
      for (const r of source.requests()) this.inc({ management_cluster: r.name }, r.count);
    },
  });
  return {
    errors: new Counter({ name: 'kplane_sync_errors_total', help: 'Failed sync attempts (retried with backoff).', labelNames, registers: [registry] }),
    writes: new Counter({ name: 'kplane_sync_writes_total', help: 'Writes the syncer made, down (management cluster) or up (tenants).', labelNames: ['published_resource', 'direction'], registers: [registry] }),
    reconcileSeconds: new Histogram({ name: 'kplane_sync_reconcile_seconds', help: 'Time of one object reconcile.', labelNames, registers: [registry], buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10] }),
    lagSeconds: new Histogram({ name: 'kplane_sync_lag_seconds', help: 'From a change seen to its copy written on the other side.', labelNames: ['published_resource', 'direction'], registers: [registry], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] }),
  };
}
