// The registry's field management around mutating admission: a write records its manager, and
// managedFields a mutating plugin leaves invalid are put back as they were before admission, with
// kube's warning (kube-apiserver's managedFields-validating admission wrapper).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { AdmissionChain, type AdmissionPlugin } from '../../../src/registry/admission.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import { Registry } from '../../../src/registry/store.js';
import type { RequestContext } from '../../../src/registry/types.js';
import { LevelStore } from '../../../src/storage/leveldb/store.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';

const ctx = (cluster: string, fieldManager: string): RequestContext => ({
  cluster: cluster as ClusterName, namespace: 'team', user: { username: 'alice', groups: ['system:authenticated'] },
  now: new Date('2026-12-04T10:00:00Z'), warnings: [], fieldManager,
});
const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team' }, data: { k: 'v' } });

describe('managedFields and mutating admission', () => {
  let dir: string;
  let store: LevelStore;
  let registry: Registry;
  let mutate: ((o: KubeObject) => void) | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-mf-admission-'));
    store = await LevelStore.open({ path: dir });
    const plugin: AdmissionPlugin = {
      name: 'test-mutator',
      async admit(a) {
        if (a.object) mutate?.(a.object);
      },
      // mutating in root:a only
      mutatesNow: (cluster) => cluster === 'root:a',
    };
    registry = new Registry({ store, admission: new AdmissionChain([plugin]) });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the writer, and keeps what a plugin changed besides managedFields', async () => {
    mutate = (o) => { o.metadata.labels = { added: 'by-admission' }; };
    const c = ctx('root:a', 'creator');
    const created = await registry.create(c, configmaps, cm('one'));
    expect(created.metadata.labels).toEqual({ added: 'by-admission' });
    // recorded before admission, as kube's create handler does: the plugin's label is nobody's
    expect(created.metadata.managedFields).toEqual([{
      manager: 'creator', operation: 'Update', apiVersion: 'v1', time: '2026-12-04T10:00:00Z',
      fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:k': {} } },
    }]);
    expect(c.warnings).toEqual([]);
  });

  it('puts back managedFields a plugin left invalid, with kube\'s warning, on create and update', async () => {
    mutate = (o) => { o.metadata.managedFields = [{ manager: 'x', operation: 'Bad', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }]; };
    const c = ctx('root:a', 'creator');
    const created = await registry.create(c, configmaps, cm('two'));
    expect(created.metadata.managedFields).toMatchObject([{ manager: 'creator', operation: 'Update' }]);
    expect(c.warnings).toEqual([
      '.metadata.managedFields was in an invalid state after admission; this could be caused by an outdated mutating admission controller; please fix your requests: operation must be `Apply` or `Update`',
    ]);
    const u = ctx('root:a', 'editor');
    const updated = await registry.update(u, configmaps, 'two', {
      updatedObject: (existing) => ({ ...existing!, data: { k: 'changed' } }),
    });
    expect((updated.object.metadata.managedFields as Array<{ manager: string }>).map((e) => e.manager)).toEqual(['creator', 'editor']);
    expect(u.warnings).toHaveLength(1);
  });

  it('keeps valid managedFields a plugin wrote', async () => {
    const entry = { manager: 'webhook', operation: 'Update', apiVersion: 'v1', time: '2026-12-04T09:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:k': {} } } };
    mutate = (o) => { o.metadata.managedFields = [entry]; };
    const c = ctx('root:a', 'creator');
    const created = await registry.create(c, configmaps, cm('three'));
    expect(created.metadata.managedFields).toEqual([entry]);
    expect(c.warnings).toEqual([]);
  });
});
