/**
 * gather and scatter (with every reduction of scatter / scatter_add / scatter_reduce): both walk
 * the index tensor's shape; the target/source offset along `dim` comes from the index value.
 * float32/float64 with int64 indices go to the wasm kernels (wasm/gather.ts) where they apply.
 */
import { RuntimeError, isFloatingPoint } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { readAccess, scalarAccess, spanOf, writeAccess } from '../access.js';
import { forEachRow } from '../iterate.js';
import { indexAccess } from './rows.js';
import { simdGather, simdScatter } from '../../wasm/gather.js';

/** 0-d tensors take part as 1-D tensors of one element (PyTorch's ensure_nonempty). */
function ne(a: readonly number[]): number[] {
  return a.length === 0 ? [1] : [...a];
}
function neStrides(a: readonly number[]): number[] {
  return a.length === 0 ? [0] : [...a];
}

function outOfBounds(idx: number, dim: number, size: number): RuntimeError {
  return new RuntimeError(`index ${idx} is out of bounds for dimension ${dim} with size ${size}`);
}

export function gatherKernel(out: Tensor, self: Tensor, dim: number, index: Tensor): void {
  if (simdGather(out, self, dim, index)) return;
  const w = writeAccess(out);
  const r = readAccess(self);
  const ix = indexAccess(index);
  const sStr = neStrides(r.strides);
  const dimStride = sStr[dim]!;
  sStr[dim] = 0;
  const size = ne(self._shape)[dim]!;
  const O = w.arr, A = r.arr, I = ix.arr;
  forEachRow(ne(index._shape), [neStrides(w.strides), neStrides(ix.strides), sStr], [w.off, ix.off, r.off], (off, n, s) => {
    const o0 = off[0]!, i0 = off[1]!, a0 = off[2]!, so = s[0]!, si = s[1]!, sa = s[2]!;
    for (let i = 0; i < n; i++) {
      const idx = I[i0 + i * si]!;
      if (idx < 0 || idx >= size) throw outOfBounds(idx, dim, size);
      O[o0 + i * so] = A[a0 + i * sa + idx * dimStride]!;
    }
  });
  w.commit();
}

type Reduce = 'none' | 'sum' | 'prod' | 'mean' | 'amax' | 'amin';
const CODE: Record<Reduce, number> = { none: 0, sum: 1, prod: 2, mean: 1, amax: 3, amin: 4 };

const INT_LIMITS: Partial<Record<DType, [number, number]>> = {
  bool: [0, 1], uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767],
  int32: [-2147483648, 2147483647], int64: [-(2 ** 63), 2 ** 63],
};

/** The value reduce starts from when `includeSelf` is false. */
function identity(reduce: Reduce, dtype: DType): number {
  if (reduce === 'prod') return 1;
  if (reduce === 'amax') return isFloatingPoint(dtype) ? -Infinity : INT_LIMITS[dtype]![0];
  if (reduce === 'amin') return isFloatingPoint(dtype) ? Infinity : INT_LIMITS[dtype]![1];
  return 0;
}

export function scatterKernel(self: Tensor, dim: number, index: Tensor, src: Tensor | number, reduce: Reduce, includeSelf: boolean): void {
  if (typeof src === 'object' && (reduce === 'none' || (reduce === 'sum' && includeSelf)) && simdScatter(self, dim, index, src, reduce === 'sum')) return;
  const w = writeAccess(self, false);
  const ix = indexAccess(index);
  const shape = ne(index._shape);
  const sa = typeof src === 'number' ? scalarAccess(src, shape.length) : readAccess(src);
  const tStr = neStrides(w.strides);
  const dimStride = tStr[dim]!;
  tStr[dim] = 0;
  const size = ne(self._shape)[dim]!;
  const T = w.arr, I = ix.arr, S = sa.arr;
  const strides = [neStrides(ix.strides), neStrides(sa.strides), tStr];
  const starts = [ix.off, sa.off, w.off];
  if (!includeSelf && reduce !== 'none') {
    const init = identity(reduce, self._dtype);
    forEachRow(shape, strides, starts, (off, n, s) => {
      for (let i = 0; i < n; i++) {
        const idx = I[off[0]! + i * s[0]!]!;
        if (idx < 0 || idx >= size) throw outOfBounds(idx, dim, size);
        T[off[2]! + i * s[2]! + idx * dimStride] = init;
      }
    });
  }
  const code = CODE[reduce];
  const counts = reduce === 'mean' ? new Float64Array(spanOf(self._shape, w.strides) + 1) : null;
  forEachRow(shape, strides, starts, (off, n, s) => {
    const i0 = off[0]!, s0 = off[1]!, t0 = off[2]!, si = s[0]!, ss = s[1]!, st = s[2]!;
    for (let i = 0; i < n; i++) {
      const idx = I[i0 + i * si]!;
      if (idx < 0 || idx >= size) throw outOfBounds(idx, dim, size);
      const p = t0 + i * st + idx * dimStride;
      const v = S[s0 + i * ss]!;
      const cur = T[p]!;
      switch (code) {
        case 0: T[p] = v; break;
        case 1: T[p] = cur + v; break;
        case 2: T[p] = cur * v; break;
        // NaN propagates, as PyTorch's scatter_reduce amax/amin.
        case 3: T[p] = v !== v || cur < v ? v : cur; break;
        case 4: T[p] = v !== v || cur > v ? v : cur; break;
      }
      if (counts) counts[p - w.off]!++;
    }
  });
  if (counts) {
    const floor = !isFloatingPoint(self._dtype);
    const extra = includeSelf ? 1 : 0;
    for (let p = 0; p < counts.length; p++) {
      const c = counts[p]!;
      if (c === 0) continue;
      const q = T[w.off + p]! / (c + extra);
      T[w.off + p] = floor ? Math.floor(q) : q;
    }
  }
  w.commit();
}
