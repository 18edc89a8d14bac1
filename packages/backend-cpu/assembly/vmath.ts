// Vector math (exp, log, tanh, sigmoid) for float32x4 and float64x2 lanes, with immediate
// constants only (no tables: the module must not carry a data segment). Special values follow
// Math.*: NaN propagates, exp(-inf) = 0, exp(+inf) = inf, log(0) = -inf, log(x < 0) = NaN,
// tanh(+-inf) = +-1, subnormal inputs and results are handled (no flush to zero).
//
// float32: Cephes-style minimax polynomials evaluated in float32, within ~2 ulp of the correctly
// rounded result (tanh ~3 ulp). float64: exp by a degree-13 Taylor polynomial on |r| <= ln2/2 after
// a two-part ln 2 reduction, log by the fdlibm reduction f/(2+f) and its degree-14 series, both
// within ~1 ulp; tanh, sigmoid, silu and softplus build on exp and log (~2 ulp).

import { maddF32 } from './simd';

// ---- float32 -----------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function fma32(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), f32x4.splat(c));
}

/** 2^n for integer lanes n in [-152, 152], applied to p as two normal factors (one rounding). */
// @ts-ignore: decorator
@inline function scaleF32(p: v128, n: v128): v128 {
  const a = i32x4.shr_s(n, 1);
  const b = i32x4.sub(n, a);
  return f32x4.mul(f32x4.mul(p, i32x4.shl(i32x4.add(a, i32x4.splat(127)), 23)), i32x4.shl(i32x4.add(b, i32x4.splat(127)), 23));
}

// @ts-ignore: decorator
@inline export function expF32(x: v128): v128 {
  return expScaledF32(x, 0);
}

/** e^x 2^bias (bias in [0, 24]): the scaled form keeps tiny results normal for silu. */
// @ts-ignore: decorator
@inline function expScaledF32(x: v128, bias: i32): v128 {
  // Beyond [-104 - bias ln2, 89] the result is 0 or inf anyway. pmin/pmax are one instruction
  // each (wasm's min/max take several in V8) and return x itself when it is NaN.
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(89)), f32x4.splat(-104 - <f32>bias * 0.6931471805599453));
  // n = round(x / ln 2) by the 1.5 * 2^23 trick: t's low mantissa bits hold n as an integer, so
  // no float-to-int conversion (several instructions in V8) is needed.
  const magic = f32x4.splat(12582912);
  const t = maddF32(x, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(t, magic);
  // x - n ln2 with ln2 split so that n * 0.693359375 is exact.
  let r = maddF32(n, f32x4.splat(-0.693359375), x);
  r = maddF32(n, f32x4.splat(2.12194440e-4), r);
  const p = expPolyF32(r);
  // Where every |x| <= 87 - bias ln 2 (so |n| + bias <= 126 and 2^(n + bias) is normal) one factor
  // does: its bits are (n + bias + 127) << 23, and t's bits are 1.5 * 2^23's plus n, whose excess
  // shifts out.
  if (!v128.any_true(f32x4.gt(f32x4.abs(x), f32x4.splat(87 - <f32>bias * 0.6931471805599453)))) {
    return f32x4.mul(p, i32x4.shl(i32x4.add(t, i32x4.splat(127 + bias)), 23));
  }
  return scaleF32(p, i32x4.add(i32x4.sub(t, magic), i32x4.splat(bias)));
}

/** e^r for |r| <= ln2 / 2, float32 lanes: Cephes' expf polynomial (also softmax's exp). */
// @ts-ignore: decorator
@inline export function expPolyF32(r: v128): v128 {
  let p = maddF32(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = maddF32(p, r, f32x4.splat(8.3334519073e-3));
  p = maddF32(p, r, f32x4.splat(4.1665795894e-2));
  p = maddF32(p, r, f32x4.splat(1.6666665459e-1));
  p = maddF32(p, r, f32x4.splat(5.0000001201e-1));
  return maddF32(f32x4.mul(p, r), r, f32x4.add(r, f32x4.splat(1)));
}

// @ts-ignore: decorator
@inline export function logF32(x: v128): v128 {
  // Subnormals scaled into the normal range first (exact).
  const tiny = f32x4.lt(x, f32x4.splat(1.1754943508222875e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, tiny);
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)): shift the bits so the exponent field rounds there.
  const u = i32x4.add(xs, i32x4.splat(0x3f800000 - 0x3f3504f3));
  const e = f32x4.sub(f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_s(u, 23), i32x4.splat(127))),
    v128.and(tiny, f32x4.splat(23)));
  const f = f32x4.sub(i32x4.add(v128.and(u, i32x4.splat(0x007fffff)), i32x4.splat(0x3f3504f3)), f32x4.splat(1));
  const z = f32x4.mul(f, f);
  let p = fma32(f32x4.splat(7.0376836292e-2), f, -1.1514610310e-1);
  p = fma32(p, f, 1.1676998740e-1);
  p = fma32(p, f, -1.2420140846e-1);
  p = fma32(p, f, 1.4249322787e-1);
  p = fma32(p, f, -1.6668057665e-1);
  p = fma32(p, f, 2.0000714765e-1);
  p = fma32(p, f, -2.4999993993e-1);
  p = fma32(p, f, 3.3333331174e-1);
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = f32x4.add(y, f32x4.mul(e, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  const r = f32x4.add(f32x4.add(f, y), f32x4.mul(e, f32x4.splat(0.693359375)));
  return logSpecials(r, f32x4.eq(x, f32x4.splat(0)), f32x4.eq(x, f32x4.splat(Infinity)),
    v128.or(f32x4.lt(x, f32x4.splat(0)), f32x4.ne(x, x)), f32x4.splat(-Infinity), f32x4.splat(Infinity), f32x4.splat(NaN));
}

/** log's special cases over the finite-positive result r: 0 -> -inf, inf -> inf, x < 0 or NaN -> NaN. */
// @ts-ignore: decorator
@inline function logSpecials(r: v128, zero: v128, inf: v128, nan: v128, ninfV: v128, infV: v128, nanV: v128): v128 {
  r = v128.bitselect(ninfV, r, zero);
  r = v128.bitselect(infV, r, inf);
  return v128.bitselect(nanV, r, nan);
}

// @ts-ignore: decorator
@inline export function tanhF32(x: v128): v128 {
  const ax = f32x4.abs(x);
  // |x| < 0.625: |x| + |x|^3 P(x^2); else 1 - 2 / (e^{2|x|} + 1) (e overflows to inf: 1).
  const z = f32x4.mul(x, x);
  let p = fma32(f32x4.splat(-5.70498872745e-3), z, 2.06390887954e-2);
  p = fma32(p, z, -5.37397155531e-2);
  p = fma32(p, z, 1.33314422036e-1);
  p = fma32(p, z, -3.33332819422e-1);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const e = expF32(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // Both forms are computed on |x|; x's sign is put back last (tanh(-0) = -0).
  return v128.or(v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(0.625))), v128.and(x, f32x4.splat(-0.0)));
}

/** 1 / (1 + e^-x), as e^-|x| / (1 + e^-|x|) for x < 0 so that tiny results keep their precision. */
// @ts-ignore: decorator
@inline export function sigmoidF32(x: v128): v128 {
  // -|x| by setting the sign bit; one division, of e or 1 (picked first) by 1 + e.
  const e = expF32(v128.or(x, f32x4.splat(-0.0)));
  const d = f32x4.add(f32x4.splat(1), e);
  return f32x4.div(v128.bitselect(e, f32x4.splat(1), f32x4.lt(x, f32x4.splat(0))), d);
}

/**
 * x / (1 + e^-x). For x < 0 it is x e^x 2^24 / (1 + e^x) times 2^-24, so results in the subnormal
 * range round once (as the TS kernel's float64 evaluation rounded to float32 does).
 */
// @ts-ignore: decorator
@inline export function siluF32(x: v128): v128 {
  const e24 = expScaledF32(f32x4.neg(f32x4.abs(x)), 24);
  const d = f32x4.add(f32x4.splat(1), f32x4.mul(e24, f32x4.splat(5.9604644775390625e-8)));
  let neg = f32x4.mul(f32x4.div(f32x4.mul(x, e24), d), f32x4.splat(5.9604644775390625e-8));
  // Below -120 (where exp clamps) the result is x * 0: -0, and NaN for -inf (-inf / (1 + inf)).
  neg = v128.bitselect(f32x4.mul(x, f32x4.splat(0)), neg, f32x4.lt(x, f32x4.splat(-120)));
  return v128.bitselect(neg, f32x4.div(x, d), f32x4.lt(x, f32x4.splat(0)));
}

/**
 * e^x - 1: x = n ln2 + r as in exp, e^r - 1 = r + r^2 P(r) (Taylor to degree 7: no cancellation),
 * then 2^n (e^r - 1) + (2^n - 1), where 2^n - 1 is exact for n >= -24 (below -18 the result rounds
 * to -1); n = 128 (x near the overflow threshold) takes 2^127 and one more factor 2. ~2 ulp.
 */
// @ts-ignore: decorator
@inline export function expm1F32(x: v128): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(89)), f32x4.splat(-18));
  const magic = f32x4.splat(12582912);
  const t = maddF32(xc, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(t, magic);
  let r = maddF32(n, f32x4.splat(-0.693359375), xc);
  r = maddF32(n, f32x4.splat(2.12194440e-4), r);
  let p = maddF32(f32x4.splat(1.0 / 5040.0), r, f32x4.splat(1.0 / 720.0));
  p = maddF32(p, r, f32x4.splat(1.0 / 120.0));
  p = maddF32(p, r, f32x4.splat(1.0 / 24.0));
  p = maddF32(p, r, f32x4.splat(1.0 / 6.0));
  p = maddF32(p, r, f32x4.splat(0.5));
  const e = maddF32(f32x4.mul(r, r), p, r);
  const ni = i32x4.sub(t, magic);
  const nc = i32x4.min_s(ni, i32x4.splat(127));
  const s = i32x4.shl(i32x4.add(nc, i32x4.splat(127)), 23);
  const twice = i32x4.shl(i32x4.add(i32x4.sub(ni, nc), i32x4.splat(127)), 23);
  const y = f32x4.mul(maddF32(s, e, f32x4.sub(s, f32x4.splat(1))), twice);
  // Zeros keep their sign (the reduction turns -0 into +0).
  return v128.bitselect(x, y, f32x4.eq(x, f32x4.splat(0)));
}

/**
 * log(1 + x) as log(u) - ((u - 1) - x) / u with u = 1 + x rounded (u - 1 is exact, so the quotient
 * undoes u's rounding to first order). x = -1 gives -inf, x < -1 NaN; zeros keep their sign.
 */
// @ts-ignore: decorator
@inline export function log1pF32(x: v128): v128 {
  const u = f32x4.add(f32x4.splat(1), x);
  let c = f32x4.div(f32x4.sub(f32x4.sub(u, f32x4.splat(1)), x), u);
  c = v128.and(c, f32x4.eq(c, c)); // 0 / 0 at x = -1, inf - inf at x = inf: no correction
  return v128.bitselect(x, f32x4.sub(logF32(u), c), f32x4.eq(x, f32x4.splat(0)));
}

/** log(1 + e^x) (softplus, beta 1) for x <= t, else x; t < 88 so that e^x stays finite below it. */
// @ts-ignore: decorator
@inline export function softplusF32(x: v128, t: v128): v128 {
  return v128.bitselect(x, log1pF32(expF32(x)), f32x4.gt(x, t));
}

// ---- float64 -----------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function fma64(a: v128, b: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(a, b), f64x2.splat(c));
}

/** Integer-valued f64 lanes (|n| < 2^31) as i64 lanes. */
// @ts-ignore: decorator
@inline function toI64(n: v128): v128 {
  return i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n));
}

// @ts-ignore: decorator
@inline export function expF64(x: v128): v128 {
  x = f64x2.max(f64x2.min(x, f64x2.splat(710)), f64x2.splat(-746));
  const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(1.4426950408889634)));
  // ln2 hi has 32 trailing zero bits: n * hi is exact.
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, f64x2.splat(6.93147180369123816490e-01))),
    f64x2.mul(n, f64x2.splat(1.90821492927058770002e-10)));
  let p = fma64(f64x2.splat(1.0 / 6227020800.0), r, 1.0 / 479001600.0);
  p = fma64(p, r, 1.0 / 39916800.0);
  p = fma64(p, r, 1.0 / 3628800.0);
  p = fma64(p, r, 1.0 / 362880.0);
  p = fma64(p, r, 1.0 / 40320.0);
  p = fma64(p, r, 1.0 / 5040.0);
  p = fma64(p, r, 1.0 / 720.0);
  p = fma64(p, r, 1.0 / 120.0);
  p = fma64(p, r, 1.0 / 24.0);
  p = fma64(p, r, 1.0 / 6.0);
  p = fma64(p, r, 0.5);
  p = f64x2.add(f64x2.splat(1), f64x2.add(r, f64x2.mul(f64x2.mul(p, r), r)));
  // 2^n as two normal factors 2^a 2^b (a, b >= -538): one rounding for subnormal results.
  const ni = toI64(n);
  const a = i64x2.shr_s(ni, 1);
  const b = i64x2.sub(ni, a);
  const sa = i64x2.shl(i64x2.add(a, i64x2.splat(1023)), 52);
  const sb = i64x2.shl(i64x2.add(b, i64x2.splat(1023)), 52);
  return f64x2.mul(f64x2.mul(p, sa), sb);
}

// @ts-ignore: decorator
@inline export function logF64(x: v128): v128 {
  const tiny = f64x2.lt(x, f64x2.splat(2.2250738585072014e-308));
  const xs = v128.bitselect(f64x2.mul(x, f64x2.splat(18014398509481984.0)), x, tiny); // 2^54
  // x = m 2^k with m in [sqrt(1/2), sqrt(2)).
  const u = i64x2.add(xs, i64x2.splat(0x3ff0000000000000 - 0x3fe6a09e667f3bcd));
  const kw = i64x2.shr_s(u, 52);
  const k = f64x2.sub(f64x2.convert_low_i32x4_s(i32x4.shuffle(kw, kw, 0, 2, 0, 2)),
    v128.bitselect(f64x2.splat(1023 + 54), f64x2.splat(1023), tiny));
  const f = f64x2.sub(i64x2.add(v128.and(u, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3fe6a09e667f3bcd)), f64x2.splat(1));
  const hfsq = f64x2.mul(f64x2.splat(0.5), f64x2.mul(f, f));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, fma64(fma64(f64x2.splat(1.531383769920937332e-01), w, 2.222219843214978396e-01), w, 3.999999999940941908e-01));
  const t2 = f64x2.mul(z, fma64(fma64(fma64(f64x2.splat(1.479819860511658591e-01), w, 1.818357216161805012e-01), w,
    2.857142874366239149e-01), w, 6.666666666666735130e-01));
  const R = f64x2.add(t2, t1);
  let r = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
  r = f64x2.add(f64x2.add(f64x2.sub(r, hfsq), f), f64x2.mul(k, f64x2.splat(6.93147180369123816490e-01)));
  return logSpecials(r, f64x2.eq(x, f64x2.splat(0)), f64x2.eq(x, f64x2.splat(Infinity)),
    v128.or(f64x2.lt(x, f64x2.splat(0)), f64x2.ne(x, x)), f64x2.splat(-Infinity), f64x2.splat(Infinity), f64x2.splat(NaN));
}

// @ts-ignore: decorator
@inline export function tanhF64(x: v128): v128 {
  const ax = f64x2.abs(x);
  // |x| < 0.625: |x| + |x| z P(z) / Q(z) (Cephes); else 1 - 2 / (e^{2|x|} + 1); then x's sign.
  const z = f64x2.mul(x, x);
  const P = fma64(fma64(f64x2.splat(-9.64399179425052238628e-1), z, -9.92877231001918586564e1), z, -1.61468768441708447952e3);
  const Q = fma64(fma64(f64x2.add(z, f64x2.splat(1.12811678491632931402e2)), z, 2.23548839060100448583e3), z, 4.84406305325125486048e3);
  const small = f64x2.add(ax, f64x2.mul(f64x2.mul(ax, z), f64x2.div(P, Q)));
  const e = expF64(f64x2.add(ax, ax));
  const big = f64x2.sub(f64x2.splat(1), f64x2.div(f64x2.splat(2), f64x2.add(e, f64x2.splat(1))));
  return v128.or(v128.bitselect(small, big, f64x2.lt(ax, f64x2.splat(0.625))), v128.and(x, f64x2.splat(-0.0)));
}

/** 1 / (1 + e^-x), as the TS kernel computes it (0 where e^-x overflows, as in PyTorch). */
// @ts-ignore: decorator
@inline export function sigmoidF64(x: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), expF64(f64x2.neg(x))));
}

/** x / (1 + e^-x), as the TS kernel computes it. */
// @ts-ignore: decorator
@inline export function siluF64(x: v128): v128 {
  return f64x2.div(x, f64x2.add(f64x2.splat(1), expF64(f64x2.neg(x))));
}

/**
 * log(1 + x) as log(u) - ((u - 1) - x) / u with u = 1 + x rounded: the quotient undoes u's rounding
 * error to first order. x = -1 gives -inf, x < -1 NaN, inf inf; zeros keep their sign.
 */
// @ts-ignore: decorator
@inline export function log1pF64(x: v128): v128 {
  const u = f64x2.add(f64x2.splat(1), x);
  let c = f64x2.div(f64x2.sub(f64x2.sub(u, f64x2.splat(1)), x), u);
  c = v128.and(c, f64x2.eq(c, c)); // 0 / 0 at x = -1, inf - inf at x = inf: no correction
  return v128.bitselect(x, f64x2.sub(logF64(u), c), f64x2.eq(x, f64x2.splat(0)));
}

/** log(1 + e^x) for x <= t, else x (t < 709). */
// @ts-ignore: decorator
@inline export function softplusF64(x: v128, t: v128): v128 {
  return v128.bitselect(x, log1pF64(expF64(x)), f64x2.gt(x, t));
}
