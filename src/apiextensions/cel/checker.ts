// A type checker for parsed CEL (the @bufbuild/cel parser's AST), as cel-go's checker runs it in
// kube's environment: declared variables (self, oldSelf), field selection on schema object types,
// overload resolution with type parameters, homogeneous aggregate literals, comprehensions. Its
// errors carry cel-go's texts; @bufbuild/cel has no checker of its own (only identifiers/constants).

import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Overload } from './signature.js';
import { sig } from './signature.js';
import { stdSignatures, typeIdents } from './stdlib.js';
import { kubeSignatures } from './library/signatures.js';
import { patchStructType } from './library/mutation.js';
import type { CelT } from './types.js';
import { T, isDyn, typeString } from './types.js';

export interface CheckIssue {
  exprId: bigint;
  message: string;
  /** A struct literal's field: cel-go reports it at the ':' after the field's name. */
  atColon?: boolean;
}

export interface Checked {
  /** The type of each expression id (type parameters resolved; unresolved ones are dyn). */
  types: Map<bigint, CelT>;
  /** The overloads a call may resolve to, by expression id. */
  overloads: Map<bigint, Overload[]>;
  /** Identifiers referring to declared variables (not comprehension variables). */
  references: Set<string>;
  issues: CheckIssue[];
  output: CelT;
}

const byName = new Map<string, Overload[]>();
for (const o of [...stdSignatures, ...kubeSignatures].map(sig)) {
  const list = byName.get(o.name) ?? [];
  list.push(o);
  byName.set(o.name, list);
}

/** Functions of environments with patch types only (MutatingAdmissionPolicy mutations). */
const patchByName = new Map<string, Overload[]>([['jsonpatch.escapeKey', [sig('jsonpatch.escapeKey(string) string')]]]);

export interface CheckOptions {
  /** Object{...}, Object.<field>{...}, JSONPatch{...} and jsonpatch.escapeKey (kube's HasPatchTypes). */
  patchTypes?: boolean;
}

type Subst = Map<string, CelT>;

function resolve(t: CelT, s: Subst): CelT {
  switch (t.kind) {
    case 'param': { const b = s.get(t.name); return b ? resolve(b, s) : t; }
    case 'list': return { ...t, elem: resolve(t.elem, s) };
    case 'map': return { ...t, key: resolve(t.key, s), value: resolve(t.value, s) };
    case 'type': return { kind: 'type', of: resolve(t.of, s) };
    case 'opaque': return t.params.length ? { ...t, params: t.params.map((p) => resolve(p, s)) } : t;
    default: return t;
  }
}

/** Replaces free type parameters by dyn, as cel-go's final substitution does. */
function finalize(t: CelT, s: Subst): CelT {
  const r = resolve(t, s);
  switch (r.kind) {
    case 'param': return T.dyn;
    case 'list': return { ...r, elem: finalize(r.elem, s) };
    case 'map': return { ...r, key: finalize(r.key, s), value: finalize(r.value, s) };
    case 'type': return { kind: 'type', of: finalize(r.of, s) };
    case 'opaque': return r.params.length ? { ...r, params: r.params.map((p) => finalize(p, s)) } : r;
    default: return r;
  }
}

function occurs(name: string, t: CelT, s: Subst): boolean {
  const r = resolve(t, s);
  if (r.kind === 'param') return r.name === name;
  if (r.kind === 'list') return occurs(name, r.elem, s);
  if (r.kind === 'map') return occurs(name, r.key, s) || occurs(name, r.value, s);
  if (r.kind === 'opaque') return r.params.some((p) => occurs(name, p, s));
  return false;
}

/** Whether a value of type `b` may be used where `a` is expected, binding type parameters in s. */
function assignable(a: CelT, b: CelT, s: Subst): boolean {
  a = resolve(a, s);
  b = resolve(b, s);
  if (a.kind === 'param' || b.kind === 'param') {
    const [p, o] = a.kind === 'param' ? [a, b] : [b as { kind: 'param'; name: string }, a];
    if (o.kind === 'param' && o.name === p.name) return true;
    if (occurs(p.name, o, s)) return false;
    s.set(p.name, o);
    return true;
  }
  if (isDyn(a) || isDyn(b)) return true;
  if (b.kind === 'null_type') {
    return a.kind === 'null_type' || a.kind === 'object' || a.kind === 'opaque'
      || a.kind === 'google.protobuf.Timestamp' || a.kind === 'google.protobuf.Duration';
  }
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list': return assignable(a.elem, (b as typeof a).elem, s);
    case 'map': return assignable(a.key, (b as typeof a).key, s) && assignable(a.value, (b as typeof a).value, s);
    case 'object': return a.name === (b as typeof a).name;
    case 'type': return assignable(a.of, (b as typeof a).of, s);
    case 'opaque': {
      const o = b as typeof a;
      return a.name === o.name && a.params.length === o.params.length && a.params.every((p, i) => assignable(p, o.params[i]!, s));
    }
    default: return true;
  }
}

/** The more general of two result types (cel-go's mostGeneral; unrelated types give dyn). */
function join(a: CelT, b: CelT, s: Subst): CelT {
  const trial = new Map(s);
  if (assignable(a, b, trial) && assignable(b, a, new Map(s))) return a;
  return T.dyn;
}

let freshCounter = 0;

function freshen(o: Overload): { params: CelT[]; result: CelT } {
  const names = new Map<string, CelT>();
  const f = (t: CelT): CelT => {
    switch (t.kind) {
      case 'param': {
        let n = names.get(t.name);
        if (!n) { n = T.param(`_${t.name}${freshCounter++}`); names.set(t.name, n); }
        return n;
      }
      case 'list': return T.list(f(t.elem));
      case 'map': return T.map(f(t.key), f(t.value));
      case 'type': return T.type(f(t.of));
      case 'opaque': return t.params.length ? { ...t, params: t.params.map(f) } : t;
      default: return t;
    }
  };
  return { params: o.params.map(f), result: f(o.result) };
}

function formatCallArgs(member: boolean, argTypes: CelT[]): string {
  if (member) {
    const [target, ...rest] = argTypes;
    return `${typeString(target!)}.(${rest.map(typeString).join(', ')})`;
  }
  return `(${argTypes.map(typeString).join(', ')})`;
}

/** A dotted name from an identifier/select chain (`optional.of` targets), if it is one. */
function qualifiedName(e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  const k = e.exprKind;
  if (k.case === 'identExpr') return k.value.name;
  if (k.case === 'selectExpr' && !k.value.testOnly) {
    const q = qualifiedName(k.value.operand);
    return q === undefined ? undefined : `${q}.${k.value.field}`;
  }
  return undefined;
}

class Checker {
  readonly types = new Map<bigint, CelT>();
  readonly overloads = new Map<bigint, Overload[]>();
  readonly references = new Set<string>();
  readonly issues: CheckIssue[] = [];
  readonly subst: Subst = new Map();
  private scopes: Map<string, CelT>[] = [];
  /** List literals exempt from homogeneity (format's arguments, as cel-go's strings extension exempts them). */
  private readonly exempt = new Set<bigint>();

  constructor(private readonly vars: ReadonlyMap<string, CelT>, private readonly opts: CheckOptions = {}) {}

  private functions(name: string): Overload[] | undefined {
    return byName.get(name) ?? (this.opts.patchTypes ? patchByName.get(name) : undefined);
  }

  private error(e: Expr, message: string): CelT {
    this.issues.push({ exprId: e.id, message });
    return T.error;
  }

  private set(e: Expr, t: CelT): CelT {
    this.types.set(e.id, t);
    return t;
  }

  private lookup(name: string): CelT | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const t = this.scopes[i]!.get(name);
      if (t) return t;
    }
    return undefined;
  }

  private ident(name: string): CelT | undefined {
    const local = this.lookup(name);
    if (local) return local;
    const v = this.vars.get(name);
    if (v) { this.references.add(name); return v; }
    if (typeIdents.includes(name)) {
      const of = name === 'list' ? T.list(T.dyn) : name === 'map' ? T.map(T.dyn, T.dyn) : name === 'null_type' ? T.null
        : name === 'type' ? T.type(T.dyn) : (T as unknown as Record<string, CelT>)[name.replace('google.protobuf.', '').toLowerCase()] ?? T.dyn;
      return T.type(of);
    }
    return undefined;
  }

  check(e: Expr): CelT {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr': {
        const c = k.value.constantKind;
        const t = c.case === 'boolValue' ? T.bool : c.case === 'int64Value' ? T.int : c.case === 'uint64Value' ? T.uint
          : c.case === 'doubleValue' ? T.double : c.case === 'stringValue' ? T.string : c.case === 'bytesValue' ? T.bytes
            : c.case === 'nullValue' ? T.null : c.case === 'durationValue' ? T.duration : c.case === 'timestampValue' ? T.timestamp : T.dyn;
        return this.set(e, t);
      }
      case 'identExpr': {
        const t = this.ident(k.value.name);
        if (!t) return this.set(e, this.error(e, `undeclared reference to '${k.value.name}' (in container '')`));
        return this.set(e, t);
      }
      case 'selectExpr': {
        // a dotted name may be a qualified identifier (google.protobuf.Timestamp)
        const q = qualifiedName(e);
        // a declared variable with a dotted name (authorizer.requestResource) wins, as cel-go resolves it
        if (q && q.includes('.') && !this.lookup(q.split('.')[0]!) && this.vars.has(q)) {
          this.references.add(q);
          return this.set(e, this.vars.get(q)!);
        }
        if (q && q.includes('.') && !this.lookup(q.split('.')[0]!) && !this.vars.has(q.split('.')[0]!)) {
          const t = this.ident(q);
          if (t) return this.set(e, t);
        }
        const operand = this.check(k.value.operand!);
        const ft = this.selectField(e, operand, k.value.field);
        return this.set(e, k.value.testOnly ? (ft.kind === 'error' ? ft : T.bool) : ft);
      }
      case 'callExpr': return this.set(e, this.call(e));
      case 'listExpr': {
        let elem: CelT | undefined;
        const exempt = this.exempt.has(e.id);
        for (const x of k.value.elements) {
          const t = this.check(x);
          if (!elem) { elem = t; continue; }
          if (exempt) { if (!assignable(elem, t, new Map(this.subst))) elem = T.dyn; continue; }
          if (!this.homogeneous(x, elem, t)) elem = T.dyn;
        }
        return this.set(e, T.list(elem ? resolve(elem, this.subst) : T.param(`_L${freshCounter++}`)));
      }
      case 'structExpr': {
        if (k.value.messageName) {
          const st = this.opts.patchTypes ? patchStructType(k.value.messageName) : undefined;
          if (!st) return this.set(e, this.error(e, `undeclared reference to '${k.value.messageName}' (in container '')`));
          return this.set(e, this.structLiteral(st, k.value.entries));
        }
        let key: CelT | undefined;
        let val: CelT | undefined;
        for (const en of k.value.entries) {
          const kt = en.keyKind.case === 'mapKey' ? this.check(en.keyKind.value) : T.string;
          const vt = this.check(en.value!);
          if (en.keyKind.case === 'mapKey') {
            const r = resolve(kt, this.subst);
            if (!['int', 'uint', 'bool', 'string', 'dyn', 'error', 'param'].includes(r.kind)) {
              this.error(en.keyKind.value, `unsupported map key type: ${typeString(r)}`);
            }
          }
          if (!key) key = kt; else if (en.keyKind.case === 'mapKey' && !this.homogeneous(en.keyKind.value, key, kt)) key = T.dyn;
          if (!val) val = vt; else if (!this.homogeneous(en.value!, val, vt)) val = T.dyn;
        }
        return this.set(e, T.map(key ?? T.param(`_K${freshCounter++}`), val ?? T.param(`_V${freshCounter++}`)));
      }
      case 'comprehensionExpr': return this.set(e, this.comprehension(e));
      default: return this.set(e, T.dyn);
    }
  }

  /** A message literal of an object type: each field declared, of a type its value may have (cel-go's checkCreateMessage). */
  private structLiteral(st: CelT & { kind: 'object' }, entries: { id: bigint; keyKind: { case?: string; value?: unknown }; value?: Expr }[]): CelT {
    for (const en of entries) {
      const vt = this.check(en.value!);
      if (en.keyKind.case !== 'fieldKey') continue;
      const name = en.keyKind.value as string;
      // (an unknown field of JSONPatch has no type: cel-go prints it empty; the entry is at its ':')
      const ft = st.fields.get(name);
      if (!ft || !assignable(ft, vt, this.subst)) {
        this.issues.push({ exprId: en.id, atColon: true, message: `expected type of field '${name}' is '${ft ? typeString(ft) : ''}' but provided type is '${typeString(resolve(vt, this.subst))}'` });
      }
    }
    return st;
  }

  /** cel.HomogeneousAggregateLiterals: every element has the first element's type. */
  private homogeneous(at: Expr, expected: CelT, actual: CelT): boolean {
    const trial = new Map(this.subst);
    if (assignable(expected, actual, trial) && assignable(actual, expected, new Map(trial))) {
      for (const [k, v] of trial) this.subst.set(k, v);
      return true;
    }
    this.error(at, `expected type '${typeString(resolve(expected, this.subst))}' but found '${typeString(resolve(actual, this.subst))}'`);
    return false;
  }

  private selectField(e: Expr, operand: CelT, field: string): CelT {
    const t = resolve(operand, this.subst);
    switch (t.kind) {
      case 'object': {
        const f = t.fields.get(field);
        return f ?? this.error(e, `undefined field '${field}'`);
      }
      case 'map':
        if (!assignable(t.key, T.string, this.subst)) break;
        return t.value;
      case 'dyn': case 'error': case 'param': return T.dyn;
    }
    return this.error(e, `type '${typeString(t)}' does not support field selection`);
  }

  private call(e: Expr): CelT {
    const c = e.exprKind.value as { target?: Expr; function: string; args: Expr[] };
    let name = c.function;
    let target = c.target;
    // namespaced functions (optional.of, sets.contains, format.named) are called on a name, not a value
    if (target) {
      const q = qualifiedName(target);
      if (q !== undefined && !this.lookup(q.split('.')[0]!) && !this.vars.has(q.split('.')[0]!) && this.functions(`${q}.${name}`)) {
        name = `${q}.${name}`;
        target = undefined;
      }
    }
    const member = target !== undefined;
    if (member && name === 'format' && c.args[0]?.exprKind.case === 'listExpr') this.exempt.add(c.args[0].id);
    const argTypes: CelT[] = [];
    if (target) argTypes.push(this.check(target));
    for (const a of c.args) argTypes.push(this.check(a));
    const candidates = (this.functions(name) ?? []).filter((o) => o.member === member && o.params.length === argTypes.length);
    // an argument that did not check has its own error (cel-go reports nothing more here)
    if (argTypes.some((t) => t.kind === 'error')) return T.error;
    if (!this.functions(name)) return this.error(e, `undeclared reference to '${name}' (in container '')`);
    let result: CelT | undefined;
    const matched: Overload[] = [];
    let matchedSubst: Subst | undefined;
    for (const o of candidates) {
      const f = freshen(o);
      const trial = new Map(this.subst);
      if (!f.params.every((p, i) => assignable(p, argTypes[i]!, trial))) continue;
      matched.push(o);
      const r = resolve(f.result, trial);
      if (!result) { result = r; matchedSubst = trial; } else { result = join(result, r, trial); matchedSubst = undefined; }
    }
    if (!result) {
      const shown = argTypes.map((t) => finalize(t, this.subst));
      return this.error(e, `found no matching overload for '${c.function === name ? name : name}' applied to '${formatCallArgs(member, shown)}'`);
    }
    if (matchedSubst) for (const [k, v] of matchedSubst) this.subst.set(k, v);
    this.overloads.set(e.id, matched);
    return result;
  }

  private comprehension(e: Expr): CelT {
    const c = e.exprKind.value as {
      iterVar: string; iterVar2: string; iterRange?: Expr; accuVar: string; accuInit?: Expr;
      loopCondition?: Expr; loopStep?: Expr; result?: Expr;
    };
    const range = resolve(this.check(c.iterRange!), this.subst);
    let v1: CelT = T.dyn;
    let v2: CelT | undefined;
    switch (range.kind) {
      case 'list': v1 = c.iterVar2 ? T.int : range.elem; v2 = c.iterVar2 ? range.elem : undefined; break;
      case 'map': v1 = range.key; v2 = c.iterVar2 ? range.value : undefined; break;
      case 'dyn': case 'error': case 'param': v1 = T.dyn; v2 = c.iterVar2 ? T.dyn : undefined; break;
      default:
        this.error(c.iterRange!, `expression of type '${typeString(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
    }
    const accu = this.check(c.accuInit!);
    this.scopes.push(new Map([[c.accuVar, accu]]));
    const iter = new Map<string, CelT>([[c.iterVar, v1]]);
    if (c.iterVar2 && v2) iter.set(c.iterVar2, v2);
    this.scopes.push(iter);
    const cond = this.check(c.loopCondition!);
    if (!assignable(T.bool, cond, this.subst)) this.error(c.loopCondition!, `expected type 'bool' but found '${typeString(cond)}'`);
    const step = this.check(c.loopStep!);
    if (!assignable(accu, step, this.subst)) {
      this.error(c.loopStep!, `expected type '${typeString(resolve(accu, this.subst))}' but found '${typeString(resolve(step, this.subst))}'`);
    }
    this.scopes.pop();
    const result = this.check(c.result!);
    this.scopes.pop();
    return result;
  }

  finish(root: Expr): Checked {
    const output = this.types.get(root.id) ?? T.dyn;
    for (const [id, t] of this.types) this.types.set(id, finalize(t, this.subst));
    return { types: this.types, overloads: this.overloads, references: this.references, issues: this.issues, output: finalize(output, this.subst) };
  }
}

export function checkExpr(expr: Expr, vars: ReadonlyMap<string, CelT>, opts: CheckOptions = {}): Checked {
  const c = new Checker(vars, opts);
  c.check(expr);
  return c.finish(expr);
}
