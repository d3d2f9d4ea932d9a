// A large Invalid Status (errors.ts: thousands of field errors) written as JSON in slices. kube
// puts every field error in the message and in the causes; the JSON of such a Status can be
// hundreds of MiB, and building it in one piece would hold the event loop for seconds. The bytes
// are the same as JSON.stringify of the Status would give; between slices the loop serves others.

import { Readable } from 'node:stream';
import { fieldErrorBody, fieldErrorString, type LargeInvalid, type Status } from '../apimachinery/errors.js';

/** Field errors formatted between two turns of the event loop (a few milliseconds of work). */
const SLICE = 1000;

const MESSAGE = '\u0000message';
const CAUSES = '\u0000causes';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** JSON string contents (without the quotes) of a piece of a longer string. */
const jsonChars = (s: string) => JSON.stringify(s).slice(1, -1);

/** The Status with placeholders for its message and causes, as JSON text, without reading either. */
function shell(status: Status): string {
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(status)) {
    if (k === 'message') copy[k] = MESSAGE;
    else if (k === 'details' && status.details) {
      const d: Record<string, unknown> = {};
      for (const dk of Object.keys(status.details)) d[dk] = dk === 'causes' ? CAUSES : (status.details as Record<string, unknown>)[dk];
      copy[k] = d;
    } else copy[k] = (status as unknown as Record<string, unknown>)[k];
  }
  return `${JSON.stringify(copy)}\n`;
}

/** Between two slices: the event loop serves others (a worker renders on). */
const TURN = Symbol('turn');

function* pieces(status: Status, large: LargeInvalid): Generator<string | typeof TURN> {
  const text = shell(status);
  const [head, rest] = text.split(JSON.stringify(MESSAGE)) as [string, string];
  const [middle, tail] = rest.split(JSON.stringify(CAUSES)) as [string, string];
  const { errs } = large;
  // the message: utilerrors.Aggregate of the distinct field errors, in order (a Set keeps it)
  const distinct = new Set<string>();
  for (let i = 0; i < errs.length; i++) {
    distinct.add(fieldErrorString(errs[i]!));
    if (i % SLICE === SLICE - 1) yield TURN;
  }
  const one = distinct.size === 1;
  yield `${head}"${jsonChars(large.prefix)}${one ? '' : '['}`;
  let part: string[] = [];
  let first = true;
  for (const m of distinct) {
    part.push(m);
    if (part.length === SLICE) {
      yield jsonChars((first ? '' : ', ') + part.join(', '));
      first = false;
      part = [];
      yield TURN;
    }
  }
  if (part.length) yield jsonChars((first ? '' : ', ') + part.join(', '));
  distinct.clear();
  yield `${one ? '' : ']'}"${middle}[`;
  for (let i = 0; i < errs.length; i += SLICE) {
    const part: string[] = [];
    for (const e of errs.slice(i, i + SLICE)) part.push(JSON.stringify({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    yield (i === 0 ? '' : ',') + part.join(',');
    yield TURN;
  }
  yield `]${tail}`;
}

async function* chunks(status: Status, large: LargeInvalid): AsyncGenerator<Buffer> {
  for (const p of pieces(status, large)) {
    if (p === TURN) await turn();
    else yield Buffer.from(p);
  }
}

/** The JSON of a large Invalid Status as a stream. */
export function largeStatusStream(status: Status, large: LargeInvalid): Readable {
  return Readable.from(chunks(status, large), { objectMode: false });
}

/** A worker's buffers hold about this much each (each is written to the socket at once). */
const RENDERED_BYTES = 1 << 20;

/**
 * The JSON of a large Invalid Status at once, in buffers of about a MiB: a worker thread renders
 * it and hands the buffers over (their memory moves, nothing is copied or parsed on the event
 * loop). The bytes are those largeStatusStream writes.
 */
export function renderLargeStatus(status: Status, large: LargeInvalid): Buffer[] {
  const out: Buffer[] = [];
  let part: Buffer[] = [];
  let size = 0;
  const flush = () => {
    // a buffer of its own (not a slice of Node's shared pool), so that it can be transferred
    const b = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const p of part) at += p.copy(b, at);
    out.push(b);
    part = [];
    size = 0;
  };
  for (const p of pieces(status, large)) {
    if (p === TURN) continue;
    const b = Buffer.from(p);
    part.push(b);
    size += b.length;
    if (size >= RENDERED_BYTES) flush();
  }
  if (size) flush();
  return out;
}

const RENDERED = Symbol('rendered Status');

/** Marks a (stand-in) Status as answered with these bytes: its JSON, rendered by a worker. */
export function setRendered(status: Status, buffers: Buffer[]): void {
  (status as { [RENDERED]?: Buffer[] })[RENDERED] = buffers;
}

/** The JSON a worker rendered for a Status (sendError writes it instead of the Status). */
export function renderedStatusOf(status: Status): Readable | undefined {
  const buffers = (status as { [RENDERED]?: Buffer[] })[RENDERED];
  return buffers ? Readable.from(buffers, { objectMode: false }) : undefined;
}
