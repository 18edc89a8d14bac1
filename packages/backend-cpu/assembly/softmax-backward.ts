// Gradients of softmax / log_softmax from their outputs, [outer, len, inner] contiguous with `len`
// the softmax dim: softmax: y * (g - sum(g * y)), log_softmax: g - exp(y) * sum(g). Sums run in
// float64, results are computed in float64 from the float32 operands (products of two float32
// values are exact there) and rounded once; no FMA. log_softmax's exp(y) (y <= 0) is softmax's
// float32 vector exp (~2 ulp) or vmath's float64 one.
// - inner == 1 (the last dim): vectors run along each row, the sum in two f64x2 accumulators;
// - inner > 1: panels of up to 1024 neighbouring columns (inner positions) streamed row by row,
//   vectors across the columns, each column's sum accumulating in float64 one element at a time
//   in the dim's order as the TS loop does: softmax's gradient is the TS one bit for bit and
//   log_softmax's differs by its exp only. Every column is computed by the same lane-wise
//   operations wherever its panel starts, so splitting the inner positions over threads does not
//   change results. (Strips of 16 columns walking down the dim instead ran 4x slower: every
//   step is a new cache line, and with power-of-two rows they all fall in one L1 set.)
import { expNonPositiveF32, ld, loadTailF32, st, storeTailF32 } from './softmax';
import { expF64 } from './vmath';

// @ts-ignore: decorator
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** The row's sum(g * y) (softmax) or sum(g) (log_softmax), in float64. */
// @ts-ignore: decorator
@inline function rowSum<T>(g: usize, y: usize, len: i32, log: bool): f64 {
  const sz = <usize>sizeof<T>();
  let a0 = f64x2.splat(0), a1 = a0;
  let i = 0;
  if (sz == 4) {
    for (; i + 4 <= len; i += 4) {
      const gv = v128.load(g + <usize>i * 4);
      if (log) {
        a0 = f64x2.add(a0, lo(gv));
        a1 = f64x2.add(a1, hi(gv));
      } else {
        const yv = v128.load(y + <usize>i * 4);
        a0 = f64x2.add(a0, f64x2.mul(lo(gv), lo(yv)));
        a1 = f64x2.add(a1, f64x2.mul(hi(gv), hi(yv)));
      }
    }
  } else {
    for (; i + 4 <= len; i += 4) {
      const p = <usize>i * 8;
      if (log) {
        a0 = f64x2.add(a0, v128.load(g + p));
        a1 = f64x2.add(a1, v128.load(g + p, 16));
      } else {
        a0 = f64x2.add(a0, f64x2.mul(v128.load(g + p), v128.load(y + p)));
        a1 = f64x2.add(a1, f64x2.mul(v128.load(g + p, 16), v128.load(y + p, 16)));
      }
    }
  }
  const a = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; i < len; i++) {
    const gv = <f64>load<T>(g + <usize>i * sz);
    s += log ? gv : gv * <f64>load<T>(y + <usize>i * sz);
  }
  return s;
}

/** Float64 lanes of a vector of T: lanes 0-1 (half 0) or 2-3 (half 1) of a float32x4, or the float64x2. */
// @ts-ignore: decorator
@inline function wide<T>(v: v128, half: i32): v128 {
  return sizeof<T>() == 8 ? v : half == 0 ? lo(v) : hi(v);
}

/** acc + the float64 lanes `half` of g * y (log: of g). */
// @ts-ignore: decorator
@inline function term<T>(acc: v128, gv: v128, yv: v128, half: i32, log: bool): v128 {
  return f64x2.add(acc, log ? wide<T>(gv, half) : f64x2.mul(wide<T>(gv, half), wide<T>(yv, half)));
}

/**
 * The gradients of one vector of T from g, y and the sums of its lanes (float64; s23 holds a
 * float32 vector's lanes 2-3 and is unused for float64), rounded once.
 */
// @ts-ignore: decorator
@inline function grad<T>(gv: v128, yv: v128, s01: v128, s23: v128, log: bool): v128 {
  if (sizeof<T>() == 8) return log ? f64x2.sub(gv, f64x2.mul(expF64(yv), s01)) : f64x2.mul(yv, f64x2.sub(gv, s01));
  let l: v128, h: v128;
  if (log) {
    const e = expNonPositiveF32(yv, f32x4.splat(0));
    l = f64x2.sub(lo(gv), f64x2.mul(lo(e), s01));
    h = f64x2.sub(hi(gv), f64x2.mul(hi(e), s23));
  } else {
    l = f64x2.mul(lo(yv), f64x2.sub(lo(gv), s01));
    h = f64x2.mul(hi(yv), f64x2.sub(hi(gv), s23));
  }
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5);
}

/** One row of len contiguous elements. */
// @ts-ignore: decorator
@inline function rowGrad<T>(gr: usize, yr: usize, orow: usize, len: i32, log: bool): void {
  const sz = <usize>sizeof<T>();
  const s = rowSum<T>(gr, yr, len, log);
  const sv = f64x2.splat(s);
  let i = 0;
  if (sz == 4) {
    for (; i + 4 <= len; i += 4) {
      const p = <usize>i * 4;
      v128.store(orow + p, grad<f32>(v128.load(gr + p), v128.load(yr + p), sv, sv, log));
    }
    if (log && i < len) {
      // The last 1-3 elements as one partial vector: lane by lane the same operations.
      const p = <usize>i * 4, k = len - i;
      storeTailF32(orow + p, grad<f32>(loadTailF32(gr + p, k), loadTailF32(yr + p, k), sv, sv, true), k);
      i = len;
    }
    for (; i < len; i++) {
      const p = <usize>i * 4;
      store<f32>(orow + p, <f32>(<f64>load<f32>(yr + p) * (<f64>load<f32>(gr + p) - s)));
    }
  } else {
    for (; i + 2 <= len; i += 2) {
      const p = <usize>i * 8;
      v128.store(orow + p, grad<f64>(v128.load(gr + p), v128.load(yr + p), sv, sv, log));
    }
    for (; i < len; i++) {
      const p = <usize>i * 8;
      const gv = load<f64>(gr + p), yv = load<f64>(yr + p);
      store<f64>(orow + p, log ? gv - f64x2.extract_lane(expF64(f64x2.splat(yv)), 0) * s : yv * (gv - s));
    }
  }
}

/** Columns whose float64 sums one panel keeps in the caller's scratch (8 KiB: stays in L1). */
const PANEL = 1024;

/**
 * Columns [0, c) (c <= PANEL) of one [len, inner] block, streamed row by row: the sums accumulate
 * in acc (float64 per column, in the dim's order), then each row's gradients are written.
 * Columns past the last whole vector take lane 0 of single-element vectors (the same operations).
 */
// @ts-ignore: decorator
@inline function panel<T>(g: usize, y: usize, o: usize, len: i32, inner: i32, c: i32, acc: usize, log: bool): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const vend = c - c % lanes;
  const step = <usize>inner * sz, end = <usize>len * step;
  memory.fill(acc, 0, <usize>c << 3);
  for (let p: usize = 0; p < end; p += step) {
    const gk = g + p, yk = y + p;
    let j = 0;
    for (; j < vend; j += lanes) {
      const q = <usize>j * sz, a = acc + (<usize>j << 3);
      const gv = v128.load(gk + q), yv = log ? gv : v128.load(yk + q);
      v128.store(a, term<T>(v128.load(a), gv, yv, 0, log));
      if (sz == 4) v128.store(a, term<T>(v128.load(a, 16), gv, yv, 1, log), 16);
    }
    for (; j < c; j++) {
      const q = <usize>j * sz, a = acc + (<usize>j << 3);
      const gv = ld<T, u8>(gk + q), yv = log ? gv : ld<T, u8>(yk + q);
      v128.store64_lane(a, term<T>(v128.load64_zero(a), gv, yv, 0, log), 0);
    }
  }
  for (let p: usize = 0; p < end; p += step) {
    const gk = g + p, yk = y + p, ok = o + p;
    let j = 0;
    for (; j < vend; j += lanes) {
      const q = <usize>j * sz, a = acc + (<usize>j << 3);
      v128.store(ok + q, grad<T>(v128.load(gk + q), v128.load(yk + q), v128.load(a), sz == 4 ? v128.load(a, 16) : f64x2.splat(0), log));
    }
    for (; j < c; j++) {
      const q = <usize>j * sz, a = acc + (<usize>j << 3);
      st<T, u8>(ok + q, grad<T>(ld<T, u8>(gk + q), ld<T, u8>(yk + q), v128.load64_zero(a), f64x2.splat(0), log));
    }
  }
}

// @ts-ignore: decorator
@inline function softmaxBackward<T>(g: usize, y: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, acc: usize, log: bool): void {
  const sz = <usize>sizeof<T>();
  const block = <usize>len * <usize>inner * sz;
  for (let b = o0; b < o1; b++) {
    const at = <usize>b * block;
    if (inner == 1) {
      rowGrad<T>(g + at, y + at, o + at, len, log);
      continue;
    }
    for (let j = j0; j < j1; j += PANEL) {
      const q = at + <usize>j * sz;
      panel<T>(g + q, y + q, o + q, len, inner, min(PANEL, j1 - j), acc, log);
    }
  }
}

/**
 * The gradient of softmax (log = 0) or log_softmax (log = 1) from gradOutput g and output y, both
 * contiguous [outer, len, inner], into o (same layout), for outer blocks [o0, o1) and, when
 * inner > 1, inner positions [j0, j1); acc: scratch of min(inner, 1024) float64 (inner > 1).
 */
export function softmaxBackwardF32(g: usize, y: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, acc: usize, log: i32): void {
  if (log) softmaxBackward<f32>(g, y, o, o0, o1, len, inner, j0, j1, acc, true);
  else softmaxBackward<f32>(g, y, o, o0, o1, len, inner, j0, j1, acc, false);
}

export function softmaxBackwardF64(g: usize, y: usize, o: usize, o0: i32, o1: i32, len: i32, inner: i32, j0: i32, j1: i32, acc: usize, log: i32): void {
  if (log) softmaxBackward<f64>(g, y, o, o0, o1, len, inner, j0, j1, acc, true);
  else softmaxBackward<f64>(g, y, o, o0, o1, len, inner, j0, j1, acc, false);
}
