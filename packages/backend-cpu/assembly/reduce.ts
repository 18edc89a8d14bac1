// Sums over contiguous float32/float64 runs, in a fixed order that does not depend on how the
// work is split over threads:
// - float32: BLOCK elements at a time in eight float32x4 accumulators (each lane adds at most
//   BLOCK / 32 values, so the block's error is below (BLOCK / 32) * 2^-24 * sum|x|, about as
//   PyTorch's cascade sum), each block's sum then added in float64. Whole groups of GROUP
//   elements (eight 4 KiB pages) are read as eight streams at once, one accumulator each, a
//   block being SEGMENT elements of every stream: one stream left DRAM reads at ~10.5 GB/s on one
//   thread, eight page streams keep more lines in flight (~12 GB/s, as fast as a bare read loop);
//   the rest of a chunk takes contiguous blocks;
// - float64: eight float64x2 accumulators per block;
// - a run longer than CHUNK is cut into CHUNK-element pieces, each summed from 0 and the pieces
//   added in order: a chunk is the unit one thread computes (sumChunks*), the caller adding the
//   partials in the same order gives the same bytes as one thread.
// Rows (sumRows*) use these sums; columns are sum-cols.ts's.

const BLOCK = 2048;
const CHUNK = 65536;
const STREAMS = 8;
/** float32 elements in a 4 KiB page: the hardware prefetcher follows a stream within a page. */
const PAGE = 1024;
const GROUP = STREAMS * PAGE;
const SEGMENT = BLOCK / STREAMS;

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
  let acc = laneSum<T>(a0, a1, a2, a3, a4, a5, a6, a7);
  for (; i < n; i++) {
    acc += <f64>load<T>(p);
    p += sizeof<T>();
  }
  return acc;
}

/** The lanes of eight accumulators of T, added in float64. */
// @ts-ignore: decorator
@inline function laneSum<T>(a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128, a6: v128, a7: v128): f64 {
  let v = vadd<T>(vadd<T>(vadd<T>(a0, a1), vadd<T>(a2, a3)), vadd<T>(vadd<T>(a4, a5), vadd<T>(a6, a7)));
  if (sizeof<T>() == 4) v = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Sum of the block at p + every page's [0, SEGMENT) of a float32 group: stream k in accumulator k. */
// @ts-ignore: decorator
@inline function streamBlockF32(p: usize): f64 {
  let a0 = v128.splat<i32>(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const end = p + (SEGMENT << 2);
  for (; p < end; p += 16) {
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p, PAGE << 2));
    a2 = f32x4.add(a2, v128.load(p, 2 * PAGE << 2));
    a3 = f32x4.add(a3, v128.load(p, 3 * PAGE << 2));
    a4 = f32x4.add(a4, v128.load(p, 4 * PAGE << 2));
    a5 = f32x4.add(a5, v128.load(p, 5 * PAGE << 2));
    a6 = f32x4.add(a6, v128.load(p, 6 * PAGE << 2));
    a7 = f32x4.add(a7, v128.load(p, 7 * PAGE << 2));
  }
  return laneSum<f32>(a0, a1, a2, a3, a4, a5, a6, a7);
}

/** Sum of n <= CHUNK float32 at p: its blocks (those of whole groups first) added in float64. */
function chunkSumF32(p: usize, n: i32): f64 {
  let acc: f64 = 0;
  let i = 0;
  for (; i + GROUP <= n; i += GROUP) {
    for (let s = 0; s < PAGE; s += SEGMENT) acc += streamBlockF32(p + (<usize>(i + s) << 2));
  }
  for (; i < n; i += BLOCK) acc += vectorSum<f32>(p + (<usize>i << 2), min(BLOCK, n - i));
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
