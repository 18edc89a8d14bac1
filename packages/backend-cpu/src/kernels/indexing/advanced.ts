/**
 * Advanced indexing (ATen's index / index_put_). Core hands over `src` whose dims
 * first..first+k-1 are indexed by k index tensors already broadcast to one shape; the result
 * shape is src's dims before, the index shape, src's dims after. Each operand gets strides over
 * that result shape, so one strided walk reads (index) or writes (index_put_) every element.
 */
import { IndexError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import type { Access } from '../access.js';
import { forEachRow } from '../iterate.js';
import { indexAccess } from './rows.js';

interface Walk {
  shape: number[];
  /** Strides of src over the result shape (0 on the index dims). */
  srcStrides: number[];
  /** Strides of each index tensor over the result shape. */
  idxStrides: number[][];
  idx: Access[];
  /** Size and stride of each indexed dim of src. */
  sizes: number[];
  steps: number[];
}

function walk(srcShape: readonly number[], srcStrides: readonly number[], indices: readonly Tensor[], first: number): Walk {
  const k = indices.length;
  const idxShape = k > 0 ? [...indices[0]!._shape] : [];
  const before = srcShape.slice(0, first), after = srcShape.slice(first + k);
  const m = idxShape.length;
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const idx = indices.map((t) => indexAccess(t));
  return {
    shape: [...before, ...idxShape, ...after],
    srcStrides: [...srcStrides.slice(0, first), ...zeros(m), ...srcStrides.slice(first + k)],
    idxStrides: idx.map((a) => [...zeros(before.length), ...a.strides, ...zeros(after.length)]),
    idx,
    sizes: srcShape.slice(first, first + k),
    steps: srcStrides.slice(first, first + k),
  };
}

function outOfBounds(v: number, j: number, size: number): IndexError {
  return new IndexError(`index ${v} is out of bounds for dimension ${j} with size ${size}`);
}

export function indexKernel(out: Tensor, src: Tensor, indices: readonly Tensor[], first: number): void {
  const r = readAccess(src);
  const w = writeAccess(out);
  const wk = walk(src._shape, r.strides, indices, first);
  const k = indices.length;
  const O = w.arr, A = r.arr;
  const I = wk.idx.map((a) => a.arr);
  const { sizes, steps } = wk;
  forEachRow(wk.shape, [w.strides, wk.srcStrides, ...wk.idxStrides], [w.off, r.off, ...wk.idx.map((a) => a.off)], (off, n, s) => {
    for (let i = 0; i < n; i++) {
      let p = off[1]! + i * s[1]!;
      for (let j = 0; j < k; j++) {
        let v = I[j]![off[2 + j]! + i * s[2 + j]!]!;
        const size = sizes[j]!;
        if (v < -size || v >= size) throw outOfBounds(v, j, size);
        if (v < 0) v += size;
        p += v * steps[j]!;
      }
      O[off[0]! + i * s[0]!] = A[p]!;
    }
  });
  w.commit();
}

export function indexPutKernel(self: Tensor, indices: readonly Tensor[], first: number, values: Tensor, accumulate: boolean): void {
  const w = writeAccess(self, false);
  const v = readAccess(values);
  const wk = walk(self._shape, w.strides, indices, first);
  const k = indices.length;
  const T = w.arr, V = v.arr;
  const I = wk.idx.map((a) => a.arr);
  const { sizes, steps } = wk;
  forEachRow(wk.shape, [v.strides, wk.srcStrides, ...wk.idxStrides], [v.off, w.off, ...wk.idx.map((a) => a.off)], (off, n, s) => {
    for (let i = 0; i < n; i++) {
      let p = off[1]! + i * s[1]!;
      for (let j = 0; j < k; j++) {
        let x = I[j]![off[2 + j]! + i * s[2 + j]!]!;
        const size = sizes[j]!;
        if (x < -size || x >= size) throw outOfBounds(x, j, size);
        if (x < 0) x += size;
        p += x * steps[j]!;
      }
      const val = V[off[0]! + i * s[0]!]!;
      T[p] = accumulate ? T[p]! + val : val;
    }
  });
  w.commit();
}
