// coordination.k8s.io/v1 Lease (pkg/registry/coordination/lease, pkg/apis/coordination/validation).
// The CoordinatedLeaderElection feature gate is off in kube v1.34 (beta, default false): the
// strategy drops spec.strategy / spec.preferredHolder unless the stored lease already has them.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import { decodeError, ensureObj, isObj, normalizeTimeField, objAt, orderKeys, strAt } from './_util.js';

const VALID_LEASE_STRATEGIES = ['OldestEmulationVersion'];
const SPEC_KEYS = ['holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions', 'strategy', 'preferredHolder'];

/** ValidateCoordinatedLeaseStrategy (kube appends "strategy" to a path already ending in it). */
function validateCoordinatedLeaseStrategy(strategy: string, path: string): FieldError[] {
  const p = `${path}.strategy`;
  if (!strategy.includes('/')) {
    return VALID_LEASE_STRATEGIES.includes(strategy) ? [] : [field.notSupported(p, strategy, VALID_LEASE_STRATEGIES)];
  }
  return isQualifiedName(strategy).map((msg) => field.invalid(p, strategy, msg));
}

function validateLeaseSpec(lease: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = objAt(lease, 'spec') ?? {};
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0) {
    errs.push(field.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  const strategy = typeof spec.strategy === 'string' ? spec.strategy : undefined;
  if (strategy !== undefined) errs.push(...validateCoordinatedLeaseStrategy(strategy, 'spec.strategy'));
  if (typeof spec.preferredHolder === 'string' && spec.preferredHolder !== '' && !strategy) {
    errs.push(field.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export const leases: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  listKind: 'LeaseList',
  singularName: 'lease',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: 'coordination.k8s.io', resource: 'leases', apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
  schemaName: 'io.k8s.api.coordination.v1.Lease',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(lease) {
      // acquireTime / renewTime are MicroTimes: kube's decoder insists on RFC3339 with 6 fraction digits.
      const spec = objAt(lease, 'spec');
      if (!spec) return;
      for (const k of ['acquireTime', 'renewTime']) {
        const err = normalizeTimeField(spec, k, true);
        if (err) throw decodeError('Lease', 'v1', err);
      }
    },
    prepareForCreate(lease) {
      const spec = objAt(lease, 'spec');
      if (spec) {
        delete spec.strategy;
        delete spec.preferredHolder;
      }
    },
    validate: validateLeaseSpec,
    canonicalize(lease) {
      const spec = ensureObj(lease, 'spec');
      for (const k of SPEC_KEYS) if (spec[k] === null) delete spec[k];
      orderKeys(spec, SPEC_KEYS);
      orderKeys(lease, ['kind', 'apiVersion', 'metadata', 'spec']);
    },
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: false,
    prepareForUpdate(lease, old) {
      const spec = objAt(lease, 'spec');
      if (!spec) return;
      const oldSpec = objAt(old, 'spec');
      if (!isSet(oldSpec?.strategy)) delete spec.strategy;
      if (!isSet(oldSpec?.preferredHolder)) delete spec.preferredHolder;
    },
    validateUpdate: (lease) => validateLeaseSpec(lease),
    table: {
      columns: [
        nameColumn(),
        column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
        ageColumn(),
      ],
      cells(lease, now) {
        const spec = isObj(lease.spec) ? lease.spec : {};
        return [lease.metadata.name ?? '', strAt(spec, 'holderIdentity'), translateTimestampSince(lease.metadata.creationTimestamp, now)];
      },
    },
  },
};
