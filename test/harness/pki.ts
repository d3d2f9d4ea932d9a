// Minimal X.509 certificate issuing for test fixtures, using only node:crypto
// and a small DER encoder (no third-party code): ECDSA P-256 keys, SHA-256
// signatures, the extensions TLS servers/clients and Kubernetes care about.
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import net from 'node:net';

// ------------------------------------------------------------------ DER ----
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const explicit = (n: number, body: Buffer): Buffer => tlv(0xa0 | n, body);

function uint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const enc: number[] = [p & 0x7f];
    for (let v = p >>> 7; v > 0; v >>>= 7) enc.unshift(0x80 | (v & 0x7f));
    out.push(...enc);
  }
  return tlv(0x06, Buffer.from(out));
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

// ------------------------------------------------------------- X.509 ------
const OID = {
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  cn: '2.5.4.3',
  o: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** KeyUsage bit numbers (RFC 5280 4.2.1.3). */
const KU = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

export interface Subject {
  commonName: string;
  /** Organizations: Kubernetes maps these to groups for client certificates. */
  organizations?: string[];
}

function name(s: Subject): Buffer {
  const rdns = [...(s.organizations ?? []).map((o) => set(seq(oid(OID.o), utf8(o)))), set(seq(oid(OID.cn), utf8(s.commonName)))];
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

function keyUsage(bits: number[]): Buffer {
  let mask = 0;
  for (const b of bits) mask |= 0x8000 >> b;
  const bytes = mask & 0xff ? Buffer.from([mask >> 8, mask & 0xff]) : Buffer.from([mask >> 8]);
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return bitString(bytes, unused);
}

function sanNames(names: string[]): Buffer {
  return seq(
    ...names.map((n) => {
      if (net.isIPv4(n)) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
      if (net.isIPv6(n)) return tlv(0x87, ipv6Bytes(n));
      return tlv(0x82, Buffer.from(n, 'ascii'));
    }),
  );
}

function ipv6Bytes(addr: string): Buffer {
  const [head, tail] = addr.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Key identifier: leftmost 160 bits of the SHA-256 of the SubjectPublicKeyInfo (RFC 7093 style). */
function keyId(pub: KeyObject): Buffer {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest().subarray(0, 20);
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface IssuedCert {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
  keys: KeyPair;
  /** DER of the subject Name (the issuer Name of certificates this one signs). */
  subjectDer: Buffer;
}

export interface IssueOptions {
  subject: Subject;
  /** Issuer; self-signed when omitted. */
  issuer?: IssuedCert;
  isCA?: boolean;
  /** DNS names and IP addresses. */
  sans?: string[];
  usages?: ('server' | 'client')[];
  notBefore?: Date;
  notAfter?: Date;
}

export function generateEcKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** Issues a certificate with a fresh P-256 key, signed by `issuer` (or self-signed). */
export function issueCertificate(opts: IssueOptions): IssuedCert {
  const keys = generateEcKeyPair();
  const signer = opts.issuer?.keys ?? keys;
  const subjectName = name(opts.subject);
  const issuerName = opts.issuer ? opts.issuer.subjectDer : subjectName;
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 7 * 24 * 60 * 60 * 1000);
  const sigAlg = seq(oid(OID.ecdsaWithSHA256));

  const exts: Buffer[] = [
    extension(OID.basicConstraints, true, opts.isCA ? seq(bool(true)) : seq()),
    extension(
      OID.keyUsage,
      true,
      keyUsage(opts.isCA ? [KU.digitalSignature, KU.keyCertSign, KU.cRLSign] : [KU.digitalSignature, KU.keyEncipherment]),
    ),
    extension(OID.subjectKeyId, false, octets(keyId(keys.publicKey))),
  ];
  if (opts.usages?.length) {
    exts.push(extension(OID.extKeyUsage, false, seq(...opts.usages.map((u) => oid(u === 'server' ? OID.serverAuth : OID.clientAuth)))));
  }
  if (opts.sans?.length) exts.push(extension(OID.subjectAltName, false, sanNames(opts.sans)));
  if (opts.issuer) exts.push(extension(OID.authorityKeyId, false, seq(tlv(0x80, keyId(signer.publicKey)))));

  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    sigAlg,
    issuerName,
    seq(time(notBefore), time(notAfter)),
    subjectName,
    keys.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, { key: signer.privateKey, dsaEncoding: 'der' });
  const der = seq(tbs, sigAlg, bitString(signature));
  const cert = new X509Certificate(der);
  return {
    cert,
    certPem: cert.toString(),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keys,
    subjectDer: subjectName,
  };
}
