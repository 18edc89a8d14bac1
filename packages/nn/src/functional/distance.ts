/** Distances and related helpers: pairwiseDistance, cosineSimilarity, normalize, oneHot. */
import { RuntimeError, norm, tidy, zeros } from '@torchts/core';
import type { Tensor } from '@torchts/core';

/** ‖x1 - x2 + eps‖_p over the last dim. */
export function pairwiseDistance(
  x1: Tensor, x2: Tensor, opts: { p?: number; eps?: number; keepdim?: boolean } = {},
): Tensor {
  const p = opts.p ?? 2;
  const eps = opts.eps ?? 1e-6;
  const outDim = Math.max(x1.ndim, x2.ndim);
  return tidy(() => {
    const diff = x1.sub(x2).add(eps);
    if (outDim === 0) return diff.abs();
    return norm(diff, p, outDim - 1, opts.keepdim ?? false);
  });
}

/** Σ x1·x2 / sqrt(max(Σx1² · Σx2², eps²)) along `dim` (PyTorch 1.13's formula). */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts: { dim?: number; eps?: number } = {}): Tensor {
  const dim = opts.dim ?? 1;
  const eps = opts.eps ?? 1e-8;
  return tidy(() => {
    const w12 = x1.mul(x2).sum(dim);
    const w1 = x1.mul(x1).sum(dim);
    const w2 = x2.mul(x2).sum(dim);
    return w12.div(w1.mul(w2).clampMin(eps * eps).sqrt());
  });
}

/** input / max(‖input‖_p, eps) along `dim`. */
export function normalize(input: Tensor, opts: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  const p = opts.p ?? 2;
  const dim = opts.dim ?? 1;
  const eps = opts.eps ?? 1e-12;
  return tidy(() => input.div(norm(input, p, dim, true).clampMin(eps).expand(input.shape as number[])));
}

/** int64 (N...) -> int64 (N..., numClasses) with a 1 at each index. */
export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  if (tensor.dtype !== 'int64') throw new RuntimeError('one_hot is only applicable to index tensor.');
  let n = numClasses;
  if (tensor.numel() === 0) {
    if (n <= 0) throw new RuntimeError('Can not infer total number of classes from empty tensor.');
    return zeros([...tensor.shape, n], { dtype: 'int64' });
  }
  const values = tidy(() => tensor.reshape(-1).tolist() as number[]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo < 0) throw new RuntimeError('Class values must be non-negative.');
  if (n === -1) n = hi + 1;
  else if (hi >= n) throw new RuntimeError('Class values must be smaller than num_classes.');
  return tidy(() => zeros([...tensor.shape, n], { dtype: 'int64' }).scatter(-1, tensor.unsqueeze(-1), 1));
}
