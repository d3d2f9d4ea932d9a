// A DELETE body: optional DeleteOptions (JSON, YAML or protobuf), decoded as kube's delete handler
// decodes it, with the meta internal-version codecs. Whatever those refuse is an untyped error:
// kube answers a 500 carrying the decoder's own text (checked against kube-apiserver v1.34 in
// test/compat/scenarios/edge.yaml); kplane sends the same text as a 400 (clientInputError). What
// decodes but is invalid is a 422 later.

import { clientInputError, StatusError, unsupportedMediaType, isStatusError } from '../apimachinery/errors.js';
import { resolveSchema } from '../openapi/definitions.js';
import { decodeObject as decodeProtobuf, summarize } from '../protobuf/index.js';
import { decodeOptionsBody, DecodeFailure } from './decode.js';
import { bodyFormat, PROTOBUF } from './negotiate.js';

const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';

/**
 * Kinds the meta scheme registers without a version (AddUnversionedTypes): any apiVersion names
 * them. DeleteOptions itself decodes; the others are found but do not convert.
 */
const UNVERSIONED = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'Status', 'APIVersions', 'APIGroupList', 'APIGroup', 'APIResourceList']);

/** Kinds registered in meta.k8s.io/v1 (and, the Table family, v1beta1) only. */
const META_V1 = new Set(['WatchEvent', 'ListOptions', 'GetOptions', 'PatchOptions', 'Table', 'TableOptions', 'PartialObjectMetadata', 'PartialObjectMetadataList']);
const META_V1BETA1 = new Set(['Table', 'TableOptions', 'PartialObjectMetadata', 'PartialObjectMetadataList']);

function untyped(message: string): StatusError {
  return clientInputError(message);
}

/** The decoder's verdict on a body's apiVersion and kind (gvkWithDefaults, then scheme.New and conversion). */
export function checkDeleteOptionsTypeMeta({ apiVersion, kind }: { apiVersion: string; kind: string }): void {
  if (apiVersion.split('/').length > 2) throw untyped(`unexpected GroupVersion string: ${apiVersion}`);
  const k = kind || 'DeleteOptions';
  if (k === 'DeleteOptions') return;
  const found = UNVERSIONED.has(k) || (apiVersion === 'meta.k8s.io/v1' && META_V1.has(k))
    || (apiVersion === 'meta.k8s.io/v1beta1' && META_V1BETA1.has(k));
  // the Go type is printed with its package name: metav1 for all of them
  if (found) throw untyped(`converting (v1.${k}) to (v1.DeleteOptions): unknown conversion`);
  throw untyped(`no kind "${k}" is registered for version "${apiVersion}" in scheme "pkg/runtime/scheme.go:110"`);
}

/** kplane's protobuf decoder wraps its text for object bodies; the delete handler shows it bare. */
function bareProtobufError(e: StatusError, body: Buffer): string {
  const unrecognized = 'the object provided is unrecognized (must be of type DeleteOptions): ';
  const quoted = ` (${summarize(body)})`;
  if (e.message.startsWith(unrecognized) && e.message.endsWith(quoted)) return e.message.slice(unrecognized.length, -quoted.length);
  const handled = /^.* cannot be handled as a DeleteOptions: (.*)$/s.exec(e.message);
  return handled ? handled[1]! : e.message;
}

/** The options a DELETE body carries, or {} without a body (the query then says them). */
export function decodeDeleteOptionsBody(bytes: Buffer, contentType: string | undefined): { body?: unknown } {
  if (bytes.length === 0) return {};
  const fmt = contentType === undefined || contentType.trim() === '' ? 'json' : bodyFormat(contentType);
  if (fmt === 'protobuf') {
    try {
      const decoded = decodeProtobuf(bytes, { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' });
      checkDeleteOptionsTypeMeta({ apiVersion: decoded.apiVersion, kind: decoded.kind });
      return { body: decoded.object };
    } catch (e) {
      if (isStatusError(e) && e.status.code === 400) throw untyped(bareProtobufError(e, bytes));
      throw e;
    }
  }
  if (fmt !== 'json' && fmt !== 'yaml') throw unsupportedMediaType(['application/json', 'application/yaml', PROTOBUF]);
  try {
    return { body: decodeOptionsBody(bytes.toString('utf8'), fmt, resolveSchema(DELETE_OPTIONS), 'DeleteOptions', checkDeleteOptionsTypeMeta) };
  } catch (e) {
    if (e instanceof DecodeFailure) throw untyped(e.message);
    throw e;
  }
}
