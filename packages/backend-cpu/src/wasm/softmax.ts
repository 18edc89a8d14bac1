/**
 * softmax / log_softmax of float32 tensors along their last dim, both contiguous, through the
 * WebAssembly kernel (assembly/softmax.ts); returns false when it does not apply.
 */
import type { Tensor } from '@torchts/core';
import { simd } from './simd.js';

export function simdSoftmax(out: Tensor, input: Tensor, dim: number, log: boolean): boolean {
  const ex = simd();
  const nd = input._shape.length;
  if (!ex || nd === 0 || input._dtype !== 'float32' || out._dtype !== 'float32') return false;
  if ((dim < 0 ? dim + nd : dim) !== nd - 1 || !input.isContiguous() || !out.isContiguous()) return false;
  const len = input._shape[nd - 1]!;
  const n = input.numel();
  if (n === 0) return true;
  ex.softmaxRowsF32(input._storage.ptr + input._offset * 4, out._storage.ptr + out._offset * 4, n / len, len, log ? 1 : 0);
  return true;
}
