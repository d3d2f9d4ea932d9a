// core/v1 Secret (pkg/registry/core/secret, ValidateSecret / ValidateSecretUpdate).

import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isConfigMapKey, nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { MAX_DATA_SIZE } from './configmaps.js';
import {
  base64ByteLength, checkBase64Map, child, goJSONUnmarshalMapError, isObj, key, lenOf, mapFieldEqual, omitEmpty,
  orderKeys, sortMapKeys, strAt,
} from './_util.js';

export const SECRET_TYPE_OPAQUE = 'Opaque';
export const SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SECRET_TYPE_SSH_AUTH = 'kubernetes.io/ssh-auth';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
export const SECRET_TYPE_BOOTSTRAP_TOKEN = 'bootstrap.kubernetes.io/token';
export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';

const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';
const REDACTED = '<secret contents redacted>';

function dataBytes(secret: KubeObject, k: string): Buffer | undefined {
  const d = secret.data;
  if (!isObj(d) || !Object.prototype.hasOwnProperty.call(d, k)) return undefined;
  const v = d[k];
  return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
}

function validateSecret(secret: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(secret);
  const data = isObj(secret.data) ? secret.data : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(field.invalid(key('data', k), k, msg));
    if (typeof v === 'string') total += base64ByteLength(v);
  }
  if (total > MAX_DATA_SIZE) errs.push(field.tooLong('data', '', MAX_DATA_SIZE));

  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  switch (strAt(secret, 'type')) {
    case SECRET_TYPE_SERVICE_ACCOUNT_TOKEN:
      if (!secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_KEY]) {
        errs.push(field.required(key(child('metadata', 'annotations'), SERVICE_ACCOUNT_NAME_KEY)));
      }
      break;
    case SECRET_TYPE_DOCKERCFG:
    case SECRET_TYPE_DOCKER_CONFIG_JSON: {
      const k = strAt(secret, 'type') === SECRET_TYPE_DOCKERCFG ? '.dockercfg' : '.dockerconfigjson';
      if (!has(k)) {
        errs.push(field.required(key('data', k)));
        break;
      }
      const err = goJSONUnmarshalMapError(dataBytes(secret, k) ?? Buffer.alloc(0));
      if (err) errs.push(field.invalid(key('data', k), REDACTED, err));
      break;
    }
    case SECRET_TYPE_BASIC_AUTH:
      if (!has('username') && !has('password')) {
        errs.push(field.required(key('data', 'username')));
        errs.push(field.required(key('data', 'password')));
      }
      break;
    case SECRET_TYPE_SSH_AUTH:
      if ((dataBytes(secret, 'ssh-privatekey')?.length ?? 0) === 0) errs.push(field.required(key('data', 'ssh-privatekey')));
      break;
    case SECRET_TYPE_TLS:
      if (!has('tls.crt')) errs.push(field.required(key('data', 'tls.crt')));
      if (!has('tls.key')) errs.push(field.required(key('data', 'tls.key')));
      break;
    default:
  }
  return errs;
}

// ---- tls.X509KeyPair, for the warning kube returns on kubernetes.io/tls secrets ----

interface PemBlock { type: string; bytes: Buffer }

/** Decodes the PEM blocks of `data` in order (like repeated pem.Decode calls); skips malformed ones. */
function pemBlocks(data: Buffer): PemBlock[] {
  const text = data.toString('latin1');
  const re = /-----BEGIN ([^\r\n]*?)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/g;
  const out: PemBlock[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let body = m[2]!;
    // Optional RFC 1421 headers end at the first empty line.
    if (/^[A-Za-z-]+:/.test(body)) {
      const blank = body.search(/\r?\n\r?\n/);
      if (blank >= 0) body = body.slice(blank).trim();
    }
    const b64 = body.replace(/[\s]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) continue;
    out.push({ type: m[1]!, bytes: Buffer.from(b64, 'base64') });
  }
  return out;
}

function parsePrivateKeyDer(der: Buffer): KeyObject | string {
  for (const type of ['pkcs1', 'pkcs8', 'sec1'] as const) {
    try {
      const k = createPrivateKey({ key: der, format: 'der', type });
      const t = k.asymmetricKeyType;
      if (type === 'pkcs8' && t !== 'rsa' && t !== 'ec' && t !== 'ed25519') {
        return 'tls: found unknown private key type in PKCS#8 wrapping';
      }
      return k;
    } catch {
      // try the next encoding
    }
  }
  return 'tls: failed to parse private key';
}

/** The error tls.X509KeyPair(cert, key) returns, or undefined when the pair is usable. */
export function x509KeyPairError(certPEM: Buffer, keyPEM: Buffer): string | undefined {
  const certBlocks = pemBlocks(certPEM);
  const certs = certBlocks.filter((b) => b.type === 'CERTIFICATE');
  if (certs.length === 0) {
    const skipped = certBlocks.map((b) => b.type);
    if (skipped.length === 0) return 'tls: failed to find any PEM data in certificate input';
    if (skipped.length === 1 && skipped[0]!.endsWith('PRIVATE KEY')) {
      return 'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched';
    }
    return `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`;
  }
  const skipped: string[] = [];
  let keyBlock: PemBlock | undefined;
  for (const b of pemBlocks(keyPEM)) {
    if (b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY')) {
      keyBlock = b;
      break;
    }
    skipped.push(b.type);
  }
  if (!keyBlock) {
    if (skipped.length === 0) return 'tls: failed to find any PEM data in key input';
    if (skipped.length === 1 && skipped[0] === 'CERTIFICATE') return 'tls: found a certificate rather than a key in the PEM for the private key';
    return `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped.join(' ')}]`;
  }
  let pub: KeyObject;
  try {
    pub = new X509Certificate(certs[0]!.bytes).publicKey;
  } catch {
    return 'x509: malformed certificate';
  }
  const priv = parsePrivateKeyDer(keyBlock.bytes);
  if (typeof priv === 'string') return priv;
  const pubType = pub.asymmetricKeyType;
  if (pubType !== 'rsa' && pubType !== 'ec' && pubType !== 'ed25519') return 'tls: unknown public key algorithm';
  if (priv.asymmetricKeyType !== pubType) return 'tls: private key type does not match public key type';
  const a = pub.export({ type: 'spki', format: 'der' });
  const b = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  if (!a.equals(b)) return 'tls: private key does not match public key';
  return undefined;
}

function warningsForSecret(secret: KubeObject): string[] {
  if (strAt(secret, 'type') !== SECRET_TYPE_TLS) return [];
  const err = x509KeyPairError(dataBytes(secret, 'tls.crt') ?? Buffer.alloc(0), dataBytes(secret, 'tls.key') ?? Buffer.alloc(0));
  return err ? [err] : [];
}

/**
 * Folds stringData into data (stringData wins) and drops it, as kube's v1 -> internal conversion
 * does when decoding a request.
 */
export function foldStringData(secret: KubeObject): void {
  const sd = secret.stringData;
  if (isObj(sd)) {
    const data: Record<string, unknown> = isObj(secret.data) ? secret.data : {};
    for (const [k, v] of Object.entries(sd)) {
      data[k] = Buffer.from(typeof v === 'string' ? v : '', 'utf8').toString('base64');
    }
    secret.data = data;
  }
  delete secret.stringData;
}

export const secrets: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  listKind: 'SecretList',
  singularName: 'secret',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: '', resource: 'secrets', apiVersion: 'v1', kind: 'Secret' },
  schemaName: 'io.k8s.api.core.v1.Secret',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(secret) {
      checkBase64Map(secret, 'data', 'Secret');
      if (isObj(secret.data)) for (const [k, v] of Object.entries(secret.data)) if (v === null) secret.data[k] = '';
      // SetDefaults_Secret
      if (!strAt(secret, 'type')) secret.type = SECRET_TYPE_OPAQUE;
      // Convert_v1_Secret_To_core_Secret: validation sees stringData merged into data.
      foldStringData(secret);
    },
    validate: validateSecret,
    warningsOnCreate: warningsForSecret,
    canonicalize(secret) {
      foldStringData(secret);
      omitEmpty(secret, 'data');
      sortMapKeys(secret, 'data');
      if (secret.immutable === null) delete secret.immutable;
      orderKeys(secret, ['kind', 'apiVersion', 'metadata', 'immutable', 'data', 'type']);
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    prepareForUpdate(secret, old) {
      if (!strAt(secret, 'type')) secret.type = old.type;
    },
    validateUpdate(secret, old) {
      const errs: FieldError[] = [];
      if (strAt(secret, 'type') !== strAt(old, 'type')) errs.push(field.invalid('type', strAt(secret, 'type'), 'field is immutable'));
      if (old.immutable === true) {
        if (secret.immutable !== true) errs.push(field.forbidden('immutable', IMMUTABLE_MSG));
        if (!mapFieldEqual(secret.data, old.data)) errs.push(field.forbidden('data', IMMUTABLE_MSG));
      }
      return errs.concat(validateSecret(secret));
    },
    warningsOnUpdate: warningsForSecret,
    selectableFields(secret) {
      return { type: strAt(secret, 'type') };
    },
    table: {
      columns: [
        nameColumn(),
        column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
        column('Data', 'string', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
        ageColumn(),
      ],
      cells(secret, now) {
        return [secret.metadata.name ?? '', strAt(secret, 'type'), lenOf(secret.data), translateTimestampSince(secret.metadata.creationTimestamp, now)];
      },
    },
  },
};
