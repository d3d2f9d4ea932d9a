// Kubeconfig issuance, end to end: certificates.k8s.io/v1 CertificateSigningRequests per logical
// cluster with the real kubectl (create, `kubectl certificate approve`, the signer issues a
// certificate scoped to the CSR's cluster), client certificates of `kplane kubeconfig` scoped to
// their workspace, and --token user tokens (valid in their cluster only, refused once expired).

import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../../src/auth/kubeconfig.js';
import { kubeKeyPem } from '../../src/auth/pki.js';
import { kubeconfigFor } from '../../src/cli/kubeconfig.js';
import { credentialsOf, eventually, kubectl, machineKubectl, raw, startKplane, type Credentials, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;
let admin: Credentials;
let acmeAdmin: string;
const bin = machineKubectl();
const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function createWorkspace(name: string): Promise<void> {
  const r = await raw(t.url, admin, { method: 'POST', path: `/clusters/root${WS}`, body: JSON.stringify({ metadata: { name } }) });
  expect(r.status, r.text).toBe(201);
  await eventually(async () => (await raw(t.url, admin, { path: `/clusters/root${WS}/${name}` })).json.status?.phase === 'Ready', 10_000, `${name} Ready`);
}

/** A fresh key and a PKCS#10 request for CN=user, O=groups. */
async function keyAndRequest(user: string, groups: string[]): Promise<{ keyPem: string; csrPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [`CN=${user}`, ...groups.map((g) => `O=${g}`)].join(', '), keys, signingAlgorithm: ALG,
  }, webcrypto as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1]);
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { keyPem: kubeKeyPem({ key: der, format: 'der', type: 'pkcs8' }), csrPem: csr.toString('pem') + '\n' };
}

function csrManifest(name: string, csrPem: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...extra },
  });
}

async function ok(kc: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(bin, kc, args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** What a cluster nobody may enter answers: the reference for "refused at the door". */
async function absentAnswer(creds: Credentials): Promise<{ status: number; text: string }> {
  const r = await raw(t.url, creds, { path: '/clusters/root:does-not-exist/api/v1/namespaces/default/configmaps' });
  return { status: r.status, text: r.text.replaceAll('root:does-not-exist', 'CLUSTER') };
}

async function answerIn(creds: Credentials, cluster: string): Promise<{ status: number; text: string }> {
  const r = await raw(t.url, creds, { path: `/clusters/${cluster}/api/v1/namespaces/default/configmaps` });
  return { status: r.status, text: r.text.replaceAll(cluster, 'CLUSTER') };
}

beforeAll(async () => {
  t = await startKplane();
  admin = credentialsOf(await readFile(t.kubeconfig, 'utf8'));
  await createWorkspace('acme');
  await createWorkspace('other');
  acmeAdmin = await t.kubeconfigFor('root:acme');
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('CertificateSigningRequest', () => {
  it('issues an approved request with kplane\'s CA, scoped to the cluster of the request', async () => {
    const { keyPem, csrPem } = await keyAndRequest('carol', ['acme-devs']);
    await ok(acmeAdmin, ['create', '-f', '-'], csrManifest('carol', csrPem, { expirationSeconds: 3600 }));
    const pending = await ok(acmeAdmin, ['get', 'csr', 'carol']);
    expect(pending.split('\n')[0]!.split(/\s+/)).toEqual(['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
    expect(pending).toMatch(/carol\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+kplane-admin\s+60m\s+Pending/);
    // the requestor is written by the server, from the caller
    const stored = JSON.parse(await ok(acmeAdmin, ['get', 'csr', 'carol', '-o', 'json']));
    expect(stored.spec.username).toBe('kplane-admin');
    expect(stored.spec.groups).toContain('system:masters');
    // not the same name in another cluster
    expect((await raw(t.url, admin, { path: '/clusters/root/apis/certificates.k8s.io/v1/certificatesigningrequests/carol' })).status).toBe(404);

    expect(await ok(acmeAdmin, ['certificate', 'approve', 'carol'])).toContain('approved');
    const certB64 = await eventually(async () => (await ok(acmeAdmin, ['get', 'csr', 'carol', '-o', 'jsonpath={.status.certificate}'])) || undefined, 15_000, 'the certificate');
    expect(await ok(acmeAdmin, ['get', 'csr', 'carol', '--no-headers'])).toMatch(/Approved,Issued/);
    const certPem = Buffer.from(certB64, 'base64').toString('utf8');
    const cert = new x509.X509Certificate(certPem);
    expect(cert.subject).toBe('CN=carol, O=acme-devs');
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => `${n.type}:${n.value}`)).toEqual(['url:kplane://cluster/root:acme']);
    // expirationSeconds honoured (the certificate is backdated for clock skew)
    expect(Math.abs(cert.notAfter.getTime() - Date.now() - 3600_000)).toBeLessThan(60_000);

    const carol = join(t.dir, 'carol.kubeconfig');
    await writeFile(carol, renderKubeconfig({ server: `${t.url}/clusters/root:acme`, caPem: admin.ca, user: 'carol', clientCertPem: certPem, clientKeyPem: keyPem }), { mode: 0o600 });
    // carol is carol in root:acme: RBAC (no grants yet) names her
    const r = await kubectl(bin, carol, ['get', 'configmaps', '-n', 'default']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('User "carol" cannot list resource "configmaps"');
    const creds: Credentials = { ca: admin.ca, cert: certPem, key: keyPem };
    const whoami = await raw(t.url, creds, {
      method: 'POST', path: '/clusters/root:acme/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    expect(whoami.status, whoami.text).toBe(201);
    expect(whoami.json.status.userInfo.username).toBe('carol');
    // and nobody in root or another tenant's cluster: refused exactly as a cluster that does not exist
    for (const c of ['root', 'root:other']) expect(await answerIn(creds, c)).toEqual(await absentAnswer(creds));
  });

  it("validates requests as kube's strategy does", async () => {
    const { csrPem } = await keyAndRequest('dave', []);
    const short = await raw(t.url, admin, { method: 'POST', path: '/clusters/root:acme/apis/certificates.k8s.io/v1/certificatesigningrequests', body: csrManifest('short', csrPem, { expirationSeconds: 300 }) });
    expect(short.status).toBe(422);
    expect(short.json.message).toContain('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 600 seconds (10 minutes)');
    const bad = await raw(t.url, admin, {
      method: 'POST', path: '/clusters/root:acme/apis/certificates.k8s.io/v1/certificatesigningrequests',
      body: JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'bad' }, spec: { request: Buffer.from('nope').toString('base64'), signerName: 'nodomain', usages: [] } }),
    });
    expect(bad.status).toBe(422);
    expect(bad.json.details.causes.map((c: { field: string }) => c.field)).toEqual(['spec.request', 'spec.usages', 'spec.signerName']);
    expect(bad.json.message).toContain('PEM block type must be CERTIFICATE REQUEST');
    // kube's CertificateSubjectRestriction: no system:masters through the client signer
    const masters = await keyAndRequest('eve', ['system:masters']);
    const m = await raw(t.url, admin, { method: 'POST', path: '/clusters/root:acme/apis/certificates.k8s.io/v1/certificatesigningrequests', body: csrManifest('eve', masters.csrPem) });
    expect(m.status).toBe(403);
    expect(m.json.message).toBe('certificatesigningrequests.certificates.k8s.io "eve" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
  });

  it('keeps spec immutable, and approval and denial exclusive', async () => {
    const { csrPem } = await keyAndRequest('frank', []);
    await ok(acmeAdmin, ['create', '-f', '-'], csrManifest('frank', csrPem));
    await ok(acmeAdmin, ['certificate', 'deny', 'frank']);
    const path = '/clusters/root:acme/apis/certificates.k8s.io/v1/certificatesigningrequests/frank';
    const csr = (await raw(t.url, admin, { path })).json;
    expect(csr.status.conditions.map((c: { type: string }) => c.type)).toEqual(['Denied']);
    csr.status.conditions.push({ type: 'Approved', status: 'True', reason: 'X', message: 'x' });
    const both = await raw(t.url, admin, { method: 'PUT', path: `${path}/approval`, body: JSON.stringify(csr) });
    expect(both.status).toBe(422);
    expect(both.json.message).toContain('status.conditions[1].type: Invalid value: "Approved": Approved and Denied conditions are mutually exclusive');
    csr.status.conditions = [];
    const removed = await raw(t.url, admin, { method: 'PUT', path: `${path}/approval`, body: JSON.stringify(csr) });
    expect(removed.status).toBe(422);
    expect(removed.json.message).toContain('status.conditions: Forbidden: updates may not remove a condition of type "Denied"');
    // a main-resource update changes neither spec nor status
    const current = (await raw(t.url, admin, { path })).json;
    current.spec.usages = ['server auth'];
    current.metadata.labels = { a: 'b' };
    const upd = await raw(t.url, admin, { method: 'PUT', path, body: JSON.stringify(current) });
    expect(upd.status).toBe(200);
    expect(upd.json.spec.usages).toEqual(['client auth']);
    expect(upd.json.metadata.labels).toEqual({ a: 'b' });
    expect(upd.json.status.conditions.map((c: { type: string }) => c.type)).toEqual(['Denied']);
  });
});

describe('kplane kubeconfig', () => {
  it('issues client certificates that are the user in their workspace only', async () => {
    const text = await kubeconfigFor({ workspace: 'root:acme', user: 'alice', group: ['acme-devs'], dataDir: t.dir, ttl: 1800 });
    const creds = credentialsOf(text);
    const cert = new x509.X509Certificate(creds.cert!);
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value)).toEqual(['kplane://cluster/root:acme']);
    expect(Math.abs(cert.notAfter.getTime() - Date.now() - 1800_000)).toBeLessThan(60_000);
    const inAcme = await raw(t.url, creds, { path: '/clusters/root:acme/api/v1/namespaces/default/configmaps' });
    expect(inAcme.status).toBe(403);
    expect(inAcme.json.message).toContain('User "alice" cannot list resource "configmaps"');
    for (const c of ['root', 'root:other']) expect(await answerIn(creds, c)).toEqual(await absentAnswer(creds));
  });

  it('issues user tokens valid in their cluster only, and not once expired', async () => {
    const text = await kubeconfigFor({ workspace: 'root:acme', user: 'alice', group: ['acme-devs'], dataDir: t.dir, token: true, ttl: 600 });
    const path = join(t.dir, 'alice-token.kubeconfig');
    await writeFile(path, text, { mode: 0o600 });
    const whoami = JSON.parse(await ok(path, ['auth', 'whoami', '-o', 'json']));
    expect(whoami.status.userInfo.username).toBe('alice');
    expect(whoami.status.userInfo.groups).toEqual(['acme-devs', 'system:authenticated']);
    const token = (text.match(/token: (\S+)/) ?? [])[1]!;
    const bearer = (cluster: string, tok = token) => raw(t.url, { ca: admin.ca }, {
      path: `/clusters/${cluster}/api/v1/namespaces/default/configmaps`, headers: { Authorization: `Bearer ${tok}` },
    });
    const inAcme = await bearer('root:acme');
    expect(inAcme.status).toBe(403);
    expect(inAcme.json.message).toContain('User "alice" cannot list resource "configmaps"');
    for (const c of ['root', 'root:other']) expect((await bearer(c)).status).toBe(401);
    // issued two hours ago for one hour: expired
    const old = await kubeconfigFor({
      workspace: 'root:acme', user: 'alice', group: [], dataDir: t.dir, token: true, ttl: 3600, now: new Date(Date.now() - 7200_000),
    });
    expect((await bearer('root:acme', (old.match(/token: (\S+)/) ?? [])[1]!)).status).toBe(401);
    // a forged signature is no token
    const [h, p] = token.split('.');
    expect((await bearer('root:acme', `${h}.${p}.${Buffer.from('x'.repeat(64)).toString('base64url')}`)).status).toBe(401);
  });
});
