// Layer norm forward and backward fused per row: the passes of norm.ts (moments + rowNormalize;
// planeSums + planeAffine + columnSums) run on one row while it is in L1, with the statistics read
// and written in the tensors' dtype. Every value is computed with the float64 operations, in the
// order, of the TS kernels (kernels/nn/norm.ts), so results stay bit-identical to them. The weight
// and bias are widened to float64 once per call (into `wide`, float32 only): the conversions, not
// the arithmetic, bound these loops (port-5 shuffles on x86).
// Flags: bit 0 = dx wanted, bit 1 = weight given, bit 2 = bias given (forward) or column sums
// wanted (backward).
import { addColumnGrads, hi, lo, one, rowSums, store1, store4 } from './norm';

/** `v` (len elements of T) as float64: float32 widened into `to`, float64 used in place; 0 stays 0. */
// @ts-ignore: decorator
@inline function widen<T>(v: usize, to: usize, len: i32): usize {
  if (v == 0 || sizeof<T>() == 8) return v;
  for (let k = 0; k < len; k++) store<f64>(to + (<usize>k << 3), <f64>load<f32>(v + (<usize>k << 2)));
  return to;
}

/**
 * P rows of `len` (>= 1) elements: mean[p], rstd[p] from shifted sums (the row's first element
 * c: mean = c + S1/len, var = max(0, S2/len - (S1/len)^2), rstd = 1 / sqrt(var + eps)), then
 * o = (x - mean) rstd (* w) (+ b) from the float64 statistics. `wide`: 2 len float64s.
 */
function layerNorm<T>(o: usize, x: usize, w: usize, b: usize, mean: usize, rstd: usize, wide: usize, P: i32, len: i32, eps: f64, flags: i32): void {
  const hasW = (flags & 2) != 0, hasB = (flags & 4) != 0;
  const sz = <usize>sizeof<T>();
  const rowBytes = <usize>len * sz;
  const wf = widen<T>(hasW ? w : 0, wide, len), bf = widen<T>(hasB ? b : 0, wide + (<usize>len << 3), len);
  for (let p = 0; p < P; p++) {
    const xp = x + <usize>p * rowBytes, op = o + <usize>p * rowBytes;
    const c = one<T>(xp);
    const sums = rowSums<T>(xp, 0, 0, c, len, false, false, false);
    const s1 = f64x2.extract_lane(sums, 0), s2 = f64x2.extract_lane(sums, 1);
    const d = s1 / <f64>len;
    const m = c + d;
    const r = 1 / Math.sqrt(Math.max(0, s2 / <f64>len - d * d) + eps);
    store1<T>(mean + <usize>p * sz, m);
    store1<T>(rstd + <usize>p * sz, r);
    const mv = f64x2.splat(m), rv = f64x2.splat(r);
    let k = 0;
    for (; k + 4 <= len; k += 4) {
      const off = <usize>k * sz, ko = <usize>k << 3;
      let va = f64x2.mul(f64x2.sub(lo<T>(xp + off), mv), rv);
      let vb = f64x2.mul(f64x2.sub(hi<T>(xp + off), mv), rv);
      if (hasW) {
        va = f64x2.mul(va, v128.load(wf + ko));
        vb = f64x2.mul(vb, v128.load(wf + ko, 16));
      }
      if (hasB) {
        va = f64x2.add(va, v128.load(bf + ko));
        vb = f64x2.add(vb, v128.load(bf + ko, 16));
      }
      store4<T>(op + off, va, vb);
    }
    for (; k < len; k++) {
      const off = <usize>k * sz, ko = <usize>k << 3;
      let v = (one<T>(xp + off) - m) * r;
      if (hasW) v *= load<f64>(wf + ko);
      if (hasB) v += load<f64>(bf + ko);
      store1<T>(op + off, v);
    }
  }
}

/**
 * P rows: with g = dy w, S1 = sum(g), S2 = sum(g (x - mean)) per row, dx = g A + x B + C with
 * A = rstd, B = -rstd^3 S2/len, C = mean rstd^3 S2/len - rstd S1/len; with column sums, adds
 * dy (x - mean) rstd and dy into the float64 column accumulators `acc` (dw then db, zeroed here;
 * rows in order) and, where dwOut/dbOut are given, stores them there at the end. `wide`: len float64s.
 */
function layerNormBackward<T>(
  dx: usize, dy: usize, x: usize, w: usize, mean: usize, rstd: usize, wide: usize, acc: usize, dwOut: usize, dbOut: usize,
  P: i32, len: i32, flags: i32,
): void {
  const wantDx = (flags & 1) != 0, hasW = (flags & 2) != 0, cols = (flags & 4) != 0;
  const sz = <usize>sizeof<T>();
  const rowBytes = <usize>len * sz;
  const wf = widen<T>(hasW ? w : 0, wide, len);
  const dw = acc, db = acc + (<usize>len << 3);
  if (cols) memory.fill(acc, 0, <usize>len << 4);
  for (let p = 0; p < P; p++) {
    const xp = x + <usize>p * rowBytes, gp = dy + <usize>p * rowBytes, op = dx + <usize>p * rowBytes;
    const m = one<T>(mean + <usize>p * sz), r = one<T>(rstd + <usize>p * sz);
    const mv = f64x2.splat(m), rv = f64x2.splat(r);
    let a: f64 = 0, bb: f64 = 0, c: f64 = 0;
    if (wantDx) {
      const sums = rowSums<T>(xp, gp, wf, m, len, true, hasW, true);
      const s1 = f64x2.extract_lane(sums, 0), s2 = f64x2.extract_lane(sums, 1);
      const r3 = r * r * r * s2 / <f64>len;
      a = r;
      bb = -r3;
      c = m * r3 - r * s1 / <f64>len;
    }
    const av = f64x2.splat(a), bv = f64x2.splat(bb), cv = f64x2.splat(c);
    let k = 0;
    for (; k + 4 <= len; k += 4) {
      const off = <usize>k * sz, ko = <usize>k << 3;
      const ga = lo<T>(gp + off), gb = hi<T>(gp + off), xa = lo<T>(xp + off), xb = hi<T>(xp + off);
      if (wantDx) {
        let ya = ga, yb = gb;
        if (hasW) {
          ya = f64x2.mul(ya, v128.load(wf + ko));
          yb = f64x2.mul(yb, v128.load(wf + ko, 16));
        }
        const ra = f64x2.add(f64x2.add(f64x2.mul(ya, av), f64x2.mul(xa, bv)), cv);
        const rb = f64x2.add(f64x2.add(f64x2.mul(yb, av), f64x2.mul(xb, bv)), cv);
        store4<T>(op + off, ra, rb);
      }
      if (cols) addColumnGrads(dw, db, ko, ga, gb, xa, xb, mv, rv);
    }
    for (; k < len; k++) {
      const off = <usize>k * sz, ko = <usize>k << 3;
      const g = one<T>(gp + off), xv = one<T>(xp + off);
      if (wantDx) store1<T>(op + off, (hasW ? g * load<f64>(wf + ko) : g) * a + xv * bb + c);
      if (cols) {
        store<f64>(dw + ko, load<f64>(dw + ko) + g * (xv - m) * r);
        store<f64>(db + ko, load<f64>(db + ko) + g);
      }
    }
  }
  if (!cols) return;
  for (let k = 0; k < len; k++) {
    const ko = <usize>k << 3;
    if (dwOut) store1<T>(dwOut + <usize>k * sz, load<f64>(dw + ko));
    if (dbOut) store1<T>(dbOut + <usize>k * sz, load<f64>(db + ko));
  }
}

export function layerNormF32(o: usize, x: usize, w: usize, b: usize, mean: usize, rstd: usize, wide: usize, P: i32, len: i32, eps: f64, flags: i32): void {
  layerNorm<f32>(o, x, w, b, mean, rstd, wide, P, len, eps, flags);
}
export function layerNormF64(o: usize, x: usize, w: usize, b: usize, mean: usize, rstd: usize, wide: usize, P: i32, len: i32, eps: f64, flags: i32): void {
  layerNorm<f64>(o, x, w, b, mean, rstd, wide, P, len, eps, flags);
}
export function layerNormBackwardF32(
  dx: usize, dy: usize, x: usize, w: usize, mean: usize, rstd: usize, wide: usize, acc: usize, dwOut: usize, dbOut: usize, P: i32, len: i32, flags: i32,
): void {
  layerNormBackward<f32>(dx, dy, x, w, mean, rstd, wide, acc, dwOut, dbOut, P, len, flags);
}
export function layerNormBackwardF64(
  dx: usize, dy: usize, x: usize, w: usize, mean: usize, rstd: usize, wide: usize, acc: usize, dwOut: usize, dbOut: usize, P: i32, len: i32, flags: i32,
): void {
  layerNormBackward<f64>(dx, dy, x, w, mean, rstd, wide, acc, dwOut, dbOut, P, len, flags);
}
