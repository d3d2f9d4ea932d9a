// rbac.authorization.k8s.io/v1 ClusterRole (pkg/registry/rbac/clusterrole, ValidateClusterRole).
// Aggregated rules (aggregationRule) are filled in by the clusterrole-aggregation controller.

import type { FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import {
  hasInvalidLabelValueInSelectors, RBAC_GROUP, RBAC_VERBS, shapeRole, validateAggregationRule, validateRBACName,
  validateRules,
} from './_rbac.js';

function validateClusterRole(role: KubeObject, allowInvalidLabelValueInSelector: boolean): FieldError[] {
  return coreObjectMetaErrors(role)
    .concat(validateRules(role, false))
    .concat(validateAggregationRule(role, allowInvalidLabelValueInSelector));
}

export const clusterroles: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  resource: 'clusterroles',
  kind: 'ClusterRole',
  listKind: 'ClusterRoleList',
  singularName: 'clusterrole',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: [...RBAC_VERBS],
  subresources: [],
  storage: { group: RBAC_GROUP, resource: 'clusterroles', apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole' },
  schemaName: 'io.k8s.api.rbac.v1.ClusterRole',
  strategy: {
    validateName: validateRBACName,
    validate: (role) => validateClusterRole(role, false),
    canonicalize: shapeRole,
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    validateUpdate(role, old) {
      // Selectors already stored with invalid label values stay acceptable.
      const allow = hasInvalidLabelValueInSelectors(old);
      // ValidateClusterRole runs twice in kube (strategy + ValidateClusterRoleUpdate).
      return [...validateClusterRole(role, allow), ...validateClusterRole(role, allow)];
    },
    // no printer: the default Name / Created At table
  },
};
