/**
 * Derivatives of the pointwise activations: relu, hardtanh (relu6 is hardtanh(0, 6)), leakyRelu,
 * gelu (exact and tanh), silu, softplus, mish. Formulas follow PyTorch's *_backward kernels.
 */
import { RuntimeError, logicalOr, thresholdBackward, where } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { dropWhere } from './elementwise-helpers.js';

type Opts = Record<string, unknown> | undefined;

// relu: threshold_backward(grad, result, 0): no gradient where the result is <= 0.
defineDerivative('relu', {
  save: (_args, result) => ({ y: result }),
  selfUnused: true,
  backward: ([g], { saved }) => [thresholdBackward(g!, saved.y as Tensor, 0)],
});

// thresholdBackward's op takes (y, g): linear in g (the same mask applies to its gradient); y only
// selects, so it gets none (PyTorch: zeros).
defineDerivative('thresholdBackward', {
  save: (args) => ({ y: args[0], threshold: (args[2] as { threshold: number }).threshold }),
  backward: ([gg], { saved }) => [null, thresholdBackward(gg!, saved.y as Tensor, saved.threshold as number)],
});

// hardtanh: no gradient at or beyond the bounds. The result is <= min (>= max) exactly where the
// input is, so the result serves, and in-place forms need no copy of self (as in PyTorch).
defineDerivative('hardtanh', {
  save: (args, result) => {
    const o = args[1] as Opts;
    return { y: result, min: (o?.minVal as number | undefined) ?? -1, max: (o?.maxVal as number | undefined) ?? 1 };
  },
  selfUnused: true,
  backward: ([g], { saved }) => {
    const y = saved.y as Tensor;
    return [dropWhere(logicalOr(y.le(saved.min as number), y.ge(saved.max as number)), g!)];
  },
});

const slopeOf = (opts: unknown): number => ((opts as Opts)?.negativeSlope as number | undefined) ?? 0.01;

defineDerivative('leakyRelu', {
  save: (args) => ({ x: args[0], slope: slopeOf(args[1]) }),
  backward: ([g], { saved }) => [where((saved.x as Tensor).gt(0), g!, g!.mul(saved.slope as number))],
});

// In place, as in PyTorch, from the result (positive exactly where the input was, for slopes >= 0).
defineDerivative('leakyRelu_', {
  save: (args, result) => ({ y: result, slope: slopeOf(args[1]) }),
  selfUnused: true,
  backward: ([g], { saved }) => {
    if ((saved.slope as number) < 0) {
      throw new RuntimeError(
        'In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope',
      );
    }
    return [where((saved.y as Tensor).gt(0), g!, g!.mul(saved.slope as number))];
  },
});

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const KAPPA = 0.044715;

/** d/dx x Phi(x) = Phi(x) + x phi(x). */
export function geluExact(x: Tensor): Tensor {
  const cdf = x.mul(SQRT1_2).erf().add(1).mul(0.5);
  const pdf = x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
  return cdf.add(x.mul(pdf));
}

/** d/dx 0.5 x (1 + tanh(k (x + c x^3))). */
function geluTanh(x: Tensor): Tensor {
  const x2 = x.mul(x);
  const t = x.add(x2.mul(x).mul(KAPPA)).mul(SQRT_2_OVER_PI).tanh();
  const left = t.add(1).mul(0.5);
  const right = x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(x2.mul(3 * KAPPA).add(1).mul(SQRT_2_OVER_PI));
  return left.add(right);
}

defineDerivative('gelu', {
  save: (args) => ({ x: args[0], tanh: (args[1] as Opts)?.approximate === 'tanh' }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    return [g!.mul(saved.tanh ? geluTanh(x) : geluExact(x))];
  },
});

// silu: s (1 + x (1 - s)), s = sigmoid(x).
defineDerivative('silu', {
  save: (args) => ({ x: args[0] }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const s = x.sigmoid();
    return [g!.mul(s).mul(x.mul(s.neg().add(1)).add(1))];
  },
});

// softplus: sigmoid(beta x) = z / (z + 1) with z = exp(beta x); 1 where beta x > threshold.
defineDerivative('softplus', {
  save: (args) => {
    const o = args[1] as Opts;
    return { x: args[0], beta: (o?.beta as number | undefined) ?? 1, threshold: (o?.threshold as number | undefined) ?? 20 };
  },
  backward: ([g], { saved }) => {
    const bx = (saved.x as Tensor).mul(saved.beta as number);
    return [where(bx.gt(saved.threshold as number), g!, g!.mul(bx.sigmoid()))];
  },
});

// mish: t + x s (1 - t^2), t = tanh(softplus(x)), s = sigmoid(x).
defineDerivative('mish', {
  save: (args) => ({ x: args[0] }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const t = x.softplus().tanh();
    const s = x.sigmoid();
    return [g!.mul(t.add(x.mul(s).mul(t.mul(t).neg().add(1))))];
  },
});
