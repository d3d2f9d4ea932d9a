// `kubectl ws` (bin/kubectl-ws, also `kplane ws`): moves the current kubeconfig context between
// workspaces, with kcp's verbs:
//   kubectl ws                     print the current workspace
//   kubectl ws use root:acme       absolute path; `use team` (or `kubectl ws team`) a child of the current one
//   kubectl ws ..                  the parent;  kubectl ws -   the previous workspace
//   kubectl ws create NAME [--enter] [--ignore-existing]
//   kubectl ws tree                the workspaces below the current one
// Before switching it checks that the target exists and the user may enter it (GET <target>/version,
// which a cluster's door answers alike for absent and forbidden clusters); the kubeconfig is only
// written after that check.

import { parseClusterName } from '../../tenancy/logicalcluster.js';
import { WsClient } from './client.js';
import { CURRENT, Kubeconfig, kubeconfigPath, PREVIOUS, splitServer } from './kubeconfig.js';

const WS = '/apis/tenancy.kplane.io/v1alpha1/workspaces';

interface Flags {
  kubeconfig?: string;
  context?: string;
  enter: boolean;
  ignoreExisting: boolean;
  args: string[];
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { enter: false, ignoreExisting: false, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string): string | undefined => {
      if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
      if (a === name) return argv[++i];
      return undefined;
    };
    const kc = value('--kubeconfig');
    if (kc !== undefined) { f.kubeconfig = kc; continue; }
    const ctx = value('--context');
    if (ctx !== undefined) { f.context = ctx; continue; }
    if (a === '--enter') f.enter = true;
    else if (a === '--ignore-existing') f.ignoreExisting = true;
    else if (a === '-h' || a === '--help') f.args.unshift('help');
    else f.args.push(a);
  }
  return f;
}

const HELP = `Manages the workspace (logical cluster) of the current kubeconfig context.

  kubectl ws                          print the current workspace
  kubectl ws use <path>|<child>|..|-  switch: absolute (root:acme), a child, the parent, the previous one
  kubectl ws <path>|<child>|..|-      the same
  kubectl ws create NAME [--enter] [--ignore-existing]
  kubectl ws tree                     the workspaces below the current one

Flags: --kubeconfig FILE, --context NAME.
`;

class Ws {
  private readonly kc: Kubeconfig;
  private readonly contextName: string;

  constructor(private readonly flags: Flags, private readonly out: (s: string) => void) {
    this.kc = Kubeconfig.load(kubeconfigPath(flags.kubeconfig));
    this.contextName = this.kc.contextName(flags.context);
  }

  private where(): { base: string; workspace: string } {
    const server = this.kc.cluster(this.kc.context(this.contextName).cluster).server;
    const w = splitServer(server);
    if (!w) throw new Error(`the server of context ${JSON.stringify(this.contextName)} (${server}) is not a kplane workspace URL (https://host/clusters/<workspace>)`);
    return w;
  }

  private client(): WsClient {
    const ctx = this.kc.context(this.contextName);
    return new WsClient(this.kc.cluster(ctx.cluster), this.kc.user(ctx.user));
  }

  current(): void {
    this.out(`Current workspace is "${this.where().workspace}".\n`);
  }

  /** The target of use: absolute, relative child, '..' or '-'. */
  private resolve(target: string): { base: string; workspace: string } {
    const here = this.where();
    if (target === '-') {
      if (!this.kc.hasContext(PREVIOUS)) throw new Error('there is no previous workspace');
      const prev = splitServer(this.kc.cluster(this.kc.context(PREVIOUS).cluster).server);
      if (!prev) throw new Error('the previous workspace is not a kplane workspace URL');
      return prev;
    }
    if (target === '..') {
      const i = here.workspace.lastIndexOf(':');
      if (i < 0) throw new Error(`workspace "${here.workspace}" has no parent`);
      return { base: here.base, workspace: here.workspace.slice(0, i) };
    }
    if (target === '~') throw new Error('kplane has no home workspaces: use an absolute path such as root:acme');
    const path = target === 'root' || target.startsWith('root:') ? target : `${here.workspace}:${target}`;
    if (!parseClusterName(path) || path === '*') throw new Error(`invalid workspace path ${JSON.stringify(target)}`);
    return { base: here.base, workspace: path };
  }

  async use(target: string): Promise<void> {
    const to = this.resolve(target);
    const r = await this.client().call('GET', `${to.base}/clusters/${to.workspace}/version`);
    if (r.status === 401) throw new Error(`the credentials of context ${JSON.stringify(this.contextName)} are not accepted`);
    if (r.status !== 200) throw new Error(`workspace "${to.workspace}" does not exist or you may not enter it`);
    this.kc.switchTo(this.contextName, `${to.base}/clusters/${to.workspace}`);
    this.kc.save();
    this.out(`Current workspace is "${to.workspace}".\n`);
  }

  async create(name: string): Promise<void> {
    const here = this.where();
    const url = `${here.base}/clusters/${here.workspace}${WS}`;
    const c = this.client();
    const r = await c.call('POST', url, { apiVersion: 'tenancy.kplane.io/v1alpha1', kind: 'Workspace', metadata: { name } });
    if (r.status === 409 && this.flags.ignoreExisting) {
      this.out(`Workspace "${name}" already exists.\n`);
    } else if (r.status !== 201) {
      throw new Error(r.json?.message ?? `creating workspace "${name}" failed: HTTP ${r.status}`);
    } else {
      this.out(`Workspace "${name}" created. Waiting for it to be ready...\n`);
    }
    const deadline = Date.now() + 60_000;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      const w = await c.call('GET', `${url}/${name}`);
      if (w.json?.status?.phase === 'Ready') break;
      if (Date.now() > deadline) throw new Error(`workspace "${name}" is not ready after 60 s`);
      await new Promise((res) => setTimeout(res, delay));
    }
    this.out(`Workspace "${name}" is ready to use.\n`);
    if (this.flags.enter) await this.use(`${here.workspace}:${name}`);
  }

  async tree(): Promise<void> {
    const here = this.where();
    const c = this.client();
    const lines: string[] = ['.', `└── ${here.workspace}`];
    const walk = async (cluster: string, prefix: string): Promise<void> => {
      const r = await c.call('GET', `${here.base}/clusters/${cluster}${WS}`);
      if (r.status !== 200) return;
      const names = ((r.json?.items ?? []) as { metadata: { name: string } }[]).map((w) => w.metadata.name).sort();
      for (const [i, name] of names.entries()) {
        const last = i === names.length - 1;
        lines.push(`${prefix}${last ? '└── ' : '├── '}${name}`);
        await walk(`${cluster}:${name}`, `${prefix}${last ? '    ' : '│   '}`);
      }
    };
    await walk(here.workspace, '    ');
    this.out(lines.join('\n') + '\n');
  }
}

/** Runs `kubectl ws ARGS`; output through out. */
export async function runWs(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const flags = parseFlags(argv);
  const [verb, ...rest] = flags.args;
  if (verb === 'help') {
    out(HELP);
    return;
  }
  const ws = new Ws(flags, out);
  switch (verb) {
    case undefined:
    case 'current':
      return ws.current();
    case 'use':
      if (rest.length !== 1) throw new Error('usage: kubectl ws use <workspace>');
      return ws.use(rest[0]!);
    case 'create':
      if (rest.length !== 1) throw new Error('usage: kubectl ws create NAME [--enter] [--ignore-existing]');
      return ws.create(rest[0]!);
    case 'tree':
      return ws.tree();
    default:
      if (rest.length) throw new Error(`unknown command ${JSON.stringify(verb)}; see kubectl ws --help`);
      return ws.use(verb);
  }
}

export { CURRENT, PREVIOUS };
