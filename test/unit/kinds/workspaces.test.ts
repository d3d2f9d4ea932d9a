import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { OWNER_ANNOTATION, WORKSPACE_FINALIZER, workspaces } from '../../../src/registry/kinds/workspaces.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = workspaces.strategy;
const c = ctx('');

describe('workspaces: API metadata', () => {
  it('is kplane\'s cluster-scoped admin API', () => {
    expect(workspaces).toMatchObject({
      group: 'tenancy.kplane.io', version: 'v1alpha1', resource: 'workspaces', kind: 'Workspace', listKind: 'WorkspaceList',
      singularName: 'workspace', shortNames: ['ws'], categories: ['kplane'], namespaced: false, subresources: ['status'],
      schemaName: 'io.kplane.tenancy.v1alpha1.Workspace',
      storage: { group: 'tenancy.kplane.io', resource: 'workspaces', apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace' },
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
  });
  it('names are DNS-1123 labels (they become logical-cluster path segments)', () => {
    expect(s.validateName('acme', false)).toEqual([]);
    expect(s.validateName('acme.corp', false)).toHaveLength(1);
    expect(s.validateName('a'.repeat(64), false)).toHaveLength(1);
  });
});

describe('workspaces: create', () => {
  it('clears status, starts Initializing, adds the finalizer, generation 1', () => {
    const ws: KubeObject = { metadata: { name: 'acme', finalizers: ['example.com/x'] }, status: { phase: 'Ready', url: 'x' } };
    s.applyDefaults!(ws);
    s.prepareForCreate!(ws, c);
    s.canonicalize!(ws);
    expect(ws).toEqual({
      metadata: { name: 'acme', finalizers: ['example.com/x', WORKSPACE_FINALIZER], generation: 1, annotations: { [OWNER_ANNOTATION]: JSON.stringify({ username: c.user.username }) } },
      spec: {}, status: { phase: 'Initializing' },
    });
  });
  it('records the creator in the owner annotation, which clients cannot set or change', () => {
    const ws: KubeObject = { metadata: { name: 'acme', annotations: { [OWNER_ANNOTATION]: '{"username":"forged"}', keep: 'x' } } };
    s.prepareForCreate!(ws, { ...c, user: { username: 'alice', groups: [], cluster: 'root:acme' } });
    expect(JSON.parse(ws.metadata.annotations![OWNER_ANNOTATION]!)).toEqual({ username: 'alice', cluster: 'root:acme' });
    const upd: KubeObject = { metadata: { name: 'acme', annotations: { keep: 'x' } } };
    s.prepareForUpdate!(upd, ws, c);
    expect(upd.metadata.annotations).toEqual(ws.metadata.annotations);
  });
  it('validates spec.admins as RBAC subjects of kind User or Group', () => {
    expect(s.validate({ metadata: { name: 'acme' }, spec: { admins: [{ kind: 'Group', name: 'g' }] } }, c)).toEqual([]);
    expect(errs(s.validate({ metadata: { name: 'acme' }, spec: { admins: [{ kind: 'ServiceAccount', name: 'x' }, { kind: 'User', name: '' }] } }, c))).toEqual([
      'spec.admins[0].kind: Unsupported value: "ServiceAccount": supported values: "Group", "User"', 'spec.admins[1].name: Required value',
    ]);
  });
  it('does not add the finalizer twice', () => {
    const ws: KubeObject = { metadata: { name: 'acme', finalizers: [WORKSPACE_FINALIZER] } };
    s.prepareForCreate!(ws, c);
    expect(ws.metadata.finalizers).toEqual([WORKSPACE_FINALIZER]);
  });
  it('accepts an empty spec and rejects a non-object one', () => {
    expect(s.validate({ metadata: { name: 'acme' }, spec: {} }, c)).toEqual([]);
    expect(errs(s.validate({ metadata: { name: 'acme' }, spec: 'x' }, c))).toEqual(['spec: Invalid value: "x": must be an object']);
  });
  it('limits the length of the resulting logical-cluster path', () => {
    const deep = `root:${'a'.repeat(63)}`.padEnd(1000, 'b') as ClusterName;
    const e = errs(s.validate({ metadata: { name: 'x'.repeat(30) } }, ctx('', deep)));
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^metadata\.name: Invalid value: "x+": the logical cluster path .* must be no more than 1024 characters$/);
  });
});

describe('workspaces: update', () => {
  const old: KubeObject = {
    metadata: { name: 'acme', generation: 1, resourceVersion: '5', finalizers: [WORKSPACE_FINALIZER], labels: { a: 'b' } },
    spec: {}, status: { phase: 'Ready', url: 'https://kplane/clusters/root:acme' },
  };
  it('keeps status; bumps generation only when spec changes', () => {
    const ws: KubeObject = { metadata: { name: 'acme', resourceVersion: '5', generation: 1 }, spec: {}, status: { phase: 'Terminating' } };
    s.prepareForUpdate!(ws, old, c);
    expect(ws.status).toEqual(old.status);
    expect(ws.metadata.generation).toBe(1);
    const changed: KubeObject = { metadata: { name: 'acme', resourceVersion: '5', generation: 1 }, spec: { future: true } };
    s.prepareForUpdate!(changed, old, c);
    expect(changed.metadata.generation).toBe(2);
  });
  it('status subresource changes nothing but status', () => {
    const st = s.status!;
    const ws: KubeObject = { metadata: { name: 'acme', resourceVersion: '5', labels: { changed: 'yes' } }, spec: { x: 1 }, status: { phase: 'Ready', url: 'u' } };
    st.prepareForUpdate(ws, old, c);
    expect(ws).toEqual({ ...old, status: { phase: 'Ready', url: 'u' } });
    expect(st.validateUpdate(ws, old, c)).toEqual([]);
  });
  it.each<[unknown, string[]]>([
    [{ phase: 'Initializing' }, []],
    [{ phase: 'Ready', url: 'https://x' }, []],
    [{ phase: 'Terminating' }, []],
    [{ phase: 'Running' }, ['status.phase: Unsupported value: "Running": supported values: "Initializing", "Ready", "Terminating"']],
    [{ url: 5 }, ['status.url: Invalid value: 5: must be a string']],
  ])('status %j', (status, want) => {
    expect(errs(s.status!.validateUpdate({ metadata: { name: 'acme' }, status }, old, c))).toEqual(want);
  });
});

describe('workspaces: fields and table', () => {
  it('selects on status.phase', () => {
    expect(s.selectableFields!({ metadata: { name: 'a' }, status: { phase: 'Ready' } })).toEqual({ 'status.phase': 'Ready' });
  });
  it('prints Name, Phase, URL, Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Phase', 'URL', 'Age']);
    expect(s.table!.cells({ metadata: { name: 'acme', creationTimestamp: ago(59) }, status: { phase: 'Ready', url: 'https://h/clusters/root:acme' } }, NOW))
      .toEqual(['acme', 'Ready', 'https://h/clusters/root:acme', '59s']);
  });
});
