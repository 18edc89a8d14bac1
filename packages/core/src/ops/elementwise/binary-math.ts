/**
 * Binary math: pow/floatPower, atan2, hypot, fmod/remainder, minimum/maximum, fmin/fmax,
 * copysign, xlogy, logaddexp/logaddexp2. Integer pow, fmod and remainder stay integral and
 * follow PyTorch's integer semantics (wrap-around, Python-style remainder, ZeroDivisionError).
 */
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import type { TensorOrScalar } from '../../tensor.js';
import { toCopyOp } from '../copy.js';
import { defineBinary } from './define.js';
import { checkScalarFits, isBool, notFloat, rejectWith } from './support.js';

const TWO53 = 2 ** 53;

/**
 * Float pow as PyTorch: C's pow where it differs from Math.pow (pow(1, y) = 1 and pow(-1, +-inf)
 * = 1; JS gives NaN), and exponents +-0.5 as (r)sqrt, as PyTorch's scalar-exponent kernel does
 * (so (-inf)^0.5 is NaN and (-0)^-0.5 is -inf).
 */
function powFloat(x: number, y: number): number {
  if (y === 2) return x * x;
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

interface PowParams {
  /** int64 results past 2^53 wrap at 64 bits (else at 32: the low word is exact for narrower dtypes). */
  int64: boolean;
}

/** base^exp wrapped to 64 bits, for int64 results beyond float64's exact range. */
function powInt64(base: number, exp: number): number {
  let r = 1n;
  let b = BigInt(base);
  let e = exp;
  while (e > 0) {
    if (e % 2 === 1) r = BigInt.asIntN(64, r * b);
    e = Math.floor(e / 2);
    if (e > 0) b = BigInt.asIntN(64, b * b);
  }
  return Number(r);
}

/** base^exp modulo 2^32 (as int32): exact low bits for int32 and narrower dtypes. */
function powInt32(base: number, exp: number): number {
  let r = 1;
  let b = base | 0;
  let e = exp;
  while (e > 0) {
    if (e % 2 === 1) r = Math.imul(r, b);
    e = Math.floor(e / 2);
    if (e > 0) b = Math.imul(b, b);
  }
  return r;
}

/** Integer pow as PyTorch's powi: negative exponents give 0 except for bases 1 and -1. */
function powInt(x: number, y: number, p: PowParams): number {
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
  let r = 1;
  let b = x;
  let e = y;
  while (e > 0) {
    if (e % 2 === 1) r *= b;
    e = Math.floor(e / 2);
    if (e > 0) b *= b;
    if (Math.abs(r) > TWO53 || Math.abs(b) > TWO53) return p.int64 ? powInt64(x, y) : powInt32(x, y);
  }
  return r;
}

const POW_INT64: PowParams = { int64: true };
const POW_NARROW: PowParams = { int64: false };

export const pow = defineBinary('pow', {
  fn: powFloat as never,
  intFn: powInt as never,
  params: (_o, d) => (d === 'int64' ? POW_INT64 : POW_NARROW),
  validate: (d, operands) => {
    if (d === 'bool') throw new RuntimeError(`"pow" not implemented for 'Bool'`);
    const e = operands[1];
    if (!isFloatingPoint(d) && typeof e === 'number' && Number.isInteger(e) && e < 0) {
      throw new RuntimeError('Integers to negative integer powers are not allowed.');
    }
    if (!isFloatingPoint(d) && operands[0] instanceof Tensor) checkScalarFits(e, d);
  },
});

/** x * x, as pow(x, 2) (so bool squares to int64, as in PyTorch). */
export function square(input: Tensor): Tensor {
  return pow(input, 2);
}

/** pow in float64 (PyTorch's float_power): both operands are converted first. */
export function floatPower(input: TensorOrScalar, exponent: TensorOrScalar): Tensor {
  const a = input instanceof Tensor ? toFloat64(input) : input;
  const b = exponent instanceof Tensor ? toFloat64(exponent) : exponent;
  try {
    return pow(a, b);
  } finally {
    if (a !== input) (a as Tensor).dispose();
    if (b !== exponent) (b as Tensor).dispose();
  }
}

function toFloat64(t: Tensor): Tensor {
  return t._dtype === 'float64' ? t : toCopyOp.call(t, 'float64', t.device);
}

function floatPowerInplace(self: Tensor, exponent: TensorOrScalar): Tensor {
  if (self._dtype !== 'float64') {
    throw new RuntimeError(`the base given to float_power_ has dtype ${scalarTypeName(self._dtype)} but the operation's result requires dtype Double`);
  }
  const b = exponent instanceof Tensor ? toFloat64(exponent) : exponent;
  try {
    return self.pow_(b);
  } finally {
    if (b !== exponent) (b as Tensor).dispose();
  }
}

export const atan2 = defineBinary('atan2', { fn: Math.atan2 as never, rule: 'float' });
export const arctan2 = atan2;

export const hypot = defineBinary('hypot', {
  fn: ((x: number, y: number) => Math.hypot(x, y)) as never,
  validate: rejectWith('hypot_cpu', notFloat),
});

function zeroDivision(): never {
  throw new RuntimeError('ZeroDivisionError');
}

/** C's fmod: the result has the dividend's sign. */
export const fmod = defineBinary('fmod', {
  fn: ((x: number, y: number) => x % y) as never,
  intFn: ((x: number, y: number) => (y === 0 ? zeroDivision() : x % y)) as never,
  validate: rejectWith('fmod_cpu', isBool),
});

/** Python's modulo: the result has the divisor's sign. */
export const remainder = defineBinary('remainder', {
  fn: ((x: number, y: number) => {
    const m = x % y;
    return m !== 0 && y < 0 !== m < 0 ? m + y : m;
  }) as never,
  intFn: ((x: number, y: number) => {
    if (y === 0) zeroDivision();
    const m = x % y;
    return m !== 0 && y < 0 !== m < 0 ? m + y : m;
  }) as never,
  validate: rejectWith('remainder_cpu', isBool),
});

/** Elementwise minimum/maximum, propagating NaN. */
export const minimum = defineBinary('minimum', { fn: ((x: number, y: number) => Math.min(x, y)) as never, noInplace: true });
export const maximum = defineBinary('maximum', { fn: ((x: number, y: number) => Math.max(x, y)) as never, noInplace: true });

/** Elementwise minimum/maximum ignoring NaN (NaN only where both are NaN). */
export const fmin = defineBinary('fmin', {
  fn: ((x: number, y: number) => (x !== x ? y : y !== y ? x : Math.min(x, y))) as never,
  noInplace: true,
});
export const fmax = defineBinary('fmax', {
  fn: ((x: number, y: number) => (x !== x ? y : y !== y ? x : Math.max(x, y))) as never,
  noInplace: true,
});

/** |x| with the sign of y (including -0). */
export const copysign = defineBinary('copysign', {
  fn: ((x: number, y: number) => (y < 0 || (y === 0 && 1 / y < 0) ? -Math.abs(x) : Math.abs(x))) as never,
  rule: 'float',
});

/** x * log(y), 0 where x is 0 (unless y is NaN). */
export const xlogy = defineBinary('xlogy', {
  fn: ((x: number, y: number) => (y !== y ? y : x === 0 ? 0 : x * Math.log(y))) as never,
  rule: 'float',
});

export const logaddexp = defineBinary('logaddexp', {
  fn: ((x: number, y: number) => {
    if (x === y && (x === Infinity || x === -Infinity)) return x;
    return Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y)));
  }) as never,
  validate: rejectWith('logaddexp_cpu', notFloat),
  noInplace: true,
});

export const logaddexp2 = defineBinary('logaddexp2', {
  fn: ((x: number, y: number) => {
    if (x === y && (x === Infinity || x === -Infinity)) return x;
    return Math.max(x, y) + Math.log1p(2 ** -Math.abs(x - y)) / Math.LN2;
  }) as never,
  validate: rejectWith('logaddexp2_cpu', notFloat),
  noInplace: true,
});

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.floatPower = function (this: Tensor, exponent: TensorOrScalar) {
  return floatPower(this, exponent);
};
proto.floatPower_ = function (this: Tensor, exponent: TensorOrScalar) {
  return floatPowerInplace(this, exponent);
};
proto.square = function (this: Tensor) {
  return pow(this, 2);
};
proto.square_ = function (this: Tensor) {
  return this.pow_(2);
};
proto.arctan2 = proto.atan2;
proto.arctan2_ = proto.atan2_;

declare module '../../tensor.js' {
  interface Tensor {
    pow(exponent: TensorOrScalar): Tensor;
    pow_(exponent: TensorOrScalar): this;
    square(): Tensor;
    square_(): this;
    floatPower(exponent: TensorOrScalar): Tensor;
    floatPower_(exponent: TensorOrScalar): this;
    atan2(other: TensorOrScalar): Tensor;
    atan2_(other: TensorOrScalar): this;
    arctan2(other: TensorOrScalar): Tensor;
    arctan2_(other: TensorOrScalar): this;
    hypot(other: TensorOrScalar): Tensor;
    hypot_(other: TensorOrScalar): this;
    fmod(other: TensorOrScalar): Tensor;
    fmod_(other: TensorOrScalar): this;
    remainder(other: TensorOrScalar): Tensor;
    remainder_(other: TensorOrScalar): this;
    minimum(other: TensorOrScalar): Tensor;
    maximum(other: TensorOrScalar): Tensor;
    fmin(other: TensorOrScalar): Tensor;
    fmax(other: TensorOrScalar): Tensor;
    copysign(other: TensorOrScalar): Tensor;
    copysign_(other: TensorOrScalar): this;
    xlogy(other: TensorOrScalar): Tensor;
    xlogy_(other: TensorOrScalar): this;
    logaddexp(other: TensorOrScalar): Tensor;
    logaddexp2(other: TensorOrScalar): Tensor;
  }
}
