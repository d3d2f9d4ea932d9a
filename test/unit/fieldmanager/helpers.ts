// Shared fixtures for the field manager tests: paths and sets written as structured-merge-diff's
// tests write them (_P, _KBF, _V, _NS), the schemas of SMD's merge tests as OpenAPI nodes, and a
// small state machine that runs applies and updates the way SMD's test fixture does (one live
// object, its managers, conflicts reported instead of thrown).

import { expect } from 'vitest';
import { parse as parseYAML } from 'yaml';
import type { SchemaNode } from '../../../src/apimachinery/schema.js';
import {
  FieldSet, fieldElement, indexElement, keyElement, pathString, valueElement, type Path, type PathElement,
} from '../../../src/fieldmanager/fieldpath.js';
import type { Atom } from '../../../src/fieldmanager/schema.js';
import { validateTyped } from '../../../src/fieldmanager/typed.js';
import { Conflicts, Updater, type Managers } from '../../../src/fieldmanager/updater.js';
import type { Value } from '../../../src/fieldmanager/value.js';

// ------------------------------------------------------------------ paths and sets

/** _P: strings are field names, elements are taken as they are. */
export function P(...parts: Array<string | PathElement>): Path {
  return parts.map((p) => (typeof p === 'string' ? fieldElement(p) : p));
}

/** _KBF: an associative list item's key. */
export function K(fields: Record<string, Value>): PathElement {
  return keyElement(Object.entries(fields));
}

/** _V: a set item. */
export function V(v: Value): PathElement {
  return valueElement(v);
}

export function I(i: number): PathElement {
  return indexElement(i);
}

/** _NS */
export function S(...paths: Path[]): FieldSet {
  return FieldSet.of(...paths);
}

/** A set as the list of its paths in SMD's iteration order, printed as SMD prints paths. */
export function paths(s: FieldSet): string[] {
  return s.paths().map(pathString);
}

export function yaml(text: string): unknown {
  const v = parseYAML(text) as unknown;
  return v === undefined ? null : v;
}

// ------------------------------------------------------------------ SMD's test schemas as OpenAPI

const str: SchemaNode = { type: 'string' };
const num: SchemaNode = { type: 'number' };
const bool: SchemaNode = { type: 'boolean' };

export function obj(properties: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode {
  return { type: 'object', properties, ...extra };
}

export function mapOf(values: SchemaNode, extra: Partial<SchemaNode> = {}): SchemaNode {
  return { type: 'object', additionalProperties: values, ...extra };
}

export function setOf(items: SchemaNode): SchemaNode {
  return { type: 'array', 'x-kubernetes-list-type': 'set', items };
}

export function atomicList(items: SchemaNode): SchemaNode {
  return { type: 'array', 'x-kubernetes-list-type': 'atomic', items };
}

export function listMap(keys: string[], items: SchemaNode): SchemaNode {
  return { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys, items };
}

/** __untyped_atomic_: any value, lists and maps of it atomic. */
export const untypedAtomic: SchemaNode = { 'x-kubernetes-map-type': 'atomic' };

export const S_STR = str;
export const S_NUM = num;
export const S_BOOL = bool;

/** merge/leaf_test.go leafFields */
export const leafFields = obj({ numeric: num, string: str, bool });

/** merge/set_test.go sets */
export const setFields = obj({ list: setOf(str) });

/** merge/key_test.go associativeList */
export const associativeList = obj({ list: listMap(['name'], obj({ name: str, value: num })) });

const stringSet = setOf(str);
const stringMap = mapOf(str);
const mapOfMapsRecursive: SchemaNode = { type: 'object' };
mapOfMapsRecursive.additionalProperties = mapOfMapsRecursive;

/** merge/nested_test.go type */
export const nestedTypes = obj({
  listOfLists: listMap(['name'], obj({ name: str, value: stringSet })),
  listOfMaps: listMap(['name'], obj({ name: str, value: stringMap })),
  mapOfLists: mapOf(stringSet),
  mapOfMaps: mapOf(stringMap),
  mapOfMapsRecursive,
  struct: obj({ name: str, value: num }),
});

/** merge/duplicates_test.go type */
export const duplicatesType = obj({
  list: listMap(['name'], obj({ name: str, value1: num, value2: num })),
  unrelated: num,
  set: setOf(num),
});

/** merge/default_keys_test.go portListParser */
export const portList = obj({
  containerPorts: listMap(['port', 'protocol'], obj({ port: num, protocol: { type: 'string', default: 'TCP' }, name: str })),
});

/** merge/default_keys_test.go bookParser */
export const book = obj({
  book: listMap(['chapter', 'section'], obj({
    chapter: { type: 'number', default: 1 },
    section: { type: 'string', default: 'A' },
    sentences: listMap(['page', 'line'], obj({ page: { type: 'number', default: 2.0 }, line: { type: 'number', default: 3 }, text: str })),
  })),
});

/** merge/multiple_appliers_test.go atomicMapParser */
export const atomicMapType = obj({ atomicMap: obj({ field1: str, field2: str }, { 'x-kubernetes-map-type': 'atomic' }) });

/** merge/preserve_unknown_test.go: struct fields plus string values for any other key */
export const preserveUnknown = obj({ num }, { additionalProperties: str });

/** typed tests' "struct grab bag" */
export const grabBag = obj({
  numeric: num,
  string: str,
  bool,
  setStr: setOf(str),
  setBool: setOf(bool),
  setNumeric: setOf(num),
  color: obj({ R: num, G: num, B: num }, { 'x-kubernetes-map-type': 'atomic' }),
  arbitraryWavelengthColor: mapOf(num, { 'x-kubernetes-map-type': 'atomic' }),
  args: atomicList(obj({ key: str, value: str })),
});

/** typed tests' "associative list" (myRoot) */
export const myRoot = obj({
  list: listMap(['key', 'id'], obj({ key: str, id: num, value: stringMap, bv: bool, nv: num })),
  atomicList: atomicList(str),
  atomicMap: mapOf(str, { 'x-kubernetes-map-type': 'atomic' }),
});

/** typed tests' "simple pair" (stringPair) */
export const stringPair = obj({ key: str, value: untypedAtomic });

// ------------------------------------------------------------------ the fixture

export interface Expected {
  [manager: string]: { apiVersion: string; set: FieldSet };
}

export function managed(m: Managers): Record<string, { apiVersion: string; paths: string[] }> {
  const out: Record<string, { apiVersion: string; paths: string[] }> = {};
  for (const [k, vs] of m) out[k] = { apiVersion: vs.apiVersion, paths: paths(vs.set) };
  return out;
}

function expectedManaged(e: Expected): Record<string, { apiVersion: string; paths: string[] }> {
  const out: Record<string, { apiVersion: string; paths: string[] }> = {};
  for (const [k, v] of Object.entries(e)) out[k] = { apiVersion: v.apiVersion, paths: paths(v.set) };
  return out;
}

/** merge.Conflicts as (manager, path) pairs, sorted, for comparison. */
export function conflictList(c: Conflicts): string[] {
  return c.conflicts.map((x) => `${x.manager} ${pathString(x.path)}`).sort();
}

/**
 * SMD's internal/fixture State: the live object (null until something writes), the managers, an
 * Updater. Apply configurations are validated without duplicates, updates and the live object
 * with them, as the fixture parses them.
 */
export class State {
  live: unknown = null;
  managers: Managers = new Map();
  private readonly updater: Updater;

  constructor(readonly atom: Atom, ignore?: FieldSet) {
    this.updater = new Updater(atom, ignore);
  }

  private parse(o: unknown, allowDuplicates: boolean): unknown {
    const v = typeof o === 'string' ? yaml(o) : o;
    const errs = validateTyped(v, this.atom, { allowDuplicates });
    if (errs.length) throw new Error(errs.join('\n'));
    return v;
  }

  update(manager: string, o: unknown, apiVersion = 'v1'): this {
    const v = this.parse(o, true);
    this.managers = this.updater.update(this.live, v, apiVersion, this.managers, manager);
    this.live = v;
    return this;
  }

  apply(manager: string, o: unknown, apiVersion = 'v1', force = false): this {
    const v = this.parse(o, false);
    const { object, managers } = this.updater.apply(this.live, v, apiVersion, this.managers, manager, force);
    this.managers = managers;
    if (object !== undefined) this.live = object;
    return this;
  }

  forceApply(manager: string, o: unknown, apiVersion = 'v1'): this {
    return this.apply(manager, o, apiVersion, true);
  }

  /** An apply that must conflict with exactly these (manager, path) pairs and change nothing. */
  applyConflicts(manager: string, o: unknown, want: Array<[string, Path]>, apiVersion = 'v1'): this {
    const before = { live: structuredClone(this.live), managers: managed(this.managers) };
    let err: unknown;
    try {
      this.apply(manager, o, apiVersion, false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Conflicts);
    expect(conflictList(err as Conflicts)).toEqual(want.map(([m, p]) => `${m} ${pathString(p)}`).sort());
    expect({ live: this.live, managers: managed(this.managers) }).toEqual(before);
    return this;
  }

  expectLive(o: string | unknown): this {
    expect(this.live).toEqual(typeof o === 'string' ? yaml(o) : o);
    return this;
  }

  expectManaged(e: Expected): this {
    expect(managed(this.managers)).toEqual(expectedManaged(e));
    return this;
  }
}

/** A versioned set for State.expectManaged. */
export function vs(apiVersion: string, ...ps: Path[]): { apiVersion: string; set: FieldSet } {
  return { apiVersion, set: S(...ps) };
}
