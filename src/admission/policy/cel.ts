// The CEL environment of admission policies (admission/plugin/cel: object, oldObject, request,
// namespaceObject, params, variables), compiled with the project's CEL engine: kube's libraries,
// type checker and cost limits. Compiling is a pure function of the expression and the declared
// variables, so a policy's programs are compiled once and shared by every request and cluster.

import type { CheckOptions } from '../../apiextensions/cel/checker.js';
import { compileExpression, type CompiledExpression } from '../../apiextensions/cel/compile.js';
import { JSON_PATCH, patchStructType } from '../../apiextensions/cel/library/mutation.js';
import { K, T, typeString, type CelT } from '../../apiextensions/cel/types.js';

const obj = (name: string, fields: [string, CelT][]): CelT => ({ kind: 'object', name, fields: new Map(fields) });

const GVK = obj('kubernetes.GroupVersionKind', [['group', T.string], ['version', T.string], ['kind', T.string]]);
const GVR = obj('kubernetes.GroupVersionResource', [['group', T.string], ['version', T.string], ['resource', T.string]]);
const USER_INFO = obj('kubernetes.UserInfo', [
  ['username', T.string], ['uid', T.string], ['groups', T.list(T.string)], ['extra', T.map(T.string, T.list(T.string))],
]);

/** BuildRequestType: the AdmissionRequest without uid, object and oldObject. */
export const REQUEST_TYPE = obj('kubernetes.AdmissionRequest', [
  ['kind', GVK], ['resource', GVR], ['subResource', T.string], ['requestKind', GVK], ['requestResource', GVR],
  ['requestSubResource', T.string], ['name', T.string], ['namespace', T.string], ['operation', T.string],
  ['userInfo', USER_INFO], ['dryRun', T.bool], ['options', T.dyn],
]);

/** BuildNamespaceType: a Namespace without managedFields, ownerReferences and the like. */
export const NAMESPACE_TYPE = obj('kubernetes.Namespace', [
  ['metadata', obj('kubernetes.NamespaceMetadata', [
    ['name', T.string], ['generateName', T.string], ['namespace', T.string], ['labels', T.map(T.string, T.string)],
    ['annotations', T.map(T.string, T.string)], ['UID', T.string], ['creationTimestamp', T.timestamp],
    ['deletionGracePeriodSeconds', T.int], ['deletionTimestamp', T.timestamp], ['generation', T.int],
    ['resourceVersion', T.string], ['finalizers', T.list(T.string)],
  ])],
  ['spec', obj('kubernetes.NamespaceSpec', [['finalizers', T.list(T.string)]])],
  ['status', obj('kubernetes.NamespaceStatus', [
    ['conditions', T.list(obj('kubernetes.NamespaceCondition', [
      ['status', T.string], ['type', T.string], ['lastTransitionTime', T.timestamp], ['message', T.string], ['reason', T.string],
    ]))],
    ['phase', T.string],
  ])],
]);

export interface PolicyVarOptions {
  hasParams: boolean;
  /** The policy's variables compiled so far, by name, with their types (composition). */
  variables?: ReadonlyMap<string, CelT>;
  /** The type of `object` / `oldObject` (dyn unless type checking against a schema). */
  objectType?: CelT;
  /** The type of `params` (dyn unless type checking against the paramKind's schema). */
  paramsType?: CelT;
  /** `authorizer` and `authorizer.requestResource` (every expression but messageExpression). */
  hasAuthorizer?: boolean;
}

export function policyVars(o: PolicyVarOptions): Map<string, CelT> {
  const vars = new Map<string, CelT>([
    ['object', o.objectType ?? T.dyn], ['oldObject', o.objectType ?? T.dyn], ['namespaceObject', NAMESPACE_TYPE], ['request', REQUEST_TYPE],
  ]);
  if (o.hasParams) vars.set('params', o.paramsType ?? T.dyn);
  if (o.hasAuthorizer) {
    vars.set('authorizer', K.authorizer);
    vars.set('authorizer.requestResource', K.resourceCheck);
  }
  if (o.variables) vars.set('variables', obj('kubernetes.variables', [...o.variables]));
  return vars;
}

export type PolicyCompileResult = { ok: true; value: CompiledExpression } | { ok: false; detail: string };

/** plugincel.CompileCELExpression: kube's error details ("compilation failed: ...", "must evaluate to bool but got string"). */
export function compilePolicyExpression(source: string, vars: ReadonlyMap<string, CelT>, want: CelT, opts: CheckOptions = {}): PolicyCompileResult {
  const r = compileExpression(source, vars, want, opts);
  if (r.ok) return r;
  if (r.failedPhase === 'type') return { ok: false, detail: `must evaluate to ${typeString(want)} but got ${r.detail}` };
  if (r.failedPhase === 'program') return { ok: false, detail: `program instantiation failed: ${r.detail}` };
  return { ok: false, detail: `compilation failed: ${r.detail}` };
}

/** What an ApplyConfiguration expression returns: an Object{...} of the root type. */
export const APPLY_CONFIGURATION_TYPE: CelT = patchStructType('Object')!;
/** What a JSONPatch expression returns. */
export const JSON_PATCH_LIST_TYPE: CelT = T.list(JSON_PATCH);
