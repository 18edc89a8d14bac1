/**
 * One timing method for both sides (bench_torch.py's `measure` is a line-by-line port): calibrate
 * a batch length, warm up, then time `reps` batches and take the median time per iteration.
 */

export interface TimingPlan {
  /** Warm-up time before the timed batches (the calibration counts towards it). */
  warmupSeconds: number;
  /**
   * Warm-up goes on past warmupSeconds, up to this long, until a batch runs within SETTLED of the
   * one before: V8 takes a few thousand iterations of an autograd step (~2 s) to reach its steady
   * speed (layer norm fwd+bwd: 1 ms per iteration at first, 0.31 ms after 3,000).
   */
  maxWarmupSeconds: number;
  /** Calibrated batches last about this long. */
  targetBatchSeconds: number;
  reps: number;
  /** Fewer reps (at least 3) when one batch is so slow that `reps` of them would exceed this. */
  maxWorkloadSeconds: number;
}

export interface Timing {
  /** Median over the timed batches of (batch time / inner). */
  secondsPerIter: number;
  minSecondsPerIter: number;
  inner: number;
  reps: number;
}

export function timingPlan(quick: boolean): TimingPlan {
  return quick
    ? { warmupSeconds: 0.05, maxWarmupSeconds: 0.05, targetBatchSeconds: 0.03, reps: 3, maxWorkloadSeconds: 2 }
    : { warmupSeconds: 0.2, maxWarmupSeconds: 4, targetBatchSeconds: 0.1, reps: 7, maxWorkloadSeconds: 10 };
}

/** Consecutive warm-up batches within this fraction of each other count as settled. */
const SETTLED = 0.05;

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function measure(batch: (inner: number) => void, plan: TimingPlan, fixedInner?: number): Timing {
  let inner = fixedInner ?? 1;
  let spent = 0;
  let last = 0; // seconds of the last batch of length `inner`; 0 = none run yet
  if (fixedInner === undefined) {
    // Grow the batch until it takes a quarter of the target, then scale it to the target.
    for (;;) {
      last = seconds(() => batch(inner));
      spent += last;
      if (last >= plan.targetBatchSeconds / 4 || inner >= 1 << 20) break;
      inner *= 4;
    }
    const scaled = Math.max(1, Math.round((inner * plan.targetBatchSeconds) / last));
    if (scaled !== inner) {
      inner = scaled;
      last = 0;
    }
  }
  let previous = 0;
  const settled = (): boolean => previous > 0 && Math.abs(last - previous) <= SETTLED * previous;
  while (spent < plan.warmupSeconds || last === 0 || (!settled() && spent < plan.maxWarmupSeconds)) {
    previous = last;
    last = seconds(() => batch(inner));
    spent += last;
  }
  const reps = Math.max(3, Math.min(plan.reps, Math.floor(plan.maxWorkloadSeconds / last)));
  const perIter: number[] = [];
  for (let r = 0; r < reps; r++) perIter.push(seconds(() => batch(inner)) / inner);
  return { secondsPerIter: median(perIter), minSecondsPerIter: Math.min(...perIter), inner, reps };
}
