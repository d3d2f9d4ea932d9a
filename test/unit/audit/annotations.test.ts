// Audit annotations from admission: kube's AddAnnotation rules (one slash, never overwritten
// with another value) and their place in the event line (a Go map: keys in byte order).

import { describe, expect, it } from 'vitest';
import { addAuditAnnotation, auditAnnotationsOf, trackAuditAnnotations } from '../../../src/audit/annotations.js';
import { eventLine, type AuditEvent } from '../../../src/audit/event.js';

describe('audit annotations', () => {
  it('are added once per key, only with a prefixed key', () => {
    const a: Record<string, string> = {};
    expect(addAuditAnnotation(a, 'p/key', 'v1')).toBe(true);
    expect(addAuditAnnotation(a, 'p/key', 'v1')).toBe(true);
    expect(addAuditAnnotation(a, 'p/key', 'v2')).toBe(false);
    expect(addAuditAnnotation(a, 'nokey', 'v')).toBe(false);
    expect(addAuditAnnotation(a, 'a/b/c', 'v')).toBe(false);
    expect(addAuditAnnotation(undefined, 'p/key', 'v')).toBe(false);
    expect(a).toEqual({ 'p/key': 'v1' });
  });

  it('are found by the request they were tracked for', () => {
    const req = {};
    const a = { 'x/y': 'z' };
    trackAuditAnnotations(req, a);
    expect(auditAnnotationsOf(req)).toBe(a);
    expect(auditAnnotationsOf({})).toBeUndefined();
  });

  it('are written in byte order of their keys', () => {
    const ev = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'id', stage: 'ResponseComplete', requestURI: '/', verb: 'create',
      user: {}, requestReceivedTimestamp: 't', stageTimestamp: 't',
      annotations: { 'validation.policy.admission.k8s.io/validation_failure': '[]', 'tenancy.kplane.io/cluster': 'root', 'authorization.k8s.io/decision': 'allow', 'Zp/k': 'v' },
    } as unknown as AuditEvent;
    const line = JSON.parse(eventLine(ev)) as { annotations: Record<string, string> };
    expect(Object.keys(line.annotations)).toEqual(['Zp/k', 'authorization.k8s.io/decision', 'tenancy.kplane.io/cluster', 'validation.policy.admission.k8s.io/validation_failure']);
  });
});
