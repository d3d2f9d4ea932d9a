// authorization.k8s.io/v1 SelfSubjectRulesReview (pkg/registry/authorization/selfsubjectrulesreview):
// everything the requesting user may do in a namespace of the request's logical cluster
// (`kubectl auth can-i --list`), as the authorizer's rule resolver lists it.

import { createOnlyResource } from '../createonly.js';
import { StatusError } from '../../apimachinery/errors.js';
import { AUTHORIZATION_GROUP, noNamespace, specOf } from './_reviews.js';

export const selfsubjectrulesreviews = createOnlyResource({
  group: AUTHORIZATION_GROUP, version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview',
  namespaced: false, schemaPackage: 'io.k8s.api.authorization.v1',
  async create({ ctx, object, services }) {
    const spec = specOf(object);
    const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
    if (!namespace) throw noNamespace();
    if (!services.authorizer) throw new StatusError(500, 'InternalError', 'Internal error occurred: no authorizer is configured');
    const rules = await services.authorizer.rulesFor(ctx.user, ctx.cluster, namespace);
    const status: Record<string, unknown> = {
      resourceRules: rules.resourceRules.map((r) => {
        const o: Record<string, unknown> = { verbs: [...r.verbs] };
        if (r.apiGroups?.length) o.apiGroups = [...r.apiGroups];
        if (r.resources?.length) o.resources = [...r.resources];
        if (r.resourceNames?.length) o.resourceNames = [...r.resourceNames];
        return o;
      }),
      nonResourceRules: rules.nonResourceRules.map((r) => {
        const o: Record<string, unknown> = { verbs: [...r.verbs] };
        if (r.nonResourceURLs?.length) o.nonResourceURLs = [...r.nonResourceURLs];
        return o;
      }),
      incomplete: rules.incomplete,
    };
    if (rules.evaluationError) status.evaluationError = rules.evaluationError;
    // kube answers a new object: the request's metadata is not echoed
    return { kind: object.kind, apiVersion: object.apiVersion, metadata: {}, spec: {}, status } as never;
  },
});
