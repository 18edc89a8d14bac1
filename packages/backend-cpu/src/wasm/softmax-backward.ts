/**
 * softmax / log_softmax gradients (assembly/softmax-backward.ts) for contiguous float32/float64
 * operands along the last dim (or a dim followed only by size-1 dims), split over threads by rows;
 * false when it does not apply (other dims: the TS kernel runs).
 */
import type { Tensor } from '@torchts/core';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/** Elements one thread should at least handle for a split to pay for the hand-off. */
const MIN_WORK = 1 << 14;

export function simdSoftmaxBackward(gradInput: Tensor, gradOutput: Tensor, output: Tensor, dim: number, log: boolean): boolean {
  const ex = simd();
  const dtype = output._dtype;
  const shape = output._shape;
  if (!ex || shape.length === 0 || (dtype !== 'float32' && dtype !== 'float64')) return false;
  if (shape.slice(dim + 1).some((n) => n !== 1)) return false;
  const len = shape[dim]!;
  const rows = output.numel() / Math.max(1, len);
  const sz = dtype === 'float32' ? 4 : 8;
  const at = (t: Tensor): number => t._storage.ptr + t._offset * sz;
  const g = at(gradOutput), y = at(output), o = at(gradInput);
  runSplit(sz === 4 ? 'softmaxBackwardF32' : 'softmaxBackwardF64', { items: rows, minItems: Math.ceil(MIN_WORK / Math.max(1, len)) },
    (r0, r1) => [g, y, o, r0, r1, len, log ? 1 : 0]);
  return true;
}
