// Admission: checks and mutations between decoding and storage, like kube-apiserver's admission
// chain. Mutating plugins run first (admit), validating plugins last (validate). Built-in plugins
// live in src/admission/; webhooks and policies plug in here later.

import type { KubeObject } from '../apimachinery/object.js';
import type { RequestContext, ResourceType } from './types.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  type: ResourceType;
  subresource: string;
  ctx: RequestContext;
  namespace: string;
  name: string;
  /** New object (CREATE/UPDATE); may be mutated by admit(). */
  object?: KubeObject;
  /** Existing object (UPDATE/DELETE). */
  oldObject?: KubeObject;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  readonly name: string;
  admit?(a: AdmissionAttributes): Promise<void>;
  validate?(a: AdmissionAttributes): Promise<void>;
}

export class AdmissionChain {
  constructor(private readonly plugins: AdmissionPlugin[] = []) {}

  add(p: AdmissionPlugin): void {
    this.plugins.push(p);
  }

  /** Whether any plugin mutates objects (admit): the registry's pure write steps run around it. */
  get mutates(): boolean {
    return this.plugins.some((p) => p.admit);
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }
}
