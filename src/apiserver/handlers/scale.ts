// The scale subresource of a custom resource (apiextensions' ScaleREST): GET answers an
// autoscaling/v1 Scale read from the CRD's replica paths; PUT and PATCH (JSON and merge patches,
// as for every custom resource) change a Scale, whose spec.replicas is written back into the
// custom resource by an ordinary update of it (so the resource's own validation, generation and
// resourceVersion rules apply).

import type { FastifyReply, FastifyRequest } from 'fastify';
import { field, invalid, unsupportedMediaType } from '../../apimachinery/errors.js';
import { managerOrUserAgent, parseApplyBody, sentWriteOptions, validatePatchOptions } from '../apply-object.js';
import { ScaleHandler, scaleApplyChanged, scaleApplyWithoutManagers, scaleFieldManager } from '../../fieldmanager/scale.js';
import { formatTime, type KubeObject } from '../../apimachinery/object.js';
import { equalValues } from '../../fieldmanager/value.js';
import { applyScale, getScale, scaleAfterUpdate, scaleForUpdate, scaleTable, type Scale } from '../../apiextensions/scale.js';
import { resolveSchema } from '../../openapi/definitions.js';
import { supportsKind } from '../../protobuf/index.js';
import { apiVersionOfType, type RequestContext, type ResourceType } from '../../registry/types.js';
import type { ApiDeps } from '../deps.js';
import { decodeObjectAsync } from '../decode-pool.js';
import { bodyFormat, negotiateOutput } from '../negotiate.js';
import { bool, checkReadResourceVersion, parseGetOptions, parseWriteOptions } from '../options.js';
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

function sameBesidesManagedFields(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } });
  return equalValues(JSON.parse(JSON.stringify(strip(a))), JSON.parse(JSON.stringify(strip(b))));
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
  let apply: { patch: KubeObject; force: boolean } | undefined;
  if (req.method === 'PUT') {
    wopts = parseWriteOptions(query, 'UpdateOptions');
    ctx.writeOptions = sentWriteOptions(query);
    const fmt = bodyFormat(req.headers['content-type'] ?? 'application/json');
    if (fmt !== 'json' && fmt !== 'yaml') throw unsupportedMediaType(['application/json', 'application/yaml']);
    const bytes = await readBody(req.raw);
    const decoded = await decodeObjectAsync({ type: st, schema, text: bytes.toString('utf8'), bytes, format: fmt, fieldValidation: wopts.fieldValidation });
    ctx.warnings.push(...decoded.warnings);
    checkNamespaceAndName(st, decoded.object, info.name, info.namespace);
    change = () => decoded.object as never as Scale;
  } else {
    const patchType = r.patchTypeOf(req.headers['content-type']);
    if (patchType === 'strategic') throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    const text = (await readBody(req.raw)).toString('utf8');
    wopts = parseWriteOptions(query, 'PatchOptions');
    ctx.writeOptions = sentWriteOptions(query);
    validatePatchOptions(patchType === 'apply', wopts.fieldManager, query.get('force'));
    if (patchType === 'apply') {
      apply = { patch: parseApplyBody(text), force: bool(query, 'force') ?? false };
      change = (old) => old;
    } else {
      const patch = { type: st, schema, patchType, text, fieldValidation: wopts.fieldValidation, name: info.name, namespace: info.namespace };
      change = (old) => patchedObject(patch, old as never as KubeObject, ctx.warnings) as never as Scale;
    }
  }
  const manager = managerOrUserAgent(wopts.fieldManager, req.headers['user-agent']);
  const now = formatTime(ctx.now);
  const res = await reg.update({ ...ctx, appliedFields: true }, type, info.name, {
    updatedObject: async (existing?: KubeObject) => {
      // the Scale's own field management, its managers those of the parent's replicas
      const handler = new ScaleHandler(existing!.metadata.managedFields, apiVersionOfType(type), paths.specReplicasPath);
      const old = scaleForUpdate(existing!, paths) as never as KubeObject;
      const managed = handler.toSubresource();
      if (managed) old.metadata.managedFields = managed;
      const fm = scaleFieldManager();
      let scale: Scale;
      if (apply) {
        if (!managed) throw scaleApplyWithoutManagers();
        const applied = fm.apply(old, apply.patch, manager, apply.force, now);
        if (!sameBesidesManagedFields(applied, old)) throw scaleApplyChanged(apply.patch);
        scale = applied as never as Scale;
      } else {
        scale = await change(structuredClone(old) as never as Scale);
        fm.update(old, scale as never as KubeObject, manager, now);
      }
      validateScale(scale);
      // a Scale without a resourceVersion applies to whatever is current
      if (!scale.metadata?.resourceVersion || apply) scale.metadata = { ...scale.metadata, resourceVersion: apply?.patch.metadata?.resourceVersion || existing!.metadata.resourceVersion };
      const cr = applyScale(existing!, scale, paths);
      const entries = handler.toParent((scale.metadata as KubeObject['metadata']).managedFields);
      if (entries) cr.metadata.managedFields = entries;
      else delete cr.metadata.managedFields;
      return cr;
    },
  }, { dryRun: wopts.dryRun, subresource: 'scale' });
  return answer(200, scaleAfterUpdate(res.object, paths));
}
