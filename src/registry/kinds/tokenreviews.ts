// authentication.k8s.io/v1 TokenReview (pkg/registry/authentication/tokenreview): who does this bearer
// token authenticate, in the request's logical cluster? A service account token is only good in its
// own cluster, so the same token reviewed in another cluster is not authenticated.

import { aggregateMessage, badRequest, internalError } from '../../apimachinery/errors.js';
import { peekPayload } from '../../auth/serviceaccount-tokens.js';
import { createOnlyResource } from '../createonly.js';
import { AUTHENTICATION_GROUP, specOf, userInfoOut } from './_reviews.js';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export const tokenreviews = createOnlyResource({
  group: AUTHENTICATION_GROUP, version: 'v1', resource: 'tokenreviews', kind: 'TokenReview',
  namespaced: false, schemaPackage: 'io.k8s.api.authentication.v1',
  async create({ ctx, object, services }) {
    const spec = specOf(object);
    const token = typeof spec.token === 'string' ? spec.token : '';
    if (!token) throw badRequest('token is required for TokenReview in authentication');
    const specOut: Record<string, unknown> = { token };
    const requested = strings(spec.audiences);
    if (requested.length) specOut.audiences = requested;
    const answer = (status: Record<string, unknown>) => ({
      kind: object.kind, apiVersion: object.apiVersion, metadata: object.metadata ?? {}, spec: specOut, status,
    }) as never;
    const authn = services.tokenAuthenticator;
    if (!authn) return answer({ user: {} });
    // no audiences asked for: the cluster's API audiences (kube's --api-audiences)
    const audiences = requested.length ? requested : services.tokens?.apiAudiences(ctx.cluster) ?? [];
    const rejections: string[] = [];
    const user = await authn.authenticateToken(token, { cluster: ctx.cluster, audiences, rejections });
    // kube's union of authenticators: "invalid bearer token", with why an authenticator of the
    // token's kind refused it (a token of another cluster is refused for that reason)
    if (!user) return answer({ user: {}, error: aggregateMessage(['invalid bearer token', ...rejections]) });
    let granted: string[];
    if (!services.tokens || services.tokens.isOurs(token)) {
      // the audiences a service account token is good for among those asked for (its aud claim, verified)
      const aud = peekPayload(token)?.aud;
      const tokenAudiences = typeof aud === 'string' ? [aud] : strings(aud);
      granted = tokenAudiences.length ? audiences.filter((a) => tokenAudiences.includes(a)) : audiences;
      if (audiences.length && !granted.length) throw internalError(new Error('error validating audiences'));
    } else {
      // OIDC, static and user tokens are audience-agnostic (kube's WrapAudienceAgnosticToken):
      // good for the cluster's API audiences, and not authenticated for others
      const api = services.tokens?.apiAudiences(ctx.cluster) ?? [];
      granted = requested.length ? requested.filter((a) => api.includes(a)) : api;
      if (requested.length && !granted.length) return answer({ user: {} });
    }
    const status: Record<string, unknown> = { authenticated: true, user: userInfoOut(user) };
    if (granted.length) status.audiences = granted;
    return answer(status);
  },
});
