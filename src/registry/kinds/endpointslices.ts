// discovery.k8s.io/v1 EndpointSlice (pkg/registry/discovery/endpointslice,
// pkg/apis/discovery/validation, SetDefaults_EndpointPort). An API object only: no controller
// derives slices from Services here.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  appendAll, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, nameIsDNSSubdomain, validateLabels,
} from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { ensureObj, isObj, jsonEqual, objAt, orderKeys, type Obj } from './_util.js';
import { fieldDoc, PORT_PROTOCOLS, validateNonSpecialIP } from './services.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const ZONE_LABEL = 'topology.kubernetes.io/zone';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** kube 1.34's IP checks: a valid IP (at its index), of the slice's family (at the list's path). */
function validateIPAddress(addr: string, family: 'IPv4' | 'IPv6', path: string, listPath: string): FieldError[] {
  const msgs = isValidIP(addr);
  if (msgs.length) return msgs.map((m) => field.invalid(path, addr, m));
  if (addr.includes(':') !== (family === 'IPv6')) return [field.invalid(listPath, addr, `must be an ${family} address`)];
  return validateNonSpecialIP(addr, path);
}

function validateAddress(addr: string, type: string, path: string, listPath: string): FieldError[] {
  switch (type) {
    case 'IPv4':
    case 'IPv6':
      return validateIPAddress(addr, type, path, listPath);
    case 'FQDN': {
      const msgs = isDNS1123Subdomain(addr.toLowerCase());
      if (!addr.includes('.')) msgs.unshift('should be a domain with at least two segments separated by dots');
      return msgs.map((m) => field.invalid(path, addr, m));
    }
    default:
      return [];
  }
}

/** Addresses an update keeps as they were are not validated again (kube tolerates stored values). */
function validateEndpoints(list: Obj[], type: string, kept: Set<string>): FieldError[] {
  if (list.length > MAX_ENDPOINTS) return [field.tooMany('endpoints', list.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  list.forEach((ep, i) => {
    const path = `endpoints[${i}]`;
    const addresses = strs(ep.addresses);
    if (addresses.length === 0) errs.push(field.required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(field.tooMany(`${path}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => {
      if (!kept.has(a)) appendAll(errs, validateAddress(a, type, `${path}.addresses[${j}]`, `${path}.addresses`));
    });
    if (typeof ep.nodeName === 'string') for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(field.invalid(`${path}.nodeName`, ep.nodeName, m));
    const topology = objAt(ep, 'deprecatedTopology');
    if (topology) {
      const n = Object.keys(topology).length;
      if (n > MAX_TOPOLOGY_LABELS) errs.push(field.tooMany(`${path}.deprecatedTopology`, n, MAX_TOPOLOGY_LABELS));
      appendAll(errs, validateLabels(topology as Record<string, string>, `${path}.deprecatedTopology`));
      if (ZONE_LABEL in topology) errs.push(field.internal(`${path}.deprecatedTopology[${ZONE_LABEL}]`, new Error('reserved key, use zone instead')));
    }
    if (typeof ep.hostname === 'string') for (const m of isDNS1123Label(ep.hostname)) errs.push(field.invalid(`${path}.hostname`, ep.hostname, m));
  });
  return errs;
}

function validatePorts(ports: Obj[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [field.tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name = str(p.name);
    if (name) for (const m of isDNS1123Label(name)) errs.push(field.invalid(`${path}.name`, name, m));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    else names.add(name);
    if (typeof p.protocol !== 'string') errs.push(field.required(`${path}.protocol`));
    else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(field.notSupported(`${path}.protocol`, p.protocol, PORT_PROTOCOLS));
    if (typeof p.appProtocol === 'string') for (const m of isQualifiedName(p.appProtocol)) errs.push(field.invalid(`${path}.appProtocol`, p.appProtocol, m));
  });
  return errs;
}

function validateSlice(slice: KubeObject, old?: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(slice);
  const kept = new Set(old ? objs(old.endpoints).flatMap((e) => strs(e.addresses)) : []);
  appendAll(errs, validatePorts(objs(slice.ports)));
  appendAll(errs, validateEndpoints(objs(slice.endpoints), str(slice.addressType), kept));
  return errs;
}

/** Everything but metadata, and the labels: what bumps an EndpointSlice's generation. */
const generationInputs = (s: KubeObject) => ({ addressType: s.addressType, endpoints: s.endpoints ?? null, ports: s.ports ?? null, labels: s.metadata?.labels ?? {} });

function validateAddressType(slice: KubeObject): FieldError[] {
  const t = str(slice.addressType);
  if (!t) return [field.required('addressType')];
  return ADDRESS_TYPES.includes(t) ? [] : [field.notSupported('addressType', t, ADDRESS_TYPES)];
}

/** formatDiscoveryPorts / formatDiscoveryEndpoints: up to three, then "+ N more...", or <unset>. */
function listCell(values: string[]): string {
  const max = 3;
  const ret = values.slice(0, max).join(',');
  if (values.length > max) return `${ret} + ${values.length - max} more...`;
  return ret || '<unset>';
}

export const endpointslices: ResourceType = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  singularName: 'endpointslice',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: 'discovery.k8s.io', resource: 'endpointslices', apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  schemaName: 'io.k8s.api.discovery.v1.EndpointSlice',
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(slice) {
      for (const p of objs(slice.ports)) {
        if (p.name === undefined || p.name === null) p.name = '';
        if (p.protocol === undefined || p.protocol === null) p.protocol = 'TCP';
      }
    },
    prepareForCreate(slice) {
      slice.metadata.generation = 1;
    },
    validate: (slice) => validateAddressType(slice).concat(validateSlice(slice)),
    warningsOnCreate: (slice) => (slice.addressType === 'FQDN' ? ['spec.addressType: FQDN endpoints are deprecated'] : []),
    canonicalize(slice) {
      for (const k of ['endpoints', 'ports']) if (slice[k] === undefined) slice[k] = null;
      for (const e of objs(slice.endpoints)) {
        ensureObj(e, 'conditions');
        if (e.addresses === undefined) e.addresses = null;
        orderKeys(e, ['addresses', 'conditions', 'hostname', 'targetRef', 'deprecatedTopology', 'nodeName', 'zone', 'hints']);
      }
      for (const p of objs(slice.ports)) orderKeys(p, ['name', 'protocol', 'port', 'appProtocol']);
      orderKeys(slice, ['kind', 'apiVersion', 'metadata', 'addressType', 'endpoints', 'ports']);
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    prepareForUpdate(slice, old) {
      const gen = typeof old.metadata?.generation === 'number' ? old.metadata.generation : 0;
      slice.metadata.generation = jsonEqual(generationInputs(slice), generationInputs(old)) ? gen : gen + 1;
    },
    validateUpdate(slice, old) {
      const errs: FieldError[] = [];
      if (ADDRESS_TYPES.includes(str(old.addressType)) && slice.addressType !== old.addressType) {
        errs.push(field.invalid('addressType', slice.addressType ?? '', 'field is immutable'));
      }
      return errs.concat(validateSlice(slice, old));
    },
    table: {
      columns: [
        nameColumn(),
        // kube's printer describes these two with discovery/v1beta1's doc comments
        column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
        column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
        column('Endpoints', 'string', fieldDoc('V1EndpointSlice', 'endpoints')),
        ageColumn(),
      ],
      cells(slice, now) {
        const ports = objs(slice.ports).map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'));
        const addresses = objs(slice.endpoints).flatMap((e) => strs(e.addresses));
        return [slice.metadata.name ?? '', str(slice.addressType), listCell(ports), listCell(addresses), translateTimestampSince(slice.metadata.creationTimestamp, now)];
      },
    },
  },
};
