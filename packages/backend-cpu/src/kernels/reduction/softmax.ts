/**
 * softmax / log_softmax along one dim, numerically stable: exp(x - max) / sum and
 * (x - max) - log(sum), computed in float64 and rounded once into the output. A row whose max
 * is infinite gives NaN, as in PyTorch.
 */
import type { Tensor } from '@torchts/core';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { forEachLine } from './plan.js';
import { simdSoftmax } from '../../wasm/softmax.js';
import { simdSoftmaxBackward } from '../../wasm/softmax-backward.js';

function softmaxKernelOf(log: boolean) {
  return (out: Tensor, input: Tensor, dim: number): void => {
    if (simdSoftmax(out, input, dim, log)) return;
    const w = writeAccess(out);
    const r = readFloat(input);
    const O = w.arr, A = r.arr;
    const n = input._shape.length === 0 ? 1 : input._shape[dim]!;
    const e = new Float64Array(n);
    forEachLine(input._shape, dim, [r.strides, w.strides], [r.off, w.off], (offs, len, ls) => {
      const a0 = offs[0]!, o0 = offs[1]!, sa = ls[0]!, so = ls[1]!;
      let m = -Infinity;
      for (let i = 0, ia = a0; i < len; i++, ia += sa) {
        const v = A[ia]!;
        if (v > m || v !== v) m = v;
      }
      let sum = 0;
      if (log) {
        for (let i = 0, ia = a0; i < len; i++, ia += sa) {
          const d = A[ia]! - m;
          e[i] = d;
          sum += Math.exp(d);
        }
        const logSum = Math.log(sum);
        for (let i = 0, io = o0; i < len; i++, io += so) O[io] = e[i]! - logSum;
      } else {
        for (let i = 0, ia = a0; i < len; i++, ia += sa) {
          const x = Math.exp(A[ia]! - m);
          e[i] = x;
          sum += x;
        }
        const inv = 1 / sum;
        for (let i = 0, io = o0; i < len; i++, io += so) O[io] = e[i]! * inv;
      }
    });
    w.commit();
  };
}

export const softmaxKernel = softmaxKernelOf(false);
export const logSoftmaxKernel = softmaxKernelOf(true);

/**
 * _softmax_backward_data / _log_softmax_backward_data along one dim: y * (g - sum(g * y)) and
 * g - exp(y) * sum(g), sums and results in float64, rounded once. Operands are contiguous.
 */
function softmaxBackwardKernelOf(log: boolean) {
  return (gradInput: Tensor, gradOutput: Tensor, output: Tensor, dim: number): void => {
    if (simdSoftmaxBackward(gradInput, gradOutput, output, dim, log)) return;
    const w = writeAccess(gradInput);
    const g = readFloat(gradOutput), y = readFloat(output);
    const O = w.arr, G = g.arr, Y = y.arr;
    forEachLine(output._shape, dim, [g.strides, y.strides, w.strides], [g.off, y.off, w.off], (offs, len, ls) => {
      const g0 = offs[0]!, y0 = offs[1]!, o0 = offs[2]!, sg = ls[0]!, sy = ls[1]!, so = ls[2]!;
      let sum = 0;
      for (let i = 0; i < len; i++) sum += log ? G[g0 + i * sg]! : G[g0 + i * sg]! * Y[y0 + i * sy]!;
      for (let i = 0; i < len; i++) {
        const gv = G[g0 + i * sg]!, yv = Y[y0 + i * sy]!;
        O[o0 + i * so] = log ? gv - Math.exp(yv) * sum : yv * (gv - sum);
      }
    });
    w.commit();
  };
}

export const softmaxBackwardKernel = softmaxBackwardKernelOf(false);
export const logSoftmaxBackwardKernel = softmaxBackwardKernelOf(true);
