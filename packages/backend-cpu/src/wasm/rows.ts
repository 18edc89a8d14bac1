/**
 * index_select and index_add_ along dim 0 with contiguous rows (embedding's forward and backward)
 * through the WebAssembly row kernels (assembly/rows.ts). int64/int32 indices are read in place
 * and all checked before anything is written. index_select copies rows of any dtype;
 * index_add_ adds float32/float64 rows, threads splitting the columns so repeated indices still
 * add in index order: results are the TS kernel's for every thread count (a source with
 * non-contiguous rows is copied first). Other cases return false and run in TS.
 */
import { IndexError, emptyTensor, itemsize } from '@torchts/core';
import { copyKernel } from '../kernels/copy.js';
import type { Tensor } from '@torchts/core';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';
import type { SimdExports } from './simd.js';

/** Rows narrower than this stay in TS (a call per row costs more than a short TS loop). */
const MIN_ROW_BYTES = 16;
/** Bytes each thread should move at least for a hand-off to pay. */
const MIN_BYTES_PER_THREAD = 64 * 1024;

/** Whether dims 1.. of `t` form one contiguous block per row. */
function rowsContiguous(t: Tensor): boolean {
  let expected = 1;
  for (let d = t._shape.length - 1; d >= 1; d--) {
    if (t._shape[d] !== 1 && t._strides[d] !== expected) return false;
    expected *= t._shape[d]!;
  }
  return true;
}

function rowLength(t: Tensor): number {
  return t._shape.slice(1).reduce((a, b) => a * b, 1);
}

interface Indices {
  ptr: number;
  stride: number;
  wide: number;
  n: number;
}

function indicesOf(index: Tensor): Indices | null {
  if (index._dtype !== 'int64' && index._dtype !== 'int32') return null;
  const wide = index._dtype === 'int64' ? 1 : 0;
  return { ptr: index._storage.ptr + index._offset * (wide ? 8 : 4), stride: index._strides[0] ?? 0, wide, n: index.numel() };
}

/** Throws PyTorch's IndexError when an index is outside [0, size); writes nothing before. */
function checkIndices(ex: SimdExports, ix: Indices, size: number): void {
  if (ex.firstBadIndex(ix.n, ix.ptr, ix.stride, ix.wide, size) !== 0) throw new IndexError('index out of range in self');
}

export function simdIndexSelect(out: Tensor, self: Tensor, dim: number, index: Tensor): boolean {
  const ex = simd();
  if (!ex || dim !== 0 || self._shape.length === 0 || !out.isContiguous() || !rowsContiguous(self)) return false;
  const ix = indicesOf(index);
  const size = itemsize(self._dtype);
  const rowBytes = rowLength(self) * size;
  if (!ix || rowBytes < MIN_ROW_BYTES) return false;
  checkIndices(ex, ix, self._shape[0]!);
  const outPtr = out._storage.ptr + out._offset * size, srcPtr = self._storage.ptr + self._offset * size;
  const split = { items: ix.n, minItems: Math.ceil(MIN_BYTES_PER_THREAD / rowBytes) };
  runSplit('indexSelectRows', split, (j0, j1) => [j0, j1, rowBytes, outPtr, srcPtr, self._strides[0]! * size, ix.ptr, ix.stride, ix.wide]);
  return true;
}

export function simdIndexAdd(self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number): boolean {
  const ex = simd();
  const f32 = self._dtype === 'float32';
  if (!ex || dim !== 0 || (!f32 && self._dtype !== 'float64') || source._dtype !== self._dtype) return false;
  if (self._shape.length === 0 || source._shape.length !== self._shape.length || self._storage === source._storage) return false;
  if (!rowsContiguous(self)) return false;
  const ix = indicesOf(index);
  const len = rowLength(self), size = f32 ? 4 : 8;
  if (!ix || len * size < MIN_ROW_BYTES) return false;
  checkIndices(ex, ix, self._shape[0]!);
  // A source whose rows are not contiguous (a broadcast gradient: `emb(x).sum().backward()`) is
  // copied first: one pass through copy_'s row kernels instead of the TS loop.
  const src = rowsContiguous(source) ? source : emptyTensor([...source._shape], source._dtype, source.device);
  if (src !== source) copyKernel(src, source);
  const tPtr = self._storage.ptr + self._offset * size, sPtr = src._storage.ptr + src._offset * size;
  const split = { items: len, minItems: Math.max(4, Math.ceil(MIN_BYTES_PER_THREAD / size / ix.n)), align: 4 };
  runSplit(f32 ? 'indexAddRowsF32' : 'indexAddRowsF64', split, (c0, c1) => [
    ix.n, c0, c1, tPtr, self._strides[0]!, sPtr, src._strides[0]!, ix.ptr, ix.stride, ix.wide, alpha,
  ]);
  if (src !== source) src.dispose();
  return true;
}
