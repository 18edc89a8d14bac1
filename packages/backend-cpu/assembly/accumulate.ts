// Products and NaN-skipping sums of float32/float64 elements, accumulated in float64 as the TS
// reducers do (float32 elements widened; no FMA).
// - Rows (prodF32/prodF64, one contiguous row per call): eight float64 lanes of partial products,
//   multiplied together at the end, then the tail: another order than the TS loop's one element
//   at a time, so the result differs by rounding (each product rounds once, relative 2^-53) or
//   where a partial product leaves float64's range on one path and not on the other.
// - Columns (accumulateCols*, the kept columns contiguous as reduce.ts's sumCols* walk them):
//   panels of up to PANEL neighbouring columns streamed one reduced position at a time, each
//   column's float64 accumulator (in the caller's scratch) updated in the order of the reduced
//   positions, which is the TS loops' order: the same bytes as the TS kernel, for any split.
//   Kinds: 0 product, 1 sum skipping NaN (nansum), 2 that sum over the count of non-NaN elements
//   (nanmean). Each kind is its own function (accumulateKind*) so that the optimizer specialises
//   the loop instead of testing the kind per element (docs/cpu-kernels.md, "a trap").
import { widenHi, widenLo } from './simd';

// @ts-ignore: decorator
@inline function prod<T>(p: usize, n: i32): f64 {
  const sz = <usize>sizeof<T>();
  let a0 = f64x2.splat(1), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const q = p + <usize>i * sz;
    a0 = f64x2.mul(a0, widenLo<T>(q));
    a1 = f64x2.mul(a1, widenHi<T>(q));
    a2 = f64x2.mul(a2, widenLo<T>(q + 4 * sz));
    a3 = f64x2.mul(a3, widenHi<T>(q + 4 * sz));
  }
  const a = f64x2.mul(f64x2.mul(a0, a1), f64x2.mul(a2, a3));
  let r = f64x2.extract_lane(a, 0) * f64x2.extract_lane(a, 1);
  for (; i < n; i++) r *= <f64>load<T>(p + <usize>i * sz);
  return r;
}

/** Product of n float32 at p, in float64. */
export function prodF32(p: usize, n: i32): f64 { return prod<f32>(p, n); }
/** Product of n float64 at p. */
export function prodF64(p: usize, n: i32): f64 { return prod<f64>(p, n); }

/** Columns per panel: its float64 accumulators (and nanmean's counts) stay in L1. */
const PANEL = 1024;

const PRODUCT = 0;
const NAN_SUM = 1;
const NAN_MEAN = 2;

/** v where it is not NaN, else +0 (adding +0 to a sum that started at +0 changes nothing). */
// @ts-ignore: decorator
@inline function notNaN(v: v128): v128 {
  return v128.and(v, f64x2.eq(v, v));
}

/** One column's update: its accumulator at a, count at c (nanmean). Lanes: float64 of two columns. */
// @ts-ignore: decorator
@inline function update(a: usize, c: usize, v: v128, kind: i32): void {
  if (kind == PRODUCT) v128.store(a, f64x2.mul(v128.load(a), v));
  else v128.store(a, f64x2.add(v128.load(a), notNaN(v)));
  if (kind == NAN_MEAN) v128.store(c, f64x2.add(v128.load(c), v128.and(f64x2.splat(1), f64x2.eq(v, v))));
}

/** The same update for one column (lane 0). */
// @ts-ignore: decorator
@inline function updateOne(a: usize, c: usize, x: f64, kind: i32): void {
  if (kind == PRODUCT) store<f64>(a, load<f64>(a) * x);
  else store<f64>(a, load<f64>(a) + (x == x ? x : 0));
  if (kind == NAN_MEAN && x == x) store<f64>(c, load<f64>(c) + 1);
}

/**
 * Columns [0, cols) at x (cols <= PANEL) over the reduced positions (i < n1, k < n0: element
 * strides s1, s0) into out[0, cols), the accumulators in acc (and counts in acc + PANEL * 8).
 */
// @ts-ignore: decorator
@inline function panel<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, cols: i32, out: usize, acc: usize, kind: i32): void {
  const sz = <usize>sizeof<T>();
  const cnt = acc + (PANEL << 3);
  const vend = cols & ~3;
  const init = kind == PRODUCT ? f64x2.splat(1) : f64x2.splat(0);
  for (let j = 0; j < cols; j += 2) v128.store(acc + (<usize>j << 3), init);
  if (kind == NAN_MEAN) memory.fill(cnt, 0, <usize>cols << 3);
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, p += <usize>s0 * sz) {
      let j = 0;
      for (; j < vend; j += 4) {
        const q = p + <usize>j * sz, a = acc + (<usize>j << 3), c = cnt + (<usize>j << 3);
        update(a, c, widenLo<T>(q), kind);
        update(a + 16, c + 16, widenHi<T>(q), kind);
      }
      for (; j < cols; j++) updateOne(acc + (<usize>j << 3), cnt + (<usize>j << 3), <f64>load<T>(p + <usize>j * sz), kind);
    }
  }
  for (let j = 0; j < cols; j++) {
    const a = load<f64>(acc + (<usize>j << 3));
    store<T>(out + <usize>j * sz, <T>(kind == NAN_MEAN ? a / load<f64>(cnt + (<usize>j << 3)) : a));
  }
}

// @ts-ignore: decorator
@inline function accumulateCols<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize, kind: i32): void {
  const sz = <usize>sizeof<T>();
  for (let o = o0; o < o1; o++) {
    const xb = x + <usize>o * <usize>xo * sz, ob = out + <usize>o * <usize>m * sz;
    for (let j = j0; j < j1; j += PANEL) panel<T>(xb + <usize>j * sz, n1, s1, n0, s0, min(PANEL, j1 - j), ob + <usize>j * sz, acc, kind);
  }
}

function accumulateKind0<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize): void {
  accumulateCols<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc, PRODUCT);
}
function accumulateKind1<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize): void {
  accumulateCols<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc, NAN_SUM);
}
function accumulateKind2<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize): void {
  accumulateCols<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc, NAN_MEAN);
}

// @ts-ignore: decorator
@inline function accumulateKind<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize, kind: i32): void {
  if (kind == PRODUCT) accumulateKind0<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc);
  else if (kind == NAN_SUM) accumulateKind1<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc);
  else accumulateKind2<T>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc);
}

/**
 * Column accumulations: for o in [o0, o1) and kept columns j in [j0, j1) (contiguous in x and
 * out), out[o*m + j] = the kind's reduction over i < n1, k < n0 of x[o*xo + i*s1 + k*s0 + j]
 * (element strides), rounded once to the element type; acc: scratch of 2 * PANEL float64.
 */
export function accumulateColsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize, kind: i32): void {
  accumulateKind<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc, kind);
}

export function accumulateColsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, acc: usize, kind: i32): void {
  accumulateKind<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, acc, kind);
}
