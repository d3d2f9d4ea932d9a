// The CEL variables of one admission request (kube's CreateAdmissionRequest and
// CreateNamespaceObject): object, oldObject, request, namespaceObject and params.

import type { CelInput } from '@bufbuild/cel';
import type { KubeObject } from '../../apimachinery/object.js';
import { toCelValue } from '../../apiextensions/cel/values.js';
import { authorizerValue, requestResourceCheck, type AuthzSession } from '../../apiextensions/cel/library/authz.js';
import type { AdmissionAttributes } from '../../registry/admission.js';
import type { MatchedResource } from '../matching.js';
import { NAMESPACE_TYPE, REQUEST_TYPE } from './cel.js';

/** What a write's options are called in the AdmissionRequest. */
const OPTIONS_KIND: Record<string, string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' };

export function requestValue(a: AdmissionAttributes, matched: MatchedResource): Record<string, unknown> {
  const t = a.type;
  return {
    kind: { group: matched.group, version: matched.version, kind: matched.kind },
    resource: { group: matched.group, version: matched.version, resource: matched.resource },
    subResource: a.subresource,
    requestKind: { group: t.group, version: t.version, kind: t.kind },
    requestResource: { group: t.group, version: t.version, resource: t.resource },
    requestSubResource: a.subresource,
    name: a.name,
    namespace: a.namespace,
    operation: a.operation,
    userInfo: { username: a.ctx.user.username, uid: a.ctx.user.uid ?? '', groups: a.ctx.user.groups, extra: a.ctx.user.extra ?? {} },
    dryRun: a.dryRun,
    options: { kind: OPTIONS_KIND[a.operation], apiVersion: 'meta.k8s.io/v1' },
  };
}

/** The variables shared by every policy evaluated for the request (params are per binding). */
export function baseActivation(a: AdmissionAttributes, matched: MatchedResource, namespace: KubeObject | undefined,
  authz?: AuthzSession): Record<string, CelInput> {
  const vars: Record<string, CelInput> = {
    object: toCelValue(a.object, undefined),
    oldObject: toCelValue(a.oldObject, undefined),
    request: toCelValue(requestValue(a, matched), REQUEST_TYPE),
    namespaceObject: namespace ? toCelValue(namespace, NAMESPACE_TYPE) : null,
  };
  if (authz) {
    // the request's user, in the request's logical cluster (a provider-wide policy checks the tenant's RBAC)
    const authorizer = authorizerValue(authz, a.ctx.user, a.ctx.cluster);
    vars.authorizer = authorizer as unknown as CelInput;
    vars['authorizer.requestResource'] = requestResourceCheck(authorizer, {
      group: a.type.group, resource: a.type.resource, subresource: a.subresource, namespace: a.namespace, name: a.name,
    }) as unknown as CelInput;
  }
  return vars;
}
