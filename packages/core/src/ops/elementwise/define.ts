/**
 * Builders for elementwise ops. One call defines an op completely: its functional form, its
 * method, its in-place `_` form, its dtype rule and its scalar math (`fn`, and `intFn` where
 * integers differ). Backends supply one kernel per family ('unary', 'binary', 'ternary') that
 * applies the op's scalar math over strided, broadcast operands; a backend may also register a
 * specialised kernel for any single op.
 *
 * Kernel signatures (out is preallocated with the broadcast shape and the result dtype):
 *   unary   (out, a, computeDtype, params)
 *   binary  (out, a | number, b | number, computeDtype, params)
 *   ternary (out, a | number, b | number, c | number, computeDtype, params)
 */
import type { DType } from '../../dtype.js';
import { category, isFloatingPoint, toFloating } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { canCast, resultType, scalarTypeName } from '../../promotion.js';
import { broadcastShapes, fmtShape, shapeEqual } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import type { Scalar, TensorOrScalar } from '../../tensor.js';

export type ScalarFn = (x: number, params: never) => number;
export type ScalarFn2 = (x: number, y: number, params: never) => number;
export type ScalarFn3 = (x: number, y: number, z: number, params: never) => number;

/**
 * How the result dtype follows from the promoted input dtype:
 * - 'same': keeps it (add, abs); 'float': integral inputs compute in the default float dtype
 *   (sqrt, div); 'bool': computes in the promoted dtype, returns bool (eq, isnan, logical_and).
 */
export type DtypeRule = 'same' | 'float' | 'bool';

export interface ElementwiseSpec {
  /** Float (and default) scalar math. */
  fn: (...args: never[]) => number;
  /** Integer scalar math, where it differs from `fn` (wrap-around, floor division...). */
  intFn?: (...args: never[]) => number;
  rule?: DtypeRule | ((params: never) => DtypeRule);
  /** dtypes the op rejects, with PyTorch's `"op_cpu" not implemented for 'Bool'` error. */
  rejects?: readonly DType[];
  /** Extra validation (custom PyTorch errors), given the promoted dtype and the operands. */
  validate?: (dtype: DType, operands: readonly TensorOrScalar[]) => void;
  /**
   * Parses trailing options into the params object passed to fn and the kernel. `dtype` is the
   * promoted input dtype, for math that depends on it (int64 bit patterns, float32 rounding).
   */
  params?: (opts: Record<string, unknown> | undefined, dtype: DType) => unknown;
  /** No `_` method (e.g. isnan). */
  noInplace?: boolean;
  /**
   * Unary ops: option names PyTorch also takes positionally after the input, in order
   * (`torch.logit(x, 1e-6)` is `torch.logit(x, { eps: 1e-6 })`). At most three.
   */
  positional?: readonly string[];
}

export function asOptions(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x)
    ? (x as Record<string, unknown>)
    : undefined;
}

/** The operands' common device; 0-d CPU tensors may mix with any device, as in PyTorch. */
export function deviceOf(operands: readonly unknown[]): string {
  let device: string | null = null;
  for (const o of operands) {
    if (!(o instanceof Tensor)) continue;
    const d = o.device;
    if (o._shape.length === 0 && d === 'cpu') continue;
    if (device === null) device = d;
    else if (d !== device) {
      throw new RuntimeError(`Expected all tensors to be on the same device, but found at least two devices, ${device} and ${d}!`);
    }
  }
  return device ?? 'cpu';
}

function resultDtypes(spec: ElementwiseSpec, name: string, promoted: DType, params: unknown, operands: readonly TensorOrScalar[]): { out: DType; compute: DType } {
  if (spec.rejects?.includes(promoted)) {
    throw new RuntimeError(`"${name}_cpu" not implemented for '${scalarTypeName(promoted)}'`);
  }
  spec.validate?.(promoted, operands);
  const rule = typeof spec.rule === 'function' ? spec.rule(params as never) : spec.rule ?? 'same';
  if (rule === 'float') {
    const f = toFloating(promoted);
    return { out: f, compute: f };
  }
  if (rule === 'bool') return { out: 'bool', compute: promoted };
  return { out: promoted, compute: promoted };
}

function checkInplace(name: string, self: Tensor, shape: readonly number[], out: DType): void {
  if (!canCast(out, self._dtype)) {
    throw new RuntimeError(`result type ${scalarTypeName(out)} can't be cast to the desired output type ${scalarTypeName(self._dtype)}`);
  }
  if (!shapeEqual(shape, self._shape)) {
    throw new RuntimeError(`output with shape ${fmtShape(self._shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  void name;
}

function shapeOf(o: TensorOrScalar): readonly number[] {
  return o instanceof Tensor ? o._shape : [];
}

function requireTensor(name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${name}(): argument 'input' must be Tensor, not ${typeof x}`);
  return x;
}

function operand(name: string, x: unknown, what: string): TensorOrScalar {
  if (x instanceof Tensor || typeof x === 'number' || typeof x === 'boolean') return x;
  throw new TypeError(`${name}(): argument '${what}' must be Tensor or Number, not ${x === null ? 'null' : Array.isArray(x) ? 'Array' : typeof x}`);
}

/** Methods take at most three arguments after `self` (fixed arity: no rest arrays on the hot path). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MethodImpl = (self: Tensor, a?: any, b?: any, c?: any) => unknown;
function installMethod(name: string, fn: MethodImpl): void {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor, a?: unknown, b?: unknown, c?: unknown) {
    return fn(this, a, b, c);
  };
}

/** Positional options (see `positional`) gathered into one options object; an object passes through. */
function gatherOptions(names: readonly string[], a: unknown, b: unknown, c: unknown): Record<string, unknown> | undefined {
  if (a === undefined || asOptions(a)) return a as Record<string, unknown> | undefined;
  const values = [a, b, c];
  const opts: Record<string, unknown> = {};
  for (let i = 0; i < names.length && i < 3; i++) {
    const v = values[i];
    const o = asOptions(v);
    if (o) return Object.assign(opts, o);
    if (v !== undefined) opts[names[i]!] = v;
  }
  return opts;
}

/** Frees a fresh output whose kernel threw (e.g. integer ZeroDivisionError), then rethrows. */
function discard(result: Tensor, error: unknown): never {
  result.dispose();
  throw error;
}

export type UnaryFn = (input: Tensor, opts?: Record<string, unknown>) => Tensor;

export function defineUnary(name: string, spec: ElementwiseSpec): UnaryFn {
  const info = { family: 'unary', fn: spec.fn, intFn: spec.intFn ?? spec.fn, rule: spec.rule };
  const names = spec.positional;
  const op = defineOp(name, (input: Tensor, opts?: Record<string, unknown>): Tensor => {
    const a = requireTensor(name, input);
    const params = spec.params ? spec.params(asOptions(opts), a._dtype) : undefined;
    const { out, compute } = resultDtypes(spec, name, a._dtype, params, [a]);
    const result = emptyTensor([...a._shape], out, a.device);
    try {
      op.kernel(a.device)(result, a, compute, params);
    } catch (e) {
      discard(result, e);
    }
    return result;
  }, info);
  if (!spec.noInplace) {
    const ip = defineOp(`${name}_`, (self: Tensor, opts?: Record<string, unknown>): Tensor => {
      const params = spec.params ? spec.params(asOptions(opts), self._dtype) : undefined;
      const { out, compute } = resultDtypes(spec, name, self._dtype, params, [self]);
      checkInplace(name, self, self._shape, out);
      op.kernel(self.device)(self, self, compute, params);
      self._bumpVersion();
      return self;
    }, { inplace: true, base: name });
    installMethod(`${name}_`, names ? (self, a, b, c) => ip.call(self, gatherOptions(names, a, b, c)) : (self, opts) => ip.call(self, opts));
  }
  installMethod(name, names ? (self, a, b, c) => op.call(self, gatherOptions(names, a, b, c)) : (self, opts) => op.call(self, opts));
  if (names) return ((input: Tensor, a?: unknown, b?: unknown, c?: unknown) => op.call(input, gatherOptions(names, a, b, c))) as UnaryFn;
  return op.call as UnaryFn;
}

export type BinaryFn = (input: TensorOrScalar, other: TensorOrScalar, opts?: Record<string, unknown>) => Tensor;

export function defineBinary(name: string, spec: ElementwiseSpec): BinaryFn {
  const info = { family: 'binary', fn: spec.fn, intFn: spec.intFn ?? spec.fn, rule: spec.rule };
  const op = defineOp(name, (input: TensorOrScalar, other: TensorOrScalar, opts?: Record<string, unknown>): Tensor => {
    const a = operand(name, input, 'input');
    const b = operand(name, other, 'other');
    if (!(a instanceof Tensor) && !(b instanceof Tensor)) requireTensor(name, a);
    const promoted = resultType(a, b);
    const params = spec.params ? spec.params(asOptions(opts), promoted) : undefined;
    const { out, compute } = resultDtypes(spec, name, promoted, params, [a, b]);
    const device = deviceOf([a, b]);
    const shape = broadcastShapes(shapeOf(a), shapeOf(b));
    const result = emptyTensor(shape === shapeOf(a) ? [...shape] : shape, out, device);
    try {
      op.kernel(device)(result, a, b, compute, params);
    } catch (e) {
      discard(result, e);
    }
    return result;
  }, info);
  if (!spec.noInplace) {
    const ip = defineOp(`${name}_`, (self: Tensor, other: TensorOrScalar, opts?: Record<string, unknown>): Tensor => {
      const b = operand(name, other, 'other');
      const promoted = resultType(self, b);
      const params = spec.params ? spec.params(asOptions(opts), promoted) : undefined;
      const { out, compute } = resultDtypes(spec, name, promoted, params, [self, b]);
      checkInplace(name, self, broadcastShapes(self._shape, shapeOf(b)), out);
      op.kernel(deviceOf([self, b]))(self, self, b, compute, params);
      self._bumpVersion();
      return self;
    }, { inplace: true, base: name });
    installMethod(`${name}_`, (self, other, opts) => ip.call(self, other, opts));
  }
  installMethod(name, (self, other, opts) => op.call(self, other, opts));
  return op.call as BinaryFn;
}

export type TernaryFn = (a: TensorOrScalar, b: TensorOrScalar, c: TensorOrScalar, opts?: Record<string, unknown>) => Tensor;

/**
 * Ternary elementwise (lerp, where, addcmul...). `dtypeOf` picks which operands take part in
 * type promotion (where: not the condition).
 */
export function defineTernary(
  name: string,
  spec: ElementwiseSpec & { promoteOperands?: readonly number[]; method?: boolean; inplace?: boolean },
): TernaryFn {
  const info = { family: 'ternary', fn: spec.fn, intFn: spec.intFn ?? spec.fn, rule: spec.rule };
  const promoteIdx = spec.promoteOperands ?? [0, 1, 2];
  const run = (target: Tensor | null, x: unknown, y: unknown, z: unknown, opts?: Record<string, unknown>): Tensor => {
    const ops = [operand(name, x, 'input'), operand(name, y, 'other'), operand(name, z, 'other')] as TensorOrScalar[];
    if (!ops.some((o) => o instanceof Tensor)) throw new TypeError(`${name}(): expected at least one Tensor argument`);
    const promoted = resultType(...promoteIdx.map((i) => ops[i]!));
    const params = spec.params ? spec.params(asOptions(opts), promoted) : undefined;
    const { out, compute } = resultDtypes(spec, name, promoted, params, ops);
    const device = deviceOf(ops);
    const shape = broadcastShapes(broadcastShapes(shapeOf(ops[0]!), shapeOf(ops[1]!)), shapeOf(ops[2]!));
    let result: Tensor;
    if (target) {
      checkInplace(name, target, shape, out);
      result = target;
    } else result = emptyTensor(shape, out, device);
    try {
      op.kernel(device)(result, ops[0], ops[1], ops[2], compute, params);
    } catch (e) {
      if (!target) discard(result, e);
      throw e;
    }
    if (target) target._bumpVersion();
    return result;
  };
  const op = defineOp(name, (a: unknown, b: unknown, c: unknown, opts?: Record<string, unknown>) => run(null, a, b, c, opts), info);
  if (spec.method !== false) installMethod(name, (self, b, c, opts) => op.call(self, b, c, opts));
  if (spec.inplace) {
    const ip = defineOp(`${name}_`, (self: Tensor, b: unknown, c: unknown, opts?: Record<string, unknown>) => run(self, self, b, c, opts), { inplace: true, base: name });
    installMethod(`${name}_`, (self, b, c, opts) => ip.call(self, b, c, opts));
  }
  return op.call as TernaryFn;
}

export function isFloatDtype(d: DType): boolean {
  return isFloatingPoint(d);
}
export function isIntegerCategory(d: DType): boolean {
  return category(d) === 1;
}
export type { Scalar };
