// Audit annotations of a request (kube's audit.AddAuditAnnotation from admission): the handler
// registers the request context's annotations by the request, admission plugins add to them, and
// the auditor puts them on the request's events written after that (ResponseComplete, Panic), as
// kube's admission audit handler adds them to the event in the request's context.

const byRequest = new WeakMap<object, Record<string, string>>();

export function trackAuditAnnotations(req: object, annotations: Record<string, string>): void {
  byRequest.set(req, annotations);
}

export function auditAnnotationsOf(req: object): Record<string, string> | undefined {
  return byRequest.get(req);
}

/**
 * kube's AddAnnotation: a key is `<prefix>/<name>` (one slash), and an annotation already set is
 * never overwritten with another value. Returns whether it was added (or already held that value).
 */
export function addAuditAnnotation(annotations: Record<string, string> | undefined, key: string, value: string): boolean {
  if (!annotations) return false;
  if (key === '' || key.split('/').length !== 2) return false;
  const had = annotations[key];
  if (had !== undefined) return had === value;
  annotations[key] = value;
  return true;
}
