// rbac.authorization.k8s.io/v1 Role (pkg/registry/rbac/role, ValidateRole).

import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { RBAC_GROUP, RBAC_VERBS, shapeRole, validateRBACName, validateRules } from './_rbac.js';

function validateRole(role: Parameters<typeof coreObjectMetaErrors>[0]) {
  return coreObjectMetaErrors(role).concat(validateRules(role, true));
}

export const roles: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  resource: 'roles',
  kind: 'Role',
  listKind: 'RoleList',
  singularName: 'role',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: [...RBAC_VERBS],
  subresources: [],
  storage: { group: RBAC_GROUP, resource: 'roles', apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role' },
  schemaName: 'io.k8s.api.rbac.v1.Role',
  strategy: {
    validateName: validateRBACName,
    validate: validateRole,
    canonicalize: shapeRole,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    // kube's strategy runs ValidateRole and then ValidateRoleUpdate, which runs ValidateRole again:
    // every error is reported twice.
    validateUpdate: (role) => [...validateRole(role), ...validateRole(role)],
    // no printer: the default Name / Created At table
  },
};
