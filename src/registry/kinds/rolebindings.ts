// rbac.authorization.k8s.io/v1 RoleBinding (pkg/registry/rbac/rolebinding, ValidateRoleBinding).

import type { ResourceType } from '../types.js';
import {
  bindingTable, defaultBinding, RBAC_GROUP, RBAC_VERBS, shapeBinding, validateBinding, validateRBACName,
  validateRoleRefUnchanged,
} from './_rbac.js';

export const rolebindings: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  resource: 'rolebindings',
  kind: 'RoleBinding',
  listKind: 'RoleBindingList',
  singularName: 'rolebinding',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: [...RBAC_VERBS],
  subresources: [],
  storage: { group: RBAC_GROUP, resource: 'rolebindings', apiVersion: `${RBAC_GROUP}/v1`, kind: 'RoleBinding' },
  schemaName: 'io.k8s.api.rbac.v1.RoleBinding',
  strategy: {
    validateName: validateRBACName,
    applyDefaults: defaultBinding,
    validate: (b) => validateBinding(b, true),
    canonicalize: shapeBinding,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    // ValidateRoleBinding runs twice in kube (strategy + ValidateRoleBindingUpdate), then the roleRef check.
    validateUpdate: (b, old) => [...validateBinding(b, true), ...validateBinding(b, true), ...validateRoleRefUnchanged(b, old)],
    table: bindingTable(
      'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
      'roleBinding',
    ),
  },
};
