// nansum / nanmean of many contiguous rows (src/wasm/rows-batch.ts): each row's non-NaN elements
// summed in float64 (float32 widened) in four f64x2 accumulators, then a scalar tail; nanmean
// divides by the count of non-NaN elements (0 / 0: NaN for an all-NaN row, as the TS loop).

import { widenHi, widenLo } from './simd';

// @ts-ignore: decorator
@inline function nanRow<T>(p: usize, n: i32, mean: bool): f64 {
  const sz = <usize>sizeof<T>();
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let c0 = i64x2.splat(0), c1 = c0;
  let i = 0;
  // Eight elements per step into four accumulators: the adds' latency, not the loads, bounds a row.
  for (; i + 8 <= n; i += 8) {
    const q = p + <usize>i * sz, q4 = q + 4 * sz;
    const x0 = widenLo<T>(q), x1 = widenHi<T>(q), x2 = widenLo<T>(q4), x3 = widenHi<T>(q4);
    const m0 = f64x2.eq(x0, x0), m1 = f64x2.eq(x1, x1), m2 = f64x2.eq(x2, x2), m3 = f64x2.eq(x3, x3);
    a0 = f64x2.add(a0, v128.and(x0, m0));
    a1 = f64x2.add(a1, v128.and(x1, m1));
    a2 = f64x2.add(a2, v128.and(x2, m2));
    a3 = f64x2.add(a3, v128.and(x3, m3));
    if (mean) {
      c0 = i64x2.sub(c0, i64x2.add(m0, m2)); // a true lane is -1
      c1 = i64x2.sub(c1, i64x2.add(m1, m3));
    }
  }
  a0 = f64x2.add(a0, a2);
  a1 = f64x2.add(a1, a3);
  for (; i + 4 <= n; i += 4) {
    const q = p + <usize>i * sz;
    const x0 = widenLo<T>(q), x1 = widenHi<T>(q);
    const m0 = f64x2.eq(x0, x0), m1 = f64x2.eq(x1, x1);
    a0 = f64x2.add(a0, v128.and(x0, m0));
    a1 = f64x2.add(a1, v128.and(x1, m1));
    if (mean) {
      c0 = i64x2.sub(c0, m0); // a true lane is -1
      c1 = i64x2.sub(c1, m1);
    }
  }
  const a = f64x2.add(a0, a1), c = i64x2.add(c0, c1);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  let count = i64x2.extract_lane(c, 0) + i64x2.extract_lane(c, 1);
  for (; i < n; i++) {
    const x = <f64>load<T>(p + <usize>i * sz);
    if (x == x) {
      s += x;
      count++;
    }
  }
  return mean ? s / <f64>count : s;
}

/** Rows r in [r0, r1) of n contiguous elements at x + r * rs elements: out[r] (float64) = nansum or nanmean. */
export function nanRowsF32(x: usize, r0: i32, r1: i32, rs: i32, n: i32, mean: i32, out: usize): void {
  for (let r = r0; r < r1; r++) {
    const p = x + <usize>r * <usize>rs * 4;
    store<f64>(out + (<usize>r << 3), mean ? nanRow<f32>(p, n, true) : nanRow<f32>(p, n, false));
  }
}

export function nanRowsF64(x: usize, r0: i32, r1: i32, rs: i32, n: i32, mean: i32, out: usize): void {
  for (let r = r0; r < r1; r++) {
    const p = x + <usize>r * <usize>rs * 8;
    store<f64>(out + (<usize>r << 3), mean ? nanRow<f64>(p, n, true) : nanRow<f64>(p, n, false));
  }
}
