/**
 * Power sums of many contiguous rows in one call (assembly/moments.ts powerSumRows*): var/std and
 * the 1-/2-norms along the last dim, where the per-row calls of the TS reducers (simdPowerSum:
 * ~0.3 µs each) dominate short rows. Split over threads by rows; each row is computed the same way
 * wherever it falls, so results do not depend on the thread count.
 */
import type { Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { reducePlan } from '../kernels/reduction/plan.js';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/** Elements one thread should at least reduce for a split to pay for the hand-off. */
const MIN_WORK = 1 << 15;
/** Shorter rows stay in TS, identical to its one-at-a-time sums (as the per-row kernel's MIN_ROW). */
const MIN_ROW = 32;

/** What each row sums: its squared deviations from its mean, its squares, or its absolute values. */
export const ROW_MOMENT = { squaredDeviations: [0, 1], squares: [0, 0], absolutes: [1, 0] } as const;

/**
 * The float64 power sums of float32/float64 `input` over `dims`, one per output in output order, when
 * the reduced elements are one contiguous run of at least 32 per output and the outputs are evenly
 * spaced (at least two of them); null otherwise (the TS reducers run).
 */
export function simdPowerSumRows(input: Tensor, dims: readonly number[], [kind, centered]: readonly [number, number]): Float64Array | null {
  const ex = simd();
  const dtype = input._dtype;
  if (!ex || (dtype !== 'float32' && dtype !== 'float64')) return null;
  const plan = reducePlan(input._shape, input._strides, dims);
  const n = plan.count, rows = plan.outCount;
  if (rows < 2 || n < MIN_ROW || plan.innerShape.length !== 1 || plan.innerStrides[0] !== 1 || plan.outerShape.length !== 1) return null;
  const rs = plan.outerStrides[0]!;
  if (rs < 0) return null;
  const sz = dtype === 'float32' ? 4 : 8;
  const x = input._storage.ptr + input._offset * sz;
  const out = heap.scratch('reduce.rowMoments', rows * 8);
  runSplit(sz === 4 ? 'powerSumRowsF32' : 'powerSumRowsF64', { items: rows, minItems: Math.ceil(MIN_WORK / n) },
    (r0, r1) => [x, r0, r1, rs, n, kind, centered, out]);
  return new Float64Array(heap.heapBuffer, out, rows).slice();
}
