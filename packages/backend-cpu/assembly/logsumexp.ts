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

/** Rows r in [r0, r1) of n contiguous elements at x + r * rs elements: out[r] (float64) = their logsumexp. */
export function logsumexpRowsF32(x: usize, r0: i32, r1: i32, rs: i32, n: i32, out: usize): void {
  for (let r = r0; r < r1; r++) store<f64>(out + (<usize>r << 3), logsumexp<f32>(x + <usize>r * <usize>rs * 4, n));
}

export function logsumexpRowsF64(x: usize, r0: i32, r1: i32, rs: i32, n: i32, out: usize): void {
  for (let r = r0; r < r1; r++) store<f64>(out + (<usize>r << 3), logsumexp<f64>(x + <usize>r * <usize>rs * 8, n));
}

// Columns (the kept columns contiguous, as reduce.ts's sumCols* walk them): the same computation
// per column, four columns per step in float64 lanes, each column's maximum then its sum of
// exponentials added in the order of the reduced positions; a column gives the same bits in a
// strip or alone (the vector exp is lane-wise), so any split over threads gives the same bytes.

/** c = the maximum where finite, else 0 (NaN and infinities), per lane. */
// @ts-ignore: decorator
@inline function shiftOf(m: v128): v128 {
  return v128.and(m, f64x2.eq(f64x2.sub(m, m), f64x2.splat(0)));
}

// @ts-ignore: decorator
@inline function colStrip<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, out: usize): void {
  const sz = <usize>sizeof<T>();
  let m0 = f64x2.splat(-Infinity), m1 = m0;
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, p += <usize>s0 * sz) {
      m0 = f64x2.max(m0, widenLo<T>(p));
      m1 = f64x2.max(m1, widenHi<T>(p));
    }
  }
  const c0 = shiftOf(m0), c1 = shiftOf(m1);
  let a0 = f64x2.splat(0), a1 = a0;
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, p += <usize>s0 * sz) {
      a0 = f64x2.add(a0, expF64(f64x2.sub(widenLo<T>(p), c0)));
      a1 = f64x2.add(a1, expF64(f64x2.sub(widenHi<T>(p), c1)));
    }
  }
  v128.store(out, f64x2.add(logF64(a0), c0));
  v128.store(out, f64x2.add(logF64(a1), c1), 16);
}

/** One column: colStrip's operations on lane 0. */
// @ts-ignore: decorator
@inline function colOne<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, out: usize): void {
  const sz = <usize>sizeof<T>();
  let m = f64x2.splat(-Infinity);
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, p += <usize>s0 * sz) m = f64x2.max(m, f64x2.splat(<f64>load<T>(p)));
  }
  const c = shiftOf(m);
  let a = f64x2.splat(0);
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, p += <usize>s0 * sz) a = f64x2.add(a, expF64(f64x2.sub(f64x2.splat(<f64>load<T>(p)), c)));
  }
  store<f64>(out, f64x2.extract_lane(f64x2.add(logF64(a), c), 0));
}

/**
 * logsumexp over the reduced positions (i < n1, k < n0: x[o*xo + i*s1 + k*s0 + j], element strides)
 * of columns j in [j0, j1) for o in [o0, o1), into the float64 out[o*m + j].
 */
// @ts-ignore: decorator
@inline function colLogsumexp<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize): void {
  const sz = <usize>sizeof<T>();
  for (let o = o0; o < o1; o++) {
    const xb = x + <usize>o * <usize>xo * sz, ob = out + (<usize>o * <usize>m << 3);
    let j = j0;
    for (; j + 4 <= j1; j += 4) colStrip<T>(xb + <usize>j * sz, n1, s1, n0, s0, ob + (<usize>j << 3));
    for (; j < j1; j++) colOne<T>(xb + <usize>j * sz, n1, s1, n0, s0, ob + (<usize>j << 3));
  }
}

export function logsumexpColsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize): void {
  colLogsumexp<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out);
}

export function logsumexpColsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize): void {
  colLogsumexp<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out);
}
