/**
 * sort, topk, kthvalue, median/nanmedian (every element, or along a dim) and mode, each running
 * the algorithm PyTorch 1.13's CPU kernel runs (see stl.ts) on a copy of every line, so values
 * and indices — ties included — match PyTorch's.
 */
import type { Tensor } from '@torchts/core';
import type { NumArray } from '../access.js';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { forEachLine, reducePlan, reduceRows } from './plan.js';
import { Order, PairSeq } from './stl.js';

/** A reusable pair sequence for lines of up to `n` elements. */
function seqFor(n: number, order: Order): PairSeq {
  return new PairSeq(new Float64Array(n), new Float64Array(n), order);
}

/** Loads n strided values and their positions 0..n-1. */
function load(seq: PairSeq, a: NumArray, off: number, n: number, s: number): void {
  const v = seq.v, x = seq.x;
  for (let i = 0, j = off; i < n; i++, j += s) {
    v[i] = a[j]!;
    x[i] = i;
  }
}

function lineLength(t: Tensor, dim: number): number {
  return t._shape.length === 0 ? 1 : t._shape[dim]!;
}

/** (values, indices, input, dim, descending, stable). */
export function sortKernel(values: Tensor, indices: Tensor, input: Tensor, dim: number, descending: boolean, stable: boolean): void {
  const order = descending
    ? (stable ? Order.descNanFirstStable : Order.descNanFirst)
    : (stable ? Order.ascNanLastStable : Order.ascNanLast);
  const seq = seqFor(lineLength(input, dim), order);
  const r = readFloat(input);
  const wv = writeAccess(values);
  const wi = writeAccess(indices);
  const A = r.arr, V = wv.arr, I = wi.arr;
  forEachLine(input._shape, dim, [r.strides, wv.strides, wi.strides], [r.off, wv.off, wi.off], (offs, n, ls) => {
    load(seq, A, offs[0]!, n, ls[0]!);
    seq.sort(0, n);
    for (let i = 0, iv = offs[1]!, ii = offs[2]!; i < n; i++, iv += ls[1]!, ii += ls[2]!) {
      V[iv] = seq.v[i]!;
      I[ii] = seq.x[i]!;
    }
  });
  wv.commit();
  wi.commit();
}

/** (values, indices, input, k, dim, largest, sorted): PyTorch's topk_impl_loop. */
export function topkKernel(values: Tensor, indices: Tensor, input: Tensor, k: number, dim: number, largest: boolean, sorted: boolean): void {
  const n = lineLength(input, dim);
  const seq = seqFor(n, largest ? Order.descNanFirst : Order.ascNanLast);
  const r = readFloat(input);
  const wv = writeAccess(values);
  const wi = writeAccess(indices);
  const A = r.arr, V = wv.arr, I = wi.arr;
  const shape = input._shape;
  forEachLine(shape, dim, [r.strides, wv.strides, wi.strides], [r.off, wv.off, wi.off], (offs, len, ls) => {
    load(seq, A, offs[0]!, len, ls[0]!);
    if (k * 64 <= len) seq.partialSort(0, k, len);
    else {
      seq.nthElement(0, k - 1, len);
      if (sorted) seq.sort(0, k - 1);
    }
    for (let i = 0, iv = offs[1]!, ii = offs[2]!; i < k; i++, iv += ls[1]!, ii += ls[2]!) {
      V[iv] = seq.v[i]!;
      I[ii] = seq.x[i]!;
    }
  });
  wv.commit();
  wi.commit();
}

/**
 * Kernels in the reduction layout writing a value and an index per output: `pick` selects
 * within a loaded line of length n and returns the position in `seq` of the answer.
 */
function selectKernel(order: Order, pick: (seq: PairSeq, n: number, params: readonly unknown[]) => number) {
  return (values: Tensor, indices: Tensor, input: Tensor, dims: readonly number[], ...params: unknown[]): void => {
    const r = readFloat(input);
    const plan = reducePlan(input._shape, r.strides, dims);
    const seq = seqFor(plan.count, order);
    const wv = writeAccess(values);
    const wi = writeAccess(indices);
    const V = wv.arr, I = wi.arr, v0 = wv.off, i0 = wi.off;
    reduceRows(r.arr, r.off, plan, (a, off, n, s, o) => {
      load(seq, a, off, n, s);
      const p = pick(seq, n, params);
      V[v0 + o] = seq.v[p]!;
      I[i0 + o] = seq.x[p]!;
    });
    wv.commit();
    wi.commit();
  };
}

/** kthvalue: TH's quickselect with NaN greatest (gt_or_nan is descNanFirst). Params: [k]. */
export const kthvalueKernel = selectKernel(Order.descNanFirst, (seq, n, [k]) => {
  const kk = (k as number) - 1;
  seq.quickSelect(n, kk);
  return kk;
});

function firstNaN(seq: PairSeq, n: number): number {
  for (let i = 0; i < n; i++) if (seq.v[i] !== seq.v[i]) return i;
  return -1;
}

/** median along a dim: the first NaN if any, else the lower median with ties ordered by index. */
export const medianDimKernel = selectKernel(Order.valueThenIndex, (seq, n) => {
  const nan = firstNaN(seq, n);
  if (nan >= 0) return nan;
  const nth = (n - 1) >> 1;
  seq.nthElement(0, nth, n);
  return nth;
});

/** nanmedian along a dim: the lower median of the non-NaN values (NaN when all are NaN). */
export const nanmedianDimKernel = selectKernel(Order.valueThenIndexNanLast, (seq, n) => {
  let nans = 0;
  for (let i = 0; i < n; i++) if (seq.v[i] !== seq.v[i]) nans++;
  const nth = Math.trunc((n - nans - 1) / 2);
  seq.nthElement(0, nth, n);
  return nth;
});

/**
 * mode: std::sort by value, then the longest run of equal values, the first (smallest) on ties;
 * its index is the one sorted last in that run (PyTorch's choice).
 */
export const modeKernel = selectKernel(Order.valueLess, (seq, n) => {
  seq.sort(0, n);
  const v = seq.v;
  let best = 0;
  let bestFreq = 0;
  let freq = 0;
  for (let i = 0; i < n; i++) {
    freq++;
    if (i === n - 1 || v[i] !== v[i + 1]) {
      if (freq > bestFreq) {
        best = i;
        bestFreq = freq;
      }
      freq = 0;
    }
  }
  return best;
});

/** median/nanmedian of every element (value only): (out, input, dims). */
function medianAllKernel(ignoreNaN: boolean) {
  return (out: Tensor, input: Tensor, dims: readonly number[]): void => {
    const r = readFloat(input);
    const plan = reducePlan(input._shape, r.strides, dims);
    const seq = seqFor(plan.count, ignoreNaN ? Order.ascNanLast : Order.valueLess);
    const w = writeAccess(out);
    reduceRows(r.arr, r.off, plan, (a, off, n, s, o) => {
      load(seq, a, off, n, s);
      let nans = 0;
      for (let i = 0; i < n; i++) if (seq.v[i] !== seq.v[i]) nans++;
      if (n === 0 || (nans > 0 && !ignoreNaN)) {
        w.arr[w.off + o] = NaN;
        return;
      }
      const nth = Math.trunc((n - (ignoreNaN ? nans : 0) - 1) / 2);
      seq.nthElement(0, nth, n);
      w.arr[w.off + o] = seq.v[nth]!;
    });
    w.commit();
  };
}

export const medianKernel = medianAllKernel(false);
export const nanmedianKernel = medianAllKernel(true);
