/**
 * CPU kernel of `convolutionBackwardWeight` (core's ops/nn/conv-weight-grad.ts), as PyTorch's CPU
 * convolution backward computes it: per batch element and group, the input patches are unfolded
 * (im2col, [C/g * kernel, outputSpatial]) and dW[group] += gy[n, group] @ col^T — a GEMM whose depth
 * is the output's spatial size, accumulated over the batch in the weight's dtype (beta = 1 after
 * the first element). The transposed operand is absorbed by the GEMM's packing. With the wasm
 * kernels the batch is cut into fixed chunks whose partial sums are added in order (src/wasm/conv.ts),
 * so that threads can share the work without changing the result.
 */
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { gemm } from '../linalg/gemm.js';
import { colBuffer, geometry, im2col, to3, volume } from './im2col.js';
import { simdConvWeightGrad } from '../../wasm/conv.js';

export function convolutionBackwardWeightKernel(
  out: Tensor, input: Tensor, gradOutput: Tensor, stride: number[], padding: number[], dilation: number[], groups: number,
): void {
  const xa = readAccess(input);
  const ga = readAccess(gradOutput); // contiguous (core makes it so)
  const oa = writeAccess(out);
  const geo = geometry(input._shape.slice(2), out._shape.slice(2), gradOutput._shape.slice(2), stride, padding, dilation);
  const N = input._shape[0]!;
  const O = out._shape[0]!, Og = O / groups, Cg = out._shape[1]!;
  const rows = Cg * volume(geo.kernel);
  const L = volume(geo.out);
  const xs = xa.strides;
  const channelStrides = [xs[1]!, ...to3(xs.slice(2), 0)];
  const problem = {
    N, groups, Cg, Og, Cout: O, geo, x: xa.arr, xOff: xa.off, xStrides: [xs[0]!, ...channelStrides], w: oa.arr, wOff: 0, out: ga.arr, outOff: ga.off,
  };
  const col = simdConvWeightGrad(problem, oa.arr, oa.off) ? null : colBuffer(xa.arr, rows * L);
  for (let n = 0; col && n < N; n++) {
    for (let g = 0; g < groups; g++) {
      im2col(xa.arr, xa.off + n * xs[0]! + g * Cg * xs[1]!, channelStrides, Cg, geo, col);
      gemm(Og, rows, L, 1,
        { arr: ga.arr, off: ga.off + (n * O + g * Og) * L, rs: L, cs: 1 },
        { arr: col, off: 0, rs: 1, cs: L }, n === 0 ? 0 : 1,
        { arr: oa.arr, off: oa.off + g * Og * rows, rs: rows, cs: 1 });
    }
  }
  oa.commit();
}
