// logsumexp of one contiguous row (the TS reducer calls it per row through simdRow), as the TS
// loop: c = the row max (0 when it is infinite), log(sum(exp(x - c))) + c, everything in float64:
// float32 elements are widened (their difference with c is exact there), exp and log are vmath's
// float64 vector polynomials (~1-2 ulp) and the sum runs in two f64x2 accumulators. A NaN anywhere
// makes the result NaN.
import { maxF32, maxF64 } from './reduce';
import { widenHi, widenLo } from './simd';
import { expF64, logF64 } from './vmath';

// @ts-ignore: decorator
@inline function logsumexp<T>(p: usize, n: i32): f64 {
  const sz = <usize>sizeof<T>();
  const m = sz == 4 ? maxF32(p, n) : maxF64(p, n);
  const c = m - m == 0 ? m : 0; // finite max, else 0 (NaN propagates through the sum)
  const cv = f64x2.splat(c);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + <usize>i * sz;
    const x0 = widenLo<T>(q), x1 = widenHi<T>(q);
    a0 = f64x2.add(a0, expF64(f64x2.sub(x0, cv)));
    a1 = f64x2.add(a1, expF64(f64x2.sub(x1, cv)));
  }
  for (; i < n; i++) {
    const x = <f64>load<T>(p + <usize>i * sz);
    a0 = f64x2.add(a0, v128.and(expF64(f64x2.splat(x - c)), v128(-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0)));
  }
  const a = f64x2.add(a0, a1);
  const sum = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  return f64x2.extract_lane(logF64(f64x2.splat(sum)), 0) + c;
}

export function logsumexpF32(p: usize, n: i32): f64 {
  return logsumexp<f32>(p, n);
}

export function logsumexpF64(p: usize, n: i32): f64 {
  return logsumexp<f64>(p, n);
}
