// The patch types of MutatingAdmissionPolicy expressions (k8s.io/apiserver/pkg/cel/mutation):
// `Object{...}`, `Object.<field>...{...}` (kube's DynamicTypeResolver: any field, every field dyn)
// and `JSONPatch{op, path, from, value}`, plus `jsonpatch.escapeKey`. The checker types them where
// an expression may use patch types (compile option patchTypes); at runtime a struct literal is a
// call of STRUCT_FN (rewriteStructs), which builds these values. celToJSON turns what an
// expression returns into JSON, as kube converts CEL values to unstructured objects.

import { create } from '@bufbuild/protobuf';
import { ExprSchema, Expr_CallSchema, type Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { CelScalar, isCelList, isCelMap, isCelUint } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { fn } from './opaque.js';
import { Opaque } from './opaque.js';
import { KubeList } from './equality.js';
import type { CelT } from '../types.js';
import { T } from '../types.js';

const { DYN, STRING } = CelScalar;

export const STRUCT_FN = '@kplane_struct';
export const OBJECT_TYPE = 'Object';
export const JSON_PATCH_TYPE = 'JSONPatch';

/** Object types have any field, each dyn. */
class AnyFields extends Map<string, CelT> {
  override get(): CelT { return T.dyn; }
  override has(): boolean { return true; }
}
const ANY_FIELDS: ReadonlyMap<string, CelT> = new AnyFields();

/** The CEL type of a struct literal's name where patch types are declared, or undefined. */
export function patchStructType(name: string): (CelT & { kind: 'object' }) | undefined {
  if (name === JSON_PATCH_TYPE) return JSON_PATCH;
  if (name === OBJECT_TYPE || name.startsWith(`${OBJECT_TYPE}.`)) return { kind: 'object', name, fields: ANY_FIELDS };
  return undefined;
}

export const JSON_PATCH: CelT & { kind: 'object' } = {
  kind: 'object', name: JSON_PATCH_TYPE,
  fields: new Map<string, CelT>([['op', T.string], ['path', T.string], ['from', T.string], ['value', T.dyn]]),
};

/** The object an Object{...} literal builds (dynamic.ObjectVal). */
export class ObjectValue extends Opaque {
  override readonly typeName: string;
  constructor(name: string, readonly fields: Map<string, unknown>) {
    super();
    this.typeName = name;
  }
}

/** A JSONPatch{...} operation (mutation.JSONPatchVal). */
export class JSONPatchValue extends Opaque {
  override readonly typeName = JSON_PATCH_TYPE;
  op = '';
  path = '';
  from = '';
  value: unknown = undefined;
}

/** Go's %T of a CEL value as kube's errors print it. */
function goTypeOf(v: unknown): string {
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'structpb.NullValue';
  if (v instanceof Uint8Array) return '[]uint8';
  if (isCelUint(v)) return 'uint64';
  if (isCelList(v) || Array.isArray(v)) return '[]ref.Val';
  if (isCelMap(v) || v instanceof Map) return 'map[ref.Val]ref.Val';
  return 'string';
}

function jsonPatchOf(fields: Map<string, unknown>): JSONPatchValue {
  const p = new JSONPatchValue();
  for (const [name, value] of fields) {
    switch (name) {
      case 'op': case 'path': case 'from':
        if (typeof value !== 'string') throw new Error(`unexpected type ${goTypeOf(value)} for JSONPatchType '${name}' field`);
        p[name] = value;
        break;
      case 'value':
        p.value = value;
        break;
      default:
        throw new Error(`unexpected JSONPatchType field: ${name}`);
    }
  }
  return p;
}

export const mutationFuncs: CelFunc[] = [
  fn(STRUCT_FN, [STRING, DYN], DYN, (name: string, fields: unknown) => {
    const m = new Map<string, unknown>();
    if (isCelMap(fields)) for (const [k, v] of fields) m.set(String(k), v);
    return name === JSON_PATCH_TYPE ? jsonPatchOf(m) : new ObjectValue(name, m);
  }),
  fn('jsonpatch.escapeKey', [STRING], STRING, (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1')),
];

/** Struct literals as STRUCT_FN calls of their name and a map of their fields (for the planner). */
export function rewriteStructs(e: Expr | undefined): void {
  if (!e) return;
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr': rewriteStructs(k.value.operand); return;
    case 'callExpr': rewriteStructs(k.value.target); k.value.args.forEach(rewriteStructs); return;
    case 'listExpr': k.value.elements.forEach(rewriteStructs); return;
    case 'comprehensionExpr': {
      const c = k.value;
      [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].forEach(rewriteStructs);
      return;
    }
    case 'structExpr': {
      k.value.entries.forEach((en) => { rewriteStructs(en.value); if (en.keyKind.case === 'mapKey') rewriteStructs(en.keyKind.value); });
      const name = k.value.messageName;
      if (!name) return;
      const str = (s: string) => create(ExprSchema, { exprKind: { case: 'constExpr', value: { constantKind: { case: 'stringValue', value: s } } } });
      const map = create(ExprSchema, {
        id: e.id,
        exprKind: {
          case: 'structExpr',
          value: {
            messageName: '',
            entries: k.value.entries.map((en) => ({
              id: en.id,
              keyKind: { case: 'mapKey' as const, value: en.keyKind.case === 'fieldKey' ? str(en.keyKind.value) : en.keyKind.value! },
              value: en.value,
            })),
          },
        },
      });
      e.exprKind = { case: 'callExpr', value: create(Expr_CallSchema, { function: STRUCT_FN, args: [str(name), map] }) };
    }
  }
}

/** Timestamp / Duration messages (google.protobuf) as the strings their JSON forms are. */
function wellKnown(v: { $typeName?: string; seconds?: bigint; nanos?: number }): string | undefined {
  if (v.$typeName === 'google.protobuf.Timestamp') {
    const ms = Number(v.seconds ?? 0n) * 1000 + Math.floor((v.nanos ?? 0) / 1e6);
    const iso = new Date(ms).toISOString();
    return v.nanos ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
  }
  if (v.$typeName === 'google.protobuf.Duration') {
    const ns = (v.seconds ?? 0n) * 1000000000n + BigInt(v.nanos ?? 0);
    return goDuration(ns);
  }
  return undefined;
}

/** Go's time.Duration.String(). */
function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1000000000n) {
    const units: [bigint, string][] = [[1000000n, 'ms'], [1000n, 'µs'], [1n, 'ns']];
    const [d, name] = units.find(([d]) => u >= d)!;
    const whole = u / d;
    const frac = (u % d).toString().padStart(String(d).length - 1, '0').replace(/0+$/, '');
    out = `${whole}${frac ? `.${frac}` : ''}${name}`;
  } else {
    const h = u / 3600000000000n;
    u %= 3600000000000n;
    const m = u / 60000000000n;
    u %= 60000000000n;
    const s = u / 1000000000n;
    const frac = (u % 1000000000n).toString().padStart(9, '0').replace(/0+$/, '');
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}${frac ? `.${frac}` : ''}s`;
  }
  return neg ? `-${out}` : out;
}

export class ConversionError extends Error {}

/** A CEL value as JSON (kube's conversion of CEL values to unstructured); throws ConversionError. */
export function celToJSON(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ConversionError(`unsupported value: ${v}`);
    return v;
  }
  if (isCelUint(v)) return Number(v.value);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof ObjectValue) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v.fields) out[k] = celToJSON(x);
    return out;
  }
  if (v instanceof KubeList) return [...(v as unknown as Iterable<unknown>)].map(celToJSON);
  if (Array.isArray(v) || isCelList(v)) return [...(v as Iterable<unknown>)].map(celToJSON);
  if (isCelMap(v) || v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v as Map<unknown, unknown>) {
      if (typeof k !== 'string') throw new ConversionError(`map key ${typeof k === 'bigint' ? String(k) : JSON.stringify(k)} is of type ${goTypeOf(k)}, not string`);
      out[k] = celToJSON(x);
    }
    return out;
  }
  // (timestamps and durations are reflected protobuf messages)
  const msg = v && typeof v === 'object' ? ((v as { message?: unknown }).message ?? v) : undefined;
  const wk = msg && typeof msg === 'object' ? wellKnown(msg as never) : undefined;
  if (wk !== undefined) return wk;
  throw new ConversionError(`unsupported type: ${(v as Opaque)?.typeName ?? typeof v}`);
}

/**
 * ObjectVal.CheckTypeNamesMatchFieldPathNames: an Object literal under a field must be named by
 * the field path from the root Object type ("Object.spec.selector"); maps and lists in between
 * are unnamed. Returns kube's error texts.
 */
export function typeNameMismatches(v: unknown, path: string[]): string[] {
  const errs: string[] = [];
  if (v instanceof ObjectValue) {
    const want = path.join('.');
    if (v.typeName !== want) errs.push(`unexpected type name "${v.typeName}", expected "${want}", which matches field name path from root Object type`);
    for (const [k, f] of v.fields) errs.push(...typeNameMismatches(f, [...path, k]));
    return errs;
  }
  if (Array.isArray(v) || isCelList(v) || v instanceof KubeList) for (const x of v as Iterable<unknown>) errs.push(...typeNameMismatches(x, path));
  else if (isCelMap(v) || v instanceof Map) for (const x of (v as Map<unknown, unknown>).values()) errs.push(...typeNameMismatches(x, path));
  return errs;
}
