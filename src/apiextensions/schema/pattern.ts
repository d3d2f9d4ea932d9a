// `pattern` as kube evaluates it: Go's regexp (RE2 syntax). Patterns are compiled once per compiled
// schema. Most CRD patterns are in a subset where RE2 and JavaScript's RegExp (with the u flag)
// accept the same strings; those run on V8's engine (a hundred times faster than the RE2 port),
// the rest on @bufbuild/re2, which parses and matches the way Go does.

import { RE2JS } from '@bufbuild/re2';

export interface CompiledPattern {
  /** Go's regexp.MatchString: a match anywhere in s (patterns anchor themselves with ^ and $). */
  test(s: string): boolean;
}

/** Go's regexp.Compile error text for an invalid pattern (`error parsing regexp: ...`), or undefined. */
export function patternError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Escapes that mean the same in RE2 and in a JavaScript u-mode RegExp, outside a class and inside one. */
const SAME_ESCAPES = new Set([...'dDwW.*+?()[]{}|^$\\/-ntrfv']);
const SAME_ESCAPES_IN_CLASS = new Set([...'dDwW.*+?()[]{}|^$\\/-ntrfv']);

/**
 * The pattern as a JavaScript source with RE2's meaning, or undefined when it uses anything whose
 * meaning differs (flags, \s, \b, \p, \z, POSIX classes, lookarounds...). `.` becomes [^\n]: RE2's
 * dot excludes only the newline.
 */
function toJavaScript(pattern: string): string | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined || !(inClass ? SAME_ESCAPES_IN_CLASS : SAME_ESCAPES).has(n)) return undefined;
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') return undefined;
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        out += c;
        // a leading ] (or ^]) is a literal in RE2
        if (pattern[i + 1] === '^') { out += '^'; i++; }
        if (pattern[i + 1] === ']') return undefined;
        break;
      case '(':
        if (pattern[i + 1] === '?') {
          if (pattern[i + 2] !== ':') return undefined;
        }
        out += c;
        break;
      case '.':
        out += '[^\\n]';
        break;
      default:
        out += c;
    }
  }
  return inClass ? undefined : out;
}

/** Compiles a pattern that patternError accepted. */
export function compilePattern(pattern: string): CompiledPattern {
  const js = toJavaScript(pattern);
  if (js !== undefined) {
    try {
      const re = new RegExp(js, 'u');
      return { test: (s) => re.test(s) };
    } catch {
      // JavaScript refuses what RE2 accepts (e.g. a lone "{"): RE2 it is
    }
  }
  const re = RE2JS.compile(pattern);
  return { test: (s) => re.test(s) };
}
