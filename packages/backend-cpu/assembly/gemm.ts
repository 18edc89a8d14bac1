// GEMM for float32 and float64: C = alpha * A @ B + beta * C, one matrix (the TS side walks
// batches). The same contract as src/kernels/linalg/gemm.ts: A is m x k, B is k x n, C is m x n,
// each a byte address plus row and column strides in elements (any non-negative strides, so
// transposed and broadcast operands are read where they lie: the packing absorbs the layout).
// beta == 0 ignores C's prior contents; the caller handles k == 0 and alpha == 0, and guarantees
// that C does not overlap A or B.
//
// How (the BLIS loop nest): B is packed in KC x NC blocks of NR-column panels, A in MC x KC blocks
// of 4-row panels, and a register-blocked micro-kernel multiplies one A panel by one B panel:
// 4 x 8 for float32 (8 accumulators of f32x4: the most V8 keeps in 16 xmm registers without
// spilling), 4 x 4 for float64 (8 accumulators of f64x2). Edge panels are zero-padded, so the
// micro-kernel always runs full; the store step writes only the valid corner.
//
// `work` is a caller-owned scratch block of gemmWorkspaceBytes() bytes (no allocation here).

import { maddF32, maddF64 } from './simd';

const MR: i32 = 4;
/** Depth of a packed block: a 4 x KC panel of A (4 KiB f32) and a KC x 8 panel of B stay in L1. */
const KC: i32 = 256;
/** Rows of A packed at once: MC x KC (128 KiB f32) stays in L2 while B panels stream past it. */
const MC: i32 = 128;
/** Columns of B packed at once: KC x NC lives in L2/L3. */
const NC: i32 = 1024;
const TILE_BYTES: i32 = 4 * 8 * 8;
/** B up to this size is read in place rather than packed (see the driver). */
const IN_PLACE_B_BYTES: u64 = 128 * 1024;

export function gemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC) * 8 + TILE_BYTES;
}

// ---- packing -----------------------------------------------------------------------------------

/** Packs rows [i0, i0+mc) x depth [p0, p0+kc) of A as 4-row panels: panel-major, then p, then row. */
// @ts-ignore: decorator
@inline function packA<T>(pa: usize, a: usize, rs: usize, cs: usize, i0: i32, mc: i32, p0: i32, kc: i32): void {
  const sz = sizeof<T>();
  const step = cs * sz;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    let d = pa + <usize>(ir * kc) * sz;
    let s = a + (<usize>(i0 + ir) * rs + <usize>p0 * cs) * sz;
    if (rows == MR && rs == 1) {
      // A transposed (a weight gradient's gy^T, a conv input gradient's W^T): the panel's four
      // rows are adjacent at every depth, one or two vector loads.
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        if (sz == 8) v128.store(d, v128.load(s, 16), 16);
        s += step;
        d += <usize>MR * sz;
      }
    } else if (rows == MR) {
      let s0 = s, s1 = s + rs * sz, s2 = s + 2 * rs * sz, s3 = s + 3 * rs * sz;
      for (let p = 0; p < kc; p++) {
        store<T>(d, load<T>(s0));
        store<T>(d, load<T>(s1), sz);
        store<T>(d, load<T>(s2), 2 * sz);
        store<T>(d, load<T>(s3), 3 * sz);
        s0 += step; s1 += step; s2 += step; s3 += step;
        d += <usize>MR * sz;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          store<T>(d + <usize>r * sz, r < rows ? load<T>(s + (<usize>r * rs + <usize>p * cs) * sz) : <T>0);
        }
        d += <usize>MR * sz;
      }
    }
  }
}

/**
 * One full NR-column panel of B whose columns are contiguous runs (element stride 1 along the
 * depth, `colStep` bytes between columns) into panel-major rows of NR: vector blocks of the
 * columns transposed by shuffles (4x4 for float32, 2x2 for float64), the depth's tail by scalars.
 */
// @ts-ignore: decorator
@inline function packTransposedPanel<T>(d: usize, s: usize, colStep: usize, kc: i32): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  const kv = kc - kc % lanes;
  let p = 0;
  if (sz == 4) {
    const s0 = s, s1 = s + colStep, s2 = s1 + colStep, s3 = s2 + colStep;
    const s4 = s3 + colStep, s5 = s4 + colStep, s6 = s5 + colStep, s7 = s6 + colStep;
    for (; p < kv; p += 4) {
      const o = <usize>p << 2;
      transpose4x4(d, v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o));
      transpose4x4(d + 16, v128.load(s4 + o), v128.load(s5 + o), v128.load(s6 + o), v128.load(s7 + o));
      d += 128;
    }
  } else {
    const s0 = s, s1 = s + colStep, s2 = s1 + colStep, s3 = s2 + colStep;
    for (; p < kv; p += 2) {
      const o = <usize>p << 3;
      const v0 = v128.load(s0 + o), v1 = v128.load(s1 + o), v2 = v128.load(s2 + o), v3 = v128.load(s3 + o);
      v128.store(d, v128.shuffle<i64>(v0, v1, 0, 2));
      v128.store(d, v128.shuffle<i64>(v2, v3, 0, 2), 16);
      v128.store(d, v128.shuffle<i64>(v0, v1, 1, 3), 32);
      v128.store(d, v128.shuffle<i64>(v2, v3, 1, 3), 48);
      d += 64;
    }
  }
  const nr = 32 / <i32>sz;
  for (; p < kc; p++) {
    for (let c = 0; c < nr; c++) store<T>(d + <usize>c * sz, load<T>(s + <usize>c * colStep + <usize>p * sz));
    d += 32;
  }
}

/** Stores rows r0..r3 (vectors of four float32, 32 bytes apart from d) of the transpose of columns a, b, c, e. */
// @ts-ignore: decorator
@inline function transpose4x4(d: usize, a: v128, b: v128, c: v128, e: v128): void {
  const ab0 = v128.shuffle<i32>(a, b, 0, 4, 1, 5), ce0 = v128.shuffle<i32>(c, e, 0, 4, 1, 5);
  const ab1 = v128.shuffle<i32>(a, b, 2, 6, 3, 7), ce1 = v128.shuffle<i32>(c, e, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<i32>(ab0, ce0, 0, 1, 4, 5));
  v128.store(d, v128.shuffle<i32>(ab0, ce0, 2, 3, 6, 7), 32);
  v128.store(d, v128.shuffle<i32>(ab1, ce1, 0, 1, 4, 5), 64);
  v128.store(d, v128.shuffle<i32>(ab1, ce1, 2, 3, 6, 7), 96);
}

/** Packs depth [p0, p0+kc) x columns [j0, j0+nc) of B as NR-column panels (NR = 32 bytes of T). */
// @ts-ignore: decorator
@inline function packB<T>(pb: usize, b: usize, rs: usize, cs: usize, p0: i32, kc: i32, j0: i32, nc: i32): void {
  const sz = sizeof<T>();
  const nr = 32 / <i32>sz;
  const step = rs * sz;
  for (let jr = 0; jr < nc; jr += nr) {
    const cols = min(nr, nc - jr);
    let d = pb + <usize>(jr * kc) * sz;
    let s = b + (<usize>p0 * rs + <usize>(j0 + jr) * cs) * sz;
    if (cols == nr && cs == 1) {
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += step;
        d += 32;
      }
    } else if (cols == nr && rs == 1) {
      // B transposed (Linear's x @ W^T): each panel column is a contiguous run along the depth,
      // so blocks of it are loaded as vectors and transposed in registers (25% of a Linear's
      // GEMM time went to packing it element by element).
      packTransposedPanel<T>(d, s, cs * sz, kc);
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < nr; c++) {
          store<T>(d + <usize>c * sz, c < cols ? load<T>(s + <usize>c * cs * sz) : <T>0);
        }
        s += step;
        d += 32;
      }
    }
  }
}

// ---- micro-kernels -------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function splatAt<T>(p: usize): v128 {
  return sizeof<T>() == 4 ? v128.load32_splat(p) : v128.load64_splat(p);
}

// @ts-ignore: decorator
@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  return sizeof<T>() == 4 ? maddF32(a, b, c) : maddF64(a, b, c);
}

/**
 * tile (4 rows x NR, row-major; NR = 8 f32 or 4 f64: two vectors) = A panel (4 x kc) @ B panel
 * (kc x NR). Eight vector accumulators, one A element broadcast at a time. B rows are `bStep`
 * bytes apart (32 when packed; the row stride when B is read in place). Only the tile is written;
 * the store step applies alpha and beta. `two`: only the panel's first two rows (an edge of 1-2
 * rows: four accumulators, half the work; always through the tile).
 */
// @ts-ignore: decorator
@inline function micro<T>(pa: usize, pb: usize, bStep: usize, kc: i32, tile: usize, direct: bool, c: usize, rsC: usize, add: bool, two: bool = false): void {
  const sz = sizeof<T>();
  const zero = v128.splat<i32>(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  const end = pb + <usize>kc * bStep;
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = splatAt<T>(pa);
    c00 = madd<T>(a, b0, c00); c01 = madd<T>(a, b1, c01);
    a = splatAt<T>(pa + sz);
    c10 = madd<T>(a, b0, c10); c11 = madd<T>(a, b1, c11);
    if (!two) {
      a = splatAt<T>(pa + 2 * sz);
      c20 = madd<T>(a, b0, c20); c21 = madd<T>(a, b1, c21);
      a = splatAt<T>(pa + 3 * sz);
      c30 = madd<T>(a, b0, c30); c31 = madd<T>(a, b1, c31);
    }
    pa += 4 * sz;
    pb += bStep;
  }
  if (direct && !two) {
    // A full tile of C with unit column stride, alpha 1: stored (beta 0) or added (beta 1) from
    // the accumulators, without the scratch tile (short depths spend a third of their time there).
    let r = c;
    if (add) {
      v128.store(r, addV<T>(c00, v128.load(r))); v128.store(r, addV<T>(c01, v128.load(r, 16)), 16); r += rsC;
      v128.store(r, addV<T>(c10, v128.load(r))); v128.store(r, addV<T>(c11, v128.load(r, 16)), 16); r += rsC;
      v128.store(r, addV<T>(c20, v128.load(r))); v128.store(r, addV<T>(c21, v128.load(r, 16)), 16); r += rsC;
      v128.store(r, addV<T>(c30, v128.load(r))); v128.store(r, addV<T>(c31, v128.load(r, 16)), 16);
    } else {
      v128.store(r, c00); v128.store(r, c01, 16); r += rsC;
      v128.store(r, c10); v128.store(r, c11, 16); r += rsC;
      v128.store(r, c20); v128.store(r, c21, 16); r += rsC;
      v128.store(r, c30); v128.store(r, c31, 16);
    }
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  if (two) return;
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
}

// @ts-ignore: decorator
@inline function addV<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.add(a, b) : f64x2.add(a, b);
}

// ---- store -------------------------------------------------------------------------------------

/** C[rows x cols corner] = alpha * tile + beta * C (beta == 0: C is not read). */
// @ts-ignore: decorator
@inline function storeTile<T>(tile: usize, c: usize, rs: usize, cs: usize, rows: i32, cols: i32, alpha: T, beta: T): void {
  const sz = sizeof<T>();
  const nr = 32 / <i32>sz;
  if (rows == MR && cols == nr && cs == 1) {
    const va = sizeof<T>() == 4 ? f32x4.splat(<f32>alpha) : f64x2.splat(<f64>alpha);
    const vb = sizeof<T>() == 4 ? f32x4.splat(<f32>beta) : f64x2.splat(<f64>beta);
    for (let r = 0; r < MR; r++) {
      const t = tile + <usize>r * 32;
      const o = c + <usize>r * rs * sz;
      let x0 = v128.load(t), x1 = v128.load(t, 16);
      if (sizeof<T>() == 4) {
        x0 = f32x4.mul(x0, va); x1 = f32x4.mul(x1, va);
        if (beta != 0) { x0 = f32x4.add(x0, f32x4.mul(vb, v128.load(o))); x1 = f32x4.add(x1, f32x4.mul(vb, v128.load(o, 16))); }
      } else {
        x0 = f64x2.mul(x0, va); x1 = f64x2.mul(x1, va);
        if (beta != 0) { x0 = f64x2.add(x0, f64x2.mul(vb, v128.load(o))); x1 = f64x2.add(x1, f64x2.mul(vb, v128.load(o, 16))); }
      }
      v128.store(o, x0);
      v128.store(o, x1, 16);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    let o = c + <usize>r * rs * sz;
    const t = tile + <usize>r * 32;
    for (let q = 0; q < cols; q++) {
      const v = alpha * load<T>(t + <usize>q * sz);
      store<T>(o, beta == 0 ? v : v + beta * load<T>(o));
      o += cs * sz;
    }
  }
}

// ---- driver ------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function gemm<T>(
  m: i32, n: i32, k: i32, alpha: T,
  a: usize, rsA: usize, csA: usize,
  b: usize, rsB: usize, csB: usize,
  beta: T, c: usize, rsC: usize, csC: usize, work: usize,
): void {
  const sz = sizeof<T>();
  const nr = 32 / <i32>sz;
  const pa = work;
  const pb = work + <usize>(MC * KC) * 8;
  const tile = pb + <usize>(KC * NC) * 8;
  // B is read in place (no packing) when its rows are contiguous and it is small enough to stay
  // in cache: small products (a convolution's patches matrix) would spend as long packing as
  // multiplying. Edge panels narrower than NR are still packed (zero-padded).
  const inPlace = csB == 1 && <u64>k * <u64>n * sz <= IN_PLACE_B_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // The first depth block applies beta; later ones accumulate onto C.
      const betaBlock: T = pc == 0 ? beta : <T>1;
      if (!inPlace) packB<T>(pb, b, rsB, csB, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA<T>(pa, a, rsA, csA, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += nr) {
          const cols = min(nr, nc - jr);
          const fullCols = cols == nr && csC == 1;
          let bPanel = pb + <usize>(jr * kc) * sz;
          let bStep: usize = 32;
          if (inPlace) {
            if (cols == nr) {
              bPanel = b + (<usize>pc * rsB + <usize>(jc + jr)) * sz;
              bStep = rsB * sz;
            } else {
              bPanel = pb;
              packB<T>(pb, b, rsB, csB, pc, kc, jc + jr, cols);
            }
          }
          for (let ir = 0; ir < mc; ir += MR) {
            const cAt = c + (<usize>(ic + ir) * rsC + <usize>(jc + jr) * csC) * sz;
            const direct = fullCols && alpha == 1 && (betaBlock == 0 || betaBlock == 1) && ir + MR <= mc;
            if (mc - ir <= 2) {
              // An edge panel of 1-2 rows: half the work of the zero-padded 4-row one (LeNet's
              // conv1 has 6 output channels: 4 + 2 rows).
              micro<T>(pa + <usize>(ir * kc) * sz, bPanel, bStep, kc, tile, false, cAt, rsC * sz, false, true);
              storeTile<T>(tile, cAt, rsC, csC, mc - ir, cols, alpha, betaBlock);
              continue;
            }
            micro<T>(pa + <usize>(ir * kc) * sz, bPanel, bStep, kc, tile, direct, cAt, rsC * sz, betaBlock == 1);
            if (!direct) storeTile<T>(tile, cAt, rsC, csC, min(MR, mc - ir), cols, alpha, betaBlock);
          }
        }
      }
    }
  }
}

export function gemmF32(
  m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsA: usize, csA: usize,
  b: usize, rsB: usize, csB: usize,
  beta: f32, c: usize, rsC: usize, csC: usize, work: usize,
): void {
  gemm<f32>(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, work);
}

export function gemmF64(
  m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsA: usize, csA: usize,
  b: usize, rsB: usize, csB: usize,
  beta: f64, c: usize, rsC: usize, csC: usize, work: usize,
): void {
  gemm<f64>(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, work);
}

// ---- dot-product form ----------------------------------------------------------------------------

/** Sum of the lanes of an accumulator, in lane order. */
// @ts-ignore: decorator
@inline function lanes<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  }
  return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

/**
 * C = A @ B^T + beta * C where A (m x k) and B (n x k) both have unit column stride: every element
 * is a dot product of two contiguous rows. For small m and n with a long k (a convolution's weight
 * gradient: gy[O, L] times patches[rows, L]^T) this beats packing: blocks of 2 rows of A by 4 rows
 * of B keep 8 vector accumulators over k, summed lane by lane at the end (one fixed order), with
 * scalar tails. beta == 0 does not read C.
 */
// @ts-ignore: decorator
@inline export function gemmNT<T>(
  m: i32, n: i32, k: i32, a: usize, rsA: usize, b: usize, rsB: usize, beta: T, c: usize, rsC: usize,
): void {
  const sz = <usize>sizeof<T>();
  const L = 16 / <i32>sz;
  const kv = k - k % L; // vectorised part of each row
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = a + <usize>i * rsA * sz, a1 = two ? a0 + rsA * sz : a0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + <usize>j * rsB * sz, b1 = b0 + rsB * sz, b2 = b1 + rsB * sz, b3 = b2 + rsB * sz;
      const zero = v128.splat<i32>(0);
      let s00 = zero, s01 = zero, s02 = zero, s03 = zero, s10 = zero, s11 = zero, s12 = zero, s13 = zero;
      for (let p = 0; p < kv; p += L) {
        const o = <usize>p * sz;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = madd<T>(x0, y, s00); s10 = madd<T>(x1, y, s10);
        y = v128.load(b1 + o);
        s01 = madd<T>(x0, y, s01); s11 = madd<T>(x1, y, s11);
        y = v128.load(b2 + o);
        s02 = madd<T>(x0, y, s02); s12 = madd<T>(x1, y, s12);
        y = v128.load(b3 + o);
        s03 = madd<T>(x0, y, s03); s13 = madd<T>(x1, y, s13);
      }
      const r0 = c + <usize>i * rsC * sz;
      storeDot<T>(r0 + <usize>j * sz, lanes<T>(s00) + tail<T>(a0, b0, kv, k), beta);
      storeDot<T>(r0 + <usize>(j + 1) * sz, lanes<T>(s01) + tail<T>(a0, b1, kv, k), beta);
      storeDot<T>(r0 + <usize>(j + 2) * sz, lanes<T>(s02) + tail<T>(a0, b2, kv, k), beta);
      storeDot<T>(r0 + <usize>(j + 3) * sz, lanes<T>(s03) + tail<T>(a0, b3, kv, k), beta);
      if (two) {
        const r1 = r0 + rsC * sz;
        storeDot<T>(r1 + <usize>j * sz, lanes<T>(s10) + tail<T>(a1, b0, kv, k), beta);
        storeDot<T>(r1 + <usize>(j + 1) * sz, lanes<T>(s11) + tail<T>(a1, b1, kv, k), beta);
        storeDot<T>(r1 + <usize>(j + 2) * sz, lanes<T>(s12) + tail<T>(a1, b2, kv, k), beta);
        storeDot<T>(r1 + <usize>(j + 3) * sz, lanes<T>(s13) + tail<T>(a1, b3, kv, k), beta);
      }
    }
    for (; j < n; j++) {
      const b0 = b + <usize>j * rsB * sz;
      let s0 = v128.splat<i32>(0), s1 = v128.splat<i32>(0);
      for (let p = 0; p < kv; p += L) {
        const o = <usize>p * sz;
        const y = v128.load(b0 + o);
        s0 = madd<T>(v128.load(a0 + o), y, s0);
        s1 = madd<T>(v128.load(a1 + o), y, s1);
      }
      const r0 = c + <usize>i * rsC * sz;
      storeDot<T>(r0 + <usize>j * sz, lanes<T>(s0) + tail<T>(a0, b0, kv, k), beta);
      if (two) storeDot<T>(r0 + rsC * sz + <usize>j * sz, lanes<T>(s1) + tail<T>(a1, b0, kv, k), beta);
    }
  }
}

/** gemmNT as functions of their own (callers do not inline the loop nest: see conv.ts gemmCall). */
export function gemmNTF32(m: i32, n: i32, k: i32, a: usize, rsA: usize, b: usize, rsB: usize, beta: f32, c: usize, rsC: usize): void {
  gemmNT<f32>(m, n, k, a, rsA, b, rsB, beta, c, rsC);
}

export function gemmNTF64(m: i32, n: i32, k: i32, a: usize, rsA: usize, b: usize, rsB: usize, beta: f64, c: usize, rsC: usize): void {
  gemmNT<f64>(m, n, k, a, rsA, b, rsB, beta, c, rsC);
}

/** The scalar tail [from, k) of one dot product. */
// @ts-ignore: decorator
@inline function tail<T>(a: usize, b: usize, from: i32, k: i32): T {
  let s = <T>0;
  for (let p = from; p < k; p++) s += load<T>(a + <usize>p * sizeof<T>()) * load<T>(b + <usize>p * sizeof<T>());
  return s;
}

// @ts-ignore: decorator
@inline function storeDot<T>(q: usize, v: T, beta: T): void {
  store<T>(q, beta == 0 ? v : v + beta * load<T>(q));
}
