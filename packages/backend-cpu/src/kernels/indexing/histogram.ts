/**
 * histc and bincount. histc bins like PyTorch's linear interpolation, computed in the input's
 * precision: pos = trunc((x - min) * bins / (max - min)), the last bin closed on the right.
 */
import { RuntimeError, bfloat16ToFloat, emptyTensor, floatToBfloat16, floatToHalf, halfToFloat } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';

/** How C++ streams print a double: 6 significant digits, inf / nan. */
function cxx(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(Number(v.toPrecision(6)));
}

/** Rounds an intermediate to the dtype's precision, as scalar_t arithmetic does. */
function rounder(dtype: DType): (x: number) => number {
  if (dtype === 'float32') return Math.fround;
  if (dtype === 'float16') return (x) => halfToFloat(floatToHalf(x));
  if (dtype === 'bfloat16') return (x) => bfloat16ToFloat(floatToBfloat16(x));
  return (x) => x;
}

export function histcKernel(out: Tensor, self: Tensor, bins: number, min: number, max: number): void {
  const r = readAccess(self);
  const A = r.arr;
  const n = self.numel();
  let lo = min, hi = max;
  if (lo === hi && n > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = A[r.off + i]!;
      if (x !== x) {
        lo = hi = NaN;
        break;
      }
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RuntimeError(`torch.histc: range of [${cxx(lo)}, ${cxx(hi)}] is not finite`);
  if (!(lo < hi)) throw new RuntimeError('torch.histc: max must be larger than min');
  const round = rounder(self._dtype);
  const left = round(lo), rightEdge = round(hi), width = round(rightEdge - left);
  const counts = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const x = A[r.off + i]!;
    if (!(x >= left && x <= rightEdge)) continue;
    let pos = Math.trunc(round(round(round(x - left) * bins) / width));
    if (pos >= bins) pos = bins - 1;
    counts[pos]!++;
  }
  const w = writeAccess(out);
  for (let b = 0; b < bins; b++) w.arr[w.off + b] = counts[b]!;
  w.commit();
}

export function bincountKernel(self: Tensor, weights: Tensor | null, minlength: number): Tensor {
  const r = readAccess(self);
  const A = r.arr;
  const n = self.numel();
  let max = -1;
  for (let i = 0; i < n; i++) {
    const x = A[r.off + i]!;
    if (x < 0) throw new RuntimeError('bincount only supports 1-d non-negative integral inputs.');
    if (x > max) max = x;
  }
  const size = Math.max(max + 1, minlength);
  const dtype: DType = weights ? (weights._dtype === 'float32' ? 'float32' : 'float64') : 'int64';
  const counts = new Float64Array(size);
  const wa = weights ? readAccess(weights) : null;
  for (let i = 0; i < n; i++) counts[A[r.off + i]!]! += wa ? wa.arr[wa.off + i]! : 1;
  const out = emptyTensor([size], dtype, self.device);
  const w = writeAccess(out);
  for (let b = 0; b < size; b++) w.arr[w.off + b] = counts[b]!;
  w.commit();
  return out;
}
