// A compact notation for function declarations ("string.startsWith(string) bool",
// "size(list(A)) int"), read once at module load to build the checker's overload tables.
// Type parameters are single capital letters; kube's opaque types go by short names.

import type { CelT } from './types.js';
import { K, T } from './types.js';

export interface Overload {
  /** Unique id (name + signature), also used by the cost estimator. */
  id: string;
  name: string;
  member: boolean;
  params: CelT[];
  result: CelT;
}

const named: Record<string, CelT> = {
  int: T.int, uint: T.uint, double: T.double, string: T.string, bool: T.bool, bytes: T.bytes,
  null: T.null, dyn: T.dyn, timestamp: T.timestamp, duration: T.duration,
  Quantity: K.quantity, URL: K.url, IP: K.ip, CIDR: K.cidr, Semver: K.semver, NamedFormat: K.format,
  Authorizer: K.authorizer, PathCheck: K.pathCheck, GroupCheck: K.groupCheck, ResourceCheck: K.resourceCheck, Decision: K.decision,
};

function parseType(s: string, at: { i: number }): CelT {
  const m = /^[A-Za-z_]+/.exec(s.slice(at.i));
  if (!m) throw new Error(`bad signature type in ${s}`);
  at.i += m[0].length;
  const word = m[0];
  if (s[at.i] === '(') {
    at.i++;
    const args: CelT[] = [];
    while (s[at.i] !== ')') {
      args.push(parseType(s, at));
      if (s[at.i] === ',') at.i++;
      while (s[at.i] === ' ') at.i++;
    }
    at.i++;
    if (word === 'list') return T.list(args[0]!);
    if (word === 'map') return T.map(args[0]!, args[1]!);
    if (word === 'type') return T.type(args[0]!);
    if (word === 'optional') return T.optional(args[0]!);
    throw new Error(`bad signature type ${word}`);
  }
  if (/^[A-Z]$/.test(word)) return T.param(word);
  const t = named[word];
  if (!t) throw new Error(`unknown signature type ${word}`);
  return t;
}

/** "target.name(args) result" or "name(args) result". */
export function sig(text: string): Overload {
  // the receiver is a type up to its balanced parentheses (list(optional(A)))
  let recv = '';
  const head = /^[A-Za-z_]+/.exec(text)?.[0] ?? '';
  if (text[head.length] === '(') {
    let depth = 0;
    let i = head.length;
    for (; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) break;
    }
    if (text[i + 1] === '.') recv = text.slice(0, i + 1);
  }
  const rest = recv ? `X.${text.slice(recv.length + 1)}` : text;
  const m = /^(?:([A-Za-z_]+)\.)?([A-Za-z0-9_@!?:+*/%<>=&|.\-[\]]+?)\((.*)\) (.+)$/.exec(rest);
  if (m && recv) m[1] = recv;
  if (!m) throw new Error(`bad signature ${text}`);
  let target: string | undefined = m[1];
  let name = m[2]!;
  const [, , , args, result] = m;
  // namespaced functions (optional.of, sets.contains) are names, not receivers
  if (target && !target.includes('(') && !(target in named) && !/^[A-Z]$/.test(target)) {
    name = `${target}.${name}`;
    target = undefined;
  }
  const params: CelT[] = [];
  if (target) params.push(parseType(target, { i: 0 }));
  const at = { i: 0 };
  while (at.i < args!.length) {
    params.push(parseType(args!, at));
    while (args![at.i] === ',' || args![at.i] === ' ') at.i++;
  }
  return { id: text, name: name!, member: !!target, params, result: parseType(result!, { i: 0 }) };
}
