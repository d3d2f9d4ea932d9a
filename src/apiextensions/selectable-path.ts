// cel.ValidFieldPath (apiextensions-apiserver pkg/apiserver/schema/cel validation.go): a relative
// JSON path (`.spec.color`, `.spec['a.b']`) resolved against a structural schema, as
// selectableFields and x-kubernetes-validations fieldPath use it, with kube's error texts.

import { isObj, type Obj } from '../registry/kinds/_util.js';

export type FieldPathResult =
  | { error?: undefined; path: string; root: string; schema: Obj | undefined }
  | { error: string };

/** Tokens as Go's scanner splits them: '.', '[', ']', a single-quoted string, or the text between. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === "'") {
      let j = i + 1;
      while (j < s.length && !(s[j] === "'" && s[j - 1] !== '\\')) j++;
      out.push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (s[i] === '.' || s[i] === '[' || s[i] === ']') {
      out.push(s[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[' && s[j] !== ']') j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '\\': '\\' };

function unescapeSingleQuote(s: string): string {
  return s.replace(/\\[\s\S]/g, (m) => {
    const r = ESCAPES[m[1]!];
    if (r === undefined) throw new Error(`invalid escape char ${m}`);
    return r;
  });
}

/** Resolves `jsonPath` in `schema`; allowArrayNotation false refuses `['name']` (selectableFields). */
export function validFieldPath(jsonPath: string, schema: Obj | undefined, allowArrayNotation = true): FieldPathResult {
  const toks = tokenize(jsonPath);
  let path = '';
  let root = '';
  let cur = schema;
  const step = (name: string): string | undefined => {
    const props = isObj(cur?.properties) && Object.keys(cur.properties).length > 0 ? cur.properties : undefined;
    if (props) {
      path = path ? `${path}.${name}` : name;
      if (!Object.prototype.hasOwnProperty.call(props, name) || !isObj(props[name])) return 'does not refer to a valid field';
      cur = props[name] as Obj;
    } else if (cur && cur.additionalProperties !== undefined && cur.additionalProperties !== null && cur.additionalProperties !== false) {
      path = `${path}[${name}]`;
      cur = isObj(cur.additionalProperties) ? cur.additionalProperties : undefined;
    } else {
      return 'does not refer to a valid field';
    }
    if (!root) root = path;
    return undefined;
  };
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i]!;
    if (tok === '[') {
      if (!allowArrayNotation) return { error: 'array notation is not allowed' };
      const q = toks[++i];
      if (q === undefined) return { error: 'unexpected end of JSON path' };
      if (q.length < 2 || q[0] !== "'" || q[q.length - 1] !== "'") return { error: `expected single quoted string but got ${q}` };
      let name: string;
      try {
        name = unescapeSingleQuote(q.slice(1, -1));
      } catch (e) {
        return { error: `invalid string literal: ${(e as Error).message}` };
      }
      const err = step(name);
      if (err) return { error: err };
      const close = toks[++i];
      if (close === undefined) return { error: 'unexpected end of JSON path' };
      if (close !== ']') return { error: `expected ] but got ${close}` };
    } else if (tok === '.') {
      const name = toks[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const err = step(name);
      if (err) return { error: err };
    } else {
      return { error: `expected [ or . but got: ${tok}` };
    }
  }
  return { path, root, schema: cur };
}
