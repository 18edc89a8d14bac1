/**
 * var/std (two-pass in float64: mean, then squared deviations), var_mean/std_mean, the vector
 * p-norm and logsumexp. Contiguous float rows take the wasm row kernels and reductions along
 * non-last dims of float tensors the wasm column kernels (src/wasm/reduce.ts: same sums as here).
 */
import { isFloatingPoint } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import type { NumArray } from '../access.js';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { reducePlan, reduceRows } from './plan.js';
import { reduceKernel, sumRow, writeResults } from './reduce.js';
import { MOMENT, simdColumnLogsumexp, simdColumnMoments, simdPowerSum, simdRow } from '../../wasm/reduce.js';
import { ROW_MOMENT, simdLogsumexpRows, simdPowerSumRows } from '../../wasm/rows-batch.js';

/** Sum of squared deviations from the mean, and the mean. */
function centralMoment(a: NumArray, off: number, n: number, s: number): [number, number] {
  const mean = sumRow(a, off, n, s) / n;
  const wasm = simdPowerSum(a, off, n, s, mean, 0);
  if (wasm !== null) return [wasm, mean];
  let m2 = 0;
  for (let i = 0, j = off; i < n; i++, j += s) {
    const d = a[j]! - mean;
    m2 += d * d;
  }
  return [m2, mean];
}

/** PyTorch divides by max(0, N - correction): a non-positive divisor gives inf or NaN. */
function variance(m2: number, n: number, correction: number): number {
  return m2 / Math.max(0, n - correction);
}

/** Elements reduced into each output. */
const countOf = (input: Tensor, dims: readonly number[]): number => dims.reduce((n, d) => n * input._shape[d]!, 1);

/** finish(acc) of every output of a column layout, or of a many-rows one; false when the layout is neither. */
function fromMoments(out: Tensor, input: Tensor, dims: readonly number[], column: number, rows: readonly [number, number] | null,
  finish: (acc: number) => number): boolean {
  return writeResults(out, simdColumnMoments(input, dims, column)?.acc ?? null, finish) ||
    (rows !== null && writeResults(out, simdPowerSumRows(input, dims, rows), finish));
}

function varianceKernel(sqrt: boolean) {
  const ts = varianceRowsKernel(sqrt);
  return (out: Tensor, input: Tensor, dims: readonly number[], correction: number): void => {
    const n = countOf(input, dims);
    const finish = (m2: number) => (sqrt ? Math.sqrt(variance(m2, n, correction)) : variance(m2, n, correction));
    if (!fromMoments(out, input, dims, MOMENT.squaredDeviations, ROW_MOMENT.squaredDeviations, finish)) ts(out, input, dims, correction);
  };
}

function varianceRowsKernel(sqrt: boolean) {
  return reduceKernel((_input, [correction]) => {
    const c = correction as number;
    return {
      row: (a, off, n, s) => {
        const v = variance(centralMoment(a, off, n, s)[0], n, c);
        return sqrt ? Math.sqrt(v) : v;
      },
    };
  });
}

export const varKernel = varianceKernel(false);
export const stdKernel = varianceKernel(true);

/** (varOrStd, mean, input, dims, correction). */
function varianceMeanKernel(sqrt: boolean) {
  return (vOut: Tensor, mOut: Tensor, input: Tensor, dims: readonly number[], correction: number): void => {
    const cm = simdColumnMoments(input, dims, MOMENT.squaredDeviations);
    if (cm) {
      const n = countOf(input, dims);
      const wv = writeAccess(vOut), wm = writeAccess(mOut);
      for (let o = 0; o < cm.acc.length; o++) {
        const v = variance(cm.acc[o]!, n, correction);
        wv.arr[wv.off + o] = sqrt ? Math.sqrt(v) : v;
        wm.arr[wm.off + o] = cm.mean[o]!;
      }
      wv.commit();
      wm.commit();
      return;
    }
    const wv = writeAccess(vOut);
    const wm = writeAccess(mOut);
    const src = readFloat(input);
    const V = wv.arr, M = wm.arr, v0 = wv.off, m0 = wm.off;
    reduceRows(src.arr, src.off, reducePlan(input._shape, src.strides, dims), (a, off, n, s, o) => {
      const [m2, mean] = centralMoment(a, off, n, s);
      const v = variance(m2, n, correction);
      V[v0 + o] = sqrt ? Math.sqrt(v) : v;
      M[m0 + o] = mean;
    });
    wv.commit();
    wm.commit();
  };
}

export const varMeanKernel = varianceMeanKernel(false);
export const stdMeanKernel = varianceMeanKernel(true);

// ---- norm ----------------------------------------------------------------------------------

/**
 * PyTorch accumulates float32/half norms in float32: a sum of powers past float32's range gives
 * inf (and underflows to 0) there. We sum in float64 and round the sum to float32 to match.
 */
function accRounding(dtype: DType): (x: number) => number {
  return dtype === 'float64' || !isFloatingPoint(dtype) ? (x) => x : Math.fround;
}

function normRow(p: number, round: (x: number) => number) {
  return (a: NumArray, off: number, n: number, s: number): number => {
    if (n === 0) return 0;
    if (p === Infinity || p === -Infinity) {
      let m = p === Infinity ? -Infinity : Infinity;
      for (let i = 0, j = off; i < n; i++, j += s) {
        const v = Math.abs(a[j]!);
        if (v !== v) return v;
        if (p === Infinity ? v > m : v < m) m = v;
      }
      return m;
    }
    let acc = 0;
    if (p === 0) {
      for (let i = 0, j = off; i < n; i++, j += s) if (a[j] !== 0) acc++;
      return acc;
    }
    if (p === 1) {
      const wasm = simdPowerSum(a, off, n, s, 0, 1);
      if (wasm !== null) return round(wasm);
      for (let i = 0, j = off; i < n; i++, j += s) acc += Math.abs(a[j]!);
      return round(acc);
    }
    if (p === 2) {
      const wasm = simdPowerSum(a, off, n, s, 0, 0);
      if (wasm !== null) return Math.sqrt(round(wasm));
      for (let i = 0, j = off; i < n; i++, j += s) acc += a[j]! * a[j]!;
      return Math.sqrt(round(acc));
    }
    for (let i = 0, j = off; i < n; i++, j += s) acc += Math.abs(a[j]!) ** p;
    return round(acc) ** (1 / p);
  };
}

const normRowsKernel = reduceKernel((input, [p]) => ({ row: normRow(p as number, accRounding(input._dtype)) }));

/** The column kernel's kind and finishing step for p = 1, 2, inf, -inf (the others stay in TS). */
function columnNorm(p: number, round: (x: number) => number): [number, (acc: number) => number] | null {
  if (p === 1) return [MOMENT.absolutes, round];
  if (p === 2) return [MOMENT.squares, (acc) => Math.sqrt(round(acc))];
  if (p === Infinity) return [MOMENT.maxAbs, (acc) => acc];
  if (p === -Infinity) return [MOMENT.minAbs, (acc) => acc];
  return null;
}

/** (out, input, dims, p). */
export function normKernel(out: Tensor, input: Tensor, dims: readonly number[], p: number): void {
  const col = countOf(input, dims) > 0 ? columnNorm(p, accRounding(input._dtype)) : null;
  const rows = p === 1 ? ROW_MOMENT.absolutes : p === 2 ? ROW_MOMENT.squares : null;
  if (!col || !fromMoments(out, input, dims, col[0], rows, col[1])) normRowsKernel(out, input, dims, p);
}

// ---- logsumexp -----------------------------------------------------------------------------

/** max + log(sum(exp(x - max))), with an infinite max replaced by 0 as PyTorch does. */
function logsumexpRow(a: NumArray, off: number, n: number, s: number): number {
  let m = -Infinity;
  for (let i = 0, j = off; i < n; i++, j += s) {
    const v = a[j]!;
    if (v > m || v !== v) m = v;
    if (v !== v) break;
  }
  const c = Number.isFinite(m) ? m : 0;
  let acc = 0;
  for (let i = 0, j = off; i < n; i++, j += s) acc += Math.exp(a[j]! - c);
  return Math.log(acc) + c;
}

/** Contiguous float rows in wasm (assembly/logsumexp.ts: float64 vector exp/log, within ~2^-50). */
const logsumexpRowFast = simdRow('logsumexp', logsumexpRow);

const logsumexpRowsKernel = reduceKernel(() => ({ row: logsumexpRowFast }));

/**
 * (out, input, dims): columns (non-last dims) through the wasm column kernel, many rows in one wasm
 * call, else per row.
 */
export function logsumexpKernel(out: Tensor, input: Tensor, dims: readonly number[]): void {
  const results = countOf(input, dims) > 0 ? simdColumnLogsumexp(input, dims) ?? simdLogsumexpRows(input, dims) : null;
  if (!writeResults(out, results)) logsumexpRowsKernel(out, input, dims);
}
