// CRD names and establishment, per logical cluster (kube's NamingConditionController and
// EstablishingController in one step): a CRD's requested names are accepted unless another CRD
// of the same group in the same cluster already holds them; accepted names make it
// NamesAccepted, and then Established, which is when the CRD index serves it. Names freed by a
// deleted or renamed CRD are offered again to the others of its group.

import { isStatusError } from '../apimachinery/errors.js';
import { deepCopy, formatTime } from '../apimachinery/object.js';
import type {
  CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames,
} from '../apiextensions/types.js';
import { CRD_LIST_PAGE, CRD_RESOURCE, type CustomResourceIndex } from '../apiextensions/served.js';
import type { ResourceType } from '../registry/types.js';
import { parseKey, scopePrefix } from '../storage/keys.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import { QueueController } from './base.js';
import { systemContext, type ControllerDeps } from './context.js';
import { Informer } from './informer.js';

type Condition = CustomResourceDefinitionCondition;

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

/** equalToAcceptedOrFresh: a name is fine when it is already ours, or nobody else's. */
function conflict(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if ((requested ?? '') === (accepted ?? '')) return undefined;
  if (!used.has(requested ?? '')) return undefined;
  return `"${requested ?? ''}" is already in use`;
}

/** The accepted names and the NamesAccepted and Established conditions a CRD should have. */
export function calculateNames(crd: CustomResourceDefinition, others: readonly CustomResourceDefinition[]): {
  names: CustomResourceDefinitionNames; namesAccepted: Condition; established: Condition;
} {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    if (o.spec.group !== crd.spec.group || o.metadata.name === crd.metadata.name) continue;
    const a = o.status?.acceptedNames;
    if (!a) continue;
    for (const n of [a.plural, a.singular, ...(a.shortNames ?? [])]) if (n) resources.add(n);
    for (const n of [a.kind, a.listKind]) if (n) kinds.add(n);
  }
  const requested = crd.spec.names;
  const accepted: Partial<CustomResourceDefinitionNames> = crd.status?.acceptedNames ?? {};
  const names: Partial<CustomResourceDefinitionNames> = { ...accepted };
  let namesAccepted: Condition = { type: 'NamesAccepted', status: 'Unknown' };
  const refuse = (reason: string, message: string) => {
    namesAccepted = { type: 'NamesAccepted', status: 'False', reason, message };
  };
  let err = conflict(requested.plural, accepted.plural, resources);
  if (err) refuse('PluralConflict', err);
  else names.plural = requested.plural;
  err = conflict(requested.singular, accepted.singular, resources);
  if (err) refuse('SingularConflict', err);
  else names.singular = requested.singular;
  if (!sameStrings(requested.shortNames, accepted.shortNames)) {
    const mine = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? []).filter((s) => !mine.has(s)).map((s) => conflict(s, '', resources))
      .filter((e): e is string => e !== undefined);
    if (errs.length) refuse('ShortNamesConflict', errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
    else names.shortNames = requested.shortNames;
  }
  err = conflict(requested.kind, accepted.kind, kinds);
  if (err) refuse('KindConflict', err);
  else names.kind = requested.kind;
  err = conflict(requested.listKind, accepted.listKind, kinds);
  if (err) refuse('ListKindConflict', err);
  else names.listKind = requested.listKind;
  names.categories = requested.categories;
  if (namesAccepted.status === 'Unknown') namesAccepted = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };

  const old = (crd.status?.conditions ?? []).find((c) => c.type === 'Established');
  let established: Condition = old ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  // the establishing controller's step, taken at once: the names are ours, the API is served
  if (established.status !== 'True' && namesAccepted.status === 'True') {
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  }
  // in the field order kube writes, omitting what is unset
  const ordered: Record<string, unknown> = {};
  for (const k of ['plural', 'singular', 'shortNames', 'kind', 'listKind', 'categories'] as const) {
    if (names[k] !== undefined && names[k] !== '') ordered[k] = names[k];
  }
  return { names: ordered as never as CustomResourceDefinitionNames, namesAccepted, established };
}

/** SetCRDCondition: replaces the condition of that type, keeping lastTransitionTime if the status did not change. */
export function setCondition(crd: CustomResourceDefinition, c: Condition, now: Date): void {
  const status = (crd.status ??= {});
  const conds = (status.conditions ??= []);
  const i = conds.findIndex((x) => x.type === c.type);
  const next: Condition = { type: c.type, status: c.status, lastTransitionTime: formatTime(now), reason: c.reason, message: c.message };
  if (i < 0) {
    conds.push(next);
    return;
  }
  const cur = conds[i]!;
  if (cur.status === c.status && cur.lastTransitionTime) next.lastTransitionTime = cur.lastTransitionTime;
  conds[i] = next;
}

export class CRDNamesController extends QueueController {
  private readonly informer: Informer;

  constructor(private readonly deps: ControllerDeps, private readonly type: ResourceType, private readonly index: CustomResourceIndex) {
    // one at a time: each decision sees the names the previous one accepted (through the index)
    super(deps.log, { what: 'CRD names', concurrency: 1 });
    this.informer = new Informer(deps.store, scopePrefix(CRD_RESOURCE, '*'), {
      // at start-up only what is not settled yet: a cluster's CRDs are large to list again
      onList: (kv) => {
        if (!settled(kv.value as never)) this.queue.add(kv.key);
      },
      onEvent: (ev) => {
        this.queue.add(ev.kv.key);
        // a deleted or renamed CRD frees names: the others of its group may now take them
        if (ev.type === 'DELETED' || freesNames(ev.prev?.value as never, ev.kv.value as never)) this.queue.add(`group|${ev.kv.key}`);
      },
      onError: (err) => deps.log.warn({ err }, 'CRD informer restarted'),
    }, CRD_LIST_PAGE);
    this.informers.push(this.informer);
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  private async crdsOf(cluster: ClusterName): Promise<CustomResourceDefinition[]> {
    const page = await this.deps.store.list(scopePrefix(CRD_RESOURCE, cluster));
    return page.items.map((kv) => kv.value as never);
  }

  protected override async reconcile(task: string): Promise<void> {
    if (task.startsWith('group|')) {
      const key = task.slice(6);
      const { cluster } = parseKey(key);
      const group = ((await this.deps.store.get(key))?.value as CustomResourceDefinition | undefined)?.spec?.group;
      for (const crd of await this.crdsOf(cluster)) {
        if (group === undefined || crd.spec.group === group) this.queue.add(this.deps.registry.key(this.type, cluster, '', crd.metadata.name!));
      }
      return;
    }
    const { cluster, name } = parseKey(task);
    const kv = await this.deps.store.get(task);
    if (!kv) return;
    const crd = kv.value as never as CustomResourceDefinition;
    // the names other CRDs hold are those of the cluster's served CRDs, from the index: no list
    // (and decoding) of every CRD of the cluster per decision. (A CRD never established but
    // holding part of its names, after a conflict, is not seen: kube would keep those for it.)
    const others = [...(this.index.servedCRDs(cluster) ?? [])].map((s): CustomResourceDefinition => ({
      metadata: { name: s.crdName }, spec: { group: s.compiled.spec.group } as never, status: { acceptedNames: s.names },
    }));
    const { names, namesAccepted, established } = calculateNames(crd, others);
    const next = deepCopy(crd) as CustomResourceDefinition;
    const now = new Date();
    next.status ??= {};
    next.status.acceptedNames = names;
    setCondition(next, namesAccepted, now);
    setCondition(next, established, now);
    if (JSON.stringify(stripTimes(next.status)) === JSON.stringify(stripTimes(crd.status ?? {}))) return;
    try {
      await this.deps.registry.update(systemContext(cluster, '', 'kube-apiserver'), this.type, name, { updatedObject: () => next }, { subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e; // a conflict retries through the queue
    }
    // the next decision must see these names taken: wait until the index serves the CRD
    if (established.status === 'True') await this.servedIn(cluster, crd.metadata.name!, 2000);
  }

  private servedIn(cluster: ClusterName, name: string, timeoutMs: number): Promise<void> {
    if (this.index.servedCRD(cluster, name)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const stop = this.index.onChange((c) => {
        if (c === cluster && this.index.servedCRD(cluster, name)) done();
      });
      const timer = setTimeout(done, timeoutMs);
    });
  }
}

/** Names accepted as requested, established: nothing for this controller to do. */
function settled(crd: CustomResourceDefinition): boolean {
  const conds = crd.status?.conditions ?? [];
  const isTrue = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  const a = crd.status?.acceptedNames;
  const n = crd.spec?.names;
  return isTrue('NamesAccepted') && isTrue('Established') && !!a && !!n && a.plural === n.plural && a.kind === n.kind
    && (a.singular ?? '') === (n.singular ?? '') && (a.listKind ?? '') === (n.listKind ?? '')
    && sameStrings(a.shortNames, n.shortNames) && sameStrings(a.categories, n.categories);
}

/** A CRD gave up accepted names (renamed): others of its group may take them now. */
function freesNames(prev: CustomResourceDefinition | undefined, cur: CustomResourceDefinition | undefined): boolean {
  const before = prev?.status?.acceptedNames;
  return !!before && JSON.stringify(before) !== JSON.stringify(cur?.status?.acceptedNames);
}

function stripTimes(status: CustomResourceDefinition['status'] & object): unknown {
  return { ...status, conditions: (status.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c) };
}
