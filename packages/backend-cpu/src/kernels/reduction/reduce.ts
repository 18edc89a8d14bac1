/**
 * The generic dim-reduction kernel and the sum-like reducers (sum, nansum, mean, nanmean, prod,
 * all, any, count_nonzero). Accumulation is in float64 (JS numbers): float32 sums carry no
 * float32 round-off beyond the final rounding, and integers are exact up to 2^53.
 *
 * Kernel signature (see core's reduction/run.ts): (out, input, dims, ...params), `out`
 * contiguous over the kept dims.
 */
import type { Tensor } from '@torchts/core';
import type { NumArray } from '../access.js';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { ACCUMULATE, simdColumnAccumulate, simdRow, simdSum } from '../../wasm/reduce.js';
import { prefersColumns, reduceColumns, reducePlan, reduceRows } from './plan.js';
import { simdNanRows } from '../../wasm/rows-batch.js';

/** How one op reduces: a whole row at once, and optionally column-wise (see plan.ts). */
export interface Reducer {
  row(a: NumArray, off: number, n: number, s: number): number;
  columns?: {
    init: number;
    /** acc[j] <- acc[j] (op) a[off + j*s] for j < m. */
    step(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void;
    /** In-place final transform of m accumulators, given the count reduced into each. */
    finish?(acc: Float64Array, m: number, count: number): void;
  };
}

export function reduceKernel(make: (input: Tensor, params: readonly unknown[]) => Reducer) {
  return (out: Tensor, input: Tensor, dims: readonly number[], ...params: unknown[]): void => {
    const r = make(input, params);
    // A bool result (sum/prod with dtype bool) stores `value != 0`, as a cast to bool does.
    const w = writeAccess(out, false);
    const src = readFloat(input);
    const plan = reducePlan(input._shape, src.strides, dims);
    const O = w.arr;
    const o0 = w.off;
    const cols = r.columns;
    if (cols && prefersColumns(plan)) {
      let acc = new Float64Array(0);
      reduceColumns(src.off, plan, (m) => {
        if (acc.length !== m) acc = new Float64Array(m);
        acc.fill(cols.init);
      }, (off, m, s) => cols.step(acc, src.arr, off, m, s), (first, m) => {
        cols.finish?.(acc, m, plan.count);
        for (let j = 0; j < m; j++) O[o0 + first + j] = acc[j]!;
      });
    } else {
      const row = r.row;
      reduceRows(src.arr, src.off, plan, (a, off, n, s, o) => {
        O[o0 + o] = row(a, off, n, s);
      });
    }
    w.commit();
  };
}

// ---- row reducers --------------------------------------------------------------------------

function sumRowTs(a: NumArray, off: number, n: number, s: number): number {
  // A broadcast run (a sum's or mean's gradient reduced again: bias gradients, sumToSize) is one
  // product, exact for float32 values (n < 2^29) and correctly rounded for float64; `0 +` turns
  // -0 into 0 as the summation from 0 does.
  if (s === 0 && n > 0) return 0 + a[off]! * n;
  let acc = 0;
  if (s === 1) {
    for (let i = off, end = off + n; i < end; i++) acc += a[i]!;
    return acc;
  }
  for (let i = 0, j = off; i < n; i++, j += s) acc += a[j]!;
  return acc;
}

/** Sum of one row (wasm SIMD for contiguous float rows in the heap). */
export const sumRow = simdRow('sum', sumRowTs);

function nansumRow(a: NumArray, off: number, n: number, s: number): number {
  let acc = 0;
  for (let i = 0, j = off; i < n; i++, j += s) {
    const v = a[j]!;
    if (v === v) acc += v;
  }
  return acc;
}

function nanmeanRow(a: NumArray, off: number, n: number, s: number): number {
  let acc = 0;
  let count = 0;
  for (let i = 0, j = off; i < n; i++, j += s) {
    const v = a[j]!;
    if (v === v) {
      acc += v;
      count++;
    }
  }
  return acc / count;
}

function prodRowTs(a: NumArray, off: number, n: number, s: number): number {
  let acc = 1;
  for (let i = 0, j = off; i < n; i++, j += s) acc *= a[j]!;
  return acc;
}

/** Product of one row (wasm SIMD for contiguous float rows in the heap: another order). */
const prodRow = simdRow('prod', prodRowTs);

function allRow(a: NumArray, off: number, n: number, s: number): number {
  for (let i = 0, j = off; i < n; i++, j += s) if (a[j] === 0) return 0;
  return 1;
}

function anyRow(a: NumArray, off: number, n: number, s: number): number {
  for (let i = 0, j = off; i < n; i++, j += s) if (a[j] !== 0) return 1;
  return 0;
}

function countNonzeroRow(a: NumArray, off: number, n: number, s: number): number {
  let c = 0;
  for (let i = 0, j = off; i < n; i++, j += s) if (a[j] !== 0) c++;
  return c;
}

// ---- column steps --------------------------------------------------------------------------

function addStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  if (s === 1) for (let j = 0; j < m; j++) acc[j]! += a[off + j]!;
  else for (let j = 0, k = off; j < m; j++, k += s) acc[j]! += a[k]!;
}

function nanAddStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) {
    const v = a[k]!;
    if (v === v) acc[j]! += v;
  }
}

function mulStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) acc[j]! *= a[k]!;
}

function allStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) if (a[k] === 0) acc[j] = 0;
}

function anyStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) if (a[k] !== 0) acc[j] = 1;
}

function countStep(acc: Float64Array, a: NumArray, off: number, m: number, s: number): void {
  for (let j = 0, k = off; j < m; j++, k += s) if (a[k] !== 0) acc[j]!++;
}

function divideByCount(acc: Float64Array, m: number, count: number): void {
  for (let j = 0; j < m; j++) acc[j]! /= count;
}

const meanRow = (a: NumArray, off: number, n: number, s: number): number => sumRow(a, off, n, s) / n;

const fixed = (r: Reducer) => (): Reducer => r;

const sumTs = reduceKernel(fixed({ row: sumRow, columns: { init: 0, step: addStep } }));
const meanTs = reduceKernel(fixed({ row: meanRow, columns: { init: 0, step: addStep, finish: divideByCount } }));

/**
 * Whether every reduced dim is broadcast (stride 0): each output then sums one value n times, which
 * sumRowTs does in one product (exact for float32, where the wasm lanes would round).
 */
function reducesOnlyBroadcast(input: Tensor, dims: readonly number[]): boolean {
  const broadcast = (d: number) => input._strides[d] === 0 && input._shape[d]! > 1;
  return dims.some(broadcast) && dims.every((d) => broadcast(d) || input._shape[d] === 1);
}

export function sumKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  if (reducesOnlyBroadcast(input, dims) || !simdSum(out, input, dims, false)) sumTs(out, input, dims);
}

export function meanKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  if (reducesOnlyBroadcast(input, dims) || !simdSum(out, input, dims, true)) meanTs(out, input, dims);
}

/** A reducer whose reductions along non-last dims of float tensors run in the wasm column kernel. */
function withColumnKernel(kind: number, ts: ReturnType<typeof reduceKernel>) {
  return (out: Tensor, input: Tensor, dims: readonly number[]): void => {
    if (!simdColumnAccumulate(out, input, dims, kind)) ts(out, input, dims);
  };
}

/**
 * Writes float64 results computed elsewhere (a wasm kernel's scratch), one per output in order, into
 * `out` through `finish`; false (nothing written) when there are none.
 */
export function writeResults(out: Tensor, values: Float64Array | null, finish?: (v: number) => number): boolean {
  if (!values) return false;
  const w = writeAccess(out);
  for (let o = 0; o < values.length; o++) w.arr[w.off + o] = finish ? finish(values[o]!) : values[o]!;
  w.commit();
  return true;
}

/** nansum/nanmean: contiguous rows (the last dim, a whole contiguous tensor) in the wasm row kernel first. */
function withNanRows(mean: boolean, kernel: ReturnType<typeof withColumnKernel>) {
  return (out: Tensor, input: Tensor, dims: readonly number[]): void => {
    if (!writeResults(out, dims.length > 0 ? simdNanRows(input, dims, mean) : null)) kernel(out, input, dims);
  };
}

export const nansumKernel = withNanRows(false, withColumnKernel(ACCUMULATE.nanSum, reduceKernel(fixed({ row: nansumRow, columns: { init: 0, step: nanAddStep } }))));
export const nanmeanKernel = withNanRows(true, withColumnKernel(ACCUMULATE.nanMean, reduceKernel(fixed({ row: nanmeanRow }))));
export const prodKernel = withColumnKernel(ACCUMULATE.product, reduceKernel(fixed({ row: prodRow, columns: { init: 1, step: mulStep } })));
export const allKernel = reduceKernel(fixed({ row: allRow, columns: { init: 1, step: allStep } }));
export const anyKernel = reduceKernel(fixed({ row: anyRow, columns: { init: 0, step: anyStep } }));
export const countNonzeroKernel = reduceKernel(fixed({ row: countNonzeroRow, columns: { init: 0, step: countStep } }));
