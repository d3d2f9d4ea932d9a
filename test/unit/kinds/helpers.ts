// Shared fixtures for the kind tests.
import { fieldErrorString, type FieldError } from '../../../src/apimachinery/errors.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import type { RequestContext } from '../../../src/registry/types.js';
import { ROOT, type ClusterName } from '../../../src/tenancy/logicalcluster.js';

export const NOW = new Date('2024-05-01T12:00:00Z');

export function ctx(namespace = 'default', cluster: ClusterName = ROOT): RequestContext {
  return { cluster, namespace, user: { username: 'admin', groups: ['system:masters'] }, now: NOW, warnings: [] };
}

/** Errors as kube prints them ("field: Type: value: detail"). */
export function errs(list: FieldError[]): string[] {
  return list.map(fieldErrorString);
}

export function obj(o: Partial<KubeObject> & Record<string, unknown>): KubeObject {
  return { metadata: {}, ...o } as KubeObject;
}

/** Seconds before NOW as an RFC 3339 timestamp. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
