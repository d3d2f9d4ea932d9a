// kplane's own small PKI: a CA made on first start, a serving certificate for the addresses
// kplane listens on, and client certificates for kubeconfigs (CN = user, O = groups, as kube
// reads them). Keys are ECDSA P-256; everything is PEM in the data directory, private keys in the
// form kube's own tooling (client-go's keyutil, kubeadm) writes them: SEC1 `EC PRIVATE KEY` for EC,
// PKCS#1 `RSA PRIVATE KEY` for RSA. Clients that guess the algorithm from the PEM type (fabric8
// reads a PKCS#8 `PRIVATE KEY` as RSA unless told otherwise) load these unchanged.

import 'reflect-metadata';
import { createPrivateKey, webcrypto, type PrivateKeyInput } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { parseClusterName } from '../tenancy/logicalcluster.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends KeyPair {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

/**
 * A private key PEM of any form (SEC1, PKCS#1 or PKCS#8, as older kplane data directories hold)
 * rewritten as kube's tooling writes it: SEC1 for EC, PKCS#1 for RSA, PKCS#8 only for the rest.
 */
export function kubeKeyPem(pem: string | PrivateKeyInput): string {
  const key = createPrivateKey(pem);
  const type = key.asymmetricKeyType === 'ec' ? 'sec1' : key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'pkcs8';
  return key.export({ type, format: 'pem' }).toString();
}

/** Any private key PEM as PKCS#8, the one form WebCrypto and jose import. */
export function pkcs8Pem(pem: string): string {
  return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return kubeKeyPem({ key: der, format: 'der', type: 'pkcs8' });
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

function dnEscape(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

export async function createCA(commonName = 'kplane-ca'): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${dnEscape(commonName)}`,
    notBefore: new Date(now - 3600 * 1000),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey, certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

export interface IssueOptions {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
  /** URI SANs, e.g. kplane://cluster/root:acme (a certificate scoped to a logical cluster). */
  uris?: string[];
  usage: 'server' | 'client';
  validDays?: number;
  /** Validity in seconds from now; wins over validDays. */
  validSeconds?: number;
}

/** The scheme and host of the URI SAN naming the logical cluster a client certificate is for. */
export const CLUSTER_URI_PREFIX = 'kplane://cluster/';

/** The URI SAN that scopes a client certificate to one logical cluster. */
export function clusterURI(cluster: string): string {
  return `${CLUSTER_URI_PREFIX}${cluster}`;
}

/**
 * The logical cluster a client certificate is scoped to, from its kplane://cluster/<name> URI
 * SANs: undefined when it has none (an unscoped identity, e.g. the provider's admin); null when
 * the certificate is malformed for kplane (several such URIs, or one that names no valid
 * cluster), which the authenticator refuses rather than guessing.
 */
export function certificateCluster(der: Uint8Array): string | undefined | null {
  let san: x509.SubjectAlternativeNameExtension | null;
  try {
    san = new x509.X509Certificate(der).getExtension(x509.SubjectAlternativeNameExtension);
  } catch {
    return null;
  }
  const uris = (san?.names.items ?? []).filter((n) => n.type === 'url' && n.value.toLowerCase().startsWith(CLUSTER_URI_PREFIX));
  if (uris.length === 0) return undefined;
  if (uris.length > 1) return null;
  const name = parseClusterName(uris[0]!.value.slice(CLUSTER_URI_PREFIX.length));
  return name && name !== '*' ? name : null;
}

/** A certificate signed by the CA for a public key held elsewhere (a CSR's): PEM. */
export async function signPublicKey(ca: CertificateAuthority, publicKey: x509.PublicKeyType, opts: IssueOptions): Promise<string> {
  const now = Date.now();
  const subject = [`CN=${dnEscape(opts.commonName)}`, ...(opts.organizations ?? []).map((o) => `O=${dnEscape(o)}`)].join(', ');
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  const names = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(opts.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const lifetimeMs = opts.validSeconds !== undefined ? opts.validSeconds * 1000 : (opts.validDays ?? 365) * DAY;
  // never beyond the CA itself (kube's signer caps at the CA's notAfter too)
  const notAfter = new Date(Math.min(now + lifetimeMs, ca.cert.notAfter.getTime()));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subject,
    // an hour of backdating for clock skew, as before; kube's signer backdates 5 minutes
    notBefore: new Date(now - 3600 * 1000),
    notAfter,
    signingAlgorithm: ALG,
    publicKey,
    signingKey: ca.key,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

export async function issue(ca: CertificateAuthority, opts: IssueOptions): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { certPem: await signPublicKey(ca, keys.publicKey, opts), keyPem: await exportKey(keys.privateKey) };
}

/** The names a serving certificate should carry for a listen host. */
export function servingNames(listenHost: string): { dnsNames: string[]; ips: string[] } {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) ips.add(a.address.split('%')[0]!);
  } else if (isIP(listenHost)) {
    ips.add(listenHost);
  } else if (listenHost) {
    dns.add(listenHost);
  }
  return { dnsNames: [...dns], ips: [...ips] };
}

/** A CA from its PEM files. */
export async function importCA(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  return { cert: new x509.X509Certificate(certPem), key: await importKey(keyPem), certPem, keyPem };
}

export interface ServerPki {
  ca: CertificateAuthority;
  serving: KeyPair;
  dir: string;
}

async function readIf(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Loads the CA and serving certificate from dir, creating them on first use (and the serving one anew when names change). */
export async function loadOrCreatePki(dir: string, listenHost: string): Promise<ServerPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caCrt = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  let ca: CertificateAuthority;
  const [certPem, keyPem] = [await readIf(caCrt), await readIf(caKey)];
  if (certPem && keyPem) {
    ca = await importCA(certPem, keyPem);
  } else {
    ca = await createCA();
    await writeFile(caKey, ca.keyPem, { mode: 0o600 });
    await writeFile(caCrt, ca.certPem);
  }
  const names = servingNames(listenHost);
  const srvCrt = join(dir, 'serving.crt');
  const srvKey = join(dir, 'serving.key');
  const existing = [await readIf(srvCrt), await readIf(srvKey)];
  let serving: KeyPair | undefined;
  if (existing[0] && existing[1] && covers(existing[0], names)) serving = { certPem: existing[0], keyPem: existing[1] };
  if (!serving) {
    serving = await issue(ca, { commonName: 'kplane', ...names, usage: 'server' });
    await writeFile(srvKey, serving.keyPem, { mode: 0o600 });
    await writeFile(srvCrt, serving.certPem);
  }
  return { ca, serving, dir };
}

function covers(certPem: string, names: { dnsNames: string[]; ips: string[] }): boolean {
  const cert = new x509.X509Certificate(certPem);
  if (cert.notAfter.getTime() < Date.now() + 30 * DAY) return false;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return false;
  const have = new Set(san.names.items.map((n) => n.value.toLowerCase()));
  const normIp = (ip: string) => (ip.includes(':') ? expandV6(ip) : ip);
  const haveIps = new Set(san.names.items.filter((n) => n.type === 'ip').map((n) => normIp(n.value)));
  return names.dnsNames.every((d) => have.has(d.toLowerCase())) && names.ips.every((ip) => haveIps.has(normIp(ip)));
}

function expandV6(ip: string): string {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((p) => parseInt(p || '0', 16).toString(16)).join(':');
}
