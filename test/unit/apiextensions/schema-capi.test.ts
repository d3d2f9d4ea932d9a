// Cluster API v1.14's real CRDs (read from the Go module cache, never committed) through the schema
// engine: every version compiles, is structural and passes the v1 CRD schema checks; v1beta2 objects
// are pruned, defaulted and validated with the answers kube-apiserver v1.34 gave (recorded with
// dry-run creates of the same objects; kube's CEL rules are not part of this module, and kube
// orders sibling fields' errors at random, so lists compare as sets).

import { describe, expect, it } from 'vitest';
import { compileSchema, nonStructuralErrors, unrecognizedFormatWarnings, validateCRDSchema, type CompiledSchema } from '../../../src/apiextensions/schema/index.js';
import type { CustomResourceDefinition } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';
import { CAPI_CRD_DIRS, capiFiles, readObjects } from '../../helpers/capi.js';

const crds = CAPI_CRD_DIRS.flatMap((d) => capiFiles(`${d}/*.yaml`)).flatMap(readObjects) as unknown as CustomResourceDefinition[];
const byKind = new Map(crds.map((c) => [c.spec.names.kind, c]));

const compiledCache = new Map<string, CompiledSchema>();
function schemaOf(kind: string, version = 'v1beta2'): CompiledSchema {
  const key = `${kind}/${version}`;
  let c = compiledCache.get(key);
  if (!c) {
    const v = byKind.get(kind)!.spec.versions.find((x) => x.name === version)!;
    c = compileSchema(v.schema!.openAPIV3Schema!);
    compiledCache.set(key, c);
  }
  return c;
}

function create(obj: Record<string, unknown>): { errors: string[]; unknown: string[]; obj: Record<string, unknown> } {
  const o = structuredClone(obj);
  const s = schemaOf(o.kind as string, (o.apiVersion as string).split('/')[1]);
  const unknown = s.prune(o);
  s.applyDefaults(o);
  return { errors: s.validate(o).map(fieldErrorString).sort(), unknown, obj: o };
}

describe('Cluster API CRDs', () => {
  it('are all read (core, kubeadm bootstrap, kubeadm control plane)', () => {
    expect(crds.length).toBeGreaterThanOrEqual(17);
    expect(byKind.has('Cluster') && byKind.has('KubeadmConfig') && byKind.has('KubeadmControlPlane')).toBe(true);
  });
  for (const crd of crds) {
    it(`${crd.metadata.name}: every version is structural, valid as a v1 CRD schema, and compiles`, () => {
      crd.spec.versions.forEach((v, i) => {
        const s = v.schema!.openAPIV3Schema!;
        const base = `spec.versions[${i}].schema.openAPIV3Schema`;
        expect(nonStructuralErrors(s, base).map(fieldErrorString)).toEqual([]);
        expect(validateCRDSchema(s, base, { statusEnabled: !!v.subresources?.status }).map(fieldErrorString)).toEqual([]);
        expect(unrecognizedFormatWarnings(s)).toEqual([]);
        const c = compileSchema(s);
        expect(c.schemaNode.type).toBe('object');
      });
    });
  }
});

const cluster = {
  apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'ok1', namespace: 'default' },
  spec: {
    clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, serviceDomain: 'cluster.local' },
    controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KubeadmControlPlane', name: 'ok1-cp' },
    infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerCluster', name: 'ok1' },
  },
};

const machineDeployment = {
  apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'MachineDeployment', metadata: { name: 'md-ok', namespace: 'default' },
  spec: {
    clusterName: 'c1', replicas: 3, selector: { matchLabels: { a: 'b' } },
    template: {
      metadata: { labels: { a: 'b' } },
      spec: {
        clusterName: 'c1', version: 'v1.31.0',
        bootstrap: { configRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 't' } },
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 't' },
      },
    },
  },
};

const clusterClass = {
  apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'ClusterClass', metadata: { name: 'cc-ok', namespace: 'default' },
  spec: {
    controlPlane: { templateRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlaneTemplate', name: 'cp' } },
    infrastructure: { templateRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerClusterTemplate', name: 'dc' } },
    workers: {
      machineDeployments: [{
        class: 'default-worker',
        bootstrap: { templateRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfigTemplate', name: 'b' } },
        infrastructure: { templateRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'm' } },
      }],
    },
    variables: [{ name: 'imageRepository', required: true, schema: { openAPIV3Schema: { type: 'string', default: 'registry.k8s.io', example: 'x' } } }],
  },
};

describe('v1beta2 objects as kube-apiserver answered them', () => {
  it('accepts valid Cluster, MachineDeployment and ClusterClass objects unchanged', () => {
    for (const o of [cluster, machineDeployment, clusterClass]) {
      const r = create(o);
      expect(r.errors).toEqual([]);
      expect(r.unknown).toEqual([]);
      expect(r.obj.spec).toEqual(o.spec);
    }
  });

  it('refuses a bad Cluster with kube\'s schema errors and reports its unknown field', () => {
    const r = create({
      ...cluster, metadata: { name: 'bad1', namespace: 'default' },
      spec: {
        clusterNetwork: { apiServerPort: 70000, pods: {}, serviceDomain: '' },
        controlPlaneRef: { apiGroup: 'Bad_Group', kind: '1KubeadmControlPlane', name: 'x' },
        infrastructureRef: { kind: 'DockerCluster', name: 'ok1' }, paused: 'yes', unknownField: 1,
      },
    });
    expect(r.unknown).toEqual(['spec.unknownField']);
    expect(r.errors).toEqual([
      "spec.controlPlaneRef.apiGroup: Invalid value: \"Bad_Group\": spec.controlPlaneRef.apiGroup in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
      "spec.controlPlaneRef.kind: Invalid value: \"1KubeadmControlPlane\": spec.controlPlaneRef.kind in body should match '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'",
      'spec.infrastructureRef.apiGroup: Required value',
      'spec.paused: Invalid value: "string": spec.paused in body must be of type boolean: "string"',
      'spec.clusterNetwork.pods.cidrBlocks: Required value',
      'spec.clusterNetwork.serviceDomain: Invalid value: "": spec.clusterNetwork.serviceDomain in body should be at least 1 chars long',
      'spec.clusterNetwork.apiServerPort: Invalid value: 70000: spec.clusterNetwork.apiServerPort in body should be less than or equal to 65535',
    ].sort());
  });

  it('refuses duplicate map-list keys, enums and wrong types in a Cluster', () => {
    expect(create({
      ...cluster,
      spec: { availabilityGates: [{ conditionType: 'A' }, { conditionType: 'A', polarity: 'Weird' }], controlPlaneEndpoint: { host: 'h', port: '443' } },
    }).errors).toEqual([
      'spec.availabilityGates[1].polarity: Unsupported value: "Weird": supported values: "Positive", "Negative"',
      'spec.controlPlaneEndpoint.port: Invalid value: "string": spec.controlPlaneEndpoint.port in body must be of type integer: "string"',
      'spec.availabilityGates[1]: Duplicate value: {"conditionType":"A"}',
    ].sort());
    expect(create({ ...cluster, spec: {} }).errors).toEqual(['spec: Invalid value: 0: spec in body should have at least 1 properties']);
    expect(create({
      ...cluster,
      spec: {
        topology: {
          classRef: { name: 'cc' }, version: 'v1.31.0', controlPlane: { replicas: 3, metadata: { labels: { a: 'b' } } },
          workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: '3' }, { class: 'default-worker', name: 'md-0' }] },
          variables: [{ name: 'v', value: { any: 'thing' } }],
        },
      },
    }).errors).toEqual([
      'spec.topology.workers.machineDeployments[0].replicas: Invalid value: "string": spec.topology.workers.machineDeployments[0].replicas in body must be of type integer: "string"',
      'spec.topology.workers.machineDeployments[1]: Duplicate value: {"name":"md-0"}',
    ].sort());
  });

  it('refuses a bad MachineDeployment (int-or-string, enums, nested minProperties)', () => {
    const r = create({
      ...machineDeployment,
      spec: {
        clusterName: '', replicas: -1, selector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'Maybe' }] },
        rollout: { strategy: { type: 'Sideways', rollingUpdate: { maxSurge: true } } },
        template: {
          metadata: {},
          spec: { clusterName: 'c1', bootstrap: {}, infrastructureRef: { apiGroup: 'x', kind: 'K', name: 'n' }, minReadySeconds: '10', extra: 1 },
        },
      },
    });
    expect(r.unknown).toEqual(['spec.template.spec.extra']);
    // kube adds `.spec.replicas: Invalid value: -1: should be a non-negative integer` (the scale subresource's check)
    expect(r.errors).toEqual([
      'spec.rollout.strategy.rollingUpdate.maxSurge: Invalid value: "boolean": spec.rollout.strategy.rollingUpdate.maxSurge in body must be of type integer,string: "boolean"',
      '<nil>: Invalid value: "": "spec.rollout.strategy.rollingUpdate.maxSurge" must validate at least one schema (anyOf)',
      'spec.rollout.strategy.rollingUpdate.maxSurge: Invalid value: "boolean": spec.rollout.strategy.rollingUpdate.maxSurge in body must be of type integer: "boolean"',
      'spec.rollout.strategy.type: Unsupported value: "Sideways": supported values: "RollingUpdate", "OnDelete"',
      'spec.template.metadata: Invalid value: 0: spec.template.metadata in body should have at least 1 properties',
      'spec.template.spec.minReadySeconds: Invalid value: "string": spec.template.spec.minReadySeconds in body must be of type integer: "string"',
      'spec.clusterName: Invalid value: "": spec.clusterName in body should be at least 1 chars long',
    ].sort());
  });

  it('refuses a bad ClusterClass', () => {
    expect(create({
      ...clusterClass,
      spec: {
        controlPlane: { templateRef: { apiVersion: 'cp/v1/x', kind: 'K', name: 'cp' } },
        infrastructure: {},
        workers: { machineDeployments: [{ class: 'a' }, { class: 'a' }] },
        variables: [{ name: 'v', required: 'yes', schema: { openAPIV3Schema: { type: 'string', 'x-kubernetes-preserve-unknown-fields': 'x' } } }],
      },
    }).errors).toEqual([
      'spec.variables[0].required: Invalid value: "string": spec.variables[0].required in body must be of type boolean: "string"',
      'spec.variables[0].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields: Invalid value: "string": spec.variables[0].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields in body must be of type boolean: "string"',
      'spec.workers.machineDeployments[0].bootstrap: Required value',
      'spec.workers.machineDeployments[0].infrastructure: Required value',
      'spec.workers.machineDeployments[1].bootstrap: Required value',
      'spec.workers.machineDeployments[1].infrastructure: Required value',
      "spec.controlPlane.templateRef.apiVersion: Invalid value: \"cp/v1/x\": spec.controlPlane.templateRef.apiVersion in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[a-z]([-a-z0-9]*[a-z0-9])?$'",
      'spec.infrastructure.templateRef: Required value',
      'spec.workers.machineDeployments[1]: Duplicate value: {"class":"a"}',
    ].sort());
  });

  it('refuses a KubeadmControlPlane with an unknown format enum', () => {
    expect(create({
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlane', metadata: { name: 'kcp', namespace: 'default' },
      spec: {
        replicas: 3, version: 'v1.31.0',
        machineTemplate: { spec: { infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 'm' } } },
        kubeadmConfigSpec: { files: [{ path: '/x', content: 'c', permissions: '0644' }], format: 'weird' },
      },
    }).errors).toEqual(['spec.kubeadmConfigSpec.format: Unsupported value: "weird": supported values: "cloud-config", "ignition"']);
  });
});

describe('cost', () => {
  it('validates, prunes and defaults a typical Cluster in well under a millisecond', () => {
    const s = schemaOf('Cluster');
    const obj = {
      ...cluster,
      spec: {
        ...cluster.spec,
        topology: {
          classRef: { name: 'cc' }, version: 'v1.31.0', controlPlane: { replicas: 3, metadata: { labels: { a: 'b' } } },
          workers: { machineDeployments: [{ class: 'default-worker', name: 'md-0', replicas: 3 }, { class: 'default-worker', name: 'md-1', replicas: 2 }] },
          variables: [{ name: 'v', value: { any: 'thing' } }],
        },
      },
    };
    const run = () => {
      const o = structuredClone(obj);
      s.prune(o);
      s.applyDefaults(o);
      return s.validate(o);
    };
    for (let i = 0; i < 200; i++) run(); // warm up the JIT
    const n = 2000;
    let errors = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) errors += run().length;
    const perCall = (performance.now() - t0) / n;
    expect(errors).toBe(0);
    console.log(`Cluster v1beta2 prune+default+validate: ${(perCall * 1000).toFixed(1)} µs per object`);
    expect(perCall).toBeLessThan(0.5);
  });
});
