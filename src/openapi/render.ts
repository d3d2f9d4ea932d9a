// Renders the operations of paths.ts as OpenAPI v3 path items (kube-openapi builder3) and
// swagger 2.0 path items (kube-openapi builder): parameters shared by every operation of a path
// move to the path item, parameters are sorted by name then location, every operation answers 401.

import type { ParamSpec } from './parameters.js';
import type { OperationSpec, PathSpec } from './paths.js';
import type { JsonSchema } from './schemautil.js';

function paramKey(p: ParamSpec): string {
  return `${p.name}\0${p.in}`;
}

function sortParams(ps: ParamSpec[]): ParamSpec[] {
  return [...ps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.in < b.in ? -1 : a.in > b.in ? 1 : 0));
}

/** Parameters every operation of the path has (by name and location): they move to the path item. */
function commonParams(ops: readonly OperationSpec[]): Map<string, ParamSpec> {
  const count = new Map<string, number>();
  const last = new Map<string, ParamSpec>();
  for (const op of ops) {
    for (const p of op.params) {
      const k = paramKey(p);
      count.set(k, (count.get(k) ?? 0) + 1);
      last.set(k, p);
    }
  }
  const out = new Map<string, ParamSpec>();
  for (const [k, n] of count) if (n === ops.length) out.set(k, last.get(k)!);
  return out;
}

function v3Param(p: ParamSpec): JsonSchema {
  const out: JsonSchema = { description: p.description, in: p.in, name: p.name };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function v2Param(p: ParamSpec): JsonSchema {
  const out: JsonSchema = { description: p.description, in: p.in, name: p.name };
  if (p.required) out.required = true;
  out.type = p.type;
  out.uniqueItems = true;
  return out;
}

const UNAUTHORIZED = { description: 'Unauthorized' };

function v3Ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

function v2Ref(name: string): JsonSchema {
  return { $ref: `#/definitions/${name}` };
}

export function renderV3PathItem(spec: PathSpec): JsonSchema {
  const common = commonParams(spec.ops);
  const item: JsonSchema = {};
  for (const op of spec.ops) {
    const o: JsonSchema = { description: op.description, operationId: op.operationId };
    const params = sortParams(op.params.filter((p) => !common.has(paramKey(p))));
    if (params.length) o.parameters = params.map(v3Param);
    if (op.body) {
      const content: JsonSchema = {};
      for (const ct of op.body.contentTypes) content[ct] = { schema: v3Ref(op.body.schema) };
      const rb: JsonSchema = { content };
      if (op.body.required) rb.required = true;
      o.requestBody = rb;
    }
    const responses: JsonSchema = {};
    for (const r of op.responses) {
      const resp: JsonSchema = {};
      if (r.schema) {
        const content: JsonSchema = {};
        for (const mt of op.produces) content[mt] = { schema: v3Ref(r.schema) };
        resp.content = content;
      }
      resp.description = r.description;
      responses[String(r.code)] = resp;
    }
    responses['401'] = { ...UNAUTHORIZED };
    o.responses = responses;
    o.tags = [...op.tags];
    if (op.action) o['x-kubernetes-action'] = op.action;
    if (op.gvk) o['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
    item[op.method] = o;
  }
  if (common.size) item.parameters = sortParams([...common.values()]).map(v3Param);
  return item;
}

export function renderV2PathItem(spec: PathSpec): JsonSchema {
  const common = commonParams(spec.ops);
  const item: JsonSchema = {};
  for (const op of spec.ops) {
    const o: JsonSchema = { consumes: [...op.consumes], description: op.description, operationId: op.operationId };
    const params: JsonSchema[] = [];
    if (op.body) {
      const b: JsonSchema = { in: 'body', name: 'body' };
      if (op.body.required) b.required = true;
      b.schema = v2Ref(op.body.schema);
      params.push(b);
    }
    for (const p of sortParams(op.params.filter((x) => !common.has(paramKey(x))))) params.push(v2Param(p));
    if (params.length) o.parameters = params;
    o.produces = [...op.produces];
    const responses: JsonSchema = {};
    for (const r of op.responses) {
      const resp: JsonSchema = { description: r.description };
      if (r.schema) resp.schema = v2Ref(r.schema);
      responses[String(r.code)] = resp;
    }
    responses['401'] = { ...UNAUTHORIZED };
    o.responses = responses;
    o.schemes = ['https'];
    o.tags = [...op.tags];
    if (op.action) o['x-kubernetes-action'] = op.action;
    if (op.gvk) o['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
    item[op.method] = o;
  }
  if (common.size) item.parameters = sortParams([...common.values()]).map(v2Param);
  return item;
}

/** Definition names referenced by operations (request bodies and responses). */
export function operationSchemas(specs: readonly PathSpec[]): string[] {
  const out = new Set<string>();
  for (const s of specs) {
    for (const op of s.ops) {
      if (op.body) out.add(op.body.schema);
      for (const r of op.responses) if (r.schema) out.add(r.schema);
    }
  }
  return [...out];
}
