// Sums over contiguous float32/float64 runs, in a fixed order that does not depend on how the
// work is split over threads:
// - float32: BLOCK elements at a time in eight float32x4 accumulators (each lane adds at most
//   BLOCK / 32 values, so the block's error is below (BLOCK / 32) * 2^-24 * sum|x|, about as
//   PyTorch's cascade sum), each block's sum then added in float64;
// - float64: eight float64x2 accumulators per block;
// - a run longer than CHUNK is cut into CHUNK-element pieces, each summed from 0 and the pieces
//   added in order: a chunk is the unit one thread computes (sumChunks*), the caller adding the
//   partials in the same order gives the same bytes as one thread.
// Rows (sumRows*) and columns (sumCols*) of a reduction use these sums; float32 columns add
// BLOCK_ROWS reduced positions in float32 lanes before going to float64.

const BLOCK = 2048;
const CHUNK = 65536;
const BLOCK_ROWS = 64;

// @ts-ignore: decorator
@inline function vadd<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.add(a, b) : f64x2.add(a, b);
}

/** Sum of n elements at p in eight vector accumulators of T (float32: n <= BLOCK), in float64. */
// @ts-ignore: decorator
@inline function vectorSum<T>(p: usize, n: i32): f64 {
  const lanes = 16 / <i32>sizeof<T>();
  let a0 = v128.splat<i32>(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  let i = 0;
  for (; i + 8 * lanes <= n; i += 8 * lanes) {
    a0 = vadd<T>(a0, v128.load(p));
    a1 = vadd<T>(a1, v128.load(p, 16));
    a2 = vadd<T>(a2, v128.load(p, 32));
    a3 = vadd<T>(a3, v128.load(p, 48));
    a4 = vadd<T>(a4, v128.load(p, 64));
    a5 = vadd<T>(a5, v128.load(p, 80));
    a6 = vadd<T>(a6, v128.load(p, 96));
    a7 = vadd<T>(a7, v128.load(p, 112));
    p += 128;
  }
  for (; i + lanes <= n; i += lanes) {
    a0 = vadd<T>(a0, v128.load(p));
    p += 16;
  }
  let v = vadd<T>(vadd<T>(vadd<T>(a0, a1), vadd<T>(a2, a3)), vadd<T>(vadd<T>(a4, a5), vadd<T>(a6, a7)));
  if (sizeof<T>() == 4) v = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  let acc = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  for (; i < n; i++) {
    acc += <f64>load<T>(p);
    p += sizeof<T>();
  }
  return acc;
}

/** Sum of n <= CHUNK float32 at p: its blocks added in float64. */
function chunkSumF32(p: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i += BLOCK) acc += vectorSum<f32>(p + (<usize>i << 2), min(BLOCK, n - i));
  return acc;
}

// @ts-ignore: decorator
@inline function chunkSum<T>(p: usize, n: i32): f64 {
  return sizeof<T>() == 4 ? chunkSumF32(p, n) : vectorSum<f64>(p, n);
}

/** Sum of a contiguous run of any length: its chunks' sums added in order. */
// @ts-ignore: decorator
@inline function runSum<T>(p: usize, n: i32): f64 {
  if (n <= CHUNK) return chunkSum<T>(p, n);
  let acc: f64 = 0;
  for (let i = 0; i < n; i += CHUNK) acc += chunkSum<T>(p + <usize>i * sizeof<T>(), min(CHUNK, n - i));
  return acc;
}

/** Sum of n float32 at p, in float64. */
export function sumF32(p: usize, n: i32): f64 { return runSum<f32>(p, n); }
/** Sum of n float64 at p. */
export function sumF64(p: usize, n: i32): f64 { return runSum<f64>(p, n); }

// @ts-ignore: decorator
@inline function sumChunks<T>(p: usize, n: i32, first: i32, last: i32, out: usize): void {
  for (let c = first; c < last; c++) {
    const i = c * CHUNK;
    store<f64>(out + (<usize>c << 3), chunkSum<T>(p + <usize>i * sizeof<T>(), min(CHUNK, n - i)));
  }
}

/** The float64 sums of chunks [first, last) of n elements at p, into out[first..last). */
export function sumChunksF32(p: usize, n: i32, first: i32, last: i32, out: usize): void { sumChunks<f32>(p, n, first, last, out); }
export function sumChunksF64(p: usize, n: i32, first: i32, last: i32, out: usize): void { sumChunks<f64>(p, n, first, last, out); }

// @ts-ignore: decorator
@inline function sumRows<T>(x: usize, r0: i32, r1: i32, rs: i32, n1: i32, s1: i32, n0: i32, out: usize, div: f64): void {
  const sz = sizeof<T>();
  for (let r = r0; r < r1; r++) {
    const base = x + <usize>r * <usize>rs * sz;
    let acc: f64 = 0;
    for (let i = 0; i < n1; i++) acc += runSum<T>(base + <usize>i * <usize>s1 * sz, n0);
    store<T>(out + <usize>r * sz, <T>(acc / div));
  }
}

/**
 * Row reductions: out[r] = (sum over i < n1, k < n0 of x[r*rs + i*s1 + k]) / div for rows
 * r in [r0, r1) (element strides; the reduced elements are n1 contiguous runs of n0).
 */
export function sumRowsF32(x: usize, r0: i32, r1: i32, rs: i32, n1: i32, s1: i32, n0: i32, out: usize, div: f64): void {
  sumRows<f32>(x, r0, r1, rs, n1, s1, n0, out, div);
}
export function sumRowsF64(x: usize, r0: i32, r1: i32, rs: i32, n1: i32, s1: i32, n0: i32, out: usize, div: f64): void {
  sumRows<f64>(x, r0, r1, rs, n1, s1, n0, out, div);
}

/** float32 column sums of strip [j, j + 4 * V) for V in 1..4: float32 blocks of BLOCK_ROWS positions into float64. */
// @ts-ignore: decorator
@inline function colStripF32<V>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, out: usize, div: f64): void {
  const w = sizeof<V>();  // vectors in the strip (V is a type of that many bytes: u8, u16, ... u32 as 4)
  let d0 = f64x2.splat(0), d1 = d0, d2 = d0, d3 = d0, d4 = d0, d5 = d0, d6 = d0, d7 = d0;
  let b0 = f32x4.splat(0), b1 = b0, b2 = b0, b3 = b0;
  let count = 0;
  for (let i = 0; i < n1; i++) {
    let p = x + (<usize>i * <usize>s1 << 2);
    for (let k = 0; k < n0; k++) {
      b0 = f32x4.add(b0, v128.load(p));
      if (w > 1) b1 = f32x4.add(b1, v128.load(p, 16));
      if (w > 2) b2 = f32x4.add(b2, v128.load(p, 32));
      if (w > 3) b3 = f32x4.add(b3, v128.load(p, 48));
      p += <usize>s0 << 2;
      if (++count == BLOCK_ROWS) {
        count = 0;
        d0 = f64x2.add(d0, f64x2.promote_low_f32x4(b0));
        d1 = f64x2.add(d1, f64x2.promote_low_f32x4(i32x4.shuffle(b0, b0, 2, 3, 0, 1)));
        if (w > 1) {
          d2 = f64x2.add(d2, f64x2.promote_low_f32x4(b1));
          d3 = f64x2.add(d3, f64x2.promote_low_f32x4(i32x4.shuffle(b1, b1, 2, 3, 0, 1)));
        }
        if (w > 2) {
          d4 = f64x2.add(d4, f64x2.promote_low_f32x4(b2));
          d5 = f64x2.add(d5, f64x2.promote_low_f32x4(i32x4.shuffle(b2, b2, 2, 3, 0, 1)));
        }
        if (w > 3) {
          d6 = f64x2.add(d6, f64x2.promote_low_f32x4(b3));
          d7 = f64x2.add(d7, f64x2.promote_low_f32x4(i32x4.shuffle(b3, b3, 2, 3, 0, 1)));
        }
        b0 = f32x4.splat(0);
        b1 = b0;
        b2 = b0;
        b3 = b0;
      }
    }
  }
  const dv = f64x2.splat(div);
  v128.store(out, colResultF32(d0, d1, b0, dv));
  if (w > 1) v128.store(out, colResultF32(d2, d3, b1, dv), 16);
  if (w > 2) v128.store(out, colResultF32(d4, d5, b2, dv), 32);
  if (w > 3) v128.store(out, colResultF32(d6, d7, b3, dv), 48);
}

/** (float64 sums lo, hi + the open float32 block) / div, as float32x4. */
// @ts-ignore: decorator
@inline function colResultF32(lo: v128, hi: v128, b: v128, dv: v128): v128 {
  lo = f64x2.div(f64x2.add(lo, f64x2.promote_low_f32x4(b)), dv);
  hi = f64x2.div(f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1))), dv);
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** One float32 column with the same blocking as the strips (so a column's bytes do not depend on its strip). */
function colOneF32(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, out: usize, div: f64): void {
  let d: f64 = 0;
  let b: f32 = 0;
  let count = 0;
  for (let i = 0; i < n1; i++) {
    let p = x + (<usize>i * <usize>s1 << 2);
    for (let k = 0; k < n0; k++) {
      b += load<f32>(p);
      p += <usize>s0 << 2;
      if (++count == BLOCK_ROWS) {
        count = 0;
        d += <f64>b;
        b = 0;
      }
    }
  }
  store<f32>(out, <f32>((d + <f64>b) / div));
}

/** float64 column sums of strip [j, j + 2 * V): plain float64 accumulation. */
// @ts-ignore: decorator
@inline function colStripF64<V>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, out: usize, div: f64): void {
  const w = sizeof<V>();
  let d0 = f64x2.splat(0), d1 = d0, d2 = d0, d3 = d0;
  for (let i = 0; i < n1; i++) {
    let p = x + (<usize>i * <usize>s1 << 3);
    for (let k = 0; k < n0; k++) {
      d0 = f64x2.add(d0, v128.load(p));
      if (w > 1) d1 = f64x2.add(d1, v128.load(p, 16));
      if (w > 2) d2 = f64x2.add(d2, v128.load(p, 32));
      if (w > 3) d3 = f64x2.add(d3, v128.load(p, 48));
      p += <usize>s0 << 3;
    }
  }
  const dv = f64x2.splat(div);
  v128.store(out, f64x2.div(d0, dv));
  if (w > 1) v128.store(out, f64x2.div(d1, dv), 16);
  if (w > 2) v128.store(out, f64x2.div(d2, dv), 32);
  if (w > 3) v128.store(out, f64x2.div(d3, dv), 48);
}

function colOneF64(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, out: usize, div: f64): void {
  let d: f64 = 0;
  for (let i = 0; i < n1; i++) {
    let p = x + (<usize>i * <usize>s1 << 3);
    for (let k = 0; k < n0; k++) {
      d += load<f64>(p);
      p += <usize>s0 << 3;
    }
  }
  store<f64>(out, d / div);
}

/**
 * Column reductions: out[o*m + j] = (sum over i < n1, k < n0 of x[o*xo + i*s1 + k*s0 + j]) / div
 * for o in [o0, o1) and j in [j0, j1), the kept columns j contiguous in x and out (element
 * strides). Each column's sum is the same whichever range it falls in.
 */
export function sumColsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, div: f64): void {
  for (let o = o0; o < o1; o++) {
    const xb = x + (<usize>o * <usize>xo << 2), ob = out + (<usize>o * <usize>m << 2);
    let j = j0;
    for (; j + 16 <= j1; j += 16) colStripF32<u32>(xb + (<usize>j << 2), n1, s1, n0, s0, ob + (<usize>j << 2), div);
    for (; j + 4 <= j1; j += 4) colStripF32<u8>(xb + (<usize>j << 2), n1, s1, n0, s0, ob + (<usize>j << 2), div);
    for (; j < j1; j++) colOneF32(xb + (<usize>j << 2), n1, s1, n0, s0, ob + (<usize>j << 2), div);
  }
}

export function sumColsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, div: f64): void {
  for (let o = o0; o < o1; o++) {
    const xb = x + (<usize>o * <usize>xo << 3), ob = out + (<usize>o * <usize>m << 3);
    let j = j0;
    for (; j + 8 <= j1; j += 8) colStripF64<u32>(xb + (<usize>j << 3), n1, s1, n0, s0, ob + (<usize>j << 3), div);
    for (; j + 2 <= j1; j += 2) colStripF64<u8>(xb + (<usize>j << 3), n1, s1, n0, s0, ob + (<usize>j << 3), div);
    for (; j < j1; j++) colOneF64(xb + (<usize>j << 3), n1, s1, n0, s0, ob + (<usize>j << 3), div);
  }
}

// Max/min: wasm's max/min return NaN when either operand is NaN, so NaN propagates as in
// PyTorch (the value of a NaN result is some NaN).

// @ts-ignore: decorator
@inline function pick<T>(isMax: bool, x: T, y: T): T {
  return isMax ? max<T>(x, y) : min<T>(x, y);
}

// @ts-ignore: decorator
@inline function pickV<T>(isMax: bool, x: v128, y: v128): v128 {
  if (sizeof<T>() == 4) return isMax ? f32x4.max(x, y) : f32x4.min(x, y);
  return isMax ? f64x2.max(x, y) : f64x2.min(x, y);
}

// @ts-ignore: decorator
@inline function extreme<T>(p: usize, n: i32, isMax: bool): f64 {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  let m: T = isMax ? <T>-Infinity : <T>Infinity;
  let i = 0;
  if (n >= 4 * lanes) {
    let v0 = sz == 4 ? f32x4.splat(<f32>m) : f64x2.splat(<f64>m);
    let v1 = v0, v2 = v0, v3 = v0;
    for (; i + 4 * lanes <= n; i += 4 * lanes) {
      v0 = pickV<T>(isMax, v0, v128.load(p));
      v1 = pickV<T>(isMax, v1, v128.load(p, 16));
      v2 = pickV<T>(isMax, v2, v128.load(p, 32));
      v3 = pickV<T>(isMax, v3, v128.load(p, 48));
      p += 64;
    }
    const v = pickV<T>(isMax, pickV<T>(isMax, v0, v1), pickV<T>(isMax, v2, v3));
    if (sz == 4) {
      m = pick<T>(isMax, pick<T>(isMax, <T>f32x4.extract_lane(v, 0), <T>f32x4.extract_lane(v, 1)),
        pick<T>(isMax, <T>f32x4.extract_lane(v, 2), <T>f32x4.extract_lane(v, 3)));
    } else {
      m = pick<T>(isMax, <T>f64x2.extract_lane(v, 0), <T>f64x2.extract_lane(v, 1));
    }
  }
  for (; i < n; i++) {
    m = pick<T>(isMax, m, load<T>(p));
    p += sz;
  }
  return <f64>m;
}

export function maxF32(p: usize, n: i32): f64 { return extreme<f32>(p, n, true); }
export function minF32(p: usize, n: i32): f64 { return extreme<f32>(p, n, false); }
export function maxF64(p: usize, n: i32): f64 { return extreme<f64>(p, n, true); }
export function minF64(p: usize, n: i32): f64 { return extreme<f64>(p, n, false); }
