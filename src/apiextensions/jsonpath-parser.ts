// The parser of k8s.io/client-go/util/jsonpath (parser.go): a template of text and `{...}`
// actions parsed into a frozen tree, with the errors Go's parser returns (printer columns and
// selectableFields are parsed as "{" + jsonPath + "}"). Evaluation is in ./jsonpath.ts.

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

export type ListNode = Extract<JSONPathNode, { type: 'list' }>;

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
