/**
 * Derivatives of sum, nansum, mean, nanmean, prod and logsumexp (PyTorch's sum_backward,
 * nansum_backward, mean_backward, prod_backward, logsumexp_backward). Their impls take
 * (input, dims, keepdim, dtype?) with `dims` wrapped ([] only for a 0-d input).
 */
import { cat, ones, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import type { InputMeta } from './reduction-util.js';
import { castTo, expandBack, inputMeta, reducedCount, restoreDims } from './reduction-util.js';

interface Reduced {
  dims: number[];
  keepdim: boolean;
}
const reduced = (args: readonly unknown[]): Reduced => ({ dims: args[1] as number[], keepdim: args[2] as boolean });

defineDerivative('sum', {
  save: (args) => ({ in: inputMeta(args[0]), ...reduced(args) }),
  backward: ([g], { saved }) => {
    const m = saved.in as InputMeta;
    const { dims, keepdim } = saved as unknown as Reduced;
    return [castTo(expandBack(g!, m.shape, dims, keepdim), m.dtype)];
  },
});

defineDerivative('mean', {
  save: (args) => ({ in: inputMeta(args[0]), ...reduced(args) }),
  backward: ([g], { saved }) => {
    const m = saved.in as InputMeta;
    const { dims, keepdim } = saved as unknown as Reduced;
    // Divide before expanding: one division per output element.
    return tidy(() => [castTo(expandBack(g!.div(reducedCount(m.shape, dims)), m.shape, dims, keepdim), m.dtype)]);
  },
});

// NaNs take no gradient.
defineDerivative('nansum', {
  save: (args) => ({ x: args[0], ...reduced(args) }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const { dims, keepdim } = saved as unknown as Reduced;
    return tidy(() => [castTo(expandBack(g!, x.shape, dims, keepdim).mul(x.isnan().logicalNot()), x.dtype)]);
  },
});

// PyTorch's nanmean is nansum / (count of non-NaNs): an all-NaN slice gets NaN gradients (0 * inf).
defineDerivative('nanmean', {
  save: (args) => ({ x: args[0], ...reduced(args) }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const { dims, keepdim } = saved as unknown as Reduced;
    return tidy(() => {
      const kept = x.isnan().logicalNot();
      const count = kept.sum(dims, { keepdim: true });
      const share = restoreDims(g!, x.shape, dims, keepdim).div(count);
      return [castTo(share.expand([...x.shape]).mul(kept), x.dtype)];
    });
  },
});

/**
 * d prod / d x_k without dividing by x_k: the product of the elements before k times the
 * product of those after it, from exclusive cumulative products both ways (zeros are safe).
 */
function prodSafeZeros(g: Tensor, x: Tensor, dim: number): Tensor {
  if (x.numel() === 0) return g.expand([...x.shape]);
  const n = x.shape[dim]!;
  const oneShape = x.shape.map((s, d) => (d === dim ? 1 : s));
  const one = ones(oneShape, { dtype: x.dtype, device: x.device });
  const before = cat([one, x.narrow(dim, 0, n - 1)], dim).cumprod(dim);
  const after = cat([one, x.narrow(dim, 1, n - 1).flip(dim)], dim).cumprod(dim).flip(dim);
  return g.mul(before.mul(after));
}

// prod reduces every element or one dim: result / x when no element is zero, else the
// zero-safe formula (over the flattened input for a full reduction).
defineDerivative('prod', {
  save: (args, result) => ({ x: args[0], result, ...reduced(args) }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const result = saved.result as Tensor;
    const { dims, keepdim } = saved as unknown as Reduced;
    if (x.ndim === 0) return [castTo(g!, x.dtype)];
    return tidy(() => {
      const gk = restoreDims(g!, x.shape, dims, keepdim);
      if (!x.eq(0).any().item<boolean>()) return [castTo(gk.mul(restoreDims(result, x.shape, dims, keepdim).div(x)), x.dtype)];
      const xs = castTo(x, g!.dtype);
      const gi = dims.length === 1
        ? prodSafeZeros(gk, xs, dims[0]!)
        : prodSafeZeros(gk.reshape([1]), xs.reshape([-1]), 0).reshape([...x.shape]);
      return [castTo(gi, x.dtype)];
    });
  },
});

defineDerivative('logsumexp', {
  save: (args, result) => ({ x: args[0], result, ...reduced(args) }),
  backward: ([g], { saved }) => {
    const x = saved.x as Tensor;
    const { dims, keepdim } = saved as unknown as Reduced;
    return tidy(() => {
      const r = restoreDims(saved.result as Tensor, x.shape, dims, keepdim);
      return [castTo(restoreDims(g!, x.shape, dims, keepdim).mul(x.sub(r).exp()), x.dtype)];
    });
  },
});
