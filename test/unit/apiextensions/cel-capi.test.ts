// Cluster API v1.14's real CRDs (read from the Go module cache, never committed) through the CEL
// compiler: every version's rules compile within kube's cost limits, and v1beta2 objects that
// break them get the errors kube-apiserver v1.34 gave for the same dry-run creates (only the CEL
// errors: the schema's own, like a list-type=set Duplicate, are the schema module's).

import { describe, expect, it } from 'vitest';
import { compileValidations, type CelValidator } from '../../../src/apiextensions/cel/index.js';
import { compileSchema } from '../../../src/apiextensions/schema/index.js';
import type { CustomResourceDefinition } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';
import { CAPI_CRD_DIRS, capiFiles, readObjects } from '../../helpers/capi.js';

const crds = CAPI_CRD_DIRS.flatMap((d) => capiFiles(`${d}/*.yaml`)).flatMap(readObjects) as unknown as CustomResourceDefinition[];

function validator(kind: string, version = 'v1beta2'): CelValidator {
  const crd = crds.find((c) => c.spec.names.kind === kind)!;
  const v = crd.spec.versions.find((x) => x.name === version)!;
  return compileValidations(v.schema!.openAPIV3Schema!, { basePath: 'x' }).validator!;
}

describe('Cluster API CRDs', () => {
  it('every version of every CRD compiles without errors', () => {
    let rules = 0;
    for (const crd of crds) {
      crd.spec.versions.forEach((v, i) => {
        const r = compileValidations(v.schema!.openAPIV3Schema!, { basePath: `spec.versions[${i}].schema.openAPIV3Schema` });
        expect(r.errors.map(fieldErrorString), `${crd.metadata.name} ${v.name}`).toEqual([]);
        rules += JSON.stringify(v.schema).split('"rule":').length - 1;
      });
    }
    expect(crds.length).toBeGreaterThanOrEqual(17);
    expect(rules).toBeGreaterThan(50);
  });

  it('KubeadmConfig: unique extraArgs names, one disk layout, GPT partition types', () => {
    const obj = {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfig', metadata: { name: 'kc', namespace: 'default' },
      spec: {
        clusterConfiguration: { apiServer: { extraArgs: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] } },
        initConfiguration: { nodeRegistration: { kubeletExtraArgs: [{ name: 'x', value: '1' }, { name: 'x', value: '1' }] } },
        diskSetup: { partitions: [{ device: '/dev/sda', layout: true, diskLayout: [{ percentage: 50, partitionType: 'Bogus' }] }, { device: '/dev/sdb' }] },
      },
    };
    // kube walks the properties of an object in Go's map order; these come sorted
    expect(validator('KubeadmConfig').validate(obj, undefined).map(fieldErrorString)).toEqual([
      'spec.clusterConfiguration.apiServer.extraArgs: Invalid value: "array": extraArgs name must be unique',
      'spec.diskSetup.partitions[0]: Invalid value: "object": exactly one of the fields in [layout diskLayout] must be set',
      'spec.diskSetup.partitions[0].diskLayout[0].partitionType: Invalid value: "string": partitionType must be one of Linux, LinuxSwap, LinuxRAID, LVM, Fat32, NTFS, LinuxExtended or a full GPT partition GUID',
      'spec.diskSetup.partitions[1]: Invalid value: "object": exactly one of the fields in [layout diskLayout] must be set',
      'spec.initConfiguration.nodeRegistration.kubeletExtraArgs: Invalid value: "array": kubeletExtraArgs name must be unique',
    ]);
  });

  it('MachineDrainRule: unique machines and pods entries', () => {
    const obj = {
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'MachineDrainRule', metadata: { name: 'mdr', namespace: 'default' },
      spec: {
        drain: { behavior: 'Skip' },
        machines: [{ selector: { matchLabels: { a: 'b' } } }, { selector: { matchLabels: { a: 'b' } } }],
        pods: [{ selector: {} }, { selector: {} }],
      },
    };
    expect(validator('MachineDrainRule').validate(obj, undefined).map(fieldErrorString)).toEqual([
      'spec.machines: Invalid value: "array": entries in machines must be unique',
      'spec.pods: Invalid value: "array": entries in pods must be unique',
    ]);
  });

  it('MachineHealthCheck: condition types Cluster API owns are refused', () => {
    const obj = {
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'MachineHealthCheck', metadata: { name: 'mhc', namespace: 'default' },
      spec: {
        clusterName: 'c', selector: {},
        checks: { unhealthyMachineConditions: [{ type: 'Ready', status: 'False', timeoutSeconds: 10 }, { type: 'Mine', status: 'False', timeoutSeconds: 10 }] },
      },
    };
    expect(validator('MachineHealthCheck').validate(obj, undefined).map(fieldErrorString)).toEqual([
      'spec.checks.unhealthyMachineConditions[0].type: Invalid value: "string": type must not be one of: Ready, Available, HealthCheckSucceeded, OwnerRemediated, ExternallyRemediated',
    ]);
  });

  it('Cluster, ClusterClass, KubeadmControlPlane (defaults applied first, as the strategy does)', () => {
    const errs = (obj: Record<string, unknown>) => {
      const crd = crds.find((c) => c.spec.names.kind === obj.kind)!;
      const s = crd.spec.versions.find((x) => x.name === 'v1beta2')!.schema!.openAPIV3Schema!;
      compileSchema(s).applyDefaults(obj);
      return compileValidations(s, { basePath: 'x' }).validator!.validate(obj, undefined).map(fieldErrorString);
    };
    const T = 'Invalid value: "string": type must not be one of: Ready, Available, HealthCheckSucceeded, OwnerRemediated, ExternallyRemediated';
    const cond = (type: string) => ({ healthCheck: { checks: { unhealthyMachineConditions: [{ type, status: 'False', timeoutSeconds: 5 }] } } });
    expect(errs({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'c1', namespace: 'default' },
      spec: { topology: { classRef: { name: 'cc' }, version: 'v1.30.0', controlPlane: cond('Available'), workers: { machineDeployments: [{ class: 'a', name: 'md1', ...cond('OwnerRemediated') }] } } },
    })).toEqual([
      `spec.topology.controlPlane.healthCheck.checks.unhealthyMachineConditions[0].type: ${T}`,
      `spec.topology.workers.machineDeployments[0].healthCheck.checks.unhealthyMachineConditions[0].type: ${T}`,
    ]);
    expect(errs({
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'ClusterClass', metadata: { name: 'cc', namespace: 'default' },
      spec: {
        infrastructure: { templateRef: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerClusterTemplate', name: 't' } },
        controlPlane: { templateRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlaneTemplate', name: 't' }, ...cond('HealthCheckSucceeded') },
      },
    })).toEqual([`spec.controlPlane.healthCheck.checks.unhealthyMachineConditions[0].type: ${T}`]);
    expect(errs({
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlane', metadata: { name: 'kcp', namespace: 'default' },
      spec: {
        version: 'v1.30.0', machineTemplate: { spec: { infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DockerMachineTemplate', name: 't' } } },
        kubeadmConfigSpec: { clusterConfiguration: { scheduler: { extraArgs: [{ name: 'v', value: '1' }, { name: 'v', value: '2' }] }, etcd: { local: { extraArgs: [{ name: 'a', value: '1' }, { name: 'a', value: '1' }] } } } },
      },
    })).toEqual([
      'spec.kubeadmConfigSpec.clusterConfiguration.etcd.local.extraArgs: Invalid value: "array": extraArgs name must be unique',
      'spec.kubeadmConfigSpec.clusterConfiguration.scheduler.extraArgs: Invalid value: "array": extraArgs name must be unique',
    ]);
  });

  it('valid objects pass', () => {
    const kc = {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfig', metadata: { name: 'kc', namespace: 'default' },
      spec: {
        clusterConfiguration: { apiServer: { extraArgs: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] } },
        diskSetup: { partitions: [{ device: '/dev/sda', layout: true }, { device: '/dev/sdb', diskLayout: [{ percentage: 50, partitionType: 'LVM' }] }] },
      },
    };
    expect(validator('KubeadmConfig').validate(kc, undefined)).toEqual([]);
  });
});
