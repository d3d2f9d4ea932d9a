// Every logical cluster's RBAC objects, in memory, for the authorizer (kube's RBAC authorizer reads
// informer caches the same way). One list-then-watch per RBAC resource over all clusters keeps it
// current. The bootstrap policy (cluster-admin, view, system:discovery, ...) is parsed once from the
// shared templates and seen by every cluster; a cluster's stored object of the same name replaces
// it, and its tombstone hides it. A cluster that stores no RBAC object has no entry here: an idle
// cluster costs nothing.

import type { KubeObject } from '../../apimachinery/object.js';
import { Informer } from '../../controllers/informer.js';
import { isTombstone, type TemplateSet } from '../../storage/defaults-overlay.js';
import type { KV, Store, StorageEvent } from '../../storage/interface.js';
import { parseKey, resourcePrefix } from '../../storage/keys.js';
import type { UserInfo } from '../../registry/types.js';
import { bindingOf, rulesOf, type Binding, type Subject } from './policy.js';
import type { PolicyRule } from './rules.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
type RbacResource = 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';
const RESOURCES: RbacResource[] = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'];

/**
 * Groups every caller of a cluster is in. A binding to one of them does not make its subjects
 * members of the cluster (see the door in authorizer.ts): the bootstrap policy binds them everywhere.
 */
const EVERYONE = new Set(['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts']);

interface ClusterPolicy {
  /** null: a bootstrap ClusterRole the cluster deleted (a stored tombstone). */
  clusterRoles: Map<string, PolicyRule[] | null>;
  clusterRoleBindings: Map<string, Binding | null>;
  /** "<namespace>/<name>" -> rules. */
  roles: Map<string, PolicyRule[]>;
  /** namespace -> name -> binding. */
  roleBindings: Map<string, Map<string, Binding>>;
  /** How many stored bindings name each subject ("User\0alice", "Group\0acme-admins", ...). */
  members: Map<string, number>;
  /**
   * Stored bindings by the subjects they name ('' = ClusterRoleBindings, else a namespace's
   * RoleBindings): a decision reads the bindings that name the caller, not every binding of the
   * cluster, so its cost does not grow with how many bindings name others.
   */
  bySubject: Map<string, Map<string, Set<Binding>>>;
}

/** The key a subject is found under (service accounts as the user name they authenticate as). */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User': return `User\0${s.name}`;
    case 'Group': return `Group\0${s.name}`;
    case 'ServiceAccount': return `User\0system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default: return undefined;
  }
}

/** The keys a user is found under. */
function userKeys(user: UserInfo): string[] {
  return [`User\0${user.username}`, ...user.groups.map((g) => `Group\0${g}`)];
}

function memberKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User': return `User\0${s.name}`;
    case 'Group': return EVERYONE.has(s.name) ? undefined : `Group\0${s.name}`;
    case 'ServiceAccount': return `User\0system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default: return undefined;
  }
}

export class RBACIndex {
  private readonly clusters = new Map<string, ClusterPolicy>();
  private readonly bootstrapRoles = new Map<string, PolicyRule[]>();
  private readonly bootstrapBindings: Binding[] = [];
  private readonly informers: Informer[] = [];

  constructor(private readonly store: Store, templates: TemplateSet) {
    for (const t of templates.forResource(`${RBAC_GROUP}/clusterroles`) ?? []) this.bootstrapRoles.set(t.body.metadata.name!, rulesOf(t.body));
    for (const t of templates.forResource(`${RBAC_GROUP}/clusterrolebindings`) ?? []) this.bootstrapBindings.push(bindingOf(t.body));
  }

  async start(): Promise<void> {
    for (const resource of RESOURCES) {
      const informer = new Informer(this.store, resourcePrefix({ group: RBAC_GROUP, resource }), {
        onList: (kv) => this.put(resource, kv),
        onEvent: (ev: StorageEvent) => (ev.type === 'DELETED' ? this.remove(resource, ev.kv) : this.put(resource, ev.kv)),
        // the informer lists again; until then this resource's grants are gone (fail closed)
        onError: () => this.forget(resource),
      }, 1000);
      this.informers.push(informer);
      await informer.start();
    }
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }

  /** Clusters with stored RBAC objects (diagnostics: an idle cluster is not among them). */
  clusterCount(): number {
    return this.clusters.size;
  }

  clusterRole(cluster: string, name: string): PolicyRule[] | undefined {
    const p = this.clusters.get(cluster);
    if (p?.clusterRoles.has(name)) return p.clusterRoles.get(name) ?? undefined;
    return this.bootstrapRoles.get(name);
  }

  role(cluster: string, namespace: string, name: string): PolicyRule[] | undefined {
    return this.clusters.get(cluster)?.roles.get(`${namespace}/${name}`);
  }

  *clusterRoleBindings(cluster: string): Iterable<Binding> {
    const p = this.clusters.get(cluster);
    for (const b of this.bootstrapBindings) if (!p?.clusterRoleBindings.has(b.name)) yield b;
    if (p) for (const b of p.clusterRoleBindings.values()) if (b) yield b;
  }

  /** The cluster's ClusterRoleBindings that may apply to the user: the bootstrap ones and stored ones naming them. */
  *clusterRoleBindingsFor(cluster: string, user: UserInfo): Iterable<Binding> {
    const p = this.clusters.get(cluster);
    for (const b of this.bootstrapBindings) if (!p?.clusterRoleBindings.has(b.name)) yield b;
    if (p) yield* this.naming(p, '', user);
  }

  /** The namespace's RoleBindings that name the user. */
  *roleBindingsFor(cluster: string, namespace: string, user: UserInfo): Iterable<Binding> {
    const p = this.clusters.get(cluster);
    if (p) yield* this.naming(p, namespace, user);
  }

  private *naming(p: ClusterPolicy, scope: string, user: UserInfo): Iterable<Binding> {
    const bySubject = p.bySubject.get(scope);
    if (!bySubject) return;
    const seen = new Set<Binding>();
    for (const key of userKeys(user)) {
      for (const b of bySubject.get(key) ?? []) {
        if (seen.has(b)) continue;
        seen.add(b);
        yield b;
      }
    }
  }

  /** Whether a stored binding of the cluster names the user, or a group of theirs other than everyone's. */
  names(cluster: string, user: UserInfo): boolean {
    const members = this.clusters.get(cluster)?.members;
    if (!members) return false;
    if (members.has(`User\0${user.username}`)) return true;
    return user.groups.some((g) => !EVERYONE.has(g) && members.has(`Group\0${g}`));
  }

  private policy(cluster: string): ClusterPolicy {
    let p = this.clusters.get(cluster);
    if (!p) {
      p = { clusterRoles: new Map(), clusterRoleBindings: new Map(), roles: new Map(), roleBindings: new Map(), members: new Map(), bySubject: new Map() };
      this.clusters.set(cluster, p);
    }
    return p;
  }

  private count(p: ClusterPolicy, b: Binding | null | undefined, delta: 1 | -1): void {
    if (!b) return;
    let scope = p.bySubject.get(b.namespace);
    if (!scope) p.bySubject.set(b.namespace, (scope = new Map()));
    for (const s of b.subjects) {
      const key = subjectKey(s, b.namespace);
      if (!key) continue;
      let set = scope.get(key);
      if (delta > 0) {
        if (!set) scope.set(key, (set = new Set()));
        set.add(b);
      } else if (set) {
        set.delete(b);
        if (set.size === 0) scope.delete(key);
      }
    }
    if (scope.size === 0) p.bySubject.delete(b.namespace);
    for (const s of b.subjects) {
      const k = memberKey(s, b.namespace);
      if (!k) continue;
      const n = (p.members.get(k) ?? 0) + delta;
      if (n > 0) p.members.set(k, n);
      else p.members.delete(k);
    }
  }

  private put(resource: RbacResource, kv: KV): void {
    const key = parseKey(kv.key);
    const p = this.policy(key.cluster);
    const obj: KubeObject = kv.value;
    const tomb = isTombstone(obj);
    switch (resource) {
      case 'clusterroles': p.clusterRoles.set(key.name, tomb ? null : rulesOf(obj)); break;
      case 'roles': if (!tomb) p.roles.set(`${key.namespace}/${key.name}`, rulesOf(obj)); break;
      case 'clusterrolebindings': {
        const b = tomb ? null : bindingOf(obj);
        this.count(p, p.clusterRoleBindings.get(key.name), -1);
        p.clusterRoleBindings.set(key.name, b);
        this.count(p, b, 1);
        break;
      }
      case 'rolebindings': {
        if (tomb) break;
        let m = p.roleBindings.get(key.namespace!);
        if (!m) p.roleBindings.set(key.namespace!, (m = new Map()));
        const b = bindingOf(obj);
        this.count(p, m.get(key.name), -1);
        m.set(key.name, b);
        this.count(p, b, 1);
        break;
      }
    }
  }

  private remove(resource: RbacResource, kv: KV): void {
    const key = parseKey(kv.key);
    const p = this.clusters.get(key.cluster);
    if (!p) return;
    switch (resource) {
      case 'clusterroles': p.clusterRoles.delete(key.name); break;
      case 'roles': p.roles.delete(`${key.namespace}/${key.name}`); break;
      case 'clusterrolebindings':
        this.count(p, p.clusterRoleBindings.get(key.name), -1);
        p.clusterRoleBindings.delete(key.name);
        break;
      case 'rolebindings': {
        const m = p.roleBindings.get(key.namespace!);
        this.count(p, m?.get(key.name), -1);
        m?.delete(key.name);
        if (m?.size === 0) p.roleBindings.delete(key.namespace!);
        break;
      }
    }
    if (!p.clusterRoles.size && !p.clusterRoleBindings.size && !p.roles.size && !p.roleBindings.size) this.clusters.delete(key.cluster);
  }

  private forget(resource: RbacResource): void {
    for (const [name, p] of this.clusters) {
      if (resource === 'clusterroles') p.clusterRoles.clear();
      else if (resource === 'roles') p.roles.clear();
      else if (resource === 'clusterrolebindings') { for (const b of p.clusterRoleBindings.values()) this.count(p, b, -1); p.clusterRoleBindings.clear(); }
      else { for (const m of p.roleBindings.values()) for (const b of m.values()) this.count(p, b, -1); p.roleBindings.clear(); }
      if (!p.clusterRoles.size && !p.clusterRoleBindings.size && !p.roles.size && !p.roleBindings.size) this.clusters.delete(name);
    }
  }
}
