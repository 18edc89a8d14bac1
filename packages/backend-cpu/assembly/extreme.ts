// max/min along dims with their positions, written in place: values in the input's dtype (when
// vals != 0) and int64 positions (when idx != 0), for argmax/argmin, max/min(dim) and amax/amin.
// PyTorch's rules: a NaN is the extreme and its first position wins; among equal values (-0
// equals +0) the first position wins.
// - Rows (extremeRows*): one contiguous row per output, scanned by argmax.ts's argExtreme.
// - Columns (extremeCols*): the kept columns contiguous, vectorised across them in panels streamed
//   one reduced position at a time (colPanel): each lane keeps
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

/** Columns one panel keeps in the caller's scratch: a best value and a position each (16 KiB). */
const PANEL = 1024;

/**
 * Columns [0, c) (c <= PANEL, a multiple of the lanes) of one outer position, streamed one reduced
 * position at a time: row q of the panel is c contiguous elements; each column's best value and
 * position live in scratch (values, then positions: i32 lanes for float32, i64 for float64) and
 * go through the same lane-wise comparisons in the same order as a strip walking down the column
 * would (which read a new cache line per step: 5-10x slower on [32, 64, 32, 32] along dim 1).
 */
// @ts-ignore: decorator
@inline function colPanel<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, c: i32, vals: usize, idx: usize, isMax: bool, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const bytes = <usize>c * sz;
  const best = scratch, pos = scratch + <usize>PANEL * 8;
  memory.copy(best, x, bytes);
  memory.fill(pos, 0, bytes);
  let q = 0;
  for (let i = 0; i < n1; i++) {
    let p = x + <usize>i * <usize>s1 * sz;
    for (let k = 0; k < n0; k++, q++) {
      const at = posSplat<T>(q);
      for (let j = 0; j < c; j += lanes) {
        const o = <usize>j * sz;
        const v = v128.load(p + o), b = v128.load(best + o);
        const t = takes<T>(v, b, isMax);
        v128.store(best + o, v128.bitselect(v, b, t));
        v128.store(pos + o, v128.bitselect(at, v128.load(pos + o), t));
      }
      p += <usize>s0 * sz;
    }
  }
  if (vals) memory.copy(vals, best, bytes);
  if (idx) for (let j = 0; j < c; j += lanes) storePos<T>(idx + (<usize>j << 3), v128.load(pos + <usize>j * sz));
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
@inline function extremeCols<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, vals: usize, idx: usize, isMax: bool, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const vend = j1 - (j1 - j0) % lanes;
  for (let o = o0; o < o1; o++) {
    const xb = x + <usize>o * <usize>xo * sz;
    const ob = <usize>o * <usize>m;
    let j = j0;
    for (; j < vend; j += PANEL) {
      const at = ob + <usize>j;
      colPanel<T>(xb + <usize>j * sz, n1, s1, n0, s0, min(PANEL, vend - j), vals ? vals + at * sz : 0, idx ? idx + (at << 3) : 0, isMax, scratch);
    }
    for (j = vend; j < j1; j++) {
      const at = ob + <usize>j;
      colOne<T>(xb + <usize>j * sz, n1, s1, n0, s0, vals ? vals + at * sz : 0, idx ? idx + (at << 3) : 0, isMax);
    }
  }
}

/** scratch: the calling thread's 16 KiB panel block (2 * PANEL * 8 bytes). */
export function extremeColsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, vals: usize, idx: usize, isMax: i32, scratch: usize): void {
  if (isMax) extremeCols<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, true, scratch);
  else extremeCols<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, false, scratch);
}

export function extremeColsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, vals: usize, idx: usize, isMax: i32, scratch: usize): void {
  if (isMax) extremeCols<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, true, scratch);
  else extremeCols<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, vals, idx, false, scratch);
}
