// softmax / log_softmax of contiguous float32/float64 tensors along one dim, numerically stable as
// the TS kernel: m = max, e = exp(x - m), sum in float64, softmax = e * (1 / sum),
// log_softmax = (x - m) - log(sum). The input is [outer, len, inner] with `len` the softmax dim:
// - inner == 1 (the last dim): vectors run along each row;
// - inner > 1: vectors run across 4 (float32) or 2 (float64) neighbouring rows, one per lane,
//   and a tail of single lanes; a lane's bytes do not depend on its strip, so the split of the
//   inner positions over threads does not change results.
//
// float32 works in float32 lanes: x - m is rounded, but its rounding error (TwoSum, exact) is
// folded back into the exp as exp(d + err) = exp(d) (1 + err), so e stays within the vector
// exp's ~2 ulp of exp(x - m) even where |x - m| is large. float64 computes x - m exactly as TS
// and uses vmath's exp and log.
import { maddF32 } from './simd';
import { expF64, expPolyF32, logF64 } from './vmath';

/**
 * exp(d + err) for d <= 0 (or NaN) and a tiny correction err, float32 lanes: n = round(d / ln 2)
 * by the 1.5 * 2^23 rounding trick (no float-to-int conversion, which is slow on x86),
 * r = d - n ln 2 (ln 2 in two parts, the first exact times n) + err, e^r by Cephes' expf
 * polynomial, times 2^n applied as two normal factors so that subnormal results round once.
 * Within ~2 ulp; d below -104 gives 0.
 */
// @ts-ignore: decorator
@inline export function expNonPositiveF32(d: v128, err: v128): v128 {
  const dc = f32x4.pmax(d, f32x4.splat(-104)); // NaN stays NaN
  const magic = f32x4.splat(12582912);
  const t = maddF32(dc, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(t, magic);
  const ni = i32x4.sub(t, magic);
  let r = maddF32(n, f32x4.splat(-0.693359375), dc);
  r = f32x4.add(maddF32(n, f32x4.splat(2.12194440e-4), r), err);
  const p = expPolyF32(r);
  const a = i32x4.shr_s(ni, 1);
  const b = i32x4.sub(ni, a);
  return f32x4.mul(f32x4.mul(p, i32x4.shl(i32x4.add(a, i32x4.splat(127)), 23)), i32x4.shl(i32x4.add(b, i32x4.splat(127)), 23));
}

/**
 * Row max by pseudo-max (one instruction; a NaN element may be skipped): a row holding NaN still
 * comes out all NaN, through its exp and the sum, as in PyTorch.
 */
// @ts-ignore: decorator
@inline function vmax<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.pmax(a, b) : f64x2.pmax(a, b);
}

/** exp(x - m) lane by lane; NaN where x or m is NaN or both are the same infinity. */
// @ts-ignore: decorator
@inline function expDiff<T>(x: v128, m: v128): v128 {
  if (sizeof<T>() == 8) return expF64(f64x2.sub(x, m));
  const d = f32x4.sub(x, m);
  const bb = f32x4.sub(d, x);
  let err = f32x4.add(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.sub(f32x4.neg(m), bb));
  // Only finite, non-negligible d carries a correction (an infinite x or m makes err NaN).
  err = v128.and(err, f32x4.ge(d, f32x4.splat(-104)));
  return expNonPositiveF32(d, err);
}

/** float64 lanes of a float32x4 (low or high pair) or the float64x2 itself. */
// @ts-ignore: decorator
@inline function lo64<T>(v: v128): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v) : v;
}
// @ts-ignore: decorator
@inline function hi64<T>(v: v128): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)) : f64x2.splat(0);
}

// @ts-ignore: decorator
@inline function logOf(sum: f64): f64 {
  return f64x2.extract_lane(logF64(f64x2.splat(sum)), 0);
}

// @ts-ignore: decorator
@inline function splatT<T>(v: f64): v128 {
  return sizeof<T>() == 4 ? f32x4.splat(<f32>v) : f64x2.splat(v);
}

// @ts-ignore: decorator
@inline function laneT<T>(v: v128): f64 {
  return sizeof<T>() == 4 ? <f64>f32x4.extract_lane(v, 0) : f64x2.extract_lane(v, 0);
}

/** The k (1-3) float32 values at p in the low lanes, zeros above (nothing read past them). */
// @ts-ignore: decorator
@inline export function loadTailF32(p: usize, k: i32): v128 {
  let v = v128.load32_zero(p);
  if (k > 1) v = v128.load32_lane(p, v, 1, 4);
  if (k > 2) v = v128.load32_lane(p, v, 2, 8);
  return v;
}

/** Stores lanes 0..k-1 (k in 1-3) of v to the float32 values at p. */
// @ts-ignore: decorator
@inline export function storeTailF32(p: usize, v: v128, k: i32): void {
  v128.store32_lane(p, v, 0);
  if (k > 1) v128.store32_lane(p, v, 1, 4);
  if (k > 2) v128.store32_lane(p, v, 2, 8);
}

/**
 * exp(x - m) of a float32 row's last k (1-3) elements as one partial vector (lanes are computed
 * independently, so each equals the full-vector result), stored to o when `store`; returns `sum`
 * plus them in float64, added one by one in element order.
 */
// @ts-ignore: decorator
@inline function tailExpF32(x: usize, o: usize, k: i32, mv: v128, store: bool, sum: f64): f64 {
  const e = expDiff<f32>(loadTailF32(x, k), mv);
  if (store) storeTailF32(o, e, k);
  sum += <f64>f32x4.extract_lane(e, 0);
  if (k > 1) sum += <f64>f32x4.extract_lane(e, 1);
  if (k > 2) sum += <f64>f32x4.extract_lane(e, 2);
  return sum;
}

/** One contiguous row of len elements at x into o. */
// @ts-ignore: decorator
@inline function row<T>(x: usize, o: usize, len: i32, log: bool): void {
  const sz = <i32>sizeof<T>();
  const lanes = 16 / sz;
  const vend = len - len % lanes;
  // Four independent max chains: one chain is bound by the latency of a NaN-propagating max.
  let mv = splatT<T>(-Infinity), m1 = mv, m2 = mv, m3 = mv;
  let i0 = 0;
  for (; i0 + 4 * lanes <= vend; i0 += 4 * lanes) {
    const p = x + <usize>(i0 * sz);
    mv = vmax<T>(mv, v128.load(p));
    m1 = vmax<T>(m1, v128.load(p, 16));
    m2 = vmax<T>(m2, v128.load(p, 32));
    m3 = vmax<T>(m3, v128.load(p, 48));
  }
  for (; i0 < vend; i0 += lanes) mv = vmax<T>(mv, v128.load(x + <usize>(i0 * sz)));
  mv = vmax<T>(vmax<T>(mv, m1), vmax<T>(m2, m3));
  let m: f64 = sz == 4
    ? <f64>max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)))
    : max(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
  // (lanes never hold NaN: pmax keeps the accumulator when an element is NaN)
  for (let i = vend; i < len; i++) {
    const v = <f64>load<T>(x + <usize>(i * sz));
    if (v > m) m = v;
  }
  mv = splatT<T>(m);
  let s0 = f64x2.splat(0), s1 = s0;
  for (let i = 0; i < vend; i += lanes) {
    const e = expDiff<T>(v128.load(x + <usize>(i * sz)), mv);
    if (!log) v128.store(o + <usize>(i * sz), e);
    s0 = f64x2.add(s0, lo64<T>(e));
    if (sz == 4) s1 = f64x2.add(s1, hi64<T>(e));
  }
  const s = f64x2.add(s0, s1);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  if (sz == 4 && vend < len) sum = tailExpF32(x + <usize>(vend * 4), o + <usize>(vend * 4), len - vend, mv, !log, sum);
  for (let i = vend; sz == 8 && i < len; i++) {
    const e = laneT<T>(expDiff<T>(splatT<T>(<f64>load<T>(x + <usize>(i * sz))), mv));
    if (!log) store<T>(o + <usize>(i * sz), <T>e);
    sum += e;
  }
  if (log) {
    const lsum = logOf(sum);
    const ls = splatT<T>(lsum);
    for (let i = 0; i < vend; i += lanes) {
      const d = sz == 4 ? f32x4.sub(v128.load(x + <usize>(i * sz)), mv) : f64x2.sub(v128.load(x + <usize>(i * sz)), mv);
      v128.store(o + <usize>(i * sz), sz == 4 ? f32x4.sub(d, ls) : f64x2.sub(d, ls));
    }
    const l = <T>lsum, mt = <T>m;
    for (let i = vend; i < len; i++) store<T>(o + <usize>(i * sz), (load<T>(x + <usize>(i * sz)) - mt) - l);
  } else {
    const inv = 1 / sum;
    const iv = splatT<T>(inv);
    for (let i = 0; i < vend; i += lanes) {
      const e = v128.load(o + <usize>(i * sz));
      v128.store(o + <usize>(i * sz), sz == 4 ? f32x4.mul(e, iv) : f64x2.mul(e, iv));
    }
    const it = <T>inv;
    for (let i = vend; i < len; i++) store<T>(o + <usize>(i * sz), load<T>(o + <usize>(i * sz)) * it);
  }
}

// Lane-wise loads and stores of a strip: all lanes (W = u32) or lane 0 only (W = u8).
// @ts-ignore: decorator
@inline export function ld<T, W>(p: usize): v128 {
  if (sizeof<W>() == 1) return sizeof<T>() == 4 ? v128.load32_zero(p) : v128.load64_zero(p);
  return v128.load(p);
}
// @ts-ignore: decorator
@inline export function st<T, W>(p: usize, v: v128): void {
  if (sizeof<W>() == 1) {
    if (sizeof<T>() == 4) v128.store32_lane(p, v, 0);
    else v128.store64_lane(p, v, 0);
  } else v128.store(p, v);
}

/** Per-lane f(sum) for the float64 sums (lo, hi) of a strip, as a vector of T. */
// @ts-ignore: decorator
@inline function perLane<T>(lo: v128, hi: v128, log: bool): v128 {
  const a = f64x2.extract_lane(lo, 0), b = f64x2.extract_lane(lo, 1);
  if (sizeof<T>() == 8) return log ? f64x2.replace_lane(f64x2.splat(logOf(a)), 1, logOf(b)) : f64x2.replace_lane(f64x2.splat(1 / a), 1, 1 / b);
  const c = f64x2.extract_lane(hi, 0), d = f64x2.extract_lane(hi, 1);
  let v = f32x4.splat(<f32>(log ? logOf(a) : 1 / a));
  v = f32x4.replace_lane(v, 1, <f32>(log ? logOf(b) : 1 / b));
  v = f32x4.replace_lane(v, 2, <f32>(log ? logOf(c) : 1 / c));
  return f32x4.replace_lane(v, 3, <f32>(log ? logOf(d) : 1 / d));
}

/** A strip of lanes (W = u32: a full vector; W = u8: one lane) down the softmax dim, stride st elements. */
// @ts-ignore: decorator
@inline function strip<T, W>(x: usize, o: usize, len: i32, stride: i32, log: bool): void {
  const step = <usize>stride * sizeof<T>();
  let mv = splatT<T>(-Infinity);
  for (let k = 0, p = x; k < len; k++, p += step) mv = vmax<T>(mv, ld<T, W>(p));
  let s0 = f64x2.splat(0), s1 = s0;
  for (let k = 0, p = x, q = o; k < len; k++, p += step, q += step) {
    const e = expDiff<T>(ld<T, W>(p), mv);
    if (!log) st<T, W>(q, e);
    s0 = f64x2.add(s0, lo64<T>(e));
    if (sizeof<T>() == 4) s1 = f64x2.add(s1, hi64<T>(e));
  }
  const f = perLane<T>(s0, s1, log);
  for (let k = 0, p = x, q = o; k < len; k++, p += step, q += step) {
    if (log) {
      const d = sizeof<T>() == 4 ? f32x4.sub(ld<T, W>(p), mv) : f64x2.sub(ld<T, W>(p), mv);
      st<T, W>(q, sizeof<T>() == 4 ? f32x4.sub(d, f) : f64x2.sub(d, f));
    } else {
      st<T, W>(q, sizeof<T>() == 4 ? f32x4.mul(ld<T, W>(q), f) : f64x2.mul(ld<T, W>(q), f));
    }
  }
}

// @ts-ignore: decorator
@inline function softmax<T>(x: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, log: bool): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const block = <usize>len * <usize>inner * sz;
  for (let b = o0; b < o1; b++) {
    const xb = x + <usize>b * block, ob = o + <usize>b * block;
    if (inner == 1) {
      row<T>(xb, ob, len, log);
      continue;
    }
    let j = j0;
    for (; j + lanes <= j1; j += lanes) strip<T, u32>(xb + <usize>j * sz, ob + <usize>j * sz, len, inner, log);
    for (; j < j1; j++) strip<T, u8>(xb + <usize>j * sz, ob + <usize>j * sz, len, inner, log);
  }
}

/**
 * softmax (log = 0) or log_softmax (log = 1) of x, contiguous [outer, len, inner], into o (same
 * layout), for outer blocks [o0, o1) and, when inner > 1, inner positions [j0, j1).
 */
export function softmaxF32(x: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, log: i32): void {
  softmax<f32>(x, o, o0, o1, len, inner, j0, j1, log != 0);
}
export function softmaxF64(x: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, log: i32): void {
  softmax<f64>(x, o, o0, o1, len, inner, j0, j1, log != 0);
}
