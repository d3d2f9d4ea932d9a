// A small YAML emitter reproducing go-yaml v3's block output for JSON values (as gnostic's
// compiler.Marshal writes the `Any.yaml` of vendor extensions, defaults and enums), so that the
// protobuf OpenAPI v2 document is byte-identical to kube-apiserver's for the same JSON.

const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const BOOLS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN']);
const INT = /^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)$/;

/** Would the plain scalar resolve to something other than a string (so it must be quoted)? */
function resolvesToNonString(s: string): boolean {
  if (s === '' || s === '<<') return true;
  if (NULLS.has(s) || BOOLS.has(s) || SPECIAL_FLOATS.has(s)) return true;
  if (INT.test(s) && /[0-9]/.test(s)) return true;
  return FLOAT.test(s) && /[0-9]/.test(s);
}

function isPrintable(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0x7e) || c === 0x85
    || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}

/** yaml_emitter_analyze_scalar, block context: may the string be written plain / single-quoted? */
function analyze(s: string): { plain: boolean; single: boolean } {
  if (s.startsWith('---') || s.startsWith('...')) return { plain: false, single: true };
  let blockIndicators = false;
  let special = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const code = ch.codePointAt(0)!;
    const next = chars[i + 1];
    const followed = next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':') && followed) blockIndicators = true;
      else if (ch === '-' && followed) blockIndicators = true;
    } else if (ch === ':' && followed) {
      blockIndicators = true;
    } else if (ch === '#' && precededByWhitespace) {
      blockIndicators = true;
    }
    if (!isPrintable(code) || (code > 0x7f && code === 0xfeff)) special = true;
    if (ch === ' ' && i + 1 < chars.length && chars[i + 1] === '\n') spaceBreak = true;
    precededByWhitespace = ch === ' ' || ch === '\t' || ch === '\n';
  }
  const leadingSpace = s.startsWith(' ');
  const trailingSpace = s.endsWith(' ');
  const plain = !blockIndicators && !leadingSpace && !trailingSpace && !special && s.length > 0;
  return { plain, single: !special && !spaceBreak };
}

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0d) out += '\\r';
    else if (!isPrintable(c)) out += c <= 0xff ? `\\x${c.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function scalarString(s: string, indent: string): string {
  if (s.includes('\n')) {
    // literal block
    const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? '+' : '') : '-';
    const body = s.endsWith('\n') ? s.slice(0, -1) : s;
    const ind = s.startsWith(' ') || s.startsWith('\n') ? '2' : '';
    const lines = body.split('\n').map((l) => (l ? `${indent}  ${l}` : ''));
    return `|${ind}${chomp}\n${lines.join('\n')}`;
  }
  if (resolvesToNonString(s)) return doubleQuoted(s);
  const a = analyze(s);
  if (a.plain) return s;
  if (a.single) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(s);
}

function scalar(v: unknown, indent: string): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  return scalarString(String(v), indent);
}

function isCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length > 0) || (!!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0);
}

function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    if (!v.length) {
      out.push(`${indent}[]`);
      return;
    }
    for (const item of v) {
      if (isCollection(item)) {
        const sub: string[] = [];
        emit(item, `${indent}  `, sub);
        // the first line of the item goes on the "- " line
        out.push(`${indent}- ${sub[0]!.slice(indent.length + 2)}`, ...sub.slice(1));
      } else {
        out.push(`${indent}- ${emptyOrScalar(item, indent)}`);
      }
    }
    return;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.length) {
      out.push(`${indent}{}`);
      return;
    }
    for (const [k, x] of entries) {
      const key = scalarString(k, indent);
      if (isCollection(x)) {
        out.push(`${indent}${key}:`);
        emit(x, `${indent}  `, out);
      } else {
        out.push(`${indent}${key}: ${emptyOrScalar(x, indent)}`);
      }
    }
    return;
  }
  out.push(`${indent}${scalar(v, indent)}`);
}

function emptyOrScalar(v: unknown, indent: string): string {
  if (Array.isArray(v)) return '[]';
  if (v && typeof v === 'object') return '{}';
  return scalar(v, indent);
}

/** go-yaml v3 Marshal of a JSON value (block style, 2-space indentation as gnostic emits it). */
export function goYAML(v: unknown): string {
  const out: string[] = [];
  emit(v, '', out);
  return `${out.join('\n')}\n`;
}
