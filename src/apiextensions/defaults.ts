// apiextensions.k8s.io/v1 scheme defaulting of a CustomResourceDefinition (pkg/apis/apiextensions/v1
// defaults.go): what every decoded CRD gets before the strategy sees it, on create, update and patch.

import type { KubeObject } from '../apimachinery/object.js';
import { isObj } from '../registry/kinds/_util.js';

/** Port of a conversion webhook's service reference when none is given (SetDefaults_ServiceReference). */
export const DEFAULT_SERVICE_PORT = 443;

/** SetDefaults_CustomResourceDefinition: the spec's defaults, then storedVersions from the storage version. */
export function setDefaultsCustomResourceDefinition(crd: KubeObject): void {
  if (!isObj(crd.spec)) return;
  setDefaultsCustomResourceDefinitionSpec(crd.spec);
  const status = isObj(crd.status) ? crd.status : undefined;
  const stored = status?.storedVersions;
  if (Array.isArray(stored) && stored.length > 0) return;
  const versions = Array.isArray(crd.spec.versions) ? crd.spec.versions : [];
  const storage = versions.find((v) => isObj(v) && v.storage === true) as { name?: unknown } | undefined;
  if (!storage) return;
  crd.status = { ...(status ?? {}), storedVersions: [typeof storage.name === 'string' ? storage.name : ''] };
}

/** SetDefaults_CustomResourceDefinitionSpec: singular, listKind, conversion strategy None, service port. */
export function setDefaultsCustomResourceDefinitionSpec(spec: Record<string, unknown>): void {
  if (isObj(spec.names)) {
    const names = spec.names;
    const kind = typeof names.kind === 'string' ? names.kind : '';
    if (!names.singular) names.singular = kind.toLowerCase();
    if (!names.listKind && kind) names.listKind = `${kind}List`;
  }
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: 'None' };
  const service = isObj(spec.conversion) && isObj(spec.conversion.webhook) && isObj(spec.conversion.webhook.clientConfig)
    ? spec.conversion.webhook.clientConfig.service : undefined;
  // the defaulter of the nested ServiceReference (generated RegisterDefaults walks into it)
  if (isObj(service) && (service.port === undefined || service.port === null)) service.port = DEFAULT_SERVICE_PORT;
}
