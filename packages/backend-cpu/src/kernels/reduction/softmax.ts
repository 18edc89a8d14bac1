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
