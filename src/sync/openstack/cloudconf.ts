// OpenStack credentials for a workload cluster (issue 11, point 6): a tenant's `clouds.yaml` (a Secret of
// type `kplane.io/openstack-clouds`, key `clouds.yaml`, optional key `cacert`) becomes
//   - the `cloud.conf` of the OpenStack cloud-controller-manager (gcfg/INI: `[Global]`, `[LoadBalancer]`),
//     with the CA mounted next to it when the cloud has one, and
//   - the data of the Cluster API Provider OpenStack `identityRef` Secret (`clouds.yaml` holding only the
//     chosen cloud, and `cacert`).
// This follows the openstack-csp-helper chart of the Sovereign Cloud Stack: the same `[Global]` keys from the
// same clouds.yaml fields, and its `[LoadBalancer]` settings as defaults.
//
// Pure: no I/O, no clock. `renderCloudConf` returns either the whole result or one `CloudConfError` whose
// message is kube's field-error text (`clouds.openstack.auth.auth_url: Required value`), for the syncer's
// condition and Event; nothing is half-built.

import { Alias, Document, isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/** The Secret type (and the key in it) the syncer transforms. */
export const OPENSTACK_CLOUDS_SECRET_TYPE = 'kplane.io/openstack-clouds';
export const CLOUDS_YAML_KEY = 'clouds.yaml';
export const CACERT_KEY = 'cacert';
/** Where the CA is mounted for the cloud-controller-manager: its chart mounts the `cloud-config` Secret at
 *  /etc/config, and SCS puts the CA into that Secret under `cacert`. */
export const DEFAULT_CA_FILE = '/etc/config/cacert';
/** The cloud used when several are defined and none is named. */
export const DEFAULT_CLOUD_NAME = 'openstack';

export interface LoadBalancerOptions {
  manageSecurityGroups: boolean;
  useOctavia: boolean;
  enableIngressHostname: boolean;
  createMonitor: boolean;
}

/** SCS openstack-csp-helper's `[LoadBalancer]` section: all four on. `enable-ingress-hostname` makes the CCM
 *  publish `<ip>.nip.io` for PROXY-protocol load balancers (needed by ingress-nginx with the proxy protocol,
 *  which SCS enables by default); `create-monitor` adds Octavia health monitors so that
 *  `externalTrafficPolicy: Local` services route only to nodes with endpoints. */
export const DEFAULT_LOAD_BALANCER: Readonly<LoadBalancerOptions> = Object.freeze({
  manageSecurityGroups: true,
  useOctavia: true,
  enableIngressHostname: true,
  createMonitor: true,
});

export interface CloudConfInput {
  /** The text of the Secret's `clouds.yaml`. */
  cloudsYaml: string;
  /** The cloud to use; default: the only one, else `openstack`. */
  cloudName?: string;
  /** The Secret's `cacert` key, if any: the CA for a cloud whose `cacert` is a file path. */
  caCert?: string;
  /** Overrides of DEFAULT_LOAD_BALANCER (per PublishedResource). */
  loadBalancer?: Partial<LoadBalancerOptions>;
  /** Where the CA will be mounted in the cloud-controller-manager; default DEFAULT_CA_FILE. */
  caFile?: string;
}

export interface CloudConfResult {
  cloudName: string;
  authType: 'applicationCredential' | 'password';
  /** `cloud.conf` for the cloud-controller-manager. */
  cloudConf: string;
  /** The CA bytes to mount at `caFile` (present exactly when cloud.conf has `ca-file`). */
  caCert?: string;
  caFile?: string;
  /** The CAPO identityRef Secret's data: `clouds.yaml` with only the chosen cloud (its `cacert` path
   *  removed: CAPO reads the CA from the `cacert` key), and `cacert` when there is a CA. */
  identitySecretData: { 'clouds.yaml': string; cacert?: string };
}

export type CloudConfErrorType = 'Required' | 'Invalid' | 'NotFound' | 'NotSupported';

const typeText: Record<CloudConfErrorType, string> = {
  Required: 'Required value', Invalid: 'Invalid value', NotFound: 'Not found', NotSupported: 'Unsupported value',
};

/** One field error, worded as kube's field.Error: `<field>: <type>[: "<value>"][: <detail>]`. */
export class CloudConfError extends Error {
  readonly reason = 'InvalidCloudsYAML';
  constructor(
    readonly field: string,
    readonly type: CloudConfErrorType,
    readonly detail = '',
    readonly value?: string,
  ) {
    super([`${field}: ${typeText[type]}`, ...(value !== undefined ? [JSON.stringify(value)] : []),
      ...(detail ? [detail] : [])].join(': '));
    this.name = 'CloudConfError';
  }
}

export type CloudConfOutcome = { ok: true; result: CloudConfResult } | { ok: false; error: CloudConfError };

/** clouds.yaml → cloud.conf, CA and CAPO identity data, or the first thing wrong with it. */
export function renderCloudConf(input: CloudConfInput): CloudConfOutcome {
  try {
    return { ok: true, result: render(input) };
  } catch (e) {
    if (e instanceof CloudConfError) return { ok: false, error: e };
    throw e;
  }
}

const APPCRED = 'v3applicationcredential';
const PASSWORD_TYPES = ['password', 'v3password'];

function render(input: CloudConfInput): CloudConfResult {
  // failsafe: every scalar is a string, so ids made of digits keep their text and `0123` stays `0123`.
  const doc = parseDocument(input.cloudsYaml, { schema: 'failsafe', prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new CloudConfError(CLOUDS_YAML_KEY, 'Invalid', `not valid YAML: ${firstLine(doc.errors[0]!.message)}`);
  }
  // One tree with aliases and merge keys (`<<: *defaults`) resolved, so that reading and re-emitting agree.
  const root = deref(doc, doc.contents);
  const clouds = isMap(root) ? normalize(doc, root.get('clouds', true), 0) : undefined;
  if (!isMap(clouds)) {
    throw new CloudConfError('clouds', 'Required', 'clouds.yaml must have a map of clouds under "clouds"');
  }
  const names = clouds.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  if (names.length === 0) throw new CloudConfError('clouds', 'Required', 'no cloud is defined');

  let name: string;
  if (input.cloudName) {
    name = input.cloudName;
    if (!names.includes(name)) {
      throw new CloudConfError('clouds', 'NotFound', `defined clouds: ${names.join(', ')}`, name);
    }
  } else if (names.length === 1) {
    name = names[0]!;
  } else if (names.includes(DEFAULT_CLOUD_NAME)) {
    name = DEFAULT_CLOUD_NAME;
  } else {
    throw new CloudConfError('clouds', 'Invalid',
      `${names.length} clouds are defined (${names.join(', ')}) and none is named "${DEFAULT_CLOUD_NAME}": name the one to use`);
  }
  const cloudPath = `clouds${key(name)}`;
  const cloudNode = clouds.get(name, true);
  if (!isMap(cloudNode)) throw new CloudConfError(cloudPath, 'Invalid', 'must be a map');
  const cloud = new Fields(cloudNode, cloudPath);
  const authNode = cloudNode.get('auth', true);
  if (authNode !== undefined && authNode !== null && !isMap(authNode) && !isEmptyScalar(authNode)) {
    throw new CloudConfError(`${cloudPath}.auth`, 'Invalid', 'must be a map');
  }
  const auth = new Fields(isMap(authNode) ? authNode : undefined, `${cloudPath}.auth`);

  const g: [string, string][] = [];
  const authUrl = auth.str('auth_url');
  if (!authUrl) throw new CloudConfError(auth.path('auth_url'), 'Required');
  g.push(['auth-url', authUrl]);
  const region = cloud.str('region_name');
  if (!region) throw new CloudConfError(cloud.path('region_name'), 'Required');
  g.push(['region', region]);

  const authType = cloud.str('auth_type');
  if (authType && authType !== APPCRED && !PASSWORD_TYPES.includes(authType)) {
    throw new CloudConfError(cloud.path('auth_type'), 'NotSupported',
      `supported values: ${[...PASSWORD_TYPES, APPCRED].map((t) => `"${t}"`).join(', ')}`, authType);
  }
  const credId = auth.str('application_credential_id');
  const credSecret = auth.str('application_credential_secret');
  const useAppCred = authType === APPCRED || (!authType && (credId !== undefined || credSecret !== undefined));
  if (useAppCred) {
    if (!credId) throw new CloudConfError(auth.path('application_credential_id'), 'Required');
    if (!credSecret) throw new CloudConfError(auth.path('application_credential_secret'), 'Required');
    g.push(['application-credential-id', credId], ['application-credential-secret', credSecret]);
  } else {
    const username = auth.str('username');
    const userId = auth.str('user_id');
    const password = auth.str('password');
    if (!username && !userId && !password) {
      throw new CloudConfError(auth.path(), 'Required',
        'application_credential_id and application_credential_secret, or username and password');
    }
    if (!username && !userId) throw new CloudConfError(auth.path('username'), 'Required');
    if (!password) throw new CloudConfError(auth.path('password'), 'Required');
    const optional: [string, string][] = [
      ['username', 'username'], ['user-id', 'user_id'], ['password', 'password'],
      ['user-domain-name', 'user_domain_name'], ['user-domain-id', 'user_domain_id'],
      ['tenant-id', 'project_id'], ['tenant-name', 'project_name'],
      ['tenant-domain-name', 'project_domain_name'], ['tenant-domain-id', 'project_domain_id'],
      ['domain-name', 'domain_name'], ['domain-id', 'domain_id'],
    ];
    for (const [confKey, field] of optional) {
      const v = auth.str(field);
      if (v) g.push([confKey, v]);
    }
  }

  // The CA: the Secret's `cacert` key, else PEM written inline as the cloud's `cacert`. A `cacert` path
  // with no bytes in the Secret cannot be honoured (the file is on the tenant's machine, not here).
  const cacertField = cloud.str('cacert');
  let caCert = input.caCert || undefined;
  if (!caCert && cacertField) {
    if (!cacertField.includes('-----BEGIN')) {
      throw new CloudConfError(cloud.path('cacert'), 'Invalid',
        `the CA file must be in the Secret's "${CACERT_KEY}" key`, cacertField);
    }
    caCert = cacertField;
  }
  const caFile = caCert ? (input.caFile || DEFAULT_CA_FILE) : undefined;
  if (caFile) g.push(['ca-file', caFile]);
  for (const [k, v] of g) checkValue(v, confFieldOf(k, cloud, auth));

  const lb = { ...DEFAULT_LOAD_BALANCER, ...definedOnly(input.loadBalancer) };
  const lines = ['[Global]', ...g.map(([k, v]) => `${k}=${quoteValue(v)}`), '',
    '[LoadBalancer]',
    `manage-security-groups=${lb.manageSecurityGroups}`,
    `use-octavia=${lb.useOctavia}`,
    `enable-ingress-hostname=${lb.enableIngressHostname}`,
    `create-monitor=${lb.createMonitor}`, ''];

  return {
    cloudName: name,
    authType: useAppCred ? 'applicationCredential' : 'password',
    cloudConf: lines.join('\n'),
    ...(caCert ? { caCert, caFile } : {}),
    identitySecretData: {
      'clouds.yaml': identityCloudsYaml(name, cloudNode),
      ...(caCert ? { cacert: caCert } : {}),
    },
  };
}

/** A gcfg value as written after `key=`: bare when gcfg reads it back unchanged, else double-quoted with
 *  `\\`, `\"`, `\n`, `\t` escaped (gcfg ends a bare value at `;` or `#`, trims spaces, and reads `\` as an
 *  escape even outside quotes). */
export function quoteValue(v: string): string {
  if (v !== '' && !/[\s;#"\\]/.test(v)) return v;
  return `"${v.replace(/[\\"\n\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t' })[c]!)}"`;
}

function checkValue(v: string, field: string): void {
  // gcfg has no escape for other control characters, so they cannot be carried.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(v)) {
    throw new CloudConfError(field, 'Invalid', 'must not contain control characters other than tab and newline');
  }
}

function confFieldOf(confKey: string, cloud: Fields, auth: Fields): string {
  const map: Record<string, string> = {
    'auth-url': auth.path('auth_url'), region: cloud.path('region_name'), 'ca-file': 'caFile',
    'application-credential-id': auth.path('application_credential_id'),
    'application-credential-secret': auth.path('application_credential_secret'),
    username: auth.path('username'), 'user-id': auth.path('user_id'), password: auth.path('password'),
    'user-domain-name': auth.path('user_domain_name'), 'user-domain-id': auth.path('user_domain_id'),
    'tenant-id': auth.path('project_id'), 'tenant-name': auth.path('project_name'),
    'tenant-domain-name': auth.path('project_domain_name'), 'tenant-domain-id': auth.path('project_domain_id'),
    'domain-name': auth.path('domain_name'), 'domain-id': auth.path('domain_id'),
  };
  return map[confKey] ?? confKey;
}

/** `clouds:` with the chosen cloud only (already free of aliases), its `cacert` path dropped. */
function identityCloudsYaml(name: string, cloudNode: YAMLMap): string {
  const copy = cloudNode.clone() as YAMLMap;
  copy.delete('cacert');
  const out = new Document({}, { schema: 'failsafe' });
  const clouds = out.createNode({}) as YAMLMap;
  clouds.set(name, copy);
  (out.contents as YAMLMap).set('clouds', clouds);
  return out.toString({ lineWidth: 0 });
}

/** A copy of `n` with aliases replaced by copies of their targets, merge keys expanded (own keys win, then
 *  earlier merged maps), and anchors dropped. Scalars keep their style, so `"0123"` stays quoted. */
function normalize(doc: Document, n: unknown, depth: number, budget = { nodes: 0 }): unknown {
  // Bounded: aliases of aliases would otherwise expand exponentially ("billion laughs").
  if (depth > 64 || ++budget.nodes > 10_000) {
    throw new CloudConfError(CLOUDS_YAML_KEY, 'Invalid', 'nested too deeply or expands to too many nodes through aliases');
  }
  n = deref(doc, n);
  if (isScalar(n)) {
    const c = n.clone() as Scalar;
    delete c.anchor;
    return c;
  }
  if (isSeq(n)) {
    const c = new YAMLSeq();
    for (const item of n.items) c.items.push(normalize(doc, item, depth + 1, budget));
    return c;
  }
  if (isMap(n)) {
    const c = new YAMLMap();
    const merged: YAMLMap[] = [];
    for (const pair of n.items) {
      if (isScalar(pair.key) && (typeof pair.key.value === 'symbol' || pair.key.value === '<<')) {
        const v = normalize(doc, pair.value, depth + 1, budget);
        for (const m of isSeq(v) ? v.items : [v]) if (isMap(m)) merged.push(m);
        continue;
      }
      c.items.push(new Pair(normalize(doc, pair.key, depth + 1, budget), normalize(doc, pair.value, depth + 1, budget)));
    }
    for (const m of merged) {
      for (const pair of m.items) {
        const k = isScalar(pair.key) ? pair.key.value : undefined;
        if (!c.has(k)) c.items.push(pair);
      }
    }
    return c;
  }
  return n;
}

class Fields {
  constructor(private readonly node: YAMLMap | undefined, private readonly base: string) {}
  path(field?: string): string { return field === undefined ? this.base : `${this.base}${key(field)}`; }
  /** The field's text; undefined when absent, null or empty. */
  str(field: string): string | undefined {
    const n = this.node?.get(field, true);
    if (n === undefined || n === null || isEmptyScalar(n)) return undefined;
    if (!isScalar(n) || typeof n.value !== 'string') {
      throw new CloudConfError(this.path(field), 'Invalid', `must be a string, not a ${isSeq(n) ? 'list' : 'map'}`);
    }
    return n.value;
  }
}

const resolved = new WeakMap<Alias, unknown>();
function deref(doc: Document, n: unknown): unknown {
  for (let i = 0; i < 100 && n instanceof Alias; i++) {
    // Alias.resolve searches the document; each alias node is resolved once.
    if (!resolved.has(n)) resolved.set(n, n.resolve(doc));
    n = resolved.get(n);
  }
  return n;
}

function isEmptyScalar(n: unknown): boolean {
  return isScalar(n) && (n.value === '' || n.value === null || n.value === undefined);
}

function key(k: string): string { return /^[A-Za-z0-9_-]+$/.test(k) ? `.${k}` : `[${k}]`; }
function firstLine(s: string): string { return s.split('\n')[0]!.replace(/:\s*$/, ''); }
function definedOnly<T extends object>(o: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
