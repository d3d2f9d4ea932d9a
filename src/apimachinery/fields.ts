// Field selectors as k8s.io/apimachinery/pkg/fields: `a=b`, `a==b`, `a!=b` terms joined by
// commas, values escaped with backslashes. A bad ?fieldSelector= is answered 400 BadRequest with
// the parser's error text, which is what parseFieldSelector throws.

import { badRequest } from './errors.js';
import { goStringCompare } from './validation.js';

export interface FieldRequirement {
  field: string;
  /** selection.Equals ("=", also for "==") or selection.NotEquals. */
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: FieldRequirement[];
  readonly empty: boolean;
  /** A missing field reads as "" (kube's Set.Get). */
  matches(fields: Record<string, string>): boolean;
  toString(): string;
  requiresExactMatch(field: string): string | undefined;
  /**
   * fields.Selector.Transform: rewrite each term (the apiserver uses it for ConvertFieldLabel);
   * a term mapped to an empty field and value is dropped. `fn` may throw.
   */
  transform(fn: (field: string, value: string) => [string, string]): FieldSelector;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue; throws Error with kube's text. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v: its code point number.
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: FieldRequirement[]) {}
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.op === '=' ? v === r.value : v !== r.value;
    });
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  }
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.op === '=' && r.field === field)?.value;
  }
  transform(fn: (field: string, value: string) => [string, string]): FieldSelector {
    const next: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const [f, v] = fn(r.field, r.value);
      if (f === '' && v === '') continue;
      next.push({ field: f, op: r.op, value: v });
    }
    return new TermsSelector(next);
  }
}

export function everythingFields(): FieldSelector {
  return new TermsSelector([]);
}

export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return new TermsSelector(Object.entries(set).map(([field, value]) => ({ field, op: '=' as const, value })));
}

/** Splits on commas not escaped by a backslash. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator from the left; at one position "!=" and "==" win over "=". */
function splitTerm(term: string): [string, '=' | '==' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** fields.ParseSelector. Throws a 400 BadRequest StatusError with kube's message for a bad selector. */
export function parseFieldSelector(s: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort(goStringCompare)) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [lhs, op, rhs] = split;
    let value: string;
    try {
      value = unescapeFieldValue(rhs);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    reqs.push({ field: lhs, op: op === '!=' ? '!=' : '=', value });
  }
  // kube applies the identity transform, which drops terms with an empty field and value ("=").
  return new TermsSelector(reqs).transform((f, v) => [f, v]);
}
