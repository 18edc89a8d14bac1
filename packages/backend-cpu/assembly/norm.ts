// The passes of the fused normalisation kernels (src/kernels/nn/norm-planes.ts describes them):
// planeSums, planeAffine, rowNormalize over P contiguous planes of `len` elements, and
// columnSums over the columns of such planes. Every value is computed in float64 lanes with the
// same operations in the same order as the TS reference (float32 data promoted on load, demoted
// once on store; no fused multiply-add), so the results are bit-identical to it:
// - a plane's sums use four accumulators, one per element index mod 4 (lanes of two f64x2),
//   combined as (a0 + a2) + (a1 + a3), then the tail elements added in order;
// - column sums add the planes in order, one column at a time.
// Flags: bit 0 = y given, bit 1 = w (per-column weight) given, bit 2 = b (per-column bias) given.
// Per-plane parameters (shift, A, B, C, mean, rstd) and sums are float64 arrays.

// @ts-ignore: decorator
@inline export function lo<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

// @ts-ignore: decorator
@inline export function hi<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p, 8));
  return v128.load(p, 16);
}

// @ts-ignore: decorator
@inline export function one<T>(p: usize): f64 {
  if (sizeof<T>() == 4) return <f64>load<f32>(p);
  return load<f64>(p);
}

// @ts-ignore: decorator
@inline export function store4<T>(p: usize, a: v128, b: v128): void {
  if (sizeof<T>() == 4) {
    v128.store(p, i64x2.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 2));
  } else {
    v128.store(p, a);
    v128.store(p, b, 16);
  }
}

// @ts-ignore: decorator
@inline export function store1<T>(p: usize, v: f64): void {
  if (sizeof<T>() == 4) store<f32>(p, <f32>v);
  else store<f64>(p, v);
}

// @ts-ignore: decorator
@inline export function sum4(a: v128, b: v128): f64 {
  return (f64x2.extract_lane(a, 0) + f64x2.extract_lane(b, 0)) + (f64x2.extract_lane(a, 1) + f64x2.extract_lane(b, 1));
}

/** Element k.. of a per-column weight: T, or float64 where `wide` (layer-norm.ts widens it once). */
// @ts-ignore: decorator
@inline function wlo<T>(w: usize, k: i32, wide: bool): v128 {
  return wide ? v128.load(w + (<usize>k << 3)) : lo<T>(w + <usize>k * sizeof<T>());
}
// @ts-ignore: decorator
@inline function whi<T>(w: usize, k: i32, wide: bool): v128 {
  return wide ? v128.load(w + (<usize>k << 3), 16) : hi<T>(w + <usize>k * sizeof<T>());
}

/**
 * One plane's sums as the lanes of a v128: [sum(v), sum(v d)] with d = x - c, v = (y or d) * (w or 1)
 * (w of T, or float64 where `wideW`).
 */
// @ts-ignore: decorator
@inline export function rowSums<T>(xp: usize, yp: usize, w: usize, c: f64, len: i32, hasY: bool, hasW: bool, wideW: bool): v128 {
  const sz = <usize>sizeof<T>();
  const cv = f64x2.splat(c), zero = f64x2.splat(0);
  let s1a = zero, s1b = zero, s2a = zero, s2b = zero;
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    const off = <usize>k * sz;
    const da = f64x2.sub(lo<T>(xp + off), cv), db = f64x2.sub(hi<T>(xp + off), cv);
    let va = da, vb = db;
    if (hasY) {
      va = lo<T>(yp + off);
      vb = hi<T>(yp + off);
    }
    if (hasW) {
      va = f64x2.mul(va, wlo<T>(w, k, wideW));
      vb = f64x2.mul(vb, whi<T>(w, k, wideW));
    }
    s1a = f64x2.add(s1a, va);
    s1b = f64x2.add(s1b, vb);
    s2a = f64x2.add(s2a, f64x2.mul(va, da));
    s2b = f64x2.add(s2b, f64x2.mul(vb, db));
  }
  let s1 = sum4(s1a, s1b), s2 = sum4(s2a, s2b);
  for (; k < len; k++) {
    const off = <usize>k * sz;
    const d = one<T>(xp + off) - c;
    let v = hasY ? one<T>(yp + off) : d;
    if (hasW) v *= wideW ? load<f64>(w + (<usize>k << 3)) : one<T>(w + off);
    s1 += v;
    s2 += v * d;
  }
  return f64x2.replace_lane(f64x2.splat(s1), 1, s2);
}

/** out[2p] = sum(v), out[2p + 1] = sum(v d) with d = x - shift[p], v = (y or d) * (w or 1). */
function planeSums<T>(x: usize, y: usize, w: usize, shift: usize, out: usize, P: i32, len: i32, flags: i32): void {
  const hasY = (flags & 1) != 0, hasW = (flags & 2) != 0;
  const rowBytes = <usize>len * sizeof<T>();
  for (let p = 0; p < P; p++) {
    const c = load<f64>(shift + (<usize>p << 3));
    v128.store(out + (<usize>p << 4), rowSums<T>(x + <usize>p * rowBytes, y + <usize>p * rowBytes, w, c, len, hasY, hasW, false));
  }
}

/** out = y w A[p] + x B[p] + C[p] (y w A[p] is 0 without y). */
function planeAffine<T>(o: usize, x: usize, y: usize, w: usize, A: usize, B: usize, C: usize, P: i32, len: i32, flags: i32): void {
  const hasY = (flags & 1) != 0, hasW = (flags & 2) != 0;
  const sz = <usize>sizeof<T>();
  const rowBytes = <usize>len * sz;
  const zero = f64x2.splat(0);
  for (let p = 0; p < P; p++) {
    const po = <usize>p << 3;
    const a = load<f64>(A + po), b = load<f64>(B + po), c = load<f64>(C + po);
    const av = f64x2.splat(a), bv = f64x2.splat(b), cv = f64x2.splat(c);
    const base = <usize>p * rowBytes;
    let k = 0;
    for (; k + 4 <= len; k += 4) {
      const off = <usize>k * sz;
      let ya = zero, yb = zero;
      if (hasY) {
        ya = lo<T>(y + base + off);
        yb = hi<T>(y + base + off);
        if (hasW) {
          ya = f64x2.mul(ya, lo<T>(w + off));
          yb = f64x2.mul(yb, hi<T>(w + off));
        }
        ya = f64x2.mul(ya, av);
        yb = f64x2.mul(yb, av);
      }
      const ra = f64x2.add(f64x2.add(ya, f64x2.mul(lo<T>(x + base + off), bv)), cv);
      const rb = f64x2.add(f64x2.add(yb, f64x2.mul(hi<T>(x + base + off), bv)), cv);
      store4<T>(o + base + off, ra, rb);
    }
    for (; k < len; k++) {
      const off = <usize>k * sz;
      let yw: f64 = 0;
      if (hasY) yw = one<T>(y + base + off) * (hasW ? one<T>(w + off) : 1) * a;
      store1<T>(o + base + off, yw + one<T>(x + base + off) * b + c);
    }
  }
}

/** out = (x - mean[p]) rstd[p] (* w) (+ b). */
function rowNormalize<T>(o: usize, x: usize, mean: usize, rstd: usize, w: usize, b: usize, P: i32, len: i32, flags: i32): void {
  const hasW = (flags & 2) != 0, hasB = (flags & 4) != 0;
  const sz = <usize>sizeof<T>();
  const rowBytes = <usize>len * sz;
  for (let p = 0; p < P; p++) {
    const po = <usize>p << 3;
    const m = load<f64>(mean + po), r = load<f64>(rstd + po);
    const mv = f64x2.splat(m), rv = f64x2.splat(r);
    const base = <usize>p * rowBytes;
    let k = 0;
    for (; k + 4 <= len; k += 4) {
      const off = <usize>k * sz;
      let va = f64x2.mul(f64x2.sub(lo<T>(x + base + off), mv), rv);
      let vb = f64x2.mul(f64x2.sub(hi<T>(x + base + off), mv), rv);
      if (hasW) {
        va = f64x2.mul(va, lo<T>(w + off));
        vb = f64x2.mul(vb, hi<T>(w + off));
      }
      if (hasB) {
        va = f64x2.add(va, lo<T>(b + off));
        vb = f64x2.add(vb, hi<T>(b + off));
      }
      store4<T>(o + base + off, va, vb);
    }
    for (; k < len; k++) {
      const off = <usize>k * sz;
      let v = (one<T>(x + base + off) - m) * r;
      if (hasW) v *= one<T>(w + off);
      if (hasB) v += one<T>(b + off);
      store1<T>(o + base + off, v);
    }
  }
}

/**
 * For `cols` columns of P planes of `len` elements (dy and x point at the first column):
 * dw[k] = sum_p dy (x - mean[p]) rstd[p], db[k] = sum_p dy, planes added in order (float64 out).
 */
function columnSums<T>(dy: usize, x: usize, mean: usize, rstd: usize, dw: usize, db: usize, P: i32, len: i32, cols: i32): void {
  const sz = <usize>sizeof<T>();
  const rowBytes = <usize>len * sz;
  memory.fill(dw, 0, <usize>cols << 3);
  memory.fill(db, 0, <usize>cols << 3);
  for (let p = 0; p < P; p++) {
    const po = <usize>p << 3;
    const m = load<f64>(mean + po), r = load<f64>(rstd + po);
    const mv = f64x2.splat(m), rv = f64x2.splat(r);
    const gp = dy + <usize>p * rowBytes, xp = x + <usize>p * rowBytes;
    let k = 0;
    for (; k + 4 <= cols; k += 4) {
      const off = <usize>k * sz;
      addColumnGrads(dw, db, <usize>k << 3, lo<T>(gp + off), hi<T>(gp + off), lo<T>(xp + off), hi<T>(xp + off), mv, rv);
    }
    for (; k < cols; k++) {
      const off = <usize>k * sz, ko = <usize>k << 3;
      const g = one<T>(gp + off);
      store<f64>(dw + ko, load<f64>(dw + ko) + g * (one<T>(xp + off) - m) * r);
      store<f64>(db + ko, load<f64>(db + ko) + g);
    }
  }
}

export function planeSumsF32(x: usize, y: usize, w: usize, shift: usize, out: usize, P: i32, len: i32, flags: i32): void {
  planeSums<f32>(x, y, w, shift, out, P, len, flags);
}
export function planeSumsF64(x: usize, y: usize, w: usize, shift: usize, out: usize, P: i32, len: i32, flags: i32): void {
  planeSums<f64>(x, y, w, shift, out, P, len, flags);
}
export function planeAffineF32(o: usize, x: usize, y: usize, w: usize, A: usize, B: usize, C: usize, P: i32, len: i32, flags: i32): void {
  planeAffine<f32>(o, x, y, w, A, B, C, P, len, flags);
}
export function planeAffineF64(o: usize, x: usize, y: usize, w: usize, A: usize, B: usize, C: usize, P: i32, len: i32, flags: i32): void {
  planeAffine<f64>(o, x, y, w, A, B, C, P, len, flags);
}
export function rowNormalizeF32(o: usize, x: usize, mean: usize, rstd: usize, w: usize, b: usize, P: i32, len: i32, flags: i32): void {
  rowNormalize<f32>(o, x, mean, rstd, w, b, P, len, flags);
}
export function rowNormalizeF64(o: usize, x: usize, mean: usize, rstd: usize, w: usize, b: usize, P: i32, len: i32, flags: i32): void {
  rowNormalize<f64>(o, x, mean, rstd, w, b, P, len, flags);
}
export function columnSumsF32(dy: usize, x: usize, mean: usize, rstd: usize, dw: usize, db: usize, P: i32, len: i32, cols: i32): void {
  columnSums<f32>(dy, x, mean, rstd, dw, db, P, len, cols);
}
export function columnSumsF64(dy: usize, x: usize, mean: usize, rstd: usize, dw: usize, db: usize, P: i32, len: i32, cols: i32): void {
  columnSums<f64>(dy, x, mean, rstd, dw, db, P, len, cols);
}

/** Four columns' weight and bias gradient sums: dw += g * (x - mean) * rstd, db += g (float64 lanes a, b). */
// @ts-ignore: decorator
@inline export function addColumnGrads(dw: usize, db: usize, ko: usize, ga: v128, gb: v128, xa: v128, xb: v128, mv: v128, rv: v128): void {
  const ta = f64x2.mul(f64x2.mul(ga, f64x2.sub(xa, mv)), rv), tb = f64x2.mul(f64x2.mul(gb, f64x2.sub(xb, mv)), rv);
  v128.store(dw + ko, f64x2.add(v128.load(dw + ko), ta));
  v128.store(dw + ko, f64x2.add(v128.load(dw + ko, 16), tb), 16);
  v128.store(db + ko, f64x2.add(v128.load(db + ko), ga));
  v128.store(db + ko, f64x2.add(v128.load(db + ko, 16), gb), 16);
}
