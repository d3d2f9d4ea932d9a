// The structured authentication configuration file: versions and kinds, strict decoding, and
// kube's validation errors (field paths and texts), CEL expressions compiled with kube's variables.

import { describe, expect, it } from 'vitest';
import {
  compileAuthenticationConfiguration, decodeAuthenticationConfiguration, lowerOptionalSelects, validateAuthenticationConfiguration,
} from '../../../src/auth/oidc/config.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';

const header = (v = 'v1') => `apiVersion: apiserver.config.k8s.io/${v}\nkind: AuthenticationConfiguration\n`;
const minimal = (extra = '') => `${header()}jwt:
- issuer:
    url: https://issuer.example.com
    audiences: [kplane]
  claimMappings:
    username:
      claim: sub
      prefix: "oidc:"
${extra}`;

/** The field errors of a configuration's jwt[0] given as YAML (a list item's body). */
function errorsOf(jwt: string): string[] {
  const c = decodeAuthenticationConfiguration(`${header()}jwt:\n- ${jwt.trim().split('\n').join('\n  ')}\n`);
  return validateAuthenticationConfiguration(c).errors.map(fieldErrorString);
}

describe('decoding', () => {
  it('accepts v1, v1beta1 and v1alpha1, YAML or JSON', () => {
    for (const v of ['v1', 'v1beta1', 'v1alpha1']) expect(compileAuthenticationConfiguration(minimal().replace('/v1\n', `/${v}\n`))).toHaveLength(1);
    const json = JSON.stringify({
      apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration',
      jwt: [{ issuer: { url: 'https://a.example', audiences: ['x'] }, claimMappings: { username: { claim: 'sub', prefix: '' } } }],
    });
    const [a] = compileAuthenticationConfiguration(json);
    expect(a!.username).toEqual({ claim: 'sub', prefix: '' });
  });

  it('refuses other kinds and versions, an empty file, unknown fields and wrong types', () => {
    expect(() => compileAuthenticationConfiguration('', '/etc/authn.yaml')).toThrow('failed to load authentication configuration file "/etc/authn.yaml": empty config data');
    expect(() => compileAuthenticationConfiguration('kind: AuthenticationConfiguration\n')).toThrow("Object 'apiVersion' is missing");
    expect(() => compileAuthenticationConfiguration(`apiVersion: apiserver.config.k8s.io/v2\nkind: AuthenticationConfiguration\n`))
      .toThrow('no kind "AuthenticationConfiguration" is registered for version "apiserver.config.k8s.io/v2"');
    expect(() => compileAuthenticationConfiguration(`apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n`))
      .toThrow('no kind "AuthorizationConfiguration" is registered');
    expect(() => compileAuthenticationConfiguration(minimal('  userValidationRule: []\n').replace('audiences: [kplane]', 'audiences: [kplane]\n    clientID: x')))
      .toThrow('strict decoding error: unknown field "jwt[0].issuer.clientID", unknown field "jwt[0].userValidationRule"');
    expect(() => compileAuthenticationConfiguration(minimal().replace('audiences: [kplane]', 'audiences: kplane')))
      .toThrow('json: cannot unmarshal string into Go struct field jwt[0].issuer.audiences of type []string');
  });

  it('allows no authenticators at all', () => {
    expect(compileAuthenticationConfiguration(header())).toEqual([]);
    expect(compileAuthenticationConfiguration(`${header()}jwt: []\n`)).toEqual([]);
  });
});

describe('validation (kube\'s texts)', () => {
  it('issuer: https URLs without user, query or fragment; discoveryURL differs', () => {
    expect(errorsOf(`
issuer:
  url: http://u:p@issuer.example/?q=1#f
  discoveryURL: http://issuer.example/
  audiences: [a]
claimMappings: {username: {claim: sub, prefix: ""}}`)).toEqual([
      'jwt[0].issuer.url: Invalid value: "http://u:p@issuer.example/?q=1#f": URL scheme must be https',
      'jwt[0].issuer.url: Invalid value: "http://u:p@issuer.example/?q=1#f": URL must not contain a username or password',
      'jwt[0].issuer.url: Invalid value: "http://u:p@issuer.example/?q=1#f": URL must not contain a query',
      'jwt[0].issuer.url: Invalid value: "http://u:p@issuer.example/?q=1#f": URL must not contain a fragment',
      'jwt[0].issuer.discoveryURL: Invalid value: "http://issuer.example/": URL scheme must be https',
    ]);
    expect(errorsOf(`
issuer: {url: "https://i.example", discoveryURL: "https://i.example/", audiences: [a]}
claimMappings: {username: {claim: sub, prefix: ""}}`)).toEqual(['jwt[0].issuer.discoveryURL: Invalid value: "https://i.example/": discoveryURL must be different from URL']);
  });

  it('audiences: required, unique, MatchAny for several; certificateAuthority must hold certificates', () => {
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: []}
claimMappings: {username: {claim: sub, prefix: ""}}`)).toEqual(['jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required']);
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: [a, a, ""], certificateAuthority: "not a pem"}
claimMappings: {username: {claim: sub, prefix: ""}}`)).toEqual([
      'jwt[0].issuer.audiences[1]: Duplicate value: "a"',
      'jwt[0].issuer.audiences[2]: Required value',
      'jwt[0].issuer.audienceMatchPolicy: Invalid value: "": audienceMatchPolicy must be MatchAny for multiple audiences',
      'jwt[0].issuer.certificateAuthority: Invalid value: "<omitted>": data does not contain any valid RSA or ECDSA certificates',
    ]);
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: [a], audienceMatchPolicy: MatchAll}
claimMappings: {username: {claim: sub, prefix: ""}}`)).toEqual(['jwt[0].issuer.audienceMatchPolicy: Invalid value: "MatchAll": audienceMatchPolicy must be empty or MatchAny for single audience']);
  });

  it('claim mappings: claim xor expression, prefix required with claim and forbidden with expression', () => {
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: [a]}
claimMappings:
  username: {claim: sub}
  groups: {expression: "claims.groups", prefix: "g:"}
  uid: {claim: sub, expression: claims.sub}`)).toEqual([
      'jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing',
      'jwt[0].claimMappings.groups.prefix: Invalid value: "g:": may not be specified when expression is set',
      'jwt[0].claimMappings.uid: Invalid value: "": claim and expression can\'t both be set',
    ]);
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: [a]}
claimMappings: {}`)).toEqual(['jwt[0].claimMappings.username: Required value: claim or expression is required']);
  });

  it('CEL: compile errors, result types, claims.email needs claims.email_verified', () => {
    const errs = errorsOf(`
issuer: {url: "https://i.example", audiences: [a]}
claimValidationRules:
- expression: claims.sub
- expression: "claims.hd == 'example.com'"
  requiredValue: x
claimMappings:
  username: {expression: "claims.email"}
  extra:
  - {key: example.com/Tenant, valueExpression: "claims.tenant"}
  - {key: kubernetes.io/x, valueExpression: "claims.x"}
  - {key: nodomain, valueExpression: "claims.x"}
  - {key: example.com/t, valueExpression: "claims.t +"}
userValidationRules:
- expression: "user.username.startsWith('system:')"
- expression: "user.name == 'x'"`);
    expect(errs[0]).toBe('jwt[0].claimValidationRules[0].expression: Invalid value: "claims.sub": must evaluate to bool');
    expect(errs[1]).toBe('jwt[0].claimValidationRules[1].requiredValue: Invalid value: "x": may not be specified when expression is set');
    expect(errs[2]).toBe('jwt[0].claimMappings.extra[0].key: Invalid value: "example.com/Tenant": must be lowercase');
    expect(errs[3]).toBe('jwt[0].claimMappings.extra[1].key: Invalid value: "kubernetes.io/x": k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use');
    expect(errs[4]).toBe('jwt[0].claimMappings.extra[2].key: Invalid value: "nodomain": must be a domain-prefixed path (such as "acme.io/foo")');
    expect(errs[5]).toMatch(/^jwt\[0\]\.claimMappings\.extra\[3\]\.valueExpression: Invalid value: "claims\.t \+": compilation failed: ERROR: <input>:1:\d+: Syntax error/);
    expect(errs[6]).toBe('jwt[0].claimMappings.username.expression: Invalid value: "claims.email": claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression');
    expect(errs[7]).toMatch(/^jwt\[0\]\.userValidationRules\[1\]\.expression: Invalid value: "user\.name == 'x'": compilation failed: ERROR: <input>:1:5: undefined field 'name'/);
    expect(errs).toHaveLength(8);
  });

  it('optional field selection on claims (claims.?name) is lowered to has() + optional, outside literals', () => {
    expect(lowerOptionalSelects("claims.?email_verified.orValue(true) == true")).toBe(
      '(has(claims.email_verified) ? optional.of(claims.email_verified) : optional.none()).orValue(true) == true');
    expect(lowerOptionalSelects("'claims.?x' + claims.a.?b.orValue('')")).toBe(
      "'claims.?x' + (has(claims.a.b) ? optional.of(claims.a.b) : optional.none()).orValue('')");
    expect(lowerOptionalSelects('myclaims.?x')).toBe('myclaims.?x');
    // claims.email with claims.?email_verified counts as using email_verified, as in kube
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: [a]}
claimValidationRules:
- expression: "claims.?email_verified.orValue(true) == true"
claimMappings:
  username: {expression: "claims.email"}
  groups: {expression: "claims.?groups.orValue([])"}`)).toEqual([]);
  });

  it('claims.email with email_verified in a claim validation rule is valid', () => {
    expect(errorsOf(`
issuer: {url: "https://i.example", audiences: [a]}
claimValidationRules:
- {expression: "claims.email_verified == true", message: "email must be verified"}
claimMappings:
  username: {expression: "claims.email"}`)).toEqual([]);
  });

  it('duplicate issuers, claims and expressions; anonymous is not kplane\'s to configure', () => {
    const c = decodeAuthenticationConfiguration(`${header()}jwt:
- issuer: {url: "https://i.example", audiences: [a]}
  claimValidationRules: [{claim: hd, requiredValue: x}, {claim: hd, requiredValue: y}, {claim: a, message: m}]
  claimMappings: {username: {claim: sub, prefix: ""}}
- issuer: {url: "https://i.example", audiences: [a]}
  claimMappings: {username: {claim: sub, prefix: ""}}
  userValidationRules: [{expression: "true"}, {expression: "true"}, {expression: ""}]
anonymous: {enabled: true}
`);
    expect(validateAuthenticationConfiguration(c).errors.map(fieldErrorString)).toEqual([
      'jwt[0].claimValidationRules[1].claim: Duplicate value: "hd"',
      'jwt[0].claimValidationRules[2].message: Invalid value: "m": may not be specified when claim is set',
      'jwt[1].userValidationRules[1].expression: Duplicate value: "true"',
      'jwt[1].userValidationRules[2].expression: Required value',
      'jwt[1].issuer.url: Duplicate value: "https://i.example"',
      'anonymous: Forbidden: anonymous is not configurable in kplane',
    ]);
  });

  it('the start-up error names the file and lists every error', () => {
    expect(() => compileAuthenticationConfiguration(minimal().replace('https://issuer.example.com', 'http://x').replace('prefix: "oidc:"', ''), '/etc/a.yaml'))
      .toThrow('invalid authentication configuration file "/etc/a.yaml": [jwt[0].issuer.url: Invalid value: "http://x": URL scheme must be https, jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing]');
  });
});
