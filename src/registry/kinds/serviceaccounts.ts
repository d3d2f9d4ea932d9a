// core/v1 ServiceAccount (pkg/registry/core/serviceaccount, ValidateServiceAccount).
// The serviceaccounts/token subresource (TokenRequest) belongs to the authentication module.

import type { KubeObject } from '../../apimachinery/object.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
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
  subresources: [],
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
