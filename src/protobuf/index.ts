// Kubernetes protobuf (`application/vnd.kubernetes.protobuf`) for the kinds kplane serves.
//
// Wire format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf):
//   object:  the magic `k8s\0`, then a runtime.Unknown message
//              {1: TypeMeta {1: apiVersion, 2: kind}, 2: raw (the object's own message),
//               3: contentEncoding (""), 4: contentType ("")}
//   watch (`;stream=watch`): frames of a 4-byte big-endian length + a metav1.WatchEvent message
//              {1: type, 2: RawExtension {1: raw}} *without* magic or Unknown envelope (kube's raw
//              serializer), whose raw is the event's object encoded as above (magic + Unknown).
//
// Use from the HTTP layer:
//   request bodies   `decodeObject(body, expectedGVK)` -> the JSON a JSON client would have sent
//                    (throws a 400 StatusError worded as kube-apiserver words it);
//   responses        `encodeObject(obj)` / `encodeList(list)` / `encodeStatus(status)` when
//                    `supportsKind(apiVersion, kind)`; otherwise kube answers 406 for protobuf
//                    (encodeObject throws that 406), or the handler falls back to JSON when the
//                    client's Accept allows it;
//   watch            `encodeWatchEvent(type, obj)` per event (already framed) under
//                    Content-Type `PROTOBUF_WATCH_MEDIA_TYPE`.

import { badRequest, internalError, StatusError, type Status } from '../apimachinery/errors.js';
import { decodeMessage, EncodeError, encodeMessage } from './codec.js';
import { messageForKind, servedKinds } from './messages.js';
import { frame, Reader, splitFrames, WIRE_BYTES, WireError, Writer } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** Content-Type of a protobuf watch response. */
export const PROTOBUF_WATCH_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf;stream=watch';
/** `k8s` + encoding style 0 (a runtime.Unknown follows). */
export const PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

export { servedKinds } from './messages.js';
export { splitFrames } from './wire.js';

export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** kube's JSON form of the object, `kind` and `apiVersion` first. */
  object: Record<string, unknown>;
}

export interface WatchEventJson {
  type: string;
  object: Record<string, unknown> | null;
}

/** True for a media type (Content-Type or one Accept entry) naming Kubernetes protobuf. */
export function isProtobufMediaType(mediaType: string): boolean {
  return mediaType.split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Whether objects of this kind have a protobuf form here: the served built-in kinds and their
 * lists, meta.k8s.io's Status/DeleteOptions/CreateOptions/UpdateOptions/PatchOptions/GetOptions/
 * WatchEvent in any of those group versions, and PartialObjectMetadata(List) in meta.k8s.io/v1.
 * Not: Table (kube has no protobuf for it either), custom resources, kplane's own kinds.
 */
export function supportsKind(apiVersion: string, kind: string): boolean {
  return messageForKind(apiVersion, kind) !== undefined;
}

// ------------------------------------------------------------- decode --

function hasMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00;
}

/** kube's summarizeData: the start of a body in an error message. */
/** How kube's protobuf errors quote a body: its first 30 bytes, as text when it looks like JSON, else hex. */
export function summarize(body: Uint8Array): string {
  if (body.length === 0) return '<empty>';
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (b[0] === 0x7b /* { */) return b.length > 30 ? `${b.subarray(0, 30).toString('latin1')} ...` : b.toString('latin1');
  return b.length > 30 ? `${b.subarray(0, 30).toString('hex')} ...` : b.toString('hex');
}

/** Go's %#v of a runtime.TypeMeta. */
function goTypeMeta(apiVersion: string, kind: string): string {
  return `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;
}

function versionOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array | undefined;
  contentEncoding: string;
  contentType: string;
}

function readUnknown(data: Uint8Array): Unknown {
  const r = new Reader(data, 'Unknown');
  const u: Unknown = { apiVersion: '', kind: '', raw: undefined, contentEncoding: '', contentType: '' };
  const names = ['', 'TypeMeta', 'Raw', 'ContentEncoding', 'ContentType'];
  const typeMetaParts: Uint8Array[] = [];
  while (!r.done) {
    const f = r.field();
    if (f.no < 1 || f.no > 4) continue;
    if (f.wireType !== WIRE_BYTES) throw new WireError(`proto: wrong wireType = ${f.wireType} for field ${names[f.no]}`);
    const v = f.value;
    if (f.no === 1) typeMetaParts.push(v);
    else if (f.no === 2) u.raw = v;
    else if (f.no === 3) u.contentEncoding = Buffer.from(v).toString('utf8');
    else u.contentType = Buffer.from(v).toString('utf8');
  }
  for (const part of typeMetaParts) {
    const t = new Reader(part, 'TypeMeta');
    while (!t.done) {
      const f = t.field();
      if (f.no !== 1 && f.no !== 2) continue;
      if (f.wireType !== WIRE_BYTES) throw new WireError(`proto: wrong wireType = ${f.wireType} for field ${f.no === 1 ? 'APIVersion' : 'Kind'}`);
      if (f.no === 1) u.apiVersion = Buffer.from(f.value).toString('utf8');
      else u.kind = Buffer.from(f.value).toString('utf8');
    }
  }
  return u;
}

const decodeCtx = { decodeEmbedded: (raw: Uint8Array): unknown => decodeObject(raw).object };

/**
 * Decodes a protobuf request body (magic + runtime.Unknown + the object's message) into the JSON
 * object a JSON client would have sent for it, as kube-apiserver's decoder sees it.
 *
 * `expected` is the kind the endpoint decodes into (e.g. `{apiVersion: 'v1', kind: 'ConfigMap'}`
 * for POST .../configmaps): an envelope without kind or apiVersion is defaulted from it, as kube
 * does, and errors name it ("cannot be handled as a ConfigMap"). The caller still compares the
 * decoded kind/apiVersion with the endpoint's, exactly as for a JSON body.
 *
 * Throws a 400 StatusError for anything kube would refuse to decode: not protobuf, truncated or
 * malformed messages, wrong wire types, a kind without a protobuf form here.
 */
export function decodeObject(body: Uint8Array, expected?: GroupVersionKind): DecodedObject {
  const into = expected?.kind ?? '';
  const unrecognized = (msg: string): StatusError =>
    badRequest(`the object provided is unrecognized (must be of type ${into}): ${msg} (${summarize(body)})`);
  if (body.length === 0) throw unrecognized('empty data');
  if (!hasMagic(body)) throw unrecognized('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  if (body.length === 4) throw unrecognized('empty body');

  let unk: Unknown;
  try {
    unk = readUnknown(body.subarray(4));
  } catch (e) {
    if (e instanceof WireError) throw unrecognized(e.message);
    throw e;
  }
  let { apiVersion, kind } = unk;
  // copyKindDefaults: an envelope without kind or version takes the endpoint's.
  if (!kind && expected) kind = expected.kind;
  if (!versionOf(apiVersion) && expected) apiVersion = expected.apiVersion;
  if (!kind) throw unrecognized(`Object 'Kind' is missing in '${goTypeMeta(unk.apiVersion, unk.kind)}'`);
  const handled = (msg: string): StatusError =>
    badRequest(`${kind} in version ${JSON.stringify(versionOf(apiVersion))} cannot be handled as a ${into || kind}: ${msg}`);
  if (!versionOf(apiVersion)) throw handled(`Object 'apiVersion' is missing in '${goTypeMeta(unk.apiVersion, unk.kind)}'`);

  const message = messageForKind(apiVersion, kind);
  if (!message) {
    throw handled(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/runtime/scheme.go:110"`);
  }
  let fields: Record<string, unknown>;
  try {
    fields = decodeMessage(message, unk.raw ?? new Uint8Array(0), decodeCtx);
  } catch (e) {
    if (e instanceof WireError) throw handled(e.message);
    if (e instanceof StatusError) throw handled(e.message);
    throw e;
  }
  if (kind === 'PartialObjectMetadataList' && Array.isArray(fields.items)) {
    // kube sets each item's TypeMeta in this list (it prints them in JSON); protobuf has no room for it.
    fields.items = (fields.items as Record<string, unknown>[]).map((it) => ({ kind: 'PartialObjectMetadata', apiVersion, ...it }));
  }
  return { apiVersion, kind, object: { kind, apiVersion, ...fields } };
}

/**
 * Decodes one stream=watch frame (without its 4-byte length) into kube's JSON watch event,
 * `{type, object}` with the object decoded from its embedded protobuf.
 */
export function decodeWatchEvent(frameBytes: Uint8Array): WatchEventJson {
  let e: Record<string, unknown>;
  try {
    e = decodeMessage('meta.WatchEvent', frameBytes, decodeCtx);
  } catch (err) {
    if (err instanceof WireError) throw badRequest(`unable to decode watch event: ${err.message}`);
    throw err;
  }
  return { type: e.type as string, object: e.object as Record<string, unknown> | null };
}

/** Incremental reader of a stream=watch response body. */
export class WatchStreamDecoder {
  private rest: Buffer = Buffer.alloc(0);

  /** Feeds a chunk of the body; returns the events completed by it. */
  push(chunk: Uint8Array): WatchEventJson[] {
    const { frames, rest } = splitFrames(this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk);
    this.rest = Buffer.from(rest);
    return frames.map(decodeWatchEvent);
  }

  /** Bytes of an incomplete frame still waiting for the rest of it. */
  get pending(): number {
    return this.rest.length;
  }
}

// ------------------------------------------------------------- encode --

function notMarshalable(kind: string): StatusError {
  const goType = kind === 'Table' ? '*v1.Table' : '*unstructured.Unstructured';
  return new StatusError(406, 'NotAcceptable',
    `object ${goType} does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message`);
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const tm = new Writer();
  tm.string(1, apiVersion);
  tm.string(2, kind);
  const u = new Writer();
  u.bytes(1, tm.finish());
  u.bytes(2, raw);
  u.string(3, '');
  u.string(4, '');
  return Buffer.concat([PROTOBUF_MAGIC, u.finish()]);
}

/**
 * Encodes an object (kplane's JSON form; its apiVersion and kind select the message, or `gvk`
 * when given) as kube-apiserver would send it: magic + Unknown envelope + the object's message,
 * byte for byte what kube writes for the same object.
 *
 * Throws a 406 StatusError (kube's wording) for a kind without a protobuf form, and a 500 when
 * the object does not fit its message (a bug upstream).
 */
export function encodeObject(obj: Record<string, unknown>, gvk?: GroupVersionKind): Buffer {
  const apiVersion = gvk?.apiVersion ?? (typeof obj.apiVersion === 'string' ? obj.apiVersion : '');
  const kind = gvk?.kind ?? (typeof obj.kind === 'string' ? obj.kind : '');
  const message = messageForKind(apiVersion, kind);
  if (!message) throw notMarshalable(kind);
  try {
    return envelope(apiVersion, kind, encodeMessage(message, obj));
  } catch (e) {
    if (e instanceof EncodeError) throw internalError(new Error(`protobuf encoding of ${kind}: ${e.message}`));
    throw e;
  }
}

/** Encodes a list (e.g. `{apiVersion: 'v1', kind: 'ConfigMapList', metadata, items}`). */
export function encodeList(list: Record<string, unknown>, gvk?: GroupVersionKind): Buffer {
  return encodeObject(list, gvk);
}

/** Encodes a metav1.Status (always as `v1`, `Status`, as kube sends it). */
export function encodeStatus(status: Status | Record<string, unknown>): Buffer {
  return encodeObject(status as Record<string, unknown>, { apiVersion: 'v1', kind: 'Status' });
}

/**
 * One framed event of a `;stream=watch` response: 4-byte big-endian length, then a raw WatchEvent
 * {type, object: {raw: encodeObject(obj)}}. `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR
 * (for ERROR, obj is a Status).
 */
export function encodeWatchEvent(type: string, obj: Record<string, unknown>): Buffer {
  const embedded = obj.kind === 'Status' ? encodeStatus(obj) : encodeObject(obj);
  const raw = new Writer();
  raw.bytes(1, embedded);
  const w = new Writer();
  w.string(1, type);
  w.bytes(2, raw.finish());
  return frame(w.finish());
}

/** The (apiVersion, kind) pairs of every served kind and list (for tests and diagnostics). */
export function protobufKinds(): GroupVersionKind[] {
  return servedKinds();
}
