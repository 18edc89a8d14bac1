/**
 * Comparisons (eq, ne, lt, le, gt, ge and their aliases), value tests (isnan, isinf, isfinite,
 * isposinf, isneginf, signbit) and closeness (isclose, allclose, equal). Comparisons promote both
 * operands to a common dtype first and return bool; their `_` forms write 0/1 into self's dtype.
 */
import { getDefaultDtype, isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { shapeEqual } from '../../shape.js';
import { Tensor, hostTensor } from '../../tensor.js';
import type { TensorOrScalar } from '../../tensor.js';
import { toCopyOp } from '../copy.js';
import { abs, add, mul, sub } from './arithmetic.js';
import { defineBinary, defineUnary } from './define.js';
import { logicalAnd } from './logical.js';
import { aliasMethods } from './support.js';

export const eq = defineBinary('eq', { fn: ((x: number, y: number) => (x === y ? 1 : 0)) as never, rule: 'bool' });
export const ne = defineBinary('ne', { fn: ((x: number, y: number) => (x !== y ? 1 : 0)) as never, rule: 'bool' });
export const lt = defineBinary('lt', { fn: ((x: number, y: number) => (x < y ? 1 : 0)) as never, rule: 'bool' });
export const le = defineBinary('le', { fn: ((x: number, y: number) => (x <= y ? 1 : 0)) as never, rule: 'bool' });
export const gt = defineBinary('gt', { fn: ((x: number, y: number) => (x > y ? 1 : 0)) as never, rule: 'bool' });
export const ge = defineBinary('ge', { fn: ((x: number, y: number) => (x >= y ? 1 : 0)) as never, rule: 'bool' });

export const notEqual = ne;
export const less = lt;
export const lessEqual = le;
export const greater = gt;
export const greaterEqual = ge;
for (const [alias, target] of [['notEqual', 'ne'], ['less', 'lt'], ['lessEqual', 'le'], ['greater', 'gt'], ['greaterEqual', 'ge']] as const) {
  aliasMethods(alias, target);
}

const test = (name: string, fn: (x: number) => boolean) =>
  defineUnary(name, { fn: ((x: number) => (fn(x) ? 1 : 0)) as never, rule: 'bool', noInplace: true });

export const isnan = test('isnan', (x) => x !== x);
export const isinf = test('isinf', (x) => x === Infinity || x === -Infinity);
// x - x is 0 exactly for finite x, NaN for infinities and NaN.
export const isfinite = test('isfinite', (x) => x - x === 0);
export const isposinf = test('isposinf', (x) => x === Infinity);
export const isneginf = test('isneginf', (x) => x === -Infinity);
/** Whether the sign bit is set (true for -0). */
export const signbit = test('signbit', (x) => x < 0 || (x === 0 && 1 / x < 0));

export interface IscloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

function iscloseOptions(rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean): Required<IscloseOptions> {
  const o: IscloseOptions = typeof rtol === 'object' && rtol !== null ? rtol : { rtol, atol, equalNan };
  return { rtol: o.rtol ?? 1e-5, atol: o.atol ?? 1e-8, equalNan: o.equalNan ?? false };
}

/**
 * |input - other| <= atol + rtol * |other|, elementwise (plus equal infinities, and NaN == NaN
 * with equalNan). Computed as PyTorch does, in the inputs' dtype, so float32 rounding matches.
 */
export function isclose(input: Tensor, other: Tensor, rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`isclose(): argument 'input' must be Tensor, not ${typeof input}`);
  if (!(other instanceof Tensor)) throw new TypeError(`isclose(): argument 'other' must be Tensor, not ${typeof other}`);
  const o = iscloseOptions(rtol, atol, equalNan);
  if (input._dtype !== other._dtype) throw new RuntimeError(`${scalarTypeName(input._dtype)} did not match ${scalarTypeName(other._dtype)}`);
  if (o.rtol < 0) throw new RuntimeError(`rtol must be greater than or equal to zero, but got ${o.rtol}`);
  if (o.atol < 0) throw new RuntimeError(`atol must be greater than or equal to zero, but got ${o.atol}`);
  const close = eq(input, other);
  const temps: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => (temps.push(t), t);
  try {
    if (o.equalNan && isFloatingPoint(input._dtype)) {
      close.logicalOr_(keep(logicalAnd(keep(isnan(input)), keep(isnan(other)))));
    }
    if (o.rtol === 0 && o.atol === 0) return close;
    // Integer and bool inputs measure their errors in the default float dtype (no wrap-around).
    const float = isFloatingPoint(input._dtype);
    const a = float ? input : keep(toCopyOp.call(input, getDefaultDtype(), input.device));
    const b = float ? other : keep(toCopyOp.call(other, getDefaultDtype(), other.device));
    const allowed = keep(add(keep(abs(keep(mul(b, o.rtol)))), o.atol));
    const actual = keep(abs(keep(sub(a, b))));
    const within = keep(isfinite(actual)).logicalAnd_(keep(le(actual, allowed)));
    close.logicalOr_(within);
    return close;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** Whether every element of a bool tensor is true. */
function allTrue(t: Tensor): boolean {
  const h = hostTensor(t.isContiguous() ? t : t.contiguous());
  const arr = h._storage.host('bool');
  const n = h.numel();
  let ok = true;
  for (let i = 0; i < n && ok; i++) ok = arr[h._offset + i] !== 0;
  if (h !== t) h.dispose();
  return ok;
}

/** Whether isclose holds everywhere (a JS boolean). */
export function allclose(input: Tensor, other: Tensor, rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean): boolean {
  const close = isclose(input, other, rtol, atol, equalNan);
  try {
    return allTrue(close);
  } finally {
    close.dispose();
  }
}

/** Same shape and equal values (after promotion; NaN is never equal). A JS boolean. */
export function equal(input: Tensor, other: Tensor): boolean {
  if (!(input instanceof Tensor) || !(other instanceof Tensor)) throw new TypeError('equal(): arguments must be Tensors');
  if (!shapeEqual(input._shape, other._shape)) return false;
  const same = eq(input, other);
  try {
    return allTrue(same);
  } finally {
    same.dispose();
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.isclose = function (this: Tensor, other: Tensor, rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean) {
  return isclose(this, other, rtol, atol, equalNan);
};
proto.allclose = function (this: Tensor, other: Tensor, rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean) {
  return allclose(this, other, rtol, atol, equalNan);
};
proto.equal = function (this: Tensor, other: Tensor) {
  return equal(this, other);
};

declare module '../../tensor.js' {
  interface Tensor {
    eq(other: TensorOrScalar): Tensor; eq_(other: TensorOrScalar): this;
    ne(other: TensorOrScalar): Tensor; ne_(other: TensorOrScalar): this;
    lt(other: TensorOrScalar): Tensor; lt_(other: TensorOrScalar): this;
    le(other: TensorOrScalar): Tensor; le_(other: TensorOrScalar): this;
    gt(other: TensorOrScalar): Tensor; gt_(other: TensorOrScalar): this;
    ge(other: TensorOrScalar): Tensor; ge_(other: TensorOrScalar): this;
    notEqual(other: TensorOrScalar): Tensor; notEqual_(other: TensorOrScalar): this;
    less(other: TensorOrScalar): Tensor; less_(other: TensorOrScalar): this;
    lessEqual(other: TensorOrScalar): Tensor; lessEqual_(other: TensorOrScalar): this;
    greater(other: TensorOrScalar): Tensor; greater_(other: TensorOrScalar): this;
    greaterEqual(other: TensorOrScalar): Tensor; greaterEqual_(other: TensorOrScalar): this;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    isposinf(): Tensor;
    isneginf(): Tensor;
    signbit(): Tensor;
    isclose(other: Tensor, rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean): Tensor;
    allclose(other: Tensor, rtol?: number | IscloseOptions, atol?: number, equalNan?: boolean): boolean;
    equal(other: Tensor): boolean;
  }
}
