// k8s.io/client-go/util/jsonpath as custom resources use it: printer columns ("{" + jsonPath + "}")
// and selectableFields are parsed once per CRD content and evaluated on every object. A parsed
// program is immutable and holds no state between evaluations (Go's JSONPath keeps range state in
// the parser; here it lives in the evaluation), so one program serves every logical cluster.
// Values are decoded JSON; integral numbers count as Go's int64 and the rest as float64, as kube's
// unstructured decoding has them.

import { goSprintV } from '../apimachinery/patch/strategic-merge-patch.js';
import { goJsonScalar } from '../apimachinery/patch/json-patch.js';
import { goStringCompare } from '../apimachinery/validation.js';

export type JSONPathNode =
  | { readonly type: 'list'; readonly nodes: readonly JSONPathNode[] }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'field'; readonly name: string }
  | { readonly type: 'identifier'; readonly name: string }
  | { readonly type: 'array'; readonly params: readonly [SliceParam, SliceParam, SliceParam] }
  | { readonly type: 'filter'; readonly left: ListNode; readonly right: ListNode; readonly operator: string }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'wildcard' }
  | { readonly type: 'recursive' }
  | { readonly type: 'union'; readonly nodes: readonly ListNode[] };

type ListNode = Extract<JSONPathNode, { type: 'list' }>;

/** Go's ParamsEntry: a slice bound; derived marks the end of a plain index ([n] is [n:n+1]). */
export interface SliceParam { readonly value: number; readonly known: boolean; readonly derived: boolean }

/** A parsed template: text and `{...}` actions, in order. */
export interface JSONPathProgram { readonly template: string; readonly root: ListNode }

export type ParsedJSONPath = { program: JSONPathProgram; error?: undefined } | { program?: undefined; error: string };

/** jsonpath.Parse: the program, or the parse error text Go returns. */
export function parseJSONPath(template: string): ParsedJSONPath {
  try {
    return { program: deepFreeze({ template, root: new Parser(template).parse() }) };
  } catch (e) {
    if (e instanceof SyntaxError) return { error: e.message };
    throw e;
  }
}

/** An evaluation error, with Go's text (e.g. "replicas is not found"). */
export class JSONPathError extends Error {}

// ---- parser (client-go util/jsonpath/parser.go) ----

const isDigit = (r: string): boolean => /^\p{Nd}$/u.test(r);
const isAlphaNumeric = (r: string): boolean => r === '_' || /^[\p{L}\p{Nd}]$/u.test(r);
const isTerminator = (r: string): boolean => r === '' || ' \t\r\n.,[]$@{}'.includes(r);
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const DICT_KEY = /^'([^']*)'$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/;

class Parser {
  private readonly input: string[];
  private pos = 0;
  private start = 0;
  private readonly root: JSONPathNode[] = [];

  constructor(text: string) { this.input = [...text]; }

  parse(): ListNode {
    // Text until "{", then one action per loop: iterative where Go recurses token by token.
    for (;;) {
      const open = this.input.indexOf('{', this.pos);
      if (open < 0) {
        this.pos = this.input.length;
        if (this.pos > this.start) this.root.push({ type: 'text', text: this.consume() });
        return { type: 'list', nodes: this.root };
      }
      this.pos = open;
      if (this.pos > this.start) this.root.push({ type: 'text', text: this.consume() });
      this.pos++;
      this.consume();
      const action: JSONPathNode[] = [];
      this.root.push({ type: 'list', nodes: action });
      while (this.insideAction(action));
    }
  }

  private consume(): string {
    const s = this.input.slice(this.start, this.pos).join('');
    this.start = this.pos;
    return s;
  }

  private next(): string { return this.pos < this.input.length ? this.input[this.pos++]! : ''; }
  private peek(): string { return this.input[this.pos] ?? ''; }
  private hasPrefix(s: string): boolean { return this.input.slice(this.pos, this.pos + s.length).join('') === s; }

  /** One token of an action; false once its "}" is read. */
  private insideAction(cur: JSONPathNode[]): boolean {
    if (this.hasPrefix('}')) {
      this.pos++;
      this.consume();
      return false;
    }
    if (this.hasPrefix('[?(')) return this.filter(cur);
    if (this.hasPrefix('..')) return this.recursive(cur);
    const r = this.next();
    if (r === '' || r === '\r' || r === '\n') throw new SyntaxError('unclosed action');
    if (r === ' ' || r === '@' || r === '$') this.consume();
    else if (r === '[') this.array(cur);
    else if (r === '"' || r === "'") this.quote(cur, r);
    else if (r === '.') this.field(cur);
    else if (r === '+' || r === '-' || isDigit(r)) { this.pos--; this.number(cur); }
    else if (isAlphaNumeric(r)) { this.pos--; this.identifier(cur); }
    else throw new SyntaxError(`unrecognized character in action: ${goRuneU(r)}`);
    return true;
  }

  private identifier(cur: JSONPathNode[]): void {
    while (!isTerminator(this.peek())) this.pos++;
    const value = this.consume();
    cur.push(value === 'true' || value === 'false' ? { type: 'bool', value: value === 'true' } : { type: 'identifier', name: value });
  }

  private recursive(cur: JSONPathNode[]): boolean {
    if (cur.at(-1)?.type === 'recursive') throw new SyntaxError('invalid multiple recursive descent');
    this.pos += 2;
    this.consume();
    cur.push({ type: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.field(cur);
    return true;
  }

  private number(cur: JSONPathNode[]): void {
    if (this.peek() === '+' || this.peek() === '-') this.pos++;
    while (this.peek() === '.' || (this.peek() !== '' && isDigit(this.peek()))) this.pos++;
    const value = this.consume();
    if (/^[+-]?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) cur.push({ type: 'int', value: Number(value) });
    else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(value)) cur.push({ type: 'float', value: Number(value) });
    else throw new SyntaxError(`cannot parse number ${value}`);
  }

  private array(cur: JSONPathNode[]): void {
    for (;;) {
      const r = this.next();
      if (r === '' || r === '\n') throw new SyntaxError('unterminated array');
      if (r === ']') break;
    }
    let text = this.consume().slice(1, -1);
    if (text === '*') text = ':';
    const parts = text.split(',');
    if (parts.length > 1) {
      cur.push({ type: 'union', nodes: parts.map((p) => parseAction(`[${p.replace(/^ +| +$/g, '')}]`)) });
      return;
    }
    const key = DICT_KEY.exec(text);
    if (key) {
      // ['a.b'] is parsed as .a.b, as Go does
      cur.push(...parseAction(`.${key[1]}`).nodes);
      return;
    }
    const m = SLICE.exec(text);
    if (!m) throw new SyntaxError(`invalid array index ${text}`);
    const params: SliceParam[] = [];
    for (let i = 0; i < 3; i++) {
      let v = m[i + 1] ?? '';
      if (v !== '') {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === '') params.push({ value: 0, known: false, derived: false });
        else {
          if (!/^[+-]?[0-9]+$/.test(v)) throw new SyntaxError(`array index ${v} is not a number`);
          params.push({ value: Number(v), known: true, derived: false });
        }
      } else if (i === 1) params.push({ value: params[0]!.value + 1, known: true, derived: true });
      else params.push({ value: 0, known: false, derived: false });
    }
    cur.push({ type: 'array', params: params as [SliceParam, SliceParam, SliceParam] });
  }

  private filter(cur: JSONPathNode[]): boolean {
    this.pos += 3;
    this.consume();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const r = this.next();
      if (r === '' || r === '\n') throw new SyntaxError('unterminated filter');
      if (r === '"' || r === "'") {
        if (!begin) { begin = true; pair = r; continue; }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === ')' && begin === end) break;
    }
    if (this.next() !== ']') throw new SyntaxError('unclosed array expect ]');
    const text = this.consume().slice(0, -2);
    const m = FILTER.exec(text);
    if (!m) cur.push({ type: 'filter', left: parseAction(text), right: { type: 'list', nodes: [] }, operator: 'exists' });
    else cur.push({ type: 'filter', left: parseAction(m[1]!), right: parseAction(m[3]!), operator: m[2]! });
    return true;
  }

  private quote(cur: JSONPathNode[], end: string): void {
    for (;;) {
      const r = this.next();
      if (r === '' || r === '\n') throw new SyntaxError('unterminated quoted string');
      if (r === end && this.input[this.pos - 2] !== '\\') break;
    }
    const value = this.consume();
    const s = unquoteExtend(value);
    if (s === undefined) throw new SyntaxError(`unquote string ${value} error invalid syntax`);
    cur.push({ type: 'text', text: s });
  }

  private field(cur: JSONPathNode[]): void {
    this.consume();
    for (;;) {
      const r = this.next();
      if (r === '\\') this.next();
      else if (isTerminator(r)) {
        if (r !== '') this.pos--;
        break;
      }
    }
    const value = this.consume();
    cur.push(value === '*' ? { type: 'wildcard' } : { type: 'field', name: value.replaceAll('\\', '') });
  }
}

/** Go's parseAction: the list of one `{text}` action (unions, dict keys and filter operands). */
function parseAction(text: string): ListNode {
  return new Parser(`{${text}}`).parse().nodes[0] as ListNode;
}

/** %#U of a rune: U+0021 '!' (the quoted form only for printable runes). */
function goRuneU(r: string): string {
  const cp = r.codePointAt(0)!;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(r) ? `${u} '${r}'` : u;
}

/** UnquoteExtend: strconv.Unquote that also takes single-quoted strings; undefined on ErrSyntax. */
function unquoteExtend(s: string): string | undefined {
  const q = s[0];
  if (s.length < 2 || q !== s[s.length - 1] || (q !== '"' && q !== "'")) return undefined;
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === q) return undefined;
    if (c !== '\\') { out += c; i++; continue; }
    const e = body[i + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e === undefined) return undefined;
    if (e in simple) { out += simple[e]; i += 2; continue; }
    if (e === "'" || e === '"') {
      if (e !== q) return undefined;
      out += e;
      i += 2;
      continue;
    }
    const hex = { x: 2, u: 4, U: 8 }[e as 'x' | 'u' | 'U'];
    if (hex) {
      const h = body.slice(i + 2, i + 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(h)) return undefined;
      const cp = parseInt(h, 16);
      if (e !== 'x' && (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))) return undefined;
      // \xNN is a byte in Go; as text it only stands for itself below 0x80
      out += String.fromCodePoint(e === 'x' && cp >= 0x80 ? 0xfffd : cp);
      i += 2 + hex;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const o = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) return undefined;
      const b = parseInt(o, 8);
      out += String.fromCodePoint(b >= 0x80 ? 0xfffd : b);
      i += 4;
      continue;
    }
    return undefined;
  }
  return out;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

// ---- evaluation (client-go util/jsonpath/jsonpath.go) ----

/** A float literal of the template (2.0 is a float64 for Go's comparisons, unlike the integer 2). */
class FloatLit {
  constructor(readonly value: number) {}
}

/** One byte of a string, as Go's wildcard yields them (uint8). */
class Byte {
  constructor(readonly value: number) {}
}

type Value = unknown;

export interface EvalOptions {
  /** AllowMissingKeys: a missing field gives no result instead of "<field> is not found". */
  allowMissingKeys?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  && !(v instanceof FloatLit) && !(v instanceof Byte);
const isInt64 = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < 2 ** 63;

/** %T of a decoded JSON value (integral numbers are int64, as kube decodes them). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt64(v) ? 'int64' : 'float64';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** The type name of an evaluated value: literals and string bytes have their own. */
function goType(v: unknown): string {
  if (v instanceof FloatLit) return 'float64';
  if (v instanceof Byte) return 'uint8';
  return goTypeName(v);
}

/**
 * FindResults: one list of values per top-level node of the template (text nodes give their
 * text). Throws JSONPathError with Go's text.
 */
export function findResults(program: JSONPathProgram, data: unknown, opts: EvalOptions = {}): unknown[][] {
  return new Evaluator(opts.allowMissingKeys ?? false).run(program.root.nodes, data).map((r) => r.map(exportValue));
}

function exportValue(v: Value): unknown {
  if (v instanceof FloatLit || v instanceof Byte) return v.value;
  return v;
}

/** Execute: the template's text, as `kubectl -o jsonpath` prints it. */
export function executeJSONPath(program: JSONPathProgram, data: unknown, opts: EvalOptions = {}): string {
  return new Evaluator(opts.allowMissingKeys ?? false).run(program.root.nodes, data).map(printResults).join('');
}

/** PrintResults: maps and slices as JSON, other values as fmt.Print does, space-separated. */
export function printResults(values: readonly unknown[]): string {
  return values.map((v) => (Array.isArray(v) || isObject(v) ? goJsonMarshal(v) : printText(v))).join(' ');
}

function printText(v: Value): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof FloatLit) return goFloatV(v.value);
  if (v instanceof Byte) return String(v.value);
  if (typeof v === 'number' && !isInt64(v)) return goFloatV(v);
  return goSprintV(v);
}

/** fmt's %v of a float64: strconv 'g' with the shortest digits, exponent outside [1e-4, 1e6). */
export function goFloatV(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** Go's json.Marshal of decoded JSON: keys sorted, HTML characters escaped. */
export function goJsonMarshal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort(goStringCompare)
      .map((k) => `${goJsonScalar(k)}:${goJsonMarshal(v[k])}`).join(',')}}`;
  }
  if (v instanceof FloatLit || v instanceof Byte) return goJsonScalar(v.value);
  return goJsonScalar(v);
}

class Evaluator {
  /** Range loops being evaluated (Go's inRange): "end" outside one is an error. */
  private inRange = 0;

  constructor(private readonly allowMissingKeys: boolean) {}

  run(nodes: readonly JSONPathNode[], data: unknown): Value[][] {
    const out: Value[][] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.type === 'list' && node.nodes[0]?.type === 'identifier' && node.nodes[0].name === 'range') {
        // {range <path>}...{end}: the nodes in between, once per value of the path
        const items = this.list([data], { type: 'list', nodes: node.nodes.slice(1) });
        const end = matchingEnd(nodes, i + 1);
        const body = nodes.slice(i + 1, end);
        this.inRange++;
        for (const item of items) out.push(...this.run(body, exportValue(item)));
        this.inRange--;
        // without an {end}, Go goes on after the range node itself: the body runs once more on the data
        if (end < nodes.length) i = end;
        continue;
      }
      if (node.type === 'list' && node.nodes.length === 1 && node.nodes[0]!.type === 'identifier' && node.nodes[0]!.name === 'end') {
        if (this.inRange > 0) break;
        throw new JSONPathError('not in range, nothing to end');
      }
      out.push(this.walk([data], node));
    }
    return out;
  }

  private walk(input: Value[], node: JSONPathNode): Value[] {
    switch (node.type) {
      case 'list': return this.list(input, node);
      case 'text': return [node.text];
      case 'field': return this.field(input, node.name);
      case 'array': return this.array(input, node.params);
      case 'filter': return this.filter(input, node);
      case 'int': return input.map(() => node.value);
      case 'float': return input.map(() => new FloatLit(node.value));
      case 'bool': return input.map(() => node.value);
      case 'wildcard': return this.wildcard(input);
      case 'recursive': return this.recursive(input);
      case 'union': return node.nodes.flatMap((l) => this.list(input, l));
      case 'identifier':
        if (node.name === 'range') return input;
        if (node.name === 'end') {
          if (this.inRange > 0) return [];
          throw new JSONPathError('not in range, nothing to end');
        }
        throw new JSONPathError(`unrecognized identifier ${node.name}`);
    }
  }

  private list(input: Value[], node: ListNode): Value[] {
    let cur = input;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  private field(input: Value[], name: string): Value[] {
    const results: Value[] = [];
    if (input.length === 0) return results;
    for (const v of input) {
      if (isObject(v) && Object.prototype.hasOwnProperty.call(v, name) && v[name] !== undefined) results.push(v[name]);
    }
    if (results.length === 0 && !this.allowMissingKeys) throw new JSONPathError(`${name} is not found`);
    return results;
  }

  private array(input: Value[], params: readonly [SliceParam, SliceParam, SliceParam]): Value[] {
    const result: Value[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v)) throw new JSONPathError(`${goType(v)} is not array or slice`);
      const len = v.length;
      let start = params[0].known ? params[0].value : 0;
      if (start < 0) start += len;
      let end = params[1].known ? params[1].value : len;
      if (end < 0 || (end === 0 && params[1].derived)) end += len;
      if (end === start) return result;
      if (start >= len || start < 0) throw new JSONPathError(`array index out of bounds: index ${start}, length ${len}`);
      if (end > len || end < 0) throw new JSONPathError(`array index out of bounds: index ${end - 1}, length ${len}`);
      if (start > end) throw new JSONPathError(`starting index ${start} is greater than ending index ${end}`);
      let step = 1;
      if (params[2].known) {
        if (params[2].value <= 0) throw new JSONPathError('step must be > 0');
        step = params[2].value;
      }
      for (let i = start; i < end; i += step) result.push(v[i]);
    }
    return result;
  }

  private wildcard(input: Value[]): Value[] {
    return input.flatMap(children);
  }

  private recursive(input: Value[]): Value[] {
    const result: Value[] = [];
    for (const v of input) {
      const kids = children(v);
      if (kids.length === 0) continue;
      result.push(v, ...this.recursive(kids));
    }
    return result;
  }

  private filter(input: Value[], node: Extract<JSONPathNode, { type: 'filter' }>): Value[] {
    const results: Value[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) throw new JSONPathError(`${goSprintV(exportValue(v))} is not array or slice and cannot be filtered`);
      for (const item of v) {
        let lefts: Value[];
        try {
          lefts = this.list([item], node.left);
        } catch (e) {
          if (node.operator === 'exists') continue;
          throw e;
        }
        if (node.operator === 'exists') {
          if (lefts.length > 0) results.push(item);
          continue;
        }
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new JSONPathError('can only compare one element at a time');
        const rights = this.list([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new JSONPathError('can only compare one element at a time');
        if (compare(node.operator, lefts[0], rights[0])) results.push(item);
      }
    }
    return results;
  }
}

/** Index of the {end} closing a range whose body starts at `from` (nested ranges skipped). */
function matchingEnd(nodes: readonly JSONPathNode[], from: number): number {
  let depth = 0;
  for (let i = from; i < nodes.length; i++) {
    const first = nodes[i]!.type === 'list' ? (nodes[i] as ListNode).nodes[0] : undefined;
    if (first?.type !== 'identifier') continue;
    if (first.name === 'range') depth++;
    else if (first.name === 'end' && depth-- === 0) return i;
  }
  return nodes.length;
}

/** What a wildcard or recursive descent visits below a value: map values, slice items, string bytes. */
function children(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v).filter((x) => x !== undefined);
  if (typeof v === 'string') return [...new TextEncoder().encode(v)].map((b) => new Byte(b));
  return [];
}

// text/template's comparison functions (client-go third_party/forked/golang/template/funcs.go)

type Kind = 'bool' | 'int' | 'uint' | 'float' | 'string';

const KINDS: Record<string, Kind> = { bool: 'bool', string: 'string', int64: 'int', float64: 'float', uint8: 'uint' };

function basicKind(v: Value): Kind {
  const k = KINDS[goType(v)];
  if (!k) throw new JSONPathError('invalid type for comparison');
  return k;
}

const num = (v: Value): number => (v instanceof FloatLit || v instanceof Byte ? v.value : (v as number));

function equal(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if ((ka === 'int' && kb === 'uint') || (ka === 'uint' && kb === 'int')) return num(a) === num(b);
    throw new JSONPathError('incompatible types for comparison');
  }
  return ka === 'int' || ka === 'uint' || ka === 'float' ? num(a) === num(b) : a === b;
}

function less(a: Value, b: Value): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if ((ka === 'int' && kb === 'uint') || (ka === 'uint' && kb === 'int')) return num(a) < num(b);
    throw new JSONPathError('incompatible types for comparison');
  }
  if (ka === 'bool') throw new JSONPathError('invalid type for comparison');
  if (ka === 'string') return goStringCompare(a as string, b as string) < 0;
  return num(a) < num(b);
}

function compare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case '<': return less(a, b);
    case '>': return !(less(a, b) || equal(a, b));
    case '==': return equal(a, b);
    case '!=': return !equal(a, b);
    case '<=': return less(a, b) || equal(a, b);
    case '>=': return !less(a, b);
    default: throw new JSONPathError(`unrecognized filter operator ${op}`);
  }
}

/** fmt.Sprint of a decoded JSON value. */
export function goSprint(v: unknown): string {
  return typeof v === 'number' && !isInt64(v) ? goFloatV(v) : goSprintV(v);
}

/**
 * A selectableFields value reader (customresource strategy's selectableFields): the field label's
 * value is fmt.Sprint of the path's one value, "" when it is absent or null. Throws kube's
 * errors (the jsonPath is validated with the CRD, so they are not expected).
 */
export function selectableFieldReader(jsonPath: string): (obj: unknown) => string {
  const parsed = parseJSONPath(`{${jsonPath}}`);
  return (obj) => {
    if (parsed.error !== undefined) throw new JSONPathError(`unexpected error parsing jsonPath: ${parsed.error}`);
    let results: unknown[][];
    try {
      results = findResults(parsed.program, obj, { allowMissingKeys: true });
    } catch (e) {
      throw new JSONPathError(`unexpected error finding value with jsonPath: ${(e as Error).message}`);
    }
    if (results.length === 0 || results[0]!.length === 0) return '';
    if (results.length > 1 || results[0]!.length > 1) throw new JSONPathError('unexpectedly received more than one JSON path result');
    const value = results[0]![0];
    return value === null || value === undefined ? '' : goSprint(value);
  };
}
