// authorization.k8s.io/v1 LocalSubjectAccessReview (pkg/registry/authorization/localsubjectaccessreview):
// a SubjectAccessReview confined to the namespace of its path, for namespace administrators.

import { badRequest, field, invalid } from '../../apimachinery/errors.js';
import { createOnlyResource } from '../createonly.js';
import {
  accessReviewSpecErrors, accessReviewStatus, attributesOut, AUTHORIZATION_GROUP, internalNonResourceAttributes, metadataErrors, reviewAnswer, reviewGroupKind, specOf, subjectOf,
} from './_reviews.js';
import { isObj } from './_util.js';

export const localsubjectaccessreviews = createOnlyResource({
  group: AUTHORIZATION_GROUP, version: 'v1', resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview',
  namespaced: true, schemaPackage: 'io.k8s.api.authorization.v1',
  async create({ ctx, object, services }) {
    const spec = specOf(object);
    const namespace = object.metadata?.namespace ?? '';
    const errs = [...accessReviewSpecErrors(spec, true), ...metadataErrors(object, true)];
    const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    const raNamespace = typeof ra?.namespace === 'string' ? ra.namespace : '';
    if (ra && raNamespace !== namespace) errs.push(field.invalid('spec.resourceAttributes.namespace', raNamespace, 'must match metadata.namespace'));
    if (isObj(spec.nonResourceAttributes)) {
      errs.push(field.invalid('spec.nonResourceAttributes', internalNonResourceAttributes(spec.nonResourceAttributes), 'disallowed on this kind of request'));
    }
    if (errs.length) throw invalid(reviewGroupKind(AUTHORIZATION_GROUP), '', errs);
    if (!ctx.namespace) throw badRequest(`namespace is required on this type: ${ctx.namespace}`);
    if (ctx.namespace !== namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace}`);
    const subject = subjectOf(spec, ctx.cluster);
    const status = await accessReviewStatus(services.authorizer, subject.user, spec, ctx.cluster);
    return reviewAnswer(object, { ...attributesOut(spec), ...subject.out }, status);
  },
});
