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

async function* chunks(status: Status, large: LargeInvalid): AsyncGenerator<Buffer> {
  const text = shell(status);
  const [head, rest] = text.split(JSON.stringify(MESSAGE)) as [string, string];
  const [middle, tail] = rest.split(JSON.stringify(CAUSES)) as [string, string];
  const { errs } = large;
  // the message: utilerrors.Aggregate of the distinct field errors, in order (a Set keeps it)
  const distinct = new Set<string>();
  for (let i = 0; i < errs.length; i++) {
    distinct.add(fieldErrorString(errs[i]!));
    if (i % SLICE === SLICE - 1) await turn();
  }
  const one = distinct.size === 1;
  yield Buffer.from(`${head}"${jsonChars(large.prefix)}${one ? '' : '['}`);
  let part: string[] = [];
  let first = true;
  for (const m of distinct) {
    part.push(m);
    if (part.length === SLICE) {
      yield Buffer.from(jsonChars((first ? '' : ', ') + part.join(', ')));
      first = false;
      part = [];
      await turn();
    }
  }
  if (part.length) yield Buffer.from(jsonChars((first ? '' : ', ') + part.join(', ')));
  distinct.clear();
  yield Buffer.from(`${one ? '' : ']'}"${middle}[`);
  for (let i = 0; i < errs.length; i += SLICE) {
    const part: string[] = [];
    for (const e of errs.slice(i, i + SLICE)) part.push(JSON.stringify({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    yield Buffer.from((i === 0 ? '' : ',') + part.join(','));
    await turn();
  }
  yield Buffer.from(`]${tail}`);
}

/** The JSON of a large Invalid Status as a stream. */
export function largeStatusStream(status: Status, large: LargeInvalid): Readable {
  return Readable.from(chunks(status, large), { objectMode: false });
}
