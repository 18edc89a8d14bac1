/**
 * Mask kernels (masks are bool/uint8, already expanded to the data's shape by core) and nonzero.
 * Elements are visited in row-major order (forEachRow keeps that order), which is the order
 * masked_select/masked_scatter_ consume and produce values in.
 */
import { RuntimeError, emptyTensor } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { forEachRow } from '../iterate.js';

function countMask(mask: Tensor): number {
  const m = readAccess(mask);
  const M = m.arr;
  let count = 0;
  forEachRow(mask._shape, [m.strides], [m.off], (off, n, s) => {
    const m0 = off[0]!, sm = s[0]!;
    let c = 0; // a local: closure variables are slow to update per element
    for (let i = 0; i < n; i++) c += +(M[m0 + i * sm] !== 0);
    count += c;
  });
  return count;
}

export function maskedFillKernel(self: Tensor, mask: Tensor, value: number): void {
  const w = writeAccess(self);
  const m = readAccess(mask);
  const O = w.arr, M = m.arr;
  forEachRow(self._shape, [w.strides, m.strides], [w.off, m.off], (off, n, s) => {
    const o0 = off[0]!, m0 = off[1]!, so = s[0]!, sm = s[1]!;
    for (let i = 0; i < n; i++) if (M[m0 + i * sm]) O[o0 + i * so] = value;
  });
  w.commit();
}

export function maskedSelectKernel(self: Tensor, mask: Tensor): Tensor {
  const out = emptyTensor([countMask(mask)], self._dtype, self.device);
  if (out.numel() === 0) return out;
  const w = writeAccess(out);
  const r = readAccess(self);
  const m = readAccess(mask);
  const O = w.arr, A = r.arr, M = m.arr;
  let k = w.off;
  forEachRow(self._shape, [r.strides, m.strides], [r.off, m.off], (off, n, s) => {
    const a0 = off[0]!, m0 = off[1]!, sa = s[0]!, sm = s[1]!;
    // Branch-free: always write, advance only past selected elements (the writes past the
    // end of `out` fall outside its typed array and are dropped).
    let kk = k;
    for (let i = 0; i < n; i++) {
      O[kk] = A[a0 + i * sa]!;
      kk += +(M[m0 + i * sm] !== 0);
    }
    k = kk;
  });
  w.commit();
  return out;
}

export function maskedScatterKernel(self: Tensor, mask: Tensor, source: Tensor): void {
  if (source.numel() < countMask(mask)) throw new RuntimeError('Number of elements of source < number of ones in mask');
  const w = writeAccess(self);
  const r = readAccess(source);
  const m = readAccess(mask);
  const O = w.arr, S = r.arr, M = m.arr;
  let k = r.off;
  forEachRow(self._shape, [w.strides, m.strides], [w.off, m.off], (off, n, s) => {
    const o0 = off[0]!, m0 = off[1]!, so = s[0]!, sm = s[1]!;
    for (let i = 0; i < n; i++) if (M[m0 + i * sm]) O[o0 + i * so] = S[k++]!;
  });
  w.commit();
}

export function nonzeroKernel(self: Tensor): Tensor {
  const r = readAccess(self);
  const A = r.arr;
  const shape = self._shape, strides = r.strides, nd = shape.length;
  const numel = self.numel();
  // First pass counts, second writes coordinates (row-major, as PyTorch).
  let count = 0;
  forEachRow(shape, [strides], [r.off], (off, n, s) => {
    const a0 = off[0]!, sa = s[0]!;
    let c = 0;
    for (let i = 0; i < n; i++) c += +(A[a0 + i * sa] !== 0);
    count += c;
  });
  const out = emptyTensor([count, nd], 'int64', self.device);
  if (count === 0 || numel === 0) return out;
  // The output is fresh, contiguous and small-valued: write int64 low/high words directly.
  // One loop (no per-row closure: this is the hot path of boolean-mask indexing) walks the
  // elements in row-major order, advancing coordinates and offset like an odometer.
  const W = out._storage.host('int64') as Int32Array;
  const coord = new Int32Array(nd);
  const dims = Int32Array.from(shape);
  const st = Int32Array.from(strides);
  const step = 2 * nd;
  let k = 2 * out._offset;
  let p = r.off;
  for (let e = 0; e < numel; e++) {
    // Branch-free (mask branches mispredict): always write, advance only on non-zeros;
    // writes past the end of `out` fall outside its typed array and are dropped.
    for (let d = 0; d < nd; d++) {
      W[k + 2 * d] = coord[d]!;
      W[k + 2 * d + 1] = 0;
    }
    k += step * +(A[p] !== 0);
    for (let d = nd - 1; d >= 0; d--) {
      p += st[d]!;
      if (++coord[d]! < dims[d]!) break;
      p -= st[d]! * dims[d]!;
      coord[d] = 0;
    }
  }
  return out;
}
