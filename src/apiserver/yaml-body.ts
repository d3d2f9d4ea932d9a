// YAML request bodies, read with the limits of the decoder kube-apiserver uses (sigs.k8s.io/yaml
// over go-yaml v2): only the first document is read (the text after it is never looked at), the
// scanner refuses more than 10000 nested flow collections or block indentation levels
// ("exceeded max depth of 10000"), and decoding stops once aliases expand to too large a share of
// the decoded nodes ("document contains excessive aliasing"). The work per body is then linear in
// its size, whatever it holds.

import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser, type CST, type Document, type Node as YamlNode } from 'yaml';

export const MAX_DEPTH = 10000;

export interface FirstDocument {
  doc?: Document.Parsed;
  lines: LineCounter;
  /** go-yaml's error for a body over its depth limit (the document is then not composed). */
  depthError?: { message: string; offset: number };
}

/** Parses the first YAML document only: the parser stops where the second one starts. */
export function firstYamlDocument(text: string): FirstDocument {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const tokens: CST.Token[] = [];
  let docToken: CST.Document | undefined;
  for (const token of parser.parse(text)) {
    tokens.push(token);
    if (token.type === 'document') {
      docToken = token;
      break;
    }
  }
  const depthError = docToken ? depthExceeded(docToken, lines, text) : undefined;
  if (depthError) return { lines, depthError };
  const composer = new Composer({ version: '1.1', uniqueKeys: false });
  let doc: Document.Parsed | undefined;
  for (const token of tokens) for (const d of composer.next(token)) doc ??= d;
  for (const d of composer.end()) doc ??= d;
  return { doc, lines };
}

/** go-yaml's scanner message for the line of an offset: its 0-based line, plus one, when not 0. */
function atLine(lines: LineCounter, offset: number, msg: string): string {
  const line = lines.linePos(offset).line - 1;
  return line === 0 ? `yaml: ${msg}` : `yaml: line ${line + 1}: ${msg}`;
}

/**
 * Where the document nests deeper than go-yaml's scanner allows: more than 10000 flow collections
 * inside each other, or more than 10000 block collections each indented deeper than its parent
 * (a block sequence at its parent mapping's indentation adds no level, as in go-yaml).
 */
function depthExceeded(doc: CST.Document, lines: LineCounter, text: string): { message: string; offset: number } | undefined {
  const column = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const stack: { token: CST.Token | null | undefined; indents: number; indent: number; flow: number }[] = [
    { token: doc.value, indents: 0, indent: -1, flow: 0 },
  ];
  const fail = (offset: number) => ({ message: atLine(lines, offset, `exceeded max depth of ${MAX_DEPTH}`), offset });
  while (stack.length) {
    const { token, indents, indent, flow } = stack.pop()!;
    if (!token) continue;
    switch (token.type) {
      case 'block-map':
      case 'block-seq': {
        const col = column(token.offset);
        const deeper = col > indent;
        const n = deeper ? indents + 1 : indents;
        if (n > MAX_DEPTH) return fail(token.offset);
        for (let i = token.items.length - 1; i >= 0; i--) {
          const item = token.items[i]!;
          const next = { indents: n, indent: deeper ? col : indent, flow };
          stack.push({ ...next, token: item.value });
          if ('key' in item) stack.push({ ...next, token: item.key });
        }
        break;
      }
      case 'flow-collection': {
        if (flow + 1 > MAX_DEPTH) return fail(token.start.offset);
        for (let i = token.items.length - 1; i >= 0; i--) {
          const item = token.items[i]!;
          stack.push({ token: item.value, indents, indent, flow: flow + 1 });
          stack.push({ token: item.key, indents, indent, flow: flow + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
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
 * Whether a JSON text nests deeper than max (brackets outside strings). Go's scanner refuses such a
 * body before decoding; the caller asks the Go scanner for its exact text.
 */
export function jsonDepthExceeds(text: string, max = MAX_DEPTH): boolean {
  if (text.length <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip the string
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
