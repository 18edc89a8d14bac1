// max/min along dims with their positions, written in place: values in the input's dtype (when
// vals != 0) and int64 positions (when idx != 0), for argmax/argmin, max/min(dim) and amax/amin.
// PyTorch's rules: a NaN is the extreme and its first position wins; among equal values (-0
// equals +0) the first position wins.
// - Rows (extremeRows*): one contiguous row per output, scanned by argmax.ts's argExtreme.
// - Columns (extremeCols*): the kept columns contiguous, vectorised across them: each lane keeps
//   its best value and the position where it first appeared; a lane takes a new element when it
//   is not <= (>=) the best, unless the best is already NaN, so NaN replaces a number once and
//   equal values never replace. Positions are the row-major index over the (at most two) reduced
//   dims. A column's result is the same whichever strip or range it falls in.

import { argExtreme } from './argmax';

/** Rows r in [r0, r1) of n contiguous elements at x + r * rs: output r gets the row's extreme. */
// @ts-ignore: decorator
@inline function extremeRows<T>(x: usize, r0: i32, r1: i32, rs: i32, n: i32, vals: usize, idx: usize, isMax: bool): void {
  const sz = <usize>sizeof<T>();
  for (let r = r0; r < r1; r++) {
    const p = x + <usize>r * <usize>rs * sz;
    const k = argExtreme<T>(p, n, isMax);
    if (vals) store<T>(vals + <usize>r * sz, load<T>(p + <usize>k * sz));
    if (idx) store<i64>(idx + (<usize>r << 3), <i64>k);
  }
}

export function extremeRowsF32(x: usize, r0: i32, r1: i32, rs: i32, n: i32, vals: usize, idx: usize, isMax: i32): void {
  if (isMax) extremeRows<f32>(x, r0, r1, rs, n, vals, idx, true);
  else extremeRows<f32>(x, r0, r1, rs, n, vals, idx, false);
}

export function extremeRowsF64(x: usize, r0: i32, r1: i32, rs: i32, n: i32, vals: usize, idx: usize, isMax: i32): void {
  if (isMax) extremeRows<f64>(x, r0, r1, rs, n, vals, idx, true);
  else extremeRows<f64>(x, r0, r1, rs, n, vals, idx, false);
}

/** Lanes where v replaces best: v is not <= best (>= for min) and best is not NaN. */
// @ts-ignore: decorator
@inline function takes<T>(v: v128, best: v128, isMax: bool): v128 {
  if (sizeof<T>() == 4) return v128.andnot(f32x4.eq(best, best), isMax ? f32x4.le(v, best) : f32x4.ge(v, best));
  return v128.andnot(f64x2.eq(best, best), isMax ? f64x2.le(v, best) : f64x2.ge(v, best));
}

/** Position q in every lane of a position vector (i32x4 for float32 lanes, i64x2 for float64). */
// @ts-ignore: decorator
@inline function posSplat<T>(q: i32): v128 {
  return sizeof<T>() == 4 ? i32x4.splat(q) : i64x2.splat(<i64>q);
}

/** Stores lanes' positions as int64 at idx. */
// @ts-ignore: decorator
@inline function storePos<T>(idx: usize, pos: v128): void {
  if (sizeof<T>() == 4) {
    v128.store(idx, i64x2.extend_low_i32x4_s(pos));
    v128.store(idx, i64x2.extend_high_i32x4_s(pos), 16);
  } else v128.store(idx, pos);
}

/** Columns [j, j + V * lanes) (V = sizeof<W>() vectors, 1..4) of one outer position. */
// @ts-ignore: decorator
@inline function colStrip<T, W>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, vals: usize, idx: usize, isMax: bool): void {
  const w = sizeof<W>();
  const sz = <usize>sizeof<T>();
  let b0 = v128.load(x), b1 = b0, b2 = b0, b3 = b0;
  if (w > 1) b1 = v128.load(x, 16);
  if (w > 2) b2 = v128.load(x, 32);
  if (w > 3) b3 = v128.load(x, 48);
  let i0 = posSplat<T>(0), i1 = i0, i2 = i0, i3 = i0;
  let q = 0;
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, q++) {
      const at = posSplat<T>(q);
      const v0 = v128.load(p);
      const t0 = takes<T>(v0, b0, isMax);
      b0 = v128.bitselect(v0, b0, t0);
      i0 = v128.bitselect(at, i0, t0);
      if (w > 1) {
        const v1 = v128.load(p, 16);
        const t1 = takes<T>(v1, b1, isMax);
        b1 = v128.bitselect(v1, b1, t1);
        i1 = v128.bitselect(at, i1, t1);
      }
      if (w > 2) {
        const v2 = v128.load(p, 32);
        const t2 = takes<T>(v2, b2, isMax);
        b2 = v128.bitselect(v2, b2, t2);
        i2 = v128.bitselect(at, i2, t2);
      }
      if (w > 3) {
        const v3 = v128.load(p, 48);
        const t3 = takes<T>(v3, b3, isMax);
        b3 = v128.bitselect(v3, b3, t3);
        i3 = v128.bitselect(at, i3, t3);
      }
      p += <usize>s0 * sz;
    }
  }
  const ib = sz == 4 ? 32 : 16; // int64 bytes per vector of positions
  if (vals) {
    v128.store(vals, b0);
    if (w > 1) v128.store(vals, b1, 16);
    if (w > 2) v128.store(vals, b2, 32);
    if (w > 3) v128.store(vals, b3, 48);
  }
  if (idx) {
    storePos<T>(idx, i0);
    if (w > 1) storePos<T>(idx + ib, i1);
    if (w > 2) storePos<T>(idx + 2 * ib, i2);
    if (w > 3) storePos<T>(idx + 3 * ib, i3);
  }
}

/** One column, with the same rule as the lanes. */
// @ts-ignore: decorator
@inline function colOne<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, vals: usize, idx: usize, isMax: bool): void {
  const sz = <usize>sizeof<T>();
  let best = load<T>(x);
  let bi = 0;
  let q = 0;
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, q++) {
      const v = load<T>(p);
      if (best == best && !(isMax ? v <= best : v >= best)) {
        best = v;
        bi = q;
      }
      p += <usize>s0 * sz;
    }
  }
  if (vals) store<T>(vals, best);
  if (idx) store<i64>(idx, <i64>bi);
}

/**
 * Column extremes: for o in [o0, o1) and kept columns j in [j0, j1) (contiguous in x and in the
 * outputs), the extreme over i < n1, k < n0 of x[o*xo + i*s1 + k*s0 + j] (element strides) into
 * vals[o*m + j] and its position i*n0 + k into idx[o*m + j] (int64).
 */
// @ts-ignore: decorator
@inline function extremeCols<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, vals: usize, idx: usize, isMax: bool): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  for (let o = o0; o < o1; o++) {
    const xb = x + <usize>o * <usize>xo * sz;
    const ob = <usize>o * <usize>m;
    let j = j0;
    for (; j + 4 * lanes <= j1; j += 4 * lanes) {
      const at = ob + <usize>j;
      colStrip<T, u32>(xb + <usize>j * sz, n1, s1, n0, s0, vals ? vals + at * sz : 0, idx ? idx + (at << 3) : 0, isMax);
    }
    for (; j + lanes <= j1; j += lanes) {
      const at = ob + <usize>j;
      colStrip<T, u8>(xb + <usize>j * sz, n1, s1, n0, s0, vals ? vals + at * sz : 0, idx ? idx + (at << 3) : 0, isMax);
    }
    for (; j < j1; j++) {
      const at = ob + <usize>j;
      colOne<T>(xb + <usize>j * sz, n1, s1, n0, s0, vals ? vals + at * sz : 0, idx ? idx + (at << 3) : 0, isMax);
    }
  }
}

export function extremeColsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, vals: usize, idx: usize, isMax: i32): void {
  if (isMax) extremeCols<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, true);
  else extremeCols<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, false);
}

export function extremeColsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, vals: usize, idx: usize, isMax: i32): void {
  if (isMax) extremeCols<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, true);
  else extremeCols<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, false);
}
