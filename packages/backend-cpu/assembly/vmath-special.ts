// expm1, erf and gelu on float64x2 lanes (float32 erf and gelu widen to them and round once; vmath.ts
// has float32 expm1 and both log1p), with immediate constants only. Special values follow the TS
// kernels (Math.expm1, core's fdlibm erf): NaN propagates, signed zeros and subnormal inputs are kept.
//
// erf is fdlibm's erf evaluated with the TS kernel's operations in the same order (no FMA), so it
// matches it bit for bit except where the tail (|x| >= 1.25) calls exp: vmath's expF64 is within
// 1 ulp of Math.exp. expm1 is within ~2 ulp of V8's fdlibm.

import { expF64, tanhF64 } from './vmath';

// @ts-ignore: decorator
@inline function k(c: f64): v128 {
  return f64x2.splat(c);
}

/** a * b + c, two roundings (the TS kernel's order). */
// @ts-ignore: decorator
@inline function mac(a: v128, b: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(a, b), k(c));
}

/** |x| with x's sign bit. */
// @ts-ignore: decorator
@inline function withSignOf(ax: v128, x: v128): v128 {
  return v128.or(ax, v128.and(x, k(-0.0)));
}

/** 2^n for integer-valued f64 lanes n in [-1022, 1023]. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  const ni = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n));
  return i64x2.shl(i64x2.add(ni, i64x2.splat(1023)), 52);
}

/**
 * e^x - 1: x = n ln2 + r (|r| <= ln2 / 2), expm1(r) = r + r^2 P(r) (Taylor to degree 13, no
 * cancellation), then 2^n expm1(r) + (2^n - 1) (2^n - 1 exact) for n <= 60, (1 + expm1(r)) 2^n - 1
 * beyond (2^n in two factors up to n = 1024). Below -60 the result rounds to -1.
 */
// @ts-ignore: decorator
@inline export function expm1F64(x: v128): v128 {
  const xc = f64x2.max(f64x2.min(x, k(710)), k(-60));
  const n = f64x2.nearest(f64x2.mul(xc, k(1.4426950408889634)));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(n, k(6.93147180369123816490e-01))), f64x2.mul(n, k(1.90821492927058770002e-10)));
  let p = mac(k(1.0 / 87178291200.0), r, 1.0 / 6227020800.0);
  p = mac(p, r, 1.0 / 479001600.0);
  p = mac(p, r, 1.0 / 39916800.0);
  p = mac(p, r, 1.0 / 3628800.0);
  p = mac(p, r, 1.0 / 362880.0);
  p = mac(p, r, 1.0 / 40320.0);
  p = mac(p, r, 1.0 / 5040.0);
  p = mac(p, r, 1.0 / 720.0);
  p = mac(p, r, 1.0 / 120.0);
  p = mac(p, r, 1.0 / 24.0);
  p = mac(p, r, 1.0 / 6.0);
  p = mac(p, r, 0.5);
  const e = f64x2.add(r, f64x2.mul(f64x2.mul(r, r), p));
  const near = f64x2.le(n, k(60));
  const s = pow2(v128.bitselect(n, k(0), near));
  const small = f64x2.add(f64x2.mul(s, e), f64x2.sub(s, k(1)));
  const half = f64x2.floor(f64x2.mul(n, k(0.5)));
  const big = f64x2.sub(f64x2.mul(f64x2.mul(f64x2.add(e, k(1)), pow2(half)), pow2(f64x2.sub(n, half))), k(1));
  // Zeros keep their sign (r = x - 0 * ln2 would turn -0 into +0).
  return v128.bitselect(x, v128.bitselect(small, big, near), f64x2.eq(x, k(0)));
}

// ---- erf: fdlibm's rational approximations (core's math.ts), same operation order ------------------

/** x R(x^2) / S(x^2) for |x| < 0.84375. */
// @ts-ignore: decorator
@inline function erfSmall(x: v128): v128 {
  const z = f64x2.mul(x, x);
  const r = mac(mac(mac(mac(k(-2.37630166566501626084e-5), z, -5.77027029648944159157e-3), z, -2.84817495755985104766e-2), z,
    -3.25042107247001499370e-1), z, 1.28379167095512558561e-1);
  const s = mac(mac(mac(mac(mac(k(-3.96022827877536812320e-6), z, 1.32494738004321644526e-4), z, 5.08130628187576562776e-3), z,
    6.50222499887672944485e-2), z, 3.97917223959155352819e-1), z, 1);
  return f64x2.mul(x, f64x2.div(r, s));
}

/** erf(1 + s) - erx for s = |x| - 1 in [-0.15625, 0.25). */
// @ts-ignore: decorator
@inline function erfNearOne(s: v128): v128 {
  const p = mac(mac(mac(mac(mac(mac(k(-2.16637559486879084300e-3), s, 3.54783043256182359371e-2), s, -1.10894694282396677476e-1), s,
    3.18346619901161753674e-1), s, -3.72207876035701323847e-1), s, 4.14856118683748331666e-1), s, -2.36211856075265944077e-3);
  const q = mac(mac(mac(mac(mac(mac(k(1.19844998467991074170e-2), s, 1.36370839120290507362e-2), s, 1.26171219808761642112e-1), s,
    7.18286544141962662868e-2), s, 5.40397917702171048937e-1), s, 1.06420880400844228286e-1), s, 1);
  return f64x2.div(p, q);
}

/** erfc(ax) for 1.25 <= ax < 28 (both of fdlibm's intervals, picked per lane). */
// @ts-ignore: decorator
@inline function erfcTail(ax: v128): v128 {
  const s = f64x2.div(k(1), f64x2.mul(ax, ax));
  const ra = mac(mac(mac(mac(mac(mac(mac(k(-9.81432934416914548592), s, -8.12874355063065934246e1), s, -1.84605092906711035994e2), s,
    -1.62396669462573470355e2), s, -6.23753324503260060396e1), s, -1.05586262253232909814e1), s, -6.93858572707181764372e-1), s,
    -9.86494403484714822705e-3);
  const sa = mac(mac(mac(mac(mac(mac(mac(mac(k(-6.04244152148580987438e-2), s, 6.57024977031928170135), s, 1.08635005541779435134e2), s,
    4.29008140027567833386e2), s, 6.45387271733267880336e2), s, 4.34565877475229228821e2), s, 1.37657754143519042600e2), s,
    1.96512716674392571292e1), s, 1);
  const rb = mac(mac(mac(mac(mac(mac(k(-4.83519191608651397019e2), s, -1.02509513161107724954e3), s, -6.37566443368389627722e2), s,
    -1.60636384855821916062e2), s, -1.77579549177547519889e1), s, -7.99283237680523006574e-1), s, -9.86494292470009928597e-3);
  const sb = mac(mac(mac(mac(mac(mac(mac(k(-2.24409524465858183362e1), s, 4.74528541206955367215e2), s, 2.55305040643316442583e3), s,
    3.19985821950859553908e3), s, 1.53672958608443695994e3), s, 3.25792512996573918826e2), s, 3.03380607434824582924e1), s, 1);
  const a = f64x2.lt(ax, k(1 / 0.35));
  const rq = f64x2.div(v128.bitselect(ra, rb, a), v128.bitselect(sa, sb, a));
  // exp(-ax^2) with ax^2 split exactly: z has 24 significant bits, so z * z is exact.
  const z = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(ax));
  const e1 = expF64(f64x2.sub(f64x2.neg(f64x2.mul(z, z)), k(0.5625)));
  const e2 = expF64(f64x2.add(f64x2.mul(f64x2.sub(z, ax), f64x2.add(z, ax)), rq));
  return f64x2.div(f64x2.mul(e1, e2), ax);
}

// @ts-ignore: decorator
@inline export function erfF64(x: v128): v128 {
  const ax = f64x2.abs(x);
  const tiny = f64x2.add(x, f64x2.mul(k(1.28379167095512586316e-1), x));
  const small = v128.bitselect(tiny, f64x2.add(x, erfSmall(x)), f64x2.lt(ax, k(3.725290298461914e-9)));
  // Only the intervals some lane needs are evaluated (NaN lanes take the tail).
  const inSmall = f64x2.lt(ax, k(0.84375));
  if (i64x2.all_true(inSmall)) return small;
  const near = withSignOf(f64x2.add(k(8.45062911510467529297e-1), erfNearOne(f64x2.sub(ax, k(1)))), x);
  const belowTail = f64x2.lt(ax, k(1.25));
  if (i64x2.all_true(belowTail)) return v128.bitselect(small, near, inSmall);
  // Past 6 the result is +-1; the tail is evaluated on a clamped argument (no overflow in 1 / ax^2).
  const tail = withSignOf(v128.bitselect(k(1), f64x2.sub(k(1), erfcTail(f64x2.min(ax, k(6)))), f64x2.ge(ax, k(6))), x);
  return v128.bitselect(small, v128.bitselect(near, tail, belowTail), inSmall);
}

/** x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as the TS kernel evaluates it. */
// @ts-ignore: decorator
@inline export function geluF64(x: v128): v128 {
  const e = erfF64(f64x2.mul(x, k(0.7071067811865476)));
  return f64x2.mul(f64x2.mul(k(0.5), x), f64x2.add(k(1), e));
}

/** PyTorch's tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). */
// @ts-ignore: decorator
@inline export function geluTanhF64(x: v128): v128 {
  const inner = f64x2.add(x, f64x2.mul(f64x2.mul(f64x2.mul(k(0.044715), x), x), x));
  const t = tanhF64(f64x2.mul(k(0.7978845608028654), inner));
  return f64x2.mul(f64x2.mul(k(0.5), x), f64x2.add(k(1), t));
}
