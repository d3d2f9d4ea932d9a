// The clusterrole-aggregation controller, for every logical cluster at once: a ClusterRole with an
// aggregationRule gets as rules the union of the rules of the ClusterRoles its selectors match —
// selector by selector, the matching roles by name, each rule once (semantic equality), the role
// itself left out — as kube's controller computes it. It writes only when the rules differ.
//
// Idle clusters cost nothing: the bootstrap admin/edit/view roles are shared templates whose
// precomputed rules already are the aggregation of the bootstrap system:aggregate-to-* roles
// (src/tenancy/bootstrap.ts; a unit test holds them to it). Only real ClusterRole writes in a
// cluster (a tenant creating, changing or deleting one) queue that cluster; its aggregated roles
// are then recomputed one by one, and one whose result equals what it has is not written.

import { isStatusError, notFound } from '../apimachinery/errors.js';
import { labelSelectorFromMeta, type LabelSelector, type MetaLabelSelector } from '../apimachinery/labels.js';
import { deepCopy, formatTime, type KubeObject } from '../apimachinery/object.js';
import { fieldManagerFor } from '../fieldmanager/endpoint.js';
import type { ResourceType } from '../registry/types.js';
import { clusterOfKey, scopePrefix } from '../storage/keys.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';

const MANAGER = 'clusterrole-aggregation-controller';
import { QueueController } from './base.js';

export type PolicyRule = Record<string, unknown>;

interface AggregationRule {
  clusterRoleSelectors?: MetaLabelSelector[] | null;
}

function aggregationRuleOf(role: KubeObject): AggregationRule | undefined {
  const r = role.aggregationRule as AggregationRule | null | undefined;
  return r ?? undefined;
}

/** Canonical text of a value for semantic equality: object keys sorted, null and empty lists and maps dropped. */
function canonical(v: unknown): string {
  return JSON.stringify(strip(v)) ?? 'null';
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(strip) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const s = strip((v as Record<string, unknown>)[k]);
      if (s !== undefined) out[k] = s;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/** apimachinery's equality.Semantic.DeepEqual for rule lists: nil and empty are equal. */
export function rulesEqual(a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[] | null | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => canonical(r) === canonical(y[i]));
}

/**
 * The rules of an aggregated role, computed from the cluster's ClusterRoles: for each selector in
 * order, the matching roles sorted by name (the role itself excluded), each of their rules unless
 * an equal rule is already in the result. Undefined when the role has no aggregationRule.
 * Throws a BadRequest StatusError for an invalid selector.
 */
export function aggregateRules(role: KubeObject, all: readonly KubeObject[]): PolicyRule[] | undefined {
  const rule = aggregationRuleOf(role);
  if (!rule) return undefined;
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  // Go sorts names by their bytes
  const byName = [...all].sort((a, b) => Buffer.compare(Buffer.from(a.metadata.name ?? ''), Buffer.from(b.metadata.name ?? '')));
  for (const sel of rule.clusterRoleSelectors ?? []) {
    // a null entry decodes to the zero LabelSelector in Go, which selects everything
    const selector: LabelSelector = labelSelectorFromMeta(sel ?? {});
    for (const other of byName) {
      if (other.metadata.name === role.metadata.name) continue;
      if (!selector.matches(other.metadata.labels ?? {})) continue;
      for (const r of (other.rules as PolicyRule[] | null | undefined) ?? []) {
        const c = canonical(r);
        if (seen.has(c)) continue;
        seen.add(c);
        out.push(deepCopy(r));
      }
    }
  }
  return out;
}

const CLUSTER = 'c';
const ROLE = 'r';

export class ClusterRoleAggregationController extends QueueController {
  private readonly informer: Informer;
  private readonly clusterRoles: ResourceType;

  constructor(private readonly deps: ControllerDeps) {
    super(deps.log, { what: 'clusterrole aggregation', concurrency: 4 });
    this.clusterRoles = deps.catalog.allTypes().find((t) => t.group === 'rbac.authorization.k8s.io' && t.resource === 'clusterroles')!;
    // The raw store: only what tenants wrote (real roles, tombstones of deleted templates) shows
    // here, never the shared templates, so untouched clusters are never looked at.
    const touched = (key: string) => {
      const cluster = clusterOfKey(key);
      if (cluster) this.queue.add(`${CLUSTER}|${cluster}`);
    };
    this.informer = new Informer(deps.baseStore, scopePrefix(this.clusterRoles.storage, '*'), {
      onList: (kv) => touched(kv.key),
      onEvent: (ev) => touched(ev.kv.key),
      onError: (err) => deps.log.warn({ err }, 'clusterrole aggregation informer restarted'),
    });
    this.informers.push(this.informer);
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  protected override async reconcile(key: string): Promise<void> {
    const first = key.indexOf('|');
    const kind = key.slice(0, first);
    if (kind === CLUSTER) return this.fanOut(key.slice(first + 1) as ClusterName);
    const second = key.indexOf('|', first + 1);
    return this.sync(key.slice(first + 1, second) as ClusterName, key.slice(second + 1));
  }

  private async live(cluster: ClusterName): Promise<boolean> {
    const info = await this.deps.clusters.info(cluster);
    return !!info && !info.terminating;
  }

  /** Any ClusterRole of the cluster changed: queue each of its aggregated roles (kube queues them all too). */
  private async fanOut(cluster: ClusterName): Promise<void> {
    if (!(await this.live(cluster))) return;
    const list = await this.deps.registry.list(systemContext(cluster), this.clusterRoles, {});
    for (const role of list.items) {
      if (aggregationRuleOf(role)) this.queue.add(`${ROLE}|${cluster}|${role.metadata.name}`);
    }
  }

  private async sync(cluster: ClusterName, name: string): Promise<void> {
    if (!(await this.live(cluster))) return;
    const role = await this.deps.registry.tryGet(this.clusterRoles, cluster, '', name);
    if (!role || !aggregationRuleOf(role)) return;
    const all = (await this.deps.registry.list(systemContext(cluster), this.clusterRoles, {})).items;
    let rules: PolicyRule[] | undefined;
    try {
      rules = aggregateRules(role, all);
    } catch (e) {
      // An invalid selector (validation normally refuses it): nothing can be aggregated.
      if (isStatusError(e, 'BadRequest')) {
        this.deps.log.warn({ cluster, name, err: e }, 'clusterrole aggregation: invalid selector');
        return;
      }
      throw e;
    }
    if (!rules || rulesEqual(rules, role.rules as PolicyRule[] | undefined)) return;
    // (applying no rules removes those the controller owns, never rules the role's creator set)
    try {
      // kube's controller applies the rules (server-side apply, forced) as its own manager
      const ctx = { ...systemContext(cluster, '', MANAGER), appliedFields: true };
      await this.deps.registry.update(ctx, this.clusterRoles, name, {
        updatedObject: (existing) => {
          // never create it again (ClusterRoles allow create on update)
          if (!existing) throw notFound({ group: this.clusterRoles.group, resource: this.clusterRoles.resource }, name);
          const patch: KubeObject = { apiVersion: existing.apiVersion, kind: existing.kind, metadata: { name } };
          if (rules!.length) patch.rules = rules;
          return fieldManagerFor(this.clusterRoles)!.apply(existing, patch, MANAGER, true, formatTime(ctx.now));
        },
        uidPrecondition: role.metadata.uid,
      });
    } catch (e) {
      // deleted or replaced meanwhile: its own event queues the cluster again
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
    }
  }
}
