/**
 * The unfolding behind the CPU convolutions: im2col (input patches into the rows of a matrix) and
 * col2im (the adjoint: a matrix of patches folded back, overlapping windows adding up), over 3-d
 * geometry (1-d and 2-d problems padded with leading spatial dims of size 1). Both go to the wasm
 * kernels (assembly/im2col.ts) when the arrays are in the heap; these loops are the fallback.
 */
import type { NumArray } from '../access.js';
import { heap } from '../../device.js';
import { simdCol2im, simdIm2col } from '../../wasm/im2col.js';

/** The scratch matrix of one array kind (kernels run synchronously: one per kind suffices). */
export function colBuffer(kind: NumArray, size: number): Float32Array | Float64Array {
  // In the CPU heap, so that the wasm GEMM can read and write it in place.
  const f32 = kind instanceof Float32Array;
  const bytes = f32 ? 4 : 8;
  const ptr = heap.scratch(f32 ? 'conv.col32' : 'conv.col64', size * bytes);
  return f32 ? new Float32Array(heap.heapBuffer, ptr, size) : new Float64Array(heap.heapBuffer, ptr, size);
}

/** Spatial geometry padded to 3 dims (missing leading dims: size 1, stride 1, no padding). */
export interface Geometry {
  size: number[]; // input spatial [D, H, W] (for transposed: the op's input)
  kernel: number[];
  out: number[]; // the other side's spatial size (output for direct, op output for transposed)
  stride: number[];
  padding: number[];
  dilation: number[];
}

export function to3(v: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}

/** The 3-d geometry of a convolution from its (1-3)-d sizes and parameters. */
export function geometry(
  inSpatial: readonly number[], kernel: readonly number[], outSpatial: readonly number[],
  stride: readonly number[], padding: readonly number[], dilation: readonly number[],
): Geometry {
  return {
    size: to3(inSpatial, 1), kernel: to3(kernel, 1), out: to3(outSpatial, 1),
    stride: to3(stride, 1), padding: to3(padding, 0), dilation: to3(dilation, 1),
  };
}

/** Elements of a 3-d extent. */
export const volume = (v: readonly number[]): number => v[0]! * v[1]! * v[2]!;

/**
 * Unfolds channels [c0, c0 + C) of one batch element into col (row-major [C * KD*KH*KW, OD*OH*OW]).
 * `base` is the element offset of (n, c0, 0, 0, 0); st = [sC, sD, sH, sW] the input strides.
 */
export function im2col(x: NumArray, base: number, st: number[], C: number, g: Geometry, col: Float32Array | Float64Array): void {
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
export function col2im(col: Float32Array | Float64Array, out: NumArray, base: number, C: number, g: Geometry): void {
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
