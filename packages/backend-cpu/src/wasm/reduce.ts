/**
 * Reductions through the WebAssembly SIMD kernels (assembly/reduce.ts):
 * - sum and mean over any dims whose layout reduces to contiguous rows or contiguous columns
 *   (`simdSum`), split over threads by outputs, or by fixed chunks for one long row;
 * - whole rows for the other TS reducers (max/min, argmax/argmin and max/min with indices,
 *   logsumexp, prod), which wrap their row functions with `simdRow`: every
 *   row of contiguous float32/float64 heap elements (a full reduction of a contiguous tensor, a
 *   last-dim reduction) runs in wasm and everything else in TS;
 * - columns (the kept last dim contiguous: reductions along non-last dims) for max/min with
 *   positions, var/std and norms, logsumexp, prod, nansum and nanmean.
 */
import type { Tensor } from '@torchts/core';
import type { NumArray } from '../kernels/access.js';
import { heap } from '../device.js';
import { forEachOffset, reducePlan } from '../kernels/reduction/plan.js';
import type { ReducePlan } from '../kernels/reduction/plan.js';
import { runSplit, splitRanges } from './parallel.js';
import { inHeap, simd } from './simd.js';
import type { SimdExports } from './simd.js';

type Row = (a: NumArray, off: number, n: number, s: number) => number;

/** Rows shorter than this stay in TS (the call costs more than it saves). */
const MIN_ROW = 32;
/** amax/amin rows up to this long go to the batched rows kernel (extremeRows*). */
const SHORT_ROW = 1024;

const KERNELS = {
  sum: ['sumF32', 'sumF64'],
  max: ['maxF32', 'maxF64'],
  min: ['minF32', 'minF64'],
  argmax: ['argmaxF32', 'argmaxF64'],
  argmin: ['argminF32', 'argminF64'],
  logsumexp: ['logsumexpF32', 'logsumexpF64'],
  prod: ['prodF32', 'prodF64'],
} as const satisfies Record<string, readonly [keyof SimdExports, keyof SimdExports]>;

export function simdRow(kind: keyof typeof KERNELS, ts: Row): Row {
  const [f32, f64] = KERNELS[kind];
  return (a, off, n, s) => {
    if (s === 1 && n >= MIN_ROW) {
      const ex = simd();
      if (ex && (a instanceof Float32Array || a instanceof Float64Array) && inHeap(a)) {
        const bytes = a.BYTES_PER_ELEMENT;
        return (ex[bytes === 4 ? f32 : f64] as (p: number, n: number) => number)(a.byteOffset + off * bytes, n);
      }
    }
    return ts(a, off, n, s);
  };
}

/**
 * sum((x - center)^2) (kind 0) or sum(|x|) (kind 1) of a row in wasm (assembly/moments.ts), or
 * null when the row is not a contiguous float row in the heap of at least MIN_ROW elements.
 */
export function simdPowerSum(a: NumArray, off: number, n: number, s: number, center: number, kind: 0 | 1): number | null {
  if (s !== 1 || n < MIN_ROW) return null;
  const ex = simd();
  if (!ex || !(a instanceof Float32Array || a instanceof Float64Array) || !inHeap(a)) return null;
  const bytes = a.BYTES_PER_ELEMENT;
  return (bytes === 4 ? ex.powerSumF32 : ex.powerSumF64)(a.byteOffset + off * bytes, n, center, kind);
}

// ---- sum and mean over any dims ------------------------------------------------------------

/** Elements one thread should at least reduce for a split to pay for the hand-off (~5-10 µs). */
const MIN_WORK = 1 << 15;
/** Elements per chunk of a long run (assembly/reduce.ts CHUNK): the unit split over threads. */
const CHUNK = 65536;

/**
 * sum / mean (`div` = the count) of float32/float64 `input` over `dims` into `out` (same dtype,
 * contiguous over the kept dims) through the wasm row or column kernels; false when the layout
 * does not fit them (the reduced elements must be at most two contiguous runs' worth of dims, or
 * the kept inner dim contiguous with at most two reduced and two kept dims).
 */
export function simdSum(out: Tensor, input: Tensor, dims: readonly number[], mean: boolean): boolean {
  const ex = simd();
  const dtype = input._dtype;
  if (!ex || (dtype !== 'float32' && dtype !== 'float64') || out._dtype !== dtype || input.numel() < MIN_ROW) return false;
  const plan = reducePlan(input._shape, input._strides, dims);
  const lay = layoutOf(plan);
  if (!lay) return false;
  const sz = dtype === 'float32' ? 4 : 8;
  const x = input._storage.ptr + input._offset * sz;
  const o = out._storage.ptr + out._offset * sz;
  const div = mean ? plan.count : 1;
  const { n1, s1, n0, s0 } = lay;
  if (lay.rows) return sumRows(ex, sz, x, o, plan, n1, s1, n0, div);
  if (!lay.cols) return false;
  const { outer, xo, m } = lay.cols;
  const rows = outer === 1 && m <= PANEL ? Math.ceil(COL_CHUNK / m / BLOCK_ROWS) * BLOCK_ROWS : Infinity;
  if (plan.count > rows) return sumColumnChunks(ex, sz, x, o, n1, s1, n0, s0, m, rows, plan.count, div);
  splitColumns(sz === 4 ? 'sumColsF32' : 'sumColsF64', outer, m, plan.count,
    (o0, o1, j0, j1, t) => [x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, o, div, panelScratch(t)]);
  return true;
}

/** float32 column sums add this many positions in float32 lanes (assembly/sum-cols.ts BLOCK_ROWS). */
const BLOCK_ROWS = 64;
/** Elements per chunk of a chunked column sum (smaller chunks cost more partials: 2^16, +3% on [4096, 256]). */
const COL_CHUNK = 1 << 17;

/**
 * Columns over many positions (one outer position, m <= PANEL): chunks of `rows` positions (about
 * COL_CHUNK elements, from the shape only), float64 partials added in chunk order here, so threads
 * split the positions and each reads whole rows.
 */
function sumColumnChunks(ex: SimdExports, sz: number, x: number, o: number, n1: number, s1: number, n0: number, s0: number, m: number,
  rows: number, count: number, div: number): boolean {
  const chunks = Math.ceil(count / rows);
  const partials = heap.scratch('reduce.partials', chunks * m * 8);
  runSplit(sz === 4 ? 'sumColChunksF32' : 'sumColChunksF64', { items: chunks, minItems: Math.ceil(MIN_WORK / (rows * m)) },
    (c0, c1, t) => [x, n1, s1, n0, s0, m, rows, c0, c1, partials, panelScratch(t)]);
  (sz === 4 ? ex.sumColPartialsF32 : ex.sumColPartialsF64)(partials, chunks, m, o, div);
  return true;
}

/**
 * The reduced elements as n1 runs of n0 (strides s1, s0), and whether they are rows (s0 == 1:
 * each output reduces contiguous runs) or columns ([outer, m] kept dims, the m columns
 * contiguous, outer stride xo); null when the layout fits neither kernel family (more than two
 * coalesced reduced dims, negative strides, nothing to reduce).
 */
function layoutOf(plan: ReducePlan) {
  if (plan.count === 0 || plan.innerShape.length > 2 || [...plan.innerStrides, ...plan.outerStrides].some((s) => s < 0)) return null;
  const [n1, n0] = plan.innerShape.length === 2 ? plan.innerShape : [1, plan.innerShape[0]!];
  const [s1, s0] = plan.innerStrides.length === 2 ? plan.innerStrides : [0, plan.innerStrides[0]!];
  const ko = plan.outerShape.length;
  const rows = s0 === 1 || n0 === 1;
  const cols = !rows && plan.outerStrides[ko - 1] === 1 && ko <= 2
    ? { m: plan.outerShape[ko - 1]!, outer: ko === 2 ? plan.outerShape[0]! : 1, xo: ko === 2 ? plan.outerStrides[0]! : 0 }
    : null;
  return { n1: n1!, s1: s1!, n0: n0!, s0: s0!, rows, cols };
}

/** Columns per panel of the column kernels that keep accumulators in scratch (assembly/accumulate.ts, sum-cols.ts, extreme.ts PANEL). */
const PANEL = 1024;

/** A thread's scratch for those panels: 2 * PANEL float64. */
function panelScratch(thread: number): number {
  return heap.scratch(`reduce.panel.${thread}`, 2 * PANEL * 8);
}

/** Runs a column kernel over [outer, m] outputs of `count` elements each: by outer positions, or by column ranges. */
function splitColumns(fn: Parameters<typeof runSplit>[0], outer: number, m: number, count: number,
  args: (o0: number, o1: number, j0: number, j1: number, thread: number) => number[]): void {
  if (outer > 1) runSplit(fn, { items: outer, minItems: Math.ceil(MIN_WORK / (count * m)) }, (a, b, t) => args(a, b, 0, m, t));
  else runSplit(fn, { items: m, minItems: Math.max(16, Math.ceil(MIN_WORK / count)), align: 16 }, (a, b, t) => args(0, 1, a, b, t));
}

// ---- max/min with positions ----------------------------------------------------------------

/**
 * max/min over `dims` of a float32/float64 `input` into `values` (its dtype; null: not wanted)
 * and int64 `indices` (null: not wanted), both contiguous over the kept dims, written in place by
 * assembly/extreme.ts: rows (one contiguous run per output; value-only rows only when they are
 * many and short, since simdRow reduces a long one faster) and columns. False when the layout fits neither.
 */
export function simdExtreme(values: Tensor | null, indices: Tensor | null, input: Tensor, dims: readonly number[], isMax: boolean): boolean {
  const ex = simd();
  const dtype = input._dtype;
  if (!ex || (dtype !== 'float32' && dtype !== 'float64') || input.numel() < MIN_ROW) return false;
  if ((values && values._dtype !== dtype) || (indices && indices._dtype !== 'int64')) return false;
  const plan = reducePlan(input._shape, input._strides, dims);
  const lay = layoutOf(plan);
  if (!lay) return false;
  const sz = dtype === 'float32' ? 4 : 8;
  const x = input._storage.ptr + input._offset * sz;
  const v = values ? values._storage.ptr + values._offset * sz : 0;
  const i = indices ? indices._storage.ptr + indices._offset * 8 : 0;
  const { n1, s1, n0, s0 } = lay;
  const max = isMax ? 1 : 0;
  if (lay.rows) {
    // Value-only rows (amax/amin) take this kernel where rows are many and short: one call for all
    // of them instead of one per row (simdRow: ~0.3 µs each); long single rows keep simdRow's max.
    if (n1 !== 1 || plan.outerShape.length > 1 || (!indices && (plan.outCount < 2 || n0 > SHORT_ROW))) return false;
    const rs = plan.outerShape.length === 1 ? plan.outerStrides[0]! : 0;
    runSplit(sz === 4 ? 'extremeRowsF32' : 'extremeRowsF64', { items: plan.outCount, minItems: Math.ceil(MIN_WORK / n0) },
      (a, b) => [x, a, b, rs, n0, v, i, max]);
    return true;
  }
  if (!lay.cols) return false;
  const { outer, xo, m } = lay.cols;
  splitColumns(sz === 4 ? 'extremeColsF32' : 'extremeColsF64', outer, m, plan.count,
    (o0, o1, j0, j1, thread) => [x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, v, i, max, panelScratch(thread)]);
  return true;
}

// ---- power sums along non-last dims ------------------------------------------------------

/** Column power sums (assembly/moments.ts colMoments*): what each output accumulates. */
export const MOMENT = { squaredDeviations: 0, squares: 1, absolutes: 2, maxAbs: 3, minAbs: 4 } as const;

/**
 * The float64 power sums of float32/float64 `input` over `dims`, one per output in output order,
 * where the reduced elements are columns (the kept last dim contiguous, vectorised across it);
 * squaredDeviations also returns the means. Null for other layouts (rows take simdPowerSum).
 * Each column adds in the TS loops' order, so the sums are theirs bit for bit.
 */
export function simdColumnMoments(input: Tensor, dims: readonly number[], kind: number): { acc: Float64Array; mean: Float64Array } | null {
  const run = columnRun(input, dims);
  if (!run) return null;
  const n = run.outputs;
  const acc = heap.scratch('reduce.columns', n * 16);
  const mean = acc + n * 8;
  run.split(run.f32 ? 'colMomentsF32' : 'colMomentsF64', (args) => [...args, acc, mean, kind]);
  return { acc: new Float64Array(heap.heapBuffer, acc, n).slice(), mean: new Float64Array(heap.heapBuffer, mean, n).slice() };
}

/**
 * logsumexp of float32/float64 `input` over `dims` in float64, one per output in output order,
 * where the reduced elements are columns (assembly/logsumexp.ts logsumexpCols*); null for other
 * layouts (rows take the row kernel).
 */
export function simdColumnLogsumexp(input: Tensor, dims: readonly number[]): Float64Array | null {
  const run = columnRun(input, dims);
  if (!run) return null;
  const out = heap.scratch('reduce.columns', run.outputs * 8);
  run.split(run.f32 ? 'logsumexpColsF32' : 'logsumexpColsF64', (args) => [...args, out]);
  return new Float64Array(heap.heapBuffer, out, run.outputs).slice();
}

/** Column accumulations (assembly/accumulate.ts accumulateCols*): what each output reduces. */
export const ACCUMULATE = { product: 0, nanSum: 1, nanMean: 2 } as const;

/**
 * prod / nansum / nanmean of float32/float64 `input` over `dims` into `out` (its dtype,
 * contiguous) where the reduced elements are columns (assembly/accumulate.ts accumulateCols*:
 * the TS loops' float64 operations in their order, so the same bytes); false for other layouts.
 */
export function simdColumnAccumulate(out: Tensor, input: Tensor, dims: readonly number[], kind: number): boolean {
  if (out._dtype !== input._dtype || !out.isContiguous()) return false;
  const run = columnRun(input, dims);
  if (!run) return false;
  const o = out._storage.ptr + out._offset * (run.f32 ? 4 : 8);
  run.split(run.f32 ? 'accumulateColsF32' : 'accumulateColsF64', (args, thread) => [...args, o, panelScratch(thread), kind]);
  return true;
}

/**
 * A column reduction of a float32/float64 heap tensor (at least MIN_ROW elements, the columns
 * layout of layoutOf) for the column kernels whose arguments start (x, o0, o1, xo, n1, s1, n0, s0,
 * m, j0, j1): `split` runs one over threads with those and the kernel's own (given the thread
 * index, for per-thread scratch); null otherwise.
 */
function columnRun(input: Tensor, dims: readonly number[]) {
  const ex = simd();
  const dtype = input._dtype;
  if (!ex || (dtype !== 'float32' && dtype !== 'float64') || input.numel() < MIN_ROW) return null;
  const plan = reducePlan(input._shape, input._strides, dims);
  const lay = layoutOf(plan);
  if (!lay || lay.rows || !lay.cols) return null;
  const sz = dtype === 'float32' ? 4 : 8;
  const x = input._storage.ptr + input._offset * sz;
  const { n1, s1, n0, s0 } = lay;
  const { outer, xo, m } = lay.cols;
  return {
    f32: sz === 4,
    outputs: plan.outCount,
    split: (fn: Parameters<typeof runSplit>[0], args: (base: number[], thread: number) => number[]) =>
      splitColumns(fn, outer, m, plan.count, (o0, o1, j0, j1, t) => args([x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1], t)),
  };
}

/** Rows: each output reduces n1 contiguous runs of n0; one long run alone is split by chunks. */
function sumRows(ex: SimdExports, sz: number, x: number, o: number, plan: ReducePlan, n1: number, s1: number, n0: number, div: number): boolean {
  const f32 = sz === 4;
  if (plan.outCount === 1 && n1 === 1 && n0 >= 2 * CHUNK && splitRanges({ items: Math.ceil(n0 / CHUNK), minItems: 1 }).length > 1) {
    // The chunks' partials added in order here, as the kernel adds them on one thread.
    const chunks = Math.ceil(n0 / CHUNK);
    const partials = heap.scratch('reduce.partials', chunks * 8);
    runSplit(f32 ? 'sumChunksF32' : 'sumChunksF64', { items: chunks, minItems: 1 }, (a, b) => [x, n0, a, b, partials]);
    const p = new Float64Array(heap.heapBuffer, partials, chunks);
    let acc = 0;
    for (let c = 0; c < chunks; c++) acc += p[c]!;
    if (f32) new Float32Array(heap.heapBuffer, o, 1)[0] = acc / div;
    else new Float64Array(heap.heapBuffer, o, 1)[0] = acc / div;
    return true;
  }
  const ko = plan.outerShape.length;
  const rows = plan.outerShape[ko - 1]!;
  const rs = plan.outerStrides[ko - 1]!;
  const count = plan.count;
  const fn = f32 ? 'sumRowsF32' : 'sumRowsF64';
  // Kept dims that do not coalesce into one: one call per position of the leading ones.
  forEachOffset(plan.outerShape.slice(0, -1), plan.outerStrides.slice(0, -1), 0, (p, off) => {
    const xb = x + off * sz, ob = o + p * rows * sz;
    runSplit(fn, { items: rows, minItems: Math.ceil(MIN_WORK / count) }, (a, b) => [xb, a, b, rs, n1, s1, n0, ob, div]);
  });
  return true;
}
