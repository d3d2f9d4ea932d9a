// CEL types as kube's checker sees them (cel-go's types.Type), with the printed names cel-go uses in
// compile errors ("list(string)", "map(string, int)", "google.protobuf.Timestamp", "optional_type(int)").
// An object type is a schema node with declared fields (kube's DeclType); `maxElements` is the
// size estimate kube's cost estimator takes from maxLength/maxItems/maxProperties or the request size.

export type CelT =
  | { kind: 'int' | 'uint' | 'double' | 'string' | 'bool' | 'bytes' | 'null_type' | 'dyn' | 'error'
    | 'google.protobuf.Timestamp' | 'google.protobuf.Duration'; maxElements?: number }
  | { kind: 'list'; elem: CelT; maxElements?: number; listType?: 'set' | 'map'; mapKeys?: readonly string[] }
  | { kind: 'map'; key: CelT; value: CelT; maxElements?: number }
  | { kind: 'object'; name: string; fields: ReadonlyMap<string, CelT>; maxElements?: number }
  | { kind: 'type'; of: CelT }
  | { kind: 'opaque'; name: string; params: CelT[] }
  | { kind: 'param'; name: string };

const simple = (kind: 'int' | 'uint' | 'double' | 'string' | 'bool' | 'bytes' | 'null_type' | 'dyn' | 'error'
  | 'google.protobuf.Timestamp' | 'google.protobuf.Duration'): CelT => Object.freeze({ kind });

export const T = {
  int: simple('int'), uint: simple('uint'), double: simple('double'), string: simple('string'),
  bool: simple('bool'), bytes: simple('bytes'), null: simple('null_type'), dyn: simple('dyn'),
  error: simple('error'), timestamp: simple('google.protobuf.Timestamp'), duration: simple('google.protobuf.Duration'),
  list: (elem: CelT, maxElements?: number): CelT => ({ kind: 'list', elem, maxElements }),
  map: (key: CelT, value: CelT, maxElements?: number): CelT => ({ kind: 'map', key, value, maxElements }),
  type: (of: CelT): CelT => ({ kind: 'type', of }),
  opaque: (name: string, ...params: CelT[]): CelT => ({ kind: 'opaque', name, params }),
  optional: (of: CelT): CelT => ({ kind: 'opaque', name: 'optional_type', params: [of] }),
  param: (name: string): CelT => ({ kind: 'param', name }),
};

/** kube's library types (cel-go opaque types) by their CEL names. */
export const K = {
  quantity: T.opaque('kubernetes.Quantity'),
  url: T.opaque('kubernetes.URL'),
  ip: T.opaque('net.IP'),
  cidr: T.opaque('net.CIDR'),
  semver: T.opaque('kubernetes.Semver'),
  format: T.opaque('kubernetes.NamedFormat'),
  authorizer: T.opaque('kubernetes.authorization.Authorizer'),
  pathCheck: T.opaque('kubernetes.authorization.PathCheck'),
  groupCheck: T.opaque('kubernetes.authorization.GroupCheck'),
  resourceCheck: T.opaque('kubernetes.authorization.ResourceCheck'),
  decision: T.opaque('kubernetes.authorization.Decision'),
};

export function typeString(t: CelT): string {
  switch (t.kind) {
    case 'list': return `list(${typeString(t.elem)})`;
    case 'map': return `map(${typeString(t.key)}, ${typeString(t.value)})`;
    case 'object': return t.name;
    case 'type': return `type(${typeString(t.of)})`;
    case 'opaque': return t.params.length ? `${t.name}(${t.params.map(typeString).join(', ')})` : t.name;
    case 'param': return t.name;
    case 'null_type': return 'null';
    default: return t.kind;
  }
}

export const isDyn = (t: CelT) => t.kind === 'dyn' || t.kind === 'error';
export const isOptional = (t: CelT): t is { kind: 'opaque'; name: string; params: CelT[] } =>
  t.kind === 'opaque' && t.name === 'optional_type';
