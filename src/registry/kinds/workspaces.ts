// tenancy.kplane.io/v1alpha1 Workspace: kplane's own admin API. A workspace "acme" created in the
// logical cluster "root" is the child logical cluster "root:acme"; the workspace controller drives
// status.phase Initializing -> Ready, and removes the finalizer once a deleted workspace's
// logical cluster is gone. Semantics follow a custom resource with a status subresource:
// metadata.generation starts at 1 and is bumped by spec changes; status is only written through
// the status subresource, which in turn changes nothing but status.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { deepCopy } from '../../apimachinery/object.js';
import { nameIsDNSLabel } from '../../apimachinery/validation.js';
import { isWildcard } from '../../tenancy/logicalcluster.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType, StatusStrategy } from '../types.js';
import { ensureObj, isObj, jsonEqual, keepAllButStatus, omitEmpty, orderKeys, strAt } from './_util.js';

export const TENANCY_GROUP = 'tenancy.kplane.io';
export const WORKSPACE_FINALIZER = 'tenancy.kplane.io/workspace';
export const WORKSPACE_PHASE_INITIALIZING = 'Initializing';
export const WORKSPACE_PHASE_READY = 'Ready';
export const WORKSPACE_PHASE_TERMINATING = 'Terminating';
export const WORKSPACE_PHASES = [WORKSPACE_PHASE_INITIALIZING, WORKSPACE_PHASE_READY, WORKSPACE_PHASE_TERMINATING];

/** Logical-cluster paths are at most this long (see tenancy/logicalcluster.ts). */
const MAX_CLUSTER_PATH_LENGTH = 1024;

/**
 * Who made a workspace: set by the server on create from the requesting user (never by the
 * client), kept on every update. The creator administers the workspace's logical cluster.
 */
export const OWNER_ANNOTATION = 'tenancy.kplane.io/owner';
const ADMIN_KINDS = ['Group', 'User'];

function validateSpec(ws: KubeObject): FieldError[] {
  if (ws.spec !== undefined && ws.spec !== null && !isObj(ws.spec)) {
    return [field.invalid('spec', ws.spec, 'must be an object')];
  }
  const errs: FieldError[] = [];
  const admins = isObj(ws.spec) ? ws.spec.admins : undefined;
  if (admins === undefined || admins === null) return errs;
  if (!Array.isArray(admins)) return [field.invalid('spec.admins', admins, 'must be an array')];
  admins.forEach((a, i) => {
    const path = `spec.admins[${i}]`;
    if (!isObj(a)) {
      errs.push(field.invalid(path, a, 'must be an object'));
      return;
    }
    if (typeof a.kind !== 'string' || !ADMIN_KINDS.includes(a.kind)) errs.push(field.notSupported(`${path}.kind`, a.kind ?? '', ADMIN_KINDS));
    if (typeof a.name !== 'string' || a.name === '') errs.push(field.required(`${path}.name`, ''));
  });
  return errs;
}

/** The owner annotation's value for a user: JSON of the name, and the cluster of a scoped identity. */
export function ownerAnnotationValue(user: { username: string; cluster?: string }): string {
  return JSON.stringify(user.cluster === undefined ? { username: user.username } : { username: user.username, cluster: user.cluster });
}

function validateStatus(ws: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (ws.status === undefined || ws.status === null) return errs;
  if (!isObj(ws.status)) return [field.invalid('status', ws.status, 'must be an object')];
  const phase = ws.status.phase;
  if (phase !== undefined && phase !== null && (typeof phase !== 'string' || !WORKSPACE_PHASES.includes(phase))) {
    errs.push(field.notSupported('status.phase', phase, WORKSPACE_PHASES));
  }
  const url = ws.status.url;
  if (url !== undefined && url !== null && typeof url !== 'string') errs.push(field.invalid('status.url', url, 'must be a string'));
  return errs;
}

function shape(ws: KubeObject): void {
  ensureObj(ws, 'spec');
  if (isObj(ws.status)) {
    omitEmpty(ws.status, 'phase', 'url');
    if (Object.keys(ws.status).length === 0) delete ws.status;
  } else {
    delete ws.status;
  }
  orderKeys(ws, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

/** The status subresource: only status changes; everything else is kept from the stored object. */
export const workspaceStatusStrategy: StatusStrategy = {
  prepareForUpdate: keepAllButStatus,
  validateUpdate: (obj) => validateStatus(obj),
};

export const workspaces: ResourceType = {
  group: TENANCY_GROUP,
  version: 'v1alpha1',
  resource: 'workspaces',
  kind: 'Workspace',
  listKind: 'WorkspaceList',
  singularName: 'workspace',
  shortNames: ['ws'],
  categories: ['kplane'],
  namespaced: false,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
  storage: { group: TENANCY_GROUP, resource: 'workspaces', apiVersion: `${TENANCY_GROUP}/v1alpha1`, kind: 'Workspace' },
  schemaName: 'io.kplane.tenancy.v1alpha1.Workspace',
  strategy: {
    // The name becomes a logical-cluster path segment.
    validateName: nameIsDNSLabel,
    applyDefaults(ws) {
      if (ws.spec === undefined || ws.spec === null) ws.spec = {};
    },
    prepareForCreate(ws, ctx) {
      ws.status = { phase: WORKSPACE_PHASE_INITIALIZING };
      const annotations = { ...(ws.metadata.annotations ?? {}) };
      if (ctx?.user) annotations[OWNER_ANNOTATION] = ownerAnnotationValue(ctx.user);
      else delete annotations[OWNER_ANNOTATION];
      ws.metadata.annotations = annotations;
      const fins = Array.isArray(ws.metadata.finalizers) ? ws.metadata.finalizers.slice() : [];
      if (!fins.includes(WORKSPACE_FINALIZER)) fins.push(WORKSPACE_FINALIZER);
      ws.metadata.finalizers = fins;
      ws.metadata.generation = 1;
    },
    validate(ws, ctx) {
      const errs = validateSpec(ws);
      const name = ws.metadata?.name ?? '';
      if (name && ctx?.cluster && !isWildcard(ctx.cluster) && ctx.cluster.length + 1 + name.length > MAX_CLUSTER_PATH_LENGTH) {
        errs.push(field.invalid('metadata.name', name,
          `the logical cluster path ${ctx.cluster}:${name} must be no more than ${MAX_CLUSTER_PATH_LENGTH} characters`));
      }
      return errs;
    },
    canonicalize: shape,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    prepareForUpdate(ws, old) {
      // the owner is the server's record of who created the workspace: clients cannot change it
      const owner = old.metadata.annotations?.[OWNER_ANNOTATION];
      const annotations = { ...(ws.metadata.annotations ?? {}) };
      if (owner === undefined) delete annotations[OWNER_ANNOTATION];
      else annotations[OWNER_ANNOTATION] = owner;
      ws.metadata.annotations = annotations;
      if (old.status === undefined) delete ws.status;
      else ws.status = deepCopy(old.status);
      const oldGen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
      ws.metadata.generation = jsonEqual(ws.spec ?? {}, old.spec ?? {}) ? oldGen : oldGen + 1;
    },
    validateUpdate: (ws) => validateSpec(ws),
    status: workspaceStatusStrategy,
    selectableFields(ws) {
      return { 'status.phase': strAt(ws.status, 'phase') };
    },
    table: {
      columns: [
        nameColumn(),
        column('Phase', 'string', 'The phase of the workspace: Initializing, Ready or Terminating.'),
        column('URL', 'string', "The URL of the workspace's logical cluster."),
        ageColumn(),
      ],
      cells(ws, now) {
        return [ws.metadata.name ?? '', strAt(ws.status, 'phase'), strAt(ws.status, 'url'), translateTimestampSince(ws.metadata.creationTimestamp, now)];
      },
    },
  },
};
