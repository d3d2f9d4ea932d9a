// Large writes off the event loop. Decoding a large body in a worker (decode-pool.ts) is not
// enough: a body of hundreds of thousands of items is as costly to copy, default and validate in
// the registry, or to patch, and a failing one makes a field error of each. Everything a create or
// a patch computes before it touches storage is pure (store.ts prepareCreate/validateCreate,
// prepareUpdate/validateUpdate, patch-object.ts), so for a large body a worker runs all of it:
// it answers with the object ready for admission's validation and storage (as JSON: parsing it is
// cheaper than structured clone), or with the error, a large Invalid one rendered as JSON bytes
// (large-status.ts) that the event loop only writes.

import { largeInvalidOf, StatusError, type Status } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import { resolveSchema } from '../openapi/definitions.js';
import { builtinResources } from '../registry/builtin.js';
import { prepareCreate, prepareUpdate, validateCreate, validateUpdate, type Registry } from '../registry/store.js';
import type { RequestContext, ResourceType, UserInfo } from '../registry/types.js';
import { decodeObject, type Decoded, type FieldValidation } from './decode.js';
import { protobufBodyObject, runInWorker, WORKER_JSON_BYTES, type WorkerJob, type WorkerResult } from './decode-pool.js';
import { renderLargeStatus } from './large-status.js';
import { checkObjectResourceVersion } from './options.js';
import { checkNamespaceAndName, patchedObject, type PatchRequest, type PatchType } from './patch-object.js';
import { errorFormat } from './respond.js';

/** What a worker needs besides the body (the kind by its place in builtinResources: its strategy cannot be sent). */
export interface WriteJob {
  kind: number;
  ctx: { cluster: string; namespace: string; user: UserInfo; now: number; fieldManager?: string };
  /**
   * An update (PUT): without `existing`, the body is only decoded and checked as the handler does
   * before the registry (the answer is its uid and resourceVersion); with it, prepared too.
   */
  update?: { name: string; namespace: string | undefined; subresource: string; existing?: string; modRevision?: number };
  /** Absent for a create or an update (the body is the object). */
  patch?: {
    patchType: PatchType; name: string; namespace: string | undefined; subresource: string;
    /** The existing object as JSON, and the revision it was read at. */
    existing: string; modRevision: number;
  };
}

export interface WrittenObject {
  /** The object's JSON. */
  json: string;
  warnings: string[];
}

/**
 * Whether a body of this size for this kind is written by a worker: a built-in kind (the worker
 * has its strategy), decoded with its own schema, write steps the registry lets run elsewhere, and
 * an error the client reads as JSON (the only form a worker renders).
 */
export function writesOffLoop(reg: Registry, cluster: string, req: { type: ResourceType; schema: SchemaNode | undefined }, bodyBytes: number,
  accept: string | undefined): boolean {
  return bodyBytes >= (req.type.writeOffLoopBytes ?? WORKER_JSON_BYTES) && builtinResources.includes(req.type) && reg.preparesOffLoop(cluster)
    && req.schema === resolveSchema(req.type.schemaName) && errorFormat(accept) === 'json';
}

function jobContext(ctx: RequestContext): WriteJob['ctx'] {
  return { cluster: ctx.cluster, namespace: ctx.namespace, user: ctx.user, now: ctx.now.getTime(), fieldManager: ctx.fieldManager };
}

function written(ctx: RequestContext, result: WorkerResult): KubeObject {
  if (!('written' in result)) throw new Error('error' in result ? result.error : 'unexpected write worker result');
  for (const w of result.written.warnings) ctx.warnings.push(w);
  return JSON.parse(result.written.json) as KubeObject;
}

/**
 * A create's body decoded, prepared and validated by a worker (undefined when it is not large
 * enough for that): the object for Registry.create with `prepared`.
 */
export async function createOffLoop(reg: Registry, ctx: RequestContext, req: {
  type: ResourceType; schema: SchemaNode | undefined; bytes: Buffer; format: 'json' | 'yaml' | 'protobuf'; fieldValidation: FieldValidation;
}, accept: string | undefined): Promise<KubeObject | undefined> {
  if (!writesOffLoop(reg, ctx.cluster, req, req.bytes.length, accept)) return undefined;
  const write: WriteJob = { kind: builtinResources.indexOf(req.type), ctx: jobContext(ctx) };
  return written(ctx, await runInWorker(req.type, bodyJob(req, write)));
}

type BodyRequest = Parameters<typeof createOffLoop>[2];

function bodyJob(req: BodyRequest, write: WriteJob): Omit<WorkerJob, 'id' | 'type'> {
  const protobuf = req.format === 'protobuf';
  // only the bytes go over (the worker reads them as text)
  return { text: '', bytes: req.bytes, format: req.format, fieldValidation: protobuf ? 'Ignore' : req.fieldValidation, write };
}

/**
 * A PUT's body decoded and checked by a worker (undefined when it is not large enough for that):
 * the uid precondition it names, and the UpdatedObjectInfo.preparedObject of the update (the
 * body decoded again there, prepared and validated against the existing object: the object itself
 * never comes to the event loop unless it is valid).
 */
export async function updateOffLoop(reg: Registry, ctx: RequestContext, req: BodyRequest, path: { name: string; namespace: string | undefined; subresource: string },
  accept: string | undefined): Promise<{ uid?: string; preparedObject: (existing: KubeObject, modRevision: number) => Promise<KubeObject> } | undefined> {
  if (!writesOffLoop(reg, ctx.cluster, req, req.bytes.length, accept)) return undefined;
  const kind = builtinResources.indexOf(req.type);
  const checked = written(ctx, await runInWorker(req.type, bodyJob(req, { kind, ctx: jobContext(ctx), update: path })));
  return {
    uid: checked.metadata.uid,
    preparedObject: async (existing, modRevision) => {
      const update = { ...path, existing: JSON.stringify(existing), modRevision };
      return written(ctx, await runInWorker(req.type, bodyJob(req, { kind, ctx: jobContext(ctx), update })));
    },
  };
}

/** A patch applied to the existing object, decoded, prepared and validated by a worker (UpdatedObjectInfo.preparedObject). */
export async function patchOffLoop(ctx: RequestContext, req: PatchRequest, existing: KubeObject, modRevision: number,
  subresource: string): Promise<KubeObject> {
  const write: WriteJob = {
    kind: builtinResources.indexOf(req.type), ctx: jobContext(ctx),
    patch: { patchType: req.patchType, name: req.name, namespace: req.namespace, subresource, existing: JSON.stringify(existing), modRevision },
  };
  return written(ctx, await runInWorker(req.type, { text: req.text, format: 'json', fieldValidation: req.fieldValidation, write }));
}

// ---------------------------------------------------------------- in the worker

/** A create or update body decoded as the handler's decodeBody does. */
function bodyObject(job: WorkerJob, type: ResourceType, schema: SchemaNode | undefined): Decoded {
  const bytes = job.bytes ? Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength) : Buffer.alloc(0);
  if (job.format === 'protobuf') return { object: protobufBodyObject(type, schema, bytes), warnings: [] };
  return decodeObject({ type, schema, text: bytes.toString('utf8'), bytes, format: job.format, fieldValidation: job.fieldValidation });
}

/** Runs a write job (in a worker): the written object, or the Status of its error. */
export function runWriteJob(job: WorkerJob & { write: WriteJob }): WorkerResult {
  const w = job.write;
  const type = builtinResources[w.kind]!;
  const schema = resolveSchema(type.schemaName);
  const ctx: RequestContext = { cluster: w.ctx.cluster as RequestContext['cluster'], namespace: w.ctx.namespace, user: w.ctx.user, now: new Date(w.ctx.now), warnings: [], fieldManager: w.ctx.fieldManager };
  try {
    let obj: KubeObject;
    if (w.patch) {
      const p = w.patch;
      const existing = JSON.parse(p.existing) as KubeObject;
      const req: PatchRequest = { type, schema, patchType: p.patchType, text: job.text, fieldValidation: job.fieldValidation, name: p.name, namespace: p.namespace };
      const updated = patchedObject(req, JSON.parse(p.existing) as KubeObject, ctx.warnings);
      obj = prepareUpdate(ctx, type, p.name, existing, p.modRevision, updated, p.subresource);
      validateUpdate(ctx, type, obj, existing, p.subresource);
    } else if (w.update) {
      const u = w.update;
      const decoded = bodyObject(job, type, schema);
      checkNamespaceAndName(type, decoded.object, u.name, u.namespace);
      if (u.existing === undefined) {
        const { uid, resourceVersion } = decoded.object.metadata;
        return { id: job.id, written: { json: JSON.stringify({ metadata: { uid, resourceVersion } }), warnings: decoded.warnings } };
      }
      // (the decoding warnings were taken when the body was checked)
      checkObjectResourceVersion(decoded.object.metadata.resourceVersion);
      const existing = JSON.parse(u.existing) as KubeObject;
      obj = prepareUpdate(ctx, type, u.name, existing, u.modRevision!, decoded.object, u.subresource);
      validateUpdate(ctx, type, obj, existing, u.subresource);
    } else {
      const decoded = bodyObject(job, type, schema);
      for (const warning of decoded.warnings) ctx.warnings.push(warning);
      obj = prepareCreate(ctx, type, decoded.object);
      validateCreate(ctx, type, obj);
    }
    return { id: job.id, written: { json: JSON.stringify(obj), warnings: ctx.warnings } };
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    const large = largeInvalidOf(e.status);
    if (!large) return { id: job.id, status: e.status };
    // the stand-in Status the event loop gets (never sent: the rendered JSON is)
    const { code, reason, details } = e.status;
    const status: Status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason,
      message: `${large.prefix}${large.errs.length} field errors`,
      details: details && { name: details.name, group: details.group, kind: details.kind },
    };
    return { id: job.id, status, rendered: renderLargeStatus(e.status, large) };
  }
}
