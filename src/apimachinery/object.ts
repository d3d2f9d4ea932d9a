// The shapes of Kubernetes objects as kplane handles them: plain JSON values.
// Objects are never class instances; the registry works on what clients send.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  selfLink?: string;
  [extra: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubeList<T = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value. Objects from storage may be shared with watchers: copy before mutating. */
export function deepCopy<T>(v: T): T {
  try {
    return structuredClone(v);
  } catch (e) {
    // structuredClone recurses natively and gives up near 2,000 levels; bodies may nest up to
    // kube's 10,000 (a hostile patch does): those are copied without recursion
    if (!(e instanceof RangeError)) throw e;
    return copyIteratively(v);
  }
}

/** A JSON value copied with an explicit stack (any depth). */
function copyIteratively<T>(v: T): T {
  const copyOf = (x: unknown): unknown => (Array.isArray(x) ? new Array(x.length) : x !== null && typeof x === 'object' ? {} : x);
  const root = copyOf(v);
  const stack: Array<[unknown, unknown]> = [[v, root]];
  while (stack.length) {
    const [from, to] = stack.pop()!;
    if (Array.isArray(from)) {
      from.forEach((x, i) => {
        const c = copyOf(x);
        (to as unknown[])[i] = c;
        if (c !== x) stack.push([x, c]);
      });
    } else if (from !== null && typeof from === 'object') {
      for (const [k, x] of Object.entries(from)) {
        const c = copyOf(x);
        Object.defineProperty(to, k, { value: c, writable: true, enumerable: true, configurable: true });
        if (c !== x) stack.push([x, c]);
      }
    }
  }
  return root as T;
}

/** metav1.Time: RFC 3339 with second precision, always UTC. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 with microsecond precision. */
export function formatMicroTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** "apps/v1" -> {group: "apps", version: "v1"}; "v1" -> {group: "", version: "v1"}. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  if (i < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}
