/**
 * CPU kernels of nll_loss_forward / nll_loss_backward: one pass over the N targets. Targets are
 * checked before anything is written; sums accumulate in float64 in row order. float32/float64
 * with int64 targets run the wasm kernels (src/wasm/nll.ts; the same arithmetic, no int64
 * decoding or temporary arrays).
 */
import { IndexError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { readF64, writeF64 } from './norm-planes.js';
import { simdNllBackward, simdNllForward } from '../../wasm/nll.js';

/** The class index of each row, -1 where it equals ignoreIndex; throws for one out of [0, C). */
function classIndices(target: Tensor, C: number, ignoreIndex: number): Int32Array {
  const t = readAccess(target);
  const n = target.numel();
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = t.arr[t.off + i]!;
    if (v === ignoreIndex) idx[i] = -1;
    else if (v < 0 || v >= C) throw new IndexError(`Target ${v} is out of bounds.`);
    else idx[i] = v;
  }
  return idx;
}

export function nllLossForwardKernel(
  output: Tensor, totalWeight: Tensor, self: Tensor, target: Tensor, weight: Tensor | null, reduction: string, ignoreIndex: number,
): void {
  if (simdNllForward(output, totalWeight, self, target, weight, reduction, ignoreIndex)) return;
  const C = self._shape[self._shape.length - 1]!;
  const idx = classIndices(target, C, ignoreIndex);
  const x = readAccess(self);
  const w = weight ? readF64(weight) : null;
  const losses = new Float64Array(idx.length);
  let total = 0, sum = 0;
  for (let i = 0; i < idx.length; i++) {
    const t = idx[i]!;
    if (t < 0) continue;
    const wt = w ? w[t]! : 1;
    losses[i] = -x.arr[x.off + i * C + t]! * wt;
    total += wt;
    sum += losses[i]!;
  }
  if (reduction === 'none') {
    writeF64(output, losses);
    writeF64(totalWeight, [0]);
    return;
  }
  writeF64(output, [reduction === 'sum' ? sum : sum / total]);
  writeF64(totalWeight, [total]);
}

export function nllLossBackwardKernel(
  gradSelf: Tensor, gradOutput: Tensor, target: Tensor, weight: Tensor | null, reduction: string, ignoreIndex: number, totalWeight: Tensor,
): void {
  if (simdNllBackward(gradSelf, gradOutput, target, weight, reduction, ignoreIndex, totalWeight)) return;
  const C = gradSelf._shape[gradSelf._shape.length - 1]!;
  const idx = classIndices(target, C, ignoreIndex);
  const g = readF64(gradOutput);
  const w = weight ? readF64(weight) : null;
  const total = readF64(totalWeight)[0]!;
  const out = writeAccess(gradSelf);
  out.arr.fill(0, out.off, out.off + gradSelf.numel());
  for (let i = 0; i < idx.length; i++) {
    const t = idx[i]!;
    if (t < 0) continue;
    const gi = reduction === 'none' ? g[i]! : reduction === 'mean' ? g[0]! / total : g[0]!;
    out.arr[out.off + i * C + t] = -(w ? w[t]! : 1) * gi;
  }
  out.commit();
}
