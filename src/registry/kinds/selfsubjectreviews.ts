// authentication.k8s.io/v1 SelfSubjectReview (pkg/registry/authentication/selfsubjectreview): who am
// I? The requesting user as authenticated (`kubectl auth whoami`).

import { formatTime } from '../../apimachinery/object.js';
import { createOnlyResource } from '../createonly.js';
import { AUTHENTICATION_GROUP, userInfoOut } from './_reviews.js';

export const selfsubjectreviews = createOnlyResource({
  group: AUTHENTICATION_GROUP, version: 'v1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview',
  namespaced: false, schemaPackage: 'io.k8s.api.authentication.v1',
  async create({ ctx, object }) {
    // a new object, stamped now: nothing of the request is echoed
    return {
      kind: object.kind, apiVersion: object.apiVersion, metadata: { creationTimestamp: formatTime(ctx.now) },
      status: { userInfo: userInfoOut(ctx.user) },
    } as never;
  },
});
