// Small ResourceType samples for the discovery and OpenAPI tests (independent of src/registry/kinds).

import type { ResourceType, Strategy, Verb } from '../../../src/registry/types.js';

const strategy: Strategy = {
  validateName: () => [],
  validate: () => [],
  validateUpdate: () => [],
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: true,
};

export const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function sampleType(p: Partial<ResourceType> & Pick<ResourceType, 'group' | 'version' | 'resource' | 'kind' | 'schemaName'>): ResourceType {
  const apiVersion = p.group ? `${p.group}/${p.version}` : p.version;
  return {
    listKind: `${p.kind}List`,
    singularName: p.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: true,
    verbs: ALL_VERBS,
    subresources: [],
    storage: { group: p.group, resource: p.resource, apiVersion, kind: p.kind },
    strategy,
    ...p,
  };
}

export const configmaps = sampleType({
  group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'], schemaName: 'io.k8s.api.core.v1.ConfigMap',
});

export const namespaces = sampleType({
  group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', shortNames: ['ns'], namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status', 'finalize'],
  schemaName: 'io.k8s.api.core.v1.Namespace',
});

export const coreEvents = sampleType({
  group: '', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'], schemaName: 'io.k8s.api.core.v1.Event',
});

export const eventsV1 = sampleType({
  group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'], schemaName: 'io.k8s.api.events.v1.Event',
  storage: { group: '', resource: 'events', apiVersion: 'v1', kind: 'Event' },
});

export const roles = sampleType({
  group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', schemaName: 'io.k8s.api.rbac.v1.Role',
});

export const clusterroles = sampleType({
  group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false,
  schemaName: 'io.k8s.api.rbac.v1.ClusterRole',
});

export const leases = sampleType({
  group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', schemaName: 'io.k8s.api.coordination.v1.Lease',
});

export const workspaces = sampleType({
  group: 'tenancy.kplane.io', version: 'v1alpha1', resource: 'workspaces', kind: 'Workspace', namespaced: false,
  shortNames: ['ws'], categories: ['kplane'], subresources: ['status'], schemaName: 'io.kplane.tenancy.v1alpha1.Workspace',
});

export const SAMPLE: ResourceType[] = [leases, workspaces, configmaps, roles, namespaces, eventsV1, coreEvents, clusterroles];
