// Convolution drivers over a range of batch elements, so that src/kernels/nn/conv.ts can split a
// convolution over the thread pool by batch (each thread with its own im2col matrix and GEMM
// workspace). Per element and group they do what the TS kernel does: im2col + GEMM (forward,
// weight gradient) or GEMM + col2im (transposed). The geometry comes as a block of i32 words in
// the heap (more than a job's argument slots; layout: the P_* offsets, kept in sync with conv.ts).

import { col2im, copyRows, divBy, im2col } from './im2col';
import { gemmF32, gemmF64, gemmNTF32, gemmNTF64 } from './gemm';
import { maddF32, maddF64 } from './simd';

const P_X = 0, P_SN = 1, P_SC = 2, P_SD = 3, P_SH = 4, P_SW = 5, P_CG = 6;
const P_D = 7, P_H = 8, P_W = 9, P_KD = 10, P_KH = 11, P_KW = 12, P_OD = 13, P_OH = 14, P_OW = 15;
const P_STD = 16, P_STH = 17, P_STW = 18, P_PD = 19, P_PH = 20, P_PW = 21, P_DD = 22, P_DH = 23, P_DW = 24;
const P_GROUPS = 25, P_OG = 26, P_WEIGHT = 27, P_OUT = 28, P_COUT = 29;
// 1 when the patches matrix is the input itself (a 1x1 kernel, stride 1, no padding, contiguous
// spatial dims): the GEMM then reads x in place (row stride sC) and im2col is skipped.
const P_POINTWISE = 30;
/** The weight gradient unfolds elements side by side up to this row length (see convWeightGrad). */
const WIDE_ROW = 512;

/**
 * The GEMM through its exported (not inlined) functions: inlined into the large conv drivers,
 * TurboFan compiled the micro-kernel 15% slower (ResNet's 3x3 conv forward: 100 ms against the
 * 85 ms of the same GEMM calls made directly).
 */
// @ts-ignore: decorator
@inline function gemmCall<T>(
  m: i32, n: i32, k: i32, alpha: T, a: usize, rsA: usize, csA: usize, b: usize, rsB: usize, csB: usize,
  beta: T, c: usize, rsC: usize, csC: usize, work: usize,
): void {
  if (sizeof<T>() == 4) gemmF32(m, n, k, <f32>alpha, a, rsA, csA, b, rsB, csB, <f32>beta, c, rsC, csC, work);
  else gemmF64(m, n, k, <f64>alpha, a, rsA, csA, b, rsB, csB, <f64>beta, c, rsC, csC, work);
}

// @ts-ignore: decorator
@inline function gemmNTCall<T>(m: i32, n: i32, k: i32, a: usize, rsA: usize, b: usize, rsB: usize, beta: T, c: usize, rsC: usize): void {
  if (sizeof<T>() == 4) gemmNTF32(m, n, k, a, rsA, b, rsB, <f32>beta, c, rsC);
  else gemmNTF64(m, n, k, a, rsA, b, rsB, <f64>beta, c, rsC);
}

// @ts-ignore: decorator
@inline function word(p: usize, i: i32): i32 {
  return load<i32>(p + <usize>i * 4);
}

/** x's address for group g of batch element n. */
// @ts-ignore: decorator
@inline function groupInput<T>(p: usize, n: i32, g: i32): usize {
  return <usize>word(p, P_X) + <usize>(n * word(p, P_SN) + g * word(p, P_CG) * word(p, P_SC)) * sizeof<T>();
}

/**
 * Unfolds group g of batch element n into the patches matrix [Cg * kernel, L] at `col`, with row
 * stride `rs` (elements; 0: L).
 */
// @ts-ignore: decorator
@inline function unfoldInto<T>(p: usize, n: i32, g: i32, col: usize, rs: i32): void {
  im2col<T>(groupInput<T>(p, n, g), word(p, P_SC), word(p, P_SD), word(p, P_SH), word(p, P_SW), word(p, P_CG),
    word(p, P_D), word(p, P_H), word(p, P_W), word(p, P_KD), word(p, P_KH), word(p, P_KW),
    word(p, P_OD), word(p, P_OH), word(p, P_OW), word(p, P_STD), word(p, P_STH), word(p, P_STW),
    word(p, P_PD), word(p, P_PH), word(p, P_PW), word(p, P_DD), word(p, P_DH), word(p, P_DW), col, rs);
}

/**
 * The patches matrix [Cg * kernel, L] of group g of batch element n: x itself for pointwise
 * convolutions (row stride sC, see patchRowStride), else unfolded into col.
 */
// @ts-ignore: decorator
@inline function unfold<T>(p: usize, n: i32, g: i32, col: usize): usize {
  if (word(p, P_POINTWISE)) return groupInput<T>(p, n, g);
  unfoldInto<T>(p, n, g, col, 0);
  return col;
}

/** Row stride (elements) of the matrix unfold() returns. */
// @ts-ignore: decorator
@inline function patchRowStride(p: usize, L: i32): i32 {
  return word(p, P_POINTWISE) ? word(p, P_SC) : L;
}

/**
 * The positions i in [0, count) whose i * step + off lies inside [0, size) form [rangeStart,
 * rangeEnd): a kernel tap's valid output columns (or, transposed, input columns).
 */
// @ts-ignore: decorator
@inline function rangeStart(off: i32, step: i32, count: i32): i32 {
  return off < 0 ? min(count, divBy(-off + step - 1, step)) : 0;
}

// @ts-ignore: decorator
@inline function rangeEnd(off: i32, step: i32, size: i32, count: i32, start: i32): i32 {
  const end = size - 1 - off < 0 ? 0 : min(count, divBy(size - 1 - off, step) + 1);
  return max(end, start);
}

/**
 * Depthwise (one input and one output channel per group) convolution of one plane, computed
 * directly: each output row accumulates weight * shifted input row over the taps in (kd, kh, kw)
 * order, rows vectorised when the W stride is 1. No patches matrix and no 1-row GEMM.
 */
// @ts-ignore: decorator
@inline function depthwisePlane<T>(p: usize, x: usize, w: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const sD = word(p, P_SD), sH = word(p, P_SH), sW = word(p, P_SW);
  const D = word(p, P_D), H = word(p, P_H), W = word(p, P_W);
  const KD = word(p, P_KD), KH = word(p, P_KH), KW = word(p, P_KW);
  const OD = word(p, P_OD), OH = word(p, P_OH), OW = word(p, P_OW);
  const sd = word(p, P_STD), sh = word(p, P_STH), sw = word(p, P_STW);
  const pd = word(p, P_PD), ph = word(p, P_PH), pw = word(p, P_PW);
  const dd = word(p, P_DD), dh = word(p, P_DH), dw = word(p, P_DW);
  let o = out;
  for (let od = 0; od < OD; od++) {
    for (let oh = 0; oh < OH; oh++, o += <usize>OW * sz) {
      memory.fill(o, 0, <usize>OW * sz);
      for (let kd = 0; kd < KD; kd++) {
        const id = od * sd - pd + kd * dd;
        if (id < 0 || id >= D) continue;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const wv = load<T>(w + <usize>((kd * KH + kh) * KW + kw) * sz);
            const wOff = kw * dw - pw;
            // Output columns whose input column lies inside [0, W): [lo, hi).
            const lo = rangeStart(wOff, sw, OW), hi = rangeEnd(wOff, sw, W, OW, lo);
            const row = x + <usize>(id * sD + ih * sH) * sz;
            let i = lo;
            if (sw == 1 && sW == 1) {
              const wvec = sz == 4 ? f32x4.splat(<f32>wv) : f64x2.splat(<f64>wv);
              for (; i + lanes <= hi; i += lanes) {
                const q = o + <usize>i * sz;
                const v = v128.load(row + <usize>(i + wOff) * sz);
                v128.store(q, sz == 4 ? maddF32(wvec, v, v128.load(q)) : maddF64(wvec, v, v128.load(q)));
              }
            }
            for (; i < hi; i++) {
              const q = o + <usize>i * sz;
              store<T>(q, load<T>(q) + wv * load<T>(row + <usize>((i * sw + wOff) * sW) * sz));
            }
          }
        }
      }
    }
  }
}

/**
 * Transposed depthwise convolution of one plane into `out` (already zeroed): each input row,
 * weighted by a tap, is added to the output row it lands on (vectorised when the W stride is 1).
 * Here P_D.. are the op's input sizes and P_OD.. its output's; x's spatial dims are contiguous.
 */
// @ts-ignore: decorator
@inline function depthwiseTransposePlane<T>(p: usize, x: usize, w: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const ID = word(p, P_D), IH = word(p, P_H), IW = word(p, P_W);
  const KD = word(p, P_KD), KH = word(p, P_KH), KW = word(p, P_KW);
  const OD = word(p, P_OD), OH = word(p, P_OH), OW = word(p, P_OW);
  const sd = word(p, P_STD), sh = word(p, P_STH), sw = word(p, P_STW);
  const pd = word(p, P_PD), ph = word(p, P_PH), pw = word(p, P_PW);
  const dd = word(p, P_DD), dh = word(p, P_DH), dw = word(p, P_DW);
  for (let id = 0; id < ID; id++) {
    for (let ih = 0; ih < IH; ih++) {
      const row = x + <usize>((id * IH + ih) * IW) * sz;
      for (let kd = 0; kd < KD; kd++) {
        const od = id * sd - pd + kd * dd;
        if (od < 0 || od >= OD) continue;
        for (let kh = 0; kh < KH; kh++) {
          const oh = ih * sh - ph + kh * dh;
          if (oh < 0 || oh >= OH) continue;
          const o = out + <usize>((od * OH + oh) * OW) * sz;
          for (let kw = 0; kw < KW; kw++) {
            const wv = load<T>(w + <usize>((kd * KH + kh) * KW + kw) * sz);
            const wOff = kw * dw - pw;
            // Input columns whose output column lies inside [0, OW): [lo, hi).
            const lo = rangeStart(wOff, sw, IW), hi = rangeEnd(wOff, sw, OW, IW, lo);
            let i = lo;
            if (sw == 1) {
              const wvec = sz == 4 ? f32x4.splat(<f32>wv) : f64x2.splat(<f64>wv);
              for (; i + lanes <= hi; i += lanes) {
                const q = o + <usize>(i + wOff) * sz;
                const v = v128.load(row + <usize>i * sz);
                v128.store(q, sz == 4 ? maddF32(wvec, v, v128.load(q)) : maddF64(wvec, v, v128.load(q)));
              }
            }
            for (; i < hi; i++) {
              const q = o + <usize>(i * sw + wOff) * sz;
              store<T>(q, load<T>(q) + wv * load<T>(row + <usize>i * sz));
            }
          }
        }
      }
    }
  }
}

/**
 * Weight gradient of a depthwise convolution for one plane: dst[tap] (+)= sum over the output of
 * gy * the input the tap saw (`first`: store instead of add). Dot products run over output rows,
 * vectorised when the W strides are 1, with one fixed reduction order.
 */
// @ts-ignore: decorator
@inline function depthwiseWeightGradPlane<T>(p: usize, x: usize, gy: usize, dst: usize, first: bool): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const sD = word(p, P_SD), sH = word(p, P_SH), sW = word(p, P_SW);
  const D = word(p, P_D), H = word(p, P_H), W = word(p, P_W);
  const KD = word(p, P_KD), KH = word(p, P_KH), KW = word(p, P_KW);
  const OD = word(p, P_OD), OH = word(p, P_OH), OW = word(p, P_OW);
  const sd = word(p, P_STD), sh = word(p, P_STH), sw = word(p, P_STW);
  const pd = word(p, P_PD), ph = word(p, P_PH), pw = word(p, P_PW);
  const dd = word(p, P_DD), dh = word(p, P_DH), dw = word(p, P_DW);
  for (let kd = 0; kd < KD; kd++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const wOff = kw * dw - pw;
        const lo = rangeStart(wOff, sw, OW), hi = rangeEnd(wOff, sw, W, OW, lo);
        let vacc = v128.splat<i32>(0);
        let acc = <T>0;
        for (let od = 0; od < OD; od++) {
          const id = od * sd - pd + kd * dd;
          if (id < 0 || id >= D) continue;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - ph + kh * dh;
            if (ih < 0 || ih >= H) continue;
            const g = gy + <usize>((od * OH + oh) * OW) * sz;
            const row = x + <usize>(id * sD + ih * sH) * sz;
            let i = lo;
            if (sw == 1 && sW == 1) {
              for (; i + lanes <= hi; i += lanes) {
                const v = v128.load(row + <usize>(i + wOff) * sz), gv = v128.load(g + <usize>i * sz);
                vacc = sz == 4 ? maddF32(v, gv, vacc) : maddF64(v, gv, vacc);
              }
            }
            for (; i < hi; i++) acc += load<T>(g + <usize>i * sz) * load<T>(row + <usize>((i * sw + wOff) * sW) * sz);
          }
        }
        let total: T;
        if (sz == 4) {
          total = <T>(f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1) + f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3)) + acc;
        } else {
          total = <T>(f64x2.extract_lane(vacc, 0) + f64x2.extract_lane(vacc, 1)) + acc;
        }
        const q = dst + <usize>((kd * KH + kh) * KW + kw) * sz;
        store<T>(q, first ? total : load<T>(q) + total);
      }
    }
  }
}

// out[n, g] = W[g] @ col for n in [n0, n1): the direct convolution (no bias); depthwise ones
// (Cg == Og == 1) plane by plane without a patches matrix.
// @ts-ignore: decorator
@inline function convForward<T>(p: usize, n0: i32, n1: i32, col: usize, work: usize): void {
  const sz = <usize>sizeof<T>();
  const groups = word(p, P_GROUPS), Og = word(p, P_OG), Cout = word(p, P_COUT);
  const rows = word(p, P_CG) * word(p, P_KD) * word(p, P_KH) * word(p, P_KW);
  const L = word(p, P_OD) * word(p, P_OH) * word(p, P_OW);
  const w = <usize>word(p, P_WEIGHT), out = <usize>word(p, P_OUT);
  if (word(p, P_CG) == 1 && Og == 1) {
    const K = rows, sN = word(p, P_SN), sC = word(p, P_SC), x = <usize>word(p, P_X);
    for (let n = n0; n < n1; n++) {
      for (let g = 0; g < groups; g++) {
        depthwisePlane<T>(p, x + <usize>(n * sN + g * sC) * sz, w + <usize>(g * K) * sz, out + <usize>((n * Cout + g) * L) * sz);
      }
    }
    return;
  }
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < groups; g++) {
      const b = unfold<T>(p, n, g, col);
      gemmCall<T>(Og, L, rows, <T>1, w + <usize>(g * Og * rows) * sz, rows, 1, b, patchRowStride(p, L), 1, <T>0,
        out + <usize>((n * Cout + g * Og) * L) * sz, L, 1, work);
    }
  }
}

export function convForwardF32(p: usize, n0: i32, n1: i32, col: usize, work: usize): void {
  convForward<f32>(p, n0, n1, col, work);
}

export function convForwardF64(p: usize, n0: i32, n1: i32, col: usize, work: usize): void {
  convForward<f64>(p, n0, n1, col, work);
}

// Weight gradient of chunks [c0, c1) of `chunk` batch elements each: partial[c] = sum over the
// chunk's elements of gy[n, g] @ col^T, accumulated in order. P_OUT holds gy (contiguous
// [N, Cout, L]), P_WEIGHT the partials ([chunks, Cout, rows]).
// @ts-ignore: decorator
@inline function convWeightGrad<T>(p: usize, c0: i32, c1: i32, chunk: i32, N: i32, col: usize): void {
  const sz = <usize>sizeof<T>();
  const groups = word(p, P_GROUPS), Og = word(p, P_OG), Cout = word(p, P_COUT);
  const rows = word(p, P_CG) * word(p, P_KD) * word(p, P_KH) * word(p, P_KW);
  const L = word(p, P_OD) * word(p, P_OH) * word(p, P_OW);
  const gy = <usize>word(p, P_OUT), partials = <usize>word(p, P_WEIGHT);
  if (word(p, P_CG) == 1 && Og == 1) {
    const sN = word(p, P_SN), sC = word(p, P_SC), x = <usize>word(p, P_X);
    for (let c = c0; c < c1; c++) {
      const dst = partials + <usize>(c * Cout * rows) * sz;
      const end = min(N, (c + 1) * chunk);
      for (let n = c * chunk; n < end; n++) {
        for (let g = 0; g < groups; g++) {
          depthwiseWeightGradPlane<T>(p, x + <usize>(n * sN + g * sC) * sz, gy + <usize>((n * Cout + g) * L) * sz,
            dst + <usize>(g * rows) * sz, n == c * chunk);
        }
      }
    }
    return;
  }
  if (word(p, P_POINTWISE)) {
    for (let c = c0; c < c1; c++) {
      const dst = partials + <usize>(c * Cout * rows) * sz;
      const end = min(N, (c + 1) * chunk);
      for (let n = c * chunk; n < end; n++) {
        for (let g = 0; g < groups; g++) {
          // dW[g] (+)= gy[n, g] @ x[n, g]^T: both have the output positions as their contiguous
          // inner dim, so every element is a dot product of two rows (no packing).
          gemmNTCall<T>(Og, rows, L, gy + <usize>((n * Cout + g * Og) * L) * sz, L, groupInput<T>(p, n, g), word(p, P_SC),
            n == c * chunk ? <T>0 : <T>1, dst + <usize>(g * Og * rows) * sz, rows);
        }
      }
    }
    return;
  }
  // Short rows spend more on summing the lanes of each dot product than on multiplying (LeNet's
  // second conv has L = 64): up to `side` elements are unfolded side by side into patches
  // [rows, count * L] (col), gy's rows of the group gathered into [Og, count * L] after them, so
  // that each weight-gradient element is one dot product of length count * L. `side` depends on
  // L alone (results do not depend on the thread count) and keeps col near L2-sized.
  const side = max(1, WIDE_ROW / L);
  for (let c = c0; c < c1; c++) {
    const dst = partials + <usize>(c * Cout * rows) * sz;
    const end = min(N, (c + 1) * chunk);
    for (let start = c * chunk; start < end; start += side) {
      const count = min(end - start, side), width = count * L;
      const gyc = col + <usize>(rows * width) * sz;
      for (let g = 0; g < groups; g++) {
        for (let j = 0; j < count; j++) unfoldInto<T>(p, start + j, g, col + <usize>(j * L) * sz, width);
        let a = gy + <usize>((start * Cout + g * Og) * L) * sz;
        if (count > 1) {
          for (let o = 0; o < Og; o++) {
            copyRows<T>(gyc + <usize>(o * width) * sz, gy + <usize>((start * Cout + g * Og + o) * L) * sz, count, <usize>L * sz,
              <usize>(Cout * L) * sz);
          }
          a = gyc;
        }
        gemmNTCall<T>(Og, rows, width, a, width, col, width, start == c * chunk ? <T>0 : <T>1, dst + <usize>(g * Og * rows) * sz, rows);
      }
    }
  }
}

export function convWeightGradF32(p: usize, c0: i32, c1: i32, chunk: i32, N: i32, col: usize): void {
  convWeightGrad<f32>(p, c0, c1, chunk, N, col);
}

export function convWeightGradF64(p: usize, c0: i32, c1: i32, chunk: i32, N: i32, col: usize): void {
  convWeightGrad<f64>(p, c0, c1, chunk, N, col);
}

// Transposed convolution of batch elements [n0, n1): col = W[g]^T @ x[n, g], folded (col2im) into
// out[n, g], which this zeroes first. Here P_D..P_W are the op's input spatial sizes, P_OD..P_OW
// its output's, P_CG the input channels per group, P_OG the output channels per group; x has
// contiguous spatial dims.
// @ts-ignore: decorator
@inline function convTranspose<T>(p: usize, n0: i32, n1: i32, col: usize, work: usize): void {
  const sz = <usize>sizeof<T>();
  const groups = word(p, P_GROUPS), Cing = word(p, P_CG), Coutg = word(p, P_OG), Cout = word(p, P_COUT);
  const KD = word(p, P_KD), KH = word(p, P_KH), KW = word(p, P_KW);
  const ID = word(p, P_D), IH = word(p, P_H), IW = word(p, P_W), OD = word(p, P_OD), OH = word(p, P_OH), OW = word(p, P_OW);
  const rows = Coutg * KD * KH * KW;
  const Lin = ID * IH * IW, Lout = OD * OH * OW;
  const x = <usize>word(p, P_X), sN = word(p, P_SN), sC = word(p, P_SC);
  const w = <usize>word(p, P_WEIGHT), out = <usize>word(p, P_OUT);
  memory.fill(out + <usize>(n0 * Cout * Lout) * sz, 0, <usize>((n1 - n0) * Cout * Lout) * sz);
  if (Cing == 1 && Coutg == 1) {
    for (let n = n0; n < n1; n++) {
      for (let g = 0; g < groups; g++) {
        depthwiseTransposePlane<T>(p, x + <usize>(n * sN + g * sC) * sz, w + <usize>(g * rows) * sz, out + <usize>((n * Cout + g) * Lout) * sz);
      }
    }
    return;
  }
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < groups; g++) {
      gemmCall<T>(rows, Lin, Cing, <T>1, w + <usize>(g * Cing * rows) * sz, 1, rows,
        x + <usize>(n * sN + g * Cing * sC) * sz, sC, 1, <T>0, col, Lin, 1, work);
      col2im<T>(col, out + <usize>((n * Cout + g * Coutg) * Lout) * sz, Coutg, ID, IH, IW, KD, KH, KW, OD, OH, OW,
        word(p, P_STD), word(p, P_STH), word(p, P_STW), word(p, P_PD), word(p, P_PH), word(p, P_PW),
        word(p, P_DD), word(p, P_DH), word(p, P_DW));
    }
  }
}

export function convTransposeF32(p: usize, n0: i32, n1: i32, col: usize, work: usize): void {
  convTranspose<f32>(p, n0, n1, col, work);
}

export function convTransposeF64(p: usize, n0: i32, n1: i32, col: usize, work: usize): void {
  convTranspose<f64>(p, n0, n1, col, work);
}

// dst[i] = src[0][i] + src[1][i] + ... + src[count-1][i], added in that order (the weight
// gradient's chunk partials; `len` elements each, contiguous one after another).
// @ts-ignore: decorator
@inline function sumPartials<T>(dst: usize, src: usize, count: i32, len: i32): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const stride = <usize>len * sz;
  let i = 0;
  for (; i + lanes <= len; i += lanes) {
    const off = <usize>i * sz;
    let acc = v128.load(src + off);
    for (let c = 1; c < count; c++) {
      const v = v128.load(src + <usize>c * stride + off);
      acc = sz == 4 ? f32x4.add(acc, v) : f64x2.add(acc, v);
    }
    v128.store(dst + off, acc);
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    let acc = load<T>(src + off);
    for (let c = 1; c < count; c++) acc += load<T>(src + <usize>c * stride + off);
    store<T>(dst + off, acc);
  }
}

export function sumPartialsF32(dst: usize, src: usize, count: i32, len: i32): void {
  sumPartials<f32>(dst, src, count, len);
}

export function sumPartialsF64(dst: usize, src: usize, count: i32, len: i32): void {
  sumPartials<f64>(dst, src, count, len);
}

// out[n, c, :] += bias[c] over a contiguous [N, C, L] block: the convolution's bias.
// @ts-ignore: decorator
@inline function addChannelBias<T>(out: usize, bias: usize, biasStride: i32, N: i32, C: i32, L: i32): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  let p = out;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const b = load<T>(bias + <usize>(c * biasStride) * sz);
      const bv = sz == 4 ? f32x4.splat(<f32>b) : f64x2.splat(<f64>b);
      let i = 0;
      for (; i + lanes <= L; i += lanes, p += 16) {
        v128.store(p, sz == 4 ? f32x4.add(v128.load(p), bv) : f64x2.add(v128.load(p), bv));
      }
      for (; i < L; i++, p += sz) store<T>(p, load<T>(p) + b);
    }
  }
}

export function addChannelBiasF32(out: usize, bias: usize, biasStride: i32, N: i32, C: i32, L: i32): void {
  addChannelBias<f32>(out, bias, biasStride, N, C, L);
}

export function addChannelBiasF64(out: usize, bias: usize, biasStride: i32, N: i32, C: i32, L: i32): void {
  addChannelBias<f64>(out, bias, biasStride, N, C, L);
}
