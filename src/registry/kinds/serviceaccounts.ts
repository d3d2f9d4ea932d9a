// core/v1 ServiceAccount (pkg/registry/core/serviceaccount, ValidateServiceAccount), with the
// serviceaccounts/token subresource: POST a TokenRequest (authentication.k8s.io/v1), get a signed
// token back (pkg/registry/core/serviceaccount/storage/token.go).

import {
  badRequest, conflict, field, invalid, notFound, StatusError, type FieldError,
} from '../../apimachinery/errors.js';
import { formatTime, type KubeObject } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { canonicalOrder } from '../conversion.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType, SubresourceCreateRequest, SubresourceHandler } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { isObj, lenOf, omitEmpty, orderKeys } from './_util.js';

export const ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = 'kubernetes.io/enforce-mountable-secrets';

/** cleanSecretReferences: secrets entries keep only their name. */
function cleanSecretReferences(sa: KubeObject): void {
  if (!Array.isArray(sa.secrets)) return;
  sa.secrets = sa.secrets.map((s) => (isObj(s) && typeof s.name === 'string' && s.name !== '' ? { name: s.name } : {}));
}

function hasEnforceAnnotation(sa: KubeObject | undefined): boolean {
  return !!sa && Object.prototype.hasOwnProperty.call(sa.metadata?.annotations ?? {}, ENFORCE_MOUNTABLE_SECRETS_ANNOTATION);
}

function warnIfHasEnforceMountableSecretsAnnotation(sa: KubeObject, old?: KubeObject): string[] {
  if (old && hasEnforceAnnotation(old)) return [];
  if (hasEnforceAnnotation(sa)) {
    return [`metadata.annotations[${ENFORCE_MOUNTABLE_SECRETS_ANNOTATION}]: deprecated in v1.32+; prefer separate namespaces to isolate access to mounted secrets`];
  }
  return [];
}

/** validation.MinTokenAgeSec and the largest expiration kube accepts. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
export const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;
/** SetDefaults_TokenRequestSpec */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' };

/** ValidateTokenRequest */
export function validateTokenRequest(expirationSeconds: number): FieldError[] {
  const errs: FieldError[] = [];
  if (expirationSeconds < MIN_TOKEN_EXPIRATION_SECONDS) {
    errs.push(field.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  }
  if (expirationSeconds > MAX_TOKEN_EXPIRATION_SECONDS) {
    errs.push(field.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  return errs;
}

/** schema.FromAPIVersionAndKind, printed as GroupVersionKind.String(). */
function boundGvk(apiVersion: string, kind: string): { group: string; version: string; kind: string; text: string } {
  const parts = apiVersion === '' ? ['', ''] : apiVersion.split('/');
  let group = '';
  let version = '';
  if (parts.length === 1) version = parts[0]!;
  else if (parts.length === 2) [group, version] = parts as [string, string];
  return { group, version, kind, text: `${group}/${version}, Kind=${kind}` };
}

function stringField(o: Record<string, unknown>, k: string): string {
  return typeof o[k] === 'string' ? (o[k] as string) : '';
}

/** POST .../serviceaccounts/<name>/token (TokenREST.Create). dryRun is ignored, as in kube: the token is issued. */
async function createToken(r: SubresourceCreateRequest): Promise<KubeObject> {
  const { ctx, name, services } = r;
  const req = r.object;
  const meta = req.metadata;
  if (meta.name && meta.name !== name) {
    throw invalid(TOKEN_REQUEST, name, [field.invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
  }
  if (meta.namespace && meta.namespace !== ctx.namespace) {
    throw invalid(TOKEN_REQUEST, name, [field.invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);
  }
  const sa = await services.registry.get(ctx, r.parent, name);
  const saUid = sa.metadata.uid ?? '';
  if (meta.uid && meta.uid !== saUid) {
    throw conflict({ group: TOKEN_REQUEST.group, resource: TOKEN_REQUEST.kind }, name,
      `the UID in the token request (${meta.uid}) does not match the UID of the service account (${saUid})`);
  }
  const tokens = services.tokens;
  if (!tokens) throw new StatusError(500, 'InternalError', 'Internal error occurred: no service account token issuer is configured');

  const spec = (req.spec && typeof req.spec === 'object' ? req.spec : {}) as Record<string, unknown>;
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.map(String) : [];
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const now = tokens.clock();
  meta.name ||= name;
  meta.namespace ||= sa.metadata.namespace ?? ctx.namespace;
  meta.uid ||= saUid;
  meta.creationTimestamp = formatTime(now);
  const errs = validateTokenRequest(expirationSeconds);
  if (errs.length) throw invalid(TOKEN_REQUEST, '', errs);

  let boundSecret: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef && typeof spec.boundObjectRef === 'object' ? spec.boundObjectRef as Record<string, unknown> : undefined;
  if (ref) {
    const refName = stringField(ref, 'name');
    const gvk = boundGvk(stringField(ref, 'apiVersion'), stringField(ref, 'kind'));
    let uid: string;
    if (gvk.group === '' && gvk.kind === 'Secret') {
      const secrets = services.types.find('', 'v1', 'secrets');
      if (!secrets) throw notFound({ group: '', resource: 'secrets' }, refName);
      const secret = await services.registry.get(ctx, secrets, refName);
      uid = secret.metadata.uid ?? '';
      boundSecret = { name: secret.metadata.name ?? refName, uid };
    } else if (gvk.group === '' && (gvk.kind === 'Pod' || gvk.kind === 'Node')) {
      // kplane serves no pods or nodes: kube's answer for one that does not exist
      throw notFound({ group: '', resource: gvk.kind === 'Pod' ? 'pods' : 'nodes' }, refName);
    } else {
      throw badRequest(`cannot bind token to object of type ${gvk.text}`);
    }
    const refUid = stringField(ref, 'uid');
    if (refUid && refUid !== uid) {
      throw conflict({ group: gvk.group, resource: gvk.kind }, refName,
        `the UID in the bound object reference (${refUid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }

  const issued = await tokens.issueBound({
    cluster: ctx.cluster,
    serviceAccount: { namespace: meta.namespace, name: sa.metadata.name ?? name, uid: saUid },
    secret: boundSecret,
    audiences,
    expirationSeconds,
  }, now);
  let boundObjectRef: Record<string, string> | null = null;
  if (ref) {
    boundObjectRef = {};
    for (const k of ['kind', 'apiVersion', 'name', 'uid']) if (stringField(ref, k)) boundObjectRef[k] = stringField(ref, k);
  }
  const out: KubeObject = {
    kind: TOKEN_REQUEST.kind,
    apiVersion: 'authentication.k8s.io/v1',
    metadata: meta,
    spec: { audiences: issued.claims.aud, expirationSeconds, boundObjectRef },
    status: { token: issued.token, expirationTimestamp: formatTime(new Date(now.getTime() + expirationSeconds * 1000)) },
  };
  canonicalOrder(out);
  // a TokenRequest is never stored: no resourceVersion
  if (!out.metadata.resourceVersion) delete out.metadata.resourceVersion;
  return out;
}

const tokenSubresource: SubresourceHandler = {
  methods: ['POST'],
  kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', schemaName: 'io.k8s.api.authentication.v1.TokenRequest' },
  // SetDefaults_TokenRequestSpec: an hour
  applyDefaults(obj) {
    const o = obj as KubeObject & { spec?: unknown };
    if (!o.spec || typeof o.spec !== 'object' || Array.isArray(o.spec)) o.spec = {};
    const spec = o.spec as Record<string, unknown>;
    if (spec.expirationSeconds === undefined || spec.expirationSeconds === null) spec.expirationSeconds = DEFAULT_TOKEN_EXPIRATION_SECONDS;
  },
  create: createToken,
};

export const serviceaccounts: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  singularName: 'serviceaccount',
  shortNames: ['sa'],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['token'],
  subresourceHandlers: { token: tokenSubresource },
  storage: { group: '', resource: 'serviceaccounts', apiVersion: 'v1', kind: 'ServiceAccount' },
  schemaName: 'io.k8s.api.core.v1.ServiceAccount',
  strategy: {
    validateName: nameIsDNSSubdomain,
    prepareForCreate: cleanSecretReferences,
    validate: coreObjectMetaErrors,
    warningsOnCreate: (sa) => warnIfHasEnforceMountableSecretsAnnotation(sa),
    canonicalize(sa) {
      omitEmpty(sa, 'secrets', 'imagePullSecrets');
      if (sa.automountServiceAccountToken === null) delete sa.automountServiceAccountToken;
      if (Array.isArray(sa.imagePullSecrets)) {
        sa.imagePullSecrets = sa.imagePullSecrets.map((r) => (isObj(r) && typeof r.name === 'string' && r.name !== '' ? { name: r.name } : {}));
      }
      orderKeys(sa, ['kind', 'apiVersion', 'metadata', 'secrets', 'imagePullSecrets', 'automountServiceAccountToken']);
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: true,
    prepareForUpdate: (sa) => cleanSecretReferences(sa),
    validateUpdate: (sa) => coreObjectMetaErrors(sa),
    warningsOnUpdate: (sa, old) => warnIfHasEnforceMountableSecretsAnnotation(sa, old),
    table: {
      columns: [
        nameColumn(),
        column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret'),
        ageColumn(),
      ],
      cells(sa, now) {
        return [sa.metadata.name ?? '', lenOf(sa.secrets), translateTimestampSince(sa.metadata.creationTimestamp, now)];
      },
    },
  },
};
