/**
 * amax/amin (and max()/min() of every element), max/min along a dim with indices, argmax/argmin,
 * aminmax. NaN wins (its first occurrence gives the index); among equal values the first index
 * wins, as in PyTorch.
 */
import type { Tensor } from '@torchts/core';
import type { NumArray } from '../access.js';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { reducePlan, reduceRows } from './plan.js';
import { reduceKernel } from './reduce.js';
import { simdExtreme, simdRow } from '../../wasm/reduce.js';

function maxRowTs(a: NumArray, off: number, n: number, s: number): number {
  let m = -Infinity;
  for (let i = 0, j = off; i < n; i++, j += s) {
    const v = a[j]!;
    if (!(v <= m)) {
      if (v !== v) return v;
      m = v;
    }
  }
  return m;
}

function minRowTs(a: NumArray, off: number, n: number, s: number): number {
  let m = Infinity;
  for (let i = 0, j = off; i < n; i++, j += s) {
    const v = a[j]!;
    if (!(v >= m)) {
      if (v !== v) return v;
      m = v;
    }
  }
  return m;
}

// NaN-propagating in wasm too; max(-0, +0) may differ in the sign of the zero returned.
const maxRow = simdRow('max', maxRowTs);
const minRow = simdRow('min', minRowTs);

function maxStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) {
    const v = a[k]!;
    if (v > acc[j]! || v !== v) acc[j] = v;
  }
}

function minStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) {
    const v = a[k]!;
    if (v < acc[j]! || v !== v) acc[j] = v;
  }
}

/** Position of the first maximum (or of the first NaN). */
export function argmaxRow(a: NumArray, off: number, n: number, s: number): number {
  let best = a[off]!;
  if (best !== best) return 0;
  let bi = 0;
  for (let i = 1, j = off + s; i < n; i++, j += s) {
    const v = a[j]!;
    if (v > best) {
      best = v;
      bi = i;
    } else if (v !== v) return i;
  }
  return bi;
}

export function argminRow(a: NumArray, off: number, n: number, s: number): number {
  let best = a[off]!;
  if (best !== best) return 0;
  let bi = 0;
  for (let i = 1, j = off + s; i < n; i++, j += s) {
    const v = a[j]!;
    if (v < best) {
      best = v;
      bi = i;
    } else if (v !== v) return i;
  }
  return bi;
}

// The first extreme (or NaN) position of contiguous float rows in wasm (assembly/argmax.ts).
const argmaxRowFast = simdRow('argmax', argmaxRow);
const argminRowFast = simdRow('argmin', argminRow);

const amaxTs = reduceKernel(() => ({ row: maxRow, columns: { init: -Infinity, step: maxStep } }));
const aminTs = reduceKernel(() => ({ row: minRow, columns: { init: Infinity, step: minStep } }));
const argmaxTs = reduceKernel(() => ({ row: argmaxRowFast }));
const argminTs = reduceKernel(() => ({ row: argminRowFast }));

// Column layouts (and rows with positions) in wasm, values and int64 positions written in place
// (assembly/extreme.ts); the TS kernels otherwise.
export function amaxKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  if (!simdExtreme(out, null, input, dims, true)) amaxTs(out, input, dims);
}
export function aminKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  if (!simdExtreme(out, null, input, dims, false)) aminTs(out, input, dims);
}
export function argmaxKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  if (!simdExtreme(null, out, input, dims, true)) argmaxTs(out, input, dims);
}
export function argminKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  if (!simdExtreme(null, out, input, dims, false)) argminTs(out, input, dims);
}

/** (values, indices, input, dims): the extreme value along the reduced dim and its index. */
function valueIndexKernel(arg: typeof argmaxRow) {
  return (values: Tensor, indices: Tensor, input: Tensor, dims: readonly number[]): void => {
    const wv = writeAccess(values);
    const wi = writeAccess(indices);
    const src = readFloat(input);
    const V = wv.arr, I = wi.arr, v0 = wv.off, i0 = wi.off;
    reduceRows(src.arr, src.off, reducePlan(input._shape, src.strides, dims), (a, off, n, s, o) => {
      const k = arg(a, off, n, s);
      V[v0 + o] = a[off + k * s]!;
      I[i0 + o] = k;
    });
    wv.commit();
    wi.commit();
  };
}

const maxDimTs = valueIndexKernel(argmaxRowFast);
const minDimTs = valueIndexKernel(argminRowFast);

export function maxDimKernel(values: Tensor, indices: Tensor, input: Tensor, dims: readonly number[]): void {
  if (!simdExtreme(values, indices, input, dims, true)) maxDimTs(values, indices, input, dims);
}
export function minDimKernel(values: Tensor, indices: Tensor, input: Tensor, dims: readonly number[]): void {
  if (!simdExtreme(values, indices, input, dims, false)) minDimTs(values, indices, input, dims);
}

/** (min, max, input, dims). */
export function aminmaxKernel(mn: Tensor, mx: Tensor, input: Tensor, dims: readonly number[]): void {
  const wn = writeAccess(mn);
  const wx = writeAccess(mx);
  const src = readFloat(input);
  const N = wn.arr, X = wx.arr, n0 = wn.off, x0 = wx.off;
  reduceRows(src.arr, src.off, reducePlan(input._shape, src.strides, dims), (a, off, n, s, o) => {
    N[n0 + o] = minRow(a, off, n, s);
    X[x0 + o] = maxRow(a, off, n, s);
  });
  wn.commit();
  wx.commit();
}
