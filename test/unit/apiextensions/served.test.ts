// The CRD index: which custom resources each logical cluster serves, and what is shared between
// clusters holding identical definitions (one compiled form, one interned set, one ResourceSet).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compiledCount } from '../../../src/apiextensions/compiled.js';
import { CRD_RESOURCE, CustomResourceIndex } from '../../../src/apiextensions/served.js';
import { calculateNames } from '../../../src/controllers/crd-names.js';
import { eventually } from '../../helpers/kplane.js';
import { builtinResources } from '../../../src/registry/builtin.js';
import { ResourceCatalog } from '../../../src/registry/catalog.js';
import { LevelStore } from '../../../src/storage/leveldb/store.js';
import { objectKey } from '../../../src/storage/keys.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';
import type { CustomResourceDefinition } from '../../../src/apiextensions/types.js';

function crd(group: string, plural: string, kind: string, opts: { established?: boolean; maxLength?: number } = {}): CustomResourceDefinition {
  const names = { plural, singular: plural.replace(/s$/, ''), kind, listKind: `${kind}List` };
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, uid: `${group}-${plural}` },
    spec: {
      group, scope: 'Namespaced', names,
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string', maxLength: opts.maxLength ?? 8 } } } } } },
      }],
    },
    status: opts.established === false ? {} : {
      acceptedNames: names,
      conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }],
    },
  };
}

describe('CustomResourceIndex', () => {
  let dir: string;
  let store: LevelStore;
  let catalog: ResourceCatalog;
  let index: CustomResourceIndex;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-crd-index-'));
    store = await LevelStore.open({ path: dir });
    catalog = new ResourceCatalog(builtinResources);
    index = new CustomResourceIndex(store, catalog);
    await index.start();
  });
  afterEach(async () => {
    index.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const put = (cluster: string, c: CustomResourceDefinition) =>
    store.txn([{ type: 'put', key: objectKey(CRD_RESOURCE, cluster as ClusterName, undefined, c.metadata.name!), value: c }]);
  const del = (cluster: string, name: string) =>
    store.txn([{ type: 'delete', key: objectKey(CRD_RESOURCE, cluster as ClusterName, undefined, name) }]);
  const serves = (cluster: string, group: string, resource: string) => !!catalog.forCluster(cluster as ClusterName).find(group, 'v1', resource);

  it('serves an established CRD in its own cluster only, and shares what identical definitions compile to', async () => {
    const before = compiledCount();
    await put('root:a', crd('example.com', 'widgets', 'Widget'));
    await eventually(() => serves('root:a', 'example.com', 'widgets'), 5000, 'served in a');
    expect(serves('root:b', 'example.com', 'widgets')).toBe(false);
    // a cluster without CRDs is the one shared built-in set
    expect(catalog.forCluster('root:b' as ClusterName)).toBe(catalog.builtins);

    await put('root:b', crd('example.com', 'widgets', 'Widget'));
    await eventually(() => serves('root:b', 'example.com', 'widgets'), 5000, 'served in b');
    // the same definition: one compiled form, one set, the same ResourceSet object
    expect(compiledCount() - before).toBe(1);
    expect(catalog.forCluster('root:a' as ClusterName)).toBe(catalog.forCluster('root:b' as ClusterName));
    expect(index.stats()).toMatchObject({ clusters: 2, sets: 1, servedCRDs: 1 });

    // another schema under the same names in a third cluster is its own
    await put('root:c', crd('example.com', 'widgets', 'Widget', { maxLength: 3 }));
    await eventually(() => serves('root:c', 'example.com', 'widgets'), 5000, 'served in c');
    expect(compiledCount() - before).toBe(2);
    expect(catalog.forCluster('root:c' as ClusterName)).not.toBe(catalog.forCluster('root:a' as ClusterName));
  });

  it('does not serve a CRD until it is established, and stops when it is deleted', async () => {
    await put('root:a', crd('example.com', 'gadgets', 'Gadget', { established: false }));
    await put('root:a', crd('example.com', 'markers', 'Marker'));
    await eventually(() => serves('root:a', 'example.com', 'markers'), 5000, 'marker served');
    expect(serves('root:a', 'example.com', 'gadgets')).toBe(false);

    await put('root:a', crd('example.com', 'gadgets', 'Gadget'));
    await eventually(() => serves('root:a', 'example.com', 'gadgets'), 5000, 'gadget served once established');

    const before = compiledCount();
    await del('root:a', 'gadgets.example.com');
    await del('root:a', 'markers.example.com');
    await eventually(() => !serves('root:a', 'example.com', 'gadgets') && !serves('root:a', 'example.com', 'markers'), 5000, 'gone');
    // nothing held for the cluster any more, compiled forms released
    expect(catalog.forCluster('root:a' as ClusterName)).toBe(catalog.builtins);
    expect(index.stats()).toMatchObject({ clusters: 0, sets: 0, servedCRDs: 0 });
    expect(compiledCount()).toBe(before - 2);
  });

  it('reports a change of a cluster\'s served set to who listens for it', async () => {
    const seen: string[] = [];
    const stop = catalog.onClusterChange('root:x' as ClusterName, () => seen.push('x'));
    await put('root:x', crd('example.com', 'widgets', 'Widget'));
    await put('root:y', crd('example.com', 'widgets', 'Widget'));
    await eventually(() => serves('root:y', 'example.com', 'widgets'), 5000, 'served in y');
    expect(seen).toEqual(['x']);
    stop();
    await del('root:x', 'widgets.example.com');
    await eventually(() => !serves('root:x', 'example.com', 'widgets'), 5000, 'gone from x');
    expect(seen).toEqual(['x']);
  });
});

describe('calculateNames (the naming controller)', () => {
  it('accepts fresh names, and refuses names another CRD of the group holds, keeping the accepted ones', () => {
    const a = crd('example.com', 'widgets', 'Widget');
    const fresh = calculateNames({ ...crd('example.com', 'gadgets', 'Gadget', { established: false }) }, [a]);
    expect(fresh.namesAccepted).toMatchObject({ status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
    expect(fresh.established).toMatchObject({ status: 'True', reason: 'InitialNamesAccepted' });
    expect(fresh.names).toEqual({ plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' });

    // a short name that is another CRD's plural
    const b = crd('example.com', 'gizmos', 'Gizmo', { established: false });
    b.spec.names.shortNames = ['widgets'];
    const r = calculateNames(b, [a]);
    expect(r.namesAccepted).toMatchObject({ status: 'False', reason: 'ShortNamesConflict', message: '"widgets" is already in use' });
    expect(r.established).toMatchObject({ status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    expect(r.names.shortNames).toBeUndefined();

    // the same kind in another group is no conflict
    const other = calculateNames(crd('other.io', 'widgets', 'Widget', { established: false }), [a]);
    expect(other.namesAccepted.status).toBe('True');
    // a kind taken in the group
    const c = calculateNames(crd('example.com', 'things', 'Widget', { established: false }), [a]);
    expect(c.namesAccepted).toMatchObject({ status: 'False', reason: 'ListKindConflict' });
  });
});
