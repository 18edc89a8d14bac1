/**
 * Derivatives of the scans along one dim: cumsum and cumprod ((input, dim, dtype); their
 * in-place forms reuse them), cummax/cummin ((input, dim) -> [values, indices]) and
 * logcumsumexp ((input, dim)): PyTorch's cumsum_backward, cumprod_backward,
 * cummaxmin_backward and logcumsumexp_backward.
 */
import { cat, ones, tidy, where, zeros } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { isGradEnabled } from '../grad-mode.js';
import { defineDerivative } from '../registry.js';
import type { InputMeta } from './reduction-util.js';
import { castTo, inputMeta } from './reduction-util.js';

/** Sums from each position to the end of `dim`. */
function reversedCumsum(t: Tensor, dim: number): Tensor {
  return t.flip(dim).cumsum(dim).flip(dim);
}

defineDerivative('cumsum', {
  save: (args) => ({ in: inputMeta(args[0]), dim: args[1] }),
  selfUnused: true,
  backward: ([g], { saved }) => {
    const m = saved.in as InputMeta;
    const dim = saved.dim as number;
    return tidy(() => {
      const gi = castTo(g!, m.dtype);
      return [gi.numel() <= 1 || gi.ndim === 0 || gi.shape[dim] === 1 ? gi : reversedCumsum(gi, dim)];
    });
  },
});

/**
 * cumprod's gradient where `x` has zeros, in O(n) (PyTorch's first-order path): positions before
 * the first zero as in the zero-free formula; the first zero gets the product of the elements
 * before it times sum_j g_j * prod(x after it, up to j) over j up to the second zero; the rest 0.
 * It treats the zero pattern as fixed, so it is not differentiable again.
 */
function cumprodZerosFirstOrder(g: Tensor, x: Tensor, y: Tensor, dim: number): Tensor {
  const isZero = x.eq(0);
  const zerosSoFar = isZero.cumsum(dim);
  const beforeFirst = zerosSoFar.eq(0);
  const upToSecond = zerosSoFar.eq(1);
  const firstZero = isZero.logicalAnd(upToSecond);
  const betweenZeros = upToSecond.logicalAnd(isZero.logicalNot());
  const beforeGrad = reversedCumsum(where(beforeFirst, y.mul(g), 0), dim).div(x);
  const prefix = where(beforeFirst, x, 1).prod(dim, true);
  const tail = where(betweenZeros, x, 1).cumprod(dim).mul(where(upToSecond, g, 0)).sum(dim, { keepdim: true });
  return where(beforeFirst, beforeGrad, where(firstZero, prefix.mul(tail), 0));
}

/**
 * cumprod's gradient where `x` has zeros, differentiable (PyTorch's path under grad mode):
 * for each k, sum_{j >= k} g_j * prod_{i <= j, i != k} x_i from products that skip x_k. O(n^2).
 */
function cumprodZerosDifferentiable(g: Tensor, x: Tensor, dim: number): Tensor {
  const n = x.shape[dim]!;
  const out = zeros([...x.shape], { dtype: g.dtype, device: x.device });
  const oneShape = x.shape.map((s, d) => (d === dim ? 1 : s));
  for (let k = 0; k < n; k++) {
    // omitted[j - k] = prod_{i <= j, i != k} x_i for j = k..n-1
    const until = k > 0 ? x.narrow(dim, 0, k).prod(dim, true) : ones(oneShape, { dtype: x.dtype, device: x.device });
    const omitted = k === n - 1 ? until : cat([until, until.mul(x.narrow(dim, k + 1, n - k - 1).cumprod(dim))], dim);
    out.select(dim, k).copy_(g.narrow(dim, k, n - k).mul(omitted).sum(dim));
  }
  return out;
}

// cumprod(input, dim, dtype): PyTorch's cumprod_backward on the gradient cast to the input's dtype.
defineDerivative('cumprod', {
  save: (args, result) => ({ x: args[0], y: result, dim: args[1] }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const y = saved.y as Tensor;
    const dim = saved.dim as number;
    return tidy(() => {
      const gi = castTo(g!, x.dtype);
      if (x.numel() <= 1 || x.ndim === 0 || x.shape[dim] === 1) return [gi];
      // With `dtype`, y (and so the formulas) are in the output's dtype: cast back at the end.
      if (!x.eq(0).any().item<boolean>()) return [castTo(reversedCumsum(y.mul(gi), dim).div(x), x.dtype)];
      return [castTo(isGradEnabled() ? cumprodZerosDifferentiable(gi, x, dim) : cumprodZerosFirstOrder(gi, x, y, dim), x.dtype)];
    });
  },
});

// cummax/cummin(input, dim) -> [values, indices]: each value's gradient goes to the element it
// came from (an element can be the running extreme of many positions: they add up).
defineDerivative(['cummax', 'cummin'], {
  save: (args, result) => ({ in: inputMeta(args[0]), dim: args[1], indices: (result as Tensor[])[1]! }),
  backward: ([g], { saved }) => {
    const m = saved.in as InputMeta;
    if (m.shape.length === 0) return [g!];
    return tidy(() => [zeros(m.shape, { dtype: g!.dtype, device: m.device }).scatterAdd_(saved.dim as number, saved.indices as Tensor, g!)]);
  },
});

/** The most negative finite value of a floating dtype (PyTorch's numeric_limits lowest). */
const LOWEST: Partial<Record<DType, number>> = {
  float64: -Number.MAX_VALUE,
  float32: -3.4028234663852886e38,
  float16: -65504,
  bfloat16: -3.3895313892515355e38,
};

/**
 * logcumsumexp(input, dim): grad_k = sum_{j >= k} g_j exp(x_k - r_j), computed in log space with
 * the positive and negative parts of g apart (PyTorch's formula, from TensorFlow).
 */
defineDerivative('logcumsumexp', {
  save: (args, result) => ({ x: args[0], r: result, dim: args[1] }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const r = saved.r as Tensor;
    const dim = saved.dim as number;
    if (g!.ndim === 0 || g!.numel() === 0) return [g!];
    return tidy(() => {
      const lowest = LOWEST[g!.dtype]!;
      const logPositive = where(g!.gt(0), g!.log(), lowest);
      const logNegative = where(g!.lt(0), g!.neg().log(), lowest);
      const reversedLogcumsumexp = (t: Tensor) => t.flip(dim).logcumsumexp(dim).flip(dim);
      const positive = reversedLogcumsumexp(logPositive.sub(r)).add(x).exp();
      const negative = reversedLogcumsumexp(logNegative.sub(r)).add(x).exp();
      return [positive.sub(negative)];
    });
  },
});
