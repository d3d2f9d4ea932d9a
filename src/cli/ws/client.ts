// HTTPS requests with a kubeconfig context's credentials (CA, client certificate, bearer token),
// for the few calls `kubectl ws` makes.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { ClusterEntry, UserEntry } from './kubeconfig.js';

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
}

function material(data: string | undefined, file: string | undefined): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readFileSync(file, 'utf8');
  return undefined;
}

export class WsClient {
  private readonly ca?: string;
  private readonly cert?: string;
  private readonly key?: string;

  constructor(private readonly cluster: ClusterEntry, private readonly user: UserEntry) {
    this.ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
    this.cert = material(user['client-certificate-data'], user['client-certificate']);
    this.key = material(user['client-key-data'], user['client-key']);
  }

  call(method: string, url: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const r = request(url, {
        method, ca: this.ca, cert: this.cert, key: this.key,
        rejectUnauthorized: this.cluster['insecure-skip-tls-verify'] !== true,
        headers: {
          Accept: 'application/json', 'User-Agent': 'kubectl-ws',
          ...(this.user.token ? { Authorization: `Bearer ${this.user.token}` } : {}),
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
        },
        timeout: 30_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      });
      r.on('timeout', () => r.destroy(new Error(`no answer from ${url}`)));
      r.on('error', reject);
      if (payload) r.write(payload);
      r.end();
    });
  }
}
