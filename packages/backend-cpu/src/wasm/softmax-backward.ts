/**
 * softmax / log_softmax gradients (assembly/softmax-backward.ts) for contiguous float32/float64
 * operands along any dim: rows for the last dim (or one followed only by size-1 dims), columns
 * (panels of inner positions streamed row by row, each column's sum in a per-thread scratch) for
 * the others; split over
 * threads as the forward kernel is (outer blocks, or inner positions of a single one). False when
 * it does not apply (0-d, other dtypes, non-contiguous operands: the TS kernel runs).
 */
import type { Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { splitAlongDim } from './softmax.js';
import { simd } from './simd.js';

/** Elements one thread should at least handle for a split to pay for the hand-off. */
const MIN_WORK = 1 << 14;
/** Columns per panel of the column kernel (assembly/softmax-backward.ts PANEL): one float64 sum each. */
const PANEL = 1024;

/** A thread's scratch for the column sums of one panel. */
const sumsFor = (thread: number, inner: number): number => heap.scratch(`softmaxBackward.sums.${thread}`, Math.min(inner, PANEL) * 8);

export function simdSoftmaxBackward(gradInput: Tensor, gradOutput: Tensor, output: Tensor, dim: number, log: boolean): boolean {
  const ex = simd();
  const dtype = output._dtype;
  const shape = output._shape;
  if (!ex || shape.length === 0 || (dtype !== 'float32' && dtype !== 'float64')) return false;
  if (![gradInput, gradOutput].every((t) => t._dtype === dtype) || ![gradInput, gradOutput, output].every((t) => t.isContiguous())) return false;
  const n = output.numel();
  if (n === 0) return true;
  const d = dim < 0 ? dim + shape.length : dim;
  const len = shape[d]!;
  let inner = 1;
  for (let k = d + 1; k < shape.length; k++) inner *= shape[k]!;
  const outer = n / (len * inner);
  const sz = dtype === 'float32' ? 4 : 8;
  const at = (t: Tensor): number => t._storage.ptr + t._offset * sz;
  const g = at(gradOutput), y = at(output), o = at(gradInput);
  const flag = log ? 1 : 0;
  splitAlongDim(sz === 4 ? 'softmaxBackwardF32' : 'softmaxBackwardF64', outer, len, inner, MIN_WORK,
    (o0, o1, j0, j1, thread) => [g, y, o, o0, o1, len, inner, j0, j1, inner > 1 ? sumsFor(thread, inner) : 0, flag]);
  return true;
}
