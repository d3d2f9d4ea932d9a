// Values walked with their schema, as structured-merge-diff's typed package walks them: the field
// set a value sets, the comparison of two values (added, modified, removed paths), the merge of a
// configuration into a live object (associative lists keep the live order around the applied
// items), the removal of paths, and the validation of a value against its schema.

import {
  FieldSet, elementString, fieldElement, keyElement, pathString, valueElement, type Path, type PathElement,
} from './fieldpath.js';
import { DEDUCED, UNTYPED, type Atom, type ListAtom, type MapAtom } from './schema.js';
import { goQuote } from '../apimachinery/gofmt.js';
import { compareStrings, equalValues, goNumber, isMap, type Value } from './value.js';

/** An SMD error: a path and a message, printed `.spec.a: message`. */
export class TypedError extends Error {}

type Kind = 'scalar' | 'list' | 'map' | undefined;

/** deduceAtom then handleAtom: the part of the atom that handles the value. */
function kindOf(a: Atom, v: unknown): Kind {
  if (v !== undefined && v !== null) {
    if (Array.isArray(v)) {
      if (a.list) return 'list';
    } else if (typeof v === 'object') {
      if (a.map) return 'map';
    } else if (a.scalar) {
      return 'scalar';
    }
  }
  if (a.map) return 'map';
  if (a.scalar) return 'scalar';
  if (a.list) return 'list';
  return undefined;
}

function fieldAtom(m: MapAtom, key: string): Atom {
  const f = m.field(key);
  if (f) return f();
  return m.element ? m.element() : DEDUCED;
}

/** listItemToPathElement: an associative list item's key element, or why it has none. */
export function itemElement(l: ListAtom, item: unknown): PathElement | string {
  if (!l.associative) return 'invalid indexing of non-associative list';
  if (l.keys.length > 0) {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isMap(item)) return 'associative list with keys may not have non-map elements';
    const fields: Array<[string, Value]> = [];
    for (const k of l.keys) {
      if (k in item) fields.push([k, item[k]!]);
      else if (l.keyDefaults.has(k)) fields.push([k, l.keyDefaults.get(k) as Value]);
    }
    if (fields.length === 0) {
      return `associative list with keys has an element that omits all key fields ${goQuotedList(l.keys)} (and doesn't have default values for any key fields)`;
    }
    return keyElement(fields);
  }
  if (isMap(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null) return "associative list without keys has an element that's an explicit null";
  return valueElement(item as Value);
}

function goQuotedList(keys: readonly string[]): string {
  return `[${keys.map((k) => JSON.stringify(k)).join(' ')}]`;
}

function elementOrThrow(l: ListAtom, item: unknown): PathElement {
  const pe = itemElement(l, item);
  if (typeof pe === 'string') throw new TypedError(pe);
  return pe;
}

// ---------------------------------------------------------------- field sets

/** TypedValue.ToFieldSet: every path the value sets (leaves, list items, empty maps, map keys). */
export function toFieldSet(v: unknown, a: Atom): FieldSet {
  const set = new FieldSet();
  walkFieldSet(v, a, [], set);
  return set;
}

function walkFieldSet(v: unknown, a: Atom, path: PathElement[], set: FieldSet): void {
  switch (kindOf(a, v)) {
    case 'scalar':
      set.insert(path);
      return;
    case 'list': {
      const l = a.list!;
      if (!l.associative) {
        set.insert(path);
        return;
      }
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      const dups = new Set<string>();
      const pes = v.map((item) => itemElement(l, item));
      for (const pe of pes) {
        if (typeof pe === 'string') continue;
        if (seen.has(pe.id)) {
          if (!dups.has(pe.id)) {
            set.insert([...path, pe]);
            dups.add(pe.id);
          }
        } else {
          seen.add(pe.id);
        }
      }
      v.forEach((item, i) => {
        const pe = pes[i]!;
        if (typeof pe === 'string' || dups.has(pe.id)) return;
        const p = [...path, pe];
        walkFieldSet(item, l.element(), p, set);
        set.insert(p);
      });
      return;
    }
    case 'map': {
      const m = a.map!;
      if (m.atomic) {
        set.insert(path);
        return;
      }
      if (!isMap(v)) return;
      for (const [k, val] of Object.entries(v)) {
        const p = [...path, fieldElement(k)];
        walkFieldSet(val, fieldAtom(m, k), p, set);
        if (val === null || (isMap(val) && Object.keys(val).length === 0) || !m.field(k)) set.insert(p);
      }
    }
  }
}

// ---------------------------------------------------------------- comparison

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** TypedValue.Compare: what changes from lhs to rhs (undefined: the value is absent). */
export function compare(lhs: unknown, rhs: unknown, a: Atom): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareWalk(lhs, rhs, a, [], c);
  return c;
}

function compareWalk(lhs: unknown, rhs: unknown, a: Atom, path: PathElement[], c: Comparison): void {
  const st = { inLeaf: false };
  const kl = kindOf(a, lhs);
  const kr = kindOf(a, rhs);
  if (rhs === undefined) compareAtom(kl, lhs, rhs, a, path, c, st);
  else if (lhs === undefined || kl === kr) compareAtom(kr, lhs, rhs, a, path, c, st);
  else {
    compareAtom(kl, lhs, rhs, a, path, c, { inLeaf: st.inLeaf });
    compareAtom(kr, lhs, rhs, a, path, c, st);
  }
  if (!st.inLeaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

function compareLeaf(lhs: unknown, rhs: unknown, path: PathElement[], c: Comparison, st: { inLeaf: boolean }): void {
  if (st.inLeaf) return;
  st.inLeaf = true;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!equalValues(rhs, lhs)) c.modified.insert(path);
}

function asList(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

function asMap(v: unknown): Record<string, unknown> | undefined {
  return isMap(v) ? v : undefined;
}

function compareAtom(k: Kind, lhs: unknown, rhs: unknown, a: Atom, path: PathElement[], c: Comparison, st: { inLeaf: boolean }): void {
  if (k === 'scalar') return compareLeaf(lhs, rhs, path, c, st);
  if (k === 'list') {
    const l = a.list!;
    const ll = asList(lhs);
    const rl = asList(rhs);
    if (!l.associative || ((!ll || ll.length === 0) && (!rl || rl.length === 0))) return compareLeaf(lhs, rhs, path, c, st);
    compareListItems(l, ll ?? [], rl ?? [], path, c);
    return;
  }
  if (k === 'map') {
    const m = a.map!;
    const lm = asMap(lhs);
    const rm = asMap(rhs);
    const lEmpty = !lm || Object.keys(lm).length === 0;
    const rEmpty = !rm || Object.keys(rm).length === 0;
    if (m.atomic || (lEmpty && rEmpty)) return compareLeaf(lhs, rhs, path, c, st);
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const key of keys) {
      const lv = lm && key in lm ? lm[key] : undefined;
      const rv = rm && key in rm ? rm[key] : undefined;
      compareWalk(lv, rv, fieldAtom(m, key), [...path, fieldElement(key)], c);
    }
  }
}

function compareListItems(l: ListAtom, lhs: unknown[], rhs: unknown[], path: PathElement[], c: Comparison): void {
  const order: PathElement[] = [];
  const lValues = new Map<string, unknown[]>();
  const rValues = new Map<string, unknown[]>();
  for (const item of lhs) {
    const pe = elementOrThrow(l, item);
    const got = lValues.get(pe.id);
    if (got) got.push(item);
    else {
      lValues.set(pe.id, [item]);
      order.push(pe);
    }
  }
  for (const item of rhs) {
    const pe = elementOrThrow(l, item);
    const got = rValues.get(pe.id);
    if (got) got.push(item);
    else {
      rValues.set(pe.id, [item]);
      if (!lValues.has(pe.id)) order.push(pe);
    }
  }
  for (const pe of order) {
    const ll = lValues.get(pe.id) ?? [];
    const rl = rValues.get(pe.id) ?? [];
    const p = [...path, pe];
    if (ll.length <= 1 && rl.length <= 1) {
      compareWalk(ll[0], rl[0], l.element(), p, c);
    } else if (ll.length >= 2 && rl.length >= 2) {
      if (ll.length !== rl.length || ll.some((x, i) => !equalValues(x, rl[i]))) c.modified.insert(p);
    } else if (ll.length >= 2) {
      if (rl.length) compareWalk(undefined, rl[0], l.element(), p, c);
      c.removed.insert(p);
    } else {
      if (ll.length) compareWalk(ll[0], undefined, l.element(), p, c);
      c.added.insert(p);
    }
  }
}

// ---------------------------------------------------------------- merge

/** TypedValue.Merge (ruleKeepRHS): the configuration's values over the live object's. */
export function merge(lhs: unknown, rhs: unknown, a: Atom): unknown {
  const out = mergeWalk(lhs, rhs, a, []);
  return out === undefined ? null : out;
}

function mergeWalk(lhs: unknown, rhs: unknown, a: Atom, path: PathElement[]): unknown {
  const kl = kindOf(a, lhs);
  const kr = kindOf(a, rhs);
  if (rhs === undefined) return mergeAtom(kl, lhs, rhs, a, path);
  if (lhs === undefined || kl === kr) return mergeAtom(kr, lhs, rhs, a, path);
  mergeAtom(kl, lhs, rhs, a, path);
  return mergeAtom(kr, lhs, rhs, a, path);
}

function keepRHS(lhs: unknown, rhs: unknown): unknown {
  return rhs !== undefined ? rhs : lhs;
}

function mergeAtom(k: Kind, lhs: unknown, rhs: unknown, a: Atom, path: PathElement[]): unknown {
  if (k === 'scalar') return keepRHS(lhs, rhs);
  if (k === 'list') {
    const l = a.list!;
    const ll = asList(lhs);
    const rl = asList(rhs);
    if (!l.associative || ((!ll || ll.length === 0) && (!rl || rl.length === 0))) return keepRHS(lhs, rhs);
    if (!ll && !rl) return undefined;
    const out = mergeListItems(l, ll ?? [], rl ?? [], path);
    return out.length ? out : undefined;
  }
  if (k === 'map') {
    const m = a.map!;
    const lm = asMap(lhs);
    const rm = asMap(rhs);
    const lEmpty = !lm || Object.keys(lm).length === 0;
    const rEmpty = !rm || Object.keys(rm).length === 0;
    if (m.atomic || (lEmpty && rEmpty)) return keepRHS(lhs, rhs);
    const out: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const key of keys) {
      const lv = lm && key in lm ? lm[key] : undefined;
      const rv = rm && key in rm ? rm[key] : undefined;
      const v = mergeWalk(lv, rv, fieldAtom(m, key), [...path, fieldElement(key)]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return keepRHS(lhs, rhs);
}

/**
 * Associative lists: items of both in the configuration's order, live-only items where they were
 * relative to the shared ones (SMD's visitListItems).
 */
function mergeListItems(l: ListAtom, lhs: unknown[], rhs: unknown[], path: PathElement[]): unknown[] {
  const rPEs: PathElement[] = [];
  const observedR = new Map<string, unknown>();
  for (const [i, item] of rhs.entries()) {
    const pe = itemElement(l, item);
    if (typeof pe === 'string') throw new TypedError(`element ${i}: ${pe}`);
    if (observedR.has(pe.id)) throw new TypedError(`duplicate entries for key ${elementString(pe)}`);
    observedR.set(pe.id, item);
    rPEs.push(pe);
  }
  const lPEs: PathElement[] = [];
  const observedL = new Map<string, unknown>();
  for (const [i, item] of lhs.entries()) {
    const pe = itemElement(l, item);
    if (typeof pe === 'string') throw new TypedError(`element ${i}: ${pe}`);
    // a duplicated live item is merged as null (SMD keeps no value for it)
    observedL.set(pe.id, observedL.has(pe.id) ? null : item);
    lPEs.push(pe);
  }
  const shared = rPEs.filter((pe) => observedL.has(pe.id));
  let nextShared: PathElement | undefined = shared.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const push = (pe: PathElement, lv: unknown, rv: unknown) => {
    const v = mergeWalk(lv, rv, l.element(), [...path, pe]);
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  while (lI < lPEs.length || rI < rPEs.length) {
    if (lI < lPEs.length && rI < rPEs.length) {
      const pe = lPEs[lI]!;
      if (pe.id === rPEs[rI]!.id) {
        mergedR.add(pe.id);
        push(pe, observedL.get(pe.id), observedR.get(pe.id));
        lI++;
        rI++;
        nextShared = shared.shift();
        continue;
      }
      if (observedR.has(pe.id) && nextShared && nextShared.id !== pe.id) {
        lI++;
        continue;
      }
    }
    if (lI < lPEs.length) {
      const pe = lPEs[lI]!;
      if (!observedR.has(pe.id)) {
        push(pe, lhs[lI], undefined);
        lI++;
        continue;
      } else if (mergedR.has(pe.id)) {
        lI++;
      }
    }
    if (rI < rPEs.length) {
      const pe = rPEs[rI]!;
      mergedR.add(pe.id);
      push(pe, observedL.has(pe.id) ? observedL.get(pe.id) : undefined, observedR.get(pe.id));
      rI++;
      if (nextShared && nextShared.id === pe.id) nextShared = shared.shift();
    }
  }
  return out;
}

// ---------------------------------------------------------------- removal

/** TypedValue.RemoveItems: the value without the paths of the set (and what only they held). */
export function removeItems(v: unknown, remove: FieldSet, a: Atom): unknown {
  const out = removeWalk(v, remove, a);
  return out === undefined ? null : out;
}

function removeWalk(v: unknown, remove: FieldSet, a: Atom): unknown {
  switch (kindOf(a, v)) {
    case 'scalar': return v;
    case 'list': {
      const l = a.list!;
      if (!Array.isArray(v) || v.length === 0 || !l.associative) return undefined;
      const out: unknown[] = [];
      for (const item of v) {
        const pe = itemElement(l, item);
        if (typeof pe === 'string') {
          out.push(item);
          continue;
        }
        if (remove.has([pe])) continue;
        const sub = remove.withPrefix(pe);
        out.push(sub.empty ? item : removeOrNull(item, sub, l.element()));
      }
      return out.length ? out : undefined;
    }
    case 'map': {
      const m = a.map!;
      if (!isMap(v) || Object.keys(v).length === 0 || m.atomic) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) {
        const pe = fieldElement(k);
        if (remove.has([pe])) continue;
        const sub = remove.withPrefix(pe);
        out[k] = sub.empty ? val : removeOrNull(val, sub, fieldAtom(m, k));
      }
      return Object.keys(out).length ? out : undefined;
    }
    default: return v;
  }
}

function removeOrNull(v: unknown, remove: FieldSet, a: Atom): unknown {
  const out = removeWalk(v, remove, a);
  return out === undefined ? null : out;
}

// ---------------------------------------------------------------- named fields

/** Set.EnsureNamedFieldsAreMembers: every struct field below the set's paths is a member too. */
export function ensureNamedFieldsAreMembers(s: FieldSet, a: Atom | undefined): FieldSet {
  const out = new FieldSet();
  const walk = (src: FieldSet, atom: Atom | undefined, prefix: PathElement[]) => {
    for (const n of src.entries()) {
      const p = [...prefix, n.pe];
      let member = n.member;
      let child: Atom | undefined;
      if ('f' in n.pe && atom?.map) {
        if (atom.map.field(n.pe.f)) member = true;
        child = fieldAtom(atom.map, n.pe.f);
      } else if ('k' in n.pe && atom?.list) {
        child = atom.list.element();
      }
      if (member) out.insert(p);
      if (n.children) walk(n.children, child, p);
    }
  };
  walk(s, a, []);
  return out;
}

// ---------------------------------------------------------------- schema changes

/** isUntypedDeducedMap: a map of anything without fields, whose keys SMD does not reconcile. */
function isDeducedMap(m: MapAtom): boolean {
  if (m.hasFields || !m.element) return false;
  const e = m.element();
  return e === DEDUCED || (e !== UNTYPED && e.scalar === 'untyped');
}

/**
 * ReconcileFieldSetWithSchema: a set recorded under an older schema, where a map or list the
 * schema now calls atomic is owned as a whole (its children dropped, the map or list itself kept);
 * undefined when nothing changes. A set made with the current schema never changes.
 */
export function reconcileFieldSetWithSchema(set: FieldSet, a: Atom): FieldSet | undefined {
  const collapse = new FieldSet();
  const visit = (s: FieldSet, path: PathElement[], typeOf: (pe: PathElement) => Atom | undefined) => {
    for (const n of s.entries()) {
      const hasChildren = !!n.children && !n.children.empty;
      if (!n.member && !hasChildren) continue;
      const t = typeOf(n.pe);
      if (t) walk(n.children, t, [...path, n.pe], n.member && !hasChildren);
    }
  };
  const walk = (s: FieldSet | undefined, atom: Atom, path: PathElement[], isAtomic: boolean): void => {
    if (atom.map) {
      const m = atom.map;
      if (isDeducedMap(m)) return;
      if (!isAtomic && m.atomic) {
        if (s && !s.empty) collapse.insert(path);
        return;
      }
      if (s) visit(s, path, (pe) => ('f' in pe ? m.field(pe.f) ?? m.element : m.element)?.());
      return;
    }
    if (atom.scalar) return;
    if (atom.list) {
      const l = atom.list;
      if (!isAtomic && !l.associative) {
        collapse.insert(path);
        return;
      }
      if (s) visit(s, path, () => l.element());
    }
  };
  walk(set, a, [], false);
  return collapse.empty ? undefined : set.recursiveDifference(collapse).union(collapse);
}

// ---------------------------------------------------------------- validation

export interface ValidationOptions {
  /** Live objects may hold duplicate associative list items (AllowDuplicates). */
  allowDuplicates?: boolean;
}

/** TypedValue validation (ObjectToTyped): SMD's messages, `.path: message`, one per line. */
export function validateTyped(v: unknown, a: Atom, opts: ValidationOptions = {}): string[] {
  const errs: string[] = [];
  validateWalk(v, a, [], errs, opts);
  return errs;
}

function prefixOf(path: PathElement[]): string {
  return pathString(path as Path);
}

/** Go's %#v of a decoded JSON value (what SMD prints inside `&value.valueUnstructured{Value:...}`). */
function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  const m = v as Record<string, unknown>;
  return `map[string]interface {}{${Object.keys(m).sort(compareStrings).map((k) => `${goQuote(k)}:${goSharpV(m[k])}`).join(', ')}}`;
}

/** Go's %v of a decoded JSON value (fmt sorts map keys). */
function goPlainV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPlainV).join(' ')}]`;
  const m = v as Record<string, unknown>;
  return `map[${Object.keys(m).sort(compareStrings).map((k) => `${k}:${goPlainV(m[k])}`).join(' ')}]`;
}

/** %#v of SMD's value wrapper (a pointer to valueUnstructured). */
function goValue(v: unknown): string {
  return `&value.valueUnstructured{Value:${goSharpV(v)}}`;
}

/** %v of SMD's value wrapper: a pointer to a struct prints as &{...}. */
function goV(v: unknown): string {
  return `&{${goPlainV(v)}}`;
}

function validateWalk(v: unknown, a: Atom, path: PathElement[], errs: string[], opts: ValidationOptions): void {
  const here = (msg: string) => errs.push(path.length ? `${prefixOf(path)}: ${msg}` : msg);
  switch (kindOf(a, v)) {
    case 'scalar': {
      if (v === null || v === undefined) return;
      const t = a.scalar!;
      if (t === 'numeric' && typeof v !== 'number') here(`expected numeric (int or float), got ${goTypeName(v)}`);
      else if (t === 'string' && typeof v !== 'string') here(`expected string, got ${goValue(v)}`);
      else if (t === 'boolean' && typeof v !== 'boolean') here(`expected boolean, got ${goV(v)}`);
      else if (t === 'untyped' && (typeof v === 'object')) here(`expected any scalar, got ${goV(v)}`);
      return;
    }
    case 'list': {
      if (v === null || v === undefined) return;
      if (!Array.isArray(v)) {
        here(`expected list, got ${goV(v)}`);
        return;
      }
      const l = a.list!;
      const seen = new Set<string>();
      for (let i = 0; i < v.length; i++) {
        let pe: PathElement;
        if (!l.associative) {
          pe = { i, id: `i:${i}` };
        } else {
          const got = itemElement(l, v[i]);
          if (typeof got === 'string') {
            here(`element ${i}: ${got}`);
            return;
          }
          pe = got;
          if (seen.has(pe.id) && !opts.allowDuplicates) here(`duplicate entries for key ${elementString(pe)}`);
          seen.add(pe.id);
        }
        validateWalk(v[i], l.element(), [...path, pe], errs, opts);
      }
      return;
    }
    case 'map': {
      if (v === null || v === undefined) return;
      if (!isMap(v)) {
        here(`expected map, got ${goV(v)}`);
        return;
      }
      const m = a.map!;
      for (const [k, val] of Object.entries(v)) {
        const pe = fieldElement(k);
        const f = m.field(k);
        if (!f && !m.element) {
          errs.push(`${prefixOf([...path, pe])}: field not declared in schema`);
          return;
        }
        validateWalk(val, f ? f() : m.element!(), [...path, pe], errs, opts);
      }
    }
  }
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}
