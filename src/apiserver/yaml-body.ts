// YAML request bodies, read with the limits of the decoder kube-apiserver uses (sigs.k8s.io/yaml
// over go-yaml v2): only the first document is read (the text after it is never looked at), the
// scanner refuses more than 10000 nested flow collections or block indentation levels
// ("exceeded max depth of 10000"), and decoding stops once aliases expand to too large a share of
// the decoded nodes ("document contains excessive aliasing"). The work per body is then linear in
// its size, whatever it holds.

import { isMainThread } from 'node:worker_threads';
import { Composer, isAlias, type ScalarTag, type Tags, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, type CST, type Document, type Node as YamlNode } from 'yaml';

export const MAX_DEPTH = 10000;

/** How deep the yaml library may compose on this thread (see firstYamlDocument). */
const MAX_NESTING_HERE = isMainThread ? 256 : Infinity;

export interface FirstDocument {
  doc?: Document.Parsed;
  lines: LineCounter;
  /** go-yaml's error for a body over its depth limit (the document is then not composed). */
  depthError?: { message: string; offset: number };
}

/**
 * Parses the first YAML document only: the parser stops where the second one starts, or as soon as
 * the collections open at the current point nest deeper than go-yaml allows (so a body of a million
 * brackets costs ten thousand of them, as in go-yaml's scanner).
 */
export function firstYamlDocument(text: string): FirstDocument {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const tokens: CST.Token[] = [];
  let done = false;
  // the open path is checked while it grows past the limit (every 100 levels: the check is a
  // bound on the work, the whole document is checked exactly once parsed)
  let checkAt = MAX_DEPTH;
  const take = (produced: Iterable<CST.Token>) => {
    for (const token of produced) {
      tokens.push(token);
      if (token.type === 'document') {
        done = true;
        return;
      }
    }
  };
  lines.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    take(parser.next(lexeme));
    if (done) break;
    if (parser.stack.length > checkAt) {
      const depthError = pathDepthExceeded(parser.stack, lines, text);
      if (depthError) return { lines, depthError };
      checkAt = parser.stack.length + 100;
    }
  }
  if (!done) take(parser.end());
  const docToken = tokens.find((t): t is CST.Document => t.type === 'document');
  const checked = docToken ? documentDepthExceeded(docToken, lines, text) : { nesting: 0 };
  if (checked.error) return { lines, depthError: checked.error };
  if (checked.nesting > MAX_NESTING_HERE) {
    // The composer recurses once per level: the main thread's stack holds a few hundred, a decode
    // worker's (decode-pool.ts) all 10000. Bodies reach the main thread only when too small to
    // nest this deep; anything else (a YAML DeleteOptions body) is refused rather than risk it.
    return { lines, depthError: { message: `yaml: exceeded max depth of ${MAX_NESTING_HERE}`, offset: 0 } };
  }
  const composer = new Composer({ version: '1.1', uniqueKeys: false, customTags: goYamlTags });
  let doc: Document.Parsed | undefined;
  for (const token of tokens) for (const d of composer.next(token)) doc ??= d;
  for (const d of composer.end()) doc ??= d;
  return { doc, lines };
}

/** go-yaml v2's float syntax (on the text without underscores). */
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;

/**
 * How go-yaml v2 resolves a plain scalar that begins with a digit, a sign or a dot: strconv's
 * ParseInt with base prefixes (0x, 0o, 0b, a leading 0 for octal) on the text without
 * underscores, else its float syntax, else a string. Timestamps and sexagesimal numbers stay
 * strings (go-yaml keeps timestamps as text when decoding into interface{}, as kube does).
 */
function goYamlNumber(text: string): number | string {
  if (text[0] === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (m) {
    const sign = m[1] === '-' ? -1 : 1;
    const [, , hex, oct, bin, zeroOct, dec] = m;
    const n = hex !== undefined ? parseInt(hex, 16) : oct !== undefined ? parseInt(oct, 8) : bin !== undefined ? parseInt(bin, 2)
      : zeroOct !== undefined ? parseInt(zeroOct, 8) : Number(dec);
    return sign * n;
  }
  if (GO_YAML_FLOAT.test(plain)) return Number(plain);
  return text;
}

/**
 * The yaml library's YAML 1.1 schema with go-yaml v2's number resolution in place of its own
 * integer, float, sexagesimal and timestamp tags (which read "e2" as a float and "2001-12-14" as
 * a date); booleans (y, yes, on, ...), nulls, .inf/.nan and merge keys are the same in both.
 */
function goYamlTags(tags: Tags): Tags {
  const replaced = new Set(['tag:yaml.org,2002:int', 'tag:yaml.org,2002:timestamp']);
  const kept = tags.filter((t) => {
    if (typeof t !== 'object' || !('tag' in t)) return true;
    if (replaced.has(t.tag)) return false;
    // the float tags but the one of .inf and .nan
    return !(t.tag === 'tag:yaml.org,2002:float' && !String((t as { test?: RegExp }).test ?? '').includes('inf'));
  });
  const goNumber: ScalarTag = {
    tag: 'tag:yaml.org,2002:int', default: true, test: /^[-+.0-9]/, resolve: (text: string) => goYamlNumber(text),
  };
  return [...kept, goNumber];
}

/** go-yaml's scanner message for the line of an offset: its 0-based line, plus one, when not 0. */
function atLine(lines: LineCounter, offset: number, msg: string): string {
  const line = lines.linePos(offset).line - 1;
  return line === 0 ? `yaml: ${msg}` : `yaml: line ${line + 1}: ${msg}`;
}

/** go-yaml's nesting counts along one path: flow collections, and block indentation levels. */
interface Depth {
  indents: number;
  /** The column of the innermost block collection (-1 outside any). */
  indent: number;
  flow: number;
}

/**
 * One collection deeper: go-yaml's scanner refuses more than 10000 flow collections inside each
 * other, or more than 10000 block collections each indented deeper than the one around it (a block
 * sequence at its parent mapping's indentation adds no level). The offset where it stops, if so.
 */
function enter(d: Depth, token: CST.Token, column: (offset: number) => number): { depth: Depth; over?: number } {
  if (token.type === 'block-map' || token.type === 'block-seq') {
    const col = column(token.offset);
    if (col <= d.indent) return { depth: d };
    const depth = { indents: d.indents + 1, indent: col, flow: d.flow };
    return { depth, over: depth.indents > MAX_DEPTH ? token.offset : undefined };
  }
  if (token.type === 'flow-collection') {
    const depth = { ...d, flow: d.flow + 1 };
    return { depth, over: depth.flow > MAX_DEPTH ? token.start.offset : undefined };
  }
  return { depth: d };
}

function columns(text: string): (offset: number) => number {
  return (offset) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function depthError(lines: LineCounter, offset: number): { message: string; offset: number } {
  return { message: atLine(lines, offset, `exceeded max depth of ${MAX_DEPTH}`), offset };
}

/** The open collections (the parser's stack, outermost first) nest deeper than go-yaml allows. */
function pathDepthExceeded(stack: readonly CST.Token[], lines: LineCounter, text: string): { message: string; offset: number } | undefined {
  const column = columns(text);
  let depth: Depth = { indents: 0, indent: -1, flow: 0 };
  for (const token of stack) {
    const next = enter(depth, token, column);
    if (next.over !== undefined) return depthError(lines, next.over);
    depth = next.depth;
  }
  return undefined;
}

/**
 * Some path of the parsed document nests deeper than go-yaml allows (the first, in document
 * order); `nesting` is the most collections inside each other, which the yaml library's composer
 * recurses through.
 */
function documentDepthExceeded(doc: CST.Document, lines: LineCounter, text: string): { error?: { message: string; offset: number }; nesting: number } {
  const column = columns(text);
  const stack: { token: CST.Token | null | undefined; depth: Depth; n: number }[] = [
    { token: doc.value, depth: { indents: 0, indent: -1, flow: 0 }, n: 0 },
  ];
  let nesting = 0;
  while (stack.length) {
    const { token, depth, n } = stack.pop()!;
    if (!token) continue;
    const next = enter(depth, token, column);
    if (next.over !== undefined) return { error: depthError(lines, next.over), nesting };
    if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      nesting = Math.max(nesting, n + 1);
      const items: CST.CollectionItem[] = token.items;
      for (let i = items.length - 1; i >= 0; i--) {
        stack.push({ token: items[i]!.value, depth: next.depth, n: n + 1 });
        stack.push({ token: items[i]!.key, depth: next.depth, n: n + 1 });
      }
    }
  }
  return { nesting };
}

/** go-yaml's allowedAliasRatio: generous for small documents, 10% for very large ones. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.10;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

/**
 * Replays go-yaml's decoding count of the document (every node decoded, aliases expanded each time
 * they are used, merge keys as it merges them) and fails where go-yaml would. The count stops at
 * the first failure, so the replay is bounded by the ratio it enforces.
 */
export function excessiveAliasing(doc: Document.Parsed): boolean {
  const anchorOf = resolveAliases(doc);
  let decodeCount = 0;
  let aliasCount = 0;
  // nodes still to decode, with whether they are decoded through an alias
  const stack: { node: unknown; inAlias: boolean; merge?: boolean }[] = [{ node: doc.contents, inAlias: false }];
  decodeCount++; // the document node
  while (stack.length) {
    const { node, inAlias, merge } = stack.pop()!;
    if (node === null || node === undefined) continue;
    // a merge of a sequence decodes its items, not the sequence
    if (merge && isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], inAlias });
      continue;
    }
    decodeCount++;
    if (inAlias) aliasCount++;
    if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) return true;
    if (isAlias(node)) {
      const target = anchorOf.get(node);
      if (target) stack.push({ node: target, inAlias: true });
    } else if (isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i]!;
        if (!isPair(pair)) continue;
        if (isMergeKey(pair.key)) {
          stack.push({ node: pair.value, inAlias, merge: true });
          continue;
        }
        stack.push({ node: pair.value, inAlias });
        stack.push({ node: pair.key, inAlias });
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], inAlias });
    }
  }
  return false;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

/** Each alias and the node it names: the last node with that anchor before it, in document order. */
function resolveAliases(doc: Document.Parsed): Map<YamlNode, YamlNode> {
  const out = new Map<YamlNode, YamlNode>();
  const anchors = new Map<string, YamlNode>();
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) out.set(node, target);
      continue;
    }
    if (isScalar(node) || isMap(node) || isSeq(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
    }
    if (isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        if (!isPair(pair)) continue;
        stack.push(pair.value, pair.key);
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
  return out;
}

/**
 * sigs.k8s.io/yaml hands the document to the JSON decoder as JSON (maps with sorted keys), whose
 * scanner then refuses more than 10000 levels: the bracket where it stops, if it does.
 */
export function convertedJsonDepthExceeded(value: unknown, compare: (a: string, b: string) => number): '[' | '{' | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > MAX_DEPTH) return Array.isArray(v) ? '[' : '{';
    const children = Array.isArray(v) ? v : Object.keys(v).sort(compare).map((k) => (v as Record<string, unknown>)[k]);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ v: children[i], depth: depth + 1 });
  }
  return undefined;
}
