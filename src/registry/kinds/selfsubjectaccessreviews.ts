// authorization.k8s.io/v1 SelfSubjectAccessReview (pkg/registry/authorization/selfsubjectaccessreview):
// may I do this? The requesting user's access in the request's logical cluster (`kubectl auth can-i`).

import { invalid } from '../../apimachinery/errors.js';
import { createOnlyResource } from '../createonly.js';
import {
  accessReviewSpecErrors, accessReviewStatus, attributesOut, AUTHORIZATION_GROUP, metadataErrors, reviewAnswer, reviewGroupKind, specOf,
} from './_reviews.js';

export const selfsubjectaccessreviews = createOnlyResource({
  group: AUTHORIZATION_GROUP, version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview',
  namespaced: false, schemaPackage: 'io.k8s.api.authorization.v1',
  async create({ ctx, object, services }) {
    const spec = specOf(object);
    const errs = [...accessReviewSpecErrors(spec, false), ...metadataErrors(object, false)];
    if (errs.length) throw invalid(reviewGroupKind(AUTHORIZATION_GROUP), '', errs);
    const status = await accessReviewStatus(services.authorizer, ctx.user, spec, ctx.cluster);
    return reviewAnswer(object, attributesOut(spec), status);
  },
});
