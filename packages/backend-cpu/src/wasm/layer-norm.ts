/**
 * Layer norm forward and backward through the fused per-row kernels (assembly/layer-norm.ts): one
 * call instead of the passes of kernels/nn/norm.ts, statistics read and written in the tensors'
 * dtype, no staging through JS arrays. Rows split over the threads. The backward's column sums
 * (weight and bias gradients) run inside the row kernel when one call takes every row; a split
 * backward leaves them to the column pass (split by columns), so the bytes are the same for any
 * thread count. Each returns false where the kernels do not apply.
 */
import type { Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { layerNormParamGrads, readF64 } from '../kernels/nn/norm-planes.js';
import { addr, minPlanes, suffixOf } from './norm.js';
import { runSplit, splitRanges } from './parallel.js';

/** A float64 scratch of `n` values for the calling thread's share of a call. */
const wide = (thread: number, n: number): number => heap.scratch(`layerNorm.wide.${thread}`, Math.max(8, n * 8));

export function simdLayerNorm(
  out: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, w: Tensor | null, b: Tensor | null, M: number, K: number, eps: number,
): boolean {
  const sfx = suffixOf(out, mean, rstd, x, w, b);
  if (!sfx) return false;
  const sz = x._dtype === 'float32' ? 4 : 8;
  const op = addr(out), xp = addr(x), mp = addr(mean), rp = addr(rstd), wp = addr(w), bp = addr(b);
  const flags = (w ? 2 : 0) | (b ? 4 : 0);
  runSplit(`layerNorm${sfx}`, { items: M, minItems: minPlanes(K) }, (s, e, t) => [
    op + s * K * sz, xp + s * K * sz, wp, bp, mp + s * sz, rp + s * sz, wide(t, 2 * K), e - s, K, eps, flags,
  ]);
  return true;
}

export function simdLayerNormBackward(
  dx: Tensor | null, dw: Tensor | null, db: Tensor | null, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, w: Tensor | null, M: number, K: number,
): boolean {
  const sfx = suffixOf(dy, x, mean, rstd, w, dx, dw, db);
  if (!sfx) return false;
  const sz = x._dtype === 'float32' ? 4 : 8;
  const split = { items: M, minItems: minPlanes(K) };
  const fused = splitRanges(split).length === 1 && (dw || db) !== null;
  const gp = addr(dy), xp = addr(x), op = addr(dx), mp = addr(mean), rp = addr(rstd);
  const flags = (dx ? 1 : 0) | (w ? 2 : 0) | (fused ? 4 : 0);
  if (flags & 5) {
    runSplit(`layerNormBackward${sfx}`, split, (s, e, t) => {
      const acc = wide(t, 3 * K);
      return [op && op + s * K * sz, gp + s * K * sz, xp + s * K * sz, addr(w), mp + s * sz, rp + s * sz, acc + 16 * K, acc, addr(dw), addr(db), e - s, K, flags];
    });
  }
  if (!fused && (dw || db)) layerNormParamGrads(dw, db, dy, x, readF64(mean), readF64(rstd), M, K);
  return true;
}
