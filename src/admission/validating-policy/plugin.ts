// The ValidatingAdmissionPolicy admission plugin (kube's validating policy dispatcher): for each
// policy of the request's logical cluster (and each provider-wide one) whose matchConstraints
// match, each binding whose matchResources match, each param: evaluate, then Deny (the request
// fails with kube's message and the validation's reason), Warn (a response warning) or Audit (the
// validation_failure audit annotation). Errors follow the policy's failurePolicy.

import type { CelInput } from '@bufbuild/cel';
import { forbidden, StatusError } from '../../apimachinery/errors.js';
import { addAuditAnnotation as addAnnotation } from '../../audit/annotations.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import type { ResourceCatalog } from '../../registry/catalog.js';
import type { Registry } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import { toCelValue } from '../../apiextensions/cel/values.js';
import { AuthzSession, evaluateWithAuthz } from '../../apiextensions/cel/library/authz.js';
import type { RequestInfo } from '../../apiserver/requestinfo.js';
import type { Authorizer } from '../../auth/authz.js';
import { resourceAttributes } from '../../auth/rbac/authorizer.js';
import type { ClusterName } from '../../tenancy/logicalcluster.js';
import { isExemptAdmissionConfiguration } from '../matching.js';
import { baseActivation } from '../policy/activation.js';
import { PolicyCompileCache } from '../policy/compile.js';
import { matchingBindings, requestMatchInput, type ConfigError } from '../policy/dispatch.js';
import { ParamReader } from '../policy/params.js';
import type { PolicySource } from '../policy/source.js';
import { compilePolicy } from './compile.js';
import { matchConditions, validate } from './evaluate.js';

const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';
const MAX_AUDIT_ANNOTATION_VALUE = 10 * 1024;

const REASON_CODES: Record<string, number> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };

interface Denial {
  policy: string;
  binding?: string;
  message: string;
  reason?: string;
}

export interface ValidatingPolicyDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  namespaces: ResourceType;
  source: PolicySource;
  /** The `authorizer` variable's checks (kplane's RBAC in the request's cluster); without it every check is denied. */
  authorizer?: Authorizer;
}

export class ValidatingAdmissionPolicyPlugin implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionPolicy';
  readonly compiled = new PolicyCompileCache(compilePolicy);
  private readonly params: ParamReader;

  constructor(private readonly deps: ValidatingPolicyDeps) {
    this.params = new ParamReader(deps.registry, deps.catalog);
    deps.source.onPolicyChange((cluster, policy, name) => this.compiled.changed(cluster, policy, name));
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (isExemptAdmissionConfiguration(a.type)) return;
    const hooks = await this.deps.source.hooksFor(a.ctx.cluster);
    if (hooks.length === 0) return;
    const denials: Denial[] = [];
    const configError = (e: ConfigError): void => {
      if (e.failurePolicy !== 'Ignore') denials.push({ policy: e.policy, binding: e.binding, message: e.message });
    };
    // one session per request: each check is decided once (kube's caching authorizer)
    const authz = authzSession(this.deps.authorizer, a.ctx.cluster);
    const { input, namespaceObject } = requestMatchInput(a, this.deps);
    for (const hook of hooks) {
      const policyName = hook.policy.metadata.name ?? '';
      const annotations = new Map<string, string[]>();
      // each binding is evaluated before the next is matched (the order of denials and warnings)
      const bindings = matchingBindings(hook, a, input, this.compiled, this.params, configError);
      for await (const { bindingName, bindingSpec: bspec, compiled, matched: m, params } of bindings) {
        const isNamespace = a.type.group === '' && a.type.kind === 'Namespace';
        const ns = isNamespace ? undefined : await namespaceObject();
        const actions = Array.isArray(bspec.validationActions) ? (bspec.validationActions as string[]) : [];
        for (const param of params) {
          const activation: Record<string, CelInput> = baseActivation(a, m.resource, ns, authz);
          if (compiled.hasParams) activation.params = param ? toCelValue(param, undefined) : null;
          const matched = await evaluateWithAuthz(authz, () => matchConditions(compiled, activation));
          if (matched === false) continue;
          if (typeof matched === 'string') {
            denials.push({ policy: policyName, binding: bindingName, message: matched });
            continue;
          }
          const result = await evaluateWithAuthz(authz, () => validate(compiled, activation));
          for (const d of result.decisions) {
            if (d.action !== 'deny') continue;
            for (const action of actions) {
              if (action === 'Deny') denials.push({ policy: policyName, binding: bindingName, message: d.message, reason: d.reason });
              else if (action === 'Warn') a.ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${d.message}`);
              else if (action === 'Audit') {
                addAuditAnnotation(a, VALIDATION_FAILURE_ANNOTATION, JSON.stringify([{
                  message: d.message, policy: policyName, binding: bindingName, expressionIndex: d.index, validationActions: actions,
                }]));
              }
            }
          }
          for (const an of result.auditAnnotations) {
            if (an.error !== undefined) {
              denials.push({ policy: policyName, binding: bindingName, message: an.error });
              continue;
            }
            const value = an.value!.slice(0, MAX_AUDIT_ANNOTATION_VALUE);
            const values = annotations.get(an.key) ?? [];
            if (!values.includes(value)) values.push(value);
            annotations.set(an.key, values);
          }
        }
      }
      for (const [key, values] of annotations) addAuditAnnotation(a, `${policyName}/${key}`, values.join(', '));
    }
    if (denials.length) throw denialError(a, denials[0]!);
  }
}


/** A request's authorization session: checks of the `authorizer` variable decided in its cluster. */
export function authzSession(authorizer: Authorizer | undefined, cluster: string): AuthzSession {
  return new AuthzSession(async (user, check) => {
    if (!authorizer) return { allowed: false, reason: '' };
    const info: RequestInfo = check.kind === 'path'
      ? { kind: 'nonresource', cluster: cluster as ClusterName, path: check.path, verb: check.verb }
      : resourceAttributes(cluster as ClusterName, check);
    const d = await authorizer.authorize(user, info);
    return { allowed: d.allowed, reason: d.reason ?? '' };
  });
}

function addAuditAnnotation(a: AdmissionAttributes, key: string, value: string): void {
  // kube refuses to overwrite an annotation with another value
  addAnnotation(a.ctx.auditAnnotations, key, value);
}

/** admission.NewForbidden with the policy's reason and code, and one cause carrying the message. */
function denialError(a: AdmissionAttributes, d: Denial): StatusError {
  const message = d.binding !== undefined
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const name = a.name || (a.object?.metadata?.generateName ?? '') || 'Unknown';
  const err = forbidden({ group: a.type.group, resource: a.type.resource }, name, message);
  const reason = d.reason || 'Invalid';
  const status = err.status as { reason?: string; code: number; details?: { causes?: { message: string }[] } };
  status.reason = reason;
  status.code = REASON_CODES[reason] ?? 422;
  status.details = { ...(status.details ?? {}), causes: [{ message }] };
  return err;
}
