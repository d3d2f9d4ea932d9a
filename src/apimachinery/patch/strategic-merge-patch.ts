// Strategic merge patch as kube-apiserver applies it (apimachinery util/strategicpatch
// StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls): patch strategies and
// merge keys come from the schema's x-kubernetes-patch-strategy / -merge-key; directives $patch,
// $retainKeys, $deleteFromPrimitiveList/<f> and $setElementOrder/<f>. Ordering follows kube's
// algorithms (Go's stable sort included) so lists come out in kube's order.
// Errors are kube's: 400 for malformed directives, 422 for lists of lists, and a 500 carrying the
// plain Go error text for the rest (kube does not map them to a status).
// applyPatch, at the end, is the patch handler's entry point for all three patch types.

import { badRequest, clientInputError, StatusError } from '../errors.js';
import { isPlainObject } from '../object.js';
import type { SchemaNode } from '../schema.js';
import { goJsonSyntaxError, findDuplicateFields } from '../strict.js';
import { appendAll, goStringCompare } from '../validation.js';
import { applyJsonPatchText, type FieldValidation } from './json-patch.js';
import { applyMergePatch, INVALID_JSON_PATCH, setOwn } from './merge-patch.js';

type JMap = Record<string, unknown>;

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

export const ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = 'invalid patch format of setElementOrder list';
export const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';

/** An error kube returns from the patch unmapped (a 500 with the Go text): see clientInputError. */
function plain(message: string): StatusError {
  return clientInputError(message);
}

// ---- Go value formatting (fmt %v / %s and reflect type names), for error texts ----

function isInt(v: number): boolean {
  return Number.isInteger(v) && Math.abs(v) < 2 ** 63;
}

/** strconv.FormatFloat(v, 'g', -1, 64). */
function goFloatG(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 21) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** fmt.Sprint / %v of a decoded JSON value: maps sorted, slices space-separated, nil as <nil>. */
export function goSprintV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return isInt(v) ? String(v) : goFloatG(v);
  if (Array.isArray(v)) return `[${v.map(goSprintV).join(' ')}]`;
  const o = v as JMap;
  return `map[${Object.keys(o).sort(goStringCompare).map((k) => `${k}:${goSprintV(o[k])}`).join(' ')}]`;
}

/** %s of a decoded JSON value (non-strings print as %!s(type=value)). */
function goSprintS(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return `[${v.map(goSprintS).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as JMap;
    return `map[${Object.keys(o).sort(goStringCompare).map((k) => `${k}:${goSprintS(o[k])}`).join(' ')}]`;
  }
  return `%!s(${goTypeName(v)}=${goSprintV(v)})`;
}

/** reflect.TypeOf(v).String() for decoded JSON (ints as int64, as kube decodes them). */
function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt(v) ? 'int64' : 'float64';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** Go's == on decoded JSON scalars: same dynamic type and value. */
function goEq(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b && isInt(a) === isInt(b);
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if ((a !== null && typeof a === 'object') || (b !== null && typeof b === 'object')) {
    throw plain('runtime error: comparing uncomparable type map[string]interface {}');
  }
  return a === b;
}

const errBadArgType = (expected: string, actual: unknown) => plain(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errNoMergeKey = (m: JMap, k: string) => plain(`map: ${goSprintV(m)} does not contain declared merge key: ${k}`);
const errBadPatchType = (t: unknown, m: JMap) => plain(`unknown patch type: ${goSprintS(t)} in map: ${goSprintV(m)}`);

// ---- schema lookups (patch metadata) ----

interface PatchMeta {
  strategies: string[];
  mergeKey: string;
}

function metaOf(node: SchemaNode | undefined): PatchMeta {
  const s = node?.['x-kubernetes-patch-strategy'];
  const k = node?.['x-kubernetes-patch-merge-key'];
  return { strategies: typeof s === 'string' && s ? s.split(',') : [], mergeKey: typeof k === 'string' ? k : '' };
}

/** The schema of a field: a property, or a map's values. Unknown fields have no metadata. */
function fieldSchema(schema: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!schema) return undefined;
  if (schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key)) return schema.properties[key];
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function lookupStruct(schema: SchemaNode | undefined, key: string): [SchemaNode | undefined, PatchMeta] {
  const sub = fieldSchema(schema, key);
  return [sub, metaOf(sub)];
}

function lookupSlice(schema: SchemaNode | undefined, key: string): [SchemaNode | undefined, PatchMeta] {
  const sub = fieldSchema(schema, key);
  return [sub?.items, metaOf(sub)];
}

/** extractRetainKeysPatchStrategy: the strategy other than retainKeys. */
function patchStrategy(strategies: string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : strategies[0]!;
  if (strategies.length === 2) {
    if (strategies[0] === 'retainKeys') return strategies[1]!;
    if (strategies[1] === 'retainKeys') return strategies[0]!;
  }
  throw plain(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

// ---- helpers from strategicpatch/patch.go ----

type Kind = 'map' | 'slice' | 'scalar' | 'nil';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return typeof v === 'object' ? 'map' : 'scalar';
}

/** reflect.TypeOf equality for decoded JSON. */
function sameType(a: unknown, b: unknown): boolean {
  return goTypeName(a) === goTypeName(b);
}

function has(m: JMap, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, k);
}

function discardNullValues(v: unknown): void {
  if (Array.isArray(v)) {
    for (const item of v) discardNullValues(item);
  } else if (isPlainObject(v)) {
    for (const [k, val] of Object.entries(v)) {
      if (val === null) delete v[k];
      else discardNullValues(val);
    }
  }
}

/** Drops maps carrying $patch (and the keys or elements holding them); [value, keep]. */
function removeDirectives(obj: unknown): [unknown, boolean] {
  if (isPlainObject(obj)) {
    if (has(obj, DIRECTIVE)) return [null, false];
    for (const [k, v] of Object.entries(obj)) {
      const [nv, keep] = removeDirectives(v);
      if (keep) setOwn(obj, k, nv);
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const res: unknown[] = [];
    for (const v of obj) {
      const [nv, keep] = removeDirectives(v);
      if (keep) res.push(nv);
    }
    return [res, true];
  }
  return [obj, true];
}

function sliceElementKind(...slices: unknown[][]): 'map' | 'scalar' {
  let prev: unknown;
  let first = true;
  for (const s of slices) {
    for (const v of s) {
      if (first) {
        first = false;
        prev = v;
        if (v === null) throw plain('runtime error: invalid memory address or nil pointer dereference');
        if (Array.isArray(v)) throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
      } else if (!sameType(prev, v)) {
        throw plain(`list element types are not identical: ${goSprintV(slices)}`);
      }
    }
  }
  if (first) throw plain('no elements in any of the given slices');
  return isPlainObject(prev) ? 'map' : 'scalar';
}

function findMapInSlice(list: unknown[], key: string, value: unknown): [JMap, number] | undefined {
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isPlainObject(m)) throw plain(`value for key ${i} is not a map`);
    if (has(m, key) && goEq(m[key], value)) return [m, i];
  }
  return undefined;
}

/** index(): position of an item (by merge key value for maps), -1 if absent. */
function indexOf(list: unknown[], item: unknown, mergeKey: string, kind: 'map' | 'scalar'): number {
  const val = (x: unknown) => (kind === 'map' ? (isPlainObject(x) ? (x[mergeKey] ?? null) : null) : x);
  const want = val(item);
  for (let i = 0; i < list.length; i++) if (goEq(want, val(list[i]))) return i;
  return -1;
}

/** Go's sort.SliceStable (insertion sort blocks + symMerge), so odd comparators order as in kube. */
function goSliceStable(data: unknown[], less: (i: number, j: number) => boolean): void {
  const swap = (i: number, j: number) => { const t = data[i]; data[i] = data[j]; data[j] = t; };
  const insertionSort = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++) for (let j = i; j > a && less(j, j - 1); j--) swap(j, j - 1);
  };
  const swapRange = (a: number, b: number, n: number) => { for (let i = 0; i < n; i++) swap(a + i, b + i); };
  const rotate = (a: number, m: number, b: number) => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) { swapRange(m - i, m, j); i -= j; } else { swapRange(m - i, m + j - i, i); j -= i; }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) { const h = (i + j) >>> 1; if (less(h, a)) i = h + 1; else j = h; }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) { const h = (i + j) >>> 1; if (!less(m, h)) i = h + 1; else j = h; }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start: number;
    let r: number;
    if (m > mid) { start = n - b; r = mid; } else { start = a; r = m; }
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!less(p - c, c)) start = c + 1; else r = c;
    }
    const end = n - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };
  const n = data.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) { insertionSort(a, b); a = b; b += blockSize; }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) { symMerge(a, a + blockSize, b); a = b; b += 2 * blockSize; }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isPlainObject(item)) throw errBadArgType('map[string]interface {}', item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isPlainObject(v)) throw errBadArgType('map[string]interface {}', v);
    if (has(v, DIRECTIVE) && v[DIRECTIVE] === DELETE) del.push(v);
    else keep.push(v);
  }
  return [keep, del];
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: 'map' | 'scalar'): unknown[] {
  let del: unknown[] = [];
  let list = [...toSort];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, list, order);
    [list, del] = extractToDeleteItems(list);
  }
  goSliceStable(list, (i, j) => {
    const ii = indexOf(order, list[i], mergeKey, kind);
    if (ii >= 0) {
      const ij = indexOf(order, list[j], mergeKey, kind);
      if (ij >= 0) return ii < ij;
    }
    return true;
  });
  return [...list, ...del];
}

/** Interleaves server-only items (left) into the patch items (right) by their server order. */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: 'map' | 'scalar'): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOf(serverOrder, left[i], mergeKey, kind);
      const ri = indexOf(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(patch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[],
  mergeKey: string, kind: 'map' | 'scalar'): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function partitionPrimitives(original: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) (by.some((b) => goEq(b, v)) ? inPatch : serverOnly).push(v);
  return [inPatch, serverOnly];
}

function partitionMaps(original: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isPlainObject(v)) throw errBadArgType('map[string]interface {}', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findMapInSlice(by, mergeKey, v[mergeKey]) ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

/** Go's in-place swap-with-last deduplication (its order matters before normalization). */
function deduplicateScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEq(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

// ---- the merge ----

function mergeMap(original: JMap | null, patch: JMap, schema: SchemaNode | undefined): JMap {
  if (has(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === REPLACE) {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === DELETE) return {};
    throw errBadPatchType(directive, patch);
  }
  const orig: JMap = original ?? {};
  applyRetainKeys(orig, patch);
  mergePatchIntoOriginal(orig, patch, schema);

  for (let [k, patchV] of Object.entries(patch)) {
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[k];
      continue;
    }
    if (!has(orig, k)) {
      if (!isDeleteList) {
        discardNullValues(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) setOwn(orig, k, v);
      }
      continue;
    }
    const ov = orig[k];
    if (!sameType(ov, patchV)) {
      if (!isDeleteList) {
        discardNullValues(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) setOwn(orig, k, v);
        else delete orig[k];
      }
      continue;
    }
    switch (kindOf(ov)) {
      case 'map': {
        const [sub, meta] = lookupStruct(schema, k);
        const strategy = patchStrategy(meta.strategies);
        setOwn(orig, k, strategy !== REPLACE ? mergeMap(ov as JMap, patchV as JMap, sub) : patchV);
        break;
      }
      case 'slice': {
        const [sub, meta] = lookupSlice(schema, k);
        const strategy = patchStrategy(meta.strategies);
        setOwn(orig, k, strategy === MERGE || isDeleteList
          ? mergeSlice(ov as unknown[], patchV as unknown[], sub, meta.mergeKey, isDeleteList)
          : patchV);
        break;
      }
      default: {
        const [v, keep] = removeDirectives(patchV);
        if (keep) setOwn(orig, k, v);
        else delete orig[k];
      }
    }
  }
  return orig;
}

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw badRequest(ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST);
    throw badRequest(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST);
  }
  return s.slice(i + 1);
}

/** $retainKeys: keep only the listed keys of the original; every patched key must be listed. */
function applyRetainKeys(original: JMap, patch: JMap): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
  const retained = (k: string) => list.some((v) => v === k);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained(k)) throw badRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!retained(k)) delete original[k];
}

function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrder.length) {
    const item = nonDelete[p];
    if (isPlainObject(item) && has(item, DIRECTIVE)) { p++; continue; }
    let equal: boolean;
    if (!mergeKey) {
      equal = goEq(item, setOrder[s]);
    } else {
      const l = item;
      const r = setOrder[s];
      if (!isPlainObject(l)) throw errBadArgType('map[string]interface {}', l);
      if (!isPlainObject(r)) throw errBadArgType('map[string]interface {}', r);
      if (!has(l, mergeKey)) throw errNoMergeKey(l, mergeKey);
      if (!has(r, mergeKey)) throw errNoMergeKey(r, mergeKey);
      equal = goEq(l[mergeKey], r[mergeKey]);
    }
    if (equal) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrder.length) {
    throw plain(`The order in patch list:\n${goSprintV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goSprintV(setOrder)}\n`);
  }
}

/** $setElementOrder/<list>: merge that list now and order it as the directive says. */
function mergePatchIntoOriginal(original: JMap, patch: JMap, schema: SchemaNode | undefined): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, originalKey);
    const foundPatch = has(patch, originalKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(original[originalKey])) throw errBadArgType('[]interface {}', original[originalKey]);
      originalList = original[originalKey] as unknown[];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[originalKey])) throw errBadArgType('[]interface {}', patch[originalKey]);
      patchList = patch[originalKey] as unknown[];
    }
    const [sub, meta] = lookupSlice(schema, originalKey);
    const strategy = patchStrategy(meta.strategies);
    validatePatchWithSetOrderList(patchList, order, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
    else if (foundOriginal && foundPatch) {
      merged = strategy === MERGE ? mergeSlice(originalList, patchList, sub, meta.mergeKey, false) : patchList;
    } else continue;

    const [patchItems, serverOnly] = meta.mergeKey
      ? partitionMaps(merged, order, meta.mergeKey)
      : partitionPrimitives(merged, order);
    const kind = sliceElementKind(originalList, patchList);
    setOwn(original, originalKey, normalizeElementOrder(patchItems, serverOnly, order, originalList, meta.mergeKey, kind));
    delete patch[originalKey];
  }
}

function mergeSlice(original: unknown[], patch: unknown[], schema: SchemaNode | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: unknown[];
  let orig = original;
  let pat = patch;
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.some((d) => goEq(d, v)));
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw plain('cannot merge lists without merge key for struct');
    [orig, pat] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements(orig, pat, mergeKey, schema);
  }
  const [patchItems, serverOnly] = mergeKey ? partitionMaps(merged, pat, mergeKey) : partitionPrimitives(merged, pat);
  return normalizeElementOrder(patchItems, serverOnly, pat, orig, mergeKey, kind);
}

/** Handles list elements carrying $patch: delete removes by merge key, replace drops the original. */
function mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const rest: unknown[] = [];
  let replace = false;
  let orig = [...original];
  for (const v of patch) {
    const m = v as JMap;
    if (!has(m, DIRECTIVE)) { rest.push(v); continue; }
    const directive = m[DIRECTIVE];
    if (directive === DELETE) {
      if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      for (let f = findMapInSlice(orig, mergeKey, m[mergeKey]); f; f = findMapInSlice(orig, mergeKey, m[mergeKey])) {
        orig.splice(f[1], 1);
      }
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      throw plain('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  if (replace) return [rest, []];
  return [orig, rest];
}

function mergeSliceWithoutSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, schema: SchemaNode | undefined): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as JMap;
    if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const found = findMapInSlice(out, mergeKey, m[mergeKey]);
    if (found) out[found[1]] = mergeMap(found[0], m, schema);
    else out.push(v);
  }
  return out;
}

/**
 * Applies a parsed strategic merge patch to `original` (neither is modified), kube-apiserver's way.
 * Without a schema every map merges and every list is replaced.
 */
export function applyStrategicMergePatch(original: object, patch: object, schema: SchemaNode | undefined): object {
  if (!isPlainObject(patch)) throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  return mergeMap(structuredClone(original) as JMap, structuredClone(patch) as JMap, schema);
}

// ---- the patch handler's decoding of bodies ----

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Decodes a patch body that must be a JSON object (or null), as kjson.Unmarshal* into a map does. */
function decodeObjectPatch(text: string, errorPrefix: string): JMap | null {
  const syntax = goJsonSyntaxError(text);
  if (syntax !== undefined) throw badRequest(errorPrefix + syntax);
  const v: unknown = JSON.parse(text);
  if (v !== null && !isPlainObject(v)) {
    throw badRequest(`${errorPrefix}json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`);
  }
  return v;
}

export interface ApplyPatchOptions {
  /** The request's fieldValidation; kube's default is Warn. */
  fieldValidation?: FieldValidation;
  /**
   * Receives the strict decoding errors of the patch body itself under Warn/Strict (duplicate keys,
   * unknown JSON patch members), for the caller to turn into warnings or a 422 with the result's.
   */
  strictErrors?: string[];
}

/**
 * Parses a patch body and applies it to `original`, throwing StatusErrors exactly as
 * kube-apiserver's patch handler answers: 400 for bodies that do not decode, 413 for too many JSON
 * patch operations, 422 for failed JSON patch operations, kube's codes for strategic merge errors.
 */
export function applyPatch(type: 'json' | 'merge' | 'strategic', original: object, patchBytes: string,
  schema?: SchemaNode, opts: ApplyPatchOptions = {}): unknown {
  const fv = opts.fieldValidation ?? 'Warn';
  const strict = fv === 'Warn' || fv === 'Strict';
  switch (type) {
    case 'json':
      return applyJsonPatchText(original, patchBytes, fv, opts.strictErrors);
    case 'merge': {
      let patch: unknown;
      if (strict) {
        patch = decodeObjectPatch(patchBytes, 'error decoding patch: ');
        if (opts.strictErrors) appendAll(opts.strictErrors, findDuplicateFields(patchBytes));
      } else {
        if (goJsonSyntaxError(patchBytes) !== undefined) throw badRequest(INVALID_JSON_PATCH);
        patch = JSON.parse(patchBytes);
      }
      return applyMergePatch(original, patch);
    }
    case 'strategic': {
      const patch = decodeObjectPatch(patchBytes, '');
      if (strict && opts.strictErrors) appendAll(opts.strictErrors, findDuplicateFields(patchBytes));
      return applyStrategicMergePatch(original, patch ?? {}, schema);
    }
  }
}

