// Who administers a logical cluster through its Workspace: the creator recorded in the owner
// annotation and the subjects of spec.admins, read from the Workspace in the parent cluster when
// the authorizer needs them (nothing is held per cluster).

import type { KubeObject } from '../apimachinery/object.js';
import type { WorkspaceAdmins, WorkspaceAdminSource } from '../auth/rbac/authorizer.js';
import type { Subject } from '../auth/rbac/policy.js';
import { OWNER_ANNOTATION } from '../registry/kinds/workspaces.js';
import type { ResourceType } from '../registry/types.js';
import { splitCluster, type ClusterName } from './logicalcluster.js';

export interface WorkspaceGetter {
  tryGet(type: ResourceType, cluster: ClusterName, namespace: string, name: string): Promise<KubeObject | undefined>;
}

export function workspaceAdmins(ws: KubeObject): WorkspaceAdmins {
  let owner: WorkspaceAdmins['owner'];
  try {
    const v = JSON.parse(ws.metadata.annotations?.[OWNER_ANNOTATION] ?? 'null') as { username?: unknown; cluster?: unknown } | null;
    if (v && typeof v.username === 'string') owner = { username: v.username, ...(typeof v.cluster === 'string' ? { cluster: v.cluster } : {}) };
  } catch {
    // not written by kplane: no owner
  }
  const spec = (ws.spec ?? {}) as { admins?: unknown };
  const admins: Subject[] = Array.isArray(spec.admins)
    ? spec.admins.filter((a): a is Subject => !!a && typeof a === 'object' && typeof a.kind === 'string' && typeof a.name === 'string')
      .map((a) => ({ kind: a.kind, name: a.name }))
    : [];
  return { owner, admins };
}

export class RegistryWorkspaceAdmins implements WorkspaceAdminSource {
  constructor(private readonly registry: WorkspaceGetter, private readonly workspaces: ResourceType) {}

  async adminsOf(cluster: ClusterName): Promise<WorkspaceAdmins | undefined> {
    const split = splitCluster(cluster);
    if (!split) return undefined;
    const ws = await this.registry.tryGet(this.workspaces, split.parent, '', split.name);
    return ws ? workspaceAdmins(ws) : undefined;
  }
}
