/**
 * Reductions of contiguous rows in one wasm call: var/std and the 1-/2-norms
 * (assembly/moments.ts powerSumRows*) and logsumexp (assembly/logsumexp.ts logsumexpRows*) of many
 * rows, where the TS reducers' per-row calls (~0.3 µs each) dominate short rows, and nansum/nanmean
 * (assembly/nan-rows.ts) of one or more rows, which otherwise have only the TS loop. Split over
 * threads by rows; each row is computed the same way wherever it falls, so results do not depend
 * on the thread count. Rows shorter than 32 stay in TS (identical to its one-at-a-time sums, as
 * the per-row kernels' threshold).
 */
import type { Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { reducePlan } from '../kernels/reduction/plan.js';
import { runSplit } from './parallel.js';
import type { KernelName } from './parallel.js';
import { simd } from './simd.js';

/** Elements one thread should at least reduce for a split to pay for the hand-off. */
const MIN_WORK = 1 << 15;
const MIN_ROW = 32;

/** What each row sums: its squared deviations from its mean, its squares, or its absolute values. */
export const ROW_MOMENT = { squaredDeviations: [0, 1], squares: [0, 0], absolutes: [1, 0] } as const;

/**
 * Runs `fns` (float32, float64) over the rows of `input` reduced over `dims` with the arguments
 * (x, r0, r1, rs, n, ...extra, out) and returns the float64 results, one per output in output order;
 * null unless the reduced elements are one contiguous run of at least 32 per output and the outputs
 * (at least `minRows`) are evenly spaced.
 */
function runRows(fns: readonly [KernelName, KernelName], input: Tensor, dims: readonly number[], extra: readonly number[], minRows = 2): Float64Array | null {
  const dtype = input._dtype;
  if (!simd() || (dtype !== 'float32' && dtype !== 'float64')) return null;
  const plan = reducePlan(input._shape, input._strides, dims);
  const n = plan.count, rows = plan.outCount;
  if (rows < minRows || n < MIN_ROW || plan.innerShape.length !== 1 || plan.innerStrides[0] !== 1 || plan.outerShape.length !== 1) return null;
  const rs = plan.outerStrides[0]!;
  if (rs < 0 && rows > 1) return null;
  const sz = dtype === 'float32' ? 4 : 8;
  const x = input._storage.ptr + input._offset * sz;
  const out = heap.scratch('reduce.rows', rows * 8);
  runSplit(fns[sz === 4 ? 0 : 1], { items: rows, minItems: Math.ceil(MIN_WORK / n) }, (r0, r1) => [x, r0, r1, rs, n, ...extra, out]);
  return new Float64Array(heap.heapBuffer, out, rows).slice();
}

/** The float64 power sums (ROW_MOMENT kinds) of many rows, or null (see runRows). */
export function simdPowerSumRows(input: Tensor, dims: readonly number[], [kind, centered]: readonly [number, number]): Float64Array | null {
  return runRows(['powerSumRowsF32', 'powerSumRowsF64'], input, dims, [kind, centered]);
}

/** The logsumexp of many rows in float64 (the per-row kernel's values), or null (see runRows). */
export function simdLogsumexpRows(input: Tensor, dims: readonly number[]): Float64Array | null {
  return runRows(['logsumexpRowsF32', 'logsumexpRowsF64'], input, dims, []);
}

/** nansum (or nanmean) of one or more rows in float64, or null (see runRows). */
export function simdNanRows(input: Tensor, dims: readonly number[], mean: boolean): Float64Array | null {
  return runRows(['nanRowsF32', 'nanRowsF64'], input, dims, [mean ? 1 : 0], 1);
}
