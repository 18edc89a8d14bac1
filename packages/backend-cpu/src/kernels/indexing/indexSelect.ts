/**
 * Kernels that index one dim with a vector of indices (index_select, index_add_, index_copy_,
 * index_fill_) and take (flat indices). Each index entry moves one slice (the tensor without
 * `dim`); the slice walk is planned once (rows.ts).
 */
import { IndexError, RuntimeError, isFloatingPoint } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import type { Access } from '../access.js';
import { indexAccess, rowIterator, without } from './rows.js';
import { simdIndexAdd, simdIndexSelect } from '../../wasm/rows.js';

/** Shape and strides with 0-d seen as [1]. */
function ne(a: readonly number[], fill: number): number[] {
  return a.length === 0 ? [fill] : [...a];
}

/** Index value `j` of a 0-d or 1-D index tensor. */
function indexAt(ix: Access, j: number): number {
  return ix.arr[ix.off + j * (ix.strides[0] ?? 0)]!;
}

export function indexSelectKernel(out: Tensor, self: Tensor, dim: number, index: Tensor): void {
  if (simdIndexSelect(out, self, dim, index)) return;
  const w = writeAccess(out);
  const r = readAccess(self);
  const ix = indexAccess(index);
  const shape = ne(self._shape, 1);
  const size = shape[dim]!;
  const fail = (idx: number) => (self._shape.length > 1 && dim === 1
    ? new RuntimeError(`INDICES element is out of DATA bounds, id=${idx} axis_dim=${size}`)
    : new IndexError('index out of range in self'));
  const oStr = ne(w.strides, 0), sStr = ne(r.strides, 0);
  const O = w.arr, A = r.arr;
  const n = index.numel();
  if (shape.length === 1) {
    const so = oStr[0]!, sa = sStr[0]!;
    for (let j = 0; j < n; j++) {
      const idx = indexAt(ix, j);
      if (idx < 0 || idx >= size) throw fail(idx);
      O[w.off + j * so] = A[r.off + idx * sa]!;
    }
  } else {
    const rows = rowIterator(without(shape, dim), [without(oStr, dim), without(sStr, dim)]);
    const copyRow = (off: number[], m: number, s: number[]) => {
      const o0 = off[0]!, a0 = off[1]!, so = s[0]!, sa = s[1]!;
      for (let i = 0; i < m; i++) O[o0 + i * so] = A[a0 + i * sa]!;
    };
    const starts = [0, 0];
    for (let j = 0; j < n; j++) {
      const idx = indexAt(ix, j);
      if (idx < 0 || idx >= size) throw fail(idx);
      starts[0] = w.off + j * oStr[dim]!;
      starts[1] = r.off + idx * sStr[dim]!;
      rows(starts, copyRow);
    }
  }
  w.commit();
}

type SliceOp = 'add' | 'copy';

/** index_add_ and index_copy_: slice j of `source` goes to slice index[j] of `self`. */
function indexPutSlices(op: SliceOp, self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number, fail: (idx: number, size: number) => Error, wrap: boolean): void {
  const w = writeAccess(self, false);
  const r = readAccess(source);
  const ix = indexAccess(index);
  const shape = ne(self._shape, 1);
  const size = shape[dim]!;
  const tStr = ne(w.strides, 0);
  const sStr = source._shape.length === 0 ? new Array<number>(shape.length).fill(0) : [...r.strides];
  const T = w.arr, S = r.arr;
  const a = isFloatingPoint(self._dtype) ? alpha : Math.trunc(alpha);
  const rows = rowIterator(without(shape, dim), [without(tStr, dim), without(sStr, dim)]);
  const addRow = (off: number[], m: number, s: number[]) => {
    const t0 = off[0]!, s0 = off[1]!, st = s[0]!, ss = s[1]!;
    for (let i = 0; i < m; i++) T[t0 + i * st] = T[t0 + i * st]! + a * S[s0 + i * ss]!;
  };
  const copyRow = (off: number[], m: number, s: number[]) => {
    const t0 = off[0]!, s0 = off[1]!, st = s[0]!, ss = s[1]!;
    for (let i = 0; i < m; i++) T[t0 + i * st] = S[s0 + i * ss]!;
  };
  const row = op === 'add' ? addRow : copyRow;
  const starts = [0, 0];
  const n = index.numel();
  for (let j = 0; j < n; j++) {
    let idx = indexAt(ix, j);
    if (idx < (wrap ? -size : 0) || idx >= size) throw fail(idx, size);
    if (idx < 0) idx += size;
    starts[0] = w.off + idx * tStr[dim]!;
    starts[1] = r.off + j * (sStr[dim] ?? 0);
    rows(starts, row);
  }
  w.commit();
}

export function indexAddKernel(self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number): void {
  if (simdIndexAdd(self, dim, index, source, alpha)) return;
  indexPutSlices('add', self, dim, index, source, alpha, () => new IndexError('index out of range in self'), false);
}

export function indexCopyKernel(self: Tensor, dim: number, index: Tensor, source: Tensor): void {
  indexPutSlices('copy', self, dim, index, source, 1,
    (idx, size) => new IndexError(`index_copy_(): index ${idx} is out of bounds for dimension ${dim} with size ${size}`), false);
}

export function indexFillKernel(self: Tensor, dim: number, index: Tensor, value: number): void {
  const w = writeAccess(self, false);
  const ix = indexAccess(index);
  const shape = ne(self._shape, 1);
  const size = shape[dim]!;
  const tStr = ne(w.strides, 0);
  const T = w.arr;
  const rows = rowIterator(without(shape, dim), [without(tStr, dim)]);
  const fillRow = (off: number[], m: number, s: number[]) => {
    const t0 = off[0]!, st = s[0]!;
    for (let i = 0; i < m; i++) T[t0 + i * st] = value;
  };
  const starts = [0];
  const n = index.numel();
  for (let j = 0; j < n; j++) {
    let idx = indexAt(ix, j);
    if (idx < -size || idx >= size) throw new IndexError(`index ${idx} is out of bounds for dimension ${dim} with size ${size}`);
    if (idx < 0) idx += size;
    starts[0] = w.off + idx * tStr[dim]!;
    rows(starts, fillRow);
  }
  w.commit();
}

export function takeKernel(out: Tensor, self: Tensor, index: Tensor): void {
  const w = writeAccess(out);
  const r = readAccess(self);
  const ix = indexAccess(index);
  const N = self.numel();
  const shape = self._shape, strides = r.strides, nd = shape.length;
  const contiguous = self.isContiguous();
  const O = w.arr, A = r.arr, I = ix.arr;
  // Flat (row-major) position -> element offset of `self`.
  const offsetOf = (flat: number): number => {
    if (contiguous) return r.off + flat;
    let off = r.off;
    for (let d = nd - 1; d >= 0; d--) {
      const s = shape[d]!;
      off += (flat % s) * strides[d]!;
      flat = Math.floor(flat / s);
    }
    return off;
  };
  // out and index share a shape: walk both in row-major order.
  const n = index.numel();
  const ishape = index._shape, istr = ix.strides, ostr = w.strides;
  const coord = new Array<number>(ishape.length).fill(0);
  let io = ix.off, oo = w.off;
  for (let k = 0; k < n; k++) {
    let idx = I[io]!;
    if (idx < -N || idx >= N) throw new IndexError(`out of range: tried to access index ${idx} on a tensor of ${N} elements.`);
    if (idx < 0) idx += N;
    O[oo] = A[offsetOf(idx)]!;
    for (let d = ishape.length - 1; d >= 0; d--) {
      coord[d]!++;
      io += istr[d]!;
      oo += ostr[d]!;
      if (coord[d]! < ishape[d]!) break;
      io -= istr[d]! * ishape[d]!;
      oo -= ostr[d]! * ishape[d]!;
      coord[d] = 0;
    }
  }
  w.commit();
}
