// Whole-row reductions over contiguous float32/float64 elements (the TS reducers call these for
// every row whose elements are contiguous: a full reduction of a contiguous tensor, or the last
// dim). Sums accumulate in float64 as the TS kernels do (float32 sums carry no float32 round-off
// before the final rounding); max/min propagate NaN.

/** Sum of n float32 at p, in float64 (four f64x2 accumulators: eight elements per step). */
export function sumF32(p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x = v128.load(p), y = v128.load(p, 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(x));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(y));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i32x4.shuffle(y, y, 2, 3, 0, 1)));
    p += 32;
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    acc += <f64>load<f32>(p);
    p += 4;
  }
  return acc;
}

/** Sum of n float64 at p (four f64x2 accumulators). */
export function sumF64(p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = f64x2.add(s0, v128.load(p));
    s1 = f64x2.add(s1, v128.load(p, 16));
    s2 = f64x2.add(s2, v128.load(p, 32));
    s3 = f64x2.add(s3, v128.load(p, 48));
    p += 64;
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    acc += load<f64>(p);
    p += 8;
  }
  return acc;
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
