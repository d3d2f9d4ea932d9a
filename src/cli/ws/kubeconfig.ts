// The kubeconfig as `kubectl ws` reads and edits it, the way kcp's workspace plugin does: the
// current context's cluster entry is copied to `workspace.kplane.io/current` with the server URL
// of the target workspace, a context of the same name (the original user) becomes current, and
// what was current before is kept as `workspace.kplane.io/previous` for `kubectl ws -`. The user's
// own entries are never changed.

import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';

export const CURRENT = 'workspace.kplane.io/current';
export const PREVIOUS = 'workspace.kplane.io/previous';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

export interface ClusterEntry {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  [key: string]: unknown;
}

export interface UserEntry {
  token?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  [key: string]: unknown;
}

export interface ContextEntry {
  cluster: string;
  user: string;
  namespace?: string;
  [key: string]: unknown;
}

interface Config {
  clusters?: (Named<never> & { cluster: ClusterEntry })[];
  users?: (Named<never> & { user: UserEntry })[];
  contexts?: (Named<never> & { context: ContextEntry })[];
  'current-context'?: string;
  [key: string]: unknown;
}

/** Which file kubectl would write: --kubeconfig, else the first file of KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p);
  return first ?? join(env.HOME ?? homedir(), '.kube', 'config');
}

/** A workspace URL: https://host/clusters/<path> -> base and path. */
export function splitServer(server: string): { base: string; workspace: string } | undefined {
  const m = /^(.*?)\/clusters\/([^/]+)\/?$/.exec(server);
  return m ? { base: m[1]!, workspace: decodeURIComponent(m[2]!) } : undefined;
}

export class Kubeconfig {
  private constructor(readonly path: string, private readonly config: Config) {}

  static load(path: string): Kubeconfig {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new Error(`cannot read the kubeconfig ${path}`);
    }
    const config = (parse(text) ?? {}) as Config;
    return new Kubeconfig(path, config);
  }

  save(): void {
    writeFileSync(this.path, stringify(this.config), { mode: 0o600 });
  }

  contextName(override?: string): string {
    const name = override ?? this.config['current-context'];
    if (!name) throw new Error('the kubeconfig has no current context');
    return name;
  }

  context(name: string): ContextEntry {
    const c = this.config.contexts?.find((x) => x.name === name)?.context;
    if (!c) throw new Error(`context ${JSON.stringify(name)} is not in the kubeconfig`);
    return c;
  }

  cluster(name: string): ClusterEntry {
    const c = this.config.clusters?.find((x) => x.name === name)?.cluster;
    if (!c) throw new Error(`cluster ${JSON.stringify(name)} is not in the kubeconfig`);
    return c;
  }

  user(name: string): UserEntry {
    return this.config.users?.find((x) => x.name === name)?.user ?? {};
  }

  hasContext(name: string): boolean {
    return !!this.config.contexts?.some((x) => x.name === name);
  }

  private setCluster(name: string, cluster: ClusterEntry): void {
    const list = (this.config.clusters ??= []);
    const i = list.findIndex((x) => x.name === name);
    if (i >= 0) list[i] = { name, cluster };
    else list.push({ name, cluster });
  }

  private setContext(name: string, context: ContextEntry): void {
    const list = (this.config.contexts ??= []);
    const i = list.findIndex((x) => x.name === name);
    if (i >= 0) list[i] = { name, context };
    else list.push({ name, context });
  }

  /**
   * Points the current context at a server URL: the former current context is remembered as
   * previous, the new one is `workspace.kplane.io/current`.
   */
  switchTo(contextName: string, server: string): void {
    const ctx = this.context(contextName);
    const cluster = this.cluster(ctx.cluster);
    this.setCluster(PREVIOUS, { ...cluster });
    this.setContext(PREVIOUS, { ...ctx, cluster: PREVIOUS });
    this.setCluster(CURRENT, { ...cluster, server });
    this.setContext(CURRENT, { ...ctx, cluster: CURRENT });
    this.config['current-context'] = CURRENT;
  }
}
