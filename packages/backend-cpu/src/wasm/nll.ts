/**
 * nll_loss forward / backward through the WebAssembly kernels (assembly/nll.ts): float32/float64
 * log-probabilities, gradients and weights of one dtype and int64 targets read in place (the ops
 * pass contiguous tensors); false when that does not hold (uint8 targets: the TS kernel runs).
 * Results are identical to the TS kernels. The work is O(N), so it runs on the calling thread.
 */
import { IndexError, decodeRange } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { simd } from './simd.js';
import type { SimdExports } from './simd.js';

const REDUCTIONS: Record<string, number> = { none: 0, mean: 1, sum: 2 };

function itemSize(t: Tensor): 4 | 8 | 0 {
  return t._dtype === 'float32' ? 4 : t._dtype === 'float64' ? 8 : 0;
}

const at = (t: Tensor, sz: number): number => t._storage.ptr + t._offset * sz;

/** The kernels and [rows, classes] when they apply, else null; throws for a target out of range. */
function plan(self: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): [SimdExports, 4 | 8, number, number] | null {
  const ex = simd();
  const sz = itemSize(self);
  if (!ex || !sz || target._dtype !== 'int64' || (weight && weight._dtype !== self._dtype)) return null;
  const C = self._shape[self._shape.length - 1]!;
  const n = target.numel();
  const bad = ex.nllFirstBadTarget(n, C, at(target, 8), ignoreIndex);
  if (bad) {
    const v = decodeRange(target._storage.host('int64'), 'int64', target._offset + bad - 1, 1)[0]!;
    throw new IndexError(`Target ${v} is out of bounds.`);
  }
  return [ex, sz, n, C];
}

export function simdNllForward(
  output: Tensor, totalWeight: Tensor, self: Tensor, target: Tensor, weight: Tensor | null, reduction: string, ignoreIndex: number,
): boolean {
  const p = plan(self, target, weight, ignoreIndex);
  if (!p) return false;
  const [ex, sz, n, C] = p;
  (sz === 4 ? ex.nllForwardF32 : ex.nllForwardF64)(n, C, at(self, sz), at(target, 8), weight ? at(weight, sz) : 0, ignoreIndex,
    REDUCTIONS[reduction]!, at(output, sz), at(totalWeight, sz));
  return true;
}

export function simdNllBackward(
  gradSelf: Tensor, gradOutput: Tensor, target: Tensor, weight: Tensor | null, reduction: string, ignoreIndex: number, totalWeight: Tensor,
): boolean {
  if (gradOutput._dtype !== gradSelf._dtype || totalWeight._dtype !== gradSelf._dtype) return false;
  const p = plan(gradSelf, target, weight, ignoreIndex);
  if (!p) return false;
  const [ex, sz, n, C] = p;
  (sz === 4 ? ex.nllBackwardF32 : ex.nllBackwardF64)(n, C, at(gradSelf, sz), at(gradOutput, sz), at(target, 8),
    weight ? at(weight, sz) : 0, ignoreIndex, REDUCTIONS[reduction]!, at(totalWeight, sz));
  return true;
}
