// Gradients of softmax / log_softmax from their outputs along the last dim (rows of `len`
// contiguous elements): softmax: y * (g - sum(g * y)), log_softmax: g - exp(y) * sum(g). Sums run
// in float64 over two f64x2 accumulators (one fixed order); results are computed in float64 from
// the float32 operands (products of two float32 values are exact there) and rounded once.
// log_softmax's exp(y) (y <= 0) is softmax's float32 vector exp (~2 ulp) or vmath's float64 one.
import { expNonPositiveF32, loadTailF32, storeTailF32 } from './softmax';
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

// @ts-ignore: decorator
@inline function softmaxBackward<T>(g: usize, y: usize, o: usize, r0: i32, r1: i32, len: i32, log: bool): void {
  const sz = <usize>sizeof<T>();
  const row = <usize>len * sz;
  for (let r = r0; r < r1; r++) {
    const gr = g + <usize>r * row, yr = y + <usize>r * row, orow = o + <usize>r * row;
    const s = rowSum<T>(gr, yr, len, log);
    const sv = f64x2.splat(s);
    let i = 0;
    if (sz == 4) {
      for (; i + 4 <= len; i += 4) {
        const p = <usize>i * 4;
        const gv = v128.load(gr + p), yv = v128.load(yr + p);
        let l: v128, h: v128;
        if (log) {
          const e = expNonPositiveF32(yv, f32x4.splat(0));
          l = f64x2.sub(lo(gv), f64x2.mul(lo(e), sv));
          h = f64x2.sub(hi(gv), f64x2.mul(hi(e), sv));
        } else {
          l = f64x2.mul(lo(yv), f64x2.sub(lo(gv), sv));
          h = f64x2.mul(hi(yv), f64x2.sub(hi(gv), sv));
        }
        v128.store(orow + p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5));
      }
      if (log && i < len) {
        // The last 1-3 elements as one partial vector: lane by lane the same operations.
        const p = <usize>i * 4, k = len - i;
        const gv = loadTailF32(gr + p, k), e = expNonPositiveF32(loadTailF32(yr + p, k), f32x4.splat(0));
        const l = f64x2.sub(lo(gv), f64x2.mul(lo(e), sv)), h = f64x2.sub(hi(gv), f64x2.mul(hi(e), sv));
        storeTailF32(orow + p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5), k);
        i = len;
      }
      for (; i < len; i++) {
        const p = <usize>i * 4;
        store<f32>(orow + p, <f32>(<f64>load<f32>(yr + p) * (<f64>load<f32>(gr + p) - s)));
      }
    } else {
      for (; i + 2 <= len; i += 2) {
        const p = <usize>i * 8;
        const gv = v128.load(gr + p), yv = v128.load(yr + p);
        v128.store(orow + p, log ? f64x2.sub(gv, f64x2.mul(expF64(yv), sv)) : f64x2.mul(yv, f64x2.sub(gv, sv)));
      }
      for (; i < len; i++) {
        const p = <usize>i * 8;
        const gv = load<f64>(gr + p), yv = load<f64>(yr + p);
        store<f64>(orow + p, log ? gv - f64x2.extract_lane(expF64(f64x2.splat(yv)), 0) * s : yv * (gv - s));
      }
    }
  }
}

/** Rows [r0, r1) of the [rows, len] gradient; log != 0: log_softmax's. */
export function softmaxBackwardF32(g: usize, y: usize, o: usize, r0: i32, r1: i32, len: i32, log: i32): void {
  if (log) softmaxBackward<f32>(g, y, o, r0, r1, len, true);
  else softmaxBackward<f32>(g, y, o, r0, r1, len, false);
}

export function softmaxBackwardF64(g: usize, y: usize, o: usize, r0: i32, r1: i32, len: i32, log: i32): void {
  if (log) softmaxBackward<f64>(g, y, o, r0, r1, len, true);
  else softmaxBackward<f64>(g, y, o, r0, r1, len, false);
}
