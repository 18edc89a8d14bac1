/**
 * CPU kernel of `convolution` (see core's ops/nn/conv.ts for the contract): im2col + GEMM.
 *
 * 1-d and 2-d problems run as 3-d ones with leading spatial dims of size 1. Per batch element
 * and group:
 * - direct: the input patches are unfolded into `col` [C/g * kernel, outputSpatial] (zeros where
 *   the window hangs over the padding), then out[n, group] = W[group] @ col;
 * - transposed: col = W[group]^T @ x[n, group], then col is folded back (col2im: overlapping
 *   windows add up) into the output.
 * The GEMM is linalg's array-level one, fed views of the weight, `col` and the output in place.
 * `col` is one heap scratch block per array kind (kernels run synchronously), of the input's
 * array kind, so the GEMM's loops stay monomorphic and the wasm GEMM can address it.
 */
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import type { NumArray } from '../access.js';
import { gemm } from '../linalg/gemm.js';
import { heap } from '../../device.js';
import { simdCol2im, simdIm2col } from '../../wasm/im2col.js';

function colBuffer(kind: NumArray, size: number): Float32Array | Float64Array {
  // In the CPU heap, so that the wasm GEMM can read and write it in place.
  const f32 = kind instanceof Float32Array;
  const bytes = f32 ? 4 : 8;
  const ptr = heap.scratch(f32 ? 'conv.col32' : 'conv.col64', size * bytes);
  return f32 ? new Float32Array(heap.heapBuffer, ptr, size) : new Float64Array(heap.heapBuffer, ptr, size);
}

/** Spatial geometry padded to 3 dims (missing leading dims: size 1, stride 1, no padding). */
interface Geometry {
  size: number[]; // input spatial [D, H, W] (for transposed: the op's input)
  kernel: number[];
  out: number[]; // the other side's spatial size (output for direct, op output for transposed)
  stride: number[];
  padding: number[];
  dilation: number[];
}

function to3(v: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}

/**
 * Unfolds channels [c0, c0 + C) of one batch element into col (row-major [C * KD*KH*KW, OD*OH*OW]).
 * `base` is the element offset of (n, c0, 0, 0, 0); st = [sC, sD, sH, sW] the input strides.
 */
function im2col(x: NumArray, base: number, st: number[], C: number, g: Geometry, col: Float32Array | Float64Array): void {
  if (simdIm2col(x, base, st, C, g, col)) return;
  const [D, H, W] = g.size as [number, number, number];
  const [KD, KH, KW] = g.kernel as [number, number, number];
  const [OD, OH, OW] = g.out as [number, number, number];
  const [sd, sh, sw] = g.stride as [number, number, number];
  const [pd, ph, pw] = g.padding as [number, number, number];
  const [dd, dh, dw] = g.dilation as [number, number, number];
  const sC = st[0]!, sD = st[1]!, sH = st[2]!, sW = st[3]!;
  let r = 0;
  for (let c = 0; c < C; c++) {
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const wOff = kw * dw - pw;
          // Output columns whose input column lies inside [0, W).
          const owLo = Math.min(OW, Math.max(0, Math.ceil(-wOff / sw)));
          const owHi = Math.max(owLo, Math.min(OW, Math.floor((W - 1 - wOff) / sw) + 1));
          for (let od = 0; od < OD; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= D) {
              col.fill(0, r, r + OH * OW);
              r += OH * OW;
              continue;
            }
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) {
                col.fill(0, r, r + OW);
                r += OW;
                continue;
              }
              const row = base + c * sC + id * sD + ih * sH + wOff * sW;
              let ow = 0;
              for (; ow < owLo; ow++) col[r++] = 0;
              const step = sw * sW;
              for (let p = row + ow * step; ow < owHi; ow++, p += step) col[r++] = x[p]!;
              for (; ow < OW; ow++) col[r++] = 0;
            }
          }
        }
      }
    }
  }
}

/**
 * Folds col (row-major [C * KD*KH*KW, ID*IH*IW], ID.. = g.size) into a contiguous output block
 * [C, OD, OH, OW] (OD.. = g.out) starting at `base`, adding overlapping windows.
 */
function col2im(col: Float32Array | Float64Array, out: NumArray, base: number, C: number, g: Geometry): void {
  if (simdCol2im(col, out, base, C, g)) return;
  const [ID, IH, IW] = g.size as [number, number, number];
  const [KD, KH, KW] = g.kernel as [number, number, number];
  const [OD, OH, OW] = g.out as [number, number, number];
  const [sd, sh, sw] = g.stride as [number, number, number];
  const [pd, ph, pw] = g.padding as [number, number, number];
  const [dd, dh, dw] = g.dilation as [number, number, number];
  const L = OD * OH * OW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const wOff = kw * dw - pw;
          const iwLo = Math.min(IW, Math.max(0, Math.ceil(-wOff / sw)));
          const iwHi = Math.max(iwLo, Math.min(IW, Math.floor((OW - 1 - wOff) / sw) + 1));
          for (let id = 0; id < ID; id++) {
            const od = id * sd - pd + kd * dd;
            if (od < 0 || od >= OD) {
              r += IH * IW;
              continue;
            }
            for (let ih = 0; ih < IH; ih++) {
              const oh = ih * sh - ph + kh * dh;
              if (oh < 0 || oh >= OH) {
                r += IW;
                continue;
              }
              const row = base + c * L + (od * OH + oh) * OW + wOff;
              for (let iw = iwLo, p = row + iwLo * sw, q = r + iwLo; iw < iwHi; iw++, p += sw, q++) out[p] += col[q]!;
              r += IW;
            }
          }
        }
      }
    }
  }
}

export function convolutionKernel(
  out: Tensor, input: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number[],
  dilation: number[], transposed: boolean, groups: number,
): void {
  const xa = readAccess(input);
  const wa = readAccess(weight);
  const oa = writeAccess(out);
  const o = oa.arr;
  const N = input._shape[0]!;
  const inSpatial = to3(input._shape.slice(2), 1);
  const outSpatial = to3(out._shape.slice(2), 1);
  const kernel = to3(weight._shape.slice(2), 1);
  const K = kernel[0]! * kernel[1]! * kernel[2]!;
  const xs = xa.strides;
  const sN = xs[0]!;
  const spatialStrides = to3(xs.slice(2), 0);
  const geometry: Geometry = {
    size: inSpatial, kernel, out: outSpatial,
    stride: to3(stride, 1), padding: to3(padding, 0), dilation: to3(dilation, 1),
  };
  const Lin = inSpatial[0]! * inSpatial[1]! * inSpatial[2]!;
  const Lout = outSpatial[0]! * outSpatial[1]! * outSpatial[2]!;
  const Cout = out._shape[1]!;
  if (!transposed) {
    const Cg = weight._shape[1]!;
    const Og = weight._shape[0]! / groups;
    const rows = Cg * K;
    const col = colBuffer(xa.arr, rows * Lout);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        im2col(xa.arr, xa.off + n * sN + g * Cg * xs[1]!, [xs[1]!, ...spatialStrides], Cg, geometry, col);
        gemm(Og, Lout, rows, 1,
          { arr: wa.arr, off: wa.off + g * Og * rows, rs: rows, cs: 1 },
          { arr: col, off: 0, rs: Lout, cs: 1 }, 0,
          { arr: o, off: oa.off + (n * Cout + g * Og) * Lout, rs: Lout, cs: 1 });
      }
    }
  } else {
    // Weight [Cin, Cout/g, k...]; the input is contiguous in its spatial dims (core makes it so).
    const Cing = input._shape[1]! / groups;
    const Coutg = weight._shape[1]!;
    const rows = Coutg * K;
    const col = colBuffer(xa.arr, rows * Lin);
    const fold: Geometry = { ...geometry, size: inSpatial, out: outSpatial };
    o.fill(0, oa.off, oa.off + N * Cout * Lout);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        gemm(rows, Lin, Cing, 1,
          { arr: wa.arr, off: wa.off + g * Cing * rows, rs: 1, cs: rows },
          { arr: xa.arr, off: xa.off + n * sN + g * Cing * xs[1]!, rs: xs[1]!, cs: 1 }, 0,
          { arr: col, off: 0, rs: Lin, cs: 1 });
        col2im(col, o, oa.off + (n * Cout + g * Coutg) * Lout, Coutg, fold);
      }
    }
  }
  if (bias) {
    const ba = readAccess(bias);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < Cout; c++) {
        const v = ba.arr[ba.off + c * ba.strides[0]!]!;
        const start = oa.off + (n * Cout + c) * Lout;
        for (let i = start; i < start + Lout; i++) o[i] += v;
      }
    }
  }
  oa.commit();
}
