// Writing kubeconfig files: one cluster, one user, one context, as kubectl expects them.

import { parse, stringify } from 'yaml';
import { kubeKeyPem } from './pki.js';

export interface KubeconfigSpec {
  server: string;
  caPem: string;
  user: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  contextName?: string;
  clusterName?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function renderKubeconfig(k: KubeconfigSpec): string {
  const clusterName = k.clusterName ?? 'kplane';
  const contextName = k.contextName ?? `${k.user}@${clusterName}`;
  const user: Record<string, string> = {};
  if (k.clientCertPem) user['client-certificate-data'] = b64(k.clientCertPem);
  if (k.clientKeyPem) user['client-key-data'] = b64(k.clientKeyPem);
  if (k.token) user.token = k.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: k.server, 'certificate-authority-data': b64(k.caPem) } }],
    users: [{ name: k.user, user }],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: k.user } }],
    'current-context': contextName,
    preferences: {},
  });
}

/**
 * Whether every client key of a kubeconfig is in the form kube's tooling writes (pki.ts): the
 * kubeconfigs of older kplanes hold PKCS#8 keys that some clients (fabric8) cannot read.
 */
export function clientKeysInKubeForm(text: string): boolean {
  try {
    const kc = parse(text) as { users?: { user?: Record<string, unknown> }[] };
    return (kc.users ?? []).every(({ user }) => {
      const data = user?.['client-key-data'];
      if (typeof data !== 'string') return true;
      const pem = Buffer.from(data, 'base64').toString('utf8');
      return kubeKeyPem(pem) === pem;
    });
  } catch {
    return false;
  }
}
