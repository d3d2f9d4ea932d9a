// rbac.authorization.k8s.io/v1 ClusterRoleBinding (pkg/registry/rbac/clusterrolebinding,
// ValidateClusterRoleBinding).

import type { ResourceType } from '../types.js';
import {
  bindingTable, defaultBinding, RBAC_GROUP, RBAC_VERBS, shapeBinding, validateBinding, validateRBACName,
  validateRoleRefUnchanged,
} from './_rbac.js';

export const clusterrolebindings: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  resource: 'clusterrolebindings',
  kind: 'ClusterRoleBinding',
  listKind: 'ClusterRoleBindingList',
  singularName: 'clusterrolebinding',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: [...RBAC_VERBS],
  subresources: [],
  storage: { group: RBAC_GROUP, resource: 'clusterrolebindings', apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding' },
  schemaName: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  strategy: {
    validateName: validateRBACName,
    applyDefaults: defaultBinding,
    validate: (b) => validateBinding(b, false),
    canonicalize: shapeBinding,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    // ValidateClusterRoleBinding runs twice in kube, then the roleRef check.
    validateUpdate: (b, old) => [...validateBinding(b, false), ...validateBinding(b, false), ...validateRoleRefUnchanged(b, old)],
    table: bindingTable(
      'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
      'clusterRoleBinding',
    ),
  },
};
