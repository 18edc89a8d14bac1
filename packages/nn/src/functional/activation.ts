/**
 * Functional activations (`F.relu`, `F.elu`, ...). Core's elementwise kernels are used where they
 * exist (relu, hardtanh, leakyRelu, gelu, silu, softplus, mish, sigmoid, tanh, softmax); the rest
 * are composites of differentiable ops, so autograd comes for free. `inplace: true` writes the
 * result back into the input, as PyTorch's `inplace=True` does.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor } from '@torchts/core';
import type { DType } from '@torchts/core';
import { withTemps } from './temps.js';

export interface InplaceOptions {
  inplace?: boolean;
}

/**
 * `compute(input)`, written back into `input` when `inplace` (PyTorch's `inplace=True`). When the
 * input requires grad, `compute` reads a clone: the composite saves its input for backward, and
 * the write-back must not overwrite those values (PyTorch saves the original self likewise).
 */
function finish(input: Tensor, inplace: boolean | undefined, compute: (x: Tensor) => Tensor): Tensor {
  if (!inplace) return compute(input);
  const src = input.requiresGrad ? input.clone() : input;
  const result = compute(src);
  if (src !== input) src.dispose();
  input.copy_(result);
  result.dispose();
  return input;
}

function requireTensor(name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${name}(): argument 'input' must be Tensor, not ${x === null ? 'None' : typeof x}`);
  return x;
}

export function relu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  requireTensor('relu', input);
  return opts.inplace ? input.relu_() : core.relu(input);
}

export function relu6(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return hardtanh(input, 0, 6, opts);
}

export function hardtanh(input: Tensor, minVal = -1, maxVal = 1, opts: InplaceOptions = {}): Tensor {
  requireTensor('hardtanh', input);
  if (minVal > maxVal) throw new core.ValueError('min_val cannot be greater than max_val');
  return opts.inplace ? input.hardtanh_(minVal, maxVal) : core.hardtanh(input, minVal, maxVal);
}

export function leakyRelu(input: Tensor, negativeSlope = 0.01, opts: InplaceOptions = {}): Tensor {
  requireTensor('leaky_relu', input);
  return opts.inplace ? input.leakyRelu_(negativeSlope) : core.leakyRelu(input, negativeSlope);
}

/** alpha * (exp(x) - 1) for x <= 0, x otherwise (exp on clamped values so no inf*0 reaches the gradient). */
export function elu(input: Tensor, alpha = 1, opts: InplaceOptions = {}): Tensor {
  requireTensor('elu', input);
  return finish(input, opts.inplace, (x) => eluScaled(x, alpha, 1, 1));
}

function eluScaled(x: Tensor, alpha: number, scale: number, inputScale: number): Tensor {
  return withTemps((t) => {
    const neg = t(x.clampMax(0));
    const scaledNeg = inputScale === 1 ? neg : t(neg.mul(inputScale));
    const negPart = t(t(scaledNeg.expm1()).mul(alpha));
    const y = t(core.where(t(x.gt(0)), x, negPart));
    return scale === 1 ? y : y.mul(scale);
  });
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

export function selu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  requireTensor('selu', input);
  return finish(input, opts.inplace, (x) => eluScaled(x, SELU_ALPHA, SELU_SCALE, 1));
}

/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export function celu(input: Tensor, alpha = 1, opts: InplaceOptions = {}): Tensor {
  requireTensor('celu', input);
  if (alpha === 0) throw new RuntimeError('ZeroDivisionError');
  return finish(input, opts.inplace, (x) => eluScaled(x, alpha, 1, 1 / alpha));
}

export function gelu(input: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  requireTensor('gelu', input);
  return core.gelu(input, { approximate: opts.approximate ?? 'none' });
}

export function silu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  requireTensor('silu', input);
  return opts.inplace ? input.silu_() : core.silu(input);
}

export function mish(input: Tensor, opts: InplaceOptions = {}): Tensor {
  requireTensor('mish', input);
  return opts.inplace ? input.mish_() : core.mish(input);
}

export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  requireTensor('softplus', input);
  return core.softplus(input, { beta, threshold });
}

export function sigmoid(input: Tensor): Tensor {
  return core.sigmoid(requireTensor('sigmoid', input));
}

export function tanh(input: Tensor): Tensor {
  return core.tanh(requireTensor('tanh', input));
}

/** log(sigmoid(x)) = -softplus(-x). */
export function logsigmoid(input: Tensor): Tensor {
  requireTensor('logsigmoid', input);
  return withTemps((t) => t(core.softplus(t(input.neg()))).neg());
}

/** relu6(x + 3) / 6. */
export function hardsigmoid(input: Tensor, opts: InplaceOptions = {}): Tensor {
  requireTensor('hardsigmoid', input);
  return finish(input, opts.inplace, (x) => withTemps((t) => t(core.hardtanh(t(x.add(3)), 0, 6)).div(6)));
}

/** x * relu6(x + 3) / 6. */
export function hardswish(input: Tensor, opts: InplaceOptions = {}): Tensor {
  requireTensor('hardswish', input);
  return finish(input, opts.inplace, (x) => withTemps((t) => t(t(core.hardtanh(t(x.add(3)), 0, 6)).div(6)).mul(x)));
}

/** x / (1 + |x|). */
export function softsign(input: Tensor): Tensor {
  requireTensor('softsign', input);
  return withTemps((t) => input.div(t(t(input.abs()).add(1))));
}

/** x - tanh(x). */
export function tanhshrink(input: Tensor): Tensor {
  requireTensor('tanhshrink', input);
  return withTemps((t) => input.sub(t(input.tanh())));
}

/** x - lambd where x > lambd, x + lambd where x < -lambd, 0 otherwise. */
export function softshrink(input: Tensor, lambd = 0.5): Tensor {
  requireTensor('softshrink', input);
  if (lambd < 0) throw new RuntimeError(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  return withTemps((t) => {
    const inner = t(core.where(t(input.lt(-lambd)), t(input.add(lambd)), 0));
    return core.where(t(input.gt(lambd)), t(input.sub(lambd)), inner);
  });
}

/** x where |x| > lambd, 0 otherwise. */
export function hardshrink(input: Tensor, lambd = 0.5): Tensor {
  requireTensor('hardshrink', input);
  return withTemps((t) => core.where(t(t(input.abs()).gt(lambd)), input, 0));
}

/** x where x > threshold, value otherwise. */
export function threshold(input: Tensor, thresholdValue: number, value: number, opts: InplaceOptions = {}): Tensor {
  requireTensor('threshold', input);
  return finish(input, opts.inplace, (x) => withTemps((t) => core.where(t(x.gt(thresholdValue)), x, value)));
}

/** a * sigmoid(b) for the two halves a, b of `input` along `dim`. */
export function glu(input: Tensor, dim = -1): Tensor {
  requireTensor('glu', input);
  if (input.ndim === 0) throw new RuntimeError('glu does not support scalars because halving size must be even');
  const d = dim < 0 ? dim + input.ndim : dim;
  if (d < 0 || d >= input.ndim) {
    throw new core.IndexError(`Dimension out of range (expected to be in range of [${-input.ndim}, ${input.ndim - 1}], but got ${dim})`);
  }
  const size = input.shape[d]!;
  if (size % 2 !== 0) throw new RuntimeError(`Halving dimension must be even, but dimension ${d} is size ${size}`);
  return withTemps((t) => {
    const a = t(input.narrow(d, 0, size / 2));
    const b = t(input.narrow(d, size / 2, size / 2));
    return a.mul(t(b.sigmoid()));
  });
}

/** max(0, x) + weight * min(0, x), `weight` (one value or one per channel, dim 1) broadcast over the input. */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  requireTensor('prelu', input);
  const n = weight.numel();
  if (n !== 1) {
    const channels = input.ndim >= 2 ? input.shape[1]! : 1;
    if (input.ndim === 0 || n !== channels) {
      throw new RuntimeError(
        `Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${input.ndim >= 2 ? channels : 1}.`,
      );
    }
  }
  return withTemps((t) => {
    const shape = n === 1 || input.ndim < 2 ? (n === 1 ? [] : [n]) : [1, n, ...Array<number>(input.ndim - 2).fill(1)];
    const w = t(n === 1 ? weight.reshape([]) : weight.reshape(shape));
    return core.where(t(input.gt(0)), input, t(w.mul(input)));
  });
}

export interface SoftmaxFnOptions {
  dtype?: DType;
}

/** PyTorch's implicit softmax dim (deprecated there): 0 for 0-, 1- and 3-d inputs, else 1. */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

export function softmax(input: Tensor, dim?: number | null, opts: SoftmaxFnOptions = {}): Tensor {
  requireTensor('softmax', input);
  const d = dim ?? implicitSoftmaxDim(input.ndim);
  return opts.dtype ? core.softmax(input, d, { dtype: opts.dtype }) : core.softmax(input, d);
}

export function logSoftmax(input: Tensor, dim?: number | null, opts: SoftmaxFnOptions = {}): Tensor {
  requireTensor('log_softmax', input);
  const d = dim ?? implicitSoftmaxDim(input.ndim);
  return opts.dtype ? core.logSoftmax(input, d, { dtype: opts.dtype }) : core.logSoftmax(input, d);
}

/** softmax(-x). */
export function softmin(input: Tensor, dim?: number | null, opts: SoftmaxFnOptions = {}): Tensor {
  requireTensor('softmin', input);
  return withTemps((t) => softmax(t(input.neg()), dim ?? implicitSoftmaxDim(input.ndim), opts));
}
