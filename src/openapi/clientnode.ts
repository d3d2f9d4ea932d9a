// Reads the generated model classes of @kubernetes/client-node (generated from the Kubernetes v1.34
// OpenAPI spec): `static attributeTypeMap` from the .js file (property names and TS types) and the
// JSDoc descriptions plus `?` optional markers from the .d.ts file. Files are read synchronously and
// only when a model is asked for; results are memoized for the life of the process.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ModelAttribute {
  /** JSON field name. */
  name: string;
  /** client-node's TypeScript type, e.g. "string", "Array<V1PolicyRule>", "{ [key: string]: string; }". */
  type: string;
  /** OpenAPI format from the spec ("int32", "int64", "byte", "date-time", "date-time-micro"...). */
  format: string;
  description?: string;
  required: boolean;
}

export interface ModelInfo {
  className: string;
  description?: string;
  attributes: ModelAttribute[];
}

let modelsDir: string | undefined;

function modelDirectory(): string {
  if (!modelsDir) {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@kubernetes/client-node');
    modelsDir = path.join(path.dirname(entry), 'gen', 'models');
  }
  return modelsDir;
}

const cache = new Map<string, ModelInfo | null>();

const CLASS_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The model class, or undefined when client-node has no such class. */
export function loadModel(className: string): ModelInfo | undefined {
  const hit = cache.get(className);
  if (hit !== undefined) return hit ?? undefined;
  let info: ModelInfo | null = null;
  if (CLASS_NAME.test(className)) {
    try {
      info = parseModel(className, modelDirectory());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      info = null;
    }
  }
  cache.set(className, info);
  return info ?? undefined;
}

/** True when client-node ships a model class of that name. */
export function hasModel(className: string): boolean {
  return loadModel(className) !== undefined;
}

interface RawAttribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

function parseModel(className: string, dir: string): ModelInfo {
  const js = readFileSync(path.join(dir, `${className}.js`), 'utf8');
  const dts = readFileSync(path.join(dir, `${className}.d.ts`), 'utf8');
  const marker = `${className}.attributeTypeMap = `;
  const start = js.indexOf(marker);
  if (start < 0) throw new Error(`client-node model ${className}: no attributeTypeMap`);
  const arrStart = start + marker.length;
  const arrEnd = findArrayEnd(js, arrStart);
  const raw = JSON.parse(js.slice(arrStart, arrEnd)) as RawAttribute[];
  const docs = parseDeclarations(dts, className);
  const attributes: ModelAttribute[] = raw.map((a) => {
    const d = docs.props.get(a.baseName) ?? docs.props.get(a.name);
    const attr: ModelAttribute = { name: a.baseName, type: a.type, format: a.format, required: d ? !d.optional : false };
    if (d?.description) attr.description = d.description;
    return attr;
  });
  const info: ModelInfo = { className, attributes };
  if (docs.classDescription) info.description = docs.classDescription;
  return info;
}

/** Index just past the `]` closing the JSON array literal that starts at `from`. */
function findArrayEnd(src: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unterminated attributeTypeMap');
}

interface Declarations {
  classDescription?: string;
  props: Map<string, { optional: boolean; description?: string }>;
}

/** Undoes the JS string escaping client-node's generator applies inside doc comments. */
function unescapeDoc(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function parseDeclarations(dts: string, className: string): Declarations {
  const out: Declarations = { props: new Map() };
  const lines = dts.split('\n');
  let pending: string | undefined;
  let inComment = false;
  let comment: string[] = [];
  let inClass = false;
  let depth = 0;
  for (const line of lines) {
    const t = line.trim();
    if (inComment) {
      if (t === '*/') {
        inComment = false;
        pending = comment.join('\n');
      } else {
        comment.push(t.replace(/^\* ?/, ''));
      }
      continue;
    }
    if (t === '/**' && depth <= 1) {
      inComment = true;
      comment = [];
      continue;
    }
    if (!inClass) {
      if (t.startsWith(`export declare class ${className}`)) {
        inClass = true;
        depth = t.endsWith('{') ? 1 : 0;
        if (pending) out.classDescription = unescapeDoc(pending);
      }
      pending = undefined;
      continue;
    }
    if (depth === 1) {
      const m = /^'([^']+)'(\?)?:/.exec(t);
      if (m) {
        const prop: { optional: boolean; description?: string } = { optional: m[2] === '?' };
        if (pending) prop.description = unescapeDoc(pending);
        out.props.set(m[1]!, prop);
      }
      pending = undefined;
    }
    for (const c of t) {
      if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    if (depth <= 0) break;
  }
  return out;
}
