// One webhook of a configuration as the dispatchers use it (kube's webhook.WebhookAccessor): its
// fields read once, the MatchResources the shared matcher takes (its selectors compiled once by
// the matcher), and its match conditions compiled on first use. Compiled conditions are interned
// by expression, so the same webhook installed in many clusters compiles its conditions once.

import { T } from '../../apiextensions/cel/types.js';
import type { MatchResources, RuleWithOperations } from '../matching.js';
import { compilePolicyExpression, policyVars } from '../policy/cel.js';
import type { Compiled, CompiledPolicy } from '../validating-policy/compile.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** match conditions see object, oldObject, request, authorizer (and namespaceObject as null); no params. */
const MATCH_VARS = policyVars({ hasParams: false, hasAuthorizer: true });
const compiledConditions = new Map<string, Compiled>();
const MAX_INTERNED = 10_000;

function compileCondition(expression: string): Compiled {
  let c = compiledConditions.get(expression);
  if (!c) {
    const r = compilePolicyExpression(expression, MATCH_VARS, T.bool);
    c = r.ok ? { program: r.value.program, source: expression } : { source: expression, error: r.detail };
    if (compiledConditions.size >= MAX_INTERNED) compiledConditions.clear();
    compiledConditions.set(expression, c);
  }
  return c;
}

export interface ServiceRef { namespace: string; name: string; port: number; path: string }

export class WebhookAccessor {
  readonly name: string;
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly sideEffects: string | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly admissionReviewVersions: readonly string[];
  readonly reinvocationPolicy: string;
  readonly rules: readonly RuleWithOperations[];
  /** What the shared matcher takes: selectors, the rules as resourceRules, matchPolicy. */
  readonly match: MatchResources;
  readonly url: string | undefined;
  readonly service: ServiceRef | undefined;
  /** The caBundle's PEM text; undefined: the system roots. */
  readonly caPem: string | undefined;
  readonly matchConditionCount: number;
  private conditions: CompiledPolicy | undefined;

  constructor(readonly uid: string, readonly configurationName: string, readonly webhook: Record<string, unknown>, readonly kind: 'validating' | 'mutating') {
    const w = webhook;
    this.name = str(w.name);
    this.failurePolicy = w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail';
    this.sideEffects = typeof w.sideEffects === 'string' ? w.sideEffects : undefined;
    this.timeoutSeconds = typeof w.timeoutSeconds === 'number' ? w.timeoutSeconds : undefined;
    this.admissionReviewVersions = list(w.admissionReviewVersions).map(str);
    this.reinvocationPolicy = str(w.reinvocationPolicy) || 'Never';
    this.rules = list(w.rules).filter((r): r is RuleWithOperations => !!r && typeof r === 'object');
    this.match = {
      namespaceSelector: (w.namespaceSelector ?? {}) as MatchResources['namespaceSelector'],
      objectSelector: (w.objectSelector ?? {}) as MatchResources['objectSelector'],
      resourceRules: this.rules as RuleWithOperations[],
      matchPolicy: typeof w.matchPolicy === 'string' ? w.matchPolicy : undefined,
    };
    const cc = (w.clientConfig && typeof w.clientConfig === 'object' ? w.clientConfig : {}) as Record<string, unknown>;
    this.url = typeof cc.url === 'string' ? cc.url : undefined;
    const s = cc.service && typeof cc.service === 'object' ? (cc.service as Record<string, unknown>) : undefined;
    this.service = s
      ? { namespace: str(s.namespace), name: str(s.name), port: typeof s.port === 'number' ? s.port : 443, path: str(s.path) }
      : undefined;
    const pem = typeof cc.caBundle === 'string' && cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : '';
    // kube: a bundle of only whitespace counts as none (the system roots)
    this.caPem = pem.trim() === '' ? undefined : pem;
    this.matchConditionCount = list(w.matchConditions).length;
  }

  /** The match conditions in the form the policy evaluator takes (failurePolicy decides errors). */
  matchConditions(): CompiledPolicy {
    this.conditions ??= {
      failurePolicy: this.failurePolicy,
      hasParams: false,
      matchConditions: list(this.webhook.matchConditions).map((m) => {
        const c = (m ?? {}) as Record<string, unknown>;
        return { name: str(c.name), expression: compileCondition(str(c.expression)) };
      }),
      variables: [],
      validations: [],
      auditAnnotations: [],
    };
    return this.conditions;
  }
}
