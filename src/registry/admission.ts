// Admission: checks and mutations between decoding and storage, like kube-apiserver's admission
// chain. Mutating plugins run first (admit), validating plugins last (validate). Built-in plugins,
// admission policies and webhooks live in src/admission/.

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
  /** A DELETE's options as the client sent them (what an AdmissionReview's options carry). */
  deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; orphanDependents?: boolean; propagationPolicy?: string };
  /** Set by the chain during admit(): kube's reinvocation context (admission.ReinvocationContext). */
  reinvocation?: ReinvocationContext;
}

/**
 * kube's ReinvocationContext: a plugin that changed the object (a mutating webhook) asks for the
 * mutating plugins to run once more; in that second round isReinvoke is true. Plugins keep their
 * own state across the rounds under their name.
 */
export class ReinvocationContext {
  isReinvoke = false;
  shouldReinvoke = false;
  readonly values = new Map<string, unknown>();
}

export interface AdmissionPlugin {
  readonly name: string;
  admit?(a: AdmissionAttributes): Promise<void>;
  validate?(a: AdmissionAttributes): Promise<void>;
  /**
   * Whether admit() may change objects of a request in `cluster` now (default: whenever it
   * exists). A plugin driven by configuration (mutating webhooks) answers false while none is
   * configured for that cluster, so the registry's pure write steps may still run off the event
   * loop there: one tenant's webhook never moves another tenant's large writes onto the loop.
   */
  mutatesNow?(cluster: string): boolean;
}

export class AdmissionChain {
  constructor(private readonly plugins: AdmissionPlugin[] = []) {}

  add(p: AdmissionPlugin): void {
    this.plugins.push(p);
  }

  /** Whether any plugin mutates objects (admit) of a request in `cluster`: the registry's pure write steps run around it. */
  mutatesIn(cluster: string): boolean {
    return this.plugins.some((p) => p.admit && (p.mutatesNow?.(cluster) ?? true));
  }

  /** The mutating plugins in order; once more when one asked for it (kube's reinvoker). */
  async admit(a: AdmissionAttributes): Promise<void> {
    const r = (a.reinvocation ??= new ReinvocationContext());
    for (const p of this.plugins) if (p.admit) await p.admit(a);
    if (!r.shouldReinvoke || r.isReinvoke) return;
    r.isReinvoke = true;
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }
}
