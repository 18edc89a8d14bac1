// Power sums of one contiguous row for var/std and the vector norms (the TS reducers call them per
// row): kind 0: sum((x - center)^2) (center = the row mean for var/std, 0 for the 2-norm),
// kind 1: sum(|x|) (the 1-norm). float64 throughout: float32 elements are widened (x - center and
// the squares are then exact or nearly so), summed in two f64x2 accumulators and a scalar tail,
// where the TS loop sums one element at a time.

import { widenHi, widenLo } from './simd';

// @ts-ignore: decorator
@inline function term(x: v128, c: v128, kind: i32): v128 {
  if (kind == 1) return f64x2.abs(x);
  const d = f64x2.sub(x, c);
  return f64x2.mul(d, d);
}

// @ts-ignore: decorator
@inline function powerSum<T>(p: usize, n: i32, center: f64, kind: i32): f64 {
  const sz = <usize>sizeof<T>();
  const c = f64x2.splat(center);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + <usize>i * sz;
    const x0 = widenLo<T>(q), x1 = widenHi<T>(q);
    a0 = f64x2.add(a0, term(x0, c, kind));
    a1 = f64x2.add(a1, term(x1, c, kind));
  }
  const a = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; i < n; i++) {
    const x = <f64>load<T>(p + <usize>i * sz);
    s += kind == 1 ? abs(x) : (x - center) * (x - center);
  }
  return s;
}

export function powerSumF32(p: usize, n: i32, center: f64, kind: i32): f64 {
  return kind == 1 ? powerSum<f32>(p, n, center, 1) : powerSum<f32>(p, n, center, 0);
}

export function powerSumF64(p: usize, n: i32, center: f64, kind: i32): f64 {
  return kind == 1 ? powerSum<f64>(p, n, center, 1) : powerSum<f64>(p, n, center, 0);
}
