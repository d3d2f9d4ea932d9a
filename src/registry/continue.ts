// List continuation tokens, in kube's format: base64url(JSON {"v":"meta.k8s.io/v1","rv":N,"start":K})
// where K is the key to resume from, relative to the list's key prefix, plus "\0". Being relative,
// a token can only ever resume inside the scope (logical cluster, namespace) it was issued for.

import { badRequest } from '../apimachinery/errors.js';

interface Token {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(relativeKey: string, revision: number): string {
  const t: Token = { v: 'meta.k8s.io/v1', rv: revision, start: `${relativeKey}\u0000` };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

/** Returns the relative key to continue after, and the revision (-1: latest, an inconsistent continuation). */
export function decodeContinue(token: string): { after: string; revision: number } {
  let t: Partial<Token>;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (t.v !== 'meta.k8s.io/v1') {
    throw badRequest('continue key is not valid: server does not recognize this encoded version');
  }
  if (typeof t.start !== 'string' || t.start.length === 0) {
    throw badRequest('continue key is not valid: encoded start key is empty');
  }
  if (typeof t.rv !== 'number' || !Number.isInteger(t.rv) || t.rv === 0) {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  // Keys are plain relative paths; anything that could climb out of the scope is refused.
  const start = t.start.endsWith('\u0000') ? t.start.slice(0, -1) : t.start;
  if (start.startsWith('/') || start.split('/').some((s) => s === '..' || s === '.')) {
    throw badRequest('continue key is not valid: encoded start key is invalid');
  }
  return { after: start, revision: t.rv };
}
