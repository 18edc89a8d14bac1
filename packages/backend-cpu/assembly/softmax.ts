// softmax / log_softmax of contiguous float32/float64 tensors along one dim, numerically stable as
// the TS kernel: m = max, e = exp(x - m), sum in float64, softmax = e * (1 / sum),
// log_softmax = (x - m) - log(sum). The input is [outer, len, inner] with `len` the softmax dim:
// - inner == 1 (the last dim): vectors run along each row;
// - inner > 1: panels of up to 512 neighbouring columns (inner positions) streamed row by row,
//   vectors across the columns, each column's max, float64 sum and factor in a per-thread scratch;
//   a column's bytes do not depend on its panel, so the split of the inner positions over threads
//   does not change results. (Strips of 4 columns walking down the dim ran 2x slower: a new cache
//   line per step.)
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

/** Columns one panel keeps in the caller's scratch: a max, a float64 sum and a factor each (8-16 KiB). */
const PANEL = 512;

/**
 * Columns [0, c) (c <= PANEL) of one [len, inner] block, streamed row by row (row k of the panel is
 * c contiguous elements, stride `inner`): maxes, then exps and their float64 sums, then the
 * per-column factor, then the scaled (or shifted) outputs. Every column goes through the same
 * lane-wise operations in the dim's order wherever its panel starts; columns past the last whole
 * vector take lane 0 of single-element vectors. scratch: c maxes (T), c sums (f64), c factors (T).
 */
// @ts-ignore: decorator
@inline function panel<T>(x: usize, o: usize, len: i32, inner: i32, c: i32, scratch: usize, log: bool): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const vend = c - c % lanes;
  const step = <usize>inner * sz, end = <usize>len * step;
  const mx = scratch, acc = scratch + <usize>PANEL * sz, fac = acc + (<usize>PANEL << 3);
  for (let j = 0; j < c; j += lanes) v128.store(mx + <usize>j * sz, splatT<T>(-Infinity));
  memory.fill(acc, 0, <usize>c << 3);
  for (let p: usize = 0; p < end; p += step) {
    const xk = x + p;
    let j = 0;
    for (; j < vend; j += lanes) {
      const q = <usize>j * sz;
      v128.store(mx + q, vmax<T>(v128.load(mx + q), v128.load(xk + q)));
    }
    for (; j < c; j++) {
      const q = <usize>j * sz;
      st<T, u8>(mx + q, vmax<T>(ld<T, u8>(mx + q), ld<T, u8>(xk + q)));
    }
  }
  for (let p: usize = 0; p < end; p += step) {
    const xk = x + p, ok = o + p;
    let j = 0;
    for (; j < vend; j += lanes) {
      const q = <usize>j * sz, a = acc + (<usize>j << 3);
      const e = expDiff<T>(v128.load(xk + q), v128.load(mx + q));
      if (!log) v128.store(ok + q, e);
      v128.store(a, f64x2.add(v128.load(a), lo64<T>(e)));
      if (sz == 4) v128.store(a, f64x2.add(v128.load(a, 16), hi64<T>(e)), 16);
    }
    for (; j < c; j++) {
      const q = <usize>j * sz, a = acc + (<usize>j << 3);
      const e = expDiff<T>(ld<T, u8>(xk + q), ld<T, u8>(mx + q));
      if (!log) st<T, u8>(ok + q, e);
      v128.store64_lane(a, f64x2.add(v128.load64_zero(a), lo64<T>(e)), 0);
    }
  }
  let j = 0;
  for (; j < vend; j += lanes) {
    const a = acc + (<usize>j << 3);
    v128.store(fac + <usize>j * sz, perLane<T>(v128.load(a), sz == 4 ? v128.load(a, 16) : f64x2.splat(0), log));
  }
  for (; j < c; j++) {
    st<T, u8>(fac + <usize>j * sz, perLane<T>(v128.load64_zero(acc + (<usize>j << 3)), f64x2.splat(0), log));
  }
  for (let p: usize = 0; p < end; p += step) {
    const xk = x + p, ok = o + p;
    let j = 0;
    for (; j < vend; j += lanes) {
      const q = <usize>j * sz;
      v128.store(ok + q, scaled<T>(v128.load(xk + q), v128.load(ok + q), v128.load(mx + q), v128.load(fac + q), log));
    }
    for (; j < c; j++) {
      const q = <usize>j * sz;
      st<T, u8>(ok + q, scaled<T>(ld<T, u8>(xk + q), ld<T, u8>(ok + q), ld<T, u8>(mx + q), ld<T, u8>(fac + q), log));
    }
  }
}

/** The output from x, its exp e (softmax), the column max m and factor f: e * f, or (x - m) - f. */
// @ts-ignore: decorator
@inline function scaled<T>(x: v128, e: v128, m: v128, f: v128, log: bool): v128 {
  if (log) return sizeof<T>() == 4 ? f32x4.sub(f32x4.sub(x, m), f) : f64x2.sub(f64x2.sub(x, m), f);
  return sizeof<T>() == 4 ? f32x4.mul(e, f) : f64x2.mul(e, f);
}

// @ts-ignore: decorator
@inline function softmax<T>(x: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, scratch: usize, log: bool): void {
  const sz = <usize>sizeof<T>();
  const block = <usize>len * <usize>inner * sz;
  for (let b = o0; b < o1; b++) {
    const xb = x + <usize>b * block, ob = o + <usize>b * block;
    if (inner == 1) {
      row<T>(xb, ob, len, log);
      continue;
    }
    for (let j = j0; j < j1; j += PANEL) {
      const q = <usize>j * sz;
      panel<T>(xb + q, ob + q, len, inner, min(PANEL, j1 - j), scratch, log);
    }
  }
}

/**
 * softmax (log = 0) or log_softmax (log = 1) of x, contiguous [outer, len, inner], into o (same
 * layout), for outer blocks [o0, o1) and, when inner > 1, inner positions [j0, j1); scratch: the
 * panel's space (inner > 1; PANEL * (2 * sizeof(T) + 8) bytes).
 */
export function softmaxF32(x: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, scratch: usize, log: i32): void {
  if (log) softmax<f32>(x, o, o0, o1, len, inner, j0, j1, scratch, true);
  else softmax<f32>(x, o, o0, o1, len, inner, j0, j1, scratch, false);
}
export function softmaxF64(x: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, scratch: usize, log: i32): void {
  if (log) softmax<f64>(x, o, o0, o1, len, inner, j0, j1, scratch, true);
  else softmax<f64>(x, o, o0, o1, len, inner, j0, j1, scratch, false);
}
