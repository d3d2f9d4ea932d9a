// PKCS#10 certificate signing requests as kube reads them (pkg/apis/certificates ParseCSR and
// Go's x509.CertificateRequest.CheckSignature): the first PEM block must be a CERTIFICATE
// REQUEST, it must parse, and its self-signature must verify. Synchronous (node:crypto), so the
// CSR strategy can validate a request like any other field.

import 'reflect-metadata';
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface ParsedCSR {
  der: Buffer;
  request: x509.Pkcs10CertificateRequest;
  commonName: string;
  organizations: string[];
}

/** The first PEM block of text: its type and DER bytes (Go's pem.Decode, without headers support). */
function firstPemBlock(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  if (/^[\w-]+:/m.test(m[2]!)) return { type: m[1]!, der: Buffer.alloc(0) };
  return { type: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') };
}

/** Reads one DER TLV at off: [start of contents, end]. */
function tlv(b: Buffer, off: number): [number, number] {
  if (off + 2 > b.length) throw new Error('truncated');
  const first = b[off + 1]!;
  let len = first;
  let head = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || off + 2 + n > b.length) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[off + 2 + i]!;
    head = 2 + n;
  }
  if (off + head + len > b.length) throw new Error('truncated');
  return [off + head, off + head + len];
}

/** The to-be-signed bytes and signature of a CertificationRequest (RFC 2986). */
function signedParts(der: Buffer): { tbs: Buffer; signature: Buffer } {
  const [start, end] = tlv(der, 0);
  if (end !== der.length) throw new Error('x509: trailing data');
  const [, tbsEnd] = tlv(der, start);
  const tbs = der.subarray(start, tbsEnd);
  const [, algEnd] = tlv(der, tbsEnd);
  const [sigStart, sigEnd] = tlv(der, algEnd);
  if (der[algEnd] !== 0x03) throw new Error('x509: malformed signature');
  // a BIT STRING: the first content byte counts unused bits (0 for signatures)
  return { tbs, signature: der.subarray(sigStart + 1, sigEnd) };
}

/** Go's x509.ParseCertificateRequest behind kube's ParseCSR; throws with kube's texts. */
export function parseCSR(pem: Buffer | string): ParsedCSR {
  const block = firstPemBlock(typeof pem === 'string' ? pem : pem.toString('latin1'));
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(block.der);
  } catch {
    throw new Error('x509: malformed certificate request');
  }
  const name = request.subjectName;
  return { der: block.der, request, commonName: name.getField('CN')[0] ?? '', organizations: name.getField('O') };
}

/** CheckSignature: the request is signed by the key it carries. */
export function checkSignature(csr: ParsedCSR): void {
  let parts: { tbs: Buffer; signature: Buffer };
  let key: KeyObject;
  try {
    parts = signedParts(csr.der);
    key = createPublicKey({ key: Buffer.from(csr.request.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw new Error('x509: malformed certificate request');
  }
  const alg = csr.request.signatureAlgorithm as { name: string; hash?: { name: string }; saltLength?: number };
  const hash = alg.hash?.name.toLowerCase().replace('-', '');
  let ok: boolean;
  switch (alg.name) {
    case 'ECDSA':
      ok = verify(hash, parts.tbs, key, parts.signature);
      if (!ok) throw new Error('x509: ECDSA verification failure');
      return;
    case 'RSASSA-PKCS1-v1_5':
      ok = verify(hash, parts.tbs, key, parts.signature);
      break;
    case 'RSA-PSS':
      ok = verify(hash, parts.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? constants.RSA_PSS_SALTLEN_AUTO }, parts.signature);
      break;
    case 'Ed25519':
      ok = verify(null, parts.tbs, key, parts.signature);
      if (!ok) throw new Error('x509: Ed25519 verification failure');
      return;
    default:
      throw new Error('x509: cannot verify signature: algorithm unimplemented');
  }
  if (!ok) throw new Error('crypto/rsa: verification error');
}
