// Power sums of one contiguous row for var/std and the vector norms (the TS reducers call them per
// row): kind 0: sum((x - center)^2) (center = the row mean for var/std, 0 for the 2-norm),
// kind 1: sum(|x|) (the 1-norm), kind 2: sum(x). float64 throughout: float32 elements are widened (x - center and
// the squares are then exact or nearly so), summed in two f64x2 accumulators and a scalar tail,
// where the TS loop sums one element at a time.

import { widenHi, widenLo } from './simd';

// @ts-ignore: decorator
@inline function term(x: v128, c: v128, kind: i32): v128 {
  if (kind == 1) return f64x2.abs(x);
  if (kind == 2) return x;
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
    s += kind == 1 ? abs(x) : kind == 2 ? x : (x - center) * (x - center);
  }
  return s;
}

export function powerSumF32(p: usize, n: i32, center: f64, kind: i32): f64 {
  return kind == 1 ? powerSum<f32>(p, n, center, 1) : powerSum<f32>(p, n, center, 0);
}

export function powerSumF64(p: usize, n: i32, center: f64, kind: i32): f64 {
  return kind == 1 ? powerSum<f64>(p, n, center, 1) : powerSum<f64>(p, n, center, 0);
}

// Many rows in one call (var/std and the 1-/2-norms along the last dim of many short rows, where a
// call per row cost ~0.3 µs): rows r in [r0, r1) of n contiguous elements at x + r * rs elements,
// out[r] (float64) = kind 1: sum(|x|); kind 0: sum((x - c)^2) with c the row's mean (its float64
// sum, kind 2, over n) when `centered`, else 0.

// @ts-ignore: decorator
@inline function powerSumRows<T>(x: usize, r0: i32, r1: i32, rs: i32, n: i32, kind: i32, centered: bool, out: usize): void {
  const sz = <usize>sizeof<T>();
  for (let r = r0; r < r1; r++) {
    const p = x + <usize>r * <usize>rs * sz;
    const center = centered ? powerSum<T>(p, n, 0, 2) / <f64>n : 0;
    store<f64>(out + (<usize>r << 3), kind == 1 ? powerSum<T>(p, n, 0, 1) : powerSum<T>(p, n, center, 0));
  }
}

export function powerSumRowsF32(x: usize, r0: i32, r1: i32, rs: i32, n: i32, kind: i32, centered: i32, out: usize): void {
  if (kind == 1) powerSumRows<f32>(x, r0, r1, rs, n, 1, false, out);
  else if (centered) powerSumRows<f32>(x, r0, r1, rs, n, 0, true, out);
  else powerSumRows<f32>(x, r0, r1, rs, n, 0, false, out);
}

export function powerSumRowsF64(x: usize, r0: i32, r1: i32, rs: i32, n: i32, kind: i32, centered: i32, out: usize): void {
  if (kind == 1) powerSumRows<f64>(x, r0, r1, rs, n, 1, false, out);
  else if (centered) powerSumRows<f64>(x, r0, r1, rs, n, 0, true, out);
  else powerSumRows<f64>(x, r0, r1, rs, n, 0, false, out);
}

// Column power sums (the kept columns contiguous, vectorised across them in float64 lanes, in
// panels streamed one reduced position at a time) for
// var/std and the vector norms along non-last dims. Each lane does the TS loop's float64
// operations in its order (no FMA), so results equal the TS kernel's bit for bit:
// kind 0: the mean (sum / count) into mean[], then sum((x - mean)^2) into acc[];
// kind 1: sum(x * x); kind 2: sum(|x|); kind 3: max(|x|); kind 4: min(|x|) (NaN propagates);
// kind 5 (the mean's pass): sum(x). Each kind is its own function (momentsKind*), so that the
// optimizer specialises the loop for it instead of testing the kind per element.

// @ts-ignore: decorator
@inline function colTerm(acc: v128, x: v128, c: v128, kind: i32): v128 {
  if (kind == 0) {
    const d = f64x2.sub(x, c);
    return f64x2.add(acc, f64x2.mul(d, d));
  }
  if (kind == 1) return f64x2.add(acc, f64x2.mul(x, x));
  if (kind == 2) return f64x2.add(acc, f64x2.abs(x));
  if (kind == 3) return f64x2.max(acc, f64x2.abs(x));
  if (kind == 4) return f64x2.min(acc, f64x2.abs(x));
  return f64x2.add(acc, x);
}

/** Columns one panel pass covers: their float64 accumulators (16 KiB with the means) stay in L1. */
const PANEL = 1024;

/**
 * One pass over the reduced positions of columns [0, c) (c a multiple of 4, at most PANEL), streamed
 * one reduced position at a time (row q of the panel is c contiguous elements): out[j] (float64)
 * starts at `init` and takes colTerm with each element, centred on c_[j] for kind 0. Every column
 * goes through the TS loop's operations in its order, wherever its panel starts. (Strips of 8
 * columns walking down the reduced dims read a new cache line per step: var along dim 1 of
 * [32, 64, 32, 32] took 4.7 ms against 3.8, the 2-norm 4.5 against 2.9.)
 */
// @ts-ignore: decorator
@inline function colPanelPass<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, c: i32, centers: usize, kind: i32, init: f64, out: usize): void {
  const sz = <usize>sizeof<T>();
  const start = f64x2.splat(init);
  for (let j = 0; j < c; j += 2) v128.store(out + (<usize>j << 3), start);
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++) {
      for (let j = 0; j < c; j += 4) {
        const q = p + <usize>j * sz, a = out + (<usize>j << 3);
        const m0 = kind == 0 ? v128.load(centers + (<usize>j << 3)) : start;
        const m1 = kind == 0 ? v128.load(centers + (<usize>j << 3), 16) : start;
        v128.store(a, colTerm(v128.load(a), widenLo<T>(q), m0, kind));
        v128.store(a, colTerm(v128.load(a, 16), widenHi<T>(q), m1, kind), 16);
      }
      p += <usize>s0 * sz;
    }
  }
}

/** One column, the same operations in scalar form. */
// @ts-ignore: decorator
@inline function colPassOne<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, c: f64, kind: i32, init: f64): f64 {
  const sz = <usize>sizeof<T>();
  let a = init;
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++) {
      const v = <f64>load<T>(p);
      if (kind == 0) {
        const d = v - c;
        a += d * d;
      } else if (kind == 1) a += v * v;
      else if (kind == 2) a += abs(v);
      else if (kind == 3) a = max(a, abs(v));
      else if (kind == 4) a = min(a, abs(v));
      else a += v;
      p += <usize>s0 * sz;
    }
  }
  return a;
}

// @ts-ignore: decorator
@inline function colMoments<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize, kind: i32): void {
  const sz = <usize>sizeof<T>();
  const init: f64 = kind == 3 ? -Infinity : kind == 4 ? Infinity : 0;
  const count = <f64>n1 * <f64>n0;
  for (let o = o0; o < o1; o++) {
    const xb = x + <usize>o * <usize>xo * sz;
    const ob = <usize>o * <usize>m;
    const vend = j1 - (j1 - j0) % 4;
    let j = j0;
    for (; j < vend; j += PANEL) {
      const c = min(PANEL, vend - j);
      const q = xb + <usize>j * sz, at = (ob + <usize>j) << 3;
      if (kind == 0) {
        colPanelPass<T>(q, n1, s1, n0, s0, c, 0, 5, 0, mean + at);
        for (let t: usize = 0; t < <usize>c; t++) store<f64>(mean + at + (t << 3), load<f64>(mean + at + (t << 3)) / count);
      }
      colPanelPass<T>(q, n1, s1, n0, s0, c, mean + at, kind, init, acc + at);
    }
    for (j = vend; j < j1; j++) {
      const q = xb + <usize>j * sz, at = (ob + <usize>j) << 3;
      let c: f64 = 0;
      if (kind == 0) {
        c = colPassOne<T>(q, n1, s1, n0, s0, 0, 5, 0) / count;
        store<f64>(mean + at, c);
      }
      store<f64>(acc + at, colPassOne<T>(q, n1, s1, n0, s0, c, kind, init));
    }
  }
}

/**
 * Column power sums: for o in [o0, o1) and kept columns j in [j0, j1) (contiguous in x), the
 * reduction over i < n1, k < n0 of x[o*xo + i*s1 + k*s0 + j] (element strides) into the float64
 * acc[o*m + j] (and, kind 0, the mean into mean[o*m + j]).
 */
// @ts-ignore: decorator
@inline function colMomentsKind<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize, kind: i32): void {
  if (kind == 0) momentsKind0<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean);
  else if (kind == 1) momentsKind1<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean);
  else if (kind == 2) momentsKind2<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean);
  else if (kind == 3) momentsKind3<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean);
  else momentsKind4<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean);
}

function momentsKind0<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize): void {
  colMoments<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, 0);
}
function momentsKind1<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize): void {
  colMoments<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, 1);
}
function momentsKind2<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize): void {
  colMoments<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, 2);
}
function momentsKind3<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize): void {
  colMoments<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, 3);
}
function momentsKind4<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize): void {
  colMoments<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, 4);
}

export function colMomentsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize, kind: i32): void {
  colMomentsKind<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, kind);
}

export function colMomentsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, acc: usize, mean: usize, kind: i32): void {
  colMomentsKind<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, acc, mean, kind);
}
