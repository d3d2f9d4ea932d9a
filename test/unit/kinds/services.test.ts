import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { clusterIPFor } from '../../../src/registry/kinds/_servicealloc.js';
import { endpoints, endpointsCell } from '../../../src/registry/kinds/endpoints.js';
import { endpointslices } from '../../../src/registry/kinds/endpointslices.js';
import { services } from '../../../src/registry/kinds/services.js';
import { decodeObject, encodeObject } from '../../../src/protobuf/index.js';
import { kubernetesEndpointsBodies, kubernetesServiceBody, selfAddress } from '../../../src/tenancy/bootstrap.js';
import type { ClusterName } from '../../../src/tenancy/logicalcluster.js';
import { NOW, ctx, errs } from './helpers.js';

const s = services.strategy;
const c = ctx('ns1');
const svc = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({ metadata: { name, namespace: 'ns1' }, spec });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const specOf = (o: KubeObject): Record<string, any> => o.spec as Record<string, any>;

/** Decode defaults, the create preparation (allocation) and validation, as the store runs them. */
function create(o: KubeObject, cx = c): { obj: KubeObject; errors: string[] } {
  s.applyDefaults!(o);
  s.prepareForCreate!(o, cx);
  const errors = errs(s.validate(o, cx));
  s.canonicalize!(o);
  return { obj: o, errors };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return e.status.message ?? '';
    throw e;
  }
  throw new Error('not refused');
}

describe('services: API metadata', () => {
  it('matches kube discovery', () => {
    expect(services).toMatchObject({
      group: '', version: 'v1', resource: 'services', kind: 'Service', shortNames: ['svc'], categories: ['all'],
      namespaced: true, subresources: ['status'], schemaName: 'io.k8s.api.core.v1.Service',
    });
    expect(endpoints).toMatchObject({ resource: 'endpoints', kind: 'Endpoints', singularName: 'endpoints', shortNames: ['ep'] });
    expect(endpointslices).toMatchObject({ group: 'discovery.k8s.io', resource: 'endpointslices', kind: 'EndpointSlice' });
  });
});

describe('services: defaults and allocation', () => {
  it('defaults a ClusterIP Service as kube does and gives it a stable address in 10.96.0.0/12', () => {
    const { obj, errors } = create(svc({ selector: { app: 'x' }, ports: [{ port: 80 }] }));
    expect(errors).toEqual([]);
    const ip = clusterIPFor('root', 'ns1', 'web');
    expect(obj.spec).toEqual({
      ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], selector: { app: 'x' }, clusterIP: ip, clusterIPs: [ip],
      type: 'ClusterIP', sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
    });
    expect(obj.status).toEqual({ loadBalancer: {} });
    // the same Service gets the same address; another cluster or name, another one
    expect(specOf(create(svc({ ports: [{ port: 80 }] })).obj).clusterIP).toBe(ip);
    expect(specOf(create(svc({ ports: [{ port: 80 }] }), ctx('ns1', 'root:acme' as ClusterName)).obj).clusterIP).not.toBe(ip);
  });

  it('never hands out the network, broadcast or the kubernetes Service address', () => {
    for (let i = 0; i < 3000; i++) {
      const ip = clusterIPFor('root', 'ns', `s${i}`);
      const [a, b, x, y] = ip.split('.').map(Number) as [number, number, number, number];
      expect(a).toBe(10);
      expect(b >= 96 && b <= 111).toBe(true);
      expect(ip).not.toBe('10.96.0.1');
      expect(ip).not.toBe('10.96.0.0');
      expect(ip).not.toBe('10.111.255.255');
      expect(x <= 255 && y <= 255).toBe(true);
    }
  });

  it('keeps headless None, makes headless selectorless Services dual-stack, leaves ExternalName without IPs', () => {
    expect(create(svc({ clusterIP: 'None', selector: { a: 'b' }, ports: [{ port: 80 }] })).obj.spec).toMatchObject({
      clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
    });
    expect(create(svc({ clusterIP: 'None' })).obj.spec).toMatchObject({ ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });
    const ext = create(svc({ type: 'ExternalName', externalName: 'db.example.com' }));
    expect(ext.errors).toEqual([]);
    expect(ext.obj.spec).toEqual({ type: 'ExternalName', sessionAffinity: 'None', externalName: 'db.example.com' });
  });

  it('gives NodePort and LoadBalancer ports node ports in 30000-32767, distinct within the Service', () => {
    const { obj, errors } = create(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }));
    expect(errors).toEqual([]);
    const ports = (specOf(obj).ports as { nodePort: number }[]).map((p) => p.nodePort);
    const hc = specOf(obj).healthCheckNodePort as number;
    for (const p of [...ports, hc]) expect(p >= 30000 && p <= 32767).toBe(true);
    expect(new Set([...ports, hc]).size).toBe(3);
    expect(obj.spec).toMatchObject({ allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Local' });
    expect(refusal(() => create(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }))))
      .toBe('Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('refuses what a single-stack IPv4 cluster cannot serve, before validation (kube\'s allocator)', () => {
    expect(refusal(() => create(svc({ ipFamilies: ['IPv6'], ports: [{ port: 80 }] }))))
      .toBe('Service "web" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
    expect(refusal(() => create(svc({ ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] }))))
      .toBe('Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
    expect(refusal(() => create(svc({ clusterIP: '10.96.0.1', ports: [{ port: 80 }] }))))
      .toBe('Service "web" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.1"]: failed to allocate IP 10.96.0.1: provided IP is already allocated');
    expect(create(svc({ clusterIP: '10.100.0.7', ports: [{ port: 80 }] })).obj.spec).toMatchObject({ clusterIP: '10.100.0.7', clusterIPs: ['10.100.0.7'] });
  });
});

describe('services: validation', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a port out of range', { ports: [{ port: 0 }] }, [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]],
    ['an unknown type', { type: 'Magic', ports: [{ port: 80 }] }, [
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]],
    ['duplicate ports and names', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }, { name: 'a', port: 81 }] }, [
      'spec.ports[2].name: Duplicate value: "a"',
      'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}',
    ]],
    ['unnamed ports of a multi-port Service', { ports: [{ port: 80 }, { name: 'b', port: 81 }] }, ['spec.ports[0].name: Required value']],
    ['no ports', { selector: { a: 'b' } }, ['spec.ports: Required value']],
    ['a nodePort on a ClusterIP Service', { ports: [{ port: 80, nodePort: 30080 }] }, [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]],
    ['an ExternalName Service without a name', { type: 'ExternalName' }, ['spec.externalName: Required value']],
    ['bad affinity and traffic policies', { sessionAffinity: 'Sticky', ports: [{ port: 80 }], externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Nowhere' }, [
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
      'spec.internalTrafficPolicy: Unsupported value: "Nowhere": supported values: "Cluster", "Local"',
    ]],
  ])('refuses %s', (_what, spec, expected) => {
    expect(create(svc(spec)).errors).toEqual(expected);
  });

  it('keeps allocated values on update and refuses a changed cluster IP', () => {
    const old = create(svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] })).obj;
    const next = svc({ type: 'NodePort', selector: { app: 'y' }, ports: [{ name: 'http', port: 80 }] });
    s.applyDefaults!(next);
    s.prepareForUpdate!(next, old, c);
    expect(next.spec).toMatchObject({ clusterIP: specOf(old).clusterIP, ports: [{ nodePort: specOf(old).ports[0].nodePort }] });
    expect(errs(s.validateUpdate(next, old, c))).toEqual([]);
    const moved = svc({ ...old.spec as Record<string, unknown>, clusterIP: '10.100.0.9', clusterIPs: ['10.100.0.9'] });
    s.applyDefaults!(moved);
    s.prepareForUpdate!(moved, old, c);
    expect(errs(s.validateUpdate(moved, old, c))).toEqual(['spec.clusterIPs[0]: Invalid value: ["10.100.0.9"]: may not change once set']);
  });

  it('sheds type-dependent values when the type changes to ExternalName', () => {
    const old = create(svc({ ports: [{ port: 80 }] })).obj;
    const next = svc({ ...old.spec as Record<string, unknown>, type: 'ExternalName', externalName: 'example.com' });
    s.applyDefaults!(next);
    s.prepareForUpdate!(next, old, c);
    expect(errs(s.validateUpdate(next, old, c))).toEqual([]);
    expect(next.spec).not.toHaveProperty('clusterIP');
    expect(next.spec).not.toHaveProperty('ipFamilies');
    expect(next.spec).not.toHaveProperty('internalTrafficPolicy');
  });
});

describe('services: table', () => {
  it('prints NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR like kubectl', () => {
    const t = s.table!;
    expect(t.columns.map((col) => col.name)).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    expect(t.columns[6]!.priority).toBe(1);
    const base = { name: 'a', creationTimestamp: '2024-05-01T11:59:00Z' };
    expect(t.cells({ metadata: base, spec: { type: 'NodePort', clusterIPs: ['10.96.3.4'], ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } } }, NOW))
      .toEqual(['a', 'NodePort', '10.96.3.4', '<none>', '80:30001/TCP,53/UDP', '60s', 'a=1,b=2']);
    expect(t.cells({ metadata: base, spec: { type: 'LoadBalancer', clusterIPs: ['10.96.3.5'] }, status: { loadBalancer: {} } }, NOW).slice(2, 5))
      .toEqual(['10.96.3.5', '<pending>', '<none>']);
    expect(t.cells({ metadata: base, spec: { type: 'ExternalName', externalName: 'x.example.com' } }, NOW).slice(2, 4)).toEqual(['<none>', 'x.example.com']);
  });
});

describe('endpoints and endpointslices', () => {
  it('validates Endpoints addresses and ports as kube does', () => {
    const ep: KubeObject = { metadata: { name: 'e', namespace: 'ns1' }, subsets: [{ ports: [{ port: 80 }] }, { addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 0, protocol: 'ICMP' }] }] };
    endpoints.strategy.applyDefaults!(ep);
    expect(errs(endpoints.strategy.validate(ep, c))).toEqual([
      'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
      'subsets[1].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[1].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'subsets[1].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expect(endpoints.warnings).toEqual(['v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice']);
  });

  it('prints at most three endpoints, then how many more', () => {
    const addresses = ['192.0.2.1', '192.0.2.2'].map((ip) => ({ ip }));
    expect(endpointsCell({ metadata: {}, subsets: [{ addresses, ports: [{ port: 80 }, { port: 81 }] }] })).toBe('192.0.2.1:80,192.0.2.2:80,192.0.2.1:81 + 1 more...');
    expect(endpointsCell({ metadata: {} })).toBe('<none>');
  });

  it('defaults EndpointSlice ports, starts generation at 1, and keeps the address type', () => {
    const es = endpointslices.strategy;
    const slice: KubeObject = { metadata: { name: 's', namespace: 'ns1' }, addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.1'] }], ports: [{ port: 80 }] };
    es.applyDefaults!(slice);
    es.prepareForCreate!(slice, c);
    expect(errs(es.validate(slice, c))).toEqual([]);
    es.canonicalize!(slice);
    expect(slice).toMatchObject({ metadata: { generation: 1 }, endpoints: [{ addresses: ['192.0.2.1'], conditions: {} }], ports: [{ name: '', protocol: 'TCP', port: 80 }] });
    const changed = structuredClone(slice);
    changed.addressType = 'IPv6';
    es.prepareForUpdate!(changed, slice, c);
    expect(changed.metadata.generation).toBe(2);
    expect(errs(es.validateUpdate(changed, slice, c))).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
    expect(errs(es.validate({ metadata: { name: 'x' }, addressType: 'IPv4', endpoints: [{ addresses: ['2001:db8::1', 'nope'] }] }, c))).toEqual([
      'endpoints[0].addresses: Invalid value: "2001:db8::1": must be an IPv4 address',
      'endpoints[0].addresses[1]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });
});

describe('the kubernetes Service templates', () => {
  it('point at the host and port of kplane\'s URL', () => {
    expect(selfAddress('https://127.0.0.1:6443')).toEqual({ address: '127.0.0.1', port: 6443, type: 'IPv4' });
    expect(selfAddress('https://[::1]:6443')).toEqual({ address: '::1', port: 6443, type: 'IPv6' });
    expect(selfAddress('https://kplane.example.com')).toEqual({ address: 'kplane.example.com', port: 443, type: 'FQDN' });
    const named = kubernetesEndpointsBodies('https://kplane.example.com:8443');
    expect(named.endpoints.subsets).toBeUndefined();
    expect(named.slice).toMatchObject({ addressType: 'FQDN', endpoints: [{ addresses: ['kplane.example.com'] }], ports: [{ port: 8443 }] });
  });
});

describe('services, endpoints, endpointslices: protobuf', () => {
  it('round-trips every field kube serves (kubectl and client-go send protobuf for built-in kinds)', () => {
    const full = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'd' },
      spec: {
        ports: [{ name: 'a', protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 'web', nodePort: 30001 }], selector: { a: 'b' },
        clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], type: 'LoadBalancer', externalIPs: ['192.0.2.4'], sessionAffinity: 'ClientIP',
        loadBalancerSourceRanges: ['192.0.2.0/24'], externalTrafficPolicy: 'Local', healthCheckNodePort: 30002, publishNotReadyAddresses: true,
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        allocateLoadBalancerNodePorts: true, loadBalancerClass: 'x/y', internalTrafficPolicy: 'Cluster', trafficDistribution: 'PreferClose',
      },
      status: {
        loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP', error: 'E' }] }] },
        conditions: [{ type: 'A', status: 'True', observedGeneration: 2, lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'R', message: 'm' }],
      },
    };
    const { endpoints: ep, slice } = kubernetesEndpointsBodies('https://127.0.0.1:6443');
    for (const o of [full, kubernetesServiceBody(6443), ep, slice]) {
      const back = decodeObject(encodeObject(o), { apiVersion: o.apiVersion!, kind: o.kind! }).object;
      expect(back).toEqual(o);
      // field order too: kube's JSON prints Go struct order
      const body = (x: Record<string, unknown>) => JSON.stringify(x.spec ?? x.subsets ?? x.ports);
      expect(body(back)).toBe(body(o as Record<string, unknown>));
    }
  });
});
