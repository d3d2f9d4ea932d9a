// A raw HTTPS request as a kubeconfig's user (client-node applies its credentials), for tests
// that compare status codes, bodies and Warning headers with kube-apiserver's.

import type * as k8s from '@kubernetes/client-node';
import { request, type RequestOptions } from 'node:https';

export interface KubeconfigAnswer {
  status: number;
  /** The body parsed as JSON, or its text. */
  json: any;
  warnings: string[];
}

/** `path` is taken from the API root of the kubeconfig's server (a logical cluster's /clusters/<name>). */
export async function kubeconfigRequest(kc: k8s.KubeConfig, method: string, path: string, body?: unknown,
  contentType = 'application/json'): Promise<KubeconfigAnswer> {
  const url = new URL(kc.getCurrentCluster()!.server);
  const opts: RequestOptions = { method, headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) } };
  await kc.applyToHTTPSOptions(opts);
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const r = request(new URL(url.pathname.replace(/\/$/, '') + path, url.origin), opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        const w = res.headers.warning;
        resolve({ status: res.statusCode ?? 0, json, warnings: w === undefined ? [] : Array.isArray(w) ? w : [w] });
      });
    });
    r.on('error', reject);
    r.end(data);
  });
}
