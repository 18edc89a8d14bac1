/**
 * Derivatives of var, std, var_mean, std_mean ((input, dims, correction, keepdim)) and norm
 * ((input, p, dims, keepdim, dtype)): PyTorch's var_backward, std_backward, var_mean_backward,
 * std_mean_backward and norm_backward (torch.norm's vector p-norms are linalg_vector_norm).
 */
import { tidy, zeros } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { castTo, expandBack, reducedCount, restoreDims } from './reduction-util.js';

interface StatSaved {
  x: Tensor;
  dims: number[];
  correction: number;
  keepdim: boolean;
}

const saveStat = (args: readonly unknown[]) => ({ x: args[0], dims: args[1], correction: args[2], keepdim: args[3] });
// std's backward also needs std itself (std_mean's first output).
const saveStd = (args: readonly unknown[], result: unknown) => ({ ...saveStat(args), std: Array.isArray(result) ? result[0] : result });

/**
 * 2 / (N - correction) * g * (x - mean). With N - correction = 0 this is inf * 0 = NaN where x
 * equals the mean, as in PyTorch; a 0-d input (N = 1) gets inf * g there, as PyTorch's no-dim path.
 */
function varBackward(g: Tensor, s: StatSaved): Tensor {
  const { x, dims, correction, keepdim } = s;
  if (x.ndim === 0) return correction === 1 ? g.mul(Infinity) : g.mul(2 / (1 - correction)).mul(x.sub(x.mean()));
  const dof = reducedCount(x.shape, dims) - correction;
  return restoreDims(g, x.shape, dims, keepdim).mul(2 / dof).mul(x.sub(x.mean(dims, { keepdim: true })));
}

/** var's gradient of g / (2 std); zero where std is 0 (PyTorch masks it). */
function stdBackward(g: Tensor, std: Tensor, s: StatSaved): Tensor {
  return varBackward(g.div(std.mul(2)).maskedFill(std.eq(0), 0), s);
}

function meanBackward(g: Tensor, s: StatSaved): Tensor {
  const { x, dims, keepdim } = s;
  return expandBack(g.div(reducedCount(x.shape, dims)), x.shape, dims, keepdim);
}

defineDerivative('var', {
  save: saveStat,
  backward: ([g], { saved }) => tidy(() => [varBackward(g!, saved as unknown as StatSaved)]),
});

defineDerivative('std', {
  save: saveStd,
  backward: ([g], { saved }) => tidy(() => [stdBackward(g!, saved.std as Tensor, saved as unknown as StatSaved)]),
});

// Two differentiable outputs: both gradients flow back (a missing one arrives as zeros).
defineDerivative('var_mean', {
  save: saveStat,
  backward: ([gVar, gMean], { saved }) => {
    const s = saved as unknown as StatSaved;
    return tidy(() => [varBackward(gVar!, s).add(meanBackward(gMean!, s))]);
  },
});

defineDerivative('std_mean', {
  save: saveStd,
  backward: ([gStd, gMean], { saved }) => {
    const s = saved as unknown as StatSaved;
    return tidy(() => [stdBackward(gStd!, saved.std as Tensor, s).add(meanBackward(gMean!, s))]);
  },
});

interface NormSaved {
  x: Tensor;
  norm: Tensor;
  p: number;
  dims: number[];
  keepdim: boolean;
}

/** PyTorch's norm_backward, branch by branch; every zero-norm slice gets a zero gradient. */
function normBackward(g: Tensor, s: NormSaved): Tensor {
  const { x, p, dims, keepdim } = s;
  const gk = restoreDims(g, x.shape, dims, keepdim);
  const norm = restoreDims(s.norm, x.shape, dims, keepdim);
  if (p === 0) return zeros([...x.shape], { dtype: g.dtype, device: x.device });
  if (p === 1) return x.sign().mul(gk);
  if (p === 2) return gk.mul(x.div(norm).maskedFill(norm.eq(0), 0));
  if (!Number.isFinite(p)) {
    // amax/amin of |x|, the gradient split among the ties (and NaNs).
    const ax = x.abs();
    const mask = ax.eq(norm).logicalOr(ax.isnan());
    return x.sign().mul(gk.div(mask.sum(dims, { keepdim: true })).mul(mask));
  }
  if (p < 1) {
    const scaled = x.sign().mul(x.abs().pow(p - 1).maskedFill(x.eq(0), 0));
    return scaled.mul(gk).mul(norm.pow(1 - p));
  }
  const scaled = p < 2 ? x.sign().mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2));
  return scaled.mul(gk.div(norm.pow(p - 1)).maskedFill(norm.eq(0), 0));
}

defineDerivative('norm', {
  save: (args, result) => ({ x: args[0], norm: result, p: args[1], dims: args[2], keepdim: args[3] }),
  backward: ([g], { saved }) => {
    const s = saved as unknown as NormSaved;
    return tidy(() => [castTo(normBackward(g!, s), s.x.dtype)]);
  },
});
