/**
 * Bitwise and/or/xor/not and shifts on integer and bool tensors. JS bit operators work on 32
 * bits, so int64 values outside the int32 range are split into their high (signed) and low
 * (unsigned) words: the results are exact on the full 64-bit patterns within +-2^53.
 */
import type { DType } from '../../dtype.js';
import type { TensorOrScalar } from '../../tensor.js';
import { defineBinary, defineUnary } from './define.js';
import { isBool, isFloat, rejectWith } from './support.js';

const TWO32 = 4294967296;

type WordOp = (a: number, b: number) => number;

/** Applies a 32-bit operator to both words of two integers in +-2^53. */
function wordwise(x: number, y: number, op: WordOp): number {
  const xh = Math.floor(x / TWO32);
  const yh = Math.floor(y / TWO32);
  return op(xh, yh) * TWO32 + (op(x - xh * TWO32, y - yh * TWO32) >>> 0);
}

const and32: WordOp = (a, b) => a & b;
const or32: WordOp = (a, b) => a | b;
const xor32: WordOp = (a, b) => a ^ b;

export const bitwiseAnd = defineBinary('bitwiseAnd', {
  fn: ((x: number, y: number) => ((x | 0) === x && (y | 0) === y ? x & y : wordwise(x, y, and32))) as never,
  validate: rejectWith('bitwise_and_cpu', isFloat),
});
export const bitwiseOr = defineBinary('bitwiseOr', {
  fn: ((x: number, y: number) => ((x | 0) === x && (y | 0) === y ? x | y : wordwise(x, y, or32))) as never,
  validate: rejectWith('bitwise_or_cpu', isFloat),
});
export const bitwiseXor = defineBinary('bitwiseXor', {
  fn: ((x: number, y: number) => ((x | 0) === x && (y | 0) === y ? x ^ y : wordwise(x, y, xor32))) as never,
  validate: rejectWith('bitwise_xor_cpu', isFloat),
});

interface NotParams {
  bool: boolean;
}
const NOT_BOOL: NotParams = { bool: true };
const NOT_INT: NotParams = { bool: false };

/** ~x; on bool, logical not. (-x - 1 is two's complement ~x at any width.) */
export const bitwiseNot = defineUnary('bitwiseNot', {
  fn: ((x: number, p: NotParams) => (p.bool ? 1 - x : -x - 1)) as never,
  params: (_o, d) => (d === 'bool' ? NOT_BOOL : NOT_INT),
  validate: rejectWith('bitwise_not_cpu', isFloat),
});

interface ShiftParams {
  /** int64 shifts count modulo 64; narrower dtypes shift as 32-bit ints (count modulo 32). */
  int64: boolean;
}
const SHIFT_64: ShiftParams = { int64: true };
const SHIFT_32: ShiftParams = { int64: false };
const shiftParams = (_o: unknown, d: DType): ShiftParams => (d === 'int64' ? SHIFT_64 : SHIFT_32);
const notShiftable = (d: DType): boolean => isBool(d) || isFloat(d);

// Counts wrap as x86 shifts do (what PyTorch's CPU kernels give for counts >= the width or < 0).
// int64: x * 2^k is exact in float64, and storing it keeps its low 64 bits, so results wrap.
export const bitwiseLeftShift = defineBinary('bitwiseLeftShift', {
  fn: ((x: number, y: number, p: ShiftParams) => (p.int64 ? x * 2 ** (y & 63) : x << y)) as never,
  params: shiftParams as never,
  validate: rejectWith('lshift_cpu', notShiftable),
});
export const bitwiseRightShift = defineBinary('bitwiseRightShift', {
  fn: ((x: number, y: number, p: ShiftParams) => (p.int64 ? Math.floor(x / 2 ** (y & 63)) : x >> y)) as never,
  params: shiftParams as never,
  validate: rejectWith('rshift_cpu', notShiftable),
});

declare module '../../tensor.js' {
  interface Tensor {
    bitwiseAnd(other: TensorOrScalar): Tensor; bitwiseAnd_(other: TensorOrScalar): this;
    bitwiseOr(other: TensorOrScalar): Tensor; bitwiseOr_(other: TensorOrScalar): this;
    bitwiseXor(other: TensorOrScalar): Tensor; bitwiseXor_(other: TensorOrScalar): this;
    bitwiseNot(): Tensor; bitwiseNot_(): this;
    bitwiseLeftShift(other: TensorOrScalar): Tensor; bitwiseLeftShift_(other: TensorOrScalar): this;
    bitwiseRightShift(other: TensorOrScalar): Tensor; bitwiseRightShift_(other: TensorOrScalar): this;
  }
}
