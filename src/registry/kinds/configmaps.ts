// core/v1 ConfigMap (pkg/registry/core/configmap, ValidateConfigMap / ValidateConfigMapUpdate).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isConfigMapKey, nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { base64ByteLength, checkBase64Map, isObj, jsonEqual, key, lenOf, mapFieldEqual, omitEmpty, orderKeys, sortMapKeys } from './_util.js';

/** core.MaxSecretSize: the limit on the total size of a ConfigMap's or Secret's data. */
export const MAX_DATA_SIZE = 1024 * 1024;

const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(cm);
  const data = isObj(cm.data) ? cm.data : {};
  const binaryData = isObj(cm.binaryData) ? cm.binaryData : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(field.invalid(key('data', k), k, msg));
    if (Object.prototype.hasOwnProperty.call(binaryData, k)) {
      errs.push(field.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    }
    if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
  }
  for (const [k, v] of Object.entries(binaryData)) {
    for (const msg of isConfigMapKey(k)) errs.push(field.invalid(key('binaryData', k), k, msg));
    if (typeof v === 'string') total += base64ByteLength(v);
  }
  if (total > MAX_DATA_SIZE) {
    // kube passes an empty path, which Go prints as "[]": the error refers to the whole object.
    errs.push(field.tooLong('[]', '', MAX_DATA_SIZE));
  }
  return errs;
}

function immutable(o: KubeObject): boolean {
  return o.immutable === true;
}

export const configmaps: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  singularName: 'configmap',
  shortNames: ['cm'],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: '', resource: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap' },
  schemaName: 'io.k8s.api.core.v1.ConfigMap',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(cm) {
      // a JSON null decodes to the string's zero value
      if (isObj(cm.data)) for (const [k, v] of Object.entries(cm.data)) if (v === null) cm.data[k] = '';
      // binaryData is map[string][]byte: base64 is checked (and normalised) when decoding.
      checkBase64Map(cm, 'binaryData', 'ConfigMap');
    },
    validate: validateConfigMap,
    canonicalize(cm) {
      omitEmpty(cm, 'data', 'binaryData');
      sortMapKeys(cm, 'data', 'binaryData');
      if (cm.immutable === null) delete cm.immutable;
      orderKeys(cm, ['kind', 'apiVersion', 'metadata', 'immutable', 'data', 'binaryData']);
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    validateUpdate(cm, old) {
      const errs: FieldError[] = [];
      if (immutable(old)) {
        if (!immutable(cm)) errs.push(field.forbidden('immutable', IMMUTABLE_MSG));
        // data is defaulted to an empty map on both sides (SetDefaults_ConfigMap): nil == {}.
        if (!jsonEqual(cm.data ?? {}, old.data ?? {})) errs.push(field.forbidden('data', IMMUTABLE_MSG));
        if (!mapFieldEqual(cm.binaryData, old.binaryData)) errs.push(field.forbidden('binaryData', IMMUTABLE_MSG));
      }
      return errs.concat(validateConfigMap(cm));
    },
    table: {
      columns: [
        nameColumn(),
        column('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
        ageColumn(),
      ],
      cells(cm, now) {
        return [cm.metadata.name ?? '', lenOf(cm.data) + lenOf(cm.binaryData), translateTimestampSince(cm.metadata.creationTimestamp, now)];
      },
    },
  },
};
