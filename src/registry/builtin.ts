// The built-in kinds every logical cluster serves. Adding a kind: one file in ./kinds/ exporting its
// ResourceType, and one line here.

import type { ResourceType } from './types.js';
import { clusterrolebindings } from './kinds/clusterrolebindings.js';
import { clusterroles } from './kinds/clusterroles.js';
import { certificatesigningrequests } from './kinds/certificatesigningrequests.js';
import { configmaps } from './kinds/configmaps.js';
import { customresourcedefinitions } from './kinds/customresourcedefinitions.js';
import { endpoints } from './kinds/endpoints.js';
import { endpointslices } from './kinds/endpointslices.js';
import { events } from './kinds/events.js';
import { eventsV1 } from './kinds/eventsv1.js';
import { leases } from './kinds/leases.js';
import { limitranges } from './kinds/limitranges.js';
import { mutatingwebhookconfigurations } from './kinds/mutatingwebhookconfigurations.js';
import { mutatingadmissionpolicies } from './kinds/mutatingadmissionpolicies.js';
import { mutatingadmissionpolicybindings } from './kinds/mutatingadmissionpolicybindings.js';
import { localsubjectaccessreviews } from './kinds/localsubjectaccessreviews.js';
import { namespaces } from './kinds/namespaces.js';
import { resourcequotas } from './kinds/resourcequotas.js';
import { rolebindings } from './kinds/rolebindings.js';
import { roles } from './kinds/roles.js';
import { secrets } from './kinds/secrets.js';
import { selfsubjectaccessreviews } from './kinds/selfsubjectaccessreviews.js';
import { selfsubjectreviews } from './kinds/selfsubjectreviews.js';
import { selfsubjectrulesreviews } from './kinds/selfsubjectrulesreviews.js';
import { serviceaccounts } from './kinds/serviceaccounts.js';
import { services } from './kinds/services.js';
import { subjectaccessreviews } from './kinds/subjectaccessreviews.js';
import { tokenreviews } from './kinds/tokenreviews.js';
import { validatingadmissionpolicies } from './kinds/validatingadmissionpolicies.js';
import { validatingadmissionpolicybindings } from './kinds/validatingadmissionpolicybindings.js';
import { validatingwebhookconfigurations } from './kinds/validatingwebhookconfigurations.js';
import { workspaces } from './kinds/workspaces.js';

export const builtinResources: ResourceType[] = [
  // core/v1
  namespaces,
  configmaps,
  secrets,
  serviceaccounts,
  events,
  limitranges,
  resourcequotas,
  services,
  endpoints,
  // discovery.k8s.io/v1
  endpointslices,
  // events.k8s.io/v1 (same storage as core/v1 events)
  eventsV1,
  // coordination.k8s.io/v1
  leases,
  // rbac.authorization.k8s.io/v1
  roles,
  clusterroles,
  rolebindings,
  clusterrolebindings,
  // authentication.k8s.io/v1 and authorization.k8s.io/v1: the reviews, never stored
  selfsubjectreviews,
  tokenreviews,
  selfsubjectaccessreviews,
  selfsubjectrulesreviews,
  subjectaccessreviews,
  localsubjectaccessreviews,
  // certificates.k8s.io/v1
  certificatesigningrequests,
  // admissionregistration.k8s.io/v1
  validatingadmissionpolicies,
  validatingadmissionpolicybindings,
  validatingwebhookconfigurations,
  mutatingwebhookconfigurations,
  // admissionregistration.k8s.io/v1beta1 (kube 1.34's beta; off by default in kube, see README)
  mutatingadmissionpolicies,
  mutatingadmissionpolicybindings,
  // apiextensions.k8s.io/v1
  customresourcedefinitions,
  // tenancy.kplane.io/v1alpha1 (kplane's own)
  workspaces,
];
