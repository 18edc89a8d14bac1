/**
 * Pointwise activations: relu, relu6, hardtanh, leakyRelu, gelu, silu, softplus, mish.
 * (sigmoid and tanh live with the unary math.) relu and hardtanh also take integer tensors, the
 * others only floats, as in PyTorch.
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { erf } from '../../math.js';
import type { Tensor } from '../../tensor.js';
import { defineBinary, defineUnary } from './define.js';
import { checkScalarFits, notFloat, rejectWith } from './support.js';

export const relu = defineUnary('relu', {
  // `x < 0 ? 0 : x` keeps NaN, as PyTorch's clamp_min(x, 0) does.
  fn: ((x: number) => (x < 0 ? 0 : x)) as never,
  validate: (d) => {
    if (d === 'bool') throw new RuntimeError('Boolean inputs not supported for relu');
  },
});

interface ThresholdParams {
  threshold: number;
}

/**
 * relu's gradient, PyTorch's `threshold_backward(grad, self, threshold)`: 0 where self <= threshold,
 * grad elsewhere (NaN self keeps grad), one pass instead of a comparison and a `where`. The threshold
 * is compared in the computing dtype, as PyTorch casts it. The op takes (self, grad), the order of
 * PyTorch's TensorIterator operands (broadcast errors name them so).
 */
const thresholdBackwardOp = defineBinary('thresholdBackward', {
  fn: ((y: number, g: number, p: ThresholdParams) => (y <= p.threshold ? 0 : g)) as never,
  params: (o, dtype): ThresholdParams => {
    const t = Number(o?.threshold ?? 0);
    return { threshold: dtype === 'float32' ? Math.fround(t) : t };
  },
  noInplace: true,
  validate: (d) => {
    if (d === 'bool') throw new RuntimeError('"threshold_cpu" not implemented for \'Bool\'');
  },
});

export function thresholdBackward(grad: Tensor, self: Tensor, threshold: number): Tensor {
  return thresholdBackwardOp(self, grad, { threshold });
}

interface HardtanhParams {
  min: number;
  max: number;
}

export interface HardtanhOptions {
  minVal?: number;
  maxVal?: number;
}

function hardtanhParams(o: Record<string, unknown> | undefined, dtype: DType): HardtanhParams {
  const min = (o?.minVal as number | undefined) ?? -1;
  const max = (o?.maxVal as number | undefined) ?? 1;
  if (dtype === 'uint8' && (min < 0 || max < 0)) throw new RuntimeError('cannot do hardtanh on an unsigned type with negative limits');
  checkScalarFits(min, dtype);
  checkScalarFits(max, dtype);
  // Integer tensors clamp at the bounds converted to their dtype (truncated).
  return isFloatingPoint(dtype) ? { min, max } : { min: Math.trunc(min), max: Math.trunc(max) };
}

/** Clamps to [minVal, maxVal] (default [-1, 1]); min(max(x, minVal), maxVal) when minVal > maxVal. */
export const hardtanh = defineUnary('hardtanh', {
  fn: ((x: number, p: HardtanhParams) => Math.min(Math.max(x, p.min), p.max)) as never,
  positional: ['minVal', 'maxVal'],
  params: hardtanhParams,
  validate: (d) => {
    if (d === 'bool') throw new RuntimeError('Bool inputs not supported for hardtanh');
  },
}) as (input: Tensor, minVal?: number | HardtanhOptions, maxVal?: number) => Tensor;

/** hardtanh(x, 0, 6). */
export function relu6(input: Tensor): Tensor {
  return hardtanh(input, 0, 6);
}

interface SlopeParams {
  slope: number;
}

export const leakyRelu = defineUnary('leakyRelu', {
  fn: ((x: number, p: SlopeParams) => (x > 0 ? x : x * p.slope)) as never,
  positional: ['negativeSlope'],
  params: (o) => ({ slope: (o?.negativeSlope as number | undefined) ?? 0.01 }),
  validate: rejectWith('leaky_relu_cpu', notFloat),
}) as (input: Tensor, negativeSlope?: number | { negativeSlope?: number }) => Tensor;

interface GeluParams {
  tanh: boolean;
}
const GELU_EXACT: GeluParams = { tanh: false };
const GELU_TANH: GeluParams = { tanh: true };
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** x * Phi(x), exactly (erf) or with PyTorch's tanh approximation. */
export const gelu = defineUnary('gelu', {
  fn: ((x: number, p: GeluParams) =>
    p.tanh ? 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))) : 0.5 * x * (1 + erf(x * Math.SQRT1_2))) as never,
  params: (o) => {
    const a = o?.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new RuntimeError('approximate argument must be either none or tanh.');
    return a === 'tanh' ? GELU_TANH : GELU_EXACT;
  },
  validate: rejectWith('GeluKernelImpl', notFloat),
}) as (input: Tensor, opts?: { approximate?: 'none' | 'tanh' }) => Tensor;

/** x * sigmoid(x). */
export const silu = defineUnary('silu', {
  fn: ((x: number) => x / (1 + Math.exp(-x))) as never,
  validate: rejectWith('silu_cpu', notFloat),
});

interface SoftplusParams {
  beta: number;
  threshold: number;
}
const SOFTPLUS_DEFAULT: SoftplusParams = { beta: 1, threshold: 20 };

/** log(1 + exp(beta x)) / beta, linear where beta x > threshold. */
export const softplus = defineUnary('softplus', {
  fn: ((x: number, p: SoftplusParams) => (x * p.beta > p.threshold ? x : Math.log1p(Math.exp(x * p.beta)) / p.beta)) as never,
  positional: ['beta', 'threshold'],
  params: (o) =>
    o?.beta === undefined && o?.threshold === undefined
      ? SOFTPLUS_DEFAULT
      : { beta: (o.beta as number | undefined) ?? 1, threshold: (o.threshold as number | undefined) ?? 20 },
  validate: rejectWith('softplus_cpu', notFloat),
}) as (input: Tensor, beta?: number | { beta?: number; threshold?: number }, threshold?: number) => Tensor;

/** x * tanh(softplus(x)). */
export const mish = defineUnary('mish', {
  fn: ((x: number) => x * Math.tanh(Math.log1p(Math.exp(x)))) as never,
  validate: rejectWith('mish_cpu', notFloat),
});

declare module '../../tensor.js' {
  interface Tensor {
    relu(): Tensor;
    relu_(): this;
    hardtanh(minVal?: number | HardtanhOptions, maxVal?: number): Tensor;
    hardtanh_(minVal?: number | HardtanhOptions, maxVal?: number): this;
    leakyRelu(negativeSlope?: number | { negativeSlope?: number }): Tensor;
    leakyRelu_(negativeSlope?: number | { negativeSlope?: number }): this;
    gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;
    gelu_(opts?: { approximate?: 'none' | 'tanh' }): this;
    silu(): Tensor;
    silu_(): this;
    softplus(beta?: number | { beta?: number; threshold?: number }, threshold?: number): Tensor;
    softplus_(beta?: number | { beta?: number; threshold?: number }, threshold?: number): this;
    mish(): Tensor;
    mish_(): this;
  }
}
