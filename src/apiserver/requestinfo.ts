// Turns a request path into what it addresses, like kube's RequestInfoFactory, with kplane's
// logical-cluster prefix: /clusters/<cluster>/api/v1/namespaces/<ns>/<resource>/<name>/<sub>.
// Paths arrive decoded once (edge.ts parseRequestTarget, Go's req.URL.Path): nothing here decodes
// again, so "%2F" separates segments and "%252F" is a literal "%2F", exactly as in kube.

import { parseClusterName, type ClusterName } from '../tenancy/logicalcluster.js';

export type RequestVerb =
  | 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'head';

export interface ResourceRequestInfo {
  kind: 'resource';
  cluster: ClusterName;
  /** 'api' (core) or 'apis'. */
  prefix: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  verb: RequestVerb;
  /** Path segments past the subresource (unsupported for now; kept for errors). */
  extra: string[];
}

export interface NonResourceRequestInfo {
  kind: 'nonresource';
  /** undefined for requests outside /clusters/<name>. */
  cluster?: ClusterName;
  /** The path below the cluster prefix, e.g. "/api", "/apis/rbac.authorization.k8s.io/v1", "/version". */
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/** The cluster part of a /clusters/<name>/... path, or why it cannot be used. */
export function splitClusterPath(path: string): { cluster?: ClusterName; rest: string; invalid?: string } {
  if (!path.startsWith('/clusters/')) return { rest: path };
  const end = path.indexOf('/', '/clusters/'.length);
  const raw = end < 0 ? path.slice('/clusters/'.length) : path.slice('/clusters/'.length, end);
  const rest = end < 0 ? '/' : path.slice(end);
  const cluster = parseClusterName(raw);
  if (!cluster) return { rest, invalid: raw };
  return { cluster, rest };
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function resolveRequestInfo(method: string, path: string, query: URLSearchParams, cluster: ClusterName | undefined): RequestInfo {
  // kube's splitPath: the outer slashes trimmed, empty segments inside kept (they match nothing)
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  const lowerMethod = method.toLowerCase();
  const nonResource = (): NonResourceRequestInfo => ({ kind: 'nonresource', cluster, path: '/' + parts.join('/'), verb: lowerMethod });
  if (!cluster || parts.length === 0 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource();
  const prefix = parts[0] as 'api' | 'apis';
  let rest = parts.slice(1);
  let group = '';
  if (prefix === 'apis') {
    if (rest.length < 3) return nonResource(); // /apis, /apis/<g>, /apis/<g>/<v>: discovery
    group = rest[0]!;
    rest = rest.slice(1);
  } else if (rest.length < 2) {
    return nonResource(); // /api, /api/v1
  }
  const version = rest[0]!;
  rest = rest.slice(1);
  let watchPath = false;
  if (rest[0] === 'watch') {
    // the deprecated /watch/ path form
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      namespace = rest[1]!;
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
    }
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  const extra = rest.slice(3);
  let verb: RequestVerb;
  switch (lowerMethod) {
    case 'post': verb = 'create'; break;
    case 'put': verb = 'update'; break;
    case 'patch': verb = 'patch'; break;
    case 'delete': verb = name ? 'delete' : 'deletecollection'; break;
    case 'head': verb = 'head'; break;
    default: {
      // kube's boolean parameters: anything but "0"/"false" is true
      const watchParam = query.get('watch');
      const watching = watchPath || (watchParam !== null && !(watchParam === '0' || watchParam.toLowerCase() === 'false'));
      verb = watching ? 'watch' : name ? 'get' : 'list';
    }
  }
  // GET namespaces/<name> addresses the namespace itself: kube also reports it as the namespace.
  return { kind: 'resource', cluster, prefix, group, version, namespace, resource, name, subresource, verb, extra };
}
