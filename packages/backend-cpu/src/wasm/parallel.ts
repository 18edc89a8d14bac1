/**
 * Splitting one wasm kernel call over the thread pool by ranges of independent work items (rows
 * of an output, batch elements, blocks of a flat array).
 *
 * The caller describes the call for any sub-range [start, end); each range is computed by exactly
 * one thread and the ranges partition the items, so a kernel whose items write disjoint outputs
 * gives the same bytes for every thread count. Work that is too small to pay for the hand-off
 * (a few microseconds per job) runs on the calling thread in one call.
 */
import { getNumThreads, pool, simd } from './simd.js';
import type { SimdExports } from './simd.js';

/** The kernels that take numbers only. */
export type KernelName = { [K in keyof SimdExports]: SimdExports[K] extends (...a: number[]) => unknown ? K : never }[keyof SimdExports];

export interface RangeSplit {
  /** Number of independent items. */
  items: number;
  /** Do not split below this many items per thread (the cost of one item decides it). */
  minItems: number;
  /** Range starts (except 0) are multiples of this (vector width, tile height). Default 1. */
  align?: number;
}

/** Ranges per thread: the threads claim them in turn, so a late or slower thread takes fewer. */
const RANGES_PER_THREAD = 4;

/** How many threads a split of `items` uses: at most getNumThreads(), each with `minItems`. */
function threadsFor({ items, minItems }: RangeSplit): number {
  return pool() ? Math.min(getNumThreads(), Math.floor(items / Math.max(1, minItems))) : 1;
}

/**
 * The ranges one call is split into (one range when it is not split): up to RANGES_PER_THREAD
 * per thread, starts aligned to `align`. They depend on the thread count, so kernels split by
 * them must compute each item the same way whatever range it falls in.
 */
export function splitRanges(split: RangeSplit): [number, number][] {
  const { items, align = 1 } = split;
  const threads = threadsFor(split);
  if (threads < 2) return [[0, items]];
  const units = Math.ceil(items / align);
  const chunk = Math.ceil(units / Math.min(units, threads * RANGES_PER_THREAD)) * align;
  const ranges: [number, number][] = [];
  for (let start = 0; start < items; start += chunk) ranges.push([start, Math.min(items, start + chunk)]);
  return ranges;
}

/**
 * Runs `fn` once per range of `split` (see splitRanges), with the arguments `args(start, end,
 * thread)` gives: the calling thread and the workers claim ranges in turn. Kernels that need
 * scratch space take one block per thread index (the only way args may depend on the thread).
 * Throws what a worker's kernel threw.
 */
export function runSplit(
  fn: KernelName, split: RangeSplit, args: (start: number, end: number, thread: number) => number[],
): void {
  const ex = simd()!;
  const kernel = ex[fn] as (...a: number[]) => unknown;
  const ranges = splitRanges(split);
  if (ranges.length === 1) {
    kernel(...args(0, split.items, 0));
    return;
  }
  const batch = { fn, count: ranges.length, args: (i: number, t: number) => args(ranges[i]![0], ranges[i]![1], t) };
  pool()!.run(batch, threadsFor(split), (a) => kernel(...a));
}
