// The REST operations kube-apiserver publishes for a served resource, in a version-neutral form
// that v3.ts and v2.ts render. Built-in groups follow k8s.io/apiserver's installer
// (registerResourceHandlers); other groups (kplane's own kinds, later CRDs) follow
// apiextensions-apiserver's OpenAPI builder, which differs in media types, patch types, watch
// paths and a few parameters.

import { isBuiltinGroup } from '../discovery/priorities.js';
import type { ResourceType } from '../registry/types.js';
import {
  CREATE_OPTIONS, DELETE_COLLECTION_OPTIONS, DELETE_OPTIONS, LIST_OPTIONS, NAMESPACE, PATCH_OPTIONS, PRETTY,
  UPDATE_OPTIONS, nameParam, type ParamSpec,
} from './parameters.js';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export interface ResponseSpec {
  code: number;
  description: string;
  /** Definition name of the response body. */
  schema?: string;
}

export interface OperationSpec {
  method: Method;
  description: string;
  operationId: string;
  tags: string[];
  params: ParamSpec[];
  body?: { schema: string; contentTypes: string[]; required: boolean };
  responses: ResponseSpec[];
  /** Response media types (v3 content keys, v2 produces). */
  produces: string[];
  /** v2 consumes. */
  consumes: string[];
  action?: string;
  gvk?: GVK;
}

export interface PathSpec {
  path: string;
  ops: OperationSpec[];
}

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS_DEF = `${META}.DeleteOptions`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const PATCH_DEF = `${META}.Patch`;

export interface MediaTypeOptions {
  /** Media types responses are served in (kube: json, yaml, protobuf). */
  mediaTypes: readonly string[];
  /** Streaming media types of list/watch (kube: json and protobuf with ;stream=watch). */
  streamMediaTypes: readonly string[];
}

export const KUBE_MEDIA_TYPES: MediaTypeOptions = {
  mediaTypes: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
  streamMediaTypes: ['application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'],
};

const CRD_MEDIA_TYPES = ['application/json', 'application/yaml'];

const BUILTIN_PATCH_TYPES = [
  'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
];
const CRD_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

const GET_OPTIONS_RESOURCE_VERSION: ParamSpec = {
  name: 'resourceVersion', in: 'query', type: 'string',
  description: 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset',
};

/** k8s.io/apiserver/pkg/endpoints/openapi.ToValidOperationID */
export function toValidOperationID(s: string, capitalizeFirst: boolean): string {
  let out = '';
  let capitalize = capitalizeFirst;
  let i = 0;
  for (const ch of s) {
    const isLetter = /\p{L}/u.test(ch);
    if (isLetter || ch === '_' || (i !== 0 && /\p{Nd}/u.test(ch))) {
      out += capitalize ? ch.toUpperCase() : ch;
      capitalize = false;
    } else {
      capitalize = true;
    }
    i++;
  }
  return out;
}

const OP_VERBS = ['get', 'log', 'read', 'replace', 'patch', 'delete', 'deletecollection', 'watch', 'connect', 'proxy', 'list', 'create'];

/**
 * k8s.io/apiserver/pkg/endpoints/openapi.GetOperationIDAndTags: "listNamespacedConfigMap" on
 * /api/v1/... -> "listCoreV1NamespacedConfigMap", tag "core_v1".
 */
export function operationIdAndTags(op: string, path: string): { operationId: string; tags: string[] } {
  // the trie returns the shortest verb prefix ("delete" before "deletecollection")
  let prefix = '';
  for (const v of OP_VERBS) {
    if (op.startsWith(v) && (prefix === '' || v.length < prefix.length)) prefix = v;
  }
  let rest = op.slice(prefix.length);
  let parts = path.replace(/^\/+|\/+$/g, '').split('/');
  if (parts[0] === 'api') parts = ['apis', 'core', ...parts.slice(1)];
  const tags: string[] = [];
  if (parts.length >= 2 && parts[0] === 'apis') {
    const trimmed = parts[1]!.replace(/\.k8s\.io$/, '');
    prefix += toValidOperationID(trimmed, prefix !== '');
    let tag = toValidOperationID(trimmed, false);
    if (parts.length > 2) {
      prefix += toValidOperationID(parts[2]!, prefix !== '');
      tag += `_${toValidOperationID(parts[2]!, false)}`;
    }
    tags.push(tag);
  } else if (parts.length >= 1) {
    tags.push(toValidOperationID(parts[0]!, false));
  }
  rest = toValidOperationID(rest, prefix !== '');
  return { operationId: prefix + rest, tags };
}

/** k8s.io/apiserver/pkg/endpoints.GetArticleForNoun */
function article(noun: string): string {
  if (!noun.endsWith('ss') && noun.endsWith('s')) return ' ';
  return /^[aeiou]/i.test(noun) ? ' an ' : ' a ';
}

function title(s: string): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

interface SubresourceSpec {
  methods: Method[];
  /** Definition name of the body/response when not the parent's schema. */
  schema?: string;
  gvk?: GVK;
}

const SUBRESOURCE_SPECS: Record<string, SubresourceSpec> = {
  status: { methods: ['get', 'put', 'patch'] },
  finalize: { methods: ['put'] },
  scale: {
    methods: ['get', 'put', 'patch'], schema: 'io.k8s.api.autoscaling.v1.Scale',
    gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  },
  token: {
    methods: ['post'], schema: 'io.k8s.api.authentication.v1.TokenRequest',
    gvk: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
  },
};

/**
 * Built-in resources whose storage returns the deleted object (registry.Store ReturnDeletedObject):
 * their DELETE is published with the object as response instead of a Status. ("group/resource")
 */
const DELETE_RETURNS_OBJECT = new Set([
  '/persistentvolumeclaims', '/pods', '/podtemplates', '/resourcequotas', '/serviceaccounts', '/services', '/persistentvolumes',
  'resource.k8s.io/deviceclasses', 'resource.k8s.io/resourceclaims', 'resource.k8s.io/resourceclaimtemplates',
  'resource.k8s.io/resourceslices', 'storage.k8s.io/csidrivers', 'storage.k8s.io/csinodes', 'storage.k8s.io/storageclasses',
  'storage.k8s.io/volumeattachments', 'storage.k8s.io/volumeattributesclasses',
]);

function listDefinitionName(t: ResourceType): string {
  const i = t.schemaName.lastIndexOf('.');
  return `${t.schemaName.slice(0, i + 1)}${t.listKind}`;
}

/** Operations of one served resource (and its subresources), grouped by path. */
export function resourcePaths(t: ResourceType, media: MediaTypeOptions = KUBE_MEDIA_TYPES): PathSpec[] {
  return isBuiltinGroup(t.group) ? builtinPaths(t, media) : crdPaths(t);
}

function builtinPaths(t: ResourceType, media: MediaTypeOptions): PathSpec[] {
  const verbs = new Set<string>(t.verbs);
  const prefix = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const kind = t.kind;
  const gvk: GVK = { group: t.group, version: t.version, kind };
  const mediaTypes = [...media.mediaTypes];
  const allMediaTypes = [...media.mediaTypes, ...media.streamMediaTypes];
  const listDef = listDefinitionName(t);
  const nsName = t.namespaced ? 'Namespaced' : '';
  const collection = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
  const item = `${collection}/{name}`;
  const watchCollection = t.namespaced ? `${prefix}/watch/namespaces/{namespace}/${t.resource}` : `${prefix}/watch/${t.resource}`;
  const nsParams = t.namespaced ? [NAMESPACE] : [];
  const itemParams = [nameParam(kind), ...nsParams];
  const paths = new Map<string, OperationSpec[]>();
  const add = (path: string, op: Omit<OperationSpec, 'operationId' | 'tags'> & { opName: string }): void => {
    const { opName, ...rest } = op;
    const ids = operationIdAndTags(opName, path);
    const full: OperationSpec = { ...rest, operationId: ids.operationId, tags: ids.tags };
    let list = paths.get(path);
    if (!list) paths.set(path, (list = []));
    list.push(full);
  };
  const ok = (schema: string): ResponseSpec => ({ code: 200, description: 'OK', schema });
  const listDoc = verbs.has('watch') ? `list or watch objects of kind ${kind}` : `list objects of kind ${kind}`;
  const canWatchList = verbs.has('watch') && verbs.has('list');

  if (verbs.has('list')) {
    add(collection, {
      method: 'get', opName: `list${nsName}${kind}`, description: listDoc, params: [PRETTY, ...nsParams, ...LIST_OPTIONS],
      responses: [ok(listDef)], produces: allMediaTypes, consumes: ['*/*'], action: 'list', gvk,
    });
  }
  if (verbs.has('create')) {
    add(collection, {
      method: 'post', opName: `create${nsName}${kind}`, description: `create${article(kind)}${kind}`,
      params: [PRETTY, ...nsParams, ...CREATE_OPTIONS], body: { schema: t.schemaName, contentTypes: ['*/*'], required: true },
      responses: [ok(t.schemaName), { code: 201, description: 'Created', schema: t.schemaName }, { code: 202, description: 'Accepted', schema: t.schemaName }],
      produces: mediaTypes, consumes: ['*/*'], action: 'post', gvk,
    });
  }
  if (verbs.has('deletecollection')) {
    add(collection, {
      method: 'delete', opName: `deletecollection${nsName}${kind}`, description: `delete collection of ${kind}`,
      params: [PRETTY, ...nsParams, ...DELETE_COLLECTION_OPTIONS], body: { schema: DELETE_OPTIONS_DEF, contentTypes: ['*/*'], required: false },
      responses: [ok(STATUS)], produces: mediaTypes, consumes: ['*/*'], action: 'deletecollection', gvk,
    });
  }
  if (canWatchList) {
    add(watchCollection, {
      method: 'get', opName: `watch${nsName}${kind}List`,
      description: `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
      params: [PRETTY, ...nsParams, ...LIST_OPTIONS], responses: [ok(WATCH_EVENT)], produces: allMediaTypes, consumes: ['*/*'],
      action: 'watchlist', gvk,
    });
  }
  if (verbs.has('get')) {
    add(item, {
      method: 'get', opName: `read${nsName}${kind}`, description: `read the specified ${kind}`, params: [PRETTY, ...itemParams],
      responses: [ok(t.schemaName)], produces: mediaTypes, consumes: ['*/*'], action: 'get', gvk,
    });
  }
  if (verbs.has('update')) {
    add(item, {
      method: 'put', opName: `replace${nsName}${kind}`, description: `replace the specified ${kind}`,
      params: [PRETTY, ...itemParams, ...UPDATE_OPTIONS], body: { schema: t.schemaName, contentTypes: ['*/*'], required: true },
      responses: [ok(t.schemaName), { code: 201, description: 'Created', schema: t.schemaName }],
      produces: mediaTypes, consumes: ['*/*'], action: 'put', gvk,
    });
  }
  if (verbs.has('patch')) {
    add(item, {
      method: 'patch', opName: `patch${nsName}${kind}`, description: `partially update the specified ${kind}`,
      params: [PRETTY, ...itemParams, ...PATCH_OPTIONS], body: { schema: PATCH_DEF, contentTypes: BUILTIN_PATCH_TYPES, required: true },
      responses: [ok(t.schemaName), { code: 201, description: 'Created', schema: t.schemaName }],
      produces: mediaTypes, consumes: BUILTIN_PATCH_TYPES, action: 'patch', gvk,
    });
  }
  if (verbs.has('delete')) {
    const deleted = DELETE_RETURNS_OBJECT.has(`${t.group}/${t.resource}`) ? t.schemaName : STATUS;
    add(item, {
      method: 'delete', opName: `delete${nsName}${kind}`, description: `delete${article(kind)}${kind}`,
      params: [PRETTY, ...itemParams, ...DELETE_OPTIONS], body: { schema: DELETE_OPTIONS_DEF, contentTypes: ['*/*'], required: false },
      responses: [ok(deleted), { code: 202, description: 'Accepted', schema: deleted }],
      produces: mediaTypes, consumes: ['*/*'], action: 'delete', gvk,
    });
  }
  if (verbs.has('watch')) {
    add(`${watchCollection}/{name}`, {
      method: 'get', opName: `watch${nsName}${kind}`,
      description: `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
      params: [PRETTY, ...itemParams, ...LIST_OPTIONS], responses: [ok(WATCH_EVENT)], produces: allMediaTypes, consumes: ['*/*'],
      action: 'watch', gvk,
    });
  }
  for (const sub of [...t.subresources].sort()) {
    const handler = t.subresourceHandlers?.[sub];
    const spec: SubresourceSpec = handler
      ? {
        methods: handler.methods.map((m) => m.toLowerCase() as Method), schema: handler.kind.schemaName,
        gvk: { group: handler.kind.group, version: handler.kind.version, kind: handler.kind.kind },
      }
      : SUBRESOURCE_SPECS[sub] ?? { methods: ['get', 'put', 'patch'] };
    const schema = spec.schema ?? t.schemaName;
    const subGVK = spec.gvk ?? gvk;
    const path = `${item}/${sub}`;
    const suffix = `${nsName}${kind}${title(sub)}`;
    for (const m of spec.methods) {
      if (m === 'get') {
        add(path, {
          method: 'get', opName: `read${suffix}`, description: `read ${sub} of the specified ${kind}`, params: [PRETTY, ...itemParams],
          responses: [ok(schema)], produces: mediaTypes, consumes: ['*/*'], action: 'get', gvk: subGVK,
        });
      } else if (m === 'put') {
        add(path, {
          method: 'put', opName: `replace${suffix}`, description: `replace ${sub} of the specified ${kind}`,
          params: [PRETTY, ...itemParams, ...UPDATE_OPTIONS], body: { schema, contentTypes: ['*/*'], required: true },
          responses: [ok(schema), { code: 201, description: 'Created', schema }], produces: mediaTypes, consumes: ['*/*'],
          action: 'put', gvk: subGVK,
        });
      } else if (m === 'patch') {
        add(path, {
          method: 'patch', opName: `patch${suffix}`, description: `partially update ${sub} of the specified ${kind}`,
          params: [PRETTY, ...itemParams, ...PATCH_OPTIONS], body: { schema: PATCH_DEF, contentTypes: BUILTIN_PATCH_TYPES, required: true },
          responses: [ok(schema), { code: 201, description: 'Created', schema }], produces: mediaTypes, consumes: BUILTIN_PATCH_TYPES,
          action: 'patch', gvk: subGVK,
        });
      } else if (m === 'post') {
        add(path, {
          method: 'post', opName: `create${suffix}`, description: `create ${sub} of${article(kind)}${kind}`,
          params: [PRETTY, ...itemParams, ...CREATE_OPTIONS], body: { schema, contentTypes: ['*/*'], required: true },
          responses: [ok(schema), { code: 201, description: 'Created', schema }, { code: 202, description: 'Accepted', schema }],
          produces: mediaTypes, consumes: ['*/*'], action: 'post', gvk: subGVK,
        });
      }
    }
  }
  // list across namespaces: /<prefix>/<resource> and its deprecated watch
  if (t.namespaced && verbs.has('list')) {
    const all = `${prefix}/${t.resource}`;
    add(all, {
      method: 'get', opName: `list${kind}ForAllNamespaces`, description: listDoc, params: [PRETTY, ...LIST_OPTIONS],
      responses: [ok(listDef)], produces: allMediaTypes, consumes: ['*/*'], action: 'list', gvk,
    });
    if (canWatchList) {
      add(`${prefix}/watch/${t.resource}`, {
        method: 'get', opName: `watch${kind}ListForAllNamespaces`,
        description: `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        params: [PRETTY, ...LIST_OPTIONS], responses: [ok(WATCH_EVENT)], produces: allMediaTypes, consumes: ['*/*'],
        action: 'watchlist', gvk,
      });
    }
  }
  return [...paths].map(([path, ops]) => ({ path, ops }));
}

/** apiextensions-apiserver's builder (pkg/controller/openapi/builder). */
function crdPaths(t: ResourceType): PathSpec[] {
  const verbs = new Set<string>(t.verbs);
  const kind = t.kind;
  const gvk: GVK = { group: t.group, version: t.version, kind };
  const listDef = listDefinitionName(t);
  const nsName = t.namespaced ? 'Namespaced' : '';
  const base = `/apis/${t.group}/${t.version}`;
  const root = t.namespaced ? `${base}/namespaces/{namespace}/${t.resource}` : `${base}/${t.resource}`;
  const nsParams = t.namespaced ? [NAMESPACE] : [];
  const paths = new Map<string, OperationSpec[]>();
  const produces = [...CRD_MEDIA_TYPES];
  const add = (path: string, method: Method, action: string, verb: string, sub: string, extra: {
    params: ParamSpec[]; body?: OperationSpec['body']; responses: ResponseSpec[]; opName?: string;
  }): void => {
    const opName = extra.opName ?? `${verb}${nsName}${kind}${title(sub)}`;
    const ids = operationIdAndTags(opName, path);
    const params = [PRETTY, ...(path.includes('{namespace}') ? nsParams : []), ...(path.includes('{name}') ? [nameParam(kind)] : []), ...extra.params];
    const op: OperationSpec = {
      method, description: crdDescription(kind, verb, sub), operationId: ids.operationId, tags: ids.tags, params,
      responses: extra.responses, produces, consumes: method === 'patch' ? [...CRD_PATCH_TYPES] : [...CRD_MEDIA_TYPES], action, gvk,
    };
    if (extra.body) op.body = extra.body;
    let list = paths.get(path);
    if (!list) paths.set(path, (list = []));
    list.push(op);
  };
  const ok = (schema: string): ResponseSpec => ({ code: 200, description: 'OK', schema });
  const jsonYaml = [...CRD_MEDIA_TYPES];

  if (t.namespaced && verbs.has('list')) {
    add(`${base}/${t.resource}`, 'get', 'list', 'list', '', { params: [...LIST_OPTIONS], responses: [ok(listDef)], opName: `list${kind}ForAllNamespaces` });
  }
  if (verbs.has('list')) add(root, 'get', 'list', 'list', '', { params: [...LIST_OPTIONS], responses: [ok(listDef)] });
  if (verbs.has('create')) {
    add(root, 'post', 'post', 'create', '', {
      params: [...CREATE_OPTIONS], body: { schema: t.schemaName, contentTypes: jsonYaml, required: true },
      responses: [ok(t.schemaName), { code: 201, description: 'Created', schema: t.schemaName }, { code: 202, description: 'Accepted', schema: t.schemaName }],
    });
  }
  if (verbs.has('deletecollection')) {
    add(root, 'delete', 'deletecollection', 'deletecollection', '', { params: [...LIST_OPTIONS], responses: [ok(STATUS)] });
  }
  const item = `${root}/{name}`;
  if (verbs.has('get')) add(item, 'get', 'get', 'read', '', { params: [GET_OPTIONS_RESOURCE_VERSION], responses: [ok(t.schemaName)] });
  if (verbs.has('update')) {
    add(item, 'put', 'put', 'replace', '', {
      params: [...UPDATE_OPTIONS], body: { schema: t.schemaName, contentTypes: jsonYaml, required: true },
      responses: [ok(t.schemaName), { code: 201, description: 'Created', schema: t.schemaName }],
    });
  }
  if (verbs.has('delete')) {
    add(item, 'delete', 'delete', 'delete', '', {
      params: [...DELETE_OPTIONS], body: { schema: DELETE_OPTIONS_DEF, contentTypes: jsonYaml, required: false },
      responses: [ok(STATUS), { code: 202, description: 'Accepted', schema: STATUS }],
    });
  }
  if (verbs.has('patch')) {
    add(item, 'patch', 'patch', 'patch', '', {
      params: [...PATCH_OPTIONS], body: { schema: PATCH_DEF, contentTypes: [...CRD_PATCH_TYPES], required: true }, responses: [ok(t.schemaName)],
    });
  }
  for (const sub of ['status', 'scale']) {
    if (!t.subresources.includes(sub)) continue;
    const schema = sub === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : t.schemaName;
    const path = `${item}/${sub}`;
    add(path, 'get', 'get', 'read', sub, { params: [GET_OPTIONS_RESOURCE_VERSION], responses: [ok(schema)] });
    add(path, 'put', 'put', 'replace', sub, {
      params: [...UPDATE_OPTIONS], body: { schema, contentTypes: jsonYaml, required: true },
      responses: [ok(schema), { code: 201, description: 'Created', schema }],
    });
    add(path, 'patch', 'patch', 'patch', sub, {
      params: [...PATCH_OPTIONS], body: { schema: PATCH_DEF, contentTypes: [...CRD_PATCH_TYPES], required: true }, responses: [ok(schema)],
    });
  }
  return [...paths].map(([path, ops]) => ({ path, ops }));
}

function crdDescription(kind: string, verb: string, sub: string): string {
  let art = '';
  switch (verb) {
    case 'list': art = ' objects of kind '; break;
    case 'read': case 'replace': case 'patch': art = ' the specified '; break;
    case 'create': case 'delete': art = article(kind); break;
    default: art = '';
  }
  const s = sub ? ` ${sub} of` : '';
  if (verb === 'patch') return `partially update${s}${art}${kind}`;
  if (verb === 'deletecollection') return `delete collection of${sub ? `${s} a` : ''} ${kind}`;
  return `${verb}${s}${art}${kind}`;
}

/** GET /api/<v>/ or /apis/<g>/<v>/: the APIResourceList of the group version. */
export function resourceListPath(group: string, version: string, media: MediaTypeOptions = KUBE_MEDIA_TYPES): PathSpec {
  const path = group ? `/apis/${group}/${version}/` : `/api/${version}/`;
  const ids = operationIdAndTags('getAPIResources', path);
  return {
    path,
    ops: [{
      method: 'get', description: 'get available resources', operationId: ids.operationId, tags: ids.tags, params: [],
      responses: [{ code: 200, description: 'OK', schema: `${META}.APIResourceList` }], produces: [...media.mediaTypes],
      consumes: [...media.mediaTypes],
    }],
  };
}

/** GET /apis/<g>/: the APIGroup. */
export function groupPath(group: string, media: MediaTypeOptions = KUBE_MEDIA_TYPES): PathSpec {
  const path = `/apis/${group}/`;
  const ids = operationIdAndTags('getAPIGroup', path);
  return {
    path,
    ops: [{
      method: 'get', description: 'get information of a group', operationId: ids.operationId, tags: ids.tags, params: [],
      responses: [{ code: 200, description: 'OK', schema: `${META}.APIGroup` }], produces: [...media.mediaTypes], consumes: [...media.mediaTypes],
    }],
  };
}

/** GET /api/ (APIVersions) and GET /apis/ (APIGroupList). */
export function rootPath(which: 'api' | 'apis', media: MediaTypeOptions = KUBE_MEDIA_TYPES): PathSpec {
  const path = `/${which}/`;
  const ids = operationIdAndTags('getAPIVersions', path);
  return {
    path,
    ops: [{
      method: 'get', description: 'get available API versions', operationId: ids.operationId, tags: ids.tags, params: [],
      responses: [{ code: 200, description: 'OK', schema: `${META}.${which === 'api' ? 'APIVersions' : 'APIGroupList'}` }],
      produces: [...media.mediaTypes], consumes: [...media.mediaTypes],
    }],
  };
}

/** GET /version/ */
export function versionPath(): PathSpec {
  return {
    path: '/version/',
    ops: [{
      method: 'get', description: 'get the version information for this server', operationId: 'getCodeVersion', tags: ['version'],
      params: [], responses: [{ code: 200, description: 'OK', schema: 'io.k8s.apimachinery.pkg.version.Info' }],
      produces: ['application/json'], consumes: ['application/json'],
    }],
  };
}
