import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { DownstreamClient } from '../../../src/sync/client.js';

const kubeconfig = (server: string) => toYaml({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'mgmt',
  clusters: [{ name: 'mgmt', cluster: { server, 'certificate-authority-data': Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') } }],
  users: [{ name: 'syncer', user: { token: 's3cret' } }],
  contexts: [{ name: 'mgmt', context: { cluster: 'mgmt', user: 'syncer' } }],
});

describe('DownstreamClient.serviceProxy (an imported CRD\'s conversion webhook Service)', () => {
  it('goes to the management cluster\'s API server, its service proxy path, with the syncer\'s credentials and the API server\'s CA', async () => {
    const c = await DownstreamClient.fromKubeconfig(kubeconfig('https://mgmt.example:6443'));
    const t = c.serviceProxy({ namespace: 'capi-system', name: 'capi-webhook-service', port: 443, path: '/convert' });
    expect(t.connect).toEqual({ host: 'mgmt.example', port: 6443 });
    expect(t.path).toBe('/api/v1/namespaces/capi-system/services/https:capi-webhook-service:443/proxy/convert');
    expect(t.serverName).toBe('mgmt.example');
    expect(t.headers).toEqual({ Authorization: 'Bearer s3cret' });
    expect(t.ca).toContain('BEGIN CERTIFICATE');
    c.close();
  });
  it('keeps the path of a server behind a proxy', async () => {
    const c = await DownstreamClient.fromKubeconfig(kubeconfig('https://rancher.example/k8s/clusters/c-1'));
    expect(c.serviceProxy({ namespace: 'n', name: 's', port: 9443, path: '' }).path).toBe('/k8s/clusters/c-1/api/v1/namespaces/n/services/https:s:9443/proxy');
    c.close();
  });
});

describe('Syncer.resolveService: only the Service a published CRD\'s own conversion webhook names', () => {
  it('routes that CRD\'s calls, and nothing else', async () => {
    const { Syncer } = await import('../../../src/sync/syncer.js');
    const client = await DownstreamClient.fromKubeconfig(kubeconfig('https://mgmt.example:6443'));
    const sync = { crdName: 'clusters.cluster.x-k8s.io', client, conversionService: () => ({ namespace: 'capi-system', name: 'capi-webhook-service', port: 443 }) };
    const self = { allSyncs: () => [sync] };
    const resolve = (ref: { namespace: string; name: string; port: number; path: string }, crd?: string) => Syncer.prototype.resolveService.call(self as never, ref, crd ? { crd } : undefined);
    const ref = { namespace: 'capi-system', name: 'capi-webhook-service', port: 443, path: '/convert' };
    expect(await resolve(ref, 'clusters.cluster.x-k8s.io')).toMatchObject({ connect: { host: 'mgmt.example', port: 6443 } });
    // a tenant's own CRD naming the provider's Service, another Service, another port: not routed
    expect(resolve(ref, 'widgets.tenant.example')).toBeUndefined();
    expect(resolve(ref)).toBeUndefined();
    expect(resolve({ ...ref, name: 'other' }, 'clusters.cluster.x-k8s.io')).toBeUndefined();
    expect(resolve({ ...ref, port: 9443 }, 'clusters.cluster.x-k8s.io')).toBeUndefined();
    client.close();
  });
});
