// core/v1 Endpoints (pkg/registry/core/endpoint, ValidateEndpoints, SetDefaults_Endpoints). An API
// object only: no controller keeps it in step with Services. Deprecated since kube v1.33 in favour
// of EndpointSlices; kube warns on every request. Not done: kube's RepackSubsets canonicalisation (subsets
// are stored as written).

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { appendAll, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIPForLegacyField, isValidPortNum, nameIsDNSSubdomain } from '../../apimachinery/validation.js';
import { ageColumn, column, nameColumn, translateTimestampSince } from '../table.js';
import type { ResourceType } from '../types.js';
import { coreObjectMetaErrors } from './_core.js';
import { isObj, orderKeys, type Obj } from './_util.js';
import { fieldDoc, PORT_PROTOCOLS, validateNonSpecialIP } from './services.js';

const DEPRECATION_WARNING = 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function validateAddress(a: Obj, path: string): FieldError[] {
  const ip = str(a.ip);
  const errs = isValidIPForLegacyField(ip, false).map((m) => field.invalid(`${path}.ip`, ip, m));
  if (str(a.hostname)) for (const m of isDNS1123Label(str(a.hostname))) errs.push(field.invalid(`${path}.hostname`, a.hostname, m));
  if (typeof a.nodeName === 'string') for (const m of isDNS1123Subdomain(a.nodeName)) errs.push(field.invalid(`${path}.nodeName`, a.nodeName, m));
  appendAll(errs, validateNonSpecialIP(ip, `${path}.ip`));
  return errs;
}

function validatePort(p: Obj, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(field.required(`${path}.name`));
  else if (name) for (const m of isDNS1123Label(name)) errs.push(field.invalid(`${path}.name`, name, m));
  for (const m of isValidPortNum(num(p.port))) errs.push(field.invalid(`${path}.port`, num(p.port), m));
  if (!p.protocol) errs.push(field.required(`${path}.protocol`));
  else if (!PORT_PROTOCOLS.includes(str(p.protocol))) errs.push(field.notSupported(`${path}.protocol`, p.protocol, PORT_PROTOCOLS));
  if (typeof p.appProtocol === 'string') for (const m of isQualifiedName(p.appProtocol)) errs.push(field.invalid(`${path}.appProtocol`, p.appProtocol, m));
  return errs;
}

export function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs = coreObjectMetaErrors(ep);
  objs(ep.subsets).forEach((ss, i) => {
    const path = `subsets[${i}]`;
    const addresses = objs(ss.addresses);
    const notReady = objs(ss.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) errs.push(field.required(path, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => appendAll(errs, validateAddress(a, `${path}.addresses[${j}]`)));
    notReady.forEach((a, j) => appendAll(errs, validateAddress(a, `${path}.notReadyAddresses[${j}]`)));
    const ports = objs(ss.ports);
    ports.forEach((p, j) => appendAll(errs, validatePort(p, ports.length > 1, `${path}.ports[${j}]`)));
  });
  return errs;
}

/** printEndpoints' formatEndpoints: up to three ip:port pairs, then "+ N more...". */
export function endpointsCell(ep: KubeObject): string {
  const subsets = objs(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const join = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets) {
    const addresses = objs(ss.addresses);
    const ports = objs(ss.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(str(a.ip));
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(join(str(a.ip), num(p.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpoints: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  singularName: 'endpoints',
  shortNames: ['ep'],
  categories: [],
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [],
  storage: { group: '', resource: 'endpoints', apiVersion: 'v1', kind: 'Endpoints' },
  schemaName: 'io.k8s.api.core.v1.Endpoints',
  warnings: [DEPRECATION_WARNING],
  strategy: {
    validateName: nameIsDNSSubdomain,
    applyDefaults(ep) {
      for (const ss of objs(ep.subsets)) for (const p of objs(ss.ports)) if (!p.protocol) p.protocol = 'TCP';
    },
    validate: validateEndpoints,
    canonicalize(ep) {
      for (const ss of objs(ep.subsets)) orderKeys(ss, ['addresses', 'notReadyAddresses', 'ports']);
      orderKeys(ep, ['kind', 'apiVersion', 'metadata', 'subsets']);
    },
    allowCreateOnUpdate: true,
    allowUnconditionalUpdate: true,
    validateUpdate: (ep) => validateEndpoints(ep),
    table: {
      columns: [nameColumn(), column('Endpoints', 'string', fieldDoc('V1Endpoints', 'subsets')), ageColumn()],
      cells(ep, now) {
        return [ep.metadata.name ?? '', endpointsCell(ep), translateTimestampSince(ep.metadata.creationTimestamp, now)];
      },
    },
  },
};
