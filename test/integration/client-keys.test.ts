// The private keys kplane writes are in the form kube's own tooling writes (SEC1 `EC PRIVATE KEY`,
// PKCS#1 `RSA PRIVATE KEY` for sa.key), so the common clients load them as they are: client-go
// (the real kubectl), Python's ssl module (what the kubernetes Python client hands the key to),
// @kubernetes/client-node here, fabric8 in fabric8.test.ts. A data directory of an older kplane,
// with PKCS#8 keys, still starts, and its admin kubeconfig is issued anew.

import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsOf, kubectl, machineKubectl, raw, startKplane, type TestKplane } from '../helpers/kplane.js';

let t: TestKplane;

beforeAll(async () => {
  t = await startKplane();
});
afterAll(async () => {
  await t?.stop();
});

const pemType = (pem: string) => /^-----BEGIN ([A-Z ]+)-----\n/.exec(pem)?.[1];

function python(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('python3', ['-c', script, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

// urllib3 (under the kubernetes Python client) loads the pair with SSLContext.load_cert_chain
const PY_LIST_NAMESPACES = `
import json, ssl, sys, urllib.request
server, ca, cert, key = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
with urllib.request.urlopen(server + "/api/v1/namespaces", context=ctx) as r:
    print(json.dumps(sorted(i["metadata"]["name"] for i in json.load(r)["items"])))
`;

describe('private keys', () => {
  it('are written as kube tooling writes them, everywhere kplane writes one', async () => {
    const pki = join(t.dir, 'pki');
    expect(pemType(await readFile(join(pki, 'ca.key'), 'utf8'))).toBe('EC PRIVATE KEY');
    expect(pemType(await readFile(join(pki, 'serving.key'), 'utf8'))).toBe('EC PRIVATE KEY');
    expect(pemType(await readFile(join(pki, 'sa.key'), 'utf8'))).toBe('RSA PRIVATE KEY');
    expect(pemType(credentialsOf(await readFile(t.kubeconfig, 'utf8')).key!)).toBe('EC PRIVATE KEY');
    expect(pemType(credentialsOf(await readFile(await t.kubeconfigFor('root', 'bob', []), 'utf8')).key!)).toBe('EC PRIVATE KEY');
  });

  it('load unchanged in client-go (kubectl), Python ssl and client-node', async () => {
    const kubeconfig = await t.kubeconfigFor('root', 'carol', ['system:masters']);
    const creds = credentialsOf(await readFile(kubeconfig, 'utf8'));
    const expected = (await raw(t.url, creds, { path: '/clusters/root/api/v1/namespaces' })).json.items
      .map((n: { metadata: { name: string } }) => n.metadata.name).sort();

    const k = await kubectl(machineKubectl(), kubeconfig, ['get', 'namespaces', '-o', 'name']);
    expect(k.stderr).toBe('');
    expect(k.stdout.trim().split('\n').map((l) => l.replace('namespace/', '')).sort()).toEqual(expected);

    const files = { ca: join(t.dir, 'py-ca.crt'), cert: join(t.dir, 'py.crt'), key: join(t.dir, 'py.key') };
    await writeFile(files.ca, creds.ca);
    await writeFile(files.cert, creds.cert!);
    await writeFile(files.key, creds.key!, { mode: 0o600 });
    const py = await python(PY_LIST_NAMESPACES, [creds.server, files.ca, files.cert, files.key]);
    expect(py.stderr).toBe('');
    expect(JSON.parse(py.stdout)).toEqual(expected);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata!.name).sort()).toEqual(expected);
  });

  it('of an older data directory (PKCS#8) are still read, and its admin kubeconfig issued anew', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kplane-keys-'));
    try {
      const first = await startKplane({ dataDir: dir });
      await first.stop();
      // what kplane wrote before: every key PKCS#8
      const pkcs8 = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
      for (const f of ['ca.key', 'serving.key', 'sa.key']) {
        const path = join(dir, 'pki', f);
        await writeFile(path, pkcs8(await readFile(path, 'utf8')), { mode: 0o600 });
      }
      const adminPath = join(dir, 'admin.kubeconfig');
      const admin = await readFile(adminPath, 'utf8');
      const oldKey = credentialsOf(admin).key!;
      await writeFile(adminPath, admin.replace(Buffer.from(oldKey).toString('base64'), Buffer.from(pkcs8(oldKey)).toString('base64')));
      const saPub = await readFile(join(dir, 'pki', 'sa.pub'), 'utf8');

      const again = await startKplane({ dataDir: dir });
      try {
        const creds = credentialsOf(await readFile(adminPath, 'utf8'));
        expect(pemType(creds.key!)).toBe('EC PRIVATE KEY');
        // the same CA and service account key, read from their PKCS#8 files
        expect((await raw(again.url, creds, { path: '/clusters/root/api/v1/namespaces/default' })).status).toBe(200);
        const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
        expect(spki(await readFile(join(dir, 'pki', 'sa.pub'), 'utf8'))).toBe(spki(saPub));
        expect(createPublicKey(creds.cert!).export({ format: 'jwk' })).toEqual(createPublicKey(creds.key!).export({ format: 'jwk' }));
        const token = await raw(again.url, creds, {
          method: 'POST', path: '/clusters/root/api/v1/namespaces/default/serviceaccounts/default/token',
          body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }),
        });
        expect(token.status).toBe(201);
        const asSA = await raw(again.url, { ca: creds.ca }, {
          path: '/clusters/root/api/v1/namespaces/default', headers: { Authorization: `Bearer ${token.json.status.token}` },
        });
        // signed with the PKCS#8 sa.key it read: the token authenticates (RBAC then refuses)
        expect([asSA.status, asSA.json.message]).toEqual([403, expect.stringContaining('User "system:serviceaccount:default:default"')]);
      } finally {
        await again.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
