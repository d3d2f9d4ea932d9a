// authorization.k8s.io/v1 SubjectAccessReview (pkg/registry/authorization/subjectaccessreview): may
// this user (spec.user, groups, uid, extra) do this in the request's logical cluster?

import { invalid } from '../../apimachinery/errors.js';
import { createOnlyResource } from '../createonly.js';
import {
  accessReviewSpecErrors, accessReviewStatus, attributesOut, AUTHORIZATION_GROUP, metadataErrors, reviewAnswer, reviewGroupKind, specOf, subjectOf,
} from './_reviews.js';

export const subjectaccessreviews = createOnlyResource({
  group: AUTHORIZATION_GROUP, version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview',
  namespaced: false, schemaPackage: 'io.k8s.api.authorization.v1',
  async create({ ctx, object, services }) {
    const spec = specOf(object);
    const errs = [...accessReviewSpecErrors(spec, true), ...metadataErrors(object, false)];
    if (errs.length) throw invalid(reviewGroupKind(AUTHORIZATION_GROUP), '', errs);
    const subject = subjectOf(spec, ctx.cluster);
    const status = await accessReviewStatus(services.authorizer, subject.user, spec, ctx.cluster);
    return reviewAnswer(object, { ...attributesOut(spec), ...subject.out }, status);
  },
});
