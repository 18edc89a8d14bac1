/**
 * softmax / log_softmax of contiguous float32/float64 tensors along any dim through the
 * WebAssembly kernels (assembly/softmax.ts): rows for the last dim, panels of inner positions
 * streamed row by row (each thread with its own scratch) for the others; split over threads by
 * outer blocks or, for a single outer block, by positions of the inner dims; false when it does not
 * apply (other dtypes, non-contiguous inputs: the TS kernel runs).
 */
import type { Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/** Elements one thread should at least handle for a split to pay for the hand-off. */
const MIN_WORK = 1 << 13;

/** The inner-position split's unit: the kernels' widest strip (16 float32 columns). */
const STRIP = 16;

/**
 * Runs a kernel over a contiguous [outer, len, inner] layout (`len` the softmax dim) with the
 * arguments `args(o0, o1, j0, j1, thread)` for outer blocks [o0, o1) and inner positions [j0, j1)
 * (thread: the index for per-thread scratch): split over threads by outer blocks, or for a single
 * outer block with inner > 1 by inner positions, from `minWork` elements per thread.
 */
export function splitAlongDim(fn: Parameters<typeof runSplit>[0], outer: number, len: number, inner: number, minWork: number,
  args: (o0: number, o1: number, j0: number, j1: number, thread: number) => number[]): void {
  if (outer > 1 || inner === 1) {
    runSplit(fn, { items: outer, minItems: Math.ceil(minWork / (len * inner)) }, (a, b, t) => args(a, b, 0, inner, t));
  } else {
    runSplit(fn, { items: inner, minItems: Math.max(STRIP, Math.ceil(minWork / len)), align: STRIP }, (a, b, t) => args(0, 1, a, b, t));
  }
}

/** Columns per panel of the column kernel (assembly/softmax.ts PANEL). */
const PANEL = 512;

/** A thread's scratch for one panel: a max, a float64 sum and a factor per column. */
const panelFor = (thread: number, sz: number): number => heap.scratch(`softmax.panel.${thread}`, PANEL * (2 * sz + 8));

export function simdSoftmax(out: Tensor, input: Tensor, dim: number, log: boolean): boolean {
  const ex = simd();
  const nd = input._shape.length;
  const dtype = input._dtype;
  if (!ex || nd === 0 || (dtype !== 'float32' && dtype !== 'float64') || out._dtype !== dtype) return false;
  if (!input.isContiguous() || !out.isContiguous()) return false;
  const n = input.numel();
  if (n === 0) return true;
  const d = dim < 0 ? dim + nd : dim;
  const len = input._shape[d]!;
  let inner = 1;
  for (let k = d + 1; k < nd; k++) inner *= input._shape[k]!;
  const outer = n / (len * inner);
  const sz = dtype === 'float32' ? 4 : 8;
  const x = input._storage.ptr + input._offset * sz, o = out._storage.ptr + out._offset * sz;
  const flag = log ? 1 : 0;
  splitAlongDim(sz === 4 ? 'softmaxF32' : 'softmaxF64', outer, len, inner, MIN_WORK,
    (o0, o1, j0, j1, thread) => [x, o, o0, o1, len, inner, j0, j1, inner > 1 ? panelFor(thread, sz) : 0, flag]);
  return true;
}
