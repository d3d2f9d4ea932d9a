// A decode-pool worker: decodes one body at a time as decode.ts does on the main thread (and, for
// a large write, runs the registry's pure write steps too: write-offload.ts).

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { StatusError } from '../apimachinery/errors.js';
import { resolveSchema } from '../openapi/definitions.js';
import type { ResourceType } from '../registry/types.js';
import { decodeObject } from './decode.js';
import { protobufBodyObject, type WorkerJob, type WorkerResult } from './decode-pool.js';
import { runWriteJob, type WriteJob } from './write-offload.js';

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
    if (job.write) {
      result = runWriteJob(job as WorkerJob & { write: WriteJob });
      // a rendered Status's buffers move to the event loop's thread instead of being copied
      const transfer = 'rendered' in result && result.rendered ? result.rendered.map((b) => b.buffer as ArrayBuffer) : [];
      parentPort!.postMessage(result, transfer);
      return;
    }
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
