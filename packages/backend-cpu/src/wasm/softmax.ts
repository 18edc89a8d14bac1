/**
 * softmax / log_softmax of contiguous float32/float64 tensors along any dim through the
 * WebAssembly kernels (assembly/softmax.ts), split over threads by outer blocks (rows, for the
 * last dim) or, for a single outer block, by positions of the inner dims; false when it does not
 * apply (other dtypes, non-contiguous inputs: the TS kernel runs).
 */
import type { Tensor } from '@torchts/core';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/** Elements one thread should at least handle for a split to pay for the hand-off. */
const MIN_WORK = 1 << 13;

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
  const fn = sz === 4 ? 'softmaxF32' : 'softmaxF64';
  const flag = log ? 1 : 0;
  if (outer > 1 || inner === 1) {
    runSplit(fn, { items: outer, minItems: Math.ceil(MIN_WORK / (len * inner)) }, (a, b) => [x, o, a, b, len, inner, 0, inner, flag]);
  } else {
    runSplit(fn, { items: inner, minItems: Math.max(4, Math.ceil(MIN_WORK / len)), align: 4 }, (a, b) => [x, o, 0, 1, len, inner, a, b, flag]);
  }
  return true;
}
