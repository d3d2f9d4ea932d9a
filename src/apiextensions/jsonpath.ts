// k8s.io/client-go/util/jsonpath as custom resources use it: printer columns ("{" + jsonPath + "}")
// and selectableFields are parsed once per CRD content and evaluated on every object. A parsed
// program is immutable and holds no state between evaluations (Go's JSONPath keeps range state in
// the parser; here it lives in the evaluation), so one program serves every logical cluster.
// Values are decoded JSON; integral numbers count as Go's int64 and the rest as float64, as kube's
// unstructured decoding has them.

import { goSprintV } from '../apimachinery/patch/strategic-merge-patch.js';
import { goJsonScalar } from '../apimachinery/patch/json-patch.js';
import { goStringCompare } from '../apimachinery/validation.js';
import type { JSONPathNode, JSONPathProgram, ListNode, SliceParam } from './jsonpath-parser.js';
import { parseJSONPath } from './jsonpath-parser.js';

export { parseJSONPath, type JSONPathNode, type JSONPathProgram, type ParsedJSONPath, type SliceParam } from './jsonpath-parser.js';

/** An evaluation error, with Go's text (e.g. "replicas is not found"). */
export class JSONPathError extends Error {}

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
  const fields = fieldChain(program);
  if (fields) return [fieldChainValue(fields, data, opts.allowMissingKeys ?? false)];
  return new Evaluator(opts.allowMissingKeys ?? false).run(program.root.nodes, data).map((r) => r.map(exportValue));
}

// Most printer columns and every selectable field are one action of plain fields ({.a.b.c}):
// those are walked directly, with the evaluator's results and errors.
const chains = new WeakMap<JSONPathProgram, readonly string[] | null>();

function fieldChain(program: JSONPathProgram): readonly string[] | null {
  let c = chains.get(program);
  if (c === undefined) {
    const [only, ...rest] = program.root.nodes;
    c = only?.type === 'list' && rest.length === 0 && only.nodes.length > 0 && only.nodes.every((n) => n.type === 'field')
      ? only.nodes.map((n) => (n as Extract<JSONPathNode, { type: 'field' }>).name) : null;
    chains.set(program, c);
  }
  return c;
}

function fieldChainValue(fields: readonly string[], data: unknown, allowMissingKeys: boolean): unknown[] {
  let v = data;
  for (const name of fields) {
    const next = isObject(v) && Object.prototype.hasOwnProperty.call(v, name) ? v[name] : undefined;
    if (next === undefined) {
      if (allowMissingKeys) return [];
      throw new JSONPathError(`${name} is not found`);
    }
    v = next;
  }
  return [v];
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
