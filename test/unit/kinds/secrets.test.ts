import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { secrets, x509KeyPairError } from '../../../src/registry/kinds/secrets.js';
import { issueCertificate } from '../../harness/pki.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const s = secrets.strategy;
const c = ctx('bar');
const b64 = (v: string | Buffer): string => Buffer.from(v).toString('base64');
const secret = (extra: Record<string, unknown> = {}, data: Record<string, string> = { 'data-1': b64('bar') }): KubeObject =>
  ({ metadata: { name: 'foo', namespace: 'bar' }, data, ...extra });

/** What the store does before validation. */
function decoded(o: KubeObject): KubeObject {
  s.applyDefaults!(o);
  return o;
}

describe('secrets: API metadata', () => {
  it('matches kube discovery', () => {
    expect(secrets).toMatchObject({
      group: '', version: 'v1', resource: 'secrets', kind: 'Secret', listKind: 'SecretList', singularName: 'secret',
      shortNames: [], categories: [], namespaced: true, subresources: [], schemaName: 'io.k8s.api.core.v1.Secret',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
    expect(s.allowCreateOnUpdate).toBe(false);
    expect(s.allowUnconditionalUpdate).toBe(true);
  });
  it('selects on type', () => {
    expect(s.selectableFields!(secret({ type: 'kubernetes.io/tls' }))).toEqual({ type: 'kubernetes.io/tls' });
  });
});

describe('secrets: decoding', () => {
  it('defaults the type to Opaque', () => {
    expect(decoded(secret()).type).toBe('Opaque');
    expect(decoded(secret({ type: '' })).type).toBe('Opaque');
    expect(decoded(secret({ type: 'foo' })).type).toBe('foo');
  });
  it('folds stringData into data (stringData wins) and drops it', () => {
    const o = decoded(secret({ stringData: { a: 'é', 'data-1': 'new' } }));
    expect(o.data).toEqual({ 'data-1': b64('new'), a: b64('é') });
    expect('stringData' in o).toBe(false);
  });
  it('stringData alone creates data; canonicalize folds too', () => {
    const o: KubeObject = { metadata: { name: 'x' }, stringData: { k: 'v' }, type: 'Opaque' };
    s.canonicalize!(o);
    expect(o).toEqual({ metadata: { name: 'x' }, data: { k: b64('v') }, type: 'Opaque' });
  });
  it.each([
    ['YQ=', 3], ['Y', 0], ['YQ', 0], ['YQ==x', 4], ['Y===', 1], ['!!!!', 0], ['YWJj!', 4], ['YWJjZA', 4], ['=', 0],
    ['YQ==YQ==', 4], ['YWJj\nYQ', 5],
  ])('rejects bad base64 %j like Go (byte %d)', (v, off) => {
    expect(() => decoded(secret({}, { a: v }))).toThrow(
      `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${off}`);
  });
  it('accepts base64 with line breaks and normalises it', () => {
    expect(decoded(secret({}, { a: 'YW\r\nJj', b: '', c: 'YQ=\n=', d: 'YQ==\n' })).data).toEqual({ a: 'YWJj', b: '', c: 'YQ==', d: 'YQ==' });
  });
});

describe('secrets: validate', () => {
  const SA = { 'kubernetes.io/service-account.name': 'foo' };
  it.each<[string, KubeObject, string[]]>([
    ['valid', secret(), []],
    ['over max size', secret({}, { over: b64(Buffer.alloc(1024 * 1024 + 1)) }), ['data: Too long: may not be more than 1048576 bytes']],
    ['invalid key', secret({}, { 'a*b': b64('whoops') }), [
      "data[a*b]: Invalid value: \"a*b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]],
    ['leading dot key', secret({}, { '.key': b64('bar') }), []],
    ['dot key', secret({}, { '.': b64('bar') }), ["data[.]: Invalid value: \".\": must not be '.'"]],
    ['valid service-account-token', secret({ type: 'kubernetes.io/service-account-token', metadata: { name: 'foo', annotations: SA } }), []],
    ['empty service-account-token annotation', secret({ type: 'kubernetes.io/service-account-token',
      metadata: { name: 'foo', annotations: { 'kubernetes.io/service-account.name': '' } } }),
    ['metadata.annotations[kubernetes.io/service-account.name]: Required value']],
    ['missing service-account-token annotations', secret({ type: 'kubernetes.io/service-account-token' }),
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value']],
    ['dockercfg missing', secret({ type: 'kubernetes.io/dockercfg' }), ['data[.dockercfg]: Required value']],
    ['dockercfg valid', secret({ type: 'kubernetes.io/dockercfg' }, { '.dockercfg': b64('{"https://index.docker.io/v1/": {"auth": "x"}}') }), []],
    ['dockercfg bad json', secret({ type: 'kubernetes.io/dockercfg' }, { '.dockercfg': b64('{"a":1,}') }),
      ['data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character \'}\' looking for beginning of object key string']],
    ['dockerconfigjson empty', secret({ type: 'kubernetes.io/dockerconfigjson' }, { '.dockerconfigjson': '' }),
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input']],
    ['dockerconfigjson array', secret({ type: 'kubernetes.io/dockerconfigjson' }, { '.dockerconfigjson': b64('[1]') }),
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}']],
    ['dockerconfigjson null', secret({ type: 'kubernetes.io/dockerconfigjson' }, { '.dockerconfigjson': b64('null') }), []],
    ['basic-auth empty', secret({ type: 'kubernetes.io/basic-auth' }, {}), ['data[username]: Required value', 'data[password]: Required value']],
    ['basic-auth username only', secret({ type: 'kubernetes.io/basic-auth' }, { username: '' }), []],
    ['ssh-auth empty key', secret({ type: 'kubernetes.io/ssh-auth' }, { 'ssh-privatekey': '' }), ['data[ssh-privatekey]: Required value']],
    ['tls missing', secret({ type: 'kubernetes.io/tls' }, {}), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']],
    ['unknown type', secret({ type: 'example.com/whatever' }, {}), []],
  ])('%s', (_n, o, want) => {
    expect(errs(s.validate(o, c))).toEqual(want);
  });
});

describe('secrets: update', () => {
  const IMM = 'Forbidden: field is immutable when `immutable` is set';
  it('type is immutable', () => {
    const old = decoded(secret({ type: 'kubernetes.io/tls' }, { 'tls.crt': '', 'tls.key': '' }));
    const n = decoded(secret({}, { 'tls.crt': '', 'tls.key': '' }));
    s.prepareForUpdate!(n, old, c);
    expect(errs(s.validateUpdate(n, old, c))).toEqual(['type: Invalid value: "Opaque": field is immutable']);
  });
  it('keeps the old type when the new one is empty (internal callers)', () => {
    const n = secret();
    s.prepareForUpdate!(n, secret({ type: 'foo' }), c);
    expect(n.type).toBe('foo');
  });
  it('immutable secrets keep their data', () => {
    const old = decoded(secret({ immutable: true }));
    expect(errs(s.validateUpdate(decoded(secret({ immutable: false }, { x: b64('y') })), old, c))).toEqual([`immutable: ${IMM}`, `data: ${IMM}`]);
    expect(s.validateUpdate(decoded(secret({ immutable: true })), old, c)).toEqual([]);
    expect(errs(s.validateUpdate(decoded(secret({ immutable: true, stringData: { 'data-1': 'changed' } })), old, c))).toEqual([`data: ${IMM}`]);
  });
});

describe('secrets: TLS warnings (tls.X509KeyPair)', () => {
  const a = issueCertificate({ subject: { commonName: 'a' } });
  const b = issueCertificate({ subject: { commonName: 'b' } });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const rsaPem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const w = (crt: string, key: string): string[] =>
    s.warningsOnCreate!(decoded(secret({ type: 'kubernetes.io/tls' }, { 'tls.crt': b64(crt), 'tls.key': b64(key) })), c);
  it('no warning for a matching pair', () => {
    expect(w(a.certPem, a.keyPem)).toEqual([]);
  });
  it.each<[string, () => [string, string], string]>([
    ['no PEM in cert', () => ['x', 'y'], 'tls: failed to find any PEM data in certificate input'],
    ['inputs switched', () => [a.keyPem, a.certPem], 'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched'],
    ['no PEM in key', () => [a.certPem, 'y'], 'tls: failed to find any PEM data in key input'],
    ['cert as key', () => [a.certPem, a.certPem], 'tls: found a certificate rather than a key in the PEM for the private key'],
    ['mismatched keys', () => [a.certPem, b.keyPem], 'tls: private key does not match public key'],
    ['key type mismatch', () => [a.certPem, rsaPem], 'tls: private key type does not match public key type'],
    ['garbage key', () => [a.certPem, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'], 'tls: failed to parse private key'],
  ])('%s', (_n, pair, want) => {
    const [crt, key] = pair();
    expect(w(crt, key)).toEqual([want]);
  });
  it('other types get no warning', () => {
    expect(s.warningsOnCreate!(secret({ type: 'Opaque' }), c)).toEqual([]);
    expect(x509KeyPairError(Buffer.from(a.certPem), Buffer.from(a.keyPem))).toBeUndefined();
  });
});

describe('secrets: canonical form and table', () => {
  it('serialises like kube', () => {
    const o: KubeObject = { type: 'Opaque', data: {}, metadata: { name: 'x' }, apiVersion: 'v1', kind: 'Secret', immutable: false };
    s.canonicalize!(o);
    expect(o).toEqual({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x' }, immutable: false, type: 'Opaque' });
    expect(Object.keys(o)).toEqual(['kind', 'apiVersion', 'metadata', 'immutable', 'type']);
  });
  it('prints Name, Type, Data, Age', () => {
    expect(s.table!.columns.map((col) => col.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(s.table!.cells(secret({ type: 'Opaque', metadata: { name: 's', creationTimestamp: ago(86400 * 3) } }), NOW))
      .toEqual(['s', 'Opaque', 1, '3d']);
  });
});
