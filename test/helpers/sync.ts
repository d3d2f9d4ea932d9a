// What the syncer's tests share: the machine's kubectl against kplane's tenants or the management
// cluster, and where a tenant's namespace lands downstream.

import { expect } from 'vitest';
import { defaultDownstreamNamespace } from '../../src/sync/naming.js';
import { kubectl, machineKubectl, type KubectlResult } from './kplane.js';

export const run = (kc: string, args: string[], input?: string): Promise<KubectlResult> => kubectl(machineKubectl(), kc, args, input, 60_000);

/** A kubectl command that must succeed; its stdout. */
export async function ok(kc: string, args: string[], input?: string): Promise<string> {
  const r = await run(kc, args, input);
  expect({ code: r.code, stderr: r.stderr }, `kubectl ${args.join(' ')}`).toMatchObject({ code: 0 });
  return r.stdout;
}

/** `kubectl get ... -o json`, or undefined when it fails (not found). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(kc: string, args: string[]): Promise<any | undefined> {
  const r = await run(kc, ['get', ...args, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

/** The downstream namespace of workspace `root:<ws>`'s namespace, given the workspaces' cluster uids. */
export function downstreamNamespaceOf(uids: Record<string, string>, ws: string, ns = 'default'): string {
  return defaultDownstreamNamespace({ clusterUid: uids[ws]!, clusterPath: `root:${ws}`, namespace: ns });
}
