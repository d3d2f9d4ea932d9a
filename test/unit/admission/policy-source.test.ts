// The policy source over a real store: a cluster's own policies, the provider's (root bindings
// labelled admission.kplane.io/scope=provider) in every other cluster, the workspace selector
// reading the labels of the cluster's top-level Workspace in root, and nothing from one tenant in
// another.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { PolicySource, rootWorkspaceLabels, topLevelWorkspace } from '../../../src/admission/policy/source.js';
import { objectKey } from '../../../src/storage/keys.js';
import { LevelStore } from '../../../src/storage/leveldb/store.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';
import { workspaces as workspacesType } from '../../../src/registry/kinds/workspaces.js';
import { eventually } from '../../helpers/kplane.js';

const G = 'admissionregistration.k8s.io';
let dir: string;
let store: LevelStore;
let source: PolicySource;
let labels: Map<string, Record<string, string>>;

async function put(resource: string, cluster: string, obj: KubeObject): Promise<void> {
  await store.txn([{ type: 'put', key: objectKey({ group: G, resource }, cluster as ClusterName, undefined, obj.metadata.name!), value: obj }]);
}
const policy = (name: string): KubeObject => ({ apiVersion: `${G}/v1`, kind: 'ValidatingAdmissionPolicy', metadata: { name, uid: name, generation: 1 }, spec: {} });
const binding = (name: string, policyName: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ apiVersion: `${G}/v1`, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name, ...meta }, spec: { policyName, validationActions: ['Deny'] } });
const names = async (cluster: string) => (await source.hooksFor(cluster)).map((h) => `${h.cluster}/${h.policy.metadata.name}:${h.bindings.map((b) => b.metadata.name).join(',')}`);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-policy-source-'));
  store = await LevelStore.open({ path: dir });
  labels = new Map();
  source = new PolicySource(store, {
    group: G, policyResource: 'validatingadmissionpolicies', bindingResource: 'validatingadmissionpolicybindings',
    workspaceLabels: async (c) => labels.get(topLevelWorkspace(c) ?? ''),
  });
  await source.start();
});

afterEach(async () => {
  source.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('policy source', () => {
  it('topLevelWorkspace names the Workspace in root of any cluster below it', () => {
    expect(topLevelWorkspace('root')).toBeUndefined();
    expect(topLevelWorkspace('root:acme')).toBe('acme');
    expect(topLevelWorkspace('root:acme:team:x')).toBe('acme');
  });

  it('rootWorkspaceLabels reads the top-level Workspace in root, never a nested one', async () => {
    const reads: string[] = [];
    const read = rootWorkspaceLabels({
      tryGet: async (type, cluster, _ns, name) => {
        reads.push(`${type.resource}:${cluster}/${name}`);
        return name === 'acme' ? { metadata: { name, labels: { tier: 'gold' } } } : undefined;
      },
    }, workspacesType);
    expect(await read('root:acme:team')).toEqual({ tier: 'gold' });
    expect(await read('root:other')).toBeUndefined();
    expect(await read('root')).toBeUndefined();
    expect(reads).toEqual(['workspaces:root/acme', 'workspaces:root/other']);
  });

  it("a tenant's policies apply in that tenant only; provider bindings from root everywhere or where the selector matches", async () => {
    await put('validatingadmissionpolicies', 'root:a', policy('own'));
    await put('validatingadmissionpolicybindings', 'root:a', binding('own-b', 'own'));
    await put('validatingadmissionpolicies', 'root', policy('classes'));
    await put('validatingadmissionpolicybindings', 'root', binding('local', 'classes'));
    await put('validatingadmissionpolicybindings', 'root', binding('everywhere', 'classes', { labels: { 'admission.kplane.io/scope': 'provider' } }));
    await put('validatingadmissionpolicybindings', 'root', binding('gold', 'classes', {
      labels: { 'admission.kplane.io/scope': 'provider' }, annotations: { 'admission.kplane.io/workspace-selector': 'tier=gold' },
    }));
    await put('validatingadmissionpolicybindings', 'root', binding('broken', 'classes', {
      labels: { 'admission.kplane.io/scope': 'provider' }, annotations: { 'admission.kplane.io/workspace-selector': '!!bad' },
    }));
    // the informers deliver the writes
    await eventually(async () => (await source.hooksFor('root'))[0]?.bindings.length === 4 && source.policy('root:a', 'own'), 5000, 'policies');
    labels.set('a', { tier: 'gold' });
    labels.set('b', { tier: 'silver' });
    expect(await names('root:a')).toEqual(['root:a/own:own-b', 'root/classes:everywhere,gold']);
    expect(await names('root:a:nested')).toEqual(['root/classes:everywhere,gold']);
    expect(await names('root:b')).toEqual(['root/classes:everywhere']);
    // an unknown workspace matches no selector
    expect(await names('root:c')).toEqual(['root/classes:everywhere']);
    // in root every binding of root is root's own
    expect(await names('root')).toEqual(['root/classes:local,everywhere,gold,broken']);
  });

  it('tells per cluster whether a policy may apply (a tenant\'s policy makes only its own writes mutable)', async () => {
    await put('validatingadmissionpolicies', 'root:a', policy('own'));
    await put('validatingadmissionpolicybindings', 'root:a', binding('own-b', 'own'));
    await eventually(() => source.mayApplyIn('root:a'), 5000, 'policy indexed');
    expect(source.mayApplyIn('root:b')).toBe(false);
    expect(source.mayApplyIn('root')).toBe(false);
    // a provider binding in root may apply anywhere
    await put('validatingadmissionpolicies', 'root', policy('classes'));
    await put('validatingadmissionpolicybindings', 'root', binding('everywhere', 'classes', { labels: { 'admission.kplane.io/scope': 'provider' } }));
    await eventually(() => source.mayApplyIn('root:b'), 5000, 'provider binding indexed');
  });
});
