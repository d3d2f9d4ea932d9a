// clouds.yaml → cloud.conf for the OpenStack cloud-controller-manager and the CAPO identityRef Secret
// (src/sync/openstack/cloudconf.ts): application credentials, password auth, the CA, choosing among
// several clouds, gcfg quoting, and each error with its field path.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CloudConfError, DEFAULT_CA_FILE, DEFAULT_LOAD_BALANCER, quoteValue, renderCloudConf,
  type CloudConfInput, type CloudConfResult,
} from '../../../src/sync/openstack/cloudconf.js';

function ok(input: CloudConfInput): CloudConfResult {
  const out = renderCloudConf(input);
  if (!out.ok) throw new Error(`unexpected error: ${out.error.message}`);
  return out.result;
}

function fail(input: CloudConfInput): CloudConfError {
  const out = renderCloudConf(input);
  if (out.ok) throw new Error(`unexpected success:\n${out.result.cloudConf}`);
  expect(out.error).toBeInstanceOf(CloudConfError);
  expect(out.error.reason).toBe('InvalidCloudsYAML');
  return out.error;
}

/** An independent reader of gcfg values (gopkg.in/gcfg's rules): a value runs to the end of the line or
 *  to `;`/`#` outside quotes, surrounding blanks are trimmed, `"…"` quotes, and `\\ \" \n \t` escape. */
function gcfgValue(raw: string): string {
  let out = '';
  let quoted = false;
  let pendingBlank = '';
  const s = raw.replace(/^[ \t]+/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[++i];
      const e = { '\\': '\\', '"': '"', n: '\n', t: '\t', b: '\b' }[n ?? ''];
      if (e === undefined) throw new Error(`invalid escape in ${raw}`);
      out += pendingBlank + e; pendingBlank = '';
    } else if (c === '"') {
      quoted = !quoted; out += pendingBlank; pendingBlank = '';
    } else if (!quoted && (c === ';' || c === '#')) {
      break;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      pendingBlank += c;
    } else {
      out += pendingBlank + c; pendingBlank = '';
    }
  }
  if (quoted) throw new Error(`unterminated quote in ${raw}`);
  return out;
}

/** cloud.conf → { section: { key: value } }, with gcfg's value rules. */
function readConf(text: string): Record<string, Record<string, string>> {
  const conf: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) { section = conf[head[1]!] = {}; continue; }
    const m = /^([a-z-]+)=(.*)$/.exec(line);
    if (!m || !section) throw new Error(`bad line ${JSON.stringify(line)}`);
    if (m[1]! in section) throw new Error(`duplicate key ${m[1]}`);
    section[m[1]!] = gcfgValue(m[2]!);
  }
  return conf;
}

const appCred = `clouds:
  openstack:
    auth:
      auth_url: https://keystone.example:5000/v3
      application_credential_id: 7f3a1c
      application_credential_secret: s3cret
    region_name: RegionOne
    interface: public
    identity_api_version: 3
    auth_type: v3applicationcredential
`;

const password = `clouds:
  prod:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: alice
      password: pw
      user_domain_name: Default
      project_id: "0042"
      project_name: k8s
      domain_name: Default
    region_name: RegionTwo
`;

describe('application credentials', () => {
  it('writes auth-url, region, the credential and the LoadBalancer defaults (SCS)', () => {
    const r = ok({ cloudsYaml: appCred });
    expect(r.cloudName).toBe('openstack');
    expect(r.authType).toBe('applicationCredential');
    expect(r.cloudConf).toBe([
      '[Global]',
      'auth-url=https://keystone.example:5000/v3',
      'region=RegionOne',
      'application-credential-id=7f3a1c',
      'application-credential-secret=s3cret',
      '',
      '[LoadBalancer]',
      'manage-security-groups=true',
      'use-octavia=true',
      'enable-ingress-hostname=true',
      'create-monitor=true',
      '',
    ].join('\n'));
    expect(r.caCert).toBeUndefined();
    expect(r.caFile).toBeUndefined();
    expect(r.identitySecretData.cacert).toBeUndefined();
    expect(parse(r.identitySecretData['clouds.yaml'])).toEqual(parse(appCred));
  });

  it('is chosen by the credential fields when auth_type is absent, even next to a username', () => {
    const y = `clouds:
  c:
    auth: {auth_url: "https://k/v3", username: bob, application_credential_id: id1, application_credential_secret: sec1}
    region_name: R
`;
    const r = ok({ cloudsYaml: y });
    expect(r.authType).toBe('applicationCredential');
    const g = readConf(r.cloudConf)['Global']!;
    expect(g).toEqual({ 'auth-url': 'https://k/v3', region: 'R', 'application-credential-id': 'id1', 'application-credential-secret': 'sec1' });
  });

  it('LoadBalancer options override the defaults one by one', () => {
    const r = ok({ cloudsYaml: appCred, loadBalancer: { useOctavia: false, createMonitor: false, enableIngressHostname: undefined } });
    expect(readConf(r.cloudConf)['LoadBalancer']).toEqual({
      'manage-security-groups': 'true', 'use-octavia': 'false', 'enable-ingress-hostname': 'true', 'create-monitor': 'false',
    });
    expect(DEFAULT_LOAD_BALANCER).toEqual({ manageSecurityGroups: true, useOctavia: true, enableIngressHostname: true, createMonitor: true });
  });
});

describe('password auth', () => {
  it('writes username, password, domains and the project as tenant-id and tenant-name', () => {
    const r = ok({ cloudsYaml: password });
    expect(r.authType).toBe('password');
    expect(r.cloudName).toBe('prod');
    expect(readConf(r.cloudConf)['Global']).toEqual({
      'auth-url': 'https://keystone.example:5000/v3', region: 'RegionTwo',
      username: 'alice', password: 'pw', 'user-domain-name': 'Default',
      'tenant-id': '0042', 'tenant-name': 'k8s', 'domain-name': 'Default',
    });
    expect(r.cloudConf).not.toContain('application-credential');
  });

  it('keeps ids that look like numbers as written (no YAML number conversion)', () => {
    const y = password.replace('project_id: "0042"', 'project_id: 00123456789012345678901234567890');
    const r = ok({ cloudsYaml: y });
    expect(readConf(r.cloudConf)['Global']!['tenant-id']).toBe('00123456789012345678901234567890');
    expect(r.identitySecretData['clouds.yaml']).toContain('project_id: 00123456789012345678901234567890');
  });

  it('omits what is not given (only project_name, no domains)', () => {
    const y = `clouds:
  openstack:
    auth: {auth_url: "https://k/v3", username: u, password: p, project_name: demo}
    region_name: R
    auth_type: password
`;
    expect(readConf(ok({ cloudsYaml: y }).cloudConf)['Global']).toEqual({
      'auth-url': 'https://k/v3', region: 'R', username: 'u', password: 'p', 'tenant-name': 'demo',
    });
  });
});

describe('CA certificate', () => {
  const withCa = appCred.replace('    region_name: RegionOne\n', '    region_name: RegionOne\n    cacert: /home/alice/os-ca.pem\n');
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('a cacert path takes the bytes from the Secret and points ca-file at the mount', () => {
    const r = ok({ cloudsYaml: withCa, caCert: pem });
    expect(readConf(r.cloudConf)['Global']!['ca-file']).toBe(DEFAULT_CA_FILE);
    expect(DEFAULT_CA_FILE).toBe('/etc/config/cacert');
    expect(r.caCert).toBe(pem);
    expect(r.caFile).toBe(DEFAULT_CA_FILE);
    expect(r.identitySecretData.cacert).toBe(pem);
    // CAPO reads the CA from the Secret's cacert key; the tenant's local path is dropped.
    const ids = parse(r.identitySecretData['clouds.yaml']);
    expect(ids.clouds.openstack.cacert).toBeUndefined();
    expect(ids.clouds.openstack.region_name).toBe('RegionOne');
  });

  it('inline PEM in cacert is used as the CA; the mount path can be chosen', () => {
    const y = `clouds:
  openstack:
    auth: {auth_url: "https://k/v3", application_credential_id: i, application_credential_secret: s}
    region_name: R
    cacert: |
${pem.split('\n').filter(Boolean).map((l) => `      ${l}`).join('\n')}
`;
    const r = ok({ cloudsYaml: y, caFile: '/etc/kubernetes/os ca.pem' });
    expect(r.caCert).toBe(pem);
    expect(r.cloudConf).toContain('ca-file="/etc/kubernetes/os ca.pem"\n');
    expect(readConf(r.cloudConf)['Global']!['ca-file']).toBe('/etc/kubernetes/os ca.pem');
  });

  it('a CA in the Secret is used even when clouds.yaml does not name one', () => {
    const r = ok({ cloudsYaml: appCred, caCert: pem });
    expect(readConf(r.cloudConf)['Global']!['ca-file']).toBe(DEFAULT_CA_FILE);
    expect(r.identitySecretData.cacert).toBe(pem);
  });
});

describe('several clouds', () => {
  const multi = `# two projects
defaults: &auth
  auth_url: https://keystone.example:5000/v3
  username: alice
  password: pw
clouds:
  dev:
    auth:
      <<: *auth
      project_name: dev
    region_name: RegionOne
  openstack:
    auth:
      auth_url: https://keystone.example:5000/v3
      application_credential_id: ac
      application_credential_secret: as
    region_name: RegionTwo
  staging:
    auth: &st
      auth_url: https://other.example/v3
      username: bob
      password: "bob's pw"
    region_name: RegionThree
  staging2:
    auth: *st
    region_name: RegionFour
`;

  it('defaults to the cloud named openstack', () => {
    const r = ok({ cloudsYaml: multi });
    expect(r.cloudName).toBe('openstack');
    expect(readConf(r.cloudConf)['Global']!['region']).toBe('RegionTwo');
    expect(Object.keys(parse(r.identitySecretData['clouds.yaml']).clouds)).toEqual(['openstack']);
  });

  it('uses the named cloud, and its identity clouds.yaml holds only that cloud with aliases resolved', () => {
    const r = ok({ cloudsYaml: multi, cloudName: 'staging2' });
    expect(r.cloudName).toBe('staging2');
    expect(readConf(r.cloudConf)['Global']).toMatchObject({
      'auth-url': 'https://other.example/v3', region: 'RegionFour', username: 'bob', password: "bob's pw",
    });
    const text = r.identitySecretData['clouds.yaml'];
    expect(text).not.toMatch(/[&*]st/);
    expect(parse(text)).toEqual({ clouds: { staging2: {
      auth: { auth_url: 'https://other.example/v3', username: 'bob', password: "bob's pw" }, region_name: 'RegionFour',
    } } });
  });

  it('merge keys (<<: *defaults) are applied, own keys first', () => {
    const r = ok({ cloudsYaml: multi.replace('      project_name: dev\n', '      project_name: dev\n      password: own\n'), cloudName: 'dev' });
    expect(readConf(r.cloudConf)['Global']).toEqual({
      'auth-url': 'https://keystone.example:5000/v3', region: 'RegionOne', username: 'alice', password: 'own', 'tenant-name': 'dev',
    });
    const text = r.identitySecretData['clouds.yaml'];
    expect(text).not.toContain('<<');
    expect(parse(text).clouds.dev.auth).toEqual({
      project_name: 'dev', password: 'own', auth_url: 'https://keystone.example:5000/v3', username: 'alice',
    });
  });

  it('more than one cloud and none named openstack needs a name', () => {
    const e = fail({ cloudsYaml: multi.replace('  openstack:\n', '  prod:\n') });
    expect(e.field).toBe('clouds');
    expect(e.message).toBe('clouds: Invalid value: 4 clouds are defined (dev, prod, staging, staging2) and none is named "openstack": name the one to use');
  });
});

describe('gcfg quoting', () => {
  it.each([
    ['plain', 'plain'],
    ['https://k:5000/v3?a=b&c', 'https://k:5000/v3?a=b&c'],
    ["it's", "it's"],
    ['two words', '"two words"'],
    ['a;b', '"a;b"'],
    ['a#b', '"a#b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    [' lead', '" lead"'],
    ['trail ', '"trail "'],
    ['tab\there', '"tab\\there"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['', '""'],
  ])('%j → %s', (value, written) => {
    expect(quoteValue(value)).toBe(written);
    expect(gcfgValue(written)).toBe(value);
  });

  it('a password with every special character reads back unchanged from cloud.conf', () => {
    const pw = ' p a;s#s"w\\o\trd ';
    const y = `clouds:
  openstack:
    auth:
      auth_url: https://k/v3
      username: "user name"
      password: ${JSON.stringify(pw)}
    region_name: R
`;
    const g = readConf(ok({ cloudsYaml: y }).cloudConf)['Global']!;
    expect(g['password']).toBe(pw);
    expect(g['username']).toBe('user name');
  });

  it('a value with another control character is refused at its field', () => {
    const y = password.replace('password: pw', 'password: "p\\rw"');
    expect(fail({ cloudsYaml: y }).message).toBe(
      'clouds.prod.auth.password: Invalid value: must not contain control characters other than tab and newline');
  });
});

describe('errors', () => {
  const cases: [string, CloudConfInput, string, string][] = [
    ['invalid YAML', { cloudsYaml: 'clouds:\n  openstack: [\n' }, 'clouds.yaml', 'clouds.yaml: Invalid value: not valid YAML: '],
    ['duplicate keys', { cloudsYaml: 'clouds:\n  a: {}\n  a: {}\n' }, 'clouds.yaml', 'clouds.yaml: Invalid value: not valid YAML: '],
    ['empty text', { cloudsYaml: '' }, 'clouds', 'clouds: Required value: clouds.yaml must have a map of clouds under "clouds"'],
    ['no clouds map', { cloudsYaml: 'openstack:\n  auth: {}\n' }, 'clouds', 'clouds: Required value: clouds.yaml must have a map of clouds under "clouds"'],
    ['clouds is a list', { cloudsYaml: 'clouds:\n- openstack\n' }, 'clouds', 'clouds: Required value: clouds.yaml must have a map of clouds under "clouds"'],
    ['clouds is empty', { cloudsYaml: 'clouds: {}\n' }, 'clouds', 'clouds: Required value: no cloud is defined'],
    ['unknown cloud name', { cloudsYaml: appCred, cloudName: 'prod' }, 'clouds', 'clouds: Not found: "prod": defined clouds: openstack'],
    ['cloud is not a map', { cloudsYaml: 'clouds:\n  openstack: yes\n' }, 'clouds.openstack', 'clouds.openstack: Invalid value: must be a map'],
    ['auth is not a map', { cloudsYaml: 'clouds:\n  openstack:\n    auth: [a]\n' }, 'clouds.openstack.auth', 'clouds.openstack.auth: Invalid value: must be a map'],
    ['missing auth', { cloudsYaml: 'clouds:\n  openstack:\n    region_name: R\n' }, 'clouds.openstack.auth.auth_url', 'clouds.openstack.auth.auth_url: Required value'],
    ['missing auth_url', { cloudsYaml: appCred.replace(/ *auth_url:.*\n/, '') }, 'clouds.openstack.auth.auth_url', 'clouds.openstack.auth.auth_url: Required value'],
    ['empty auth_url', { cloudsYaml: appCred.replace(/auth_url:.*\n/, 'auth_url: ""\n') }, 'clouds.openstack.auth.auth_url', 'clouds.openstack.auth.auth_url: Required value'],
    ['auth_url is a map', { cloudsYaml: appCred.replace(/auth_url:.*\n/, 'auth_url: {a: b}\n') }, 'clouds.openstack.auth.auth_url', 'clouds.openstack.auth.auth_url: Invalid value: must be a string, not a map'],
    ['missing region', { cloudsYaml: appCred.replace(/ *region_name:.*\n/, '') }, 'clouds.openstack.region_name', 'clouds.openstack.region_name: Required value'],
    ['neither credentials nor password', { cloudsYaml: 'clouds:\n  openstack:\n    auth: {auth_url: "https://k"}\n    region_name: R\n' },
      'clouds.openstack.auth', 'clouds.openstack.auth: Required value: application_credential_id and application_credential_secret, or username and password'],
    ['username without password', { cloudsYaml: password.replace(/ *password:.*\n/, '') }, 'clouds.prod.auth.password', 'clouds.prod.auth.password: Required value'],
    ['password without username', { cloudsYaml: password.replace(/ *username:.*\n/, '') }, 'clouds.prod.auth.username', 'clouds.prod.auth.username: Required value'],
    ['application credential without secret', { cloudsYaml: appCred.replace(/ *application_credential_secret:.*\n/, '') },
      'clouds.openstack.auth.application_credential_secret', 'clouds.openstack.auth.application_credential_secret: Required value'],
    ['v3applicationcredential without id', { cloudsYaml: appCred.replace(/ *application_credential_id:.*\n/, '') },
      'clouds.openstack.auth.application_credential_id', 'clouds.openstack.auth.application_credential_id: Required value'],
    ['unsupported auth_type', { cloudsYaml: appCred.replace('auth_type: v3applicationcredential', 'auth_type: v3oidcpassword') },
      'clouds.openstack.auth_type', 'clouds.openstack.auth_type: Unsupported value: "v3oidcpassword": supported values: "password", "v3password", "v3applicationcredential"'],
    ['cacert path without the CA bytes', { cloudsYaml: appCred.replace('    region_name: RegionOne\n', '    region_name: RegionOne\n    cacert: /tmp/ca.pem\n') },
      'clouds.openstack.cacert', 'clouds.openstack.cacert: Invalid value: "/tmp/ca.pem": the CA file must be in the Secret\'s "cacert" key'],
    ['a cloud name that is not a simple word', { cloudsYaml: 'clouds:\n  my.cloud:\n    region_name: R\n' },
      'clouds[my.cloud].auth.auth_url', 'clouds[my.cloud].auth.auth_url: Required value'],
  ];
  it.each(cases)('%s', (_name, input, field, message) => {
    const e = fail(input);
    expect(e.field).toBe(field);
    // YAML parse errors end with the parser's own text; every other message is exact.
    if (message.endsWith(': ')) expect(e.message.startsWith(message)).toBe(true);
    else expect(e.message).toBe(message);
  });

  it('aliases that expand exponentially are refused, not expanded', () => {
    let y = 'a0: &a0 [x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) y += `a${i}: &a${i} [${Array(8).fill(`*a${i - 1}`).join(', ')}]\n`;
    y += 'clouds:\n  openstack:\n    bomb: *a11\n';
    const e = fail({ cloudsYaml: y });
    expect(e.message).toBe('clouds.yaml: Invalid value: nested too deeply or expands to too many nodes through aliases');
  });

  it('unexpected exceptions are not swallowed as clouds.yaml errors', () => {
    expect(() => renderCloudConf({ cloudsYaml: 42 as unknown as string })).toThrow();
  });
});
