// Vector helpers shared by the kernels. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so
// each build keeps exactly one branch: the relaxed build fuses multiply-add (one rounding).

// @ts-ignore: decorator
@inline export function maddF32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline export function maddF64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** 1 when the module was built with relaxed SIMD (FMA), else 0. */
export function relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Elements 0-1 of the four float32 (or float64) elements at q, as float64 lanes. */
// @ts-ignore: decorator
@inline export function widenLo<T>(q: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load(q)) : v128.load(q);
}

/** Elements 2-3 of the four float32 (or float64) elements at q, as float64 lanes. */
// @ts-ignore: decorator
@inline export function widenHi<T>(q: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load64_zero(q + 8)) : v128.load(q, 16);
}
