/**
 * CPU kernel of `convolution` (see core's ops/nn/conv.ts for the contract): im2col + GEMM.
 *
 * 1-d and 2-d problems run as 3-d ones with leading spatial dims of size 1. Per batch element
 * and group:
 * - direct: the input patches are unfolded into `col` [C/g * kernel, outputSpatial] (zeros where
 *   the window hangs over the padding), then out[n, group] = W[group] @ col;
 * - transposed: col = W[group]^T @ x[n, group], then col is folded back (col2im: overlapping
 *   windows add up) into the output.
 * With the wasm kernels, src/wasm/conv.ts runs the same per-element steps in wasm, split over the
 * thread pool by batch element; these loops are the TS fallback.
 * The GEMM is linalg's array-level one, fed views of the weight, `col` and the output in place.
 * `col` is one heap scratch block per array kind (kernels run synchronously), of the input's
 * array kind, so the GEMM's loops stay monomorphic and the wasm GEMM can address it.
 */
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import type { NumArray } from '../access.js';
import { inHeap, simd } from '../../wasm/simd.js';
import { simdConvForward, simdConvTranspose } from '../../wasm/conv.js';
import { gemm } from '../linalg/gemm.js';
import { col2im, colBuffer, geometry, im2col, to3, volume } from './im2col.js';

export function convolutionKernel(
  out: Tensor, input: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number[],
  dilation: number[], transposed: boolean, groups: number,
): void {
  const xa = readAccess(input);
  const wa = readAccess(weight);
  const oa = writeAccess(out);
  const o = oa.arr;
  const N = input._shape[0]!;
  const geo = geometry(input._shape.slice(2), weight._shape.slice(2), out._shape.slice(2), stride, padding, dilation);
  const K = volume(geo.kernel);
  const xs = xa.strides;
  const sN = xs[0]!;
  const spatialStrides = to3(xs.slice(2), 0);
  const Lin = volume(geo.size);
  const Lout = volume(geo.out);
  const Cout = out._shape[1]!;
  if (!transposed) {
    const Cg = weight._shape[1]!;
    const Og = weight._shape[0]! / groups;
    const rows = Cg * K;
    const problem = { N, groups, Cg, Og, Cout, geo, x: xa.arr, xOff: xa.off, xStrides: [sN, xs[1]!, ...spatialStrides], w: wa.arr, wOff: wa.off, out: o, outOff: oa.off };
    const col = simdConvForward(problem) ? null : colBuffer(xa.arr, rows * Lout);
    for (let n = 0; col && n < N; n++) {
      for (let g = 0; g < groups; g++) {
        im2col(xa.arr, xa.off + n * sN + g * Cg * xs[1]!, [xs[1]!, ...spatialStrides], Cg, geo, col);
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
    const problem = { N, groups, Cg: Cing, Og: Coutg, Cout, geo, x: xa.arr, xOff: xa.off, xStrides: [sN, xs[1]!, ...spatialStrides], w: wa.arr, wOff: wa.off, out: o, outOff: oa.off };
    const col = simdConvTranspose(problem) ? null : colBuffer(xa.arr, rows * Lin);
    if (col) o.fill(0, oa.off, oa.off + N * Cout * Lout);
    for (let n = 0; col && n < N; n++) {
      for (let g = 0; g < groups; g++) {
        gemm(rows, Lin, Cing, 1,
          { arr: wa.arr, off: wa.off + g * Cing * rows, rs: 1, cs: rows },
          { arr: xa.arr, off: xa.off + n * sN + g * Cing * xs[1]!, rs: xs[1]!, cs: 1 }, 0,
          { arr: col, off: 0, rs: Lin, cs: 1 });
        col2im(col, o, oa.off + (n * Cout + g * Coutg) * Lout, Coutg, geo);
      }
    }
  }
  if (bias) addChannelBias(o, oa.off, readAccess(bias), N, Cout, Lout);
  oa.commit();
}

/** out[n, c, :] += bias[c] over the contiguous [N, C, L] output block at `off`. */
function addChannelBias(o: NumArray, off: number, ba: ReturnType<typeof readAccess>, N: number, C: number, L: number): void {
  const b = ba.arr, bs = ba.strides[0]!;
  const ex = simd();
  if (ex && (o instanceof Float32Array || o instanceof Float64Array) && o.constructor === b.constructor && inHeap(o) && inHeap(b)) {
    const sz = o.BYTES_PER_ELEMENT;
    (sz === 4 ? ex.addChannelBiasF32 : ex.addChannelBiasF64)(o.byteOffset + off * sz, b.byteOffset + ba.off * sz, bs, N, C, L);
    return;
  }
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const v = b[ba.off + c * bs]!;
      const start = off + (n * C + c) * L;
      for (let i = start; i < start + L; i++) o[i] += v;
    }
  }
}
