// Field paths and sets of them, as structured-merge-diff's fieldpath package defines them: a path
// element names a struct field or map key (f:), an associative list item by its keys (k:), a set
// item by its value (v:) or a list position (i:). A FieldSet is a tree: members are the paths it
// holds, children the subtrees below a path. Its fieldsV1 form is metav1.ManagedFieldsEntry's.

import { compareStrings, compareValues, goJSON, isMap, valueToString, type Value } from './value.js';

export type PathElement =
  | { readonly f: string; readonly id: string }
  | { readonly k: ReadonlyArray<readonly [string, Value]>; readonly id: string }
  | { readonly v: Value; readonly id: string }
  | { readonly i: number; readonly id: string };

export type Path = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return { f: name, id: `f:${name}` };
}

/** An associative list item's element: its key fields, sorted by name. */
export function keyElement(fields: Array<[string, Value]>): PathElement {
  fields.sort((a, b) => compareStrings(a[0], b[0]));
  return { k: fields, id: `k:{${fields.map(([n, v]) => `${goJSON(n)}:${canonicalJSON(v)}`).join(',')}}` };
}

export function valueElement(v: Value): PathElement {
  return { v, id: `v:${canonicalJSON(v)}` };
}

/** A value as encoding/json writes it (map keys sorted): equal values, one serialization. */
function canonicalJSON(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (isMap(v)) return `{${Object.keys(v).sort(compareStrings).map((k) => `${goJSON(k)}:${canonicalJSON(v[k]!)}`).join(',')}}`;
  return goJSON(v);
}

export function indexElement(i: number): PathElement {
  return { i, id: `i:${i}` };
}

function kindRank(e: PathElement): number {
  if ('f' in e) return 0;
  if ('k' in e) return 1;
  if ('v' in e) return 2;
  return 3;
}

/** PathElement.Compare: fields by name, then keys, values and indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('f' in a) return compareStrings(a.f, (b as { f: string }).f);
  if ('k' in a) {
    const ka = a.k;
    const kb = (b as { k: typeof ka }).k;
    for (let i = 0; ; i++) {
      if (i >= ka.length && i >= kb.length) return 0;
      if (i >= ka.length) return -1;
      if (i >= kb.length) return 1;
      const c = compareStrings(ka[i]![0], kb[i]![0]) || compareValues(ka[i]![1], kb[i]![1]);
      if (c !== 0) return c;
    }
  }
  if ('v' in a) return compareValues(a.v, (b as { v: Value }).v);
  const x = (a as { i: number }).i;
  const y = (b as { i: number }).i;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** PathElement.String: `.name`, `[key="a",port=80]`, `[="value"]`, `[0]`. */
export function elementString(e: PathElement): string {
  if ('f' in e) return `.${e.f}`;
  if ('k' in e) return `[${e.k.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
  if ('v' in e) return `[=${valueToString(e.v)}]`;
  return `[${e.i}]`;
}

export function pathString(p: Path): string {
  return p.map(elementString).join('');
}

/** A fieldsV1 key back to its element; undefined for an element type this version does not know. */
export function parseElement(s: string): PathElement | undefined {
  if (s.length < 2 || s[1] !== ':') throw new Error(s.length < 2 ? 'key must be 2 characters long:' : `missing colon: ${s}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f': return fieldElement(rest);
    case 'v': return valueElement(JSON.parse(rest) as Value);
    case 'i': {
      if (!/^[+-]?[0-9]+$/.test(rest)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(rest)}: invalid syntax`);
      return indexElement(Number(rest));
    }
    case 'k': {
      const obj = JSON.parse(rest) as unknown;
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`invalid key: ${rest}`);
      return keyElement(Object.entries(obj as Record<string, Value>));
    }
    default: return undefined;
  }
}

interface Node {
  pe: PathElement;
  member: boolean;
  children?: FieldSet;
}

/** A set of field paths (fieldpath.Set), keyed by the elements' serialised form. */
export class FieldSet {
  private readonly nodes = new Map<string, Node>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  get empty(): boolean {
    for (const n of this.nodes.values()) if (n.member || (n.children && !n.children.empty)) return false;
    return true;
  }

  insert(p: Path): void {
    if (p.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < p.length; i++) {
      const pe = p[i]!;
      let n = s.nodes.get(pe.id);
      if (!n) {
        n = { pe, member: false };
        s.nodes.set(pe.id, n);
      }
      if (i === p.length - 1) n.member = true;
      else s = n.children ??= new FieldSet();
    }
  }

  has(p: Path): boolean {
    let s: FieldSet | undefined = this;
    for (let i = 0; i < p.length; i++) {
      const n: Node | undefined = s?.nodes.get(p[i]!.id);
      if (!n) return false;
      if (i === p.length - 1) return n.member;
      s = n.children;
    }
    return false;
  }

  /** Whether the element is a member (not only a prefix of members). */
  hasMember(pe: PathElement): boolean {
    return this.nodes.get(pe.id)?.member ?? false;
  }

  /** The subtree below one element (WithPrefix), possibly empty. */
  withPrefix(pe: PathElement): FieldSet {
    return this.nodes.get(pe.id)?.children ?? EMPTY;
  }

  /** The elements directly below the root: members and prefixes, sorted. */
  elements(): PathElement[] {
    return [...this.nodes.values()].filter((n) => n.member || (n.children && !n.children.empty)).map((n) => n.pe).sort(compareElements);
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [id, n] of this.nodes) out.nodes.set(id, { pe: n.pe, member: n.member, children: n.children?.copy() });
    return out;
  }

  union(o: FieldSet): FieldSet {
    const out = this.copy();
    out.addAll(o);
    return out;
  }

  private addAll(o: FieldSet): void {
    for (const [id, n] of o.nodes) {
      let m = this.nodes.get(id);
      if (!m) {
        m = { pe: n.pe, member: false };
        this.nodes.set(id, m);
      }
      m.member ||= n.member;
      if (n.children) (m.children ??= new FieldSet()).addAll(n.children);
    }
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, n] of this.nodes) {
      const m = o.nodes.get(id);
      if (!m) continue;
      const member = n.member && m.member;
      const children = n.children && m.children ? n.children.intersection(m.children) : undefined;
      if (member || (children && !children.empty)) out.nodes.set(id, { pe: n.pe, member, children: children && !children.empty ? children : undefined });
    }
    return out;
  }

  /** Set.Difference: members of o removed at each level (o's members do not remove subtrees). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, n] of this.nodes) {
      const m = o.nodes.get(id);
      const member = n.member && !m?.member;
      let children = n.children;
      if (children && m?.children) children = children.difference(m.children);
      if (member || (children && !children.empty)) out.nodes.set(id, { pe: n.pe, member, children: children && !children.empty ? children : undefined });
    }
    return out;
  }

  /** Set.RecursiveDifference: a member of o also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, n] of this.nodes) {
      const m = o.nodes.get(id);
      if (m?.member) continue;
      let children = n.children;
      if (children && m?.children) children = children.recursiveDifference(m.children);
      if (n.member || (children && !children.empty)) out.nodes.set(id, { pe: n.pe, member: n.member, children: children && !children.empty ? children : undefined });
    }
    return out;
  }

  /** Set.Leaves: the members that have nothing below them. */
  leaves(): FieldSet {
    const out = new FieldSet();
    for (const [id, n] of this.nodes) {
      const hasChildren = !!n.children && !n.children.empty;
      const children = hasChildren ? n.children!.leaves() : undefined;
      const member = n.member && !hasChildren;
      if (member || (children && !children.empty)) out.nodes.set(id, { pe: n.pe, member, children });
    }
    return out;
  }

  /** Every member path, in SMD's order (Set.Iterate: a level's members, then its subtrees). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]) => {
      const sorted = [...s.nodes.values()].sort((a, b) => compareElements(a.pe, b.pe));
      for (const n of sorted) if (n.member) out.push([...prefix, n.pe]);
      for (const n of sorted) if (n.children) walk(n.children, [...prefix, n.pe]);
    };
    walk(this, []);
    return out;
  }

  /** Internal: the node of an element (for walkers that need member and children together). */
  node(pe: PathElement): { member: boolean; children?: FieldSet } | undefined {
    return this.nodes.get(pe.id);
  }

  /** Internal: every node, unsorted. */
  entries(): Iterable<{ pe: PathElement; member: boolean; children?: FieldSet }> {
    return this.nodes.values();
  }

  equals(o: FieldSet): boolean {
    return this.toFieldsV1String() === o.toFieldsV1String();
  }

  // ---------------------------------------------------------------- fieldsV1

  /** The fieldsV1 object: `{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  toFieldsV1String(): string {
    return goJSON(this.toFieldsV1());
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const live = [...this.nodes.values()].filter((n) => n.member || (n.children && !n.children.empty));
    if (includeSelf && live.length) out['.'] = {};
    for (const n of live.sort((a, b) => compareElements(a.pe, b.pe))) {
      const hasChildren = !!n.children && !n.children.empty;
      out[n.pe.id] = hasChildren ? n.children!.emit(n.member) : {};
    }
    return out;
  }

  /** A set from its fieldsV1 object (unknown element types are skipped, as SMD does). */
  static fromFieldsV1(v: unknown): FieldSet {
    const read = (obj: unknown): { set?: FieldSet; member: boolean } => {
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('ReadMapCB: expect { or n, but found something else');
      let set: FieldSet | undefined;
      let member = false;
      for (const [key, child] of Object.entries(obj as Record<string, unknown>)) {
        if (key === '.') {
          member = true;
          continue;
        }
        const pe = parseElement(key);
        if (!pe) continue;
        const r = read(child);
        if (r.member || r.set) {
          set ??= new FieldSet();
          set.nodes.set(pe.id, { pe, member: r.member, children: r.set });
        }
      }
      if (!set) member = true;
      return { set, member };
    };
    return read(v).set ?? new FieldSet();
  }
}

const EMPTY = new FieldSet();
