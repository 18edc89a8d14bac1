// argmax / argmin of one contiguous row (the TS reducers call it per row through simdRow): the
// position of the first maximum (minimum), or of the first NaN, as PyTorch. Vector lanes keep
// their own best value and the position where it first appeared (strictly better replaces, so a
// lane keeps its first occurrence); the lanes are then combined taking the best value and, among
// equal values (-0 equals +0, as in the scalar comparison), the smallest position. A vector holding
// a NaN hands over to a scalar scan that returns the first NaN's position.

// @ts-ignore: decorator
@inline function better<T>(v: T, best: T, max: bool): bool {
  return max ? v > best : v < best;
}

// @ts-ignore: decorator
@inline function hasNaN<T>(v: v128): bool {
  return sizeof<T>() == 4 ? v128.any_true(f32x4.ne(v, v)) : v128.any_true(f64x2.ne(v, v));
}

// @ts-ignore: decorator
@inline export function argExtreme<T>(p: usize, n: i32, max: bool): i32 {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  let i = 0;
  if (n >= 2 * lanes) {
    let best = v128.load(p);
    let bi = sz == 4 ? i32x4(0, 1, 2, 3) : i64x2(0, 1);
    const step = sz == 4 ? i32x4.splat(lanes) : i64x2.splat(lanes);
    let at = bi;
    if (!hasNaN<T>(best)) {
      for (i = lanes; i + lanes <= n; i += lanes) {
        const v = v128.load(p + <usize>i * sz);
        if (hasNaN<T>(v)) break;
        at = sz == 4 ? i32x4.add(at, step) : i64x2.add(at, step);
        const take = sz == 4 ? (max ? f32x4.gt(v, best) : f32x4.lt(v, best)) : (max ? f64x2.gt(v, best) : f64x2.lt(v, best));
        best = v128.bitselect(v, best, take);
        bi = v128.bitselect(at, bi, take);
      }
      // Combine the lanes: the best value, the first position among equals.
      let bv: T, bp: i32;
      if (sz == 4) {
        bv = <T>f32x4.extract_lane(best, 0);
        bp = i32x4.extract_lane(bi, 0);
        let v = <T>f32x4.extract_lane(best, 1), q = i32x4.extract_lane(bi, 1);
        if (better<T>(v, bv, max) || (v == bv && q < bp)) { bv = v; bp = q; }
        v = <T>f32x4.extract_lane(best, 2); q = i32x4.extract_lane(bi, 2);
        if (better<T>(v, bv, max) || (v == bv && q < bp)) { bv = v; bp = q; }
        v = <T>f32x4.extract_lane(best, 3); q = i32x4.extract_lane(bi, 3);
        if (better<T>(v, bv, max) || (v == bv && q < bp)) { bv = v; bp = q; }
      } else {
        bv = <T>f64x2.extract_lane(best, 0);
        bp = <i32>i64x2.extract_lane(bi, 0);
        const v = <T>f64x2.extract_lane(best, 1), q = <i32>i64x2.extract_lane(bi, 1);
        if (better<T>(v, bv, max) || (v == bv && q < bp)) { bv = v; bp = q; }
      }
      // The rest (a tail, or from the vector that held a NaN) one by one, as the TS loop.
      return scan<T>(p, i, n, bv, bp, max);
    }
  }
  // Short rows, or a NaN in the first vector: the scalar loop.
  const first = load<T>(p);
  return first != first ? 0 : scan<T>(p, 1, n, first, 0, max);
}

/** Continues the scalar search at `from` with the best value bv at bp so far; a NaN returns its position. */
// @ts-ignore: decorator
@inline function scan<T>(p: usize, from: i32, n: i32, bv: T, bp: i32, max: bool): i32 {
  for (let i = from; i < n; i++) {
    const v = load<T>(p + <usize>i * sizeof<T>());
    if (v != v) return i;
    if (better<T>(v, bv, max)) {
      bv = v;
      bp = i;
    }
  }
  return bp;
}

export function argmaxF32(p: usize, n: i32): i32 {
  return argExtreme<f32>(p, n, true);
}

export function argmaxF64(p: usize, n: i32): i32 {
  return argExtreme<f64>(p, n, true);
}

export function argminF32(p: usize, n: i32): i32 {
  return argExtreme<f32>(p, n, false);
}

export function argminF64(p: usize, n: i32): i32 {
  return argExtreme<f64>(p, n, false);
}
