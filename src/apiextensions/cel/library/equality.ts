// kube's equality on top of @bufbuild/cel's: lists of x-kubernetes-list-type=set are equal when
// they hold the same elements in any order, list-type=map lists when the entries of each key are
// equal in any order; kube's library values (ip, cidr, quantity, semver, url, format) and
// optionals compare by value. Overrides _==_ and _!=_.

import { celFunc, celList, CelScalar, isCelList, isCelMap } from '@bufbuild/cel';
import type { CelFunc, CelInput, CelList, CelMap, CelValue } from '@bufbuild/cel';
import { Opaque, OptionalValue } from './opaque.js';
import { celEquals as scalarEquals } from './compare.js';

const listMarker = Symbol.for('@bufbuild/cel/list');

/** A set or map list of a custom resource, as a CEL list that remembers its list type. */
export class KubeList implements Iterable<CelValue> {
  readonly [listMarker] = {};
  private readonly inner: CelList;
  constructor(items: readonly CelInput[], readonly listType: 'set' | 'map', readonly mapKeys: readonly string[]) {
    this.inner = celList(items);
  }
  get size(): number { return this.inner.size; }
  get(i: number): CelValue | undefined { return this.inner.get(i); }
  values(): IterableIterator<CelValue> { return this.inner.values(); }
  [Symbol.iterator](): IterableIterator<CelValue> { return this.inner.values(); }
}

function items(l: CelList): CelValue[] {
  return [...l];
}

function keyOf(v: CelValue, keys: readonly string[]): CelValue[] {
  return keys.map((k) => (isCelMap(v) ? (v as CelMap).get(k) ?? null : null) as CelValue);
}

export function kubeEquals(a: unknown, b: unknown): boolean {
  if (a instanceof Opaque || b instanceof Opaque) return opaqueEquals(a, b);
  if (isCelList(a) && isCelList(b)) {
    const la = a as CelList;
    const lb = b as CelList;
    if (la.size !== lb.size) return false;
    const kind = a instanceof KubeList ? a : b instanceof KubeList ? b : undefined;
    if (kind?.listType === 'set') {
      const xs = items(lb);
      return items(la).every((x) => xs.some((y) => kubeEquals(x, y)));
    }
    if (kind?.listType === 'map' && kind.mapKeys.length) {
      const xs = items(lb);
      return items(la).every((x) => {
        const k = keyOf(x, kind.mapKeys);
        const y = xs.find((c) => keyOf(c, kind.mapKeys).every((kv, i) => kubeEquals(kv, k[i])));
        return y !== undefined && kubeEquals(x, y);
      });
    }
    for (let i = 0; i < la.size; i++) if (!kubeEquals(la.get(i), lb.get(i))) return false;
    return true;
  }
  if (isCelMap(a) && isCelMap(b)) {
    const ma = a as CelMap;
    const mb = b as CelMap;
    if (ma.size !== mb.size) return false;
    for (const [k, v] of ma.entries()) if (!mb.has(k) || !kubeEquals(v, mb.get(k))) return false;
    return true;
  }
  return scalarEquals(a, b);
}

function opaqueEquals(a: unknown, b: unknown): boolean {
  if (!(a instanceof Opaque) || !(b instanceof Opaque) || a.typeName !== b.typeName) return false;
  if (a instanceof OptionalValue) {
    const o = b as OptionalValue;
    return a.present === o.present && (!a.present || kubeEquals(a.value, o.value));
  }
  const cmp = (a as unknown as { equals?: (o: unknown) => boolean }).equals;
  return cmp ? cmp.call(a, b) : String(a) === String(b);
}

export const equalityFuncs: CelFunc[] = [
  celFunc('_==_', [CelScalar.DYN, CelScalar.DYN], CelScalar.BOOL, (a, b) => kubeEquals(a, b)),
  celFunc('_!=_', [CelScalar.DYN, CelScalar.DYN], CelScalar.BOOL, (a, b) => !kubeEquals(a, b)),
];
