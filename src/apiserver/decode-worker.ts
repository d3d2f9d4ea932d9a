// A decode-pool worker: decodes one body at a time as decode.ts does on the main thread.

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { StatusError } from '../apimachinery/errors.js';
import { resolveSchema } from '../openapi/definitions.js';
import type { ResourceType } from '../registry/types.js';
import { decodeObject } from './decode.js';
import { protobufBodyObject, type WorkerJob, type WorkerResult } from './decode-pool.js';

// Decoding yields the CPU to the event loop: on Linux a thread has its own nice value, and
// /proc/thread-self names this thread's id. (Elsewhere the worker keeps the process's priority.)
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  // not Linux, or not allowed
}

parentPort!.on('message', (job: WorkerJob) => {
  let result: WorkerResult;
  try {
    const type = job.type as ResourceType;
    const schema = resolveSchema(type.schemaName);
    const bytes = job.bytes ? Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength) : undefined;
    const decoded = job.format === 'protobuf'
      ? { object: protobufBodyObject(type, schema, bytes ?? Buffer.alloc(0)), warnings: [] }
      : decodeObject({ type, schema, text: job.text, bytes, format: job.format, fieldValidation: job.fieldValidation });
    result = { id: job.id, decoded };
  } catch (e) {
    result = e instanceof StatusError ? { id: job.id, status: e.status } : { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(result);
});
