// Decoding large request bodies off the event loop. Parsing and checking a body is linear in its
// size (decode.ts, yaml-body.ts), but a few MiB of YAML still take the yaml library seconds, and
// every tenant shares the one event loop: bodies above a threshold are decoded by a small pool of
// worker threads, small ones inline (a round trip to a worker costs more than they do). Workers
// have a large stack, so documents nested as deep as kube allows (10000) decode there.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StatusError, type Status } from '../apimachinery/errors.js';
import { resolveSchema } from '../openapi/definitions.js';
import type { KubeObject } from '../apimachinery/object.js';
import { decodeObject as decodeProtobuf } from '../protobuf/index.js';
import { apiVersionOfType } from '../registry/types.js';
import { conformObject, decodeObject, type Decoded, type DecodeRequest } from './decode.js';
import { setRendered } from './large-status.js';
import { jsonDepthExceeds } from '../apimachinery/strict.js';
import type { WriteJob, WrittenObject } from './write-offload.js';

/** JSON and protobuf bodies from this size on are decoded by a worker (JSON.parse of 256 KiB takes ~2 ms). */
export const WORKER_JSON_BYTES = 256 * 1024;
/**
 * YAML is two orders of magnitude slower to parse, and the yaml library composes recursively:
 * only a body too small to nest deeper than the main thread's stack allows stays inline.
 */
const WORKER_YAML_BYTES = 256;
/** Nesting beyond this recurses deeper than the main thread's stack comfortably allows. */
const INLINE_DEPTH = 500;
const POOL_SIZE = 2;
/** An idle worker is stopped after this long (an idle kplane keeps none). */
const IDLE_MS = 30_000;
const WORKER_STACK_MB = 64;

/** What a worker needs of a ResourceType to decode (the strategy's functions cannot be sent). */
export interface WorkerJob {
  id: number;
  type: Pick<DecodeRequest['type'], 'group' | 'version' | 'kind' | 'schemaName'> & { storage: { group: string } };
  text: string;
  bytes?: Uint8Array;
  format: DecodeRequest['format'] | 'protobuf';
  fieldValidation: DecodeRequest['fieldValidation'];
  /** Also the registry's write steps on the decoded object (write-offload.ts). */
  write?: WriteJob;
}

export type WorkerResult = { id: number; decoded: Decoded } | { id: number; error: string }
  | { id: number; written: WrittenObject }
  /** A large Invalid Status comes as its JSON, rendered (large-status.ts), with a stand-in Status. */
  | { id: number; status: Status; rendered?: Uint8Array[] };

function offLoop(req: DecodeRequest): boolean {
  // a worker resolves the schema by name: only where that is the schema the request decodes with
  if (req.schema !== resolveSchema(req.type.schemaName)) return false;
  if (req.format === 'yaml') return req.text.length >= WORKER_YAML_BYTES;
  return req.text.length >= WORKER_JSON_BYTES || (req.text.length > INLINE_DEPTH * 2 && jsonDepthExceeds(req.text, INLINE_DEPTH));
}

/**
 * decodeObject, with large bodies decoded by a worker thread: the same result, the same errors
 * (StatusErrors are rebuilt from the worker's Status).
 */
export async function decodeObjectAsync(req: DecodeRequest): Promise<Decoded> {
  if (!offLoop(req)) return decodeObject(req);
  return inWorker(req.type, { text: req.text, bytes: req.bytes, format: req.format, fieldValidation: req.fieldValidation });
}

/**
 * A protobuf create/update body as an object of the endpoint's kind: decoded, then checked as
 * decode.ts conformObject does (protobuf carries no unknown or duplicate fields: nothing for field
 * validation to report). Large bodies are decoded by a worker thread.
 */
export async function decodeProtobufAsync(req: { type: DecodeRequest['type']; schema: DecodeRequest['schema']; bytes: Buffer }): Promise<KubeObject> {
  if (req.bytes.length < WORKER_JSON_BYTES || req.schema !== resolveSchema(req.type.schemaName)) {
    return protobufBodyObject(req.type, req.schema, req.bytes);
  }
  return (await inWorker(req.type, { text: '', bytes: req.bytes, format: 'protobuf', fieldValidation: 'Ignore' })).object;
}

/** The decoding of a protobuf body (here or in a worker). */
export function protobufBodyObject(type: DecodeRequest['type'], schema: DecodeRequest['schema'], bytes: Uint8Array): KubeObject {
  const decoded = decodeProtobuf(bytes, { apiVersion: apiVersionOfType(type), kind: type.kind });
  return conformObject({ type, schema }, { ...decoded.object, apiVersion: decoded.apiVersion, kind: decoded.kind }).object;
}

async function inWorker(type: DecodeRequest['type'], job: Omit<WorkerJob, 'id' | 'type'>): Promise<Decoded> {
  const result = await runInWorker(type, job);
  if ('decoded' in result) return result.decoded;
  throw new Error('error' in result ? result.error : 'unexpected decode worker result');
}

/**
 * A job for a worker; a Status it answers is thrown as a StatusError (with its rendered JSON,
 * for a large Invalid one).
 */
export async function runInWorker(type: DecodeRequest['type'], job: Omit<WorkerJob, 'id' | 'type'>): Promise<WorkerResult> {
  const { group, version, kind, schemaName, storage } = type;
  const result = await pool.run({ id: 0, type: { group, version, kind, schemaName, storage: { group: storage.group } }, ...job });
  if ('status' in result) {
    const s = result.status;
    const err = new StatusError(s.code, s.reason ?? '', s.message ?? '', s.details);
    if (result.rendered) setRendered(err.status, result.rendered.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)));
    throw err;
  }
  return result;
}

/** The worker script next to this module (TypeScript under the test runner, JavaScript when built). */
function spawn(): Worker {
  const here = import.meta.url;
  const options = { resourceLimits: { stackSizeMb: WORKER_STACK_MB } };
  if (!here.endsWith('.ts')) return new Worker(new URL('./decode-worker.js', here), options);
  // from sources: load the TypeScript entry through tsx (a development dependency)
  const tsx = join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs');
  const entry = new URL('./decode-worker.ts', here).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(code, { ...options, eval: true });
}

interface Slot {
  worker: Worker;
  busy?: { id: number; resolve: (r: WorkerResult) => void; reject: (e: Error) => void };
  idle?: NodeJS.Timeout;
}

class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: { job: WorkerJob; resolve: (r: WorkerResult) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;

  run(job: WorkerJob): Promise<WorkerResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < POOL_SIZE) slot = this.start();
      if (!slot) return;
      const { job, resolve, reject } = this.queue.shift()!;
      if (slot.idle) clearTimeout(slot.idle);
      slot.busy = { id: job.id, resolve, reject };
      slot.worker.postMessage(job);
    }
  }

  private start(): Slot {
    const slot: Slot = { worker: spawn() };
    // a worker never keeps the process alive
    slot.worker.unref();
    slot.worker.on('message', (r: WorkerResult) => {
      const busy = slot.busy;
      slot.busy = undefined;
      if (busy && busy.id === r.id) busy.resolve(r);
      slot.idle = setTimeout(() => this.stop(slot), IDLE_MS).unref();
      this.dispatch();
    });
    const fail = (e: Error) => {
      this.remove(slot);
      slot.busy?.reject(e);
      slot.busy = undefined;
      this.dispatch();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (slot.idle) clearTimeout(slot.idle);
  }

  private stop(slot: Slot): void {
    if (slot.busy) return;
    this.remove(slot);
    void slot.worker.terminate();
  }
}

const pool = new DecodePool();
