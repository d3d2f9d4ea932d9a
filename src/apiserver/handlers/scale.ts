// The scale subresource of a custom resource (apiextensions' ScaleREST): GET answers an
// autoscaling/v1 Scale read from the CRD's replica paths; PUT and PATCH (JSON and merge patches,
// as for every custom resource) change a Scale, whose spec.replicas is written back into the
// custom resource by an ordinary update of it (so the resource's own validation, generation and
// resourceVersion rules apply).

import type { FastifyReply, FastifyRequest } from 'fastify';
import { field, invalid, unsupportedMediaType } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { managerOrUserAgent } from '../apply-object.js';
import { applyScale, getScale, scaleAfterUpdate, scaleForUpdate, scaleTable, type Scale } from '../../apiextensions/scale.js';
import { resolveSchema } from '../../openapi/definitions.js';
import { supportsKind } from '../../protobuf/index.js';
import type { RequestContext, ResourceType } from '../../registry/types.js';
import type { ApiDeps } from '../deps.js';
import { decodeObjectAsync } from '../decode-pool.js';
import { bodyFormat, negotiateOutput } from '../negotiate.js';
import { checkReadResourceVersion, parseGetOptions, parseWriteOptions } from '../options.js';
import { checkNamespaceAndName, patchedObject } from '../patch-object.js';
import type { ResourceRequestInfo } from '../requestinfo.js';
import { convertObject, send } from '../respond.js';
import { readBody } from '../body.js';

const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';

/** The Scale as a ResourceType (decoding, patching, its Table). */
function scaleType(parent: ResourceType, paths: NonNullable<NonNullable<ResourceType['customResource']>['scale']>): ResourceType {
  return {
    ...parent, group: 'autoscaling', version: 'v1', kind: 'Scale', listKind: 'ScaleList', schemaName: SCALE_SCHEMA,
    customResource: undefined, subresourceHandlers: undefined, converter: undefined, warnings: undefined,
    storage: { group: 'autoscaling', resource: parent.resource, apiVersion: 'autoscaling/v1', kind: 'Scale' },
    strategy: { ...parent.strategy, table: scaleTable(paths), selectableFields: undefined },
  };
}

/** autoscaling's ValidateScale. */
function validateScale(scale: Scale): void {
  const replicas = scale.spec?.replicas ?? 0;
  if (replicas < 0) {
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, scale.metadata?.name ?? '',
      [field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
  }
}

export async function serveScale(deps: ApiDeps, req: FastifyRequest, reply: FastifyReply, r: {
  info: ResourceRequestInfo; type: ResourceType; ctx: RequestContext; query: URLSearchParams; pretty: boolean;
  patchTypeOf: (contentType: string | undefined) => 'json' | 'merge' | 'strategic' | 'apply';
}): Promise<FastifyReply> {
  const { info, type, ctx, query, pretty } = r;
  const paths = type.customResource!.scale!;
  const st = scaleType(type, paths);
  const output = negotiateOutput(req.headers.accept, { table: true, metadata: 'object', protobuf: supportsKind('autoscaling/v1', 'Scale') });
  const reg = deps.registry;
  const answer = (code: number, scale: Scale) => send(reply, code, convertObject(st, scale as never as KubeObject, output, 'Metadata', ctx.now), output, pretty, ctx.warnings);
  if (req.method === 'GET') {
    const opts = parseGetOptions(query);
    checkReadResourceVersion(opts.resourceVersion, 'get');
    return answer(200, getScale(await reg.get(ctx, type, info.name, { resourceVersion: opts.resourceVersion }), paths));
  }
  const schema = resolveSchema(SCALE_SCHEMA);
  let change: (old: Scale) => Promise<Scale> | Scale;
  let wopts;
  if (req.method === 'PUT') {
    wopts = parseWriteOptions(query, 'UpdateOptions');
    const fmt = bodyFormat(req.headers['content-type'] ?? 'application/json');
    if (fmt !== 'json' && fmt !== 'yaml') throw unsupportedMediaType(['application/json', 'application/yaml']);
    const bytes = await readBody(req.raw);
    const decoded = await decodeObjectAsync({ type: st, schema, text: bytes.toString('utf8'), bytes, format: fmt, fieldValidation: wopts.fieldValidation });
    ctx.warnings.push(...decoded.warnings);
    checkNamespaceAndName(st, decoded.object, info.name, info.namespace);
    change = () => decoded.object as never as Scale;
  } else {
    const patchType = r.patchTypeOf(req.headers['content-type']);
    if (patchType === 'apply' || patchType === 'strategic') throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
    const text = (await readBody(req.raw)).toString('utf8');
    wopts = parseWriteOptions(query, 'PatchOptions');
    const patch = { type: st, schema, patchType, text, fieldValidation: wopts.fieldValidation, name: info.name, namespace: info.namespace };
    change = (old) => patchedObject(patch, old as never as KubeObject, ctx.warnings) as never as Scale;
  }
  ctx.fieldManager = managerOrUserAgent(wopts.fieldManager, req.headers['user-agent']);
  const res = await reg.update(ctx, type, info.name, {
    updatedObject: async (existing?: KubeObject) => {
      const old = scaleForUpdate(existing!, paths);
      const scale = await change(old);
      validateScale(scale);
      // a Scale without a resourceVersion applies to whatever is current
      if (!scale.metadata?.resourceVersion) scale.metadata = { ...scale.metadata, resourceVersion: existing!.metadata.resourceVersion };
      return applyScale(existing!, scale, paths);
    },
  }, { dryRun: wopts.dryRun, subresource: 'scale' });
  return answer(200, scaleAfterUpdate(res.object, paths));
}
