// The metadata and compatibility rules of CustomResourceDefinition validation: the API approval
// annotation of protected groups (apihelpers.GetAPIApprovalState) and spec.preserveUnknownFields.

import { field, type FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { isObj, type Obj } from '../registry/kinds/_util.js';
import { goParseURL } from './webhookconfig.js';

/** The annotation a CRD in a protected group (*.k8s.io, *.kubernetes.io) must carry. */
export const KUBE_API_APPROVED_ANNOTATION = 'api-approved.kubernetes.io';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const specOf = (crd: KubeObject): Obj => (isObj(crd.spec) ? crd.spec : {});

/** Whether a group is reserved for the Kubernetes community (apihelpers.IsProtectedCommunityGroup). */
export function isProtectedCommunityGroup(group: string): boolean {
  return group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io');
}

type Approval = 'Invalid' | 'Approved' | 'Bypassed' | 'Missing';

/** apihelpers.GetAPIApprovalState. */
function approvalState(annotations: unknown): [Approval, string] {
  const a = isObj(annotations) ? str(annotations[KUBE_API_APPROVED_ANNOTATION]) : '';
  if (!a) return ['Missing', `protected groups must have approval annotation "${KUBE_API_APPROVED_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`];
  if (a.startsWith('unapproved')) return ['Bypassed', `not approved: "${a}"`];
  let approved = false;
  try {
    const u = goParseURL(a);
    approved = u.host !== '' && u.scheme !== '';
  } catch {
    approved = false;
  }
  if (approved) return ['Approved', `approved in ${a}`];
  return ['Invalid', `protected groups must have approval annotation "${KUBE_API_APPROVED_ANNOTATION}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`];
}

/** validateAPIApproval: the approval annotation of a CRD in a protected group. */
export function validateAPIApproval(crd: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (!isProtectedCommunityGroup(str(specOf(crd).group))) return [];
  const [state, reason] = approvalState(crd.metadata?.annotations);
  // an unchanged state never fails: a client updating only the spec is not refused
  if (old && approvalState(old.metadata?.annotations)[0] === state) return [];
  const path = `metadata.annotations[${KUBE_API_APPROVED_ANNOTATION}]`;
  if (state === 'Missing') return [field.required(path, reason)];
  if (state === 'Invalid') return [field.invalid(path, str(crd.metadata?.annotations?.[KUBE_API_APPROVED_ANNOTATION]), reason)];
  return [];
}

/** validatePreserveUnknownFields: true is refused in v1 (unless the stored CRD has it). */
export function validatePreserveUnknownFields(crd: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (old && specOf(old).preserveUnknownFields === true) return [];
  if (specOf(crd).preserveUnknownFields !== true) return [];
  return [field.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead')];
}
