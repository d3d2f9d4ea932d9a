// Runtime values of kube's opaque CEL types (Quantity, URL, IP, CIDR, Semver, NamedFormat) and of
import { celFunc, celMethod } from '@bufbuild/cel';
import type { CelFunc, CelType } from '@bufbuild/cel';
// optional_type. @bufbuild/cel passes through as-is any object that carries its CelType marker, so
// these classes carry it; the checker has already proved every call on them well-typed, and the
// methods (declared with a dyn receiver) dispatch on the class.

const celTypeMarker = Symbol.for('@bufbuild/cel/type');

export abstract class Opaque {
  readonly [celTypeMarker] = {};
  abstract readonly typeName: string;
}

export class OptionalValue extends Opaque {
  override readonly typeName = 'optional_type';
  constructor(readonly present: boolean, readonly value?: unknown) { super(); }
  static none = new OptionalValue(false);
}

export function expect<C extends abstract new (...a: never[]) => unknown>(v: unknown, cls: C, fn: string): InstanceType<C> {
  if (!(v instanceof cls)) throw new Error(`no such overload: ${fn}`);
  return v as InstanceType<C>;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Impl = (this: any, ...args: any[]) => unknown;

/** celFunc / celMethod for implementations returning library values (opaque, optional). */
export const fn = (name: string, args: CelType[], result: CelType, impl: Impl): CelFunc => celFunc(name, args, result, impl as never);
export const method = (name: string, target: CelType, args: CelType[], result: CelType, impl: Impl): CelFunc =>
  celMethod(name, target, args, result, impl as never);
