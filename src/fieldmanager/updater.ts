// structured-merge-diff's merge.Updater: who owns what after an update or an apply. An update
// gives the writer every field it added or changed (and takes them from the others); an apply
// merges the configuration, removes what the applier stopped applying and nobody else owns, and
// refuses (unless forced) to change fields another manager owns: a conflict.

import { FieldSet, type Path } from './fieldpath.js';
import type { Atom } from './schema.js';
import {
  compare, ensureNamedFieldsAreMembers, merge, reconcileFieldSetWithSchema, removeItems, toFieldSet, type Comparison,
} from './typed.js';
import { equalValues } from './value.js';

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Manager identifier (the JSON kube builds from manager, operation, apiVersion, subresource) -> its fields. */
export type Managers = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

/** merge.Conflicts: every field another manager owns that an apply would change. */
export class Conflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('conflicts');
  }
}

function filtered(set: FieldSet, ignore: FieldSet | undefined): FieldSet {
  return ignore ? set.recursiveDifference(ignore) : set;
}

function filteredComparison(c: Comparison, ignore: FieldSet | undefined): Comparison {
  if (!ignore) return c;
  return { added: filtered(c.added, ignore), modified: filtered(c.modified, ignore), removed: filtered(c.removed, ignore) };
}

export class Updater {
  /** @param ignore the fields this endpoint resets (kube's resetFields): never owned, never conflicting. */
  constructor(private readonly atom: Atom, private readonly ignore?: FieldSet) {}

  private reconcile(oldObj: unknown, newObj: unknown, managers: Managers, workflow: string, force: boolean): Comparison {
    const c = filteredComparison(compare(oldObj, newObj, this.atom), this.ignore);
    const conflicts: Conflict[] = [];
    const conflictSets = new Map<string, FieldSet>();
    const changed = c.modified.union(c.added);
    for (const [manager, vs] of managers) {
      if (manager === workflow) continue;
      const conflictSet = vs.set.intersection(changed);
      if (!conflictSet.empty) {
        conflictSets.set(manager, conflictSet);
        for (const p of conflictSet.paths()) conflicts.push({ manager, path: p });
      }
    }
    if (!force && conflicts.length) throw new Conflicts(conflicts);
    for (const [manager, vs] of managers) {
      if (manager === workflow) continue;
      let set = vs.set;
      const cs = conflictSets.get(manager);
      if (cs) set = set.difference(cs);
      if (!c.removed.empty) set = set.difference(c.removed);
      if (set !== vs.set) managers.set(manager, { ...vs, set });
    }
    for (const [manager, vs] of managers) if (vs.set.empty) managers.delete(manager);
    return c;
  }

  /** Updater.Update: the writer of a non-apply write owns what it added and changed. */
  /**
   * reconcileManagedFieldsWithSchemaChanges: the managers as the current schema sees them (a copy:
   * the caller's map is never changed, even by a write that fails).
   */
  private reconciled(managers: Managers): Managers {
    const out: Managers = new Map();
    for (const [manager, vs] of managers) {
      const set = reconcileFieldSetWithSchema(vs.set, this.atom);
      out.set(manager, set ? { ...vs, set } : vs);
    }
    return out;
  }

  update(liveObj: unknown, newObj: unknown, apiVersion: string, managers: Managers, manager: string): Managers {
    managers = this.reconciled(managers);
    const c = this.reconcile(liveObj, newObj, managers, manager, true);
    const previous = managers.get(manager)?.set ?? new FieldSet();
    const set = filtered(previous.difference(c.removed).union(c.modified).union(c.added), this.ignore);
    if (set.empty) managers.delete(manager);
    else managers.set(manager, { set, apiVersion, applied: false });
    return managers;
  }

  /** Updater.Apply: the merged object (undefined when nothing changes) and the new owners. */
  apply(liveObj: unknown, config: unknown, apiVersion: string, managers: Managers, manager: string, force: boolean): { object: unknown; managers: Managers } {
    managers = this.reconciled(managers);
    let merged = merge(liveObj, config, this.atom);
    const lastSet = managers.get(manager);
    const set = filtered(toFieldSet(config, this.atom), this.ignore);
    managers.set(manager, { set, apiVersion, applied: true });
    merged = this.prune(merged, managers, lastSet);
    this.reconcile(liveObj, merged, managers, manager, force);
    return { object: equalValues(liveObj, merged) ? undefined : merged, managers };
  }

  /** Removes what the applier stopped applying, unless another manager owns it. */
  private prune(merged: unknown, managers: Managers, lastSet: VersionedSet | undefined): unknown {
    if (!lastSet || lastSet.set.empty) return merged;
    const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, this.atom);
    let pruned = removeItems(merged, named(lastSet.set), this.atom);
    // add back what any manager owns
    let managed = new FieldSet();
    for (const vs of managers.values()) managed = managed.union(vs.set);
    const mergedSet = named(toFieldSet(merged, this.atom));
    pruned = removeItems(merged, mergedSet.difference(named(toFieldSet(pruned, this.atom)).union(named(managed))), this.atom);
    // and what was removed without having been applied before (dangling)
    const prunedSet = named(toFieldSet(pruned, this.atom));
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(named(lastSet.set)), this.atom);
  }
}
