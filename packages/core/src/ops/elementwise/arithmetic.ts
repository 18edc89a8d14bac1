/** Arithmetic: add, sub, mul, div, neg, abs and friends. */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import type { TensorOrScalar } from '../../tensor.js';
import { defineBinary, defineUnary } from './define.js';

interface AlphaParams {
  alpha: number;
}
const ALPHA_1: AlphaParams = { alpha: 1 };
/** add/sub's alpha, checked as PyTorch's alpha_check does against the promoted dtype. */
function alphaParams(o: Record<string, unknown> | undefined, dtype: DType): AlphaParams {
  const alpha = o?.alpha as number | boolean | undefined;
  if (alpha === undefined) return ALPHA_1;
  if (typeof alpha === 'boolean' && dtype !== 'bool') throw new RuntimeError('Boolean alpha only supported for Boolean results.');
  // A JS number cannot say whether it was written 2 or 2.0: only a fractional alpha is refused.
  if (!isFloatingPoint(dtype) && !Number.isInteger(+alpha)) {
    throw new RuntimeError('For integral input tensors, argument alpha must not be a floating point number.');
  }
  // float32: PyTorch's kernel casts alpha to float and computes fmadd(other, alpha, input); in
  // float64 that is the float32 alpha times other (exact) plus input, rounded once on store.
  return { alpha: dtype === 'float32' ? Math.fround(+alpha) : +alpha };
}

export const add = defineBinary('add', {
  fn: ((x: number, y: number, p: AlphaParams) => x + p.alpha * y) as never,
  params: alphaParams,
});

export const sub = defineBinary('sub', {
  fn: ((x: number, y: number, p: AlphaParams) => x - p.alpha * y) as never,
  params: alphaParams,
  validate: (d, operands) => {
    if (d === 'bool') {
      throw new RuntimeError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
    }
    if (operands.some((o) => typeof o === 'boolean' || (o instanceof Tensor && o.dtype === 'bool'))) {
      throw new RuntimeError('Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
    }
  },
});

interface MulParams {
  int64: boolean;
}
const MUL_INT64: MulParams = { int64: true };
const MUL_OTHER: MulParams = { int64: false };

export const mul = defineBinary('mul', {
  fn: (x: number, y: number) => x * y,
  // Past 2^53 doubles lose the low bits: wrap like C instead (32-bit types keep their low bits
  // through Math.imul; int64 wraps at 64 bits through BigInt, read back as the nearest double).
  intFn: ((x: number, y: number, p: MulParams) => {
    const r = x * y;
    if (Math.abs(r) < 2 ** 53) return r;
    return p.int64 ? Number(BigInt.asIntN(64, BigInt(x) * BigInt(y))) : Math.imul(x, y);
  }) as never,
  params: (_o, dtype) => (dtype === 'int64' ? MUL_INT64 : MUL_OTHER),
});

type RoundingMode = 'trunc' | 'floor' | null;
interface DivParams {
  mode: RoundingMode;
}

function zeroDivision(): never {
  throw new RuntimeError('ZeroDivisionError');
}

export const div = defineBinary('div', {
  fn: ((x: number, y: number, p: DivParams) => {
    const q = x / y;
    if (p.mode === 'trunc') return Math.trunc(q);
    if (p.mode === 'floor') {
      // Python floor division for floats: matches PyTorch's div_floor (sign of remainder fixes).
      if (y === 0) return q;
      const mod = x % y;
      let d = (x - mod) / y;
      if (mod !== 0 && y < 0 !== mod < 0) d -= 1;
      if (d === 0) return Math.sign(q) * 0;
      const fl = Math.floor(d);
      return d - fl > 0.5 ? fl + 1 : fl;
    }
    return q;
  }) as never,
  intFn: ((x: number, y: number, p: DivParams) => {
    if (p.mode === null) return x / y;
    if (y === 0) zeroDivision();
    return p.mode === 'trunc' ? Math.trunc(x / y) : Math.floor(x / y);
  }) as never,
  // True division of integers gives floats; with a rounding mode integers stay integral.
  rule: ((p: DivParams) => (p.mode === null ? 'float' : 'same')) as never,
  params: (o) => {
    const mode = (o?.roundingMode ?? null) as RoundingMode;
    if (mode !== null && mode !== 'trunc' && mode !== 'floor') {
      throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
    }
    return { mode };
  },
});

export const neg = defineUnary('neg', {
  fn: (x: number) => -x,
  validate: (d) => {
    if (d === 'bool') {
      throw new RuntimeError('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
    }
  },
});

export const abs = defineUnary('abs', { fn: Math.abs as never, rejects: ['bool'] });

/** `torch.rsub(input, other, { alpha })` = other - alpha * input (how `2 - x` is spelled). */
export function rsub(input: TensorOrScalar, other: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  return sub(other, input, opts as Record<string, unknown> | undefined);
}
(Tensor.prototype as unknown as Record<string, unknown>).rsub = function (this: Tensor, other: TensorOrScalar, opts?: { alpha?: number }) {
  return rsub(this, other, opts);
};

declare module '../../tensor.js' {
  interface Tensor {
    add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    add_(other: TensorOrScalar, opts?: { alpha?: number }): this;
    sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    sub_(other: TensorOrScalar, opts?: { alpha?: number }): this;
    /** other - alpha * this. */
    rsub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    mul(other: TensorOrScalar): Tensor;
    mul_(other: TensorOrScalar): this;
    div(other: TensorOrScalar, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor;
    div_(other: TensorOrScalar, opts?: { roundingMode?: 'trunc' | 'floor' | null }): this;
    neg(): Tensor;
    neg_(): this;
    abs(): Tensor;
    abs_(): this;
  }
}
