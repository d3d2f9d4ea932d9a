// Label selectors as k8s.io/apimachinery/pkg/labels: the string syntax (parser and lexer quirks
// included), matching, canonical String(), and metav1.LabelSelectorAsSelector.
// A bad ?labelSelector= is answered 400 BadRequest with the parser's error text, which is what
// parseLabelSelector throws.

import { aggregateMessage, badRequest } from './errors.js';
import { goQuote, goStringCompare, isQualifiedName, isValidLabelValue } from './validation.js';

/** selection.Operator values. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** As given (the parser gives them sorted and deduplicated). */
  values: string[];
}

export interface LabelSelector {
  readonly requirements: LabelRequirement[];
  /** True when the selector matches everything. */
  readonly empty: boolean;
  /** True only for labels.Nothing() (a nil metav1.LabelSelector). */
  readonly nothing: boolean;
  matches(labels: Record<string, string> | undefined | null): boolean;
  /** kube's canonical form: requirements sorted by key, values sorted. */
  toString(): string;
  /** The value a label must have, when the selector pins it (=, == or a one-value in). */
  requiresExactMatch(key: string): string | undefined;
}

const binaryOperators: LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const validOperators: LabelOperator[] = [...binaryOperators, 'exists', '!'];

function has(labels: Record<string, string> | undefined | null, key: string): boolean {
  return !!labels && Object.prototype.hasOwnProperty.call(labels, key);
}

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

export function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined | null): boolean {
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has(labels, r.key) && r.values.includes(labels![r.key]!);
    case 'notin': case '!=':
      return !has(labels, r.key) || !r.values.includes(labels![r.key]!);
    case 'exists':
      return has(labels, r.key);
    case '!':
      return !has(labels, r.key);
    case 'gt': case 'lt': {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const have = parseInt64(labels![r.key]!);
      const want = parseInt64(r.values[0]!);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

export function requirementString(r: LabelRequirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists': case '!': return s;
    case '=': case '==': case '!=': s += r.operator; break;
    case 'in': s += ' in '; break;
    case 'notin': s += ' notin '; break;
    case 'gt': s += '>'; break;
    case 'lt': s += '<'; break;
  }
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort(goStringCompare).join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}

class RequirementsSelector implements LabelSelector {
  readonly nothing = false;
  constructor(readonly requirements: LabelRequirement[]) {}
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Record<string, string> | undefined | null): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r) return undefined;
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    return undefined;
  }
}

const nothingSelector: LabelSelector = {
  requirements: [],
  empty: false,
  nothing: true,
  matches: () => false,
  toString: () => '',
  requiresExactMatch: () => undefined,
};

export function everything(): LabelSelector {
  return new RequirementsSelector([]);
}

export function nothing(): LabelSelector {
  return nothingSelector;
}

/** Sorted by key, keeping the given order among equal keys (Go's sort is stable at these sizes). */
function selectorOf(reqs: LabelRequirement[]): LabelSelector {
  return new RequirementsSelector([...reqs].sort((a, b) => goStringCompare(a.key, b.key)));
}

function invalidText(path: string, value: unknown, detail: string): string {
  const v = typeof value === 'string' ? goQuote(value) : JSON.stringify(value);
  return `${path}: Invalid value: ${v}: ${detail}`;
}

/** labels.NewRequirement: returns the requirement or the aggregated error text. */
export function newRequirement(key: string, operator: LabelOperator, values: string[], path = ''): LabelRequirement | string {
  const p = (child: string) => (path ? `${path}.${child}` : child);
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalidText(p('key'), key, keyErrs.join('; ')));
  const valuesPath = p('values');
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalidText(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalidText(valuesPath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalidText(valuesPath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalidText(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalidText(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(`${p('operator')}: Unsupported value: ${goQuote(String(operator))}: supported values: ${validOperators.map((o) => goQuote(o)).join(', ')}`);
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(invalidText(`${valuesPath}[${i}][${key}]`, v, msgs.join('; ')));
  });
  return errs.length ? aggregateMessage(errs) : { key, operator, values };
}

// ---- the string syntax: lexer and parser as labels/selector.go ----

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const keywords: Record<string, Tok> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

function lex(s: string): { tok: Tok; lit: string }[] {
  let pos = 0;
  // Go's lexer reads bytes and returns 0 past the end, so a NUL ends tokens like the end does.
  const read = () => (pos < s.length ? s[pos++]! : '\0');
  const items: { tok: Tok; lit: string }[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    pos--;
    if (isSpecial(ch)) {
      let buf = '';
      let last: { tok: Tok; lit: string } | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecial(c)) { pos--; break; }
        buf += c;
        const t = Object.prototype.hasOwnProperty.call(keywords, buf) ? keywords[buf] : undefined;
        if (t) last = { tok: t, lit: buf };
        else if (last) { pos--; break; }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) { pos--; break; }
        buf += c;
      }
      const t = Object.prototype.hasOwnProperty.call(keywords, buf) ? keywords[buf]! : 'id';
      items.push({ tok: t, lit: buf });
    }
  }
}

class Parser {
  private items: { tok: Tok; lit: string }[];
  private position = 0;
  constructor(s: string) {
    this.items = lex(s);
  }

  /** In value context the keywords in/notin are plain identifiers. */
  private lookahead(values: boolean): [Tok, string] {
    const { tok, lit } = this.items[this.position]!;
    return [values && (tok === 'in' || tok === 'notin') ? 'id' : tok, lit];
  }

  private consume(values: boolean): [Tok, string] {
    const r = this.lookahead(values);
    this.position++;
    return r;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [tok, lit] = this.lookahead(true);
      if (tok === 'id' || tok === '!') {
        const r = this.parseRequirement();
        if (typeof r === 'string') throw new Error(`unable to parse requirement: ${r}`);
        reqs.push(r);
        const [t, l] = this.consume(true);
        if (t === 'eos') return reqs;
        if (t !== ',') throw new Error(`found '${l}', expected: ',' or 'end of string'`);
        const [t2, l2] = this.lookahead(true);
        if (t2 !== 'id' && t2 !== '!') throw new Error(`found '${l2}', expected: identifier after ','`);
      } else if (tok === 'eos') {
        return reqs;
      } else {
        throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement | string {
    let [tok, key] = this.consume(true);
    let op: LabelOperator | undefined;
    if (tok === '!') {
      op = '!';
      [tok, key] = this.consume(true);
    }
    if (tok !== 'id') return `found '${key}', expected: identifier`;
    const keyErrs = isQualifiedName(key);
    // The parser validates the key with a nil field path, which Go prints as "<nil>".
    if (keyErrs.length) return invalidText('<nil>', key, keyErrs.join('; '));
    const [next] = this.lookahead(true);
    if ((next === 'eos' || next === ',') && op !== '!') op = 'exists';
    if (op === 'exists' || op === '!') return newRequirement(key, op, []);

    const [opTok, opLit] = this.consume(false);
    const opMap: Partial<Record<Tok, LabelOperator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    op = opMap[opTok];
    if (!op) return `found '${opLit}', expected: ${binaryOperators.join(', ')}`;
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    if (typeof values === 'string') return values;
    return newRequirement(key, op, [...values].sort(goStringCompare));
  }

  private parseValues(): Set<string> | string {
    const [tok, lit] = this.consume(true);
    if (tok !== '(') return `found '${lit}' expected: '('`;
    const [next, nextLit] = this.lookahead(true);
    if (next === 'id' || next === ',') {
      const s = this.parseIdentifiersList();
      if (typeof s === 'string') return s;
      if (this.consume(true)[0] !== ')') return `found '${nextLit}', expected: ')'`;
      return s;
    }
    if (next === ')') {
      this.consume(true);
      return new Set(['']);
    }
    return `found '${nextLit}', expected: ',', ')' or identifier`;
  }

  private parseIdentifiersList(): Set<string> | string {
    const s = new Set<string>();
    for (;;) {
      const [tok, lit] = this.consume(true);
      if (tok === 'id') {
        s.add(lit);
        const [t2, l2] = this.lookahead(true);
        if (t2 === ',') continue;
        if (t2 === ')') return s;
        return `found '${l2}', expected: ',' or ')'`;
      }
      if (tok === ',') {
        if (s.size === 0) s.add(''); // "(,"
        const [t2] = this.lookahead(true);
        if (t2 === ')') { s.add(''); return s; } // ",)"
        if (t2 === ',') { this.consume(true); s.add(''); } // ",,"
        continue;
      }
      return `found '${lit}', expected: ',', or identifier`;
    }
  }

  private parseExactValue(): Set<string> | string {
    const [next] = this.lookahead(true);
    if (next === 'eos' || next === ',') return new Set(['']);
    const [tok, lit] = this.consume(true);
    if (tok === 'id') return new Set([lit]);
    return `found '${lit}', expected: identifier`;
  }
}

/** labels.Parse. Throws a 400 BadRequest StatusError with kube's message for a bad selector. */
export function parseLabelSelector(s: string): LabelSelector {
  let reqs: LabelRequirement[];
  try {
    reqs = new Parser(s).parse();
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  return selectorOf(reqs);
}

/** labels.SelectorFromSet: an equality requirement per label. */
export function selectorFromSet(set: Record<string, string> | undefined | null): LabelSelector {
  return selectorOf(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

export interface MetaLabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

const metaOperators: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: nil selects nothing, an empty selector everything.
 * Throws a 400 BadRequest StatusError carrying kube's error text for an invalid selector.
 */
export function labelSelectorFromMeta(sel: MetaLabelSelector | undefined | null): LabelSelector {
  if (sel === undefined || sel === null) return nothing();
  const labels = Object.entries(sel.matchLabels ?? {});
  const exprs = sel.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return everything();
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of labels) {
    const r = newRequirement(k, '=', [v]);
    if (typeof r === 'string') throw badRequest(r);
    reqs.push(r);
  }
  for (const e of exprs) {
    const op = Object.prototype.hasOwnProperty.call(metaOperators, e.operator) ? metaOperators[e.operator] : undefined;
    if (!op) throw badRequest(`${goQuote(String(e.operator ?? ''))} is not a valid label selector operator`);
    const r = newRequirement(e.key ?? '', op, [...(e.values ?? [])]);
    if (typeof r === 'string') throw badRequest(r);
    reqs.push(r);
  }
  return selectorOf(reqs);
}
