// certificates.k8s.io/v1 CertificateSigningRequest, per logical cluster (pkg/registry/certificates/
// certificates/strategy.go, pkg/apis/certificates/validation). Cluster-scoped. On create the
// requesting user (username, uid, groups, extra) is written into spec and status is cleared; spec
// never changes afterwards. Subresources: status (the signer's: status.certificate, conditions
// other than Approved/Denied) and approval (the approver's: conditions only). The signers
// (csr-signer.ts) and the signer-name authorization of admission (src/admission/certificates.ts)
// work on top of this.

import { field, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsAnything } from '../../apimachinery/validation.js';
import { checkSignature, parseCSR } from '../../auth/csr.js';
import { ageColumn, column, humanDuration, nameColumn, translateTimestampSince } from '../table.js';
import type { RequestContext, ResourceType, StatusStrategy } from '../types.js';
import { canonicalBase64, decodeError, goBase64ErrorOffset, isObj, jsonEqual, normalizeTimeField, objAt, orderKeys } from './_util.js';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';

const VALID_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
].sort();

/** Condition types that may only be True. */
const TRUE_ONLY = new Set(['Approved', 'Denied', 'Failed']);
const ALL_STATUS = ['False', 'True', 'Unknown'];

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string | null;
  lastTransitionTime?: string | null;
}

const SPEC_KEYS = ['request', 'signerName', 'expirationSeconds', 'usages', 'username', 'uid', 'groups', 'extra'];
const OMITEMPTY_SPEC_KEYS = ['expirationSeconds', 'usages', 'username', 'uid', 'groups', 'extra'];
const CONDITION_KEYS = ['type', 'status', 'reason', 'message', 'lastUpdateTime', 'lastTransitionTime'];

function conditionsOf(o: KubeObject): Condition[] {
  const c = objAt(o, 'status')?.conditions;
  return Array.isArray(c) ? (c.filter(isObj) as Condition[]) : [];
}

function specOf(o: KubeObject): Record<string, unknown> {
  return objAt(o, 'spec') ?? {};
}

/** The request PEM of a CSR (spec.request is base64 in JSON). */
export function requestPem(o: KubeObject): Buffer {
  const r = specOf(o).request;
  return typeof r === 'string' ? Buffer.from(r, 'base64') : Buffer.alloc(0);
}

function certificateBytes(o: KubeObject): Buffer {
  const c = objAt(o, 'status')?.certificate;
  return typeof c === 'string' ? Buffer.from(c, 'base64') : Buffer.alloc(0);
}

/** apivalidation.ValidateSignerName. */
function validateSignerName(path: string, signerName: string): FieldError[] {
  if (!signerName) return [field.required(path)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [field.invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const errs: FieldError[] = [];
  const [domain, rest] = segments as [string, string];
  if (domain.length > 253) errs.push(field.tooLong(path, '', 253));
  const labels = domain.split('.');
  for (const l of labels) {
    const msgs = isDNS1123Label(l);
    if (msgs.length) {
      for (const m of msgs) errs.push(field.invalid(path, domain, `validating label ${JSON.stringify(l)}: ${m}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(field.invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const l of rest.split('.')) {
    const msgs = isDNS1123Subdomain(l);
    if (msgs.length) {
      for (const m of msgs) errs.push(field.invalid(path, rest, `validating label ${JSON.stringify(l)}: ${m}`));
      break;
    }
  }
  const max = 253 + (253 + 63 + 1) + 1;
  if (signerName.length > max) errs.push(field.tooLong(path, '', max));
  return errs;
}

/** validation.validateCertificate: status.certificate holds only CERTIFICATE PEM blocks. */
function certificateError(pem: Buffer): string | undefined {
  if (pem.length === 0) return undefined;
  const text = pem.toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(b[1])}`;
    if (/^[\w-]+:/m.test(b[2]!)) return 'no PEM block headers are permitted';
  }
  return undefined;
}

interface Options {
  allowSettingApprovalConditions?: boolean;
  allowSettingCertificate?: boolean;
  allowBothApprovedAndDenied?: boolean;
  allowLegacySignerName?: boolean;
  allowDuplicateConditionTypes?: boolean;
  allowEmptyConditionType?: boolean;
  allowArbitraryCertificate?: boolean;
  allowUnknownUsages?: boolean;
  allowDuplicateUsages?: boolean;
}

function usagesOf(o: KubeObject): string[] {
  const u = specOf(o).usages;
  return Array.isArray(u) ? u.map(String) : [];
}

/** getValidationOptions: what an update tolerates because the stored object already has it. */
function optionsFor(obj: KubeObject, old: KubeObject | undefined): Options {
  if (!old) return {};
  const oldConds = conditionsOf(old);
  const types = oldConds.map((c) => c.type ?? '');
  const oldUsages = usagesOf(old);
  return {
    allowBothApprovedAndDenied: types.includes('Approved') && types.includes('Denied'),
    allowLegacySignerName: specOf(old).signerName === LEGACY_UNKNOWN_SIGNER,
    allowDuplicateConditionTypes: new Set(types).size !== types.length,
    allowEmptyConditionType: types.includes(''),
    allowArbitraryCertificate: certificateBytes(obj).equals(certificateBytes(old)) || certificateError(certificateBytes(old)) !== undefined,
    allowUnknownUsages: oldUsages.some((u) => !VALID_USAGES.includes(u)),
    allowDuplicateUsages: new Set(oldUsages).size !== oldUsages.length,
  };
}

function validateCSR(csr: KubeObject, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(csr);
  try {
    checkSignature(parseCSR(requestPem(csr)));
  } catch (e) {
    // kube shows the []byte value; kplane its base64 form
    errs.push(field.invalid('spec.request', spec.request ?? '', (e as Error).message));
  }
  const usages = usagesOf(csr);
  if (usages.length === 0) errs.push(field.required('spec.usages'));
  if (!opts.allowUnknownUsages) {
    usages.forEach((u, i) => {
      if (!VALID_USAGES.includes(u)) errs.push(field.notSupported(`spec.usages[${i}]`, u, VALID_USAGES));
    });
  }
  if (!opts.allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(field.duplicate(`spec.usages[${i}]`, u));
      seen.add(u);
    });
  }
  const signerName = typeof spec.signerName === 'string' ? spec.signerName : '';
  if (!opts.allowLegacySignerName && signerName === LEGACY_UNKNOWN_SIGNER) {
    errs.push(field.invalid('spec.signerName', signerName, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName('spec.signerName', signerName));
  }
  const exp = spec.expirationSeconds;
  if (typeof exp === 'number' && exp < 600) {
    errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(csr, opts));
  if (!opts.allowArbitraryCertificate) {
    const err = certificateError(certificateBytes(csr));
    if (err) errs.push(field.invalid('status.certificate', '<certificate data>', err));
  }
  return errs;
}

function validateConditions(csr: KubeObject, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    const type = c.type ?? '';
    if (!opts.allowEmptyConditionType && !type) errs.push(field.required(`${p}.type`));
    const allowed = TRUE_ONLY.has(type) ? ['True'] : ALL_STATUS;
    if (!c.status) errs.push(field.required(`${p}.status`));
    else if (!allowed.includes(c.status)) errs.push(field.notSupported(`${p}.status`, c.status, allowed));
    if (!opts.allowBothApprovedAndDenied) {
      if (type === 'Approved') {
        approved = true;
        if (denied) errs.push(field.invalid(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === 'Denied') {
        denied = true;
        if (approved) errs.push(field.invalid(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!opts.allowDuplicateConditionTypes) {
      if (seen.has(type)) errs.push(field.duplicate(`${p}.type`, type));
      seen.add(type);
    }
  });
  return errs;
}

function ofType(o: KubeObject, t: string): Condition[] {
  return conditionsOf(o).filter((c) => c.type === t);
}

/** validateCertificateSigningRequestUpdate (ObjectMeta update checks are the store's). */
function validateUpdate(obj: KubeObject, old: KubeObject, extra: Options): FieldError[] {
  const opts = { ...optionsFor(obj, old), ...extra };
  const errs = validateCSR(obj, opts);
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (ofType(obj, t).length < ofType(old, t).length) errs.push(field.forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of ['Approved', 'Denied']) {
      const [o, n] = [ofType(old, t), ofType(obj, t)];
      if (n.length > o.length) errs.push(field.forbidden('status.conditions', `updates may not add a condition of type ${JSON.stringify(t)}`));
      else if (n.length === o.length && !jsonEqual(o, n)) errs.push(field.forbidden('status.conditions', `updates may not modify a condition of type ${JSON.stringify(t)}`));
    }
  }
  if (!certificateBytes(obj).equals(certificateBytes(old))) {
    if (!opts.allowSettingCertificate) errs.push(field.forbidden('status.certificate', 'updates may not set certificate content'));
    else if (certificateBytes(old).length > 0) errs.push(field.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}

/** populateConditionTimestamps: now for unset times; an unchanged type/status keeps its transition time. */
function populateConditionTimestamps(obj: KubeObject, old: KubeObject, now: Date): void {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const oldConds = conditionsOf(old);
  for (const c of conditionsOf(obj)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = stamp;
    if (!c.lastTransitionTime) {
      const same = oldConds.find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime);
      c.lastTransitionTime = same?.lastTransitionTime ?? stamp;
    }
  }
}

function setStatus(obj: KubeObject, status: Record<string, unknown> | undefined): void {
  if (status === undefined) delete obj.status;
  else obj.status = status;
}

function copy<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** csrStatusStrategy: spec kept; Approved/Denied instances kept as stored. */
const statusStrategy: StatusStrategy = {
  prepareForUpdate(obj, old, ctx) {
    obj.spec = copy(old.spec);
    const conds = objAt(obj, 'status')?.conditions;
    if (Array.isArray(conds)) {
      for (const t of ['Approved', 'Denied']) {
        const oi = conditionsOf(old).filter((c) => c.type === t);
        const ni = conds.map((c, i) => [c, i] as const).filter(([c]) => isObj(c) && (c as Condition).type === t).map(([, i]) => i);
        if (oi.length === ni.length) ni.forEach((idx, k) => (conds[idx] = copy(oi[k])));
      }
    }
    populateConditionTimestamps(obj, old, ctx.now);
  },
  validateUpdate: (obj, old) => validateUpdate(obj, old, { allowSettingCertificate: true }),
};

/** csrApprovalStrategy: only the conditions change. */
export const approvalStrategy: StatusStrategy = {
  prepareForUpdate(obj, old, ctx) {
    populateConditionTimestamps(obj, old, ctx.now);
    const conditions = objAt(obj, 'status')?.conditions;
    obj.spec = copy(old.spec);
    const status = copy(objAt(old, 'status')) ?? {};
    if (conditions === undefined || conditions === null) delete status.conditions;
    else status.conditions = conditions;
    setStatus(obj, status);
  },
  validateUpdate: (obj, old) => validateUpdate(obj, old, { allowSettingApprovalConditions: true }),
};

/** The CSR column "Condition" (extractCSRStatus). */
function conditionCell(o: KubeObject): string {
  const types = new Set(conditionsOf(o).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (certificateBytes(o).length > 0) s += ',Issued';
  return s;
}

function prepareForCreate(obj: KubeObject, ctx: RequestContext): void {
  const spec = (isObj(obj.spec) ? obj.spec : (obj.spec = {})) as Record<string, unknown>;
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  const u = ctx.user;
  if (u.username) spec.username = u.username;
  if (u.uid) spec.uid = u.uid;
  if (u.groups.length) spec.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) spec.extra = structuredClone(u.extra);
  // users cannot create pre-approved (or pre-issued) requests
  obj.status = {};
}

function canonicalize(obj: KubeObject): void {
  const spec = specOf(obj);
  // request and signerName are always written (no omitempty), the rest only when set
  for (const k of OMITEMPTY_SPEC_KEYS) if (spec[k] === null || spec[k] === '') delete spec[k];
  if (!('signerName' in spec)) spec.signerName = '';
  if (!('request' in spec)) spec.request = null;
  if (obj.spec) orderKeys(spec, SPEC_KEYS);
  const status = objAt(obj, 'status');
  if (status) {
    for (const c of conditionsOf(obj)) orderKeys(c as Record<string, unknown>, CONDITION_KEYS);
    if (status.certificate === null || status.certificate === '') delete status.certificate;
    orderKeys(status, ['conditions', 'certificate']);
  }
  orderKeys(obj, ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
}

export const certificatesigningrequests: ResourceType = {
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
  kind: 'CertificateSigningRequest',
  listKind: 'CertificateSigningRequestList',
  singularName: 'certificatesigningrequest',
  shortNames: ['csr'],
  categories: [],
  namespaced: false,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['approval', 'status'],
  storage: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest' },
  schemaName: 'io.k8s.api.certificates.v1.CertificateSigningRequest',
  strategy: {
    validateName: nameIsAnything,
    applyDefaults(obj) {
      // []byte fields: Go's base64 decoding, echoed back in canonical form
      for (const [holder, key] of [[objAt(obj, 'spec'), 'request'], [objAt(obj, 'status'), 'certificate']] as const) {
        const v = holder?.[key];
        if (typeof v !== 'string') continue;
        const off = goBase64ErrorOffset(v);
        if (off >= 0) throw decodeError('CertificateSigningRequest', 'v1', `illegal base64 data at input byte ${off}`);
        holder![key] = canonicalBase64(v);
      }
      for (const c of conditionsOf(obj)) {
        for (const k of ['lastUpdateTime', 'lastTransitionTime']) {
          const err = normalizeTimeField(c as Record<string, unknown>, k, false);
          if (err) throw decodeError('CertificateSigningRequest', 'v1', err);
        }
      }
    },
    prepareForCreate,
    validate: (obj) => validateCSR(obj, {}),
    canonicalize,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    prepareForUpdate(obj, old) {
      // certificate requests are immutable after creation, except through the subresources
      obj.spec = copy(old.spec);
      setStatus(obj, copy(objAt(old, 'status')));
    },
    validateUpdate: (obj, old) => validateUpdate(obj, old, {}),
    status: statusStrategy,
    approval: approvalStrategy,
    selectableFields: (obj) => ({ 'spec.signerName': typeof specOf(obj).signerName === 'string' ? (specOf(obj).signerName as string) : '' }),
    table: {
      columns: [
        nameColumn(),
        ageColumn(),
        column('SignerName', 'string', 'Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`.\nIf empty, it will be defaulted:\n 1. If it\'s a kubelet client certificate, it is assigned\n    "kubernetes.io/kube-apiserver-client-kubelet".\n 2. If it\'s a kubelet serving certificate, it is assigned\n    "kubernetes.io/kubelet-serving".\n 3. Otherwise, it is assigned "kubernetes.io/legacy-unknown".\nDistribution of trust for signers happens out of band.\nYou can select on this field using `spec.signerName`.'),
        column('Requestor', 'string', 'Base64-encoded PKCS#10 CSR data'),
        column('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.'),
        column('Condition', 'string', 'Conditions applied to the request, such as approval or denial.'),
      ],
      cells(o, now) {
        const spec = specOf(o);
        const exp = spec.expirationSeconds;
        return [
          o.metadata.name ?? '',
          translateTimestampSince(o.metadata.creationTimestamp, now),
          typeof spec.signerName === 'string' && spec.signerName ? spec.signerName : '<none>',
          typeof spec.username === 'string' ? spec.username : '',
          typeof exp === 'number' ? humanDuration(exp * 1000) : '<none>',
          conditionCell(o),
        ];
      },
    },
  },
};
